"""A copy that prints its last paragraph's closing piece (a credit line, a last clause) as a line of its own:
too short to be sketched, the piece matches nothing, and every other copy ends where the paragraph does. The
piece is the story's where it makes up exactly what the other copies' paragraph holds beyond the copy's
matched text; else (a copy that cut its paragraph, then the next article) it is not. Run through the real
stages on files on disk, from the project's own People's Daily text."""

from __future__ import annotations

import re
from pathlib import Path

from .corpora import story, witness_ends, write_paragraphs

_HEADLINE_WORDS = "春节前夕农民乐队为群众义演受到欢迎"


def _content_length(text: str) -> int:
    """Letters and digits, what grouping counts."""
    return len(re.sub(r"[\W_]+", "", text))


def test_a_credit_line_printed_on_its_own_stays_with_its_story(tmp_path: Path) -> None:
    """The other copies close the last paragraph with the photographer's credit; one page prints the credit
    as a line of its own, then the next article under its headline and byline. The page's witness ends
    with the credit (collation says ``split``, not ``truncated``), before the next article."""
    body = story(39, 5)
    credit = "（新华社记者王小明摄）"
    whole = [*body[:-1], body[-1] + credit]
    write_paragraphs(tmp_path / "wire.txt", whole)
    write_paragraphs(tmp_path / "other.txt", whole)
    write_paragraphs(
        tmp_path / "page.txt", [*body, credit, "农民乐队新年为群众义演", "本报记者　李小红", *story(60, 2)]
    )
    ends = witness_ends(tmp_path)
    assert ends["page.txt"] == 2 * (len(body) + 1) - 1


def test_a_last_clause_printed_on_its_own_stays_with_its_story(tmp_path: Path) -> None:
    """The copy breaks its last paragraph before the closing clause, short as a headline, and the page ends
    there: the clause is the end of the story's paragraph, in the witness."""
    body = story(43, 5)
    cut = body[-1].rindex("，") + 1
    piece = body[-1][cut:]
    assert _content_length(piece) < 12, "the clause must be too short to be sketched"
    write_paragraphs(tmp_path / "wire.txt", body)
    write_paragraphs(tmp_path / "other.txt", body)
    write_paragraphs(tmp_path / "page.txt", [*body[:-1], body[-1][:cut], piece])
    ends = witness_ends(tmp_path)
    assert ends["page.txt"] == 2 * (len(body) + 1) - 1


def test_the_next_article_s_headline_of_the_cut_rest_s_length_is_not_taken_in(tmp_path: Path) -> None:
    """The copy cuts its last paragraph before the closing clause, and the next article's headline, over a
    byline, happens to have as many characters as the lost clause: the headline opens an article and stays
    out of the witness."""
    body = story(43, 5)
    cut = body[-1].rindex("，") + 1
    headline = _HEADLINE_WORDS[: _content_length(body[-1][cut:])]
    write_paragraphs(tmp_path / "wire.txt", body)
    write_paragraphs(tmp_path / "other.txt", body)
    write_paragraphs(tmp_path / "page.txt", [*body[:-1], body[-1][:cut], headline, "本报记者　李小红", *story(60, 2)])
    ends = witness_ends(tmp_path)
    assert ends["page.txt"] == 2 * len(body) - 1
