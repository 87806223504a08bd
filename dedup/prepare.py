"""Preparation: the per-document stages (load → normalize → segment → units → sketch), in one place.

Every command that matches documents (``scan``, ``report``, ``index build|add``, ``check``) prepares them
through :func:`sketch`, so a document has the same paragraphs, units, signatures, weights and layout
wherever it is read; only what each command keeps of the result differs. The work is independent of every
other document, so it runs on batches, in worker processes for large corpora (:mod:`dedup.ingest.pool`).

Inputs are accounted for here: each path (or JSONL line) yields either a prepared document or a
:class:`~dedup.records.Skipped` one with its reason, in input order; a document that normalizes to no text
at all is skipped here (:func:`prepare_or_skip`), with one message, for every command.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup.config import Config, NormalizeConfig
from dedup.group.headings import heading_digests
from dedup.ingest.load import StdinInput, load
from dedup.match.candidates import Units, build_units_and_lengths
from dedup.match.fingerprint import Signer
from dedup.normalize import NormText, normalize
from dedup.records import Document, Paragraph, Skipped
from dedup.results import ScannedDocument
from dedup.segment import segment

EMPTY_REASON = "no text left after normalization (markup only?)"
"""Why a document that normalizes to nothing is skipped (only markup, say), whichever command reads it."""

_LAYOUT_STEPS = frozenset({"markup", "pinyin", "t2s", "unwrap"})


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document ready for matching: its normalized text and its paragraphs."""

    norm: NormText
    paragraphs: tuple[Paragraph, ...]

    @property
    def document(self) -> Document:
        return self.norm.document

    @property
    def path(self) -> str:
        return self.norm.document.path


def prepare_document(document: Document, config: NormalizeConfig | None = None) -> Prepared:
    """Normalize and segment one document (a pure function of its text and the settings)."""
    norm = normalize(document, config)
    return Prepared(norm, tuple(segment(norm)))


def prepare_or_skip(document: Document, config: NormalizeConfig | None = None) -> Prepared | Skipped:
    """:func:`prepare_document`, or why the document cannot be matched: nothing is left of it to match."""
    prepared = prepare_document(document, config)
    return prepared if prepared.paragraphs else Skipped(document.path, EMPTY_REASON)


def prepare(
    paths: Iterable[str], config: NormalizeConfig | None = None, stdin: StdinInput | None = None
) -> Iterator[Prepared | Skipped]:
    """Load every input under ``paths`` and prepare it; unreadable or empty inputs come through as ``Skipped``."""
    for item in load(paths, stdin=stdin):
        yield item if isinstance(item, Skipped) else prepare_or_skip(item, config)


def layout_of(prepared: Prepared) -> str:
    """How a document came: its file type, its encoding, and what normalization undid (markup, pinyin,
    Traditional script, hard wraps). The two pages of one paper's jumped story share it, so it breaks ties
    between pairings of jumped pages that fit equally.

    >>> layout_of(prepare_document(Document("a/p1.txt#7", "正文第一句。", "gb18030")))
    '.txt|gb18030'
    """
    document = prepared.document
    undone = sorted({n.step for n in prepared.norm.notes} & _LAYOUT_STEPS)
    return "|".join([os.path.splitext(document.path.partition("#")[0])[1], document.encoding, *undone])


@dataclass(frozen=True, slots=True)
class SketchedBatch:
    """A batch of documents prepared and sketched: what :func:`sketch` returns, and what travels back from
    a worker process (each caller trims it first to what it keeps).

    Attributes:
        outcomes: per input document, in batch order: its :class:`ScannedDocument`, or why it was skipped.
        units: the sketched units; ``units.doc`` indexes the batch's scanned documents (the outcomes that
            are not skipped, in order).
        texts: each unit's text, as signed (empty once a caller let go of them).
        sketches: each unit's MinHash signature (uint32, ``num_perm`` columns), or its LSH band keys
            (uint64, one column per band) where a caller asked for those instead.
    """

    outcomes: tuple[ScannedDocument | Skipped, ...]
    units: Units
    texts: tuple[str, ...]
    sketches: npt.NDArray[np.uint32] | npt.NDArray[np.uint64]

    def documents(self) -> list[ScannedDocument]:
        """The scanned documents, in batch order (what ``units.doc`` indexes)."""
        return [o for o in self.outcomes if isinstance(o, ScannedDocument)]


def sketch(batch: Sequence[Document], config: Config) -> SketchedBatch:
    """Normalize, segment, cut into units, shingle and sign a batch of documents: all the per-document work.

    Each document keeps everything a later stage may need (raw text, paragraphs, notes, content lengths,
    heading digests, layout); the caller lets go of what it does not (``scan`` of the raw text and the
    paragraphs' text, ``index`` of all but the stored records).
    """
    prepared: list[Prepared] = []
    outcomes: list[Prepared | Skipped] = []
    for document in batch:
        outcome = prepare_or_skip(document, config.normalize)
        outcomes.append(outcome)
        if isinstance(outcome, Prepared):
            prepared.append(outcome)
    units, texts, lengths = build_units_and_lengths([p.paragraphs for p in prepared], config.fingerprint)
    scanned: list[ScannedDocument] = []
    at = 0
    for p in prepared:
        own = tuple(lengths[at : at + len(p.paragraphs)].tolist())
        at += len(p.paragraphs)
        document = p.document
        scanned.append(
            ScannedDocument(
                document.path,
                document.encoding,
                p.paragraphs,
                tuple(n.message for n in p.norm.notes),
                document.text,
                own,
                heading_digests(p.paragraphs, own, config.group),
                layout_of(p),
                document.format,
            )
        )
    done = iter(scanned)
    return SketchedBatch(
        tuple(o if isinstance(o, Skipped) else next(done) for o in outcomes),
        units,
        tuple(texts),
        Signer(config.fingerprint).sign_texts(texts),
    )
