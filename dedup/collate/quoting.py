"""Quoting: findings told in the documents' own text, not in the matching text they were measured on.

Collation compares normalized text (Simplified, ASCII digits and punctuation, pinyin and markup stripped);
a report quotes each document as it is printed (DESIGN.md: normalize for matching, never for display). A
paragraph's matching text is lined up with its raw text (:func:`quote_map`), and every span a finding names
(the copy's text, the reference paragraph, a lost part, an edit) is carried across to the raw text; the
reference paragraph is quoted from the copy that prints it, or is the consensus text where no single copy
does. Only the paragraphs that displayed findings cite are aligned, so a scan pays nothing for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dedup.collate.align import (
    Collation,
    CopyParagraph,
    Finding,
    Portion,
    TextEdit,
    WitnessCollation,
    WitnessText,
)
from dedup.normalize import simplified
from dedup.records import Span

_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WALK_LIMIT = 1_000_000_000  # characters squared: past this, a paragraph is aligned by a greedy walk


@dataclass(frozen=True, slots=True)
class QuoteMap:
    """Where each character of a paragraph's matching text stands in its raw quote.

    ``starts[k]:ends[k]`` is the stretch of ``quote`` that character ``k`` of ``text`` comes from (empty for a
    character normalization added, such as a space between two Latin words of an unwrapped line); raw
    characters normalization removed (pinyin, markup, spaces, jump markers) belong to no character.
    ``starts`` is ``None`` when the two are the same text.
    """

    text: str
    quote: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The raw stretch holding matching characters ``start:end`` (a point, for an empty range).

        >>> m = quote_map("召开会,好", "召開(kāi)會，好")
        >>> m.quote[slice(*m.span(1, 3))], m.quote[slice(*m.span(3, 4))]
        ('開(kāi)會', '，')
        """
        if self.starts is None or self.ends is None:
            start, end = max(0, min(start, len(self.quote))), max(0, min(end, len(self.quote)))
            return start, max(start, end)
        if end <= start or not self.starts:
            at = self.point(start)
            return at, at
        start = max(0, min(start, len(self.starts) - 1))
        last = max(start, min(end, len(self.starts)) - 1)
        return self.starts[start], max(self.starts[start], self.ends[last])

    def point(self, at: int) -> int:
        """The raw offset where an insertion before matching character ``at`` goes (after the text at its end)."""
        if self.starts is None or self.ends is None:
            return max(0, min(at, len(self.quote)))
        if not self.starts:
            return len(self.quote) if at > 0 else 0
        if at <= 0:
            return self.starts[0]
        if at >= len(self.starts):
            return self.ends[-1]
        return self.starts[at]

    def cut(self, start: int, end: int) -> tuple[int, str]:
        """The raw offset and text of matching characters ``start:end``."""
        a, b = self.span(start, end)
        return a, self.quote[a:b]


def _fold(quote: str) -> str:
    """The raw quote brought as near the matching text as one-to-one folds go (Traditional to Simplified,
    full width to ASCII), so that the alignment sees equal characters where normalization changed them."""
    folded = simplified(quote)
    if len(folded) != len(quote):
        folded = quote
    return folded.translate(_WIDTH)


def quote_map(text: str, quote: str) -> QuoteMap:
    """Align a paragraph's matching text to its raw quote (the copy's own text, lines joined).

    Normalization changes characters one to one (script, width) and deletes others (pinyin annotations,
    markup, spaces, jump markers). Both are folded one to one, then aligned with rapidfuzz's Levenshtein
    opcodes: equal and same-length replaced runs map character to character, raw characters the matching
    text lacks belong to no character, and an uneven replacement (an entity, a phrase conversion) shares its
    raw stretch out in proportion.

    >>> m = quote_map("第20届,好", "第２０屆，好")
    >>> m.cut(1, 3), m.cut(3, 5)
    ((1, '２０'), (3, '屆，'))
    """
    if not quote or quote == text:
        return QuoteMap(text, quote or text)
    folded = _fold(quote)
    if folded == text:
        return QuoteMap(text, quote)
    starts = [0] * len(text)
    ends = [0] * len(text)
    if len(text) * len(folded) > _WALK_LIMIT:
        _walk(text, folded, starts, ends)
    else:
        from rapidfuzz.distance import Levenshtein

        for op in Levenshtein.opcodes(text, folded):
            i1, i2, j1, j2 = op.src_start, op.src_end, op.dest_start, op.dest_end
            n, m = i2 - i1, j2 - j1
            for k in range(n):
                if op.tag == "delete":  # matching characters the raw text does not hold
                    starts[i1 + k] = ends[i1 + k] = j1
                elif n == m:
                    starts[i1 + k], ends[i1 + k] = j1 + k, j1 + k + 1
                else:
                    starts[i1 + k], ends[i1 + k] = j1 + k * m // n, j1 + (k + 1) * m // n
    return QuoteMap(text, quote, tuple(starts), tuple(ends))


def _walk(text: str, folded: str, starts: list[int], ends: list[int], window: int = 64) -> None:
    """A linear alignment for paragraphs too long for the quadratic one: step over raw characters the
    matching text lacks until the next few matching characters line up again."""
    i = j = 0
    while i < len(text):
        if j < len(folded) and text[i] == folded[j]:
            starts[i], ends[i] = j, j + 1
            i += 1
            j += 1
            continue
        found = -1
        for size in (4, 2, 1):  # the longest stretch ahead that lines up again, past what was removed
            probe = text[i : i + size]
            found = folded.find(probe, j, j + window + len(probe))
            if found > j:
                break
        if found > j:
            j = found
            continue
        if j < len(folded):  # a changed character: one to one
            starts[i], ends[i] = j, j + 1
            j += 1
        else:
            starts[i] = ends[i] = len(folded)
        i += 1


