"""Report: scan a corpus, then collate every group of copies against its reference.

``report(paths, config)`` is the Python API behind ``dedup report``; ``diff_texts`` is the one behind
``dedup diff`` (two texts, no grouping).

Collation works on matching text; reports quote the documents' own text: :meth:`GroupReport.quoted` gives
each finding with every text it cites taken from the raw paragraphs (see :mod:`dedup.collate.quoting`).
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from dedup.collate.consensus import collate_consensus
from dedup.collate.records import KINDS, Collation, GroupReport, Report, WitnessCollation, WitnessText
from dedup.collate.reference import choose_base, choose_reference, collate
from dedup.collate.witnesses import Sources, copy_paragraphs, group_report, whole, witness_text
from dedup.config import Config
from dedup.ingest.load import StdinInput
from dedup.ingest.paths import PathSpecError, check_reference
from dedup.ingest.pool import map_in_order
from dedup.pipeline.scan import Progress, scan
from dedup.prepare import prepare_document
from dedup.records import Span
from dedup.results import Group, ScannedDocument, ScanResult, Witness

__all__ = [
    "DiffOverview",
    "GroupReport",
    "Report",
    "collate_group",
    "collate_group_report",
    "collate_groups",
    "copy_paragraphs",
    "diff_overview",
    "diff_texts",
    "directed_by_user",
    "group_report",
    "is_reference",
    "parse_range",
    "read_witness",
    "reference_warnings",
    "report",
    "same_document",
    "whole",
    "whole_documents",
    "witness_text",
]


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


def collate_group(
    group: Group,
    documents: Sequence[ScannedDocument],
    reference_path: str | None = None,
    config: Config | None = None,
) -> Collation:
    """Collate a group against the copy in ``reference_path`` if given; otherwise against its best copy when
    it has two, or against the majority text (consensus) when it has three or more."""
    return collate_group_report(group, documents, reference_path, config).collation


def collate_group_report(
    group: Group,
    documents: Sequence[ScannedDocument] | Sources,
    reference_path: str | None = None,
    config: Config | None = None,
) -> GroupReport:
    """:func:`collate_group`, keeping the witnesses' texts and which one is the reference (or the consensus
    base), so that findings can be quoted from the raw text."""
    texts = tuple(witness_text(w, documents) for w in group.witnesses)
    return _collate_texts(group, texts, reference_path, config or Config())


def _collate_texts(
    group: Group, texts: tuple[WitnessText, ...], reference_path: str | None, config: Config
) -> GroupReport:
    """Collate one group's witness texts: against ``--reference`` when it is a witness, else against the
    better copy of two, or the majority text of three or more."""
    settings = config.collate
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
            base = choose_base(texts, coverage, settings)
            return GroupReport(group, collate_consensus(texts, base, settings), texts, base)
        chosen, reason = choose_reference(texts, coverage, settings)
    return GroupReport(group, collate(texts, chosen, reason, settings), texts, chosen)


PARALLEL_GROUPS = 200  # groups; below this, starting worker processes costs more than it saves


def report(
    paths: Iterable[str],
    config: Config | None = None,
    *,
    reference: str | None = None,
    stdin: StdinInput | None = None,
    progress: Progress | None = None,
) -> Report:
    """Scan ``paths`` and collate every group found.

    A ``reference`` that names nothing, or no group's witness, is no error (each group is then collated
    against its own best copy), but it is said, as the command says it: a :class:`UserWarning` for each
    :func:`reference_warnings` message, which the report also keeps in ``warnings``.

    Args:
        paths: files, directories or ``-``.
        config: settings.
        reference: a path whose copy is the reference wherever it is a witness (the wire copy, say).
        stdin: standard input read once, for ``-`` (:func:`~dedup.ingest.load.stdin_for`).
        progress: called as ``progress(stage, done, total)`` while working (the scan's stages, then
            ``collating``), e.g. to draw a progress bar.
    """
    config = config or Config()
    # The scan keeps each document's raw text but not its paragraphs' text (on a large corpus that is over a
    # quarter of the peak memory); each group's documents are prepared again where the group is collated.
    result = scan(paths, config, stdin=stdin, keep_text=True, slim=True, progress=progress)
    if progress is not None:
        progress("collating", 0, len(result.groups))
    groups = collate_groups(result.groups, result.documents, [reference] * len(result.groups), config)
    if progress is not None:
        progress("collating", len(groups), len(groups))
    made = Report(result, tuple(groups))
    said = tuple(reference_warnings(made, reference))
    for message in said:
        warnings.warn(message, UserWarning, stacklevel=2)
    return replace(made, warnings=said)


def reference_warnings(result: Report, reference: str | None) -> list[str]:
    """Why a ``--reference`` changed nothing, if it did: it is no group's witness. Said rather than ignored,
    on stderr and in the JSON ``warnings``; each group is then collated against its own best copy."""
    if reference is None:
        return []
    if any(is_reference(w, reference) for g in result.groups for w in g.group.witnesses):
        return []
    fallback = "each group was collated against its own best copy" if result.groups else "no group was found"
    try:
        check_reference(reference)
    except PathSpecError as exc:
        return [f"{exc}; {fallback}"]
    if not any(same_document(d.path, reference) for d in result.scan.documents):
        return [f"--reference {reference} is not among the inputs read, so it is no group's witness; {fallback}"]
    return [f"--reference {reference} is not a witness of any group; {fallback}"]


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
    """Collate a group from its documents as a slim scan kept them (see :func:`whole`; a document that is not
    slim but has no offset maps, an indexed copy, is quoted where its findings are, not here)."""
    group, sources, reference_path, config = task
    documents = {k: whole(d, config, maps=False) for k, d in sources.items()}
    return collate_group_report(group, documents, reference_path, config)


def whole_documents(result: ScanResult) -> tuple[ScannedDocument, ...]:
    """The scan's documents, those in a group :func:`whole` (in this process): for collating a slim scan's
    groups again, as the benchmarks do with a report's."""
    grouped = {p.doc for group in result.groups for w in group.witnesses for p in w.passages}
    return tuple(whole(d, result.config) if k in grouped else d for k, d in enumerate(result.documents))


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
    first, last = paragraphs[0], paragraphs[-1]
    span = Span(item.path, first.start_line, last.end_line, first.start_char, last.end_char)
    return WitnessText(witness_id or spec, (span,), tuple(paragraphs))


