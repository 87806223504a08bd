"""Terminal rendering with rich.

Article text is escaped before it meets markup (a ``[`` in a headline must not be read as a style), and
widths come from rich's cell measurement, which counts a Chinese character as two cells. ``NO_COLOR`` and
output that is not a terminal give plain text: rich decides that from the console.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dedup.prepare import Prepared
from dedup.records import Skipped
from dedup.scan import ScanResult

_HINT_STYLE = {
    "headline": "bold",
    "byline": "cyan",
    "dateline": "magenta",
    "continued_on": "yellow",
    "continued_from": "yellow",
}


def render_skipped(console: Console, skipped: Sequence[Skipped]) -> None:
    """One line per skipped input, with its reason, so nothing is lost without a word."""
    for item in skipped:
        console.print(f"[yellow]skipped[/] {escape(item.path)}: {escape(item.reason)}", highlight=False)


def render_normalized(console: Console, documents: Sequence[Prepared]) -> None:
    """What the matcher sees: each document's notes, then its paragraphs with their raw lines and hints."""
    for prepared in documents:
        norm = prepared.norm
        console.rule(
            f"[bold]{escape(prepared.path)}[/]  {prepared.document.encoding}  {len(prepared.paragraphs)} paragraphs",
            align="left",
        )
        for note in norm.notes:
            console.print(f"  • {escape(note.message)}", highlight=False)
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
            text = Text(paragraph.text)
            for start, end in paragraph.garbled:
                text.stylize("reverse red", start, end)
            for marker in paragraph.markers:
                text.append(f"  {marker.text}", style="yellow dim")
            lines = (
                str(paragraph.start_line)
                if paragraph.start_line == paragraph.end_line
                else f"{paragraph.start_line}-{paragraph.end_line}"
            )
            table.add_row(str(paragraph.index), lines, hints, text)
        console.print(table)
        console.print()


def render_scan(console: Console, result: ScanResult) -> None:
    """One table per group: each witness, where it is, how much of the story it holds, how close it is."""
    stats = result.stats
    console.print(
        f"[bold]{len(result.groups)}[/] group(s) in {int(stats.get('documents', 0))} document(s)"
        f" ({int(stats.get('skipped', 0))} skipped, {int(stats.get('units', 0))} passages sketched,"
        f" {int(stats.get('matches', 0))} verified matches)",
        highlight=False,
    )
    for group in result.groups:
        table = Table(title=f"[bold]{group.id}[/]", title_justify="left", show_edge=False, pad_edge=False)
        table.add_column("witness", no_wrap=True)
        table.add_column("file:lines", overflow="fold")
        table.add_column("coverage", justify="right", no_wrap=True)
        table.add_column("similarity", justify="right", no_wrap=True)
        for witness in group.witnesses:
            where = Text(" + ").join(Text(str(span)) for span in witness.segments)
            is_reference = witness.id == group.reference
            name = Text(witness.id, style="bold" if is_reference else "")
            if is_reference:
                name.append(" ref", style="green")
            table.add_row(name, where, f"{witness.coverage:.0%}", f"{witness.similarity:.2f}")
        console.print(table)
    if not result.groups:
        console.print("no copies of the same story found", style="dim")
