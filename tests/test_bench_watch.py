"""How ``benchmarks.bench_scan`` watches a scan's memory: RSS, and of it the private memory its cap applies to.

An out-of-core scan reads its shingle sets through a file mapping, and the pages it reads count in its RSS
until it hands them back; they are the page cache's, which the kernel takes back when memory runs short. The
bench reports both and stops a run on private memory only, which these tests check on small child processes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks import bench_scan

MB = 1 << 20


def test_pages_read_through_a_file_mapping_count_in_rss_but_not_in_private_memory(tmp_path: Path) -> None:
    data = tmp_path / "mapped.bin"
    data.write_bytes(b"\1" * (64 * MB))
    code = (
        "import mmap, sys, time\n"
        "f = open(sys.argv[1], 'rb')\n"
        "m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)\n"
        "total = sum(m[i] for i in range(0, len(m), 4096))\n"
        "time.sleep(1.5)\n"
    )
    status, _, peak, _, private, _ = bench_scan._watch(
        [sys.executable, "-c", code, str(data)], tmp_path / "stderr.txt", 60, 1 << 40
    )
    assert status == "ok"
    assert peak - private >= 32 * MB  # the mapped file's pages (64 MB read): in RSS, not private


def test_a_run_is_stopped_once_its_private_memory_passes_the_cap(tmp_path: Path) -> None:
    code = (
        "import time\nheld = bytearray(300 * 1024 * 1024)\nheld[::4096] = b'\\1' * len(held[::4096])\ntime.sleep(30)\n"
    )
    status, wall, _, _, private, private_at = bench_scan._watch(
        [sys.executable, "-c", code], tmp_path / "stderr.txt", 60, 100 * MB
    )
    assert status == "memory"
    assert private > 100 * MB and wall < 30
    assert private_at is not None and 0 < private_at <= wall


def test_rss_and_private_memory_are_read_at_one_moment() -> None:
    """Private memory is RSS less the file-mapped pages of the same reading: both from one read of
    ``/proc/PID/status``, so pages handed back between two readings are never counted as private."""
    import psutil

    rss, private = bench_scan._memory_of(psutil.Process())
    status = Path("/proc/self/status").read_text(encoding="ascii")
    fields = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("Rss")}
    assert 0 < private < rss
    assert abs(rss - fields["RssAnon"] - fields["RssFile"] - fields["RssShmem"]) < 64 * MB
    assert abs(private - fields["RssAnon"] - fields["RssShmem"]) < 64 * MB
