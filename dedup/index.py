"""A persistent index of sketched documents: one SQLite file, so a daily corpus drop can be checked against
everything already held without re-reading it.

Layout (``schema_version`` 1):

- ``meta``: what the file is (``format = dedup-index``), the schema version, the dedup version, and the
  fingerprint and normalization settings it was built with. Sketches made otherwise cannot be compared, so
  adding or checking with other settings is refused, naming the setting that differs.
- ``documents``: each document's path, encoding and raw text (zlib), enough to re-sketch and collate it later.
- ``batches``: one row per ``add``: the LSH band keys of every unit added (a uint32 matrix, one row per unit,
  one column per band), with each unit's document and paragraph. A check loads these keys, finds the index
  documents that share a band with the drop, and re-sketches only those from their stored text.

Every ``add`` is a single transaction (``BEGIN IMMEDIATE``): an interrupted or failed add leaves the index as it
was, and two processes adding at once take turns (SQLite's lock, with a generous busy timeout) instead of
corrupting the file or losing an entry.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from dedup import __version__
from dedup.candidates import banding
from dedup.config import Config
from dedup.records import Document

FORMAT = "dedup-index"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 600.0

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    encoding TEXT NOT NULL,
    format TEXT NOT NULL,
    raw BLOB NOT NULL
);
CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    units INTEGER NOT NULL,
    bands INTEGER NOT NULL,
    keys BLOB NOT NULL,
    unit_docs BLOB NOT NULL,
    unit_paragraphs BLOB NOT NULL
);
"""


class IndexFileError(Exception):
    """The index file cannot be used: missing, damaged, foreign, or built with other settings."""


def settings_of(config: Config) -> dict[str, object]:
    """The settings a sketch depends on; an index refuses sketches made with any other value."""
    return {"fingerprint": asdict(config.fingerprint), "normalize": asdict(config.normalize)}


def band_keys(signatures: npt.NDArray[np.uint32], bands: int, rows: int) -> npt.NDArray[np.uint32]:
    """One 32-bit key per unit and band: a mix of the band's ``rows`` values.

    Two units share a key when their band is equal (and, rarely, by collision: verification rejects those).

    >>> band_keys(np.zeros((2, 6), dtype=np.uint32), 2, 3).shape
    (2, 2)
    """
    out = np.empty((signatures.shape[0], bands), dtype=np.uint32)
    for band in range(bands):
        key = np.full(signatures.shape[0], 0x811C9DC5, dtype=np.uint64)
        for column in range(band * rows, (band + 1) * rows):
            key = ((key ^ signatures[:, column].astype(np.uint64)) * np.uint64(0x100000001B3)) & np.uint64(
                0xFFFFFFFFFFFFFFFF
            )
        out[:, band] = (key ^ (key >> np.uint64(32))).astype(np.uint32)
    return out


