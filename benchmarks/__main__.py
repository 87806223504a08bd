"""The benchmark suite: accuracy and speed of dedup against named baselines, in one run.

Usage::

    python -m benchmarks                       # default size (100 stories, seed 1): about a minute on 2 cores
    python -m benchmarks --out benchmarks/results   # the same, replacing the committed latest.json/latest.md
    python -m benchmarks --size 300 --seed 2   # larger corpus (stories; 1-300)
    python -m benchmarks --size 8 --repeat 1 --out /tmp/b    # tiny (the smoke test)
    python -m benchmarks --scale               # also the large-scan benchmark, at a tiny size

What it does, on one generated corpus (:func:`benchmarks.corpus.generate_corpus`, ground truth in its
``truth.json``) and on the five real seeds (hand-written truth in ``benchmarks/seeds_truth.json``):

* **Grouping** — dedup's groups against the document-level MinHash LSH baseline (text-dedup/datatrove style,
  thresholds 0.5 and 0.7): pairwise precision, recall, F1 and adjusted Rand index over the truth's passages
  (:mod:`benchmarks.accuracy` says exactly how).
* **Findings** — per class, dedup's findings against a plain ``difflib`` diff on the same groups, the same
  reference text and the same copy paragraphs; dedup is also scored with the truth's wire copy pinned as the
  reference, which separates reference choice from alignment.
* **Speed** — dedup scan and report and the document-level baseline, each in a fresh process (wall time and
  peak RSS); collation time against difflib; signing rate against rensa and datasketch. The 10k-100k scans
  are :mod:`benchmarks.bench_scan`'s job (``--scale`` runs it small).

Targets (on the default corpus): grouping F1 ≥ 0.97, and precision and recall ≥ 0.9 for every finding class.
They are printed as met or MISSED, never tuned for; a missed target comes with the reasons and examples
(file:lines in the generated corpus, which ``python -m benchmarks.make_corpus DIR --stories N --seed S``
regenerates byte for byte).

Tables go to stdout, progress to stderr; the JSON (``latest.json``) and a Markdown block for the README
(``latest.md``) are written to ``--out``: a new temporary folder unless named (its path is printed), so that
a run never overwrites the committed ``benchmarks/results`` unless asked to. Exit code 0 whether targets are
met or not (this is a measurement, not a gate); 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib.metadata
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.accuracy import (
    CLASSES,
    CONFUSION_COLUMNS,
    FindingScores,
    GroupingScores,
    Lines,
    PredFinding,
    PredGroup,
    PredWitness,
    Truth,
    assign_copies,
    evaluate_findings,
    evaluate_grouping,
    relabel,
    truth_from_generator,
    truth_from_seeds,
)
from benchmarks.baselines import difflib_findings, document_minhash, signing_rates
from benchmarks.corpus import MAX_STORIES, generate_corpus

SCHEMA_VERSION = 1
ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"  # the committed results: written only when --out names it


def out_folder(out: Path | None, prefix: str) -> Path:
    """``--out`` if given, else a new temporary folder: a benchmark never overwrites tracked files unasked."""
    return out if out is not None else Path(tempfile.mkdtemp(prefix=prefix))


SEEDS_TRUTH = Path(__file__).resolve().parent / "seeds_truth.json"
DEFAULT_SIZE, DEFAULT_SEED = 100, 1
GROUPING_F1_TARGET = 0.97
FINDING_TARGET = 0.9
TARGET_CLASSES = tuple(c for c in CLASSES if c != "added")  # the classes the issue names
MINHASH_THRESHOLDS = (0.5, 0.7)


def log(message: str) -> None:
    """Progress on stderr; stdout carries only the tables."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------------------
# Machine
# --------------------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """The machine and the library versions, for the record."""
    cpu = platform.processor() or platform.machine()
    memory = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    versions: dict[str, str | None] = {}
    for name in ("dedup", "datasketch", "rensa", "rapidfuzz", "numba", "numpy"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": cpu,
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "memory_gib": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "versions": versions,
    }


