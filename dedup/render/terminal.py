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

from collections import Counter
from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook, RenderResult
from rich.markup import escape
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from dedup.collate.quoting import QuotedFinding
from dedup.collate.records import KINDS, CollatedScan, Finding, GroupReport, Report, TextEdit
from dedup.lineage import LineageOutcome
from dedup.prepare import Prepared
from dedup.records import Skipped, Span
from dedup.render.console import UNWRAPPED
from dedup.render.controls import LINES, pictured, visible
from dedup.render.lineage_tree import render_lineage
from dedup.render.selection import Summary, report_headline, scan_headline
from dedup.results import CheckResult, ScanResult

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
            table.add_row(str(paragraph.number), lines, hints, text)
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
#: row (:data:`MOVED`), so that a reordered paragraph that was also cut or reworded shows both.
STRIP = {
    "kept": ("·", "green"),
    "substituted": ("s", "yellow"),
    "garbled": ("g", "magenta"),
    "truncated": ("t", "dark_orange"),
    "dropped": ("-", "bold red"),
    "duplicated": ("d", "cyan"),
    "merged": ("m", "blue"),
    "split": ("/", "blue"),
    "reordered": ("·", "green"),  # moved but otherwise intact: kept on the first row, ``r`` on the second
}
#: The second row's letter, under each reference paragraph the copy moved out of the reference order.
MOVED = ("r", "bright_blue")
FINDING_STYLE = {
    "dropped": "bold red",
    "added": "green",
    "reordered": "bright_blue",
    "duplicated": "cyan",
    "truncated": "dark_orange",
    "merged": "blue",
    "split": "blue",
    "substituted": "yellow",
    "garbled": "magenta",
}
CONTEXT = 12  # characters of unchanged text shown around an edit


def is_plain(console: Console) -> bool:
    """Whether the console prints without colour (``NO_COLOR``, or not a terminal): then every difference
    that colour would show must be spelled out in the text."""
    return console.no_color or console.color_system is None


def coverage_strip(strip: Sequence[str]) -> Text:
    """One cell per reference paragraph, lettered and coloured by what the copy did to its text."""
    text = Text()
    for status in strip:
        letter, style = STRIP.get(status, ("?", ""))
        text.append(letter, style=style)
    return text


def moved_paragraphs(findings: Sequence[Finding]) -> frozenset[int]:
    """The reference paragraphs the copy moved out of the reference order (its ``reordered`` findings)."""
    return frozenset(f.ref for f in findings if f.kind == "reordered" and f.ref is not None)


def order_row(length: int, moved: frozenset[int]) -> Text | None:
    """The strip's second row: ``r`` under each moved paragraph, blank elsewhere; ``None`` if none moved."""
    if not moved:
        return None
    letter, style = MOVED
    text = Text()
    for i in range(length):
        text.append(letter if i in moved else " ", style=style if i in moved else "")
    text.rstrip()
    return text


def render_strip(console: Console, label: str, strip: Sequence[str], findings: Sequence[Finding]) -> None:
    """A copy's coverage strip, and under it the row that marks the paragraphs it moved."""
    pad = f"  {label:<8}" if len(label) < 8 else f"  {label}  "  # content ids (g3f9a2c1.W1) are longer than 8
    console.print(Text.assemble((pad, "bold"), coverage_strip(strip)))
    row = order_row(len(strip), moved_paragraphs(findings))
    if row is not None:
        console.print(Text.assemble(" " * len(pad), row))


UNKNOWN_DIRECTION = ("↔", "bold yellow")  # after a finding's kind: either copy may have made the change


def strip_legend() -> Text:
    """The strip's letters, the moved-paragraph row, and the mark of a finding whose direction is unknown."""
    legend = Text("strip: ", style="dim")
    shown: set[str] = set()
    for status, (letter, style) in STRIP.items():
        if letter in shown:
            continue
        shown.add(letter)
        legend.append(letter, style=style)
        legend.append(f" {status}  ", style="dim")
    legend.append(MOVED[0], style=MOVED[1])
    legend.append(" reordered (second row, under a paragraph moved out of the reference order)  ", style="dim")
    legend.append(UNKNOWN_DIRECTION[0], style=UNKNOWN_DIRECTION[1])
    legend.append(" direction unknown (two copies: either one may have made the change)", style="dim")
    return legend


def _removed(text: str, plain: bool) -> Text:
    text = visible(text, lines=True)
    return Text(f"[-{text}-]" if plain else text, style="red strike")


