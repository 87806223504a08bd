"""Terminal rendering with rich.

Article text is escaped before it meets markup (a ``[`` in a headline must not be read as a style), and
widths come from rich's cell measurement, which counts a Chinese character as two cells. ``NO_COLOR`` and
output that is not a terminal give plain text: rich decides that from the console, and where colour alone
carries meaning (removed and added text) plain output marks it in wdiff style instead, ``[-正向-]{+导向+}``.
Findings quote the documents' own text (:class:`~dedup.collate.quoting.QuotedFinding`): an edit is marked on the
copy's text as printed, the reference's words struck out before the copy's, and a dropped paragraph is quoted
from the reference copy with its file and lines.
User text (paths, reasons, article text) is printed as ``Text`` or with ``emoji=False``, so ``:abc:`` in a path
stays as written whatever console it is printed on.

Control characters in anything printed are shown, never sent: a file name, a JSONL id or an article may
hold ``\\x1b[2J`` (clear the screen) or an OSC 8 hyperlink, which a terminal would obey. :func:`visible`
spells them out (``\\x1b``) where text enters a renderable, so tables measure what is printed, and
:func:`guarded` adds a render hook to a console that does the same to every segment, whatever prints it.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.box import SIMPLE_HEAD
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook, RenderResult
from rich.markup import escape
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from dedup.collate.quoting import QuotedFinding, unquoted
from dedup.collate.records import KINDS, CollatedScan, Finding, GroupReport, Report, TextEdit
from dedup.lineage import LineageOutcome
from dedup.pipeline.report import UNRELATED_SHARE
from dedup.prepare import Prepared
from dedup.records import Skipped, Span
from dedup.render.console import UNWRAPPED
from dedup.render.controls import LINES, pictured, visible
from dedup.render.lineage_tree import render_lineage
from dedup.render.selection import Summary, report_headline, scan_headline
from dedup.results import CheckResult, ScanResult

if TYPE_CHECKING:
    from dedup.api import Diff

_HINT_STYLE = {
    "headline": "bold",
    "byline": "cyan",
    "dateline": "magenta",
    "continued_on": "yellow",
    "continued_from": "yellow",
}


class _Visible:
    """A renderable whose segments have their control characters spelled out (rich's own control
    segments, such as cursor moves, pass unchanged)."""

    def __init__(self, renderable: ConsoleRenderable) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.renderable, options):
            if segment.control or not LINES.search(segment.text):
                yield segment
            else:
                yield Segment(visible(segment.text, lines=True), segment.style)


class _VisibleHook(RenderHook):
    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Visible(r) for r in renderables]


def guarded(console: Console) -> Console:
    """``console``, which from now on prints every control character as :func:`visible` spells it."""
    console.push_render_hook(_VisibleHook())
    return console


def where(spans: Sequence[Span]) -> Text:
    """Where a witness or finding is, ``file:lines + file:lines``, the file names made :func:`visible`."""
    return Text(" + ").join(Text(visible(str(span))) for span in spans)


def render_skipped(console: Console, skipped: Sequence[Skipped]) -> None:
    """One line per skipped input, with its reason, so nothing is lost without a word."""
    for item in skipped:
        path, reason = escape(visible(item.path)), escape(visible(item.reason))
        console.print(f"[yellow]skipped[/] {path}: {reason}", highlight=False, emoji=False)


def render_normalized(console: Console, documents: Sequence[Prepared]) -> None:
    """What the matcher sees: each document's notes, then its paragraphs with their raw lines and hints."""
    for prepared in documents:
        norm = prepared.norm
        title = Text.assemble(
            (visible(prepared.path), "bold"), f"  {prepared.document.encoding}  {len(prepared.paragraphs)} paragraphs"
        )
        heading(console, title)
        for note in norm.notes:
            console.print(Text(f"  • {visible(note.message)}"))
        table = Table(show_header=True, header_style="dim", box=None, pad_edge=False, expand=False)
        table.add_column("¶", justify="right", style="dim", no_wrap=True)
        table.add_column("lines", justify="right", no_wrap=True)
        table.add_column("hints", no_wrap=True)
        table.add_column("text", overflow="fold")
        for paragraph in prepared.paragraphs:
            hints = Text()
            for hint in sorted(paragraph.hints):
                if hints:
                    hints.append(" ")
                hints.append(hint, style=_HINT_STYLE.get(hint, ""))
            text = Text(pictured(paragraph.text))  # one character for one: the garbled spans still fit
            for start, end in paragraph.garbled:
                text.stylize("reverse red", start, end)
            for marker in paragraph.markers:
                text.append(f"  {visible(marker.text)}", style="yellow dim")
            lines = (
                str(paragraph.start_line)
                if paragraph.start_line == paragraph.end_line
                else f"{paragraph.start_line}-{paragraph.end_line}"
            )
            table.add_row(str(paragraph.index), lines, hints, text)
        console.print(table)
        console.print()


