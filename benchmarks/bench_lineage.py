"""Lineage accuracy: the share of copies given their true parent, against two baselines, in one run.

Run: ``python -m benchmarks.bench_lineage [--seed S ...] [--stories N] [--out DIR]``. Default: seeds 1–5,
9 stories each (:mod:`benchmarks.chains`: chains, forks, lost intermediates; every copy adds at least two
changes of its own). Each corpus goes through the real pipeline: files written, :func:`dedup.report`, the JSON
payload of ``dedup report --format json``, then :func:`dedup.lineage.lineage_of_group` on each group.

Two ways to root a group, both scored:

- ``dedup, wire as --reference``: one report per story with its wire copy as ``--reference`` (what a user
  who holds the wire does); the tree is rooted at it.
- ``dedup, no reference``: one report of the corpus; groups of three or more are collated against their
  consensus and lineage roots them at the least changed copy.

Baselines: ``every copy from the reference`` (what a report implies today), and ``nearest neighbour`` (each
copy's parent is the copy whose text is most similar, rapidfuzz ``ratio`` over the letters of the witnesses).

Scoring: a written copy other than the wire is right when its predicted parent is its true parent; an unseen
intermediate (``G3.X1``) stands for the lost copy that is the true parent of most of its children, when that
copy is lost. Copies the scan did not put in their story's group count as wrong.

Tuned on seed 1 only (at 9 and at 30 stories); seeds 2–5 reported, 9 stories each (36–38 copies per seed, so one
copy is about 3 points). Last run (``--seed 1 2 3 4 5``, about 15 s per seed on a busy 2-core machine)::

    | method                        | seed 1 | seed 2 | seed 3 | seed 4 | seed 5 | mean 2–5 | worst 2–5 |
    | dedup, wire as --reference    |    95% |   100% |   100% |    95% |    94% |      97% |       94% |
    | dedup, no reference           |    59% |    71% |    73% |    71% |    67% |      70% |       67% |
    | every copy from the reference |    32% |    37% |    38% |    39% |    44% |      40% |       37% |
    | nearest neighbour             |    54% |    58% |    57% |    58% |    58% |      58% |       57% |

Seeds 2–10 are not clean held-out data: their misses were read, one by one, to find the causes the last
changes fix (a source's page furniture that its copies lack; an inherited foreign paragraph, or a cut, that
collation reports differently in two copies because one copy's page glued it to a neighbour). Each fix was
kept only if seed 1 (at 9 and at 30 stories) did not fall. Seeds 11–15, never looked at, with the wire as
reference: 100%, 94%, 89%, 94%, 97% (mean 95%, worst 89%; before these fixes 94%, 94%, 95%, 94%, 79%);
every copy from the reference 35–42%, nearest neighbour 56–71%. One fix, letting a copy lack one undoable
change of its source, costs seed 13 two copies (95% to 89%) and gains 5, 5, 6 and 2 on seeds 1, 3, 4, 5. Seed 1 at
30 stories: 119 of 126 (94%; 112 before). Seeds 6–10: 92%, 85%, 92%, 89%, 100% (seed 7 loses copies of two
stories the scan put in one group).

What is still missed: a copy whose own changes are weak or undoable (a split or moved paragraph, a dropped
last one) passes for the source of a sibling that made the same by chance, or its lost source's only
changes are that weak (1.3 of shared weight, under ``min_shared``, on seed 1's S006: a ``min_shared`` of 1.3
would win it on seed 1 at 9 stories and lose two copies at 30). Without a reference the root goes to the
majority text, which along a chain is a middle copy, so the wire and its first copies are misplaced (rooting
at the copy with the fewest losses instead, dropped or cut paragraphs, changed nothing): pass the wire as
``--reference``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from benchmarks.chains import ChainTruth, describe, generate_chains
from dedup import report
from dedup.lineage import LineageConfig, canonical, lineage_of_group
from dedup.render.json import report_payload

METHODS = ("dedup, wire as --reference", "dedup, no reference", "every copy from the reference", "nearest neighbour")


def copy_of_witness(witness: Mapping[str, Any], truth: ChainTruth) -> str | None:
    """The true copy a report witness is: the one whose segments overlap the witness's lines most."""
    best, best_lines = None, 0
    for copy in truth.corpus.copies:
        lines = 0
        for a in witness["segments"]:
            for b in copy.segments:
                if Path(a["path"]).name == b.path:
                    lines += max(0, min(a["end_line"], b.end_line) - max(a["start_line"], b.start_line) + 1)
        if lines > best_lines:
            best, best_lines = copy.id, lines
    return best


