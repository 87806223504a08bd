"""The strip and the kinds' letters: what a copy did to each reference paragraph, one cell per paragraph.

One letter and one colour per status, so the strip reads in colour and without; the same letters head the
counts table's columns where the kinds' names do not fit, and one legend, printed once per run, explains
both. Long strips break at the same paragraph in every row (:func:`render_strips`), so a mark stays under
its paragraph on a narrow terminal.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from dedup.collate.records import KINDS, Finding
from dedup.render.console import UNWRAPPED
from dedup.render.controls import visible

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
RULER_EVERY = 10  # strip cells between two ruler marks (and between two blocks of the strip)


def laid_out_width(console: Console) -> int:
    """The width to lay out what must wrap (two columns): the console's, or for a pipe, which is never
    wrapped (:data:`~dedup.render.console.UNWRAPPED`), the terminal's size or ``COLUMNS`` (else 80)."""
    return shutil.get_terminal_size().columns if console.width >= UNWRAPPED else console.width


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
    pad = max(10, max(cell_len(visible(r.label)) for r in rows) + 4)  # two leading spaces, the label, two spaces
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