def heading(console: Console, title: Text) -> None:
    """A group's heading: a rule across a terminal; in a pipe or file one line, ``── title``, since a rule as
    wide as an unwrapped console (:func:`dedup.render.console.stdout_console`) would be a million dashes."""
    if console.width < UNWRAPPED:
        console.rule(title, align="left")
    else:
        console.print(Text.assemble("── ", title), soft_wrap=True)


def render_summary(console: Console, summary: Summary) -> None:
    """The corpus first: documents, skipped inputs, groups by size, copies and findings by kind in total, and
    how many groups the filters kept, so that a reader knows what the pages below add up to."""
    line = Text.assemble(
        (f"{summary.documents:,}", "bold"),
        f" document(s), {summary.skipped:,} skipped · ",
        (f"{summary.groups:,}", "bold"),
        " group(s)",
    )
    if summary.sizes:
        sizes = ", ".join(f"{count:,} of {size} copies" for size, count in reversed(summary.sizes))
        line.append(f" ({sizes}) · {summary.copies:,} copies")
    console.print(line, soft_wrap=True)
    if summary.findings:
        findings = Text("findings: ", style="bold")
        for i, (kind, count) in enumerate(summary.findings):
            findings.append(" · " if i else "")
            findings.append(kind, style=FINDING_STYLE.get(kind, ""))
            findings.append(f" {count:,}")
        console.print(findings, soft_wrap=True)
    if summary.shown != summary.groups:
        console.print(Text(f"showing {summary.shown:,} of {summary.groups:,} group(s)", style="dim"), soft_wrap=True)


def group_title(group_id: str, title: str, copies: int) -> Text:
    """A group's heading text: its headline (the first words of its reference), its id and its size."""
    text = Text()
    if title:
        text.append(title, style="bold")
        text.append("  ")
    text.append(f"{group_id} · {copies} copies", style="dim" if title else "bold")
    return text


def render_scan(console: Console, result: ScanResult, summary: Summary | None = None) -> None:
    """The summary, then one table per group, headed by its headline: each witness, where it is, how much
    of the story it holds, how close it is."""
    if summary is not None:
        render_summary(console, summary)
    for group in result.groups:
        console.print()
        heading(console, group_title(group.id, scan_headline(result, group), len(group.witnesses)))
        table = Table(show_edge=False, pad_edge=False)
        table.add_column("witness", no_wrap=True)
        table.add_column("file:lines", overflow="fold")
        table.add_column("coverage", justify="right", no_wrap=True)
        table.add_column("similarity", justify="right", no_wrap=True)
        for witness in group.witnesses:
            is_reference = witness.id == group.reference
            name = Text(witness.id, style="bold" if is_reference else "")
            if is_reference:
                name.append(" ref", style="green")
            table.add_row(name, where(witness.segments), f"{witness.coverage:.0%}", f"{witness.similarity:.2f}")
        console.print(table)
    if not result.groups:
        console.print("no copies of the same story found", style="dim")


# --- reports -----------------------------------------------------------------------------------------------