def _added(text: str, plain: bool) -> Text:
    text = visible(text, lines=True)
    return Text(f"{{+{text}+}}" if plain else text, style="green")


# One mark on a text: at ``at``, ``length`` characters of it stand for ``removed`` then ``added``.
_Mark = tuple[int, int, str, str, TextEdit]


def _marked(text: str, marks: Sequence[_Mark], start: int, end: int, context: int, plain: bool) -> Text:
    """``text[start:end]`` with each mark shown as removed and added text, long unchanged stretches cut."""
    out = Text()
    cursor = start
    for at, length, removed, added, edit in sorted(marks, key=lambda m: m[0]):
        gap = text[cursor : max(cursor, at)]
        if cursor == start and len(gap) > context:
            gap = "…" + gap[-context:]
        elif len(gap) > 2 * context:
            gap = gap[:context] + " … " + gap[-context:]
        out.append(visible(gap, lines=True), style="dim")
        if removed:
            out.append_text(_removed(removed, plain))
        if added:
            out.append_text(_added(added, plain))
        if edit.number or edit.name:
            out.append("⚑" + ("number" if edit.number else "name"), style="bold red")
        cursor = max(cursor, at + length)
    tail = text[cursor:end]
    out.append(visible(tail if len(tail) <= context else tail[:context] + "…", lines=True), style="dim")
    return out


def inline_diff(ref_text: str, edits: Sequence[TextEdit], context: int = CONTEXT, plain: bool = False) -> Text:
    """The reference text around each edit, removed text red and struck through, added text green.

    ``plain`` (no colour) marks them in wdiff style instead: ``[-removed-]{+added+}``. Long unchanged
    stretches are shortened to ``context`` characters on each side of an edit. This shows matching text;
    :func:`quoted_diff` shows the copy's own.

    >>> edit = TextEdit("replace", "正向", "导向", 5)
    >>> inline_diff("加油鼓劲的正向激励体系", [edit], plain=True).plain
    '加油鼓劲的[-正向-]{+导向+}激励体系'
    """
    marks = [(e.at, len(e.ref), e.ref, e.copy, e) for e in edits]
    return _marked(ref_text, marks, 0, len(ref_text), context, plain)


def quoted_diff(quoted: QuotedFinding, context: int = CONTEXT, plain: bool = False) -> Text:
    """The copy's own text of the finding, each edit marked on it: the reference's words (as the reference
    prints them) struck out, then the copy's. Where the copy side of an edit is not known, the reference's
    text carries the marks instead.

    >>> from dedup.collate.records import Finding
    >>> from dedup.collate.quoting import QuotedEdit
    >>> edit = TextEdit("replace", "20", "21", 3, number=True)
    >>> finding = Finding("substituted", 0, "召开第20届会议,", None, "召開第２１屆會議，", (edit,))
    >>> quoted = QuotedFinding(finding, "召开第２０届会议，", (None,), finding.copy_text,
    ...                        edits=(QuotedEdit(edit, "２０", "２１", 3, 3),), copy_range=(0, 9))
    >>> quoted_diff(quoted, plain=True).plain
    '召開第[-２０-]{+２１+}⚑number屆會議，'
    """
    text = quoted.copy_text
    if text is not None and quoted.copy_range is not None and all(e.copy_at >= 0 for e in quoted.edits):
        marks = [(e.copy_at, len(e.copy), e.ref, e.copy, e.edit) for e in quoted.edits]
        start, end = quoted.copy_range
        return _marked(text, marks, start, end, context, plain)
    ref_text = quoted.ref_text or ""
    marks = [(e.ref_at, len(e.ref), e.ref, e.copy, e.edit) for e in quoted.edits]
    return _marked(ref_text, marks, 0, len(ref_text), context, plain)