# --------------------------------------------------------------------------------------------------------------
# Running dedup and the baselines
# --------------------------------------------------------------------------------------------------------------


def _lines(span: Any) -> Lines:
    """A dedup span as :class:`Lines`, with its character offsets once dedup reports them (schema 2)."""
    start, end = getattr(span, "start_char", None), getattr(span, "end_char", None)
    chars = (int(start), int(end)) if start is not None and end is not None else None
    return Lines(str(span.path), int(span.start_line), int(span.end_line), chars)


def _prefix(directory: Path) -> str:
    return str(directory) + os.sep


def _pred_finding(f: Any, prefix: str) -> PredFinding:
    refs = set(f.ref_paragraphs)
    if f.ref is not None:
        refs.add(f.ref)
    copy = relabel([_lines(f.copy)], prefix)[0] if f.copy is not None else None
    return PredFinding(f.kind, frozenset(refs), copy, f.detail)


_BASE_RE = re.compile(r"built on (\S+?):")


def pred_groups(report: Any, prefix: str, collations: Sequence[Any] | None = None) -> list[PredGroup]:
    """dedup's report as :class:`PredGroup` records (paths relative to the corpus); ``collations`` replaces the
    report's own (the wire-pinned run)."""
    out = []
    for k, gr in enumerate(report.groups):
        col = collations[k] if collations is not None else gr.collation
        findings = {wc.witness: wc.findings for wc in col.witnesses}
        witnesses = tuple(
            PredWitness(
                w.id,
                relabel([_lines(s) for s in w.segments], prefix),
                tuple(_pred_finding(f, prefix) for f in findings.get(w.id, ())),
            )
            for w in gr.group.witnesses
        )
        base = None
        if col.reference == "consensus":
            m = _BASE_RE.search(col.reason)
            base = m.group(1) if m else None
        out.append(PredGroup(gr.group.id, witnesses, tuple(col.reference_paragraphs), col.reference, base))
    return out


def wire_pinned(report: Any, documents: Any, truth: Truth, prefix: str) -> tuple[list[Any], int]:
    """Each group collated against the truth's wire copy when it is one of the witnesses (else as dedup chose).

    Returns the collations and how many groups had the wire copy pinned.
    """
    from dedup.pipeline.report import collate_group

    collations = []
    pinned = 0
    for gr in report.groups:
        plain = [PredWitness(w.id, relabel([_lines(s) for s in w.segments], prefix)) for w in gr.group.witnesses]
        assigned = assign_copies(truth, plain)
        wire = next(
            (
                w
                for w, p in zip(gr.group.witnesses, plain, strict=True)
                if assigned[p.id][0] is not None and truth.copies[str(assigned[p.id][0])].wire
            ),
            None,
        )
        if wire is None:
            collations.append(gr.collation)
            continue
        pinned += 1
        collations.append(collate_group(gr.group, documents, wire.segments[0].path))
    return collations, pinned


def difflib_groups(report: Any, documents: Any, prefix: str) -> tuple[list[PredGroup], float]:
    """The difflib baseline on dedup's groups, reference text and copy paragraphs; and its time.

    ``documents``: the report's, grouped ones whole (``dedup.pipeline.report.whole_documents``).
    """
    from dedup.pipeline.report import witness_text

    out = []
    tick = time.perf_counter()
    for gr in report.groups:
        col = gr.collation
        witnesses = []
        for w in gr.group.witnesses:
            if col.reference == w.id:
                findings: list[PredFinding] = []
            else:
                text = witness_text(w, documents)
                paragraphs = [(p.text, relabel([_lines(p.span)], prefix)[0]) for p in text.paragraphs]
                findings = difflib_findings(col.reference_paragraphs, paragraphs)
            witnesses.append(PredWitness(w.id, relabel([_lines(s) for s in w.segments], prefix), tuple(findings)))
        out.append(PredGroup(gr.group.id, tuple(witnesses), tuple(col.reference_paragraphs), col.reference))
    return out, time.perf_counter() - tick


