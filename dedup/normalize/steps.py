"""Normalize: the text a matcher should see, with a map back to the raw text and notes of what was done.

Normalization is for matching only; reports always quote the raw text. The steps, in order, each a pure
``Mapped -> Mapped`` function recorded in the notes (as ftfy's ``ExplainedText`` does):

1. ``newlines``: CRLF and lone CR become LF.
2. ``markup``: HTML tags and entities; Markdown headings, quotes, bullets, emphasis, links.
3. ``pinyin``: pinyin glued after characters (``召開(kāi)``) is removed; its broken remnants (``?shù)``) and
   mojibake are flagged as garbled spans, never guessed.
4. ``t2s``: Traditional to Simplified with OpenCC.
5. ``jump``: page-jump markers (``（下转第3版）``, ``（上接1版）``) are recorded and removed.
6. ``unwrap``: hard-wrapped lines (OCR pages) are joined into paragraphs; one-paragraph-per-line files stay
   as they are, except paragraphs cut in two by a page or column break.
7. ``width``: full-width letters, digits and punctuation are folded to ASCII.
8. ``spaces``: whitespace runs collapse, and vanish next to Chinese characters.

The result, :class:`NormText`, holds one paragraph per line of ``text``.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import opencc
from rapidfuzz.distance import Levenshtein

from dedup.config import NormalizeConfig
from dedup.normalize.textmap import Edit, Mapped, assemble, line_of, line_starts, rewrite
from dedup.records import Document, JumpKind, JumpMarker, Note


@dataclass(frozen=True, slots=True)
class Marker:
    """A jump marker found by normalization, at ``position`` in the normalized text where it was removed."""

    position: int
    marker: JumpMarker


@dataclass(frozen=True, slots=True)
class NormText:
    """A document's matching text: one paragraph per line, each character mapped to its raw offset.

    Attributes:
        document: the document normalized.
        text: the matching text; ``\\n`` separates paragraphs.
        origin: raw offset of each character of ``text``.
        line_starts: raw offsets where each raw line starts, to turn offsets into line numbers.
        notes: what each step did.
        markers: page-jump markers, removed from ``text``.
        garbled: ``(start, end)`` ranges of ``text`` flagged as noise.
        headings: raw line numbers that were Markdown or HTML headings.
    """

    document: Document
    text: str
    origin: npt.NDArray[np.int32]
    line_starts: npt.NDArray[np.int64]
    notes: tuple[Note, ...] = ()
    markers: tuple[Marker, ...] = ()
    garbled: tuple[tuple[int, int], ...] = ()
    headings: frozenset[int] = field(default_factory=frozenset)

    def line_of(self, raw_offset: int) -> int:
        """The 1-based raw line of a raw offset."""
        return line_of(self.line_starts, raw_offset)


# --- character classes ---------------------------------------------------------------------------------

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_CJK_RE = re.compile(f"[{_CJK}]")
# Characters a terminal draws two cells wide: CJK, full-width forms, CJK punctuation.
_WIDE_RANGES = (
    "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\ua000-\ua4cf\uac00-\ud7a3\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
)
_WIDE_RE = re.compile(f"[{_WIDE_RANGES}{_CJK}]")
# Sentence-final punctuation, before or after width folding.
_TERMINAL = "。！？!?…"
_CLOSERS = "”’\"'」』）)】〕》"
_PUNCT_END = re.compile(r"[\s\W_]$")


def _wide_table() -> npt.NDArray[np.bool_]:
    """One boolean per codepoint: is it wide, i.e. in a range of ``_WIDE_RE``? (Read off the pattern's own
    ranges, so the two cannot disagree.)"""
    table = np.zeros(0x110000, dtype=np.bool_)
    spans = _WIDE_RE.pattern[1:-1]
    for k in range(0, len(spans), 3):
        table[ord(spans[k]) : ord(spans[k + 2]) + 1] = True
    table.flags.writeable = False
    return table


_WIDE_TABLE = _wide_table()


def cells(text: str) -> int:
    """Terminal cells a line takes: two per wide character. Used to estimate an OCR page's wrap width.

    >>> cells("新华社ab"), cells("召開(kāi)，２０")
    (8, 15)
    >>> codepoints = [cp for cp in range(0x30000) if not 0xD800 <= cp < 0xE000]
    >>> all(bool(_WIDE_TABLE[cp]) == bool(_WIDE_RE.match(chr(cp))) for cp in codepoints)
    True
    """
    return len(text) + int(_WIDE_TABLE[np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)].sum())


def ends_sentence(line: str) -> bool:
    """Whether a line ends a sentence: ``。`` or ``！`` etc., possibly followed by closing quotes.

    >>> ends_sentence("主动担当就会蔚然成风。"), ends_sentence("“后半篇文章”"), ends_sentence("采取直接")
    (True, False, False)
    """
    stripped = line.rstrip()
    while stripped and stripped[-1] in _CLOSERS:
        if _DATELINE_END.search(stripped):
            return True
        stripped = stripped[:-1]
    return bool(stripped) and stripped[-1] in _TERMINAL


_DATELINE_END = re.compile(r"[（(][^（()）]{0,30}电[）)]$")


# --- steps ---------------------------------------------------------------------------------------------

Step = Callable[[Mapped], tuple[Mapped, int]]


def step_newlines(m: Mapped) -> tuple[Mapped, int]:
    r"""CRLF and lone CR become LF, so every later step sees one kind of line end.

    >>> step_newlines(Mapped.identity("a\r\nb\rc"))[0].text
    'a\nb\nc'
    """
    if "\r" not in m.text:
        return m, 0
    edits: list[Edit] = []
    for match in re.finditer(r"\r\n?", m.text):
        edits.append((match.start(), match.end(), "\n" if match.group() == "\r" else ""))
    # "\r\n": drop the \r, keep the \n.
    edits = [(s, s + 1, "") if e - s == 2 else (s, e, r) for s, e, r in edits]
    return rewrite(m, edits), len(edits)


_HTML_DROP = re.compile(r"<!--.*?-->|<(script|style|head|noscript)\b.*?</\1\s*>", re.S | re.I)
_HTML_BLOCK = re.compile(
    r"</?(p|div|br|h[1-6]|li|ul|ol|tr|td|th|table|section|article|header|footer|blockquote|pre|hr|title)\b[^>]*>",
    re.I,
)
_HTML_HEADING_OPEN = re.compile(r"<h[1-6]\b[^>]*>", re.I)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<![^<>]*>")
_HTML_ENTITY = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,10});")


def looks_like_html(text: str) -> bool:
    """A text body that is really an HTML page (JSONL drops often carry raw HTML)."""
    return len(re.findall(r"<(p|div|br|html|body|span)\b", text[:20000], re.I)) >= 2


def step_html(m: Mapped) -> tuple[Mapped, int]:
    """Tags go; block tags become paragraph breaks; entities are decoded; source line breaks are spaces.

    In HTML a newline inside ``<p>`` is only whitespace, so newlines turn into spaces first and block-level
    tags then put the real paragraph breaks back.

    >>> step_html(Mapped.identity("<p>新华社&amp;\\n记者</p><p>二</p>"))[0].text.split()
    ['新华社&', '记者', '二']
    """
    text = m.text
    edits: list[Edit] = []
    count = 0
    taken: list[tuple[int, int]] = []
    for match in _HTML_DROP.finditer(text):
        taken.append((match.start(), match.end()))
        edits.append((match.start(), match.end(), ""))
        count += 1

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    for pattern, replacement in ((_HTML_BLOCK, "\n\n"), (_HTML_TAG, "")):
        for match in pattern.finditer(text):
            if free(match.start(), match.end()):
                taken.append((match.start(), match.end()))
                edits.append((match.start(), match.end(), replacement))
                count += 1
    for match in _HTML_ENTITY.finditer(text):
        if free(match.start(), match.end()):
            taken.append((match.start(), match.end()))
            edits.append((match.start(), match.end(), html.unescape(match.group())))
            count += 1
    for match in re.finditer("\n", text):
        if free(match.start(), match.end()):
            edits.append((match.start(), match.end(), " "))
    edits.sort()
    return rewrite(m, edits), count


_MD_LINE = re.compile(r"(?m)^[ \t]{0,3}(#{1,6}[ \t]+|(?:>[ \t]?)+|[-*+][ \t]+(?=\S)|(?:[-*_][ \t]*){3,}$)")
_MD_INLINE_CHARS = re.compile(r"[*_\[]")  # every inline mark holds one of these: most texts have none
_MD_INLINE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]+)\]\([^)]*\)|\*\*|__|(?<![*\w])\*(?=\S)|(?<=\S)\*(?![*\w])")


def step_markdown(m: Mapped) -> tuple[Mapped, int]:
    """Markdown marks go: ``#`` headings, ``>`` quotes, bullets, rules, emphasis, links (text kept).

    >>> step_markdown(Mapped.identity("## 围绕中心任务\\n**正文** [链接](http://x)"))[0].text
    '围绕中心任务\\n正文 链接'
    """
    edits: list[Edit] = []
    for match in _MD_LINE.finditer(m.text):
        edits.append((match.start(1), match.end(1), ""))
    inline = _MD_INLINE.finditer(m.text) if _MD_INLINE_CHARS.search(m.text) else ()
    for match in inline:
        if match.group(1) is not None:  # [text](url): keep the text
            edits.append((match.start(), match.start(1), ""))
            edits.append((match.end(1), match.end(), ""))
        else:
            edits.append((match.start(), match.end(), ""))
    edits.sort()
    merged: list[Edit] = []
    for edit in edits:
        if merged and edit[0] < merged[-1][1]:
            continue
        merged.append(edit)
    return rewrite(m, merged), len(merged)


def markdown_headings(raw: str) -> frozenset[int]:
    """Raw line numbers of Markdown ATX headings; they hint at article boundaries.

    >>> sorted(markdown_headings("# 标题\\n正文\\n### 小标题"))
    [1, 3]
    """
    return frozenset(i for i, line in enumerate(raw.split("\n"), start=1) if re.match(r"[ \t]{0,3}#{1,6}[ \t]", line))


_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PINYIN_LETTERS = f"a-zü{_TONE}"
# 召開(kāi): a pinyin syllable with a tone mark in parentheses right after a Chinese character.
_PINYIN_TONED = re.compile(f"(?<=[{_CJK}])[(（]([{_PINYIN_LETTERS}]{{1,6}})[)）]")
_PINYIN_PLAIN = re.compile(f"(?<=[{_CJK}])[(（]([a-zü]{{1,6}})[)）]")
# Remnants of an annotation whose character was lost: "?shù)", "?/span>", U+FFFD runs.
_REMNANT = re.compile(
    f"\\?[{_PINYIN_LETTERS}]{{1,6}}[)）]|\\?/?[a-z]{{1,8}}>|\ufffd+"
    # a toned syllable glued to a character that is not Chinese: its character became mojibake (X(jué))
    f"|(?<=[^\\s{_CJK}])[(（][{_PINYIN_LETTERS}]*[{_TONE}][{_PINYIN_LETTERS}]*[)）]"
)


def _has_tone(syllable: str) -> bool:
    return any(ch in _TONE for ch in syllable)


def step_pinyin(m: Mapped) -> tuple[Mapped, int]:
    """Pinyin glued after characters is removed: ``召開(kāi)十二屆`` -> ``召開十二屆``.

    A syllable without a tone mark (``的(de)``) is removed only in a text that already carries toned
    annotations, so an ordinary parenthesis like ``(AI)`` or ``(ok)`` in a clean text survives.

    >>> step_pinyin(Mapped.identity("湖北省委召開(kāi)十二屆(jiè)全會"))[0].text
    '湖北省委召開十二屆全會'
    >>> step_pinyin(Mapped.identity("一个idea(点子)和人工智能(ai)"))[0].text
    '一个idea(点子)和人工智能(ai)'
    """
    toned = [x for x in _PINYIN_TONED.finditer(m.text) if _has_tone(x.group(1))]
    if not toned:
        return m, 0
    matches = {x.start(): x for x in toned}
    if len(toned) >= 3:
        for match in _PINYIN_PLAIN.finditer(m.text):
            matches.setdefault(match.start(), match)
    edits = [(x.start(), x.end(), "") for _, x in sorted(matches.items())]
    return rewrite(m, edits), len(edits)


def find_garbled(text: str) -> list[tuple[int, int]]:
    """Ranges of noise: pinyin remnants (``?shù)``), broken tags (``?/span>``), replacement characters, and
    the rare characters that mojibake leaves around them.

    >>> t = "和敢于担当?shù)母刹縼?lái)一场"
    >>> [t[s:e] for s, e in find_garbled(t)]
    ['?shù)母刹縼?lái)']
    """
    spans: list[tuple[int, int]] = []
    gap = 3  # noise interrupted by a few common characters is still one garbled run
    for match in _REMNANT.finditer(text):
        start, end = match.start(), match.end()
        # Extend over adjacent rare characters (outside GB2312): mojibake sits next to the remnant.
        while end < len(text) and is_rare(text[end]):
            end += 1
        while start > 0 and is_rare(text[start - 1]):
            start -= 1
        if spans and start <= spans[-1][1] + gap:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


@lru_cache(maxsize=65536)
def is_rare(ch: str) -> bool:
    """A Chinese character outside GB2312's 6,763: common in mojibake, rare in news prose."""
    if not _CJK_RE.match(ch):
        return False
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return True
    return False


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Text in Simplified script (OpenCC t2s), without an offset map.

    >>> simplified("召開十二屆全會")
    '召开十二届全会'
    """
    return str(_t2s().convert(text))


def step_t2s(m: Mapped) -> tuple[Mapped, int]:
    """Traditional to Simplified with OpenCC (phrase-aware: 乾隆 stays, 乾淨 becomes 干净).

    OpenCC's t2s keeps the length on almost all text; when a phrase conversion does change it, the map is
    rebuilt from rapidfuzz's Levenshtein opcodes.

    >>> step_t2s(Mapped.identity("湖北省委召開十二屆十次全會"))[0].text
    '湖北省委召开十二届十次全会'
    """
    converted = _t2s().convert(m.text)
    if converted == m.text:
        return m, 0
    if len(converted) == len(m.text):
        changed = sum(1 for a, b in zip(converted, m.text, strict=True) if a != b)
        return Mapped(converted, m.origin), changed
    edits: list[Edit] = []
    for op in Levenshtein.opcodes(m.text, converted):
        if op.tag != "equal":
            edits.append((op.src_start, op.src_end, converted[op.dest_start : op.dest_end]))
    return rewrite(m, edits), len(edits)


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


# --- unwrapping ----------------------------------------------------------------------------------------

_BYLINE_START = re.compile(r"^(□|■|●|◆|▲|本报记者|本报通讯员|新华社记者|记者|本报讯|据新华社|新华社|人民日报评论员)")


@dataclass(frozen=True, slots=True)
class _Line:
    start: int  # offset of the first non-space character in the mapped text
    end: int  # offset after the last non-space character
    text: str
    width: int
    begin: int  # offset where the line begins, leading spaces included
    finish: int  # offset of its line break

    def opens_with(self, positions: frozenset[int]) -> bool:
        return any(self.begin <= p <= self.start for p in positions)

    def closes_with(self, positions: frozenset[int]) -> bool:
        return any(self.end <= p <= self.finish for p in positions)


def _lines(m: Mapped) -> list[_Line | None]:
    """The lines of the text, stripped; ``None`` for a blank line.

    Widths are :func:`cells` of each stripped line, counted for the whole text in one pass (a running count
    of wide characters) rather than a regular expression per line.
    """
    wide = np.zeros(len(m.text) + 1, dtype=np.int64)
    if m.text:
        np.cumsum(_WIDE_TABLE[np.frombuffer(m.text.encode("utf-32-le", "surrogatepass"), np.uint32)], out=wide[1:])
    out: list[_Line | None] = []
    pos = 0
    for line in m.text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            start = pos + lead
            end = start + len(stripped)
            width = len(stripped) + int(wide[end] - wide[start])
            out.append(_Line(start, end, stripped, width, pos, pos + len(line)))
        else:
            out.append(None)
        pos += len(line) + 1
    return out


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
    a block long enough for its width to be trusted."""
    if not ends_sentence(tail) and not _PUNCT_END.search(tail[-1:]):
        return True
    return tail[-1:] in "，、,；;：:" and block_lines >= 2


