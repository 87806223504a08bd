"""The records of collation: what it reads (a copy's paragraphs), what it finds, and what a report holds.

Collation reads :class:`WitnessText` (each copy's paragraphs in reading order) and returns a
:class:`Collation`; a report pairs each group with its collation in a :class:`GroupReport`. The renderers
read these records only, never the stages that make them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from dedup.records import Span

if TYPE_CHECKING:
    from dedup.collate.quoting import QuotedFinding, ReferenceParagraph
    from dedup.group.grouping import Group
    from dedup.pipeline.scan import ScanResult

FindingKind = Literal[
    "dropped", "added", "reordered", "duplicated", "truncated", "merged", "split", "substituted", "garbled"
]
KINDS: tuple[FindingKind, ...] = (
    "dropped",
    "added",
    "reordered",
    "duplicated",
    "truncated",
    "merged",
    "split",
    "substituted",
    "garbled",
)
CONSENSUS = "consensus"  # the reference id of a collation against the majority text

Direction = Literal["unknown"]
# Kinds whose direction two copies cannot tell: a paragraph one has and the other lacks (dropped or added), a
# move, a changed word. Truncation, duplication and noise show in the damaged copy by itself; merged/split is
# told against the paragraphs as the reference prints them.
UNDIRECTED: tuple[FindingKind, ...] = ("dropped", "added", "reordered", "substituted")

Edge = Literal["head", "tail"]
_NO_OFFSETS: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)


@dataclass(frozen=True, slots=True)
class CopyParagraph:
    """One paragraph of a copy: its matching text, and its own raw text and lines for quoting.

    Attributes:
        path, start_line, end_line: where it stands (1-based, inclusive raw lines).
        text: the matching text collation compares.
        quote: the paragraph as printed (its raw lines, each stripped, joined); empty when the raw text is not
            at hand, and then ``text`` is quoted.
        garbled: character ranges of ``text`` that normalization flagged as noise.
        starts, ends: where each character of ``text`` stands in ``quote``, projected from normalization's
            offset map (see :func:`dedup.collate.quoting.printed`); empty when ``quote`` is. Not compared:
            they follow from the rest, and alignments are cached by paragraph.
        start_char, end_char: its raw character offsets (0-based, end exclusive), where known: a flattened
            page's sentence units share one line.
        flat: a flattened page's line (several sentence units of one raw line read as one paragraph): the page
            printed no paragraph breaks, so it holding several paragraphs of another copy is layout, not a merge.
    """

    path: str
    start_line: int
    end_line: int
    text: str
    quote: str = ""
    garbled: tuple[tuple[int, int], ...] = ()
    starts: npt.NDArray[np.int32] = field(default_factory=lambda: _NO_OFFSETS, compare=False, repr=False)
    ends: npt.NDArray[np.int32] = field(default_factory=lambda: _NO_OFFSETS, compare=False, repr=False)
    start_char: int | None = None
    end_char: int | None = None
    flat: bool = False

    @property
    def span(self) -> Span:
        return Span(self.path, self.start_line, self.end_line, self.start_char, self.end_char)


@dataclass(frozen=True, slots=True)
class WitnessText:
    """A copy ready to collate: its id, where it stands, and its paragraphs in reading order."""

    id: str
    segments: tuple[Span, ...]
    paragraphs: tuple[CopyParagraph, ...]


@dataclass(frozen=True, slots=True)
class TextEdit:
    """One edit turning reference text into copy text.

    Attributes:
        op: ``replace``, ``delete`` (reference text missing from the copy) or ``insert``.
        ref, copy: the reference and copy text of the edit.
        at: offset of ``ref`` in the reference paragraph's matching text.
        layout: only punctuation or spacing changed: no finding.
        number: digits changed (235 -> 253): users check those first.
        name: characters of a word swapped (市县乡 -> 市乡县), as happens to names.
        copy_at: offset of ``copy`` in the copy text the edit was diffed against (a portion's text), so that
            the edit can be found in the copy without replaying the edits before it.
    """

    op: Literal["replace", "delete", "insert"]
    ref: str
    copy: str
    at: int
    layout: bool = False
    number: bool = False
    name: bool = False
    copy_at: int = -1


@dataclass(frozen=True, slots=True)
class Finding:
    """What a copy did to the story at one place.

    Everything a program reads is a field; :attr:`detail` is a sentence made from them, for people.

    Attributes:
        kind: one of :data:`KINDS`.
        ref: reference paragraph index (from 0), or ``None`` for ``added``.
        ref_text: the reference paragraph's text (all of them, joined, for ``merged``).
        copy: where in the copy, or ``None`` for ``dropped``.
        copy_text: the copy's own text there.
        edits: the word edits (``substituted``, ``garbled``), without layout edits.
        lost: for ``truncated``, the reference text the copy lost (matching text).
        survives: for ``truncated``, which edge of the reference paragraph the copy kept: ``tail`` when
            the head is lost (``lost`` is the start of ``ref_text``), ``head`` when the tail is.
        occurrences: for ``duplicated``, every place the paragraph stands; for ``split``, every copy
            paragraph that holds a piece of it.
        ref_paragraphs: for ``merged``, the reference paragraphs in the one copy paragraph; for ``split``,
            the reference paragraph.
        copy_index: for ``substituted`` and ``garbled``, the copy paragraph (index in the witness's
            paragraphs) whose text the edits were read off.
        copy_range: ... and the stretch of that paragraph's matching text that renders the reference
            paragraph; each edit's ``copy_at`` counts from its start.
        direction: ``"unknown"`` when the witnesses cannot tell which copy changed (two copies: either may
            have dropped the paragraph the other has, moved it, or changed the word); ``None`` when the
            finding is told against a reference the witnesses support.
    """

    kind: FindingKind
    ref: int | None
    ref_text: str | None
    copy: Span | None
    copy_text: str | None
    edits: tuple[TextEdit, ...] = ()
    lost: str = ""
    survives: Edge | None = None
    occurrences: tuple[Span, ...] = ()
    ref_paragraphs: tuple[int, ...] = ()
    copy_index: int | None = None
    copy_range: tuple[int, int] | None = None
    direction: Direction | None = None

    @property
    def paragraph(self) -> int | None:
        """The reference paragraph as every report numbers it, from 1 (``ref`` is its place, from 0)."""
        return None if self.ref is None else self.ref + 1

    @property
    def paragraphs(self) -> tuple[int, ...]:
        """:attr:`ref_paragraphs` numbered from 1, as every report prints them."""
        return tuple(i + 1 for i in self.ref_paragraphs)

    @property
    def lost_range(self) -> tuple[int, int] | None:
        """For ``truncated``: where ``lost`` stands in the reference paragraph's matching text.

        >>> Finding("truncated", 0, "一二三四五六", None, "五六", lost="一二三四", survives="tail").lost_range
        (0, 4)
        """
        if self.survives is None or self.ref_text is None:
            return None
        if self.survives == "tail":
            return 0, len(self.lost)
        return len(self.ref_text) - len(self.lost), len(self.ref_text)

    @property
    def detail(self) -> str:
        """A short explanation for people ("the head is lost", "stands 3 times"); never parse it.

        >>> Finding("duplicated", 0, "甲", None, "甲", occurrences=(Span("a", 1, 1), Span("a", 3, 3))).detail
        'stands 2 times'
        """
        kind = self.kind
        if kind == "truncated" and self.survives is not None:
            return f"the {'head' if self.survives == 'tail' else 'tail'} is lost"
        if kind == "split":
            return f"in {len(self.occurrences)} copy paragraphs"
        if kind == "duplicated":
            return f"stands {len(self.occurrences)} times"
        if kind == "merged":
            return f"{len(self.ref_paragraphs)} reference paragraphs in one"
        if kind == "reordered":
            return "out of the reference order"
        if kind in ("substituted", "garbled") and self.edits:
            return f"{len(self.edits)} edit(s)"
        return ""


@dataclass(frozen=True, slots=True)
class Portion:
    """A stretch of one copy paragraph that renders (part of) one reference paragraph.

    ``edits`` turn the reference paragraph's text into ``copy_text`` exactly, layout edits included.
    """

    ref: int
    copy_index: int
    copy_start: int
    copy_end: int
    copy_text: str
    edits: tuple[TextEdit, ...]
    head_lost: int = 0
    tail_lost: int = 0


@dataclass(frozen=True, slots=True)
class WitnessCollation:
    """One copy against the reference: its findings, its portions, and one status per reference paragraph
    (``kept``, ``substituted``, ``garbled``, ``truncated``, ``dropped``, ...) for the coverage strip."""

    witness: str
    findings: tuple[Finding, ...]
    portions: tuple[Portion, ...] = ()
    strip: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Collation:
    """A group collated: the reference text, why it was chosen, and each witness's findings."""

    reference: str
    reason: str
    reference_paragraphs: tuple[str, ...]
    witnesses: tuple[WitnessCollation, ...] = field(default_factory=tuple)


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
        """The reference paragraphs, each quoted from the copy that prints it
        (see :func:`dedup.collate.quoting.reference_paragraphs`)."""
        from dedup.collate.quoting import reference_paragraphs

        return reference_paragraphs(self.collation, self.texts, self.base)

    def quoted(self, witness: str, reference: Sequence[ReferenceParagraph] | None = None) -> tuple[QuotedFinding, ...]:
        """The findings of one witness (by id) with every text quoted from the documents' own raw text.

        ``reference`` (from :meth:`reference`) saves quoting the reference again for each witness.
        """
        from dedup.collate.quoting import quote_findings, unquoted

        result = next(r for r in self.collation.witnesses if r.witness == witness)
        text = next((t for t in self.texts if t.id == witness), None)
        if text is None:
            return tuple(unquoted(f) for f in result.findings)
        return quote_findings(result, self.reference() if reference is None else reference, text)

    def quoted_all(self) -> dict[str, tuple[QuotedFinding, ...]]:
        """:meth:`quoted` for every witness, by id, the reference quoted once."""
        reference = self.reference()
        return {r.witness: self.quoted(r.witness, reference) for r in self.collation.witnesses}


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of :func:`dedup.pipeline.report.report`: the scan, a collation per group, and what the
    run has to say about its arguments (a ``reference`` that is no group's witness: ``dedup.report`` fills it)."""

    scan: ScanResult
    groups: tuple[GroupReport, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CollatedScan:
    """Collations made for a scan's groups elsewhere (``dedup check`` keeps them by group id), with what
    quoting their findings needs: each group as a :class:`GroupReport`.

    A renderer finds a finding's quote by where the finding stands (group, witness, position), never by the
    finding object's identity.
    """

    scan: ScanResult
    groups: dict[str, GroupReport]

    @classmethod
    def of(cls, scan: ScanResult, collations: Mapping[str, Collation]) -> CollatedScan:
        """The groups of ``scan`` that have a collation, their witnesses' texts rebuilt for quoting."""
        from dedup.collate.witnesses import group_report

        groups = {
            g.id: group_report(g, collations[g.id], scan.documents, scan.config)
            for g in scan.groups
            if g.id in collations
        }
        return cls(scan, groups)

    def quoted(self, group: str, witness: str) -> tuple[QuotedFinding, ...]:
        """The findings of one witness of one group, quoted (empty if the group has no collation)."""
        report = self.groups.get(group)
        return () if report is None else report.quoted(witness)

    def quoted_in(self, path: str, findings: Sequence[Finding]) -> list[QuotedFinding | None]:
        """``findings`` (a drop document's, taken in group and witness order from the witnesses that hold the
        document ``path``) quoted, each matched in that same order; ``None`` where one is not found."""
        held: list[QuotedFinding] = []
        for group in self.scan.groups:
            if group.id not in self.groups:
                continue
            for witness in group.witnesses:
                if any(self.scan.documents[p.doc].path == path for p in witness.passages):
                    held.extend(self.quoted(group.id, witness.id))
        out: list[QuotedFinding | None] = []
        cursor = 0
        for finding in findings:
            at = next((k for k in range(cursor, len(held)) if held[k].finding == finding), None)
            out.append(None if at is None else held[at])
            cursor = cursor if at is None else at + 1
        return out
