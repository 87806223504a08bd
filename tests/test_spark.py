"""The Spark engine gives the embedded engine's inputs, groups and findings (issue 14).

One SparkSession for the module, on ``local[2]`` with few shuffle partitions and a small Python worker memory
(aggregations spill past 256 MB rather than hold a bucket or a component in memory). Every comparison is of the
JSON contract's dicts, which must be equal as lists (ids and order included), stronger than equal after sorting.

Each Spark run costs tens of seconds however small its corpus (a few hundred jobs' overhead), so the module
runs each pipeline once per corpus and shares it: one ``report`` on a mixed corpus (the seeds, generated stories
with page jumps, flat pages sharing site footers, a preview copy, and inputs to skip) that the seed, story,
footer, preview and Parquet-output tests all read, one ``report --format parquet -o DIR`` from the command line
that the executor-written tables' tests read, and one scan per generated corpus (issue 14: the Spark part of CI
under ~10 minutes).
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("pyspark")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from dedup.collate.records import Report  # noqa: E402
from dedup.config import CandidateConfig, Config  # noqa: E402
from dedup.engines import spark as engine  # noqa: E402
from dedup.engines.spark.session import SparkUnavailableError, require_pyspark  # noqa: E402
from dedup.group.components import components  # noqa: E402
from dedup.pipeline.report import report as embedded_report  # noqa: E402
from dedup.pipeline.scan import scan as embedded_scan  # noqa: E402
from dedup.render.json import group_to_dict, report_group_to_dict  # noqa: E402
from dedup.results import Group, ScanResult  # noqa: E402

from .corpora import page, story  # noqa: E402

SEEDS = str(Path(__file__).parent.parent / "seeds")
MASTER = "local[2]"
CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "1g",
    "spark.python.worker.memory": "256m",
}


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = engine.session(MASTER, CONF)
    yield session
    session.stop()


def groups(result: ScanResult) -> list[dict[str, Any]]:
    return [group_to_dict(g) for g in result.groups]


def inputs(result: ScanResult) -> list[dict[str, str]]:
    return [r.to_dict() for r in result.inputs]


def same_scan(paths: list[str], config: Config | None = None, measure: bool = False) -> ScanResult:
    """Scan with both engines, assert they agree on inputs, documents and groups; the Spark result (with the
    stage sizes in its ``stats`` when ``measure``)."""
    expected = embedded_scan(paths, config)
    got = engine.scan(paths, config, MASTER, CONF, measure=measure)
    assert inputs(got) == inputs(expected)
    assert [d.path for d in got.documents] == [d.path for d in expected.documents]
    assert groups(got) == groups(expected)
    if measure:  # boilerplate, found over the corpus before components, as the embedded engine finds it
        assert got.stats["boilerplate_paragraphs"] == expected.stats["boilerplate_paragraphs"]
    return got


def test_without_pyspark_the_engine_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if not installed: ``import pyspark`` fails
    with pytest.raises(SparkUnavailableError, match=r"pip install 'dedup\[spark\]'"):
        require_pyspark()
    with pytest.raises(SparkUnavailableError, match="Java 17"):
        engine.scan([SEEDS], master=MASTER)


def test_large_star_small_star_labels_components_as_union_find_does(spark: Any) -> None:
    from dedup.engines.spark.components import connected_components

    rng = np.random.default_rng(3)
    n = 300
    a, b = rng.integers(0, n, 260), rng.integers(0, n, 260)
    a = np.concatenate([a, np.arange(100, 160)])  # one long path: the most rounds
    b = np.concatenate([b, np.arange(101, 161)])
    frame = spark.createDataFrame([(int(x), int(y)) for x, y in zip(a, b, strict=True)], "src long, dst long")
    got = {int(r[0]): int(r[1]) for r in connected_components(frame).collect()}
    labels = components(n, a, b)
    apart = a != b  # a self-loop is no edge
    nodes = {int(x) for x in np.concatenate([a[apart], b[apart]])}
    assert got == {x: int(labels[x]) for x in nodes}


#: The parts of the mixed corpus (:func:`mixed_paths`), each in a folder of its own.
PARTS = ("seeds", "stories", "footer", "preview")


@pytest.fixture(scope="module")
def mixed_paths(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The seeds, with files a folder walk must account for (hidden, unsupported, empty) and a missing path;
    beside them, each in a folder of its own, flat pages of two sites sharing a footer
    (:func:`~tests.corpora.footer_pages`), a story and its preview on a listing page
    (:func:`~tests.corpora.preview_pages`), and 12 generated stories, some printed across a page jump, given
    as files. The parts share no text (:func:`test_each_part_of_the_mixed_corpus_is_grouped_apart`), so one
    Spark run on them stands for one per part at a fraction of the time."""
    from benchmarks.make_corpus import main as make_corpus

    from .corpora import footer_pages, preview_pages

    root = tmp_path_factory.mktemp("mixed")
    folder = root / "seeds"
    shutil.copytree(SEEDS, folder)
    (folder / ".hidden.txt").write_text("x", encoding="utf-8")
    (folder / "notes.bin").write_bytes(b"\x00\x01")
    (folder / "empty.txt").write_text("   ", encoding="utf-8")
    for part, write in (("footer", footer_pages), ("preview", preview_pages)):
        (folder / part).mkdir()
        write(folder / part)
    stories = root / "stories"
    stories.mkdir()
    make_corpus([str(stories), "--stories", "12"])
    texts = [str(p) for p in sorted(stories.iterdir()) if p.suffix in {".txt", ".html", ".md", ".jsonl"}]
    return [str(folder), str(root / "missing.txt"), *texts]


