"""Collation reuses work across a group's alignments (sentence splits, score matrices either way round); the
reused results must be exactly what computing afresh gives."""

from __future__ import annotations

import random

import numpy as np
import pytest

from dedup.collate import sentences as sentence_module
from dedup.collate.findings import _align, align
from dedup.collate.records import CopyParagraph, WitnessText
from dedup.collate.reference import (
    choose_base,
    damaged_paragraphs,
    is_flat,
    is_preview,
    is_preview_paragraph,
    repeat_share,
)
from dedup.collate.sentences import match_sentences, sentences
from dedup.config import CollateConfig
from dedup.records import Span

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


# --- the consensus base, chosen best first: the base hearing every candidate's whole jury would choose -------


def _damaged_copy(paragraphs: list[str], rng: random.Random) -> list[str]:
    """A web copy damaged at random: paragraphs dropped, one moved, one repeated, words changed, a tail cut."""
    copy = [p for p in paragraphs if rng.random() > 0.15] or paragraphs[:1]
    if len(copy) > 2 and rng.random() < 0.5:
        copy.insert(rng.randrange(len(copy)), copy.pop(rng.randrange(len(copy))))
    if rng.random() < 0.3:
        copy.insert(rng.randrange(len(copy)), copy[rng.randrange(len(copy))])
    for _ in range(rng.randrange(4)):
        k = rng.randrange(len(copy))
        at = rng.randrange(max(1, len(copy[k]) - 4))
        copy[k] = copy[k][:at] + "某某" + copy[k][at + 2 :]
    if rng.random() < 0.2:
        k = rng.randrange(len(copy))
        copy[k] = copy[k][: len(copy[k]) // 2]
    return copy


def _as_witness(name: str, texts: list[str], flat: bool = False) -> WitnessText:
    if flat:
        line = "".join(texts)
        return WitnessText(name, (Span(f"{name}.txt", 1, 1),), (CopyParagraph(f"{name}.txt", 1, 1, line, flat=True),))
    rows = tuple(CopyParagraph(f"{name}.txt", k + 1, k + 1, t) for k, t in enumerate(texts))
    return WitnessText(name, (Span(f"{name}.txt", 1, len(rows)),), rows)


def _every_jury_heard(witnesses: list[WitnessText], coverage: list[float], config: CollateConfig) -> int:
    """The base as the rule states it, every candidate's whole jury heard: a copy that is not flat before one
    that is, then fewest findings, then the more complete, then the earlier candidate (groups without
    previews or cut paragraphs)."""
    order = sorted(range(len(witnesses)), key=lambda k: (-coverage[k], -repeat_share(witnesses[k])))
    scored = []
    for place, k in enumerate(order[: config.base_candidates]):
        jury = [j for j in order if j != k]
        chosen = jury[:: max(1, len(jury) // config.base_jury)][: config.base_jury]
        reference = [p.text for p in witnesses[k].paragraphs]
        findings = len(chosen) * damaged_paragraphs(witnesses[k], config)[0]
        findings += sum(len(align(reference, witnesses[j].paragraphs, "", config).findings) for j in chosen)
        scored.append(((is_flat(witnesses[k]), findings, -coverage[k], place), k))
    return min(scored)[1]


def test_the_base_chosen_best_first_is_the_one_every_candidate_s_whole_jury_chooses() -> None:
    config = CollateConfig()
    pool = [p for p in real_paragraphs()[300:700] if len(p) > 40 and not p.endswith(("…", "..."))]
    winners_not_first = 0
    for seed in range(24):
        rng = random.Random(seed)
        start = rng.randrange(len(pool) - 12)
        story = pool[start : start + rng.randrange(4, 10)]
        copies = [_damaged_copy(story, rng) for _ in range(rng.randrange(3, 13))]
        witnesses = [_as_witness(f"c{k}", texts, flat=k == 1 and seed % 4 == 0) for k, texts in enumerate(copies)]
        coverage = [round(rng.uniform(0.5, 1.0), 3) for _ in witnesses]
        assert not any(is_preview(w, config) for w in witnesses)
        assert not any(sum(is_preview_paragraph(p.text, config) for p in w.paragraphs) >= 2 for w in witnesses)
        _forget()
        expected = _every_jury_heard(witnesses, coverage, config)
        _forget()
        assert choose_base(witnesses, coverage, config) == expected, seed
        winners_not_first += expected != max(range(len(coverage)), key=coverage.__getitem__)
    assert winners_not_first >= 3, "the groups must make the most complete copy lose now and then"
