"""The shortcuts of sentence scoring (exact twins scored from their lengths, partial scores skipped where a
whole-sentence score settles the match) must match exactly what scoring every pair with rapidfuzz gives."""

from __future__ import annotations

import random

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from dedup.collate import sentences as sentence_module
from dedup.collate.scoring import partial_scores
from dedup.collate.sentences import _twin_scores, _whole_scores, match_sentences, sentences
from dedup.config import CollateConfig

from .corpora import real_paragraphs


def _pool() -> list[str]:
    return [s.content for s in sentences(real_paragraphs()[:300])]


def _damaged_pair(rng: random.Random, pool: list[str]) -> tuple[list[str], list[str]]:
    """Sentences of a text and of a copy of it: most kept word for word, some cut, lengthened, swapped for
    another, and long sentences one character apart (the pairs whose ratio can reach 99 without being equal)."""
    a = rng.sample(pool, 30)
    b = []
    for text in a:
        roll = rng.random()
        if roll < 0.5:
            b.append(text)
        elif roll < 0.65 and len(text) > 3:
            k = rng.randrange(len(text))
            b.append(text[:k] + text[k + 1 :])
        elif roll < 0.75:
            b.append(text[: len(text) // 2])
        elif roll < 0.85:
            b.append(text + "某")
        else:
            b.append(rng.choice(pool))
    a += [t * 3 for t in a[:3]]
    b += [t * 3 for t in a[:3]] + [(t * 3)[:-1] for t in a[:3]]
    rng.shuffle(b)
    return a, b


def test_twin_scores_equal_rapidfuzz_with_the_same_cutoff() -> None:
    rng = random.Random(3)
    pool = _pool()
    for _ in range(40):
        a, b = _damaged_pair(rng, pool)
        expected = process.cdist(a, b, scorer=fuzz.ratio, dtype=np.float32, score_cutoff=99)
        assert np.array_equal(_twin_scores(a, b, 99.0), expected)
        assert (expected == 100).sum() and ((expected > 0) & (expected < 100)).sum()  # both kinds covered


def test_whole_scores_differ_from_rapidfuzz_only_below_99_between_twins() -> None:
    rng = random.Random(4)
    pool = _pool()
    for _ in range(40):
        a, b = _damaged_pair(rng, pool)
        full = process.cdist(a, b, scorer=fuzz.ratio, dtype=np.float32, score_cutoff=70)
        got = _whole_scores(a, b, 70.0)
        shared = set(a) & set(b)
        twins = np.array([t in shared for t in a])[:, None] & np.array([t in shared for t in b])[None, :]
        assert np.array_equal(got, np.where(twins & (full < 99), 0, full))
        assert np.array_equal(_whole_scores(b, a, 70.0), got.T)  # the same rule either way round


def _plain_scores(queries: list[str], choices: list[str], fragment_ok: np.ndarray, config: CollateConfig):  # type: ignore[no-untyped-def]
    """Every pair scored by rapidfuzz, as before the shortcuts."""
    whole = process.cdist(queries, choices, scorer=fuzz.ratio, dtype=np.float32, score_cutoff=config.min_score - 2)
    return whole, partial_scores(queries, choices, config.min_score + 3, fragment_ok)


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_matches_equal_those_of_every_pair_scored(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    config = CollateConfig()
    rng = random.Random(seed)
    paragraphs = list(real_paragraphs()[seed * 20 : seed * 20 + 12])
    copies = []
    for _ in range(6):
        copy = list(paragraphs)
        k = rng.randrange(len(copy))
        copy[k] = copy[k][: len(copy[k]) // 3]  # a cut paragraph: fragments scored by partial_ratio
        del copy[rng.randrange(len(copy))]
        j = rng.randrange(len(copy))
        at = rng.randrange(max(1, len(copy[j]) - 4))
        copy[j] = copy[j][:at] + "某某" + copy[j][at + 2 :]
        copies.append(copy)
    ref = sentences(paragraphs)
    sentence_module._RECENT_SCORES.clear()
    fast = [match_sentences(ref, sentences(c), config) for c in copies]
    fast += [match_sentences(sentences(c), ref, config) for c in copies]  # kept matrices, the other way round
    sentence_module._RECENT_SCORES.clear()
    monkeypatch.setattr(sentence_module, "_pair_scores", _plain_scores)
    plain = [match_sentences(ref, sentences(c), config) for c in copies]
    plain += [match_sentences(sentences(c), ref, config) for c in copies]
    assert fast == plain
    fragments = [
        (s, ref[m])
        for c, row in zip(copies, plain[:6], strict=True)
        for s, m in zip(sentences(c), row, strict=True)
        if m >= 0
    ]
    # the comparison covers matches only a partial score makes: a cut sentence matched to the whole one
    assert any(len(s.content) < 0.9 * len(m.content) for s, m in fragments)