@pytest.fixture(scope="module")
def mixed_report(spark: Any, mixed_paths: list[str]) -> Report:
    """The Spark report on the mixed corpus: run once, read by every test of it."""
    return engine.report(mixed_paths, None, MASTER, CONF)


def part_of(path: str) -> str:
    """The part of the mixed corpus a segment's file is in (``FILE#ID`` paths included)."""
    folder = Path(path).parent.name
    return folder if folder in PARTS else "?"


def parts(result: ScanResult) -> dict[str, list[Group]]:
    """The groups by the parts of the mixed corpus their copies come from (``"footer+seeds"`` for a group
    that would join two parts)."""
    out: dict[str, list[Group]] = {}
    for group in result.groups:
        names = sorted({part_of(s.path) for w in group.witnesses for s in w.segments})
        out.setdefault("+".join(names), []).append(group)
    return out


def same_report(got: Report, expected: Report) -> None:
    """The Spark report agrees with the embedded one: inputs, documents, groups, and every finding."""
    assert inputs(got.scan) == inputs(expected.scan)
    assert [d.path for d in got.scan.documents] == [d.path for d in expected.scan.documents]
    assert groups(got.scan) == groups(expected.scan)
    assert [report_group_to_dict(g) for g in got.groups] == [report_group_to_dict(g) for g in expected.groups]


def test_the_mixed_corpus_gives_the_same_inputs_groups_and_findings(
    mixed_report: Report, mixed_paths: list[str]
) -> None:
    skipped = {Path(r.path).name: r.reason for r in mixed_report.scan.inputs if r.status == "skipped"}
    assert set(skipped) == {".hidden.txt", "notes.bin", "empty.txt", "missing.txt"}
    same_report(mixed_report, embedded_report(mixed_paths))


def test_each_part_of_the_mixed_corpus_is_grouped_apart(mixed_report: Report) -> None:
    """No group joins two parts, and every part has groups: each part's tests below read its own groups."""
    assert set(parts(mixed_report.scan)) == set(PARTS)


def test_the_seeds_hold_a_reprinted_story(mixed_report: Report) -> None:
    assert parts(mixed_report.scan)["seeds"]


def test_a_story_corpus_with_page_jumps_gives_the_same_groups_and_findings(mixed_report: Report) -> None:
    stories = parts(mixed_report.scan)["stories"]
    assert len(stories) >= 6
    assert any(len(w.passages) == 2 for g in stories for w in g.witnesses), "a story stitched across a jump"


def test_flat_pages_sharing_a_site_footer_give_the_same_groups_and_findings(mixed_report: Report) -> None:
    """A footer glued after the story on flattened pages is no evidence in either engine (the pages of one site
    printing different stories stay apart: one group per story)."""
    from .corpora import FOOTER_STORIES

    assert len(parts(mixed_report.scan)["footer"]) == FOOTER_STORIES


