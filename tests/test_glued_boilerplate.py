"""Boilerplate glued to a story's sentence on a flattened page (issue 11: stories chained through a footer).

A flattened page is cut into sentence units at sentence ends; a story's last sentence that a preview cut
short (no full stop) runs on into the site footer's first sentence, and the two make one unit, near both the
story's sentence elsewhere and the footer on other pages. Run through the real stages on files on disk, from
the project's own People's Daily text (``tests/corpora.py``).
"""

from __future__ import annotations

from pathlib import Path

import dedup
from dedup.segment import split_sentences

from .corpora import story

FOOTER = (
    "声明：本文由北方汽车频道转载，仅代表作者观点，不代表北方网立场。如有侵权，请联系010-73538286删除。责任编辑：赵磊"
)


def _corpus(tmp_path: Path, *, glued: bool) -> None:
    """A story in three paged copies and on a flattened page that ends in a site's footer, and three pages of
    stories printed nowhere else with the same footer: two flattened, one with the footer on a line of its
    own (which holds both of the footer's sentences). With ``glued``, the reprint's flattened page cuts the
    story's last sentence short, so that it and the footer's first sentence are one unit; the paged copies
    print that sentence as a paragraph of its own."""
    paragraphs = story(30, 6)
    last = next(s for s in split_sentences(paragraphs[-1]) if len(s) >= 30)
    paragraphs = [*paragraphs[:-1], last]
    for name in ("wire_a.txt", "wire_b.txt", "wire_c.txt"):
        (tmp_path / name).write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    ending = last[: len(last) * 2 // 3] if glued else last
    (tmp_path / "reprint.txt").write_text("".join(paragraphs[:-1]) + ending + FOOTER + "\n", encoding="utf-8")
    for n, glue in enumerate(("", "", "\n")):
        (tmp_path / f"alone{n}.txt").write_text("".join(story(40 + n, 6)) + glue + FOOTER + "\n", encoding="utf-8")


def _groups(tmp_path: Path) -> list[list[str]]:
    result = dedup.scan([str(tmp_path)], dedup.Config())
    return sorted(sorted({Path(s.path).name for w in g.witnesses for s in w.segments}) for g in result.groups)


def test_a_footer_glued_to_a_cut_sentence_stays_boilerplate(tmp_path: Path) -> None:
    """The unit that glues the story's sentence to the footer's makes no family: the footer is still
    boilerplate, so the pages that share only the footer stay apart, and the reprint joins its story."""
    _corpus(tmp_path, glued=True)
    assert _groups(tmp_path) == [["reprint.txt", "wire_a.txt", "wire_b.txt", "wire_c.txt"]]


def test_a_footer_printed_whole_on_one_page_and_cut_on_others_is_boilerplate(tmp_path: Path) -> None:
    """The footer on a line of its own is one paragraph whose two sentences are two units on the flattened
    pages: the two parts come together there, so it is one text, not two glued, and links nothing."""
    _corpus(tmp_path, glued=False)
    assert _groups(tmp_path) == [["reprint.txt", "wire_a.txt", "wire_b.txt", "wire_c.txt"]]
