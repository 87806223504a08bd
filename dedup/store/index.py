"""A persistent index of sketched documents: one SQLite file, so a daily corpus drop can be checked against
everything already held without re-reading it.

A check needs four things of the indexed documents, at four very different rates: the LSH bands of all of
them (to find the units that share a band with the drop), the texts of those units (to verify the candidate
pairs exactly: most are chance collisions), the prepared paragraphs of the documents that verification keeps
(to group them with the drop), and the raw text of the few that are quoted in a collation. So the
file keeps them apart, each in the form its reader wants (``schema_version`` 4; 3 stored each document's
layout, which stitching page jumps reads, so that a check stitches indexed pages as a scan would; 4 stores
each unit's head key beside its postings, so that a check finds a preview copy as a scan does):

- ``meta``: what the file is (``format = dedup-index``), the schema version, the dedup version, and the
  settings the sketches depend on (fingerprint, normalization, LSH banding). Sketches made otherwise cannot
  be compared, so adding or checking with other settings is refused, naming the setting that differs.
- ``documents``: each document's path, encoding, format, unit count, and its prepared records
  (:mod:`dedup.store.docstore`): ``content`` (matching text and unit spans, read to verify candidate pairs) and
  ``meta`` (the rest of the paragraphs: lines, hints, markers; the notes). A check rebuilds candidates from
  these, never re-normalizing them.
- ``texts``: each document's raw text, compressed against its matching text; read only to quote a copy.
- ``postings``: the band codes of every unit, one row per block of documents, sorted for a merge, and the
  units' head keys (:mod:`dedup.store.postings`). A check streams these blocks and never holds more than one.

Every ``add`` is a single transaction (``BEGIN IMMEDIATE``), however many blocks it writes: an interrupted or
failed add leaves the index as it was, and two processes adding at once take turns (SQLite's lock, with a
generous busy timeout) instead of corrupting the file or losing an entry. An add streams: documents are
written as they are sketched and postings a block at a time, so memory stays flat as the index grows. An
add is idempotent (:mod:`dedup.store.writer`): a path held with the same content is skipped, with new
content replaced. A build writes a temporary file beside the target and links it into place only once its
add has committed (:mod:`dedup.store.files`), so a killed build leaves no index rather than a partial one.
Whatever SQLite or the disk refuses (damage, a full disk, a read-only file) is an :class:`IndexFileError`
naming the file and the cause (:mod:`dedup.store.errors`), never a bare ``sqlite3`` error.
"""

from __future__ import annotations

import contextlib
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
from dedup.match.heads import head_keys
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
from dedup.store.errors import REBUILD, IndexFileError, describe, guarded
from dedup.store.files import building_path, publish, remove, remove_leftovers
from dedup.store.postings import Block, band_codes
from dedup.store.writer import Record, Writer, Written

__all__ = ["Index", "IndexBatch", "IndexFileError", "IndexedDocument", "Record", "Written", "sketch_for_index"]

T = TypeVar("T")

