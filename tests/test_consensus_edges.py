"""The consensus takes back the text a cut base paragraph lost, and only that: a headline, which ends without a
sentence end like a cut paragraph, does not take on the byline and lead a flattened page glues to it.
Generated from real text."""

from __future__ import annotations

from dedup.collate.consensus import build_consensus, collate_consensus

from .corpora import real_paragraphs
from .test_collate import flat_witness, witness

TOPIC = "党的十五大与中国的改革和发展"
HEADLINE = f"“{TOPIC}”理论研讨会述要"
BYLINE = "刘健"


def _story() -> list[str]:
    """A headline whose words the lead opens with (a page that glues them reads as one run of the lead)."""
    lead = f"全国党校系统『{TOPIC}』理论研讨会日前在北京召开。" + real_paragraphs()[600]
    return [HEADLINE, BYLINE, lead, *real_paragraphs()[601:605]]


def test_a_headline_is_not_taken_for_a_cut_paragraph_where_a_flattened_page_glues_the_lead_to_it() -> None:
    texts = _story()
    # The page's first sentence of the lead is garbled (``日前在北京召开`` -> OCR noise): no longer matched to the
    # lead, it runs on from the headline, byline and all, in the page's alignment.
    slipped = texts[2].replace("日前在北京召开", "曰剪稳此亨名开")
    copies = [witness("base", texts), flat_witness("web", [*texts[:2], slipped, *texts[3:]])]
    copies += [witness("a", texts), witness("b", texts)]
    paragraphs, _ = build_consensus(copies, 0)
    assert list(paragraphs) == texts, "the headline is whole: nothing of the byline or lead is glued to it"
    kinds = {w.witness: [(f.kind, f.ref) for f in w.findings] for w in collate_consensus(copies, 0).witnesses}
    assert kinds["base"] == kinds["a"] == kinds["b"] == [], "no intact copy is said to have cut the headline"


def test_a_base_paragraph_cut_in_a_preview_still_takes_back_its_tail() -> None:
    texts = _story()
    cut = texts[3][:12] + "……"  # the base's third paragraph is a preview's
    copies = [witness("base", [*texts[:3], cut, *texts[4:]]), witness("a", texts), flat_witness("web", texts)]
    paragraphs, _ = build_consensus(copies, 0)
    assert list(paragraphs) == texts
