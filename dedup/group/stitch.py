"""Stitching: the pieces of one copy put together, in reading order.

A copy cut in pieces in one document (at a damaged or missing paragraph) is joined; a story that jumps pages
(``…（下转第3版）`` on one page, ``（上接1版）…`` on another) is one witness of two segments, the passage that
ends at the ``下转`` marker first; and a front-page teaser (a headline and ``下转``, nothing of the story) is
put before the tail it announces.

These work on one connected component of linked passages (one story) at a time: pure functions of the
component and the documents, which the embedded engine and a distributed engine (Spark, a later issue) call
alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from dedup.config import GroupConfig
from dedup.group.corpus import Corpus, GroupedDocument, Key
from dedup.group.headings import is_heading_like
from dedup.group.passages import ends_article
from dedup.records import paragraph_hints
from dedup.results import Passage


def join_cut_copies(passages: list[Passage], config: GroupConfig) -> list[Passage]:
    """Passages of one document in one group are one copy cut in pieces (at a damaged or missing paragraph),
    unless they stand far apart: join those within ``2 * max_gap + 2`` paragraphs of each other."""
    out: list[Passage] = []
    for passage in sorted(passages, key=lambda p: (p.doc, p.first)):
        if out and out[-1].doc == passage.doc and passage.first - out[-1].last - 1 <= 2 * config.max_gap + 2:
            out[-1] = Passage(passage.doc, out[-1].first, max(out[-1].last, passage.last))
        else:
            out.append(passage)
    return out


def stitch(
    passages: list[Passage], documents: Sequence[GroupedDocument], family: dict[Key, int]
) -> list[list[Passage]]:
    """Pair each passage that ends at a ``下转`` marker with one in another file that starts at ``上接``.

    With several jumped copies in a group, a head is paired with the tail that takes the story up where the
    head leaves it: placed on the paragraphs of the group's most complete unjumped copy, the tail should
    begin just after the head ends and overlap it nowhere. (Page numbers cannot decide it: a head names the
    tail's page and a tail the head's, but no file says which page it is.)
    """
    heads = [p for p in passages if "continued_on" in documents[p.doc].paragraphs[p.last].hints]
    tails = [p for p in passages if "continued_from" in documents[p.doc].paragraphs[p.first].hints]
    whole = [p for p in passages if p not in heads and p not in tails] or passages

    def families_of(p: Passage) -> list[int]:
        return [family[(p.doc, k)] for k in range(p.first, p.last + 1)]

    base = max(whole, key=lambda p: (len(set(families_of(p))), -p.doc))
    position: dict[int, int] = {}
    for k, f in enumerate(families_of(base)):
        position.setdefault(f, k)

    def placed(p: Passage) -> tuple[int, int] | None:
        found = [position[f] for f in families_of(p) if f in position]
        return (min(found), max(found)) if found else None

    def cost(head: Passage, tail: Passage) -> int:
        # (between pairings that fit equally, the two pages of one paper come alike: OCR'd alike, same script)
        unlike = int(documents[head.doc].layout != documents[tail.doc].layout)
        h, t = placed(head), placed(tail)
        if h is None or t is None:
            return 10_000 + unlike  # nothing to go by: any pairing will do, after the ones that fit
        head_ends, tail_starts = h[1], t[0]  # on the base copy's paragraphs
        # Overlap is what both halves print (a paragraph family in each), not where they lie on the base: a
        # copy that moved a paragraph to its end prints it after the head's last one, and on the base's
        # order that read as an overlap; the other copy's tail was then taken for its own (corpus seed 6).
        overlap = len(set(families_of(head)) & set(families_of(tail)))
        return 100 * overlap + 2 * abs(tail_starts - head_ends - 1) + unlike

    costs = {(i, j): cost(h, t) for i, h in enumerate(heads) for j, t in enumerate(tails) if t.doc != h.doc}
    chains: list[list[Passage]] = []
    used: set[Passage] = set()
    for i, j in _pairing(costs, len(heads)):
        chains.append([heads[i], tails[j]])
        used.update((heads[i], tails[j]))
    chains.extend([p] for p in passages if p not in used)
    chains.sort(key=lambda chain: (chain[0].doc, chain[0].first))
    return chains


_EXACT_PAIRINGS = 36
"""Head-tail pairs up to which the best pairing is searched for whole (a page of a few jumped copies); past
it, the cheapest pairs are taken first."""


def _pairing(costs: dict[tuple[int, int], int], heads: int) -> list[tuple[int, int]]:
    """Pairs ``(head, tail)`` among the allowed ones (``costs``): as many as can be made, and of those the
    pairing of the least total cost.

    Why not the cheapest pair first: a head whose last paragraph the base copy lacks is placed early, and
    looks closest to the tail that follows another head; taken first, that pair left the right tail of the
    other head to the one left over (corpus seed 6: two copies' tails exchanged, each copy's moved or last
    paragraph reported dropped). The whole pairing weighs both.

    >>> _pairing({(0, 0): 4, (0, 1): 102, (1, 0): 2, (1, 1): 4}, 2)
    [(0, 0), (1, 1)]
    """
    if len(costs) > _EXACT_PAIRINGS:
        chosen: list[tuple[int, int]] = []
        heads_used: set[int] = set()
        tails_used: set[int] = set()
        for (i, j), _ in sorted(costs.items(), key=lambda item: (item[1], item[0])):
            if i not in heads_used and j not in tails_used:
                chosen.append((i, j))
                heads_used.add(i)
                tails_used.add(j)
        return sorted(chosen)
    best: tuple[tuple[int, int], list[tuple[int, int]]] = ((0, 0), [])

    def search(i: int, taken: frozenset[int], chosen: list[tuple[int, int]], total: int) -> None:
        nonlocal best
        if i == heads:
            key = (-len(chosen), total)
            if key < best[0]:
                best = (key, list(chosen))
            return
        for (h, j), c in sorted(costs.items()):
            if h == i and j not in taken:
                chosen.append((i, j))
                search(i + 1, taken | {j}, chosen, total + c)
                chosen.pop()
        search(i + 1, taken, chosen, total)

    search(0, frozenset(), [], 0)
    return best[1]


def bare_heads(
    documents: Sequence[GroupedDocument], config: GroupConfig, where: npt.NDArray[np.int64], corpus: Corpus
) -> dict[int, list[Passage]]:
    """Front-page teasers: a headline (and byline) followed at once by ``下转`` and nothing of the story, so
    nothing in them can be matched; by the content digest of each of their headlines.

    Only the markers and the headline tie such a head to the rest of its copy, printed on another page.
    """
    out: dict[int, list[Passage]] = defaultdict(list)
    for d, document in enumerate(documents):
        paragraphs, lengths, digests = document.paragraphs, document.lengths, document.digests
        placed = where[corpus.paragraph_starts[d] : corpus.paragraph_starts[d + 1]] >= 0  # in a passage
        for k, hints in enumerate(paragraph_hints(paragraphs)):
            if "continued_on" not in hints or placed[k]:
                continue
            first = k
            while (
                first - 1 >= 0
                and k - (first - 1) < config.max_heading_paragraphs
                and not placed[first - 1]
                and is_heading_like(paragraphs[first - 1], lengths[first - 1], config)
                and not ends_article(paragraphs[first - 1])
            ):
                first -= 1
            if not all(is_heading_like(paragraphs[i], lengths[i], config) for i in range(first, k + 1)):
                continue  # a head with a body of its own would have been matched
            for i in range(first, k + 1):
                if digests[i] and "headline" in paragraphs[i].hints:
                    out[digests[i]].append(Passage(d, first, k))
    return out


def attach_bare_heads(
    chains: list[list[Passage]], bare: dict[int, list[Passage]], documents: Sequence[GroupedDocument]
) -> list[list[Passage]]:
    """Give each tail (``上接…``) left without a head the bare head (:func:`bare_heads`) in another file
    that prints a headline of this group's copies."""
    if not bare:
        return chains
    tails = [c for c in chains if len(c) == 1 and "continued_from" in documents[c[0].doc].paragraphs[c[0].first].hints]
    if not tails:
        return chains
    headlines = {
        documents[p.doc].digests[k]
        for chain in chains
        for p in chain
        for k in range(p.first, p.last + 1)
        if documents[p.doc].digests[k] and "headline" in documents[p.doc].paragraphs[k].hints
    }
    taken = {p.doc for chain in chains for p in chain}
    heads = [h for digest in sorted(headlines) for h in bare.get(digest, ()) if h.doc not in taken]
    out = list(chains)
    for tail in tails:
        head = next((h for h in heads if h.doc != tail[0].doc), None)
        if head is None:
            break
        heads = [h for h in heads if h.doc != head.doc]
        out[out.index(tail)] = [head, tail[0]]
    out.sort(key=lambda chain: (chain[0].doc, chain[0].first))
    return out
