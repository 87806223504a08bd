"""Collation reuses work across a group's alignments (sentence splits, score matrices either way round); the
reused results must be exactly what computing afresh gives."""

from __future__ import annotations

import numpy as np
import pytest

from dedup.collate import sentences as sentence_module
from dedup.collate.findings import _align, align
from dedup.collate.records import CopyParagraph
from dedup.collate.sentences import match_sentences, sentences
from dedup.config import CollateConfig

from .corpora import real_paragraphs


def _forget() -> None:
    """Empty every cache collation keeps, so that the next call computes afresh."""
    sentence_module._RECENT_SCORES.clear()
    sentence_module._spans.cache_clear()
    sentence_module._content_text.cache_clear()
    sentence_module._bigrams.cache_clear()
    _align.cache_clear()


def _two_copies() -> tuple[list[str], list[str]]:
    """A reference and a damaged copy of it: a paragraph cut in half, one dropped, two swapped, one glued
    to a heading, and equal-length sentences (where ``partial_ratio`` tries both ways round)."""
    ref = list(real_paragraphs()[:8])
    copy = list(ref)
    copy[1] = copy[1][: len(copy[1]) // 2]
    del copy[3]
    copy[4], copy[5] = copy[5], copy[4]
    copy[0] = "新的标题" + copy[0]
    return ref, copy


def _copy(texts: list[str]) -> tuple[CopyParagraph, ...]:
    return tuple(CopyParagraph("c.txt", k + 1, k + 1, t) for k, t in enumerate(texts))


def test_scores_reused_the_other_way_round_are_the_fresh_scores() -> None:
    config = CollateConfig()
    ref, copy = _two_copies()
    a = [s.content for s in sentences(ref)]
    b = [s.content for s in sentences(copy)]
    b += [s[::-1] for s in a[:5]]  # as long as a's sentences, not equal to them
    _forget()
    fresh = sentence_module._scores(a, b, np.array([len(c) for c in b])[None, :], config)
    _forget()
    sentence_module._scores(b, a, np.array([len(c) for c in a])[None, :], config)  # kept, then reused
    reused = sentence_module._scores(a, b, np.array([len(c) for c in b])[None, :], config)
    assert np.array_equal(reused, fresh)
    assert (fresh >= config.min_score).sum() >= len(a) // 2  # the comparison covers matching pairs


def test_the_other_way_round_is_not_scored_again(monkeypatch: pytest.MonkeyPatch) -> None:
    config = CollateConfig()
    ref, copy = _two_copies()
    _forget()
    calls: list[int] = []
    scored = sentence_module.ratio_scores

    def counted(queries: list[str], choices: list[str], cutoff: float) -> np.ndarray:
        calls.append(len(queries))
        return scored(queries, choices, cutoff)

    monkeypatch.setattr(sentence_module, "ratio_scores", counted)
    a, b = sentences(ref), sentences(copy)
    match_sentences(a, b, config)
    scored_once = len(calls)  # a call or two: sentences with an exact twin are scored apart
    match_sentences(b, a, config)
    assert scored_once and len(calls) == scored_once


def test_alignments_either_way_round_equal_fresh_ones() -> None:
    config = CollateConfig()
    ref, copy = _two_copies()
    _forget()
    fresh_forward = align(ref, _copy(copy), "c", config)
    _forget()
    fresh_backward = align(copy, _copy(ref), "c", config)
    _forget()
    assert align(ref, _copy(copy), "c", config) == fresh_forward
    assert align(copy, _copy(ref), "c", config) == fresh_backward  # scores reused from the first
    assert fresh_forward.findings  # the damage is found, so the comparison covers findings


def test_sentences_split_again_are_the_same_and_kept_apart_by_headings() -> None:
    paragraphs = ["改进选拔任用，" + p for p in real_paragraphs()[:5]]
    headings = ["改进选拔任用"]
    _forget()
    cut = sentences(paragraphs, headings)
    whole = sentences(paragraphs)
    assert sentences(paragraphs, headings) == cut
    assert sentences(paragraphs) == whole
    assert [s.content for s in cut if s.start == 0] == headings * len(paragraphs)  # the heading cut off
    assert all(s.content != headings[0] for s in whole)


def test_large_score_matrices_are_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long text is scored in blocks to bound memory; keeping its blocks' matrices would undo that."""
    config = CollateConfig()
    ref, copy = _two_copies()
    _forget()
    monkeypatch.setattr(sentence_module, "KEPT_CELLS", 10)
    expected = match_sentences(sentences(ref), sentences(copy), config)
    assert not sentence_module._RECENT_SCORES
    monkeypatch.setattr(sentence_module, "KEPT_CELLS", 1 << 16)
    assert match_sentences(sentences(ref), sentences(copy), config) == expected
    assert sentence_module._RECENT_SCORES
