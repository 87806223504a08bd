"""Script: pinyin annotations, garbled runs, Traditional to Simplified, full width, and spaces.

Everything that changes how a character is written but not what it says: a copy set in Traditional script,
with pinyin glued after each character (``召開(kāi)``), in full-width digits, or with spaces scattered by OCR,
must read the same as the wire text it reprints.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import opencc
from rapidfuzz.distance import Levenshtein

from dedup.normalize.chars import CJK, CJK_RE, codepoints
from dedup.normalize.textmap import Edit, Mapped, rewrite

_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
PINYIN_LETTERS = f"a-zü{_TONE}"
# 召開(kāi): a pinyin syllable with a tone mark in parentheses right after a Chinese character.
_PINYIN_TONED = re.compile(f"(?<=[{CJK}])[(（]([{PINYIN_LETTERS}]{{1,6}})[)）]")
PINYIN_OPEN = re.compile(f"[(（][{PINYIN_LETTERS}]")  # what every annotation holds (:func:`opens_on_pinyin`)
_PINYIN_LETTER_SET = frozenset("abcdefghijklmnopqrstuvwxyzü" + _TONE)
_PINYIN_PLAIN = re.compile(f"(?<=[{CJK}])[(（]([a-zü]{{1,6}})[)）]")
# Remnants of an annotation whose character was lost: "?shù)", "?/span>", U+FFFD runs.
_REMNANT = re.compile(
    f"\\?[{PINYIN_LETTERS}]{{1,6}}[)）]|\\?/?[a-z]{{1,8}}>|\ufffd+"
    # a toned syllable glued to a character that is not Chinese: its character became mojibake (X(jué))
    f"|(?<=[^\\s{CJK}])[(（][{PINYIN_LETTERS}]*[{_TONE}][{PINYIN_LETTERS}]*[)）]"
)

# Every remnant starts with one of these: a "?" before a letter or a slash, a replacement character, or a
# parenthesis before a toned syllable (see :func:`_may_hold_remnant`).
_REMNANT_QUESTION = re.compile(f"\\?[/{PINYIN_LETTERS}]")
_REMNANT_TONED = re.compile(f"[(（][{PINYIN_LETTERS}]*[{_TONE}]")


def opens_on_pinyin(text: str) -> bool:
    """``bool(PINYIN_OPEN.search(text))``: whether a parenthesis opens on a pinyin letter, found by going
    from parenthesis to parenthesis with ``str.find``. News text has a few parentheses, and the pattern's
    search tried its character class at every character (with the garbled-run and unsettled checks, 10% of
    normalizing).

    >>> opens_on_pinyin("召開(kāi)"), opens_on_pinyin("（新华社）(AI)")
    (True, False)
    """
    for opener in "(（":
        at = text.find(opener)
        while at >= 0:
            if text[at + 1 : at + 2] in _PINYIN_LETTER_SET:
                return True
            at = text.find(opener, at + 1)
    return False


def _may_hold_remnant(text: str) -> bool:
    """Whether :data:`_REMNANT` can match: three searches that each scan fast for their first character,
    where the remnant pattern (and one pattern of all three starts) tries its alternatives and lookbehind
    at every character, a sentence's "?" being common. A toned remnant opens on a pinyin letter (tones are
    letters), so :func:`opens_on_pinyin` is asked before its pattern."""
    return bool(
        _REMNANT_QUESTION.search(text) or "\ufffd" in text or (opens_on_pinyin(text) and _REMNANT_TONED.search(text))
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
    if not opens_on_pinyin(m.text):  # no parenthesis opens on a letter: nothing to look behind
        return m, 0
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
    if not _may_hold_remnant(text):
        return spans
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
    if not CJK_RE.match(ch):
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

    A lone surrogate (a JSONL ``"\\ud800"`` escape) cannot pass through OpenCC, which takes UTF-8: the text
    around it is converted and the surrogate kept, so that bad input is carried as data, not raised.

    >>> simplified("召開十二屆全會")
    '召开十二届全会'
    >>> simplified("召開\\ud800全會") == "召开\\ud800全会"
    True
    """
    try:
        return str(_t2s().convert(text))
    except UnicodeEncodeError:
        pieces = _SURROGATES.split(text)  # odd pieces are the surrogate runs
        return "".join(piece if k % 2 else str(_t2s().convert(piece)) for k, piece in enumerate(pieces))


_SURROGATES = re.compile("([\ud800-\udfff]+)")


def step_t2s(m: Mapped) -> tuple[Mapped, int]:
    """Traditional to Simplified with OpenCC (phrase-aware: 乾隆 stays, 乾淨 becomes 干净).

    OpenCC's t2s keeps the length on almost all text; when a phrase conversion does change it, the map is
    rebuilt from rapidfuzz's Levenshtein opcodes.

    >>> step_t2s(Mapped.identity("湖北省委召開十二屆十次全會"))[0].text
    '湖北省委召开十二届十次全会'
    """
    converted = simplified(m.text)
    if converted == m.text:
        return m, 0
    if len(converted) == len(m.text):
        changed = int(np.count_nonzero(codepoints(converted) != codepoints(m.text)))
        return Mapped(converted, m.origin), changed
    edits: list[Edit] = []
    for op in Levenshtein.opcodes(m.text, converted):
        if op.tag != "equal":
            edits.append((op.src_start, op.src_end, converted[op.dest_start : op.dest_end]))
    return rewrite(m, edits), len(edits)


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
    cps = codepoints(m.text)
    # counted on the codepoints the fold reads anyway (the pattern's ``findall`` scanned the text again)
    digits = (cps >= 0xFF10) & (cps <= 0xFF19)
    letters = ((cps >= 0xFF21) & (cps <= 0xFF3A)) | ((cps >= 0xFF41) & (cps <= 0xFF5A))
    letters_and_digits = int(np.count_nonzero(digits | letters))
    return Mapped(_folded(cps), m.origin), letters_and_digits


def fold_width(text: str) -> str:
    """Full-width ASCII variants and the ideographic space as ASCII, one to one.

    >>> fold_width("１？Ａ\u3000，")
    '1?A ,'
    """
    if not _FOLDABLE.search(text):
        return text
    return _folded(codepoints(text))


def _folded(points: npt.NDArray[np.uint32]) -> str:
    """:func:`fold_width` of a text's codepoints."""
    cps = points.copy()
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
    if len("".join(text.split())) + text.count("\n") == len(text):  # no whitespace but line breaks: most texts
        return m, 0  # (``str.split`` finds them in C, four times as fast as the pattern's scan)
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
