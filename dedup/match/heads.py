"""Head keys: a preview copy's cut paragraphs proposed as candidates of the paragraphs they were cut from.

A listing page, an aggregator or a search snippet prints each paragraph cut after its first 20-60
characters (ending in ``…``, ``...`` or a broken character). Such a head is contained in its original
paragraph, which verification accepts (containment), but it is too short against it for LSH to propose the
pair: a 30-character head of a 150-character paragraph has a Jaccard near 0.2, which the banding tuned for
0.3 proposes one time in four. A preview copy whose heads are all missed is grouped with nothing.

What finds them instead is exact and costs one number per unit, not another unit: every unit's *head key*
is a hash of its first ``head_chars`` content characters, and a unit that looks cut short (at most
``preview_chars`` content characters, ending mid-sentence or in an ellipsis) is marked in the key's lowest
bit. Units sharing a head key, at least one of them cut, are candidates (:func:`head_pairs`); pairs of two
whole units are not proposed, so the matches of whole copies are LSH's alone. No extra unit is sketched or
banded, and a key per unit is 8 bytes.

A head candidate that LSH did not propose too is held to a stricter test than LSH's (:func:`head_accepted`):
the shorter unit must be the other's start, all its shingles found there but the few a character changed at
the cut spoils. Containment of a half, LSH's test, would take in a paragraph of another story that opens
with the same string of names and titles (``中央军委副主席、国务委员兼国防部长迟浩田``, then other names).

Both engines call the same pure functions: :func:`head_keys` at sketch time, :func:`bucket_head_pairs` per
key (the embedded engine over sorted keys in :func:`head_pairs`, the Spark engine per key group).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Final, TypeVar

import numba
import numpy as np
import numpy.typing as npt

from dedup.arrays import distinct
from dedup.config import FingerprintConfig
from dedup.match.content import content_table, utf32
from dedup.normalize import looks_cut

__all__ = [
    "PRESENT",
    "bucket_head_pairs",
    "cut_marks",
    "head_accepted",
    "head_keys",
    "head_pairs",
    "is_cut",
    "key_of",
    "keys_of",
]

IntArray = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]

PRESENT: Final = 1 << 62
"""Set in every head key, so that 0 means "no key"; keys stay below 2**63 (a JVM long, for Spark)."""
_CUT: Final = 1

_Id = TypeVar("_Id", int, tuple[int, int])


def key_of(key: int) -> int:
    """The part of a head key two units must share: the head's hash, without the cut mark.

    >>> key_of(PRESENT | 0b1011), key_of(PRESENT | 0b1010)
    (5, 5)
    """
    return (key & ~PRESENT) >> 1


def is_cut(key: int) -> bool:
    """Whether a head key is a cut unit's (see :func:`head_keys`)."""
    return bool(key & _CUT)


def keys_of(keys: U64Array) -> U64Array:
    """:func:`key_of` of every head key of an array."""
    shared: U64Array = (keys & ~np.uint64(PRESENT)) >> np.uint64(1)
    return shared


def cut_marks(keys: U64Array) -> npt.NDArray[np.bool_]:
    """:func:`is_cut` of every head key of an array."""
    marks: npt.NDArray[np.bool_] = (keys & np.uint64(_CUT)) != 0
    return marks


@numba.njit(cache=True)
def _head_hashes(
    raw: npt.NDArray[np.uint32], starts: IntArray, table: npt.NDArray[np.bool_], head: int, short: int
) -> tuple[U64Array, npt.NDArray[np.bool_]]:  # pragma: no cover - compiled
    """64-bit FNV-1a of the first ``head`` content codepoints of each text (0 for a text with fewer), and
    whether the text holds at most ``short`` content codepoints (counted no further than that)."""
    hashes = np.zeros(starts.size - 1, dtype=np.uint64)
    within = np.zeros(starts.size - 1, dtype=np.bool_)
    for i in range(starts.size - 1):
        h = np.uint64(0xCBF29CE484222325)
        seen = 0
        p = starts[i]
        while p < starts[i + 1] and seen <= short:
            cp = raw[p]
            if table[cp]:
                if seen < head:
                    h = (h ^ np.uint64(cp)) * np.uint64(0x100000001B3)
                seen += 1
            p += 1
        if seen >= head:
            hashes[i] = h
        within[i] = seen <= short
    return hashes, within


def head_keys(texts: Sequence[str], config: FingerprintConfig) -> U64Array:
    """Every unit's head key: 0 for a unit of fewer than ``head_chars`` content characters, else
    :data:`PRESENT`, the head's hash (61 bits) and, in the lowest bit, whether the unit is cut short: at most
    ``preview_chars`` content characters, ending mid-sentence or in an ellipsis
    (:func:`dedup.normalize.looks_cut`, the test collation applies to a cut paragraph).

    Args:
        texts: the units' texts.
        config: ``head_chars`` and ``preview_chars`` are used.

    >>> cfg = FingerprintConfig(head_chars=4)
    >>> keys = head_keys(["一二三四五六。", "一二，三四…", "一二三"], cfg).tolist()
    >>> key_of(keys[0]) == key_of(keys[1]), is_cut(keys[0]), is_cut(keys[1]), keys[2]
    (True, False, True, 0)
    """
    if not texts:
        return np.zeros(0, dtype=np.uint64)
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=starts[1:])
    hashes, short = _head_hashes(
        utf32("".join(texts)), starts, content_table(), config.head_chars, config.preview_chars
    )
    keys = np.where(hashes != 0, np.uint64(PRESENT) | ((hashes >> np.uint64(3)) << np.uint64(1)), np.uint64(0))
    cut = [i for i in np.flatnonzero((hashes != 0) & short).tolist() if looks_cut(texts[i])]
    keys[cut] |= np.uint64(_CUT)
    return keys


