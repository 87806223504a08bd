"""Unwrap: hard-wrapped lines (OCR pages) become paragraphs, and paragraphs cut by a page break are rejoined.

The output holds one paragraph per line, whatever the layout of the input: an OCR page wrapped every ~20
characters, a web copy with one paragraph per line, or a page whose column break cut a paragraph in two.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np
import numpy.typing as npt

from dedup.normalize.chars import PUNCT_END, WIDE_TABLE, cells, codepoints, ends_sentence
from dedup.normalize.jumps import Marker
from dedup.normalize.script import fold_width
from dedup.normalize.textmap import Mapped
from dedup.words import cut_inside_word

_BYLINE_START = re.compile(r"^(□|■|●|◆|▲|本报记者|本报通讯员|新华社记者|记者|本报讯|据新华社|新华社|人民日报评论员)")
# A lead's dateline (``本报济南1月8日电``, ``新华社北京１月１５日电``): only an article's first paragraph opens so.
_DATELINE = re.compile(r"^(本报|新华社|新華社|中新社)[^，。,]{0,12}?[0-9０-９]{1,2}月[0-9０-９]{1,2}日[电電讯訊]")
# A paragraph that opens with a full date (``1997年7月1日，``, ``１９９５年，``).
_DATE_OPENING = re.compile(r"^[0-9０-９]{4}年([0-9０-９]{1,2}月)?")


class _Line(NamedTuple):
    """One stripped line (a named tuple: a text has a line every 20 to 100 characters, and a frozen dataclass
    costs three times as much to make)."""

    start: int  # offset of the first non-space character in the mapped text
    end: int  # offset after the last non-space character
    text: str
    width: int
    begin: int  # offset where the line begins, leading spaces included
    finish: int  # offset of its line break

    def opens_with(self, positions: _Positions) -> bool:
        return positions.any_within(self.begin, self.start)

    def closes_with(self, positions: _Positions) -> bool:
        return positions.any_within(self.end, self.finish)


@dataclass(frozen=True, slots=True)
class _Positions:
    """Marker positions, sorted, so that a line asks whether one stands at its edge by bisection: asking
    every marker for every line took 35 s for a file of 16,000 ``（下转第3版）``."""

    sorted: tuple[int, ...]

    @classmethod
    def of(cls, positions: Iterable[int]) -> _Positions:
        return cls(tuple(sorted(set(positions))))

    def any_within(self, low: int, high: int) -> bool:
        """Whether a position ``p`` has ``low <= p <= high``."""
        at = bisect.bisect_left(self.sorted, low)
        return at < len(self.sorted) and self.sorted[at] <= high


def _lines(m: Mapped, measure: bool = True) -> list[_Line | None]:
    """The lines of the text, stripped; ``None`` for a blank line.

    Widths are :func:`cells` of each stripped line, counted for the whole text in one pass (a running count
    of wide characters) rather than a regular expression per line. Only a hard-wrapped page reads them:
    ``measure=False`` leaves them 0 (the count is a tenth of normalizing a text that cannot be wrapped).
    """
    wide = np.zeros(len(m.text) + 1 if measure else 0, dtype=np.int64)
    if m.text and measure:
        np.cumsum(WIDE_TABLE[codepoints(m.text)], out=wide[1:])
    out: list[_Line | None] = []
    append = out.append
    make = tuple.__new__  # what ``_Line(...)`` calls, without its Python-level ``__new__`` frame per line
    pos = 0
    for line in m.text.split("\n"):
        size = len(line)
        stripped = line.strip()
        if not stripped:
            append(None)
        elif stripped is line:  # (``str.strip`` returns the very string when there is nothing to strip)
            width = size + int(wide[pos + size] - wide[pos]) if measure else 0
            append(make(_Line, (pos, pos + size, line, width, pos, pos + size)))
        else:
            start = pos + size - len(line.lstrip())
            end = start + len(stripped)
            width = len(stripped) + int(wide[end] - wide[start]) if measure else 0
            append(make(_Line, (start, end, stripped, width, pos, pos + size)))
        pos += size + 1
    return out


def _may_be_wrapped(lines: list[_Line | None]) -> bool:
    """What :func:`is_hard_wrapped` asks before it reads any width: four lines or more, at least half of them
    followed by another non-blank line. Most texts (a paragraph per line, blank lines between) stop here."""
    solid = sum(1 for ln in lines if ln is not None)
    followed = sum(1 for a, b in itertools.pairwise(lines) if a is not None and b is not None)
    return solid >= 4 and followed >= 0.5 * solid


def is_hard_wrapped(lines: list[_Line | None]) -> bool:
    """Whether a text is an OCR page wrapped at a fixed width (seed 000), not one paragraph per line.

    Wrapped pages have short lines (at most ~40 characters), mostly followed by another non-blank line, and
    most of them near the same maximum width.
    """
    solid = [ln for ln in lines if ln is not None]
    if len(solid) < 4:
        return False
    followed = sum(1 for a, b in itertools.pairwise(lines) if a is not None and b is not None)
    widths = sorted(ln.width for ln in solid)
    at = 0.9 * (len(widths) - 1)  # the 90th percentile, interpolated as numpy.percentile does
    low = int(at)
    p90 = widths[low] + (at - low) * (widths[min(low + 1, len(widths) - 1)] - widths[low])
    if p90 > 84 or followed < 0.5 * len(solid):
        return False
    near_full = sum(1 for w in widths if w >= p90 - 5)
    return near_full >= 0.4 * len(solid)


def _continues(tail: str, block_lines: int) -> bool:
    """Whether a full last line of a block runs on past the blank line: it stops mid-word, or at a comma of
    a block long enough for its width to be trusted, or at a decimal point (``…上升至８５．`` over ``６５％。``:
    a stop after a digit is a number's, as Chinese prose ends its sentences with ``。``; read as a sentence
    end, it left a column break inside a paragraph and the copy read as splitting it, corpus seed 6)."""
    if not ends_sentence(tail) and not PUNCT_END.search(tail[-1:]):
        return True
    if tail[-1:] in ".．" and tail[-2:-1].isdigit():
        return True
    return tail[-1:] in "，、,；;：:" and block_lines >= 2


def _runs_on(following: list[_Line], alone: bool = False) -> bool:
    """Whether a paragraph whose last line fills its column and stops mid-word can go on past the blank
    line into the ``following`` block, as across an OCR column break (seed 000 lines 45-47): not when that
    block reads as a title (a subtitle under a headline that fills its column; the next item's headline
    after a credit line that does, ``…责任编辑：王静``) or opens an article element (a byline, a dateline
    ``本报济南1月8日电``). A paragraph's first line alone before a column break still runs on, unless that
    line holds no sentence end (``alone``) and the block opens with a full date: a headline that fills its column
    exactly (``铸就“黄金人”，提前两年实现运行管理自主化`` over ``1997年7月1日，…``) was glued to the lead, and
    the copy read as merging them (corpus seed 6), while a column break falling right before a year is rare.
    """
    text = "".join(ln.text for ln in following)
    title = _reads_as_title(text) and not PUNCT_END.search(text)  # (``…日日夜夜……”`` ends a quoted sentence)
    opens_article = _BYLINE_START.match(following[0].text) or _DATELINE.match(text)
    return not (title or opens_article or (alone and _DATE_OPENING.match(text)))


def _block_widths(blocks: list[list[_Line]], page_width: float) -> list[float]:
    """The wrap width of each block of lines.

    A block of four or more lines knows its own width (the median of its lines but the last). A shorter
    block, a heading or a closing line, borrows the width of the nearest block that knows its own: a page
    holds columns of different widths (seed 000: 20 characters for the wire story, 14 for the feature).
    """
    own: list[float | None] = [
        float(np.median([ln.width for ln in block[:-1]])) if len(block) >= 4 else None for block in blocks
    ]
    # The nearest block before and after each that knows its width, in one pass each way (searching outwards
    # from every block was quadratic on a page of short blocks); at equal distance the one before wins.
    known_before: list[tuple[int, float] | None] = []
    last: tuple[int, float] | None = None
    for i, value in enumerate(own):
        known_before.append(last)
        if value is not None:
            last = (i, value)
    widths: list[float] = [page_width] * len(own)
    after: tuple[int, float] | None = None
    for i in range(len(own) - 1, -1, -1):
        value, before = own[i], known_before[i]
        if value is not None:
            widths[i] = value
            after = (i, value)
        elif before is not None and (after is None or i - before[0] <= after[0] - i):
            widths[i] = before[1]
        elif after is not None:
            widths[i] = after[1]
    return widths


def _paragraphs_wrapped(
    lines: list[_Line | None], opens: _Positions, closes: _Positions, lead: dict[int, int]
) -> tuple[list[list[_Line]], int]:
    """Join an OCR page's lines into paragraphs.

    Inside a run of non-blank lines every line break is a wrap, except after a clearly short line that ends
    a sentence. A blank line ends a paragraph unless the line before it is full and ends mid-sentence (OCR
    column breaks leave blank lines inside paragraphs: seed 000 lines 45-47).

    A line that opened with a ``（上接4版）`` marker filled its column with the marker, which normalization has
    taken out: its width counts the marker's (``lead``: the marker's width at the position it was removed), so
    that the continued page's first line, cut mid-word before a column break, still runs on past it.
    """

    def printed(ln: _Line) -> int:
        """The line's width as printed, a jump marker it opened with included."""
        if not ln.opens_with(opens):
            return ln.width
        return ln.width + sum(lead.get(p, 0) for p in range(ln.begin, ln.start + 1))

    solid_widths = [ln.width for ln in lines if ln is not None]
    page_width = float(np.percentile(solid_widths, 75)) if solid_widths else 40.0
    blocks: list[list[_Line]] = []
    current: list[_Line] = []
    for ln in lines:
        if (ln is None or (current and (ln.opens_with(opens) or current[-1].closes_with(closes)))) and current:
            blocks.append(current)
            current = []
        if ln is not None:
            current.append(ln)
    if current:
        blocks.append(current)

    paragraphs: list[list[_Line]] = []
    joins = 0
    carry: list[_Line] | None = None
    for block, width in zip(blocks, _block_widths(blocks, page_width), strict=True):
        alone = carry is not None and len(carry) == 1 and not _SENTENCE_MARK.search(carry[0].text)
        if carry is not None and (block[0].opens_with(opens) or not _runs_on(block, alone)):
            paragraphs.append(carry)
            carry = None
        para: list[_Line] = carry if carry is not None else []
        carry = None
        for i, ln in enumerate(block):
            para.append(ln)
            last = i == len(block) - 1
            if not last and ends_sentence(ln.text) and printed(ln) < width - 4:
                paragraphs.append(para)
                para = []
            elif not last:
                joins += 1
        tail = block[-1]
        if tail.closes_with(closes):
            paragraphs.append(para)
        elif width - 3 <= printed(tail) <= width + 2 and _continues(tail.text, len(block)):
            # (a line wider than its column by more than one hanging character is no wrapped line of it:
            # a headline set across columns, say, which runs on into nothing)
            carry = para
            joins += 1
        else:
            paragraphs.append(para)
    if carry:
        paragraphs.append(carry)
    return paragraphs, joins


