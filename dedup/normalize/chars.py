"""Character classes shared by the normalization steps: Chinese, wide (two terminal cells), sentence ends.

Kept apart from the steps so that the wrap-width estimate (:mod:`~dedup.normalize.unwrap`), the garbled-run
detector (:mod:`~dedup.normalize.script`) and segmentation read one definition of each class.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
CJK_RE = re.compile(f"[{CJK}]")
# Characters a terminal draws two cells wide: CJK, full-width forms, CJK punctuation.
_WIDE_RANGES = (
    "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\ua000-\ua4cf\uac00-\ud7a3\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
)
_WIDE_RE = re.compile(f"[{_WIDE_RANGES}{CJK}]")
# Sentence-final punctuation, before or after width folding.
_TERMINAL = "。！？!?…"
_CLOSERS = "”’\"'」』）)】〕》"
PUNCT_END = re.compile(r"[\s\W_]$")


def _wide_table() -> npt.NDArray[np.bool_]:
    """One boolean per codepoint: is it wide, i.e. in a range of ``_WIDE_RE``? (Read off the pattern's own
    ranges, so the two cannot disagree.)"""
    table = np.zeros(0x110000, dtype=np.bool_)
    spans = _WIDE_RE.pattern[1:-1]
    for k in range(0, len(spans), 3):
        table[ord(spans[k]) : ord(spans[k + 2]) + 1] = True
    table.flags.writeable = False
    return table


WIDE_TABLE = _wide_table()


def holds_any(text: str, characters: str) -> bool:
    """Whether ``text`` holds any of ``characters``: ``re.search("[...]", text)`` as one ``str.find`` a
    character, which scans a text several times as fast as a character class tried at every position.

    >>> holds_any("新华社*电", "*_["), holds_any("新华社电", "*_[")
    (True, False)
    """
    return any(ch in text for ch in characters)


def codepoints(text: str) -> npt.NDArray[np.uint32]:
    """The codepoints of a text as a read-only array, so that a step can look at every character in one
    vectorised operation (a Python generator over a 200 MB line costs seconds per pass).

    >>> codepoints("新a").tolist()
    [26032, 97]
    """
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)


def cells(text: str) -> int:
    """Terminal cells a line takes: two per wide character. Used to estimate an OCR page's wrap width.

    >>> cells("新华社ab"), cells("召開(kāi)，２０")
    (8, 15)
    >>> every = [cp for cp in range(0x30000) if not 0xD800 <= cp < 0xE000]
    >>> all(bool(WIDE_TABLE[cp]) == bool(_WIDE_RE.match(chr(cp))) for cp in every)
    True
    """
    return len(text) + int(WIDE_TABLE[codepoints(text)].sum())


def ends_sentence(line: str) -> bool:
    """Whether a line ends a sentence: ``。`` or ``！`` etc., possibly followed by closing quotes.

    >>> ends_sentence("主动担当就会蔚然成风。"), ends_sentence("“后半篇文章”"), ends_sentence("采取直接")
    (True, False, False)
    >>> ends_sentence("（新华社北京8月22日电）”"), ends_sentence("来源：新华社）」")
    (True, False)
    """
    stripped = line.rstrip()
    end = len(stripped)
    while end and stripped[end - 1] in _CLOSERS:
        # A dateline ends within its last 33 characters: searching only there, up to ``end``, keeps a line
        # of many closing marks linear (cutting one off and searching the whole line each time was not).
        if _DATELINE_END.search(stripped, max(0, end - 33), end):
            return True
        end -= 1
    return bool(end) and stripped[end - 1] in _TERMINAL


_DATELINE_END = re.compile(r"[（(][^（()）]{0,30}电[）)]$")


CUT_MARK = re.compile(r"(…|\.\.|。。|．．)$")
"""A preview's cut: an ellipsis, which is no sentence end there."""


def looks_cut(text: str) -> bool:
    """Whether a paragraph shows by itself that it was cut: it ends mid-sentence (not after a sentence end or
    a closing quote or bracket), or in the ellipsis a preview leaves where it cut.

    >>> looks_cut("会议强调，具体说来，主要有四……"), looks_cut("会议开始。"), looks_cut("他说：“好。”")
    (True, False, False)
    """
    text = text.rstrip()
    return (not ends_sentence(text) and not text.endswith(tuple("”’」』)）"))) or bool(CUT_MARK.search(text))
