"""A consensus's paragraph breaks and order where the copies disagree: which copies vote on a break the base
lacks (in the paragraph's order, not the copy's; not a copy that lost the text on one side), how a shared
merge is told from two splits that agree by chance, sentence ends that are no stop (an ellipsis, a closing
credit), and a tie on where a paragraph the base moved belongs. Generated from real text."""

from __future__ import annotations

import re
from collections.abc import Callable

from dedup.collate.consensus import _majority_order, build_consensus, collate_consensus, printed_breaks
from dedup.collate.findings import align
from dedup.collate.records import WitnessText
from dedup.collate.sentences import sentences
from dedup.config import CollateConfig

from .corpora import real_paragraphs
from .test_collate import flat_witness, witness

_STOP = re.compile("[。！？]")


def _sentences(text: str) -> int:
    return len(_STOP.findall(text))


def _story(start: int, count: int, fits: Callable[[list[str]], bool] | None = None) -> list[str]:
    """``count`` consecutive real paragraphs from ``start`` on, the first run where ``fits(texts)`` holds."""
    pool = real_paragraphs()
    for at in range(start, len(pool) - count):
        texts = list(pool[at : at + count])
        if fits is None or fits(texts):
            return texts
    raise AssertionError("no run of paragraphs fits")


def _kinds(copies: list[WitnessText], base: int = 0) -> dict[str, list[tuple[str, int | None]]]:
    return {w.witness: sorted((f.kind, f.ref) for f in w.findings) for w in collate_consensus(copies, base).witnesses}


def test_a_copy_that_moved_one_part_of_a_merged_base_paragraph_away_votes_for_the_break() -> None:
    # The base and two copies share a merge of paragraphs 2 and 3; the wire copy prints them apart, and so does
    # a copy that moved paragraph 2 below paragraph 5 (read in its own order, it printed no break between them).
    texts = _story(200, 7, lambda t: _sentences(t[2]) + _sentences(t[3]) >= 4)
    merged = [*texts[:2], texts[2] + texts[3], *texts[4:]]
    moved = [*texts[:2], *texts[3:6], texts[2], texts[6]]
    copies = [witness("base", merged), witness("m0", merged), witness("m1", merged)]
    copies += [witness("wire", texts), witness("moved", moved)]
    paragraphs, reason = build_consensus(copies, 0)
    assert list(paragraphs) == texts and "break" in reason, "two copies print the break the merging three lack"
    kinds = _kinds(copies)
    assert kinds["wire"] == [] and kinds["moved"] == [("reordered", 2)]
    assert all(kinds[name] == [("merged", 2)] for name in ("base", "m0", "m1"))


def test_a_copy_that_lost_the_text_on_one_side_of_a_break_has_no_say_on_it() -> None:
    # Four copies print paragraphs 2 and 3 apart, three merge them; one of the four lost the head of paragraph
    # 3. The break is the story's: counted as printing the two together, that copy would make it a tie of 3 to 4.
    texts = _story(230, 6, lambda t: _sentences(t[2]) + _sentences(t[3]) >= 4 and _sentences(t[3]) >= 2)
    merged = [*texts[:2], texts[2] + texts[3], *texts[4:]]
    head = _STOP.search(texts[3])
    assert head is not None
    cut = [*texts[:3], texts[3][head.end() :], *texts[4:]]
    copies = [witness("base", merged), witness("m0", merged), witness("m1", merged)]
    copies += [witness("wire", texts), witness("c0", texts), witness("c1", texts), witness("cut", cut)]
    base_texts = [p.text for p in copies[0].paragraphs]
    others = [align(base_texts, w.paragraphs) for w in copies[1:]]
    assert printed_breaks(base_texts[2], 2, others, copies[1:], CollateConfig()) == [len(texts[2])]


