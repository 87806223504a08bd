"""Compare what two checkouts of dedup print, byte for byte, on the same inputs.

A refactoring promises "behaviour does not change"; this script is how that promise is checked. It runs every
command a user runs (``scan``, ``report``, ``diff``, ``normalize``, ``index build`` + ``check``), in every format
(``table`` with colour off, ``json``, ``jsonl``), from one checkout and then from another, on the same inputs: the
seeds, three generated corpora and a JSONL drop. Inputs are written once, by the generator of whichever checkout
runs ``inputs``, so a generator that changes between the two checkouts cannot make a difference appear or vanish.

Usage::

    python -m benchmarks.compare_outputs inputs /tmp/cmp/in                      # once
    python -m benchmarks.compare_outputs capture /tmp/cmp/in /tmp/cmp/before --root /path/to/old/checkout
    python -m benchmarks.compare_outputs capture /tmp/cmp/in /tmp/cmp/after  --root .
    python -m benchmarks.compare_outputs compare /tmp/cmp/before /tmp/cmp/after [--ignore config.collate]
    python -m benchmarks.compare_outputs out-of-core /tmp/cmp/ooc [--articles 100000]

``out-of-core`` compares the two paths of one checkout's ``scan`` instead: it writes ``--articles`` generated
articles as one JSONL file, scans them with the default memory limit (in memory) and with ``--memory-limit 1``
(out of core, every band a pass), and compares the two JSON outputs as ``compare`` does, ignoring only the
stats that name the path; it also prints each run's wall time and peak memory (the process tree's RSS).

Durations (floats under keys ending in ``_s``, the ``stats`` timings) never compare. ``--ignore`` names JSON
keys (dotted, from the top of each object) whose difference is intended: they are removed from both sides before
comparing, and the report says so; ``--drop-lines REGEX`` does the same for lines of table output. Every other
difference is listed with its first differing line. The exit code is 0 when everything compared equal, 1 otherwise.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CORPUS_SEEDS = (2, 3, 4)
CORPUS_STORIES = 30

# (name, arguments after `dedup`, with {in} for the inputs folder); every name is written as NAME.out
FORMATS = ("table", "json", "jsonl")


def _cases(inputs: Path) -> list[tuple[str, list[str]]]:
    """Every command and format compared, named for the file its output goes to."""
    corpora = [f"corpus{s}" for s in CORPUS_SEEDS]
    sources = {"seeds": [str(inputs / "seeds")], "drop": [str(inputs / "drop.jsonl")]}
    sources.update({c: [str(inputs / c)] for c in corpora})
    cases: list[tuple[str, list[str]]] = []
    for name, paths in sources.items():
        for fmt in FORMATS:
            cases.append((f"scan.{name}.{fmt}", ["scan", *paths, "--format", fmt]))
            cases.append((f"report.{name}.{fmt}", ["report", *paths, "--format", fmt]))
        cases.append((f"normalize.{name}.json", ["normalize", *paths, "--format", "json"]))
    seeds = inputs / "seeds"
    first, second = sorted(p for p in seeds.iterdir() if p.name.startswith(("001", "002")))
    for fmt in FORMATS:
        cases.append((f"diff.seeds.{fmt}", ["diff", str(second), str(first), "--format", fmt]))
    return cases


def write_inputs(out: Path, root: Path) -> None:
    """Write the seeds, three generated corpora and a JSONL drop into ``out`` (with ``root``'s generator)."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(root / "seeds", out / "seeds", dirs_exist_ok=True)
    for seed in CORPUS_SEEDS:
        target = out / f"corpus{seed}"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.make_corpus",
                str(target),
                "--stories",
                str(CORPUS_STORIES),
                "--seed",
                str(seed),
            ],
            check=True,
            cwd=root,
            env=_env(root),
            stdout=subprocess.DEVNULL,
        )
        (target / "truth.json").unlink(missing_ok=True)  # the truth is the generator's, not an input
    # a JSONL drop: the second corpus's files as records, in a stable order
    with (out / "drop.jsonl").open("w", encoding="utf-8") as drop:
        for path in sorted((out / f"corpus{CORPUS_SEEDS[1]}").rglob("*")):
            try:
                text = path.read_bytes().decode("utf-8") if path.is_file() else None
            except UnicodeDecodeError:
                text = None  # another encoding: a drop is UTF-8
            if text is not None:
                drop.write(json.dumps({"id": path.name, "text": text}, ensure_ascii=False) + "\n")


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "PYTHONPATH")}
    env.update({"PYTHONPATH": str(root), "NO_COLOR": "1", "COLUMNS": "120", "PYTHONHASHSEED": "0"})
    return env


