"""What every command shares: paragraph numbers from 1 in every output, ``-q`` and ``--format`` on each
command, help and error wording a person reads, shell completion, and the Python API saying what the
command says."""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import pytest
from typer.testing import CliRunner

import dedup
from dedup.cli import EXIT_OK, EXIT_USAGE, app

runner = CliRunner()
WEB = "seeds/002_9a75527b5092d3dd.txt"
PAGE = "seeds/001_d368fce8cd43ddb5.txt"


# --- paragraphs count from 1 everywhere -----------------------------------------------------------------------


def test_normalize_numbers_paragraphs_from_1_in_the_table_json_and_api() -> None:
    table = runner.invoke(app, ["normalize", PAGE, "--color", "never", "--no-pager"]).stdout
    shown = [int(m.group(1)) for m in re.finditer(r"^\s*(\d+)\s+\d+(?:-\d+)?\s", table, re.MULTILINE)]
    payload = json.loads(runner.invoke(app, ["normalize", PAGE, "-f", "json"]).stdout)
    numbered = [p["index"] for p in payload["documents"][0]["paragraphs"]]
    (document,) = dedup.normalize_inputs([PAGE]).documents
    assert numbered == shown == [p.number for p in document.paragraphs] == list(range(1, len(numbered) + 1))


def test_report_json_and_api_name_the_same_paragraphs_from_1() -> None:
    payload = json.loads(runner.invoke(app, ["report", "seeds", "-f", "json"]).stdout)
    in_json = [
        (f["kind"], f["ref"]["paragraph"] if f["ref"] else None, f.get("ref_paragraphs", []))
        for g in payload["groups"]
        for w in g["witnesses"]
        for f in w["findings"]
    ]
    result = dedup.report(["seeds"])
    in_api = [
        (f.kind, f.paragraph, list(f.paragraphs))
        for g in result.groups
        for w in g.collation.witnesses
        for f in w.findings
    ]
    assert in_json == in_api and in_json
    assert min(n for _, n, _ in in_json if n is not None) >= 1
    reference = dedup.report(["seeds"]).groups[0].collation.reference_paragraphs
    assert max(n for _, n, _ in in_json if n is not None) <= len(reference)


def test_diff_json_counts_paragraphs_from_1() -> None:
    result = runner.invoke(app, ["diff", f"{WEB}:25-29", "seeds/000_1eaa65c1cfd94755.txt:9-33", "-f", "json"])
    findings = json.loads(result.stdout)["findings"]
    api = dedup.diff(f"{WEB}:25-29", "seeds/000_1eaa65c1cfd94755.txt:9-33").findings
    assert [f["ref"]["paragraph"] for f in findings] == [f.paragraph for f in api] and findings
    assert all(f.paragraph == f.ref + 1 for f in api if f.ref is not None)


# --- -q and --format on every command -------------------------------------------------------------------------


def _commands(index: str) -> dict[str, list[str]]:
    return {
        "normalize": ["normalize", PAGE],
        "scan": ["scan", "seeds"],
        "report": ["report", "seeds"],
        "diff": ["diff", f"{WEB}:25-29", "seeds/000_1eaa65c1cfd94755.txt:9-33"],
        "index build": ["index", "build", PAGE, WEB, "--index", index],
        "index add": ["index", "add", "seeds", "--index", index],
        "index info": ["index", "info", "--index", index],
        "check": ["check", "seeds/000_1eaa65c1cfd94755.txt", "--index", index],
    }


def test_every_command_takes_quiet_and_each_format(tmp_path: Any) -> None:
    for fmt in ("json", "jsonl", "table"):
        index = str(tmp_path / f"{fmt}.sqlite")
        for name, args in _commands(index).items():
            result = runner.invoke(app, [*args, "-q", "--format", fmt])
            assert result.exit_code in (0, 1), (name, fmt, result.output)
            assert result.stderr == "", (name, fmt, "quiet")
            if fmt == "json":
                json.loads(result.stdout)
            elif fmt == "jsonl":
                records = [json.loads(line) for line in result.stdout.splitlines()]
                assert records and all("type" in r for r in records), name
                if name != "index info":
                    assert records[0]["type"] == "config", name


