"""Reports a person can use (issue 17): the summary first, sorting and filters, colour, the pager, no hard wrap
in a pipe, progress at a terminal only, and a fast ``--version``.

The corpus is real news prose (:mod:`tests.corpora`): one story in three copies (one drops a paragraph, one
changes a character), another in two, a third alone, so that sizes, damage and names order groups differently.
Terminal behaviour is tested on the installed command under a pseudo-terminal made by ``script``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dedup.cli import EXIT_OK, EXIT_USAGE, app
from tests.corpora import page, story

runner = CliRunner()
DEDUP = str(Path(sys.executable).with_name("dedup"))
needs_script = pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) for a pseudo-terminal")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ux")
    a, b, c = story(1), story(2), story(3)
    changed = a[0].replace(a[0][5], "国" if a[0][5] != "国" else "家", 1)
    (root / "sub").mkdir()
    files = {
        "a1.txt": page(("甲报道一篇", a)),
        "a2.txt": page(("甲报道一篇", a[:2] + a[3:])),
        "a3.txt": page(("甲报道一篇", [changed, *a[1:]])),
        "sub/b1.txt": page(("乙报道二篇", b)),
        "b2.txt": page(("乙报道二篇", b)),
        "c.txt": page(("丙报道三篇", c)),
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    result = runner.invoke(app, list(args), env=env)
    return result


def payload(corpus: Path, *options: str) -> dict[str, Any]:
    result = run("report", str(corpus), "--format", "json", *options)
    assert result.exit_code == EXIT_OK, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def headings(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("── ")]


# --- 1. the summary first, groups sorted, each headed by its headline ------------------------------------------


def test_the_summary_opens_the_report_and_the_legend_is_printed_once(corpus: Path) -> None:
    result = run("report", str(corpus), "--no-lineage")
    assert result.exit_code == EXIT_OK
    lines = result.stdout.splitlines()
    assert lines[0].startswith("6 document(s), 0 skipped · 2 group(s) (1 of 3 copies, 1 of 2 copies) · 5 copies")
    assert lines[1] == "findings: dropped 1 · garbled 1"  # one character swapped out of its word: noise
    assert result.stdout.count("strip:") == 1
    assert lines.index(next(line for line in lines if line.startswith("strip:"))) < lines.index(
        headings(result.stdout)[0]
    )
    # most copies first, each group headed by the first words of its reference
    assert [h.split("  ")[0] for h in headings(result.stdout)] == ["── 甲报道一篇", "── 乙报道二篇"]
    assert "3 copies" in headings(result.stdout)[0]


def test_the_summary_opens_the_scan_too(corpus: Path) -> None:
    result = run("scan", str(corpus))
    assert result.exit_code == EXIT_OK
    assert result.stdout.startswith("6 document(s), 0 skipped · 2 group(s)")
    assert [h.split("  ")[0] for h in headings(result.stdout)] == ["── 甲报道一篇", "── 乙报道二篇"]
    data = json.loads(run("scan", str(corpus), "--format", "json").stdout)
    assert data["summary"]["groups_by_size"] == {"2": 1, "3": 1}


def test_sort_by_name_and_by_damage(corpus: Path) -> None:
    by_name = headings(run("report", str(corpus), "--sort", "name", "--no-lineage").stdout)
    assert [h.split("  ")[0] for h in by_name] == ["── 乙报道二篇", "── 甲报道一篇"]  # by code point
    groups = payload(corpus, "--sort", "damage")["groups"]
    findings = [sum(len(w["findings"]) for w in g["witnesses"]) for g in groups]
    assert findings == sorted(findings, reverse=True) and findings[0] == 2


# --- 2. filters, table and JSON alike ------------------------------------------------------------------------------


def test_group_shows_one_group(corpus: Path) -> None:
    ids = [g["id"] for g in payload(corpus)["groups"]]
    table = run("report", str(corpus), "--group", ids[1], "--no-lineage").stdout
    assert len(headings(table)) == 1 and ids[1] in headings(table)[0]
    assert "showing 1 of 2 group(s)" in table
    assert [g["id"] for g in payload(corpus, "--group", ids[1])["groups"]] == [ids[1]]
    missing = run("report", str(corpus), "--group", "G99")
    assert missing.exit_code == EXIT_USAGE and "--group G99: no such group" in missing.stderr


def test_kind_keeps_only_those_findings_and_their_groups(corpus: Path) -> None:
    data = payload(corpus, "--kind", "dropped")
    assert len(data["groups"]) == 1
    kinds = {f["kind"] for w in data["groups"][0]["witnesses"] for f in w["findings"]}
    assert kinds == {"dropped"}
    assert data["summary"]["findings"] == {"dropped": 1, "garbled": 1}, "the summary counts the whole corpus"
    table = run("report", str(corpus), "--kind", "dropped", "--no-lineage").stdout
    assert "    dropped       ¶" in table and not any(
        line.lstrip().startswith("garbled") for line in table.splitlines()
    )
    bad = run("report", str(corpus), "--kind", "droped")
    assert bad.exit_code == EXIT_USAGE and "unknown kind(s) droped" in bad.output


def test_min_copies_and_path(corpus: Path) -> None:
    assert len(payload(corpus, "--min-copies", "3")["groups"]) == 1
    assert len(payload(corpus, "--min-copies", "4")["groups"]) == 0
    held = payload(corpus, "--path", "*/sub/*")["groups"]
    assert len(held) == 1 and any("sub/b1.txt" in s["path"] for w in held[0]["witnesses"] for s in w["segments"])
    table = run("report", str(corpus), "--path", "*/sub/*", "--no-lineage").stdout
    assert len(headings(table)) == 1 and "乙报道二篇" in headings(table)[0]


def test_summary_alone(corpus: Path) -> None:
    table = run("report", str(corpus), "--summary").stdout
    assert table.startswith("6 document(s)") and not headings(table) and "strip:" not in table
    data = payload(corpus, "--summary")
    assert data["groups"] == [] and data["summary"]["groups"] == 2
    lines = [json.loads(line) for line in run("report", str(corpus), "--summary", "-f", "jsonl").stdout.splitlines()]
    assert lines[-1]["type"] == "summary" and not [r for r in lines if r["type"] == "group"]


# --- 3. colour, wrapping, the pager ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "env", "coloured"),
    [
        ("auto", {}, False),  # CliRunner's output is no terminal
        ("auto", {"FORCE_COLOR": "1"}, True),
        ("always", {}, True),
        ("always", {"NO_COLOR": "1"}, True),  # asked for on the command line: the flag wins, as in ripgrep
        ("never", {"FORCE_COLOR": "1"}, False),
    ],
)
def test_color_modes(corpus: Path, option: str, env: dict[str, str], coloured: bool) -> None:
    base = {"NO_COLOR": "", "FORCE_COLOR": ""}
    result = run("report", str(corpus), "--color", option, "--no-lineage", env={**base, **env})
    assert result.exit_code == EXIT_OK
    assert ("\x1b[" in result.stdout) is coloured


def _installed(args: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "PAGER", "LESS")}
    return subprocess.run(
        [DEDUP, *args], capture_output=True, text=True, env={**full_env, **env}, timeout=300, check=False, **kwargs
    )


def test_a_pipe_is_never_hard_wrapped(corpus: Path) -> None:
    """At 30 columns (``COLUMNS``, as a narrow terminal would set it) a pipe still gets whole lines: every
    path appears unbroken, so ``grep`` finds it."""
    result = _installed(["report", str(corpus), "--no-lineage"], {"COLUMNS": "30"})
    assert result.returncode == EXIT_OK
    assert max(len(line) for line in result.stdout.splitlines()) > 30
    for name in ("a1.txt", "a2.txt", "a3.txt", "b2.txt", "sub/b1.txt"):
        assert any(f"{corpus}/{name}:" in line for line in result.stdout.splitlines()), name
    assert "──────" not in result.stdout, "no rule drawn at the width of an unwrapped console"


def _at_terminal(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with stdin, stdout and stderr on a pseudo-terminal (``script``) of 100x20 cells."""
    outer = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "PAGER", "LESS")}
    terminal = {"COLUMNS": "100", "LINES": "20", "TERM": "xterm-256color"}
    return subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        capture_output=True,
        text=True,
        env={**outer, **terminal, **env},
        timeout=300,
        check=False,
    )


