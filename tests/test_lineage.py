"""Lineage: hand-built copy trees (chain, fork, lost intermediate, no shared change), the report adapter,
and one run through the real report on a generated chain corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_lineage import copy_of_witness
from benchmarks.chains import generate_chains
from dedup import report
from dedup.lineage import (
    Carried,
    Change,
    CopyChanges,
    FindingRef,
    LineageInput,
    explain_lineage,
    finding_changes,
    infer_lineage,
    lineage_of_group,
)
from dedup.lineage.tree import strength
from dedup.render.json import report_payload

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def word(paragraph: int, old: str, new: str) -> Change:
    """A substituted word: strong evidence (weight 3)."""
    return Change("substituted", paragraph, ("replace", old, new), 3.0)


def cut(paragraph: int, lost: str) -> Change:
    return Change("truncated", paragraph, (lost,), 3.0)


def dropped(paragraph: int) -> Change:
    return Change("dropped", paragraph, (), 1.0)


def copy(witness: str, *changes: Change) -> CopyChanges:
    return CopyChanges(witness, tuple(Carried(c, FindingRef(witness, k)) for k, c in enumerate(changes)))


def parents(data: LineageInput) -> dict[str, str]:
    return {e.child: e.parent for e in infer_lineage(data).edges}


A1, A2 = word(3, "正向", "导向"), cut(5, "坚持把功夫下在平时")
B1, B2 = word(7, "宣传", "言论"), dropped(9)
C1, C2 = word(2, "初衷", "初生"), cut(11, "惩前毖后")


def test_chain_w_a_b_gives_each_copy_its_source() -> None:
    data = LineageInput("G1", "W", (copy("B", A1, A2, B1, B2), copy("A", A1, A2)))
    lineage = infer_lineage(data)
    assert parents(data) == {"A": "W", "B": "A"}
    edge = next(e for e in lineage.edges if e.child == "B")
    # B carries both of A's changes (two strong ones): confident, and the shared findings are B's own
    assert edge.confidence > 0.8
    assert {r.witness for r in edge.shared} == {"B"} and len(edge.shared) == 2


def test_fork_hangs_both_copies_from_the_root() -> None:
    data = LineageInput("G1", "W", (copy("A", A1, A2), copy("B", B1, B2)))
    assert parents(data) == {"A": "W", "B": "W"}


def test_lost_intermediate_is_an_unseen_node_with_its_own_id() -> None:
    # B and C share A1, A2 (a lost copy's changes) that neither W nor A has
    data = LineageInput(
        "G3", "W", (copy("A", C1, C2), copy("B", A1, A2, B1, B2), copy("C", A1, A2, word(4, "市县乡", "市乡县")))
    )
    lineage = infer_lineage(data)
    assert lineage.intermediates == ("G3.X1",)
    assert parents(data) == {"A": "W", "G3.X1": "W", "B": "G3.X1", "C": "G3.X1"}
    to_x = next(e for e in lineage.edges if e.child == "G3.X1")
    assert to_x.confidence == pytest.approx(strength(6.0))
    assert {r.witness for r in to_x.shared} == {"B", "C"}


def test_no_shared_change_hangs_everything_from_the_root_with_low_confidence() -> None:
    data = LineageInput("G1", "W", (copy("A", A1), copy("B", B1), copy("C", C1, C2)))
    lineage = infer_lineage(data)
    assert {e.parent for e in lineage.edges} == {"W"}
    assert all(e.confidence <= 0.3 and not e.shared for e in lineage.edges)


def test_a_copy_lacking_one_of_its_candidate_sources_changes_is_not_its_child() -> None:
    # B lacks A2 (a strong change of A): A is a sibling, not B's source
    data = LineageInput("G1", "W", (copy("A", A1, A2, B2), copy("B", A1, B1, B2, dropped(4))))
    assert parents(data)["B"] != "A"


def test_weak_evidence_alone_does_not_make_a_parent() -> None:
    """Two copies that dropped the same last paragraph (what most copies do) stay apart."""
    last = Change("dropped", 12, (), 0.3)
    data = LineageInput("G1", "W", (copy("A", last), copy("B", last, B1)))
    assert parents(data) == {"A": "W", "B": "W"}


def test_deeper_chain_picks_the_closest_ancestor() -> None:
    data = LineageInput("G1", "W", (copy("C", A1, A2, B1, B2, C1, C2), copy("A", A1, A2), copy("B", A1, A2, B1, B2)))
    assert parents(data) == {"A": "W", "B": "A", "C": "B"}


# --- the adapter from the report's JSON ---------------------------------------------------------------------


def finding(kind: str, paragraph: int | None, **extra: Any) -> dict[str, Any]:
    ref = None if paragraph is None else {"paragraph": paragraph, "text": extra.pop("ref_text", "")}
    return {"kind": kind, "ref": ref, "copy": extra.pop("copy", None), "edits": extra.pop("edits", []), **extra}


def sub(paragraph: int, old: str, new: str) -> dict[str, Any]:
    return finding("substituted", paragraph, edits=[{"op": "replace", "ref": old, "copy": new, "at": 3}])


def witness(wid: str, *findings: dict[str, Any], paragraphs: int = 12) -> dict[str, Any]:
    return {"id": wid, "segments": [], "findings": list(findings), "strip": ["kept"] * paragraphs}


def test_two_copy_group_has_no_lineage_and_says_why() -> None:
    group = {"id": "G1", "reference": "G1.W1", "witnesses": [witness("G1.W1"), witness("G1.W2", sub(3, "甲", "乙"))]}
    assert lineage_of_group(group) is None
    reason = explain_lineage(group).reason
    assert "2 copies" in reason and "at least 3" in reason


def test_report_group_json_gives_the_chain_and_cites_findings() -> None:
    shared = sub(3, "正向", "导向")
    group = {
        "id": "G2",
        "reference": "G2.W1",
        "witnesses": [
            witness("G2.W1"),
            witness("G2.W2", shared, finding("dropped", 5)),
            witness("G2.W3", finding("dropped", 5), shared, sub(8, "宣传", "言论")),
        ],
    }
    tree = lineage_of_group(group)
    assert tree is not None and tree["root"] == "G2.W1"
    edges = {e["child"]: e for e in tree["edges"]}
    assert edges["G2.W2"]["parent"] == "G2.W1" and edges["G2.W3"]["parent"] == "G2.W2"
    # strongest first: the substituted word (finding 1 of W3), then the dropped paragraph (finding 0)
    assert edges["G2.W3"]["shared"] == [{"witness": "G2.W3", "finding": 1}, {"witness": "G2.W3", "finding": 0}]
    json.dumps(tree)  # plain JSON


def test_consensus_group_is_rooted_at_the_least_changed_copy() -> None:
    group = {
        "id": "G4",
        "reference": "consensus",
        "consensus": {"paragraphs": ["x"] * 12},
        "witnesses": [
            witness("G4.W1", sub(3, "正向", "导向"), sub(6, "初衷", "初生")),
            witness("G4.W2", sub(3, "正向", "导向"), sub(6, "初衷", "初生"), sub(8, "宣传", "言论")),
            witness("G4.W3"),
        ],
    }
    outcome = explain_lineage(group)
    assert outcome.lineage is not None and outcome.lineage.root == "G4.W3"
    assert "consensus" in outcome.reason
    assert outcome.lineage.parent_of("G4.W2") == "G4.W1"


def test_same_change_matches_across_script_width_and_pinyin() -> None:
    simplified = finding_changes(sub(3, "宣传", "言论"), 12)
    traditional = finding_changes(sub(3, "宣傳", "言(yán)論"), 12)
    assert simplified == traditional


def test_cut_at_a_sentence_end_weighs_less_than_a_cut_mid_sentence() -> None:
    text = "第一句话。第二句话写到一半"
    at_end = finding_changes(finding("truncated", 4, ref_text=text, lost="第二句话写到一半"), 12)[0]
    mid = finding_changes(finding("truncated", 4, ref_text=text, lost="写到一半"), 12)[0]
    assert at_end.weight < mid.weight


def test_dropped_last_paragraph_is_weak() -> None:
    last = finding_changes(finding("dropped", 12), 12)[0]
    middle = finding_changes(finding("dropped", 6), 12)[0]
    assert last.weight < middle.weight


# --- end to end --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_seeds_report_has_no_lineage_for_its_two_copy_group() -> None:
    payload = report_payload(report([str(SEEDS)]))
    (group,) = payload["groups"]
    assert len(group["witnesses"]) == 2
    assert lineage_of_group(group) is None
    assert "needs at least 3" in explain_lineage(group).reason


@pytest.mark.slow
def test_generated_chain_through_the_real_report(tmp_path: Path) -> None:
    truth = generate_chains(tmp_path, stories=3, seed=7)
    story = next(s for s in truth.stories if s.shape == "lost")
    wire = truth.corpus.find_copy(story.root)
    payload = report_payload(report([str(tmp_path)], reference=str(tmp_path / wire.segments[0].path)))

    group = next(g for g in payload["groups"] if any(copy_of_witness(w, truth) == story.root for w in g["witnesses"]))
    names = {w["id"]: copy_of_witness(w, truth) for w in group["witnesses"]}
    tree = lineage_of_group(group)
    assert tree is not None and names[tree["root"]] == story.root
    lost = next(c.id for c in story.copies if c.lost)
    stand_ins = {x: lost for x in tree["intermediates"]}
    children = [names[e["child"]] for e in tree["edges"] if e["child"] in names]
    written = sorted(c.id for c in story.copies if c.parent is not None and not c.lost)
    assert sorted(children) == written  # every copy placed once
    right = sum(
        names.get(e["parent"], stand_ins.get(e["parent"])) == story.parent_of(names[e["child"]])
        for e in tree["edges"]
        if e["child"] in names
    )
    from_root = sum(story.parent_of(c) == story.root for c in written)  # what "all from the reference" gets
    assert right >= from_root + 2, (right, from_root, len(written))


def test_a_merge_the_child_does_not_show_again_does_not_break_the_chain() -> None:
    """Paragraph boundaries are read off each copy's own layout: a copy of a copy may not show its source's
    merge, and still descends from it."""
    merged = Change("merged", 2, (2, 3), 0.7, undoable=True)
    data = LineageInput("G1", "W", (copy("A", A1, A2), copy("B", A1, A2, merged, B1), copy("C", A1, A2, B1, C1, C2)))
    assert parents(data) == {"A": "W", "B": "A", "C": "B"}


def test_the_report_carries_lineage_in_json_and_terminal_and_can_leave_it_out(tmp_path: Path) -> None:
    """Wired into ``dedup report``: JSON ``lineage`` per group (null with the reason for two copies), a tree in
    the terminal, and ``--no-lineage`` leaves both out."""
    from typer.testing import CliRunner

    from dedup.cli import app

    seeds = str(Path(__file__).resolve().parent.parent / "seeds")
    runner = CliRunner()
    payload = json.loads(runner.invoke(app, ["report", seeds, "--format", "json", "-q"]).stdout)
    (group,) = payload["groups"]
    assert group["lineage"] is None and "2 copies" in group["lineage_reason"]
    bare = json.loads(runner.invoke(app, ["report", seeds, "--format", "json", "-q", "--no-lineage"]).stdout)
    assert "lineage" not in bare["groups"][0]

    generate_chains(tmp_path, stories=3, seed=7)
    chained = json.loads(runner.invoke(app, ["report", str(tmp_path), "--format", "json", "-q"]).stdout)
    trees = [g["lineage"] for g in chained["groups"] if g["lineage"] is not None]
    assert trees, "a corpus of copy chains has groups of three or more copies"
    for tree in trees:
        ids = {w["id"] for g in chained["groups"] for w in g["witnesses"]} | set(tree["intermediates"])
        assert all(e["parent"] in ids and e["child"] in ids for e in tree["edges"])
    table = runner.invoke(app, ["report", str(tmp_path), "-q"], env={"NO_COLOR": "1", "COLUMNS": "120"}).stdout
    assert table.count("lineage ") >= len(trees) and "confidence" in table


def test_lineages_of_a_report_read_its_findings_unquoted_and_agree_with_its_json(tmp_path: Path) -> None:
    """``api.lineages`` reads each group without quoting it (the renderer quotes once); the trees are those
    of the printed JSON, which is what lineage's contract is."""
    from dedup import api
    from dedup.render.json import report_group_to_dict

    generate_chains(tmp_path, stories=3, seed=7)
    result = report([str(tmp_path)])
    outcomes = api.lineages(result)
    assert any(o.lineage is not None for o in outcomes.values())
    for group in result.groups:
        assert outcomes[group.group.id] == explain_lineage(report_group_to_dict(group))


