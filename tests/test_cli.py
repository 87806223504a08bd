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
