"""Terminal rendering with rich.

Article text is escaped before it meets markup (a ``[`` in a headline must not be read as a style), and
widths come from rich's cell measurement, which counts a Chinese character as two cells. ``NO_COLOR`` and
output that is not a terminal give plain text: rich decides that from the console. Each command's output is
drawn here from its parts: the strip and the kinds' letters (:mod:`dedup.render.strip`) and the findings,
one entry per copy paragraph (:mod:`dedup.render.findings`).
User text (paths, reasons, article text) is printed as ``Text`` or with ``emoji=False``, so ``:abc:`` in a path
stays as written whatever console it is printed on.

Control characters in anything printed are shown, never sent: a file name, a JSONL id or an article may
hold ``\\x1b[2J`` (clear the screen) or an OSC 8 hyperlink, which a terminal would obey. :func:`visible`
spells them out (``\\x1b``) where text enters a renderable, so tables measure what is printed, and
:func:`guarded` adds a render hook to a console that does the same to every segment, whatever prints it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook, RenderResult
from rich.markup import escape
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from dedup.collate.records import CollatedScan, GroupReport, Report
from dedup.lineage import LineageOutcome
from dedup.pipeline.report import UNRELATED_SHARE
from dedup.prepare import Prepared
from dedup.records import Skipped, Span
from dedup.render.console import UNWRAPPED
from dedup.render.controls import LINES, pictured, visible
from dedup.render.findings import EXCERPTS, View, render_entries
from dedup.render.lineage_tree import render_lineage
from dedup.render.selection import Summary, report_headline, scan_headline
from dedup.render.strip import FINDING_STYLE as FINDING_STYLE
from dedup.render.strip import MOVED as MOVED
from dedup.render.strip import STRIP as STRIP
from dedup.render.strip import StripRow, counts_table, render_strip, render_strips, strip_legend
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


def render_report(
    console: Console,
    report: Report,
    lineages: Mapping[str, LineageOutcome] | None = None,
    summary: Summary | None = None,
    view: View = EXCERPTS,
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


def render_diff(console: Console, diff: Diff, view: View = EXCERPTS) -> None:
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
