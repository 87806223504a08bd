"""The command line: exit codes, output formats, and the installed ``dedup`` command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from dedup import __version__
from dedup.cli import EXIT_OK, EXIT_USAGE, app

runner = CliRunner()


def test_version_and_help() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == EXIT_OK and __version__ in result.stdout
    result = runner.invoke(app, ["scan", "-h"])
    assert result.exit_code == EXIT_OK and "--num-perm" in result.stdout


def test_normalize_shows_paragraphs_and_notes() -> None:
    result = runner.invoke(app, ["normalize", "seeds/003_192e47560565c690.txt"])
    assert result.exit_code == EXIT_OK
    assert "stripped 345 pinyin annotations" in result.stdout
    assert "湖北省委召开十二届十次全会" in result.stdout.replace("\n", "").replace(" ", "")
    payload = json.loads(runner.invoke(app, ["normalize", "seeds", "--format", "json"]).stdout)
    assert payload["schema_version"] == 1
    assert payload["documents"][0]["path"] == "seeds/000_1eaa65c1cfd94755.txt"
    first = payload["documents"][0]["paragraphs"][0]
    assert (first["start_line"], first["end_line"]) == (1, 4)
    assert first["markers"][0]["kind"] == "continued_from"


def test_scan_json_follows_the_contract() -> None:
    result = runner.invoke(app, ["scan", "seeds", "--format", "json"])
    assert result.exit_code == EXIT_OK
    payload = json.loads(result.stdout)
    assert payload["schema_version"] == 1
    assert [i["status"] for i in payload["inputs"]] == ["ok"] * 5
    (group,) = payload["groups"]
    assert group["id"] == "G1" and group["reference"] in {w["id"] for w in group["witnesses"]}
    segments = sorted([(s["path"], s["start_line"], s["end_line"]) for s in w["segments"]] for w in group["witnesses"])
    assert segments == [
        [("seeds/001_d368fce8cd43ddb5.txt", 3, 55)],
        [("seeds/002_9a75527b5092d3dd.txt", 5, 29), ("seeds/000_1eaa65c1cfd94755.txt", 1, 302)],
    ]
    assert payload["config"]["fingerprint"]["num_perm"] == 128


def test_bad_inputs_are_reported_and_only_all_bad_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02binary")
    result = runner.invoke(app, ["scan", str(tmp_path / "bad.txt"), "seeds", "--format", "json"])
    assert result.exit_code == EXIT_OK
    payload = json.loads(result.stdout)
    bad = next(i for i in payload["inputs"] if i["path"].endswith("bad.txt"))
    assert bad["status"] == "skipped" and "binary" in bad["reason"]
    assert len(payload["groups"]) == 1
    result = runner.invoke(app, ["scan", str(tmp_path / "bad.txt"), str(tmp_path / "missing.txt")])
    assert result.exit_code == EXIT_USAGE
    assert "binary" in result.stderr and "no such file" in result.stderr


def test_usage_errors_exit_2() -> None:
    assert runner.invoke(app, ["scan"]).exit_code == EXIT_USAGE
    assert runner.invoke(app, ["scan", "seeds", "--ngram", "0"]).exit_code == EXIT_USAGE
    assert runner.invoke(app, ["scan", "seeds", "--format", "xml"]).exit_code == EXIT_USAGE


def test_the_installed_command_runs() -> None:
    exe = shutil.which("dedup") or str(Path(sys.executable).with_name("dedup"))
    done = subprocess.run([exe, "scan", "seeds", "--format", "json"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["groups"]) == 1
    done = subprocess.run([exe, "scan", "nowhere"], capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "no such file" in done.stderr


def test_report_json_carries_findings_per_the_contract() -> None:
    result = runner.invoke(app, ["report", "seeds", "--format", "json"])
    assert result.exit_code == EXIT_OK
    (group,) = json.loads(result.stdout)["groups"]
    web = next(w for w in group["witnesses"] if w["id"] != group["reference"])
    kinds = {f["kind"] for f in web["findings"]}
    assert {"substituted", "dropped", "duplicated", "truncated", "merged", "reordered"} <= kinds
    for finding in web["findings"]:
        if finding["kind"] == "dropped":
            assert finding["copy"] is None and finding["ref"]["paragraph"] >= 1
        else:
            assert finding["copy"]["path"] == "seeds/001_d368fce8cd43ddb5.txt"
            assert 3 <= finding["copy"]["start_line"] <= finding["copy"]["end_line"] <= 55
    sub = next(f for f in web["findings"] if any(e["ref"] == "正" and e["copy"] == "导" for e in f["edits"]))
    assert "正向激励" in sub["ref"]["text"] and "导向激励" in sub["copy"]["text"]
    reference = next(w for w in group["witnesses"] if w["id"] == group["reference"])
    assert "reference_reason" in group and reference["findings"] == []
    assert len(web["strip"]) == len(reference["strip"]) and set(reference["strip"]) == {"kept"}


def test_report_with_a_chosen_reference() -> None:
    result = runner.invoke(app, ["report", "seeds", "-f", "json", "--reference", "seeds/001_d368fce8cd43ddb5.txt"])
    (group,) = json.loads(result.stdout)["groups"]
    reference = next(w for w in group["witnesses"] if w["id"] == group["reference"])
    assert reference["segments"][0]["path"] == "seeds/001_d368fce8cd43ddb5.txt"
    assert "--reference" in group["reference_reason"]


def test_report_table_shows_strips_and_diffs() -> None:
    result = runner.invoke(app, ["report", "seeds"], env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert result.exit_code == EXIT_OK
    assert "strip:" in result.stdout and "G1.W1" in result.stdout
    assert "导向" in result.stdout and "\x1b[" not in result.stdout, "plain text when not a terminal"


def test_diff_exit_codes(tmp_path: Path) -> None:
    same = runner.invoke(app, ["diff", "seeds/001_d368fce8cd43ddb5.txt", "seeds/001_d368fce8cd43ddb5.txt"])
    assert same.exit_code == EXIT_OK
    changed = runner.invoke(
        app, ["diff", "seeds/002_9a75527b5092d3dd.txt:25-29", "seeds/000_1eaa65c1cfd94755.txt:9-33", "-f", "json"]
    )
    assert changed.exit_code == 1
    payload = json.loads(changed.stdout)
    edits = [(e["ref"], e["copy"]) for f in payload["findings"] for e in f["edits"]]
    assert ("乡县", "县乡") in edits, "002 prints 市乡县 where 000 prints 市县乡"
    missing = runner.invoke(app, ["diff", str(tmp_path / "none.txt"), "seeds/001_d368fce8cd43ddb5.txt"])
    assert missing.exit_code == EXIT_USAGE and "no such file" in missing.stderr