def _dedup(root: Path, args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run ``root``'s dedup CLI (imported from ``root`` through PYTHONPATH) with ``args``."""
    code = "import sys; from dedup.cli import app; sys.argv[0] = 'dedup'; app()"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=_env(root), capture_output=True)


def capture(inputs: Path, out: Path, root: Path) -> None:
    """Run every case with ``root``'s code, writing ``NAME.out`` (stdout, then exit code) into ``out``.

    Paths are given relative to ``inputs`` (the command runs there) so both checkouts print the same paths.
    """
    out.mkdir(parents=True, exist_ok=True)
    rel = Path(".")
    for name, args in _cases(rel):
        proc = _dedup(root.resolve(), args, inputs)
        (out / f"{name}.out").write_bytes(proc.stdout + f"\n[exit {proc.returncode}]\n".encode())
    # the CI gate: an index of two corpora, the third checked against it
    index = out / "corpus.sqlite"
    index.unlink(missing_ok=True)
    build = _dedup(
        root.resolve(), ["index", "build", "corpus2", "corpus3", "--index", str(index.resolve()), "-q"], inputs
    )
    for fmt in ("json", "table"):
        proc = _dedup(
            root.resolve(),
            [
                "check",
                "corpus4",
                "drop.jsonl",
                "--index",
                str(index.resolve()),
                "--format",
                fmt,
                "--fail-on",
                "dropped",
            ],
            inputs,
        )
        (out / f"check.{fmt}.out").write_bytes(
            build.stdout + proc.stdout + f"\n[exit {build.returncode} {proc.returncode}]\n".encode()
        )
    index.unlink(missing_ok=True)


def _without(value: Any, dotted: Sequence[str]) -> Any:
    """``value`` with the dotted keys removed from every JSON object at any depth where the path starts."""
    if isinstance(value, dict):
        drop = {k for k in dotted if "." not in k}
        nested: dict[str, list[str]] = {}
        for key in dotted:
            head, _, rest = key.partition(".")
            if rest:
                nested.setdefault(head, []).append(rest)
        return {
            k: _without(v, nested.get(k, []) + list(dotted)) if k not in drop else None
            for k, v in value.items()
            if k not in drop
        }
    if isinstance(value, list):
        return [_without(v, dotted) for v in value]
    return value


def _without_timings(value: Any) -> Any:
    """``value`` with every duration (a float under a key ending in ``_s``, as in ``stats``) set to 0."""
    if isinstance(value, dict):
        return {k: 0 if k.endswith("_s") and isinstance(v, float) else _without_timings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def _normalized(data: bytes, ignore: Sequence[str], drop_lines: re.Pattern[str] | None = None) -> bytes:
    """JSON output (a document, or JSON lines) without durations and ignored keys; other output without the
    lines ``drop_lines`` matches (an intended addition to the table, such as a lineage tree)."""
    body, _, tail = data.rpartition(b"\n[exit")
    try:
        docs = [json.loads(body)]
        joiner = None
    except ValueError:
        try:
            docs = [json.loads(line) for line in body.splitlines() if line.strip()]
            joiner = "\n"
        except ValueError:
            if drop_lines is None:
                return data
            kept = [line for line in data.decode(errors="replace").splitlines() if not drop_lines.search(line)]
            return "\n".join(kept).encode()
    cleaned = [json.dumps(_without_timings(_without(d, ignore)), ensure_ascii=False, indent=1) for d in docs]
    return ("\n".join(cleaned) if joiner else cleaned[0]).encode() + b"\n[exit" + tail


def compare(before: Path, after: Path, ignore: Sequence[str], drop_lines: str | None = None) -> int:
    """Print equal/different for every output file; 0 if all equal (after ignoring ``ignore`` in JSON and the
    lines matching ``drop_lines`` elsewhere)."""
    pattern = re.compile(drop_lines) if drop_lines else None
    names = sorted({p.name for p in before.glob("*.out")} | {p.name for p in after.glob("*.out")})
    differ = 0
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"MISSING  {name} ({'before' if not a.exists() else 'after'})")
            differ += 1
            continue
        left, right = _normalized(a.read_bytes(), ignore, pattern), _normalized(b.read_bytes(), ignore, pattern)
        if left == right:
            print(f"equal    {name}")
            continue
        differ += 1
        lines = difflib.unified_diff(
            left.decode(errors="replace").splitlines(), right.decode(errors="replace").splitlines(), lineterm="", n=0
        )
        shown = [line for _, line in zip(range(8), lines, strict=False)]
        print(f"DIFFERS  {name}\n    " + "\n    ".join(shown))
    print(
        f"{len(names) - differ} of {len(names)} outputs equal" + (f" (ignoring {', '.join(ignore)})" if ignore else "")
    )
    return 0 if differ == 0 else 1