def witness_texts(group: Mapping[str, Any], corpus_dir: Path) -> dict[str, str]:
    """Each witness's letters, read from its files' lines (for the nearest-neighbour baseline)."""
    cache: dict[str, list[str]] = {}
    out = {}
    for w in group["witnesses"]:
        parts = []
        for s in w["segments"]:
            path = s["path"]
            if path not in cache:
                cache[path] = _document_lines(path, corpus_dir)
            parts.extend(cache[path][s["start_line"] - 1 : s["end_line"]])
        out[w["id"]] = canonical("".join(parts))
    return out


def _document_lines(path: str, corpus_dir: Path) -> list[str]:
    from dedup.ingest.load import load
    from dedup.records import Document

    file, _, _ = path.partition("#")
    for item in load([file]):
        if isinstance(item, Document) and item.path == path:
            return item.text.split("\n")
    return []


def _score(
    predicted: Mapping[str, str | None], truth: ChainTruth, mapping: Mapping[str, str], wrong: list[str] | None = None
) -> tuple[int, int]:
    """(right, total) over the written copies of ``truth`` that have a parent; ``wrong`` collects the misses
    as ``copy: true parent, not guess``."""
    # an intermediate stands for the lost copy most of its children truly descend from
    children: dict[str, list[str]] = {}
    for child, parent in predicted.items():
        if parent is not None and parent not in mapping:
            children.setdefault(parent, []).append(child)
    stand_in: dict[str, str] = {}
    for node, kids in children.items():
        parents = Counter(truth.story_of(mapping[k]).parent_of(mapping[k]) for k in kids if k in mapping)
        if parents:
            lost = parents.most_common(1)[0][0]
            if lost is not None and truth.story_of(lost).is_lost(lost):
                stand_in[node] = lost
    by_copy = {mapping[w]: p for w, p in predicted.items() if w in mapping}
    right = total = 0
    for story in truth.stories:
        for copy in story.copies:
            if copy.parent is None or copy.lost:
                continue
            total += 1
            parent = by_copy.get(copy.id)
            guess = mapping.get(parent, stand_in.get(parent, parent)) if parent is not None else None
            right += guess == copy.parent
            if guess != copy.parent and wrong is not None:
                wrong.append(f"{copy.id}: {copy.parent}, not {guess}")
    return right, total


def _story_groups(payload: Mapping[str, Any], truth: ChainTruth) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """Each group of the payload with its witness → true copy mapping."""
    out = []
    for group in payload["groups"]:
        mapping = {w["id"]: c for w in group["witnesses"] if (c := copy_of_witness(w, truth)) is not None}
        out.append((group, mapping))
    return out


def _lineage_parents(group: Mapping[str, Any], config: LineageConfig | None = None) -> dict[str, str | None]:
    tree = lineage_of_group(group, config)
    if tree is None:
        return {}
    return {e["child"]: e["parent"] for e in tree["edges"]}


