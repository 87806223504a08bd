"""Segment: a normalized text becomes paragraphs with raw line spans, sentences, and article-boundary hints.

A scraped web page often comes as one line: no paragraph breaks, the headline glued to the body, the site's
footer glued to the end. Such a line is cut into *sentence units* (:func:`unit_spans`), each a paragraph of its
own on the same raw line (told apart by its raw character offsets), so that a partial reprint inside it is
located, a footer is a unit that recurs across pages (boilerplate, not evidence), and collation aligns pieces
of a sensible size. Two consecutive paragraphs on one raw line are such units: their boundary is layout.

A newspaper page holds several articles, so a paragraph also says what it looks like at an article's edge:
a headline, a byline (``新华社记者``, ``本报记者 余嘉熙``, ``□青岛日报/观海新闻首席记者``), a dateline that closes
a wire story (``（新华社北京8月22日电）``), or a page-jump marker. Grouping uses these hints to keep passages
inside one article.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

from dedup.match.content import running_content
from dedup.normalize import Marker, NormText, ends_sentence
from dedup.records import BoundaryHint, JumpMarker, Paragraph

FLAT_LINE_CHARS = 200
"""Content characters from which a line that holds most of its document (``FLAT_SHARE``) is a flattened page:
the length above which matching cuts a paragraph into windows anyway (``FingerprintConfig.max_unit_chars``).
Real paragraphs of 700 characters exist (seed 001), but not as nearly all of a text; a short article scraped
onto one line with its site footer is a flattened page too."""
FLAT_SHARE = 0.6
"""Share of a document's content characters that one line must hold to be read as a flattened page."""
MIN_UNIT_CHARS = 12
"""Content characters below which a sentence joins its neighbour in one unit (``责任编辑：王静``, ``好！``):
too short to be matched on its own, it would only make a paragraph of noise for collation."""

_SENTENCE = re.compile(r"[^。！？；!?;]*(?:[。！？；!?;]+[”’\"'」』)）]*|$)")
_BYLINE = re.compile(
    r"^(□|■|◆|本报记者|本报通讯员|通讯员|新华社记者|人民日报记者|人民日报评论员|本报评论员|新华社评论员|"
    r"记者|本报讯|据新华社|新华社[^,，。]{0,12}电|中新社[^,，。]{0,12}电|新华网|人民网)"
)
_BYLINE_ANYWHERE = re.compile(r"(首席记者|特约记者|本报记者|新华社记者|通讯员)")
# An interview's question, "记者：资金来源是否有保证？": the reporter speaks a sentence; a byline names people.
_INTERVIEW_TURN = re.compile(r"^(本报)?记者\s*[:：]")
_DATELINE_CLOSE = re.compile(r"[(（](新华社|中新社|新华网|人民网|本报|据)[^()（）]{0,30}电[)）]$")
# A photo credit closes a caption: "（新华社记者刘宇摄）", "（本报记者 张三 摄）", "新华社发（李四摄）".
_PHOTO_CREDIT = re.compile(r"[(（][^()（）]{0,20}摄[)）]$")
# The dateline that opens a lead, "新华社北京1月7日电", "本报北京1月15日讯"; also when an OCR page glued the
# headline before it ("…双拥模范走廊本报兰州1月10日电…"): a lead, wherever a page puts it, starts an article.
_OPENING_DATELINE = re.compile(r"^[^()（）。！？]{0,40}?(据)?(新华社|中新社|本报)[^,，。()（）]{1,20}[电讯]")
# A lead that opens with the paper's own byline, ``本报讯…`` or ``本报记者王力军受…`` (a byline whose line break
# was lost): in real news such a paragraph stands right under a headline, i.e. it starts an article.
_OPENING_BYLINE = re.compile(r"^(本报讯|本报(特约|驻[^,，。]{1,8})?记者|新华社(特约)?记者|人民日报记者|本报通讯员)")


def split_sentences(text: str) -> tuple[str, ...]:
    """Sentences of a paragraph, split after 。！？； (either width) and any closing quotes.

    >>> split_sentences("疾风知劲草，烈火见真金。中心任务“大考”！未完")
    ('疾风知劲草，烈火见真金。', '中心任务“大考”！', '未完')
    """
    return tuple(filter(None, _SENTENCE.findall(text)))