def test_a_long_shared_edit_is_cut_short_in_the_terminal_label() -> None:
    from dedup.collate.records import Finding, TextEdit
    from dedup.render.lineage_tree import QUOTE_CHARS, describe_change

    long_edit = TextEdit("replace", "坚持把功夫下在平时防患于未然", "坚持把工夫用在日常防微杜渐", 0)
    label = describe_change(Finding("substituted", 4, "坚持把功夫下在平时防患于未然", None, None, (long_edit,)))
    old, new = label.split(" ", 2)[2].split("→")
    assert label.startswith("substituted ¶5 ") and old.endswith("…") and new.endswith("…")
    assert len(old) == len(new) == QUOTE_CHARS


def furniture(witness: str) -> Change:
    """A line of a copy's page (an address, a copyright notice) reported as an added paragraph."""
    return Change("added", None, (f"本报地址{witness}",), 3.0, undoable=True)


def test_a_line_of_the_parents_page_its_copy_lacks_does_not_break_the_chain() -> None:
    """The parent's page furniture outweighs the child's own changes in plain weight, and the child lacks it:
    the parent is still found, since an undoable change counts only in part in the order and the child may
    lack one of them."""
    data = LineageInput("G1", "W", (copy("A", A1, furniture("A")), copy("B", A1, B2), copy("C", A1, A2, B1, C1)))
    assert parents(data) == {"A": "W", "B": "A", "C": "A"}


