"""Findings for people: one entry per copy paragraph, as excerpts, whole (``--full``) or in two columns
(``--side-by-side``).

An entry gathers every finding about one copy paragraph (a paragraph merged, moved, cut and reworded is one
entry, not four with the same excerpt), says where it is and what kinds it carries, then shows what changed
once. Findings quote the documents' own text (:class:`~dedup.collate.quoting.QuotedFinding`): an edit is
marked on the copy's text as printed, the reference's words struck out before the copy's, and a dropped
paragraph is quoted from the reference copy with its file and lines. Where colour alone would carry meaning
(removed and added text), plain output marks it in wdiff style instead, ``[-正向-]{+导向+}``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.box import SIMPLE_HEAD
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dedup.collate.quoting import QuotedFinding, unquoted
from dedup.collate.records import KINDS, Finding, TextEdit
from dedup.render.controls import visible
from dedup.render.strip import FINDING_STYLE, UNKNOWN_DIRECTION, laid_out_width

CONTEXT = 12  # characters of unchanged text shown around an edit
MARK_CHARS = 2 * CONTEXT  # characters of a removed or added stretch shown in an excerpt (a garbled run is long)
EXCERPT_CELLS = 60  # terminal cells of a paragraph shown as an excerpt (about thirty Chinese characters)
SIDE_BY_SIDE_CELLS = 100  # the narrowest console for two columns: under 45 cells a column reads as a ribbon


@dataclass(frozen=True, slots=True)
class View:
    """How findings are shown.

    Attributes:
        full: whole paragraphs instead of excerpts (``--full``).
        side_by_side: the reference's and the copy's paragraphs in two columns (``--side-by-side``), whole.
    """

    full: bool = False
    side_by_side: bool = False


#: The default view: excerpts, one under the other.
EXCERPTS = View()


def fitted(view: View, console: Console, note: Callable[[str], None]) -> View:
    """``view`` as ``console`` can show it: two columns need :data:`SIDE_BY_SIDE_CELLS`; below that the
    paragraphs stand one under the other, whole, and ``note`` says why (on stderr)."""
    width = laid_out_width(console)
    if not view.side_by_side or width >= SIDE_BY_SIDE_CELLS:
        return view
    note(
        f"--side-by-side needs {SIDE_BY_SIDE_CELLS} columns and there are {width}:"
        " showing whole paragraphs one under the other"
    )
    return View(full=True)


def is_plain(console: Console) -> bool:
    """Whether the console prints without colour (``NO_COLOR``, or not a terminal): then every difference
    that colour would show must be spelled out in the text."""
    return console.no_color or console.color_system is None


def _clipped(text: str, full: bool, chars: int = MARK_CHARS) -> str:
    return text if full or len(text) <= chars else text[:chars] + "…"


def _removed(text: str, plain: bool) -> Text:
    text = visible(text, lines=True)
    return Text(f"[-{text}-]" if plain else text, style="red strike")


def _added(text: str, plain: bool) -> Text:
    text = visible(text, lines=True)
    return Text(f"{{+{text}+}}" if plain else text, style="green")


# One mark on a text: at ``at``, ``length`` characters of it stand for ``removed`` then ``added``.
_Mark = tuple[int, int, str, str, TextEdit]


def _marked(
    text: str, marks: Sequence[_Mark], start: int, end: int, context: int | None, plain: bool, flags: bool = True
) -> Text:
    """``text[start:end]`` with each mark shown as removed and added text; with a ``context`` (an excerpt),
    long unchanged stretches are cut to it and long marks to :data:`MARK_CHARS`, ``None`` shows it all.
    ``flags`` puts ⚑ after a changed number or name (once: not on the reference's side of two columns)."""
    full = context is None
    out = Text()
    cursor = start
    for at, length, removed, added, edit in sorted(marks, key=lambda m: m[0]):
        gap = text[cursor : max(cursor, at)]
        if context is not None and cursor == start and len(gap) > context:
            gap = "…" + gap[-context:]
        elif context is not None and len(gap) > 2 * context:
            gap = gap[:context] + " … " + gap[-context:]
        out.append(visible(gap, lines=True), style="dim")
        if removed:
            out.append_text(_removed(_clipped(removed, full), plain))
        if added:
            out.append_text(_added(_clipped(added, full), plain))
        if flags and (edit.number or edit.name):
            out.append("⚑" + ("number" if edit.number else "name"), style="bold red")
        cursor = max(cursor, at + length)
    tail = text[cursor:end]
    out.append(visible(tail if full or len(tail) <= (context or 0) else tail[:context] + "…", lines=True), style="dim")
    return out


def _copy_marks(quotes: Sequence[QuotedFinding]) -> tuple[str, list[_Mark], int, int] | None:
    """The copy's text and every edit of ``quotes`` placed on it, when they all quote the same copy text."""
    texts = {q.copy_text for q in quotes}
    ranges = [q.copy_range for q in quotes]
    if len(texts) != 1 or None in texts or None in ranges or any(e.copy_at < 0 for q in quotes for e in q.edits):
        return None
    marks = [(e.copy_at, len(e.copy), e.ref, e.copy, e.edit) for q in quotes for e in q.edits]
    known = [r for r in ranges if r is not None]
    return texts.pop() or "", marks, min(r[0] for r in known), max(r[1] for r in known)


def quoted_diff(quoted: QuotedFinding, context: int | None = CONTEXT, plain: bool = False) -> Text:
    """The copy's own text of the finding, each edit marked on it: the reference's words (as the reference
    prints them) struck out, then the copy's. Where the copy side of an edit is not known, the reference's
    text carries the marks instead. ``context=None`` shows the whole paragraph.

    >>> from dedup.collate.records import Finding
    >>> from dedup.collate.quoting import QuotedEdit
    >>> edit = TextEdit("replace", "20", "21", 3, number=True)
    >>> finding = Finding("substituted", 0, "召开第20届会议,", None, "召開第２１屆會議，", (edit,))
    >>> quoted = QuotedFinding(finding, "召开第２０届会议，", (None,), finding.copy_text,
    ...                        edits=(QuotedEdit(edit, "２０", "２１", 3, 3),), copy_range=(0, 9))
    >>> quoted_diff(quoted, plain=True).plain
    '召開第[-２０-]{+２１+}⚑number屆會議，'
    """
    on_copy = _copy_marks([quoted])
    if on_copy is not None:
        text, marks, start, end = on_copy
        return _marked(
            text, marks, 0 if context is None else start, len(text) if context is None else end, context, plain
        )
    ref_text = quoted.ref_text or ""
    marks = [(e.ref_at, len(e.ref), e.ref, e.copy, e.edit) for e in quoted.edits]
    return _marked(ref_text, marks, 0, len(ref_text), context, plain)


def _short(text: str | None, full: bool = False, width: int = EXCERPT_CELLS) -> str:
    """``text`` on one line, cut to ``width`` cells unless ``full`` (then whole, its line breaks kept)."""
    if full:
        return visible(text or "", lines=True)
    text = visible((text or "").replace("\n", " "))
    return text if cell_len(text) <= width else text[: width // 2] + "…"


Quoted = tuple[Finding, QuotedFinding]


def entries(findings: Sequence[Finding], quotes: Sequence[QuotedFinding | None]) -> list[list[Quoted]]:
    """The findings gathered by the copy paragraph they are about, in the order of each one's first finding.

    A copy paragraph that merges two reference paragraphs, moved and reworded, has five findings; printed
    one by one it stood five times with the same excerpt. A dropped paragraph has no copy paragraph and
    stands alone.
    """
    gathered: dict[object, list[Quoted]] = {}
    for finding, quote in zip(findings, quotes, strict=True):
        key: object = finding.copy if finding.copy is not None else ("dropped", finding.ref, len(gathered))
        gathered.setdefault(key, []).append((finding, quote if quote is not None else unquoted(finding)))
    return list(gathered.values())


def _paragraphs(numbers: Sequence[int]) -> str:
    return " ".join(f"¶{n + 1}" for n in sorted(set(numbers)))


def _refs(finding: Finding) -> tuple[int, ...]:
    return finding.ref_paragraphs or (() if finding.ref is None else (finding.ref,))


def _occurrences(finding: Finding) -> str:
    """Where a duplicated or split paragraph stands: line ranges, the file named once when it is the copy's."""
    path = finding.copy.path if finding.copy is not None else None
    spans = [f"{s.start_line}-{s.end_line}" if s.path == path else str(s) for s in finding.occurrences]
    return visible(", ".join(spans))


def _kind_lines(entry: Sequence[Quoted]) -> list[Text]:
    """One line per kind in the entry: the kind, the reference paragraphs it concerns, its details."""
    lines = []
    for kind in KINDS:
        found = [f for f, _ in entry if f.kind == kind]
        if not found:
            continue
        line = Text("    ")
        line.append(f"{kind:<12}", style=FINDING_STYLE[kind])
        line.append(*UNKNOWN_DIRECTION if any(f.direction == "unknown" for f in found) else (" ", ""))
        refs = _paragraphs([r for f in found for r in _refs(f)])
        line.append(f" {refs}" if refs else "")
        located = kind in ("duplicated", "split")  # where each piece stands, lines only in the copy's own file
        details = dict.fromkeys(f"{f.detail}: {_occurrences(f)}" if located else f.detail for f in found)
        details.pop("", None)
        if details:
            line.append("  " + visible("; ".join(details)), style="dim")
        lines.append(line)
    return lines


def _entry_head(entry: Sequence[Quoted]) -> Text:
    """Where the entry's copy paragraph is, or, for a dropped one, where the reference prints it."""
    finding, quoted = entry[0]
    head = Text("  ")
    refs = _paragraphs([r for f, _ in entry for r in _refs(f)])
    head.append(refs or "added", style="bold")
    if finding.copy is not None:
        head.append(f"  {visible(str(finding.copy))}", style="dim")
    elif quoted.ref_from and quoted.quoted_from is not None:
        head.append(f"  reference {visible(str(quoted.quoted_from))}", style="dim")
    if any(q.ref_from and q.quoted_from is None and f.ref is not None for f, q in entry):
        head.append("  against the consensus text", style="dim")
    return head


def _stacked_body(entry: Sequence[Quoted], full: bool, plain: bool) -> list[Text]:
    """What changed, once for the whole entry: what was cut, then the copy's text with every edit marked on
    it (or the dropped paragraph, struck out)."""
    context = None if full else CONTEXT
    body = [_removed(_short(q.lost or f.lost, full, 40), plain) for f, q in entry if f.kind == "truncated"]
    edited = [q for f, q in entry if f.kind in ("substituted", "garbled") and f.ref_text is not None and q.edits]
    on_copy = _copy_marks(edited) if edited else None
    if on_copy is not None:
        text, marks, start, end = on_copy
        body.append(_marked(text, marks, 0 if full else start, len(text) if full else end, context, plain))
    elif edited:
        body.extend(quoted_diff(q, context, plain) for q in edited)
    finding, quoted = entry[0]
    if finding.copy is None:
        body.append(_removed(_short(quoted.ref_text or finding.ref_text, full), plain))
    elif not edited:
        style = "" if all(f.kind in ("added", "garbled") for f, _ in entry) else "dim"
        text = _short(quoted.copy_text or finding.copy_text, full)
        body.append(_added(text, plain) if not style else Text(text, style=style))
    return body


def _side_by_side(entry: Sequence[Quoted], plain: bool) -> Table:
    """The reference's paragraphs and the copy's paragraph in two columns, whole, each edit marked on both
    sides: struck out on the left, added on the right."""
    finding = entry[0][0]
    table = Table(box=SIMPLE_HEAD, pad_edge=False, expand=True, show_edge=False, header_style="dim")
    table.add_column("reference " + _paragraphs([r for f, _ in entry for r in _refs(f)]), ratio=1, overflow="fold")
    table.add_column("copy " + (visible(str(finding.copy)) if finding.copy else "(none)"), ratio=1, overflow="fold")
    left = Text()
    texts: list[str] = []
    ordered = sorted(entry, key=lambda fq: fq[0].kind not in ("substituted", "garbled"))
    for f, q in ordered:
        text = q.ref_text or f.ref_text
        if text is None or any(text in seen for seen in texts):
            continue
        texts.append(text)
        marks = [(e.ref_at, len(e.ref), e.ref, "", e.edit) for e in q.edits] if f.kind != "truncated" else []
        if f.kind == "truncated" and f.lost_range is not None and q.lost:
            at = text.find(q.lost)
            marks = [(at, len(q.lost), q.lost, "", TextEdit("delete", q.lost, "", at))] if at >= 0 else []
        left.append("\n\n" if left else "")
        left.append_text(_marked(text, marks, 0, len(text), None, plain, flags=False))
    right = Text()
    edited = [q for f, q in entry if f.kind in ("substituted", "garbled") and q.edits]
    on_copy = _copy_marks(edited) if edited else None
    copy_text = entry[0][1].copy_text or finding.copy_text
    if on_copy is not None:
        text, marks, _, _ = on_copy
        right = _marked(text, [(at, n, "", added, e) for at, n, _, added, e in marks], 0, len(text), None, plain)
    elif copy_text is not None:
        right = Text(visible(copy_text, lines=True))
    table.add_row(left, right)
    return table


def render_entries(
    console: Console,
    findings: Sequence[Finding],
    quotes: Sequence[QuotedFinding | None] | None = None,
    view: View = EXCERPTS,
) -> None:
    """The findings, one entry per copy paragraph (:func:`entries`): where it is, a line per kind, then what
    changed, as an excerpt, whole (``view.full``) or beside the reference (``view.side_by_side``)."""
    plain = is_plain(console)
    for entry in entries(findings, quotes if quotes is not None else [None] * len(findings)):
        console.print(_entry_head(entry))
        for line in _kind_lines(entry):
            console.print(line)
        if view.side_by_side:
            console.print(_side_by_side(entry, plain), width=laid_out_width(console))
            continue
        for body in _stacked_body(entry, view.full, plain):
            console.print(Text("      ").append_text(body))
