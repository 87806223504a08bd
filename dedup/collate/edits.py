"""Character edits: what turns a reference paragraph's text into a copy's, in word-sized pieces.

rapidfuzz's Levenshtein opcodes give character edits; a reader sees changed words, so edits separated by a
single unchanged character are merged. Each edit also says whether it is layout only (punctuation,
spacing), touches digits, or swaps the characters of a name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from rapidfuzz.distance import Levenshtein

from dedup.collate.records import TextEdit
from dedup.collate.sentences import content_text

NOISE = re.compile("[?\ufffd]")  # what a failed decoding leaves: a question mark or U+FFFD


def diff(ref_text: str, copy_text: str) -> tuple[TextEdit, ...]:
    """Character edits from ``ref_text`` to ``copy_text``, merged into word-sized edits.

    Edits separated by a single unchanged character are one edit (``市县乡`` -> ``市乡县`` is one swap, not an
    insertion and a deletion), which is also how a reader sees a changed word.

    >>> [(e.op, e.ref, e.copy, e.at, e.copy_at) for e in diff("我们加油鼓劲的正向激励体系", "加油鼓劲的导向激励体系")]
    [('delete', '我们', '', 0, 0), ('replace', '正', '导', 7, 5)]
    >>> [(e.ref, e.copy, e.name) for e in diff("4万余名市县乡领导干部", "4万余名市乡县领导干部")]
    [('县乡', '乡县', True)]
    """
    ops = [op for op in Levenshtein.opcodes(ref_text, copy_text) if op.tag != "equal"]
    merged: list[list[int]] = []
    for op in ops:
        if merged and op.src_start - merged[-1][1] <= 1 and op.dest_start - merged[-1][3] <= 1:
            merged[-1][1] = op.src_end
            merged[-1][3] = op.dest_end
        else:
            merged.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    edits: list[TextEdit] = []
    for r0, r1, c0, c1 in merged:
        ref, copy = ref_text[r0:r1], copy_text[c0:c1]
        kind: Literal["replace", "delete", "insert"] = "replace" if ref and copy else ("delete" if ref else "insert")
        layout = not content_text(ref) and not content_text(copy)
        if not layout and content_text(ref) == content_text(copy):
            layout = True  # only punctuation or spaces moved
        number = any(ch.isdigit() for ch in ref + copy)
        name = bool(ref) and len(ref) > 1 and sorted(ref) == sorted(copy) and ref != copy
        edits.append(TextEdit(kind, ref, copy, r0, layout, number, name, c0))
    return tuple(edits)


def apply_edits(ref_text: str, edits: Sequence[TextEdit]) -> str:
    """Rebuild the copy text from the reference text and the edits of a portion.

    >>> ref = "加油鼓劲的正向激励体系"
    >>> apply_edits(ref, diff(ref, "加油鼓劲导向激励体系!"))
    '加油鼓劲导向激励体系!'
    """
    out: list[str] = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.at, e.op != "insert")):
        out.append(ref_text[cursor : edit.at])
        out.append(edit.copy)
        cursor = edit.at + len(edit.ref)
    out.append(ref_text[cursor:])
    return "".join(out)


def lost_at_edge(edits: Sequence[TextEdit], ref_text: str, lost_min: int, slack: int, *, at_start: bool) -> int:
    """Length of reference text missing at the start (or end) of a portion, if it is a real cut: at least
    ``lost_min`` content characters deleted, or replaced by a mark of the cut: ``slack`` letters or fewer (a
    stray or broken character) besides any punctuation (a preview's ``…``, ``...`` or ``……``). The cut may
    also stop ``slack`` characters short of the edge, where the diff matched a stray character the copy
    shares with the reference's edge (the ``△`` that opens every item of a news digest); the loss then
    runs to the edge.

    >>> lost_at_edge(diff("一二三四五六七", "五六七"), "一二三四五六七", 4, 2, at_start=True)
    4
    >>> lost_at_edge(diff("一二三四五六七八", "一二三..."), "一二三四五六七八", 4, 2, at_start=False)
    5
    >>> lost_at_edge(diff("△一二三四五六七", "△五六七"), "△一二三四五六七", 4, 2, at_start=True)
    5
    """
    for edit in edits:
        end = edit.at + len(edit.ref)
        touches = edit.at <= slack if at_start else end >= len(ref_text) - slack
        if not touches or len(content_text(edit.ref)) < lost_min:
            continue
        if edit.op == "delete" or (edit.op == "replace" and len(content_text(edit.copy)) <= slack):
            return end if at_start else len(ref_text) - edit.at
    return 0
