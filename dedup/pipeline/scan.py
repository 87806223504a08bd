"""Scan: the whole discovery pipeline, from paths to groups of copies.

``scan(paths, config)`` loads, normalizes and segments every input, sketches its paragraphs, finds and
verifies candidate pairs, and groups passages into stories. It keeps what later stages need: each document's
paragraphs (with their matching text), and every input accounted for as processed or skipped.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

from dedup.config import Config, GroupConfig
from dedup.group.grouping import Group, Grouping, SketchedDocument, group, is_heading_like
from dedup.ingest.load import StdinInput, input_record, load
from dedup.ingest.pool import Unread, account, stream
from dedup.match.candidates import (
    Units,
    Verified,
    band_keys,
    banding,
    build_units_and_lengths,
    key_candidates,
    verify,
)
from dedup.match.fingerprint import Signer, content_codepoints, content_digest
from dedup.prepare import prepare_document
from dedup.records import Document, InputRecord, Paragraph, Skipped

Progress = Callable[[str, int, int | None], None]
U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]
_Sketch = tuple[list[InputRecord], list["ScannedDocument"], Units, U32Array | U64Array]


@dataclass(frozen=True, slots=True)
class ScannedDocument:
    """What a scan keeps of a document: its path, encoding, notes, paragraphs and raw text (for quoting).

    A *slim* document's paragraphs keep their spans, hints and lengths but not their matching text and
    sentences (what grouping needs and no more); :func:`dedup.pipeline.report.whole` prepares them again from
    the raw text. ``format`` is the input's (a document read back from an index, never slim, says "text").
    """

    path: str
    encoding: str
    paragraphs: tuple[Paragraph, ...]
    notes: tuple[str, ...] = ()
    raw: str = ""
    lengths: tuple[int, ...] = ()
    digests: tuple[int, ...] = ()
    layout: str = ""
    format: Literal["text", "markdown", "html", "jsonl"] = "text"
    slim: bool = False

    def content_lengths(self) -> tuple[int, ...]:
        """Letters and digits in each paragraph (what grouping weighs paragraphs by); kept by the scan even
        when it let go of the paragraphs' text."""
        return self.lengths or tuple(int(content_codepoints(p.text).size) for p in self.paragraphs)

    def heading_digests(self, config: GroupConfig) -> tuple[int, ...]:
        """:func:`~dedup.match.fingerprint.content_digest` of each heading-like paragraph, 0 for the others:
        grouping tells a headline from a line that every page repeats (a breadcrumb, a masthead) by them."""
        if self.digests:
            return self.digests
        return _heading_digests(self.paragraphs, self.content_lengths(), config)

    def quote(self, paragraph: Paragraph) -> str:
        """The copy's own text of a paragraph, as printed (line breaks of a wrapped page removed)."""
        text = self.raw[paragraph.raw_start : paragraph.raw_end]
        return "".join(line.strip() for line in text.splitlines())


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The outcome of :func:`scan`.

    Attributes:
        inputs: every input path (or JSONL line), processed or skipped, in input order.
        documents: the processed documents; ``Passage.doc`` indexes this tuple.
        groups: the groups of copies found.
        config: the configuration used, for the report header and for reproduction.
        stats: counts and timings of the stages.
        rejections: rejected candidate pairs with their reasons (only with ``explain=True``).
    """

    inputs: tuple[InputRecord, ...]
    documents: tuple[ScannedDocument, ...]
    groups: tuple[Group, ...]
    config: Config
    stats: dict[str, float] = field(default_factory=dict)
    rejections: tuple[tuple[str, str, str], ...] = ()

    def document(self, path: str) -> ScannedDocument:
        return next(d for d in self.documents if d.path == path)


@dataclass(frozen=True, slots=True)
class _Sketched:
    """One batch of documents prepared and sketched (in a worker process for large corpora)."""

    documents: tuple[ScannedDocument | Skipped, ...]
    unit_doc: npt.NDArray[np.int64]  # index into this batch's documents
    unit_paragraph: npt.NDArray[np.int64]
    sets: npt.NDArray[np.uint32]
    offsets: npt.NDArray[np.int64]
    signatures: U32Array | U64Array  # or band keys, with ``band_keys_only=True``


def _sketch_batch(
    batch: list[Document], config: Config, keep_text: bool = True, band_keys_only: bool = False, slim: bool = False
) -> _Sketched:
    """Normalize, segment, shingle and sign a batch of documents: all the per-document work.

    ``keep_text=False`` drops the raw text once sketched: a scan reports line spans only, and on a large
    corpus the raw text is a good part of the memory. ``slim=True`` also drops the paragraphs' matching
    text and sentences (their content lengths are kept, for grouping), and ``band_keys_only=True`` returns
    the LSH band keys instead of the signatures: what a scan of a large corpus needs and no more.
    """
    documents: list[ScannedDocument | Skipped] = []
    kept: list[tuple[Paragraph, ...]] = []
    positions: list[int] = []
    for document in batch:
        prepared = prepare_document(document, config.normalize)
        if not prepared.paragraphs:
            documents.append(Skipped(document.path, "no text left after normalization (markup only?)"))
            continue
        notes = tuple(n.message for n in prepared.norm.notes)
        undone = sorted({n.step for n in prepared.norm.notes} & {"markup", "pinyin", "t2s", "unwrap"})
        layout = "|".join([os.path.splitext(document.path.partition("#")[0])[1], document.encoding, *undone])
        positions.append(len(documents))
        raw = document.text if keep_text else ""
        paragraphs = tuple(replace(p, text="", sentences=()) for p in prepared.paragraphs) if slim else None
        documents.append(
            ScannedDocument(
                document.path,
                document.encoding,
                paragraphs or prepared.paragraphs,
                notes,
                raw,
                layout=layout,
                format=document.format,
                slim=slim,
            )
        )
        kept.append(prepared.paragraphs)
    units, texts, lengths = build_units_and_lengths(kept, config.fingerprint)
    at = 0
    for k, paragraphs in zip(positions, kept, strict=True):
        done = documents[k]
        assert isinstance(done, ScannedDocument)
        own = tuple(lengths[at : at + len(paragraphs)].tolist())
        digests = _heading_digests(paragraphs, own, config.group)
        documents[k] = replace(done, lengths=own, digests=digests)
        at += len(paragraphs)
    signatures = Signer(config.fingerprint).sign_texts(texts)
    sketches: U32Array | U64Array = signatures
    if band_keys_only:
        sketches = band_keys(signatures, *banding(config.candidates, config.fingerprint.num_perm))
    unit_doc = np.asarray(positions, dtype=np.int64)[units.doc] if len(units) else units.doc
    return _Sketched(tuple(documents), unit_doc, units.paragraph, units.sets, units.offsets, sketches)


def _heading_digests(paragraphs: Sequence[Paragraph], lengths: Sequence[int], config: GroupConfig) -> tuple[int, ...]:
    return tuple(
        content_digest(p.text) if is_heading_like(p, n, config) else 0 for p, n in zip(paragraphs, lengths, strict=True)
    )


@overload
def _sketch_all(
    items: Iterable[Document | Skipped],
    config: Config,
    workers: int,
    progress: Progress | None,
    keep_text: bool = True,
    *,
    band_keys_only: Literal[False] = False,
    slim: bool = False,
) -> tuple[list[InputRecord], list[ScannedDocument], Units, U32Array]: ...


@overload
def _sketch_all(
    items: Iterable[Document | Skipped],
    config: Config,
    workers: int,
    progress: Progress | None,
    keep_text: bool = True,
    *,
    band_keys_only: Literal[True],
    slim: bool = False,
) -> tuple[list[InputRecord], list[ScannedDocument], Units, U64Array]: ...


def _sketch_all(
    items: Iterable[Document | Skipped],
    config: Config,
    workers: int,
    progress: Progress | None,
    keep_text: bool = True,
    *,
    band_keys_only: bool = False,
    slim: bool = False,
) -> _Sketch:
    """Prepare and sketch every document, in worker processes when the corpus is large.

    Workers come from :func:`dedup.ingest.pool.stream`.

    Inputs keep their order: a skipped input keeps its place among the documents. The inputs are read as
    the workers take them, with only a few batches in flight, so the raw corpus is never all in memory
    (progress reports no total until the last input is read), and each batch's results are appended to
    the corpus arrays as they come and then let go. ``keep_text``, ``band_keys_only`` and ``slim`` are
    :func:`_sketch_batch`'s; the last value returned is the signatures or the band keys.
    """
    work = partial(_sketch_batch, keep_text=keep_text, band_keys_only=band_keys_only, slim=slim)
    width = (
        banding(config.candidates, config.fingerprint.num_perm)[0] if band_keys_only else config.fingerprint.num_perm
    )
    corpus = _Corpus(np.uint64 if band_keys_only else np.uint32, width)
    records: list[tuple[int, InputRecord]] = []
    for entry in stream(items, work, config, workers):
        if isinstance(entry, Unread):
            records.append((entry.place, input_record(entry.skipped)))
            continue
        corpus.append(entry.places, entry.result, records)
        if progress is not None:
            progress("sketching", len(corpus.documents), None)
    if progress is not None:
        progress("sketching", len(corpus.documents), len(corpus.documents))
    records.sort(key=lambda record: record[0])
    units, matrix = corpus.finish()
    release_memory()
    return [r for _, r in records], corpus.documents, units, matrix


class _Growing:
    """An append-only numpy array that grows in place: ``ndarray.resize`` reallocates, and the C library
    remaps a large block instead of copying it, so the corpus arrays are never held twice while they grow
    (as concatenating the batches at the end would)."""

    def __init__(self, dtype: type[np.generic], width: int | None = None) -> None:
        self._rest: tuple[int, ...] = () if width is None else (width,)
        self.array: npt.NDArray[Any] = np.empty((1024, *self._rest), dtype=dtype)
        self.size = 0

    def extend(self, values: npt.NDArray[Any]) -> None:
        need = self.size + len(values)
        if need > len(self.array):
            self.array.resize((max(need, len(self.array) * 3 // 2), *self._rest), refcheck=False)
        self.array[self.size : need] = values
        self.size = need

    def finish(self) -> npt.NDArray[Any]:
        self.array.resize((self.size, *self._rest), refcheck=False)
        return self.array


class _Corpus:
    """The sketched corpus as it is collected: documents, and units and sketches as whole-corpus arrays."""

    def __init__(self, sketch_dtype: type[np.generic], width: int) -> None:
        self.documents: list[ScannedDocument] = []
        self.doc = _Growing(np.int64)
        self.paragraph = _Growing(np.int64)
        self.sets = _Growing(np.uint32)
        self.offsets = _Growing(np.int64)
        self.offsets.extend(np.zeros(1, dtype=np.int64))
        self.sketches = _Growing(sketch_dtype, width)

    def append(self, places: Sequence[int], result: _Sketched, records: list[tuple[int, InputRecord]]) -> None:
        """Take in one batch: its documents (each input's record, with its place) and its units."""
        processed = [not isinstance(outcome, Skipped) for outcome in result.documents]
        local_to_global = np.full(len(result.documents), -1, dtype=np.int64)
        local_to_global[np.flatnonzero(processed)] = np.arange(
            len(self.documents), len(self.documents) + sum(processed)
        )
        self.documents.extend(account(places, result.documents, records))
        self.doc.extend(local_to_global[result.unit_doc])
        self.paragraph.extend(result.unit_paragraph)
        self.offsets.extend(result.offsets[1:] + self.sets.size)
        self.sets.extend(result.sets)
        self.sketches.extend(result.signatures)

    def finish(self) -> tuple[Units, U32Array | U64Array]:
        units = Units(self.doc.finish(), self.paragraph.finish(), self.sets.finish(), self.offsets.finish())
        return units, self.sketches.finish()


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
    """
    config = config or Config()
    stats: dict[str, float] = {}
    tick = time.perf_counter()
    inputs, documents, units, keys = _sketch_all(
        load(paths, stdin=stdin),
        config,
        workers or os.cpu_count() or 1,
        progress,
        keep_text,
        band_keys_only=True,
        slim=not keep_text if slim is None else slim,
    )
    stats["sketch_s"] = time.perf_counter() - tick

    verified = find_matches(units, keys, config, stats)
    del keys  # the largest array but one, and grouping does not need it
    rejected = verified.rejections(config.candidates) if explain else []
    matches, near = verified.matches(), verified.near(config.candidates)
    del verified
    grouping = group_matches(documents, units, matches, config, stats, progress, near)
    release_memory()
    stats.update(skipped=sum(1 for r in inputs if r.status == "skipped"))
    rejections = _explain(units, documents, rejected, grouping) if explain else ()
    return ScanResult(tuple(inputs), tuple(documents), grouping.groups, config, stats, rejections)


def match_and_group(
    documents: Sequence[ScannedDocument],
    units: Units,
    sketches: U32Array | U64Array,
    config: Config,
    stats: dict[str, float],
    progress: Progress | None = None,
) -> tuple[tuple[Group, ...], Verified, Grouping]:
    """Candidates, verification and grouping over sketched documents (shared by ``scan`` and ``check``).

    ``sketches`` holds the units' MinHash signatures (uint32, ``num_perm`` columns) or their LSH band keys
    (uint64, one column per band, as :func:`dedup.match.candidates.band_keys` makes them).
    """
    verified = find_matches(units, sketches, config, stats)
    matches, near = verified.matches(), verified.near(config.candidates)
    grouping = group_matches(documents, units, matches, config, stats, progress, near)
    return grouping.groups, verified, grouping


def find_matches(units: Units, sketches: U32Array | U64Array, config: Config, stats: dict[str, float]) -> Verified:
    """LSH candidates of the units and their exact verification (``sketches`` as in :func:`match_and_group`)."""
    tick = time.perf_counter()
    bands, rows = banding(config.candidates, config.fingerprint.num_perm)
    if sketches.dtype == np.uint64:
        keys = sketches.astype(np.uint64, copy=False)
    else:
        keys = band_keys(sketches.astype(np.uint32, copy=False), bands, rows)
    candidates = key_candidates(keys, units.doc, config.candidates.max_bucket)
    verified = verify(units, candidates.pairs, config.candidates)
    stats["candidates_s"] = time.perf_counter() - tick
    stats.update(
        units=len(units),
        candidates=int(candidates.pairs.shape[0]),
        matches=int(verified.accepted.sum()),
        crowded_units=int(candidates.crowded.size),
        bands=bands,
        rows=rows,
    )
    return verified


def group_matches(
    documents: Sequence[ScannedDocument],
    units: Units,
    matches: npt.NDArray[np.int64],
    config: Config,
    stats: dict[str, float],
    progress: Progress | None = None,
    near: npt.NDArray[np.bool_] | None = None,
) -> Grouping:
    """Passages and groups from verified unit matches (see :func:`dedup.group.grouping.group`)."""
    if progress is not None:
        progress("grouping", len(documents), len(documents))
    tick = time.perf_counter()
    grouping = group(
        [
            SketchedDocument(d.path, d.paragraphs, d.content_lengths(), d.heading_digests(config.group), d.layout)
            for d in documents
        ],
        units,
        matches,
        config.group,
        near,
    )
    stats["group_s"] = time.perf_counter() - tick
    stats.update(documents=len(documents), boilerplate_paragraphs=len(grouping.boilerplate))
    return grouping


def _explain(
    units: Units,
    documents: list[ScannedDocument],
    rejected: list[tuple[int, int, str]],
    grouping: Grouping,
) -> tuple[tuple[str, str, str], ...]:
    def where(unit: int) -> str:
        doc = documents[int(units.doc[unit])]
        paragraph = doc.paragraphs[int(units.paragraph[unit])]
        return f"{doc.path}:{paragraph.start_line}-{paragraph.end_line}"

    out = [(where(a), where(b), reason) for a, b, reason in rejected]
    for d, p in sorted(grouping.boilerplate):
        doc = documents[d]
        paragraph = doc.paragraphs[p]
        out.append((f"{doc.path}:{paragraph.start_line}-{paragraph.end_line}", "*", "boilerplate: not evidence"))
    return tuple(out)
