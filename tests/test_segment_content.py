"""Segmentation counts content with the compiled content table; the counts must stay those of ``str.isalnum``.

:mod:`dedup.segment` decides which line is a flattened page, and which sentence is too short to stand alone, by
counting letters and digits. It used to count with ``str.isalnum`` per character in Python; it now reads
:func:`dedup.match.content.content_table` once per text. These tests hold the two notions equal: on every code
point, and on random texts (CJK, full-width digits, combining marks, emoji, sentence ends, line breaks) run
through ``unit_spans`` against the per-character definition it replaced.
"""

from __future__ import annotations

import re
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.match.content import content_table
from dedup.normalize import normalize
from dedup.records import Document
from dedup.segment import FLAT_LINE_CHARS, FLAT_SHARE, MIN_UNIT_CHARS, segment, unit_spans

_SENTENCE = re.compile(r"[^。！？；!?;]*(?:[。！？；!?;]+[”’\"'」』)）]*|$)")


def test_content_table_is_str_isalnum_on_every_code_point() -> None:
    isalnum = np.fromiter((chr(cp).isalnum() for cp in range(sys.maxunicode + 1)), dtype=np.bool_)
    differing = np.flatnonzero(isalnum != content_table())
    assert differing.size == 0, [hex(int(cp)) for cp in differing[:10]]


def _isalnum_count(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def _reference_unit_spans(text: str) -> list[tuple[int, int]]:
    """``unit_spans`` as it was written with a per-character ``str.isalnum`` count."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        if line:
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    sizes = [_isalnum_count(text[s:e]) for s, e in spans]
    total = sum(sizes)
    out: list[tuple[int, int]] = []
    for (start, end), size in zip(spans, sizes, strict=True):
        if not (size >= FLAT_LINE_CHARS and size >= FLAT_SHARE * total):
            out.append((start, end))
            continue
        units: list[list[int]] = []
        for m in _SENTENCE.finditer(text, start, end):
            s, e = m.span()
            while s < e and text[s].isspace():
                s += 1
            if s >= e:
                continue
            if units and _isalnum_count(text[units[-1][0] : units[-1][1]]) < MIN_UNIT_CHARS:
                units[-1][1] = e
            else:
                units.append([s, e])
        if len(units) > 1 and _isalnum_count(text[units[-1][0] : units[-1][1]]) < MIN_UNIT_CHARS:
            tail = units.pop()
            units[-1][1] = tail[1]
        out.extend([(s, e) for s, e in units] or [(start, end)])
    return out


# Pieces a news text and its damage are made of: Han, kana, Latin, digits of either width, combining marks,
# emoji (astral plane), symbols, spaces, sentence ends and line breaks; and any code point at all.
_PIECES = st.one_of(
    st.sampled_from(["会议", "讨论", "问题", "ｶﾀｶﾅ", "ひらがな", "abc", "１２３", "2024", "Ⅻ", "½", "²", "〇", "兆"]),
    st.sampled_from(["e\u0301", "\u0301", "\u20dd", "😀", "👍🏽", "𠀋", "\u200b", "\u3000", " ", "\t", "—", "·"]),
    st.sampled_from(["。", "！", "？", "；", "!", "?", ";", "。”", "」", "）", "\n", "\n\n", "，", "、"]),
    st.text(min_size=1, max_size=3),
)
_TEXTS = st.lists(_PIECES, max_size=400).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_unit_spans_counts_content_as_isalnum_does(text: str) -> None:
    assert unit_spans(text) == _reference_unit_spans(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["今天的会议讨论了很多重要的问题。", "１２３", "\n", "\r\n", "😀", " "]), max_size=80))
def test_paragraph_lines_are_those_of_their_raw_offsets(pieces: list[str]) -> None:
    norm = normalize(Document("a.txt", "".join(pieces), "utf-8"))
    for paragraph in segment(norm):
        if not paragraph.markers:
            assert paragraph.start_line == norm.line_of(paragraph.raw_start)
            assert paragraph.end_line == norm.line_of(paragraph.raw_end - 1)
        assert isinstance(paragraph.raw_start, int) and isinstance(paragraph.start_line, int)
