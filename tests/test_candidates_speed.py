"""The compiled and merged paths of the candidates stage give what the plain definitions give (issue 15).

Each test builds its inputs here and checks a fast path against the slower definition it replaced or
stands for: the head pairs against :func:`dedup.match.heads.bucket_head_pairs` (what the Spark engine
runs per key), band and shingle sorts against numpy's, verification of LSH and head pairs in one merged
array against verifying them apart and merging the verdicts.
"""

from __future__ import annotations

import numpy as np
import pytest

from dedup.config import CandidateConfig, FingerprintConfig
from dedup.match.candidates import (
    _radix_order,
    band_keys,
    banding,
    build_units,
    head_candidates,
    key_candidates,
    merge_verified,
    verify,
    verify_heads,
    verify_with_heads,
)
from dedup.match.content import content_table, utf32
from dedup.match.fingerprint import Signer, _radix_sorted, _shingle_keys
from dedup.match.heads import PRESENT, bucket_head_pairs, head_pairs, is_cut, key_of
from dedup.prepare import prepare_document
from dedup.records import Document

from .corpora import story


def _head_pairs_by_buckets(keys: np.ndarray, doc: np.ndarray, max_bucket: int) -> list[tuple[int, int]]:
    """The definition: :func:`bucket_head_pairs` over each head key's units, pairs distinct and sorted."""
    buckets: dict[int, list[tuple[int, int, bool]]] = {}
    for unit, key in enumerate(keys.tolist()):
        if key:
            buckets.setdefault(key_of(key), []).append((unit, int(doc[unit]), is_cut(key)))
    return sorted({pair for members in buckets.values() for pair in bucket_head_pairs(members, max_bucket)})


@pytest.mark.parametrize("max_bucket", [1, 2, 3, 7, 1000])
def test_head_pairs_are_bucket_head_pairs_of_every_key(max_bucket: int) -> None:
    """Crowded keys capped at ``max_bucket``, two cut units in one key, units of one document: the compiled
    pass gives exactly the pairs of the per-key definition, sorted."""
    rng = np.random.default_rng(11)
    n = 400
    hashes = rng.integers(1, 25, n).astype(np.uint64)
    hashes[:60] = 3  # one crowded key
    cut = rng.random(n) < 0.35
    keys = np.uint64(PRESENT) | (hashes << np.uint64(1)) | cut.astype(np.uint64)
    keys[rng.random(n) < 0.1] = 0
    doc = np.sort(rng.integers(0, 90, n)).astype(np.int64)
    found = head_pairs(keys, doc, max_bucket)
    assert found.dtype == np.int64 and found.shape[1] == 2
    assert [tuple(p) for p in found.tolist()] == _head_pairs_by_buckets(keys, doc, max_bucket)


def test_head_pairs_of_no_key_and_of_no_cut_unit_are_empty() -> None:
    doc = np.arange(4, dtype=np.int64)
    assert head_pairs(np.zeros(4, dtype=np.uint64), doc, 10).shape == (0, 2)
    whole = np.full(4, PRESENT | (7 << 1), dtype=np.uint64)  # one key, no unit cut
    assert head_pairs(whole, doc, 10).shape == (0, 2)


@pytest.mark.parametrize("bits", [1, 4, 12])
def test_band_radix_order_sorts_like_argsort(bits: int) -> None:
    """Runs of one key longer than the insertion sort takes (argsorted), and many small runs."""
    rng = np.random.default_rng(2)
    column = rng.integers(0, 2**64 - 1, 3000, dtype=np.uint64)
    column[rng.random(3000) < 0.2] = np.uint64(12345)  # a crowded bucket: 600 equal keys
    column[:50] = column[50]
    order, ordered = _radix_order(column, bits)
    assert np.array_equal(ordered, np.sort(column))
    assert np.array_equal(column[order], ordered)
    assert np.array_equal(np.sort(order), np.arange(column.size))


def test_key_candidates_with_a_bucket_past_the_insertion_sort() -> None:
    """A bucket of 80 rows (argsorted, not insertion-sorted) gives every cross-document pair of it."""
    rng = np.random.default_rng(4)
    keys = rng.integers(0, 2**63, size=(300, 3), dtype=np.uint64)
    keys[100:180, 2] = 7
    doc = np.arange(300) // 2
    found = key_candidates(keys, doc, None)
    expected = {(i, j) for i in range(100, 180) for j in range(i + 1, 180) if doc[i] != doc[j]}
    assert {tuple(p) for p in found.pairs.tolist()} == expected


def test_shingle_keys_radix_sorted_like_numpy() -> None:
    """Texts of every length (empty, shorter than a shingle, long), in text then hash order."""
    rng = np.random.default_rng(8)
    alphabet = "新华社记者报道今年经济增长百分之五点二亿元人民币,。ABC123"
    texts = ["".join(rng.choice(list(alphabet), int(k))) for k in rng.integers(0, 400, 300)] + ["", "一"]
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=starts[1:])
    keys = _shingle_keys(utf32("".join(texts)), starts, content_table(), 5)
    expected = np.sort(keys)
    assert np.array_equal(_radix_sorted(keys.copy(), len(texts)), expected)


def test_lsh_and_head_pairs_verified_together_as_apart() -> None:
    """Scores and verdicts of LSH's pairs and of the head pairs LSH missed, verified in one merged array, are
    those of verifying each apart and merging the verdicts (the order of pairs included)."""
    config = FingerprintConfig()
    paragraphs = story(5, 6) + story(6, 6)
    documents = []
    for d in range(6):
        chosen = paragraphs[d % 3 :: 2]
        if d % 2:  # a preview: every paragraph cut after its first characters
            chosen = [p[:30] + "……" for p in chosen]
        text = "\n\n".join(chosen)
        documents.append(prepare_document(Document(f"d{d}.txt", text, "utf-8")).paragraphs)
    units, texts = build_units(documents, config)
    keys = band_keys(Signer(config).sign_texts(texts), *banding(CandidateConfig(), config.num_perm))
    candidates = key_candidates(keys, units.doc, 200)
    heads = head_candidates(candidates, units, 200)
    assert heads.shape[0] > 0 and candidates.pairs.shape[0] > 0
    settings = CandidateConfig()
    apart = merge_verified(
        verify(units, candidates.pairs, settings), verify_heads(units, heads, settings, config.ngram), len(units)
    )
    together = verify_with_heads(units, candidates.pairs, heads, settings, config.ngram)
    for field in ("pairs", "jaccard", "containment", "accepted"):
        assert np.array_equal(getattr(together, field), getattr(apart, field)), field
    n = len(units)
    from_heads = np.isin(together.pairs[:, 0] * n + together.pairs[:, 1], heads[:, 0] * n + heads[:, 1])
    assert together.accepted[from_heads].any()  # a preview's cut paragraph matched by the head rule
