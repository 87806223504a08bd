"""The out-of-core path of ``scan`` (issue 15): a corpus whose shingle sets and band keys go to files past the
memory limit gives the same candidates, the same verdicts and byte for byte the same groups as in memory."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from benchmarks.corpus import write_articles_jsonl
from dedup.cli import EXIT_USAGE, app
from dedup.cli_options import memory_size
from dedup.config import CandidateConfig, Config
from dedup.match import spill
from dedup.match.candidates import Units, key_candidates, merge_verified, verify
from dedup.match.spill import SpillFiles, bands_per_pass, spilled_candidates
from dedup.pipeline.scan import scan
from dedup.render.json import scan_payload

from .conftest import SEEDS


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 generated articles (about a third of them reprints): three batches of sketching."""
    path = tmp_path_factory.mktemp("ooc") / "articles.jsonl"
    write_articles_jsonl(path, 600, seed=7)
    return path


def _groups_json(corpus: Path, config: Config, memory_limit: int | None) -> tuple[str, dict[str, float]]:
    result = scan([str(corpus)], config, workers=1, memory_limit=memory_limit)
    payload = scan_payload(result)
    return json.dumps(payload["groups"], ensure_ascii=False, sort_keys=True), result.stats


@pytest.mark.parametrize("max_bucket", [200, 3])
def test_forced_out_of_core_scan_gives_the_in_memory_groups_byte_for_byte(
    corpus: Path, max_bucket: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = replace(Config(), candidates=CandidateConfig(max_bucket=max_bucket))
    in_memory, memory_stats = _groups_json(corpus, config, None)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the spilled files go
    monkeypatch.setattr(spill, "VERIFY_SLICE", 1000)  # verified in many slices, as a large corpus is
    out_of_core, spilled_stats = _groups_json(corpus, config, 1)  # one byte: spills at the first batch
    assert list(tmp_path.iterdir()) == [], "the spilled files are removed once the scan is done"
    assert memory_stats.get("out_of_core") is None
    assert spilled_stats["out_of_core"] == 1
    assert spilled_stats["bands_per_pass"] == 1  # every band a pass of its own: the most merging there is
    assert json.loads(in_memory), "the corpus must give groups, or the comparison proves nothing"
    if max_bucket == 3:
        assert memory_stats["crowded_units"] > 0, "crowded buckets (stars) must be exercised"
    for key in ("units", "candidates", "matches", "crowded_units"):
        assert spilled_stats[key] == memory_stats[key], key
    assert out_of_core == in_memory


@settings(max_examples=60, deadline=None)
@given(
    units=st.integers(2, 60),
    bands=st.integers(1, 7),
    distinct_keys=st.integers(1, 6),
    documents=st.integers(1, 20),
    max_bucket=st.sampled_from([None, 2, 3, 5]),
    limit=st.integers(0, 20_000),
    seed=st.integers(0, 2**32 - 1),
)
def test_band_key_files_banded_in_passes_give_key_candidates_exactly(
    tmp_path_factory: pytest.TempPathFactory,
    units: int,
    bands: int,
    distinct_keys: int,
    documents: int,
    max_bucket: int | None,
    limit: int,
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, distinct_keys, size=(units, bands)).astype(np.uint64)
    doc = np.sort(rng.integers(0, documents, size=units)).astype(np.int64)
    files = SpillFiles(tmp_path_factory.mktemp("keys"), bands)
    half = units // 2  # written in two appends, as sketching's batches come
    files.write(np.zeros(0, dtype=np.uint32), keys[:half])
    files.write(np.arange(3, dtype=np.uint32), keys[half:])
    spilled = files.finish()
    expected = key_candidates(keys, doc, max_bucket)
    found, step = spilled_candidates(spilled.keys, doc, max_bucket, limit)
    assert step == bands_per_pass(units, bands, limit)
    assert found.pairs.tolist() == expected.pairs.tolist()
    assert found.crowded.tolist() == expected.crowded.tolist()
    assert spilled.sets.array.tolist() == [0, 1, 2]


def test_memory_limit_option_forces_the_out_of_core_path_with_the_same_groups() -> None:
    runner = CliRunner()
    in_memory = json.loads(runner.invoke(app, ["scan", str(SEEDS), "-f", "json", "-q"]).stdout)
    forced = runner.invoke(app, ["scan", str(SEEDS), "-f", "json", "-q", "--memory-limit", "1"])
    out_of_core = json.loads(forced.stdout)
    assert out_of_core["stats"]["out_of_core"] == 1 and "out_of_core" not in in_memory["stats"]
    assert out_of_core["groups"] == in_memory["groups"] and in_memory["groups"]


@pytest.mark.parametrize("text", ["8X", "-1G", "0", "G", ""])
def test_a_memory_limit_that_is_no_size_is_a_usage_error_with_a_plain_message(text: str) -> None:
    result = CliRunner().invoke(app, ["scan", str(SEEDS), "--memory-limit", text])
    assert result.exit_code == EXIT_USAGE
    assert "is not a size" in result.output and "Traceback" not in result.output


def test_memory_sizes_read_as_people_write_them() -> None:
    assert memory_size("8G") == memory_size("8 GB") == memory_size("8gib") == 8 * 1024**3
    assert memory_size("1.5m") == 1_572_864 and memory_size("4096") == 4096


def test_progress_says_the_scan_went_out_of_core_pass_by_pass() -> None:
    events: list[tuple[str, int, int | None]] = []
    scan([str(SEEDS)], memory_limit=1, progress=lambda stage, done, total: events.append((stage, done, total)))
    banding = [(done, total) for stage, done, total in events if stage == "banding out of core"]
    assert banding[0] == (0, 37) and banding[-1] == (37, 37) and len(banding) == 38  # one band a pass
    assert not any(stage == "banding out of core" for stage, _, _ in _events_in_memory())


def _events_in_memory() -> list[tuple[str, int, int | None]]:
    events: list[tuple[str, int, int | None]] = []
    scan([str(SEEDS)], progress=lambda stage, done, total: events.append((stage, done, total)))
    return events


def test_out_of_core_explain_keeps_the_rejected_candidates_and_a_plain_scan_the_same_groups(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Out of core, verification keeps only the accepted pairs unless ``--explain`` asks for the rest: both
    ways the groups are the in-memory scan's, and the rejections ``--explain`` lists are too."""
    in_memory = scan([str(corpus)], workers=1, explain=True)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(spill, "VERIFY_SLICE", 500)
    explained = scan([str(corpus)], workers=1, explain=True, memory_limit=1)
    plain = scan([str(corpus)], workers=1, memory_limit=1)
    assert explained.stats["out_of_core"] == plain.stats["out_of_core"] == 1
    assert any(r.reason.startswith("Jaccard") for r in in_memory.rejections), "no rejected candidate to keep"
    assert explained.rejections == in_memory.rejections
    assert plain.groups == explained.groups == in_memory.groups
    assert plain.stats["matches"] == in_memory.stats["matches"]


def _thirty_spilled_units(tmp_path: Path, rng: np.random.Generator) -> tuple[spill.SpilledCorpus, Units, np.ndarray]:
    """30 units of random small sets, one a document, their sets in a spill file; and every pair of them."""
    sets = [np.unique(rng.integers(0, 40, size=rng.integers(1, 30))).astype(np.uint32) for _ in range(30)]
    offsets = np.concatenate([[0], np.cumsum([s.size for s in sets])]).astype(np.int64)
    files = SpillFiles(tmp_path, 1)
    files.write(np.concatenate(sets), np.zeros((30, 1), dtype=np.uint64))
    spilled = files.finish()
    units = Units(np.arange(30, dtype=np.int64), np.zeros(30, dtype=np.int64), spilled.sets.array, offsets)
    pairs = np.array([(a, b) for a in range(30) for b in range(a + 1, 30)], dtype=np.int64)
    return spilled, units, pairs


@pytest.mark.parametrize("slice_size", [7, 10_000])
def test_verify_spilled_keeps_the_accepted_pairs_or_all_of_them_as_verify_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slice_size: int
) -> None:
    """Slice by slice (many slices, or one), ``verify_spilled`` gives ``verify``'s verdicts: all of them with
    ``keep_rejected``, the accepted ones without; and no candidates give no pairs."""
    rng = np.random.default_rng(3)
    spilled, units, pairs = _thirty_spilled_units(tmp_path, rng)
    coded = spill.CodedCandidates(pairs[:, 0] * 30 + pairs[:, 1], np.zeros(0, dtype=np.int64), 30)
    monkeypatch.setattr(spill, "VERIFY_SLICE", slice_size)
    config = CandidateConfig()
    expected = verify(units, pairs, config)
    assert 0 < expected.accepted.sum() < len(pairs), "both verdicts must occur"
    done: list[int] = []
    every = spill.verify_spilled(units, coded, config, spilled.sets, keep_rejected=True, verified_up_to=done.append)
    assert every.pairs.tolist() == pairs.tolist()
    assert every.accepted.tolist() == expected.accepted.tolist()
    assert every.jaccard.tolist() == expected.jaccard.tolist()
    assert done[-1] == len(pairs) and done == sorted(done)
    kept = spill.verify_spilled(units, coded, config, spilled.sets)
    assert kept.pairs.tolist() == expected.matches().tolist() and kept.accepted.all()
    assert kept.near(config).tolist() == expected.near(config).tolist()
    empty = spill.CodedCandidates(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 30)
    assert spill.verify_spilled(units, empty, config, spilled.sets).pairs.shape == (0, 2)
    spilled.remove()


@pytest.mark.parametrize("slice_size", [1, 7, 10_000])
def test_verify_spilled_merges_the_head_pairs_as_merge_verified_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slice_size: int
) -> None:
    """Head pairs handed to ``verify_spilled`` are merged slice by slice (the whole merge at the end held a
    million articles' verdicts twice over): the same rows as merging them afterwards, with the rejected
    heads kept, below the first candidate, between two slices and above the last; and heads alone when
    there are no candidates."""
    rng = np.random.default_rng(4)
    spilled, units, pairs = _thirty_spilled_units(tmp_path, rng)
    is_head = rng.random(len(pairs)) < 0.2
    is_head[[0, 1, -1]] = True  # below the first candidate and above the last
    heads = verify(units, pairs[is_head], CandidateConfig(min_jaccard=0.3))  # another rule: verdicts differ
    candidates = pairs[~is_head]
    coded = spill.CodedCandidates(candidates[:, 0] * 30 + candidates[:, 1], np.zeros(0, dtype=np.int64), 30)
    monkeypatch.setattr(spill, "VERIFY_SLICE", slice_size)
    config = CandidateConfig()
    assert 0 < heads.accepted.sum() < len(heads.pairs)
    for keep_rejected in (False, True):
        merged = spill.verify_spilled(units, coded, config, spilled.sets, keep_rejected, heads=heads)
        expected = merge_verified(spill.verify_spilled(units, coded, config, spilled.sets, keep_rejected), heads, 30)
        for field in ("pairs", "jaccard", "containment", "accepted"):
            assert np.array_equal(getattr(merged, field), getattr(expected, field)), field
        assert (~merged.accepted).sum() >= (~heads.accepted).sum()  # rejected heads are kept
    empty = spill.CodedCandidates(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 30)
    assert spill.verify_spilled(units, empty, config, spilled.sets, heads=heads).pairs.tolist() == heads.pairs.tolist()
    spilled.remove()
