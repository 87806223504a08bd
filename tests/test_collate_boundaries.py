"""Where one copy paragraph holds two reference paragraphs, where does one end and the next start? A heading
glued to a lead that opens with the heading's own first characters, a credit that closes a paragraph merged
with the next, and a paragraph cut mid-sentence and run into the next. Each used to read as a changed word
(and a dropped paragraph, or a cut one) instead of what it is; and on a wrapped page a cut paragraph joined
to the next by unwrapping is no merge. Generated from real text."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dedup.collate.findings import align

from .corpora import real_paragraphs
from .test_collate import witness


@pytest.mark.parametrize("start", [40, 90, 140, 190])
@pytest.mark.parametrize("shared", [1, 2])
def test_a_heading_glued_to_a_lead_that_opens_like_it_is_a_merge(start: int, shared: int) -> None:
    texts = list(real_paragraphs()[start : start + 4])
    lead = texts[1]
    # A heading that opens with the lead's own first characters, as ``第二章…`` opens ``第九条…``: the diff
    # keeps those characters and inserts the rest of the heading after them.
    heading = lead[:shared] + "".join(ch for ch in texts[3][10:30] if ch not in "，。、；：“”")[:8]
    ref = [texts[0], heading, *texts[1:]]
    copy = witness("b", [texts[0], heading + lead, *texts[2:]])
    findings = align(ref, copy.paragraphs).findings
    assert [(f.kind, f.ref_paragraphs) for f in findings] == [("merged", (1, 2))], (heading, findings)


@pytest.mark.parametrize("start", [20, 70, 120, 170])
def test_a_credit_closing_a_paragraph_merged_with_the_next_stays_with_its_paragraph(start: int) -> None:
    texts = list(real_paragraphs()[start : start + 4])
    names = "".join(ch for ch in texts[3][:40] if ch not in "，。、；：“”")
    credit = f"（{names[:3]}　{names[3:6]}）"  # no sentence of its own: the sentence splitter opens the next with it
    ref = [texts[0], texts[1] + credit, *texts[2:]]
    copy = witness("b", [texts[0], texts[1] + credit + texts[2], texts[3]])
    findings = align(ref, copy.paragraphs).findings
    assert [(f.kind, f.ref_paragraphs) for f in findings] == [("merged", (1, 2))], (credit, findings)
    # Cut off for real (the next paragraph opens without it), the credit is still a lost tail.
    cut = witness("c", [texts[0], texts[1] + texts[2], texts[3]])
    kinds = sorted(f.kind for f in align(ref, cut.paragraphs).findings)
    assert "merged" in kinds and "substituted" not in kinds


@pytest.mark.parametrize("start", [30, 80, 130, 180])
def test_a_paragraph_cut_mid_sentence_and_run_into_the_next_is_truncated_and_merged(start: int) -> None:
    texts = list(real_paragraphs()[start : start + 4])
    cut = 24
    while not texts[1][cut - 1].isalnum():
        cut += 1
    head = texts[1][:cut]  # cut mid-sentence, after a character: no sentence end of its own
    copy = witness("b", [texts[0], head + texts[2], texts[3]])
    findings = align(texts, copy.paragraphs).findings
    assert sorted((f.kind, f.ref) for f in findings) == [("merged", 1), ("truncated", 1)], (head, findings)


def test_a_cut_paragraph_joined_to_the_next_by_unwrapping_a_wrapped_page_is_no_merge() -> None:
    texts = list(real_paragraphs()[30:34])
    cut = 24
    while not texts[1][cut - 1].isalnum():
        cut += 1
    joined = texts[1][:cut] + texts[2]
    # The same text on a page wrapped over several lines: the cut piece, ending without a sentence end, was
    # joined to the next line by unwrapping, so the break the page may have printed there cannot be told.
    wrapped = witness("w", [texts[0], joined, texts[3]])
    lines = tuple(replace(p, end_line=p.start_line + 3) if k == 1 else p for k, p in enumerate(wrapped.paragraphs))
    findings = align(texts, lines).findings
    assert sorted((f.kind, f.ref) for f in findings) == [("truncated", 1)], findings
    # A merge after a whole paragraph is still told on a wrapped page.
    whole = tuple(replace(p, text=texts[1] + texts[2]) if k == 1 else p for k, p in enumerate(lines))
    assert [(f.kind, f.ref_paragraphs) for f in align(texts, whole).findings] == [("merged", (1, 2))]
