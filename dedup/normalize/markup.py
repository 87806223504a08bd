"""Markup: line ends, HTML tags and entities, Markdown marks; each removed with the offset map kept.

Markup is layout, never wording: a ``<p>`` or a ``##`` tells where a paragraph or a heading starts, and the
steps here turn it into the paragraph breaks the later steps read, recording which raw lines were headings.
"""

from __future__ import annotations

import html
import re

import numpy as np
import numpy.typing as npt

from dedup.normalize.chars import holds_any
from dedup.normalize.textmap import Edit, Mapped, line_of, rewrite


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


# Dropped with their content: comments, and elements whose text is no prose. Found by :func:`_dropped`.
_DROP_OPEN = re.compile(r"<!--|<(script|style|head|noscript)\b", re.I)
_DROP_CLOSE = {name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "style", "head", "noscript")}
_HTML_BLOCK = re.compile(
    r"</?(p|div|br|h[1-6]|li|ul|ol|tr|td|th|table|section|article|header|footer|blockquote|pre|hr|title)\b[^>]*>",
    re.I,
)
HTML_HEADING_OPEN = re.compile(r"<h[1-6]\b[^>]*>", re.I)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<![^<>]*>")
_HTML_ENTITY = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,10});")


def looks_like_html(text: str) -> bool:
    """A text body that is really an HTML page (JSONL drops often carry raw HTML)."""
    return len(re.findall(r"<(p|div|br|html|body|span)\b", text[:20000], re.I)) >= 2


def _dropped(text: str) -> list[tuple[int, int]]:
    r"""Spans of comments and of ``script``, ``style``, ``head`` and ``noscript`` elements, close tag included.

    The same spans as ``re.finditer(r"<!--.*?-->|<(script|style|head|noscript)\b.*?</\1\s*>", text, re.S |
    re.I)``, found in linear time: that pattern scans to the end of the text from every opening that is never
    closed, so 40,000 unclosed ``<!--`` cost 40,000 scans. Here an opening whose close is not found marks its
    kind as closed nowhere after it, and later openings of that kind are passed over.

    >>> t = "<!--a--><SCRIPT>x</script ><!--b<style>"
    >>> [t[s:e] for s, e in _dropped(t)]
    ['<!--a-->', '<SCRIPT>x</script >']
    """
    spans: list[tuple[int, int]] = []
    unclosed: set[str] = set()
    pos = 0
    while (opening := _DROP_OPEN.search(text, pos)) is not None:
        kind = (opening.group(1) or "--").lower()
        end = -1
        if kind not in unclosed:
            if kind == "--":
                at = text.find("-->", opening.end())
                end = at + 3 if at >= 0 else -1
            else:
                close = _DROP_CLOSE[kind].search(text, opening.end())
                end = close.end() if close is not None else -1
        if end < 0:
            unclosed.add(kind)
            pos = opening.start() + 1
            continue
        spans.append((opening.start(), end))
        pos = end
    return spans


def step_html(m: Mapped) -> tuple[Mapped, int]:
    """Tags go; block tags become paragraph breaks; entities are decoded; source line breaks are spaces.

    In HTML a newline inside ``<p>`` is only whitespace, so newlines turn into spaces first and block-level
    tags then put the real paragraph breaks back. Each kind of markup takes only characters no earlier kind
    took; a mask of the characters taken answers that in the length of the match (comparing with every
    earlier match took 67 s for 20,000 nested ``<div>``).

    >>> step_html(Mapped.identity("<p>新华社&amp;\\n记者</p><p>二</p>"))[0].text.split()
    ['新华社&', '记者', '二']
    """
    text = m.text
    edits: list[Edit] = []
    taken = np.zeros(len(text), dtype=np.bool_)

    def take(start: int, end: int, replacement: str) -> None:
        taken[start:end] = True
        edits.append((start, end, replacement))

    for start, end in _dropped(text):
        take(start, end, "")
    # A tag ends at the last ">" at the latest: stopping there spares ``[^>]*`` a scan to the end of the text
    # from every "<p" after it.
    endpos = text.rfind(">") + 1
    for pattern, replacement in ((_HTML_BLOCK, "\n\n"), (_HTML_TAG, "")):
        for match in pattern.finditer(text, 0, endpos):
            if not taken[match.start() : match.end()].any():
                take(match.start(), match.end(), replacement)
    for match in _HTML_ENTITY.finditer(text):
        if not taken[match.start() : match.end()].any():
            take(match.start(), match.end(), html.unescape(match.group()))
    count = len(edits)
    for match in re.finditer("\n", text):
        if not taken[match.start()]:
            edits.append((match.start(), match.end(), " "))
    edits.sort()
    return rewrite(m, edits), count


