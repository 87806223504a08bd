"""Where a copy's passage begins and ends, and which jumped half goes with which: a page-jump head keeps its
headline, a short closing sentence stays with the story above the next headline, a closing line that reads
as a title is the story's where another copy prints it after the story too, and two jumped copies keep
their own continuations. Each left a paragraph the copy prints outside its witness, reported dropped
(corpus seeds 5 and 6). Run through the real stages on files on disk, from the project's own People's Daily
text."""

from __future__ import annotations

import re
from pathlib import Path

import dedup
from dedup.results import Group

from .corpora import story


def _title(number: int, size: int) -> str:
    """A title: the head of a real paragraph, without punctuation (no sentence end)."""
    return re.sub(r"[^\w]", "", story(number, 1)[0])[:size]


def _write(tmp_path: Path, name: str, paragraphs: list[str]) -> None:
    (tmp_path / name).write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def _segments(group: Group) -> dict[str, list[tuple[str, int, int]]]:
    """Each witness's segments, by the file of its first one."""
    out: dict[str, list[tuple[str, int, int]]] = {}
    for w in group.witnesses:
        spans = [(Path(s.path).name, s.start_line, s.end_line) for s in w.segments]
        out[spans[0][0]] = spans
    return out


def test_a_jumped_head_keeps_its_headline_that_copies_printing_only_the_rest_print_too(tmp_path: Path) -> None:
    """Page 1 prints the headline and the lead, then ``下转第8版``. Only the wire prints that lead; two more
    copies dropped it but print the headline: counted as pages beyond the head's partners, they made the
    headline a line every page repeats, and the head began at its lead."""
    headline = _title(71, 12)
    body = story(33, 6)
    _write(tmp_path, "wire.txt", [headline, *body])
    _write(tmp_path, "copy1.txt", [headline, *body[1:]])
    _write(tmp_path, "copy2.txt", [headline, *body[1:5]])
    _write(tmp_path, "page1.txt", [*story(55, 3), headline, body[0] + "（下转第8版）"])
    _write(tmp_path, "page8.txt", ["（上接1版）" + body[1], *body[2:], *story(57, 3)])
    result = dedup.scan([str(tmp_path)], dedup.Config())
    (group,) = result.groups
    assert _segments(group)["page1.txt"][0][1] == 7  # the headline's line, above the lead's (9)


def test_a_jumped_head_keeps_its_headline_above_its_byline(tmp_path: Path) -> None:
    """The same with a byline between the headline and the lead: the headline no longer stands right above
    the lead, but as many of the documents that print it print the lead too as not."""
    headline, byline = _title(77, 10), "本报记者王南"
    body = story(38, 6)
    _write(tmp_path, "wire.txt", [headline, byline, *body])
    _write(tmp_path, "copy1.txt", [headline, byline, *body])
    _write(tmp_path, "copy2.txt", [headline, *body[1:]])
    _write(tmp_path, "copy3.txt", [headline, *body[1:5]])
    _write(tmp_path, "page1.txt", [*story(67, 3), headline, byline, body[0] + "（下转第8版）"])
    _write(tmp_path, "page8.txt", ["（上接1版）" + body[1], *body[2:], _title(78, 12), *story(69, 3)])
    result = dedup.scan([str(tmp_path)], dedup.Config())
    (group,) = result.groups
    assert _segments(group)["page1.txt"][0][1] == 7  # the headline's line, over the byline (9) and lead (11)


def test_a_short_closing_sentence_above_the_next_headline_stays_with_its_story(tmp_path: Path) -> None:
    """A page prints story A, its short closing sentence (too short to be matched), then story B under a
    headline long enough to be matched: the sentence, no title, is A's last paragraph, not B's heading."""
    a, b = story(34, 4), story(35, 4)
    closing = "据介绍，目前我国还有近6000万贫困人口。"
    b_headline = _title(72, 24)
    _write(tmp_path, "a.txt", [*a, closing])
    _write(tmp_path, "b.txt", [b_headline, *b])
    _write(tmp_path, "page.txt", [*a, closing, b_headline, *b])
    result = dedup.scan([str(tmp_path)], dedup.Config())
    groups = {Path(g.witnesses[0].segments[0].path).name: g for g in result.groups}
    assert _segments(groups["a.txt"])["page.txt"] == [("page.txt", 1, 9)]
    assert _segments(groups["b.txt"])["page.txt"] == [("page.txt", 11, 19)]


def test_a_closing_title_like_line_printed_after_the_story_in_another_copy_too_is_taken_in(tmp_path: Path) -> None:
    """Both copies end the story with a short line that reads as a title (``中华文明的“纸上博物馆”``); one
    prints the next article after it. Seen from the other, the story's last matched paragraph is followed by
    a headline over more text, so nothing was taken in after it, though both print the line."""
    body = story(36, 5)
    closing = "中华文明的纸上博物馆"
    _write(tmp_path, "page.txt", [*body, closing, _title(73, 12), *story(58, 3)])
    _write(tmp_path, "web.txt", [*body, closing])
    result = dedup.scan([str(tmp_path)], dedup.Config())
    (group,) = [g for g in result.groups if "web.txt" in _segments(g)]
    assert _segments(group)["web.txt"] == [("web.txt", 1, 11)]


def test_two_jumped_copies_keep_their_own_continuations(tmp_path: Path) -> None:
    """Copy X moved a paragraph onto its continuation page, after its head's last; copy Y's continuation holds
    the story's last paragraph only. On the base copy's order X's head ends last and Y's early, so Y's head
    looked closest to X's continuation, and taken first that pairing left Y's continuation to X."""
    headline = _title(74, 12)
    body = story(37, 6)
    _write(tmp_path, "wire.txt", [headline, *body])
    _write(tmp_path, "x1.txt", [*story(59, 2), headline, *body[:4], body[5] + "（下转第8版）"])
    _write(tmp_path, "x8.txt", ["（上接1版）" + body[4], _title(75, 12), *story(61, 2)])
    _write(tmp_path, "y1.txt", [*story(63, 2), headline, *body[:2], body[2] + "（下转第5版）"])
    _write(tmp_path, "y5.txt", ["（上接1版）" + body[5], _title(76, 12), *story(65, 2)])
    result = dedup.scan([str(tmp_path)], dedup.Config())
    group = next(g for g in result.groups if len(g.witnesses) >= 3)
    witnesses = _segments(group)
    assert [s[0] for s in witnesses["x1.txt"]] == ["x1.txt", "x8.txt"]
    assert [s[0] for s in witnesses["y1.txt"]] == ["y1.txt", "y5.txt"]


def test_a_site_breadcrumb_right_above_the_lead_is_no_headline_though_a_partner_prints_it(tmp_path: Path) -> None:
    """A site prints its breadcrumb over every article, right above the lead. Two copies of one story on
    that site both print it, so a partner prints the line too; but it stands on far more pages than the story
    has copies: page furniture, left out of the witness (it had joined the story's group as its headline)."""
    crumb = "首页>时政频道>正文"
    body = story(40, 5)
    for n in range(8):
        _write(tmp_path, f"site{n}.txt", [crumb, *story(10 + n, 4)])
    _write(tmp_path, "site_x.txt", [crumb, *body])
    _write(tmp_path, "site_y.txt", [crumb, *body])
    _write(tmp_path, "wire.txt", body)
    result = dedup.scan([str(tmp_path)], dedup.Config())
    (group,) = [g for g in result.groups if "wire.txt" in _segments(g)]
    segments = _segments(group)
    assert segments["site_x.txt"][0][1] == 3 and segments["site_y.txt"][0][1] == 3  # the lead's line, not 1