def head_accepted(
    common: npt.NDArray[np.int64], size_a: npt.NDArray[np.int64], size_b: npt.NDArray[np.int64], ngram: int
) -> npt.NDArray[np.bool_]:
    """Whether head candidates hold (``common`` shingles shared by units of ``size_a`` and ``size_b``
    shingles): the smaller unit's shingles are all in the larger but ``ngram - 1`` at most, which is what a
    broken character or two at the cut spoil (each character is in ``ngram`` shingles, the last one in one).

    >>> head_accepted(np.array([20, 20, 12]), np.array([21, 24, 24]), np.array([90, 90, 90]), 5).tolist()
    [True, True, False]
    """
    smaller = np.minimum(size_a, size_b)
    accepted: npt.NDArray[np.bool_] = (common > 0) & (common >= smaller - (ngram - 1))
    return accepted


def bucket_head_pairs(members: Iterable[tuple[_Id, int, bool]], max_bucket: int) -> Iterator[tuple[_Id, _Id]]:
    """The candidate pairs of the units sharing one head key, given as ``(unit, document, cut)``: each cut
    unit with every other unit of another document, as ``(smaller, larger)``, each pair once. In a key shared
    by more than ``max_bucket`` units (a dateline every agency story opens with), a cut unit is paired with
    the first ``max_bucket`` units only, so the work stays linear in the key's size.

    >>> sorted(bucket_head_pairs([(3, 1, False), (0, 0, True), (1, 0, False), (5, 2, True)], 10))
    [(0, 3), (0, 5), (1, 5), (3, 5)]
    """
    units = sorted(members)
    cut = [(u, d) for u, d, c in units if c]
    if not cut:
        return
    near = units[:max_bucket]
    seen: set[tuple[_Id, _Id]] = set()
    for u, d in cut:
        for v, e, _ in near:
            if e == d:
                continue
            pair = (u, v) if u < v else (v, u)
            if pair not in seen:
                seen.add(pair)
                yield pair


def head_pairs(keys: U64Array, doc: IntArray, max_bucket: int) -> IntArray:
    """The head candidates of a corpus (``keys`` from :func:`head_keys`, ``doc`` each unit's document), as
    int64[n, 2] unit pairs ``a < b``, sorted: :func:`bucket_head_pairs` over every key a cut unit holds.
    Only the keys a cut unit shares with another unit are visited, a few per preview copy.

    The pairs are written as int64 codes ``a * n + b`` by a compiled pass over the keys in sorted order
    (:func:`_bucket_codes`, the same pairs as :func:`bucket_head_pairs`), and sorted and made distinct
    once: at 100,000 articles there are 900,000 of them, which as Python tuples took 1.5 s and 100 MB more
    at the scan's peak."""
    n = int(keys.size)
    present = np.flatnonzero(keys != 0)
    if present.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    shared = keys_of(keys[present])
    order = np.argsort(shared, kind="stable")  # by head, then by unit
    units = present[order]
    codes = distinct(_bucket_codes(shared[order], units, cut_marks(keys[units]), doc, n, max_bucket))
    pairs = np.empty((codes.size, 2), dtype=np.int64)
    np.floor_divide(codes, n, out=pairs[:, 0])
    np.remainder(codes, n, out=pairs[:, 1])
    return pairs


@numba.njit(cache=True)
def _bucket_codes(
    shared: U64Array, units: IntArray, cut: npt.NDArray[np.bool_], doc: IntArray, n: int, max_bucket: int
) -> IntArray:  # pragma: no cover - compiled
    """:func:`bucket_head_pairs` of every run of equal ``shared`` keys (``units`` ascending within a run, ``cut``
    each unit's mark), as codes ``a * n + b``; a pair of two cut units may come twice."""
    total = 0
    start = 0
    while start < shared.size:  # count first, to write into one array
        end = start + 1
        while end < shared.size and shared[end] == shared[start]:
            end += 1
        cuts = 0
        for i in range(start, end):
            cuts += cut[i]
        total += cuts * min(end - start, max_bucket)
        start = end
    out = np.empty(total, dtype=np.int64)
    w = 0
    start = 0
    while start < shared.size:
        end = start + 1
        while end < shared.size and shared[end] == shared[start]:
            end += 1
        near = min(end, start + max_bucket)
        for i in range(start, end):
            if not cut[i]:
                continue
            u = units[i]
            for j in range(start, near):
                v = units[j]
                if doc[v] == doc[u]:
                    continue
                out[w] = u * n + v if u < v else v * n + u
                w += 1
        start = end
    return out[:w]
