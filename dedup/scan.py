"""Scan: the whole discovery pipeline, from paths to groups of copies.

``scan(paths, config)`` loads, normalizes and segments every input, sketches its paragraphs, finds and
verifies candidate pairs, and groups passages into stories. It keeps what later stages need: each document's
paragraphs (with their matching text), and every input accounted for as processed or skipped.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from dedup.candidates import Units, Verified, band_candidates, banding, build_units, verify
from dedup.config import Config
from dedup.fingerprint import Signer
from dedup.group import Group, Grouping, group
from dedup.io import input_record, load
from dedup.prepare import prepare_document
from dedup.records import Document, InputRecord, Paragraph, Skipped

Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class ScannedDocument:
    """What a scan keeps of a document: its path, encoding, notes, paragraphs and raw text (for quoting)."""

    path: str
    encoding: str
    paragraphs: tuple[Paragraph, ...]
    notes: tuple[str, ...] = ()
    raw: str = ""

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
    signatures: npt.NDArray[np.uint32]


def _sketch_batch(batch: list[Document], config: Config, keep_text: bool = True) -> _Sketched:
    """Normalize, segment, shingle and sign a batch of documents: all the per-document work.

    ``keep_text=False`` drops the raw text once sketched: a scan reports line spans only, and on a large
    corpus the raw text is a good part of the memory.
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
        positions.append(len(documents))
        raw = document.text if keep_text else ""
        documents.append(ScannedDocument(document.path, document.encoding, prepared.paragraphs, notes, raw))
        kept.append(prepared.paragraphs)
    units, texts = build_units(kept, config.fingerprint)
    signatures = Signer(config.fingerprint).sign_texts(texts)
    unit_doc = np.asarray(positions, dtype=np.int64)[units.doc] if len(units) else units.doc
    return _Sketched(tuple(documents), unit_doc, units.paragraph, units.sets, units.offsets, signatures)


def _init_worker() -> None:
    """Each worker process signs on one thread: the pool already uses every core."""
    import numba

    numba.set_num_threads(1)


BATCH = 256
PARALLEL_FROM = 2000  # documents; below this, starting worker processes costs more than it saves


def _sketch_all(
    items: Iterable[Document | Skipped],
    config: Config,
    workers: int,
    progress: Progress | None,
    keep_text: bool = True,
) -> tuple[list[InputRecord], list[ScannedDocument], Units, npt.NDArray[np.uint32]]:
    """Prepare and sketch every document, in worker processes when the corpus is large.

    Inputs keep their order: a skipped input keeps its place among the documents. Only a few batches are in
    flight at a time, and a batch's documents are let go once submitted, so the raw corpus is never held
    twice (once here, once pickled in the pool's queue).
    """
    slots: list[InputRecord | None] = []
    batches: list[tuple[list[int], list[Document]]] = []
    current: tuple[list[int], list[Document]] = ([], [])
    for item in items:
        if isinstance(item, Skipped):
            slots.append(input_record(item))
            continue
        current[0].append(len(slots))
        current[1].append(item)
        slots.append(None)
        if len(current[1]) >= BATCH:
            batches.append(current)
            current = ([], [])
    if current[1]:
        batches.append(current)

    total = sum(len(b[1]) for b in batches)
    results: list[_Sketched]
    if workers > 1 and total >= PARALLEL_FROM:
        import multiprocessing
        from collections import deque
        from concurrent.futures import Future, ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")  # numba's thread pool does not survive fork
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker) as pool:
            results = []
            in_flight: deque[Future[_Sketched]] = deque()
            done = 0
            for k, (where, batch) in enumerate(batches):
                in_flight.append(pool.submit(_sketch_batch, batch, config, keep_text))
                batches[k] = (where, [])
                while len(in_flight) > 2 * workers or (k == len(batches) - 1 and in_flight):
                    results.append(in_flight.popleft().result())
                    done += len(results[-1].documents)
                    if progress is not None:
                        progress("sketching", done, total)
    else:
        results = []
        done = 0
        for k, (where, batch) in enumerate(batches):
            results.append(_sketch_batch(batch, config, keep_text))
            batches[k] = (where, [])
            done += len(results[-1].documents)
            if progress is not None:
                progress("sketching", done, total)

    documents: list[ScannedDocument] = []
    docs: list[npt.NDArray[np.int64]] = []
    paragraphs: list[npt.NDArray[np.int64]] = []
    sets: list[npt.NDArray[np.uint32]] = []
    offsets: list[npt.NDArray[np.int64]] = [np.zeros(1, dtype=np.int64)]
    signatures: list[npt.NDArray[np.uint32]] = []
    base = 0
    for (where, _), result in zip(batches, results, strict=True):
        local_to_global = np.full(len(result.documents), -1, dtype=np.int64)
        for k, (slot, outcome) in enumerate(zip(where, result.documents, strict=True)):
            if isinstance(outcome, Skipped):
                slots[slot] = input_record(outcome)
            else:
                slots[slot] = InputRecord(outcome.path, "ok", encoding=outcome.encoding)
                local_to_global[k] = len(documents)
                documents.append(outcome)
        docs.append(local_to_global[result.unit_doc])
        paragraphs.append(result.unit_paragraph)
        sets.append(result.sets)
        offsets.append(result.offsets[1:] + base)
        base += int(result.offsets[-1])
        signatures.append(result.signatures)
    num_perm = config.fingerprint.num_perm
    units = Units(
        np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64),
        np.concatenate(paragraphs) if paragraphs else np.zeros(0, dtype=np.int64),
        np.concatenate(sets) if sets else np.zeros(0, dtype=np.uint32),
        np.concatenate(offsets),
    )
    matrix = np.concatenate(signatures) if signatures else np.zeros((0, num_perm), dtype=np.uint32)
    records = [r for r in slots if r is not None]
    return records, documents, units, matrix


