"""Writing one add into the index: documents as they come, postings a block at a time, each path held once.

An add is one transaction (:meth:`dedup.store.index.Index.writer`); this module writes inside it. Adding is
idempotent, so that a CI job that retries its ``dedup index add`` does not store its drop twice: a document
whose path the index already holds with the same content is skipped and counted; one whose content changed
replaces the old one (the old rows are deleted and its units taken out of their postings block when the
add ends), and the add says which.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup.store.postings import MAX_BLOCK_DOCS, MAX_BLOCK_UNITS, Block

BLOCK_UNITS = 1 << 19  # units per postings block: ~150 MB of postings while one is built or read
FAULT_PAUSE = "DEDUP_FAULT_PAUSE_S"


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
class Written:
    """What an add did with its documents.

    Attributes:
        added: documents written (new paths, and new content for held paths).
        unchanged: documents skipped because the index holds their path with the same content.
        replaced: the paths whose held content the add replaced, in input order.
    """

    added: int
    unchanged: int
    replaced: tuple[str, ...]


class Writer:
    """Writes one add's batches inside its transaction: documents and texts at once, postings per block.

    Document ids are allotted by SQLite in order, so a block's documents are a run of ids and a posting can
    name its document by a 16-bit offset; a block is written when it holds ``BLOCK_UNITS`` units (or as
    many documents as an offset can name), so the codes held in memory never exceed one block. Replaced
    documents are deleted only in :meth:`finish`, after every new one is written: their ids are then never
    the highest, so SQLite never hands one out again to a document of a later block.
    """

    def __init__(self, connection: sqlite3.Connection, bands: int) -> None:
        self.connection = connection
        self.bands = bands
        self.added = 0
        self.unchanged = 0
        self.replaced: list[str] = []
        self._dead: set[int] = set()
        self._first_doc = -1
        self._codes: list[npt.NDArray[np.uint64]] = []
        self._heads: list[npt.NDArray[np.uint64]] = []
        self._docs: list[npt.NDArray[np.int64]] = []
        self._units = 0
        self._paused = False

    def add(
        self,
        records: Sequence[Record],
        unit_docs: npt.NDArray[np.int64],
        codes: npt.NDArray[np.uint64],
        heads: npt.NDArray[np.uint64],
    ) -> None:
        """Write a sketched batch's documents, and hold its units' codes and head keys for the current block.

        Args:
            records: the documents.
            unit_docs: for each unit, the position of its document in ``records``.
            codes: the units' band codes (``units × bands``, :func:`dedup.store.postings.band_codes`).
            heads: the units' head keys (:func:`dedup.match.heads.head_keys`).
        """
        if not records:
            return
        if unit_docs.size and codes.shape[1] != self.bands:
            raise ValueError(f"a batch has {codes.shape[1]} bands, the index {self.bands}")
        counts = np.bincount(unit_docs, minlength=len(records)) if unit_docs.size else np.zeros(len(records), int)
        ids = np.full(len(records), -1, dtype=np.int64)
        for k, record in enumerate(records):
            if self._held(record):
                continue
            cursor = self.connection.execute(
                "INSERT INTO documents (path, encoding, format, units, content, meta) VALUES (?, ?, ?, ?, ?, ?)",
                (record.path, record.encoding, record.format, int(counts[k]), record.content, record.meta),
            )
            ids[k] = int(cursor.lastrowid or 0)
            self.connection.execute("INSERT INTO texts (id, raw) VALUES (?, ?)", (int(ids[k]), record.raw))
            self.added += 1
        if not self._paused:
            self._paused = True
            _fault_pause()
        if not unit_docs.size:
            return
        written = ids[unit_docs] >= 0
        unit_ids = ids[unit_docs][written]
        if not unit_ids.size:
            return
        full = self._units + unit_ids.size > MAX_BLOCK_UNITS
        if self._first_doc >= 0 and (full or int(unit_ids.max()) - self._first_doc >= MAX_BLOCK_DOCS):
            self.flush()
        if self._first_doc < 0:
            self._first_doc = int(unit_ids.min())
        self._codes.append(codes[written])
        self._heads.append(heads[written])
        self._docs.append(unit_ids)
        self._units += int(unit_ids.size)
        if self._units >= BLOCK_UNITS:
            self.flush()

    def _held(self, record: Record) -> bool:
        """Whether the index holds this path with this very content (the record is then skipped); a held
        copy with other content, or a second copy of the path, is marked to be deleted when the add ends.

        Equal content gives equal stored records (the settings are the index's, the encoders are
        deterministic), so comparing the stored bytes says whether the document changed without decoding it.
        """
        rows = self.connection.execute(
            "SELECT documents.id, content, meta, raw FROM documents JOIN texts ON texts.id = documents.id"
            " WHERE path = ? ORDER BY documents.id",
            (record.path,),
        ).fetchall()
        live = [row for row in rows if row[0] not in self._dead]
        same = next((row[0] for row in live if row[1:] == (record.content, record.meta, record.raw)), None)
        self._dead.update(row[0] for row in live if row[0] != same)
        if same is not None:
            self.unchanged += 1
            return True
        if live:
            self.replaced.append(record.path)
        return False

    def flush(self) -> None:
        """Write the held codes as one postings block (letting go of each copy as soon as the next is made)."""
        if not self._units:
            return
        codes = np.concatenate(self._codes)
        self._codes = []
        docs = np.concatenate(self._docs)
        block = Block.build(self._first_doc, codes, docs - self._first_doc, np.concatenate(self._heads))
        del codes
        self._heads = []
        self.connection.execute(
            "INSERT INTO postings (first_doc, documents, units, bands, postings, unit_docs, heads)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                block.first_doc,
                int(docs.max()) - self._first_doc + 1,
                block.units,
                block.bands,
                block.postings.data,  # bound as a blob without another copy
                block.unit_docs.data,
                block.heads.data,
            ),
        )
        self._docs, self._units, self._first_doc = [], 0, -1

    def finish(self) -> Written:
        """Write the last block, then delete the replaced documents and take their units out of the
        postings blocks that hold them (each such block is read, filtered and written back once)."""
        self.flush()
        dead = np.array(sorted(self._dead), dtype=np.int64)
        if dead.size:
            for start in range(0, dead.size, 500):
                chunk = [(int(i),) for i in dead[start : start + 500]]
                self.connection.executemany("DELETE FROM documents WHERE id = ?", chunk)
                self.connection.executemany("DELETE FROM texts WHERE id = ?", chunk)
            self._drop_postings(dead)
            self._dead.clear()
        return self.summary()

    def summary(self) -> Written:
        """What the add did so far (all of it, once :meth:`finish` has run)."""
        return Written(self.added, self.unchanged, tuple(self.replaced))

    def _drop_postings(self, dead: npt.NDArray[np.int64]) -> None:
        """Take the units of the ``dead`` documents out of every postings block whose range holds one."""
        rows = self.connection.execute(
            "SELECT id, first_doc, documents, units, bands, postings, unit_docs, heads FROM postings"
            " WHERE first_doc <= ? AND first_doc + documents > ? ORDER BY id",
            (int(dead[-1]), int(dead[0])),
        ).fetchall()
        for block_id, first_doc, documents, units, bands, postings, unit_docs, heads in rows:
            inside = dead[(dead >= first_doc) & (dead < first_doc + documents)]
            if not inside.size:
                continue
            block = Block.from_blobs(first_doc, units, bands, postings, unit_docs, heads).without(inside - first_doc)
            if not block.units:
                self.connection.execute("DELETE FROM postings WHERE id = ?", (block_id,))
                continue
            self.connection.execute(
                "UPDATE postings SET units = ?, postings = ?, unit_docs = ?, heads = ? WHERE id = ?",
                (block.units, block.postings.data, block.unit_docs.data, block.heads.data, block_id),
            )


def _fault_pause() -> None:
    """Fault injection for the tests that kill an add midway: with ``DEDUP_FAULT_PAUSE_S`` set, an add says so
    on stderr and sleeps inside its transaction (after its first documents are written), so a test can kill
    it there. Unset, it does nothing."""
    seconds = os.environ.get(FAULT_PAUSE)
    if seconds:
        sys.stderr.write("dedup: paused inside the add transaction\n")
        sys.stderr.flush()
        time.sleep(float(seconds))