PATH_STATS = ("stats.out_of_core", "stats.bands_per_pass")
"""The stats that say which path a scan took: the only intended difference between the two."""


def _watched(root: Path, args: Sequence[str], out: Path) -> tuple[float, int]:
    """Run ``root``'s dedup CLI with ``args``, its stdout and exit code into ``out`` as :func:`capture` writes
    them; return the wall seconds and the peak RSS of its process tree (sampled every 0.1 s)."""
    import psutil  # the bench extra, as for bench_scan

    from benchmarks.bench_scan import SAMPLE_S, _tree_rss

    code = "import sys; from dedup.cli import app; sys.argv[0] = 'dedup'; app()"
    peak, tick = 0, time.perf_counter()
    with out.open("wb") as f:
        child = subprocess.Popen([sys.executable, "-c", code, *args], stdout=f, env=_env(root.resolve()))
        proc = psutil.Process(child.pid)
        while child.poll() is None:
            peak = max(peak, _tree_rss(proc)[0])
            time.sleep(SAMPLE_S)
        f.write(f"\n[exit {child.returncode}]\n".encode())
    return time.perf_counter() - tick, peak


def out_of_core(out: Path, articles: int, seed: int, root: Path) -> int:
    """Scan ``articles`` generated articles in memory and forced out of core; 0 if the outputs are equal."""
    from benchmarks.corpus import write_articles_jsonl

    out.mkdir(parents=True, exist_ok=True)
    corpus = out / f"articles_{articles}.jsonl"
    if not corpus.exists():
        write_articles_jsonl(corpus, articles, seed)
    for name, extra in (("in-memory", []), ("out-of-core", ["--memory-limit", "1"])):
        wall, peak = _watched(root, ["scan", str(corpus), "--format", "json", "-q", *extra], out / f"scan.{name}.out")
        print(f"{name:12s} {wall:8.1f} s  peak {peak / 1024**3:.2f} GB")
    return compare_files(out / "scan.in-memory.out", out / "scan.out-of-core.out", PATH_STATS)


def compare_files(before: Path, after: Path, ignore: Sequence[str]) -> int:
    """:func:`compare` for two single outputs."""
    left, right = _normalized(before.read_bytes(), ignore), _normalized(after.read_bytes(), ignore)
    equal = left == right
    print(f"{'equal' if equal else 'DIFFERS'}: {before.name} and {after.name} (ignoring {', '.join(ignore)})")
    return 0 if equal else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``inputs``, ``capture`` and ``compare`` (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare_outputs", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_in = sub.add_parser("inputs", help="write the inputs (seeds, three corpora, a JSONL drop)")
    p_in.add_argument("out", type=Path)
    p_in.add_argument("--root", type=Path, default=Path("."), help="checkout whose generator writes them")
    p_cap = sub.add_parser("capture", help="run every command of one checkout on the inputs")
    p_cap.add_argument("inputs", type=Path)
    p_cap.add_argument("out", type=Path)
    p_cap.add_argument("--root", type=Path, default=Path("."), help="the checkout to run (default: this one)")
    p_cmp = sub.add_parser("compare", help="compare two captures byte for byte")
    p_cmp.add_argument("before", type=Path)
    p_cmp.add_argument("after", type=Path)
    p_cmp.add_argument("--ignore", action="append", default=[], help="dotted JSON key whose change is intended")
    p_cmp.add_argument("--drop-lines", help="regular expression: lines of table output whose addition is intended")
    p_ooc = sub.add_parser("out-of-core", help="scan generated articles in memory and out of core, and compare")
    p_ooc.add_argument("out", type=Path, help="folder for the corpus and the two outputs")
    p_ooc.add_argument("--articles", type=int, default=100_000, help="generated articles (default 100000)")
    p_ooc.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    p_ooc.add_argument("--root", type=Path, default=Path("."), help="the checkout to run (default: this one)")
    args = parser.parse_args(argv)
    if args.command == "out-of-core":
        return out_of_core(args.out, args.articles, args.seed, args.root)
    if args.command == "inputs":
        write_inputs(args.out, args.root.resolve())
        return 0
    if args.command == "capture":
        capture(args.inputs.resolve(), args.out.resolve(), args.root)
        return 0
    return compare(args.before, args.after, args.ignore, args.drop_lines)


if __name__ == "__main__":
    sys.exit(main())
