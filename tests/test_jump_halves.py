"""The two halves of a copy cut by a page jump, seen from a whole copy (issue 11: short jump halves not
grouped). Run through the real stages on files on disk, from the project's own People's Daily text."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

import dedup
from dedup.group.boilerplate import boilerplate
from dedup.segment import split_sentences

from .corpora import story


def _headline(number: int) -> str:
    """A headline-like line: the head of a real paragraph, without punctuation (no sentence end)."""
    return re.sub(r"[^\w]", "", story(number, 1)[0])[:24]


def test_a_headline_on_the_jumping_page_and_the_body_on_the_next_stay_one_copy(tmp_path: Path) -> None:
    """A paper prints a story's headline at the foot of page 1 (``下转第8版``) and its body on page 8
    (``上接1版``). The whole copy's headline is matched only by page 1 and its body only by page 8: the
    partners change across the headline, which elsewhere starts the next article, but here they are the two
    halves of one printed copy, so the whole copy stays one passage and all three make one group."""
    headline, subtitle = _headline(61), "及早举行两岸政治谈判"
    body = story(30, 5)
    lead = "本报北京1月26日讯记者吴亚明报道：" + body[0]
    (tmp_path / "wire.txt").write_text("\n\n".join([headline, subtitle, lead, *body[1:]]) + "\n", encoding="utf-8")
    before = story(50, 3)
    (tmp_path / "page1.txt").write_text(
        "\n\n".join([*before, headline, subtitle + "（下转第8版）"]) + "\n", encoding="utf-8"
    )
    after = story(51, 3)
    (tmp_path / "page8.txt").write_text("\n\n".join(["（上接1版）" + lead, *body[1:], *after]) + "\n", encoding="utf-8")
    result = dedup.scan([str(tmp_path)], dedup.Config())
    (group,) = result.groups
    spans = sorted((Path(s.path).name, s.start_line) for w in group.witnesses for s in w.segments)
    assert spans == [("page1.txt", 7), ("page8.txt", 1), ("wire.txt", 1)]
    assert len(group.witnesses) == 2


def test_a_whole_copy_matched_by_a_jump_half_before_and_another_copy_after_stays_one(tmp_path: Path) -> None:
    """The whole copy's first half is matched only by a page that jumps (its continuation too short to
    match), its second half only by a copy that dropped the first: the partners change with nothing between,
    which elsewhere is two stories glued on one page, but a jump half prints part of a copy by nature."""
    body = story(32, 6)
    (tmp_path / "wire.txt").write_text("\n\n".join(body) + "\n", encoding="utf-8")
    (tmp_path / "page1.txt").write_text(
        "\n\n".join([*story(52, 3), *body[:2], body[2] + "（下转第8版）"]) + "\n", encoding="utf-8"
    )
    (tmp_path / "page8.txt").write_text(
        "\n\n".join(["（上接1版）" + body[3][:8], *story(53, 3)]) + "\n", encoding="utf-8"
    )
    (tmp_path / "excerpt.txt").write_text("\n\n".join(body[3:]) + "\n", encoding="utf-8")
    result = dedup.scan([str(tmp_path)], dedup.Config())
    (group,) = result.groups
    assert {Path(s.path).name for w in group.witnesses for s in w.segments} >= {"wire.txt", "page1.txt", "excerpt.txt"}


def test_a_headline_printed_on_two_jumping_pages_and_a_whole_copy_is_the_story_s(tmp_path: Path) -> None:
    """Two papers print the story's headline and the first sentence of its lead at the foot of a page and
    jump (``下转``); with the whole copy that makes a headline in three documents with little beside it,
    which by size reads as a masthead. But the lead under it is matched in those documents, where a masthead
    stands above a different story on every page: the headline is the story's and the jump pages' witnesses
    begin at it."""
    headline = _headline(62)
    body = story(42, 5)
    lead_first, *rest = split_sentences(body[0])
    lead_rest = "".join(rest)
    (tmp_path / "wire.txt").write_text("\n\n".join([headline, *body]) + "\n", encoding="utf-8")
    for paper, (filler, page) in {"a": (54, 8), "b": (56, 5)}.items():
        (tmp_path / f"{paper}1.txt").write_text(
            "\n\n".join([*story(filler, 3), headline, f"{lead_first}（下转第{page}版）"]) + "\n", encoding="utf-8"
        )
        (tmp_path / f"{paper}{page}.txt").write_text(
            "\n\n".join([f"（上接1版）{lead_rest}", *body[1:], *story(filler + 1, 2)]) + "\n", encoding="utf-8"
        )
    result = dedup.scan([str(tmp_path)], dedup.Config())
    (group,) = result.groups
    starts = {Path(s.path).name: s.start_line for w in group.witnesses for s in w.segments}
    assert starts == {"wire.txt": 1, "a1.txt": 7, "a8.txt": 1, "b1.txt": 7, "b5.txt": 1}


def test_a_family_with_a_jump_marked_line_is_no_boilerplate() -> None:
    """Three papers open a continuation page with the same rest of a sentence under an ``上接`` marker, and
    little else of the story beside it: a family in three documents with little company, which by size reads
    as a footer (seed 6: the continuation's passage began below it and was not stitched to the page that
    jumped). The marker on one of its lines makes it a story's."""
    doc_of = np.repeat(np.arange(3, dtype=np.int64), 2)  # three documents of two paragraphs each
    length_of = np.full(6, 100, dtype=np.int64)
    a, b = np.array([0, 2], dtype=np.int64), np.array([2, 4], dtype=np.int64)  # paragraphs 0, 2, 4: one family
    config = dedup.Config().group
    assert boilerplate(a, b, doc_of, length_of, config).tolist() == [0, 2, 4]
    assert boilerplate(a, b, doc_of, length_of, config, jump_line=lambda p: p == 2).tolist() == []