FORMAT = "dedup-index"
SCHEMA_VERSION = 4
BUSY_TIMEOUT_S = 600.0
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
CREATE INDEX documents_path ON documents (path);
CREATE TABLE texts (id INTEGER PRIMARY KEY, raw BLOB NOT NULL);
CREATE TABLE postings (
    id INTEGER PRIMARY KEY,
    first_doc INTEGER NOT NULL,
    documents INTEGER NOT NULL,
    units INTEGER NOT NULL,
    bands INTEGER NOT NULL,
    postings BLOB NOT NULL,
    unit_docs BLOB NOT NULL,
    heads BLOB NOT NULL
);
"""


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
class IndexBatch:
    """A batch sketched for the index: records, and each unit's document and band codes.

    Attributes:
        outcomes: per input document, its record or why it was skipped.
        unit_docs: for each unit, the position of its document among the records.
        codes: the units' band codes (``units × bands``, see :func:`dedup.store.postings.band_codes`).
        heads: the units' head keys (:func:`dedup.match.heads.head_keys`).
    """

    outcomes: tuple[Record | Skipped, ...]
    unit_docs: npt.NDArray[np.int64]
    codes: npt.NDArray[np.uint64]
    heads: npt.NDArray[np.uint64]


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
    heads = units.heads if units.heads is not None else head_keys(sketched.texts, config.fingerprint)
    return IndexBatch(tuple(records), units.doc, codes, heads)


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
    """An open index file. Use :meth:`create`, :meth:`building` or :meth:`open`.

    Attributes:
        path: the file SQLite has open (a temporary file while :meth:`building`).
        name: the file the user named, which every message names.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, name: Path | None = None) -> None:
        self.path = path
        self.connection = connection
        self.name = name or path

    # --- opening ---------------------------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, config: Config) -> Index:
        """A new, empty index; refuses to replace an existing file. The file appears whole (schema and
        settings) or not at all."""
        target = Path(path)
        with cls.building(target, config):
            pass
        return cls(target, _connect(target))

    @classmethod
    @contextmanager
    def building(cls, path: str | Path, config: Config) -> Iterator[Index]:
        """A new index to fill (with :func:`dedup.gate.check.add_to_index`), which appears at ``path`` only
        when the ``with`` block ends cleanly: until then it is a temporary file beside ``path``, removed if
        the block fails, and left behind only by a killed process (the next build removes it).

        Raises:
            IndexFileError: ``path`` exists, or its folder cannot be written.
        """
        target = Path(path)
        if target.exists():
            raise IndexFileError(f"{target} already exists: use `dedup index add` to add to it, or remove it first")
        if not target.parent.is_dir():
            raise IndexFileError(f"{target}: no such folder {target.parent}; create it first")
        remove_leftovers(target)
        temporary = building_path(target)
        remove(temporary)
        index: Index | None = None
        try:
            index = cls(temporary, _connect(temporary, target, "nothing was built"), target)
            with guarded(target, "nothing was built"):
                index._write_schema(config)
            yield index
            with guarded(target, "nothing was built"):
                index.close()
        except BaseException:
            if index is not None:
                with contextlib.suppress(sqlite3.Error):
                    index.close()
            remove(temporary)
            raise
        publish(temporary, target)

    def _write_schema(self, config: Config) -> None:
        # Large pages: postings blocks are tens of megabytes, read whole; a document row is a few KiB.
        self.connection.execute("PRAGMA page_size = 32768")
        with self.transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.connection.execute(statement)
            meta = {
                "format": FORMAT,
                "schema_version": str(SCHEMA_VERSION),
                "dedup_version": __version__,
                "settings": json.dumps(settings_of(config), sort_keys=True),
            }
            self.connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())

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
            cls._check(target, connection)
        except BaseException:
            connection.close()
            raise
        index = cls(target, connection)
        if config is not None:
            index.require_settings(config)
        return index

    @staticmethod
    def _check(target: Path, connection: sqlite3.Connection) -> None:
        """Refuse a file that is not a whole dedup index of this schema (cheap checks only: no full scan)."""
        try:
            rows = dict(connection.execute("SELECT key, value FROM meta").fetchall())
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorname", "") in ("SQLITE_ERROR", "SQLITE_NOTADB"):
                raise IndexFileError(
                    f"{target} is not a dedup index ({exc}); was it damaged or written by another tool?"
                ) from exc
            raise IndexFileError(describe(target, exc)) from exc
        if rows.get("format") != FORMAT:
            raise IndexFileError(f"{target} is an SQLite file but not a dedup index")
        if rows.get("schema_version") != str(SCHEMA_VERSION):
            raise IndexFileError(
                f"{target} has index schema {rows.get('schema_version')}, but this dedup reads schema"
                f" {SCHEMA_VERSION}: rebuild it with `dedup index build PATH... --index {target}`"
            )
        missing = _TABLES - tables
        if missing:
            raise IndexFileError(
                f"{target} is a damaged dedup index (no {', '.join(sorted(missing))} table): rebuild it"
            )
        with guarded(target):  # the postings' sizes cost nothing to check (SQLite knows a blob's length)
            sizes = connection.execute(
                "SELECT COUNT(*) FROM postings"
                " WHERE LENGTH(postings) != 8 * units * bands OR LENGTH(unit_docs) != 2 * units"
            ).fetchone()[0]
        if sizes:
            raise IndexFileError(f"{target} is a damaged dedup index ({sizes} postings block(s) cut short): rebuild it")

    def settings(self) -> dict[str, dict[str, object]]:
        with guarded(self.name):
            row = self.connection.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
        try:
            settings = json.loads(row[0])
            if not isinstance(settings, dict) or not all(isinstance(v, dict) for v in settings.values()):
                raise ValueError("not an object of objects")
        except (TypeError, ValueError) as exc:
            raise IndexFileError(f"{self.name} is a damaged dedup index (its settings do not read: {exc})") from exc
        return settings

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
                f"{self.name} was built with other settings: "
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
    def transaction(self, undone: str = "") -> Iterator[sqlite3.Connection]:
        """One atomic write: everything in it lands, or nothing does.

        SQLite may roll a transaction back by itself (a full disk, an I/O error), so the rollback here is
        asked for only if one is still open, and a failing rollback never hides the error that caused it.
        Any SQLite or file system error becomes an :class:`IndexFileError` saying that nothing was written.
        """
        undone = undone or ("nothing was built" if self.name != self.path else "nothing was written")
        with guarded(self.name, undone):
            self.connection.execute("BEGIN IMMEDIATE")
        try:
            with guarded(self.name, undone):
                yield self.connection
                self.connection.execute("COMMIT")
        except BaseException:
            if self.connection.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self.connection.execute("ROLLBACK")
            raise

    @contextmanager
    def writer(self, config: Config) -> Iterator[Writer]:
        """An add: one transaction, fed batch by batch (see :class:`Writer`); it commits on a clean exit.

        The transaction starts by writing (an unchanged row), so that a read-only file or folder, where
        SQLite cannot write its journal, is refused before any document is read, not after all are sketched.
        """
        self.require_settings(config)
        building = self.name != self.path
        with self.transaction("" if building else "the add was rolled back: the index is as it was") as connection:
            connection.execute("UPDATE meta SET value = value WHERE key = 'format'")
            connection.execute("CREATE INDEX IF NOT EXISTS documents_path ON documents (path)")
            writer = Writer(connection, settings_of(config)["banding"]["bands"])  # type: ignore[arg-type]
            yield writer
            writer.finish()

    # --- reading ---------------------------------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Read the index as one snapshot: an add that commits meanwhile (one that replaces a document
        deletes rows) waits until the block ends, rather than being half seen. Nested uses are one snapshot."""
        if self.connection.in_transaction:
            yield
            return
        with guarded(self.name):
            self.connection.execute("BEGIN")
            self.connection.execute("SELECT COUNT(*) FROM meta").fetchone()  # takes the shared lock now
        try:
            yield
        finally:
            if self.connection.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self.connection.execute("COMMIT")

    def blocks(self) -> Iterator[Block]:
        """Every postings block, in id order, one at a time (each is let go when the next is read)."""
        for block, _ in self.blocks_with(_nothing):
            yield block

    def blocks_with(self, work: Callable[[Block], T]) -> Iterator[tuple[Block, T]]:
        """Every postings block in id order, with ``work(block)``, computed ahead in a second thread.

        The next block is read and worked on while the caller handles this one: with SQLite and compiled
        kernels both outside the GIL, reading, merging and the caller's bookkeeping overlap. The thread
        reads on this connection (so inside the caller's :meth:`reading` snapshot); the caller must not use
        the connection until it takes the next block, and ``work`` must not touch what the caller changes.
        """
        with guarded(self.name):
            ids = [row[0] for row in self.connection.execute("SELECT id FROM postings ORDER BY id")]
        if not ids:
            return

        def read_and_work(block_id: int) -> tuple[Block, T]:
            block = self._block(block_id)
            return block, work(block)

        with ThreadPoolExecutor(1, thread_name_prefix="dedup-postings") as pool:
            ahead = pool.submit(read_and_work, ids[0])
            try:
                for k in range(len(ids)):
                    done = ahead.result()
                    if k + 1 < len(ids):
                        ahead = pool.submit(read_and_work, ids[k + 1])
                    yield done
                    del done
            finally:
                ahead.cancel()  # one still running is waited for as the pool closes: the connection is then free

    def _block(self, block_id: int) -> Block:
        """One stored postings block, refused if it is not one an add could have written."""
        with guarded(self.name):
            row = self.connection.execute(
                "SELECT first_doc, units, bands, postings, unit_docs, heads FROM postings WHERE id = ?", (block_id,)
            ).fetchone()
        if row is None:
            raise IndexFileError(f"{self.name} is a damaged dedup index (postings block {block_id} vanished)")
        try:
            return Block.from_blobs(*row)
        except (ValueError, TypeError, OverflowError) as exc:
            raise IndexFileError(f"{self.name} is a damaged dedup index ({exc}); {REBUILD}") from exc

    def unit_texts(self, docs: npt.NDArray[np.int64], units: npt.NDArray[np.int64]) -> list[str]:
        """The texts of these indexed units (document id and unit number, sorted by document), read from the
        documents' ``content`` alone: what verifying candidate pairs needs, and no more."""
        out: list[str] = []
        ids, starts = np.unique(docs, return_index=True)
        bounds = [*starts.tolist(), int(docs.size)]
        for start in range(0, ids.size, _READ_CHUNK):
            chunk = ids[start : start + _READ_CHUNK].tolist()
            marks = ",".join("?" * len(chunk))
            with guarded(self.name):
                rows = self.connection.execute(
                    f"SELECT id, path, content FROM documents WHERE id IN ({marks}) ORDER BY id", chunk
                ).fetchall()
            if len(rows) != len(chunk):
                raise IndexFileError(f"{self.name} is a damaged dedup index (postings name a missing document)")
            for k, (_, path, content) in enumerate(rows, start):
                try:
                    text, spans = decode_content(_blob(content))
                    wanted = spans[units[bounds[k] : bounds[k + 1]]].tolist()
                except (StoredFormError, IndexError) as exc:
                    raise IndexFileError(f"{self.name}: document {path} is damaged ({exc}); {REBUILD}") from exc
                out.extend(text[s:e] for s, e in wanted)
        return out

    def documents(self, ids: Sequence[int] | npt.NDArray[np.int64]) -> list[IndexedDocument]:
        """The stored documents with these ids, in id order, with their prepared records (no raw text)."""
        out: list[IndexedDocument] = []
        wanted = sorted({int(i) for i in ids})
        for start in range(0, len(wanted), _READ_CHUNK):
            chunk = wanted[start : start + _READ_CHUNK]
            marks = ",".join("?" * len(chunk))
            with guarded(self.name):
                rows = self.connection.execute(
                    f"SELECT id, path, encoding, content, meta FROM documents WHERE id IN ({marks}) ORDER BY id",
                    chunk,
                ).fetchall()
            for doc_id, path, encoding, content, meta in rows:
                try:
                    form = decode_document(_blob(meta), _blob(content))
                except (StoredFormError, RecursionError, MemoryError) as exc:
                    raise IndexFileError(f"{self.name}: document {path} is damaged ({exc}); {REBUILD}") from exc
                out.append(IndexedDocument(doc_id, str(path), str(encoding), form))
        return out

    def raw_texts(self, documents: Sequence[IndexedDocument]) -> dict[int, str]:
        """The raw text of each of these documents, by id: only what a collation quotes needs it."""
        forms = {d.id: d for d in documents}
        out: dict[int, str] = {}
        wanted = sorted(forms)
        for start in range(0, len(wanted), _READ_CHUNK):
            chunk = wanted[start : start + _READ_CHUNK]
            marks = ",".join("?" * len(chunk))
            with guarded(self.name):
                rows = self.connection.execute(f"SELECT id, raw FROM texts WHERE id IN ({marks})", chunk).fetchall()
            for doc_id, raw in rows:
                document = forms[doc_id]
                try:
                    out[doc_id] = decode_raw(_blob(raw), document.form.paragraphs)
                except StoredFormError as exc:
                    raise IndexFileError(f"{self.name}: the text of {document.path} is damaged ({exc})") from exc
        missing = [forms[i].path for i in wanted if i not in out]
        if missing:
            raise IndexFileError(f"{self.name} is a damaged dedup index (no text for {missing[0]}): rebuild it")
        return out

    def count(self) -> int:
        with guarded(self.name):
            return int(self.connection.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def info(self) -> dict[str, object]:
        """Counts, size and settings, for ``dedup index info``; sizes per part say where the bytes go."""
        parts = {
            "content": "SELECT COALESCE(SUM(LENGTH(content)), 0) FROM documents",
            "meta": "SELECT COALESCE(SUM(LENGTH(meta)), 0) FROM documents",
            "raw": "SELECT COALESCE(SUM(LENGTH(raw)), 0) FROM texts",
            "postings": "SELECT COALESCE(SUM(LENGTH(postings) + LENGTH(unit_docs)), 0) FROM postings",
        }
        with guarded(self.name), self.reading():
            documents, units = self.connection.execute(
                "SELECT COUNT(*), COALESCE(SUM(units), 0) FROM documents"
            ).fetchone()
            size = self.path.stat().st_size
            part_bytes = {name: int(self.connection.execute(sql).fetchone()[0]) for name, sql in parts.items()}
            blocks = int(self.connection.execute("SELECT COUNT(*) FROM postings").fetchone()[0])
            documents, units = int(documents), int(units)
        return {
            "path": str(self.name),
            "schema_version": SCHEMA_VERSION,
            "documents": documents,
            "units": units,
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


def _blob(value: object) -> bytes:
    """A stored blob, or a damaged row's stand-in for one (SQLite keeps any type in any column)."""
    if isinstance(value, bytes):
        return value
    raise StoredFormError(f"a stored record is {type(value).__name__}, not bytes")


def _connect(path: Path, name: Path | None = None, undone: str = "") -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), durable writes, a busy timeout that
    lets concurrent adds take turns; usable from the thread that reads postings ahead (one at a time)."""
    shown = name or path
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise IndexFileError(describe(shown, exc, undone)) from exc
    try:
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA cache_size = -65536")  # 64 MiB: an add writes gigabytes in one transaction
    except sqlite3.Error as exc:
        connection.close()
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise IndexFileError(
                f"{shown} is not a dedup index ({exc}); was it damaged or written by another tool?"
            ) from exc
        raise IndexFileError(describe(shown, exc, undone)) from exc
    return connection
