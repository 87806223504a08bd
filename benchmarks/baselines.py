"""Named baselines, run on the same data as dedup by ``python -m benchmarks``.

* :func:`document_minhash` — near-duplicate detection as text-dedup and datatrove do it: one MinHash per
  *document* (datasketch ``MinHash.bulk`` over the 5-character shingles of its whole text, whitespace removed
  and lower-cased), ``MinHashLSH`` banding at a Jaccard threshold, union-find over the candidate pairs, no
  verification. Each cluster of two or more documents is a group; a group covers every line of its documents.
  It gets the texts as dedup decoded them (text-dedup and datatrove assume UTF-8 and would do worse on the
  GB18030, Big5 and UTF-16 files), but no other normalization: no Traditional-to-Simplified, no pinyin
  stripping, no unwrapping.
* :func:`signing_rates` — MinHash signing speed on the corpus documents: dedup's ``Signer.sign_texts`` from raw
  text (content filter, shingling and signing timed) against rensa ``RMinHash`` and datasketch
  ``MinHash.bulk`` fed the same shingles, built before their clocks start. One core (numba set to one thread).
  :mod:`benchmarks.bench_signing` is the full signing benchmark; this is the same comparison on this corpus.
* :func:`difflib_findings` — what a plain diff tells you: ``difflib.SequenceMatcher`` over the paragraphs of
  the reference and the copy, then over the characters of each replaced block, turned into findings as
  generously as its output allows: a deleted paragraph is ``dropped``, an inserted one ``added``; inside a
  replaced block a reference paragraph that keeps under 30% of its characters is ``dropped``, one spread over
  two copy paragraphs ``split``, a copy paragraph holding two reference paragraphs ``merged``, a paragraph whose
  head or tail (at least a fifth, at least 6 characters) did not survive ``truncated``, and any other character
  edit with a letter or digit in it ``substituted``. Plain diff has no notion of a moved or repeated paragraph
  (it reports a deletion and an insertion) nor of noise (it cannot tell an OCR slip from a word change), so it
  never says ``reordered``, ``duplicated`` or ``garbled``.

The module is also the child process of the speed measurements: ``python -m benchmarks.baselines measure
WHAT LISTING`` runs ``scan`` or ``report`` on the files listed in the JSON file ``LISTING``, or ``minhash`` on
the decoded texts it lists, and prints its wall time and peak resident memory as JSON (one process per
measurement, so the peak belongs to that run alone).
"""

from __future__ import annotations

import difflib
import json
import re
import resource
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported lazily at run time: the measuring child process stays lean (datasketch only)
    from benchmarks.accuracy import Lines, PredFinding

__all__ = [
    "MinHashResult",
    "SigningRate",
    "difflib_findings",
    "document_minhash",
    "signing_rates",
]

NGRAM, NUM_PERM, SEED = 5, 128, 1
_SPACE_RE = re.compile(r"\s+")


# --------------------------------------------------------------------------------------------------------------
# Document-level MinHash LSH
# --------------------------------------------------------------------------------------------------------------


def document_shingles(text: str, n: int = NGRAM) -> set[bytes]:
    """The ``n``-character shingles of a whole document, whitespace removed, lower-cased, as UTF-8 bytes.

    >>> sorted(document_shingles("ab cd\\nef", 5))
    [b'abcde', b'bcdef']
    """
    flat = _SPACE_RE.sub("", text).lower()
    if len(flat) <= n:
        return {flat.encode("utf-8")} if flat else set()
    return {flat[i : i + n].encode("utf-8") for i in range(len(flat) - n + 1)}


