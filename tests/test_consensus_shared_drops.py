"""A paragraph of the story that most copies dropped, each on its own, stays in the consensus when the base
prints it: the copies lacking it are said to drop it, and the base is not said to have added it. A foreign
paragraph the base alone prints stays out. Generated from real text."""

from __future__ import annotations

from dedup.collate.consensus import _words_of, build_consensus, collate_consensus

from .corpora import real_paragraphs
from .test_collate import witness


def _story_with_its_most_connected_paragraph(start: int) -> tuple[list[str], int]:
    """Seven consecutive real paragraphs, and the body paragraph sharing most of its words with the others
    (the story's own paragraph, by the evidence a reader would use)."""
    texts = list(real_paragraphs()[start : start + 7])

    def share(i: int) -> float:
        mine = _words_of(texts[i])
        rest = frozenset().union(*(_words_of(t) for k, t in enumerate(texts) if k != i))
        return len(mine & rest) / max(1, len(mine))

    return texts, max(range(1, 6), key=share)


def test_a_story_paragraph_two_of_three_copies_dropped_stays_and_both_are_said_to_drop_it() -> None:
    texts, gone = _story_with_its_most_connected_paragraph(140)
    lacking = [t for k, t in enumerate(texts) if k != gone]
    copies = [witness("base", texts), witness("a", lacking), witness("b", lacking)]
    paragraphs, reason = build_consensus(copies, 0)
    assert list(paragraphs) == texts and "most copies lack" in reason
    kinds = {w.witness: [(f.kind, f.ref) for f in w.findings] for w in collate_consensus(copies, 0).witnesses}
    assert kinds == {"base": [], "a": [("dropped", gone)], "b": [("dropped", gone)]}


def test_a_foreign_paragraph_the_base_alone_prints_stays_out() -> None:
    texts, _ = _story_with_its_most_connected_paragraph(140)
    foreign = real_paragraphs()[900]  # another story's paragraph, the base's own addition
    copies = [witness("base", [*texts[:3], foreign, *texts[3:]]), witness("a", texts), witness("b", texts)]
    paragraphs, reason = build_consensus(copies, 0)
    assert list(paragraphs) == texts and "most copies lack" not in reason
    kinds = {w.witness: [(f.kind, f.ref) for f in w.findings] for w in collate_consensus(copies, 0).witnesses}
    assert kinds == {"base": [("added", None)], "a": [], "b": []}
