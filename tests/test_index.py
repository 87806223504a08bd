"""The persistent index's storage: stored records, postings lookups, streaming adds, schema and damage."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dedup.config import CandidateConfig, Config
from dedup.gate.check import add_to_index, check
from dedup.ingest import pool
from dedup.ingest.load import load
from dedup.match.candidates import build_units
from dedup.match.fingerprint import Signer
from dedup.prepare import Prepared, prepare_document
from dedup.records import Document
from dedup.store import index as index_module
from dedup.store import writer as writer_module
from dedup.store.docstore import decode_document, decode_raw, encode_document, encode_raw
from dedup.store.index import Index, IndexFileError
from dedup.store.postings import Block, HeadLookup, Lookup, band_codes

from .corpora import page, story


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_stored_record_gives_back_the_paragraphs_units_and_raw_text(seeds: dict[str, Prepared]) -> None:
    """The seeds hold every kind of paragraph metadata: jump markers (000, 002), headlines and bylines,
    pinyin notes and Traditional script (003), and long paragraphs sketched as windows."""
    config = Config()
    for prepared in seeds.values():
        units, texts = build_units([prepared.paragraphs], config.fingerprint)
        notes = tuple(n.message for n in prepared.norm.notes)
        meta, content = encode_document(
            prepared.paragraphs, notes, list(zip(units.paragraph.tolist(), texts, strict=True))
        )
        stored = decode_document(meta, content)
        assert stored.paragraphs == prepared.paragraphs, prepared.path
        assert stored.notes == notes
        assert stored.unit_texts == texts and stored.unit_paragraphs == units.paragraph.tolist()
        raw = encode_raw(prepared.document.text, prepared.paragraphs)
        assert decode_raw(raw, stored.paragraphs) == prepared.document.text
    kinds = {h for p in seeds.values() for q in p.paragraphs for h in q.hints}
    assert {"headline", "continued_on", "continued_from"} <= kinds, "the seeds exercise the hints"
    assert any(q.markers for p in seeds.values() for q in p.paragraphs)


def test_a_unit_that_is_not_a_stretch_of_its_paragraph_is_stored_whole() -> None:
    prepared = prepare_document(Document("x.txt", page(("标题", story(3))), "utf-8"))
    odd = [(1, "一段不在原文里的文字，完全是另外写的。"), (1, prepared.paragraphs[1].text[5:40])]
    stored = decode_document(*encode_document(prepared.paragraphs, (), odd))
    assert stored.unit_texts == [text for _, text in odd]


def test_postings_find_what_a_brute_force_comparison_finds() -> None:
    rng = np.random.default_rng(7)
    signatures = rng.integers(0, 2**32, size=(600, 128), dtype=np.uint64).astype(np.uint32)
    signatures[100:108] = signatures[5]  # a bucket of 9 indexed units: crowded at max_bucket 8
    signatures[300, :3] = signatures[7, :3]  # one shared band only
    codes = band_codes(signatures, 37, 3)
    docs = np.arange(600, dtype=np.int64) // 6  # 100 documents of 6 units
    halves = [slice(0, 300), slice(300, 600)]
    blocks = [Block.build(1 + 50 * k, codes[h], docs[h] - 50 * k) for k, h in enumerate(halves)]
    stored = [Block.from_blobs(b.first_doc, b.units, b.bands, *b.blobs()) for b in blocks]
    drop_signatures = np.concatenate([signatures[[5, 7, 450, 7]], signatures[[0]] ^ np.uint32(1)])
    lookup = Lookup(band_codes(drop_signatures, 37, 3), max_bucket=8)
    for block in stored:
        lookup.add(block)
    hits = lookup.result()

    drop = band_codes(drop_signatures, 37, 3)
    counts: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    for u, row in enumerate(codes.tolist()):
        for code in row:
            counts[code] = counts.get(code, 0) + 1
            members.setdefault(code, []).append(u)
    for code in drop.ravel().tolist():
        counts[code] = counts.get(code, 0) + 1
    crowded = {c for c, n in counts.items() if n > 8}
    # Every indexed member of a bucket, up to the first eight (by id) of a crowded one.
    expected = sorted(
        {
            (d, 1 + int(docs[u]), u % 6)
            for d in range(drop.shape[0])
            for c in drop[d].tolist()
            for u in members.get(c, [])[:8]
        }
    )
    got = sorted(zip(hits.drop_units.tolist(), hits.docs.tolist(), hits.units.tolist(), strict=True))
    assert got == expected
    assert set(hits.crowded.tolist()) == crowded and len(crowded) == 37, "unit 5's bucket, in every band"
    assert (1, 2, 1) in got and (1, 51, 0) in got and (3, 51, 0) in got, "unit 7 and 300 share band 0"
    assert (2, 76, 0) in got and not any(d == 4 for d, _, _ in got)
    star = {doc for d, doc, _ in got if d == 0}
    assert star == {1, 17, 18}, "of the crowded bucket (units 5, 100-107), the first eight: docs 1, 17, 18"


def _held(tmp_path: Path, count: int = 8) -> Path:
    for k in range(count):
        _write(tmp_path / "held", f"s{k}.txt", page((f"标题{k}", story(10 + k))))
    return tmp_path / "held"


def test_an_add_streams_in_batches_and_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With tiny batches and blocks an add writes many postings blocks, and a check across them finds
    exactly what it finds in an index of one block."""
    held = _held(tmp_path)
    _write(tmp_path / "drop", "r.txt", page(("转载", story(13)[1:])))
    with Index.create(tmp_path / "one.sqlite", Config()) as one:
        add_to_index([str(held)], one, workers=1)
        expected = check([str(tmp_path / "drop")], one, workers=1)
        assert one.info()["postings_blocks"] == 1

    monkeypatch.setattr(pool, "BATCH", 2)
    monkeypatch.setattr(writer_module, "BLOCK_UNITS", 10)
    with Index.create(tmp_path / "many.sqlite", Config()) as many:
        done = add_to_index([str(held)], many, workers=1)
        assert done.added == 8 and [r.status for r in done.inputs] == ["ok"] * 8
        info = many.info()
        assert int(info["postings_blocks"]) >= 4  # type: ignore[call-overload]
        blocks = list(many.blocks())
        assert all(b.units <= 10 + 2 * 20 for b in blocks), "a block is written once it holds BLOCK_UNITS units"
        assert sum(b.units for b in blocks) == info["units"]
        got = check([str(tmp_path / "drop")], many, workers=1)
    assert [d.reprints for d in got.drop] == [d.reprints for d in expected.drop]
    assert got.drop[0].reprints and got.drop[0].reprints[0].startswith("index:")


