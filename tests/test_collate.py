"""Collation: the seeds' findings, properties of any text, and golden cases."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.collate.edits import apply_edits
from dedup.collate.findings import align
from dedup.collate.records import CopyParagraph, Finding, TextEdit, WitnessText
from dedup.collate.reference import collate
from dedup.pipeline.report import report
from dedup.records import Span

from .corpora import real_paragraphs

GOLDEN = Path(__file__).parent / "golden"


def around(finding: Finding, edit: TextEdit, before: int = 3, after: int = 4) -> tuple[str, str]:
    """The reference words around an edit, and the same stretch as the copy has it."""
    assert finding.ref_text is not None
    left = finding.ref_text[max(0, edit.at - before) : edit.at]
    right = finding.ref_text[edit.at + len(edit.ref) : edit.at + len(edit.ref) + after]
    return left + edit.ref + right, left + edit.copy + right


@pytest.fixture(scope="module")
def seed_findings() -> list[Finding]:
    (group,) = report(["seeds"]).groups
    collation = group.collation
    reference = next(w for w in group.group.witnesses if w.id == collation.reference)
    assert [Path(s.path).name for s in reference.segments] == ["002_9a75527b5092d3dd.txt", "000_1eaa65c1cfd94755.txt"]
    (web,) = [w for w in collation.witnesses if w.witness != collation.reference]
    assert next(w for w in collation.witnesses if w.witness == collation.reference).findings == ()
    return list(web.findings)


def test_seed_001_substitutions(seed_findings: list[Finding]) -> None:
    changes = [around(f, e) for f in seed_findings if f.kind == "substituted" for e in f.edits]
    for old, new in (("正向激励", "导向激励"), ("宣传引导", "言论引导"), ("高海拔", "海拔")):
        assert any(old in r and new in c for r, c in changes), (old, new)
    eighteen = [(r, c) for r, c in changes if "十八大" in r and "十八大" not in c]
    assert len(eighteen) == 2, "十八大 -> 十八 happens twice"
    assert all(f.copy is not None and f.copy.path.endswith("001_d368fce8cd43ddb5.txt") for f in seed_findings if f.copy)


def test_seed_001_structure(seed_findings: list[Finding]) -> None:
    by_kind: dict[str, list[Finding]] = {}
    for finding in seed_findings:
        by_kind.setdefault(finding.kind, []).append(finding)
    (care,) = [f for f in by_kind["duplicated"] if (f.copy_text or "").startswith("落实关爱措施")]
    assert len(care.occurrences) == 5
    assert [s.start_line for s in care.occurrences] == [29, 41, 43, 53, 55]
    dropped = [f.ref_text or "" for f in by_kind["dropped"]]
    assert any(t.startswith("强化理论培训") for t in dropped)
    assert any(t.startswith("面对推动高质量发展战略部署") for t in dropped)
    heads = {(f.copy_text or "")[:6] for f in by_kind["truncated"] if f.survives == "tail"}
    assert {"研为抓手推进", "扶、考察评估", "心健康的可操"} <= heads
    cut = next(f for f in by_kind["truncated"] if (f.copy_text or "").startswith("研为抓手"))
    assert cut.lost.startswith("坚持把功夫下在平时") and cut.copy is not None
    assert replace(cut.copy, start_char=None, end_char=None) == Span("seeds/001_d368fce8cd43ddb5.txt", 15, 15)
    assert cut.ref_text is not None and cut.lost_range == (0, len(cut.lost)) and cut.detail == "the head is lost"
    merged_heads = {(f.copy_text or "")[:6] for f in by_kind["merged"]}
    assert {"落实关爱措施", "改进选拔任用", "注重激励保护", "大力宣传褒奖"} <= merged_heads
    assert len(by_kind["reordered"]) >= 5


# --- properties --------------------------------------------------------------------------------------------

POOL = real_paragraphs()[2000:2400]


def witness(name: str, texts: list[str]) -> WitnessText:
    paragraphs = tuple(CopyParagraph(f"{name}.txt", 2 * k + 1, 2 * k + 1, t) for k, t in enumerate(texts))
    return WitnessText(name, (Span(f"{name}.txt", 1, 2 * len(texts)),), paragraphs)


stories = st.lists(st.sampled_from(range(len(POOL))), min_size=2, max_size=12, unique=True).map(
    lambda idx: [POOL[i] for i in idx]
)


@settings(max_examples=60, deadline=None)
@given(stories)
def test_a_text_collated_with_itself_has_no_findings(texts: list[str]) -> None:
    result = collate([witness("a", texts), witness("b", texts)], 0).witnesses[1]
    assert result.findings == ()
    assert set(result.strip) == {"kept"}


@settings(max_examples=60, deadline=None)
@given(stories, st.randoms(use_true_random=False))
def test_shuffled_paragraphs_give_only_reordered(texts: list[str], rng: object) -> None:
    order = list(range(len(texts)))
    rng.shuffle(order)  # type: ignore[attr-defined]
    result = align(texts, witness("b", [texts[k] for k in order]).paragraphs)
    assert {f.kind for f in result.findings} <= {"reordered"}
    # The smallest set of moved paragraphs: everything outside a longest in-order chain.
    assert len(result.findings) == len(texts) - _lis(order)


def _lis(sequence: list[int]) -> int:
    best: list[int] = []
    for value in sequence:
        import bisect

        k = bisect.bisect_left(best, value)
        best[k : k + 1] = [value]
    return len(best)


@settings(max_examples=80, deadline=None)
@given(
    stories,
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 3), st.text("某甲乙丙丁，。", max_size=3)), max_size=4),
)
def test_applying_the_edits_to_the_reference_gives_the_copy(
    texts: list[str], damage: list[tuple[int, int, str]]
) -> None:
    copy = list(texts)
    target = 0
    text = copy[target]
    for position, length, replacement in damage:
        at = 10 + position % max(1, len(text) - 20)
        text = text[:at] + replacement + text[at + length :]
    copy[target] = text
    result = align(texts, witness("b", copy).paragraphs)
    (portion,) = [p for p in result.portions if p.copy_index == target]
    assert portion.ref == target
    assert apply_edits(texts[target], portion.edits) == copy[target]


# --- golden cases ------------------------------------------------------------------------------------------


def _cases() -> list[object]:
    params = []
    for path in sorted(GOLDEN.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        marks = [pytest.mark.xfail(strict=True, reason=case["why"])] if case["category"] == "known-failures" else []
        params.append(pytest.param(case, id=path.stem, marks=marks))
    return params


@pytest.mark.parametrize("case", _cases())
def test_golden_case(case: dict[str, object]) -> None:
    """One invariant on every case: the kinds of findings are exactly the expected ones."""
    reference, copy = case["reference"], case["copy"]
    assert isinstance(reference, list) and isinstance(copy, list)
    result = align(reference, witness("copy", copy).paragraphs)
    assert sorted({f.kind for f in result.findings}) == sorted(case["expect"])  # type: ignore[arg-type]


def test_three_or_more_copies_are_collated_against_the_majority(tmp_path: Path) -> None:
    from .corpora import page, story

    text = story(40, 6)
    copies = [list(text) for _ in range(4)]
    copies[0][3] = copies[0][3][:8] + "甲乙" + copies[0][3][10:]  # the most complete copy has a typo
    copies[1][2] = copies[1][2][:5] + "某某" + copies[1][2][7:]
    del copies[2][4]
    for k, paragraphs in enumerate(copies):
        (tmp_path / f"c{k}.txt").write_text(page(("标题", paragraphs)), encoding="utf-8")
    (group,) = report([str(tmp_path)]).groups
    collation = group.collation
    assert collation.reference == "consensus" and "majority" in collation.reason
    majority = unicodedata.normalize("NFKC", text[3])  # the consensus is matching text: width folded
    assert collation.reference_paragraphs[4] == majority, "the majority reading wins over the base copy's typo"
    findings = {w.witness: [(f.kind, f.ref) for f in w.findings] for w in collation.witnesses}
    by_file = {Path(w.segments[0].path).name: w.id for w in group.group.witnesses}
    assert findings[by_file["c0.txt"]] == [("substituted", 4)]
    assert findings[by_file["c1.txt"]] == [("substituted", 3)]
    assert findings[by_file["c2.txt"]] == [("dropped", 5)]
    assert findings[by_file["c3.txt"]] == []


def _base_and_three_faithful(base: list[str], texts: list[str]) -> tuple[list[str], str, dict[str, set[str]]]:
    """A consensus built on a damaged ``base`` with three faithful copies of ``texts``: its paragraphs, the
    reason it gives, and the finding kinds of each copy against it."""
    from dedup.collate.consensus import build_consensus, collate_consensus

    copies = [witness("base", base), *(witness(f"c{k}", texts) for k in range(3))]
    paragraphs, reason = build_consensus(copies, 0)
    result = collate_consensus(copies, 0)
    return list(paragraphs), reason, {w.witness: {f.kind for f in w.findings} for w in result.witnesses}


def test_a_consensus_joins_what_its_base_split_where_most_copies_print_it_whole() -> None:
    texts = [t for t in real_paragraphs()[40:80] if t.count("。") >= 2][:6]
    cut = texts[2].index("。") + 1  # an editor splits between sentences
    split = [*texts[:2], texts[2][:cut], texts[2][cut:], *texts[3:]]
    paragraphs, reason, kinds = _base_and_three_faithful(split, texts)
    assert paragraphs == texts and "joined" in reason
    assert kinds == {"base": {"split"}, "c0": set(), "c1": set(), "c2": set()}


def test_a_consensus_puts_back_a_paragraph_its_base_moved() -> None:
    from dedup.collate.consensus import build_consensus

    texts = list(real_paragraphs()[200:208])
    moved = [*texts[:2], *texts[3:], texts[2]]  # an editor moved the third paragraph to the end
    paragraphs, reason, kinds = _base_and_three_faithful(moved, texts)
    assert paragraphs == texts and "put back" in reason
    assert kinds == {"base": {"reordered"}, "c0": set(), "c1": set(), "c2": set()}
    # Where most copies share the move, it is the story's order.
    copies = [witness("base", moved), witness("c0", moved), witness("c1", moved), witness("c2", texts)]
    assert list(build_consensus(copies, 0)[0]) == moved


def test_of_two_copies_the_one_with_a_foreign_paragraph_is_not_the_reference() -> None:
    from dedup.collate.reference import choose_reference

    texts = list(real_paragraphs()[100:106])
    foreign = real_paragraphs()[900]  # another story's paragraph, taken in by a web page
    intact = witness("wire", texts)
    padded = witness("web", [*texts[:3], foreign, *texts[4:]])  # dropped one paragraph, took a foreign one in
    best, reason = choose_reference([padded, intact], [1.0, 0.95])  # the padded copy looks more complete
    assert best == 1, reason


# --- structured findings and settings --------------------------------------------------------------------------

CUT = "坚持把功夫下在平时，健全日常考核机制，"
BODY = "以调研为抓手推进干部考核工作，把考核结果作为选拔任用的重要依据。"


def test_a_truncation_says_which_edge_survives_and_what_was_lost() -> None:
    ref = witness("a", [CUT + BODY, "注重激励保护，建立容错纠错机制，为担当者担当。"])
    copy = witness("b", [BODY, "注重激励保护，建立容错纠错机制，为担当者担当。"])
    (cut,) = [f for f in collate([ref, copy], 0).witnesses[1].findings if f.kind == "truncated"]
    assert cut.survives == "tail" and cut.lost == CUT and cut.lost_range == (0, len(CUT))
    assert cut.ref_text is not None and cut.ref_text[slice(*cut.lost_range)] == cut.lost
    assert cut.detail == "the head is lost"


def test_collation_follows_its_settings() -> None:
    from dedup.config import CollateConfig

    ref = [CUT + BODY]
    copy = witness("b", [BODY]).paragraphs
    assert [f.kind for f in align(ref, copy).findings] == ["truncated"]
    (edit,) = align(ref, copy, config=CollateConfig(lost_min=len(CUT) + 1)).findings
    assert edit.kind == "substituted" and edit.edits[0].ref == CUT, "too short a cut for lost_min: a deletion"


def test_with_two_copies_a_missing_paragraph_a_move_or_a_changed_word_has_no_direction() -> None:
    texts = list(real_paragraphs()[300:306])
    changed = [texts[0], texts[2], texts[1], texts[3][: len(texts[3]) // 2], texts[5]]  # moved, cut, dropped
    changed[4] = changed[4][:10] + "当前" + changed[4][12:]
    two = collate([witness("a", texts), witness("b", changed)], 0).witnesses[1].findings
    kinds = {f.kind: f.direction for f in two}
    assert {"dropped", "reordered", "truncated"} <= set(kinds)
    assert kinds["dropped"] == kinds["reordered"] == "unknown"
    assert kinds["truncated"] is None, "a cut shows in the copy by itself"
    three = collate([witness("a", texts), witness("b", changed), witness("c", texts)], 0).witnesses[1].findings
    assert {f.direction for f in three} == {None}, "a third copy can tell"


def test_a_look_alike_slip_is_garbled_and_a_changed_word_is_substituted_whole() -> None:
    from dedup.lookalike import lookalikes

    texts = list(real_paragraphs()[48:54])
    slip = next(k for k, t in enumerate(texts) if "已经" in t)
    reword = next(k for k, t in enumerate(texts) if "发展" in t and k != slip)
    copy = list(texts)
    at = copy[slip].index("已经")
    copy[slip] = copy[slip][:at] + min(lookalikes("已")) + min(lookalikes("经")) + copy[slip][at + 2 :]
    copy[reword] = copy[reword].replace("发展", "进展", 1)  # one character differs, a whole word changed
    by_ref = {f.ref: f for f in align(texts, witness("b", copy).paragraphs).findings}
    assert by_ref[slip].kind == "garbled", "look-alikes in place of a word are an OCR slip, not a changed word"
    assert by_ref[reword].kind == "substituted"
    (edit,) = by_ref[reword].edits
    assert (edit.ref, edit.copy) == ("发展", "进展"), "the edit spans the whole word, not 发 -> 进"


def test_of_two_copies_a_preview_cut_with_ellipses_is_not_the_reference() -> None:
    from dedup.collate.reference import choose_reference

    texts = list(real_paragraphs()[120:126])
    ellipsis = witness("preview", [t[:40] + "…" for t in texts])  # "…" ends a sentence, but not after a cut
    best, reason = choose_reference([ellipsis, witness("full", texts)], [1.0, 1.0])
    assert best == 1, reason
    dots = witness("preview", [t[:30] + "..." for t in texts])
    findings = collate([witness("full", texts), dots], 0).witnesses[1].findings
    assert [(f.kind, f.survives) for f in findings] == [("truncated", "head")] * len(texts), "the tail is lost"


def test_a_digest_item_split_off_after_its_list_mark_is_a_split() -> None:
    one, two, other = real_paragraphs()[130:133]
    ref = ["△" + one + "△" + two, other]  # two digest items printed as one paragraph
    copy = witness("b", ["△" + one, "△" + two, other])
    kinds = [f.kind for f in align(ref, copy.paragraphs).findings]
    assert kinds == ["split"], "the second item's △ matches the paragraph's first: still a cut head, not a repeat"


def test_a_break_two_copies_print_stays_though_most_copies_merged_there() -> None:
    from dedup.collate.consensus import build_consensus, collate_consensus

    texts = list(real_paragraphs()[140:146])
    merged = [*texts[:2], texts[2] + texts[3], *texts[4:]]  # merges can only happen at a break: copies share them
    copies = [witness("w0", texts), witness("w1", texts), *(witness(f"m{k}", merged) for k in range(3))]
    paragraphs, _ = build_consensus(copies, 0)
    assert list(paragraphs) == texts
    kinds = {w.witness: {f.kind for f in w.findings} for w in collate_consensus(copies, 0).witnesses}
    assert kinds == {"w0": set(), "w1": set(), "m0": {"merged"}, "m1": {"merged"}, "m2": {"merged"}}


# --- flattened pages, glued headings, cut and merged bases (issue 11) -------------------------------------------


def flat_witness(name: str, texts: list[str]) -> WitnessText:
    """A scraped page: every paragraph of ``texts`` glued on line 1 (a flattened line, as collation reads it)."""
    line = "".join(texts)
    return WitnessText(name, (Span(f"{name}.txt", 1, 1),), (CopyParagraph(f"{name}.txt", 1, 1, line, flat=True),))


def test_a_flattened_page_is_not_merged_and_its_glued_headline_and_byline_are_not_dropped() -> None:
    texts = ["正确认识世界格局的多极化", "李英桃", *real_paragraphs()[150:154]]
    kinds = [f.kind for f in align(texts, flat_witness("web", texts).paragraphs).findings]
    assert kinds == [], "a page printed without breaks holds the story's paragraphs by layout"
    paged = witness("page", [texts[0] + texts[1] + texts[2], *texts[3:]])  # the same glue on a paged copy
    findings = align(texts, paged.paragraphs).findings
    assert [(f.kind, f.ref_paragraphs) for f in findings] == [("merged", (0, 1, 2))]


def test_a_flattened_copy_is_not_the_base_of_a_consensus() -> None:
    from dedup.collate.reference import choose_base

    texts = list(real_paragraphs()[160:166])
    copies = [flat_witness("web", texts), witness("a", texts[:-1]), witness("b", texts[1:]), witness("c", texts)]
    assert choose_base(copies, [1.0, 0.85, 0.85, 0.95]) == 3, "the flat page covers most, but prints no breaks"


def test_a_consensus_takes_back_what_its_preview_base_cut_and_the_breaks_its_base_lost() -> None:
    texts = [t for t in real_paragraphs()[170:220] if len(t) > 80 and "…" not in t][:5]
    preview = [t[:30] + "……" for t in texts]  # each paragraph cut after its head, as a listing page prints it
    paragraphs, reason, kinds = _base_and_three_faithful(preview, texts)
    assert paragraphs == texts, reason
    assert kinds == {"base": {"truncated"}, "c0": set(), "c1": set(), "c2": set()}
    merged = [texts[0], texts[1] + texts[2], *texts[3:]]
    paragraphs, reason, kinds = _base_and_three_faithful(merged, texts)
    assert paragraphs == texts and "break" in reason
    assert kinds == {"base": {"merged"}, "c0": set(), "c1": set(), "c2": set()}


def test_a_flattened_reference_is_cut_where_the_other_copy_prints_its_breaks() -> None:
    texts = [t for t in real_paragraphs()[220:270] if len(t) > 80 and "…" not in t and t.endswith("。")][:5]
    preview = [t[:30] + "……" for t in texts]  # the paged copy is a listing page: each paragraph cut
    result = collate([flat_witness("web", texts), witness("list", preview)], 0, "the intact scraped page")
    assert list(result.reference_paragraphs) == texts, "the scraped page's line, cut where the listing breaks it"
    (listing,) = [w for w in result.witnesses if w.witness == "list"]
    assert [(f.kind, f.ref) for f in listing.findings] == [("truncated", i) for i in range(len(texts))]


def test_two_paragraphs_merged_with_a_comma_for_the_full_stop_are_one_merge() -> None:
    texts = [t for t in real_paragraphs()[300:360] if t.endswith("。") and t.count("。") >= 2][:4]
    joined = texts[1][:-1] + "，" + texts[2]  # the second damage model joins paragraphs at a comma
    copy = witness("b", [texts[0], joined, texts[3]])
    findings = align(texts, copy.paragraphs).findings
    assert [(f.kind, f.ref_paragraphs) for f in findings] == [("merged", (1, 2))], findings


def test_one_noisy_sentence_does_not_make_a_flattened_page_a_damaged_copy() -> None:
    from dedup.collate.reference import damage_share

    texts = [t for t in real_paragraphs()[400:460] if t.endswith("。") and t.count("。") >= 3][:4]
    asked = [texts[0].replace("。", "?", 1), *texts[1:]]  # a halfwidth question mark, as a scraped page prints it
    assert damage_share(flat_witness("web", asked)) < 0.2
    assert damage_share(witness("page", asked)) == 0.25, "a paged copy still counts it against one paragraph"


def test_two_pieces_of_one_page_in_a_group_drop_nothing_the_other_piece_holds() -> None:
    texts = list(real_paragraphs()[500:506])
    first = WitnessText("p1", (Span("page.txt", 1, 5),), witness("page", texts[:3]).paragraphs)
    second = WitnessText("p2", (Span("page.txt", 7, 11),), witness("page", texts[3:]).paragraphs)
    result = collate([witness("wire", texts), first, second], 0, "pinned")
    assert all(not w.findings for w in result.witnesses), "the page holds every paragraph, in two pieces"
    elsewhere = replace(second, segments=(Span("other.txt", 7, 11),))  # the same text in another file
    apart = collate([witness("wire", texts), first, elsewhere], 0, "pinned")
    assert [f.kind for f in apart.witnesses[1].findings] == ["dropped"] * 3, "another copy's text is no piece of it"


def test_look_alike_slips_on_both_sides_of_a_comma_of_another_width_are_garbled() -> None:
    from dedup.lookalike import lookalikes

    texts = list(real_paragraphs()[48:54])
    k, at = next(
        (k, m.start() + 1)
        for k, t in enumerate(texts)
        for m in re.finditer("[\u4e00-\u9fff]，[\u4e00-\u9fff]", t)
        if lookalikes(m.group()[0]) and lookalikes(m.group()[2])
    )
    before, after = texts[k][at - 1], texts[k][at + 1]
    copy = list(texts)
    copy[k] = texts[k][: at - 1] + min(lookalikes(before)) + "," + min(lookalikes(after)) + texts[k][at + 2 :]
    (finding,) = align(texts, witness("b", copy).paragraphs).findings
    assert finding.kind == "garbled", "two slips a comma apart are still slips, though the comma changed width"
    (edit,) = finding.edits
    assert edit.ref == before + "，" + after, "the comma is one edit with its neighbours' slips"


def test_a_copy_cut_before_the_base_s_slip_casts_no_vote_for_it() -> None:
    from dedup.collate.consensus import build_consensus
    from dedup.lookalike import lookalikes

    texts = [t for t in real_paragraphs()[60:80] if len(t) > 80][:4]
    k = 0
    at = next(i for i in range(len(texts[k]) - 10, 40, -1) if lookalikes(texts[k][i]))
    slipped = list(texts)
    slipped[k] = texts[k][:at] + min(lookalikes(texts[k][at])) + texts[k][at + 1 :]
    cut = list(texts)
    cut[k] = texts[k][:30]  # the tail, and the place of the slip with it, is lost
    copies = [witness("base", slipped), witness("b", texts), witness("c", texts), witness("cut", cut)]
    paragraphs, reason = build_consensus(copies, 0)
    assert paragraphs[k] == texts[k], "the two copies that print the place mend the base's slip: " + reason
