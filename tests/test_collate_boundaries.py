"""Where one copy paragraph holds two reference paragraphs, where does one end and the next start? A heading
glued to a lead that opens with the heading's own first characters, and a credit that closes a paragraph
merged with the next. Both used to read as a changed word (and a dropped heading, or a cut paragraph) instead
of the merge they are. Generated from real text."""

from __future__ import annotations

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