def test_a_preview_copy_is_grouped_the_same_way(mixed_report: Report) -> None:
    """A listing page's preview of a story (every paragraph cut short) is grouped with the story by head keys
    (:mod:`dedup.match.heads`) in both engines."""
    (group,) = parts(mixed_report.scan)["preview"]
    assert {Path(s.path).name for w in group.witnesses for s in w.segments} == {"wire.txt", "listing.txt"}


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 generated web articles (30% reprints) as one JSONL file, with a bad line added."""
    from benchmarks.make_corpus import main as make_corpus

    folder = tmp_path_factory.mktemp("articles")
    make_corpus([str(folder), "--articles-only", "2000"])
    path = folder / "articles.jsonl"
    with path.open("a", encoding="utf-8") as out:
        out.write('{"id": "broken", "text": \n')  # malformed JSON: skipped with its reason by both engines
        out.write('{"id": "blank", "text": "   "}\n')
    return path


def to_parquet(jsonl: Path, out: Path) -> Path:
    """The JSONL file's documents as a Parquet file (ids and texts), a null text row and an empty one added."""
    ids: list[str | None] = []
    texts: list[str | None] = []
    for line in jsonl.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        ids.append(str(record["id"]))
        texts.append(record["text"])
    ids += ["nulltext", "empty"]
    texts += [None, ""]
    path = out / "articles.parquet"
    pq.write_table(pa.table({"id": ids, "text": texts}), path, row_group_size=500)
    return path


def test_a_generated_corpus_as_jsonl_and_as_parquet_gives_the_same_groups(spark: Any, articles: Path) -> None:
    from_jsonl = same_scan([str(articles)], measure=True)
    assert len(from_jsonl.groups) > 50
    skipped = {r.path: r.reason for r in from_jsonl.inputs if r.status == "skipped"}
    assert any(p.endswith("#blank") for p in skipped) and len(skipped) >= 2

    parquet = to_parquet(articles, articles.parent)
    from_parquet = same_scan([str(parquet)])
    rename = str(parquet), str(articles)
    assert json.dumps(groups(from_parquet)).replace(*rename) == json.dumps(groups(from_jsonl))
    bad = {r.path.rpartition("#")[2]: r.reason for r in from_parquet.inputs if r.status == "skipped"}
    assert set(bad) >= {"nulltext", "empty", "blank"}
    assert "null" in (bad["nulltext"] or "")


def _random_text(rng: random.Random, chars: int) -> str:
    """Sentences of random common Chinese characters: text no other page shares (fragments of real
    paragraphs would recur across pages, and their matches would give the masthead company)."""
    return "".join(chr(rng.randrange(0x4E00, 0x9FA5)) + ("。" if k % 20 == 19 else "") for k in range(chars))


def bounded_buckets(result: ScanResult, skewed: int, max_bucket: int) -> None:
    """The corpus made a bucket of ``skewed`` units or more, and no banding task enumerated more pairs of one
    bucket than the star allows (``max_bucket²/2``, or one pair per member past the cap), nor the corpus more
    candidates than ``max_bucket/2`` per band entry: linear, where all pairs of the bucket would be
    ``skewed²/2``."""
    stats = result.stats
    assert stats["largest_bucket"] >= skewed
    assert stats["largest_bucket_pairs"] <= max(max_bucket * (max_bucket - 1) / 2, stats["largest_bucket"] - 1)
    assert stats["candidates"] <= stats["band_entries"] * (max_bucket - 1) / 2


