"""Preview copies (issue 11, item 2): a listing page or a search snippet prints each paragraph cut after its
first 20-60 characters, ending in an ellipsis. Such a copy is a reprint of the story: grouped with it through
head keys (:mod:`dedup.match.heads`), and never the reference or the consensus base while a whole copy is
there (:func:`dedup.collate.reference.is_preview`). Corpora from the project's own People's Daily text
(``tests/corpora.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import dedup
from dedup.collate.records import CopyParagraph, WitnessText
from dedup.collate.reference import choose_base, choose_reference, is_preview
from dedup.config import CollateConfig, FingerprintConfig
from dedup.match.heads import head_keys, head_pairs, is_cut, key_of
from dedup.records import Span

from .corpora import page, preview_of, preview_pages, story


def _witness(name: str, texts: list[str]) -> WitnessText:
    paragraphs = tuple(CopyParagraph(f"{name}.txt", 2 * k + 1, 2 * k + 1, t) for k, t in enumerate(texts))
    return WitnessText(name, (Span(f"{name}.txt", 1, 2 * len(texts)),), paragraphs)


def _groups(tmp_path: Path) -> list[list[str]]:
    result = dedup.scan([str(tmp_path)], dedup.Config())
    return sorted(sorted({Path(s.path).name for w in g.witnesses for s in w.segments}) for g in result.groups)


def test_a_preview_copy_is_grouped_with_its_story(tmp_path: Path) -> None:
    """Every paragraph cut after 22-33 characters: too short against its original for LSH (a Jaccard near
    0.2), found by its head key and verified by containment. The listing page holds other previews too,
    of stories printed nowhere else, which stay out."""
    preview_pages(tmp_path)
    assert _groups(tmp_path) == [["listing.txt", "wire.txt"]]


def test_a_preview_is_reported_truncated_not_dropped(tmp_path: Path) -> None:
    """Grouped, the preview's paragraphs are its truncations, and the whole copy is the reference."""
    paragraphs = story(5, 6)
    (tmp_path / "wire.txt").write_text(page(("标题", paragraphs)), encoding="utf-8")
    (tmp_path / "listing.txt").write_text(page(("标题", preview_of(paragraphs))), encoding="utf-8")
    report = dedup.report([str(tmp_path)], dedup.Config())
    assert len(report.groups) == 1
    collation = report.groups[0].collation
    reference = next(w for w in report.groups[0].group.witnesses if w.id == collation.reference)
    assert Path(reference.segments[0].path).name == "wire.txt"
    kinds = [f.kind for wc in collation.witnesses for f in wc.findings]
    assert kinds.count("truncated") >= len(paragraphs) - 1
    assert "dropped" not in kinds


def test_head_keys_mark_cut_units_and_match_their_originals() -> None:
    """A cut unit and its original share a key; only the cut one is marked; a unit shorter than the head
    has no key, and a short paragraph that ends whole is not cut."""
    config = FingerprintConfig()
    whole = story(7, 1)[0]
    texts = [whole, whole[:30] + "……", whole[:30] + "。", whole[:10]]
    keys = head_keys(texts, config).tolist()
    assert key_of(keys[0]) == key_of(keys[1]) == key_of(keys[2])
    assert [is_cut(k) for k in keys[:3]] == [False, True, False]
    assert keys[3] == 0


def test_head_pairs_are_every_cross_document_pair_with_a_cut_unit() -> None:
    """Oracle: the fast join gives what a test of every pair gives (same key, other document, one side
    cut), with and without a cap on a crowded key."""
    rng = np.random.default_rng(5)
    n = 300
    hashes = rng.integers(1, 12, n).astype(np.uint64)
    cut = rng.random(n) < 0.3
    keys = (np.uint64(1 << 62) | (hashes << np.uint64(1)) | cut.astype(np.uint64)).astype(np.uint64)
    keys[rng.random(n) < 0.1] = 0
    doc = np.sort(rng.integers(0, 60, n)).astype(np.int64)
    expected = {
        (a, b)
        for a in range(n)
        for b in range(a + 1, n)
        if keys[a] and keys[b] and hashes[a] == hashes[b] and doc[a] != doc[b] and (cut[a] or cut[b])
    }
    assert {tuple(p) for p in head_pairs(keys, doc, n + 1).tolist()} == expected
    capped = {tuple(p) for p in head_pairs(keys, doc, 3).tolist()}
    assert capped and capped <= expected


def test_a_preview_is_never_the_base_while_a_whole_copy_is_there() -> None:
    """Even as the most complete copy by coverage and the only candidate tried, the preview is passed over
    for the most complete whole copy."""
    paragraphs = story(9, 5)
    preview = _witness("preview", preview_of(paragraphs))
    first = _witness("first", paragraphs[:4])
    second = _witness("second", paragraphs[1:])
    assert is_preview(preview) and not is_preview(first)
    config = CollateConfig(base_candidates=1)
    assert choose_base([preview, first, second], [1.0, 0.8, 0.7], config) == 1


def test_a_preview_is_not_the_reference_of_two_copies() -> None:
    """Two copies: the whole one is the reference, and the reason says why."""
    paragraphs = story(11, 5)
    preview = _witness("preview", preview_of(paragraphs))
    whole = _witness("whole", paragraphs[:3])
    chosen, reason = choose_reference([preview, whole], [1.0, 0.6])
    assert chosen == 1
    assert "preview" in reason


def test_a_story_that_leaves_some_paragraphs_open_is_no_preview() -> None:
    """Two paragraphs of a whole copy end in ``……`` themselves (an open enumeration) beside more paragraphs
    that end whole: a whole copy, not a preview."""
    paragraphs = story(13, 5)
    open_ended = [paragraphs[0][:60] + "……", paragraphs[1][:50] + "……", *paragraphs[2:]]
    assert not is_preview(_witness("whole", open_ended))


def test_a_flattened_reference_is_cut_after_the_headings_the_other_copy_prints(tmp_path: Path) -> None:
    """A flattened page glues the headline and the byline to the story's first sentence; the other copy
    prints them as paragraphs of their own. Against the flattened copy as the reference, they are no split
    and nothing added: the reference's line is cut where they end."""
    paragraphs = story(15, 5)
    title, byline = "海南教育纪事之二联办之路", "本报记者陈兴贵"
    (tmp_path / "flat.txt").write_text(title + byline + "".join(paragraphs) + "\n", encoding="utf-8")
    (tmp_path / "preview.txt").write_text(page((title, [byline, *preview_of(paragraphs)])), encoding="utf-8")
    report = dedup.report([str(tmp_path)], dedup.Config())
    assert len(report.groups) == 1
    kinds = [f.kind for wc in report.groups[0].collation.witnesses for f in wc.findings]
    assert "split" not in kinds and "added" not in kinds
    assert kinds.count("truncated") >= len(paragraphs) - 1


def test_a_candidate_with_cut_paragraphs_brings_in_a_whole_copy() -> None:
    """A copy with two paragraphs a preview cut (not a preview: most of it is whole) may lead on coverage, as
    its cut paragraphs' families count whole; the most complete copy without cuts is tried beside it, and
    wins."""
    paragraphs = story(17, 6)
    partial = _witness("partial", [*preview_of(paragraphs[:2]), *paragraphs[2:]])
    whole = _witness("whole", paragraphs)
    shorter = _witness("shorter", paragraphs[:5])
    assert not is_preview(partial)
    config = CollateConfig(base_candidates=1)
    assert choose_base([partial, whole, shorter], [1.0, 0.9, 0.8], config) == 1
