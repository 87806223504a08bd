"""Quoting: findings told in the documents' own text, not in the matching text they were measured on.

Collation compares normalized text (Simplified, ASCII digits and punctuation, pinyin and markup stripped);
a report quotes each document as it is printed (normalize for matching, never for display).
Normalization keeps, for every matching character, the raw character it comes from
(:mod:`dedup.normalize.textmap`), and segmentation hands each paragraph its slice of that map; so every span a
finding names (the copy's text, the reference paragraph, a lost part, an edit) is *projected* onto the
printed text, never re-aligned. The reference paragraph is quoted from the copy that prints it, or is the
consensus text where no single copy does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from dedup.collate.records import (
    Collation,
    CopyParagraph,
    Finding,
    TextEdit,
    WitnessCollation,
    WitnessText,
)
from dedup.normalize.unwrap import needs_space
from dedup.records import Span

Offsets = npt.NDArray[np.int32]


def printed(raw: str, start: int, end: int, origin: Offsets) -> tuple[str, Offsets, Offsets]:
    """A paragraph as printed, and where each of its matching characters stands in it.

    The printed text is the raw lines ``raw[start:end]``, each stripped, joined (a wrapped page reads as one
    paragraph; Latin words wrapped apart keep the space unwrapping puts between them, as
    :func:`~dedup.normalize.unwrap.printed_lines` prints them). ``origin`` gives each matching character's
    raw offset (from normalization); the character stands at ``starts[k]:ends[k]`` of the printed text: one
    character, or an empty point where it has no raw character of its own (a character normalization
    inserted, or the second of several that replaced one raw stretch) or its raw character is not printed (a
    line break it was unwrapped from).

    >>> text, starts, ends = printed("召開(kāi)\\n 會議", 0, 11, np.array([0, 1, 7, 9, 10], dtype=np.int32))
    >>> text, [text[s:e] for s, e in zip(starts, ends)]
    ('召開(kāi)會議', ['召', '開', '', '會', '議'])
    """
    stretch = raw[start:end]
    keep = np.zeros(len(stretch) + 1, dtype=np.int32)
    pos = 0
    kept: list[str] = []
    for piece in stretch.splitlines(keepends=True):
        line = piece.splitlines()[0] if piece.splitlines() else ""
        lead = len(line) - len(line.lstrip())
        if kept and line.strip() and needs_space(kept[-1], line.strip()):  # Latin words wrapped apart
            keep[pos - 1] = 1  # the line break before this line is printed as the space unwrapping put there
            kept.append(" ")
        keep[pos + lead : pos + lead + len(line.strip())] = 1
        if line.strip():
            kept.append(line.strip())
        pos += len(piece)
    before = np.concatenate([np.zeros(1, dtype=np.int32), np.cumsum(keep, dtype=np.int32)])
    text = "".join(kept)
    at = np.clip(origin.astype(np.int64) - start, 0, len(stretch))
    starts = before[at].astype(np.int32)
    own = keep[at].astype(bool)
    if len(origin) > 1:
        own[1:] &= origin[1:] != origin[:-1]
    ends = (starts + own).astype(np.int32)
    # A character without a raw character of its own stands right after the one before it.
    for k in np.flatnonzero(~own):
        if k > 0:
            starts[k] = ends[k] = ends[k - 1]
    return text, starts, ends


@dataclass(frozen=True, slots=True)
class QuoteMap:
    """Where each character of a paragraph's matching text stands in its printed quote.

    ``starts[k]:ends[k]`` is the stretch of ``quote`` that character ``k`` of ``text`` comes from (see
    :func:`printed`); raw characters normalization removed (pinyin, markup, spaces, jump markers) belong to
    no character. ``starts`` is ``None`` when the quote is the matching text itself.
    """

    text: str
    quote: str
    starts: Offsets | None = None
    ends: Offsets | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The printed stretch holding matching characters ``start:end`` (a point, for an empty range).

        >>> text, starts, ends = printed("召開(kāi)會，好", 0, 10, np.array([0, 1, 7, 8, 9], dtype=np.int32))
        >>> m = QuoteMap("召开会,好", text, starts, ends)
        >>> m.quote[slice(*m.span(1, 3))], m.quote[slice(*m.span(3, 4))]
        ('開(kāi)會', '，')
        """
        if self.starts is None or self.ends is None:
            start, end = max(0, min(start, len(self.quote))), max(0, min(end, len(self.quote)))
            return start, max(start, end)
        if end <= start or not len(self.starts):
            at = self.point(start)
            return at, at
        start = max(0, min(start, len(self.starts) - 1))
        last = max(start, min(end, len(self.starts)) - 1)
        first = int(self.starts[start])
        return first, max(first, int(self.ends[last]))

    def point(self, at: int) -> int:
        """The printed offset where an insertion before matching character ``at`` goes (after the text at its
        end)."""
        if self.starts is None or self.ends is None:
            return max(0, min(at, len(self.quote)))
        if not len(self.starts):
            return len(self.quote) if at > 0 else 0
        if at <= 0:
            return int(self.starts[0])
        if at >= len(self.starts):
            return int(self.ends[-1])
        return int(self.starts[at])

    def cut(self, start: int, end: int) -> tuple[int, str]:
        """The printed offset and text of matching characters ``start:end``."""
        a, b = self.span(start, end)
        return a, self.quote[a:b]