@dataclass(frozen=True, slots=True)
class ReferenceParagraph:
    """A reference paragraph for quoting.

    Attributes:
        text: its matching text (what the findings were measured on).
        quote: the text as the reference copy prints it; the matching text itself when no copy prints it
            (a consensus paragraph that takes a reading from the majority) or its raw text is not at hand.
        span: where ``quote`` stands, or ``None`` when it is not a copy's own text.
    """

    text: str
    quote: str
    span: Span | None


def witness_reference(witness: WitnessText) -> tuple[ReferenceParagraph, ...]:
    """A witness's paragraphs as the reference, each quoting its own raw text (for ``dedup diff``)."""
    return tuple(_from_copy(p) for p in witness.paragraphs)


def _from_copy(paragraph: CopyParagraph) -> ReferenceParagraph:
    if not paragraph.quote:
        return ReferenceParagraph(paragraph.text, paragraph.text, None)
    return ReferenceParagraph(paragraph.text, paragraph.quote, paragraph.span)


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
        return Span(known[0].path, min(s.start_line for s in known), max(s.end_line for s in known))


def unquoted(finding: Finding) -> QuotedFinding:
    """A finding whose texts are at hand only as matching text: quoted as it stands."""
    edits = tuple(QuotedEdit(e, e.ref, e.copy, e.at, -1) for e in finding.edits)
    ref_from: tuple[Span | None, ...] = () if finding.ref is None else (None,)
    return QuotedFinding(finding, finding.ref_text, ref_from, finding.copy_text, finding.lost, edits)


def _copy_offset(portion: Portion, edit: TextEdit) -> int:
    """Where an edit's copy text starts in the portion's copy paragraph (the edits before it shift it)."""
    shift = 0
    for other in portion.edits:
        if other is edit or other.at >= edit.at:
            break
        shift += len(other.copy) - len(other.ref)
    return portion.copy_start + edit.at + shift


def quote_findings(
    result: WitnessCollation, reference: Sequence[ReferenceParagraph], copy: WitnessText
) -> tuple[QuotedFinding, ...]:
    """Quote a witness's findings from the raw text: the reference side from ``reference`` (see
    :func:`reference_paragraphs`), the copy side from ``copy``'s paragraphs. Only the paragraphs these
    findings cite are aligned."""
    ref_maps: dict[int, QuoteMap] = {}
    copy_maps: dict[int, QuoteMap] = {}

    def ref_map(i: int) -> QuoteMap:
        if i not in ref_maps:
            ref_maps[i] = quote_map(reference[i].text, reference[i].quote)
        return ref_maps[i]

    def copy_map(j: int) -> QuoteMap:
        if j not in copy_maps:
            paragraph = copy.paragraphs[j]
            copy_maps[j] = quote_map(paragraph.text, paragraph.quote or paragraph.text)
        return copy_maps[j]

    out: list[QuotedFinding] = []
    for finding in result.findings:
        if finding.ref is not None and not 0 <= finding.ref < len(reference):
            out.append(unquoted(finding))
            continue
        ref_text: str | None = None
        ref_from: tuple[Span | None, ...] = ()
        if finding.ref is not None:
            indices = finding.ref_paragraphs if finding.kind == "merged" and finding.ref_paragraphs else (finding.ref,)
            ref_text = "\n".join(reference[i].quote for i in indices)
            ref_from = tuple(reference[i].span for i in indices)
        lost = finding.lost
        if lost and finding.ref is not None:
            matching = reference[finding.ref].text
            head = "head" in finding.detail and matching.startswith(lost)
            if head or matching.endswith(lost):
                start = 0 if head else len(matching) - len(lost)
                lost = ref_map(finding.ref).cut(start, start + len(lost))[1]
        edits: tuple[QuotedEdit, ...] = ()
        copy_range: tuple[int, int] | None = None
        portion = _portion_of(finding, result.portions)
        if portion is not None and finding.ref is not None:
            cmap = copy_map(portion.copy_index)
            rmap = ref_map(finding.ref)
            copy_range = cmap.span(portion.copy_start, portion.copy_end)
            quoted: list[QuotedEdit] = []
            for edit in finding.edits:
                ref_at, ref_raw = rmap.cut(edit.at, edit.at + len(edit.ref))
                at = _copy_offset(portion, edit)
                copy_at, copy_raw = cmap.cut(at, at + len(edit.copy))
                quoted.append(QuotedEdit(edit, ref_raw, copy_raw, ref_at, copy_at))
            edits = tuple(quoted)
        elif finding.edits and finding.ref is not None:  # not read off a portion: the reference side only
            rmap = ref_map(finding.ref)
            edits = tuple(_ref_side(e, rmap) for e in finding.edits)
        out.append(QuotedFinding(finding, ref_text, ref_from, finding.copy_text, lost, edits, copy_range))
    return tuple(out)


def _ref_side(edit: TextEdit, rmap: QuoteMap) -> QuotedEdit:
    ref_at, ref_raw = rmap.cut(edit.at, edit.at + len(edit.ref))
    return QuotedEdit(edit, ref_raw, edit.copy, ref_at, -1)


def _portion_of(finding: Finding, portions: Sequence[Portion]) -> Portion | None:
    """The portion a finding's edits were read off (they are the very same edit objects)."""
    if not finding.edits:
        return None
    first = finding.edits[0]
    for portion in portions:
        if portion.ref == finding.ref and any(e is first for e in portion.edits):
            return portion
    return None
