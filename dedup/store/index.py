"""A persistent index of sketched documents: one SQLite file, so a daily corpus drop can be checked against
everything already held without re-reading it.

A check needs four things of the indexed documents, at four very different rates: the LSH bands of all of
them (to find the units that share a band with the drop), the texts of those units (to verify the candidate
pairs exactly: most are chance collisions), the prepared paragraphs of the documents that verification keeps
(to group them with the drop), and the raw text of the few that are quoted in a collation. So the
file keeps them apart, each in the form its reader wants (``schema_version`` 3; 3 stores each document's
layout, which stitching page jumps reads, so that a check stitches indexed pages as a scan would):

- ``meta``: what the file is (``format = dedup-index``), the schema version, the dedup version, and the
  settings the sketches depend on (fingerprint, normalization, LSH banding). Sketches made otherwise cannot
  be compared, so adding or checking with other settings is refused, naming the setting that differs.
- ``documents``: each document's path, encoding, format, unit count, and its prepared records
  (:mod:`dedup.store.docstore`): ``content`` (matching text and unit spans, read to verify candidate pairs) and
  ``meta`` (the rest of the paragraphs: lines, hints, markers; the notes). A check rebuilds candidates from
  these, never re-normalizing them.
- ``texts``: each document's raw text, compressed against its matching text; read only to quote a copy.
- ``postings``: the band codes of every unit, one row per block of documents, sorted for a merge
  (:mod:`dedup.store.postings`). A check streams these blocks and never holds more than one.

Every ``add`` is a single transaction (``BEGIN IMMEDIATE``), however many blocks it writes: an interrupted or
failed add leaves the index as it was, and two processes adding at once take turns (SQLite's lock, with a
generous busy timeout) instead of corrupting the file or losing an entry. An add streams: documents are
written as they are sketched and postings a block at a time, so memory stays flat as the index grows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from dedup import __version__
from dedup.config import Config
from dedup.group.headings import heading_digests
from dedup.match.candidates import banding
from dedup.prepare import sketch
from dedup.records import Document, Skipped
from dedup.results import ScannedDocument
from dedup.store.docstore import (
    StoredForm,
    StoredFormError,
    decode_content,
    decode_document,
    decode_raw,
    encode_document,
    encode_raw,
)
from dedup.store.postings import MAX_BLOCK_DOCS, MAX_BLOCK_UNITS, Block, band_codes

T = TypeVar("T")

FORMAT = "dedup-index"
SCHEMA_VERSION = 3
BUSY_TIMEOUT_S = 600.0
BLOCK_UNITS = 1 << 19  # units per postings block: ~150 MB of postings while one is built or read
_READ_CHUNK = 500  # ids per ``IN (…)`` query (SQLite allows 999 parameters in old builds)

_TABLES = {"meta", "documents", "texts", "postings"}
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    encoding TEXT NOT NULL,
    format TEXT NOT NULL,
    units INTEGER NOT NULL,
    content BLOB NOT NULL,
    meta BLOB NOT NULL
);
CREATE TABLE texts (id INTEGER PRIMARY KEY, raw BLOB NOT NULL);
CREATE TABLE postings (
    id INTEGER PRIMARY KEY,
    first_doc INTEGER NOT NULL,
    documents INTEGER NOT NULL,
    units INTEGER NOT NULL,
    bands INTEGER NOT NULL,
    postings BLOB NOT NULL,
    unit_docs BLOB NOT NULL
);
"""


class IndexFileError(Exception):
    """The index file cannot be used: missing, damaged, foreign, or built with other settings."""


def settings_of(config: Config) -> dict[str, dict[str, object]]:
    """The settings a sketch depends on; an index refuses sketches made with any other value.

    Banding is among them because the postings are stored per band: a check with another ``(bands, rows)``
    would look up codes the index never wrote, and silently find nothing.
    """
    bands, rows = banding(config.candidates, config.fingerprint.num_perm)
    return {
        "fingerprint": asdict(config.fingerprint),
        "normalize": asdict(config.normalize),
        "banding": {"bands": bands, "rows": rows},
    }


@dataclass(frozen=True, slots=True)
class Record:
    """One document as the index stores it: identity, the prepared record, the raw text stored against it
    (both made by :mod:`dedup.store.docstore`)."""

    path: str
    encoding: str
    format: str
    content: bytes
    meta: bytes
    raw: bytes


@dataclass(frozen=True, slots=True)
class IndexBatch:
    """A batch sketched for the index: records, and each unit's document and band codes.

    Attributes:
        outcomes: per input document, its record or why it was skipped.
        unit_docs: for each unit, the position of its document among the records.
        codes: the units' band codes (``units × bands``, see :func:`dedup.store.postings.band_codes`).
    """

    outcomes: tuple[Record | Skipped, ...]
    unit_docs: npt.NDArray[np.int64]
    codes: npt.NDArray[np.uint64]


