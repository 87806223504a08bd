"""Report: scan a corpus, then collate every group of copies against its reference.

``report(paths, config)`` is the Python API behind ``dedup report``; ``diff_texts`` is the one behind
``dedup diff`` (two texts, no grouping).

Collation works on matching text; reports quote the documents' own text: :meth:`GroupReport.quoted` gives
each finding with every text it cites taken from the raw paragraphs (see :mod:`dedup.collate.quoting`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from dedup.collate.align import (
    CONSENSUS,
    Collation,
    CopyParagraph,
    WitnessText,
    choose_base,
    choose_reference,
    collate,
    collate_consensus,
    content_text,
)
from dedup.collate.quoting import (
    QuotedFinding,
    ReferenceParagraph,
    quote_findings,
    reference_paragraphs,
    unquoted,
)
from dedup.config import Config
from dedup.group.grouping import Group, Witness
from dedup.ingest.load import StdinInput
from dedup.ingest.pool import map_in_order
from dedup.pipeline.scan import ScannedDocument, ScanResult, scan
from dedup.prepare import prepare_document
from dedup.records import Document, Span

Sources = Mapping[int, ScannedDocument]  # a group's documents, by their index in the scan


@dataclass(frozen=True, slots=True)
class GroupReport:
    """One group and its collation.

    Attributes:
        group: the group found by the scan.
        collation: its findings, measured on matching text.
        texts: the witnesses as collated (``group.witnesses`` order), raw quotes included.
        base: index into ``texts`` of the reference witness, or of the base of a consensus; ``None`` if unknown.
    """

    group: Group
    collation: Collation
    texts: tuple[WitnessText, ...] = ()
    base: int | None = None

    def reference(self) -> tuple[ReferenceParagraph, ...]:
        """The reference paragraphs, each quoted from the copy that prints it (see :func:`reference_paragraphs`)."""
        return reference_paragraphs(self.collation, self.texts, self.base)

    def quoted(self, witness: str, reference: Sequence[ReferenceParagraph] | None = None) -> tuple[QuotedFinding, ...]:
        """The findings of one witness (by id) with every text quoted from the documents' own raw text.

        ``reference`` (from :meth:`reference`) saves aligning the reference again for each witness.
        """
        result = next(r for r in self.collation.witnesses if r.witness == witness)
        text = next((t for t in self.texts if t.id == witness), None)
        if text is None:
            return tuple(unquoted(f) for f in result.findings)
        return quote_findings(result, self.reference() if reference is None else reference, text)

    def quoted_all(self) -> dict[str, tuple[QuotedFinding, ...]]:
        """:meth:`quoted` for every witness, by id, the reference aligned once."""
        reference = self.reference()
        return {r.witness: self.quoted(r.witness, reference) for r in self.collation.witnesses}


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of :func:`report`: the scan, and a collation per group."""

    scan: ScanResult
    groups: tuple[GroupReport, ...]


def copy_paragraphs(document: ScannedDocument, first: int, last: int) -> list[CopyParagraph]:
    """A document's paragraphs ``first..last`` as collation input, quoting the raw text.

    Raises:
        ValueError: for a slim document (its paragraphs have no text to collate: :func:`whole` first).
    """
    if document.slim:
        raise ValueError(f"{document.path}: scanned slim, without paragraph text; collate reporting.whole() of it")
    return [
        CopyParagraph(document.path, p.start_line, p.end_line, p.text, document.quote(p), p.garbled)
        for p in document.paragraphs[first : last + 1]
    ]


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


def same_document(a: str, b: str) -> bool:
    """Whether two paths name the same document: the same file however it is spelled (``seeds/a.txt``,
    ``./seeds/a.txt``, an absolute path), or the same ``FILE#ID`` of a JSONL file.

    >>> same_document("seeds/001_d368fce8cd43ddb5.txt", "./seeds/../seeds/001_d368fce8cd43ddb5.txt")
    True
    >>> same_document("drop.jsonl#a", "drop.jsonl#b")
    False
    """
    return a == b or _document_key(a) == _document_key(b)


def _document_key(path: str) -> tuple[str, str]:
    """The file (resolved) and the JSONL id a path names; stdin (``-``, ``-#ID``) stands for itself."""
    if path == "-" or path.startswith("-#"):
        return path, ""
    from dedup.ingest.load import named_document

    named = None if os.path.exists(path) else named_document(path)
    if named is not None:
        return os.path.realpath(named[0]), named[1]
    return os.path.realpath(path), ""


