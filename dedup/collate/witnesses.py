"""Collation input: each witness of a group as a :class:`~dedup.collate.records.WitnessText`, read from the
scanned documents, with every paragraph's printed text and the projection of its matching text onto it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from dedup.collate.quoting import printed
from dedup.collate.records import CONSENSUS, Collation, CopyParagraph, GroupReport, WitnessText
from dedup.collate.sentences import content_text
from dedup.config import Config
from dedup.records import Document
from dedup.segment import join_line_units

if TYPE_CHECKING:
    from dedup.group.grouping import Group, Witness
    from dedup.pipeline.scan import ScannedDocument

FLAT_PAGE_LINES = 2  # lines of text a flattened page has: the article's, and perhaps its site footer's
Sources = Mapping[int, "ScannedDocument"]  # a group's documents, by their index in the scan


def copy_paragraphs(document: ScannedDocument, first: int, last: int) -> list[CopyParagraph]:
    """A document's paragraphs ``first..last`` as collation input, quoting the raw text.

    Raises:
        ValueError: for a slim document (its paragraphs have no text to collate: :func:`whole` first).
    """
    if document.slim:
        raise ValueError(f"{document.path}: scanned slim, without paragraph text; collate reporting.whole() of it")
    out: list[CopyParagraph] = []
    units = document.paragraphs[first : last + 1]
    # A flattened page prints its article on one line (a footer may follow on another); a long line in a
    # page of many lines is cut into units too, but it is a paragraph that merged others, not layout.
    page = len({u.start_line for u in document.paragraphs}) <= FLAT_PAGE_LINES
    for p in join_line_units(units):
        quote = document.quote(p)
        where = (document.path, p.start_line, p.end_line)
        flat = page and sum(u.start_line == p.start_line for u in units) > 1
        if quote and len(p.origin) == len(p.text):
            shown, starts, ends = printed(document.raw, p.raw_start, p.raw_end, p.origin)
            if shown == quote:
                out.append(CopyParagraph(*where, p.text, quote, p.garbled, starts, ends, p.raw_start, p.raw_end, flat))
                continue
        out.append(
            CopyParagraph(*where, p.text, quote, p.garbled, start_char=p.raw_start, end_char=p.raw_end, flat=flat)
        )
    return out


def witness_text(witness: Witness, documents: Sequence[ScannedDocument] | Sources) -> WitnessText:
    """A witness's paragraphs in reading order.

    Across a page jump the continuation often repeats the last paragraphs before the jump (the two pages
    were laid out separately: seed 000 restarts four paragraphs before where 002 stopped); those repeated
    paragraphs are read once, from the first page.
    """
    paragraphs: list[CopyParagraph] = []
    for passage in witness.passages:
        segment = copy_paragraphs(documents[passage.doc], passage.first, passage.last)
        if paragraphs:
            tail = "".join(content_text(p.text) for p in paragraphs[-8:])
            while segment and _contained(content_text(segment[0].text), tail):
                segment.pop(0)
        paragraphs.extend(segment)
    return WitnessText(witness.id, witness.segments, tuple(paragraphs))


def _contained(part: str, whole: str) -> bool:
    return bool(part) and fuzz.partial_ratio(part, whole) >= 90


def whole(document: ScannedDocument, config: Config, *, maps: bool = True) -> ScannedDocument:
    """A document with its paragraphs' matching text, sentences and offset maps, prepared again from its raw
    text where the scan let them go (a slim scan) or never had them (a document read from an index, which
    keeps no offset map).

    Preparing is a pure function of the text and the settings, so the paragraphs come back as the scan had
    them; their line spans are checked all the same. ``maps=False`` prepares a slim document only: for a
    collation whose findings are quoted elsewhere (``dedup check`` collates in worker processes and quotes the
    failing groups after), which saves preparing every indexed copy twice.
    """
    from dedup.prepare import prepare_document

    mapped = not maps or all(len(p.origin) == len(p.text) for p in document.paragraphs)
    if not document.slim and (mapped or not document.raw):
        return document
    if not document.raw:
        raise ValueError(f"{document.path}: the scan kept no raw text to prepare it again from (keep_text=True)")
    again = Document(document.path, document.raw, document.encoding, document.format)
    paragraphs = prepare_document(again, config.normalize).paragraphs
    if [(p.start_line, p.end_line) for p in paragraphs] != [(p.start_line, p.end_line) for p in document.paragraphs]:
        raise RuntimeError(f"{document.path}: prepared again, its paragraphs differ from the scan's")
    return replace(document, paragraphs=paragraphs, slim=False)


def group_report(
    group: Group, collation: Collation, documents: Sequence[ScannedDocument], config: Config | None = None
) -> GroupReport:
    """A :class:`GroupReport` for a collation made elsewhere (``dedup check``): the witnesses' texts rebuilt
    as the collation built them, and the reference found by its id or, for a consensus, as the copy that
    prints most of the consensus paragraphs word for word (the base does)."""
    wanted_docs = {p.doc for w in group.witnesses for p in w.passages}
    sources = {k: whole(documents[k], config or Config()) for k in wanted_docs}
    texts = tuple(witness_text(w, sources) for w in group.witnesses)
    base = next((k for k, t in enumerate(texts) if t.id == collation.reference), None)
    if base is None and collation.reference == CONSENSUS and texts:
        paragraphs = set(collation.reference_paragraphs)
        base = max(range(len(texts)), key=lambda k: sum(p.text in paragraphs for p in texts[k].paragraphs))
    return GroupReport(group, collation, texts, base)