def test_the_sketch_stream_does_not_read_ahead(tmp_path: Path) -> None:
    """Results come while the inputs are still being read: memory holds a batch, not the corpus."""
    pulled = 0

    def documents() -> object:
        nonlocal pulled
        for k in range(3 * pool.BATCH):
            pulled += 1
            yield Document(f"d{k}.txt", page((f"标题{k}", story(k % 40, 2))), "utf-8")

    results = pool.stream(documents(), index_module.sketch_for_index, Config(), workers=1)  # type: ignore[arg-type]
    first = next(results)
    assert isinstance(first, pool.Done) and len(first.places) == pool.BATCH
    assert pulled <= pool.BATCH + 1
    assert sum(len(r.places) for r in results if isinstance(r, pool.Done)) == 2 * pool.BATCH


def test_a_check_reads_raw_text_only_to_quote(tmp_path: Path) -> None:
    """Without ``fail_on`` a check needs no raw text at all; with it, only that of the indexed copies it
    quotes. Removing every other raw text from the file changes nothing."""
    held = _held(tmp_path)
    damaged = story(12)
    del damaged[2]
    _write(tmp_path / "drop", "d.txt", page(("标题12", damaged)))
    _write(tmp_path / "drop", "new.txt", page(("新", story(40))))
    path = tmp_path / "i.sqlite"
    with Index.create(path, Config()) as created:
        add_to_index([str(held)], created, workers=1)
    with Index.open(path) as opened:
        before = check([str(tmp_path / "drop")], opened, fail_on=("dropped",), workers=1)
    quoted = {
        before.scan.documents[p.doc].path
        for g in before.scan.groups
        for w in g.witnesses
        for p in w.passages
        if before.sources[p.doc] == "index"
    }
    assert quoted == {str(held / "s2.txt")}

    connection = sqlite3.connect(path)
    keep = connection.execute("SELECT id FROM documents WHERE path IN (?)", tuple(quoted)).fetchall()
    connection.execute("DELETE FROM texts WHERE id != ?", keep[0])
    connection.commit()
    with Index.open(path) as opened:
        after = check([str(tmp_path / "drop")], opened, fail_on=("dropped",), workers=1)
    assert [(d.path, d.reprints, [f.kind for f in d.failures]) for d in after.drop] == [
        (d.path, d.reprints, [f.kind for f in d.failures]) for d in before.drop
    ]
    assert [f.kind for f in after.drop[0].failures] == ["dropped"]

    connection.execute("DELETE FROM texts")
    connection.commit()
    connection.close()
    with Index.open(path) as opened:
        plain = check([str(tmp_path / "drop")], opened, workers=1)
        assert [d.reprints for d in plain.drop] == [d.reprints for d in before.drop]
        with pytest.raises(IndexFileError, match="damaged"):
            check([str(tmp_path / "drop")], opened, fail_on=("dropped",), workers=1)


