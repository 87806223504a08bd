"""The terminal views of findings (issue 17): whole paragraphs (``--full``), two columns (``--side-by-side``),
one entry per copy paragraph, the ``diff`` header and its warning on unrelated texts, letters for the kinds at
80 columns, and the strip's ruler, added mark and rows that wrap together.

The corpora are real news prose (:mod:`tests.corpora`) damaged in known ways: a copy that drops, rewords,
merges and moves, truncates, garbles and adds paragraphs; an unrelated story; a 75-paragraph story with moves.
Terminal widths are tested on the installed command under a pseudo-terminal made by ``script``.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from dedup import api
from dedup.cli import EXIT_FINDINGS, EXIT_OK, EXIT_UNRELATED, app
from dedup.collate.records import KINDS, Finding
from dedup.render.strip import FINDING_STYLE, KIND_LETTER, MOVED, STRIP, StripRow, counts_table, render_strips
from tests.corpora import page, story

runner = CliRunner()
DEDUP = str(Path(sys.executable).with_name("dedup"))
needs_script = pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) for a pseudo-terminal")
PLAIN = {"NO_COLOR": "1", "FORCE_COLOR": "", "COLUMNS": "140"}


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A reference of 12 paragraphs and a copy that does one known thing to most of them."""
    root = tmp_path_factory.mktemp("views")
    ref = story(5, 12)
    texts = {
        "changed": ref[3][:20] + "（改动）" + ref[3][24:],
        "truncated": ref[6][len(ref[6]) // 2 :],
        "garbled": ref[7][:30] + "锟斤拷锟斤拷锟斤拷烫烫烫烫" + ref[7][42:],
        "added": story(40)[0],
        "merged": ref[4] + ref[5],
        "dropped": ref[2],
    }
    copy = [ref[0], ref[1], texts["changed"], texts["truncated"], texts["garbled"], ref[8], texts["added"]]
    copy += [ref[9], ref[10], ref[11], texts["merged"]]  # the merged pair moved to the end
    (root / "ref.txt").write_text(page(("标题", ref)), encoding="utf-8")
    (root / "copy.txt").write_text(page(("标题", copy)), encoding="utf-8")
    (root / "other.txt").write_text(page(("别的", story(30, 10))), encoding="utf-8")
    return {"root": root, "ref": str(root / "ref.txt"), "copy": str(root / "copy.txt"), "texts": texts}


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, list(args), env={**PLAIN, **(env or {})})


def at_terminal(command: list[str], columns: int) -> subprocess.CompletedProcess[str]:
    """``command`` with stdin, stdout and stderr on a pseudo-terminal (``script``) ``columns`` wide."""
    outer = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "PAGER", "LESS")}
    env = {**outer, "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm-256color"}
    line = " ".join(subprocess.list2cmdline([part]) for part in command)
    return subprocess.run(
        ["script", "-qec", line, "/dev/null"], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def screen_lines(output: str) -> list[str]:
    """What a terminal shows, line by line: no escape sequences, no carriage returns."""
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output).replace("\r", "")
    return text.split("\n")


# --- 1. --full: whole paragraphs for every kind ----------------------------------------------------------------


def test_excerpts_by_default_and_whole_paragraphs_with_full(damaged: dict[str, Any]) -> None:
    excerpt = run("diff", damaged["ref"], damaged["copy"])
    full = run("diff", damaged["ref"], damaged["copy"], "--full")
    assert excerpt.exit_code == full.exit_code == EXIT_FINDINGS
    for kind, text in damaged["texts"].items():
        assert text[:12] in excerpt.stdout or kind in ("merged", "changed", "garbled"), f"{kind}: its start shows"
        assert text not in excerpt.stdout, f"{kind}: the default shows an excerpt, not the whole paragraph"
    for kind in ("truncated", "added", "merged", "dropped"):
        assert damaged["texts"][kind] in full.stdout, f"{kind}: --full shows the whole paragraph"
    # edited paragraphs are the copy's text with the edits marked in it, whole
    assert "锟斤拷锟斤拷锟斤拷烫烫烫烫+}" + damaged["texts"]["garbled"].split("烫烫烫烫")[1] in full.stdout
    assert damaged["texts"]["changed"][24:] in full.stdout and "（改动）+}" in full.stdout


def test_excerpts_keep_the_changed_characters_visible(damaged: dict[str, Any]) -> None:
    """A garbled run is shown in the excerpt, as in whole, as removed and added text."""
    garbled = next(
        line for line in run("diff", damaged["ref"], damaged["copy"]).stdout.splitlines() if "锟斤拷" in line
    )
    assert "{+" in garbled and "[-" in garbled