@needs_script
def test_long_output_at_a_terminal_goes_through_the_pager(corpus: Path, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    pager = f"cat > {paged}"
    result = _at_terminal(f"{DEDUP} report {corpus} --no-lineage", {"PAGER": pager})
    assert result.returncode == EXIT_OK, result.stdout
    text = paged.read_text(encoding="utf-8")
    assert "甲报道一篇" in text and "\x1b[" in text, "paged in colour, at the terminal's width"
    assert "甲报道一篇" not in result.stdout
    paged.unlink()
    result = _at_terminal(f"{DEDUP} report {corpus} --no-lineage --no-pager", {"PAGER": pager})
    assert not paged.exists() and "甲报道一篇" in result.stdout
    result = _at_terminal(f"{DEDUP} report {corpus} --summary", {"PAGER": pager})
    assert not paged.exists() and "document(s), 0 skipped" in result.stdout, "a summary fits on the screen: no pager"


def test_a_pipe_gets_no_pager(corpus: Path, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    result = _installed(["report", str(corpus), "--no-lineage"], {"PAGER": f"cat > {paged}"})
    assert result.returncode == EXIT_OK and "甲报道一篇" in result.stdout and not paged.exists()


# --- 4. progress: at a terminal, not in a pipe, not with --quiet ---------------------------------------------------


@needs_script
def test_progress_at_a_terminal_for_every_long_command(corpus: Path, tmp_path: Path) -> None:
    """Each stage is drawn as a bar (count of total, rate, time left); one line of stage timings stays."""
    index = tmp_path / "i.db"
    report = _at_terminal(f"{DEDUP} report {corpus} --summary --no-pager", {})
    assert report.returncode == EXIT_OK
    assert "eta" in report.stdout and "6/6" in report.stdout, "a bar with the count of the total"
    assert "done: sketching" in report.stdout and "collating" in report.stdout
    build = _at_terminal(f"{DEDUP} index build {corpus} --index {index}", {})
    assert build.returncode == EXIT_OK and "done: adding" in build.stdout
    check = _at_terminal(f"{DEDUP} check {corpus}/a1.txt --index {index} --no-pager", {})
    assert check.returncode == EXIT_OK and "done: sketching" in check.stdout
    quiet = _at_terminal(f"{DEDUP} report {corpus} --summary --no-pager -q", {})
    assert quiet.returncode == EXIT_OK and "done:" not in quiet.stdout and "eta" not in quiet.stdout


def test_no_progress_when_stderr_is_no_terminal(corpus: Path) -> None:
    result = _installed(["report", str(corpus), "--summary"], {})
    assert result.returncode == EXIT_OK and result.stderr == ""


# --- 5. a fast --version -------------------------------------------------------------------------------------------


def test_version_is_fast_and_the_api_still_imports_whole() -> None:
    """``dedup --version`` imports nothing of the pipeline: under 0.3 s (the best of three, on a loaded
    machine), where importing the API takes a second; ``from dedup import *`` still gives every API name."""
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        result = _installed(["--version"], {})
        timings.append(time.perf_counter() - start)
        assert result.returncode == EXIT_OK and result.stdout.startswith("dedup ")
    assert min(timings) < 0.3, timings
    names: dict[str, Any] = {}
    exec("from dedup import *", names)  # a fixed statement: what a user's star import gets
    import dedup.api

    assert set(dedup.api.__all__) <= set(names)
