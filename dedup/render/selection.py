"""What a report shows and in what order: the corpus summary, the sort key and the filters of ``dedup report``.

A real corpus gives hundreds of groups (883 files gave 337), so a report that prints them in discovery order
with one count line on top cannot be read. This module is the one place that decides which groups and
findings a report holds (:func:`select`) and what the corpus held in total (:func:`summarize`), so that the
table and the JSON formats can never show different things for the same options.

Selecting works on the records, never on rendered text: a filtered :class:`~dedup.collate.records.Report` is an
ordinary report, with fewer groups and, for ``--kind``, fewer findings per copy (the coverage strips are kept,
since they say what happened to every paragraph, which is context, not a finding).
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from dataclasses import dataclass, replace
from enum import StrEnum

from rich.cells import cell_len

from dedup.collate.records import KINDS, FindingKind, GroupReport, Report
from dedup.render.controls import visible
from dedup.results import Group, ScanResult

HEADLINE_CELLS = 24  # terminal cells of a headline: about twelve Chinese characters, the first words of a lead


class SortKey(StrEnum):
    """How groups are ordered: ``size`` (most copies first), ``damage`` (most findings first), ``name``
    (by headline)."""

    size = "size"
    damage = "damage"
    name = "name"


@dataclass(frozen=True, slots=True)
class Selection:
    """The groups and findings a report shows, as ``dedup report``'s options ask.

    Attributes:
        sort: the order of the groups.
        group: only the group with this id (``--group``).
        kinds: only these finding kinds, and only groups with one of them (``--kind``); empty: all kinds.
        min_copies: only groups of at least this many copies (``--min-copies``).
        path: only groups with a copy in a file matching this glob (``--path``, fnmatch, ``*`` crosses ``/``).
        summary: the summary alone, no group (``--summary``).
    """

    sort: SortKey = SortKey.size
    group: str | None = None
    kinds: tuple[FindingKind, ...] = ()
    min_copies: int = 0
    path: str | None = None
    summary: bool = False


@dataclass(frozen=True, slots=True)
class Summary:
    """What the whole corpus held, printed before any group (and given as ``summary`` in JSON).

    Attributes:
        documents: documents read.
        skipped: inputs that could not be read (each is listed on stderr with its reason).
        groups: number of groups found.
        sizes: groups by number of copies, smallest size first: ``((2, 40), (3, 7))``.
        copies: copies in all groups together.
        findings: findings by kind over all groups, in :data:`~dedup.collate.records.KINDS` order, kinds
            never seen left out.
        shown: groups the filters kept (equal to ``groups`` when none was given).
    """

    documents: int
    skipped: int
    groups: int
    sizes: tuple[tuple[int, int], ...]
    copies: int
    findings: tuple[tuple[str, int], ...] = ()
    shown: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "skipped": self.skipped,
            "groups": self.groups,
            "groups_by_size": {str(size): count for size, count in self.sizes},
            "copies": self.copies,
            "findings": dict(self.findings),
            "shown": self.shown,
        }


def headline(text: str, cells: int = HEADLINE_CELLS) -> str:
    """The first words of a paragraph, at most ``cells`` terminal cells, control characters spelled out.

    >>> headline("国务院常务会议部署进一步稳定和扩大就业的政策措施", 12)
    '国务院常务…'
    >>> headline("short")
    'short'
    """
    text = visible(" ".join(text.split()))
    if cell_len(text) <= cells:
        return text
    out = ""
    for char in text:
        if cell_len(out + char) > cells - 1:
            break
        out += char
    return out + "…"


def report_headline(group: GroupReport) -> str:
    """The headline of a collated group: the first words of its reference's first paragraph."""
    paragraphs = group.collation.reference_paragraphs
    return headline(paragraphs[0]) if paragraphs else ""