# --- 2. --side-by-side ---------------------------------------------------------------------------------------------


def test_side_by_side_puts_reference_and_copy_in_two_columns(damaged: dict[str, Any]) -> None:
    result = run("diff", damaged["ref"], damaged["copy"], "--side-by-side", env={"COLUMNS": "120"})
    assert result.exit_code == EXIT_FINDINGS and result.stderr == ""
    lines = result.stdout.splitlines()
    heads = [line for line in lines if line.startswith("reference ¶")]
    assert heads and all("copy " in line for line in heads), "the two columns' heads share a line"
    columns = lines[lines.index(heads[0]) : lines.index(heads[-1]) + 4]
    assert max(cell_len(line) for line in columns) <= 120, "laid out at COLUMNS, even in a pipe"
    row = next(line for line in lines if "（改动）" in line)
    assert "{+令人惊（改动）+}" in row and "[-令人惊叹！如不-]" in row, "removed on the left, added on the right"
    assert row.index("[-") < row.index("{+")


def test_side_by_side_falls_back_below_100_columns(damaged: dict[str, Any]) -> None:
    result = run("diff", damaged["ref"], damaged["copy"], "--side-by-side", env={"COLUMNS": "80"})
    assert result.exit_code == EXIT_FINDINGS
    assert "--side-by-side needs 100 columns and there are 80" in result.stderr
    assert not any(line.startswith("reference ¶") for line in result.stdout.splitlines())
    assert damaged["texts"]["added"] in result.stdout, "stacked, whole paragraphs"


@needs_script
def test_side_by_side_at_a_terminal(damaged: dict[str, Any]) -> None:
    command = [DEDUP, "diff", damaged["ref"], damaged["copy"], "--side-by-side", "--no-pager"]
    wide = screen_lines(at_terminal(command, 120).stdout)
    heads = [line for line in wide if line.startswith("reference ¶")]
    assert heads and all("copy " in line for line in heads)
    assert max(cell_len(line) for line in wide[wide.index(heads[0]) :]) <= 120
    narrow = at_terminal(command, 80).stdout
    assert "--side-by-side needs 100 columns and there are 80" in narrow


def test_report_takes_the_views_too(damaged: dict[str, Any]) -> None:
    root = str(damaged["root"])
    full = run("report", root, "--no-lineage", "--full")
    assert full.exit_code == EXIT_OK and damaged["texts"]["added"] in full.stdout
    sides = run("report", root, "--no-lineage", "--side-by-side", env={"COLUMNS": "120"})
    assert any(line.startswith("reference ¶") for line in sides.stdout.splitlines())


# --- 3. one entry per copy paragraph ---------------------------------------------------------------------------------


def test_one_entry_per_copy_paragraph_json_keeps_one_record_per_finding(damaged: dict[str, Any]) -> None:
    data = json.loads(run("diff", damaged["ref"], damaged["copy"], "-f", "json").stdout)
    merged = next(f for f in data["findings"] if f["kind"] == "merged")
    where = merged["copy"]["start_line"]
    same = [f for f in data["findings"] if f.get("copy") and f["copy"]["start_line"] == where]
    assert {f["kind"] for f in same} == {"merged", "reordered"} and len(same) == 3, "one record per finding"
    table = run("diff", damaged["ref"], damaged["copy"]).stdout
    assert table.count(f"copy.txt:{where}-{where}") == 1, "the terminal merges them into one entry"
    entry = table[table.index(f"copy.txt:{where}-{where}") :].splitlines()[:4]
    assert entry[1].split()[0] == "reordered" and entry[2].split()[0] == "merged"
    assert entry[1].split()[1:3] == entry[2].split()[1:3] == ["¶6", "¶7"]


# --- 4. diff: header, totals, unrelated texts, direction --------------------------------------------------------


def test_diff_opens_with_a_header_and_totals(damaged: dict[str, Any]) -> None:
    result = run("diff", damaged["ref"], damaged["copy"])
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"reference {damaged['ref']}  13 paragraph(s)")
    assert lines[1].startswith(f"copy      {damaged['copy']}  12 paragraph(s)")
    data = json.loads(run("diff", damaged["ref"], damaged["copy"], "-f", "json").stdout)
    counts = {k: sum(f["kind"] == k for f in data["findings"]) for k in KINDS}
    assert data["overview"]["findings"] == {k: n for k, n in counts.items() if n}
    assert all(f"{kind} {n}" in lines[2] for kind, n in data["overview"]["findings"].items())
    assert data["overview"]["unrelated"] is False


