"""Page jumps: markers such as ``（下转第3版）`` and ``（上接1版）`` are recorded and removed from the text.

A newspaper article continued on another page is one story in two files; the markers are what lets grouping
stitch the halves, so they are kept as records (kind, page, raw line) rather than as text to match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup.normalize.textmap import Edit, Mapped, line_of, rewrite
from dedup.records import JumpKind, JumpMarker


@dataclass(frozen=True, slots=True)
class Marker:
    """A jump marker found by normalization, at ``position`` in the normalized text where it was removed."""

    position: int
    marker: JumpMarker


def _spaced(word: str) -> str:
    """A pattern for ``word`` with any whitespace between its characters: a hard-wrapped page breaks a
    marker anywhere (``（下`` at the end of one line, ``转第4版）`` at the start of the next)."""
    return r"\s*".join(re.escape(c) for c in word)


_PAGE_CHAR = "[0-9０-９一二三四五六七八九十A-Za-zＡ-Ｚ]"
_VERBS = "|".join(_spaced(v) for v in ("下转", "转至", "转", "上接", "紧接", "接上", "接", "续"))
_JUMP = re.compile(
    r"[（(【〔\[]\s*(?P<verb>" + _VERBS + r")\s*第?\s*(?P<page>" + _PAGE_CHAR + r"(?:\s*" + _PAGE_CHAR + r"){0,3})"
    r"\s*(?:版|页|面)(?:[^）)】〕\]]{0,6})?\s*[）)】〕\]]"
)
_WHITESPACE = re.compile(r"\s+")


def step_jumps(m: Mapped, starts: npt.NDArray[np.int64]) -> tuple[Mapped, list[Marker]]:
    """Page-jump markers are recorded (kind, page, raw line) and removed from the matching text.

    >>> from dedup.normalize.textmap import line_starts
    >>> out, found = step_jumps(Mapped.identity("（上接1版）按照要求"), line_starts("（上接1版）按照要求"))
    >>> out.text, found[0].marker.kind, found[0].marker.page
    ('按照要求', 'continued_from', '1')
    >>> wrapped = "作为具体措施（下\\n转第1\\n4版）"
    >>> out, found = step_jumps(Mapped.identity(wrapped), line_starts(wrapped))
    >>> out.text, found[0].marker.kind, found[0].marker.page, found[0].marker.text, found[0].marker.line
    ('作为具体措施', 'continued_on', '14', '（下转第14版）', 1)
    """
    edits: list[Edit] = []
    raw_markers: list[tuple[int, JumpMarker]] = []
    for match in _JUMP.finditer(m.text):
        verb = match.group("verb")
        kind: JumpKind = "continued_on" if verb.startswith(("下", "转")) else "continued_from"
        raw_offset = int(m.origin[match.start()])
        page = _WHITESPACE.sub("", match.group("page"))
        marker = JumpMarker(kind, page, line_of(starts, raw_offset), _WHITESPACE.sub("", match.group()))
        raw_markers.append((match.start(), marker))
        edits.append((match.start(), match.end(), ""))
    if not edits:
        return m, []
    out = rewrite(m, edits)
    markers: list[Marker] = []
    removed = 0
    for (start, end, _), (_, marker) in zip(edits, raw_markers, strict=True):
        markers.append(Marker(start - removed, marker))
        removed += end - start
    return out, markers


def remap_markers(markers: list[Marker], before: Mapped, after: Mapped) -> list[Marker]:
    """Carry marker positions across a step, through the raw offsets both texts map to.

    All markers are looked up in one ``searchsorted`` call: one call per marker cost a conversion of the whole
    offset map each time (quadratic in a flood of markers).

    >>> m = Mapped.identity("甲（下转第2版）\\n乙")
    >>> out, found = step_jumps(m, np.array([0, 9]))
    >>> [x.position for x in remap_markers(found, out, Mapped.identity(out.text))]
    [1]
    """
    if not markers:
        return []
    size = len(before.origin)
    # 下转 belongs to the text before it, 上接 to the text after: anchor on that side, so a marker at a
    # paragraph's end stays at that paragraph's end when the line break after it is rebuilt.
    closing = [item.marker.kind == "continued_on" and 0 < item.position <= size for item in markers]
    anchors = [item.position - 1 if close else item.position for item, close in zip(markers, closing, strict=True)]
    inside = [anchor < size for anchor in anchors]
    at = np.array([a if ok else 0 for a, ok in zip(anchors, inside, strict=True)], dtype=np.int64)
    raw = before.origin[at] if size else np.zeros(len(markers), dtype=np.int32)
    found = np.searchsorted(after.origin, raw, side="left")
    out: list[Marker] = []
    for k, item in enumerate(markers):
        if not inside[k]:
            position = len(after.text)
        else:
            position = int(found[k])
            if closing[k] and position < len(after.origin) and int(after.origin[position]) == int(raw[k]):
                position += 1
        out.append(Marker(min(position, len(after.text)), item.marker))
    return out