def _short(text: str | None, width: int = 60) -> str:
    text = visible((text or "").replace("\n", " "))
    return text if cell_len(text) <= width else text[: width // 2] + "…"


def render_report(
    console: Console,
    report: Report,
    lineages: Mapping[str, LineageOutcome] | None = None,
    summary: Summary | None = None,
) -> None:
    """The corpus summary and the strip legend (once per run), then each group, headed by its headline:
    reference and witnesses, a coverage strip per copy, counts, the findings, then who copied whom
    (``lineages``, by group id, when given)."""
    if summary is not None:
        render_summary(console, summary)
    if report.groups:
        console.print(strip_legend())
    for group_report in report.groups:
        _render_group(console, group_report, lineages)
    if not report.groups:
        console.print("no group to show", style="dim")


def _render_group(console: Console, group_report: GroupReport, lineages: Mapping[str, LineageOutcome] | None) -> None:
    group, collation = group_report.group, group_report.collation
    console.print()
    heading(console, group_title(group.id, report_headline(group_report), len(group.witnesses)))
    console.print(Text(f"reference {visible(collation.reference)}: {visible(collation.reason)}", style="dim"))
    for witness in group.witnesses:
        console.print(Text.assemble((f"  {witness.id} ", "bold"), where(witness.segments)))
    for result in collation.witnesses:
        render_strip(console, result.witness, result.strip, result.findings)
    counts = Table(show_edge=False, pad_edge=False, box=None, header_style="dim")
    counts.add_column("witness")
    for kind in KINDS:
        counts.add_column(kind, justify="right", style=FINDING_STYLE[kind])
    for result in collation.witnesses:
        per_kind = Counter(f.kind for f in result.findings)
        counts.add_row(result.witness, *[str(per_kind.get(k, "")) for k in KINDS])
    console.print(counts)
    quotes = group_report.quoted_all()
    for result in collation.witnesses:
        if result.findings:
            console.print(Text(f"\n{result.witness}: {len(result.findings)} finding(s)", style="bold"))
        for finding, quoted in zip(result.findings, quotes[result.witness], strict=True):
            render_finding(console, finding, quoted)
    if lineages is not None and group.id in lineages:
        console.print()
        render_lineage(console, lineages[group.id], {r.witness: r.findings for r in collation.witnesses})


def render_finding(console: Console, finding: Finding, quoted: QuotedFinding | None = None) -> None:
    """One finding: its kind, the reference paragraph, the copy's file and lines, and what changed.

    With ``quoted`` (:meth:`~dedup.collate.records.GroupReport.quoted`) every text shown is the documents' own and
    a dropped paragraph cites the reference's file and lines; without it, the matching text is shown.
    """
    head = Text("  ")
    head.append(f"{finding.kind:<11}", style=FINDING_STYLE[finding.kind])
    if finding.direction == "unknown":
        head.append(UNKNOWN_DIRECTION[0], style=UNKNOWN_DIRECTION[1])
    if finding.ref is not None:
        head.append(f" ¶{finding.ref + 1}")
    source = quoted.quoted_from if quoted is not None and quoted.ref_from else None
    if finding.copy is not None:
        head.append(f"  {visible(str(finding.copy))}", style="dim")
    elif source is not None:
        head.append(f"  reference {visible(str(source))}", style="dim")
    if quoted is not None and quoted.ref_from and source is None:
        head.append("  against the consensus text", style="dim")
    if finding.detail:
        head.append(f"  {visible(finding.detail)}", style="dim")
    console.print(head)
    plain = is_plain(console)
    ref_text = finding.ref_text if quoted is None else quoted.ref_text
    lost = finding.lost if quoted is None else quoted.lost
    body: Text | None = None
    if finding.kind in ("substituted", "garbled") and finding.ref_text is not None:
        if quoted is None:
            body = inline_diff(finding.ref_text, finding.edits, plain=plain)
        else:
            body = quoted_diff(quoted, plain=plain)
    elif finding.kind == "truncated":
        body = Text.assemble(_removed(_short(lost, 40), plain), ("  ", ""), (_short(finding.copy_text), "dim"))
    elif finding.kind == "dropped":
        body = _removed(_short(ref_text), plain)
    elif finding.kind in ("added", "garbled"):
        body = _added(_short(finding.copy_text), plain)
    elif finding.kind in ("duplicated", "split"):
        body = Text(visible(", ".join(str(s) for s in finding.occurrences)), style="dim")
    elif finding.kind == "merged":
        paragraphs = ", ".join(f"¶{i + 1}" for i in finding.ref_paragraphs)
        body = Text.assemble((paragraphs + "  ", ""), (_short(finding.copy_text), "dim"))
    else:
        body = Text(_short(finding.copy_text), style="dim")
    console.print(Text("      ").append_text(body))


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
        for finding, quoted in zip(document.failures, quotes.quoted_in(document.path, document.failures), strict=True):
            render_finding(console, finding, quoted)
    for gate in result.gates:
        mark = Text("PASS ", style="bold green") if gate.passed else Text("FAIL ", style="bold red")
        console.print(Text.assemble(mark, (gate.name, "bold"), "  ", visible(gate.detail)))
