"""Out of core: a sketched corpus too large for memory kept on disk, and its candidates found band by band.

A corpus's units cost about 18 KB of memory an article: their shingle sets (uint32, ~11 KB) and their LSH band
keys (uint64, one per band, ~7 KB). A million articles would hold 18 GB in those two arrays alone, before the
sorts of banding. Past a memory budget, sketching writes them to files instead (:class:`SpillFiles`): the
shingle sets back to back in one file, read back through a memory map so that verification and grouping touch
only the sets of colliding units and the page cache decides what stays; the band keys one file per band, so
that banding reads a few bands at a time (:func:`spilled_candidates`) rather than the whole key matrix.

The candidates are exactly :func:`~dedup.match.candidates.key_candidates`'s over all bands: its pairs are the
union, over bands, of the cross-document pairs of each ordinary bucket and the stars of each crowded one
(a pair is written by the first band that holds it in an ordinary bucket, and an earlier band holding it in an
ordinary bucket would have written it), so running it over groups of bands and merging the sorted, distinct
results gives the same pairs and the same crowded units.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from dedup.arrays import merge_distinct, union_sorted
from dedup.config import CandidateConfig
from dedup.match.candidates import Units, Verified, codes_of_pairs, key_codes, merge_verified, pairs_of_codes, verify

IntArray = npt.NDArray[np.int64]
U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]

MEMORY_SHARE = 3
"""The default memory limit is the machine's RAM over this: other programs, and the page cache that the
out-of-core path reads its files through, keep the rest."""

CORPUS_SHARE = 0.4
"""The share of the memory limit the corpus arrays (shingle sets and band keys) may take in memory: the
in-memory path's peak is about twice them (banding's sorts, the candidate pairs, the documents), so past this
share they go to disk."""

BANDING_SHARE = 0.05
"""The share of the memory limit one pass of out-of-core banding may take for its bands' keys, their sort
orders and crowded marks: at a million articles one band a pass. Fewer bands a pass cost only merges (a few
seconds each), while the pairs a pass assembles barely shrink with them (a copy's units share most bands): on
the million-article run, 8 bands a pass held 1.5 GB of keys on top of a 4 GB pair assembly, and the pass's peak
was the scan's (10.9 GB)."""

VERIFY_SLICE = 1 << 16
"""Candidate pairs verified at a time out of core. The pairs come in order of their first unit, so the second
units of a slice are spread over the whole sets' file: every page a slice reads stays mapped (and counts as
resident) until the slice is done. On the million-article run a slice of 4 M pairs mapped 8 GB of the 11 GB
file within 12 s; 64 K pairs map at most 128 K units' sets (well under 1 GB)."""


def default_memory_limit() -> int:
    """A share of the machine's RAM (:data:`MEMORY_SHARE`), in bytes; 4 GB where the system does not say."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        total = 12 * 1024**3
    return int(total // MEMORY_SHARE)


def corpus_budget(memory_limit: int) -> int:
    """Bytes of shingle sets and band keys a scan holds in memory before it spills them (:data:`CORPUS_SHARE`)."""
    return int(memory_limit * CORPUS_SHARE)


class SpilledSets:
    """Shingle sets in a file, mapped read-only into memory (``array`` reads like the in-memory array).

    Pages read stay mapped, and count in the process's resident memory, until :meth:`release` hands them
    back: they stay in the page cache, which the kernel frees first when memory runs short.
    """

    def __init__(self, path: Path) -> None:
        self._map: mmap.mmap | None = None
        if path.stat().st_size == 0:
            self.array: U32Array = np.zeros(0, dtype=np.uint32)
            return
        with path.open("rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self.array = np.frombuffer(self._map, dtype=np.uint32)

    def release(self) -> None:
        """Drop the pages read so far from the process (they are read again from the page cache if needed)."""
        release_mapped(self.array)


def _mapping(array: npt.NDArray[np.generic]) -> mmap.mmap | None:
    """The file mapping ``array`` reads (``np.frombuffer`` over an ``mmap``, as :class:`SpilledSets` makes
    it), or None for an array in memory."""
    base = array.base
    return base.obj if isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap) else None


def is_mapped(array: npt.NDArray[np.generic]) -> bool:
    """Whether ``array`` is read from a file mapping (a corpus gone out of core) rather than held in memory."""
    return _mapping(array) is not None


def release_mapped(array: npt.NDArray[np.generic]) -> None:
    """Hand back the pages of a file mapping read so far (:meth:`SpilledSets.release`), for any stage that
    reads the shingle sets: they count in the process's resident memory until then, and the sets of a
    million articles are 11 GB. Nothing for an array in memory."""
    mapping = _mapping(array)
    if mapping is not None and hasattr(mmap, "MADV_DONTNEED"):
        mapping.madvise(mmap.MADV_DONTNEED)


@dataclass(frozen=True, slots=True)
class BandKeyFiles:
    """The band keys of ``units`` units, one file of uint64 per band (column ``k`` of the key matrix)."""

    paths: tuple[Path, ...]
    units: int

    def read(self, first: int, last: int) -> U64Array:
        """Bands ``first`` to ``last - 1`` as a (units, bands) matrix."""
        out = np.empty((self.units, last - first), dtype=np.uint64)
        for column, path in enumerate(self.paths[first:last]):
            out[:, column] = np.fromfile(path, dtype=np.uint64)
        return out


@dataclass(frozen=True, slots=True)
class SpilledCorpus:
    """What a corpus gone out of core keeps on disk: its units' shingle sets and band keys, in a temporary
    folder that :meth:`remove` deletes (as does the interpreter at exit, should a run stop before)."""

    sets: SpilledSets
    keys: BandKeyFiles
    folder: tempfile.TemporaryDirectory[str]

    def remove(self) -> None:
        self.folder.cleanup()


class SpillFiles:
    """The files a spilled corpus is written to: ``sets.u32`` and ``band_<k>.u64`` in a temporary folder made
    in ``parent`` (by default the system's temporary folder, ``TMPDIR``)."""

    def __init__(self, parent: Path | None, bands: int) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="dedup-scan-", dir=parent, ignore_cleanup_errors=True)
        directory = Path(self.folder.name)
        self.sets_path = directory / "sets.u32"
        self.key_paths = tuple(directory / f"band_{k:03d}.u64" for k in range(bands))
        self._sets: BinaryIO = self.sets_path.open("wb")
        self._keys: list[BinaryIO] = [p.open("wb") for p in self.key_paths]
        self.units = 0

    def write(self, sets: U32Array, keys: U64Array) -> None:
        """Append units: their shingle sets (back to back) and their band keys (one row per unit)."""
        self._sets.write(np.ascontiguousarray(sets, dtype=np.uint32).data)  # a view: no copy of the sets
        for column, f in enumerate(self._keys):
            f.write(np.ascontiguousarray(keys[:, column], dtype=np.uint64).data)
        self.units += int(keys.shape[0])

    def finish(self) -> SpilledCorpus:
        for f in (self._sets, *self._keys):
            f.close()
        return SpilledCorpus(SpilledSets(self.sets_path), BandKeyFiles(self.key_paths, self.units), self.folder)


def bands_per_pass(units: int, bands: int, memory_limit: int) -> int:
    """How many bands one banding pass takes so that it stays within :data:`BANDING_SHARE` of the limit: per
    unit and band, its key (8 bytes) and crowded mark (1), and per unit two sort orders (8 bytes each)."""
    budget = memory_limit * BANDING_SHARE - units * 16
    return max(1, min(bands, int(budget // max(units * 9, 1))))


@dataclass(frozen=True, slots=True)
class CodedCandidates:
    """:class:`~dedup.match.candidates.Candidates` as out-of-core banding keeps them: each pair as one code
    ``a * n + b`` (sorted, distinct), half the memory of the pairs; at a million articles there are over a
    hundred million. Verification turns a slice at a time into pairs (:func:`verify_spilled`)."""

    codes: IntArray
    crowded: IntArray
    units: int

    @property
    def pairs(self) -> IntArray:
        """All the pairs at once (int64[n, 2]), as :class:`~dedup.match.candidates.Candidates` holds them."""
        return pairs_of_codes(self.codes, self.units)


def spilled_candidates(
    keys: BandKeyFiles,
    doc: IntArray,
    max_bucket: int | None,
    memory_limit: int,
    banded: Callable[[int], None] | None = None,
) -> tuple[CodedCandidates, int]:
    """:func:`~dedup.match.candidates.key_candidates` over band key files, a few bands a pass (see the module
    docstring for why the result is the same); also returns the bands per pass. ``banded(bands done)`` is
    called after each pass."""
    bands, n = len(keys.paths), keys.units
    step = bands_per_pass(n, bands, memory_limit)
    codes: IntArray = np.zeros(0, dtype=np.int64)
    crowded: IntArray = np.zeros(0, dtype=np.int64)
    for first in range(0, bands, step):
        found, crowded_here = key_codes(keys.read(first, min(first + step, bands)), doc, max_bucket)
        crowded = merge_distinct([crowded, crowded_here])
        codes = union_sorted(codes, found)  # both sorted and distinct: one merging pass
        del found
        if banded is not None:
            banded(min(first + step, bands))
    return CodedCandidates(codes, crowded, n), step


def verify_spilled(
    units: Units,
    candidates: CodedCandidates,
    config: CandidateConfig,
    sets: SpilledSets,
    keep_rejected: bool = False,
    verified_up_to: Callable[[int], None] | None = None,
    heads: Verified | None = None,
    folder: Path | None = None,
) -> Verified:
    """:func:`~dedup.match.candidates.verify` a slice of pairs at a time, handing the pages of the shingle
    sets read back after each (:meth:`SpilledSets.release`), so that resident memory holds the sets of one
    slice's units rather than of every colliding unit.

    Only the accepted pairs are kept unless ``keep_rejected`` (``--explain`` reports the rest): nothing after
    verification reads a rejected pair but ``--explain``, and the scores of every candidate were most of this
    stage's memory at a million articles. ``verified_up_to(pairs done)`` is called after each slice.

    ``heads``: the head candidates, verified already (:func:`~dedup.match.candidates.verify_heads`; sorted,
    none among ``candidates``), kept whatever their verdict and merged in pair order as
    :func:`~dedup.match.candidates.merge_verified` would, each into the slice whose codes it falls among.
    Merged once at the end, a million articles' verdicts were held twice over with an ``argsort`` and the
    concatenations it reorders: 3.7 GB for a few seconds, the scan's peak (a ``py-spy dump`` at the peak).

    ``folder``: where the verdicts are written as they are made (:class:`_SpooledColumns`; the scan's spill
    folder; the system's temporary folder if ``None``).
    """
    if candidates.codes.size == 0:  # no candidates: the heads alone, if any
        return heads if heads is not None else verify(units, np.zeros((0, 2), dtype=np.int64), config)
    heads_at = _slices_of_heads(candidates, heads)
    with _SpooledColumns(folder) as columns:
        for k, start in enumerate(range(0, candidates.codes.size, VERIFY_SLICE)):
            pairs = pairs_of_codes(candidates.codes[start : start + VERIFY_SLICE], candidates.units)
            verified = verify(units, pairs, config)
            sets.release()
            if not keep_rejected:
                verified = verified.rows(verified.accepted)
            if heads is not None and heads_at[k] < heads_at[k + 1]:
                verified = merge_verified(verified, heads.rows(slice(heads_at[k], heads_at[k + 1])), candidates.units)
            columns.append(verified)
            if verified_up_to is not None:
                verified_up_to(min(start + VERIFY_SLICE, candidates.codes.size))
        return columns.read()


class _SpooledColumns:
    """:func:`verify_spilled`'s verdicts, written to temporary files a slice at a time and read back whole.

    Kept in memory as each slice's part and joined at the end, a million articles' verdicts (2 GB) were held
    twice over while they were joined, the scan's peak; written out, they are held once, as the arrays read
    back (the written pages are the page cache's, which the kernel takes back first)."""

    def __init__(self, folder: Path | None) -> None:
        self._open = contextlib.ExitStack()  # closed (and the files deleted) by ``__exit__``
        spooled = (tempfile.TemporaryFile(dir=folder) for _ in range(4))  # noqa: SIM115 - the stack closes them
        self._files = [self._open.enter_context(f) for f in spooled]  # pairs, jaccard, containment, accepted

    def __enter__(self) -> _SpooledColumns:
        return self

    def __exit__(self, *_: object) -> None:
        self._open.close()

    def append(self, verified: Verified) -> None:
        for file, values in zip(
            self._files, (verified.pairs, verified.jaccard, verified.containment, verified.accepted), strict=True
        ):
            np.ascontiguousarray(values).tofile(file)

    def read(self) -> Verified:
        columns: list[Any] = []
        for file, dtype in zip(self._files, (np.int64, np.float64, np.float64, np.bool_), strict=True):
            file.seek(0)
            columns.append(np.fromfile(file, dtype=dtype))
        columns[0] = columns[0].reshape(-1, 2)
        return Verified(*columns)


def _slices_of_heads(candidates: CodedCandidates, heads: Verified | None) -> npt.NDArray[np.int64]:
    """Where each of :func:`verify_spilled`'s slices' head pairs begin in ``heads`` (one more entry than
    slices): slice ``k`` takes those coded below its successor's first candidate code, so that each slice's
    pairs and heads, merged, follow those of the slice before."""
    slices = -(-candidates.codes.size // VERIFY_SLICE)
    at = np.zeros(slices + 1, dtype=np.int64)
    if heads is None or slices == 0:
        return at
    codes = codes_of_pairs(heads.pairs, candidates.units)
    at[1:-1] = np.searchsorted(codes, candidates.codes[VERIFY_SLICE::VERIFY_SLICE])
    at[-1] = codes.size
    return at
