"""Finding scores broken down by where the damage came from: damage model, damage class of issue 11, container.

Why: the suite's table says *that* a class misses its target, not *which* damage it misses. This scores dedup on
one generated corpus (kept with ``python -m benchmarks --corpus DIR``) separately for:

* copies by damage model (``A``: :mod:`benchmarks.corpus`, ``B``: :mod:`benchmarks.damage_b`), flattened web
  pages, preview copies, and copies of two-copy groups — precision and recall per class, counting only those
  copies' damages and findings;
* damages by noise (``preview`` cuts, ``lookalike`` slips, ``mojibake``, ``ocr``) — recall, and what dedup said
  instead (the confusion row).

Usage::

    python -m benchmarks --seed 1 --no-speed --corpus /tmp/c1     # keep the corpus
    python -m benchmarks.breakdown /tmp/c1 [--out FILE.json]     # ~1 min: runs dedup.report once

Prints a Markdown table; exit code 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.accuracy import (
    CLASSES,
    PredGroup,
    Truth,
    TruthDamage,
    assign_copies,
    evaluate_findings,
    truth_from_generator,
)
from benchmarks.corpus import TRUTH_FILE, GroundTruth


def copy_subsets(gt: GroundTruth) -> dict[str, set[str]]:
    """Named sets of copy ids: by damage model, flattened pages, previews, two-copy groups."""
    flat = {p.copy for f in gt.files if "flattened" in f.layout for p in f.passages if p.copy}
    previews = {c.id for c in gt.copies if any(d.noise == "preview" for d in c.damage)}
    pairs = {cid for g in gt.groups if len(g) == 2 for cid in g}
    return {
        "model A": {c.id for c in gt.copies if c.model == "A"},
        "model B": {c.id for c in gt.copies if c.model == "B"},
        "flattened page": {c for c in flat if c},
        "preview copy": previews,
        "two-copy group": pairs,
        "3+ copy group": {cid for g in gt.groups if len(g) > 2 for cid in g},
    }


def restrict(truth: Truth, groups: Sequence[PredGroup], copies: set[str]) -> tuple[Truth, list[PredGroup]]:
    """The truth's damages of ``copies`` only, and predictions whose findings on other copies are dropped."""
    kept = dataclasses.replace(truth, damages=tuple(d for d in truth.damages if d.copy in copies))
    out = []
    for g in groups:
        assigned = assign_copies(truth, g.witnesses)
        witnesses = tuple(
            w if assigned[w.id][0] in copies else dataclasses.replace(w, findings=()) for w in g.witnesses
        )
        out.append(dataclasses.replace(g, witnesses=witnesses))
    return kept, out


def by_damage(truth: Truth, groups: Sequence[PredGroup], keep: Callable[[TruthDamage], bool]) -> dict[str, Any]:
    """Recall and the confusion row of the damages ``keep`` selects."""
    sub = dataclasses.replace(truth, damages=tuple(d for d in truth.damages if keep(d)))
    scores = evaluate_findings(sub, groups)
    return {
        cls: {"truth": c.truth, "found": c.found, "recall": c.recall, "instead": dict(scores.confusion[cls])}
        for cls, c in scores.classes.items()
        if c.truth
    }


def breakdown(corpus: Path) -> dict[str, Any]:
    """Run dedup on the corpus and score every subset (see the module docstring)."""
    import dedup
    from benchmarks.__main__ import pred_groups

    gt = GroundTruth.from_json((corpus / TRUTH_FILE).read_text(encoding="utf-8"))
    truth = truth_from_generator(gt)
    paths = sorted({str(corpus / f.path.split("#", 1)[0]) for f in gt.files})
    report = dedup.report(paths, dedup.Config())
    groups = pred_groups(report, str(corpus) + "/")
    out: dict[str, Any] = {"corpus": str(corpus), "seed": gt.seed, "copies": {}, "damages": {}}
    for name, ids in copy_subsets(gt).items():
        sub_truth, sub_groups = restrict(truth, groups, ids)
        scores = evaluate_findings(sub_truth, sub_groups)
        out["copies"][name] = {
            "copies": len(ids),
            "classes": {k: v.to_dict() for k, v in scores.classes.items()},
        }
    for noise in ("preview", "lookalike", "mojibake", "ocr"):
        out["damages"][noise] = by_damage(truth, groups, lambda d, n=noise: d.note == n)
    return out


def markdown(result: dict[str, Any]) -> str:
    """Two tables: per copy subset (P/R per class), per noise (recall, said instead)."""

    def f(x: float | None) -> str:
        return "—" if x is None else f"{x:.2f}"

    head = "| copies | n | " + " | ".join(CLASSES) + " |"
    rows = [head, "| --- | ---: | " + " | ".join("---:" for _ in CLASSES) + " |"]
    for name, s in result["copies"].items():
        cells = [f"{f(c['precision'])}/{f(c['recall'])}" for c in (s["classes"][k] for k in CLASSES)]
        rows.append(f"| {name} | {s['copies']} | " + " | ".join(cells) + " |")
    rows += ["", "| damage (noise) | class | truth | recall | what dedup did |", "| --- | --- | ---: | ---: | --- |"]
    for noise, classes in result["damages"].items():
        for cls, c in classes.items():
            did = ", ".join(f"{k} {v}" for k, v in sorted(c["instead"].items(), key=lambda kv: -kv[1]))
            rows.append(f"| {noise} | {cls} | {c['truth']} | {f(c['recall'])} | {did} |")
    return "\n".join(rows) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.breakdown", description=__doc__.splitlines()[0])
    p.add_argument("corpus", type=Path, help="a corpus directory holding truth.json")
    p.add_argument("--out", type=Path, help="also write the result as JSON here")
    args = p.parse_args(argv)
    if not (args.corpus / TRUTH_FILE).is_file():
        p.error(f"{args.corpus / TRUTH_FILE} not found: keep a corpus with `python -m benchmarks --corpus DIR`")
    result = breakdown(args.corpus)
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