def test_an_old_or_damaged_index_is_a_clear_error(tmp_path: Path) -> None:
    held = _held(tmp_path, 2)
    path = tmp_path / "i.sqlite"
    with Index.create(path, Config()) as created:
        add_to_index([str(held)], created, workers=1)

    connection = sqlite3.connect(path)
    connection.execute("UPDATE documents SET content = substr(content, 1, 9)")
    connection.commit()
    with Index.open(path) as opened, pytest.raises(IndexFileError, match="damaged"):
        check([str(held)], opened, workers=1)
    connection.execute("UPDATE documents SET meta = X'00'")
    connection.commit()
    with Index.open(path) as opened, pytest.raises(IndexFileError, match="damaged"):
        opened.documents([1])
    connection.execute("UPDATE postings SET postings = substr(postings, 1, 10)")
    connection.commit()
    with pytest.raises(IndexFileError, match="cut short"):
        Index.open(path)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("dedup")), "check", str(held), "--index", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "damaged" in done.stderr
    connection.execute("DROP TABLE texts")
    connection.commit()
    with pytest.raises(IndexFileError, match="damaged dedup index"):
        Index.open(path)
    connection.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    connection.commit()
    connection.close()
    schema = index_module.SCHEMA_VERSION
    rebuild = rf"index schema 1, but this dedup reads schema {schema}: rebuild it with `dedup index build"
    with pytest.raises(IndexFileError, match=rebuild):
        Index.open(path)


def test_an_index_refuses_another_banding(tmp_path: Path) -> None:
    path = tmp_path / "i.sqlite"
    Index.create(path, Config()).close()
    other = Config(candidates=CandidateConfig(threshold=0.5))
    with pytest.raises(IndexFileError, match=r"banding.bands is 37 in the index but \d+ here"):
        Index.open(path, other)


def test_a_check_signs_candidates_as_a_scan_would(tmp_path: Path) -> None:
    """The units and signatures rebuilt from the index equal those sketched from the original text."""
    held = _held(tmp_path, 3)
    path = tmp_path / "i.sqlite"
    with Index.create(path, Config()) as created:
        add_to_index([str(held)], created, workers=1)
    config = Config()
    with Index.open(path) as opened:
        stored = opened.documents([1, 2, 3])
    for document, item in zip(stored, load([str(held)]), strict=True):
        assert isinstance(item, Document) and document.path == item.path
        prepared = prepare_document(item)
        _, texts = build_units([prepared.paragraphs], config.fingerprint)
        assert document.form.paragraphs == prepared.paragraphs
        assert document.form.unit_texts == texts
        signer = Signer(config.fingerprint)
        assert (signer.sign_texts(document.form.unit_texts) == signer.sign_texts(texts)).all()


# --- issue 18: idempotent adds, whole builds, errors that name the file and the cause -------------------------


def _units_agree(path: Path) -> tuple[int, int]:
    """The units the documents say they have, and the units the postings blocks hold: equal in a sound index."""
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        documents = int(connection.execute("SELECT COALESCE(SUM(units), 0) FROM documents").fetchone()[0])
        postings = int(connection.execute("SELECT COALESCE(SUM(units), 0) FROM postings").fetchone()[0])
        return documents, postings
    finally:
        connection.close()


def test_adding_the_same_documents_again_stores_nothing_twice(tmp_path: Path) -> None:
    held = _held(tmp_path, 4)
    path = tmp_path / "i.sqlite"
    with Index.create(path, Config()) as index:
        first = add_to_index([str(held)], index, workers=1)
        again = add_to_index([str(held)], index, workers=1)
        assert (first.added, first.unchanged, first.replaced) == (4, 0, ())
        assert (again.added, again.unchanged, again.replaced) == (0, 4, ())
        assert [r.status for r in again.inputs] == ["ok"] * 4, "an unchanged document was read, not skipped as bad"
        assert index.count() == 4
    documents, postings = _units_agree(path)
    assert documents == postings > 0