_MD_LINE = re.compile(r"(?m)^[ \t]{0,3}(#{1,6}[ \t]+|(?:>[ \t]?)+|[-*+][ \t]+(?=\S)|\*[ \t]*$|(?:[-*_][ \t]*){3,}$)")
_MD_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]")
_MD_INLINE_CHARS = "*_["  # every inline mark holds one of these: most texts have none (``holds_any``)
# Emphasis marks; links and images are found by :func:`_links`.
_MD_EMPHASIS = re.compile(r"\*\*|__|(?<![*\w])\*(?=\S)|(?<=\S)\*(?![*\w])")


class _Next:
    """The first occurrence of a character at or after a position, for positions asked in an order that never
    decreases: a search is reused while it still lies ahead, so all the questions together read the text once.
    """

    def __init__(self, text: str, char: str) -> None:
        self._text, self._char = text, char
        self._found: int | None = None

    def at_or_after(self, position: int) -> int:
        """The offset of the character, or -1 when none is left."""
        if self._found is None or 0 <= self._found < position:
            self._found = self._text.find(self._char, position)
        return self._found


def _links(text: str) -> list[tuple[int, int, int, int]]:
    r"""Markdown images ``![alt](url)`` and links ``[text](url)``: ``(start, end, text_start, text_end)``, the
    text span empty for an image (it goes whole).

    The matches of ``re.finditer(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]+)\]\([^)]*\)", text)``, found in linear
    time: that pattern scans from every ``[`` to the next ``]``, so a flood of ``[`` cost a scan each (16x
    the time for 4x the input). Here the next ``]`` and ``)`` are looked up once for all openings before them.

    >>> t = "![图](a.png)[[链接](http://x)]"
    >>> [(t[s:e], t[a:b]) for s, e, a, b in _links(t)]
    [('![图](a.png)', ''), ('[[链接](http://x)', '[链接')]
    """
    out: list[tuple[int, int, int, int]] = []
    close, paren = _Next(text, "]"), _Next(text, ")")
    pos = 0
    while (bracket := text.find("[", pos)) >= 0:
        image = bracket > pos and text[bracket - 1] == "!"
        end = close.at_or_after(bracket + 1)
        if end < 0:
            break  # no "]" is left: no link either
        after = paren.at_or_after(end + 2) if text.startswith("(", end + 1) else -1
        if after >= 0 and (image or end > bracket + 1):
            start = bracket - 1 if image else bracket
            out.append((start, after + 1, start, start) if image else (start, after + 1, bracket + 1, end))
            pos = after + 1
        else:
            pos = bracket + 1
    return out


def step_markdown(m: Mapped) -> tuple[Mapped, int]:
    """Markdown marks go: ``#`` headings, ``>`` quotes, bullets, rules, emphasis, links (text kept).

    >>> step_markdown(Mapped.identity("## 围绕中心任务\\n**正文** [链接](http://x)"))[0].text
    '围绕中心任务\\n正文 链接'
    """
    edits: list[Edit] = []
    for match in _MD_LINE.finditer(m.text):
        edits.append((match.start(1), match.end(1), ""))
    if holds_any(m.text, _MD_INLINE_CHARS):
        links = _links(m.text)
        for start, end, text_start, text_end in links:
            if text_start < text_end:  # [text](url): keep the text
                edits.append((start, text_start, ""))
                edits.append((text_end, end, ""))
            else:
                edits.append((start, end, ""))
        # Emphasis inside a link went with it (the link was matched first, as one pattern would).
        k = 0
        for match in _MD_EMPHASIS.finditer(m.text):
            while k < len(links) and links[k][1] <= match.start():
                k += 1
            if k == len(links) or match.end() <= links[k][0]:
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
    if "#" not in raw:  # most texts: no line to look at
        return frozenset()
    return frozenset(i for i, line in enumerate(raw.split("\n"), start=1) if _MD_HEADING.match(line))


def html_headings(raw: str, starts: npt.NDArray[np.int64]) -> frozenset[int]:
    """Raw line numbers where an HTML heading (``<h1>`` … ``<h6>``) opens; they hint at article boundaries.

    >>> from dedup.normalize.textmap import line_starts
    >>> raw = "<p>正文</p>\\n<h2>标题</h2>"
    >>> sorted(html_headings(raw, line_starts(raw)))
    [2]
    """
    endpos = raw.rfind(">") + 1  # a tag ends at the last ">" at the latest (see step_html)
    return frozenset(line_of(starts, x.start()) for x in HTML_HEADING_OPEN.finditer(raw, 0, endpos))
