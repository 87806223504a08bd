"""The CI gate, run as a CI would: the installed ``dedup`` command against a persistent index."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from dedup.config import CandidateConfig, Config, FingerprintConfig
from dedup.gate.check import add_to_index, check
from dedup.pipeline.scan import scan
from dedup.results import CheckResult, Group, ScanResult
from dedup.store.index import Index, IndexFileError

from .corpora import page, preview_of, story

DEDUP = str(Path(sys.executable).with_name("dedup"))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DEDUP, *args], capture_output=True, text=True, check=False, env=env)


def write(folder: Path, name: str, title: str, paragraphs: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(page((title, paragraphs)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index built from part of a corpus: stories 50-55."""
    root = tmp_path_factory.mktemp("corpus")
    for k in range(50, 56):
        write(root / "held", f"s{k}.txt", f"标题{k}", story(k))
    index = root / "held.sqlite"
    done = run("index", "build", str(root / "held"), "--index", str(index))
    assert done.returncode == 0, done.stderr
    return index


def test_a_drop_with_reprints_fails_the_dup_rate_gate(held: Path, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write(drop, "a_reprint.txt", "转载", story(51)[1:])
    write(drop, "b_new.txt", "新闻", story(70))
    write(drop, "c_copy_of_new.txt", "新闻", story(70))
    junit = tmp_path / "report.xml"
    unique = tmp_path / "unique.txt"
    done = run(
        "check",
        str(drop),
        "--index",
        str(held),
        "--max-dup-rate",
        "0.5",
        "--format",
        "json",
        "--junit",
        str(junit),
        "--unique",
        str(unique),
    )
    assert done.returncode == 1, done.stderr
    payload = json.loads(done.stdout)
    assert payload["schema_version"] == 3 and payload["passed"] is False
    by_path = {Path(d["path"]).name: d for d in payload["drop"]}
    assert by_path["a_reprint.txt"]["reprints"][0].startswith("index:")
    assert by_path["b_new.txt"]["unique"] is True
    assert not by_path["c_copy_of_new.txt"]["unique"], "an earlier drop document counts as held"
    assert payload["dup_rate"] == pytest.approx(2 / 3)
    sources = {
        Path(s["path"]).name: w["source"] for g in payload["groups"] for w in g["witnesses"] for s in w["segments"]
    }
    assert sources["s51.txt"] == "index" and sources["a_reprint.txt"] == "drop"
    suite = ET.parse(junit).getroot()
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert {Path(n).name for n in cases if n} >= {"a_reprint.txt", "b_new.txt", "c_copy_of_new.txt", "max-dup-rate"}
    assert cases["max-dup-rate"].find("failure") is not None
    assert [Path(line).name for line in unique.read_text().splitlines()] == ["b_new.txt"]


def test_a_drop_without_reprints_passes(held: Path, tmp_path: Path) -> None:
    write(tmp_path / "drop", "fresh.txt", "新", story(80))
    done = run("check", str(tmp_path / "drop"), "--index", str(held), "--max-dup-rate", "0", "--fail-on", "dropped")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS" in done.stdout


def test_a_damaged_copy_fails_under_fail_on(held: Path, tmp_path: Path) -> None:
    damaged = story(53)
    del damaged[2]
    write(tmp_path / "drop", "damaged.txt", "标题53", damaged)
    done = run(
        "check",
        str(tmp_path / "drop"),
        "--index",
        str(held),
        "--fail-on",
        "dropped,garbled",
        "--junit",
        str(tmp_path / "j.xml"),
        "-f",
        "json",
    )
    assert done.returncode == 1
    (entry,) = json.loads(done.stdout)["drop"]
    assert [f["kind"] for f in entry["failures"]] == ["dropped"]
    case = next(
        c for c in ET.parse(tmp_path / "j.xml").getroot().iter("testcase") if "damaged" in (c.get("name") or "")
    )
    failure = case.find("failure")
    assert failure is not None and "dropped" in (failure.text or "")
    # The same copy passes a gate on other kinds.
    assert run("check", str(tmp_path / "drop"), "--index", str(held), "--fail-on", "garbled").returncode == 0


def test_bad_files_in_a_drop_are_reported(held: Path, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write(drop, "ok.txt", "新", story(81))
    (drop / "bad.txt").write_bytes(b"\x00\x01binary\x00")
    done = run("check", str(drop), "--index", str(held), "-f", "json", "--junit", str(tmp_path / "j.xml"))
    assert done.returncode == 0
    inputs = {Path(i["path"]).name: i for i in json.loads(done.stdout)["inputs"]}
    assert inputs["bad.txt"]["status"] == "skipped" and "binary" in inputs["bad.txt"]["reason"]
    assert "bad.txt" in done.stderr
    skipped = [c for c in ET.parse(tmp_path / "j.xml").getroot().iter("testcase") if c.find("skipped") is not None]
    assert [Path(c.get("name") or "").name for c in skipped] == ["bad.txt"]
    only_bad = tmp_path / "only_bad"
    only_bad.mkdir()
    (only_bad / "bad.txt").write_bytes(b"\x00\x01")
    assert run("check", str(only_bad), "--index", str(held)).returncode == 2


def test_usage_errors_exit_2(held: Path, tmp_path: Path) -> None:
    write(tmp_path / "d", "x.txt", "新", story(82))
    assert run("check", str(tmp_path / "d"), "--index", str(tmp_path / "none.sqlite")).returncode == 2
    assert run("check", str(tmp_path / "d"), "--index", str(held), "--fail-on", "typos").returncode == 2
    foreign = tmp_path / "foreign.sqlite"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    done = run("check", str(tmp_path / "d"), "--index", str(foreign))
    assert done.returncode == 2 and "not a dedup index" in done.stderr
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database at all" * 100)
    done = run("check", str(tmp_path / "d"), "--index", str(garbage))
    assert done.returncode == 2 and "not a dedup index" in done.stderr
    assert run("index", "build", str(tmp_path / "d"), "--index", str(held)).returncode == 2, "build never overwrites"


def test_an_index_refuses_sketches_made_otherwise(held: Path) -> None:
    with pytest.raises(IndexFileError, match=r"fingerprint.ngram is 5 in the index but 4 here"):
        Index.open(held, Config(fingerprint=FingerprintConfig(ngram=4)))


def _count(index: Path) -> int:
    connection = sqlite3.connect(index)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(connection.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    finally:
        connection.close()


def test_killing_an_add_midway_leaves_the_index_intact(tmp_path: Path) -> None:
    write(tmp_path / "first", "a.txt", "甲", story(90))
    index = tmp_path / "i.sqlite"
    assert run("index", "build", str(tmp_path / "first"), "--index", str(index)).returncode == 0
    for k in range(91, 95):
        write(tmp_path / "more", f"m{k}.txt", "乙", story(k))
    env = {**os.environ, "DEDUP_FAULT_PAUSE_S": "30"}
    process = subprocess.Popen(
        [DEDUP, "index", "add", str(tmp_path / "more"), "--index", str(index)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    line = ""
    while "paused inside the add transaction" not in line and time.monotonic() < deadline:
        line = process.stderr.readline()
    assert "paused" in line, "the add never reached its transaction"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert _count(index) == 1, "the killed add left nothing behind"
    assert run("index", "add", str(tmp_path / "more"), "--index", str(index)).returncode == 0
    assert _count(index) == 5, "and the index takes the next add"


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    write(tmp_path / "seed", "s.txt", "甲", story(100))
    index = tmp_path / "i.sqlite"
    assert run("index", "build", str(tmp_path / "seed"), "--index", str(index)).returncode == 0
    for k in range(101, 104):
        write(tmp_path / "x", f"x{k}.txt", "乙", story(k))
        write(tmp_path / "y", f"y{k}.txt", "丙", story(k + 10))
    env = {**os.environ, "DEDUP_FAULT_PAUSE_S": "2"}  # hold each transaction open so they overlap
    runs = [
        subprocess.Popen(
            [DEDUP, "index", "add", str(tmp_path / d), "--index", str(index)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for d in ("x", "y")
    ]
    for process in runs:
        process.communicate(timeout=300)
        assert process.returncode == 0
    assert _count(index) == 7


# --- the check against an in-memory scan of index and drop together ------------------------------------------

BOILERPLATE = "本网站所有内容均受版权保护，未经书面授权不得转载、摘编或以其他方式使用，违者必究。"


def _check_and_scan(
    held: Path, drop: Path, index_path: Path, config: Config | None = None
) -> tuple[CheckResult, ScanResult]:
    """Index ``held`` and check ``drop`` against it; and scan both together, as the check should see them."""
    config = config or Config()
    with Index.create(index_path, Config()) as created:
        add_to_index([str(held)], created, workers=1)
    with Index.open(index_path, config) as opened:
        checked = check([str(drop)], opened, config, workers=1)
    return checked, scan([str(held), str(drop)], config, workers=1)


def _groups_of_drop(groups: object, drop_paths: set[str]) -> set[frozenset[str]]:
    """The groups that hold a drop document, each as the set of its witnesses' segments."""
    out: set[frozenset[str]] = set()
    for g in groups:  # type: ignore[attr-defined]
        spans = frozenset(str(s) for w in g.witnesses for s in w.segments)
        if any(s.path in drop_paths for w in g.witnesses for s in w.segments):
            out.add(spans)
    return out


def test_a_check_groups_the_drop_as_a_scan_of_index_and_drop_would(tmp_path: Path) -> None:
    """Stories reprinted in the index and the drop, a page of two stories, a copy inside the drop, and an
    advert line in eight documents (a crowded bucket at ``max_bucket=4``): the check, reading only the
    indexed documents that verify against the drop, and of the advert's only the first four, finds the
    groups a scan of everything finds, the advert taken for boilerplate in both."""
    config = Config(candidates=CandidateConfig(max_bucket=4))
    held, drop = tmp_path / "held", tmp_path / "drop"
    for k in range(12):
        paragraphs = story(300 + k) + ([BOILERPLATE] if k % 2 else [])
        write(held, f"s{k:02d}.txt", f"标题{k}", paragraphs)
    write(held, "copy_s03.txt", "转载", story(303)[:4])
    (held / "page.txt").write_text(page(("甲", story(320)), ("乙", story(321))), encoding="utf-8")
    write(drop, "a_reprint_s03.txt", "转", [*story(303)[1:], BOILERPLATE])
    write(drop, "b_second_story_of_page.txt", "乙", story(321))
    write(drop, "c_new.txt", "新", story(330))
    write(drop, "d_copy_of_new.txt", "新", story(330)[:5])
    write(drop, "e_advert_only.txt", "广告", [*story(331, 2), BOILERPLATE])

    checked, scanned = _check_and_scan(held, drop, tmp_path / "i.sqlite", config)

    drop_paths = {d.path for d in checked.drop}
    expected = _groups_of_drop(scanned.groups, drop_paths)
    assert _groups_of_drop(checked.scan.groups, drop_paths) == expected
    assert len(expected) == 3, "s03 with its copies, the page's second story, the new story twice"
    stats = checked.scan.stats
    assert stats["index_crowded_buckets"] > 0, "the advert's bucket is crowded across the index"
    held_read = {
        Path(d.path).name
        for d, source in zip(checked.scan.documents, checked.sources, strict=True)
        if source == "index"
    }
    assert held_read == {"s01.txt", "s03.txt", "s05.txt", "s07.txt", "copy_s03.txt", "page.txt"}
    assert stats["index_band_documents"] == stats["index_candidates"] == 6
    by_name = {Path(d.path).name: d for d in checked.drop}
    assert by_name["e_advert_only.txt"].unique, "a shared advert is not a reprint"


def test_a_story_reprinted_by_most_of_what_the_check_reads_is_still_a_story(tmp_path: Path) -> None:
    """The check reads six of forty documents, all copies of one story: a story however large a share of
    what is read, and reported as the scan of all forty reports it."""
    held, drop = tmp_path / "held", tmp_path / "drop"
    for k in range(30):
        write(held, f"other{k:02d}.txt", f"其他{k}", story(400 + k, 3))
    for k in range(5):
        write(held, f"copy{k}.txt", "通稿", story(450))
    write(drop, "reprint.txt", "通稿", story(450))
    write(drop, "fresh.txt", "新", story(460))
    checked, scanned = _check_and_scan(held, drop, tmp_path / "i.sqlite")
    drop_paths = {d.path for d in checked.drop}
    assert _groups_of_drop(checked.scan.groups, drop_paths) == _groups_of_drop(scanned.groups, drop_paths)
    by_name = {Path(d.path).name: d for d in checked.drop}
    assert len(by_name["reprint.txt"].reprints) == 5 and by_name["fresh.txt"].unique
    assert checked.scan.stats["index_candidates"] == 5


def _ocr(blocks: list[str], width: int) -> str:
    """A page as OCR gives it: every block hard-wrapped at ``width`` characters, blank lines between."""
    return "\n\n".join("\n".join(b[k : k + width] for k in range(0, len(b), width)) for b in blocks) + "\n"


def _stitched(groups: Sequence[Group]) -> set[tuple[str, ...]]:
    """The witnesses stitched across a page jump, as their files' names in reading order."""
    return {tuple(Path(s.path).name for s in w.segments) for g in groups for w in g.witnesses if len(w.segments) > 1}


@pytest.mark.parametrize("pages_in", ["drop", "index"])
def test_a_check_stitches_page_jumps_as_a_scan_does(tmp_path: Path, pages_in: str) -> None:
    """Two papers cut one story at the same place, one printed plain and one as an OCR'd page: every pairing
    of heads and tails fits equally well, and only how each page came (its layout) tells which tail goes
    with which head. A check prepares its drop and reads its indexed pages as a scan prepares them, so it
    stitches the same pairs, wherever the pages are (in the drop, or in the index)."""
    body = story(28, paragraphs=8)
    title = "农村改革二十年"
    pages, rest = tmp_path / "pages", tmp_path / "rest"
    pages.mkdir()
    head = [title, *body[:3], body[3] + "（下转第2版）"]
    tail = ["（上接第1版）" + body[4], *body[5:]]
    (pages / "a_head.txt").write_text(page(("", head)).lstrip() + page(("另一篇", story(40))), encoding="utf-8")
    (pages / "b_head.txt").write_text(_ocr([*head, "另一篇", *story(41)], 21), encoding="utf-8")
    # the tails sort the other way round from their heads: pairing in file order would be wrong
    (pages / "c_tail.txt").write_text(_ocr([*tail, "本版其他新闻", *story(42)], 21), encoding="utf-8")
    (pages / "d_tail.txt").write_text(page(("", tail)).lstrip() + page(("本版其他", story(43))), encoding="utf-8")
    write(rest, "web.txt", title, body)
    held, drop = (rest, pages) if pages_in == "drop" else (pages, rest)

    checked, scanned = _check_and_scan(held, drop, tmp_path / "i.sqlite")

    expected = {("a_head.txt", "d_tail.txt"), ("b_head.txt", "c_tail.txt")}
    assert _stitched(scanned.groups) == expected
    assert _stitched(checked.scan.groups) == expected


# --- issue 18: every index failure is exit 2 and one line; SIGTERM rolls back and exits 143 -----------------


def _one_line_error(done: subprocess.CompletedProcess[str], *wanted: str) -> None:
    """Exit 2, and stderr one line that names each of ``wanted`` (the file and the cause), no traceback."""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for text in wanted:
        assert text in lines[0], lines[0]


def _copy(held: Path, tmp_path: Path) -> Path:
    path = tmp_path / "copy.sqlite"
    path.write_bytes(held.read_bytes())
    return path


def test_random_bytes_in_an_index_are_exit_2_for_info_check_and_add(held: Path, tmp_path: Path) -> None:
    index = _copy(held, tmp_path)
    data = bytearray(index.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 65536] = os.urandom(65536)[: len(data) - middle]
    index.write_bytes(bytes(data))
    write(tmp_path / "d", "x.txt", "新", story(51))
    _one_line_error(run("index", "info", "--index", str(index)), str(index), "damaged")
    _one_line_error(run("check", str(tmp_path / "d"), "--index", str(index)), str(index), "damaged")
    _one_line_error(run("index", "add", str(tmp_path / "d"), "--index", str(index)), str(index), "damaged")


@contextmanager
def _read_only(folder: Path) -> Iterator[Path]:
    """``folder`` seen read-only: a read-only bind mount for root (whom permissions do not stop), else
    permissions; skips where neither can be had."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
        for p in modes:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield folder
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    view = folder.with_name(folder.name + "_ro")
    view.mkdir()
    bound = subprocess.run(["mount", "--bind", str(folder), str(view)], capture_output=True, check=False)
    if bound.returncode != 0:
        pytest.skip("root, but cannot mount a read-only view")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], check=False).returncode != 0:
            pytest.skip("cannot remount read-only")
        yield view
    finally:
        subprocess.run(["umount", str(view)], check=False)


def test_adding_to_a_read_only_index_is_exit_2_and_changes_nothing(held: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    index = folder / "i.sqlite"
    index.write_bytes(held.read_bytes())
    write(tmp_path / "d", "x.txt", "新", story(84))
    with _read_only(folder) as seen:
        done = run("index", "add", str(tmp_path / "d"), "--index", str(seen / "i.sqlite"))
        _one_line_error(done, str(seen / "i.sqlite"), "read-only")  # refused before any input is read
    assert index.read_bytes() == held.read_bytes()


def _file_size_limit(limit: int) -> Callable[[], None]:
    """For ``preexec_fn``: a child whose files cannot grow past ``limit`` bytes, as on a full disk."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_on_build_and_add_is_exit_2_and_leaves_no_partial_index(held: Path, tmp_path: Path) -> None:
    """``RLIMIT_FSIZE`` makes every write past the limit fail (EFBIG), as a full disk does; Python ignores
    SIGXFSZ, so SQLite sees the failed write."""
    for k in range(120, 130):
        write(tmp_path / "d", f"x{k}.txt", "新", story(k, 20))
    target = tmp_path / "new.sqlite"
    done = subprocess.run(
        [DEDUP, "index", "build", str(tmp_path / "d"), "--index", str(target)],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_file_size_limit(200_000),
    )
    _one_line_error(done, str(target), "nothing was built")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"], "no index, no temporary file"

    index = _copy(held, tmp_path)
    before = index.read_bytes()
    done = subprocess.run(
        [DEDUP, "index", "add", str(tmp_path / "d"), "--index", str(index)],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_file_size_limit(len(before) + 40_000),
    )
    _one_line_error(done, str(index), "the index is as it was")
    assert index.read_bytes() == before and not index.with_name(index.name + "-journal").exists()


def test_a_full_tmpfs_on_add_is_exit_2_and_leaves_the_index_as_it_was(held: Path, tmp_path: Path) -> None:
    """A real full disk: a small tmpfs, where root may mount one."""
    disk = tmp_path / "disk"
    disk.mkdir()
    size = held.stat().st_size + 200_000
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)], capture_output=True, check=False
        ).returncode
    ):
        pytest.skip("cannot mount a tmpfs")
    try:
        index = disk / "i.sqlite"
        index.write_bytes(held.read_bytes())
        for k in range(130, 160):
            write(tmp_path / "d", f"x{k}.txt", "新", story(k, 20))
        done = run("index", "add", str(tmp_path / "d"), "--index", str(index))
        _one_line_error(done, str(index), "disk is full", "the index is as it was")
        assert index.read_bytes() == held.read_bytes()
    finally:
        subprocess.run(["umount", str(disk)], check=False)


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGTERM, 143, "terminated by SIGTERM"), (signal.SIGINT, 130, "interrupted before finishing")],
    ids=["sigterm", "ctrl-c"],
)
def test_a_signal_rolls_an_add_back_and_exits_128_plus_its_number(
    held: Path, tmp_path: Path, signum: int, code: int, said: str
) -> None:
    """SIGTERM and Ctrl-C are no verdict: the add is rolled back, exit 143 or 130 (click alone would turn
    Ctrl-C into "Aborted!", exit 1, the code for findings)."""
    index = _copy(held, tmp_path)
    before = index.read_bytes()
    write(tmp_path / "d", "x.txt", "新", story(85))
    process = subprocess.Popen(
        [DEDUP, "index", "add", str(tmp_path / "d"), "--index", str(index)],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DEDUP_FAULT_PAUSE_S": "60"},
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    assert "paused inside the add transaction" in line, line
    process.send_signal(signum)
    assert process.wait(timeout=60) == code
    assert said in process.stderr.read()
    assert index.read_bytes() == before


def test_adding_a_drop_again_skips_what_the_index_holds(held: Path, tmp_path: Path) -> None:
    """The README's CI recipe, retried: nothing is stored twice; new content at a held path replaces it."""
    index = _copy(held, tmp_path)
    drop = tmp_path / "d"
    write(drop, "a.txt", "新", story(86))
    write(drop, "b.txt", "新", story(87))
    assert run("index", "add", str(drop), "--index", str(index)).returncode == 0
    again = run("index", "add", str(drop), "--index", str(index))
    assert again.returncode == 0 and "added 0 document(s)" in again.stderr and "2 already held" in again.stderr
    assert _count(index) == 8
    write(drop, "b.txt", "改", story(88))
    changed = run("index", "add", str(drop), "--index", str(index))
    assert changed.returncode == 0 and "1 already held" in changed.stderr
    assert f"{drop / 'b.txt'}: new content replaced the indexed copy" in changed.stderr
    assert _count(index) == 8


@pytest.mark.parametrize("previews_in", ["drop", "index"])
def test_a_check_finds_preview_copies_as_a_scan_does(tmp_path: Path, previews_in: str) -> None:
    """Six stories and their previews (every paragraph cut after 22-33 characters, too short for LSH to
    propose against its original): one side indexed, the other the drop. The check finds every preview
    pair through the head keys the index keeps beside its postings, as a scan of both together does, and
    each drop document reprints its story."""
    held, drop = tmp_path / "held", tmp_path / "drop"
    whole, cut = (held, drop) if previews_in == "drop" else (drop, held)
    for k in range(6):
        paragraphs = story(500 + 7 * k, 8)
        write(whole, f"story{k}.txt", f"标题{k}", paragraphs)
        write(cut, f"preview{k}.txt", f"标题{k}", preview_of(paragraphs))
    checked, scanned = _check_and_scan(held, drop, tmp_path / "i.sqlite")
    drop_paths = {d.path for d in checked.drop}
    expected = _groups_of_drop(scanned.groups, drop_paths)
    assert len(expected) == 6
    assert _groups_of_drop(checked.scan.groups, drop_paths) == expected
    assert not [d.path for d in checked.drop if d.unique]
    assert checked.scan.stats["index_head_pairs"] > 0
