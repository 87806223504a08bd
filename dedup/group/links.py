"""Links: the evidence that two passages copy one story, from the paragraphs they share.

Two passages are copies of one story only on real evidence: at least two shared paragraphs covering
``min_link_share`` of one of them, or one shared paragraph that is most of both (one shared slogan does not
link two long stories, so it cannot chain them), or either half of a story cut by a page jump matching most
of itself.

Every value of a link depends only on the matched paragraph pairs between its two passages, which lie in one
pair of documents: :func:`links` gives the same row for a link whether it is given the matches of that one
document pair or of the whole corpus. The embedded engine calls it once over the corpus; a distributed engine
(Spark, a later issue) calls the same functions per document pair and unions the rows. :func:`linked` then
decides each link from its row alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup.arrays import distinct, distinct_in_place
from dedup.config import GroupConfig
from dedup.group.components import UnionFind
from dedup.group.corpus import Corpus
from dedup.results import Passage


@dataclass(frozen=True, slots=True)
class Links:
    """Pairs of passages (``low < high``) that share matched paragraphs, in order, with the share of each
    one's content those paragraphs make up (``left_share`` of the low passage, ``right_share`` of the high
    one) and how many they are on each side: one row per link, as arrays (a corpus has millions)."""

    low: npt.NDArray[np.int64]
    high: npt.NDArray[np.int64]
    left_share: npt.NDArray[np.float64]
    right_share: npt.NDArray[np.float64]
    left_count: npt.NDArray[np.int64]
    right_count: npt.NDArray[np.int64]


def links(
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    where: npt.NDArray[np.int64],
    passages: Sequence[Passage],
    corpus: Corpus,
) -> Links:
    """The links between passages that the matched paragraph pairs ``(a, b)`` make (``where``: flat
    paragraph -> its passage). Pairs of passages and (link, paragraph) pairs are packed into one int64 each
    (``low * passages + high``, ``link * paragraphs + paragraph``: under 2**63 for any corpus that fits in
    memory) so that counting distinct paragraphs per link is a sort.

    Each array here has an entry a paragraph pair (tens of millions at scale), so each is made in place
    where it can be, and links are numbered by a sort and a binary search, not ``np.unique``'s inverse (whose
    temporaries were grouping's high-water mark at 100,000 articles, memray)."""
    pa, pb = where[a], where[b]
    swap = pa > pb
    low_paragraph, high_paragraph = np.where(swap, b, a), np.where(swap, a, b)
    del swap
    width = max(len(passages), 1)
    codes = np.minimum(pa, pb)
    codes *= width
    np.maximum(pa, pb, out=pa)
    codes += pa
    del pa, pb
    link_codes = distinct(codes)
    link = np.searchsorted(link_codes, codes)
    del codes
    total = max(corpus.paragraph_count, 1)

    def side(
        link: npt.NDArray[np.int64], paragraph: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Content characters and number of the distinct paragraphs on one side of each link."""
        pair_codes = link * total
        pair_codes += paragraph
        distinct_pairs = distinct_in_place(pair_codes)
        del pair_codes
        of_link = distinct_pairs // total
        chars = np.bincount(of_link, weights=corpus.length_of[distinct_pairs % total], minlength=link_codes.size)
        return chars.astype(np.int64), np.bincount(of_link, minlength=link_codes.size)

    left_chars, left_count = side(link, low_paragraph)
    del low_paragraph
    right_chars, right_count = side(link, high_paragraph)
    del high_paragraph, link
    low_u, high_u = link_codes // width, link_codes % width
    length = np.fromiter((corpus.passage_length(p) for p in passages), dtype=np.int64, count=len(passages))
    return Links(low_u, high_u, left_chars / length[low_u], right_chars / length[high_u], left_count, right_count)


def linked(links: Links, jumped: npt.NDArray[np.bool_], config: GroupConfig) -> npt.NDArray[np.bool_]:
    """Which links are evidence that their two passages copy one story (see the module docstring);
    ``jumped[i]``: passage ``i`` is one half of a story cut by a page jump."""
    # Either half of a story cut by a page jump ("…（下转第3版）", "（上接1版）…") is often a paragraph or
    # two, a small part of a whole copy: it says itself that it is part of a story, so matching most of
    # itself is enough.
    share = config.min_link_share
    several = (links.left_count >= 2) & (links.right_count >= 2)
    several &= np.maximum(links.left_share, links.right_share) >= share
    whole = np.minimum(links.left_share, links.right_share) >= share
    continues = (jumped[links.low] & (links.left_share >= share)) | (jumped[links.high] & (links.right_share >= share))
    linked: npt.NDArray[np.bool_] = several | whole | continues
    return linked


def join_pieces(passages: Sequence[Passage], low: list[int], high: list[int], uf: UnionFind, near: int) -> None:
    """Link a passage that is linked to nothing to the group of a passage it shares a paragraph with, when
    that group already holds a passage of its own document within ``near`` paragraphs: it is a piece of
    that copy, cut off by paragraphs no other input holds (a copy that scatters a story's paragraphs, read
    beside a copy of only part of the story). ``low[i]``, ``high[i]``: the passages that share paragraphs,
    in that (sorted) order, which decides between two groups a piece could join: the first link wins.
    """
    size: dict[int, int] = defaultdict(int)
    for i in range(len(passages)):
        size[uf.find(i)] += 1
    # only a passage alone can join, and none is alone again once joined: the pairs with one alone
    alone_at_first = {i for i in range(len(passages)) if size[uf.find(i)] == 1}
    shared = [(pa, pb) for pa, pb in zip(low, high, strict=True) if pa in alone_at_first or pb in alone_at_first]
    in_doc: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(passages):
        in_doc[p.doc].append(i)
    changed = True
    while changed:  # a piece joined may bring the next piece within reach
        changed = False
        for pa, pb in shared:
            for alone, other in ((pa, pb), (pb, pa)):
                if size[uf.find(alone)] != 1:
                    continue
                piece = passages[alone]
                group = uf.find(other)
                if any(
                    uf.find(j) == group
                    and j != alone
                    and min(abs(passages[j].first - piece.last), abs(piece.first - passages[j].last)) <= near
                    for j in in_doc[piece.doc]
                ):
                    total = size[group] + 1
                    uf.union(alone, other)
                    size[uf.find(alone)] = total
                    changed = True
                    break