def boundary_hints(text: str, is_heading: bool) -> frozenset[BoundaryHint]:
    """What a paragraph looks like at an article's edge.

    >>> sorted(boundary_hints("新华社记者", False))
    ['byline']
    >>> sorted(boundary_hints("…奋力担当使命、争取更大光荣。(新华社北京8月22日电)", False))
    ['dateline']
    >>> sorted(boundary_hints("围绕中心任务增强广大干部践行担当的行动自觉", False))
    ['headline']
    >>> sorted(boundary_hints("促进稳定振兴河西建成双拥模范走廊本报兰州1月10日电记者报道", False))
    ['byline']
    >>> sorted(boundary_hints("1月22日,克林顿在白宫会见阿拉法特。(新华社记者刘宇摄)", False))
    []
    >>> sorted(boundary_hints("本报记者王力军受文学界瞩目的第四届茅盾文学奖日前在京揭晓。", False))
    ['byline']
    >>> sorted(boundary_hints("记者：资金来源是否有保证？", False)), sorted(boundary_hints("记者：张三", False))
    ([], ['byline'])
    """
    # Both patterns end at a closing parenthesis at the end of the text: most paragraphs end otherwise, and
    # the test spares them two searches of the whole paragraph.
    closed = text[-1:] in ")）"
    dateline = bool(closed and _DATELINE_CLOSE.search(text))
    if closed and _PHOTO_CREDIT.search(text):
        return _HINT_SETS[dateline, False, False]  # a photo caption, wherever it stands: neither a byline nor a title
    short = len(text) <= 40
    if _INTERVIEW_TURN.match(text) and ends_sentence(text):
        return _HINT_SETS[dateline, False, False]  # a question in an interview's body, neither a byline nor a title
    byline = bool(
        (short and (_BYLINE.match(text) or _BYLINE_ANYWHERE.search(text)))
        or (_may_open_with_dateline(text) and _OPENING_DATELINE.match(text))
        or _OPENING_BYLINE.match(text)
    )
    reads_as_title = short and not ends_sentence(text) and text[-1:] not in "，,、；;：:"
    headline = is_heading or (reads_as_title and not byline and not dateline)
    return _HINT_SETS[dateline, byline, headline]


def _hint_set(dateline: bool, byline: bool, headline: bool) -> frozenset[BoundaryHint]:
    hints: set[BoundaryHint] = set()
    if dateline:
        hints.add("dateline")
    if byline:
        hints.add("byline")
    if headline:
        hints.add("headline")
    return frozenset(hints)


_HINT_SETS: dict[tuple[bool, bool, bool], frozenset[BoundaryHint]] = {
    (d, b, h): _hint_set(d, b, h) for d in (False, True) for b in (False, True) for h in (False, True)
}
"""The eight sets :func:`boundary_hints` can answer, made once (a set and a frozenset per paragraph were a
sixth of its time)."""

_DATELINE_REACH = 40 + 1 + 3
"""How far into a paragraph :data:`_OPENING_DATELINE`'s agency can end: 40 characters before it at most, then
``据``, then the agency (``新华社``, ``中新社``, ``本报``)."""


def _may_open_with_dateline(text: str) -> bool:
    """Whether :data:`_OPENING_DATELINE` can match: one of its agencies stands in the paragraph's head. The
    pattern tries its lazy prefix at every character of the head (two thirds of :func:`boundary_hints`' time),
    where three substring searches are quick."""
    head = text[:_DATELINE_REACH]
    return "新华社" in head or "中新社" in head or "本报" in head


def segment(norm: NormText) -> list[Paragraph]:
    """Cut a normalized text into paragraphs, each citing the raw lines it comes from.

    A page-jump marker belongs to the paragraph it stands in; a marker alone on its line belongs to the
    paragraph before (``下转``) or after (``上接``), and that paragraph's line span grows to cover it, so a
    witness that cites the paragraph also cites the marker.
    """
    paragraphs: list[Paragraph] = []
    whole, origin, headings = norm.text, norm.origin, norm.headings
    spans = unit_spans(whole)
    markers_at = _assign_markers(norm.markers, spans)
    garbled = list(norm.garbled)
    garbled_ends = [e for _, e in garbled]
    raw_starts, raw_ends, start_lines, end_lines = _raw_spans(norm, spans)
    for index, (start, end) in enumerate(spans):
        text = whole[start:end]
        start_line = start_lines[index]
        end_line = end_lines[index]
        markers = tuple(markers_at[index]) if index in markers_at else ()
        for marker in markers:
            start_line = min(start_line, marker.line)
            end_line = max(end_line, marker.line)
        hints = boundary_hints(text, start_line in headings)
        if markers:
            hints = hints.union(marker.kind for marker in markers)
        paragraphs.append(
            Paragraph(  # (by position: 2.0 µs against 3.4 by keyword, for every paragraph of a corpus)
                index,
                text,
                start_line,
                end_line,
                raw_starts[index],
                raw_ends[index],
                split_sentences(text),
                markers,
                hints,
                _garbled_within(garbled, garbled_ends, start, end) if garbled else (),
                origin[start:end],
            )
        )
    return paragraphs


