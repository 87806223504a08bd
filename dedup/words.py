"""Dictionary words: jieba's segmentation, shared by normalization (does a page break cut a word?) and
collation (is an edit a changed word or an OCR slip?, :mod:`dedup.collate.words`).

The dictionary (350,000 entries, the segmenter most Chinese NLP code uses) loads once per process, on the first
question (~0.8 s); importing this module does not load it.
"""

from __future__ import annotations

import functools
import logging
from typing import Any


@functools.cache
def tokenizer() -> Any:
    """jieba's default dictionary, loaded once per process and shared by every module that segments words
    (ImportError with the fix when jieba is missing)."""
    try:
        import jieba
    except ImportError as exc:  # pragma: no cover - exercised only without the dependency
        raise ImportError("dedup.words needs jieba's dictionary: install it with `pip install jieba`") from exc
    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    segmenter.initialize()
    return segmenter


def cut_inside_word(before: str, after: str, context: int = 6) -> bool:
    """Whether the cut between ``before`` and ``after`` (two texts read as one) falls inside a dictionary word
    of jieba's segmentation of the ``context`` characters on each side.

    Why: a page or column break falls anywhere, so most of the breaks it leaves in a paragraph cut a word
    (``突`` / ``出强调``); a paragraph that a copy cut short (``岭南的`` before ``这些留学生``), or that an
    editor split, ends between words, and the paragraph after it starts a word of its own.

    >>> cut_inside_word("落空”，突", "出强调"), cut_inside_word("岭南的", "这些留学生")
    (True, False)
    """
    left, right = before[-context:], after[:context]
    pos = 0
    for word in tokenizer().lcut(left + right, HMM=False):
        if pos < len(left) < pos + len(word):
            return True
        pos += len(word)
    return False
