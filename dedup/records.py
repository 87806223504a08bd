"""The records that flow between stages: frozen, slotted dataclasses, never dicts.

``load`` yields :class:`Document` or :class:`Skipped`; ``normalize`` turns a document into
:class:`dedup.normalize.NormText`; ``segment`` yields :class:`Paragraph`; grouping yields :class:`Group` of
:class:`Witness` made of :class:`Span`. Every record that cites text cites the copy's own file and its
1-based, inclusive raw lines, and where it has them the raw character offsets.
"""

from __future__ import annotations

import operator
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

InputStatus = Literal["ok", "skipped"]


@dataclass(frozen=True, slots=True)
class Document:
    """One decoded input text.

    Attributes:
        path: the path as the user gave it; ``FILE#ID`` (or ``FILE#LINENO``) for a JSONL document.
        text: the decoded raw text; reports quote it, and all line numbers count within it.
        encoding: the detected encoding, e.g. ``utf-8``, ``utf-8-sig``, ``gb18030``, ``big5``, ``utf-16``.
        format: ``text``, ``markdown``, ``html`` or ``jsonl``; tells normalization which markup to expect.
    """

    path: str
    text: str
    encoding: str
    format: Literal["text", "markdown", "html", "jsonl"] = "text"


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that could not be read, with the reason reported in ``inputs`` and on stderr."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class InputRecord:
    """How one input path (or JSONL line) was accounted for in a run."""

    path: str
    status: InputStatus
    encoding: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, str]:
        out = {"path": self.path, "status": self.status}
        if self.encoding is not None:
            out["encoding"] = self.encoding
        if self.reason is not None:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True, slots=True)
class Note:
    """What one normalization step did to a document, for the report ("stripped 412 pinyin annotations").

    Attributes:
        step: the step's name, e.g. ``pinyin``, ``t2s``, ``unwrap``, ``markup``, ``jump``, ``garbled``.
        message: a human sentence.
        count: how many times the step applied.
    """

    step: str
    message: str
    count: int = 1


JumpKind = Literal["continued_on", "continued_from"]


@dataclass(frozen=True, slots=True)
class JumpMarker:
    """A page-jump marker such as ``（下转第3版）`` (continued_on) or ``（上接1版）`` (continued_from).

    Attributes:
        kind: ``continued_on`` (the story goes on elsewhere) or ``continued_from`` (it began elsewhere).
        page: the page as printed (``3``, ``一``, ``A3``).
        line: the raw line the marker stands on.
        text: the marker as printed.
    """

    kind: JumpKind
    page: str
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of one file: 1-based inclusive raw lines, and where known the raw characters.

    Lines alone say nothing about a flattened web page, whose whole article (and site footer) is line 1:
    ``start_char``/``end_char`` (0-based, end exclusive, in the decoded raw text) place the stretch inside
    its lines (JSON schema 2). They are ``None`` where a caller has no offsets; the JSON then omits them.

    >>> Span("a.txt", 1, 1, 0, 120).to_dict()
    {'path': 'a.txt', 'start_line': 1, 'end_line': 1, 'start_char': 0, 'end_char': 120}
    >>> Span("a.txt", 3, 5).to_dict()
    {'path': 'a.txt', 'start_line': 3, 'end_line': 5}
    """

    path: str
    start_line: int
    end_line: int
    start_char: int | None = None
    end_char: int | None = None

    def to_dict(self) -> dict[str, str | int]:
        out: dict[str, str | int] = {"path": self.path, "start_line": self.start_line, "end_line": self.end_line}
        if self.start_char is not None and self.end_char is not None:
            out["start_char"] = self.start_char
            out["end_char"] = self.end_char
        return out

    def __str__(self) -> str:
        return f"{self.path}:{self.start_line}-{self.end_line}"


_NO_OFFSETS: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)

BoundaryHint = Literal["headline", "byline", "dateline", "continued_on", "continued_from"]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of a normalized document.

    Attributes:
        index: position in the document, from 0.
        text: the matching text (normalized: Simplified, unwrapped, width-folded, markers removed).
        start_line, end_line: the raw lines the paragraph comes from (1-based, inclusive).
        raw_start, raw_end: raw character offsets; ``document.text[raw_start:raw_end]`` is what reports quote.
        sentences: the matching text split into sentences (on 。！？； and their closing quotes).
        markers: page-jump markers that stand in this paragraph.
        hints: article-boundary hints (headline, byline, dateline, continued_on/from).
        garbled: character ranges of the matching text flagged as noise (pinyin remnants, mojibake).
        origin: the raw offset of each character of ``text`` (its slice of normalization's offset map, a view
            of the document's one array: no copy per paragraph), for quoting by projection. Empty when
            the paragraph carries no text (a slim scan lets the text go, and the map goes with it) or was
            read from an index, which does not store it. Not compared: it follows from the raw text.
    """

    index: int
    text: str
    start_line: int
    end_line: int
    raw_start: int
    raw_end: int
    sentences: tuple[str, ...] = ()
    markers: tuple[JumpMarker, ...] = ()
    hints: frozenset[BoundaryHint] = field(default_factory=frozenset)
    garbled: tuple[tuple[int, int], ...] = ()
    origin: npt.NDArray[np.int32] = field(default_factory=lambda: _NO_OFFSETS, compare=False, repr=False)

    @property
    def number(self) -> int:
        """The paragraph's number as every output prints it, from 1 (``index`` is its place, from 0)."""
        return self.index + 1

    def __post_init__(self) -> None:
        if not self.text and len(self.origin):
            object.__setattr__(self, "origin", _NO_OFFSETS)  # no text, nothing to map (a slim paragraph)

    def __reduce__(self) -> tuple[type[Paragraph], tuple[Any, ...]]:
        """Pickled as its fields in order, unpickled by the constructor: every scan batch's paragraphs travel
        from a worker to the parent. The frozen slotted dataclass's own ``__getstate__``/``__setstate__`` call
        ``dataclasses.fields`` per paragraph and set each field by name: 68 ms to pickle and 73 ms to unpickle
        24,000 paragraphs, against 25 and 48 ms so."""
        return Paragraph, _PARAGRAPH_FIELDS(self)