_SENTENCE_MARK = re.compile("[。！？!?]")


class _Pairs:
    """The pairs of characters inside a text's paragraphs, as this pass sees them and as a second pass would
    (widths folded, spaces gone), so that a cut the second pass would glue is glued now. Built on the first
    question (most texts never ask: their paragraphs end a sentence) as one string of the paragraphs, a line
    break between them, which a substring search answers: a set of every pair, built in Python, cost more
    than the rest of normalization."""

    # A substring search reads the whole text when the pair is absent: after this many questions, the pairs
    # are sorted once (n log n) and later questions bisect, so that a text of many cut paragraphs stays linear.
    _SEARCHES = 64

    def __init__(self, paragraphs: list[list[_Line]]) -> None:
        self._paragraphs = paragraphs
        self._seen: str | None = None
        self._despaced: str | None = None
        self._text: str | None = None
        self._asked = 0
        self._codes: npt.NDArray[np.uint64] | None = None

    def __contains__(self, pair: object) -> bool:
        if not (isinstance(pair, str) and len(pair) == 2 and "\n" not in pair):
            return False
        self._asked += 1
        if self._asked <= self._SEARCHES:
            # The second pass's copy is folded only when the pair could come from folding: folding (a tenth of
            # normalizing) yields characters U+0020-U+007E only and keeps all others, so a pair of neither is
            # in the folded copy exactly when it is in the copy without spaces.
            if pair in self._seen_text():
                return True
            if not any(" " <= ch <= "~" for ch in pair):
                return pair in self._despaced_text()
            return pair in self._all_text()
        if self._codes is None:
            text = self._all_text()
            points = codepoints(text).astype(np.uint64)
            self._codes = np.unique((points[:-1] << np.uint64(21)) | points[1:])
        code = np.uint64((ord(pair[0]) << 21) | ord(pair[1]))
        at = int(np.searchsorted(self._codes, code))
        return at < len(self._codes) and bool(self._codes[at] == code)

    def _seen_text(self) -> str:
        """The paragraphs as this pass sees them, a line break between them (paragraphs hold none)."""
        if self._seen is None:
            # (a paragraph of one line, as in most texts, is its line's text: no generator and join per line)
            self._seen = "\n".join(
                [para[0].text if len(para) == 1 else "".join([ln.text for ln in para]) for para in self._paragraphs]
            )
        return self._seen

    def _despaced_text(self) -> str:
        """:meth:`_seen_text` without the spaces a second pass would drop."""
        if self._despaced is None:
            # ``str.split()`` cuts at exactly the characters the pattern's ``\\s`` names (``str.isspace``), in C:
            # a tenth of the pattern's time on a text of one paragraph a line
            self._despaced = "\n".join("".join(part.split()) for part in self._seen_text().split("\n"))
        return self._despaced

    def _all_text(self) -> str:
        """Both copies, the second folded as a second pass sees it: made for all paragraphs at once (two
        calls instead of two per paragraph, which cost a third of unwrapping)."""
        if self._text is None:
            seen = self._seen_text()
            self._text = seen + "\n" + fold_width(self._despaced_text()) if seen else ""
        return self._text


