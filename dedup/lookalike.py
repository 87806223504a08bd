"""Characters that look alike in print, from a maintained character-shape data set (offline).

Why this exists: an OCR slip swaps a character for one of similar shape (己→已, 未→末, 日→曰, 人→入), and such a
slip is ``garbled``, not a word ``substituted`` by an editor. Telling the two apart needs to know which characters
look alike, and a table typed by hand covers the few pairs its author thought of. This module reads the shape
data shipped by the ``char-similar-z`` package (a dependency-free port of yongzhuo's ``char-similar``, the toolkit
used to build confusion sets for Chinese spelling correction): per character its four-corner code (四角号码),
components, stroke count, stroke order and structure, about 21,000 characters in 5 MB of JSON, no network.

Two characters are look-alikes when the package's own shape score (its weighted blend of the features above) is
at least :data:`MIN_SHAPE_SCORE` *and* their four-corner codes agree in at least three of the first four digits.
The score alone is too loose (我/他 score 0.58, above 贝/见's 0.49), the four-corner code alone too strict
(己/巳 differ in one corner); together they keep 己/已/巳, 未/末, 日/曰, 人/入/八, 土/士, 干/于, 大/夫, and
reject 我/他, 日/王, 国/家. At 0.78 a common character has about 8 look-alikes (at 0.70, 21: every character
sharing a radical). Some pairs a person would name fall out (大/太, 千/干, 贝/见, 王/玉 at 0.745), and some
same-radical pairs stay in (经/组); that is the price of a rule derived from data rather than tuned to a list.

:func:`lookalikes` lists look-alikes among the 3,500 most frequent characters (the package's frequency table),
which is what a generator draws OCR slips from; :func:`are_lookalikes` tests any pair. Both are cached; the data
loads once per process (~0.3 s).

>>> are_lookalikes("己", "已"), are_lookalikes("未", "末"), are_lookalikes("我", "他")
(True, True, False)
>>> "入" in lookalikes("人") and "曰" in lookalikes("日")
True
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["COMMON_CHARACTERS", "MIN_CORNER_DIGITS", "MIN_SHAPE_SCORE", "are_lookalikes", "lookalikes", "source"]

MIN_SHAPE_SCORE: Final = 0.78
MIN_CORNER_DIGITS: Final = 3
COMMON_CHARACTERS: Final = 3500  # the size of the 现代汉语常用字表 (common character list)
_PACKAGE: Final = "char-similar-z"


@dataclass(frozen=True, slots=True)
class _Shapes:
    """The package's scorer, its four-corner codes, and the common characters indexed by partial code."""

    scorer: Any
    corners: dict[str, str]
    common: tuple[str, ...]
    by_pattern: dict[str, tuple[str, ...]]


def _patterns(code: str) -> list[str]:
    """The four keys of a four-corner code with one of its first four digits masked.

    Two codes that agree in three of four digits share at least one key, so the candidates of a character are
    found without scoring it against every other.

    >>> _patterns("6010")
    ['?010', '6?10', '60?0', '601?']
    """
    head = code[:4]
    return [head[:k] + "?" + head[k + 1 :] for k in range(4)]


@functools.cache
def _shapes() -> _Shapes:
    """Load the package's data once (ImportError with the fix when it is missing)."""
    try:
        from char_similar_z import CharSimilarity
    except ImportError as exc:  # pragma: no cover - exercised only without the dependency
        raise ImportError(
            f"dedup.lookalike needs the character-shape data of the `{_PACKAGE}` package; "
            f"install it with `pip install {_PACKAGE}`."
        ) from exc
    scorer = CharSimilarity()
    corners: dict[str, str] = dict(scorer.dict_char_fourangle)
    freq: dict[str, float] = scorer.dict_char_frequency
    han = [c for c in freq if len(c) == 1 and "\u4e00" <= c <= "\u9fff" and c in corners]
    common = tuple(sorted(han, key=lambda c: (-freq[c], c))[:COMMON_CHARACTERS])
    index: dict[str, list[str]] = defaultdict(list)
    for c in common:
        for key in _patterns(corners[c]):
            index[key].append(c)
    return _Shapes(scorer, corners, common, {k: tuple(v) for k, v in index.items()})


def _corner_agreement(a: str, b: str) -> int:
    return sum(x == y for x, y in zip(a[:4], b[:4], strict=False))


@functools.cache
def are_lookalikes(a: str, b: str) -> bool:
    """Whether two different single characters look alike (see the module docstring for the rule).

    >>> are_lookalikes("土", "士"), are_lookalikes("土", "土"), are_lookalikes("a", "土")
    (True, False, False)
    """
    if a == b or len(a) != 1 or len(b) != 1:
        return False
    shapes = _shapes()
    ca, cb = shapes.corners.get(a), shapes.corners.get(b)
    if not ca or not cb or _corner_agreement(ca, cb) < MIN_CORNER_DIGITS:
        return False
    return float(shapes.scorer.std_cal_sim(a, b, kind="shape")) >= MIN_SHAPE_SCORE


@functools.cache
def lookalikes(ch: str) -> frozenset[str]:
    """The common characters that look like ``ch`` (empty for punctuation, digits, Latin, unknown characters).

    >>> sorted(lookalikes("己"))
    ['已', '巳']
    >>> lookalikes("，")
    frozenset()
    """
    shapes = _shapes()
    code = shapes.corners.get(ch)
    if len(ch) != 1 or not code:
        return frozenset()
    candidates = {c for key in _patterns(code) for c in shapes.by_pattern.get(key, ())}
    return frozenset(c for c in candidates if are_lookalikes(ch, c))


def source() -> dict[str, str]:
    """Where the shape data comes from, for reports: package name and version.

    >>> source()["package"]
    'char-similar-z'
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version(_PACKAGE)
    except PackageNotFoundError:  # pragma: no cover
        v = "not installed"
    return {"package": _PACKAGE, "version": v}
