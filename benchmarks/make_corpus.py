"""Write a reprint corpus with ground truth (see :mod:`benchmarks.corpus` for what it holds and the schema).

Usage::

    python -m benchmarks.make_corpus OUT_DIR --stories 40 --seed 1
    python -m benchmarks.make_corpus OUT_DIR --articles-only 100000 --seed 1          # articles.jsonl
    python -m benchmarks.make_corpus OUT_DIR --articles-only 500 --articles-format files

The first form writes ~100 files in several encodings plus ``truth.json``; the second writes
``articles.jsonl`` (speed benchmarks) plus ``articles_truth.json`` listing the reprint groups. A summary goes to
stderr; stdout stays empty so the command composes in scripts. Exit codes: 0 done, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from benchmarks.corpus import (
    MAX_STORIES,
    SCHEMA_VERSION,
    generate_corpus,
    write_article_files,
    write_articles_jsonl,
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.make_corpus",
        description="Write a deterministic Chinese news reprint corpus with ground truth (truth.json).",
    )
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="directory to write into (created if needed)")
    p.add_argument("--stories", type=int, default=40, help=f"number of stories, 1–{MAX_STORIES} (default 40)")
    p.add_argument("--seed", type=int, default=0, help="random seed; same seed, same bytes (default 0)")
    p.add_argument(
        "--articles-only",
        type=int,
        metavar="N",
        help="instead of the corpus, write N ~2,000-character web articles (30%% reprints) for speed runs",
    )
    p.add_argument(
        "--articles-format",
        choices=("jsonl", "files"),
        default="jsonl",
        help="with --articles-only: one articles.jsonl (default) or one .txt per article",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, generate, report to stderr; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    out_dir: Path = args.out_dir
    start = time.perf_counter()
    if args.articles_only is not None:
        n: int = args.articles_only
        if n < 0:
            parser.error(f"--articles-only must be >= 0, got {n}")
        if args.articles_format == "jsonl":
            groups = write_articles_jsonl(out_dir / "articles.jsonl", n, args.seed)
            where = out_dir / "articles.jsonl"
        else:
            groups = write_article_files(out_dir / "articles", n, args.seed)
            where = out_dir / "articles"
        truth = {
            "schema_version": SCHEMA_VERSION,
            "seed": args.seed,
            "articles": n,
            "groups": [list(g) for g in groups],
        }
        (out_dir / "articles_truth.json").write_text(json.dumps(truth, ensure_ascii=False) + "\n", "utf-8")
        reprints = sum(len(g) - 1 for g in groups)
        took = time.perf_counter() - start
        print(
            f"wrote {n} articles to {where} in {took:.1f} s: {len(groups)} reprinted stories, "
            f"{reprints} reprints ({reprints / max(1, n):.0%}); groups in {out_dir / 'articles_truth.json'}",
            file=sys.stderr,
        )
        return 0
    if not 1 <= args.stories <= MAX_STORIES:
        parser.error(f"--stories must be between 1 and {MAX_STORIES}, got {args.stories}")
    gt = generate_corpus(out_dir, args.stories, args.seed)
    took = time.perf_counter() - start
    kinds = Counter(d.kind for c in gt.copies for d in c.damage)
    encodings = Counter(f.encoding for f in gt.files if "#" not in f.path)
    physical = len({f.path.split("#", 1)[0] for f in gt.files})
    print(
        f"wrote {physical} files and truth.json to {out_dir} in {took:.1f} s: {len(gt.stories)} stories, "
        f"{len(gt.copies)} copies, {len(gt.groups)} groups, {len(gt.singletons)} singletons, "
        f"{len(gt.same_topic)} same-topic pairs",
        file=sys.stderr,
    )
    print("damage: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())), file=sys.stderr)
    print("encodings: " + ", ".join(f"{k} {v}" for k, v in sorted(encodings.items())), file=sys.stderr)
    classes = Counter(d.noise for c in gt.copies for d in c.damage if d.noise in ("preview", "lookalike"))
    flat = sum("flattened" in f.layout for f in gt.files)
    models = Counter(c.model for c in gt.copies if c.damage)
    print(
        f"issue 11 classes: {flat} flattened pages, {classes['preview']} preview cuts, "
        f"{classes['lookalike']} look-alike slips, {sum(len(g) == 2 for g in gt.groups)} two-copy groups; "
        "damaged copies by model: " + ", ".join(f"{k} {v}" for k, v in sorted(models.items())),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