def _soft_break(paragraph: list[_Line], following: list[_Line], jumps: _Positions, words: _Pairs | None = None) -> bool:
    """Whether a paragraph was cut in two by a page or column break (seed 002 lines 17-19: ``…，突`` /
    ``出强调…``), so that the ``following`` paragraph continues it.

    The paragraph so far must end mid-word and read as prose (a full sentence in it, or 40 characters), and
    the following one must not be a title, open an article element, or follow a jump marker. When ``words``
    (the character pairs inside the text's lines) is given, the cut must also read as a break inside a word:
    the two characters across it make a pair the text uses elsewhere (``突出``), and, where the following
    paragraph opens with a character of its own rather than the punctuation that closes the sentence it
    continues (``…“先生`` / ``”，称…``), a dictionary word spans the cut (:func:`_cut_inside_word`). A
    paragraph that a copy cut off mid-sentence (``…甚至“自私、骄``, ``…岭南的`` over ``这些留学生…``) also
    ends mid-word, but the next one starts a sentence of its own, whose first characters often meet the
    cut's last elsewhere by chance (``的这``): gluing them would hide the cut and report a merge. A paragraph
    ending after a punctuation mark (``…转基因杂交稻”、``) is not rejoined either: that is a break an editor
    made, or a cut, where nothing shows a page's (a hard-wrapped page's column breaks are read by its line
    widths, :func:`_paragraphs_wrapped`). The rule looks at text only, never at the Markdown marks that a
    second normalization would no longer see, so normalizing twice equals once.
    """
    last_line, nxt = paragraph[-1], following[0]
    last = last_line.text[-1]
    if not last.isalnum():
        return False
    if words is not None and fold_width(last + nxt.text[:1]) not in words:
        return False
    if last_line.closes_with(jumps) or nxt.opens_with(jumps):
        return False
    if last == "摄" or _reads_as_title(
        "".join(ln.text for ln in following)
    ):  # a photo credit ends a caption; a title starts anew
        return False
    if not _reads_as_prose(paragraph) or _BYLINE_START.match(nxt.text):
        return False
    return words is None or nxt.text[0] in _CONTINUING or _cut_inside_word(paragraph, following)