def _runs_on(following: list[_Line]) -> bool:
    """Whether a paragraph whose last line fills its column and stops mid-word can go on past the blank
    line into the ``following`` block, as across an OCR column break (seed 000 lines 45-47): not when that
    block reads as a title (a subtitle under a headline that fills its column; the next item's headline
    after a credit line that does, ``…责任编辑：王静``) or opens an article element (a byline,
    ``新华社北京1月21日电``). A paragraph's first line alone before a column break still runs on.
    """
    text = "".join(ln.text for ln in following)
    title = _reads_as_title(text) and not _PUNCT_END.search(text)  # (``…日日夜夜……”`` ends a quoted sentence)
    return not (title or _BYLINE_START.match(following[0].text))


def _block_widths(blocks: list[list[_Line]], page_width: float) -> list[float]:
    """The wrap width of each block of lines.

    A block of four or more lines knows its own width (the median of its lines but the last). A shorter
    block, a heading or a closing line, borrows the width of the nearest block that knows its own: a page
    holds columns of different widths (seed 000: 20 characters for the wire story, 14 for the feature).
    """
    own: list[float | None] = [
        float(np.median([ln.width for ln in block[:-1]])) if len(block) >= 4 else None for block in blocks
    ]
    widths: list[float] = []
    for i, value in enumerate(own):
        if value is not None:
            widths.append(value)
            continue
        found = page_width
        for distance in range(1, len(blocks)):
            before = own[i - distance] if i - distance >= 0 else None
            after = own[i + distance] if i + distance < len(own) else None
            if before is not None or after is not None:
                found = before if before is not None else after  # type: ignore[assignment]
                break
        widths.append(found)
    return widths