_PARAGRAPH_FIELDS = attrgetter(*(f.name for f in fields(Paragraph)))
"""A paragraph's fields as a tuple, in the constructor's order (one C call)."""


_HINT_ORDER: tuple[BoundaryHint, ...] = ("headline", "byline", "dateline", "continued_on", "continued_from")
_HINT_SETS: tuple[frozenset[BoundaryHint], ...] = tuple(
    frozenset(hint for bit, hint in enumerate(_HINT_ORDER) if mask >> bit & 1) for mask in range(1 << len(_HINT_ORDER))
)
"""Every set of boundary hints, by its bit mask: the hints of a slim paragraph are one of these shared sets."""


def _hint_mask(hints: frozenset[BoundaryHint]) -> int:
    return sum(1 << _HINT_ORDER.index(hint) for hint in hints)


class SlimParagraphs(Sequence[Paragraph]):
    """A slim document's paragraphs (their matching text, sentences and offset map let go of), held as a few
    compact arrays rather than as a :class:`Paragraph` each; a paragraph is made when it is read.

    A scan keeps every document it reads until its groups are made, and a slim paragraph object with its own
    line and offset numbers took about 200 bytes: 12 paragraphs an article, 2.4 GB at a million articles, the
    largest thing the scan held besides its matches. Held so, a document's paragraphs take about 300 bytes.
    Reads as the tuple of paragraphs it stands for: same length, items, slices (as tuples), iteration and
    equality (with a tuple of the same paragraphs too).

    >>> slim = SlimParagraphs.of([Paragraph(0, "", 1, 1, 0, 4, hints=frozenset({"headline"})),
    ...                           Paragraph(1, "", 3, 4, 6, 300)])
    >>> len(slim), slim[1].raw_end, slim[0].hints, slim[-1] == slim[1], slim == tuple(slim)
    (2, 300, frozenset({'headline'}), True, True)
    """

    __slots__ = ("_hints", "_rare", "_spans")

    def __init__(
        self,
        spans: array[int],
        hints: bytes,
        rare: tuple[tuple[int, tuple[JumpMarker, ...], tuple[tuple[int, int], ...]], ...] = (),
    ) -> None:
        self._spans = spans  # start_line, end_line, raw_start, raw_end of each paragraph, back to back
        self._hints = hints  # each paragraph's hints as a mask into _HINT_SETS
        self._rare = rare  # (index, markers, garbled) of the few paragraphs that have either

    @classmethod
    def of(cls, paragraphs: Sequence[Paragraph]) -> SlimParagraphs:
        """The paragraphs (numbered 0, 1, … in order, as segmentation numbers them) held compactly; their
        text, sentences and offset map are not kept."""
        if any(p.index != k for k, p in enumerate(paragraphs)):
            raise ValueError("slim paragraphs are numbered by their place")
        spans = array("i", [v for p in paragraphs for v in (p.start_line, p.end_line, p.raw_start, p.raw_end)])
        rare = tuple((p.index, p.markers, p.garbled) for p in paragraphs if p.markers or p.garbled)
        return cls(spans, bytes(_hint_mask(p.hints) for p in paragraphs), rare)

    def __len__(self) -> int:
        return len(self._hints)

    @overload
    def __getitem__(self, k: int) -> Paragraph: ...

    @overload
    def __getitem__(self, k: slice) -> tuple[Paragraph, ...]: ...

    def __getitem__(self, k: int | slice) -> Paragraph | tuple[Paragraph, ...]:
        if isinstance(k, slice):
            return tuple(self._made(i) for i in range(*k.indices(len(self))))
        k = operator.index(k)  # a numpy integer reads as an int (a paragraph's index is one), a float is refused
        n = len(self)
        if not -n <= k < n:
            raise IndexError("paragraph index out of range")
        return self._made(k % n)

    def __iter__(self) -> Iterator[Paragraph]:
        return map(self._made, range(len(self)))

    def _made(self, k: int) -> Paragraph:
        """Paragraph ``k``, made field by field through its slots: grouping reads paragraphs millions of
        times, and the frozen dataclass's constructor (eleven checked assignments and ``__post_init__``) took
        twice as long. It is the paragraph the constructor makes (a test holds them equal)."""
        at = 4 * k
        markers: tuple[JumpMarker, ...] = ()
        garbled: tuple[tuple[int, int], ...] = ()
        for index, m, g in self._rare:
            if index == k:
                markers, garbled = m, g
        spans = self._spans
        p = _new_paragraph(Paragraph)
        _set_index(p, k)
        _set_text(p, "")
        _set_start_line(p, spans[at])
        _set_end_line(p, spans[at + 1])
        _set_raw_start(p, spans[at + 2])
        _set_raw_end(p, spans[at + 3])
        _set_sentences(p, ())
        _set_markers(p, markers)
        _set_hints(p, _HINT_SETS[self._hints[k]])
        _set_garbled(p, garbled)
        _set_origin(p, _NO_OFFSETS)
        return p

    def hints(self) -> list[frozenset[BoundaryHint]]:
        """Each paragraph's hints, without making the paragraphs."""
        return [_HINT_SETS[mask] for mask in self._hints]

    def raw_lengths(self) -> npt.NDArray[np.int64]:
        """Each paragraph's raw characters (``raw_end - raw_start``), without making the paragraphs."""
        spans = np.frombuffer(self._spans, dtype=np.int32).reshape(-1, 4)
        lengths: npt.NDArray[np.int64] = spans[:, 3].astype(np.int64) - spans[:, 2]
        return lengths

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SlimParagraphs):
            return self._spans == other._spans and self._hints == other._hints and self._rare == other._rare
        if isinstance(other, tuple):
            return tuple(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"SlimParagraphs({list(self)!r})"

    def __reduce__(self) -> tuple[type[SlimParagraphs], tuple[Any, ...]]:
        return SlimParagraphs, (self._spans, self._hints, self._rare)


_new_paragraph = object.__new__
# a slotted dataclass's fields are member descriptors; setting through them skips the frozen ``__setattr__``
(
    _set_index,
    _set_text,
    _set_start_line,
    _set_end_line,
    _set_raw_start,
    _set_raw_end,
    _set_sentences,
    _set_markers,
    _set_hints,
    _set_garbled,
    _set_origin,
) = (Paragraph.__dict__[f.name].__set__ for f in fields(Paragraph))


def paragraph_hints(paragraphs: Sequence[Paragraph]) -> list[frozenset[BoundaryHint]]:
    """Each paragraph's boundary hints (read off a :class:`SlimParagraphs` without making its paragraphs)."""
    if isinstance(paragraphs, SlimParagraphs):
        return paragraphs.hints()
    return [p.hints for p in paragraphs]


def raw_lengths(paragraphs: Sequence[Paragraph]) -> npt.NDArray[np.int64]:
    """Each paragraph's raw characters, ``raw_end - raw_start`` (off a :class:`SlimParagraphs` without making
    its paragraphs)."""
    if isinstance(paragraphs, SlimParagraphs):
        return paragraphs.raw_lengths()
    return np.fromiter((p.raw_end - p.raw_start for p in paragraphs), dtype=np.int64, count=len(paragraphs))
