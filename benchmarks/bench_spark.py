"""The Spark engine beside the embedded one (issue 14): wall time and peak memory at 10k and 100k articles,
and the size of each Spark stage's data, which docs/scale.md extrapolates to a billion articles.

Rerun with::

    pip install -e '.[spark,bench]'     # pyspark, pyarrow, psutil; Java 17 on the PATH
    python -m benchmarks.bench_spark [--sizes 10000,100000] [--master 'local[2]'] [--out DIR] [--timeout 3600]

For each size, :mod:`benchmarks.make_corpus` writes ``--articles-only N`` (~2,000-character web articles, ~30%
reprints) as one JSONL file under ``--out`` (a temporary directory by default; writing is not timed). Each
engine then scans it in a fresh interpreter: ``dedup.pipeline.scan.scan`` (all cores, worker processes) and
``dedup.engines.spark.scan(master=--master, measure=True)``. Reported per size and engine: wall time of the
process and of the scan call, peak memory as the summed RSS of the process tree sampled every 0.2 s with psutil
(for Spark: the driver, its JVM and the Python workers), the groups found and whether the two engines' groups
are identical, and for Spark the stage sizes (units, shingles, band entries, candidate pairs, matches).

On one 2-core machine Spark is slower: it adds a JVM, serialisation between the JVM and Python, and a shuffle
per stage, and gains nothing from a cluster it does not have. The point of the run is the per-stage sizes,
which say what a cluster has to move (docs/scale.md). Results go to ``DIR/bench_spark.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil


def spark_conf(size: int) -> dict[str, str]:
    """The Spark settings for a corpus of ``size`` articles on a local master (docs/scale.md): the local
    executors live in the driver's JVM and hold the persisted documents and shingle sets (~12 KB an article
    pickled), so past 20,000 articles the driver gets 8 GB and twice the partitions, keeping a task's share of
    a shuffle near 200 MB.

    >>> spark_conf(100_000)["spark.driver.memory"]
    '8g'
    """
    large = size > 20_000
    partitions = "32" if large else "16"
    return {
        "spark.driver.memory": "8g" if large else "4g",
        "spark.sql.shuffle.partitions": partitions,
        "spark.default.parallelism": partitions,
    }


def _run_one(engine: str, corpus: str, size: int, master: str, out: str) -> None:
    """In the child process: scan ``corpus`` (``size`` articles) with one engine and write the timings, stats
    and groups."""
    from dedup.render.json import group_to_dict

    tick = time.perf_counter()
    if engine == "spark":
        from dedup.engines.spark import scan

        result = scan([corpus], master=master, conf=spark_conf(size), measure=True)
    else:
        from dedup.pipeline.scan import scan as embedded

        result = embedded([corpus])
    scan_s = time.perf_counter() - tick
    groups = [group_to_dict(g) for g in result.groups]
    stats = {k: float(v) for k, v in result.stats.items()}
    Path(out).write_text(json.dumps({"scan_s": scan_s, "stats": stats, "groups": groups}, ensure_ascii=False))


def _measured(command: list[str], timeout: float) -> dict[str, Any]:
    """Run ``command``, sampling its process tree's summed RSS; wall time, peak memory and exit code."""
    tick = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        if time.perf_counter() - tick > timeout:
            process.kill()
            break
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)
    _, err = process.communicate()
    return {
        "wall_s": round(time.perf_counter() - tick, 1),
        "peak_gb": round(peak / 2**30, 2),
        "exit": process.returncode,
        "stderr_tail": err.strip().splitlines()[-3:] if process.returncode else [],
    }


def bench(sizes: list[int], master: str, out: Path, timeout: float) -> list[dict[str, Any]]:
    """Both engines at each size; the rows of the report."""
    from benchmarks.make_corpus import main as make_corpus

    rows: list[dict[str, Any]] = []
    for size in sizes:
        folder = out / f"articles-{size}"
        make_corpus([str(folder), "--articles-only", str(size)])
        corpus = str(folder / "articles.jsonl")
        found: dict[str, Any] = {}
        for engine in ("embedded", "spark"):
            result = out / f"{engine}-{size}.json"
            command = [sys.executable, "-m", "benchmarks.bench_spark", "--run", engine, corpus, str(size)]
            command += ["--master", master]
            row = {"size": size, "engine": engine, **_measured([*command, "--result", str(result)], timeout)}
            if result.exists():
                done = json.loads(result.read_text(encoding="utf-8"))
                found[engine] = done["groups"]
                row.update(scan_s=round(done["scan_s"], 1), groups=len(done["groups"]), stats=done["stats"])
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
        if len(found) == 2:
            for row in rows[-2:]:
                row["identical_groups"] = found["embedded"] == found["spark"]
    return rows


def markdown(rows: list[dict[str, Any]], master: str) -> str:
    """The table the README and docs/scale.md quote."""
    lines = [
        f"Spark on `{master}` beside the embedded engine (one JSONL file of generated articles).",
        "",
        "| articles | engine | wall s | scan s | peak GB | groups | identical | units | shingles | band entries "
        "| candidates | matches |",
        "|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        s = r.get("stats", {})

        def n(key: str, s: dict[str, Any] = s) -> str:
            return f"{int(s[key]):,}" if key in s else ""

        lines.append(
            f"| {r['size']:,} | {r['engine']} | {r['wall_s']} | {r.get('scan_s', '')} | {r['peak_gb']} "
            f"| {r.get('groups', 'failed')} | {r.get('identical_groups', '')} | {n('units')} | {n('shingles')} "
            f"| {n('band_entries')} | {n('candidates')} | {n('matches')} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_spark", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="article counts, comma-separated")
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    parser.add_argument("--out", type=Path, default=None, help="results directory (default: a temporary one)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per engine and size")
    parser.add_argument("--run", nargs=3, metavar=("ENGINE", "CORPUS", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        _run_one(args.run[0], args.run[1], int(args.run[2]), args.master, args.result)
        return 0
    out = args.out or Path(tempfile.mkdtemp(prefix="dedup-bench-spark-"))
    out.mkdir(parents=True, exist_ok=True)
    rows = bench([int(s) for s in args.sizes.split(",")], args.master, out, args.timeout)
    (out / "bench_spark.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    (out / "bench_spark.md").write_text(markdown(rows, args.master), encoding="utf-8")
    print(markdown(rows, args.master))
    print(f"results in {out}", file=sys.stderr)
    return 0 if all(r["exit"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