def _paragraphs_wrapped(
    lines: list[_Line | None], opens: frozenset[int], closes: frozenset[int]
) -> tuple[list[list[_Line]], int]:
    """Join an OCR page's lines into paragraphs.

    Inside a run of non-blank lines every line break is a wrap, except after a clearly short line that ends
    a sentence. A blank line ends a paragraph unless the line before it is full and ends mid-sentence (OCR
    column breaks leave blank lines inside paragraphs: seed 000 lines 45-47).
    """
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
        if carry is not None and (block[0].opens_with(opens) or not _runs_on(block)):
            paragraphs.append(carry)
            carry = None
        para: list[_Line] = carry if carry is not None else []
        carry = None
        for i, ln in enumerate(block):
            para.append(ln)
            last = i == len(block) - 1
            if not last and ends_sentence(ln.text) and ln.width < width - 4:
                paragraphs.append(para)
                para = []
            elif not last:
                joins += 1
        tail = block[-1]
        if tail.closes_with(closes):
            paragraphs.append(para)
        elif width - 3 <= tail.width <= width + 2 and _continues(tail.text, len(block)):
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

    def __init__(self, paragraphs: list[list[_Line]]) -> None:
        self._paragraphs = paragraphs
        self._text: str | None = None

    def __contains__(self, pair: object) -> bool:
        if self._text is None:
            joined = ["".join(ln.text for ln in para) for para in self._paragraphs]
            joined += [fold_width(re.sub(r"\s+", "", text)) for text in joined]
            self._text = "\n".join(joined)
        return isinstance(pair, str) and len(pair) == 2 and "\n" not in pair and pair in self._text