def collate_seconds(report: Any, documents: Any) -> float:
    """Time dedup takes to collate every group again (reference choice, consensus, alignment)."""
    from dedup.pipeline.report import collate_group

    tick = time.perf_counter()
    for gr in report.groups:
        collate_group(gr.group, documents)
    return time.perf_counter() - tick


def load_texts(paths: Sequence[str], prefix: str) -> list[tuple[str, str]]:
    """(relative path, decoded text) of every document, as dedup decodes them (JSONL lines are documents)."""
    from dedup.ingest.load import load
    from dedup.records import Document

    return [
        (d.path[len(prefix) :] if d.path.startswith(prefix) else d.path, d.text)
        for d in load(paths)
        if isinstance(d, Document)
    ]


Grouping = list[tuple[str, list[list[Lines]]]]


def minhash_groups(docs: Sequence[tuple[str, str]], threshold: float) -> tuple[Grouping, float]:
    """Document-level MinHash LSH clusters as groups of whole documents; and the time it took."""
    result = document_minhash([t for _, t in docs], threshold)
    groups: Grouping = []
    for k, cluster in enumerate(result.clusters):
        witnesses = [[Lines(docs[i][0], 1, docs[i][1].count("\n") + 1)] for i in cluster]
        groups.append((f"D{k + 1}", witnesses))
    return groups, result.total_s


def dedup_grouping_input(report: Any, prefix: str) -> Grouping:
    return [
        (gr.group.id, [list(relabel([_lines(x) for x in w.segments], prefix)) for w in gr.group.witnesses])
        for gr in report.groups
    ]


def without_boilerplate(truth: Truth, report: Any, prefix: str) -> dict[str, Any]:
    """dedup's grouping scores with the boilerplate passages left out of the items: a diagnostic (how much of
    the gap to the target is boilerplate), never the headline figure."""
    kept = dataclasses.replace(truth, items=tuple(i for i in truth.items if i.role != "boilerplate"))
    s = evaluate_grouping(kept, dedup_grouping_input(report, prefix))
    return {"precision": s.precision, "recall": s.recall, "f1": s.f1, "ari": s.ari, "items": s.items}


