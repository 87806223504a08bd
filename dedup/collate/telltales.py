"""Telltales: damage that the alignment of two copies pins on one of them, whichever is the reference.

Between two copies most differences have no direction: a paragraph one has and the other lacks, a move, a
word changed into another word could each have been made in either copy. Some have one, because only one
side of the difference reads as damage:

- a **cut**: one copy's paragraph is the other's with its head or tail missing. Aligned the other way, the
  longer paragraph is no cut but an insertion, so the cut is the shorter copy's. A "cut" whose missing text
  the copy prints elsewhere (a heading printed as a paragraph of its own, glued to the body in the other copy)
  is layout, not a cut.
- a **split mid-sentence**: the copy prints as two paragraphs what the other prints as one, the first ending
  after a comma (``…工作领导小组副组长、`` over ``中共中央办公厅副主任…``): no paragraph ends so. Aligned the
  other way it is a merge, which has no direction. Counted with the cuts (the copy's paragraph is cut in two
  where none ends). A break after a colon is no telltale: a paragraph may end introducing a list.
- a **repeat**: the copy prints one of the other's paragraphs twice. Aligned the other way, the second
  print is a paragraph the other copy lacks, which has no direction.
- a **foreign paragraph**: the copy holds a paragraph that shares hardly a pair of characters with the
  other (another story's, taken in by a page; :func:`dedup.collate.reference.is_foreign`). Aligned the other
  way it is a paragraph the other copy lacks, which has no direction; coverage even counts it as story. It
  is the weakest telltale: a genuine paragraph of little shared vocabulary that the other copy dropped reads
  as foreign too (seed 5, S034), so it only decides between copies that the others leave level.
- a **non-word**: a changed stretch whose characters form words in one copy and none in the other (an OCR
  look-alike slip ``大进展 -> 夫过屈``, a replacement character): a slip leaves non-words, and an editor writes
  words. Look-alikes that form words on both sides (``常规 -> 党规``) tell nothing and are not counted.

Why it matters: with two copies, the reference is the copy the other is measured against, so the damage of
the reference lands on the intact copy as its findings (issue 11 §4). Coverage cannot tell them apart (a
paragraph the damaged copy took in counts as story), and damage a copy shows by itself (a paragraph ending
mid-sentence) misses cuts that end on a stop and slips that are real characters. On corpus seed 1, the
telltales took the damaged copy as a two-copy reference from 6 of 30 groups down to 2 (seeds 1-6: 39 of
196 down to 14).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dedup.collate.records import Finding, TextEdit
from dedup.collate.sentences import content_text
from dedup.collate.words import in_words

_MID_SENTENCE = frozenset("，,、；;")  # a paragraph ending in one of these stops mid-sentence


@dataclass(frozen=True, slots=True)
class Telltales:
    """Damage the alignment against the other copy pins on one copy.

    Attributes:
        cuts: the copy's paragraphs that are the other's with a head or tail missing (text the copy prints
            nowhere else), or that it splits in two after a comma.
        repeats: the other's paragraphs the copy prints a second time.
        foreign: the copy's paragraphs foreign to the story the other tells (counted by the caller, which
            knows the story: :func:`dedup.collate.reference.pair_telltales`).
        non_words: changed stretches whose characters form words in the other copy and none in this one.
    """

    cuts: int = 0
    repeats: int = 0
    foreign: int = 0
    non_words: int = 0

    @property
    def shown_damage(self) -> int:
        """Cuts, repeats and non-words: damage the alignment shows in the copy's own text."""
        return self.cuts + self.repeats + self.non_words

    @property
    def total(self) -> int:
        return self.shown_damage + self.foreign


def telltales(ref: Sequence[str], copy_text: Sequence[str], findings: Sequence[Finding], context: int) -> Telltales:
    """The telltales of a copy (paragraph texts ``copy_text``) in its ``findings`` against ``ref``.

    >>> from dedup.collate.findings import align
    >>> from dedup.collate.records import CopyParagraph
    >>> intact = ["专家们展开了9个课题36个专题的研究，取得一些重大进展。", "委员听取了汇报，征询意见和建议，表示祝贺。"]
    >>> damaged = ["专家们展开了9个课题36个专题的研究，取得一些重夫过屈。", "委员听取了汇报，征询意见和建议，"]
    >>> def pinned(ref, copy):  # the telltales of ``copy`` with ``ref`` as the reference
    ...     found = align(ref, [CopyParagraph("c", i + 1, i + 1, t) for i, t in enumerate(copy)]).findings
    ...     return telltales(ref, copy, found, 4)
    >>> pinned(intact, damaged), pinned(damaged, intact)
    (Telltales(cuts=1, repeats=0, foreign=0, non_words=1), Telltales(cuts=0, repeats=0, foreign=0, non_words=0))
    """
    own = content_text("".join(copy_text))
    cuts = sum(f.kind == "truncated" and content_text(f.lost) not in own for f in findings)
    cuts += sum(f.kind == "split" and (f.copy_text or "").rstrip()[-1:] in _MID_SENTENCE for f in findings)
    repeats = sum(f.kind == "duplicated" for f in findings)
    non_words = 0
    for f in findings:
        if f.kind not in ("garbled", "substituted") or f.copy_index is None or f.copy_range is None:
            continue
        ref_text = ref[f.ref] if f.ref is not None else f.ref_text or ""
        start, end = f.copy_range
        stretch = copy_text[f.copy_index][start:end]
        non_words += sum(_non_word(e, ref_text, stretch, context) for e in f.edits)
    return Telltales(cuts, repeats, 0, non_words)


def _non_word(edit: TextEdit, ref_text: str, copy_text: str, context: int) -> bool:
    """Whether a replacement's reference side forms a word and its copy side none (jieba's dictionary on both
    sides alike: the two copies' own character pairs would make every slip a word of the story)."""
    if edit.op != "replace" or edit.copy_at < 0:
        return False
    words = frozenset[str]()
    in_ref = in_words(ref_text, edit.at, edit.at + len(edit.ref), context, words)
    return in_ref and not in_words(copy_text, edit.copy_at, edit.copy_at + len(edit.copy), context, words)