#: One letter and one style per paragraph status, so the strip reads in colour and without. A cell holds
#: what happened to the paragraph's text; whether it stands out of the reference order is said on a second
#: row (:data:`MOVED`), so that a reordered paragraph that was also cut or reworded shows both. Merged, split
#: and moved paragraphs differ in letter *and* colour: they are the statuses a reader confuses.
STRIP = {
    "kept": ("·", "green"),
    "substituted": ("s", "yellow"),
    "garbled": ("g", "magenta"),
    "truncated": ("t", "dark_orange"),
    "dropped": ("-", "bold red"),
    "duplicated": ("d", "cyan"),
    "merged": ("m", "blue"),
    "split": ("/", "bright_magenta"),
    "reordered": ("·", "green"),  # moved but otherwise intact: kept on the first row, ``r`` on the second
}
#: The second row's letter, under each reference paragraph the copy moved out of the reference order.
MOVED = ("r", "bright_cyan")
#: After a copy's strip: how many paragraphs it added (they have no reference paragraph to stand under).
ADDED = ("+", "green")
FINDING_STYLE = {
    "dropped": STRIP["dropped"][1],
    "added": ADDED[1],
    "reordered": MOVED[1],
    "duplicated": STRIP["duplicated"][1],
    "truncated": STRIP["truncated"][1],
    "merged": STRIP["merged"][1],
    "split": STRIP["split"][1],
    "substituted": STRIP["substituted"][1],
    "garbled": STRIP["garbled"][1],
}
#: One letter per finding kind, the strip's own, heading the counts table's columns where the kinds' names
#: do not fit (80 columns): the legend printed once explains both.
KIND_LETTER = {kind: STRIP.get(kind, ("", ""))[0] for kind in KINDS} | {"reordered": MOVED[0], "added": ADDED[0]}
CONTEXT = 12  # characters of unchanged text shown around an edit
MARK_CHARS = 2 * CONTEXT  # characters of a removed or added stretch shown in an excerpt (a garbled run is long)
EXCERPT_CELLS = 60  # terminal cells of a paragraph shown as an excerpt (about thirty Chinese characters)
RULER_EVERY = 10  # strip cells between two ruler marks (and between two blocks of the strip)
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


def laid_out_width(console: Console) -> int:
    """The width to lay out what must wrap (two columns): the console's, or for a pipe, which is never
    wrapped (:data:`~dedup.render.console.UNWRAPPED`), the terminal's size or ``COLUMNS`` (else 80)."""
    return shutil.get_terminal_size().columns if console.width >= UNWRAPPED else console.width


def is_plain(console: Console) -> bool:
    """Whether the console prints without colour (``NO_COLOR``, or not a terminal): then every difference
    that colour would show must be spelled out in the text."""
    return console.no_color or console.color_system is None


def moved_paragraphs(findings: Sequence[Finding]) -> frozenset[int]:
    """The reference paragraphs the copy moved out of the reference order (its ``reordered`` findings)."""
    return frozenset(f.ref for f in findings if f.kind == "reordered" and f.ref is not None)


@dataclass(frozen=True, slots=True)
class StripRow:
    """One copy's strip: its label, one status per reference paragraph, and its findings."""

    label: str
    strip: Sequence[str]
    findings: Sequence[Finding]


def _cells(row: StripRow, start: int, end: int) -> tuple[Text, Text | None]:
    """The strip's cells ``start:end`` in blocks of :data:`RULER_EVERY`, and the moved row under them."""
    moved = moved_paragraphs(row.findings)
    first, second = Text(), Text()
    for i in range(start, end):
        if i > start and i % RULER_EVERY == 0:
            first.append(" ")
            second.append(" ")
        first.append(*STRIP.get(row.strip[i], ("?", "")))
        second.append(*(MOVED if i in moved else (" ", "")))
    second.rstrip()
    return first, (second if second.plain else None)


def _ruler(start: int, end: int) -> Text:
    """Paragraph numbers (from 1) over the first cell of each block of :data:`RULER_EVERY`."""
    ruler = Text(style="dim")
    for block in range(start, end, RULER_EVERY):
        ruler.append(f"{block + 1:<{RULER_EVERY + 1}}")
    ruler.rstrip()
    return ruler


