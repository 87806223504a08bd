"""A consensus built on a base that dropped paragraphs still holds the paragraphs most copies print: the base's
drop is reported, and the faithful copies are not said to have added them. Generated from real text."""

from __future__ import annotations

from dedup.collate.consensus import build_consensus, collate_consensus
from dedup.collate.reference import collate

from .corpora import real_paragraphs
from .test_collate import flat_witness, witness


def _story(start: int) -> list[str]:
    return list(real_paragraphs()[start : start + 7])


def test_paragraphs_the_base_lacks_and_most_copies_print_join_the_consensus_in_their_place() -> None:
    texts = _story(140)
    lacking = [texts[0], *texts[3:]]  # the base dropped the two paragraphs after the first
    preview = [t[: max(12, len(t) // 3)] + "……" for t in texts]  # every paragraph cut: a preview copy
    copies = [witness("base", lacking), witness("a", texts), witness("b", preview), flat_witness("web", texts)]
    paragraphs, reason = build_consensus(copies, 0)
    assert list(paragraphs) == texts, "the intact copy's text, in the order the copies print it"
    assert "base lacks" in reason
    result = collate_consensus(copies, 0)
    kinds = {w.witness: sorted({(f.kind, f.ref) for f in w.findings}) for w in result.witnesses}
    assert kinds["base"] == [("dropped", 1), ("dropped", 2)]
    assert kinds["a"] == [] and kinds["web"] == []
    assert {kind for kind, _ in kinds["b"]} == {"truncated"}, "the preview cut paragraphs; it added none"


def test_a_paragraph_only_a_minority_prints_stays_out_of_the_consensus() -> None:
    texts = _story(200)
    extra = real_paragraphs()[300]  # another story's paragraph, added by one copy (or two of five)
    added = [*texts[:3], extra, *texts[3:]]
    for adders in (1, 2):
        copies = [witness("base", texts), *(witness(f"add{k}", added) for k in range(adders))]
        copies += [witness(f"c{k}", texts) for k in range(5 - len(copies))]
        paragraphs, reason = build_consensus(copies, 0)
        assert list(paragraphs) == texts and "base lacks" not in reason, adders
        for w in collate_consensus(copies, 0).witnesses:
            expected = [("added", None)] if w.witness.startswith("add") else []
            assert [(f.kind, f.ref) for f in w.findings] == expected, (adders, w.witness)


def test_a_paragraph_the_base_merged_into_another_is_no_paragraph_it_lacks() -> None:
    texts = _story(260)
    merged = [*texts[:2], texts[2] + texts[3], *texts[4:]]
    copies = [witness("base", merged), witness("a", texts), witness("b", texts)]
    paragraphs, reason = build_consensus(copies, 0)
    assert "base lacks" not in reason
    assert "".join(paragraphs) == "".join(texts), "the merged text is held once, not twice"


def test_a_paragraph_the_base_lacks_is_read_as_most_copies_print_it() -> None:
    texts = _story(320)
    lacking = [*texts[:2], *texts[3:]]
    changed = texts[2][:10] + "据有关方面透露" + texts[2][10:]  # one copy's longer, changed reading
    copies = [
        witness("base", lacking),
        witness("changed", [*texts[:2], changed, *texts[3:]]),
        witness("a", texts),
        flat_witness("web", texts),
    ]
    paragraphs, _ = build_consensus(copies, 0)
    assert list(paragraphs) == texts, "the reading the intact copy and the page print, not the longest"
    kinds = {w.witness: [(f.kind, f.ref) for f in w.findings] for w in collate_consensus(copies, 0).witnesses}
    assert kinds["base"] == [("dropped", 2)] and kinds["a"] == [] and kinds["web"] == []
    assert [ref for _, ref in kinds["changed"]] == [2]


def test_a_base_that_lacks_more_than_it_holds_is_not_mended_into_another_text() -> None:
    texts = _story(380)
    fragment = [real_paragraphs()[450]]  # a sentence of another story, grouped with this one by a fault
    copies = [witness("base", fragment), witness("a", texts), flat_witness("web", texts)]
    paragraphs, reason = build_consensus(copies, 0)
    assert "base lacks" not in reason and not set(paragraphs) & set(texts), "the base is not rewritten"


def test_one_paged_copy_beside_a_flattened_page_is_no_majority_reading_of_a_paragraph_the_base_lacks() -> None:
    texts = _story(420)
    lacking = [*texts[:2], *texts[3:]]
    copies = [witness("base", lacking), witness("a", texts), flat_witness("web", texts)]
    paragraphs, reason = build_consensus(copies, 0)
    assert list(paragraphs) == lacking and "base lacks" not in reason
    copies.insert(2, witness("b", texts))  # a second paged copy prints it on its own: now it is taken
    assert list(build_consensus(copies, 0)[0]) == texts


def _slipped(text: str, after: int) -> tuple[str, int]:
    """``text`` with one character from ``after`` on replaced by a rarer look-alike (an OCR slip), and where."""
    from dedup.collate.consensus import _commonness
    from dedup.lookalike import lookalikes

    for at in range(after, len(text)):
        rarer = sorted((c for c in lookalikes(text[at]) if _commonness(c) < _commonness(text[at])), key=_commonness)
        if rarer:
            return text[:at] + rarer[0] + text[at + 1 :], at
    raise AssertionError("no character of the paragraph has a rarer look-alike")


def test_a_paragraph_the_base_lacks_is_read_edit_by_edit_not_as_one_damaged_copy_prints_it() -> None:
    texts = _story(500)
    lacking = [*texts[:2], *texts[3:]]
    slipped, at = _slipped(texts[2], len(texts[2]) // 2)
    preview = [t[: len(t) // 3] + "……" for t in texts]  # cut before the slip: it cannot outvote it
    copies = [
        witness("base", lacking),
        witness("slipped", [*texts[:2], slipped, *texts[3:]]),
        witness("preview", preview),
        flat_witness("web", texts),
    ]
    paragraphs, reason = build_consensus(copies, 0)
    assert "base lacks" in reason
    assert paragraphs[2] == texts[2], f"the slip at {at} is one copy's against the page's, and the page's is no slip"
    kinds = {w.witness: [(f.kind, f.ref) for f in w.findings] for w in collate_consensus(copies, 0).witnesses}
    assert kinds["base"] == [("dropped", 2)] and kinds["web"] == []
    assert kinds["slipped"] == [("garbled", 2)], "the slip is the damaged copy's, not the intact page's"


def test_a_witness_that_renders_nothing_of_the_story_is_not_said_to_drop_it() -> None:
    texts = _story(560)
    stranger = list(real_paragraphs()[700:702])  # another story's text, taken into the group by a fault
    copies = [witness(name, texts) for name in "abd"] + [witness("c", texts[:-1]), witness("stranger", stranger)]
    for result in (collate_consensus(copies, 0), collate(copies, 0)):
        kinds = {w.witness: [(f.kind, f.ref) for f in w.findings] for w in result.witnesses}
        assert kinds["stranger"] == [("added", None), ("added", None)], result.reference
        assert kinds["c"] == [("dropped", len(texts) - 1)], "a copy that renders the story still drops"
    pair = collate([witness("a", texts), witness("stranger", stranger)], 0).witnesses[1]
    assert {f.kind for f in pair.findings} == {"dropped", "added"}, "of two texts, neither is the story more"


def test_copies_that_print_a_paragraph_the_base_lacks_glued_to_another_count_among_those_printing_it() -> None:
    texts = _story(620)
    lacking = [*texts[:2], *texts[3:]]
    glued_before = [texts[0], texts[1] + texts[2], *texts[3:]]
    glued_after = [*texts[:2], texts[2] + texts[3], *texts[4:]]
    copies = [witness("base", lacking), witness("a", texts), witness("b", texts)]
    copies += [witness("before", glued_before), witness("after", glued_after), witness("also", lacking)]
    paragraphs, reason = build_consensus(copies, 0)
    assert "base lacks" in reason
    assert list(paragraphs) == texts, "four of six copies print it: two on its own, two merged into a neighbour"
    kinds = {w.witness: [(f.kind, f.ref) for f in w.findings] for w in collate_consensus(copies, 0).witnesses}
    assert kinds["base"] == kinds["also"] == [("dropped", 2)]
    assert kinds["a"] == kinds["b"] == []
    assert [kind for kind, _ in kinds["before"]] == [kind for kind, _ in kinds["after"]] == ["merged"]
