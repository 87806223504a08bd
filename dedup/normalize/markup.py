"""Markup: line ends, HTML tags and entities, Markdown marks; each removed with the offset map kept.

Markup is layout, never wording: a ``<p>`` or a ``##`` tells where a paragraph or a heading starts, and the
steps here turn it into the paragraph breaks the later steps read, recording which raw lines were headings.
"""

from __future__ import annotations

import html
import re

import numpy as np
import numpy.typing as npt

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


_HTML_DROP = re.compile(r"<!--.*?-->|<(script|style|head|noscript)\b.*?</\1\s*>", re.S | re.I)
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


def html_headings(raw: str, starts: npt.NDArray[np.int64]) -> frozenset[int]:
    """Raw line numbers where an HTML heading (``<h1>`` … ``<h6>``) opens; they hint at article boundaries.

    >>> from dedup.normalize.textmap import line_starts
    >>> raw = "<p>正文</p>\\n<h2>标题</h2>"
    >>> sorted(html_headings(raw, line_starts(raw)))
    [2]
    """
    return frozenset(line_of(starts, x.start()) for x in HTML_HEADING_OPEN.finditer(raw))
