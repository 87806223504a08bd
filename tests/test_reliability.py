"""Issue 18, the input, output and terminal half: bad input never crashes, never reads as a verdict, and never
reaches a terminal or an XML parser as control characters.

Each test is the issue's reproduction, or a smaller one, run on real files through the installed ``dedup``
command where the behaviour is the process's (exit codes, stderr).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from dedup.ingest.load import load, read_stdin
from dedup.records import Document, Skipped

from .corpora import page, story

DEDUP = str(Path(sys.executable).with_name("dedup"))
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ESC = "\x1b"


def run(*args: str, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    """The installed command; bytes, since what it writes must be checked as bytes (UTF-8, no ESC)."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE} | kwargs
    return subprocess.run([DEDUP, *args], check=False, env=env, **streams)


def one_clear_line(stderr: bytes) -> str:
    """The run's error: exactly one line starting ``error:``, and no traceback."""
    text = stderr.decode("utf-8")
    assert "Traceback" not in text and "╭" not in text, text
    errors = [line for line in text.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, text
    return errors[0]


def write_story(folder: Path, name: str, number: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(page((f"标题{number}", story(number))), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index holding stories 80 and 81, which no drop below reprints."""
    root = tmp_path_factory.mktemp("held")
    for number in (80, 81):
        write_story(root / "held", f"s{number}.txt", number)
    built = root / "held.sqlite"
    done = run("index", "build", "-q", str(root / "held"), "--index", str(built))
    assert done.returncode == 0, done.stderr
    return built


# --- item 2: a bad record is skipped with its reason, and the rest read ----------------------------------


def test_bad_jsonl_records_are_skipped_with_their_reason_and_the_rest_read(tmp_path: Path) -> None:
    good = {"id": "good", "text": "\n\n".join(story(3))}
    lines = [
        '{"id": ' + "9" * 5000 + ', "text": "新华社北京电 正文。"}',  # ValueError: int over 4,300 digits
        '{"id": "deep", "text": "x", "nested": ' + "[" * 100_000 + "]" * 100_000 + "}",  # RecursionError
        '{"id": "surrogate", "text": "新华社\\ud800北京电"}',  # UnicodeEncodeError in OpenCC, SQLite, stdout
        json.dumps(good, ensure_ascii=False),
    ]
    drop = tmp_path / "drop.jsonl"
    drop.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run("scan", str(drop), "--format", "json")
    assert done.returncode == 0, done.stderr
    inputs = {Path(i["path"]).name: i for i in json.loads(done.stdout)["inputs"]}
    assert inputs["drop.jsonl#good"]["status"] == "ok"
    assert "4,300 digits" in inputs["drop.jsonl#1"]["reason"]
    assert "nested too deeply" in inputs["drop.jsonl#2"]["reason"]
    assert "lone surrogate" in inputs["drop.jsonl#surrogate"]["reason"]
    stderr = done.stderr.decode()
    assert stderr.count("skipped") == 3 and "Traceback" not in stderr


def test_a_closed_stdin_is_one_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(f"'{DEDUP}' scan - <&-", shell=True, capture_output=True, check=False)
    assert done.returncode == 2
    assert "standard input" in one_clear_line(done.stderr)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["table", "json", "jsonl"])
def test_a_full_disk_on_stdout_exits_2_naming_stdout(fmt: str) -> None:
    with open("/dev/full", "wb") as full:
        done = run("scan", "-q", str(SEEDS), "--format", fmt, stdout=full)
    assert done.returncode == 2
    assert one_clear_line(done.stderr) == "error: stdout: cannot write: No space left on device"


def test_an_ascii_stdout_prints_exact_json_and_a_table_without_crashing() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    plain = run("report", "-q", str(SEEDS), "--format", "json")
    ascii_json = run("report", "-q", str(SEEDS), "--format", "json", env=env)
    assert ascii_json.returncode == 0, ascii_json.stderr
    assert max(ascii_json.stdout) < 0x80
    assert json.loads(ascii_json.stdout)["groups"] == json.loads(plain.stdout)["groups"]
    table = run("report", "-q", str(SEEDS), env=env)
    assert table.returncode == 0, table.stderr
    assert b"\\u" in table.stdout and not table.stderr


# --- item 2: output files checked before the work, written whole --------------------------------------------


@pytest.mark.parametrize(
    ("option", "target", "says"),
    [
        ("--junit", "missing/report.xml", "does not exist"),
        ("--junit", ".", "is a directory"),
        ("--unique", "missing/keep.txt", "does not exist"),
        ("--unique0", "reports", "is a directory"),
    ],
)
def test_an_unwritable_output_file_is_refused_before_the_work(
    index: Path, tmp_path: Path, option: str, target: str, says: str
) -> None:
    write_story(tmp_path / "drop", "a.txt", 5)
    (tmp_path / "reports").mkdir()
    done = run("check", "drop", "--index", str(index), option, target, cwd=tmp_path)
    assert done.returncode == 2
    line = one_clear_line(done.stderr)
    assert option in line and target in line and says in line
    assert not done.stdout, "refused before the check ran"


def _limit_file_size() -> None:
    """A child process whose files cannot grow past 2,000 bytes: a full disk, for files only."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))


def test_a_junit_file_that_cannot_be_written_whole_leaves_the_old_one(index: Path, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    for number in range(10, 30):
        write_story(drop, f"document_with_a_long_name_{number:03}.txt", number)
    # numba writes its compiled kernels' cache on first use, which the size limit would fail: warm it first
    assert run("check", str(drop), "--index", str(index), "-q").returncode in (0, 1)
    junit = tmp_path / "report.xml"
    junit.write_text("<old/>", encoding="utf-8")
    done = run("check", str(drop), "--index", str(index), "--junit", str(junit), preexec_fn=_limit_file_size)
    assert done.returncode == 2
    line = one_clear_line(done.stderr)
    assert str(junit) in line and "left as it was" in line
    assert junit.read_text(encoding="utf-8") == "<old/>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drop", "report.xml"], "no temporary file left"


# --- item 3: control characters are shown, never sent to the terminal ---------------------------------------


def test_escape_sequences_in_names_ids_and_text_never_reach_the_terminal(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    paragraphs = story(7)
    paragraphs[1] = f"{ESC}[2J{ESC}]8;;http://evil.example/{ESC}\\点击这里{ESC}]8;;{ESC}\\" + paragraphs[1]
    drop.mkdir()
    (drop / f"a{ESC}[2J.txt").write_text(page(("标题", paragraphs)), encoding="utf-8")
    record = {"id": f"x{ESC}[31m", "text": page(("标题", story(7)))}
    (drop / "b.jsonl").write_text(json.dumps(record) + "\n" + '{"id": "\\u001b[2J", "text": ""}\n', encoding="utf-8")
    copy = str(drop / "b.jsonl") + f"#x{ESC}[31m"
    commands = [
        ("scan", str(drop)),
        ("report", str(drop)),
        ("normalize", str(drop)),
        ("diff", str(drop / f"a{ESC}[2J.txt"), copy),
    ]
    for command in commands:
        done = run(*command)
        assert done.returncode in (0, 1), done.stderr
        assert ESC.encode() not in done.stdout, command
        assert ESC.encode() not in done.stderr, command
        assert b"\\x1b" in done.stdout + done.stderr, command
    payload = json.loads(run("report", str(drop), "--format", "json").stdout)
    texts = json.dumps(payload, ensure_ascii=False)
    assert f"a{ESC}[2J.txt" in {Path(i["path"]).name for i in payload["inputs"]}, "JSON keeps names exact"
    assert "http://evil.example/" in texts


# --- item 4: JUnit XML parses whatever the names and texts hold ---------------------------------------------


def test_junit_parses_with_control_characters_in_names_and_quoted_text(index: Path, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    paragraphs = story(80)[:4]
    paragraphs[2] = "\x0c\x01" + paragraphs[2][:40] + "\x1b[2J改了几个字" + paragraphs[2][48:]
    drop.mkdir()
    (drop / f"bad{ESC}\x07name.txt").write_text(page(("标题", paragraphs)), encoding="utf-8")
    (drop / "undecodable.txt").write_bytes(b"\x00\x01binary")
    os.makedirs(drop / "raw")
    Path(os.fsdecode(os.fsencode(drop / "raw") + b"/\xff.txt")).write_text(page(("标题", story(9))), encoding="utf-8")
    junit = tmp_path / "report.xml"
    done = run("check", str(drop), "--index", str(index), "--fail-on", "substituted,dropped", "--junit", str(junit))
    assert done.returncode == 1, done.stderr
    suite = ET.parse(junit).getroot()
    names = [case.get("name") or "" for case in suite.iter("testcase")]
    assert any(name.endswith("bad\\x1b\\x07name.txt") for name in names)
    assert any(name.endswith("raw/\\xff.txt") for name in names)
    failures = [f.text or "" for f in suite.iter("failure") if f.get("type") == "findings"]
    assert failures and all(ESC not in text for text in failures)


# --- item 8: one file reached twice is read once ----------------------------------------------------------


def test_a_file_given_twice_is_read_once_and_is_not_its_own_reprint(index: Path, tmp_path: Path) -> None:
    write_story(tmp_path / "drop", "a.txt", 20)
    write_story(tmp_path / "drop", "plain.txt", 21)
    done = run("check", "drop/", "drop/plain.txt", "--index", str(index), "--max-dup-rate", "0.3", cwd=tmp_path)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert "drop/plain.txt: same file as drop/plain.txt (reached twice): read once" in done.stderr.decode()


def test_every_path_that_reaches_a_file_again_is_noted(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_story(drop, "a.jsonl", 1).write_text(
        json.dumps({"id": "k", "text": "\n\n".join(story(1))}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    write_story(drop, "b.txt", 2)
    (tmp_path / "again").symlink_to(drop)
    given = [str(drop / "a.jsonl#k"), str(drop), str(tmp_path / "again"), str(drop) + "/./b.txt", "-", "-"]
    items = list(load(given, read_stdin("新华社北京电".encode())))
    read = [i.path for i in items if isinstance(i, Document)]
    assert read == [str(drop / "a.jsonl#k"), str(drop / "b.txt"), "-"]
    skipped = {i.path: i.reason for i in items if isinstance(i, Skipped)}
    assert "same document as" in skipped[str(drop / "a.jsonl") + "#k"]
    assert "same directory as" in skipped[str(tmp_path / "again")]
    assert "same file as" in skipped[str(drop) + "/./b.txt"]
    assert "given twice" in skipped["-"]


# --- item 9: --unique never overwrites an input ----------------------------------------------------------


@pytest.mark.parametrize("target", ["d.jsonl", "drop/keep.txt"])
def test_unique_refuses_to_overwrite_an_input(index: Path, tmp_path: Path, target: str) -> None:
    records = [json.dumps({"id": str(k), "text": "\n\n".join(story(k))}, ensure_ascii=False) for k in (1, 2)]
    (tmp_path / "d.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    write_story(tmp_path / "drop", "keep.txt", 3)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    done = run("check", "d.jsonl", "drop", "--index", str(index), "--unique", target, cwd=tmp_path)
    assert done.returncode == 2
    line = one_clear_line(done.stderr)
    assert f"--unique {target}" in line and "input" in line
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


# --- item 10: symlinked directories are followed, loops said ---------------------------------------------


def test_symlinked_directories_are_followed_and_loops_are_said(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    write_story(elsewhere, "linked.txt", 4)
    drop = tmp_path / "drop"
    write_story(drop / "sub", "own.txt", 5)
    (drop / "latest").symlink_to(elsewhere)
    (drop / "sub" / "up").symlink_to(drop)
    (drop / "loop.txt").symlink_to(drop / "loop.txt")
    (drop / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "self").symlink_to(tmp_path / "self")
    items = list(load([str(drop), str(tmp_path / "self")]))
    read = sorted(Path(i.path).name for i in items if isinstance(i, Document))
    assert read == ["linked.txt", "own.txt"]
    skipped = {os.path.relpath(i.path, tmp_path): i.reason for i in items if isinstance(i, Skipped)}
    assert skipped["drop/sub/up"].startswith("symlink loop")
    assert skipped["drop/loop.txt"].startswith("symlink loop")
    assert skipped["self"].startswith("symlink loop")
    assert skipped["drop/gone.txt"].startswith("broken symlink")


# --- item 11: odd file names, literal ids ----------------------------------------------------------------


def test_unique0_keeps_a_file_name_with_a_newline(index: Path, tmp_path: Path) -> None:
    write_story(tmp_path / "drop", "two\nlines.txt", 6)
    keep = tmp_path / "keep0"
    done = run("check", "drop", "--index", str(index), "--unique0", str(keep), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert keep.read_bytes() == b"drop/two\nlines.txt\0"


def test_a_file_name_that_is_not_utf8_gives_valid_json_with_its_bytes(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    raw = os.fsencode(drop) + b"/caf\xff.txt"
    Path(os.fsdecode(raw)).write_text(page(("标题", story(8))), encoding="utf-8")
    for fmt in ("json", "jsonl"):
        done = run("normalize", str(drop), "--format", fmt)
        assert done.returncode == 0, done.stderr
        text = done.stdout.decode("utf-8")  # strict: the output is valid UTF-8
        records = [json.loads(line) for line in text.splitlines()] if fmt == "jsonl" else []
        entry = json.loads(text)["inputs"][0] if fmt == "json" else next(r for r in records if r["type"] == "input")
        assert entry["path"].endswith("caf\ufffd.txt")
        assert bytes.fromhex(entry["path_bytes"]) == raw
    Path(os.fsdecode(raw.replace(b".txt", b".jpg"))).write_bytes(b"\xff\xd8")
    table = run("scan", str(drop))
    assert table.returncode == 0 and b"caf\\xff.jpg: unsupported extension" in table.stderr


def test_a_literal_id_that_looks_renamed_gets_no_note(tmp_path: Path) -> None:
    lines = [{"id": "dup", "text": "甲" * 30}, {"id": "dup@3", "text": "乙" * 30}, {"id": "dup", "text": "丙" * 30}]
    drop = tmp_path / "d.jsonl"
    drop.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n", encoding="utf-8")
    done = run("normalize", str(drop), "--format", "json")
    notes = {Path(i["path"]).name: i.get("note") for i in json.loads(done.stdout)["inputs"]}
    assert notes == {
        "d.jsonl#dup": None,
        "d.jsonl#dup@3": None,
        "d.jsonl#dup@3@3": f"{drop}#dup names an earlier line, so line 3 is {drop}#dup@3@3",
    }


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a read-only directory")
def test_a_read_only_directory_says_so(tmp_path: Path) -> None:
    write_story(tmp_path / "corpus", "a.txt", 1)
    folder = tmp_path / "ro"
    folder.mkdir()
    built = run("index", "build", "-q", str(tmp_path / "corpus"), "--index", str(folder / "i.sqlite"))
    assert built.returncode == 0
    folder.chmod(0o555)
    try:
        done = run("index", "add", "-q", str(tmp_path / "corpus"), "--index", str(folder / "i.sqlite"))
    finally:
        folder.chmod(0o755)
    assert done.returncode == 2
    line = one_clear_line(done.stderr)
    assert "read-only" in line and "damaged" not in line
