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

from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise

import numba
import numpy as np
import numpy.typing as npt
from datasketch import MinHashLSH

from dedup.arrays import distinct
from dedup.config import CandidateConfig, FingerprintConfig
from dedup.match.content import content_lengths
from dedup.match.fingerprint import shingle_sets
from dedup.match.heads import head_accepted, head_keys, head_pairs
from dedup.records import Paragraph

IntArray = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]
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
        heads: each unit's head key (:func:`dedup.match.heads.head_keys`), which proposes a preview's cut
            paragraphs as candidates of their originals; ``None`` where units were made without their texts
            (then only LSH proposes candidates).
    """

    doc: IntArray
    paragraph: IntArray
    sets: U32Array
    offsets: IntArray
    heads: U64Array | None = None

    def __len__(self) -> int:
        return int(self.doc.size)

    def set_of(self, unit: int) -> U32Array:
        return self.sets[self.offsets[unit] : self.offsets[unit + 1]]

    def sizes(self) -> IntArray:
        return np.diff(self.offsets)

    def sizes_of(self, which: IntArray) -> IntArray:
        """The set sizes of units ``which`` alone: verification out of core asks for a slice of 64 K pairs at
        a time, and :meth:`sizes` of the whole corpus (23 M units at a million articles) made again for every
        slice was a good part of it."""
        sizes: IntArray = self.offsets[which + 1] - self.offsets[which]
        return sizes


def unit_texts(paragraph: Paragraph, config: FingerprintConfig) -> list[str]:
    """The texts a paragraph is sketched as: itself, or sliding windows of sentences if it is long.

    Each window starts at a sentence and takes the following ones until it holds ``window_chars``
    characters; a window that cannot reach that near the paragraph's end is kept if it still holds half as
    much. Too short a paragraph (a headline, a byline) gives none: it is no evidence that passages are copies.

    >>> from dedup.records import Paragraph
    >>> unit_texts(Paragraph(0, "新华社记者", 1, 1, 0, 5), FingerprintConfig())
    []
    """
    return _unit_texts(paragraph, int(content_lengths([paragraph.text])[0]), config)


def _cut_into_windows(paragraph: Paragraph, content: int, config: FingerprintConfig) -> bool:
    """Whether :func:`unit_texts` cuts a paragraph of ``content`` letters and digits into sentence windows."""
    return content > config.max_unit_chars and len(paragraph.sentences) >= 2


def _unit_texts(
    paragraph: Paragraph, content: int, config: FingerprintConfig, sizes: list[int] | None = None
) -> list[str]:
    """:func:`unit_texts`, given the paragraph's content length (and its sentences', if measured already)."""
    if content < config.min_unit_chars:
        return []
    if not _cut_into_windows(paragraph, content, config):
        return [paragraph.text]
    if sizes is None:
        sizes = content_lengths(paragraph.sentences).tolist()
    windows: list[str] = []
    sentences = paragraph.sentences
    count, wanted = len(sizes), config.window_chars
    half = wanted // 2
    total, end = 0, 0
    for start in range(count):
        # the window from ``start``: the one before it, less its first sentence, run on while it is short (a
        # sliding sum; sizes are never negative, so a window never ends before the one before it)
        if end <= start:
            total, end = 0, start
        elif start:
            total -= sizes[start - 1]
        while end < count and total < wanted:
            total += sizes[end]
            end += 1
        if total >= wanted or (total >= half and start > 0):
            windows.append("".join(sentences[start:end]))
        if end == count and total < wanted:
            break
    return windows or [paragraph.text]


def _line_windows(
    paragraphs: Sequence[Paragraph], glued: list[bool], lengths: IntArray, k: int, config: FingerprintConfig
) -> list[str]:
    """The units of sentence unit ``k`` of a flattened line: itself, and it with the units after it on the
    line up to ``window_chars`` content characters (the windows of a long paragraph, each kept by the unit it
    starts at).

    A sentence is too short to be a candidate of the paragraph it was cut from (a 40-character sentence of a
    200-character paragraph has a Jaccard near 0.2, which LSH tuned for 0.3 mostly misses); a window of
    about the reference paragraph's size is. Its own text is what makes a family of near-identical sentences
    across pages (a footer's sentences). Forward only: a window running back from a site footer into the
    story's last sentence would match the story and take the footer into its copy; running forward, the
    story's last sentence takes the footer's text along, and the footer stays a unit of its own.
    """
    total, end = 0, k
    while end < len(paragraphs) and (end == k or glued[end]) and total < config.window_chars:
        total += int(lengths[end])
        end += 1
    windows = [(k, k + 1)] if int(lengths[k]) >= config.min_unit_chars else []
    if total >= config.min_unit_chars:
        windows.append((k, end))
    return ["".join(p.text for p in paragraphs[a:b]) for a, b in dict.fromkeys(windows)]


def build_units(documents: Sequence[Sequence[Paragraph]], config: FingerprintConfig) -> tuple[Units, list[str]]:
    """Shingle every unit of every document.

    Returns:
        The units, and their texts (in unit order) for signing.
    """
    units, texts, _ = build_units_and_lengths(documents, config)
    return units, texts


def build_units_and_lengths(
    documents: Sequence[Sequence[Paragraph]], config: FingerprintConfig
) -> tuple[Units, list[str], IntArray]:
    """:func:`build_units`, and the content length of every paragraph of every document, in order (which
    it measures anyway, and grouping weighs paragraphs by)."""
    lengths = content_lengths([p.text for paragraphs in documents for p in paragraphs])
    contents = lengths.tolist()
    sentence_sizes = _sentence_sizes(documents, contents, config)
    docs: list[int] = []
    paras: list[int] = []
    texts: list[str] = []
    at = 0
    for d, paragraphs in enumerate(documents):
        # :func:`~dedup.segment.continues_line` of each paragraph, without a call per paragraph
        glued = [False] + [b.start_line == a.end_line for a, b in pairwise(paragraphs)]
        del glued[len(paragraphs) :]  # (no paragraphs: no flags)
        for k, p in enumerate(paragraphs):
            own = contents[at]
            if glued[k] or (k + 1 < len(paragraphs) and glued[k + 1]):
                found = _line_windows(paragraphs, glued, lengths[at - k : at - k + len(paragraphs)], k, config)
            else:
                found = _unit_texts(p, own, config, sentence_sizes.get(at))
            for text in found:
                docs.append(d)
                paras.append(p.index)
                texts.append(text)
            at += 1
    sets, offsets = shingle_sets(texts, config.ngram)
    units = Units(
        np.asarray(docs, dtype=np.int64), np.asarray(paras, dtype=np.int64), sets, offsets, head_keys(texts, config)
    )
    return units, texts, lengths


def _sentence_sizes(
    documents: Sequence[Sequence[Paragraph]], contents: list[int], config: FingerprintConfig
) -> dict[int, list[int]]:
    """The content length of every sentence of every paragraph cut into windows, keyed by the paragraph's
    place in ``contents`` (every paragraph's content length, in order): measured in one vectorised pass for
    the whole batch, since a pass per paragraph cost more in numpy's per-call overhead than in counting."""
    cut: list[tuple[int, Paragraph]] = []
    at = 0
    for paragraphs in documents:
        for p in paragraphs:
            if _cut_into_windows(p, contents[at], config):
                cut.append((at, p))
            at += 1
    if not cut:
        return {}
    sizes = content_lengths([s for _, p in cut for s in p.sentences]).tolist()
    out: dict[int, list[int]] = {}
    start = 0
    for at, p in cut:
        out[at] = sizes[start : start + len(p.sentences)]
        start += len(p.sentences)
    return out


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


def band_keys(signatures: U32Array, bands: int, rows: int) -> U64Array:
    """One 64-bit key per unit and band: a hash of the band's ``rows`` signature values.

    Equal bands always give equal keys, so no pair that datasketch's ``MinHashLSH`` finds is ever missed.
    Two different bands share a key with probability 2**-64: over the ~10**13 (unit pair, band) tests of a
    million units that is one chance in a million of one extra candidate, which exact verification then
    judges on its shingle sets like any other. Keys instead of signatures are what banding keeps in
    memory: ``bands`` eight-byte keys per unit rather than ``num_perm`` four-byte values (a third less at
    the default 37 bands of 128 permutations), and one column per band sorts as one number.

    >>> sigs = np.array([[1, 2, 3, 4], [1, 2, 3, 5], [1, 2, 3, 4]], dtype=np.uint32)
    >>> keys = band_keys(sigs, 2, 2)
    >>> keys.shape, bool(keys[0, 0] == keys[1, 0]), bool(keys[0, 1] == keys[1, 1]), bool((keys[0] == keys[2]).all())
    ((3, 2), True, False, True)
    """
    if bands * rows > signatures.shape[1]:
        raise ValueError(
            f"bands × rows = {bands * rows} must not exceed the signature width {signatures.shape[1]}; "
            "lower --bands or --rows, or raise --num-perm"
        )
    return _band_keys(np.ascontiguousarray(signatures), bands, rows)


@numba.njit(cache=True, parallel=True)
def _band_keys(signatures: U32Array, bands: int, rows: int) -> U64Array:  # pragma: no cover
    n = signatures.shape[0]
    out = np.empty((n, bands), dtype=np.uint64)
    for i in numba.prange(n):
        for band in range(bands):
            h = np.uint64(0x9E3779B97F4A7C15) * np.uint64(band + 1)
            for column in range(band * rows, (band + 1) * rows):
                h ^= np.uint64(signatures[i, column])
                # murmur3's 64-bit finalizer: every input bit reaches every output bit
                h ^= h >> np.uint64(33)
                h *= np.uint64(0xFF51AFD7ED558CCD)
                h ^= h >> np.uint64(33)
                h *= np.uint64(0xC4CEB9FE1A85EC53)
                h ^= h >> np.uint64(33)
            out[i, band] = h
    return out


@dataclass(frozen=True, slots=True)
class Candidates:
    """Candidate unit pairs from banding, and the units whose buckets were too full to enumerate.

    Attributes:
        pairs: int64[n, 2] unit index pairs, ``a < b``, unique, from different documents, in sorted order.
        crowded: units that fell in an LSH bucket larger than ``max_bucket`` (a story reprinted hundreds of
            times, or a masthead on every page); such a bucket is linked as a star through its first unit
            rather than pair by pair.
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
        max_bucket: a bucket with more rows than this gives only the pairs of its first row (the smallest
            index) with each other row: a bucket of ``m`` rows would otherwise give ``m(m-1)/2`` pairs.
            Its rows are reported as crowded.
    """
    return key_candidates(band_keys(signatures, bands, rows), doc, max_bucket)


def key_candidates(keys: U64Array, doc: IntArray | None = None, max_bucket: int | None = None) -> Candidates:
    """All pairs of rows that share a key in some column of ``keys`` (one column per band, see
    :func:`band_keys`); ``doc`` and ``max_bucket`` as in :func:`band_candidates`. The pairs of
    :func:`key_codes`."""
    codes, crowded = key_codes(keys, doc, max_bucket)
    return Candidates(pairs_of_codes(codes, keys.shape[0]), crowded)


def pairs_of_codes(codes: IntArray, n: int) -> IntArray:
    """Pair codes ``a * n + b`` (:func:`codes_of_pairs`) as int64[m, 2] pairs, written in place: no temporary the
    size of the pairs."""
    pairs = np.empty((codes.size, 2), dtype=np.int64)
    np.floor_divide(codes, n, out=pairs[:, 0])
    np.remainder(codes, n, out=pairs[:, 1])
    return pairs


def key_codes(keys: U64Array, doc: IntArray | None = None, max_bucket: int | None = None) -> tuple[IntArray, IntArray]:
    """:func:`key_candidates` as pair codes ``a * n + b`` (sorted, distinct: half the memory of the pairs),
    with the crowded units.

    Each band is sorted once (:func:`_radix_order`; the next band on a second thread, outside the GIL), and
    a pair of an ordinary bucket is written only by the first band it shares: no pair is written twice, so
    nothing the size of "pairs × bands" is ever held or sorted. The few pairs of crowded buckets (stars) are
    merged in at the end.
    """
    keys = np.ascontiguousarray(keys)
    n, bands = keys.shape
    docs = doc if doc is not None else np.arange(n, dtype=np.int64)
    limit = max_bucket if max_bucket is not None else n + 1
    crowded = np.zeros((n, bands), dtype=np.bool_)
    found: list[IntArray] = []
    stars: list[IntArray] = []
    with ThreadPoolExecutor(2) as pool:
        sorting: deque[Future[tuple[IntArray, U64Array]]] = deque()
        for band in range(bands):
            while len(sorting) < 2 and band + len(sorting) < bands:  # this band and the next one
                sorting.append(pool.submit(_sorted_band, keys, band + len(sorting)))
            order, ordered = sorting.popleft().result()
            pairs, star = _first_band_pairs(keys, order, ordered, band, docs, limit, crowded)
            found.append(pairs)
            if star.size:
                stars.append(star)
    # each pair as one int64 code from the start: half the memory of the pairs, and one sort at the end
    codes = np.concatenate(found + stars) if found else np.zeros(0, dtype=np.int64)
    del found
    if stars:
        codes = distinct(codes)
    else:
        codes.sort()
    return codes, np.flatnonzero(crowded.any(axis=1)).astype(np.int64)


def head_candidates(candidates: Candidates, units: Units, max_bucket: int) -> IntArray:
    """The head candidates of ``units`` (:func:`dedup.match.heads.head_pairs`: a preview's cut paragraphs and
    the paragraphs they start like) that LSH did not propose: int64[n, 2] unit pairs, sorted. Verified with
    :func:`verify_heads`."""
    return unproposed_heads(codes_of_pairs(candidates.pairs, len(units)), units, max_bucket)


def unproposed_heads(proposed: IntArray, units: Units, max_bucket: int) -> IntArray:
    """:func:`head_candidates`, given the codes of LSH's pairs (:func:`codes_of_pairs`, sorted): what out-of-core
    banding keeps of them."""
    if units.heads is None:
        return np.zeros((0, 2), dtype=np.int64)
    heads = head_pairs(units.heads, units.doc, max_bucket)
    if heads.shape[0] == 0 or proposed.size == 0:
        return heads
    # LSH's pairs are sorted, so are their codes: a binary search per head pair, where ``np.isin`` sorted all
    # of LSH's pairs again (0.3 s of a 5,000-article scan)
    codes = codes_of_pairs(heads, len(units))
    at = np.minimum(np.searchsorted(proposed, codes), proposed.size - 1)
    new: IntArray = heads[proposed[at] != codes]
    return new


def codes_of_pairs(pairs: IntArray, n: int) -> IntArray:
    """Unit pairs ``(a, b)`` of ``n`` units as the codes ``a * n + b``, which sort as the pairs do (the inverse
    of :func:`pairs_of_codes`)."""
    codes: IntArray = pairs[:, 0] * n + pairs[:, 1]
    return codes


def _sorted_band(keys: U64Array, band: int) -> tuple[IntArray, U64Array]:
    """The order that sorts a band's keys, and its keys in that order.

    The column is copied out first, and the buckets are then found in the sorted copy (3.6 MB for 456,000
    units), not by reading ``keys[order[i], band]`` across the whole key matrix: a cache miss a unit, twice
    a band, which made finding the pairs slower than sorting. The sort is :func:`_radix_order`'s.
    """
    column = np.ascontiguousarray(keys[:, band])
    return _radix_order(column, max(1, min(20, column.size.bit_length() - 3)))


@numba.njit(cache=True, nogil=True)
def _radix_order(column: U64Array, bits: int) -> tuple[IntArray, U64Array]:  # pragma: no cover - compiled
    """``order = np.argsort(column)`` and ``column[order]``, by the keys' top ``bits`` bits (one counting
    pass and one scatter), then each of those small runs sorted in place.

    Band keys are uniform hashes, so with ``bits`` about log2(n) - 3 a run holds eight keys on average: at
    2.3 million keys this took 0.06 s a band against numpy's argsort's 0.25 (37 bands a scan). Equal keys
    stay in one run, and only the buckets of equal keys matter, not the order within them: the pairs are
    sorted at the end. A run longer than 32 (many units sharing a key) is argsorted."""
    n = column.size
    shift = np.uint64(64 - bits)
    starts = np.zeros((1 << bits) + 1, dtype=np.int64)
    for i in range(n):
        starts[(column[i] >> shift) + 1] += 1
    for b in range(1 << bits):
        starts[b + 1] += starts[b]
    order = np.empty(n, dtype=np.int64)
    ordered = np.empty(n, dtype=np.uint64)
    fill = starts[:-1].copy()
    for i in range(n):
        b = column[i] >> shift
        k = fill[b]
        order[k] = i
        ordered[k] = column[i]
        fill[b] = k + 1
    for b in range(1 << bits):
        lo = starts[b]
        hi = starts[b + 1]
        if hi - lo > 32:
            by_key = np.argsort(ordered[lo:hi])
            order[lo:hi] = order[lo:hi][by_key]
            ordered[lo:hi] = ordered[lo:hi][by_key]
            continue
        for i in range(lo + 1, hi):  # insertion sort
            key = ordered[i]
            unit = order[i]
            j = i - 1
            while j >= lo and ordered[j] > key:
                ordered[j + 1] = ordered[j]
                order[j + 1] = order[j]
                j -= 1
            ordered[j + 1] = key
            order[j + 1] = unit
    return order, ordered


@numba.njit(cache=True, nogil=True)
def _first_band_pairs(
    keys: U64Array,
    order: IntArray,
    ordered: U64Array,
    band: int,
    doc: IntArray,
    limit: int,
    crowded: npt.NDArray[np.bool_],
) -> tuple[IntArray, IntArray]:  # pragma: no cover
    """The cross-document pairs of ``band``'s buckets (``order`` sorts its keys into ``ordered``) that no
    earlier band wrote, and, for each bucket over ``limit`` (its rows marked in ``crowded[:, band]``), the
    pairs of its first row with the others: both as codes ``a * n + b`` (:func:`codes_of_pairs`), half the memory of
    the pairs."""
    n = order.size
    total = 0
    big = 0
    start = 0
    while start < n:
        end = start + 1
        while end < n and ordered[end] == ordered[start]:
            end += 1
        m = end - start
        if m > limit:
            big += m - 1
        else:
            total += m * (m - 1) // 2
        start = end
    out = np.empty(total, dtype=np.int64)
    star = np.empty(big, dtype=np.int64)
    w = 0
    z = 0
    start = 0
    while start < n:
        end = start + 1
        while end < n and ordered[end] == ordered[start]:
            end += 1
        if end - start > limit:
            first = order[start]
            for i in range(start, end):
                crowded[order[i], band] = True
                first = min(first, order[i])
            for i in range(start, end):
                other = order[i]
                if other != first and doc[other] != doc[first]:
                    star[z] = first * n + other
                    z += 1
        else:
            for i in range(start, end):
                for j in range(i + 1, end):
                    a = min(order[i], order[j])
                    b = max(order[i], order[j])
                    if doc[a] == doc[b]:
                        continue
                    earlier = False
                    for e in range(band):
                        if keys[a, e] == keys[b, e] and not crowded[a, e]:
                            earlier = True
                            break
                    if not earlier:
                        out[w] = a * n + b
                        w += 1
        start = end
    return out[:w].copy(), star[:z].copy()


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

    def rows(self, which: npt.NDArray[np.bool_] | slice) -> Verified:
        """The pairs ``which`` picks (a mask or a slice), with their scores and verdicts."""
        return Verified(self.pairs[which], self.jaccard[which], self.containment[which], self.accepted[which])

    def near(self, config: CandidateConfig) -> npt.NDArray[np.bool_]:
        """For each match (as :meth:`matches` orders them): near-identical, not one unit contained in the
        other. (Compared first, then picked: a byte a pair, where picking the scores first copied eight.)"""
        near: npt.NDArray[np.bool_] = (self.jaccard >= config.min_jaccard)[self.accepted]
        return near

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


def verify_heads(units: Units, pairs: IntArray, config: CandidateConfig, ngram: int) -> Verified:
    """Score head candidates (:func:`head_candidates`) on their exact shingle sets: they count when the
    smaller unit is the larger's start (:func:`dedup.match.heads.head_accepted`)."""
    if pairs.shape[0] == 0:
        return verify(units, pairs, config)
    common = shared_shingles(units, pairs)
    size_a, size_b = units.sizes_of(pairs[:, 0]), units.sizes_of(pairs[:, 1])
    jaccard = common / np.maximum(size_a + size_b - common, 1)
    containment = common / np.maximum(np.minimum(size_a, size_b), 1)
    return Verified(pairs, jaccard, containment, head_accepted(common, size_a, size_b, ngram))


def verify_with_heads(units: Units, pairs: IntArray, heads: IntArray, config: CandidateConfig, ngram: int) -> Verified:
    """``merge_verified(verify(units, pairs, config), verify_heads(units, heads, config, ngram), len(units))``
    in one pass: LSH's candidates ``pairs`` and the head candidates ``heads`` (both sorted, none in both) are
    merged in pair order first and scored together, each by its own rule.

    Merging the verdicts afterwards held both verdicts, their concatenations and the merged copies at once
    (a third of a GB at 100,000 articles, the scan's peak); merging the pairs holds one extra pair array.
    """
    if heads.shape[0] == 0:
        return verify(units, pairs, config)
    n = len(units)
    # a head pair's place among the LSH pairs (their codes are sorted), shifted by the head pairs before it
    at = np.searchsorted(codes_of_pairs(pairs, n), codes_of_pairs(heads, n))
    at += np.arange(at.size)
    is_head = np.zeros(pairs.shape[0] + heads.shape[0], dtype=np.bool_)
    is_head[at] = True
    merged = np.empty((is_head.size, 2), dtype=np.int64)
    merged[at] = heads
    merged[~is_head] = pairs
    common, size_a, size_b, jaccard, containment = _scores(units, merged)
    accepted = (jaccard >= config.min_jaccard) | (containment >= config.min_containment)
    accepted[at] = head_accepted(common[at], size_a[at], size_b[at], ngram)
    return Verified(merged, jaccard, containment, accepted)


def merge_verified(first: Verified, second: Verified, n: int) -> Verified:
    """Two sets of verified pairs of ``n`` units as one, in pair order (each pair in one of them only)."""
    if second.pairs.shape[0] == 0:
        return first
    order = np.argsort(np.concatenate([codes_of_pairs(first.pairs, n), codes_of_pairs(second.pairs, n)]), kind="stable")
    return Verified(
        np.concatenate([first.pairs, second.pairs])[order],
        np.concatenate([first.jaccard, second.jaccard])[order],
        np.concatenate([first.containment, second.containment])[order],
        np.concatenate([first.accepted, second.accepted])[order],
    )


def shared_shingles(units: Units, pairs: IntArray) -> IntArray:
    """How many shingles each unit pair ``pairs[k]`` (int64[n, 2]) has in common."""
    return _intersections(units.sets, units.offsets, np.ascontiguousarray(pairs))


def verify(units: Units, pairs: IntArray, config: CandidateConfig) -> Verified:
    """Score candidate pairs on their exact shingle sets.

    A pair counts when its Jaccard reaches ``min_jaccard`` or its containment (the share of the smaller set
    found in the larger) reaches ``min_containment``: a truncated paragraph or a heading glued to its body
    has a low Jaccard but a high containment against the original.
    """
    if pairs.shape[0] == 0:
        empty = np.zeros(0, dtype=np.float64)
        return Verified(pairs, empty, empty, np.zeros(0, dtype=bool))
    _, _, _, jaccard, containment = _scores(units, pairs)
    accepted = (jaccard >= config.min_jaccard) | (containment >= config.min_containment)
    return Verified(pairs, jaccard, containment, accepted)


def _scores(
    units: Units, pairs: IntArray
) -> tuple[IntArray, IntArray, IntArray, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each pair's shared shingles, the two units' set sizes, Jaccard and containment (of the smaller set)."""
    common = shared_shingles(units, pairs)
    size_a, size_b = units.sizes_of(pairs[:, 0]), units.sizes_of(pairs[:, 1])
    union = size_a + size_b - common
    jaccard = common / np.maximum(union, 1)
    containment = common / np.maximum(np.minimum(size_a, size_b), 1)
    return common, size_a, size_b, jaccard, containment
