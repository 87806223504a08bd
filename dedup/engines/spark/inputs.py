"""Inputs for the Spark engine: the driver lists files (names only), the executors read them.

Listing follows :func:`dedup.ingest.load.load` exactly (the same walk order, the same skips with the same
reasons), so that inputs are accounted for identically; what the driver holds is one small record per file.
Each file is read where it is prepared, by the same functions as the embedded engine (a text, Markdown, HTML
or JSONL file by :mod:`dedup.ingest.load`, a Parquet file by :func:`dedup.ingest.parquet.load_parquet`), and
every item it yields is numbered ``(file, item)``: the input order in which both engines number documents.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dedup.ingest.load import FORMATS, STDIN, _load_file, format_of, load, named_document
from dedup.ingest.parquet import Columns, load_parquet
from dedup.records import Document, Skipped


@dataclass(frozen=True, slots=True)
class Entry:
    """One input as the driver lists it: a file to read, a path for :func:`~dedup.ingest.load.load` itself
    (``FILE#ID``), or an input already skipped with its reason.

    Attributes:
        place: its place in the input order.
        shown: the path as outputs name it.
        full: the file to read ('' for a skip or a ``FILE#ID``).
        skipped: why it is skipped, if it is.
    """

    place: int
    shown: str
    full: str = ""
    skipped: str = ""


def listing(paths: Iterable[str]) -> list[Entry]:
    """Every input under ``paths``, in :func:`~dedup.ingest.load.load`'s order, unread.

    Raises:
        ValueError: ``-`` (standard input) is given: a cluster's executors cannot read the driver's stdin.
    """
    out: list[Entry] = []
    for given in paths:
        if given == STDIN:
            raise ValueError("the Spark engine does not read standard input: save it to a file and pass its path")
        path = Path(given)
        if path.is_dir():
            out.extend(_walk(given, path, len(out)))
        elif path.is_file():
            out.append(Entry(len(out), given, given))
        elif path.exists():
            out.append(Entry(len(out), given, skipped="not a regular file"))
        elif named_document(given) is not None:
            out.append(Entry(len(out), given))
        else:
            out.append(Entry(len(out), given, skipped="no such file or directory"))
    return out


def _walk(given: str, root: Path, start: int) -> Iterator[Entry]:
    """:func:`dedup.ingest.load._walk` without reading: the same order and the same skips."""
    place = start
    for dirpath, dirnames, filenames in os.walk(root):
        hidden = sorted(d for d in dirnames if d.startswith("."))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in hidden:
            yield Entry(place, os.path.join(given, os.path.relpath(Path(dirpath, name), root)), skipped=_HIDDEN_DIR)
            place += 1
        for name in sorted(filenames):
            full = Path(dirpath, name)
            shown = os.path.join(given, os.path.relpath(full, root))
            if name.startswith("."):
                yield Entry(place, shown, skipped="hidden file")
            elif full.suffix.lower() not in FORMATS:
                kinds = ", ".join(sorted(FORMATS))
                yield Entry(place, shown, skipped=f"unsupported extension {full.suffix or '(none)'}; reads {kinds}")
            elif not full.is_file():
                yield Entry(place, shown, skipped="not a regular file")
            else:
                yield Entry(place, shown, str(full))
            place += 1
    if place == start:
        yield Entry(place, given, skipped="directory holds no files")


_HIDDEN_DIR = "hidden directory, not scanned"


def read(entry: Entry, columns: Columns) -> Iterator[Document | Skipped]:
    """The items of one listed input, read by the embedded engine's own readers."""
    if entry.skipped:
        yield Skipped(entry.shown, entry.skipped)
    elif not entry.full:
        yield from load([entry.shown])
    elif format_of(Path(entry.full)) == "parquet":
        yield from load_parquet(entry.shown, Path(entry.full), columns)
    else:
        yield from _load_file(entry.shown, Path(entry.full), format_of(Path(entry.full)))
