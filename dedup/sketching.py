"""The per-document work of ``index build|add`` and ``check``, streamed through worker processes.

Normalizing, segmenting, shingling and signing a document is independent of every other document, so it
runs in batches in worker processes, a few batches in flight at a time: memory holds those batches and
whatever the caller keeps of the results, never the whole corpus. That is what lets ``index build`` stay
flat however large the corpus (each batch is written to the index and let go), while ``check`` keeps what
it needs of its drop. Batch results come back in input order, each with its documents' places; an input
that could not be read comes at once, with its place, so a caller can still report everything in order.

The stages are the ones ``scan`` runs (:func:`~dedup.prepare.prepare_document`,
:func:`~dedup.candidates.build_units`, :class:`~dedup.fingerprint.Signer`), so a document sketched here has
the units and signatures a scan would give it.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from dedup.candidates import Units, banding, build_units
from dedup.config import Config
from dedup.docstore import encode_document, encode_raw
from dedup.fingerprint import Signer, content_codepoints
from dedup.index import Record
from dedup.postings import band_codes
from dedup.prepare import prepare_document
from dedup.records import Document, Paragraph, Skipped
from dedup.scan import ScannedDocument

IntArray = npt.NDArray[np.int64]
U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]

BATCH = 256  # documents per batch sent to a worker
PARALLEL_FROM = 2000  # documents; below this, starting worker processes costs more than it saves
EMPTY_REASON = "no text left after normalization (markup only?)"

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """What :func:`_prepare_batch` made of a batch: the kept documents' paragraphs and notes, with units."""

    outcomes: tuple[int | Skipped, ...]  # per input document: its place among the kept ones, or why skipped
    paragraphs: tuple[tuple[Paragraph, ...], ...]
    notes: tuple[tuple[str, ...], ...]
    units: Units  # ``doc`` indexes the kept documents
    texts: list[str]
    signatures: U32Array


def _prepare_batch(batch: Sequence[Document], config: Config) -> PreparedBatch:
    """Normalize, segment, shingle and sign a batch: all the per-document work, as ``scan`` does it."""
    outcomes: list[int | Skipped] = []
    paragraphs: list[tuple[Paragraph, ...]] = []
    notes: list[tuple[str, ...]] = []
    for document in batch:
        prepared = prepare_document(document, config.normalize)
        if not prepared.paragraphs:
            outcomes.append(Skipped(document.path, EMPTY_REASON))
            continue
        outcomes.append(len(paragraphs))
        paragraphs.append(prepared.paragraphs)
        notes.append(tuple(n.message for n in prepared.norm.notes))
    units, texts = build_units(paragraphs, config.fingerprint)
    signatures = Signer(config.fingerprint).sign_texts(texts)
    return PreparedBatch(tuple(outcomes), tuple(paragraphs), tuple(notes), units, texts, signatures)


@dataclass(frozen=True, slots=True)
class IndexBatch:
    """A batch sketched for the index: records, and each unit's document and band codes.

    Attributes:
        outcomes: per input document, its record or why it was skipped.
        unit_docs: for each unit, the position of its document among the records.
        codes: the units' band codes (``units × bands``, see :func:`dedup.postings.band_codes`).
    """

    outcomes: tuple[Record | Skipped, ...]
    unit_docs: IntArray
    codes: U64Array


def sketch_for_index(batch: Sequence[Document], config: Config) -> IndexBatch:
    """A batch made ready for the index (run in a worker: only compact bytes and arrays travel back)."""
    prepared = _prepare_batch(batch, config)
    kept = [d for d, o in zip(batch, prepared.outcomes, strict=True) if not isinstance(o, Skipped)]
    starts = np.searchsorted(prepared.units.doc, np.arange(len(kept) + 1))
    records: list[Record] = []
    for k, document in enumerate(kept):
        lo, hi = int(starts[k]), int(starts[k + 1])
        units = list(zip(prepared.units.paragraph[lo:hi].tolist(), prepared.texts[lo:hi], strict=True))
        paragraphs = prepared.paragraphs[k]
        meta, content = encode_document(paragraphs, prepared.notes[k], units)
        raw = encode_raw(document.text, paragraphs)
        records.append(Record(document.path, document.encoding, document.format, content, meta, raw))
    outcomes = tuple(o if isinstance(o, Skipped) else records[o] for o in prepared.outcomes)
    codes = band_codes(prepared.signatures, *banding(config.candidates, config.fingerprint.num_perm))
    return IndexBatch(outcomes, prepared.units.doc, codes)


@dataclass(frozen=True, slots=True)
class DropBatch:
    """A batch sketched for a check: scanned documents (raw text kept, for quoting) and their units.

    Attributes:
        outcomes: per input document, its scanned form or why it was skipped.
        units: ``doc`` indexes the scanned documents of this batch.
        signatures: the units' MinHash signatures.
    """

    outcomes: tuple[ScannedDocument | Skipped, ...]
    units: Units
    signatures: U32Array


