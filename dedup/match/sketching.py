"""The per-document work of ``index build|add`` and ``check``, streamed through worker processes.

Normalizing, segmenting, shingling and signing a document is independent of every other document, so it
runs in batches in worker processes, a few batches in flight at a time: memory holds those batches and
whatever the caller keeps of the results, never the whole corpus. That is what lets ``index build`` stay
flat however large the corpus (each batch is written to the index and let go), while ``check`` keeps what
it needs of its drop. Batch results come back in input order, each with its documents' places; an input
that could not be read comes at once, with its place, so a caller can still report everything in order.

The batches go through :func:`dedup.ingest.pool.stream`. The stages are the ones ``scan`` runs
(:func:`~dedup.prepare.prepare_document`, :func:`~dedup.match.candidates.build_units`,
:class:`~dedup.match.fingerprint.Signer`), so a document sketched here has the units and signatures a scan would
give it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup.config import Config
from dedup.match.candidates import Units, banding, build_units
from dedup.match.fingerprint import Signer, content_codepoints
from dedup.pipeline.scan import ScannedDocument
from dedup.prepare import prepare_document
from dedup.records import Document, Paragraph, Skipped
from dedup.store.docstore import encode_document, encode_raw
from dedup.store.index import Record
from dedup.store.postings import band_codes

IntArray = npt.NDArray[np.int64]
U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]

EMPTY_REASON = "no text left after normalization (markup only?)"


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
        codes: the units' band codes (``units × bands``, see :func:`dedup.store.postings.band_codes`).
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
        lengths = tuple(int(content_codepoints(p.text).size) for p in paragraphs)
        outcomes.append(
            scanned(document.path, document.encoding, paragraphs, prepared.notes[outcome], document.text, lengths)
        )
    return DropBatch(tuple(outcomes), prepared.units, prepared.signatures)


def scanned(
    path: str,
    encoding: str,
    paragraphs: tuple[Paragraph, ...],
    notes: tuple[str, ...],
    raw: str,
    lengths: tuple[int, ...],
) -> ScannedDocument:
    """A scanned document, with its content lengths (grouping weighs paragraphs by them)."""
    return ScannedDocument(path, encoding, paragraphs, notes, raw, lengths)
