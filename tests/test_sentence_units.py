"""Issue 11: flattened one-line pages cut into sentence units, and schema 2's character offsets.

Run through the real stages (``dedup.report`` on files on disk); the pages are made from the project's own
People's Daily text (``tests/corpora.py``), never from a typed-in article.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import dedup
from dedup.normalize import normalize
from dedup.records import Document
from dedup.render.json import SCHEMA_VERSION, report_payload
from dedup.segment import FLAT_LINE_CHARS, segment

from .corpora import story

FOOTER = (
    "更多信息请访问：新浪四六级频道 四六级论坛 四六级博客圈 特别说明：由于各方面情况的不断调整与变化，"
    "新浪网所提供的所有考试信息仅供参考，敬请考生以权威部门公布的正式信息为准。"
)


def _article(number: int) -> list[str]:
    return story(number, 8)


def test_a_flat_line_becomes_sentence_units_with_their_own_offsets() -> None:
    body = "".join(_article(0))
    text = body + FOOTER + "\n"
    paragraphs = segment(normalize(Document("web.txt", text, "utf-8")))
    assert len(body) >= FLAT_LINE_CHARS and len(paragraphs) > 8
    assert {(p.start_line, p.end_line) for p in paragraphs} == {(1, 1)}
    starts = [p.raw_start for p in paragraphs]
    assert starts == sorted(starts) and all(p.raw_end <= q.raw_start for p, q in itertools.pairwise(paragraphs))
    # the footer is a unit of its own, not glued to the story's last sentence
    assert text[paragraphs[-1].raw_start : paragraphs[-1].raw_end].startswith("更多信息请访问")


def test_a_page_with_paragraph_breaks_keeps_its_paragraphs() -> None:
    paragraphs = _article(0)
    text = "\n\n".join(paragraphs) + "\n"
    assert len(segment(normalize(Document("page.txt", text, "utf-8")))) == len(paragraphs)


def test_a_partial_reprint_inside_a_flat_page_is_located_by_characters(tmp_path: Path) -> None:
    wire, other = _article(0), _article(7)
    (tmp_path / "page.txt").write_text("\n\n".join(wire) + "\n", encoding="utf-8")
    flat = "".join(other[:4]) + "".join(wire[2:7]) + "".join(other[4:]) + FOOTER + "\n"
    (tmp_path / "web.txt").write_text(flat, encoding="utf-8")
    result = dedup.report([str(tmp_path / "page.txt"), str(tmp_path / "web.txt")], dedup.Config())
    (group,) = result.groups
    (segment_,) = [s for w in group.group.witnesses for s in w.segments if s.path.endswith("web.txt")]
    assert segment_.start_char is not None and segment_.end_char is not None
    start = flat.index(wire[2][:10])
    end = flat.index(wire[6][-10:]) + 10
    # the reprint is covered, give or take a sentence at its edges (a sentence's sketch runs on into the next)
    assert start - 80 <= segment_.start_char <= start + 2 and end - 2 <= segment_.end_char <= end + 80
    assert segment_.start_char > flat.index(other[3][:10])
    payload = report_payload(result)
    assert payload["schema_version"] == SCHEMA_VERSION == 3
    for g in payload["groups"]:
        for w in g["witnesses"]:
            for s in w["segments"]:
                assert {"start_char", "end_char"} <= set(s)
            for f in w["findings"]:
                if f["copy"] is not None:
                    assert {"start_char", "end_char"} <= set(f["copy"])


@pytest.mark.parametrize("name", ["001_d368fce8cd43ddb5.txt", "002_9a75527b5092d3dd.txt"])
def test_seed_segments_cite_characters_of_their_own_lines(name: str) -> None:
    path = Path(__file__).parent.parent / "seeds" / name
    result = dedup.scan([str(path.parent)], dedup.Config())
    raw = path.read_text(encoding="utf-8")
    line_starts = [0] + [i + 1 for i, ch in enumerate(raw) if ch == "\n"]
    spans = [s for g in result.groups for w in g.witnesses for s in w.segments if s.path.endswith(name)]
    assert spans
    for s in spans:
        assert s.start_char is not None and s.end_char is not None
        assert line_starts[s.start_line - 1] <= s.start_char < s.end_char
        assert s.end_char <= (line_starts[s.end_line] if s.end_line < len(line_starts) else len(raw))


def test_a_footer_shared_by_pages_of_different_stories_links_none_of_them(tmp_path: Path) -> None:
    """Three reprint pairs, every page one line with one site's footer (glued on the line, or on the next):
    three groups, and no witness takes the footer in."""
    paths = []
    for n in range(3):
        wire = _article(n + 20)
        (tmp_path / f"wire{n}.txt").write_text("\n\n".join(wire) + "\n", encoding="utf-8")
        for k, glue in enumerate(("", "\n")):
            name = tmp_path / f"flat{n}{k}.txt"
            name.write_text("".join(wire[k:]) + glue + FOOTER + "\n", encoding="utf-8")
            paths.append(name)
    result = dedup.scan([str(tmp_path)], dedup.Config())
    groups = sorted(sorted(Path(s.path).name[4] for w in g.witnesses for s in w.segments) for g in result.groups)
    assert groups == [["0", "0", "0"], ["1", "1", "1"], ["2", "2", "2"]]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        footer_at = text.index(FOOTER[:10])
        for g in result.groups:
            for w in g.witnesses:
                for s in w.segments:
                    if s.path == str(path):
                        assert s.end_char is not None and s.end_char <= footer_at + 1