def sketch_for_check(batch: Sequence[Document], config: Config) -> DropBatch:
    """A drop batch, as ``scan`` would sketch it with ``keep_text=True``."""
    prepared = _prepare_batch(batch, config)
    outcomes: list[ScannedDocument | Skipped] = []
    for document, outcome in zip(batch, prepared.outcomes, strict=True):
        if isinstance(outcome, Skipped):
            outcomes.append(outcome)
            continue
        paragraphs = prepared.paragraphs[outcome]
        lengths = tuple(int(content_codepoints(p.text).size) for p in paragraphs) if WITH_LENGTHS else ()
        outcomes.append(
            scanned(document.path, document.encoding, paragraphs, prepared.notes[outcome], document.text, lengths)
        )
    return DropBatch(tuple(outcomes), prepared.units, prepared.signatures)


#: Whether :class:`~dedup.scan.ScannedDocument` takes the paragraphs' content lengths (newer versions do,
#: and otherwise count them again, at a few microseconds a paragraph, every time grouping asks).
WITH_LENGTHS = "lengths" in {f.name for f in fields(ScannedDocument)}


def scanned(
    path: str,
    encoding: str,
    paragraphs: tuple[Paragraph, ...],
    notes: tuple[str, ...],
    raw: str,
    lengths: tuple[int, ...],
) -> ScannedDocument:
    """A scanned document, with its content lengths where the record takes them."""
    extra: dict[str, Any] = {"lengths": lengths} if WITH_LENGTHS and lengths else {}
    return ScannedDocument(path, encoding, paragraphs, notes, raw, **extra)


def _init_worker() -> None:
    """Each worker process signs on one thread: the pool already uses every core."""
    import numba

    numba.set_num_threads(1)


@dataclass(frozen=True, slots=True)
class Done(Generic[R]):
    """A batch's result, with its documents' places in the input (for callers that report in input order)."""

    places: tuple[int, ...]
    result: R


@dataclass(frozen=True, slots=True)
class Unread:
    """An input that could not be read, with its place in the input."""

    place: int
    skipped: Skipped


def stream(
    items: Iterable[Document | Skipped],
    work: Callable[[Sequence[Document], Config], R],
    config: Config,
    workers: int,
) -> Iterator[Unread | Done[R]]:
    """Run ``work`` over the documents in batches of :data:`BATCH`, in input order.

    Batch results come in input order, each with its documents' places; an input that could not be read
    comes through as soon as it is met, with its place. Corpora of fewer than :data:`PARALLEL_FROM`
    documents are done in this process (starting workers costs more); larger ones in ``workers`` processes,
    with at most ``2 * workers`` batches in flight, so memory holds a few batches, never the corpus.
    """
    inputs = iter(items)
    head: list[Document | Skipped] = []
    documents = 0
    for item in inputs if workers > 1 else ():
        head.append(item)
        documents += isinstance(item, Document)
        if documents >= PARALLEL_FROM:
            break
    if workers <= 1 or documents < PARALLEL_FROM:
        for entry in _batched(_chain(head, inputs)):
            yield entry if isinstance(entry, Unread) else Done(entry[0], work(entry[1], config))
        return

    context = multiprocessing.get_context("spawn")  # numba's thread pool does not survive fork
    running: deque[tuple[tuple[int, ...], Future[R]]] = deque()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker) as pool:
        for entry in _batched(_chain(head, inputs)):
            if isinstance(entry, Unread):
                yield entry
                continue
            running.append((entry[0], pool.submit(work, entry[1], config)))
            while len(running) > 2 * workers:
                places, future = running.popleft()
                yield Done(places, future.result())
        while running:
            places, future = running.popleft()
            yield Done(places, future.result())


def _chain(head: list[Document | Skipped], rest: Iterator[Document | Skipped]) -> Iterator[Document | Skipped]:
    """The buffered head, let go item by item, then the rest of the inputs."""
    head.reverse()
    while head:
        yield head.pop()
    yield from rest


def _batched(items: Iterable[Document | Skipped]) -> Iterator[Unread | tuple[tuple[int, ...], list[Document]]]:
    """Batches of :data:`BATCH` documents with their input places; unreadable inputs pass through at once."""
    places: list[int] = []
    batch: list[Document] = []
    for place, item in enumerate(items):
        if isinstance(item, Skipped):
            yield Unread(place, item)
            continue
        places.append(place)
        batch.append(item)
        if len(batch) >= BATCH:
            yield tuple(places), batch
            places, batch = [], []
    if batch:
        yield tuple(places), batch