# Punctuation that continues a sentence and never opens a paragraph: a paragraph opening with one continues the
# paragraph before it.
_CONTINUING = frozenset("，。、；：！？,.;:!?”’」』)）…")
_WORD_CONTEXT = 6  # characters on each side of a cut that the word segmenter reads (jieba's words are 1-4 long)


def _cut_inside_word(paragraph: list[_Line], following: list[_Line]) -> bool:
    """Whether a dictionary word spans the cut between ``paragraph`` and ``following``, read as a second
    normalization would (spaces gone, widths folded), so that normalizing twice equals once.

    jieba's dictionary loads on the first question (about a second, once per process): only a paragraph that
    ends mid-word before one whose first character meets its last elsewhere in the text asks it."""

    def settled(lines: list[_Line]) -> str:
        return fold_width("".join("".join(ln.text.split()) for ln in lines))

    before = settled(paragraph[-2:])[-_WORD_CONTEXT:]
    after = settled(following[:2])[:_WORD_CONTEXT]
    return cut_inside_word(before, after, _WORD_CONTEXT)


def _reads_as_prose(paragraph: list[_Line]) -> bool:
    """A full sentence in it, or 40 characters.

    Read from the last line back, and only as far as the answer needs (at most 40 lines): a paragraph that
    soft breaks keep extending is asked again after every join, and summing all its lines each time was
    quadratic (15x the time for 4x the lines).
    """
    length = 0
    for ln in reversed(paragraph):
        if _SENTENCE_MARK.search(ln.text):
            return True
        length += _visible(ln.text)
        if length >= 40:
            return True
    return False


