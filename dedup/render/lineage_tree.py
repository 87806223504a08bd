"""Who copied whom, drawn in the terminal: a group's copy tree as a rich ``Tree`` under its findings.

Each edge names the child copy, the confidence of its parent, and the strongest change it shares with its
source (the first of the edge's ``shared`` findings, which :mod:`dedup.lineage` orders strongest first), so that
a reader can check the claim against the findings listed above it. A group without a tree (two copies, say)
gets one line saying why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from dedup.collate.records import Finding
from dedup.lineage import Edge, LineageOutcome

QUOTE_CHARS = 8  # an edge label quotes at most this much of each side of an edit: a label is one line


def clip(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut (the JSON keeps the whole edit).

    >>> clip("正向"), clip("坚持把功夫下在平时，防患于未然", 6)
    ('正向', '坚持把功夫…')
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_change(finding: Finding) -> str:
    """A short name for a shared change: its kind, the reference paragraph (1-based) and, for a word change,
    the words (``substituted ¶7 正向→导向``), each cut to :data:`QUOTE_CHARS` so that the label stays one line."""
    where = f" ¶{finding.ref + 1}" if finding.ref is not None else ""
    words = [f"{clip(e.ref)}→{clip(e.copy)}" for e in finding.edits if e.ref or e.copy][:2]
    return f"{finding.kind}{where}" + (" " + ", ".join(words) if words else "")


def _edge_label(edge: Edge, findings: Mapping[str, Sequence[Finding]], unseen: frozenset[str]) -> Text:
    label = Text.assemble((edge.child, "bold"), (f"  confidence {edge.confidence:.2f}", "dim"))
    if edge.child in unseen:
        label.append("  unseen copy: the copies under it share changes its parent lacks", style="dim")
        return label
    for ref in edge.shared[:1]:
        cited = findings.get(ref.witness, ())
        if 0 <= ref.finding < len(cited):
            label.append("  shares ", style="dim")
            label.append(describe_change(cited[ref.finding]))
    if not edge.shared:
        label.append("  no shared change: hung from the root", style="dim")
    return label


def render_lineage(console: Console, outcome: LineageOutcome, findings: Mapping[str, Sequence[Finding]]) -> None:
    """The copy tree of one group (or why it has none), its edges labelled from the group's findings.

    Args:
        console: where to draw.
        outcome: the group's lineage and its reason (:func:`dedup.lineage.explain_lineage`).
        findings: each witness's findings, in the order the report lists them (``shared`` indexes them).
    """
    lineage = outcome.lineage
    if lineage is None:
        console.print(Text(f"lineage: none ({outcome.reason})", style="dim"))
        return
    tree = Tree(Text.assemble(("lineage ", "bold"), (lineage.root, "bold"), (f"  {outcome.reason}", "dim")))
    nodes = {lineage.root: tree}
    pending = list(lineage.edges)
    while pending:  # edges arrive in any order: attach each once its parent is drawn
        ready = [e for e in pending if e.parent in nodes]
        if not ready:  # a parent no edge reaches (should not happen): hang the rest from the root
            ready = pending
        for edge in ready:
            label = _edge_label(edge, findings, frozenset(lineage.intermediates))
            nodes[edge.child] = nodes.get(edge.parent, tree).add(label)
            pending.remove(edge)
    console.print(tree)
