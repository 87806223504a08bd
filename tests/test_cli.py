"""The command line: exit codes, output formats, and the installed ``dedup`` command."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

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
    assert payload["schema_version"] == 3
    assert payload["documents"][0]["path"] == "seeds/000_1eaa65c1cfd94755.txt"
    first = payload["documents"][0]["paragraphs"][0]
    assert (first["index"], first["start_line"], first["end_line"]) == (1, 1, 4)  # paragraphs count from 1
    assert first["markers"][0]["kind"] == "continued_from"


def test_scan_json_follows_the_contract() -> None:
    result = runner.invoke(app, ["scan", "seeds", "--format", "json"])
    assert result.exit_code == EXIT_OK
    payload = json.loads(result.stdout)
    assert payload["schema_version"] == 3
    assert [i["status"] for i in payload["inputs"]] == ["ok"] * 5
    (group,) = payload["groups"]
    assert re.fullmatch(r"g[0-9a-f]{7}", group["id"]) and group["reference"] in {w["id"] for w in group["witnesses"]}
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
    sub = next(f for f in web["findings"] if any(e["ref"] == "正向" and e["copy"] == "导向" for e in f["edits"]))
    assert "正向激励" in sub["ref"]["text"] and "导向激励" in sub["copy"]["text"]
    reference = next(w for w in group["witnesses"] if w["id"] == group["reference"])
    assert "reference_reason" in group and reference["findings"] == []
    assert len(web["strip"]) == len(reference["strip"]) and set(reference["strip"]) == {"kept"}


def test_report_json_quotes_each_documents_own_text() -> None:
    """``ref.text``, ``copy.text``, ``lost`` and the edits are the files' own text (``，`` stays ``，``); the
    reference side says where it is quoted from, and each edit where it stands in both texts."""
    (group,) = json.loads(runner.invoke(app, ["report", "seeds", "-f", "json"]).stdout)["groups"]
    web = next(w for w in group["witnesses"] if w["id"] != group["reference"])
    for finding in web["findings"]:
        ref, copy = finding["ref"], finding["copy"]
        if ref is not None:
            assert ref["quoted_from"]["path"] in {"seeds/002_9a75527b5092d3dd.txt", "seeds/000_1eaa65c1cfd94755.txt"}
            assert "," not in ref["text"], "the reference copies print full-width commas"
        for edit in finding["edits"]:
            assert ref["text"][edit["at"] : edit["at"] + len(edit["ref"])] == edit["ref"]
            assert copy["text"][edit["copy_at"] : edit["copy_at"] + len(edit["copy"])] == edit["copy"]
    dropped = next(f for f in web["findings"] if f["kind"] == "dropped")
    assert dropped["ref"]["quoted_from"]["start_line"] >= 1 and dropped["copy"] is None
    merged = next(f for f in web["findings"] if f["kind"] == "merged")
    assert [p["paragraph"] for p in merged["ref"]["parts"]] == merged["ref_paragraphs"]


def test_report_with_a_chosen_reference() -> None:
    result = runner.invoke(app, ["report", "seeds", "-f", "json", "--reference", "seeds/001_d368fce8cd43ddb5.txt"])
    (group,) = json.loads(result.stdout)["groups"]
    reference = next(w for w in group["witnesses"] if w["id"] == group["reference"])
    assert reference["segments"][0]["path"] == "seeds/001_d368fce8cd43ddb5.txt"
    assert "--reference" in group["reference_reason"]


def test_report_table_shows_strips_and_diffs() -> None:
    result = runner.invoke(app, ["report", "seeds"], env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert result.exit_code == EXIT_OK
    assert "strip:" in result.stdout and ".W1 " in result.stdout
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


# --- plain text, escaping, help ------------------------------------------------------------------------------

PLAIN = {"NO_COLOR": "1", "COLUMNS": "200"}
WEB = "seeds/001_d368fce8cd43ddb5.txt"
PAGE1 = "seeds/002_9a75527b5092d3dd.txt"
PAGE3 = "seeds/000_1eaa65c1cfd94755.txt"


def test_plain_output_marks_removed_and_added_text() -> None:
    report = runner.invoke(app, ["report", "seeds"], env=PLAIN)
    assert report.exit_code == EXIT_OK
    assert "加油鼓劲的[-正向-]{+导向+}激励体系" in report.stdout, "which text went and which came stays readable"
    assert "不[-担当不作为-]{+作为不担当+}⚑name" in report.stdout
    assert "加强[-宣传-]{+言论+}引导" in report.stdout
    diff = runner.invoke(app, ["diff", f"{PAGE1}:25-29", f"{PAGE3}:9-33"], env=PLAIN)
    assert diff.exit_code == 1
    assert "市[-乡县-]{+县乡+}⚑name领导干部" in diff.stdout
    assert "\x1b[" not in report.stdout + diff.stdout


def test_terminal_output_keeps_colours_and_no_markers() -> None:
    env = {"FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "200", "NO_COLOR": None}
    diff = runner.invoke(app, ["diff", f"{PAGE1}:25-29", f"{PAGE3}:9-33"], env=env)  # type: ignore[arg-type]
    assert diff.exit_code == 1
    assert "\x1b[9;31m乡县\x1b[0m\x1b[32m县乡\x1b[0m" in diff.stdout, "struck-through red, then green"
    assert "[-" not in diff.stdout and "{+" not in diff.stdout


def test_user_strings_in_messages_are_printed_as_given(tmp_path: Path) -> None:
    result = runner.invoke(app, ["diff", f"{PAGE1}:abc", PAGE1])
    assert result.exit_code == EXIT_USAGE
    assert f"{PAGE1}:abc" in result.stderr and "🔤" not in result.stderr
    assert "not a line range" in result.stderr
    odd = str(tmp_path / ":smile: [bold]x[/bold].txt")
    result = runner.invoke(app, ["diff", odd, WEB])
    assert result.exit_code == EXIT_USAGE
    assert f"{odd}: no such file or directory" in result.stderr.replace("\n", "")
    result = runner.invoke(app, ["scan", odd])
    assert result.exit_code == EXIT_USAGE and odd in result.stderr.replace("\n", "")
    named = tmp_path / ":smile: [b]x.txt"
    named.write_text(Path(PAGE1).read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["normalize", str(named)], env={"COLUMNS": "300"})
    assert result.exit_code == EXIT_OK and str(named) in result.stdout


def test_help_shows_path_arguments_and_valueless_flags() -> None:
    result = runner.invoke(app, ["normalize", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == EXIT_OK
    usage = next(line for line in result.stdout.splitlines() if "Usage:" in line)
    assert "normalize [OPTIONS] PATH..." in usage, "the argument by its metavar, as Unix help writes it"
    quiet = next(line for line in result.stdout.splitlines() if "--quiet" in line)
    assert "<bool>" not in quiet, "a flag takes no value"
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert result.exit_code == EXIT_OK
    version = next(line for line in result.stdout.splitlines() if "--version" in line)
    assert "<bool>" not in version
    result = runner.invoke(app, ["diff", "--help"], env={"COLUMNS": "120"})
    assert "diff [OPTIONS] REFERENCE COPY" in result.stdout


# --- tuning options: one definition, every command that scans ------------------------------------------------


def _tuning_options(*command: str) -> list[str]:
    """The options listed in the Tuning panel of ``dedup COMMAND --help``."""
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "150", "NO_COLOR": "1"})
    assert result.exit_code == EXIT_OK, result.stdout
    lines = result.stdout.splitlines()
    start = next(k for k, line in enumerate(lines) if "─ Tuning ─" in line)
    options: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("╰"):
            break
        options += [word for word in line.strip("│ ").split() if word.startswith("--")]
    return options


def test_every_command_that_scans_lists_the_same_tuning_options() -> None:
    scan = _tuning_options("scan")
    assert scan == ["--ngram", "--num-perm", "--threshold", "--no-unwrap", "--no-t2s"]
    for command in (["report"], ["check"], ["index", "build"], ["index", "add"]):
        assert _tuning_options(*command) == scan, command
    assert _tuning_options("normalize") == ["--no-unwrap", "--no-t2s"], "what normalization may do, no more"


def _witnesses(payload: dict[str, Any]) -> list[list[tuple[str, int, int]]]:
    return sorted(
        [(s["path"], s["start_line"], s["end_line"]) for s in w["segments"]]
        for g in payload["groups"]
        for w in g["witnesses"]
    )


def test_scan_and_report_group_the_same_with_the_same_options() -> None:
    tuned = ["--threshold", "0.9", "--ngram", "4"]
    scan = json.loads(runner.invoke(app, ["scan", "seeds", "-f", "json", *tuned]).stdout)
    report = json.loads(runner.invoke(app, ["report", "seeds", "-f", "json", *tuned]).stdout)
    default = json.loads(runner.invoke(app, ["scan", "seeds", "-f", "json"]).stdout)
    assert _witnesses(scan) == _witnesses(report)
    assert _witnesses(scan) != _witnesses(default), "the options change what is grouped"
    assert scan["config"] == report["config"] and report["config"]["fingerprint"]["ngram"] == 4
    assert report["config"]["candidates"]["threshold"] == 0.9


def test_settings_without_a_banding_are_a_usage_error() -> None:
    result = runner.invoke(app, ["scan", "seeds", "--num-perm", "16", "--threshold", "0.95"])
    assert result.exit_code == EXIT_USAGE
    assert "raise --num-perm or lower --threshold" in result.output and "Traceback" not in result.output


def test_an_index_refuses_a_check_made_with_other_settings(tmp_path: Path) -> None:
    index = str(tmp_path / "held.sqlite")
    built = runner.invoke(app, ["index", "build", PAGE1, PAGE3, "--index", index, "--ngram", "4", "-q"])
    assert built.exit_code == EXIT_OK, built.output
    refused = runner.invoke(app, ["check", WEB, "--index", index, "-f", "json"])
    assert refused.exit_code == EXIT_USAGE and refused.stdout == ""
    assert "fingerprint.ngram is 4 in the index but 5 here" in refused.stderr.replace("\n", "")
    added = runner.invoke(app, ["index", "add", WEB, "--index", index, "-q"])
    assert added.exit_code == EXIT_USAGE and "fingerprint.ngram is 4" in added.stderr.replace("\n", "")
    checked = runner.invoke(app, ["check", WEB, "--index", index, "--ngram", "4", "-f", "json"])
    assert checked.exit_code == EXIT_OK, checked.stderr
    assert json.loads(checked.stdout)["config"]["fingerprint"]["ngram"] == 4
    info = runner.invoke(app, ["index", "info", "--index", index, "-f", "json"])
    assert info.exit_code == EXIT_OK, "info describes an index whatever its settings"
    assert json.loads(info.stdout)["settings"]["fingerprint"]["ngram"] == 4


# --- --reference --------------------------------------------------------------------------------------------


def test_a_reference_that_does_not_exist_is_an_error() -> None:
    result = runner.invoke(app, ["report", "seeds", "--reference", "/nonexistent"])
    assert result.exit_code == EXIT_USAGE
    assert "--reference /nonexistent: no such file or directory" in result.stderr
    assert result.stdout == ""


def test_a_reference_in_no_group_is_a_warning_and_the_report_goes_on() -> None:
    other = "seeds/004_948372db0ecee0b3.txt"  # read, but a different article: in no group
    result = runner.invoke(app, ["report", "seeds", "--reference", other, "-f", "json"])
    assert result.exit_code == EXIT_OK
    assert f"warning: --reference {other} is not a witness of any group" in result.stderr.replace("\n", "")
    payload = json.loads(result.stdout)
    assert len(payload["groups"]) == 1 and payload["warnings"] == [
        f"--reference {other} is not a witness of any group; each group was collated against its own best copy"
    ]
    result = runner.invoke(app, ["report", PAGE1, PAGE3, WEB, "--reference", other, "-f", "jsonl", "-q"])
    assert result.exit_code == EXIT_OK
    warnings = [r for r in map(json.loads, result.stdout.splitlines()) if r["type"] == "warning"]
    assert len(warnings) == 1 and "is not among the inputs read" in warnings[0]["message"]
    assert "warning:" in result.stderr, "--quiet hides progress, not a warning about the command itself"


def test_a_reference_spelled_differently_still_counts() -> None:
    result = runner.invoke(app, ["report", "seeds", "-f", "json", "--reference", f"./seeds/../{WEB}"])
    assert result.exit_code == EXIT_OK and result.stderr == ""
    payload = json.loads(result.stdout)
    (group,) = payload["groups"]
    reference = next(w for w in group["witnesses"] if w["id"] == group["reference"])
    assert reference["segments"][0]["path"] == WEB and payload["warnings"] == []


# --- JSON Lines ---------------------------------------------------------------------------------------------


def _lines(stdout: str) -> list[dict[str, object]]:
    lines = stdout.splitlines()
    assert lines, "some output"
    return [json.loads(line) for line in lines]  # each line is a whole JSON object


def test_jsonl_is_one_object_per_line_and_accounts_for_every_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    for command in (["scan"], ["report"], ["normalize"]):
        result = runner.invoke(app, [*command, "seeds", str(bad), "-f", "jsonl", "-q"])
        assert result.exit_code == EXIT_OK, command
        assert result.stderr == "", "quiet"
        records = _lines(result.stdout)
        kinds = [r["type"] for r in records]
        assert kinds[0] == "config" and records[0]["schema_version"] == 3 and "fingerprint" in records[0]["config"]
        assert kinds[1:7] == ["input"] * 6 and "input" not in kinds[7:], "inputs next, one per input"
        skipped = [r for r in records if r["type"] == "input" and r["status"] == "skipped"]
        assert [(r["path"], "binary" in str(r["reason"])) for r in skipped] == [(str(bad), True)]
        if command == ["normalize"]:
            assert set(kinds[7:]) == {"document"}
        elif command == ["scan"]:  # the corpus summary, then the groups
            assert kinds[7] == "summary" and set(kinds[8:]) == {"group"}
        else:  # each group, then its findings one per line
            assert kinds[7:9] == ["summary", "group"] and set(kinds[9:]) == {"finding"}


def test_report_jsonl_has_one_line_per_finding_the_json_holds() -> None:
    payload = json.loads(runner.invoke(app, ["report", "seeds", "-f", "json"]).stdout)
    records = _lines(runner.invoke(app, ["report", "seeds", "-f", "jsonl"]).stdout)
    nested = [
        {"group": g["id"], "witness": w["id"], **f}
        for g in payload["groups"]
        for w in g["witnesses"]
        for f in w["findings"]
    ]
    lines = [{k: v for k, v in r.items() if k != "type"} for r in records if r["type"] == "finding"]
    assert lines == nested and len(lines) > 10
    groups = [r for r in records if r["type"] == "group"]
    assert all("findings" not in w for g in groups for w in g["witnesses"]), "findings are on their own lines"


def test_diff_jsonl_is_one_line_per_record() -> None:
    result = runner.invoke(app, ["diff", f"{PAGE1}:25-29", f"{PAGE3}:9-33", "-f", "jsonl"])
    assert result.exit_code == 1
    config, first, second, diff = _lines(result.stdout)
    assert config["type"] == "config"
    assert (first["type"], first["path"], first["status"]) == ("input", PAGE1, "ok")
    assert (second["type"], second["path"], second["encoding"]) == ("input", PAGE3, "utf-8")
    assert diff["type"] == "diff" and diff["reference"] == f"{PAGE1}:25-29" and diff["findings"]
    result = runner.invoke(app, ["diff", "seeds/none.txt", WEB, "-f", "jsonl"])
    assert result.exit_code == EXIT_USAGE
    _, missing, ok, error = _lines(result.stdout)
    assert (missing["status"], missing["reason"], ok["status"]) == ("skipped", "no such file or directory", "ok")
    assert error["type"] == "error"


def test_check_jsonl_is_one_line_per_record(tmp_path: Path) -> None:
    index = str(tmp_path / "held.sqlite")
    assert runner.invoke(app, ["index", "build", PAGE1, PAGE3, "--index", index, "-q"]).exit_code == EXIT_OK
    result = runner.invoke(app, ["check", WEB, str(tmp_path / "gone.txt"), "--index", index, "-f", "jsonl", "-q"])
    assert result.exit_code == EXIT_OK
    records = _lines(result.stdout)
    assert [r["type"] for r in records[:3]] == ["config", "input", "input"] and records[2]["status"] == "skipped"
    assert records[-1]["type"] == "summary" and records[-1]["passed"] is True
    assert {r["type"] for r in records[3:-1]} <= {"group", "finding", "drop"}
    assert [r["path"] for r in records if r["type"] == "drop"] == [WEB]


# --- the coverage strip shows reordering --------------------------------------------------------------------


def test_the_strip_marks_reordered_paragraphs_on_a_second_row() -> None:
    payload = json.loads(runner.invoke(app, ["report", "seeds", "-f", "json"]).stdout)
    (group,) = payload["groups"]
    web = next(w for w in group["witnesses"] if w["id"] != group["reference"])
    moved = sorted({f["ref"]["paragraph"] - 1 for f in web["findings"] if f["kind"] == "reordered"})
    assert len(moved) == 13

    table = runner.invoke(app, ["report", "seeds"], env=PLAIN).stdout.splitlines()
    assert any("r reordered (row under the strip)" in line for line in table), "the legend says how to read it"
    pad = max(10, len(web["id"]) + 4)  # the label column: two spaces, the longest witness id, two spaces
    at = next(k for k, line in enumerate(table) if line.startswith(f"  {web['id']}  "))
    strip, row = table[at][pad:], table[at + 1]
    assert len(strip.replace(" ", "")) == len(web["strip"]) and "r" not in strip
    cells = [k - k // 11 for k, ch in enumerate(row[pad:]) if ch == "r"]  # blocks of 10, a space between
    assert row[:pad].strip() == "" and cells == moved
    assert set(row[pad:]) <= {"r", " "}
    reference_row = table[at + 2] if table[at + 2].startswith(f"  {group['id']}.") else table[at - 1]
    assert "r" not in reference_row[pad:], "the reference moved nothing: no second row for it"


# --- JSONL documents by FILE#ID -----------------------------------------------------------------------------


def _drop(tmp_path: Path) -> Path:
    page1 = Path(PAGE1).read_text(encoding="utf-8")
    web = Path(WEB).read_text(encoding="utf-8")
    lines = [
        {"id": "a", "text": page1},
        {"id": "b", "text": web},
        {"id": "a", "text": web},  # a repeated id: line 3
        {"id": 7, "text": "新华社北京8月22日电。" * 3},
        {"text": "没有编号的一行。" * 3},
        {"text": "第七行，也没有编号。" * 3},  # line 6 (blank line 6 below makes it 7)
    ]
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in lines[:5]) + "\n\n"
    text += json.dumps(lines[5], ensure_ascii=False) + "\n"
    path = tmp_path / "drop.jsonl"
    path.write_text(text, encoding="utf-8")
    return path


def test_diff_takes_a_jsonl_document_by_its_path(tmp_path: Path) -> None:
    drop = _drop(tmp_path)
    by_id = runner.invoke(app, ["diff", f"{drop}#a", f"{drop}#b", "-f", "json"])
    assert by_id.exit_code == 1, by_id.stderr
    payload = json.loads(by_id.stdout)
    assert [i["path"] for i in payload["inputs"]] == [f"{drop}#a", f"{drop}#b"]
    files = json.loads(runner.invoke(app, ["diff", PAGE1, WEB, "-f", "json"]).stdout)
    assert [f["kind"] for f in payload["findings"]] == [f["kind"] for f in files["findings"]]
    ranged = runner.invoke(app, ["diff", f"{drop}#a:25-29", f"{drop}#a:25", "-f", "json"])
    assert ranged.exit_code in (0, 1), ranged.stderr
    assert json.loads(ranged.stdout)["copy"] == f"{drop}#a:25"
    missing = runner.invoke(app, ["diff", f"{drop}#zz", f"{drop}#a"])
    assert missing.exit_code == EXIT_USAGE and f"no document #zz in {drop}" in missing.stderr.replace("\n", "")
    whole = runner.invoke(app, ["diff", str(drop), f"{drop}#a"])
    assert whole.exit_code == EXIT_USAGE and "name one as FILE#ID" in whole.stderr
    urns = tmp_path / "urns.jsonl"  # an id may hold a colon: the whole argument names it first
    urns.write_text(json.dumps({"id": "news:25", "text": Path(PAGE1).read_text(encoding="utf-8")}) + "\n")
    colon = runner.invoke(app, ["diff", f"{urns}#news:25", PAGE1, "-f", "json"])
    assert colon.exit_code == EXIT_OK, colon.stderr
    assert json.loads(colon.stdout)["inputs"][0]["path"] == f"{urns}#news:25"


def test_a_repeated_jsonl_id_gets_its_own_path_and_a_note(tmp_path: Path) -> None:
    drop = _drop(tmp_path)
    result = runner.invoke(app, ["normalize", str(drop), "-f", "json"])
    assert result.exit_code == EXIT_OK
    inputs = json.loads(result.stdout)["inputs"]
    paths = [i["path"] for i in inputs]
    assert paths == [f"{drop}#a", f"{drop}#b", f"{drop}#a@3", f"{drop}#7", f"{drop}#5", f"{drop}#7@7"]
    notes = {i["path"]: i.get("note") for i in inputs}
    assert notes[f"{drop}#a@3"] == f"{drop}#a names an earlier line, so line 3 is {drop}#a@3"
    assert notes[f"{drop}#7@7"] == f"{drop}#7 names an earlier line, so line 7 is {drop}#7@7"
    assert notes[f"{drop}#a"] is None and notes[f"{drop}#7"] is None
    assert f"note {drop}#a names an earlier line" in result.stderr.replace("\n", "")
    # The repeated id is kept, not dropped: the copy under it is found like any other.
    scan = json.loads(runner.invoke(app, ["scan", str(drop), "-f", "json"]).stdout)
    grouped = {s["path"] for g in scan["groups"] for w in g["witnesses"] for s in w["segments"]}
    assert {f"{drop}#a", f"{drop}#b", f"{drop}#a@3"} <= grouped
    # Each path names exactly one document, wherever a path is taken.
    same = runner.invoke(app, ["diff", f"{drop}#b", f"{drop}#a@3"])
    assert same.exit_code == EXIT_OK, "line 3 holds the same text as b"
    reference = runner.invoke(app, ["report", str(drop), "-f", "json", "--reference", f"{drop}#a@3"])
    assert reference.exit_code == EXIT_OK and "warning" not in reference.stderr
    for group in json.loads(reference.stdout)["groups"]:
        chosen = next(w for w in group["witnesses"] if w["id"] == group["reference"])
        assert chosen["segments"][0]["path"] == f"{drop}#a@3", "every group it is in is collated against it"
    bad = runner.invoke(app, ["report", str(drop), "--reference", f"{drop}#nope"])
    assert bad.exit_code == EXIT_USAGE and "no document #nope" in bad.stderr


# --- standard input -----------------------------------------------------------------------------------------


def test_stdin_jsonl_and_html_are_recognised_and_said() -> None:
    line = json.dumps({"id": "a", "text": "新华社北京8月22日电。广大干部新征程上奋力担当作为。"}, ensure_ascii=False)
    result = runner.invoke(app, ["normalize", "-", "-f", "json"], input=line + "\n")
    assert result.exit_code == EXIT_OK
    payload = json.loads(result.stdout)
    assert payload["inputs"] == [
        {"path": "-#a", "status": "ok", "encoding": "utf-8", "format": "jsonl", "format_sniffed": True}
    ]
    (document,) = payload["documents"]
    assert document["paragraphs"][0]["text"] == "新华社北京8月22日电。广大干部新征程上奋力担当作为。"
    assert "read as jsonl" in result.stderr

    html = "<p>新华社北京8月22日电。</p>\n<p>广大干部新征程上奋力担当作为。</p>\n"
    result = runner.invoke(app, ["normalize", "-", "-f", "jsonl", "-q"], input=html)
    _, first, document = _lines(result.stdout)
    assert (first["format"], first["format_sniffed"]) == ("html", True)
    assert [p["text"] for p in document["paragraphs"]] == ["新华社北京8月22日电。", "广大干部新征程上奋力担当作为。"]

    forced = runner.invoke(app, ["normalize", "-", "-f", "json", "--stdin-format", "text"], input=line + "\n")
    payload = json.loads(forced.stdout)
    assert payload["inputs"][0]["path"] == "-" and payload["inputs"][0]["format"] == "text"
    assert payload["documents"][0]["paragraphs"][0]["text"].startswith('{"id"'), "read as given"
    plain = runner.invoke(app, ["normalize", "-", "-f", "json"], input="新华社北京8月22日电。\n")
    assert json.loads(plain.stdout)["inputs"][0]["format"] == "text" and "read as" not in plain.stderr


# --- closed pipes -------------------------------------------------------------------------------------------


def _into_closed_pipe(*args: str, direct: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the installed command (or, ``direct``, the command line ``args``) with its stdout a pipe whose
    reader is gone, as after ``| head -1``."""
    import os

    exe = shutil.which("dedup") or str(Path(sys.executable).with_name("dedup"))
    read, write = os.pipe()
    os.close(read)
    try:
        command = list(args) if direct else [exe, *args]
        return subprocess.run(command, stdout=write, stderr=subprocess.PIPE, text=True, check=False)
    finally:
        os.close(write)