def is_reference(witness: Witness, reference_path: str) -> bool:
    """Whether ``--reference reference_path`` names this witness: one of its segments is that document."""
    return any(same_document(s.path, reference_path) for s in witness.segments)


def collate_group(group: Group, documents: Sequence[ScannedDocument], reference_path: str | None = None) -> Collation:
    """Collate a group against the copy in ``reference_path`` if given; otherwise against its best copy when
    it has two, or against the majority text (consensus) when it has three or more."""
    return collate_group_report(group, documents, reference_path).collation


def collate_group_report(
    group: Group, documents: Sequence[ScannedDocument] | Sources, reference_path: str | None = None
) -> GroupReport:
    """:func:`collate_group`, keeping the witnesses' texts and which one is the reference (or the consensus
    base), so that findings can be quoted from the raw text."""
    texts = tuple(witness_text(w, documents) for w in group.witnesses)
    return _collate_texts((group, texts, reference_path))


def _collate_texts(task: tuple[Group, tuple[WitnessText, ...], str | None]) -> GroupReport:
    """Collate one group's witness texts: against ``--reference`` when it is a witness, else against the
    better copy of two, or the majority text of three or more."""
    group, texts, reference_path = task
    chosen: int | None = None
    reason = ""
    if reference_path is not None:
        for k, w in enumerate(group.witnesses):
            if is_reference(w, reference_path):
                chosen, reason = k, f"chosen with --reference {reference_path}"
                break
    if chosen is None:
        coverage = [w.coverage for w in group.witnesses]
        if len(texts) >= 3:
            base = choose_base(texts, coverage)
            return GroupReport(group, collate_consensus(texts, base), texts, base)
        chosen, reason = choose_reference(texts, coverage)
    return GroupReport(group, collate(texts, chosen, reason), texts, chosen)


PARALLEL_GROUPS = 200  # groups; below this, starting worker processes costs more than it saves


def group_report(group: Group, collation: Collation, documents: Sequence[ScannedDocument]) -> GroupReport:
    """A :class:`GroupReport` for a collation made elsewhere (``dedup check``): the witnesses' texts rebuilt
    as :func:`collate_group` built them, and the reference found by its id or, for a consensus, as the copy
    that prints most of the consensus paragraphs word for word (the base does)."""
    texts = tuple(witness_text(w, documents) for w in group.witnesses)
    base = next((k for k, t in enumerate(texts) if t.id == collation.reference), None)
    if base is None and collation.reference == CONSENSUS and texts:
        wanted = set(collation.reference_paragraphs)
        base = max(range(len(texts)), key=lambda k: sum(p.text in wanted for p in texts[k].paragraphs))
    return GroupReport(group, collation, texts, base)


def report(
    paths: Iterable[str],
    config: Config | None = None,
    *,
    reference: str | None = None,
    stdin: StdinInput | None = None,
) -> Report:
    """Scan ``paths`` and collate every group found.

    Args:
        paths: files, directories or ``-``.
        config: settings.
        reference: a path whose copy is the reference wherever it is a witness (the wire copy, say).
        stdin: standard input read once, for ``-`` (:func:`~dedup.ingest.load.stdin_for`).
    """
    config = config or Config()
    # The scan keeps each document's raw text but not its paragraphs' text (on a large corpus that is over a
    # quarter of the peak memory); each group's documents are prepared again where the group is collated.
    result = scan(paths, config, stdin=stdin, keep_text=True, slim=True)
    groups = collate_groups(result.groups, result.documents, [reference] * len(result.groups), config)
    return Report(result, tuple(groups))


def collate_groups(
    groups: Sequence[Group],
    documents: Sequence[ScannedDocument],
    references: Sequence[str | None],
    config: Config,
    workers: int | None = None,
) -> list[GroupReport]:
    """:func:`collate_group_report` of each group (against ``references[i]`` where given), in worker
    processes from ``PARALLEL_GROUPS`` groups on; documents a slim scan kept are prepared again there."""
    tasks = [(g, _sources(g, documents), r, config) for g, r in zip(groups, references, strict=True)]
    return map_in_order(_collate_sources, tasks, workers or os.cpu_count() or 1, PARALLEL_GROUPS)


def _sources(group: Group, documents: Sequence[ScannedDocument]) -> Sources:
    return {p.doc: documents[p.doc] for w in group.witnesses for p in w.passages}


