"""Words and slips: whether a character edit is a changed word or an OCR slip, and a changed word's whole span.

An editor replaces a word by a word (``目前`` -> ``当前``); an OCR engine replaces characters by characters of
similar shape (``男子`` -> ``另干``, ``波波夫`` -> ``渚渚夫``), and what it leaves forms no word. Two tests tell
the second from the first (issue 11 §3), both from maintained data rather than a table typed here:

- every replaced character is a shape look-alike of the one it replaces (:func:`dedup.lookalike.are_lookalikes`,
  from char-similar-z's four-corner codes and shape scores);
- the reference's characters belong to a word and the copy's belong to none: no word of jieba's dictionary
  (350,000 entries, the segmenter most Chinese NLP code uses) and no pair of characters the story itself uses
  (a name the dictionary lacks is still a word of the story).

Words come from jieba's segmentation (``HMM=False``: dictionary words only, an unknown string falls apart into
single characters, which is exactly the "forms no word" signal) of a few characters around the edit; the
dictionary loads once per process (~0.8 s).
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from dedup.collate.records import TextEdit
from dedup.collate.sentences import content_text
from dedup.lookalike import are_lookalikes
from dedup.words import tokenizer

_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def tokens(text: str, start: int, end: int, context: int) -> list[tuple[int, int]]:
    """The words (offsets into ``text``) of the stretch ``start - context : end + context``.

    >>> text = "目前形势很好"
    >>> [text[s:e] for s, e in tokens(text, 0, 1, 4)]
    ['目前', '形势', '很']
    """
    lo, hi = max(0, start - context), min(len(text), end + context)
    out: list[tuple[int, int]] = []
    pos = lo
    for length in _word_lengths(text[lo:hi]):
        out.append((pos, pos + length))
        pos += length
    return out


@functools.lru_cache(maxsize=4096)
def _word_lengths(stretch: str) -> tuple[int, ...]:
    """The lengths of jieba's words of ``stretch``, kept: choosing a consensus base aligns every copy against
    several candidates, and each alignment segments the same few characters around the same edits again
    (about a tenth of collation's time went to jieba before)."""
    return tuple(len(word) for word in tokenizer().lcut(stretch, HMM=False))


def in_words(text: str, start: int, end: int, context: int, story: set[str] | frozenset[str]) -> bool:
    """Whether a character of ``text[start:end]`` belongs to a word: a dictionary word of two or more
    characters, or a pair of characters the story uses (``story``: its character pairs).

    >>> in_words("男子１０米台", 0, 2, 4, set()), in_words("另干１０米台", 0, 2, 4, set())
    (True, False)
    """
    if any(s < end and start < e and e - s > 1 for s, e in tokens(text, start, end, context)):
        return True
    return any(text[k : k + 2] in story for k in range(max(0, start - 1), min(end, len(text) - 1)) if k + 2 > start)


def is_slip(edit: TextEdit, ref_text: str, copy_text: str, context: int, story: set[str] | frozenset[str]) -> bool:
    """Whether a replacement of Chinese characters reads as an OCR slip rather than a changed word: each
    replaced character has a look-alike in its place, or the reference's characters form a word and the copy's
    form none (``copy_text`` is the text the edit's ``copy_at`` counts in).

    >>> slip = TextEdit("replace", "男子", "另干", 0, copy_at=0)
    >>> is_slip(slip, "男子１０米台", "另干１０米台", 4, set())
    True
    >>> word = TextEdit("replace", "目", "当", 0, copy_at=0)
    >>> is_slip(word, "目前形势", "当前形势", 4, set())
    False
    """
    if edit.op != "replace" or edit.copy_at < 0:
        return False
    if not _HAN.match(edit.ref) or not _HAN.match(edit.copy):
        runs = _han_runs(edit)
        return bool(runs) and all(is_slip(run, ref_text, copy_text, context, story) for run in runs)
    if len(edit.ref) == len(edit.copy):
        pairs = [(a, b) for a, b in zip(edit.ref, edit.copy, strict=True) if a != b]
        if pairs and all(are_lookalikes(a, b) for a, b in pairs):
            return True
    ref_span = (edit.at, edit.at + len(edit.ref))
    copy_span = (edit.copy_at, edit.copy_at + len(edit.copy))
    # The reference's side is tested against the dictionary only: every pair of its characters is the story's.
    return in_words(ref_text, *ref_span, context, frozenset()) and not in_words(copy_text, *copy_span, context, story)


def _han_runs(edit: TextEdit) -> list[TextEdit]:
    """The Chinese stretches of a replacement that spans punctuation, each trimmed to its changed characters;
    empty unless the two sides have the same length and differ elsewhere only in punctuation.

    Why: edits a character apart are merged into one (:func:`dedup.collate.edits.diff`), so two slips around
    a comma (``今天,我`` -> ``今灭，战``, whose comma only changed width) make one edit that is no run of Chinese
    characters; each side of the comma is judged by itself, as the slip it is.

    >>> [(e.ref, e.copy, e.at, e.copy_at) for e in _han_runs(TextEdit("replace", "今天,我", "今灭，战", 5, copy_at=6))]
    [('天', '灭', 6, 7), ('我', '战', 8, 9)]
    >>> _han_runs(TextEdit("replace", "今天8我", "今灭9战", 5, copy_at=6))
    []
    """
    if len(edit.ref) != len(edit.copy):
        return []
    runs: list[TextEdit] = []
    start: int | None = None
    for k, (a, b) in enumerate([*zip(edit.ref, edit.copy, strict=True), (",", ",")]):
        if _HAN.match(a) and _HAN.match(b):
            start = k if start is None else start
            continue
        if content_text(a + b):
            return []  # a letter or digit changed, or a character stands against punctuation: no slip of print
        if start is not None:
            lo, hi = start, k
            while lo < hi and edit.ref[lo] == edit.copy[lo]:
                lo += 1
            while hi > lo and edit.ref[hi - 1] == edit.copy[hi - 1]:
                hi -= 1
            if lo < hi:
                runs.append(
                    replace(
                        edit, ref=edit.ref[lo:hi], copy=edit.copy[lo:hi], at=edit.at + lo, copy_at=edit.copy_at + lo
                    )
                )
            start = None
    return runs


def whole_words(edit: TextEdit, ref_text: str, copy_text: str, context: int) -> TextEdit:
    """``edit`` widened to the whole words it touches on either side (``目前`` -> ``当前``, not ``目`` -> ``当``):
    a reader sees a changed word. The unchanged characters it takes in are the same on both sides. Swapped
    characters of a name (``县乡`` -> ``乡县``) and changed digits stay as they are: users check those first,
    character by character.

    >>> e = whole_words(TextEdit("replace", "目", "当", 2, copy_at=2), "我们目前形势", "我们当前形势", 4)
    >>> (e.ref, e.copy, e.at, e.copy_at)
    ('目前', '当前', 2, 2)
    """
    if edit.copy_at < 0 or edit.name or edit.number:
        return edit  # a swap of a name's characters, or a digit, is already the unit a reader checks
    r0, r1 = edit.at, edit.at + len(edit.ref)
    c0, c1 = edit.copy_at, edit.copy_at + len(edit.copy)
    left = right = 0
    for text, start, end in ((ref_text, r0, r1), (copy_text, c0, c1)):
        if start == end:
            continue  # nothing of this side changed: its words say nothing about the edit's extent
        for s, e in tokens(text, start, end, context):
            if s < end and start < e:
                left, right = max(left, start - s), max(right, e - end)
    while left and ref_text[r0 - left : r0] != copy_text[c0 - left : c0]:
        left -= 1
    while right and ref_text[r1 : r1 + right] != copy_text[c1 : c1 + right]:
        right -= 1
    if not left and not right:
        return edit
    ref, copy = ref_text[r0 - left : r1 + right], copy_text[c0 - left : c1 + right]
    return replace(edit, op="replace", ref=ref, copy=copy, at=r0 - left, copy_at=c0 - left)