def _baselines(group: Mapping[str, Any], root: str, corpus_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Every copy from ``root``; each copy from its most similar other copy."""
    ids = [w["id"] for w in group["witnesses"]]
    flat = {w: root for w in ids if w != root}
    texts = witness_texts(group, corpus_dir)
    nearest = {}
    for w in ids:
        if w == root:
            continue
        others = [o for o in ids if o != w]
        nearest[w] = max(others, key=lambda o: (fuzz.ratio(texts[w], texts[o]), o == root))
    return flat, nearest


def _wire_path(truth: ChainTruth, story: str) -> str:
    wire = truth.corpus.find_copy(f"{story}.C0")
    return wire.segments[0].path


def report_seed(seed: int, stories: int, corpus_dir: Path) -> tuple[ChainTruth, dict[str, Any], float]:
    """Generate one chain corpus and report it: once per story with its wire as ``--reference`` (payloads by
    story id), once without (key ``""``). Returns the truth, the payloads and the seconds spent reporting."""
    truth = generate_chains(corpus_dir, stories=stories, seed=seed)
    paths = [str(corpus_dir)]
    started = time.perf_counter()
    payloads = {
        story.id: report_payload(report(paths, reference=str(corpus_dir / _wire_path(truth, story.id))))
        for story in truth.stories
    }
    payloads[""] = report_payload(report(paths))
    return truth, payloads, time.perf_counter() - started


def score_seed(
    truth: ChainTruth, payloads: Mapping[str, Any], corpus_dir: Path, config: LineageConfig | None = None
) -> dict[str, Any]:
    """Score lineage (both ways of rooting) and the baselines on the reports of one chain corpus."""
    counts = {m: [0, 0] for m in METHODS}
    wrong: dict[str, list[str]] = {m: [] for m in METHODS[:2]}
    for story in truth.stories:
        found = [(g, m) for g, m in _story_groups(payloads[story.id], truth) if f"{story.id}.C0" in m.values()]
        mine = {c.id for c in story.copies}
        wanted = ChainTruth(truth.seed, (story,), truth.corpus)
        guesses: dict[str, dict[str, str | None]] = {m: {} for m in METHODS}
        mapping: dict[str, str] = {}
        for group, gmap in found:
            mapping.update({w: c for w, c in gmap.items() if c in mine})
            guesses[METHODS[0]].update(_lineage_parents(group, config))
            root = next(w for w, c in gmap.items() if c == f"{story.id}.C0")
            flat, nearest = _baselines(group, root, corpus_dir)
            guesses[METHODS[2]].update(flat)
            guesses[METHODS[3]].update(nearest)
        for name in (METHODS[0], METHODS[2], METHODS[3]):
            right, total = _score(guesses[name], wanted, mapping, wrong.get(name))
            counts[name][0] += right
            counts[name][1] += total
    counts[METHODS[1]][1] = counts[METHODS[2]][1]
    for group, gmap in _story_groups(payloads[""], truth):
        if len(gmap) < 2:
            continue
        story_id = Counter(truth.story_of(c).id for c in gmap.values()).most_common(1)[0][0]
        story = next(s for s in truth.stories if s.id == story_id)
        wanted = ChainTruth(truth.seed, (story,), truth.corpus)
        story_map = {w: c for w, c in gmap.items() if c.startswith(story_id + ".")}
        right, _ = _score(_lineage_parents(group, config), wanted, story_map, wrong[METHODS[1]])
        counts[METHODS[1]][0] += right
    return {
        "seed": truth.seed,
        "corpus": describe(truth),
        "methods": {m: {"right": r, "copies": t, "share": r / t if t else 0.0} for m, (r, t) in counts.items()},
        "wrong": wrong,
    }


def run_seed(seed: int, stories: int, corpus_dir: Path) -> dict[str, Any]:
    """:func:`report_seed` then :func:`score_seed` with the default settings."""
    truth, payloads, elapsed = report_seed(seed, stories, corpus_dir)
    return {**score_seed(truth, payloads, corpus_dir), "report_s": round(elapsed, 1)}


def table(results: Sequence[Mapping[str, Any]]) -> str:
    """A Markdown table: one row per method, one column per seed, then the mean and the worst of seeds 2–5."""
    seeds = [r["seed"] for r in results]
    head = "| method | " + " | ".join(f"seed {s}" for s in seeds) + " | mean (not seed 1) | worst (not seed 1) |"
    lines = [head, "|" + " --- |" * (len(seeds) + 3)]
    for m in METHODS:
        shares = [r["methods"][m]["share"] for r in results]
        held = [r["methods"][m]["share"] for r in results if r["seed"] != 1] or shares
        cells = [f"{s:.0%}" for s in shares]
        lines.append(f"| {m} | " + " | ".join(cells) + f" | {statistics.mean(held):.0%} | {min(held):.0%} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, nargs="*", default=[1, 2, 3, 4, 5])
    parser.add_argument("--stories", type=int, default=9)
    parser.add_argument("--out", type=Path, default=None, help="results directory (default: a temporary one)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_lineage_"))
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for seed in args.seed:
        results.append(run_seed(seed, args.stories, out / f"corpus-{seed}"))
        print(
            f"seed {seed}: " + ", ".join(f"{m} {v['share']:.0%}" for m, v in results[-1]["methods"].items()),
            file=sys.stderr,
        )
    text = table(results)
    (out / "bench_lineage.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", "utf-8")
    (out / "bench_lineage.md").write_text(text + "\n", "utf-8")
    print(text)
    print(f"results in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