def test_siblings_each_with_a_foreign_paragraph_are_not_each_others_parents() -> None:
    """Lacking one undoable change is tolerated, not two: B's two foreign paragraphs keep it from passing for
    the parent of C, which shares only A's changes with it."""
    b1, b2 = furniture("B1"), furniture("B2")
    data = LineageInput("G1", "W", (copy("A", A1, A2), copy("B", A1, A2, b1, b2), copy("C", A1, A2, C1, C2)))
    assert parents(data) == {"A": "W", "B": "A", "C": "A"}


def test_a_long_insertion_counts_as_the_added_paragraph_it_is() -> None:
    """Collation may glue an inherited foreign paragraph to its neighbour and report a long insertion: it must
    match the same paragraph reported as added in the source."""
    text = "办实事切忌短期行为要多做前人栽树后人乘凉的基础工作"
    added = {"kind": "added", "ref": None, "copy": {"text": text}, "edits": []}
    glued = {
        "kind": "garbled",
        "ref": {"paragraph": 2, "text": "高邑西部属于丘陵旱区"},
        "edits": [{"op": "insert", "ref": "", "copy": text}],
    }
    (as_added,) = finding_changes(added, 9)
    (as_insert,) = finding_changes(glued, 9)
    assert as_insert == as_added and as_insert.undoable
    short = {**glued, "edits": [{"op": "insert", "ref": "", "copy": "基础"}]}
    assert finding_changes(short, 9)[0].kind == "garbled"