def test_diff_takes_the_users_word_for_the_direction(damaged: dict[str, Any]) -> None:
    table = run("diff", damaged["ref"], damaged["copy"]).stdout
    assert "↔" not in table and "direction unknown" not in table
    data = json.loads(run("diff", damaged["ref"], damaged["copy"], "-f", "json").stdout)
    assert not any("direction" in f for f in data["findings"])
    report = run("report", str(damaged["root"]), "--no-lineage").stdout
    assert "↔" in report, "in a corpus of two copies the direction stays unknown"


def test_unrelated_texts_get_a_warning_not_every_paragraph(damaged: dict[str, Any]) -> None:
    other = str(damaged["root"] / "other.txt")
    result = run("diff", damaged["ref"], other)
    assert result.exit_code == EXIT_UNRELATED
    assert "unrelated texts" in result.stdout and "  dropped" not in result.stdout
    data = json.loads(run("diff", damaged["ref"], other, "-f", "json").stdout)
    assert data["overview"]["unrelated"] is True and data["overview"]["shared_reference"] < 0.1
    lines = [json.loads(line) for line in run("diff", damaged["ref"], other, "-f", "jsonl").stdout.splitlines()]
    assert next(r for r in lines if r["type"] == "diff")["overview"]["unrelated"] is True


def test_an_excerpt_is_no_unrelated_text(damaged: dict[str, Any]) -> None:
    """One paragraph of twelve shares a twelfth of the reference, but all of itself."""
    line = damaged["texts"]["added"]
    text = (damaged["root"] / "ref.txt").read_text(encoding="utf-8").splitlines()
    number = next(i for i, t in enumerate(text, 1) if t and t != "标题" and t != line)
    result = run("diff", damaged["ref"], f"{damaged['ref']}:{number}-{number}")
    assert result.exit_code == EXIT_FINDINGS and "unrelated" not in result.stdout


# --- 5. 80 columns: letters for the kinds, the legend once -------------------------------------------------------


@needs_script
@pytest.mark.parametrize("columns", [80, 120])
def test_counts_table_at_80_and_120_columns(damaged: dict[str, Any], columns: int) -> None:
    command = [DEDUP, "report", str(damaged["root"]), "--no-lineage", "--no-pager", "-q", "--color", "never"]
    lines = screen_lines(at_terminal(command, columns).stdout)
    head = next(line for line in lines if line.startswith("witness"))
    assert "…" not in head and cell_len(head.rstrip()) <= columns
    if columns == 80:
        assert head.split() == ["witness", *(KIND_LETTER[k] for k in KINDS)]
    else:
        assert head.split() == ["witness", *KINDS]
    assert sum(line.startswith("strip:") for line in lines) == 1


def test_counts_table_letters_are_the_legends() -> None:
    findings = [Finding(kind, 0, "甲", None, "甲") for kind in KINDS]
    for width, heads in ((80, [KIND_LETTER[k] for k in KINDS]), (120, list(KINDS))):
        console = Console(file=io.StringIO(), width=width, color_system=None)
        console.print(counts_table(console, [("G1.W1", findings)]))
        assert console.file.getvalue().splitlines()[0].split() == ["witness", *heads]  # type: ignore[attr-defined]
    assert len(set(KIND_LETTER.values())) == len(KINDS), "one letter per kind"


# --- 6. the strip ----------------------------------------------------------------------------------------------------


def test_merged_split_and_reordered_differ_in_letter_and_colour() -> None:
    letters = {STRIP["merged"][0], STRIP["split"][0], MOVED[0]}
    styles = {FINDING_STYLE["merged"], FINDING_STYLE["split"], FINDING_STYLE["reordered"]}
    assert len(letters) == len(styles) == 3


def _strip_screen(lines: list[str], pad: int) -> tuple[str, dict[int, str]]:
    """The strip's cells and the moved row's marks as a reader sees them: each chunk's ruler says where its
    first cell is, so the chunks join back into one row of cells and a mark per paragraph (from 1)."""
    cells = ""
    moved: dict[int, str] = {}
    i = 0
    while i < len(lines):
        if re.fullmatch(r" +1?\d*( +\d+)*", lines[i]) and lines[i].strip():
            first = int(lines[i].split()[0])
            row = lines[i + 1][pad:]
            chunk = row.split("  +")[0].replace(" ", "")
            assert len(cells) == first - 1, "each chunk starts where its ruler says"
            under = lines[i + 2][pad:] if i + 2 < len(lines) and "r" in lines[i + 2] else ""
            number = first
            for column, char in enumerate(row.split("  +")[0]):
                if char == " ":
                    continue
                if column < len(under) and under[column] != " ":
                    moved[number] = under[column]
                number += 1
            cells += chunk
            i += 3 if under else 2
        else:
            i += 1
    return cells, moved


