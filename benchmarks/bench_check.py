"""CI-gate speed: check a drop against a large persistent index, and report the index size per article.

Run: ``python -m benchmarks.bench_check [--index-size 200000] [--drop-size 10000] [--json PATH]``.

One stream of generated ~2,000-character articles (``benchmarks.corpus.generate_articles``: ~30% are
reprints) is cut in two: the first ``--index-size`` articles are indexed with ``dedup index build`` (written
as JSONL shards of 10,000 articles in a directory, as a corpus is kept), the next ``--drop-size`` are checked
with ``dedup check`` (so the drop reprints indexed stories and its own). Each command runs in a fresh
process, timed, with the peak memory of its process tree (workers included). Target: a 10,000-article drop
against a 200,000-article index within a minute on 2 cores.

Baselines in the same run, so that the figures are ratios too (absolute speed on a shared VM varies): the
same drop checked against an index of ``--baseline-index-size`` articles (the first ones of the same
stream), and an in-memory ``dedup scan`` of the drop alone (what the check costs on top of the drop's own
sketching and grouping). ``--corpus DIR`` keeps the generated corpus for reruns; ``--quiet-load L`` waits
(up to ten minutes) for the one-minute load average to fall below ``L`` before each timed command, and
the load each ran at is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import psutil

from benchmarks.corpus import generate_articles

SHARD = 10_000  # articles per JSONL shard of the indexed corpus


def write_jsonl(path: Path, articles: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for article_id, text in articles:
            out.write(json.dumps({"id": article_id, "text": text}, ensure_ascii=False) + "\n")


def write_corpus(root: Path, index_size: int, drop_size: int, seed: int) -> tuple[Path, Path]:
    """The indexed corpus as shards in ``root/held`` and the drop as ``root/drop.jsonl``, streamed to disk
    (reused when ``root/done`` says they were written with these sizes)."""
    marker = root / "done"
    wanted = f"{index_size} {drop_size} {seed}\n"
    held, drop = root / "held", root / "drop.jsonl"
    if marker.is_file() and marker.read_text() == wanted:
        return held, drop
    held.mkdir(parents=True, exist_ok=True)
    for old in held.glob("*.jsonl"):
        old.unlink()
    stream = generate_articles(index_size + drop_size, seed)
    for shard in range(0, index_size, SHARD):
        write_jsonl(held / f"part-{shard // SHARD:04d}.jsonl", list(islice(stream, min(SHARD, index_size - shard))))
    write_jsonl(drop, list(stream))
    marker.write_text(wanted)
    return held, drop


@dataclass(frozen=True, slots=True)
class Run:
    """One timed command: wall seconds, peak memory, and the load average it started at."""

    seconds: float
    peak_mib: float
    largest_mib: float
    load: float
    stdout: str
    stderr: str
    returncode: int


def quiet(threshold: float | None, patience_s: float = 600.0) -> float:
    """Wait (up to ``patience_s``) for the one-minute load average to fall below ``threshold``; return it."""
    deadline = time.monotonic() + patience_s
    while threshold is not None and os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        time.sleep(10)
    return os.getloadavg()[0]


def timed(args: list[str], quiet_load: float | None, max_rss_gib: float) -> Run:
    """Run a command; wall time, and peak RSS of its whole process tree (sampled every 0.1 s) and of its
    largest process. A tree over ``max_rss_gib`` is killed: the machine is shared."""
    load = quiet(quiet_load)
    peak = largest = 0.0
    killed = False
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out: dict[str, str] = {}

    def drain(name: str, stream: object) -> None:
        out[name] = stream.read()

    readers = [
        threading.Thread(target=drain, args=(n, s)) for n, s in (("out", process.stdout), ("err", process.stderr))
    ]
    for reader in readers:
        reader.start()
    watched = psutil.Process(process.pid)
    while process.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            sizes = [p.memory_info().rss / 2**20 for p in tree]
        except psutil.Error:
            sizes = []
        peak, largest = max(peak, sum(sizes)), max(largest, max(sizes, default=0.0))
        if peak > max_rss_gib * 1024 and not killed:
            killed = True
            for p in reversed(tree):
                p.kill()
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    for reader in readers:
        reader.join()
    if killed:
        raise SystemExit(f"{args[1:3]} passed {max_rss_gib} GiB and was stopped")
    return Run(seconds, peak, largest, load, out.get("out", ""), out.get("err", ""), process.returncode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-size", type=int, default=200_000)
    parser.add_argument("--drop-size", type=int, default=10_000)
    parser.add_argument("--baseline-index-size", type=int, default=None, help="default: a tenth of --index-size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, help="keep the generated corpus (and index) here, for reruns")
    parser.add_argument("--quiet-load", type=float, default=None, help="wait for a 1-min load average below this")
    parser.add_argument("--max-rss-gib", type=float, default=8.0, help="stop a command whose tree passes this")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    small_size = args.baseline_index_size or max(1, args.index_size // 10)

    dedup = str(Path(sys.executable).with_name("dedup"))
    with tempfile.TemporaryDirectory(prefix="dedup-bench-check-") as tmp:
        root = args.corpus or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        held, drop = write_corpus(root, args.index_size, args.drop_size, args.seed)
        shards = sorted(held.glob("*.jsonl"))
        index, small = root / "held.sqlite", root / "small.sqlite"
        for stale in (index, small):
            stale.unlink(missing_ok=True)

        def run(*command: str) -> Run:
            done = timed([dedup, *command], args.quiet_load, args.max_rss_gib)
            if done.returncode not in (0, 1):
                raise SystemExit(f"dedup {' '.join(command[:2])} failed: {done.stderr[-2000:]}")
            return done

        build = run("index", "build", str(held), "--index", str(index), "-q")
        info = json.loads(run("index", "info", "--index", str(index)).stdout)
        checked = run("check", str(drop), "--index", str(index), "-f", "json", "-q")
        payload = json.loads(checked.stdout)

        # Baselines: the same drop against a tenth of the index, and a scan of the drop alone.
        small_shards = [str(s) for s in shards[: max(1, -(-small_size // SHARD))]]
        small_build = run("index", "build", *small_shards, "--index", str(small), "-q")
        small_info = json.loads(run("index", "info", "--index", str(small)).stdout)
        small_check = run("check", str(drop), "--index", str(small), "-f", "json", "-q")
        small_payload = json.loads(small_check.stdout)
        scanned = run("scan", str(drop), "-f", "json", "-q")
        scan_payload = json.loads(scanned.stdout)

    stats = payload["stats"]
    result = {
        "machine": {"cpus": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1)},
        "index_articles": info["documents"],
        "drop_articles": args.drop_size,
        "index_build": _run_dict(build),
        "index_bytes": info["bytes"],
        "index_bytes_per_article": info["bytes_per_document"],
        "index_bytes_per_article_by_part": info["bytes_per_document_by_part"],
        "check": _run_dict(checked),
        "check_stats": stats,
        "drop_dup_rate": payload["dup_rate"],
        "groups": len(payload["groups"]),
        "baseline_small_index": {
            "index_articles": small_info["documents"],
            "index_build": _run_dict(small_build),
            "check": _run_dict(small_check),
            "check_stats": small_payload["stats"],
            "drop_dup_rate": small_payload["dup_rate"],
        },
        "baseline_scan_of_drop": {"run": _run_dict(scanned), "stats": scan_payload["stats"]},
    }
    print(_table(result))
    met = checked.seconds <= 60
    print(
        f"\ntarget: a {args.drop_size:,}-article drop against {info['documents']:,} in 60 s ->",
        "met" if met else "MISSED",
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


def _run_dict(run: Run) -> dict[str, float]:
    return {k: round(v, 2) for k, v in asdict(run).items() if isinstance(v, float)}


def _table(r: dict[str, Any]) -> str:
    """The figures as a Markdown table (what the README quotes)."""

    def row(what: str, run: dict[str, float], extra: str = "") -> str:
        return (
            f"| {what} | {run['seconds']:.1f} | {run['peak_mib'] / 1024:.2f} | {run['largest_mib'] / 1024:.2f}"
            f" | {run['load']:.2f} | {extra} |"
        )

    small = r["baseline_small_index"]
    scan = r["baseline_scan_of_drop"]
    stats = r["check_stats"]
    small_stats = small["check_stats"]
    n, m, k = r["index_articles"], r["drop_articles"], small["index_articles"]
    check_s = r["check"]["seconds"]
    lines = [
        "| step | wall s | peak GiB (tree) | peak GiB (largest process) | load at start | notes |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        row(
            f"index build, {n:,} articles",
            r["index_build"],
            f"{r['index_bytes_per_article'] / 1024:.1f} KiB/article: {_parts(r)}",
        ),
        row(
            f"check {m:,} against {n:,}",
            r["check"],
            f"{stats['index_band_documents']:,} indexed articles share a band, {stats['index_candidates']:,} verified;"
            f" dup rate {r['drop_dup_rate']:.1%}, {r['groups']:,} groups; stages: {_stages(stats)}",
        ),
        row(f"baseline: index build, {k:,} articles", small["index_build"]),
        row(
            f"baseline: check {m:,} against {k:,}",
            small["check"],
            f"{small_stats['index_candidates']:,} verified; against {n:,} ({n / k:.0f}× the index) the check"
            f" takes {check_s / small['check']['seconds']:.2f}× as long",
        ),
        row(
            f"baseline: `dedup scan` of the {m:,}-article drop alone",
            scan["run"],
            f"the check costs {check_s / scan['run']['seconds']:.2f}× this",
        ),
    ]
    return "\n".join(lines)


def _parts(r: dict[str, Any]) -> str:
    parts: dict[str, int] = r["index_bytes_per_article_by_part"]
    return ", ".join(f"{name} {value / 1024:.1f}" for name, value in parts.items())


def _stages(stats: dict[str, float]) -> str:
    names = [
        ("sketch_s", "sketch drop"),
        ("index_lookup_s", "postings merge"),
        ("index_verify_s", "verify band pairs"),
        ("index_load_s", "load candidates"),
        ("candidates_s", "candidates"),
        ("group_s", "group"),
    ]
    return ", ".join(f"{label} {stats[key]:.1f}" for key, label in names if key in stats)


if __name__ == "__main__":
    main()