def unit_spans(text: str) -> list[tuple[int, int]]:
    """Where the paragraphs of a normalized text are: its lines, a flattened page's line cut into sentences.

    A line is a flattened page when it holds ``FLAT_SHARE`` of the text's content and ``FLAT_LINE_CHARS`` or
    more (see the module docstring); it is cut after each sentence end, a sentence shorter than
    ``MIN_UNIT_CHARS`` runs on into the next one (or, last on the line, joins the one before).

    >>> unit_spans("甲乙。\\n丙")
    [(0, 3), (4, 5)]
    >>> line = "标题据新华社北京电" + "今天的会议讨论了很多重要的问题。" * 30 + "责任编辑：王静"
    >>> spans = unit_spans(line)
    >>> len(spans), spans[0], line[slice(*spans[-1])][-9:]
    (30, (0, 25), '题。责任编辑：王静')
    """
    spans = list(_paragraph_spans(text))
    if not spans:
        return spans
    running = _running_content(text)
    bounds = np.asarray(spans, dtype=np.int64)
    sizes = (running[bounds[:, 1]] - running[bounds[:, 0]]).tolist()
    total = sum(sizes)
    out: list[tuple[int, int]] = []
    for (start, end), size in zip(spans, sizes, strict=True):
        if size >= FLAT_LINE_CHARS and size >= FLAT_SHARE * total:
            out.extend(_sentence_units(text, start, end, running))
        else:
            out.append((start, end))
    return out


def continues_line(paragraphs: Sequence[Paragraph], k: int) -> bool:
    """Whether paragraph ``k`` goes on the raw line of the one before: a sentence unit of a flattened page
    (see :func:`unit_spans`), whose boundary is layout, not a paragraph break the page printed."""
    return 0 < k < len(paragraphs) and paragraphs[k].start_line == paragraphs[k - 1].end_line


def join_line_units(paragraphs: Sequence[Paragraph]) -> list[Paragraph]:
    """Consecutive sentence units of one flattened line joined back into one paragraph each.

    Grouping needs the units (a footer is one, a reprint inside the line is located by them); collation
    compares paragraphs, and a boundary the page never printed is no paragraph break: aligned unit by unit,
    a flat copy reads as every reference paragraph split. Collation therefore reads each run of units a
    witness holds as the one paragraph the line prints there.

    >>> from dedup.normalize import normalize
    >>> from dedup.records import Document
    >>> line = "标题据新华社北京电" + "今天的会议讨论了很多重要的问题。" * 30
    >>> units = segment(normalize(Document("a.txt", line, "utf-8")))
    >>> joined = join_line_units(units)
    >>> len(units) > 1, len(joined), joined[0].text == "".join(u.text for u in units), joined[0].raw_end
    (True, 1, True, 489)
    """
    out: list[Paragraph] = []
    run: list[Paragraph] = []
    for k, p in enumerate(paragraphs):
        if run and not continues_line(paragraphs, k):
            out.append(_joined(run))
            run = []
        run.append(p)
    if run:
        out.append(_joined(run))
    return out


def _joined(run: list[Paragraph]) -> Paragraph:
    if len(run) == 1:
        return run[0]
    first, last = run[0], run[-1]
    garbled: list[tuple[int, int]] = []
    at = 0
    for p in run:
        garbled.extend((s + at, e + at) for s, e in p.garbled)
        at += len(p.text)
    mapped = all(len(p.origin) == len(p.text) and len(p.text) for p in run)
    return Paragraph(
        index=first.index,
        text="".join(p.text for p in run),
        start_line=first.start_line,
        end_line=last.end_line,
        raw_start=first.raw_start,
        raw_end=last.raw_end,
        sentences=tuple(s for p in run for s in p.sentences),
        markers=tuple(m for p in run for m in p.markers),
        hints=first.hints | frozenset(h for p in run for h in p.hints if h != "headline"),
        garbled=tuple(garbled),
        origin=np.concatenate([p.origin for p in run]) if mapped else np.zeros(0, dtype=np.int32),
    )


