"""Paragraph breaks in collation: a split that leaves a short piece, and which copies vote on a consensus's
breaks (a flattened page printed none; a paragraph does not end after a comma). Generated from real text."""

from __future__ import annotations

from dedup.collate.consensus import build_consensus, collate_consensus
from dedup.collate.findings import align

from .corpora import real_paragraphs
from .test_collate import flat_witness, witness


def _with_short_clause(first: bool) -> tuple[list[str], int, int]:
    """Six real paragraphs, the third of which opens (``first``) or closes with a clause of 6-15 characters
    set off by a comma: the paragraphs, the paragraph's index, and where the short clause ends (or starts)."""
    for start in range(0, 400, 6):
        texts = list(real_paragraphs()[start : start + 6])
        text = texts[2]
        if first:
            cut = text.find("，") + 1
            if 6 <= cut <= 15:
                return texts, 2, cut
        else:
            body = text[:-1]
            cut = body.rfind("，") + 1
            if cut > 0 and 6 <= len(text) - cut <= 15 and "。" not in text[cut:-1]:
                return texts, 2, cut
    raise AssertionError("no paragraph with a short clause at its edge")


def test_a_split_that_leaves_a_short_piece_is_a_split_not_an_added_paragraph_and_a_cut() -> None:
    for first in (True, False):
        texts, i, cut = _with_short_clause(first)
        copy = witness("b", [*texts[:i], texts[i][:cut], texts[i][cut:], *texts[i + 1 :]])
        findings = align(texts, copy.paragraphs).findings
        assert [(f.kind, f.ref) for f in findings] == [("split", i)], (first, findings)


def test_a_heading_printed_apart_from_the_lead_the_reference_glued_it_to_is_no_split() -> None:
    texts = list(real_paragraphs()[30:34])
    byline = "本报记者李英桃"  # no punctuation: a byline, not a clause an editor split off
    ref = [byline + texts[0], *texts[1:]]
    copy = witness("b", [byline, *texts])
    kinds = [f.kind for f in align(ref, copy.paragraphs).findings]
    assert "split" not in kinds, "the reference is what glued the byline: the copy split nothing"


def test_a_flattened_page_casts_no_vote_on_the_breaks_of_a_consensus() -> None:
    texts = list(real_paragraphs()[60:66])
    merged = [*texts[:2], texts[2] + texts[3], *texts[4:]]
    copies = [witness("base", texts), witness("m", merged), flat_witness("web", texts)]
    paragraphs, _ = build_consensus(copies, 0)
    assert list(paragraphs) == texts, "one paged copy merged there; the flat page printed no break at all"
    result = collate_consensus(copies, 0)
    kinds = {w.witness: [(f.kind, f.ref_paragraphs) for f in w.findings] for w in result.witnesses}
    assert kinds == {"base": [], "m": [("merged", (2, 3))], "web": []}


def test_a_base_paragraph_ending_after_a_comma_is_joined_where_a_copy_prints_it_whole() -> None:
    texts, i, cut = _with_short_clause(first=False)
    cut = texts[i].find("，") + 1  # split after the first clause: the base's paragraph ends in a comma
    split = [*texts[:i], texts[i][:cut], texts[i][cut:], *texts[i + 1 :]]
    copies = [witness("base", split), witness("c", texts), flat_witness("web", texts)]
    paragraphs, reason = build_consensus(copies, 0)
    assert list(paragraphs) == texts and "joined" in reason
    kinds = {w.witness: [f.kind for f in w.findings] for w in collate_consensus(copies, 0).witnesses}
    assert kinds == {"base": ["split"], "c": [], "web": []}
    # Split after a full stop, the one copy printing it whole is outvoted by nobody and carries no weight alone.
    stop = texts[i].find("。") + 1
    if 0 < stop < len(texts[i]) - 1:
        split = [*texts[:i], texts[i][:stop], texts[i][stop:], *texts[i + 1 :]]
        copies = [witness("base", split), witness("c", texts), flat_witness("web", texts)]
        assert len(build_consensus(copies, 0)[0]) == len(texts) + 1


def test_a_copy_that_moved_a_paragraph_s_second_half_first_still_votes_for_the_break() -> None:
    texts = list(real_paragraphs()[100:106])
    merged = [*texts[:2], texts[2] + texts[3], *texts[4:]]
    moved = [*texts[:2], texts[3], texts[2], *texts[4:]]  # the break is printed, the order is not
    copies = [witness("base", merged), *(witness(f"c{k}", texts) for k in range(3)), witness("moved", moved)]
    copies.append(witness("m", merged))
    paragraphs, reason = build_consensus(copies, 0)
    assert list(paragraphs) == texts and "break" in reason, "four of five copies print the break"
    result = collate_consensus(copies, 0)
    kinds = {w.witness: sorted({f.kind for f in w.findings}) for w in result.witnesses}
    assert kinds == {"base": ["merged"], "c0": [], "c1": [], "c2": [], "moved": ["reordered"], "m": ["merged"]}


def test_a_copy_that_lacks_the_first_paragraph_but_opens_the_second_votes_for_the_break() -> None:
    texts = list(real_paragraphs()[110:116])
    merged = [*texts[:2], texts[2] + texts[3], *texts[4:]]  # two copies share a merge
    lacking = [*texts[:2], *texts[3:]]  # dropped the third paragraph, prints the fourth as a paragraph
    copies = [witness("base", texts), witness("m0", merged), witness("m1", merged), witness("short", lacking)]
    paragraphs, _ = build_consensus(copies, 0)
    assert list(paragraphs) == texts, "the base and the short copy print the break before the fourth paragraph"
    kinds = {w.witness: [(f.kind, f.ref) for f in w.findings] for w in collate_consensus(copies, 0).witnesses}
    assert kinds == {"base": [], "m0": [("merged", 2)], "m1": [("merged", 2)], "short": [("dropped", 2)]}


def test_a_sentence_glued_to_a_paragraph_is_added_text_not_a_changed_word() -> None:
    texts = list(real_paragraphs()[120:124])
    other = next(t for t in real_paragraphs()[900:] if len(t) < 120)  # a paragraph of another story
    for glued in (other + texts[1], texts[1] + other):  # a caption or a dropped-in paragraph, either edge
        copy = witness("b", [texts[0], glued, *texts[2:]])
        findings = align(texts, copy.paragraphs).findings
        assert [(f.kind, f.ref) for f in findings] == [("added", None)], findings
        assert findings[0].copy == copy.paragraphs[1].span and findings[0].copy_text == other
    # A changed word in the same paragraph is still a substitution, and glued noise still garbled.
    word = texts[1].index("，") - 2
    changed = texts[1][:word] + "改动" + texts[1][word + 2 :]
    kinds = [f.kind for f in align(texts, witness("b", [texts[0], other + changed, *texts[2:]]).paragraphs).findings]
    assert sorted(kinds) == ["added", "substituted"]
    noise = "鍒楃??浜岋紝寰峰浗閫?鍒楃??浜岋紝寰峰浗閫?。"
    kinds = [f.kind for f in align(texts, witness("b", [texts[0], noise + texts[1], *texts[2:]]).paragraphs).findings]
    assert kinds == ["garbled"]
