"""Text with an offset map back to the raw text it was derived from.

Normalization must never lose the way back: reports quote the copy's own text and cite its own lines. A
:class:`Mapped` pairs a derived string with ``origin``, an int32 array giving, for every derived character,
the offset of the raw character it came from. Every normalization step is a pure function
``Mapped -> Mapped`` built on :func:`rewrite`, the one mechanism that edits text and map together, so a step
cannot forget to update the map.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

OffsetArray = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class Mapped:
    """A derived text and, per character, the raw offset it came from.

    Invariant: ``len(origin) == len(text)`` and every origin is a valid index into the raw text (when the raw
    text is not empty).
    """

    text: str
    origin: OffsetArray

    @classmethod
    def identity(cls, raw: str) -> Mapped:
        """The raw text mapped onto itself.

        >>> Mapped.identity("新华社").origin.tolist()
        [0, 1, 2]
        """
        return cls(raw, np.arange(len(raw), dtype=np.int32))


Edit = tuple[int, int, str]


def rewrite(mapped: Mapped, edits: Iterable[Edit]) -> Mapped:
    """Replace ``text[start:end]`` by ``replacement`` for each edit, keeping the offset map.

    Edits must be sorted and must not overlap. A replacement of the same length keeps the original offsets
    one to one; any other replacement maps all its characters to the raw offset of the first replaced
    character (or, for an insertion, of the character it precedes).

    >>> m = rewrite(Mapped.identity("召開(kāi)會"), [(2, 7, "")])
    >>> m.text, m.origin.tolist()
    ('召開會', [0, 1, 7])
    """
    text = mapped.text
    origin = mapped.origin
    pieces: list[str] = []
    maps: list[OffsetArray] = []
    cursor = 0
    for start, end, replacement in edits:
        if start < cursor or end < start:
            raise ValueError(f"edits overlap or are unsorted at {start}:{end}")
        pieces.append(text[cursor:start])
        maps.append(origin[cursor:start])
        if replacement:
            if len(replacement) == end - start:
                maps.append(origin[start:end])
            else:
                maps.append(np.full(len(replacement), _anchor(origin, start), dtype=np.int32))
            pieces.append(replacement)
        cursor = end
    if cursor == 0 and not pieces:
        return mapped
    pieces.append(text[cursor:])
    maps.append(origin[cursor:])
    new_origin = np.concatenate(maps) if maps else np.zeros(0, dtype=np.int32)
    return Mapped("".join(pieces), new_origin.astype(np.int32, copy=False))


def _anchor(origin: OffsetArray, at: int) -> int:
    if len(origin) == 0:
        return 0
    return int(origin[min(at, len(origin) - 1)])


def assemble(mapped: Mapped, pieces: Sequence[tuple[int, int] | str]) -> Mapped:
    """Build a new text from slices of ``mapped`` and literal separators.

    A literal maps to the raw offset just after the slice before it (or of the slice after it, first), so
    a joining space or a paragraph break still points inside the raw text.

    >>> m = Mapped.identity("ab\\ncd")
    >>> out = assemble(m, [(0, 2), (3, 5)])
    >>> out.text, out.origin.tolist()
    ('abcd', [0, 1, 3, 4])
    """
    texts: list[str] = []
    maps: list[OffsetArray] = []
    last = 0
    for piece in pieces:
        if isinstance(piece, str):
            texts.append(piece)
            if len(piece) == 1 and len(mapped.origin):  # a line break or a space: a view, not a new array
                at = min(last, len(mapped.origin) - 1)
                maps.append(mapped.origin[at : at + 1])
            else:
                maps.append(np.full(len(piece), _anchor(mapped.origin, last), dtype=np.int32))
        else:
            start, end = piece
            texts.append(mapped.text[start:end])
            maps.append(mapped.origin[start:end])
            last = max(start, end - 1)
    origin = np.concatenate(maps) if maps else np.zeros(0, dtype=np.int32)
    return Mapped("".join(texts), origin.astype(np.int32, copy=False))


def line_starts(raw: str) -> npt.NDArray[np.int64]:
    """Raw offsets where each line starts: line ``k`` (1-based) starts at ``line_starts(raw)[k - 1]``.

    A line ends at ``\\n``; a lone ``\\r`` (old Mac files) also ends a line, as editors count it.

    >>> line_starts("a\\nb\\r\\nc").tolist()
    [0, 2, 5]
    """
    starts = [0]
    find = raw.find
    pos = find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    if "\r" in raw:
        lone = [i + 1 for i, ch in enumerate(raw) if ch == "\r" and (i + 1 >= len(raw) or raw[i + 1] != "\n")]
        starts = sorted(set(starts).union(lone))
    return np.asarray(starts, dtype=np.int64)


def line_of(starts: npt.NDArray[np.int64], offset: int) -> int:
    """The 1-based line holding raw ``offset``.

    >>> line_of(line_starts("a\\nb\\nc"), 2)
    2
    """
    return int(np.searchsorted(starts, offset, side="right"))
