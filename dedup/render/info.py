"""``dedup index info`` for people: the index's counts and sizes, then its settings, one per line.

The JSON form (``--format json``) is the :meth:`~dedup.store.index.Index.info` dict itself; this flattens its
nested settings into ``fingerprint.ngram``-style names, the names the command-line options echo.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["flat_items", "render_index_info"]


def flat_items(info: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Each leaf of a nested dict with its dotted name.

    >>> list(flat_items({"a": 1, "b": {"c": 2, "d": {"e": 3}}}))
    [('a', 1), ('b.c', 2), ('b.d.e', 3)]
    """
    for key, value in info.items():
        if isinstance(value, Mapping):
            yield from flat_items(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def render_index_info(console: Console, info: Mapping[str, Any]) -> None:
    """Two columns, name and value; numbers right-aligned with thousands separators."""
    table = Table(show_header=False, show_edge=False, pad_edge=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    for name, value in flat_items(info):
        shown = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
        table.add_row(escape(name), escape(shown))
    console.print(table)