def _collate_sources(task: tuple[Group, Sources, str | None, Config]) -> GroupReport:
    """Collate a group from its documents as a slim scan kept them (see :func:`whole`)."""
    group, sources, reference_path, config = task
    return collate_group_report(group, {k: whole(d, config) for k, d in sources.items()}, reference_path)


def whole_documents(result: ScanResult) -> tuple[ScannedDocument, ...]:
    """The scan's documents, those in a group :func:`whole` (in this process): for collating a slim scan's
    groups again, as the benchmarks do with a report's."""
    grouped = {p.doc for group in result.groups for w in group.witnesses for p in w.passages}
    return tuple(whole(d, result.config) if k in grouped else d for k, d in enumerate(result.documents))


def whole(document: ScannedDocument, config: Config) -> ScannedDocument:
    """A document with its paragraphs' matching text and sentences, which a slim scan let go of, prepared
    again from its raw text.

    Preparing is a pure function of the text and the settings, so the paragraphs come back as the scan had
    them; their line spans are checked all the same.
    """
    if not document.slim:
        return document
    if not document.raw:
        raise ValueError(f"{document.path}: the scan kept no raw text to prepare it again from (keep_text=True)")
    again = Document(document.path, document.raw, document.encoding, document.format)
    paragraphs = prepare_document(again, config.normalize).paragraphs
    if [(p.start_line, p.end_line) for p in paragraphs] != [(p.start_line, p.end_line) for p in document.paragraphs]:
        raise RuntimeError(f"{document.path}: prepared again, its paragraphs differ from the scan's")
    return replace(document, paragraphs=paragraphs, slim=False)


def parse_range(spec: str) -> tuple[str, int | None, int | None]:
    """``FILE`` or ``FILE:START-END`` (1-based inclusive lines).

    >>> parse_range("a.txt:5-29")
    ('a.txt', 5, 29)
    >>> parse_range("a.txt")
    ('a.txt', None, None)
    """
    path, sep, lines = spec.rpartition(":")
    if sep and path and "-" in lines:
        start, _, end = lines.partition("-")
        if start.isdigit() and end.isdigit():
            return path, int(start), int(end)
    return spec, None, None


def read_witness(
    spec: str, config: Config | None = None, witness_id: str = "", stdin: StdinInput | None = None
) -> WitnessText:
    """The paragraphs of a file, or of a line range of it, as a copy to collate (``stdin`` for ``-``).

    Raises:
        ValueError: if the file cannot be read or the range holds no paragraph; the message says why.
    """
    from dedup.ingest.load import load
    from dedup.records import Skipped

    path, start, end = parse_range(spec)
    items = list(load([path], stdin))
    if not items:
        raise ValueError(f"{path}: nothing to read")
    item = items[0]
    if isinstance(item, Skipped):
        raise ValueError(f"{item.path}: {item.reason}")
    if len(items) > 1:
        raise ValueError(f"{path}: holds {len(items)} documents; diff takes one document per side")
    prepared = prepare_document(item, (config or Config()).normalize)
    document = ScannedDocument(item.path, item.encoding, prepared.paragraphs, (), item.text)
    chosen = [
        p
        for p in prepared.paragraphs
        if (start is None or p.end_line >= start) and (end is None or p.start_line <= end)
    ]
    if not chosen:
        raise ValueError(f"{spec}: no paragraph in that line range")
    paragraphs = copy_paragraphs(document, chosen[0].index, chosen[-1].index)
    span = Span(item.path, paragraphs[0].start_line, paragraphs[-1].end_line)
    return WitnessText(witness_id or spec, (span,), tuple(paragraphs))


def diff_texts(reference: str, copy: str, config: Config | None = None) -> Collation:
    """Collate two files (or ``FILE:START-END`` ranges) without grouping: ``copy`` against ``reference``."""
    texts = [read_witness(reference, config, "A"), read_witness(copy, config, "B")]
    return collate(texts, 0, f"{reference} given as the reference")


# --- quoting: what the findings cite, as the documents print it ----------------------------------------------


def quotes_by_finding(result: ScanResult, collations: Mapping[str, Collation]) -> dict[int, QuotedFinding]:
    """Every finding of the collations made for ``result``'s groups (by group id, as ``dedup check`` keeps
    them), quoted, keyed by the finding's ``id()``: for renderers that hold findings apart from their group."""
    out: dict[int, QuotedFinding] = {}
    for group in result.groups:
        collation = collations.get(group.id)
        if collation is None:
            continue
        for quoted in group_report(group, collation, result.documents).quoted_all().values():
            out.update((id(q.finding), q) for q in quoted)
    return out
