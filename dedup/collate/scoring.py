"""Sentence scoring for collation: rapidfuzz ``partial_ratio`` computed only where it can pass its cutoff.

Collation scores every copy sentence against every reference sentence, twice: ``fuzz.ratio`` for whole
sentences and ``fuzz.partial_ratio`` for fragments (a sentence cut by truncation). ``partial_ratio`` slides
the shorter sentence over the longer one and costs about ten times ``ratio``; on a corpus report it was most
of the collation time, spent on pairs of unrelated sentences whose score the cutoff then throws away.

A bound on characters skips those pairs without changing a single score. For a shorter sentence ``s`` and any
window ``w`` of the longer ``t`` (``len(w) <= len(s)``), rapidfuzz scores ``200 * LCS / (len(s) + len(w))``,
and ``LCS`` is at most ``B``, the number of ``s``'s characters that occur anywhere in ``t`` (counted with
repeats). Since ``len(w) >= LCS``, the score is at most ``200 * B / (len(s) + B)``; a pair whose bound is below
the cutoff scores 0 under that cutoff, as rapidfuzz would return it. ``B`` for all pairs at once is one matrix
pass over the two sentences' sorted distinct characters, in a numba kernel.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

PAIRS_PER_THREAD = 50_000  # a matrix smaller than this is scored on one thread: starting threads costs more
_SLACK = 1e-3  # score units: the bound is compared with a margin, so rounding can never skip a passing pair


def workers_for(pairs: int) -> int:
    """rapidfuzz ``workers`` for a matrix of ``pairs`` scores: every core for a large one, one thread otherwise.

    >>> workers_for(100), workers_for(10**6)
    (1, -1)
    """
    return -1 if pairs >= PAIRS_PER_THREAD else 1


def ratio_scores(queries: Sequence[str], choices: Sequence[str], cutoff: float) -> npt.NDArray[np.float32]:
    """``fuzz.ratio`` of every query against every choice; scores below ``cutoff`` are 0."""
    return process.cdist(
        queries,
        choices,
        scorer=fuzz.ratio,
        dtype=np.float32,
        workers=workers_for(len(queries) * len(choices)),
        score_cutoff=cutoff,
    )


def partial_scores(
    queries: Sequence[str], choices: Sequence[str], cutoff: float, wanted: npt.NDArray[np.bool_] | None = None
) -> npt.NDArray[np.float32]:
    """``fuzz.partial_ratio`` of every query against every choice, as ``process.cdist`` gives it with
    ``score_cutoff=cutoff``, but computed only for pairs that ``wanted`` selects (all if ``None``) and whose
    character bound can reach ``cutoff``; every other cell is 0.

    >>> partial_scores(["正向激励", "无关句子"], ["坚持正向激励机制"], 80.0).tolist()
    [[100.0], [0.0]]
    """
    shape = (len(queries), len(choices))
    scores = np.zeros(shape, dtype=np.float32)
    if not queries or not choices:
        return scores
    if wanted is None:
        wanted = np.ones(shape, dtype=np.bool_)
    elif not wanted.any():  # every pair settled by its whole-sentence score (see dedup.collate.sentences)
        return scores
    possible = _possible_pairs(
        *_character_bags(queries), *_character_bags(choices), np.ascontiguousarray(wanted), cutoff - _SLACK
    )
    for i, j in zip(*np.nonzero(possible), strict=True):
        scores[i, j] = fuzz.partial_ratio(queries[i], choices[j], score_cutoff=cutoff)
    return scores


IntArray = npt.NDArray[np.int64]


def _character_bags(texts: Sequence[str]) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Each text's distinct characters (code points, ascending) with their counts, packed row after row:
    ``(codes, counts, offsets, lengths)``, text ``k``'s characters being ``codes[offsets[k]:offsets[k + 1]]``."""
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    points = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    keys, counts = np.unique((rows << 32) | points, return_counts=True)
    offsets = np.searchsorted(keys >> 32, np.arange(len(texts) + 1, dtype=np.int64))
    return keys & 0xFFFFFFFF, counts.astype(np.int64), offsets.astype(np.int64), lengths


@numba.njit(cache=True, nogil=True)
def _possible_pairs(
    q_codes: IntArray,
    q_counts: IntArray,
    q_offsets: IntArray,
    q_lengths: IntArray,
    c_codes: IntArray,
    c_counts: IntArray,
    c_offsets: IntArray,
    c_lengths: IntArray,
    wanted: npt.NDArray[np.bool_],
    cutoff: float,
) -> npt.NDArray[np.bool_]:  # pragma: no cover
    """Which wanted pairs can reach ``cutoff``: the bound of the module docstring, from the side rapidfuzz
    slides (the shorter; of two of equal length, rapidfuzz tries both, and so does this)."""
    nq, nc = wanted.shape
    out = np.zeros((nq, nc), dtype=np.bool_)
    for i in range(nq):
        for j in range(nc):
            if not wanted[i, j]:
                continue
            a, a_end = q_offsets[i], q_offsets[i + 1]
            b, b_end = c_offsets[j], c_offsets[j + 1]
            q_shared = 0  # the query's characters that occur in the choice, with repeats
            c_shared = 0
            while a < a_end and b < b_end:
                if q_codes[a] < c_codes[b]:
                    a += 1
                elif q_codes[a] > c_codes[b]:
                    b += 1
                else:
                    q_shared += q_counts[a]
                    c_shared += c_counts[b]
                    a += 1
                    b += 1
            lq, lc = q_lengths[i], c_lengths[j]
            if lq == 0 or lc == 0:  # rapidfuzz has its own rules for empty strings: let it apply them
                out[i, j] = True
                continue
            query_slides = lq <= lc and 200.0 * q_shared / (lq + q_shared) >= cutoff
            choice_slides = lc <= lq and 200.0 * c_shared / (lc + c_shared) >= cutoff
            out[i, j] = query_slides or choice_slides
    return out
