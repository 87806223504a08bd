"""Candidates: which paragraph pairs might be copies (LSH banding), and which are (exact verification).

The unit of matching is the paragraph, because whole-file similarity fails on real pages: the seeds that
share the Xinhua summary have whole-file 5-gram Jaccard of only 0.05-0.19, since each page holds other
articles too. Paragraphs longer than ``max_unit_chars`` are cut into sentence-aligned windows, so a text
without paragraph breaks still matches passage by passage.

Banding gives exactly datasketch ``MinHashLSH``'s candidates for the same ``(b, r)`` (a test proves it): two
units are candidates when all ``r`` values of any band are equal. It is done with numpy sorts over the whole
signature matrix instead of one Python call per insert, which is what makes a million paragraphs feasible.
Candidates then count only when their exact shingle sets agree (Jaccard or containment), and every rejected
candidate can be explained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt
from datasketch import MinHashLSH

from dedup.config import CandidateConfig, FingerprintConfig
from dedup.fingerprint import content_codepoints, shingle_sets
from dedup.records import Paragraph

IntArray = npt.NDArray[np.int64]
U32Array = npt.NDArray[np.uint32]


@dataclass(frozen=True, slots=True)
class Units:
    """All sketched units of a corpus, as flat arrays (a Python object per paragraph would cost more than
    the work done on it).

    Attributes:
        doc: document index of each unit.
        paragraph: paragraph index (within its document) of each unit.
        sets: sorted unique shingle hashes of all units, back to back.
        offsets: unit ``i``'s set is ``sets[offsets[i]:offsets[i + 1]]``.
    """

    doc: IntArray
    paragraph: IntArray
    sets: U32Array
    offsets: IntArray

    def __len__(self) -> int:
        return int(self.doc.size)

    def set_of(self, unit: int) -> U32Array:
        return self.sets[self.offsets[unit] : self.offsets[unit + 1]]

    def sizes(self) -> IntArray:
        return np.diff(self.offsets)


def unit_texts(paragraph: Paragraph, config: FingerprintConfig) -> list[str]:
    """The texts a paragraph is sketched as: itself, or sliding windows of sentences if it is long.

    Each window starts at a sentence and takes the following ones until it holds ``window_chars``
    characters; a window that cannot reach that near the paragraph's end is kept if it still holds half as
    much. Too short a paragraph (a headline, a byline) gives none: it is no evidence that passages are copies.

    >>> from dedup.records import Paragraph
    >>> unit_texts(Paragraph(0, "新华社记者", 1, 1, 0, 5), FingerprintConfig())
    []
    """
    content = len(content_codepoints(paragraph.text))
    if content < config.min_unit_chars:
        return []
    if content <= config.max_unit_chars or len(paragraph.sentences) < 2:
        return [paragraph.text]
    sizes = [len(content_codepoints(s)) for s in paragraph.sentences]
    windows: list[str] = []
    for start in range(len(sizes)):
        total, end = 0, start
        while end < len(sizes) and total < config.window_chars:
            total += sizes[end]
            end += 1
        if total >= config.window_chars or (total >= config.window_chars // 2 and start > 0):
            windows.append("".join(paragraph.sentences[start:end]))
        if end == len(sizes) and total < config.window_chars:
            break
    return windows or [paragraph.text]


def build_units(documents: Sequence[Sequence[Paragraph]], config: FingerprintConfig) -> tuple[Units, list[str]]:
    """Shingle every unit of every document.

    Returns:
        The units, and their texts (in unit order) for signing.
    """
    docs: list[int] = []
    paras: list[int] = []
    texts: list[str] = []
    for d, paragraphs in enumerate(documents):
        for p in paragraphs:
            for text in unit_texts(p, config):
                docs.append(d)
                paras.append(p.index)
                texts.append(text)
    sets, offsets = shingle_sets(texts, config.ngram)
    units = Units(np.asarray(docs, dtype=np.int64), np.asarray(paras, dtype=np.int64), sets, offsets)
    return units, texts


def banding(config: CandidateConfig, num_perm: int) -> tuple[int, int]:
    """``(bands, rows)``: explicit in the config, or datasketch's optimum for the threshold.

    >>> banding(CandidateConfig(threshold=0.3), 128)
    (37, 3)
    """
    if config.bands is not None and config.rows is not None:
        if config.bands * config.rows > num_perm:
            raise ValueError(
                f"bands × rows = {config.bands * config.rows} must not exceed num_perm = {num_perm}; "
                "lower --bands or --rows, or raise --num-perm"
            )
        return config.bands, config.rows
    lsh = MinHashLSH(threshold=config.threshold, num_perm=num_perm)
    return int(lsh.b), int(lsh.r)


@dataclass(frozen=True, slots=True)
class Candidates:
    """Candidate unit pairs from banding, and the units whose buckets were too full to enumerate.

    Attributes:
        pairs: int64[n, 2] unit index pairs, ``a < b``, unique, from different documents.
        crowded: units that fell in an LSH bucket larger than ``max_bucket`` (boilerplate); their pairs from
            that bucket were not enumerated.
    """

    pairs: IntArray
    crowded: IntArray


def band_candidates(
    signatures: U32Array,
    bands: int,
    rows: int,
    doc: IntArray | None = None,
    max_bucket: int | None = None,
) -> Candidates:
    """All pairs of rows equal on at least one band (datasketch ``MinHashLSH`` semantics).

    Args:
        signatures: uint32[n, num_perm].
        bands, rows: the banding; band ``k`` covers columns ``k*rows`` to ``(k+1)*rows``.
        doc: document of each row; pairs within one document are dropped (a copy repeating its own
            paragraph is not a reprint of another file).
        max_bucket: buckets with more rows than this are not enumerated; their rows are reported as crowded.
    """
    n = signatures.shape[0]
    found: list[IntArray] = []
    crowded: list[IntArray] = []
    limit = max_bucket if max_bucket is not None else n + 1
    for band in range(bands):
        block = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        order, starts = _equal_runs(block)
        sizes = np.diff(starts)
        big = sizes > limit
        if big.any():
            for s, e in zip(starts[:-1][big], starts[1:][big], strict=True):
                crowded.append(order[s:e])
        keep = (sizes >= 2) & ~big
        if keep.any():
            found.append(_pairs_in_runs(order, starts[:-1][keep], starts[1:][keep]))
    pairs = np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)
    if pairs.size:
        if doc is not None:
            pairs = pairs[doc[pairs[:, 0]] != doc[pairs[:, 1]]]
        codes = np.unique(pairs[:, 0] * n + pairs[:, 1])
        pairs = np.stack([codes // n, codes % n], axis=1)
    crowd = np.unique(np.concatenate(crowded)) if crowded else np.zeros(0, dtype=np.int64)
    return Candidates(pairs.astype(np.int64), crowd.astype(np.int64))


def _equal_runs(block: U32Array) -> tuple[IntArray, IntArray]:
    """Sort rows so that equal rows are adjacent; return the order and where each run of equal rows starts.

    Rows are keyed by a 64-bit mix of their values and sorted by key; a run is then cut wherever the key or
    the row itself changes, so the grouping is exact (a key collision can only split a run, never join
    two different rows, and then a lexicographic sort repairs it).
    """
    n = block.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64)
    key = np.full(n, 0xCBF29CE484222325, dtype=np.uint64)
    for column in range(block.shape[1]):
        key ^= block[:, column].astype(np.uint64)
        key *= np.uint64(0x100000001B3)
        key ^= key >> np.uint64(29)
    order = np.argsort(key, kind="stable")
    sorted_rows = block[order]
    sorted_keys = key[order]
    boundary = np.ones(n, dtype=bool)
    boundary[1:] = (sorted_keys[1:] != sorted_keys[:-1]) | np.any(sorted_rows[1:] != sorted_rows[:-1], axis=1)
    same_key_differs = (sorted_keys[1:] == sorted_keys[:-1]) & np.any(sorted_rows[1:] != sorted_rows[:-1], axis=1)
    if same_key_differs.any():  # astronomically rare: fall back to an exact lexicographic sort
        order = np.lexsort(block.T[::-1])
        sorted_rows = block[order]
        boundary[1:] = np.any(sorted_rows[1:] != sorted_rows[:-1], axis=1)
    starts = np.flatnonzero(boundary)
    return order.astype(np.int64), np.append(starts, n).astype(np.int64)


@numba.njit(cache=True)
def _pairs_in_runs(order: IntArray, run_starts: IntArray, run_ends: IntArray) -> IntArray:  # pragma: no cover
    total = 0
    for k in range(run_starts.size):
        m = run_ends[k] - run_starts[k]
        total += m * (m - 1) // 2
    out = np.empty((total, 2), dtype=np.int64)
    w = 0
    for k in range(run_starts.size):
        for i in range(run_starts[k], run_ends[k]):
            for j in range(i + 1, run_ends[k]):
                a = order[i]
                b = order[j]
                if a < b:
                    out[w, 0] = a
                    out[w, 1] = b
                else:
                    out[w, 0] = b
                    out[w, 1] = a
                w += 1
    return out


@numba.njit(cache=True, parallel=True)
def _intersections(sets: U32Array, offsets: IntArray, pairs: IntArray) -> IntArray:  # pragma: no cover
    out = np.empty(pairs.shape[0], dtype=np.int64)
    for k in numba.prange(pairs.shape[0]):
        i = offsets[pairs[k, 0]]
        i_end = offsets[pairs[k, 0] + 1]
        j = offsets[pairs[k, 1]]
        j_end = offsets[pairs[k, 1] + 1]
        common = 0
        while i < i_end and j < j_end:
            x = sets[i]
            y = sets[j]
            if x == y:
                common += 1
                i += 1
                j += 1
            elif x < y:
                i += 1
            else:
                j += 1
        out[k] = common
    return out


@dataclass(frozen=True, slots=True)
class Verified:
    """Candidate pairs with their exact scores, and which of them count.

    Attributes:
        pairs: int64[n, 2] unit pairs.
        jaccard, containment: exact scores of each pair's shingle sets.
        accepted: whether each pair counts as a match.
    """

    pairs: IntArray
    jaccard: npt.NDArray[np.float64]
    containment: npt.NDArray[np.float64]
    accepted: npt.NDArray[np.bool_]

    def matches(self) -> IntArray:
        return self.pairs[self.accepted]

    def rejections(self, config: CandidateConfig) -> list[tuple[int, int, str]]:
        """Why each rejected candidate was rejected, for ``--debug``."""
        out: list[tuple[int, int, str]] = []
        for (a, b), j, c in zip(
            self.pairs[~self.accepted], self.jaccard[~self.accepted], self.containment[~self.accepted], strict=True
        ):
            out.append(
                (
                    int(a),
                    int(b),
                    f"Jaccard {j:.2f} < {config.min_jaccard:.2f}"
                    f" and containment {c:.2f} < {config.min_containment:.2f}",
                )
            )
        return out


def verify(units: Units, pairs: IntArray, config: CandidateConfig) -> Verified:
    """Score candidate pairs on their exact shingle sets.

    A pair counts when its Jaccard reaches ``min_jaccard`` or its containment (the share of the smaller set
    found in the larger) reaches ``min_containment``: a truncated paragraph or a heading glued to its body
    has a low Jaccard but a high containment against the original.
    """
    if pairs.shape[0] == 0:
        empty = np.zeros(0, dtype=np.float64)
        return Verified(pairs, empty, empty, np.zeros(0, dtype=bool))
    common = _intersections(units.sets, units.offsets, np.ascontiguousarray(pairs))
    sizes = units.sizes()
    size_a = sizes[pairs[:, 0]]
    size_b = sizes[pairs[:, 1]]
    union = size_a + size_b - common
    jaccard = common / np.maximum(union, 1)
    containment = common / np.maximum(np.minimum(size_a, size_b), 1)
    accepted = (jaccard >= config.min_jaccard) | (containment >= config.min_containment)
    return Verified(pairs, jaccard, containment, accepted)