def test_a_closed_pipe_ends_quietly_with_141() -> None:
    import signal

    for args in (["report", "seeds"], ["diff", f"{PAGE1}:25-29", f"{PAGE3}:9-33", "-f", "json"], ["--help"]):
        done = _into_closed_pipe(*args)
        assert done.returncode == -signal.SIGPIPE, (args, done.stderr)
        assert done.stderr == "", "no traceback, no message"
    exe = shutil.which("dedup") or str(Path(sys.executable).with_name("dedup"))
    shell = _into_closed_pipe("sh", "-c", '"$0" "$@"; echo "status $?" >&2', exe, "report", "seeds", direct=True)
    assert shell.stderr == "status 141\n", "what a shell reports: 128 + SIGPIPE, as for `yes | head -1`"


# --- dedup diff line ranges ---------------------------------------------------------------------------------


def test_diff_takes_a_single_line_and_refuses_line_0() -> None:
    single = runner.invoke(app, ["diff", f"{PAGE1}:25-29", f"{PAGE3}:9", "-f", "json"])
    ranged = runner.invoke(app, ["diff", f"{PAGE1}:25-29", f"{PAGE3}:9-9", "-f", "json"])
    assert single.exit_code == ranged.exit_code == 1, single.stderr
    assert json.loads(single.stdout)["findings"] == json.loads(ranged.stdout)["findings"]
    for spec in (f"{PAGE3}:0", f"{PAGE3}:0-5"):
        zero = runner.invoke(app, ["diff", f"{PAGE1}:25-29", spec])
        assert zero.exit_code == EXIT_USAGE
        assert f"{spec}: there is no line 0; lines count from 1" in zero.stderr
    backwards = runner.invoke(app, ["diff", f"{PAGE1}:29-25", PAGE3])
    assert backwards.exit_code == EXIT_USAGE and "ends (line 25) before it starts (line 29)" in backwards.stderr