def _visible(text: str) -> int:
    """Characters that are not whitespace: a length that joining and space-folding do not change.

    ``str.split()`` cuts at exactly the characters ``str.isspace`` names, in C.

    >>> _visible(" 新华社\u3000记者 a\tb ")
    7
    """
    return len("".join(text.split()))


def _reads_as_title(line: str) -> bool:
    """Short and without any punctuation that prose would have: a headline, a caption title, a name."""
    return _visible(line) <= 30 and not re.search("[，。；：！？,.;:!?、]", line)


def step_unwrap(m: Mapped, markers: list[Marker], enabled: bool = True) -> tuple[Mapped, int, bool]:
    """Rebuild the text as one paragraph per line.

    An OCR page is first unwrapped by line widths; then, in every text, paragraphs cut by a page or column
    break are rejoined (:func:`_soft_break`). A page-jump marker always ends (``下转``) or starts (``上接``)
    a paragraph, wherever it stood.

    Returns the new text, the number of line breaks removed, and whether the text was a hard-wrapped page.
    """
    lines = _lines(m, measure=False)
    opens = _Positions.of(x.position for x in markers if x.marker.kind == "continued_from")
    closes = _Positions.of(x.position for x in markers if x.marker.kind == "continued_on")
    wrapped = enabled and _may_be_wrapped(lines) and is_hard_wrapped(lines := _lines(m))
    if wrapped:
        lead = {x.position: cells(x.marker.text) for x in markers if x.marker.kind == "continued_from"}
        paragraphs, joins = _paragraphs_wrapped(lines, opens, closes, lead)
    else:
        paragraphs, joins = [[ln] for ln in lines if ln is not None], 0
    if enabled:
        words = _Pairs(paragraphs)
        jumps = _Positions(tuple(sorted(opens.sorted + closes.sorted)))
        rejoined: list[list[_Line]] = []
        for para in paragraphs:
            if rejoined and _soft_break(rejoined[-1], para, jumps, words):
                rejoined[-1].extend(para)
                joins += 1
            else:
                rejoined.append(list(para))
        paragraphs = rejoined
    return _joined_lines(m, paragraphs), joins, wrapped


