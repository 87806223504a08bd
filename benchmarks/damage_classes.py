"""The damage classes of issue 11 that the first generator lacked: flattened web pages with shared site footers,
preview copies, OCR look-alike slips, and merges only some copies share.

Why a module of its own: :mod:`benchmarks.corpus` was tuned together with dedup, and these are the classes real
corpora showed that it never produced. Each function works on the builder's drafts (:class:`corpus._Witness`,
``_Para``) and records what it did in the same truth records, so the scorer needs no new case:

* :func:`flatten_web_pages` turns a share of the web files into scraped pages: the headline glued to the body on
  one line, no paragraph breaks, and a site footer (``更多信息请访问：…``) at the end, on the same line or the
  next. One footer is printed by several pages of *different* stories, as one site's template is; the footers
  are made per corpus seed from site and channel names, so no footer text is a constant to tune on. Spans on a
  shared line carry ``start_char``/``end_char``.
* :func:`add_previews` makes preview copies (listing pages, search snippets): every body paragraph cut after its
  first 20–60 characters, ending in ``…``, ``...`` or a broken character. Truth: one ``truncated`` per cut
  paragraph, ``survives`` ``head``, ``noise`` ``preview``.
* :func:`add_lookalike_slips` adds OCR slips: two to four characters within a few characters of each other
  replaced by shape look-alikes from :mod:`dedup.lookalike` (a maintained data set). Truth: ``garbled``,
  ``noise`` ``lookalike``, one edit per replaced character, so a method that reports them as a word
  ``substituted`` is wrong.
* :func:`add_shared_merges` merges the same two paragraphs in a minority of a story's copies (at least two):
  against the wire each such copy is ``merged``, and a consensus reference must not adopt the merge.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Final

from benchmarks import corpus as _c
from dedup.lookalike import lookalikes

if TYPE_CHECKING:
    from benchmarks.corpus import _Builder, _File, _Witness

__all__ = [
    "PREVIEW_MARKERS",
    "add_lookalike_slips",
    "add_previews",
    "add_shared_merges",
    "broken_character",
    "ensure_two_copy_share",
    "flatten_web_pages",
    "make_footers",
    "render_flat",
]

FLAT_SHARE: Final = 0.35  # of web files (not previews) printed flat
PREVIEW_SHARE: Final = 0.08  # of damaged copies that are previews
PREVIEW_CUT: Final = (20, 60)
PREVIEW_MARKERS: Final = ("…", "...", "……", "")  # "" stands for a broken character, see broken_character
LOOKALIKE_SHARE: Final = 0.25  # of damaged copies that get one look-alike slip
SHARED_MERGE_P: Final = 0.6  # of stories with five or more copies

_SITES: Final = ("新浪", "搜狐", "网易", "腾讯", "凤凰", "中华", "东方", "千龙", "华龙", "北方", "南方", "大众")
_CHANNELS: Final = ("四六级", "考研", "财经", "教育", "汽车", "房产", "科技", "体育", "旅游", "健康", "读书", "游戏")
_FOOTER_TEMPLATES: Final = (
    "更多信息请访问：{site}{ch}频道 {ch}论坛 {ch}博客圈 特别说明：由于各方面情况的不断调整与变化，"
    "{site}网所提供的所有考试信息仅供参考，敬请考生以权威部门公布的正式信息为准。",
    "[开发公司/运营公司]：{site}{ch}科技有限公司 [官网网站]：www.{code}.com [客服电话]：{phone} "
    "[相关专题]：{ch}频道 {ch}专区",
    "声明：本文由{site}{ch}频道转载，仅代表作者观点，不代表{site}网立场。如有侵权，请联系{phone}删除。"
    "责任编辑：{editor}",
    "{site}{ch}官方微博 {site}{ch}微信公众号 关注我们，获取更多{ch}资讯。{site}网{ch}频道联系方式：{phone}",
)
_EDITORS: Final = ("王静", "李明", "张华", "刘洋", "陈晨", "杨帆", "赵磊", "周婷")


def make_footers(rng: random.Random, n: int) -> list[str]:
    """``n`` different site footers for one corpus, from templates filled with drawn names and numbers.

    >>> a, b = make_footers(random.Random(1), 2)
    >>> a != b and len(a) > 40
    True
    """
    out: list[str] = []
    while len(out) < n:
        text = rng.choice(_FOOTER_TEMPLATES).format(
            site=rng.choice(_SITES),
            ch=rng.choice(_CHANNELS),
            code="".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 8))),
            phone=f"010-{rng.randint(60000000, 89999999)}",
            editor=rng.choice(_EDITORS),
        )
        if text not in out:
            out.append(text)
    return out


def ensure_two_copy_share(b: _Builder, share: float = 1 / 3) -> None:
    """Cut stories of three or more copies back to two until two-copy groups are ``share`` of all groups.

    Real reprint clusters are mostly pairs, and with two witnesses the reference choice is hardest; the
    draw in ``make_witnesses`` gives about 40%, this makes the floor hold on every seed.
    """
    groups = [st for st in b.stories if len(st.witnesses) >= 2]
    big = [st for st in groups if len(st.witnesses) >= 3]
    b.rng.shuffle(big)
    while big and sum(len(st.witnesses) == 2 for st in groups) < share * len(groups):
        st = big.pop()
        for w in st.witnesses[2:]:
            b.model_of.pop(w.id, None)
        del st.witnesses[2:]


def flatten_web_pages(b: _Builder) -> None:
    """Print a share of the web files flat, each with its site's footer; a site's pages hold different stories.

    Only files without markdown, pinyin or Traditional script are flattened (scraped pages are plain text), and
    only copies that are not previews (a preview is a listing page, laid out apart) and carry no merge or split.
    """
    rng = b.rng
    pool = [
        f
        for f in b.files
        if f.container == "web"
        and not (f.layout.markdown or f.layout.pinyin or f.layout.traditional)
        and not any(blk.witness is not None and blk.witness.id in b.previews for blk in f.blocks)
        # a page without paragraph breaks cannot show a merge or a split: its truth would be unobservable
        and not any(d.kind in ("merged", "split") for blk in f.blocks if blk.witness for d in blk.witness.damages)
    ]
    flat = [f for f in pool if rng.random() < FLAT_SHARE]
    if len(flat) < 4 and len(pool) >= 4:
        flat = rng.sample(pool, 4)
    if not flat:
        return
    n_sites = max(1, len(flat) // 4)
    first = len(b.boiler_texts)
    b.boiler_texts.extend(make_footers(rng, n_sites))
    rng.shuffle(flat)
    for k, f in enumerate(flat):
        copy = next(blk for blk in f.blocks if blk.role == "copy")
        site = first + k % n_sites
        f.blocks = [copy, _c._Block("boilerplate", [_c._Para(b.boiler_texts[site], ())], boiler=site)]
        lay = f.layout
        lay.flat, lay.footer, lay.footer_same_line = True, site, rng.random() < 0.5
        lay.crlf, lay.markdown, lay.leading_blank, lay.trailing_blank = False, False, 0, rng.choice((0, 1))
        f.ext = "txt"


def render_flat(b: _Builder, f: _File) -> None:
    """Render a flat page: the copy's paragraphs glued on line 1, the footer after it (same line or line 2).

    Every span carries character offsets in the decoded text, since line 1 holds the whole article.
    """
    rng = random.Random(f.seed)
    lay = f.layout
    counts = {"pinyin": 0, "halfwidth": 0, "markdown_headings": 0}
    table = _c._pinyin_table()
    text = ""
    passages: list[_c.Passage] = []
    f.block_notes = []
    for bi, block in enumerate(f.blocks):
        if bi:
            text += rng.choice((" ", "　", "")) if lay.footer_same_line else "\n"
        line = text.count("\n") + 1
        start = len(text)
        for pi, p in enumerate(block.paras):
            if pi:
                text += rng.choice(("", "", " ")) if pi == 1 else ""
            at = len(text)
            text += b._surface(p.text, lay, rng, table, counts)
            p.span = _c.Span(f.path, line, line, at, len(text))
        w = block.witness
        passages.append(_c._block_passage(block, line, line, start, len(text)))
        notes = ["flattened", *(["halfwidth"] if lay.halfwidth else [])]
        f.block_notes.append(notes + (["footer_same_line"] if lay.footer_same_line and w else []))
    f.text = text + "\n" + "\n" * lay.trailing_blank
    f.passages = passages
    f.notes = ["flattened", *([f"halfwidth:{counts['halfwidth']}"] if lay.halfwidth else [])]
    if lay.footer_same_line:
        f.notes.append("footer_same_line")


def broken_character(ch: str) -> str:
    """What a preview cut in the middle of a UTF-8 character shows: its bytes read as GBK, first character.

    >>> broken_character("党")
    '鍏'
    """
    return _c._mojibake(ch)[:1] or "?"


def _preview(b: _Builder, w: _Witness, cut: tuple[int, int], rng: random.Random) -> int:
    """Cut every untouched body paragraph of ``w`` longer than the cut; returns how many were cut."""
    hc = w.story.heading_count
    ref = w.story.paragraphs
    n = 0
    for p in w.paras:
        if p.touched or len(p.refs) != 1 or p.refs[0] < hc:
            continue
        at = rng.randint(*cut)
        if len(p.text) < at + 8:
            continue
        marker = rng.choice(PREVIEW_MARKERS) or broken_character(p.text[at])
        head, lost = p.text[:at], p.text[at:]
        p.text, p.touched = head + marker, True
        w.damages.append(
            _c._DamageDraft("truncated", p.refs, (ref[p.refs[0]],), [p], survives="head", lost=lost, noise="preview")
        )
        n += 1
    return n


def add_previews(b: _Builder, share: float = PREVIEW_SHARE, cut: tuple[int, int] = PREVIEW_CUT) -> None:
    """Make a share of the damaged copies (at least one in a corpus of ten) into preview copies."""
    rng = b.rng
    damaged = [w for st in b.stories for w in st.witnesses[1:] if w.id not in b.previews]
    chosen = [w for w in damaged if rng.random() < share]
    if not chosen and len(damaged) >= 10:
        chosen = [rng.choice(damaged)]
    for w in chosen:
        if _preview(b, w, cut, rng):
            b.previews.add(w.id)


def lookalike_slip(text: str, rng: random.Random, window: tuple[int, int] = (3, 8)) -> list[_c.Edit]:
    """Edits replacing 2–4 characters inside one short window of ``text`` by look-alikes (none if too few
    characters there have one)."""
    for _ in range(8):
        size = rng.randint(*window)
        if len(text) <= size:
            return []
        at = rng.randrange(len(text) - size)
        able = [k for k in range(at, at + size) if lookalikes(text[k])]
        if len(able) >= 2:
            picks = sorted(rng.sample(able, min(len(able), rng.randint(2, 4))))
            return [_c.Edit(k, text[k], rng.choice(sorted(lookalikes(text[k])))) for k in picks]
    return []


def apply_edits(text: str, edits: list[_c.Edit]) -> str:
    """``text`` with same-length edits applied (look-alike slips never change the length).

    >>> apply_edits("己经", [_c.Edit(0, "己", "已")])
    '已经'
    """
    chars = list(text)
    for e in edits:
        chars[e.offset : e.offset + len(e.ref)] = e.copy
    return "".join(chars)


def add_lookalike_slips(b: _Builder, share: float = LOOKALIKE_SHARE) -> None:
    """Give a share of the damaged copies one OCR look-alike slip in an untouched body paragraph."""
    rng = b.rng
    for st in b.stories:
        for w in st.witnesses[1:]:
            if w.id in b.previews or rng.random() >= share:
                continue
            i = b._pick(w, min_len=16)
            if i is None:
                continue
            p = w.paras[i]
            edits = lookalike_slip(p.text, rng)
            if not edits:
                continue
            original = p.text
            p.text, p.touched = apply_edits(original, edits), True
            w.damages.append(
                _c._DamageDraft("garbled", p.refs, (original,), [p], edits=tuple(edits), noise="lookalike")
            )


def _merge_index(w: _Witness, first: int) -> int | None:
    """Index in ``w.paras`` of untouched reference paragraph ``first`` followed by untouched ``first + 1``."""
    for i in range(len(w.paras) - 1):
        a, c = w.paras[i], w.paras[i + 1]
        if a.refs == (first,) and c.refs == (first + 1,) and not a.touched and not c.touched:
            return i
    return None


def add_shared_merges(b: _Builder, p: float = SHARED_MERGE_P) -> None:
    """In stories of five or more copies, merge one paragraph pair in a minority (≥ 2) of the copies."""
    rng = b.rng
    for st in b.stories:
        n = len(st.witnesses)
        if n < 5 or rng.random() >= p:
            continue
        damaged = [w for w in st.witnesses[1:] if w.id not in b.previews]
        want = (n - 1) // 2
        hc = st.heading_count
        firsts = [
            r for r in range(hc, len(st.paragraphs) - 1) if sum(_merge_index(w, r) is not None for w in damaged) >= want
        ]
        if not firsts or want < 2:
            continue
        first = rng.choice(firsts)
        ref = st.paragraphs
        for w in rng.sample([w for w in damaged if _merge_index(w, first) is not None], want):
            i = _merge_index(w, first)
            assert i is not None  # chosen above
            a, c = w.paras[i], w.paras[i + 1]
            m = _c._Para(a.text + c.text, a.refs + c.refs, touched=True)
            w.paras[i : i + 2] = [m]
            w.damages.append(_c._DamageDraft("merged", m.refs, (ref[first], ref[first + 1]), [m]))
