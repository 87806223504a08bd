"""The first checks normalization asks before its patterns answer as those patterns do (issue 15).

``opens_on_pinyin`` and ``holds_any`` stand for regular-expression searches, and ``step_width`` counts the
full-width letters and digits on the codepoints instead of with a ``findall``: on texts built here of every
character those patterns look at, each gives what the pattern gives.
"""

from __future__ import annotations

import re

import numpy as np

from dedup.normalize.chars import holds_any
from dedup.normalize.script import _TONE, PINYIN_OPEN, opens_on_pinyin, step_width
from dedup.normalize.textmap import Mapped

_ALPHABET = list("新华社电(（)）*_[]#>`aAzZü" + _TONE + "ＡＺａｚ０９！～\u3000，。 ?é\ufffd")


def _texts(count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(_ALPHABET, int(k))) for k in rng.integers(0, 30, count)] + ["", "(", "（a", "(A"]


def test_opens_on_pinyin_is_the_pattern_search() -> None:
    texts = _texts(3000, 1)
    assert [opens_on_pinyin(t) for t in texts] == [bool(PINYIN_OPEN.search(t)) for t in texts]
    assert any(opens_on_pinyin(t) for t in texts) and not all(opens_on_pinyin(t) for t in texts)


def test_holds_any_is_a_character_class_search() -> None:
    texts = _texts(2000, 2)
    for characters in ("*_[", "*_[]#>`", "ü"):
        pattern = re.compile(f"[{re.escape(characters)}]")
        assert [holds_any(t, characters) for t in texts] == [bool(pattern.search(t)) for t in texts]


def test_step_width_counts_full_width_letters_and_digits_as_the_pattern_did() -> None:
    full_width_alnum = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
    for text in _texts(2000, 3):
        folded, count = step_width(Mapped.identity(text))
        expected = len(full_width_alnum.findall(text)) if re.search("[\uff01-\uff5e\u3000]", text) else 0
        assert count == expected
        assert len(folded.text) == len(text)
