"""Band postings: the index's LSH bands, kept sorted on disk so a drop finds its candidates by a merge.

A drop unit and an indexed unit are candidates when one of their LSH bands is equal (datasketch
``MinHashLSH`` semantics). To find those pairs without holding every band of the index in memory, each
block of indexed units is stored as *postings*: for every band, the units' band keys sorted, each with its
unit. A check sorts the drop's codes once and merges them with one block at a time (:class:`Lookup`):
linear in the index, with memory bounded by one block. The merge also counts how many indexed units stand in
each of the drop's buckets; of a crowded one (more than ``max_bucket`` members: a masthead, an advert, a
story reprinted hundreds of times) only the first ``max_bucket`` indexed members are taken, so the thousands
of documents that share only a masthead with the drop are never read.

A code is ``band << 40 | key``, the key a 40-bit hash of the band's ``rows`` signature values; a posting is
``key << 24 | unit`` (the unit's number in its block), 8 bytes, its band implied by its position. Two
different bands share a key with probability 2**-40: a 10,000-article drop against 200,000 indexed articles
meets a few dozen such false candidates per check, which exact verification rejects like any other.

Beside its postings, a block keeps every unit's *head key* (:mod:`dedup.match.heads`): a preview copy's
paragraphs, cut after their first 20-60 characters, are too short against their originals for any band to
be equal, and a scan finds them by the hash of their first characters instead. :class:`HeadLookup` does the
same against the index: a drop unit and an indexed unit sharing a head key, one of them cut, are candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

from dedup.match.candidates import band_keys
from dedup.match.heads import cut_marks, keys_of

U16Array = npt.NDArray[np.uint16]
U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]
I32Array = npt.NDArray[np.int32]
IntArray = npt.NDArray[np.int64]

KEY_BITS: Final = 40
UNIT_BITS: Final = 24
KEY_MASK: Final = (1 << KEY_BITS) - 1
MAX_BLOCK_UNITS: Final = 1 << UNIT_BITS  # a posting names its unit in 24 bits
MAX_BLOCK_DOCS: Final = 1 << 16  # a unit names its document by a 16-bit offset within its block

_F = TypeVar("_F")


def _jit(function: _F) -> _F:
    """``numba.njit(cache=True, nogil=True)``, typed for mypy (numba is untyped); without the GIL, a merge
    runs while another thread reads the next block."""
    return cast(_F, numba.njit(cache=True, nogil=True)(function))


def band_codes(signatures: U32Array, bands: int, rows: int) -> U64Array:
    """One code per unit and band: ``band << 40 | hash40(band values)``; equal bands give equal codes.

    The hash is the top 40 bits of :func:`dedup.match.candidates.band_keys`, so index and scan band alike.

    >>> sigs = np.array([[1, 2, 3, 4], [1, 2, 3, 5]], dtype=np.uint32)
    >>> codes = band_codes(sigs, 2, 2)
    >>> bool(codes[0, 0] == codes[1, 0]), bool(codes[0, 1] == codes[1, 1]), int(codes[1, 1] >> 40)
    (True, False, 1)
    """
    keys = band_keys(signatures, bands, rows)
    band_ids = np.arange(bands, dtype=np.uint64) << np.uint64(40)
    codes: U64Array = band_ids[None, :] | (keys >> np.uint64(24))
    return codes


@dataclass(frozen=True, slots=True)
class Block:
    """The postings of one block of indexed documents, as stored.

    Attributes:
        first_doc: id of the block's first document.
        bands: bands per unit.
        postings: ``key << 24 | unit`` for every unit and band; band ``b`` is ``[b * units, (b + 1) * units)``,
            sorted.
        unit_docs: each unit's document, as an offset from ``first_doc``; units are in document order.
        heads: each unit's head key (:func:`dedup.match.heads.head_keys`; 0: none), in unit order.
    """

    first_doc: int
    bands: int
    postings: U64Array
    unit_docs: U16Array
    heads: U64Array

    @property
    def units(self) -> int:
        return int(self.unit_docs.size)

    @classmethod
    def build(cls, first_doc: int, codes: U64Array, unit_docs: IntArray, heads: U64Array | None = None) -> Block:
        """The block of units with these codes (``units × bands``), document offsets (ascending) and head keys
        (none if not given)."""
        units, bands = codes.shape
        if units > MAX_BLOCK_UNITS or (units and int(unit_docs.max()) >= MAX_BLOCK_DOCS):
            raise ValueError(f"a postings block holds at most {MAX_BLOCK_UNITS} units of {MAX_BLOCK_DOCS} documents")
        keyed = np.array(codes.T, dtype=np.uint64, order="C")  # one copy, then worked on in place
        keyed &= np.uint64(KEY_MASK)
        keyed <<= np.uint64(UNIT_BITS)
        keyed |= np.arange(units, dtype=np.uint64)
        keyed.sort(axis=1)
        held = np.zeros(units, dtype=np.uint64) if heads is None else np.asarray(heads, dtype=np.uint64)
        if held.size != units:
            raise ValueError(f"a postings block of {units} units was given {held.size} head keys")
        return cls(first_doc, bands, keyed.ravel(), unit_docs.astype(np.uint16), held)

    def blobs(self) -> tuple[bytes, bytes, bytes]:
        return self.postings.tobytes(), self.unit_docs.tobytes(), self.heads.tobytes()

    @classmethod
    def from_blobs(
        cls, first_doc: int, units: int, bands: int, postings: bytes, unit_docs: bytes, heads: bytes
    ) -> Block:
        """A stored block; raises ``ValueError`` if the blobs do not have the sizes the row says."""
        block = cls(
            first_doc,
            bands,
            np.frombuffer(postings, dtype=np.uint64),
            np.frombuffer(unit_docs, dtype=np.uint16),
            np.frombuffer(heads, dtype=np.uint64),
        )
        if block.units != units or block.postings.size != units * bands or block.heads.size != units:
            raise ValueError(f"a postings block of {units} units × {bands} bands has the wrong size")
        if units > MAX_BLOCK_UNITS or not _well_formed(block.postings, units, bands, block.unit_docs):
            raise ValueError("a postings block is not sorted or names a unit it does not hold")
        return block

    def without(self, gone: IntArray) -> Block:
        """This block without the units of the documents ``gone`` (offsets from ``first_doc``): what an add
        that replaces a document's content leaves of the block the old content was written to.

        Units keep their order, so renumbering them keeps every band sorted: a posting is ``key << 24 |
        unit``, and a kept unit's new number keeps its place among the kept units of the same key.
        """
        keep = ~np.isin(self.unit_docs, gone.astype(np.uint16))
        renumber = np.cumsum(keep, dtype=np.uint64) - np.uint64(1)
        units = self.postings & np.uint64(MAX_BLOCK_UNITS - 1)
        kept = self.postings[keep[units]]
        kept = (kept & ~np.uint64(MAX_BLOCK_UNITS - 1)) | renumber[kept & np.uint64(MAX_BLOCK_UNITS - 1)]
        return Block(self.first_doc, self.bands, kept, self.unit_docs[keep], self.heads[keep])


@dataclass(frozen=True, slots=True)
class Hits:
    """What a :class:`Lookup` found: the candidate pairs between drop units and indexed units.

    Attributes:
        drop_units, docs, units: one row per candidate pair: the drop unit, and the indexed unit as its
            document id and its number within that document.
        crowded: codes of the buckets that index and drop together fill beyond ``max_bucket``.
    """

    drop_units: IntArray
    docs: IntArray
    units: IntArray
    crowded: U64Array


class Lookup:
    """The drop's band codes, merged against the index one postings block at a time.

    A bucket is taken whole up to ``max_bucket`` indexed members: beyond that, an in-memory scan links a
    crowded bucket as a star through its first member rather than pair by pair, and grouping judges it by
    the paragraphs that come with it in its documents. So the first ``max_bucket`` indexed members (the
    smallest ids: the star's centre among them) stand for the rest; the thousands of other documents that
    share only a masthead with the drop are counted but never read.

    Args:
        codes: the drop units' codes (``units × bands``).
        max_bucket: how many indexed members of a bucket to take.
    """

    def __init__(self, codes: U64Array, max_bucket: int) -> None:
        self.bands = codes.shape[1]
        units = codes.shape[0]
        if units < MAX_BLOCK_UNITS:  # sort (key, unit) packed in one word, band by band: no argsort needed
            keyed = (np.ascontiguousarray(codes.T) & np.uint64(KEY_MASK)) << np.uint64(UNIT_BITS)
            keyed |= np.arange(units, dtype=np.uint64)
            keyed.sort(axis=1)
            band = np.arange(self.bands, dtype=np.uint64)[:, None] << np.uint64(KEY_BITS)
            ordered = (band | (keyed >> np.uint64(UNIT_BITS))).ravel()
            members = (keyed.ravel() & np.uint64(MAX_BLOCK_UNITS - 1)).astype(np.int64)
        else:
            order = np.argsort(codes.ravel())
            ordered = codes.ravel()[order]
            members = (order // self.bands).astype(np.int64)
        first = np.ones(ordered.size, dtype=np.bool_)
        first[1:] = ordered[1:] != ordered[:-1]
        self.wanted = ordered[first]
        # The drop units of each wanted code: ``self.members[self.member_starts[c]:self.member_starts[c + 1]]``.
        self.member_starts = np.append(np.flatnonzero(first), ordered.size).astype(np.int64)
        self.members = members
        self.drop_counts = np.diff(self.member_starts)
        bounds = np.arange(self.bands + 1, dtype=np.uint64) << np.uint64(KEY_BITS)
        self.starts = np.searchsorted(self.wanted, bounds).astype(np.int64)
        self.index_counts = np.zeros(self.wanted.size, dtype=np.int64)
        self.taken = np.zeros(self.wanted.size, dtype=np.int64)
        self.max_bucket = max_bucket
        self._pairs: list[tuple[IntArray, IntArray, IntArray]] = []

    def merge(self, block: Block) -> tuple[I32Array, IntArray]:
        """Which of the block's postings are in the drop's buckets: for each, the bucket (``found``, -1 for
        none), and the positions that are (``matched``). Reads only what never changes, so a second thread
        can merge the next block while :meth:`add` takes this one."""
        if block.bands != self.bands:
            raise ValueError(f"a postings block has {block.bands} bands, the lookup {self.bands}")
        found = np.full(block.postings.size, -1, dtype=np.int32)
        if self.wanted.size and block.units:
            _merge(self.wanted, self.starts, block.postings, block.units, found)
        return found, np.flatnonzero(found >= 0)

    def add(self, block: Block, merged: tuple[I32Array, IntArray] | None = None) -> None:
        """Take one block (blocks must come in id order), merged here unless ``merged`` is given: count its
        postings in the drop's buckets, and keep the pairs its first members of each bucket make, each once."""
        found, matched = merged if merged is not None else self.merge(block)
        if not matched.size:
            return
        codes = found[matched]
        self.index_counts += np.bincount(codes, minlength=self.wanted.size)
        # Most insertions repeat a pair (identical paragraphs share every band): start the set small, so
        # that it stays in cache, and let it grow.
        capacity = 1 << max(12, (int(self.drop_counts[codes].sum()) // 8).bit_length())
        keys = np.full(capacity, -1, dtype=np.int64)
        at = used = 0
        while at < matched.size:
            shift = 64 - (keys.size.bit_length() - 1)
            args = (block.postings, self.taken, self.max_bucket, self.members, self.member_starts, keys, shift)
            at, used = _pair_up(matched, at, found, *args, used)
            if at < matched.size:
                keys = _grown(keys)
        keys = keys[keys >= 0]
        drop_units = keys >> np.int64(UNIT_BITS)
        unit = keys & np.int64(MAX_BLOCK_UNITS - 1)
        offsets = block.unit_docs.astype(np.int64)
        first_unit = np.searchsorted(offsets, np.arange(int(offsets[-1]) + 1))
        doc = offsets[unit]
        self._pairs.append((drop_units, doc + block.first_doc, unit - first_unit[doc]))

    def result(self) -> Hits:
        """The candidate pairs, and the codes of the crowded buckets."""
        crowded = self.wanted[self.index_counts + self.drop_counts > self.max_bucket]
        if not self._pairs:
            empty = np.zeros(0, dtype=np.int64)
            return Hits(empty, empty, empty, crowded)
        parts = [np.concatenate([p[k] for p in self._pairs]) for k in range(3)]
        self._pairs = []
        return Hits(parts[0], parts[1], parts[2], crowded)


class HeadLookup:
    """The drop's head keys, looked up in the index one postings block at a time: the candidates a scan's
    :func:`dedup.match.heads.head_pairs` would make between drop and index.

    A drop unit and an indexed unit are head candidates when their head keys are equal but for the cut mark
    and at least one of them is cut (a preview's paragraph and its original, or two previews). As in a scan,
    of a key shared by more than ``max_bucket`` indexed units only the first ``max_bucket`` are taken (blocks
    come in id order): a dateline every agency story opens with stays cheap.

    Args:
        heads: the drop units' head keys (0: none).
        max_bucket: how many indexed units of a key to take.
    """

    def __init__(self, heads: U64Array, max_bucket: int) -> None:
        present = np.flatnonzero(heads != 0)
        shared = keys_of(heads[present])
        order = np.argsort(shared, kind="stable")
        self.drop_units = present[order].astype(np.int64)
        self.drop_cut = cut_marks(heads[self.drop_units])
        keys = shared[order]
        first = np.ones(keys.size, dtype=np.bool_)
        first[1:] = keys[1:] != keys[:-1]
        self.keys = keys[first]
        self.key_starts = np.append(np.flatnonzero(first), keys.size).astype(np.int64)
        self.key_has_cut = (
            np.logical_or.reduceat(self.drop_cut, self.key_starts[:-1]) if keys.size else np.zeros(0, np.bool_)
        )
        self.taken = np.zeros(self.keys.size, dtype=np.int64)
        self.max_bucket = max_bucket
        self._pairs: list[tuple[IntArray, IntArray, IntArray]] = []

    def add(self, block: Block) -> None:
        """Take one block (in id order): its units that share a key with the drop, one side cut."""
        if not self.keys.size or not block.units:
            return
        present = np.flatnonzero(block.heads != 0)
        shared = keys_of(block.heads[present])
        at = np.minimum(np.searchsorted(self.keys, shared), self.keys.size - 1)
        cut = cut_marks(block.heads[present])
        hit = (self.keys[at] == shared) & (cut | self.key_has_cut[at])
        units, at, cut = present[hit], at[hit], cut[hit]
        if not units.size:
            return
        # the first ``max_bucket`` indexed units of each key, over all blocks: rank the units of a key in
        # this block (units are in document order) after those taken before
        order = np.argsort(at, kind="stable")
        units, at, cut = units[order], at[order], cut[order]
        run_start = np.flatnonzero(np.diff(at, prepend=-1))
        rank = np.arange(at.size) - np.repeat(run_start, np.diff(np.append(run_start, at.size)))
        kept = rank + self.taken[at] < self.max_bucket
        units, at, cut = units[kept], at[kept], cut[kept]
        self.taken += np.bincount(at, minlength=self.keys.size)
        # every drop unit of the key, kept where one side of the pair is cut
        counts = self.key_starts[at + 1] - self.key_starts[at]
        first_member = np.repeat(self.key_starts[at] - np.cumsum(counts) + counts, counts)
        members = first_member + np.arange(int(counts.sum()))
        index_unit = np.repeat(units, counts)
        either_cut = np.repeat(cut, counts) | self.drop_cut[members]
        members, index_unit = members[either_cut], index_unit[either_cut]
        offsets = block.unit_docs.astype(np.int64)
        first_unit = np.searchsorted(offsets, np.arange(int(offsets[-1]) + 1))
        doc = offsets[index_unit]
        self._pairs.append((self.drop_units[members], doc + block.first_doc, index_unit - first_unit[doc]))

    def result(self) -> Hits:
        """The head candidates found (no bucket is crowded for them: the cap applies per key as they come)."""
        if not self._pairs:
            empty = np.zeros(0, dtype=np.int64)
            return Hits(empty, empty, empty, np.zeros(0, dtype=np.uint64))
        parts = [np.concatenate([p[k] for p in self._pairs]) for k in range(3)]
        self._pairs = []
        return Hits(parts[0], parts[1], parts[2], np.zeros(0, dtype=np.uint64))


@_jit
def _pair_up(
    matched: IntArray,
    start: int,
    found: Any,
    postings: U64Array,
    taken: IntArray,
    limit: int,
    members: IntArray,
    member_starts: IntArray,
    keys: IntArray,
    shift: int,
    used: int,
) -> tuple[int, int]:  # pragma: no cover
    """Insert ``drop_unit << 24 | unit`` for the matched postings from ``matched[start]`` into a hash set
    (``keys``, -1 where free; ``shift`` is ``64 - log2(size)``, ``used`` the entries held), taking at most
    ``limit`` postings of a code (``taken`` counts them). Returns where it stopped (the end, or the first
    posting that could fill the set past half: the caller grows it and goes on) and the entries held.
    """
    size = keys.size
    mask = size - 1
    unit_mask = np.uint64((1 << 24) - 1)
    for at in range(start, matched.size):
        j = matched[at]
        code = found[j]
        if taken[code] >= limit:
            continue
        first = member_starts[code]
        last = member_starts[code + 1]
        if 2 * (used + last - first) > size:
            return at, used
        taken[code] += 1
        unit = np.int64(postings[j] & unit_mask)
        for m in range(first, last):
            key = (members[m] << np.int64(24)) | unit
            slot = np.int64((np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(shift)) & mask
            while keys[slot] >= 0 and keys[slot] != key:
                slot = (slot + 1) & mask
            if keys[slot] < 0:
                keys[slot] = key
                used += 1
    return matched.size, used


def _grown(keys: IntArray) -> IntArray:
    """The hash set of :func:`_pair_up`, twice the size, with its entries."""
    bigger = np.full(2 * keys.size, -1, dtype=np.int64)
    _rehash(keys, bigger, 64 - (bigger.size.bit_length() - 1))
    return bigger


@_jit
def _rehash(keys: IntArray, into: IntArray, shift: int) -> None:  # pragma: no cover
    mask = into.size - 1
    for k in range(keys.size):
        key = keys[k]
        if key < 0:
            continue
        slot = np.int64((np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(shift)) & mask
        while into[slot] >= 0:
            slot = (slot + 1) & mask
        into[slot] = key


@_jit
def _merge(wanted: U64Array, starts: IntArray, postings: U64Array, units: int, found: Any) -> None:  # pragma: no cover
    """Mark in ``found`` the position in ``wanted`` of every posting whose key is wanted.

    Band by band (the drop's codes of band ``b`` are ``wanted[starts[b]:starts[b + 1]]``), both sides are
    sorted keys, so this is a merge: branch-free where the two are alike in size, galloping over the larger
    where they are not, so a small drop costs little more than reading the block.
    """
    mask = np.uint64(0xFFFFFFFFFF)
    shift = np.uint64(24)
    for band in range(starts.size - 1):
        i = starts[band]
        n = starts[band + 1]
        j = band * units
        m = j + units
        if 8 * (n - i) > m - j and 8 * (m - j) > n - i:
            while i < n and j < m:
                key = postings[j] >> shift
                want = wanted[i] & mask
                found[j] = i if want == key else found[j]
                i += want < key
                j += want >= key
            continue
        while i < n and j < m:
            key = postings[j] >> shift
            want = wanted[i] & mask
            if want == key:
                found[j] = i
                j += 1
            elif want < key:  # gallop the drop's side up to the first key >= this posting's
                step = 1
                while i + step < n and (wanted[i + step] & mask) < key:
                    step *= 2
                low = i + step // 2
                high = min(i + step, n)
                while low < high:
                    mid = (low + high) // 2
                    if (wanted[mid] & mask) < key:
                        low = mid + 1
                    else:
                        high = mid
                i = low
            else:  # gallop the postings up to the first one >= the wanted key
                step = 1
                while j + step < m and (postings[j + step] >> shift) < want:
                    step *= 2
                low = j + step // 2
                high = min(j + step, m)
                while low < high:
                    mid = (low + high) // 2
                    if (postings[mid] >> shift) < want:
                        low = mid + 1
                    else:
                        high = mid
                j = low


@_jit
def _well_formed(postings: U64Array, units: int, bands: int, unit_docs: U16Array) -> bool:  # pragma: no cover
    """Whether a stored block is one :meth:`Block.build` could have made: every band sorted, every posting
    naming a unit of the block, the units' documents ascending. One pass, no copies; the compiled merge
    indexes by these numbers unchecked, so a damaged block must be refused before it is merged."""
    unit_mask = np.uint64(MAX_BLOCK_UNITS - 1)
    for b in range(bands):
        previous = np.uint64(0)
        for k in range(b * units, (b + 1) * units):
            value = postings[k]
            if (k > b * units and value < previous) or (value & unit_mask) >= units:
                return False
            previous = value
    for k in range(1, units):  # noqa: SIM110 (numba compiles this loop, not a generator in all())
        if unit_docs[k] < unit_docs[k - 1]:
            return False
    return True
