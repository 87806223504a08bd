"""Control characters made visible: what a terminal or an XML parser must be shown, never sent.

A file name, a JSONL id or an article may hold ``\\x1b[2J`` (clear the screen), an OSC 8 hyperlink or a
bidirectional override; text from them is data, so every renderer spells such characters out.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, bidirectional overrides and isolates (which reorder what a line appears to say),
# and lone surrogates (a file name's undecodable bytes); line breaks and tabs kept in :data:`LINES`.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def spelled(match: re.Match[str]) -> str:
    """The escape that stands for one matched character: ``\\xNN`` (a surrogate-escaped byte as that byte), or
    ``\\uNNNN``."""
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte of a file name that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, lines: bool = False) -> str:
    """``text`` with every control character spelled out, so a terminal shows it instead of obeying it;
    ``lines`` keeps line breaks and tabs (article text), otherwise they are spelled out too (a file name).

    >>> visible("a\\x1b[2Jb\\nc")
    'a\\\\x1b[2Jb\\\\x0ac'
    >>> visible("第一段\\n第二段\\x9b", lines=True)
    '第一段\\n第二段\\\\x9b'
    >>> visible("bad\\udcff.txt")
    'bad\\\\xff.txt'
    """
    return (LINES if lines else _CONTROLS).sub(spelled, text)


def pictured(text: str) -> str:
    """``text`` with each control character replaced by one character: its Unicode control picture (␛ for
    ESC) for C0 and DEL, U+FFFD for the rest, so offsets into the text still hold.

    >>> pictured("a\\x1b[2J\\u202eb\\nc")
    'a␛[2J\\ufffdb\\nc'
    """
    return LINES.sub(_picture, text)


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"