@pytest.fixture(scope="module")
def masthead_pages(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    """A masthead on each of 5,000 pages: one LSH bucket of 5,000 units per band, linked as a star, and
    boilerplate; both engines' groups compared."""
    rng = random.Random(7)
    address = "本报地址北京市朝阳区金台西路二号人民日报社邮政编码一零零七三三"
    masthead = address + "总编室电话六五三六八八八八广告部电话六五三六八八八九"
    lines = []
    for k in range(5000):
        text = f"{masthead}\n\n{_random_text(rng, 160)}\n\n{_random_text(rng, 160)}"
        lines.append(json.dumps({"id": k, "text": text}, ensure_ascii=False))
    path = tmp_path_factory.mktemp("masthead") / "pages.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    return same_scan([str(path)], measure=True)


def test_skew_one_paragraph_in_5000_documents(masthead_pages: ScanResult) -> None:
    assert len(masthead_pages.documents) == 5000
    bounded_buckets(masthead_pages, 4500, Config().candidates.max_bucket)  # nearly every page's masthead


def test_skew_no_grouping_task_holds_every_page_of_a_masthead(masthead_pages: ScanResult) -> None:
    # boilerplate is found over the corpus before components: the masthead links no pages, and no component
    # (one grouping task each) holds more than a sliver of the corpus
    assert masthead_pages.stats["boilerplate_paragraphs"] >= 4500
    assert masthead_pages.stats["largest_component"] < len(masthead_pages.documents) / 100


def test_skew_one_story_reprinted_2000_times(spark: Any, tmp_path: Path) -> None:
    body = story(20, paragraphs=6)
    rng = np.random.default_rng(5)
    lines = []
    for k in range(2000):
        copy = [p for i, p in enumerate(body) if i != rng.integers(0, 6)]
        lines.append(json.dumps({"id": k, "text": page(("改革开放二十年", copy))}, ensure_ascii=False))
    path = tmp_path / "reprints.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = same_scan([str(path)], Config(candidates=CandidateConfig(max_bucket=50)), measure=True)
    (group,) = result.groups
    assert len(group.witnesses) == 2000
    bounded_buckets(result, 1000, 50)  # each paragraph is left out of a sixth of the copies


def test_parquet_output_holds_every_segment_and_finding(mixed_report: Report, tmp_path: Path) -> None:
    got = mixed_report
    written = engine.write_parquet(got, tmp_path / "out")
    assert [p.name for p in written] == ["groups.parquet", "findings.parquet"]
    table = pq.read_table(written[0]).to_pylist()
    segments = [s for g in got.scan.groups for w in g.witnesses for s in w.segments]
    assert [(r["path"], r["start_line"], r["end_line"]) for r in table] == [
        (s.path, s.start_line, s.end_line) for s in segments
    ]
    first = table[0]
    raw = next(d for d in got.scan.documents if d.path == first["path"]).raw
    assert raw[first["start_char"] : first["end_char"]].strip()
    findings = pq.read_table(written[1]).to_pylist()
    total = sum(len(r.findings) for g in got.groups for r in g.collation.witnesses)
    assert len(findings) == total and all(json.loads(f["json"])["kind"] == f["kind"] for f in findings)


SPARK_PARQUET = ["--engine", "spark", "--spark-master", MASTER, "--format", "parquet"]


@dataclass(frozen=True)
class Written:
    """What ``report --engine spark --format parquet -o DIR`` did: the folder, its stderr, and the counts
    :func:`dedup.engines.spark.write_tables` returned."""

    folder: Path
    stderr: str
    stats: dict[str, float]


@pytest.fixture(scope="module")
def executor_tables(spark: Any, mixed_paths: list[str], tmp_path_factory: pytest.TempPathFactory) -> Written:
    """``report --engine spark --format parquet -o DIR`` on the mixed corpus, run once from the command line;
    ``write_tables`` is wrapped to keep the counts it returns (the command prints none)."""
    from typer.testing import CliRunner

    from dedup.cli import app

    out = tmp_path_factory.mktemp("tables") / "out"
    returned: list[dict[str, float]] = []
    write_tables = engine.write_tables

    def kept(*args: Any, **kwargs: Any) -> dict[str, float]:
        returned.append(write_tables(*args, **kwargs))
        return returned[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "write_tables", kept)
        done = CliRunner().invoke(app, ["report", *mixed_paths, *SPARK_PARQUET, "-o", str(out)])
    assert done.exit_code == 0, done.output
    (stats,) = returned
    return Written(out, done.stderr, stats)


def test_executors_write_the_tables_the_driver_would(executor_tables: Written, mixed_report: Report) -> None:
    """``write_tables`` (every row written by the executors, nothing gathered on the driver) gives the rows
    ``write_parquet`` writes from the result record, in the same order, and accounts for every input."""
    from dedup.engines.spark.output import finding_rows, group_rows

    out = executor_tables.folder
    assert executor_tables.stats["groups"] == len(mixed_report.scan.groups)
    assert pq.read_table(out / "groups.parquet").to_pylist() == group_rows(mixed_report.scan)
    assert pq.read_table(out / "findings.parquet").to_pylist() == finding_rows(mixed_report)
    written = [{k: v for k, v in r.items() if v is not None} for r in pq.read_table(out / "inputs.parquet").to_pylist()]
    assert written == inputs(mixed_report.scan)


def test_the_command_line_has_the_executors_write_parquet(executor_tables: Written, mixed_report: Report) -> None:
    """``report --engine spark --format parquet -o DIR`` writes the tables from the executors (an
    ``inputs.parquet`` folder shows it: the driver's writer has none) and lists the skipped inputs on stderr
    as the embedded engine does."""
    assert (executor_tables.folder / "inputs.parquet").is_dir()
    skipped = [r.path for r in mixed_report.scan.inputs if r.status == "skipped"]
    assert len(skipped) >= 3 and all(Path(path).name in executor_tables.stderr for path in skipped)


def test_the_command_line_picking_findings_has_the_driver_write_parquet(spark: Any, tmp_path: Path) -> None:
    """With ``--kind`` the driver picks the findings, so it runs ``report`` and writes the tables itself (no
    ``inputs.parquet``), only the kinds asked for. A real Spark run on two small files (a story and a copy
    that lacks one paragraph): the command's path is what is tested, so the corpus is the smallest that
    gives a finding of the kind and one of another (the copy's changed characters)."""
    from typer.testing import CliRunner

    from dedup.cli import app

    paragraphs = story(610, 6)
    copy = [*paragraphs[:2], *paragraphs[3:]]
    copy[0] = copy[0][:10] + "导向激励" + copy[0][14:]
    (tmp_path / "wire.txt").write_text(page(("标题", paragraphs)), encoding="utf-8")
    (tmp_path / "copy.txt").write_text(page(("标题", copy)), encoding="utf-8")
    out = tmp_path / "p"
    paths = [str(tmp_path / "wire.txt"), str(tmp_path / "copy.txt")]
    picked = CliRunner().invoke(app, ["report", *paths, *SPARK_PARQUET, "--kind", "dropped", "-o", str(out)])
    assert picked.exit_code == 0, picked.output
    assert not (out / "inputs.parquet").exists()
    kinds = [row["kind"] for row in pq.read_table(out / "findings.parquet").to_pylist()]
    assert kinds == ["dropped"]
    every = json.loads(CliRunner().invoke(app, ["report", *paths, "--format", "json"]).stdout)
    unpicked = {f["kind"] for g in every["groups"] for w in g["witnesses"] for f in w["findings"]}
    assert "dropped" in unpicked and len(unpicked) > 1, "the copy has a finding of another kind, left out"


def test_the_command_line_takes_the_engine_and_writes_parquet(tmp_path: Path) -> None:
    """``--engine spark`` with a bad ``--spark-conf`` is a usage error (exit 2) before any Spark starts, and
    ``--format parquet -o DIR`` writes the groups and findings tables a Parquet reader reads back."""
    import pyarrow.parquet as pq
    from typer.testing import CliRunner

    from dedup.cli import app

    runner = CliRunner()
    bad = runner.invoke(app, ["scan", "seeds", "-q", "--engine", "spark", "--spark-conf", "no-equals-sign"])
    assert bad.exit_code == 2 and "KEY=VALUE" in bad.output
    assert runner.invoke(app, ["scan", "seeds", "-q", "--format", "parquet"]).exit_code == 2  # no -o DIR
    done = runner.invoke(app, ["report", "seeds", "-q", "--format", "parquet", "-o", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    groups = pq.read_table(tmp_path / "out" / "groups.parquet").to_pylist()
    findings = pq.read_table(tmp_path / "out" / "findings.parquet").to_pylist()
    payload = json.loads(runner.invoke(app, ["report", "seeds", "-q", "--format", "json"]).stdout)
    witnesses = [w for g in payload["groups"] for w in g["witnesses"]]
    assert len(groups) == sum(len(w["segments"]) for w in witnesses)
    assert len(findings) == sum(len(w["findings"]) for w in witnesses)