def test_two_copies_splitting_a_two_sentence_paragraph_alike_do_not_make_it_two() -> None:
    texts = _story(260, 6, lambda t: _sentences(t[3]) == 2 and t[3].endswith("。"))
    stop = _STOP.search(texts[3])
    assert stop is not None
    split = [*texts[:3], texts[3][: stop.end()], texts[3][stop.end() :], *texts[4:]]
    copies = [witness("base", texts), witness("c0", texts), witness("c1", texts)]
    copies += [witness("s0", split), witness("s1", split)]
    paragraphs, _ = build_consensus(copies, 0)
    assert list(paragraphs) == texts, "a paragraph of two sentences splits in one place: agreeing tells nothing"
    kinds = _kinds(copies)
    assert kinds["s0"] == kinds["s1"] == [("split", 3)] and kinds["c0"] == []


def test_one_copy_s_break_in_a_paragraph_of_many_sentences_outweighs_the_base_s_merge_alone() -> None:
    # Three copies: the base merged two paragraphs, one paged copy prints them apart, a flattened page has no say.
    texts = _story(300, 6, lambda t: _sentences(t[2]) + _sentences(t[3]) >= 4)
    merged = [*texts[:2], texts[2] + texts[3], *texts[4:]]
    copies = [witness("base", merged), witness("paged", texts), flat_witness("web", texts)]
    paragraphs, _ = build_consensus(copies, 0)
    assert list(paragraphs) == texts, "a merge falls at one of a story's few breaks, a split at any sentence end"
    assert _kinds(copies) == {"base": [("merged", 2)], "paged": [], "web": []}


def test_a_paragraph_ending_in_an_ellipsis_is_broken_off_where_the_copies_end_it() -> None:
    texts = _story(330, 5)
    texts[1] = texts[1][:-1] + "……"  # a paragraph that trails off
    merged = [texts[0], texts[1] + texts[2], *texts[3:]]
    copies = [witness("base", merged), witness("c0", texts), witness("c1", texts)]
    paragraphs, _ = build_consensus(copies, 0)
    assert list(paragraphs) == texts
    # The merged copy's sentence runs from the ellipsis into the next paragraph no more: merged, not cut.
    assert _kinds(copies)["base"] == [("merged", 1)]
    assert [s.end for s in sentences(["甲乙丙看看……丁戊己。"])] == [7, 11]


def test_a_closing_credit_stays_with_its_paragraph_though_two_copies_print_it_apart() -> None:
    credit = "（新华社记者李学仁摄）"
    texts = _story(360, 5)
    texts[2] += credit
    apart = [*texts[:2], texts[2][: -len(credit)], credit, *texts[3:]]
    copies = [witness("base", texts), witness("c0", texts), witness("a0", apart), witness("a1", apart)]
    paragraphs, _ = build_consensus(copies, 0)
    assert list(paragraphs) == texts, "a credit on a line of its own is a page's layout, which copies share"
    # A credit closes the sentence before it: a headline run on after it is matched as that headline.
    pieces = [(s.start, s.end) for s in sentences(["要求。（肖咸鸣杜文育）子弟兵送医到乡村"])]
    assert pieces == [(0, 11), (11, 19)]


def test_a_paragraph_the_base_moved_goes_back_at_a_tie_where_the_copies_printing_it_elsewhere_agree() -> None:
    # Base order 0 2 3 1 4 5 6; two copies print the story's order, a third moved paragraph 3 above 1 (its
    # longest in-order run keeps 1 where the base has it): two of four say 1 moved, both print it before 2.
    texts = _story(400, 7)
    order = [0, 2, 3, 1, 4, 5, 6]
    base = witness("base", [texts[i] for i in order])
    copies = [
        base,
        witness("c0", texts),
        flat_witness("web", texts),
        witness("c2", [texts[i] for i in (0, 3, 1, 2, 4, 5, 6)]),
    ]
    paragraphs, reason = build_consensus(copies, 0)
    assert list(paragraphs) == texts and "moved" in reason
    # Two copies that moved a paragraph each to a place of its own (a tie, two of four) agree on nothing.
    moved_apart = [
        witness("s0", [texts[i] for i in (0, 2, 3, 4, 1, 5, 6)]),
        witness("s1", [texts[i] for i in (0, 2, 3, 4, 5, 1, 6)]),
    ]
    others = [align(texts, w.paragraphs) for w in [witness("c", texts), *moved_apart]]
    assert _majority_order(len(texts), others) == list(range(len(texts)))