def test_new_content_at_a_held_path_replaces_the_old_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old document's rows go, and its units leave the postings block they were written to (blocks of
    10 units here, so the block is one of several and keeps other documents' units); a check then finds the
    new content and never the old."""
    monkeypatch.setattr(writer_module, "BLOCK_UNITS", 10)
    held = _held(tmp_path, 4)
    path = tmp_path / "i.sqlite"
    with Index.create(path, Config()) as index:
        add_to_index([str(held)], index, workers=1)
    (held / "s1.txt").write_text(page(("新标题", story(45))), encoding="utf-8")
    _write(tmp_path / "old", "old.txt", page(("转载", story(11))))
    _write(tmp_path / "new", "new.txt", page(("转载", story(45))))
    with Index.open(path) as index:
        done = add_to_index([str(held)], index, workers=1)
        assert (done.added, done.unchanged, done.replaced) == (1, 3, (str(held / "s1.txt"),))
        assert index.count() == 4
        assert check([str(tmp_path / "new")], index, workers=1).drop[0].reprints[0].startswith(f"index:{held}")
        assert check([str(tmp_path / "old")], index, workers=1).drop[0].unique, "the old content is gone"
    documents, postings = _units_agree(path)
    assert documents == postings


def test_a_block_without_some_documents_is_the_block_built_without_them() -> None:
    """The oracle: taking documents out of a stored block equals building the block from the rest."""
    rng = np.random.default_rng(18)
    codes = rng.integers(0, 2**63, size=(300, 9), dtype=np.uint64)
    codes[50:60] = codes[0]  # equal keys, so the unit order within a key matters
    docs = np.sort(rng.integers(0, 40, size=300)).astype(np.int64)
    block = Block.build(100, codes, docs)
    gone = np.array([0, 3, 17, 39], dtype=np.int64)
    keep = ~np.isin(docs, gone)
    expected = Block.build(100, codes[keep], docs[keep])
    got = block.without(gone)
    assert np.array_equal(got.postings, expected.postings) and np.array_equal(got.unit_docs, expected.unit_docs)
    stored = Block.from_blobs(got.first_doc, got.units, got.bands, *got.blobs())
    assert stored.units == int(keep.sum())


def test_a_stored_block_that_is_not_sorted_or_names_a_missing_unit_is_refused() -> None:
    block = Block.build(1, np.arange(40, dtype=np.uint64).reshape(10, 4), np.arange(10, dtype=np.int64))
    postings, unit_docs, heads = block.blobs()
    for bad in (postings[8:16] + postings[:8] + postings[16:], postings[:-8] + (2**60 + 99).to_bytes(8, "little")):
        with pytest.raises(ValueError, match="not sorted"):
            Block.from_blobs(1, 10, 4, bad, unit_docs, heads)
    with pytest.raises(ValueError, match="wrong size"):
        Block.from_blobs(1, 10, 4, postings, unit_docs, heads[:-8])


def test_a_build_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    """An index being built is a temporary file beside the target; a failed build removes it, a killed one
    leaves it for the next build to remove, and only a finished build appears at the target."""
    held = _held(tmp_path, 2)
    target = tmp_path / "i.sqlite"
    with pytest.raises(RuntimeError), Index.building(target, Config()) as index:
        add_to_index([str(held)], index, workers=1)
        raise RuntimeError("stopped midway")
    assert not target.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["held"]

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = tmp_path / f".i.sqlite.{int(dead.stdout)}.building"
    leftover.write_bytes(b"half an index")
    (tmp_path / (leftover.name + "-journal")).write_bytes(b"its journal")
    with Index.building(target, Config()) as index:
        assert not target.exists(), "the target appears only when the build is done"
        add_to_index([str(held)], index, workers=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["held", "i.sqlite"]
    with Index.open(target) as index:
        assert index.count() == 2
    with pytest.raises(IndexFileError, match="already exists"), Index.building(target, Config()):
        pass
    with pytest.raises(IndexFileError, match="no such folder"), Index.building(tmp_path / "no" / "i.sqlite", Config()):
        pass


def test_a_full_database_is_a_clear_error_and_the_add_leaves_the_index_as_it_was(tmp_path: Path) -> None:
    """SQLite's ``max_page_count`` stands in for a full disk: the add fails with SQLITE_FULL midway."""
    path = tmp_path / "i.sqlite"
    with Index.create(path, Config()) as index:
        add_to_index([str(_held(tmp_path, 2))], index, workers=1)
    before = path.read_bytes()
    for k in range(6):
        _write(tmp_path / "more", f"m{k}.txt", page((f"新{k}", story(30 + k, 20))))
    with Index.open(path) as index:
        pages = index.connection.execute("PRAGMA page_count").fetchone()[0]
        index.connection.execute(f"PRAGMA max_page_count = {pages + 1}")
        with pytest.raises(IndexFileError, match=r"i\.sqlite: the disk is full.*the add was rolled back"):
            add_to_index([str(tmp_path / "more")], index, workers=1)
        assert index.count() == 2
    assert path.read_bytes() == before


