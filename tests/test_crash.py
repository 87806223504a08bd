"""Crash injection: ``kill -9`` of ``dedup index build`` and ``dedup index add`` at random moments, as SQLite's
own crash tests kill a writer at random points, and what each kill leaves behind.

The promise under test: an index is always either complete or absent/refused, never silently partial. A
killed build leaves no file at the target (its temporary file beside it is removed by the next build); a
killed add leaves the index exactly as before it, or with the whole add if the kill came after the commit.
And nothing outlives the killed process: its worker processes and multiprocessing's resource tracker die
with it. The corpus is just large enough that the work runs in worker processes.

The moments are drawn uniformly over a measured complete run, from a fixed seed; ``DEDUP_CRASH_KILLS``
(default 10, split between build and add) and ``DEDUP_CRASH_SEED`` change them, e.g. for a longer soak.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dedup.ingest import pool
from dedup.store.index import Index

from .corpora import page, story
from .test_pool import _alive, _children

DEDUP = str(Path(sys.executable).with_name("dedup"))
KILLS = int(os.environ.get("DEDUP_CRASH_KILLS", "10"))
SEED = int(os.environ.get("DEDUP_CRASH_SEED", "18"))
DOCUMENTS = pool.PARALLEL_FROM + 50  # enough for worker processes

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _corpus(path: Path, count: int, offset: int = 0) -> Path:
    """A JSONL file of ``count`` short documents."""
    with path.open("w", encoding="utf-8") as out:
        for k in range(count):
            text = page((f"标题{offset + k}", story((offset + k) % 300, 1)))
            out.write(json.dumps({"id": f"d{offset + k}", "text": text}, ensure_ascii=False) + "\n")
    return path


def _run(*args: str) -> float:
    """Run ``dedup`` to completion; how long it took."""
    began = time.monotonic()
    done = subprocess.run([DEDUP, *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - began


def _kill_at(seconds: float, *args: str) -> list[int]:
    """Start ``dedup``, ``kill -9`` it after ``seconds`` (or let it finish first), and return the processes
    it had started, which must all be gone a little later."""
    process = subprocess.Popen([DEDUP, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + seconds
    kids: list[int] = []
    while time.monotonic() < deadline and process.poll() is None:
        kids = sorted(set(kids) | set(_children(process.pid)))
        time.sleep(0.05)
    process.kill()
    process.wait()
    give_up = time.monotonic() + 20
    while _alive(kids) and time.monotonic() < give_up:
        time.sleep(0.2)
    return _alive(kids)


def _state(path: Path) -> int | None:
    """The documents of a sound, openable index at ``path``; ``None`` if there is no file."""
    if not path.exists():
        return None
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        units = connection.execute("SELECT COALESCE(SUM(units), 0) FROM documents").fetchone()[0]
        held = connection.execute("SELECT COALESCE(SUM(units), 0) FROM postings").fetchone()[0]
        assert units == held, "every document's units are in the postings"
    finally:
        connection.close()
    with Index.open(path) as index:  # and dedup itself opens it
        return index.count()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """The corpus, and how long a complete build of it takes here (the span kills are drawn from)."""
    root = tmp_path_factory.mktemp("crash")
    corpus = _corpus(root / "corpus.jsonl", DOCUMENTS)
    whole = root / "whole.sqlite"
    took = _run("index", "build", str(corpus), "--index", str(whole))
    assert _state(whole) == DOCUMENTS
    return corpus, took


def test_a_killed_build_leaves_a_whole_index_or_none(corpus: tuple[Path, float], tmp_path: Path) -> None:
    jsonl, took = corpus
    rng = random.Random(SEED)
    target = tmp_path / "i.sqlite"
    seen: list[int | None] = []
    for _ in range(KILLS // 2):
        moment = rng.uniform(0.2, took * 1.1)
        survivors = _kill_at(moment, "index", "build", str(jsonl), "--index", str(target))
        assert survivors == [], f"killed at {moment:.2f}s, these outlived it: {survivors}"
        state = _state(target)
        assert state in (None, DOCUMENTS), f"killed at {moment:.2f}s, the build left {state} documents"
        seen.append(state)
        target.unlink(missing_ok=True)
    print(f"build killed {len(seen)} times over {took:.1f}s: left {seen}")
    assert None in seen, "at least one kill landed before the build finished"
    # and a build after all those kills works, and clears what they left
    _run("index", "build", str(jsonl), "--index", str(target))
    assert _state(target) == DOCUMENTS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["i.sqlite"]


def test_a_killed_add_leaves_the_index_as_it_was_or_with_the_whole_add(
    corpus: tuple[Path, float], tmp_path: Path
) -> None:
    jsonl, took = corpus
    base = tmp_path / "base.sqlite"
    _run("index", "build", str(_corpus(tmp_path / "base.jsonl", 20, offset=5000)), "--index", str(base))
    rng = random.Random(SEED + 1)
    index = tmp_path / "i.sqlite"
    seen: list[int | None] = []
    for _ in range(KILLS - KILLS // 2):
        index.write_bytes(base.read_bytes())
        moment = rng.uniform(0.2, took * 1.1)
        survivors = _kill_at(moment, "index", "add", str(jsonl), "--index", str(index))
        assert survivors == [], f"killed at {moment:.2f}s, these outlived it: {survivors}"
        state = _state(index)
        assert state in (20, 20 + DOCUMENTS), f"killed at {moment:.2f}s, the add left {state} documents"
        seen.append(state)
    print(f"add killed {len(seen)} times over {took:.1f}s: left {seen}")
    assert 20 in seen, "at least one kill landed before the add committed"
