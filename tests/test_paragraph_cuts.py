"""Paragraph breaks that are a copy's own, not layout: a paragraph a copy cut short before the next one, a
paragraph an editor split after a list's ``、``, and a headline or byline glued to the lead by some copies and
printed apart by others. Built from real text here (no corpus seed)."""

from __future__ import annotations

import json
from pathlib import Path

from dedup.collate.consensus import build_consensus, collate_consensus, reads_as_heading
from dedup.collate.records import CopyParagraph, WitnessText
from dedup.ingest.load import load
from dedup.normalize import normalize
from dedup.records import Document, Span
from dedup.words import cut_inside_word

from .corpora import real_paragraphs
from .test_collate import witness


def _paragraphs_of(path: Path) -> list[str]:
    (document,) = [d for d in load([str(path)]) if isinstance(d, Document)]
    return normalize(document).text.split("\n")


def _cut_between_words(text: str, after: str) -> str:
    """``text`` cut mid-sentence right after a ``的`` (a word ends there) whose next character does not begin
    ``after``: a copy's cut that the next paragraph's opening does not continue."""
    for at in range(len(text) // 2, len(text) - 2):
        if text[at] == "的" and not cut_inside_word(text[: at + 1], after):
            return text[: at + 1]
    raise AssertionError("no cut after 的 in the paragraph")


def test_a_paragraph_cut_short_stays_apart_from_the_next_in_a_jsonl_record(tmp_path: Path) -> None:
    # A web copy cut a paragraph mid-sentence after ``的``; the next paragraph opens with a character that
    # follows ``的`` elsewhere in the text too (``的这``), as a page's column break inside a word would show.
    # Glued to it, the copy would read as merging two paragraphs and the cut would go unsaid.
    pool = [p for p in real_paragraphs() if p.count("的") >= 3]
    following = next(p for p in pool if p.startswith("这"))
    first = next(p for p in pool if p != following and "的这" not in p)
    cut = _cut_between_words(first, following)
    third = next(p for p in pool if "的这" in p and p not in (first, following))
    record = {"id": "a1", "text": "\n\n".join([cut, following, third])}
    path = tmp_path / "drop.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    paragraphs = _paragraphs_of(path)
    assert len(paragraphs) == 3 and paragraphs[0].endswith("的") and paragraphs[1].startswith("这")


def test_a_column_break_inside_a_word_is_still_rejoined(tmp_path: Path) -> None:
    # The same text with a paragraph cut inside a word (``突`` / ``出``) that the text uses elsewhere: a page
    # or column break, which no editor makes, joined again as before.
    pool = real_paragraphs()
    holder = next(p for p in pool if p.find("突出") >= 40)
    prose = next(p for p in pool if p != holder and "突出" in p)
    at = holder.index("突出") + 1
    path = tmp_path / "page.txt"
    path.write_text("\n\n".join([prose, holder[:at], holder[at:]]) + "\n", encoding="utf-8")
    paragraphs = _paragraphs_of(path)
    assert len(paragraphs) == 2 and paragraphs[1].count("突出") >= 1


def test_a_paragraph_split_after_a_list_comma_is_not_rejoined(tmp_path: Path) -> None:
    # An editor (or a copy's markup) broke a paragraph after ``、``: the break stands, so that the copy can be
    # said to split it; it used to be read as a column break and joined again.
    pool = real_paragraphs()
    holder = next(p for p in pool if 30 < p.find("、") < len(p) - 20)
    at = holder.find("、", 30) + 1
    prose = next(p for p in pool if p != holder)
    path = tmp_path / "page.txt"
    path.write_text("\n\n".join([prose, holder[:at], holder[at:]]) + "\n", encoding="utf-8")
    paragraphs = _paragraphs_of(path)
    assert len(paragraphs) == 3 and paragraphs[1].endswith("、")


def test_cut_inside_word_reads_the_dictionary() -> None:
    assert cut_inside_word("要坚持严管，突", "出强调")
    assert not cut_inside_word("岭南的", "这些留学生")


def _kinds(copies: list[WitnessText], base: int) -> dict[str, list[tuple[str, int | None]]]:
    return {w.witness: sorted((f.kind, f.ref) for f in w.findings) for w in collate_consensus(copies, base).witnesses}


def _byline_story() -> list[str]:
    return ["建立少量研究型大学", "美国华盛顿大学饶毅", *real_paragraphs()[300:305]]


def test_a_byline_two_copies_glue_to_the_lead_stays_apart_where_the_base_prints_it_so() -> None:
    # The base prints the byline apart; the two other copies glue it to the lead (a common habit, shared by
    # chance). No split leaves a byline, so the break is the story's: the two copies merged, the base did not
    # split (after a sentence end, every other copy printing the two together makes it the base's split).
    texts = _byline_story()
    glued = [texts[0], texts[1] + texts[2], *texts[3:]]
    copies = [witness("base", texts), witness("g0", glued), witness("g1", glued)]
    paragraphs, _ = build_consensus(copies, 0)
    assert list(paragraphs) == texts
    kinds = _kinds(copies, 0)
    assert kinds["g0"] == kinds["g1"] == [("merged", 1)] and kinds["base"] == []


def test_a_byline_the_base_glues_to_the_lead_is_put_back_where_one_copy_prints_it_apart() -> None:
    # The base and two copies glue the byline to the lead; one copy prints it apart. One copy is enough after a
    # heading (after a sentence end it takes two, or as many as print across it).
    texts = _byline_story()
    glued = [texts[0], texts[1] + texts[2], *texts[3:]]
    copies = [witness("base", glued), witness("g0", glued), witness("g1", glued), witness("wire", texts)]
    paragraphs, reason = build_consensus(copies, 0)
    assert list(paragraphs) == texts and "break" in reason
    kinds = _kinds(copies, 0)
    assert kinds["wire"] == [] and all(kinds[n] == [("merged", 1)] for n in ("base", "g0", "g1"))


def test_reads_as_heading() -> None:
    assert reads_as_heading("本报记者 张三") and reads_as_heading("“一带一路”建设取得新进展")
    assert not reads_as_heading("今天，会议闭幕。") and not reads_as_heading("")
    assert not reads_as_heading("很" * 31)


def _piece(name: str, path: str, first_line: int, texts: list[str]) -> WitnessText:
    """A witness standing in ``path`` from ``first_line`` on, a blank line between its paragraphs."""
    lines = [first_line + 2 * k for k in range(len(texts))]
    paragraphs = tuple(CopyParagraph(path, n, n, t) for n, t in zip(lines, texts, strict=True))
    return WitnessText(name, (Span(path, first_line, lines[-1]),), paragraphs)


def test_a_copy_the_scan_cut_in_two_votes_once_in_a_consensus() -> None:
    # Three copies: the base and a second copy print a paragraph (one the story's other paragraphs share few
    # words with), the third lacks it and stands in two witnesses of one file (a page the scan cut in two).
    # Two of three copies print it: it stays. Counted per witness it was two of four, no majority, and both
    # copies printing it were said to add it.
    pool = real_paragraphs()
    texts = list(pool[400:406])
    extra = pool[40]
    full = [*texts[:3], extra, *texts[3:]]
    halves = [_piece("h0", "page.txt", 1, texts[:3]), _piece("h1", "page.txt", 9, texts[3:])]
    copies = [witness("base", full), witness("c0", full), *halves]
    paragraphs, reason = build_consensus(copies, 0)
    assert list(paragraphs) == full and reason.startswith("consensus of 3 copies")
    kinds = _kinds(copies, 0)
    assert kinds["base"] == kinds["c0"] == []


def test_a_tail_the_base_lost_is_restored_as_most_copies_print_it() -> None:
    # The base cut its last paragraph after a comma; the copy that prints most of the lost tail changed a word
    # in it (a longer one), the two others print it as the story has it. The tail comes back as they print
    # it: taken whole from the longest copy, every faithful copy was said to change the word back.
    texts = list(real_paragraphs()[500:505])
    last = texts[-1]
    cut = last.index("，", len(last) // 3) + 1
    lost = last[cut:]
    word = next(lost[k : k + 2] for k in range(len(lost) // 2, len(lost) - 2) if lost[k : k + 2].isalpha())
    changed = last[:cut] + lost.replace(word, "有关部门", 1)
    copies = [witness("base", [*texts[:-1], last[:cut]]), witness("changed", [*texts[:-1], changed])]
    copies += [witness("wire", texts), witness("c0", texts)]
    paragraphs, _ = build_consensus(copies, 0)
    assert paragraphs[-1] == last
    kinds = _kinds(copies, 0)
    assert kinds["wire"] == kinds["c0"] == [] and ("substituted", 4) in kinds["changed"]