def _soft_break(
    paragraph: list[_Line], following: list[_Line], jumps: frozenset[int], words: _Pairs | None = None
) -> bool:
    """Whether a paragraph was cut in two by a page or column break (seed 002 lines 17-19: ``…，突`` /
    ``出强调…``), so that the ``following`` paragraph continues it.

    The paragraph so far must end mid-word and read as prose (a full sentence in it, or 40 characters), and
    the following one must not be a title, open an article element, or follow a jump marker. Across the cut
    the two characters must make a pair the text uses elsewhere (``突出``), when ``words`` (the character
    pairs inside the text's lines) is given: a paragraph that a web copy cut off mid-sentence (``…甚至“自私、骄``)
    also ends mid-word, but the next one starts a sentence of its own, and gluing them would hide the cut.
    The rule looks at text only, never at the Markdown marks that a second normalization would no longer see,
    so normalizing twice equals once.
    """
    last_line, nxt = paragraph[-1], following[0]
    last = last_line.text[-1]
    if not (last.isalnum() or last == "、"):
        return False
    if words is not None and last.isalnum() and fold_width(last + nxt.text[:1]) not in words:
        return False
    if last_line.closes_with(jumps) or nxt.opens_with(jumps):
        return False
    if last == "摄" or _reads_as_title(
        "".join(ln.text for ln in following)
    ):  # a photo credit ends a caption; a title starts anew
        return False
    length = sum(_visible(ln.text) for ln in paragraph)
    if length < 40 and not any(_SENTENCE_MARK.search(ln.text) for ln in paragraph):
        return False
    return not _BYLINE_START.match(nxt.text)