def test_a_cut_paragraph_glued_to_the_next_matches_the_same_cut_shown_plainly() -> None:
    """Unwrapping one copy's page joined the short head of a cut paragraph to the next paragraph: collation
    reports a dropped paragraph and an insertion. Lineage reads it as the cut that another copy shows."""
    from dedup.lineage.changes import lineage_input

    third = "老队长丁安庆说：“要跳好空中芭蕾，必须要有勇于献身的精神。”"
    fourth = "１９９５年盛夏，经过不到一年的理论改装准备的表演队，终于进行到新机的实装训练阶段了。"
    glued = [
        {"kind": "dropped", "ref": {"paragraph": 3, "text": third}, "copy": None, "edits": []},
        {
            "kind": "substituted",
            "ref": {"paragraph": 4, "text": fourth},
            "edits": [{"op": "insert", "ref": "", "copy": "老队长丁安庆说：“要跳好空中"}],
        },
    ]
    plain = [{"kind": "truncated", "ref": {"paragraph": 3, "text": third}, "lost": "芭蕾，必须要有勇于献身的精神。”"}]
    witnesses = [
        {"id": "G1.W1", "findings": []},
        {"id": "G1.W2", "findings": glued},
        {"id": "G1.W3", "findings": plain},
    ]
    data = lineage_input({"id": "G1", "reference": "G1.W1", "witnesses": witnesses})
    assert not isinstance(data, str)
    sets = {c.witness: c.change_set() for c in data.copies}
    assert sets["G1.W2"] == sets["G1.W3"] and len(sets["G1.W2"]) == 1
    (change,) = sets["G1.W2"]
    assert change.kind == "truncated" and change.weight == 3.0  # cut mid-sentence


def test_a_long_replaced_stretch_counts_as_the_cut_it_is() -> None:
    """One copy shows a paragraph's tail cut; its copy, whose neighbour's text was glued where the tail was,
    shows a long replacement of the same letters: both are that cut."""
    tail = "钟塔向全校师生发出课间钟声时刻告诫学子们要珍惜时间努力用功"
    text = "记者漫步校园，只见广场上有升旗台。" + tail
    cut_plainly = {"kind": "truncated", "ref": {"paragraph": 3, "text": text}, "lost": tail}
    replaced = {
        "kind": "substituted",
        "ref": {"paragraph": 3, "text": text},
        "edits": [{"op": "replace", "ref": tail, "copy": "镜头之一"}],
    }
    (plain,) = finding_changes(cut_plainly, 9)
    (as_replace,) = finding_changes(replaced, 9)
    assert as_replace == plain and as_replace.kind == "truncated"
    word_change = {**replaced, "edits": [{"op": "replace", "ref": "钟塔", "copy": "钟楼"}]}
    assert finding_changes(word_change, 9)[0].kind == "substituted"
