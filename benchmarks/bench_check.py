"""CI-gate speed: check a drop against a large persistent index, and report the index size per article.

Run: ``python -m benchmarks.bench_check [--index-size 200000] [--drop-size 10000] [--json PATH]``.

One stream of generated ~2,000-character articles (``benchmarks.corpus.generate_articles``: ~30% are
reprints) is cut in two: the first ``--index-size`` articles are indexed with ``dedup index build``, the
next ``--drop-size`` are checked with ``dedup check`` (so the drop reprints indexed stories and its own).
Each command runs in a fresh process, timed, with its peak memory. Target: a 10,000-article drop against a
200,000-article index within a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.corpus import generate_articles


def write_jsonl(path: Path, articles: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for article_id, text in articles:
            out.write(json.dumps({"id": article_id, "text": text}, ensure_ascii=False) + "\n")


def timed(args: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run a command; return wall seconds, peak RSS in MiB (of the command and its workers), and the result."""
    wrapper = (
        "import resource, subprocess, sys, time;"
        "t = time.perf_counter();"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "w = time.perf_counter() - t;"
        "m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024;"
        "sys.stdout.write(f'{w} {m}\\n'); sys.stdout.write(r.stdout); sys.stderr.write(r.stderr);"
        "sys.exit(r.returncode)"
    )
    done = subprocess.run([sys.executable, "-c", wrapper, *args], capture_output=True, text=True, check=False)
    head, _, rest = done.stdout.partition("\n")
    wall, peak = (float(x) for x in head.split())
    return wall, peak, subprocess.CompletedProcess(args, done.returncode, rest, done.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-size", type=int, default=200_000)
    parser.add_argument("--drop-size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    dedup = str(Path(sys.executable).with_name("dedup"))
    with tempfile.TemporaryDirectory(prefix="dedup-bench-check-") as tmp:
        root = Path(tmp)
        stream = generate_articles(args.index_size + args.drop_size, args.seed)
        held = [next(stream) for _ in range(args.index_size)]
        write_jsonl(root / "held.jsonl", held)
        del held
        write_jsonl(root / "drop.jsonl", list(stream))
        index = root / "held.sqlite"

        build_s, build_mb, built = timed(
            [dedup, "index", "build", str(root / "held.jsonl"), "--index", str(index), "-q"]
        )
        if built.returncode != 0:
            raise SystemExit(f"index build failed: {built.stderr}")
        size = index.stat().st_size
        check_s, check_mb, checked = timed(
            [dedup, "check", str(root / "drop.jsonl"), "--index", str(index), "-f", "json", "-q"]
        )
        payload = json.loads(checked.stdout)

    result = {
        "machine": {"cpus": os.cpu_count()},
        "index_articles": args.index_size,
        "drop_articles": args.drop_size,
        "index_build_s": round(build_s, 1),
        "index_build_peak_mib": round(build_mb),
        "index_bytes": size,
        "index_bytes_per_article": round(size / args.index_size),
        "check_s": round(check_s, 1),
        "check_peak_mib": round(check_mb),
        "drop_dup_rate": payload["dup_rate"],
        "groups": len(payload["groups"]),
        "index_candidates": payload["stats"].get("index_candidates"),
        "stats": payload["stats"],
    }
    print(
        f"index of {args.index_size:,} articles: built in {build_s:.0f} s (peak {build_mb:,.0f} MiB),"
        f" {size / 2**20:,.0f} MiB = {size / args.index_size / 1024:.1f} KiB per article"
    )
    print(
        f"check of {args.drop_size:,} articles against it: {check_s:.1f} s (peak {check_mb:,.0f} MiB);"
        f" dup rate {payload['dup_rate']:.1%}, {len(payload['groups'])} groups,"
        f" {payload['stats'].get('index_candidates')} indexed articles re-read"
    )
    print(f"target: within 60 s -> {'met' if check_s <= 60 else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
