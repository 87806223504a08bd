"""Parquet input: a table of documents, one per row, read like a JSONL file.

Archives and crawls at the scale the Spark engine serves come as Parquet (an ``id`` and a ``text`` column, the
names settable). Each row is accounted for as a JSONL line is (:func:`dedup.ingest.load._jsonl_line`): a
document at ``FILE#ID`` (``FILE#ROW``, 1-based, for a row without an id; ``FILE#ID@ROW`` for an id an earlier
row already took), or a :class:`~dedup.records.Skipped` row with its reason. Both engines read Parquet through
:func:`load_parquet`: the embedded one from :func:`dedup.ingest.load.load`, the Spark engine one file per task.

The file is read a record batch at a time, and only its two columns, so a file of millions of rows is never
held whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dedup.records import Document, Skipped

PARQUET_EXTENSIONS = (".parquet", ".parq")
INSTALL_HINT = "pip install 'dedup[spark]'"


@dataclass(frozen=True, slots=True)
class Columns:
    """Which columns of a Parquet file hold each document's id and text.

    Attributes:
        id: the id column (optional in the file: without it, rows are named by their number).
        text: the text column (required).
    """

    id: str = "id"
    text: str = "text"


def load_parquet(shown: str, path: Path, columns: Columns | None = None) -> Iterator[Document | Skipped]:
    """Every row of a Parquet file as a document, or as a skip with its reason (see the module docstring).

    Args:
        shown: the file's path as the user named it (documents are ``shown#ID``).
        path: the file to read.
        columns: the id and text columns; ``id``/``text`` by default.
    """
    columns = columns or Columns()
    try:
        import pyarrow.parquet as pq
    except ImportError:
        yield Skipped(shown, f"reading Parquet needs pyarrow: {INSTALL_HINT}")
        return
    try:
        table = pq.ParquetFile(path)
        names = set(table.schema_arrow.names)
    except Exception as exc:  # pyarrow raises several kinds (ArrowInvalid, OSError) for a file it cannot read
        yield Skipped(shown, f"cannot read as Parquet: {exc}")
        return
    if columns.text not in names:
        found = ", ".join(sorted(names)) or "none"
        yield Skipped(shown, f"no {columns.text!r} column (columns: {found}); name the text column to read")
        return
    wanted = [columns.text] + ([columns.id] if columns.id in names else [])
    taken: set[str] = set()
    row = 0
    for batch in table.iter_batches(columns=wanted):
        texts = batch.column(columns.text).to_pylist()
        ids = batch.column(columns.id).to_pylist() if columns.id in names else [None] * len(texts)
        for doc_id, body in zip(ids, texts, strict=True):
            row += 1
            yield _row(shown, row, doc_id, body, columns, taken)
    if row == 0:
        yield Skipped(shown, "Parquet file holds no rows")


def _row(shown: str, row: int, doc_id: object, body: object, columns: Columns, taken: set[str]) -> Document | Skipped:
    """One row's document or skip, named as a JSONL line is (ids unique within the file).

    >>> _row("a.parquet", 3, None, "  ", Columns(), set())
    Skipped(path='a.parquet#3', reason="empty 'text' field")
    >>> _row("a.parquet", 1, 7, "正文", Columns(), set()).path
    'a.parquet#7'
    """
    fragment = str(row)
    if isinstance(doc_id, (str, int)) and not isinstance(doc_id, bool) and str(doc_id):
        fragment = str(doc_id)
    if fragment in taken:
        fragment = f"{fragment}@{row}"
        while fragment in taken:
            fragment = f"{fragment}@{row}"
    taken.add(fragment)
    where = f"{shown}#{fragment}"
    if not isinstance(body, str):
        return Skipped(where, f"no {columns.text!r} string value (null or not text)")
    if not body.strip():
        return Skipped(where, f"empty {columns.text!r} field")
    return Document(where, body, "utf-8", "jsonl")