class _UnionFind:
    """The baselines' own union-find (not ``dedup.group.components``, which loads numba into the lean child)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(frozen=True, slots=True)
class MinHashResult:
    """Clusters (of document indexes, two or more each) and where the time went."""

    clusters: tuple[tuple[int, ...], ...]
    shingle_s: float
    sign_s: float
    lsh_s: float
    candidates: int

    @property
    def total_s(self) -> float:
        return self.shingle_s + self.sign_s + self.lsh_s


def document_minhash(texts: Sequence[str], threshold: float = 0.5, num_perm: int = NUM_PERM) -> MinHashResult:
    """Cluster whole documents the text-dedup/datatrove way (see the module docstring)."""
    from datasketch import MinHash, MinHashLSH

    tick = time.perf_counter()
    sets = [document_shingles(t) for t in texts]
    shingled = time.perf_counter()
    sketches: list[Any] = MinHash.bulk([list(s) for s in sets], num_perm=num_perm, seed=SEED)
    signed = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for k, m in enumerate(sketches):
        if sets[k]:
            lsh.insert(k, m)
    uf = _UnionFind(len(texts))
    candidates = 0
    for k, m in enumerate(sketches):
        if not sets[k]:
            continue
        for other in lsh.query(m):
            if other != k:
                candidates += 1
                uf.union(k, int(other))
    members: dict[int, list[int]] = defaultdict(list)
    for k in range(len(texts)):
        members[uf.find(k)].append(k)
    clusters = tuple(tuple(v) for _, v in sorted(members.items()) if len(v) > 1)
    done = time.perf_counter()
    return MinHashResult(clusters, shingled - tick, signed - shingled, done - signed, candidates // 2)


# --------------------------------------------------------------------------------------------------------------
# Signing speed
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SigningRate:
    """Median documents per second of one method over ``runs`` timed runs."""

    method: str
    docs_per_s: float
    runs: int
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "docs_per_s": self.docs_per_s, "runs": self.runs, "note": self.note}


def _median_rate(run: Callable[[Any], object], prepare: Callable[[], Any], docs: int, repeat: int) -> float:
    run(prepare())  # warm-up, untimed
    rates = []
    for _ in range(repeat):
        data = prepare()
        tick = time.perf_counter()
        run(data)
        rates.append(docs / max(1e-9, time.perf_counter() - tick))
    return statistics.median(rates)


def signing_rates(texts: Sequence[str], repeat: int = 3) -> list[SigningRate]:
    """Signing speed of dedup, rensa and datasketch on ``texts`` on one core (see the module docstring)."""
    import numba
    import rensa
    from datasketch import MinHash

    from dedup.config import FingerprintConfig
    from dedup.match.fingerprint import Signer, content_codepoints

    def shingle_strings(text: str) -> list[str]:
        flat = content_codepoints(text).tobytes().decode("utf-32-le")
        if len(flat) < NGRAM:
            return [flat] if flat else []
        return [flat[i : i + NGRAM] for i in range(len(flat) - NGRAM + 1)]

    def fresh_strings() -> list[list[str]]:
        return [shingle_strings(t) for t in texts]

    def fresh_bytes() -> list[list[bytes]]:
        return [[s.encode("utf-8") for s in x] for x in fresh_strings()]

    def rensa_update(data: list[list[str]]) -> None:
        for shingles in data:
            m = rensa.RMinHash(NUM_PERM, SEED)
            m.update(shingles)
            m.digest()

    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        signer = Signer(FingerprintConfig(ngram=NGRAM, num_perm=NUM_PERM, seed=SEED))
        docs = len(texts)
        ours = _median_rate(signer.sign_texts, lambda: list(texts), docs, repeat)
        rens = _median_rate(rensa_update, fresh_strings, docs, repeat)
        bulk = _median_rate(
            lambda data: MinHash.bulk(data, num_perm=NUM_PERM, seed=SEED), fresh_bytes, docs, max(1, repeat)
        )
    finally:
        numba.set_num_threads(threads)
    return [
        SigningRate("dedup Signer.sign_texts (raw text: filter, shingle, sign)", ours, repeat),
        SigningRate("rensa RMinHash.update (shingle str given)", rens, repeat),
        SigningRate("datasketch MinHash.bulk (sha1, shingle bytes given)", bulk, repeat),
    ]


# --------------------------------------------------------------------------------------------------------------
# difflib
# --------------------------------------------------------------------------------------------------------------

DROP_BELOW = 0.3  # share of a paragraph's characters that must survive for it not to be "dropped"
LOST_SHARE, LOST_MIN = 0.2, 6  # a lost head or tail must be this share and this many characters
PIECE_MIN = 5  # characters of one paragraph in another that count as "holding" it


def _is_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def difflib_findings(reference: Sequence[str], copy: Sequence[tuple[str, Lines]]) -> list[PredFinding]:
    """Findings of one copy against the reference paragraphs, read off difflib opcodes (see the module doc).

    >>> from benchmarks.accuracy import Lines
    >>> ref = ["第一段文字在这里。", "第二段说的是别的事情。", "第三段结束全文。"]
    >>> copy = [("第一段文字在这里。", Lines("c", 1, 1)), ("第三段结束全文。", Lines("c", 3, 3))]
    >>> [(f.kind, sorted(f.refs)) for f in difflib_findings(ref, copy)]
    [('dropped', [1])]
    """
    from benchmarks.accuracy import PredFinding

    texts = [t for t, _ in copy]
    outer = difflib.SequenceMatcher(None, list(reference), texts, autojunk=False)
    out: list[PredFinding] = []
    for tag, i1, i2, j1, j2 in outer.get_opcodes():
        if tag == "equal":
            continue
        if tag == "delete":
            out += [PredFinding("dropped", frozenset({i}), None) for i in range(i1, i2)]
        elif tag == "insert":
            out += [PredFinding("added", frozenset(), copy[j][1]) for j in range(j1, j2)]
        else:
            out += _replace_block(reference, copy, i1, i2, j1, j2)
    return out


def _replace_block(
    reference: Sequence[str], copy: Sequence[tuple[str, Lines]], i1: int, i2: int, j1: int, j2: int
) -> list[PredFinding]:
    from benchmarks.accuracy import PredFinding

    a_owner = [i for i in range(i1, i2) for _ in reference[i]]
    b_owner = [j for j in range(j1, j2) for _ in copy[j][0]]
    a_text = "".join(reference[i1:i2])
    b_text = "".join(t for t, _ in copy[j1:j2])
    a_start = {i: sum(len(reference[k]) for k in range(i1, i)) for i in range(i1, i2)}
    inner = difflib.SequenceMatcher(None, a_text, b_text, autojunk=False)
    kept: dict[int, dict[int, int]] = {i: defaultdict(int) for i in range(i1, i2)}
    kept_b: dict[int, int] = defaultdict(int)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    edited: dict[int, bool] = defaultdict(bool)
    ops = inner.get_opcodes()
    for tag, a1, a2, b1, _ in ops:
        if tag == "equal":
            for t in range(a2 - a1):
                i, j = a_owner[a1 + t], b_owner[b1 + t]
                kept[i][j] += 1
                kept_b[j] += 1
                first.setdefault(i, a1 + t - a_start[i])
                last[i] = a1 + t - a_start[i]
    for tag, a1, a2, b1, b2 in ops:
        if tag == "equal" or not _is_word(a_text[a1:a2] + b_text[b1:b2]):
            continue
        owners = set(a_owner[a1:a2]) or {a_owner[min(a1, len(a_owner) - 1)]}
        for i in owners:
            at = a1 - a_start[i]
            # an edit strictly inside what survived of the paragraph (not its lost head or tail)
            if i in first and first[i] <= at <= last[i]:
                edited[i] = True
    out: list[PredFinding] = []
    merged_into: dict[int, set[int]] = defaultdict(set)
    for i in range(i1, i2):
        size = max(1, len(reference[i]))
        matched = sum(kept[i].values())
        if matched < DROP_BELOW * size:
            out.append(PredFinding("dropped", frozenset({i}), None))
            continue
        holders = sorted(j for j, n in kept[i].items() if n >= PIECE_MIN)
        main = max(kept[i].items(), key=lambda kv: kv[1])[0]
        for j in holders:
            merged_into[j].add(i)
        if len(holders) > 1:
            out.append(PredFinding("split", frozenset({i}), copy[holders[0]][1]))
        head, tail = first[i], size - 1 - last[i]
        for lost in (head, tail):
            if lost >= LOST_MIN and lost >= LOST_SHARE * size:
                out.append(PredFinding("truncated", frozenset({i}), copy[main][1]))
        if edited[i]:
            out.append(PredFinding("substituted", frozenset({i}), copy[main][1]))
    for j, refs in sorted(merged_into.items()):
        if len(refs) > 1:
            out.append(PredFinding("merged", frozenset(refs), copy[j][1]))
    for j in range(j1, j2):
        if kept_b[j] < DROP_BELOW * max(1, len(copy[j][0])):
            out.append(PredFinding("added", frozenset(), copy[j][1]))
    return out


# --------------------------------------------------------------------------------------------------------------
# Child process: one timed run, peak memory of its own
# --------------------------------------------------------------------------------------------------------------


def _peak_mib() -> tuple[float, float]:
    """Peak resident memory of this process and of its finished children, MiB.

    The process's own peak is ``VmHWM`` from ``/proc/self/status``, which starts afresh at ``exec``;
    ``getrusage`` would report the parent's peak, inherited through ``fork`` (where /proc is missing, that is
    the fallback). Linux reports KiB.
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def measure(what: str, listing: Sequence[str]) -> dict[str, Any]:
    """Time one run of ``what`` in this process: ``scan`` or ``report`` on the paths in ``listing``, or
    ``minhash`` on the texts in ``listing`` (decoded by the parent, so that this process imports neither dedup
    nor numba and its peak memory is the baseline's own; decoding is therefore not in its time)."""
    tick = time.perf_counter()
    if what == "minhash":
        import datasketch  # noqa: F401  (timed as the import)

        imported = time.perf_counter()
        warm = 0.0
        start = time.perf_counter()
        texts = list(listing)
        result = document_minhash(texts)
        wall = time.perf_counter() - start
        extra: dict[str, Any] = {"documents": len(texts), "clusters": len(result.clusters)}
    elif what in ("scan", "report"):
        import dedup

        imported = time.perf_counter()
        paths = list(listing)
        # the first call loads numba's compiled kernels from the cache (or compiles them): timed apart
        dedup.scan(paths[:1])
        warm = time.perf_counter() - imported
        start = time.perf_counter()
        run = dedup.scan if what == "scan" else dedup.report
        groups = len(run(paths).groups)
        wall = time.perf_counter() - start
        extra = {"groups": groups}
    else:
        raise ValueError(f"measure: unknown {what!r}; expected scan, report or minhash")
    own, children = _peak_mib()
    return {
        "what": what,
        "wall_s": wall,
        "import_s": imported - tick,
        "first_call_s": warm,
        "peak_rss_mib": own,
        "children_peak_rss_mib": children,
        **extra,
    }


def _main(argv: Sequence[str]) -> int:
    if len(argv) != 3 or argv[0] != "measure":
        print(
            "usage: python -m benchmarks.baselines measure scan|report|minhash LISTING.json\n"
            "LISTING.json: a JSON list of paths (scan, report) or of decoded texts (minhash)",
            file=sys.stderr,
        )
        return 2
    listing = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
    print(json.dumps(measure(argv[1], listing)))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