def sketch_for_index(batch: Sequence[Document], config: Config) -> IndexBatch:
    """A batch prepared as every command prepares it (:func:`dedup.prepare.sketch`) and made ready for the
    index (run in a worker: only compact bytes and arrays travel back)."""
    sketched = sketch(batch, config)
    units = sketched.units
    starts = np.searchsorted(units.doc, np.arange(len(sketched.documents()) + 1)).tolist()
    records: list[Record | Skipped] = []
    k = 0
    for outcome in sketched.outcomes:
        if isinstance(outcome, Skipped):
            records.append(outcome)
            continue
        lo, hi = starts[k], starts[k + 1]
        k += 1
        own = list(zip(units.paragraph[lo:hi].tolist(), sketched.texts[lo:hi], strict=True))
        meta, content = encode_document(outcome.paragraphs, outcome.notes, own, outcome.layout)
        raw = encode_raw(outcome.raw, outcome.paragraphs)
        records.append(Record(outcome.path, outcome.encoding, outcome.format, content, meta, raw))
    signatures = sketched.sketches.astype(np.uint32, copy=False)
    codes = band_codes(signatures, *banding(config.candidates, config.fingerprint.num_perm))
    return IndexBatch(tuple(records), units.doc, codes)


@dataclass(frozen=True, slots=True)
class IndexedDocument:
    """A candidate document read back from the index: identity and prepared record, no raw text."""

    id: int
    path: str
    encoding: str
    form: StoredForm

    def scanned(self, config: Config) -> ScannedDocument:
        """The document as :func:`dedup.prepare.sketch` made it when it was indexed, but for its raw text
        (read apart, only to quote it)."""
        form = self.form
        digests = heading_digests(form.paragraphs, form.lengths, config.group)
        return ScannedDocument(
            self.path, self.encoding, form.paragraphs, form.notes, "", form.lengths, digests, form.layout
        )


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
        # Large pages: postings blocks are tens of megabytes, read whole; a document row is a few KiB.
        connection.execute("PRAGMA page_size = 32768")
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
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
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
                f"{target} has index schema {rows.get('schema_version')}, but this dedup reads schema"
                f" {SCHEMA_VERSION}: rebuild it with `dedup index build PATH... --index {path}`"
            )
        missing = _TABLES - tables
        if missing:
            connection.close()
            raise IndexFileError(
                f"{target} is a damaged dedup index (no {', '.join(sorted(missing))} table): rebuild it"
            )
        try:  # the postings' sizes cost nothing to check (SQLite knows a blob's length without reading it)
            sizes = connection.execute(
                "SELECT COUNT(*) FROM postings"
                " WHERE LENGTH(postings) != 8 * units * bands OR LENGTH(unit_docs) != 2 * units"
            ).fetchone()[0]
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise IndexFileError(f"{target} is a damaged dedup index ({exc}): rebuild it") from exc
        if sizes:
            connection.close()
            raise IndexFileError(f"{target} is a damaged dedup index ({sizes} postings block(s) cut short): rebuild it")
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
            f"{stage}.{key} is {stored.get(stage, {}).get(key)!r} in the index but {value!r} here"
            for stage, values in wanted.items()
            for key, value in values.items()
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

    @contextmanager
    def writer(self, config: Config) -> Iterator[Writer]:
        """An add: one transaction, fed batch by batch (see :class:`Writer`); it commits on a clean exit."""
        self.require_settings(config)
        with self.transaction() as connection:
            writer = Writer(connection, settings_of(config)["banding"]["bands"])  # type: ignore[arg-type]
            yield writer
            writer.flush()

    # --- reading ---------------------------------------------------------------------------------------------

    def blocks(self) -> Iterator[Block]:
        """Every postings block, in id order, one at a time (each is let go when the next is read)."""
        for block, _ in self.blocks_with(_nothing):
            yield block

    def blocks_with(self, work: Callable[[Block], T]) -> Iterator[tuple[Block, T]]:
        """Every postings block in id order, with ``work(block)``, computed ahead in a second thread.

        The next block is read (on the thread's own connection) and worked on while the caller handles this
        one: with SQLite and compiled kernels both outside the GIL, reading, merging and the caller's
        bookkeeping overlap. ``work`` must not touch what the caller changes.
        """
        ids = [row[0] for row in self.connection.execute("SELECT id FROM postings ORDER BY id")]
        if not ids:
            return
        reader = _BlockReader(self.path)

        def read_and_work(block_id: int) -> tuple[Block, T]:
            block = reader.read(block_id)
            return block, work(block)

        with ThreadPoolExecutor(1, thread_name_prefix="dedup-postings") as pool:
            try:
                ahead = pool.submit(read_and_work, ids[0])
                for k in range(len(ids)):
                    done = ahead.result()
                    if k + 1 < len(ids):
                        ahead = pool.submit(read_and_work, ids[k + 1])
                    yield done
                    del done
            finally:
                pool.submit(reader.close).result()

    def unit_texts(self, docs: npt.NDArray[np.int64], units: npt.NDArray[np.int64]) -> list[str]:
        """The texts of these indexed units (document id and unit number, sorted by document), read from the
        documents' ``content`` alone: what verifying candidate pairs needs, and no more."""
        out: list[str] = []
        ids, starts = np.unique(docs, return_index=True)
        bounds = [*starts.tolist(), int(docs.size)]
        for start in range(0, ids.size, _READ_CHUNK):
            chunk = ids[start : start + _READ_CHUNK].tolist()
            marks = ",".join("?" * len(chunk))
            rows = self.connection.execute(
                f"SELECT id, path, content FROM documents WHERE id IN ({marks}) ORDER BY id", chunk
            ).fetchall()
            if len(rows) != len(chunk):
                raise IndexFileError(f"{self.path} is a damaged dedup index (postings name a missing document)")
            for k, (_, path, content) in enumerate(rows, start):
                try:
                    text, spans = decode_content(content)
                    wanted = spans[units[bounds[k] : bounds[k + 1]]].tolist()
                except (StoredFormError, IndexError) as exc:
                    raise IndexFileError(f"{self.path}: document {path} is damaged ({exc}): rebuild it") from exc
                out.extend(text[s:e] for s, e in wanted)
        return out

    def documents(self, ids: Sequence[int] | npt.NDArray[np.int64]) -> list[IndexedDocument]:
        """The stored documents with these ids, in id order, with their prepared records (no raw text)."""
        out: list[IndexedDocument] = []
        wanted = sorted({int(i) for i in ids})
        for start in range(0, len(wanted), _READ_CHUNK):
            chunk = wanted[start : start + _READ_CHUNK]
            marks = ",".join("?" * len(chunk))
            for doc_id, path, encoding, content, meta in self.connection.execute(
                f"SELECT id, path, encoding, content, meta FROM documents WHERE id IN ({marks}) ORDER BY id", chunk
            ):
                try:
                    form = decode_document(meta, content)
                except StoredFormError as exc:
                    raise IndexFileError(f"{self.path}: document {path} is damaged ({exc}): rebuild it") from exc
                out.append(IndexedDocument(doc_id, path, encoding, form))
        return out

    def raw_texts(self, documents: Sequence[IndexedDocument]) -> dict[int, str]:
        """The raw text of each of these documents, by id: only what a collation quotes needs it."""
        forms = {d.id: d for d in documents}
        out: dict[int, str] = {}
        wanted = sorted(forms)
        for start in range(0, len(wanted), _READ_CHUNK):
            chunk = wanted[start : start + _READ_CHUNK]
            marks = ",".join("?" * len(chunk))
            for doc_id, raw in self.connection.execute(f"SELECT id, raw FROM texts WHERE id IN ({marks})", chunk):
                document = forms[doc_id]
                try:
                    out[doc_id] = decode_raw(raw, document.form.paragraphs)
                except StoredFormError as exc:
                    raise IndexFileError(f"{self.path}: the text of {document.path} is damaged ({exc})") from exc
        missing = [forms[i].path for i in wanted if i not in out]
        if missing:
            raise IndexFileError(f"{self.path} is a damaged dedup index (no text for {missing[0]}): rebuild it")
        return out

    def count(self) -> int:
        return int(self.connection.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def info(self) -> dict[str, object]:
        """Counts, size and settings, for ``dedup index info``; sizes per part say where the bytes go."""
        documents, units = self.connection.execute("SELECT COUNT(*), COALESCE(SUM(units), 0) FROM documents").fetchone()
        size = self.path.stat().st_size
        parts = {
            "content": "SELECT COALESCE(SUM(LENGTH(content)), 0) FROM documents",
            "meta": "SELECT COALESCE(SUM(LENGTH(meta)), 0) FROM documents",
            "raw": "SELECT COALESCE(SUM(LENGTH(raw)), 0) FROM texts",
            "postings": "SELECT COALESCE(SUM(LENGTH(postings) + LENGTH(unit_docs)), 0) FROM postings",
        }
        part_bytes = {name: int(self.connection.execute(sql).fetchone()[0]) for name, sql in parts.items()}
        blocks = int(self.connection.execute("SELECT COUNT(*) FROM postings").fetchone()[0])
        return {
            "path": str(self.path),
            "schema_version": SCHEMA_VERSION,
            "documents": int(documents),
            "units": int(units),
            "postings_blocks": blocks,
            "bytes": size,
            "bytes_per_document": round(size / documents) if documents else 0,
            "bytes_per_document_by_part": {
                name: round(value / documents) if documents else 0 for name, value in part_bytes.items()
            },
            "settings": self.settings(),
        }


def _nothing(block: Block) -> None:
    """No work: for :meth:`Index.blocks`."""


class _BlockReader:
    """Reads postings blocks on the thread that calls it (a connection belongs to its thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.connection: sqlite3.Connection | None = None

    def read(self, block_id: int) -> Block:
        if self.connection is None:
            self.connection = _connect(self.path)
        row = self.connection.execute(
            "SELECT first_doc, units, bands, postings, unit_docs FROM postings WHERE id = ?", (block_id,)
        ).fetchone()
        try:
            return Block.from_blobs(*row)
        except (ValueError, TypeError) as exc:
            raise IndexFileError(f"{self.path} is a damaged dedup index ({exc}): rebuild it") from exc

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


class Writer:
    """Writes one add's batches inside its transaction: documents and texts at once, postings per block.

    Document ids are allotted by SQLite in order, so a block's documents are a run of ids and a posting can
    name its document by a 16-bit offset; a block is written when it holds :data:`BLOCK_UNITS` units (or as
    many documents as an offset can name), so the codes held in memory never exceed one block.
    """

    def __init__(self, connection: sqlite3.Connection, bands: int) -> None:
        self.connection = connection
        self.bands = bands
        self.added = 0
        self._first_doc = -1
        self._codes: list[npt.NDArray[np.uint64]] = []
        self._docs: list[npt.NDArray[np.int64]] = []
        self._units = 0
        self._paused = False

    def add(self, records: Sequence[Record], unit_docs: npt.NDArray[np.int64], codes: npt.NDArray[np.uint64]) -> None:
        """Write a sketched batch's documents, and hold its units' codes for the current block.

        Args:
            records: the documents.
            unit_docs: for each unit, the position of its document in ``records``.
            codes: the units' band codes (``units × bands``, :func:`dedup.store.postings.band_codes`).
        """
        if not records:
            return
        counts = np.bincount(unit_docs, minlength=len(records)) if unit_docs.size else None
        ids: list[int] = []
        for k, record in enumerate(records):
            units = int(counts[k]) if counts is not None else 0
            cursor = self.connection.execute(
                "INSERT INTO documents (path, encoding, format, units, content, meta) VALUES (?, ?, ?, ?, ?, ?)",
                (record.path, record.encoding, record.format, units, record.content, record.meta),
            )
            doc_id = int(cursor.lastrowid or 0)
            self.connection.execute("INSERT INTO texts (id, raw) VALUES (?, ?)", (doc_id, record.raw))
            ids.append(doc_id)
        self.added += len(records)
        if not self._paused:
            self._paused = True
            _fault_pause()
        if not unit_docs.size:
            return
        if codes.shape[1] != self.bands:
            raise ValueError(f"a batch has {codes.shape[1]} bands, the index {self.bands}")
        unit_ids = np.asarray(ids, dtype=np.int64)[unit_docs]
        full = self._units + unit_ids.size > MAX_BLOCK_UNITS
        if self._first_doc >= 0 and (full or int(unit_ids.max()) - self._first_doc >= MAX_BLOCK_DOCS):
            self.flush()
        if self._first_doc < 0:
            self._first_doc = int(unit_ids.min())
        self._codes.append(codes)
        self._docs.append(unit_ids)
        self._units += int(unit_ids.size)
        if self._units >= BLOCK_UNITS:
            self.flush()

    def flush(self) -> None:
        """Write the held codes as one postings block (letting go of each copy as soon as the next is made)."""
        if not self._units:
            return
        codes = np.concatenate(self._codes)
        self._codes = []
        docs = np.concatenate(self._docs)
        block = Block.build(self._first_doc, codes, docs - self._first_doc)
        del codes
        self.connection.execute(
            "INSERT INTO postings (first_doc, documents, units, bands, postings, unit_docs) VALUES (?, ?, ?, ?, ?, ?)",
            (
                block.first_doc,
                int(docs.max()) - self._first_doc + 1,
                block.units,
                block.bands,
                block.postings.data,  # bound as a blob without another copy
                block.unit_docs.data,
            ),
        )
        self._docs, self._units, self._first_doc = [], 0, -1


FAULT_PAUSE = "DEDUP_FAULT_PAUSE_S"


def _fault_pause() -> None:
    """Fault injection for the tests that kill an add midway: with ``DEDUP_FAULT_PAUSE_S`` set, an add says so
    on stderr and sleeps inside its transaction (after its first documents are written), so a test can kill
    it there. Unset, it does nothing."""
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
        connection.execute("PRAGMA cache_size = -65536")  # 64 MiB: an add writes gigabytes in one transaction
    except sqlite3.DatabaseError as exc:
        raise IndexFileError(
            f"{path} is not a dedup index ({exc}); was it damaged or written by another tool?"
        ) from exc
    return connection
