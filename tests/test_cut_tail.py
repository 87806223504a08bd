"""A copy whose last paragraph is too damaged to match (issue 11: the tail reported ``dropped``). Run through
the real stages on files on disk, from the project's own People's Daily text."""

from __future__ import annotations

from pathlib import Path

import dedup

from .corpora import story


def _write(path: Path, paragraphs: list[str]) -> None:
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def test_a_last_paragraph_cut_after_its_first_words_stays_in_the_copy(tmp_path: Path) -> None:
    """A web copy prints the story's last paragraph cut after its first words, too short to match anything,
    and then the site's breadcrumb. The copy's witness still ends at the cut paragraph (so that collation
    says ``truncated``, not ``dropped``), and not at the breadcrumb, which other pages repeat."""
    body = story(33, 6)
    breadcrumb = "首页　>　时政频道　>　正文"
    _write(tmp_path / "wire.txt", body)
    _write(tmp_path / "other.txt", body)
    _write(tmp_path / "cut.txt", [*body[:-1], body[-1][:12], breadcrumb])
    for n, filler in enumerate((54, 56, 58)):
        _write(tmp_path / f"page{n}.txt", [*story(filler, 3), breadcrumb])
    result = dedup.scan([str(tmp_path)], dedup.Config())
    (group,) = result.groups
    ends = {Path(s.path).name: s.end_line for w in group.witnesses for s in w.segments}
    assert ends["cut.txt"] == 2 * len(body) - 1


def test_the_next_article_s_unmatched_headline_is_not_taken_in(tmp_path: Path) -> None:
    """After the copy's last matched paragraph comes another story, printed nowhere else, under its headline:
    the witness stops before that headline and byline."""
    body = story(34, 5)
    _write(tmp_path / "wire.txt", body)
    _write(tmp_path / "other.txt", body)
    _write(tmp_path / "page.txt", [*body, "农民乐队新年为群众义演", "本报记者　王小明", *story(60, 2)])
    result = dedup.scan([str(tmp_path)], dedup.Config())
    (group,) = result.groups
    ends = {Path(s.path).name: s.end_line for w in group.witnesses for s in w.segments}
    assert ends["page.txt"] == 2 * len(body) - 1


def test_a_story_printed_nowhere_else_after_the_copy_is_not_taken_in(tmp_path: Path) -> None:
    """After the copy's last matched paragraph the page runs on with a story printed nowhere else, without a
    headline: more than a copy's damaged tail could be, so none of it is taken in."""
    body = story(35, 5)
    _write(tmp_path / "wire.txt", body)
    _write(tmp_path / "other.txt", body)
    _write(tmp_path / "page.txt", [*body, *story(62, 5)])
    result = dedup.scan([str(tmp_path)], dedup.Config())
    (group,) = result.groups
    ends = {Path(s.path).name: s.end_line for w in group.witnesses for s in w.segments}
    assert ends["page.txt"] == 2 * len(body) - 1