def _visible(text: str) -> int:
    """Characters that are not whitespace: a length that joining and space-folding do not change."""
    return len(text) - sum(1 for ch in text if ch.isspace())


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
    lines = _lines(m)
    opens = frozenset(x.position for x in markers if x.marker.kind == "continued_from")
    closes = frozenset(x.position for x in markers if x.marker.kind == "continued_on")
    wrapped = enabled and is_hard_wrapped(lines)
    if wrapped:
        paragraphs, joins = _paragraphs_wrapped(lines, opens, closes)
    else:
        paragraphs, joins = [[ln] for ln in lines if ln is not None], 0
    if enabled:
        words = _Pairs(paragraphs)
        rejoined: list[list[_Line]] = []
        for para in paragraphs:
            if rejoined and _soft_break(rejoined[-1], para, opens | closes, words):
                rejoined[-1].extend(para)
                joins += 1
            else:
                rejoined.append(list(para))
        paragraphs = rejoined
    pieces: list[tuple[int, int] | str] = []
    for p_index, para in enumerate(paragraphs):
        if p_index:
            pieces.append("\n")
        for l_index, ln in enumerate(para):
            if l_index and _needs_space(para[l_index - 1].text, ln.text):
                pieces.append(" ")
            pieces.append((ln.start, ln.end))
    return assemble(m, pieces), joins, wrapped


