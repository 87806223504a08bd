"""The before/after comparison that backs every "behaviour does not change" claim."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.compare_outputs import compare


def _write(folder: Path, name: str, payload: object, exit_code: int = 0) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(json.dumps(payload).encode() + f"\n[exit {exit_code}]\n".encode())


def test_durations_never_count_but_everything_else_does(tmp_path: Path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    _write(before, "scan.json.out", {"groups": [1], "stats": {"sketch_s": 0.5}})
    _write(after, "scan.json.out", {"groups": [1], "stats": {"sketch_s": 0.7}})
    assert compare(before, after, []) == 0
    _write(after, "scan.json.out", {"groups": [2], "stats": {"sketch_s": 0.7}})
    assert compare(before, after, []) == 1


def test_an_intended_difference_is_ignored_only_where_named(tmp_path: Path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    _write(before, "report.json.out", {"config": {"ngram": 5}, "groups": []})
    _write(after, "report.json.out", {"config": {"ngram": 5, "collate": {"x": 1}}, "groups": []})
    assert compare(before, after, []) == 1
    assert compare(before, after, ["config.collate"]) == 0
    _write(after, "report.json.out", {"config": {"ngram": 4, "collate": {"x": 1}}, "groups": []})
    assert compare(before, after, ["config.collate"]) == 1


def test_exit_codes_and_missing_outputs_count(tmp_path: Path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    _write(before, "diff.out", {"findings": []}, exit_code=0)
    _write(after, "diff.out", {"findings": []}, exit_code=1)
    assert compare(before, after, []) == 1
    _write(after, "diff.out", {"findings": []}, exit_code=0)
    _write(before, "only-before.out", {})
    assert compare(before, after, []) == 1


def test_intended_table_lines_are_dropped_only_where_they_match(tmp_path: Path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    (before / "report.table.out").write_text("G1\n  ¶3 dropped\n\n[exit 0]\n")
    (after / "report.table.out").write_text("G1\n  ¶3 dropped\nlineage G1.W1\n└── G1.W2\n\n[exit 0]\n")
    assert compare(before, after, []) == 1
    assert compare(before, after, [], drop_lines=r"^(lineage |└── )") == 0
    (after / "report.table.out").write_text("G1\n  ¶4 dropped\nlineage G1.W1\n\n[exit 0]\n")
    assert compare(before, after, [], drop_lines=r"^(lineage |└── )") == 1