def quote_map(paragraph: CopyParagraph | ReferenceParagraph) -> QuoteMap:
    """The map of a paragraph's matching text onto its printed quote, as normalization made it."""
    quote = paragraph.quote or paragraph.text
    if quote == paragraph.text or len(paragraph.starts) != len(paragraph.text):
        return QuoteMap(paragraph.text, quote)
    return QuoteMap(paragraph.text, quote, paragraph.starts, paragraph.ends)


_NONE = np.zeros(0, dtype=np.int32)


@dataclass(frozen=True, slots=True)
class ReferenceParagraph:
    """A reference paragraph for quoting.

    Attributes:
        text: its matching text (what the findings were measured on).
        quote: the text as the reference copy prints it; the matching text itself when no copy prints it
            (a consensus paragraph that takes a reading from the majority) or its raw text is not at hand.
        span: where ``quote`` stands, or ``None`` when it is not a copy's own text.
        starts, ends: where each matching character stands in ``quote`` (see :func:`printed`).
    """

    text: str
    quote: str
    span: Span | None
    starts: Offsets = field(default_factory=lambda: _NONE, compare=False, repr=False)
    ends: Offsets = field(default_factory=lambda: _NONE, compare=False, repr=False)


def witness_reference(witness: WitnessText) -> tuple[ReferenceParagraph, ...]:
    """A witness's paragraphs as the reference, each quoting its own raw text (for ``dedup diff``)."""
    return tuple(_from_copy(p) for p in witness.paragraphs)


def _from_copy(paragraph: CopyParagraph) -> ReferenceParagraph:
    if not paragraph.quote:
        return ReferenceParagraph(paragraph.text, paragraph.text, None)
    return ReferenceParagraph(paragraph.text, paragraph.quote, paragraph.span, paragraph.starts, paragraph.ends)


def reference_paragraphs(
    collation: Collation, texts: Sequence[WitnessText], base: int | None
) -> tuple[ReferenceParagraph, ...]:
    """The reference paragraphs of a collation, quoted.

    A witness reference quotes its own paragraphs. A consensus paragraph quotes the base copy's paragraph
    whose matching text it equals (looked for in order, from where the last one stood); one that differs
    from every base paragraph (a reading taken from the majority) has no single raw source and stays the
    consensus text, with no span.
    """
    paragraphs = collation.reference_paragraphs
    if base is None or not 0 <= base < len(texts):
        return tuple(ReferenceParagraph(t, t, None) for t in paragraphs)
    own = texts[base].paragraphs
    if len(own) == len(paragraphs) and all(p.text == t for p, t in zip(own, paragraphs, strict=True)):
        return tuple(_from_copy(p) for p in own)
    out: list[ReferenceParagraph] = []
    cursor = 0
    for text in paragraphs:
        found = next((k for k in range(cursor, len(own)) if own[k].text == text), None)
        if found is None:
            found = next((k for k in range(cursor) if own[k].text == text), None)
        else:
            cursor = found + 1
        out.append(ReferenceParagraph(text, text, None) if found is None else _from_copy(own[found]))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class QuotedEdit:
    """An edit as the two documents print it.

    Attributes:
        edit: the edit found on the matching text.
        ref, copy: the reference's and the copy's own text of the edit (``ref`` is the consensus text where
            the reference paragraph is).
        ref_at: offset of ``ref`` in the finding's quoted ``ref_text``.
        copy_at: offset of ``copy`` in the finding's ``copy_text``.
    """

    edit: TextEdit
    ref: str
    copy: str
    ref_at: int
    copy_at: int


