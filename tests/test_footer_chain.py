"""A site footer glued on the line of flattened pages does not chain their stories into one group (issue 11).

On a flattened page every sentence is a unit, and a sentence near the end of the story is sketched with the
sentences after it on the line (a window), which run on into the site's footer. Two pages of one site printing
different stories then match window to window on the footer alone; each such match belonged to a story
sentence, no boilerplate, and a page's last sentences linked to every other story the site printed (corpus
seed 10: 215 false pairs, seven stories in two groups). Run through the real stages on files on disk, from the
project's own People's Daily text (``tests/corpora.py``).
"""

from __future__ import annotations

from pathlib import Path

import dedup

from .corpora import FOOTERS, footer_pages


def test_pages_that_share_only_a_footer_are_not_linked(tmp_path: Path) -> None:
    """Each story is one group of its two copies: the footer the site's pages share links none of them."""
    files = footer_pages(tmp_path)
    result = dedup.scan([str(tmp_path)], dedup.Config())
    groups = sorted(sorted({Path(s.path).name for w in g.witnesses for s in w.segments}) for g in result.groups)
    assert groups == sorted(files.values())


def test_a_flat_copy_keeps_its_last_sentences_before_the_footer(tmp_path: Path) -> None:
    """The short sentences that close each flattened copy matched nothing but the footer (through their
    windows); still they are the story's end, printed before the footer: each copy's witness runs to the
    footer and stops there."""
    footer_pages(tmp_path)
    result = dedup.scan([str(tmp_path)], dedup.Config())
    ends = {}
    for g in result.groups:
        for w in g.witnesses:
            for s in w.segments:
                ends[Path(s.path).name] = s.end_char
    for name, end in sorted(ends.items()):
        text = (tmp_path / name).read_text(encoding="utf-8")
        footer = next(f for f in FOOTERS if f in text)
        assert end == text.index(footer) - 1, name  # the story's last full stop, then the space and the footer