def diff_texts(reference: str, copy: str, config: Config | None = None) -> Collation:
    """Collate two files (or ``FILE:START-END`` ranges) without grouping: ``copy`` against ``reference``."""
    texts = [read_witness(reference, config, "A"), read_witness(copy, config, "B")]
    return collate(texts, 0, f"{reference} given as the reference", (config or Config()).collate)


#: Below this share of *both* texts in common, ``dedup diff`` calls two texts unrelated: a copy that renders
#: a tenth of the reference is an excerpt, worth its findings, but two texts that share less than a tenth
#: of each other are no copies, and forty drops and adds would only hide that.
UNRELATED_SHARE = 0.10


@dataclass(frozen=True, slots=True)
class DiffOverview:
    """What ``dedup diff`` says before its findings: the two sides, how much they share, totals by kind.

    Attributes:
        reference_paragraphs: paragraphs of the reference (or of its line range).
        copy_paragraphs: paragraphs of the copy.
        shared_reference: share of the reference's characters the copy renders (its paragraphs not dropped).
        shared_copy: share of the copy's characters that render a reference paragraph (not added).
        findings: findings by kind, in :data:`~dedup.collate.records.KINDS` order, kinds not seen left out.
    """

    reference_paragraphs: int
    copy_paragraphs: int
    shared_reference: float
    shared_copy: float
    findings: tuple[tuple[str, int], ...]

    @property
    def unrelated(self) -> bool:
        """Whether the two texts share less than :data:`UNRELATED_SHARE` of each other.

        >>> DiffOverview(40, 38, 0.02, 0.05, ()).unrelated
        True
        >>> DiffOverview(40, 2, 0.05, 1.0, ()).unrelated  # an excerpt: all of the copy is the reference's
        False
        """
        return max(self.shared_reference, self.shared_copy) < UNRELATED_SHARE

    def to_dict(self) -> dict[str, object]:
        return {
            "reference_paragraphs": self.reference_paragraphs,
            "copy_paragraphs": self.copy_paragraphs,
            "shared_reference": round(self.shared_reference, 4),
            "shared_copy": round(self.shared_copy, 4),
            "findings": dict(self.findings),
            "unrelated": self.unrelated,
        }


def diff_overview(reference: WitnessText, copy: WitnessText, result: WitnessCollation) -> DiffOverview:
    """The :class:`DiffOverview` of ``copy`` collated against ``reference`` (``result``).

    Shares count characters, not paragraphs, so that a shared dateline or byline between two unrelated
    articles weighs what it is: a few characters of thousands.
    """
    ref_chars = [len(p.text) for p in reference.paragraphs]
    kept = sum(n for n, status in zip(ref_chars, result.strip, strict=False) if status != "dropped")
    copy_chars = sum(len(p.text) for p in copy.paragraphs)
    rendered = sum(len(p.copy_text) for p in result.portions)
    kinds = Counter(f.kind for f in result.findings)
    return DiffOverview(
        reference_paragraphs=len(reference.paragraphs),
        copy_paragraphs=len(copy.paragraphs),
        shared_reference=kept / max(1, sum(ref_chars)),
        shared_copy=min(1.0, rendered / max(1, copy_chars)),
        findings=tuple((k, kinds[k]) for k in KINDS if kinds[k]),
    )


def directed_by_user(result: WitnessCollation) -> WitnessCollation:
    """``result`` with no finding's direction left unknown: in ``dedup diff`` the user named the reference,
    and that word settles which side changed, where two copies in a corpus could not tell."""
    return replace(result, findings=tuple(replace(f, direction=None) for f in result.findings))