def scan(
    paths: Iterable[str],
    config: Config | None = None,
    *,
    stdin: BinaryIO | None = None,
    explain: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
    keep_text: bool = False,
) -> ScanResult:
    """Find the passages that are copies of the same story across the inputs.

    Args:
        paths: files, directories (walked recursively) or ``-`` for stdin.
        config: settings; ``Config()`` suits Chinese news as it comes.
        stdin: where ``-`` reads from (standard input by default).
        explain: keep every rejected candidate with its reason (``dedup scan --explain``).
        progress: called as ``progress(stage, done, total)`` while working, e.g. to draw a progress bar.
        workers: processes for the per-document work; all cores by default, used from 2,000 documents on.
        keep_text: keep each document's raw text (``ScannedDocument.raw``), as collation needs for quoting.
    """
    config = config or Config()
    stats: dict[str, float] = {}
    tick = time.perf_counter()
    inputs, documents, units, signatures = _sketch_all(
        load(paths, stdin=stdin), config, workers or os.cpu_count() or 1, progress, keep_text
    )
    stats["sketch_s"] = time.perf_counter() - tick

    groups, verified, grouping = match_and_group(documents, units, signatures, config, stats, progress)
    stats.update(skipped=sum(1 for r in inputs if r.status == "skipped"))
    rejections: tuple[tuple[str, str, str], ...] = ()
    if explain:
        rejections = _explain(units, documents, verified.rejections(config.candidates), grouping)
    return ScanResult(tuple(inputs), tuple(documents), groups, config, stats, rejections)


def match_and_group(
    documents: Sequence[ScannedDocument],
    units: Units,
    signatures: npt.NDArray[np.uint32],
    config: Config,
    stats: dict[str, float],
    progress: Progress | None = None,
) -> tuple[tuple[Group, ...], Verified, Grouping]:
    """Candidates, verification and grouping over sketched documents (shared by ``scan`` and ``check``)."""
    tick = time.perf_counter()
    bands, rows = banding(config.candidates, config.fingerprint.num_perm)
    candidates = band_candidates(signatures, bands, rows, units.doc, config.candidates.max_bucket)
    verified = verify(units, candidates.pairs, config.candidates)
    stats["candidates_s"] = time.perf_counter() - tick
    if progress is not None:
        progress("grouping", len(documents), len(documents))
    tick = time.perf_counter()
    grouping = group(
        [(d.path, d.paragraphs) for d in documents],
        units,
        verified.matches(),
        candidates.crowded,
        config.group,
    )
    stats["group_s"] = time.perf_counter() - tick
    stats.update(
        documents=len(documents),
        units=len(units),
        candidates=int(candidates.pairs.shape[0]),
        matches=int(verified.accepted.sum()),
        boilerplate_paragraphs=len(grouping.boilerplate),
        bands=bands,
        rows=rows,
    )
    return grouping.groups, verified, grouping


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
