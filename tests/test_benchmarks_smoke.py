"""Smoke test of the benchmark suite (``python -m benchmarks``) at a tiny size.

It checks that one run produces every table, with sane values and the baseline rows beside dedup's. It never
checks the targets: those are measured by the suite at its default size, not asserted by tests.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from benchmarks.__main__ import main
from benchmarks.accuracy import CLASSES


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("runs") / "out3"  # the layout benchmarks.sweep --runs reads
    corpus = tmp_path_factory.mktemp("corpus")
    code = main(["--size", "6", "--seed", "3", "--repeat", "1", "--out", str(out), "--corpus", str(corpus)])
    assert code == 0
    assert (out / "latest.md").read_text(encoding="utf-8").count("|") > 50
    data: dict[str, Any] = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    return data


def _unit(x: float | None) -> bool:
    return x is None or (0.0 <= x <= 1.0 and not math.isnan(x))


@pytest.mark.slow
def test_machine_and_corpus_are_recorded(result: dict[str, Any]) -> None:
    assert result["schema_version"] == 1
    assert result["machine"]["nproc"] >= 1 and result["machine"]["cpu"]
    assert result["corpus"]["stories"] == 6 and result["corpus"]["files"] > 0
    assert result["elapsed_s"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("data_set", ["corpus_eval", "seeds"])
def test_grouping_table_has_dedup_and_the_document_baseline(result: dict[str, Any], data_set: str) -> None:
    rows = result[data_set]["grouping"]
    assert "dedup" in rows
    assert any(name.startswith("document MinHash LSH") for name in rows)
    for row in rows.values():
        assert _unit(row["precision"]) and _unit(row["recall"])
        assert 0.0 <= row["f1"] <= 1.0
        assert -1.0 <= row["ari"] <= 1.0
        assert row["true_pairs"] <= row["truth_pairs"] and row["true_pairs"] <= row["predicted_pairs"]


@pytest.mark.slow
def test_findings_table_has_every_class_for_dedup_and_difflib(result: dict[str, Any]) -> None:
    findings = result["corpus_eval"]["findings"]
    assert {"dedup", "difflib", "dedup, wire copy as reference"} <= set(findings)
    for method in findings.values():
        assert set(method["classes"]) == set(CLASSES)
        for c in method["classes"].values():
            assert _unit(c["precision"]) and _unit(c["recall"])
            assert c["correct"] <= c["predicted"] and c["found"] <= c["truth"]
    # pinning the wire copy as the reference collates against its text (a collation of empty text would not)
    pinned = findings["dedup, wire copy as reference"]["reference"]
    assert pinned["with_wire_copy"] > 0 and pinned["reference_text_is_wire_text"] > 0
    # difflib has no notion of moved, repeated or noisy text: it never says so
    for cls in ("reordered", "duplicated", "garbled"):
        assert findings["difflib"]["classes"][cls]["predicted"] == 0


@pytest.mark.slow
def test_seed_truth_is_scored(result: dict[str, Any]) -> None:
    seeds = result["seeds"]["findings"]["dedup"]["classes"]
    assert seeds["dropped"]["truth"] == 12
    assert seeds["substituted"]["truth"] == 8
    assert result["seeds"]["grouping"]["dedup"]["truth_pairs"] == 3


@pytest.mark.slow
def test_speed_and_targets_tables(result: dict[str, Any]) -> None:
    speed = result["speed"]
    for what in ("scan", "report", "minhash"):
        assert speed[what]["wall_s"] > 0 and speed[what]["peak_rss_mib"] > 0
    methods = [r["method"] for r in speed["signing"]]
    assert any(m.startswith("dedup") for m in methods)
    assert any(m.startswith("rensa") for m in methods) and any(m.startswith("datasketch") for m in methods)
    assert all(r["docs_per_s"] > 0 for r in speed["signing"])
    names = {t["target"] for t in result["targets"]}
    assert "grouping F1" in names and "garbled recall" in names
    assert all(isinstance(t["met"], bool) for t in result["targets"])


@pytest.mark.slow
def test_sweep_reads_the_run_and_reports_seed_figures(result: dict[str, Any], tmp_path: Path) -> None:
    from benchmarks import sweep

    runs = tmp_path / "runs"
    (runs / "out3").mkdir(parents=True)
    (runs / "out3" / "latest.json").write_text(json.dumps(result), encoding="utf-8")
    assert sweep.main(["--seeds", "3", "--runs", str(runs), "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "seeds.json").read_text(encoding="utf-8"))
    f1 = summary["figures"]["grouping F1"]
    assert f1["worst seed"] == 3 and f1["worst 2-6"] == result["corpus_eval"]["grouping"]["dedup"]["f1"]
    assert "| grouping F1 |" in (tmp_path / "seeds.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_without_out_the_sweep_writes_to_a_new_folder_not_the_committed_results(
    result: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks import sweep
    from benchmarks.__main__ import RESULTS

    committed = {p.name: p.read_bytes() for p in RESULTS.glob("seeds.*")}
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # mkdtemp reads TMPDIR again
    runs = tmp_path / "runs"
    (runs / "out3").mkdir(parents=True)
    (runs / "out3" / "latest.json").write_text(json.dumps(result), encoding="utf-8")
    assert sweep.main(["--seeds", "3", "--runs", str(runs)]) == 0
    written = list(tmp_path.glob("dedup-sweep-out-*/seeds.json"))
    assert len(written) == 1 and str(written[0]) in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in RESULTS.glob("seeds.*")} == committed