SENTENCES_PER_PARAGRAPH = 3
"""About how many sentence units of a flattened page stand for one printed paragraph: news paragraphs hold
two to four sentences. Grouping counts an unmatched stretch of a flat line in paragraphs with it."""


def _running_content(text: str) -> npt.NDArray[np.int64]:
    """How many content characters (letters and digits, ``str.isalnum``) precede each offset of ``text``, and
    the total at ``len(text)``: the content of ``text[s:e]`` is ``running[e] - running[s]``.

    One compiled pass over the whole text instead of a Python loop over each piece: counting per character in
    Python was a fifth of a scan. :func:`~dedup.match.content.content_table` (Unicode categories L* and N*)
    holds exactly the code points for which ``str.isalnum`` is true (``tests/test_segment_content.py`` checks
    every code point), so the counts are the same.
    """
    return running_content(text)


def _raw_spans(norm: NormText, spans: list[tuple[int, int]]) -> tuple[list[int], list[int], list[int], list[int]]:
    """Raw start and end offsets, and first and last raw lines, of every span: one lookup for all spans of a
    text (a ``searchsorted`` per offset was 3% of a scan)."""
    if not spans:
        return [], [], [], []
    bounds = np.asarray(spans, dtype=np.int64)
    raw_starts = norm.origin[bounds[:, 0]].astype(np.int64)
    raw_ends = norm.origin[bounds[:, 1] - 1].astype(np.int64) + 1
    start_lines = np.searchsorted(norm.line_starts, raw_starts, side="right")
    end_lines = np.searchsorted(norm.line_starts, raw_ends - 1, side="right")
    return raw_starts.tolist(), raw_ends.tolist(), start_lines.tolist(), end_lines.tolist()


def _sentence_units(text: str, start: int, end: int, running: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
    """One line's sentences as units, short ones joined to a neighbour (see :func:`unit_spans`); ``running``
    counts content as :func:`_running_content` does."""

    def _content(s: int, e: int) -> int:
        return int(running[e] - running[s])

    units: list[list[int]] = []
    for m in _SENTENCE.finditer(text, start, end):
        s, e = m.span()
        while s < e and text[s].isspace():
            s += 1
        if s >= e:
            continue
        if units and _content(units[-1][0], units[-1][1]) < MIN_UNIT_CHARS:
            units[-1][1] = e
        else:
            units.append([s, e])
    if len(units) > 1 and _content(units[-1][0], units[-1][1]) < MIN_UNIT_CHARS:
        tail = units.pop()
        units[-1][1] = tail[1]
    return [(s, e) for s, e in units] or [(start, end)]


def _paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for line in text.split("\n"):
        if line:
            yield pos, pos + len(line)
        pos += len(line) + 1


def _garbled_within(
    garbled: list[tuple[int, int]], ends: list[int], start: int, end: int
) -> tuple[tuple[int, int], ...]:
    """The garbled runs (sorted, disjoint) overlapping ``start:end``, relative to ``start``; found by bisection,
    since asking every run for every paragraph was quadratic."""
    out: list[tuple[int, int]] = []
    k = bisect.bisect_right(ends, start)
    while k < len(garbled) and garbled[k][0] < end:
        s, e = garbled[k]
        out.append((max(s, start) - start, min(e, end) - start))
        k += 1
    return tuple(out)


def _assign_markers(markers: tuple[Marker, ...], spans: list[tuple[int, int]]) -> dict[int, list[JumpMarker]]:
    out: dict[int, list[JumpMarker]] = {}
    if not spans:
        return out
    # Spans are sorted and a line break apart, so bisection finds the one span holding a position (asking
    # every span for every marker was quadratic: 35 s for 16,000 markers).
    starts = [s for s, _ in spans]
    for item in markers:
        position = item.position
        holder = bisect.bisect_right(starts, position) - 1
        if holder >= 0 and position <= spans[holder][1]:
            index = holder
        elif item.marker.kind == "continued_on":
            index = max(bisect.bisect_left(starts, position) - 1, 0)
        else:
            index = min(bisect.bisect_left(starts, position), len(spans) - 1)
        out.setdefault(index, []).append(item.marker)
    return out