def render_strips(console: Console, rows: Sequence[StripRow]) -> None:
    """The copies' strips under one ruler, each with the row of paragraphs it moved and its count of added
    paragraphs. Where the strip is wider than the console, every row breaks at the same paragraph (a block
    boundary), so a ``r`` always stands under its paragraph and the copies under each other."""
    if not rows:
        return
    length = max(len(r.strip) for r in rows)
    pad = max(10, max(cell_len(visible(r.label)) for r in rows) + 3)
    blocks = max(1, (laid_out_width(console) - pad) // (RULER_EVERY + 1)) if console.width < UNWRAPPED else length
    per_line = blocks * RULER_EVERY
    for start in range(0, max(1, length), per_line):
        end = min(length, start + per_line)
        console.print(Text.assemble(" " * pad, _ruler(start, end)), soft_wrap=True)
        for row in rows:
            first, second = _cells(row, start, min(end, len(row.strip)))
            label = f"  {visible(row.label)}" if start == 0 else ""
            line = Text.assemble((label + " " * (pad - cell_len(label)), "bold"), first)
            added = sum(f.kind == "added" for f in row.findings)
            if added and end >= len(row.strip):
                line.append(f"  {ADDED[0]}{added}", style=ADDED[1])
            console.print(line, soft_wrap=True)
            if second is not None:
                console.print(Text.assemble(" " * pad, second), soft_wrap=True)


def render_strip(console: Console, label: str, strip: Sequence[str], findings: Sequence[Finding]) -> None:
    """One copy's strip (:func:`render_strips`)."""
    render_strips(console, [StripRow(label, strip, findings)])


UNKNOWN_DIRECTION = ("↔", "bold yellow")  # after a finding's kind: either copy may have made the change


def strip_legend(undirected: bool = True) -> Text:
    """The strip's letters (the narrow counts table's column heads too), the moved row, the added count, and,
    when some finding has one (``undirected``), the mark of a finding whose direction is unknown."""
    legend = Text("strip: ", style="dim")
    shown: set[str] = set()
    for status, (letter, style) in STRIP.items():
        if letter in shown:
            continue
        shown.add(letter)
        legend.append(letter, style=style)
        legend.append(f" {status}  ", style="dim")
    legend.append(MOVED[0], style=MOVED[1])
    legend.append(" reordered (row under the strip)  ", style="dim")
    legend.append(f"{ADDED[0]}N", style=ADDED[1])
    legend.append(" N paragraphs added", style="dim")
    if undirected:
        legend.append("  ")
        legend.append(UNKNOWN_DIRECTION[0], style=UNKNOWN_DIRECTION[1])
        legend.append(" direction unknown (two copies: either one may have made the change)", style="dim")
    return legend


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


# --- findings, one entry per copy paragraph ----------------------------------------------------------------

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
    view: View = View(),
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


def counts_table(console: Console, rows: Sequence[tuple[str, Sequence[Finding]]]) -> Table:
    """Findings by kind per copy: the kinds' names as column heads where they fit, else their letters
    (:data:`KIND_LETTER`, explained by the legend), never names cut to ``dropp…``."""
    for heads in ([*KINDS], [KIND_LETTER[k] for k in KINDS]):
        table = Table(show_edge=False, pad_edge=False, box=None, header_style="dim")
        table.add_column("witness", no_wrap=True)
        for kind, head in zip(KINDS, heads, strict=True):
            table.add_column(head, justify="right", style=FINDING_STYLE[kind], no_wrap=True)
        for label, findings in rows:
            per_kind = Counter(f.kind for f in findings)
            table.add_row(visible(label), *[str(per_kind.get(k, "")) for k in KINDS])
        if Measurement.get(console, console.options.update_width(UNWRAPPED), table).maximum <= console.width:
            break
    return table


def render_report(
    console: Console,
    report: Report,
    lineages: Mapping[str, LineageOutcome] | None = None,
    summary: Summary | None = None,
    view: View = View(),
) -> None:
    """The corpus summary and the legend (once per run), then each group, headed by its headline:
    reference and witnesses, the copies' strips, counts, the findings, then who copied whom
    (``lineages``, by group id, when given)."""
    if summary is not None:
        render_summary(console, summary)
    if report.groups:
        undirected = any(
            f.direction == "unknown" for g in report.groups for w in g.collation.witnesses for f in w.findings
        )
        console.print(strip_legend(undirected))
    for group_report in report.groups:
        _render_group(console, group_report, lineages, view)
    if not report.groups:
        console.print("no group to show", style="dim")


def _render_group(
    console: Console, group_report: GroupReport, lineages: Mapping[str, LineageOutcome] | None, view: View
) -> None:
    group, collation = group_report.group, group_report.collation
    console.print()
    heading(console, group_title(group.id, report_headline(group_report), len(group.witnesses)))
    console.print(Text(f"reference {visible(collation.reference)}: {visible(collation.reason)}", style="dim"))
    for witness in group.witnesses:
        console.print(Text.assemble((f"  {witness.id} ", "bold"), where(witness.segments)))
    render_strips(console, [StripRow(r.witness, r.strip, r.findings) for r in collation.witnesses])
    console.print(counts_table(console, [(r.witness, r.findings) for r in collation.witnesses]))
    quotes = group_report.quoted_all()
    for result in collation.witnesses:
        if result.findings:
            console.print(Text(f"\n{result.witness}: {len(result.findings)} finding(s)", style="bold"))
            render_entries(console, result.findings, quotes[result.witness], view)
    if lineages is not None and group.id in lineages:
        console.print()
        render_lineage(console, lineages[group.id], {r.witness: r.findings for r in collation.witnesses})


def render_diff(console: Console, diff: Diff, view: View = View()) -> None:
    """``dedup diff``: a header naming the reference and the copy with the totals by kind, a warning where
    the two share almost nothing (instead of every paragraph dropped and added), else the strip and findings."""
    overview, result = diff.overview, diff.result
    if result is None or overview is None:
        return
    console.print(
        Text.assemble(
            ("reference ", "dim"),
            (visible(diff.reference), "bold"),
            (f"  {overview.reference_paragraphs} paragraph(s)", "dim"),
        ),
        soft_wrap=True,
    )
    console.print(
        Text.assemble(
            ("copy      ", "dim"), (visible(diff.copy), "bold"), (f"  {overview.copy_paragraphs} paragraph(s)", "dim")
        ),
        soft_wrap=True,
    )
    shared = f"shared: {overview.shared_reference:.0%} of the reference, {overview.shared_copy:.0%} of the copy"
    totals = Text(shared, style="dim")
    for kind, count in overview.findings:
        totals.append(" · ", style="dim")
        totals.append(kind, style=FINDING_STYLE[kind])
        totals.append(f" {count}")
    console.print(totals, soft_wrap=True)
    if overview.unrelated:
        console.print(
            Text(
                f"unrelated texts: they share less than {UNRELATED_SHARE:.0%} of each other, so no finding is listed"
                " (every paragraph would be dropped and added); check the paths, or compare line ranges",
                style="bold yellow",
            ),
            soft_wrap=True,
        )
        return
    console.print(strip_legend(undirected=False))
    render_strip(console, "", result.strip, result.findings)
    render_entries(console, result.findings, diff.quoted, view)
    if not result.findings:
        console.print("no differences beyond layout", style="dim")


def render_check(console: Console, result: CheckResult) -> None:
    """The groups that involve the drop, with each witness's source, then the gates."""
    drop = result.drop
    reprinting = [d for d in drop if not d.unique]
    console.print(
        f"[bold]{len(drop)}[/] drop document(s): {len(reprinting)} reprint held or earlier content"
        f" ({result.dup_rate:.1%}), {len(drop) - len(reprinting)} unique;"
        f" {int(result.scan.stats.get('index_candidates', 0))} indexed document(s) compared",
        highlight=False,
    )
    for group in result.scan.groups:
        table = Table(title=f"[bold]{group.id}[/]", title_justify="left", show_edge=False, pad_edge=False)
        table.add_column("witness", no_wrap=True)
        table.add_column("source", no_wrap=True)
        table.add_column("file:lines", overflow="fold")
        table.add_column("coverage", justify="right", no_wrap=True)
        for witness in group.witnesses:
            source = result.sources[witness.passages[0].doc]
            table.add_row(
                witness.id,
                Text(visible(source), style="cyan" if source == "index" else "yellow"),
                where(witness.segments),
                f"{witness.coverage:.0%}",
            )
        console.print(table)
    quotes = CollatedScan.of(result.scan, result.collations if any(d.failures for d in drop) else {})
    for document in drop:
        render_entries(console, document.failures, quotes.quoted_in(document.path, document.failures))
    for gate in result.gates:
        mark = Text("PASS ", style="bold green") if gate.passed else Text("FAIL ", style="bold red")
        console.print(Text.assemble(mark, (gate.name, "bold"), "  ", visible(gate.detail)))