def _needs_space(left: str, right: str) -> bool:
    """Wrapped Latin words keep a space between them; Chinese characters do not."""
    return left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum()


# --- width and spaces ----------------------------------------------------------------------------------

_FULLWIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_FOLDABLE = re.compile("[\uff01-\uff5e\u3000]")


def step_width(m: Mapped) -> tuple[Mapped, int]:
    """Full-width ASCII variants fold to ASCII (``２０２１`` -> ``2021``, ``，`` -> ``,``); one to one.

    Only full-width letters and digits are counted in the note: full-width punctuation is simply how Chinese
    is written, not a layout difference worth reporting. The fold is one vectorised subtraction over the
    codepoints (``str.translate`` with a table costs a dictionary lookup per character).

    >>> step_width(Mapped.identity("２０２１年，ＡＩ\u3000好"))[0].text
    '2021年,AI 好'
    """
    if not _FOLDABLE.search(m.text):
        return m, 0
    return Mapped(fold_width(m.text), m.origin), len(_FULLWIDTH_ALNUM.findall(m.text))


def fold_width(text: str) -> str:
    """Full-width ASCII variants and the ideographic space as ASCII, one to one.

    >>> fold_width("１？Ａ\u3000，")
    '1?A ,'
    """
    if not _FOLDABLE.search(text):
        return text
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    cps[(cps >= 0xFF01) & (cps <= 0xFF5E)] -= 0xFEE0
    cps[cps == 0x3000] = 0x20
    return cps.tobytes().decode("utf-32-le", "surrogatepass")


_SPACES = re.compile(r"[^\S\n]+")


def step_spaces(m: Mapped) -> tuple[Mapped, int]:
    """Whitespace runs become one space, and vanish unless both neighbours are ASCII letters or digits.

    OCR and web copies scatter spaces through Chinese text (``光荣。 （新华社``); a space only carries meaning
    between Latin words (``IPv4 IPv6``).

    >>> step_spaces(Mapped.identity("光荣。  (新华社 IPv4  IPv6)"))[0].text
    '光荣。(新华社IPv4 IPv6)'
    """
    text = m.text
    edits: list[Edit] = []
    for match in _SPACES.finditer(text):
        start, end = match.start(), match.end()
        left = text[start - 1] if start > 0 else "\n"
        right = text[end] if end < len(text) else "\n"
        keep = left.isascii() and left.isalnum() and right.isascii() and right.isalnum()
        if keep:
            if match.group() != " ":
                edits.append((start, end, " "))
        else:
            edits.append((start, end, ""))
    return rewrite(m, edits), len(edits)


# --- the whole -----------------------------------------------------------------------------------------


