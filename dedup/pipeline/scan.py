"""Scan: the whole discovery pipeline, from paths to groups of copies.

``scan(paths, config)`` loads, normalizes and segments every input, sketches its paragraphs, finds and
verifies candidate pairs, and groups passages into stories. It keeps what later stages need: each document's
paragraphs (with their matching text), and every input accounted for as processed or skipped.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.config import CandidateConfig, Config
from dedup.group.grouping import Grouping, UnitMatches, group
from dedup.group.headings import heading_digests
from dedup.ingest.load import StdinInput, load
from dedup.ingest.pool import Ledger, Unread, stream
from dedup.match.candidates import (
    Candidates,
    Units,
    Verified,
    band_keys,
    banding,
    head_candidates,
    key_candidates,
    unproposed_heads,
    verify_heads,
    verify_with_heads,
)
from dedup.match.spill import (
    SpilledCorpus,
    SpillFiles,
    corpus_budget,
    default_memory_limit,
    spilled_candidates,
    verify_spilled,
)
from dedup.prepare import SketchedBatch, sketch
from dedup.records import Document, InputRecord, Skipped, SlimParagraphs
from dedup.results import Rejection, ScannedDocument, ScanResult

__all__ = ["ScanResult", "ScannedDocument", "Sketched", "find_matches", "group_matches", "match_and_group", "scan"]

Progress = Callable[[str, int, int | None], None]
U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class Sketched:
    """A corpus prepared and sketched (:func:`sketch_all`).

    Attributes:
        inputs: every input, processed or skipped, in input order.
        documents: the processed documents, in input order (what ``units.doc`` indexes).
        units: every unit of the corpus.
        sketches: the units' signatures, or their band keys (as asked of :func:`sketch_all`); empty when the
            corpus went out of core.
        spilled: the files of the shingle sets and band keys when the corpus went out of core (``spill_to``
            of :func:`sketch_all`; ``units.sets`` then reads the sets' file).
    """

    inputs: list[InputRecord]
    documents: list[ScannedDocument]
    units: Units
    sketches: U32Array | U64Array
    spilled: SpilledCorpus | None = None


def _scan_batch(
    batch: list[Document], config: Config, keep_text: bool = True, band_keys_only: bool = False, slim: bool = False
) -> SketchedBatch:
    """:func:`dedup.prepare.sketch`, trimmed in the worker to what a scan keeps, so that no more than that
    travels back.

    ``keep_text=False`` drops the raw text once sketched: a scan reports line spans only, and on a large
    corpus the raw text is a good part of the memory. ``slim=True`` also drops the paragraphs' matching
    text and sentences (their content lengths are kept, for grouping), and ``band_keys_only=True`` returns
    the LSH band keys instead of the signatures: what a scan of a large corpus needs and no more. The units'
    texts never travel back.
    """
    sketched = sketch(batch, config)
    outcomes = tuple(o if isinstance(o, Skipped) else _trimmed(o, keep_text, slim) for o in sketched.outcomes)
    sketches: U32Array | U64Array = sketched.sketches
    if band_keys_only:
        signatures = sketched.sketches.astype(np.uint32, copy=False)
        sketches = band_keys(signatures, *_banding(config.candidates, config.fingerprint.num_perm))
    return SketchedBatch(outcomes, sketched.units, (), sketches)


@lru_cache(maxsize=8)
def _banding(candidates: CandidateConfig, num_perm: int) -> tuple[int, int]:
    """:func:`~dedup.match.candidates.banding`, once per worker: datasketch finds the optimum by numeric
    integration, 0.05 s a call, which every batch of 256 documents paid (5% of sketching)."""
    return banding(candidates, num_perm)


def _trimmed(document: ScannedDocument, keep_text: bool, slim: bool) -> ScannedDocument:
    """A document without what the scan lets go of (see :func:`_scan_batch`), made in one ``replace`` (each
    reads every field of the document)."""
    changes: dict[str, Any] = {} if keep_text else {"raw": ""}
    if slim:
        changes.update(paragraphs=SlimParagraphs.of(document.paragraphs), slim=True)
    return replace(document, **changes) if changes else document


def sketch_all(
    items: Iterable[Document | Skipped],
    config: Config,
    workers: int,
    progress: Progress | None,
    keep_text: bool = True,
    *,
    band_keys_only: bool = False,
    slim: bool = False,
    spill_to: Spill | None = None,
) -> Sketched:
    """Prepare and sketch every document (:func:`dedup.prepare.sketch`), in worker processes when the corpus
    is large (:func:`dedup.ingest.pool.stream`): what ``scan``, ``report`` and ``check`` all start with.

    Inputs keep their order: a skipped input keeps its place among the documents. The inputs are read as
    the workers take them, with only a few batches in flight, so the raw corpus is never all in memory
    (progress reports no total until the last input is read), and each batch's results are appended to
    the corpus arrays as they come and then let go. ``keep_text``, ``band_keys_only`` and ``slim`` are
    :func:`_scan_batch`'s. With ``spill_to`` (band keys only), the shingle sets and band keys go to files
    once they outgrow its budget (:mod:`dedup.match.spill`).
    """
    work = partial(_scan_batch, keep_text=keep_text, band_keys_only=band_keys_only, slim=slim)
    width = (
        _banding(config.candidates, config.fingerprint.num_perm)[0] if band_keys_only else config.fingerprint.num_perm
    )
    if spill_to is not None and not band_keys_only:
        raise ValueError("only band keys go out of core")
    corpus = _Corpus(np.uint64 if band_keys_only else np.uint32, width, spill_to)
    ledger = Ledger()
    with settled_heap() as settle:
        for entry in stream(items, work, config, workers):
            if isinstance(entry, Unread):
                ledger.unread(entry)
                continue
            corpus.append(entry.places, entry.result, ledger)
            settle()  # the batch's documents are kept for good: out of the collector's sight
            if progress is not None:
                progress("sketching", len(corpus.documents), None)
    if progress is not None:
        progress("sketching", len(corpus.documents), len(corpus.documents))
    units, matrix, spilled = corpus.finish()
    release_memory()
    return Sketched(ledger.records(), corpus.documents, units, matrix, spilled)


class _Growing:
    """An append-only numpy array that grows in place: ``ndarray.resize`` reallocates, and the C library
    remaps a large block instead of copying it, so the corpus arrays are never held twice while they grow
    (as concatenating the batches at the end would).

    It grows by a sixteenth at a time, not by half: ``resize`` zero-fills the room it adds, so the room not
    yet used is resident memory, and at the end of sketching 100,000 articles half again of the shingle sets
    and band keys (1.8 GB) was most of what put the scan's peak there. Since a large block is remapped, not
    copied, growing more often costs no more (growing 1.1 GB of uint32 in batches: 4.1 s and a peak of
    1.14 GB resident by sixteenths, 5.9 s and 1.45 GB by halves)."""

    def __init__(self, dtype: type[np.generic], width: int | None = None) -> None:
        self._rest: tuple[int, ...] = () if width is None else (width,)
        self.array: npt.NDArray[Any] = np.empty((1024, *self._rest), dtype=dtype)
        self.size = 0

    def extend(self, values: npt.NDArray[Any]) -> None:
        need = self.size + len(values)
        if need > len(self.array):
            self.array.resize((max(need, len(self.array) * 17 // 16), *self._rest), refcheck=False)
        self.array[self.size : need] = values
        self.size = need

    def finish(self) -> npt.NDArray[Any]:
        self.array.resize((self.size, *self._rest), refcheck=False)
        return self.array


@dataclass(frozen=True, slots=True)
class Spill:
    """Past what size, and where, a scan's corpus goes out of core: its shingle sets and band keys are written
    to files once they would hold more than ``budget`` bytes in memory, in a temporary folder made in
    ``parent`` (by default the system's)."""

    budget: int
    parent: Path | None = None


class _Corpus:
    """The sketched corpus as it is collected: documents, and units and sketches as whole-corpus arrays, or,
    past ``spill``'s budget, the shingle sets and sketches in files (:class:`~dedup.match.spill.SpillFiles`)."""

    def __init__(self, sketch_dtype: type[np.generic], width: int, spill: Spill | None = None) -> None:
        self.documents: list[ScannedDocument] = []
        self.doc = _Growing(np.int64)
        self.paragraph = _Growing(np.int64)
        self.sets = _Growing(np.uint32)
        self.set_count = 0  # shingles so far, in memory or in the file
        self.offsets = _Growing(np.int64)
        self.offsets.extend(np.zeros(1, dtype=np.int64))
        self.heads: _Growing | None = _Growing(np.uint64)
        self.sketches = _Growing(sketch_dtype, width)
        self.width = width
        self.spill = spill
        self.files: SpillFiles | None = None

    def append(self, places: Sequence[int], result: SketchedBatch, ledger: Ledger) -> None:
        """Take in one batch: its documents (each input's record, with its place) and its units."""
        base = len(self.documents)
        self.documents.extend(ledger.account(places, result.outcomes))
        units = result.units
        self.doc.extend(units.doc + base)
        self.paragraph.extend(units.paragraph)
        self.offsets.extend(units.offsets[1:] + self.set_count)
        if self.heads is not None and units.heads is not None:
            self.heads.extend(units.heads)
        else:  # a batch without head keys (made without its texts): the corpus has none
            self.heads = None
        self.set_count += int(units.sets.size)
        if self.files is not None:
            self.files.write(units.sets, result.sketches.astype(np.uint64, copy=False))
            return
        self.sets.extend(units.sets)
        self.sketches.extend(result.sketches)
        if self.spill is not None and self._held() > self.spill.budget:
            self._go_out_of_core(self.spill.parent)

    def _held(self) -> int:
        """Bytes of shingle sets and sketches held in memory."""
        return self.sets.size * 4 + self.sketches.size * self.width * self.sketches.array.itemsize

    def _go_out_of_core(self, parent: Path | None) -> None:
        """Write what was collected to files, let go of it, and write every later batch there too."""
        self.files = SpillFiles(parent, self.width)
        self.files.write(self.sets.finish(), self.sketches.finish().astype(np.uint64, copy=False))
        self.sets = _Growing(np.uint32)
        self.sketches = _Growing(self.sketches.array.dtype.type, self.width)
        release_memory()

    def finish(self) -> tuple[Units, U32Array | U64Array, SpilledCorpus | None]:
        doc, paragraph, offsets = self.doc.finish(), self.paragraph.finish(), self.offsets.finish()
        heads = self.heads.finish() if self.heads is not None else None
        if self.files is None:
            return Units(doc, paragraph, self.sets.finish(), offsets, heads), self.sketches.finish(), None
        spilled = self.files.finish()
        return Units(doc, paragraph, spilled.sets.array, offsets, heads), self.sketches.finish(), spilled


@contextmanager
def settled_heap() -> Iterator[Callable[[], None]]:
    """A scope in which what the process holds for good can be moved out of the cycle collector's sight: the
    callable it gives freezes (:func:`gc.freeze`) every object alive at that moment; leaving the scope
    unfreezes them all.

    A scan keeps every document it sketched (a dozen paragraphs each, every one a handful of objects) and then
    makes and drops millions of small objects while grouping. Every collection of the oldest generation walked
    all of the kept objects again, and with the corpus growing by a batch at a time there was one such
    collection every few thousand documents, each longer than the last: 0.85 s of the parent's CPU at 20,000
    articles, growing with the square of the corpus. Frozen objects are still freed when nothing refers to
    them; only a cycle among them waits for the scope's end to be collected. Freezing is a constant-time
    splice of the collector's lists, so it is done after every batch.
    """
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def release_memory() -> None:
    """Hand memory freed by Python back to the operating system, where the C library allows it (glibc).

    Sketching unpickles thousands of batch results and lets them go; glibc keeps the freed pages for reuse,
    which on a large corpus is a third of the process's resident memory that nothing will reuse.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def scan(
    paths: Iterable[str],
    config: Config | None = None,
    *,
    stdin: StdinInput | None = None,
    explain: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
    keep_text: bool = False,
    slim: bool | None = None,
    memory_limit: int | None = None,
) -> ScanResult:
    """Find the passages that are copies of the same story across the inputs.

    Args:
        paths: files, directories (walked recursively) or ``-`` for stdin.
        config: settings; ``Config()`` suits Chinese news as it comes.
        stdin: standard input read once (:func:`~dedup.ingest.load.stdin_for`); by default ``-`` reads the
            process's.
        explain: keep every rejected candidate with its reason (``dedup scan --explain``).
        progress: called as ``progress(stage, done, total)`` while working, e.g. to draw a progress bar.
        workers: processes for the per-document work; all cores by default, used from 2,000 documents on.
        keep_text: keep each document's raw text (``ScannedDocument.raw``), as collation needs for quoting.
        slim: let go of the paragraphs' matching text and sentences once sketched (grouping needs only their
            lengths and spans); by default when the raw text is not kept. ``dedup report`` keeps the raw
            text but not those, and prepares each group's documents again from it where the group is
            collated (:func:`dedup.pipeline.report.whole`): on a large corpus they are over a quarter of the peak
            memory.
        memory_limit: bytes the scan aims to stay within (default: a third of the machine's RAM). A corpus
            whose shingle sets and band keys would take more than 40% of it goes out of core: they are
            written to temporary files and banded a few bands at a time (:mod:`dedup.match.spill`), with
            the same groups. The stats then hold ``out_of_core`` (1) and ``bands_per_pass``.
    """
    config = config or Config()
    stats: dict[str, float] = {}
    limit = memory_limit if memory_limit is not None else default_memory_limit()
    tick = time.perf_counter()
    sketched = sketch_all(
        load(paths, stdin=stdin),
        config,
        workers or os.cpu_count() or 1,
        progress,
        keep_text,
        band_keys_only=True,
        slim=not keep_text if slim is None else slim,
        spill_to=Spill(corpus_budget(limit)),
    )
    stats["sketch_s"] = time.perf_counter() - tick
    inputs, documents, units, keys = sketched.inputs, sketched.documents, sketched.units, sketched.sketches
    spilled = sketched.spilled
    del sketched
    with settled_heap() as settle:
        settle()  # the corpus, kept to the end: see :func:`settled_heap`
        try:
            if spilled is not None:
                del keys
                verified = _find_matches_out_of_core(units, spilled, config, stats, limit, progress, explain)
            else:
                tick = time.perf_counter()
                candidates = _lsh_candidates(units, keys, config)
                del keys  # the largest array but one: let go before verification, where the scan's peak was
                verified = _verified(units, candidates, config, stats, tick)
                del candidates
            rejected = verified.rejections(config.candidates) if explain else []
            matches = _handed(verified, config)
            del verified
            grouping = group_matches(documents, units, matches, config, stats, progress)
            rejections = _explain(units, documents, rejected, grouping) if explain else ()
        finally:
            if spilled is not None:
                spilled.remove()
    del units
    release_memory()
    stats.update(skipped=sum(1 for r in inputs if r.status == "skipped"))
    return ScanResult(tuple(inputs), tuple(documents), grouping.groups, config, stats, rejections)


def match_and_group(
    documents: Sequence[ScannedDocument],
    units: Units,
    sketches: U32Array | U64Array,
    config: Config,
    stats: dict[str, float],
    progress: Progress | None = None,
) -> Grouping:
    """Candidates, verification and grouping over sketched documents (shared by ``scan`` and ``check``).

    ``sketches`` holds the units' MinHash signatures (uint32, ``num_perm`` columns) or their LSH band keys
    (uint64, one column per band, as :func:`dedup.match.candidates.band_keys` makes them).
    """
    verified = find_matches(units, sketches, config, stats)
    matches = _handed(verified, config)
    del verified
    return group_matches(documents, units, matches, config, stats, progress)


def _handed(verified: Verified, config: Config) -> UnitMatches:
    """The accepted pairs of ``verified``, to hand over to grouping (which lets go of them once read).

    Consumes ``verified``, which its caller lets go of: the accepted pairs are moved to the front of its own
    pairs array, a slice at a time, and handed over as a view of it. At a million articles a copy of them
    (1 GB) beside the verdicts it was made from was the scan's peak. The near flags (a byte a match) are
    made first, from the verdicts as they were."""
    near = verified.near(config.candidates)
    pairs, accepted = verified.pairs, verified.accepted
    kept = 0
    for start in range(0, accepted.size, HAND_OVER_SLICE):
        chosen = pairs[start : start + HAND_OVER_SLICE][accepted[start : start + HAND_OVER_SLICE]]
        pairs[kept : kept + chosen.shape[0]] = chosen  # never past ``start + HAND_OVER_SLICE``: read already
        kept += chosen.shape[0]
    return UnitMatches(pairs[:kept], near)


HAND_OVER_SLICE = 1 << 20
"""Pairs :func:`_handed` moves at a time (a copy of one slice at a time, 16 MB)."""


def find_matches(units: Units, sketches: U32Array | U64Array, config: Config, stats: dict[str, float]) -> Verified:
    """LSH candidates of the units and their exact verification (``sketches`` as in :func:`match_and_group`)."""
    tick = time.perf_counter()
    return _verified(units, _lsh_candidates(units, sketches, config), config, stats, tick)


def _lsh_candidates(units: Units, sketches: U32Array | U64Array, config: Config) -> Candidates:
    """The units' LSH candidates (``sketches`` as in :func:`match_and_group`): the one step that reads the
    sketches, so that ``scan`` can let go of them before verifying."""
    if sketches.dtype == np.uint64:
        keys = sketches.astype(np.uint64, copy=False)
    else:
        bands, rows = _banding(config.candidates, config.fingerprint.num_perm)
        keys = band_keys(sketches.astype(np.uint32, copy=False), bands, rows)
    return key_candidates(keys, units.doc, config.candidates.max_bucket)


def _verified(units: Units, candidates: Candidates, config: Config, stats: dict[str, float], tick: float) -> Verified:
    """LSH's candidates and the head candidates LSH did not propose (:mod:`dedup.match.heads`: a preview's cut
    paragraphs and the paragraphs they start like), verified together, each by its own rule; the candidates
    stage's stats, timed from ``tick``."""
    heads = head_candidates(candidates, units, config.candidates.max_bucket)
    stats["head_candidates"] = int(heads.shape[0])
    verified = verify_with_heads(units, candidates.pairs, heads, config.candidates, config.fingerprint.ngram)
    _match_stats(
        stats,
        tick,
        units,
        int(candidates.pairs.shape[0]),
        int(candidates.crowded.size),
        verified,
        *_banding(config.candidates, config.fingerprint.num_perm),
    )
    return verified


def _find_matches_out_of_core(
    units: Units,
    spilled: SpilledCorpus,
    config: Config,
    stats: dict[str, float],
    memory_limit: int,
    progress: Progress | None,
    explain: bool = False,
) -> Verified:
    """:func:`find_matches` for a corpus gone out of core: the same candidates and verdicts, banded from the
    key files a few bands a pass and verified a slice at a time (:mod:`dedup.match.spill`). Of LSH's pairs only
    the accepted ones are kept, and the rejected ones too with ``explain``; the head candidates (a few percent
    of them) are kept whatever their verdict, as in memory."""
    tick = time.perf_counter()
    bands, rows = banding(config.candidates, config.fingerprint.num_perm)

    def banded(done: int) -> None:
        if progress is not None:
            progress("banding out of core", done, bands)

    banded(0)
    candidates, step = spilled_candidates(spilled.keys, units.doc, config.candidates.max_bucket, memory_limit, banded)
    if candidates.units != len(units):  # the codes are a * n + b with n the units: heads are coded the same
        raise RuntimeError(f"{candidates.units} units banded out of core, {len(units)} sketched")

    def verifying(done: int) -> None:
        if progress is not None:
            progress("verifying out of core", done, candidates.codes.size)

    heads = unproposed_heads(candidates.codes, units, config.candidates.max_bucket)
    stats["head_candidates"] = int(heads.shape[0])
    judged = verify_heads(units, heads, config.candidates, config.fingerprint.ngram)
    del heads
    spilled.sets.release()
    verifying(0)
    verified = verify_spilled(
        units, candidates, config.candidates, spilled.sets, explain, verifying, judged, Path(spilled.folder.name)
    )
    _match_stats(stats, tick, units, candidates.codes.size, candidates.crowded.size, verified, bands, rows)
    stats.update(out_of_core=1, bands_per_pass=step)
    return verified


def _match_stats(
    stats: dict[str, float],
    tick: float,
    units: Units,
    candidates: int,
    crowded: int,
    verified: Verified,
    bands: int,
    rows: int,
) -> None:
    """The candidates stage's figures, as every path reports them."""
    stats["candidates_s"] = time.perf_counter() - tick
    stats.update(
        units=len(units),
        candidates=candidates,
        matches=int(verified.accepted.sum()),
        crowded_units=crowded,
        bands=bands,
        rows=rows,
    )


def group_matches(
    documents: Sequence[ScannedDocument],
    units: Units,
    matches: UnitMatches,
    config: Config,
    stats: dict[str, float],
    progress: Progress | None = None,
) -> Grouping:
    """Passages and groups from verified unit matches, which grouping lets go of once read (see
    :func:`dedup.group.grouping.group`)."""
    if progress is not None:
        progress("grouping", len(documents), len(documents))
    tick = time.perf_counter()
    grouping = group([_weighed(d, config) for d in documents], units, matches, config.group)
    stats["group_s"] = time.perf_counter() - tick
    stats.update(documents=len(documents), boilerplate_paragraphs=len(grouping.boilerplate))
    return grouping


def _weighed(document: ScannedDocument, config: Config) -> ScannedDocument:
    """The document with the content lengths and heading digests grouping reads: :func:`dedup.prepare.sketch`
    gives every document them; a document made otherwise (through the Python API) gets them here."""
    if document.digests or not document.paragraphs:
        return document
    lengths = document.content_lengths()
    return replace(document, lengths=lengths, digests=heading_digests(document.paragraphs, lengths, config.group))


def _explain(
    units: Units,
    documents: list[ScannedDocument],
    rejected: list[tuple[int, int, str]],
    grouping: Grouping,
) -> tuple[Rejection, ...]:
    """Why each rejected candidate and each boilerplate paragraph is no evidence (``--explain``)."""

    def where(unit: int) -> str:
        doc = documents[int(units.doc[unit])]
        paragraph = doc.paragraphs[int(units.paragraph[unit])]
        return f"{doc.path}:{paragraph.start_line}-{paragraph.end_line}"

    out = [Rejection(where(a), where(b), reason) for a, b, reason in rejected]
    for d, p in sorted(grouping.boilerplate):
        doc = documents[d]
        paragraph = doc.paragraphs[p]
        out.append(
            Rejection(f"{doc.path}:{paragraph.start_line}-{paragraph.end_line}", "*", "boilerplate: not evidence")
        )
    return tuple(out)