def test_a_75_paragraph_strip_wraps_all_rows_at_the_same_paragraph() -> None:
    strip = ["kept"] * 75
    strip[3], strip[40], strip[74] = "merged", "split", "dropped"
    moved = {9, 10, 11, 49, 62, 70}
    findings = [Finding("reordered", i, "甲", None, "甲") for i in sorted(moved)]
    findings.append(Finding("added", None, None, None, "乙"))
    console = Console(file=io.StringIO(), width=80, color_system=None)
    render_strips(console, [StripRow("G1.W1", strip, findings), StripRow("G1.W2", ["kept"] * 75, [])])
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert max(cell_len(line) for line in lines) <= 80
    rulers = [line for line in lines if line.strip() and line.strip()[0].isdigit()]
    assert len(rulers) == 2 and rulers[0].split()[:3] == ["1", "11", "21"], "a ruler mark every 10 paragraphs"
    assert sum(line.startswith("  G1.W1") for line in lines) == 1, "the label on the first chunk only"
    cells, marks = _strip_screen([line for line in lines if not line.startswith("  G1.W2")], 10)
    assert len(cells) == 75 and cells[3] == "m" and cells[40] == "/" and cells[74] == "-"
    assert marks == {i + 1: "r" for i in moved}
    assert lines[-2].endswith("+1") or lines[-3].endswith("+1"), "the added count ends the copy's last row"


@needs_script
def test_a_75_paragraph_strip_at_an_80_column_terminal(tmp_path: Path) -> None:
    ref = story(7, 75)
    order = list(range(75))
    for a, b in ((8, 20), (33, 60), (70, 72)):
        order.insert(b, order.pop(a))
    (tmp_path / "ref.txt").write_text(page(("长篇", ref)), encoding="utf-8")
    (tmp_path / "copy.txt").write_text(page(("长篇", [ref[i] for i in order])), encoding="utf-8")
    diff = api.diff(str(tmp_path / "ref.txt"), str(tmp_path / "copy.txt"))
    moved = {f.ref + 1 for f in diff.findings if f.kind == "reordered" and f.ref is not None}
    assert moved
    output = at_terminal([DEDUP, "diff", str(tmp_path / "ref.txt"), str(tmp_path / "copy.txt"), "--no-pager"], 80)
    lines = screen_lines(output.stdout)
    start = next(i for i, line in enumerate(lines) if line.startswith("strip:"))
    strip = lines[start + 1 : next(i for i, line in enumerate(lines) if line.startswith("  ¶"))]
    assert max(cell_len(line) for line in strip) <= 80
    cells, marks = _strip_screen(strip, 10)
    assert len(cells) == 76 and set(marks) == moved, "every r stands under its paragraph"


@needs_script
def test_full_entries_and_the_diff_header_at_a_terminal(damaged: dict[str, Any]) -> None:
    """At an 80-column terminal: the header names both sides, the merged-and-moved paragraph is one entry,
    ``--full`` wraps whole paragraphs at the terminal's width, and unrelated texts exit 3."""
    command = [DEDUP, "diff", damaged["ref"], damaged["copy"], "--full", "--no-pager", "--color", "never"]
    result = at_terminal(command, 80)
    assert result.returncode == EXIT_FINDINGS
    lines = [line for line in screen_lines(result.stdout) if line.strip()]
    assert lines[0].startswith("reference ") and lines[1].startswith("copy ")
    assert max(cell_len(line) for line in lines[3:]) <= 80
    joined = "".join(line.strip() for line in lines)
    for kind in ("added", "merged", "dropped"):
        assert damaged["texts"][kind] in joined, f"{kind}: whole, wrapped at the terminal"
    heads = [line for line in lines if line.startswith("  ¶6 ¶7")]
    assert len(heads) == 1, "one entry for the copy paragraph that merges and moves ¶6 and ¶7"
    other = at_terminal([DEDUP, "diff", damaged["ref"], str(damaged["root"] / "other.txt"), "--no-pager"], 80)
    assert other.returncode == EXIT_UNRELATED and "unrelated texts" in other.stdout