@dataclass(frozen=True, slots=True)
class QuotedFinding:
    """A finding with every text it cites quoted from the documents' own text.

    Attributes:
        finding: the finding, as collation found it on matching text.
        ref_text: the reference paragraph as printed (for ``merged``, each one, joined by newlines), or the
            consensus text where no copy prints it; ``None`` for ``added``.
        ref_from: where each reference paragraph of ``ref_text`` stands; ``None`` for a consensus text.
        copy_text: the copy's own text of the paragraph (``finding.copy_text``).
        lost: for ``truncated``, the part lost, as the reference prints it.
        edits: ``finding.edits``, as printed.
        copy_range: the stretch of ``copy_text`` that renders the reference paragraph (all of it, unless
            the paragraph holds several).
    """

    finding: Finding
    ref_text: str | None
    ref_from: tuple[Span | None, ...]
    copy_text: str | None
    lost: str = ""
    edits: tuple[QuotedEdit, ...] = ()
    copy_range: tuple[int, int] | None = None

    @property
    def quoted_from(self) -> Span | None:
        """Where ``ref_text`` is quoted from: the lines of the reference copy that hold it, or ``None`` when it
        is not (all) one copy's own text in one file (a consensus reading)."""
        spans = self.ref_from
        if not spans or any(s is None for s in spans):
            return None
        known = [s for s in spans if s is not None]
        if len({s.path for s in known}) != 1:
            return None
        starts = [s.start_char for s in known if s.start_char is not None]
        ends = [s.end_char for s in known if s.end_char is not None]
        chars = (min(starts), max(ends)) if len(starts) == len(ends) == len(known) else (None, None)
        return Span(known[0].path, min(s.start_line for s in known), max(s.end_line for s in known), *chars)


def unquoted(finding: Finding) -> QuotedFinding:
    """A finding whose texts are at hand only as matching text: quoted as it stands."""
    edits = tuple(QuotedEdit(e, e.ref, e.copy, e.at, -1) for e in finding.edits)
    ref_from: tuple[Span | None, ...] = () if finding.ref is None else (None,)
    return QuotedFinding(finding, finding.ref_text, ref_from, finding.copy_text, finding.lost, edits)


def quote_findings(
    result: WitnessCollation, reference: Sequence[ReferenceParagraph], copy: WitnessText
) -> tuple[QuotedFinding, ...]:
    """Quote a witness's findings from the raw text: the reference side from ``reference`` (see
    :func:`reference_paragraphs`), the copy side from ``copy``'s paragraphs."""
    return tuple(quote_finding(f, reference, copy) for f in result.findings)


def quote_finding(finding: Finding, reference: Sequence[ReferenceParagraph], copy: WitnessText) -> QuotedFinding:
    """One finding quoted: every matching-text span it names projected onto the printed text."""
    if finding.ref is None:
        return QuotedFinding(finding, None, (), finding.copy_text, finding.lost)
    if not 0 <= finding.ref < len(reference):
        return unquoted(finding)
    indices = finding.ref_paragraphs if finding.kind == "merged" and finding.ref_paragraphs else (finding.ref,)
    ref_text = "\n".join(reference[i].quote for i in indices)
    ref_from = tuple(reference[i].span for i in indices)
    rmap = quote_map(reference[finding.ref])
    lost = finding.lost
    where = finding.lost_range
    if where is not None:
        lost = rmap.cut(*where)[1]
    edits: tuple[QuotedEdit, ...] = ()
    copy_range: tuple[int, int] | None = None
    if (
        finding.copy_index is not None
        and finding.copy_range is not None
        and 0 <= finding.copy_index < len(copy.paragraphs)
    ):
        cmap = quote_map(copy.paragraphs[finding.copy_index])
        start, end = finding.copy_range
        copy_range = cmap.span(start, end)
        quoted: list[QuotedEdit] = []
        for edit in finding.edits:
            ref_at, ref_raw = rmap.cut(edit.at, edit.at + len(edit.ref))
            at = start + edit.copy_at
            copy_at, copy_raw = cmap.cut(at, at + len(edit.copy))
            quoted.append(QuotedEdit(edit, ref_raw, copy_raw, ref_at, copy_at))
        edits = tuple(quoted)
    elif finding.edits:  # not read off a copy paragraph: the reference side only
        edits = tuple(_ref_side(e, rmap) for e in finding.edits)
    return QuotedFinding(finding, ref_text, ref_from, finding.copy_text, lost, edits, copy_range)


def _ref_side(edit: TextEdit, rmap: QuoteMap) -> QuotedEdit:
    ref_at, ref_raw = rmap.cut(edit.at, edit.at + len(edit.ref))
    return QuotedEdit(edit, ref_raw, edit.copy, ref_at, -1)
