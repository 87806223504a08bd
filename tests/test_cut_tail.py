"""A copy whose last paragraph is too damaged to match (issue 11: the tail reported ``dropped``). Run through
the real stages on files on disk, from the project's own People's Daily text."""

from __future__ import annotations

from pathlib import Path

from .corpora import story, witness_ends, write_paragraphs


def test_a_last_paragraph_cut_after_its_first_words_stays_in_the_copy(tmp_path: Path) -> None:
    """A web copy prints the story's last paragraph cut after its first words, too short to match anything,
    and then the site's breadcrumb. The copy's witness still ends at the cut paragraph (so that collation
    says ``truncated``, not ``dropped``), and not at the breadcrumb, which other pages repeat."""
    body = story(33, 6)
    breadcrumb = "首页　>　时政频道　>　正文"
    write_paragraphs(tmp_path / "wire.txt", body)
    write_paragraphs(tmp_path / "other.txt", body)
    write_paragraphs(tmp_path / "cut.txt", [*body[:-1], body[-1][:12], breadcrumb])
    for n, filler in enumerate((54, 56, 58)):
        write_paragraphs(tmp_path / f"page{n}.txt", [*story(filler, 3), breadcrumb])
    ends = witness_ends(tmp_path)
    assert ends["cut.txt"] == 2 * len(body) - 1


def test_the_next_article_s_unmatched_headline_is_not_taken_in(tmp_path: Path) -> None:
    """After the copy's last matched paragraph comes another story, printed nowhere else, under its headline:
    the witness stops before that headline and byline."""
    body = story(34, 5)
    write_paragraphs(tmp_path / "wire.txt", body)
    write_paragraphs(tmp_path / "other.txt", body)
    write_paragraphs(tmp_path / "page.txt", [*body, "农民乐队新年为群众义演", "本报记者　王小明", *story(60, 2)])
    ends = witness_ends(tmp_path)
    assert ends["page.txt"] == 2 * len(body) - 1


def test_a_story_printed_nowhere_else_after_the_copy_is_not_taken_in(tmp_path: Path) -> None:
    """After the copy's last matched paragraph the page runs on with a story printed nowhere else, without a
    headline: more than a copy's damaged tail could be, so none of it is taken in."""
    body = story(35, 5)
    write_paragraphs(tmp_path / "wire.txt", body)
    write_paragraphs(tmp_path / "other.txt", body)
    write_paragraphs(tmp_path / "page.txt", [*body, *story(62, 5)])
    ends = witness_ends(tmp_path)
    assert ends["page.txt"] == 2 * len(body) - 1


def test_a_paragraph_only_one_copy_adds_at_its_end_is_not_taken_in(tmp_path: Path) -> None:
    """A copy ends with a paragraph of its own, printed in no other copy. Every other copy ends where it stops
    matching, so the paragraph is an addition, not a damaged print of the story's end: the witness stops
    before it (taken in, it made that copy look the most complete, and a two-copy group took it as the
    reference and laid its additions on the other copy)."""
    body = story(36, 5)
    write_paragraphs(tmp_path / "wire.txt", body)
    write_paragraphs(tmp_path / "other.txt", body)
    write_paragraphs(tmp_path / "added.txt", [*body, story(61, 1)[0]])
    ends = witness_ends(tmp_path)
    assert ends["added.txt"] == 2 * len(body) - 1


def test_a_cut_last_paragraph_before_the_next_article_s_headline_is_taken_in(tmp_path: Path) -> None:
    """The copy's last paragraph is cut at a comma, too short to match, and the page goes on with another
    story printed nowhere else, under its headline and byline. The headline marks where the copy ends: the
    cut paragraph is its tail (collation says ``truncated``), the next article is left out."""
    body = story(37, 5)
    cut = body[-1][: body[-1].index("，") + 1]
    write_paragraphs(tmp_path / "wire.txt", body)
    write_paragraphs(tmp_path / "other.txt", body)
    write_paragraphs(
        tmp_path / "page.txt", [*body[:-1], cut, "农民乐队新年为群众义演", "本报记者　王小明", *story(60, 2)]
    )
    ends = witness_ends(tmp_path)
    assert ends["page.txt"] == 2 * len(body) - 1


def test_a_closing_line_that_reads_as_a_title_is_taken_in_where_other_copies_print_it(tmp_path: Path) -> None:
    """The story closes with a short line without a sentence end, which reads as a title, and one page goes
    on with the next article. The other copies print the line word for word at the story's end: it is the
    story's, and the page's witness ends with it, not before it."""
    body = [*story(38, 5), "饭桌上谁先动筷子——孩子还是老人"]
    write_paragraphs(tmp_path / "wire.txt", body)
    write_paragraphs(tmp_path / "other.txt", body)
    write_paragraphs(tmp_path / "page.txt", [*body, "农民乐队新年为群众义演", "本报记者　王小明", *story(60, 2)])
    ends = witness_ends(tmp_path)
    assert ends == {"wire.txt": 2 * len(body) - 1, "other.txt": 2 * len(body) - 1, "page.txt": 2 * len(body) - 1}
