"""Paragraphs a copy prints, or that were never the story's, not reported ``dropped`` (issue 11: dropped
precision on corpora nobody tuned on). Each case is built here from the project's own People's Daily text:
a page jump below a moved closing paragraph, a flattened page's closing line run into its footer, a byline
glued between a headline and a damaged lead, another article's line above one of two copies."""

from __future__ import annotations

from pathlib import Path

import pytest

import dedup
from dedup.collate.findings import align
from dedup.collate.records import CopyParagraph, WitnessText
from dedup.collate.reference import collate
from dedup.records import Span

from .corpora import real_paragraphs, story


def witness(name: str, texts: list[str]) -> WitnessText:
    paragraphs = tuple(CopyParagraph(f"{name}.txt", 2 * k + 1, 2 * k + 1, t) for k, t in enumerate(texts))
    return WitnessText(name, (Span(f"{name}.txt", 1, 2 * len(texts)),), paragraphs)


def flat_witness(name: str, texts: list[str]) -> WitnessText:
    """A scraped page: every paragraph of ``texts`` glued on line 1 (a flattened line, as collation reads it)."""
    line = "".join(texts)
    return WitnessText(name, (Span(f"{name}.txt", 1, 1),), (CopyParagraph(f"{name}.txt", 1, 1, line, flat=True),))


def dropped(ref: list[str], copy: WitnessText) -> list[int]:
    return [f.ref for f in align(ref, copy.paragraphs).findings if f.kind == "dropped" and f.ref is not None]


@pytest.mark.parametrize("number", [5, 15, 25])
def test_a_closing_title_like_line_after_a_flattened_copy_is_not_dropped(number: int) -> None:
    """A flattened page runs the story's closing line without a sentence end into its footer, where the
    scan leaves it: the flat copy's passage ends before it. Whether it printed the line cannot be told."""
    texts = [*story(number, 5), "明天气象预报（１月９日２０时—１０日２０时）"]
    assert dropped(texts, flat_witness("web", texts[:-1])) == []
    assert dropped(texts, witness("paged", texts[:-1])) == [5], "a paged copy prints its lines apart: a drop"
    longer = [*story(number, 5), story(number + 40, 1)[0]]
    assert dropped(longer, flat_witness("web", longer[:-1])) == [5], "a closing paragraph of prose is a drop"


@pytest.mark.parametrize("start", [150, 450, 750])
def test_a_byline_glued_between_a_headline_and_a_damaged_lead_on_a_flat_line_is_not_dropped(start: int) -> None:
    """Aligned on the flattened line, the headline's portion takes the byline and the lead's garbled head
    in as text glued on: no portion renders the byline, though the line prints it right after the headline."""
    headline, byline = "贡献在天涯——访华南热带农业大学校长余让水", "陈忠"
    body = list(real_paragraphs()[start : start + 4])
    garbled = body[0][:30] + "涓?镄勪互鐑?甯︿綔" + body[0][40:]
    texts = [headline, byline, *body]
    copy = flat_witness("web", [headline, byline, garbled, *body[1:]])
    assert dropped(texts, copy) == []
    without = flat_witness("web", [headline, garbled, *body[1:]])
    assert dropped(texts, without) == [1], "a line without the byline dropped it"


@pytest.mark.parametrize("number", [6, 16, 26])
def test_a_byline_glued_to_the_head_of_a_paragraph_is_not_dropped(number: int) -> None:
    """A copy moved its last paragraph up under the byline, and unwrapping glued the byline (no sentence
    end) to it: the byline stands at the head of a copy paragraph, before what that paragraph renders."""
    headline, byline, texts = "泰人助泰共渡时艰", "本报驻泰国记者成元生", story(number, 5)
    copy = witness("page", [headline, byline + texts[-1], *texts[:-1]])
    ref = [headline, byline, *texts]
    found = [(f.kind, f.ref) for f in align(ref, copy.paragraphs).findings if f.kind in ("dropped", "reordered")]
    assert ("dropped", 1) not in found
    assert dropped(ref, witness("page", [headline, texts[-1], *texts[:-1]])) == [1], "without it, a drop"


@pytest.mark.parametrize("number", [4, 14, 24])
def test_another_article_s_line_above_one_of_two_copies_is_not_a_drop_of_the_other(number: int) -> None:
    """Of two copies, the reference's passage took in a line above the story that has nothing of it (a
    editor's note closing the page before): the other copy did not drop it. A heading of the story itself
    that the other copy lacks still is a drop."""
    headline, texts = "扬长避短抓软件切记务实莫务虚", story(number, 5)
    foreign = "再次祝愿各位新春愉快！（编者）"
    ref, other = witness("page", [foreign, headline, *texts]), witness("web", [headline, *texts])
    result = collate([ref, other], 0)
    assert [f.kind for f in result.witnesses[1].findings if f.kind == "dropped"] == []
    kicker = texts[0][:12]  # a line of the story's own words above its headline
    ref = witness("page", [kicker, headline, *texts])
    result = collate([ref, other], 0)
    assert [(f.kind, f.ref) for f in result.witnesses[1].findings if f.kind == "dropped"] == [("dropped", 0)]


def test_a_jump_below_a_moved_closing_paragraph_is_stitched_to_its_continuation(tmp_path: Path) -> None:
    """A copy moved its last paragraph, closing dateline and all, up before a page jump; the short line
    that carries the ``下转`` marker is too short to match. The passage still ends at the marker, and the
    continuation on the other page (``上接``) is stitched to it: one witness, no paragraph dropped."""
    body = story(33, 6)
    closing = story(34, 1)[0].rstrip("。") + "。（本报莫斯科１月６日电）"
    short = "事实上，俄已开始采取行动。"
    headline = "独联体生存还是灭亡"
    whole = [headline, body[0], short, *body[1:], closing]
    for name in ("wire", "copy"):
        (tmp_path / f"{name}.txt").write_text("\n\n".join(whole) + "\n", encoding="utf-8")
    next_article = ["伊拉克危机新动向", "本报驻叙利亚记者吴文斌", *story(52, 3)]
    (tmp_path / "page2.txt").write_text(
        "\n\n".join([headline, body[0], closing, short + "（下转第13版）", *next_article]) + "\n", encoding="utf-8"
    )
    (tmp_path / "page13.txt").write_text(
        "\n\n".join(["（上接2版）" + body[1], *body[2:], *story(53, 3)]) + "\n", encoding="utf-8"
    )
    report = dedup.report([str(tmp_path)], dedup.Config())
    (group,) = [g for g in report.groups if len(g.group.witnesses) >= 3]
    jumped = [w for w in group.group.witnesses if any("page" in s.path for s in w.segments)]
    assert len(jumped) == 1, "the two halves are one witness"
    assert [Path(s.path).name for s in jumped[0].segments] == ["page2.txt", "page13.txt"]
    findings = next(w for w in group.collation.witnesses if w.witness == jumped[0].id).findings
    assert [f.ref for f in findings if f.kind == "dropped"] == []