def scan_headline(result: ScanResult, group: Group) -> str:
    """The headline of a scanned group: the first words of its reference copy's first paragraph.

    A scan lets go of paragraph text (a slim scan keeps spans only, a quarter of a large run's memory), so
    the line is read again from the file, in the encoding the scan detected; an input that is no plain file
    (``-``, ``FILE#ID``) or is markup (HTML, whose first line is a tag) gets no headline rather than a wrong one.
    """
    witness = next((w for w in group.witnesses if w.id == group.reference), group.witnesses[0])
    passage, segment = witness.passages[0], witness.segments[0]
    document = result.documents[passage.doc]
    paragraphs = document.paragraphs
    if passage.first < len(paragraphs) and paragraphs[passage.first].text:
        return headline(paragraphs[passage.first].text)
    if document.format not in ("text", "markdown"):
        return ""
    try:
        with open(segment.path, encoding=document.encoding, errors="replace") as file:
            for number, line in enumerate(file, 1):
                if number >= segment.start_line and line.strip():
                    return headline(line.strip().lstrip("#").strip())
    except (OSError, LookupError):
        return ""
    return ""


def damage(group: GroupReport) -> int:
    """The findings of a group over all its copies: the ``damage`` sort key."""
    return sum(len(w.findings) for w in group.collation.witnesses)


def _holds_path(group: Group, pattern: str) -> bool:
    return any(fnmatch.fnmatchcase(s.path, pattern) for w in group.witnesses for s in w.segments)


def _only_kinds(group: GroupReport, kinds: tuple[FindingKind, ...]) -> GroupReport:
    witnesses = tuple(
        replace(w, findings=tuple(f for f in w.findings if f.kind in kinds)) for w in group.collation.witnesses
    )
    return replace(group, collation=replace(group.collation, witnesses=witnesses))


def select(report: Report, selection: Selection) -> Report:
    """The report with only the groups (and findings) ``selection`` asks for, in its order.

    Ties keep the scan's order, so the same corpus always prints the same way.
    """
    groups: list[GroupReport] = []
    for group in report.groups:
        if selection.group is not None and group.group.id != selection.group:
            continue
        if len(group.group.witnesses) < selection.min_copies:
            continue
        if selection.path is not None and not _holds_path(group.group, selection.path):
            continue
        if selection.kinds:
            group = _only_kinds(group, selection.kinds)
            if not damage(group):
                continue
        groups.append(group)
    if selection.sort == SortKey.name:
        groups.sort(key=report_headline)
    elif selection.sort == SortKey.damage:
        groups.sort(key=lambda g: (-damage(g), -len(g.group.witnesses)))
    else:
        groups.sort(key=lambda g: (-len(g.group.witnesses), -damage(g)))
    return replace(report, groups=tuple(groups))


def select_scan(result: ScanResult, selection: Selection) -> ScanResult:
    """The scan with only the groups ``selection`` asks for (a scan has no findings: ``damage`` sorts by size,
    and ``kinds`` is not asked of a scan)."""
    groups = [
        g
        for g in result.groups
        if (selection.group is None or g.id == selection.group)
        and len(g.witnesses) >= selection.min_copies
        and (selection.path is None or _holds_path(g, selection.path))
    ]
    if selection.sort == SortKey.name:
        groups.sort(key=lambda g: scan_headline(result, g))
    else:
        groups.sort(key=lambda g: -len(g.witnesses))
    return replace(result, groups=tuple(groups))


def summarize(
    scan: ScanResult, groups: tuple[Group, ...], reports: tuple[GroupReport, ...] = (), shown: int = 0
) -> Summary:
    """The corpus in numbers: documents, skipped inputs, groups by size, copies and (given the collated
    ``reports``) findings by kind, over every group found, whatever the filters keep (``shown`` of them)."""
    sizes = Counter(len(g.witnesses) for g in groups)
    kinds = Counter(f.kind for r in reports for w in r.collation.witnesses for f in w.findings)
    return Summary(
        documents=int(scan.stats.get("documents", len(scan.documents))),
        skipped=int(scan.stats.get("skipped", 0)),
        groups=len(groups),
        sizes=tuple(sorted(sizes.items())),
        copies=sum(len(g.witnesses) for g in groups),
        findings=tuple((k, kinds[k]) for k in KINDS if kinds[k]),
        shown=shown,
    )


def report_summary(full: Report, shown: Report) -> Summary:
    """:func:`summarize` for a report, ``shown`` being what :func:`select` kept of ``full``."""
    return summarize(full.scan, tuple(g.group for g in full.groups), full.groups, len(shown.groups))


def scan_summary(full: ScanResult, shown: ScanResult) -> Summary:
    """:func:`summarize` for a scan, ``shown`` being what :func:`select_scan` kept of ``full``."""
    return summarize(full, full.groups, (), len(shown.groups))
