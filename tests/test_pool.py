"""The worker pool: results in input order, in worker processes or not."""

from __future__ import annotations

import gc
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dedup.ingest.pool import map_in_order


def test_map_in_order_gives_the_same_results_in_processes_as_in_this_one() -> None:
    items = [("新华社" * k)[: k + 1] for k in range(70)]
    alone = map_in_order(len, items, workers=1, parallel_from=10)
    pooled = map_in_order(len, items, workers=2, parallel_from=10, batch=4)
    assert alone == pooled == [len(x) for x in items]


def _frozen_count(_: object) -> int:
    return gc.get_freeze_count()


def test_map_in_order_workers_freeze_what_they_hold_after_their_first_batch() -> None:
    """Collation makes and drops millions of small objects in the workers: as sketching's do, each worker
    takes what it holds for good (modules, kernels, caches) out of the collector's sight after one batch."""
    counts = map_in_order(_frozen_count, list(range(64)), workers=2, parallel_from=10, batch=4)
    assert counts.count(0) <= 2 * 4, "only each worker's first batch runs unfrozen"
    assert max(counts) > 10_000, counts


# --- workers never outlive the run (issue 18, item 5): real processes, killed as a user or a CI runner would --

_SCRIPT = '''
import signal, sys, time
from dedup.ingest.pool import map_in_order


class Stop(BaseException):
    """What dedup's command raises on SIGTERM."""


def slow(item):
    time.sleep(120)
    return item


def stop(signum, frame):
    raise Stop


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop)
    try:
        map_in_order(slow, list(range(40)), workers=2, parallel_from=1, batch=1)
    except Stop:
        sys.exit(143)
'''


def _children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` (read from /proc)."""
    out: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(entry.name))
    return out


def _alive(pids: list[int]) -> list[int]:
    """Those of ``pids`` still running (not gone, not zombies)."""
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def _start(tmp_path: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    """The script above, once its two workers (and multiprocessing's resource tracker) are running."""
    script = tmp_path / "pooled.py"
    script.write_text(_SCRIPT, encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        kids = _children(process.pid)
        if len(kids) >= 3:  # two workers and the resource tracker
            time.sleep(1.0)  # the workers' initializer has run by the time they take a batch
            return process, _children(process.pid)
        time.sleep(0.2)
    process.kill()
    raise AssertionError("the pool never started its workers")


def _gone(pids: list[int], within: float = 20.0) -> list[int]:
    deadline = time.monotonic() + within
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return _alive(pids)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_workers_die_when_their_parent_is_killed(tmp_path: Path) -> None:
    """``kill -9`` of the parent: nothing can run in it, so the kernel kills the workers (their
    parent-death signal), and the resource tracker, its pipe closed, exits too."""
    process, kids = _start(tmp_path)
    process.kill()
    process.wait()
    assert _gone(kids) == [], "workers or the resource tracker outlived their parent"


def test_an_interrupted_pool_kills_its_workers_instead_of_waiting(tmp_path: Path) -> None:
    """SIGTERM raised in the parent while its workers are busy for minutes: the pool kills them and the
    parent exits at once, instead of waiting for every batch in flight."""
    process, kids = _start(tmp_path)
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 143
    assert time.monotonic() - began < 60, "the parent waited for its workers' batches"
    assert _gone(kids) == []