@dataclass(frozen=True, slots=True)
class IndexedUnits:
    """All band keys of an index, with each unit's document id and paragraph."""

    keys: npt.NDArray[np.uint32]
    docs: npt.NDArray[np.int64]
    paragraphs: npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A document as the index keeps it."""

    id: int
    path: str
    encoding: str
    format: str
    text: str

    def as_document(self) -> Document:
        return Document(self.path, self.text, self.encoding, self.format)  # type: ignore[arg-type]


class Index:
    """An open index file. Use :meth:`create` or :meth:`open`."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self.connection = connection

    # --- opening ---------------------------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, config: Config) -> Index:
        """A new, empty index; refuses to replace an existing file."""
        target = Path(path)
        if target.exists():
            raise IndexFileError(f"{target} already exists: use `dedup index add` to add to it, or remove it first")
        connection = _connect(target)
        with connection:
            connection.executescript(_SCHEMA)
            meta = {
                "format": FORMAT,
                "schema_version": str(SCHEMA_VERSION),
                "dedup_version": __version__,
                "settings": json.dumps(settings_of(config), sort_keys=True),
            }
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        return cls(target, connection)

    @classmethod
    def open(cls, path: str | Path, config: Config | None = None) -> Index:
        """An existing index, checked to be one of ours and, if ``config`` is given, built with its settings."""
        target = Path(path)
        if not target.is_file():
            raise IndexFileError(
                f"{target}: no such index file; create one with `dedup index build PATH... --index {path}`"
            )
        connection = _connect(target)
        try:
            rows = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise IndexFileError(
                f"{target} is not a dedup index ({exc}); was it damaged or written by another tool?"
            ) from exc
        if rows.get("format") != FORMAT:
            connection.close()
            raise IndexFileError(f"{target} is an SQLite file but not a dedup index")
        if rows.get("schema_version") != str(SCHEMA_VERSION):
            connection.close()
            raise IndexFileError(
                f"{target} has index schema {rows.get('schema_version')}; this dedup reads {SCHEMA_VERSION}: rebuild it"
            )
        index = cls(target, connection)
        if config is not None:
            index.require_settings(config)
        return index

    def settings(self) -> dict[str, dict[str, object]]:
        value = self.connection.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()[0]
        return json.loads(value)  # type: ignore[no-any-return]

    def require_settings(self, config: Config) -> None:
        """Refuse to mix sketches made with other settings, saying which setting differs."""
        stored = self.settings()
        wanted = settings_of(config)
        differences = [
            f"{stage}.{key} is {stored[stage].get(key)!r} in the index but {value!r} here"
            for stage, values in wanted.items()
            for key, value in values.items()  # type: ignore[attr-defined]
            if stored.get(stage, {}).get(key) != value
        ]
        if differences:
            raise IndexFileError(
                f"{self.path} was built with other settings: "
                + "; ".join(differences)
                + ". Use the index's settings, or build a new index."
            )

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: everything in it lands, or nothing does."""
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def add(
        self,
        documents: Sequence[Document],
        unit_docs: npt.NDArray[np.int64],
        unit_paragraphs: npt.NDArray[np.int64],
        signatures: npt.NDArray[np.uint32],
        config: Config,
    ) -> int:
        """Add documents and their units' band keys in one transaction; returns the number added.

        Args:
            documents: the documents, as loaded.
            unit_docs: for each unit, the position of its document in ``documents``.
            unit_paragraphs: for each unit, its paragraph index.
            signatures: the units' MinHash signatures.
            config: the settings the signatures were made with (checked against the index's).
        """
        self.require_settings(config)
        bands, rows = banding(config.candidates, config.fingerprint.num_perm)
        keys = band_keys(signatures, bands, rows)
        with self.transaction() as connection:
            ids: list[int] = []
            for document in documents:
                cursor = connection.execute(
                    "INSERT INTO documents (path, encoding, format, raw) VALUES (?, ?, ?, ?)",
                    (
                        document.path,
                        document.encoding,
                        document.format,
                        zlib.compress(document.text.encode("utf-8"), 6),
                    ),
                )
                ids.append(int(cursor.lastrowid or 0))
            _fault_pause()
            doc_ids = np.asarray(ids, dtype=np.int64)[unit_docs] if len(unit_docs) else np.zeros(0, dtype=np.int64)
            connection.execute(
                "INSERT INTO batches (units, bands, keys, unit_docs, unit_paragraphs) VALUES (?, ?, ?, ?, ?)",
                (
                    int(keys.shape[0]),
                    bands,
                    keys.tobytes(),
                    doc_ids.astype(np.int64).tobytes(),
                    unit_paragraphs.astype(np.int32).tobytes(),
                ),
            )
        return len(ids)

    # --- reading ---------------------------------------------------------------------------------------------

    def units(self) -> IndexedUnits:
        """Every unit's band keys, document id and paragraph, read in one pass."""
        keys: list[npt.NDArray[np.uint32]] = []
        docs: list[npt.NDArray[np.int64]] = []
        paragraphs: list[npt.NDArray[np.int32]] = []
        bands = 0
        for units, batch_bands, key_blob, doc_blob, para_blob in self.connection.execute(
            "SELECT units, bands, keys, unit_docs, unit_paragraphs FROM batches ORDER BY id"
        ):
            bands = batch_bands
            keys.append(np.frombuffer(key_blob, dtype=np.uint32).reshape(units, batch_bands))
            docs.append(np.frombuffer(doc_blob, dtype=np.int64))
            paragraphs.append(np.frombuffer(para_blob, dtype=np.int32))
        if not keys:
            return IndexedUnits(
                np.zeros((0, bands), dtype=np.uint32), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
            )
        return IndexedUnits(np.concatenate(keys), np.concatenate(docs), np.concatenate(paragraphs))

    def documents(self, ids: Sequence[int]) -> list[StoredDocument]:
        """The stored documents with these ids, in id order."""
        out: list[StoredDocument] = []
        wanted = sorted(set(int(i) for i in ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.connection.execute(
                f"SELECT id, path, encoding, format, raw FROM documents WHERE id IN ({marks}) ORDER BY id", chunk
            ):
                out.append(StoredDocument(row[0], row[1], row[2], row[3], zlib.decompress(row[4]).decode("utf-8")))
        return out

    def count(self) -> int:
        return int(self.connection.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def info(self) -> dict[str, object]:
        """Counts, size and settings, for ``dedup index info``."""
        documents = self.count()
        units = int(self.connection.execute("SELECT COALESCE(SUM(units), 0) FROM batches").fetchone()[0])
        size = self.path.stat().st_size
        return {
            "path": str(self.path),
            "documents": documents,
            "units": units,
            "bytes": size,
            "bytes_per_document": round(size / documents) if documents else 0,
            "settings": self.settings(),
        }


FAULT_PAUSE = "DEDUP_FAULT_PAUSE_S"


def _fault_pause() -> None:
    """Fault injection for the tests that kill an add midway: with ``DEDUP_FAULT_PAUSE_S`` set, an add says so
    on stderr and sleeps inside its transaction, so a test can kill it there. Unset, it does nothing."""
    import os
    import sys
    import time

    seconds = os.environ.get(FAULT_PAUSE)
    if seconds:
        sys.stderr.write("dedup: paused inside the add transaction\n")
        sys.stderr.flush()
        time.sleep(float(seconds))


def _connect(path: Path) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("PRAGMA synchronous = FULL")
    except sqlite3.DatabaseError as exc:
        raise IndexFileError(
            f"{path} is not a dedup index ({exc}); was it damaged or written by another tool?"
        ) from exc
    return connection