def evaluate(
    name: str, truth: Truth, paths: Sequence[str], prefix: str, *, pin_wire: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Grouping and findings scores of dedup and the baselines on one data set; also the raw report."""
    import dedup
    from dedup.pipeline.report import whole_documents

    log(f"[{name}] dedup report on {len(paths)} files")
    tick = time.perf_counter()
    report = dedup.report(list(paths), dedup.Config())
    report_s = time.perf_counter() - tick
    documents = whole_documents(report.scan)  # the grouped ones, for collating them again
    docs = load_texts(paths, prefix)
    grouping: dict[str, GroupingScores] = {"dedup": evaluate_grouping(truth, dedup_grouping_input(report, prefix))}
    times: dict[str, float] = {"dedup": report.scan.stats.get("sketch_s", 0.0)}
    for threshold in MINHASH_THRESHOLDS:
        groups, seconds = minhash_groups(docs, threshold)
        key = f"document MinHash LSH (threshold {threshold})"
        grouping[key] = evaluate_grouping(truth, groups)
        times[key] = seconds
    log(f"[{name}] scoring findings")
    findings: dict[str, FindingScores] = {"dedup": evaluate_findings(truth, pred_groups(report, prefix))}
    pinned = 0
    if pin_wire:
        collations, pinned = wire_pinned(report, documents, truth, prefix)
        findings["dedup, wire copy as reference"] = evaluate_findings(truth, pred_groups(report, prefix, collations))
    diff_groups, difflib_s = difflib_groups(report, documents, prefix)
    findings["difflib"] = evaluate_findings(truth, diff_groups)
    section = {
        "files": len(paths),
        "documents": len(docs),
        "dedup_groups": len(report.groups),
        "dedup_stats": {k: v for k, v in report.scan.stats.items()},
        "report_in_process_s": report_s,
        "grouping": {k: v.to_dict() for k, v in grouping.items()},
        "grouping_without_boilerplate": without_boilerplate(truth, report, prefix),
        "findings": {k: v.to_dict() for k, v in findings.items()},
        "wire_pinned_groups": pinned,
        "difflib_s": difflib_s,
    }
    return section, {"report": report, "docs": docs}


# --------------------------------------------------------------------------------------------------------------
# Speed
# --------------------------------------------------------------------------------------------------------------


def child_measure(what: str, listing: Path, repeat: int) -> dict[str, Any]:
    """``repeat`` fresh processes running ``what``; median wall time, largest peak RSS."""
    runs = []
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.baselines", "measure", what, str(listing)],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            timeout=1800,
        )
        if proc.returncode:
            raise RuntimeError(f"measuring {what} failed (exit {proc.returncode}): {proc.stderr.strip()[-800:]}")
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    out = dict(runs[-1])
    out["wall_s"] = statistics.median(r["wall_s"] for r in runs)
    out["wall_runs_s"] = [round(r["wall_s"], 3) for r in runs]
    out["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    out["children_peak_rss_mib"] = max(r["children_peak_rss_mib"] for r in runs)
    out["runs"] = repeat
    return out


def speed(paths: Sequence[str], texts: Sequence[str], report: Any, repeat: int, work: Path) -> dict[str, Any]:
    listing = work / "paths.json"
    listing.write_text(json.dumps(list(paths)), encoding="utf-8")
    decoded = work / "texts.json"
    decoded.write_text(json.dumps(list(texts), ensure_ascii=False), encoding="utf-8")
    chars = sum(len(t) for t in texts)
    out: dict[str, Any] = {"documents": len(texts), "characters": chars}
    for what, given in (("scan", listing), ("report", listing), ("minhash", decoded)):
        log(f"[speed] {what} in {repeat} fresh process(es)")
        out[what] = child_measure(what, given, repeat)
    from dedup.pipeline.report import whole_documents

    log("[speed] collation: dedup against difflib")
    out["collate_s"] = collate_seconds(report, whole_documents(report.scan))
    log("[speed] signing on one core")
    out["signing"] = [r.to_dict() for r in signing_rates(texts, repeat)]
    return out


TINY_SCALE = 2000


def _tiny_scale_args() -> list[str]:
    """Arguments that make ``benchmarks.bench_scan`` run small, read from its ``--help`` (it is another
    engineer's module, so its option names are looked up rather than assumed)."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_scan", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=120,
    )
    for option in ("--sizes", "--size", "--articles", "--n"):
        if re.search(rf"(^|\s){re.escape(option)}\b", proc.stdout):
            return [option, str(TINY_SCALE)]
    return []


def run_scale(args: str) -> dict[str, Any]:
    """``benchmarks.bench_scan`` with ``args`` (or at a tiny size when none are given); its output is kept as
    text."""
    if not (ROOT / "benchmarks" / "bench_scan.py").is_file():
        return {"status": "not available: benchmarks/bench_scan.py does not exist yet"}
    extra = shlex.split(args) if args else _tiny_scale_args()
    command = [sys.executable, "-m", "benchmarks.bench_scan", *extra]
    log(f"[scale] {' '.join(command)}")
    tick = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT, timeout=3600)
    return {
        "status": "ok" if proc.returncode == 0 else f"exit {proc.returncode}",
        "command": " ".join(command),
        "seconds": round(time.perf_counter() - tick, 1),
        "stdout": proc.stdout[-8000:],
        "stderr": proc.stderr[-2000:] if proc.returncode else "",
    }


