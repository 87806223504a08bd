"""Sentence scoring: the bounded ``partial_ratio`` gives exactly what rapidfuzz's ``cdist`` gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from dedup.collate.scoring import partial_scores, ratio_scores
from dedup.collate.sentences import content_text
from dedup.segment import split_sentences

from .corpora import real_paragraphs


def _cdist_partial(queries: list[str], choices: list[str], cutoff: float) -> np.ndarray:
    return process.cdist(queries, choices, scorer=fuzz.partial_ratio, dtype=np.float32, score_cutoff=cutoff)


def _real_sentences() -> list[str]:
    sentences = [content_text(s) for p in real_paragraphs()[:60] for s in split_sentences(p)]
    return [s for s in sentences if s]


def test_bounded_partial_scores_equal_cdist_on_real_sentences_and_their_fragments() -> None:
    sentences = _real_sentences()
    # Fragments (heads, tails, middles) are what partial scoring exists for; mix them with whole sentences.
    fragments = [s[len(s) // 3 :] for s in sentences[::3]] + [s[: len(s) // 2] for s in sentences[1::3]]
    queries, choices = sentences[:150] + fragments[:100], sentences[100:300]
    for cutoff in (50.0, 75.0, 90.0):
        expected = _cdist_partial(queries, choices, cutoff)
        got = partial_scores(queries, choices, cutoff)
        assert np.array_equal(got, expected)
        assert (expected > 0).sum() > len(fragments[:100]) // 2  # the comparison covers passing pairs too


def test_only_wanted_pairs_are_scored() -> None:
    sentences = _real_sentences()[:40]
    wanted = np.zeros((40, 40), dtype=bool)
    wanted[np.arange(40), np.arange(40)] = True
    got = partial_scores(sentences, sentences, 75.0, wanted)
    assert np.array_equal(got, np.diag(np.full(40, 100.0, dtype=np.float32)))


def test_ratio_scores_are_cdist_ratio() -> None:
    sentences = _real_sentences()[:80]
    expected = process.cdist(sentences, sentences, scorer=fuzz.ratio, dtype=np.float32, score_cutoff=70.0)
    assert np.array_equal(ratio_scores(sentences, sentences, 70.0), expected)


_HAN = st.text(alphabet=st.sampled_from("的一是在不了有和人这中大为上个国我"), max_size=40)
_TEXTS = st.lists(_HAN, min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(_TEXTS, _TEXTS, st.sampled_from([0.0, 40.0, 75.0, 95.0]))
def test_bounded_partial_scores_equal_cdist_on_any_text(queries: list[str], choices: list[str], cutoff: float) -> None:
    # A small alphabet makes shared characters, repeats, equal lengths and empty strings common.
    assert np.array_equal(partial_scores(queries, choices, cutoff), _cdist_partial(queries, choices, cutoff))