def test_index_build_json_counts_what_was_added(tmp_path: Any) -> None:
    index = str(tmp_path / "i.sqlite")
    built = json.loads(runner.invoke(app, ["index", "build", "seeds", "--index", index, "-f", "json"]).stdout)
    assert (built["added"], built["unchanged"], built["documents"]) == (5, 0, 5)
    again = json.loads(runner.invoke(app, ["index", "add", "seeds", "--index", index, "-f", "json"]).stdout)
    assert (again["added"], again["unchanged"], again["documents"]) == (0, 5, 5)
    info = runner.invoke(app, ["index", "info", "--index", index, "--color", "never", "--no-pager"])
    assert re.search(r"^documents\s+5\s*$", info.stdout, re.MULTILINE), info.stdout
    assert re.search(r"^settings\.fingerprint\.ngram\s+5\s*$", info.stdout, re.MULTILINE)


# --- help and errors in plain words ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["scan"], ["report"], ["check"], ["normalize"], ["index", "build"]])
def test_help_shows_path_dots_not_python_types(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == EXIT_OK
    assert " PATH..." in result.stdout
    for python in ("<list[str]>", "{PATH}", "<bool>"):
        assert python not in result.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["scan", "seeds", "--sort", "bogus"], "'bogus' is not one of 'size', 'damage', 'name'"),
        (["scan", "seeds", "--ngram", "x"], "'--ngram': not a whole number"),
        (["scan", "seeds", "--ngram", "1"], "'--ngram': must be at least 2"),
        (["report", "seeds", "-f", "xml"], "'xml' is not one of"),
        (["check", "seeds", "--index", "i.sqlite", "--max-dup-rate", "x"], "'--max-dup-rate': not a number"),
    ],
)
def test_bad_values_are_said_without_the_validation_library_wording(args: list[str], said: str) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == EXIT_USAGE
    message = " ".join(result.stderr.replace("│", " ").split())
    assert said in message
    assert "Value error" not in message and "Input should" not in message


# --- shell completion -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("shell", "mark"), [("bash", "complete -o"), ("zsh", "compdef"), ("fish", "complete")])
def test_show_completion_prints_a_script_for_each_shell(shell: str, mark: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # typer then takes the shell as the option's value instead of detecting the shell it runs in
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = runner.invoke(app, ["--show-completion", shell], prog_name="dedup")
    assert result.exit_code == EXIT_OK, result.output
    assert mark in result.stdout and "_DEDUP_COMPLETE" in result.stdout


def test_completion_completes_commands_and_options() -> None:
    env = {"_DEDUP_COMPLETE": "complete_bash", "COMP_WORDS": "dedup re", "COMP_CWORD": "1"}
    result = runner.invoke(app, [], env=env, prog_name="dedup")
    assert "report" in result.stdout.split()
    env = {"_DEDUP_COMPLETE": "complete_bash", "COMP_WORDS": "dedup report --so", "COMP_CWORD": "2"}
    assert "--sort" in runner.invoke(app, [], env=env, prog_name="dedup").stdout.split()


# --- the Python API says what the command says ------------------------------------------------------------------


def test_the_api_warns_and_records_a_reference_that_does_not_exist() -> None:
    with pytest.warns(UserWarning, match="nothere.txt: no such file or directory"):
        result = dedup.report(["seeds"], reference="nothere.txt")
    assert len(result.warnings) == 1 and "each group was collated against its own best copy" in result.warnings[0]
    assert result.groups, "the groups are collated against their best copies all the same"


def test_the_api_warns_on_a_reference_that_is_no_witness_and_not_on_one_that_is() -> None:
    with pytest.warns(UserWarning, match="not a witness of any group"):
        assert dedup.report(["seeds"], reference="seeds/004_948372db0ecee0b3.txt").warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert dedup.report(["seeds"], reference=WEB).warnings == ()