# --------------------------------------------------------------------------------------------------------------
# Targets and tables
# --------------------------------------------------------------------------------------------------------------


def targets(corpus: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with what dedup got, what the baseline got, and whether it is met."""
    out = []
    g = corpus["grouping"]
    base = g[f"document MinHash LSH (threshold {MINHASH_THRESHOLDS[0]})"]
    out.append(
        {
            "target": "grouping F1",
            "need": GROUPING_F1_TARGET,
            "got": g["dedup"]["f1"],
            "baseline": base["f1"],
            "met": g["dedup"]["f1"] >= GROUPING_F1_TARGET,
        }
    )
    ours = corpus["findings"]["dedup"]["classes"]
    theirs = corpus["findings"]["difflib"]["classes"]
    for cls in TARGET_CLASSES:
        for measure in ("precision", "recall"):
            got = ours[cls][measure]
            out.append(
                {
                    "target": f"{cls} {measure}",
                    "need": FINDING_TARGET,
                    "got": got,
                    "baseline": theirs[cls][measure],
                    "met": got is not None and got >= FINDING_TARGET,
                }
            )
    return out


def _f(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], markdown: bool, right: int = 1) -> str:
    """A table: plain (aligned columns) or Markdown; columns from ``right`` on are right-aligned."""
    if markdown:
        lines = ["| " + " | ".join(header) + " |"]
        lines.append("| " + " | ".join("---" if k < right else "---:" for k in range(len(header))) + " |")
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]

    def row(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if k < right else c.rjust(w) for k, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([row(header), "  ".join("-" * w for w in widths), *(row(r) for r in rows)])


def grouping_table(section: dict[str, Any], markdown: bool) -> str:
    rows = []
    for method, s in section["grouping"].items():
        rows.append(
            [
                method,
                _f(s["precision"]),
                _f(s["recall"]),
                _f(s["f1"]),
                _f(s["ari"]),
                str(s["groups"]),
                f"{s['true_pairs']}/{s['truth_pairs']}",
                f"{s['predicted_pairs'] - s['true_pairs']}",
                f"{s['jumps_stitched']}/{s['jumps']}" if s["jumps"] else "-",
            ]
        )
    header = ["method", "precision", "recall", "F1", "ARI", "groups", "pairs found", "false pairs", "jumps stitched"]
    return _table(header, rows, markdown)


def findings_table(section: dict[str, Any], markdown: bool) -> str:
    methods = list(section["findings"])
    header = ["class", "truth"]
    short = {"dedup": "dedup", "dedup, wire copy as reference": "dedup·wire", "difflib": "difflib"}
    for m in methods:
        header += [f"{short.get(m, m)} P", f"{short.get(m, m)} R"]
    rows = []
    for cls in CLASSES:
        first = section["findings"][methods[0]]["classes"][cls]
        row = [cls + ("" if cls in TARGET_CLASSES else " (no target)"), str(first["truth"])]
        for m in methods:
            c = section["findings"][m]["classes"][cls]
            row += [_f(c["precision"], 2), _f(c["recall"], 2)]
        rows.append(row)
    return _table(header, rows, markdown)


def speed_table(sp: dict[str, Any], markdown: bool) -> str:
    rows = []
    names = {
        "scan": "dedup scan",
        "report": "dedup report (scan + collate)",
        "minhash": "document MinHash LSH (datasketch, t=0.5; texts given decoded)",
    }
    for key, name in names.items():
        r = sp[key]
        rows.append(
            [
                name,
                f"{r['wall_s']:.2f}",
                f"{sp['documents'] / max(1e-9, r['wall_s']):,.0f}",
                f"{r['peak_rss_mib']:.0f}",
                f"{r['import_s'] + r['first_call_s']:.2f}",
            ]
        )
    table = _table(["run (fresh process)", "wall s", "docs/s", "peak RSS MiB", "import+warm-up s"], rows, markdown)
    ours = sp["signing"][0]["docs_per_s"]
    srows = [
        [r["method"], f"{r['docs_per_s']:,.0f}", "1.0×" if k == 0 else f"{ours / r['docs_per_s']:.1f}×"]
        for k, r in enumerate(sp["signing"])
    ]
    sign = _table(["signing, one core", "docs/s", "dedup ÷ it"], srows, markdown)
    return table + "\n\n" + sign


def targets_table(rows: Sequence[dict[str, Any]], markdown: bool) -> str:
    cells = [
        [
            t["target"],
            f"≥ {t['need']}",
            _f(t["got"]),
            _f(t["baseline"]),
            "met" if t["met"] else "MISSED",
        ]
        for t in rows
    ]
    return _table(["target", "need", "dedup", "baseline", ""], cells, markdown)


def failures(section: dict[str, Any], tgt: Sequence[dict[str, Any]]) -> str:
    """What went wrong, for every missed target: reasons with counts, and examples."""
    lines: list[str] = []
    g = section["grouping"]["dedup"]
    if any(t["target"] == "grouping F1" and not t["met"] for t in tgt):
        false = ", ".join(f"{n} {cause}" for cause, n in g["false_pairs"].items()) or "none"
        lost = ", ".join(f"{n} {cause}" for cause, n in g["missed_pairs"].items()) or "none"
        lines.append(f"grouping: false pairs: {false}; missed pairs: {lost}")
        nb = section["grouping_without_boilerplate"]
        lines.append(
            f"  diagnostic only: without the {g['items'] - nb['items']} boilerplate passages as items, dedup's "
            f"precision {_f(nb['precision'])}, recall {_f(nb['recall'])}, F1 {_f(nb['f1'])}"
        )
        lines.append(
            f"  {g['split_stories_count']} stories split across groups, "
            f"{g['mixed_groups_count']} groups mixing stories or non-story passages; "
            f"page jumps stitched into one witness: {g['jumps_stitched']}/{g['jumps']}; "
            f"{len(g['fragmented_stories'])} stories fragmented over several groups"
        )
        for story, gids in list(g["fragmented_stories"].items())[:4]:
            lines.append(f"  fragmented {story}: {', '.join(gids)}")
        for s in g["split_stories"][:6]:
            lines.append(f"  split {s['story']}:")
            for p in s["passages"]:
                got = p["group"] or ("no group" + (f" ({p['partly']})" if p.get("partly") else ""))
                lines.append(f"      {p['where']} {p['copy']} → {got}")
        for m in g["mixed_groups"][:8]:
            holds = ", ".join(f"{k}×{v}" for k, v in m["holds"].items())
            lines.append(f"  mixed {m['group']}: {holds}")
            for p in m["passages"][:8]:
                lines.append(f"      {p['where']} {p['role']} {p['story'] or ''}")
    found = section["findings"]["dedup"]
    missed = {t["target"].rsplit(" ", 1)[0] for t in tgt if not t["met"] and t["target"] != "grouping F1"}
    for cls in [c for c in CLASSES if c in missed]:
        c = found["classes"][cls]
        lines.append(
            f"{cls}: precision {_f(c['precision'])} ({c['correct']}/{c['predicted']}), "
            f"recall {_f(c['recall'])} ({c['found']}/{c['truth']})"
        )
        for kind, reasons in (("missed", found["missed_because"]), ("wrong", found["wrong_because"])):
            for reason, n in reasons.get(cls, {}).items():
                lines.append(f"  {kind} {n}× {reason}")
                for example in found["examples"].get(cls, {}).get(f"{kind}: {reason}", [])[:2]:
                    lines.append(f"      e.g. {example}")
    return "\n".join(lines)


def confusion_table(section: dict[str, Any], method: str, markdown: bool) -> str:
    """Rows: truth classes; columns: found, the class said instead, or why nothing was said (counts of damages;
    a damage reported under two other kinds counts in both columns)."""
    confusion = section["findings"][method]["confusion"]
    used = [c for c in CONFUSION_COLUMNS if any(confusion.get(cls, {}).get(c) for cls in CLASSES)]
    short = {c: c.replace("said ", "→").replace("merged/split", "m/s") for c in used}
    rows = []
    for cls in CLASSES:
        row = confusion.get(cls, {})
        rows.append([cls, *(str(row.get(c, "")) or "·" for c in used)])
    return _table(["truth damage", *(short[c] for c in used)], rows, markdown)


def render(result: dict[str, Any], markdown: bool) -> str:
    """All tables, plain or Markdown."""
    m = result["machine"]
    c = result["corpus"]
    head = (
        f"machine: {m['cpu']}, {m['nproc']} CPUs, {m['memory_gib']} GiB, Python {m['python']}, "
        f"load {m['load_average_1min']}"
    )
    corpus = (
        f"corpus: {c['stories']} stories (seed {c['seed']}), {c['files']} files, {c['documents']} documents, "
        f"{c['copies']} copies, {c['groups']} truth groups; regenerate with `{c['regenerate']}`"
    )
    seeds = result["seeds"]
    parts: list[tuple[str, str]] = [
        ("Grouping (generated corpus): pairs of truth passages", grouping_table(result["corpus_eval"], markdown)),
        ("Grouping (seeds/, hand-written truth)", grouping_table(seeds, markdown)),
        (
            "Findings per class (generated corpus): precision P and recall R",
            findings_table(result["corpus_eval"], markdown),
        ),
        ("Findings per class (seeds/, one damaged copy)", findings_table(seeds, markdown)),
    ]
    if "speed" in result:
        sp = result["speed"]
        collate = (
            f"collation of {result['corpus_eval']['dedup_groups']} groups: dedup {sp['collate_s']:.2f} s, "
            f"difflib {result['corpus_eval']['difflib_s']:.2f} s"
        )
        parts.append(
            (
                f"Speed ({sp['documents']} documents, {sp['characters']:,} characters)",
                speed_table(sp, markdown) + "\n\n" + collate,
            )
        )
    parts.append(
        (
            "Targets (generated corpus; baseline: document MinHash LSH t=0.5 for grouping, difflib for findings)",
            targets_table(result["targets"], markdown),
        )
    )
    parts.append(
        (
            "What dedup did with each truth damage (generated corpus; →X: reported as X instead)",
            confusion_table(result["corpus_eval"], "dedup", markdown),
        )
    )
    ref = result["corpus_eval"]["findings"]["dedup"]["reference"]
    kinds = ", ".join(f"{k} {v}" for k, v in ref["reference_is"].items())
    reference = (
        f"dedup's reference (generated corpus): {ref['groups']} groups, {ref['consensus']} of them with a consensus "
        f"reference; the wire copy is a witness in {ref['with_wire_copy']} groups and the reference (or the "
        f"consensus base) in {ref['wire_is_reference']}; reference or base is: {kinds}; reference text equal to "
        f"the wire text (paragraph by paragraph) in {ref['reference_text_is_wire_text']} groups"
    )
    legend = (
        "P precision, R recall; dedup·wire: dedup with the truth's wire copy pinned as the reference (separates "
        "reference choice from alignment); difflib: plain diff on dedup's groups and reference; n/a: nothing to "
        "divide by (the method never says that kind)"
    )
    out = [f"- {line}" if markdown else line for line in (head, corpus, reference, legend)] + [""]
    for title, body in parts:
        out += [f"### {title}" if markdown else f"== {title}", "", body, ""]
    if not markdown and result.get("failures"):
        out += ["== What the missed targets missed (dedup, generated corpus)", "", result["failures"], ""]
    if "scale" in result:
        out += [
            "== Scale (benchmarks.bench_scan)" if not markdown else "### Scale",
            "",
            str(result["scale"].get("stdout") or result["scale"]["status"]),
            "",
        ]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def corpus_dir(given: Path | None) -> Iterator[Path]:
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        yield given.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="dedup-bench-") as tmp:
        yield Path(tmp)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument(
        "--size",
        type=int,
        default=DEFAULT_SIZE,
        help=f"stories in the corpus, 1-{MAX_STORIES} (default {DEFAULT_SIZE})",
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"corpus seed (default {DEFAULT_SEED})")
    p.add_argument("--repeat", type=int, default=3, help="fresh processes per speed measurement (default 3)")
    p.add_argument(
        "--out",
        type=Path,
        help="where latest.json and latest.md go (default: a new temporary folder; benchmarks/results to update"
        " the committed ones)",
    )
    p.add_argument("--corpus", type=Path, help="generate the corpus here and keep it (default: a temporary directory)")
    p.add_argument("--no-speed", action="store_true", help="accuracy only")
    p.add_argument(
        "--scale",
        nargs="?",
        const="",
        metavar="ARGS",
        help=f"also run benchmarks.bench_scan: with ARGS (quoted) if given, else at {TINY_SCALE:,} articles",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not 1 <= args.size <= MAX_STORIES:
        parser.error(f"--size must be between 1 and {MAX_STORIES}, got {args.size}")
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    started = time.perf_counter()
    result: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "benchmark": "suite",
        "command": " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    with corpus_dir(args.corpus) as where:
        log(f"generating {args.size} stories (seed {args.seed}) in {where}")
        gt = generate_corpus(where, args.size, args.seed)
        truth = truth_from_generator(gt)
        files = sorted({f.path.split("#", 1)[0] for f in gt.files})
        paths = [str(where / f) for f in files]
        kinds: dict[str, int] = {}
        for c in gt.copies:
            for d in c.damage:
                kinds[d.kind] = kinds.get(d.kind, 0) + 1
        result["corpus"] = {
            "stories": args.size,
            "seed": args.seed,
            "files": len(files),
            "documents": len(gt.files),
            "copies": len(gt.copies),
            "groups": len(gt.groups),
            "passages": len(truth.items),
            "damage": dict(sorted(kinds.items())),
            "regenerate": f"python -m benchmarks.make_corpus DIR --stories {args.size} --seed {args.seed}",
            "kept_at": str(where) if args.corpus else None,
        }
        corpus_eval, raw = evaluate("corpus", truth, paths, _prefix(where), pin_wire=True)
        result["corpus_eval"] = corpus_eval

        seeds_truth = truth_from_seeds(SEEDS_TRUTH, ROOT)
        seed_paths = sorted(str(ROOT / "seeds" / p.name) for p in (ROOT / "seeds").glob("*.txt"))
        result["seeds"], _ = evaluate("seeds", seeds_truth, seed_paths, _prefix(ROOT), pin_wire=False)

        if not args.no_speed:
            with tempfile.TemporaryDirectory(prefix="dedup-bench-work-") as work:
                result["speed"] = speed(paths, [t for _, t in raw["docs"]], raw["report"], args.repeat, Path(work))
    if args.scale is not None:
        result["scale"] = run_scale(args.scale)
    result["targets"] = targets(result["corpus_eval"])
    result["failures"] = failures(result["corpus_eval"], result["targets"])
    result["elapsed_s"] = round(time.perf_counter() - started, 1)

    text = render(result, markdown=False)
    print(text)
    print(f"\nwhole run: {result['elapsed_s']} s")
    out = out_folder(args.out, "dedup-bench-out-")
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    md = render(result, markdown=True)
    md = f"<!-- {result['command']}; {result['date']}; {result['elapsed_s']} s -->\n" + md
    (out / "latest.md").write_text(md + "\n", encoding="utf-8")
    log(f"wrote {out / 'latest.json'} and {out / 'latest.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
