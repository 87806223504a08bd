"""Every normalization and segmentation step is linear in its input, on the inputs that made them stall.

Issue 18: 40,000 ``&amp;`` took 36 s, 20,000 nested ``<div>`` 67 s, 16,000 page-jump markers 35 s. Each case
here builds an adversarial input at two sizes, ``n`` and ``4n``, and runs it through a real stage (load's
decoding, or normalize and segment). The best of a few timings must grow by less than 8x: a linear step grows
by about 4x, a quadratic one by 16x. Only the ratio is asserted, never a time, so a slow machine cannot fail
it; ``n`` is first raised until one run takes long enough (about 20 ms) for its timing to mean something.
Time is this process's CPU time, not the wall clock: on a shared machine other jobs stretch the wall clock of
one run and not the next, which made the ratio of wall times flaky under load.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from dedup.config import NormalizeConfig
from dedup.ingest.load import DecodeError, decode
from dedup.normalize import ends_sentence, normalize
from dedup.records import Document
from dedup.segment import segment

NEWS = "新华社北京8月22日电 疾风知劲草，烈火见真金。面对打赢脱贫攻坚战的大考，各级干部勇于担当、主动作为。"
#: One line of an OCR page, 20 characters wide.
OCR_LINE = "各级干部勇于担当主动作为面对打赢脱贫攻"

Make = Callable[[int], str]


def prepared(fmt: str, config: NormalizeConfig | None = None) -> Callable[[str], object]:
    """Normalize and segment a text given in ``fmt``: the per-document work before fingerprinting."""

    def run(text: str) -> object:
        return segment(normalize(Document("flood", text, "utf-8", fmt), config))

    return run


def decoded(text: str) -> object:
    """Decode the text's bytes as load does; binary content is refused with a reason."""
    try:
        return decode(text.encode("latin-1"))
    except DecodeError as exc:
        return str(exc)


# name -> (input of size n, the stage it goes through, the starting n)
CASES: dict[str, tuple[Make, Callable[[str], object], int]] = {
    "entity flood": (lambda n: "<p>" + "&amp;" * n + "</p>", prepared("html"), 2000),
    "nested tags": (lambda n: "<div>" * n + NEWS + "</div>" * n, prepared("html"), 1000),
    "unclosed comments and scripts": (lambda n: "<p>新华社</p>" + "<!--<script>" * n, prepared("html"), 2000),
    "unclosed heading tags": (lambda n: "<p>新华社</p><p>" + "<h1 " * n, prepared("html"), 2000),
    "marker flood, a line each": (lambda n: f"{NEWS}（下转第3版）\n" * n, prepared("text"), 300),
    "marker flood, one line": (lambda n: f"{NEWS}（上接1版）" * n, prepared("text"), 300),
    "one huge line": (lambda n: NEWS * n, prepared("text"), 1000),
    "hard-wrapped page": (lambda n: f"{OCR_LINE}\n" * n, prepared("text"), 1000),
    "wrapped page of short blocks": (lambda n: f"{OCR_LINE}\n{OCR_LINE}\n{OCR_LINE}\n\n" * n, prepared("text"), 300),
    "paragraphs cut mid-word": (lambda n: ("疾风知劲草，烈火见真金。" * 4 + "面对突\n") * n, prepared("text"), 300),
    "pinyin flood": (lambda n: "召開(kāi)十二屆(jiè)" * n, prepared("text"), 2000),
    "garbled flood": (lambda n: "新华社?shù)母刹縼\n" * n, prepared("text"), 1000),
    "markdown bracket flood": (lambda n: "[" * n + "](x)", prepared("markdown"), 4000),
    "markdown image flood": (lambda n: "![" * n + "]", prepared("markdown"), 4000),
    "markdown link flood": (lambda n: "[新华社](" * n, prepared("markdown"), 2000),
    "traditional text, no unwrapping": (
        lambda n: "湖北省委召開十二屆十次全會。\n" * n,
        prepared("text", NormalizeConfig(unwrap=False)),
        1000,
    ),
    "NUL bytes": (lambda n: "\0" * (4096 * n), decoded, 64),
    "closing marks after a line": (lambda n: "新华社电" + "”）" * n, ends_sentence, 4000),
}


def best_time(run: Callable[[str], object], text: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        run(text)
        best = min(best, time.process_time() - start)
    return best


def growth(make: Make, run: Callable[[str], object], n: int, repeats: int) -> tuple[int, float]:
    """The size used and how many times longer 4x that size takes (best of ``repeats`` at each size)."""
    while best_time(run, make(n), 1) < 0.02 and n < 1 << 20:
        n *= 2
    small = best_time(run, make(n), repeats)
    large = best_time(run, make(4 * n), repeats)
    return n, large / small


@pytest.mark.parametrize("name", list(CASES))
def test_time_grows_linearly_with_adversarial_input(name: str) -> None:
    make, run, n = CASES[name]
    n, ratio = growth(make, run, n, repeats=3)
    if ratio >= 8:  # a busy machine can spoil one measurement: measure once more, more carefully
        n, ratio = growth(make, run, n, repeats=5)
    assert ratio < 8, f"{name}: 4x the input ({4 * n} units) took {ratio:.1f}x the time"


def test_a_quadratic_step_would_fail_this_check() -> None:
    """The check can fail: a step comparing every item with every earlier one grows by about 16x."""

    def quadratic(text: str) -> object:
        seen: list[str] = []
        return sum(1 for ch in text if ch in seen or seen.append(ch) is None)

    _, ratio = growth(lambda n: "".join(chr(0x4E00 + k) for k in range(n)), quadratic, 200, repeats=3)
    assert ratio >= 8