def test_random_bytes_in_the_middle_of_an_index_are_a_clear_error(tmp_path: Path) -> None:
    """The fault run's reproduction, smaller: 64 KiB of random bytes over the middle of an index."""
    for k in range(40):
        _write(tmp_path / "held", f"s{k}.txt", page((f"标题{k}", story(k, 12))))
    path = tmp_path / "i.sqlite"
    with Index.create(path, Config()) as index:
        add_to_index([str(tmp_path / "held")], index, workers=1)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 65536] = np.random.default_rng(64).integers(0, 256, 65536, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    with pytest.raises(IndexFileError, match=r"i\.sqlite.*damaged"), Index.open(path) as index:
        index.info()
        check([str(tmp_path / "held" / "s3.txt")], index, workers=1)
        add_to_index([str(tmp_path / "held" / "s3.txt")], index, workers=1)


def test_an_add_removes_the_second_copies_an_older_dedup_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before adds were idempotent, a retried add stored every path twice (3,001 paths, 6,002 rows): the
    next add keeps one copy of each held path and takes the others out, postings and all."""
    held = _held(tmp_path, 3)
    path = tmp_path / "i.sqlite"
    with Index.create(path, Config()) as index:
        add_to_index([str(held)], index, workers=1)
        with monkeypatch.context() as old:
            old.setattr(writer_module.Writer, "_held", lambda self, record: False)
            add_to_index([str(held)], index, workers=1)
        assert index.count() == 6
        done = add_to_index([str(held)], index, workers=1)
        assert (done.added, done.unchanged, done.replaced) == (0, 3, ())
        assert index.count() == 3
    documents, postings = _units_agree(path)
    assert documents == postings


def test_head_lookup_finds_the_cross_pairs_a_scan_finds() -> None:
    """Oracle: the head candidates between a drop and an index of two blocks are the pairs of every drop
    unit and indexed unit of equal keys, one of them cut (what :func:`head_pairs` gives a scan of both); of
    a key shared by more indexed units than ``max_bucket``, only the first ``max_bucket`` are taken."""
    rng = np.random.default_rng(11)
    n_drop, n_index = 80, 400
    hashes = rng.integers(1, 15, n_drop + n_index).astype(np.uint64)
    cut = rng.random(n_drop + n_index) < 0.3
    keys = (np.uint64(1 << 62) | (hashes << np.uint64(1)) | cut.astype(np.uint64)).astype(np.uint64)
    keys[rng.random(keys.size) < 0.1] = 0
    drop_keys, index_keys = keys[:n_drop], keys[n_drop:]
    docs = np.arange(n_index, dtype=np.int64) // 4  # 100 indexed documents of 4 units
    codes = np.zeros((n_index, 2), dtype=np.uint64)
    halves = [slice(0, 200), slice(200, 400)]
    blocks = [Block.build(1 + 50 * k, codes[h], docs[h] - 50 * k, index_keys[h]) for k, h in enumerate(halves)]
    stored = [Block.from_blobs(b.first_doc, b.units, b.bands, *b.blobs()) for b in blocks]

    def found(max_bucket: int) -> set[tuple[int, int, int]]:
        lookup = HeadLookup(drop_keys, max_bucket)
        for block in stored:
            lookup.add(block)
        hits = lookup.result()
        return set(zip(hits.drop_units.tolist(), hits.docs.tolist(), hits.units.tolist(), strict=True))

    expected = {
        (a, 1 + int(docs[i]), i % 4)
        for a in range(n_drop)
        for i in range(n_index)
        if drop_keys[a] and index_keys[i] and hashes[a] == hashes[n_drop + i] and (cut[a] or cut[n_drop + i])
    }
    assert found(n_index + 1) == expected
    capped = found(3)
    assert capped < expected
    taken: dict[int, set[tuple[int, int]]] = {}
    for a, doc, unit in capped:
        taken.setdefault(int(hashes[a]), set()).add((doc, unit))
    assert max(len(units) for units in taken.values()) <= 3