def normalize(document: Document, config: NormalizeConfig | None = None) -> NormText:
    """Normalize one document for matching, recording what each step did.

    Joining lines can make what no line held alone: a Markdown mark, a pinyin annotation, a paragraph that
    now ends mid-word. A text whose lines were joined is therefore normalized again until it no longer
    changes (at most twice more), so that normalizing twice equals normalizing once; a text no step joined
    is settled after one pass.

    >>> from dedup.records import Document
    >>> norm = normalize(Document("a.txt", "（上接1版）按照党中央要求，\\n各地及时出台有关配套制度。", "utf-8"))
    >>> norm.text
    '按照党中央要求,\\n各地及时出台有关配套制度。'
    >>> norm.markers[0].marker.line
    1
    """
    config = config or NormalizeConfig()
    norm, unsettled = _normalize_once(document, config)
    for _ in range(2):
        if not unsettled:
            break
        again, unsettled = _normalize_once(Document(document.path, norm.text, document.encoding, "text"), config)
        if again.text == norm.text:
            break
        before = Mapped.identity(norm.text)
        markers = tuple(_remap_markers(list(norm.markers), before, Mapped(again.text, again.origin)))
        origin = norm.origin[again.origin] if len(again.origin) else again.origin
        norm = NormText(
            document, again.text, origin, norm.line_starts, norm.notes, markers, again.garbled, norm.headings
        )
    return norm


# What a later step can make into a mark an earlier step would strip (``1 *`` -> ``1*``): a text that still
# holds one is normalized again.
_UNSETTLED = re.compile(f"[*_\\[\\]#>`]|[(（][{_PINYIN_LETTERS}]")


def _normalize_once(document: Document, config: NormalizeConfig) -> tuple[NormText, bool]:
    """One pass of every step; and whether the text may not be settled yet (lines were joined, or marks
    that joined lines made were stripped)."""
    raw = document.text
    starts = line_starts(raw)

    notes: list[Note] = [Note("encoding", f"decoded as {document.encoding}")]
    m = Mapped.identity(raw)
    m, _ = step_newlines(m)

    headings: frozenset[int] = frozenset()
    if document.format == "html" or looks_like_html(raw):
        headings = frozenset(line_of(starts, x.start()) for x in _HTML_HEADING_OPEN.finditer(raw))
        m, count = step_html(m)
        if count:
            notes.append(Note("markup", f"removed {count} HTML tags and entities", count))
    else:
        headings = markdown_headings(raw)
        m, count = step_markdown(m)
        if count:
            notes.append(Note("markup", f"removed {count} Markdown marks", count))

    if config.strip_pinyin:
        m, count = step_pinyin(m)
        if count:
            notes.append(Note("pinyin", f"stripped {count} pinyin annotations", count))

    if config.to_simplified:
        m, count = step_t2s(m)
        if count:
            notes.append(Note("t2s", f"converted {count} characters from Traditional to Simplified", count))

    m, found = step_jumps(m, starts)
    for item in found:
        notes.append(Note("jump", f"jump marker {item.marker.text} at line {item.marker.line}"))

    before_unwrap = m
    m, joins, wrapped = step_unwrap(m, found, config.unwrap)
    if joins:
        what = "hard-wrapped lines" if wrapped else "paragraphs cut by a page or column break"
        notes.append(Note("unwrap", f"unwrapped {joins} {what}", joins))
    markers = _remap_markers(found, before_unwrap, m)

    m, count = step_width(m)
    if count:
        notes.append(Note("width", f"folded {count} full-width letters and digits", count))
    spaced = step_spaces(m)[0]
    markers = _remap_markers(markers, m, spaced)
    m = spaced

    garbled = tuple(find_garbled(m.text))
    if garbled:
        notes.append(Note("garbled", f"flagged {len(garbled)} garbled runs (pinyin remnants, mojibake)", len(garbled)))
    norm = NormText(document, m.text, m.origin, starts, tuple(notes), tuple(markers), garbled, headings)
    return norm, joins > 0 or bool(_UNSETTLED.search(m.text))


def _remap_markers(markers: list[Marker], before: Mapped, after: Mapped) -> list[Marker]:
    """Carry marker positions across a step, through the raw offsets both texts map to."""
    if not markers:
        return []
    out: list[Marker] = []
    for item in markers:
        # 下转 belongs to the text before it, 上接 to the text after: anchor on that side, so a marker at a
        # paragraph's end stays at that paragraph's end when the line break after it is rebuilt.
        if item.marker.kind == "continued_on" and 0 < item.position <= len(before.origin):
            raw_offset = int(before.origin[item.position - 1])
            position = int(np.searchsorted(after.origin, raw_offset, side="left"))
            if position < len(after.origin) and int(after.origin[position]) == raw_offset:
                position += 1
        elif item.position < len(before.origin):
            raw_offset = int(before.origin[item.position])
            position = int(np.searchsorted(after.origin, raw_offset, side="left"))
        else:
            position = len(after.text)
        out.append(Marker(min(position, len(after.text)), item.marker))
    return out