def _joined_lines(m: Mapped, paragraphs: list[list[_Line]]) -> Mapped:
    """The paragraphs' lines joined, a line break between paragraphs and a space between Latin words
    wrapped apart (:func:`needs_space`).

    What :func:`~dedup.normalize.textmap.assemble` makes of the lines and those separators (a separator maps
    to the raw offset of the character before it, the last of a line, as a stripped line is never empty),
    with the offset map gathered in one compiled pass: a slice of the map per line and separator, then their
    concatenation, took a third of unwrapping (42 of 118 ms for 2,000 generated articles); gathered,
    unwrapping them takes 98 ms against 113.
    """
    texts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    separated: list[bool] = []  # whether a separator follows the line
    if all(len(para) == 1 for para in paragraphs):  # most texts: a line a paragraph, nothing joined
        lines = [para[0] for para in paragraphs]
        texts = ["\n".join([ln.text for ln in lines])]
        starts = [ln.start for ln in lines]
        ends = [ln.end for ln in lines]
        separated = [True] * (len(lines) - 1) + [False] if lines else []
        paragraphs = []  # (done: the loop below has nothing left to join)
    for p_index, para in enumerate(paragraphs):
        if p_index:
            texts.append("\n")
            separated[-1] = True
        for l_index, ln in enumerate(para):
            if l_index and needs_space(para[l_index - 1].text, ln.text):
                texts.append(" ")
                separated[-1] = True
            texts.append(ln.text)
            starts.append(ln.start)
            ends.append(ln.end)
            separated.append(False)
    text = "".join(texts)
    origin = np.empty(len(text), dtype=np.int32)
    if starts:
        _gather_lines(
            m.origin,
            np.array(starts, dtype=np.int64),
            np.array(ends, dtype=np.int64),
            np.array(separated, dtype=np.bool_),
            origin,
        )
    return Mapped(text, origin)


@numba.njit(cache=True, nogil=True)
def _gather_lines(
    origin: npt.NDArray[np.int32],
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    separated: npt.NDArray[np.bool_],
    out: npt.NDArray[np.int32],
) -> None:
    """``out``: the offsets of each line's characters, and after a separated line its last one's again."""
    k = 0
    for j in range(starts.size):
        for i in range(starts[j], ends[j]):
            out[k] = origin[i]
            k += 1
        if separated[j]:
            out[k] = origin[ends[j] - 1]
            k += 1


def printed_lines(text: str) -> str:
    """A raw stretch as a reader sees it printed: its lines stripped and joined, with the space unwrapping
    puts between Latin words wrapped apart (quotes are printed so, and normalize back to the matching text).

    >>> printed_lines("新华社ABC\\n  DEF北京\\n电")
    '新华社ABC DEF北京电'
    """
    out: list[str] = []
    for line in text.splitlines():
        kept = line.strip()
        if out and kept and needs_space(out[-1], kept):
            out.append(" ")
        if kept:
            out.append(kept)
    return "".join(out)


def needs_space(left: str, right: str) -> bool:
    """Wrapped Latin words keep a space between them; Chinese characters do not (quoting prints a wrapped
    paragraph with the same space, so that its quote normalizes back to the matching text)."""
    return left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum()
