"""Group: matched paragraphs become passages, and passages that copy the same story become a group.

A group is made of passages (line spans), not files: a page holds several articles, a copy may be partial
or reordered, and a story may jump from one page file to another. The steps:

1. Boilerplate out: a paragraph that turns up in several documents, each time with little else matched
   beside it (a masthead, a slogan, an advert), is not evidence.
2. Passages: in each document, matched paragraphs are chained into passages, tolerating up to ``max_gap``
   unmatched paragraphs (added or garbled ones), and cut at article boundaries: a closing dateline or a
   ``下转`` marker ends one, an ``上接`` marker or a byline starts one, and a gap holding a headline where
   the partner documents change is a new article. A passage then takes in the headline and byline just
   before it and a closing dateline paragraph just after.
3. Links without chaining: two passages are copies of one story only on real evidence: at least two shared
   paragraphs covering ``min_link_share`` of one of them, or one shared paragraph that is most of both.
   One shared slogan does not link two long stories, so it cannot chain them.
4. Jump pages: in a group, a passage that ends at a ``下转`` marker and one in another file that starts at an
   ``上接`` marker are one witness with two segments, in that order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from dedup.arrays import distinct, merge_distinct, run_starts
from dedup.config import GroupConfig
from dedup.group.boilerplate import boilerplate
from dedup.group.components import UnionFind, components
from dedup.match.candidates import Units
from dedup.records import Paragraph, Span


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of paragraphs ``first..last`` (inclusive) of one document."""

    doc: int
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class Witness:
    """One copy of a story: one passage, or two stitched across a page jump (in reading order).

    Attributes:
        id: ``G1.W2`` style identifier.
        passages: the passages, in reading order.
        segments: the passages as raw line spans of their files.
        coverage: share of the story's matched content this copy holds (0-1).
        similarity: exact shingle Jaccard between this copy and the group's reference copy.
    """

    id: str
    passages: tuple[Passage, ...]
    segments: tuple[Span, ...]
    coverage: float
    similarity: float


@dataclass(frozen=True, slots=True)
class Group:
    """Copies of one story: at least two witnesses; ``reference`` is the id of the most complete one."""

    id: str
    witnesses: tuple[Witness, ...]
    reference: str


Key = tuple[int, int]  # (document, paragraph)


class SketchedDocument(NamedTuple):
    """A document as grouping sees it.

    Attributes:
        path: as the user gave it.
        paragraphs: its paragraphs.
        lengths: the content characters of each paragraph.
        digests: the content digest of each heading-like paragraph (0 for the others).
        layout: how the document came (file type, encoding, what normalization undid: OCR wrapping,
            Traditional script, markup): the two pages of one paper's jumped story share it.
    """

    path: str
    paragraphs: Sequence[Paragraph]
    lengths: Sequence[int]
    digests: Sequence[int]
    layout: str = ""


class _Corpus:
    """The documents and units, with the lookups grouping needs made cheap (no scan over all units).

    Paragraphs are also numbered across the corpus (*flat* numbers: a document's paragraphs are consecutive,
    documents in order), so that the matched pairs of a corpus drop, hundreds of thousands of them, are
    handled as arrays.
    """

    def __init__(self, documents: Sequence[SketchedDocument], units: Units) -> None:
        self.documents = documents
        self.units = units
        # Units are in (document, paragraph) order, so each document's units are one contiguous range.
        self.unit_starts = np.searchsorted(units.doc, np.arange(len(documents) + 1), side="left")
        counts = np.fromiter((len(d[1]) for d in documents), dtype=np.int64, count=len(documents))
        self.paragraph_starts = np.zeros(len(documents) + 1, dtype=np.int64)  # document -> its first flat number
        np.cumsum(counts, out=self.paragraph_starts[1:])
        self.paragraph_count = int(self.paragraph_starts[-1])  # in the corpus
        self.doc_of = np.repeat(np.arange(len(documents), dtype=np.int64), counts)
        self.length_of = np.fromiter((n for d in documents for n in d[2]), dtype=np.int64, count=self.paragraph_count)
        self.cumulative_length = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(self.length_of)])

    def paragraph(self, key: Key) -> Paragraph:
        return self.documents[key[0]][1][key[1]]

    def length(self, key: Key) -> int:
        """Content characters (letters and digits) of a paragraph."""
        return self.documents[key[0]][2][key[1]]

    def key(self, flat: int) -> Key:
        """The (document, paragraph) of a flat paragraph number."""
        doc = int(self.doc_of[flat])
        return doc, flat - int(self.paragraph_starts[doc])

    def passage_length(self, passage: Passage) -> int:
        first = int(self.paragraph_starts[passage.doc]) + passage.first
        end = first + passage.last - passage.first + 1
        return int(self.cumulative_length[end] - self.cumulative_length[first]) or 1

    def shingles(self, chain: Sequence[Passage]) -> npt.NDArray[np.uint32]:
        """The union of the shingle sets of a witness's sketched paragraphs."""
        parts: list[npt.NDArray[np.uint32]] = []
        for p in chain:  # a passage's units are consecutive, and so are their sets
            lo, hi = int(self.unit_starts[p.doc]), int(self.unit_starts[p.doc + 1])
            paragraphs = self.units.paragraph[lo:hi]
            first = lo + int(np.searchsorted(paragraphs, p.first, side="left"))
            last = lo + int(np.searchsorted(paragraphs, p.last, side="right"))
            parts.append(self.units.sets[self.units.offsets[first] : self.units.offsets[last]])
        return merge_distinct(parts) if parts else np.zeros(0, dtype=np.uint32)


def paragraph_matches(
    matches: npt.NDArray[np.int64], corpus: _Corpus
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Unit matches as paragraph matches between different documents: flat numbers ``(a, b)`` with
    ``a < b``, each pair once, sorted."""
    if matches.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    flat = corpus.paragraph_starts[corpus.units.doc] + corpus.units.paragraph
    ends = flat[matches]
    low, high = ends.min(axis=1), ends.max(axis=1)
    apart = corpus.doc_of[low] != corpus.doc_of[high]
    total = max(corpus.paragraph_count, 1)
    pairs = distinct(low[apart] * total + high[apart])
    return pairs // total, pairs % total


def _ends_article(p: Paragraph) -> bool:
    return "dateline" in p.hints or "continued_on" in p.hints


def _starts_article(paragraphs: Sequence[Paragraph], k: int) -> bool:
    p = paragraphs[k]
    if "continued_from" in p.hints or "byline" in p.hints:
        return True
    return "headline" in p.hints and k + 1 < len(paragraphs) and "byline" in paragraphs[k + 1].hints


def _continues_run(
    run: list[int],
    k: int,
    following: int | None,
    paragraphs: Sequence[Paragraph],
    lengths: Sequence[int],
    matched: dict[int, set[int]],
    config: GroupConfig,
) -> bool:
    """Whether matched paragraph ``k`` goes on the passage ``run`` (``following``: the next matched one).

    The cheap tests come first: most paragraphs are the next one of the same copy, and the costlier
    questions about the run (is it only headings, who it is matched with) arise only at an article start.
    """
    prev = run[-1]
    if k - prev - 1 > config.max_gap or any(_ends_article(paragraphs[i]) for i in range(prev, k)):
        return False
    shared = bool(matched[prev] & matched[k])
    # Different partners across a headline (in the gap, or the paragraph itself): the next article.
    if not shared and any("headline" in paragraphs[i].hints for i in range(prev + 1, k + 1)):
        return False
    if not any(_starts_article(paragraphs, i) for i in range(prev + 1, k + 1)):
        return True
    # A byline or lead dateline starts an article, but the headline and subtitle above it are that
    # article's: a run of nothing but headings is not cut from the body it heads (an unmatched paragraph
    # between them is one the copy added) ...
    if all(is_heading_like(paragraphs[i], lengths[i], config) for i in run):
        return True
    # ... and so is a paragraph or two that a copy moved up above the lead, matched in the same copies ...
    if len(run) <= 2 and shared:
        return True
    # ... and a lead that a copy moved to its very end (nothing matched follows it), matched only in
    # documents that the paragraphs before it are matched in too, ends the story it leads.
    final = following is None or following - k - 1 > config.max_gap
    return final and matched[k] <= set().union(*(matched[i] for i in run))


def passages_of(
    doc: int,
    paragraphs: Sequence[Paragraph],
    lengths: Sequence[int],
    matched: dict[int, set[int]],
    config: GroupConfig,
    noise: frozenset[int] = frozenset(),
    headings: Headings | None = None,
    jumps: tuple[set[int], set[int]] = (set(), set()),
) -> list[Passage]:
    """Chain one document's matched paragraphs into passages (see the module docstring, step 2).

    Args:
        doc: the document's index.
        paragraphs: its paragraphs.
        lengths: content characters of each paragraph.
        matched: paragraph index -> the other documents it matches.
        config: grouping settings.
        noise: paragraphs found to be boilerplate: never taken in as a passage's heading (a one-line
            "扫描二维码…" above a headline reads like a title, but belongs to no story).
        headings: the heading-like lines of the corpus, to tell a line that every page repeats (a breadcrumb
            such as ``首页 > 时政频道 > 正文``, too short to be sketched), where taking in headings stops, from
            this story's own headline printed in its other copies, which is taken in even above an added
            paragraph.
        jumps: the documents that hold a ``下转`` marker, and those that hold an ``上接`` marker.
    """
    indexes = sorted(matched)
    runs: list[list[int]] = []
    for pos, k in enumerate(indexes):
        if runs and _continues_run(
            runs[-1], k, indexes[pos + 1] if pos + 1 < len(indexes) else None, paragraphs, lengths, matched, config
        ):
            runs[-1].append(k)
        else:
            runs.append([k])

    runs = [part for run in runs for part in _split_glued(run, matched, jumps)]
    passages: list[Passage] = []
    taken = {k for run in runs for k in run}
    for r, run in enumerate(runs):
        first, last = run[0], run[-1]
        floor = runs[r - 1][-1] + 1 if r else 0
        while (
            first - 1 >= floor
            and run[0] - (first - 1) <= config.max_heading_paragraphs
            and "continued_from" not in paragraphs[first].hints
            and (first - 1) not in taken
            and (first - 1) not in noise
            and is_heading_like(paragraphs[first - 1], lengths[first - 1], config)
            and not (
                headings is not None and headings.repeated(doc, first - 1, set().union(*(matched[k] for k in run)))
            )
            and not _ends_article(paragraphs[first - 1])
        ):
            first -= 1
        for k in range(first - 1, max(floor, first - 1 - config.max_gap) - 1, -1):
            # a continuation's first lines (``（上接1版）为了扩大…``), too short to match, start it
            if k in taken or k in noise or _ends_article(paragraphs[k]):
                break
            if "continued_from" in paragraphs[k].hints:
                first = k
                break
        if headings is not None:  # the story's own headline, above a paragraph the copy added under it
            partner_docs = set().union(*(matched[k] for k in run))
            for k in range(first - 2, max(floor, first - 1 - config.max_gap - 1) - 1, -1):
                if k in taken or k in noise or _ends_article(paragraphs[k]):
                    break
                if headings.shared(doc, k, partner_docs):
                    first = k
        ceiling = runs[r + 1][0] - 1 if r + 1 < len(runs) else len(paragraphs) - 1
        if not _ends_article(paragraphs[last]):
            for k in range(last + 1, min(ceiling, last + config.max_gap) + 1):
                if _starts_article(paragraphs, k):
                    break
                if _ends_article(paragraphs[k]):
                    last = k
                    break
        passages.append(Passage(doc, first, last))
    return passages


class Headings:
    """The heading-like lines of a corpus (by :func:`~dedup.match.fingerprint.content_digest`), to tell a story's
    own headline from a line that stands above every story of a site."""

    def __init__(self, documents: Sequence[SketchedDocument]) -> None:
        self.documents = documents
        self.docs_of: dict[int, set[int]] = defaultdict(set)
        for d, document in enumerate(documents):
            for p, digest in zip(document[1], document[3], strict=True):
                if digest and "byline" not in p.hints:  # a reporter's byline heads many stories, rightly
                    self.docs_of[digest].add(d)

    def _others(self, doc: int, k: int) -> set[int]:
        digest = self.documents[doc][3][k]
        return self.docs_of.get(digest, set()) - {doc} if digest else set()

    def repeated(self, doc: int, k: int, partners: set[int]) -> bool:
        """Line ``k`` of ``doc`` stands word for word above stories of two documents or more beyond the
        ``partners`` (the documents this passage's story is matched in)."""
        return len(self._others(doc, k) - partners) >= 2

    def heads(self, key: Key, docs: set[int], config: GroupConfig) -> bool:
        """A headline printed in ``docs`` (and hardly anywhere else) stands above paragraph ``key``,
        directly or over heading-like lines and lines of the same block."""
        d, k = key
        paragraphs, lengths = self.documents[d][1], self.documents[d][2]
        for i in range(k - 1, max(-1, k - 1 - 2 * config.max_heading_paragraphs), -1):
            if self.documents[d][3][i] and "headline" in paragraphs[i].hints and self.shared(d, i, docs):
                return True
            if not is_heading_like(paragraphs[i], lengths[i], config) and lengths[i] > 2 * config.heading_chars:
                return False
        return False

    def shared(self, doc: int, k: int, partners: set[int]) -> bool:
        """Line ``k`` of ``doc`` is printed in a partner document too (the story's headline), and is no
        line that every page repeats."""
        others = self._others(doc, k)
        return bool(others & partners) and len(others - partners) < 2


def _split_glued(
    run: list[int], matched: dict[int, set[int]], jumps: tuple[set[int], set[int]] = (set(), set())
) -> list[list[int]]:
    """Cut a run where two stories meet with nothing between them (a web page that glued the second
    headline to its body): no document matched before the cut matches after it.

    Each side must hold two matched paragraphs or more, and, unless the paragraphs touch, each must be
    matched by two documents or more: a copy whose only partners are two excerpts, one of its first half
    and one of its second, stays whole. So does a copy whose first half is matched by a page that jumps
    (``下转``) and its second half by a page that continues one (``上接``): the two halves of one printed copy.
    """
    if len(run) < 4:
        return [run]
    n = len(run)
    before: list[set[int]] = []
    seen: set[int] = set()
    for k in run:
        seen = seen | matched[k]
        before.append(seen)
    after: list[set[int]] = [set()] * n
    seen = set()
    for i in range(n - 1, -1, -1):
        seen = seen | matched[run[i]]
        after[i] = seen
    for i in range(2, n - 1):
        left, right = before[i - 1], after[i]
        touching = run[i] == run[i - 1] + 1
        jumped = bool(left & jumps[0]) and bool(right & jumps[1])
        if not (left & right) and not jumped and (touching or (len(left) >= 2 and len(right) >= 2)):
            return [run[:i], *_split_glued(run[i:], matched, jumps)]
    return [run]


def is_heading_like(p: Paragraph, length: int, config: GroupConfig) -> bool:
    """A headline, a byline, or a line too short to be sketched: what stands above an article's body."""
    return bool(p.hints & {"headline", "byline"}) or length < config.heading_chars


@dataclass(frozen=True, slots=True)
class Grouping:
    """The groups of a corpus, with the passages they were made from (kept for collation)."""

    groups: tuple[Group, ...]
    boilerplate: frozenset[Key]


def group(
    documents: Sequence[SketchedDocument],
    units: Units,
    matches: npt.NDArray[np.int64],
    config: GroupConfig,
    near: npt.NDArray[np.bool_] | None = None,
) -> Grouping:
    """Groups of passages that copy the same story (see the module docstring).

    Args:
        documents: ``(path, paragraphs, content lengths, heading digests)`` of each document, in the order
            units refer to them.
        units: the sketched units.
        matches: accepted unit pairs.
        config: grouping settings.
        near: for each match, whether its units are near-identical (Jaccard at ``min_jaccard`` or more) rather
            than one contained in the other; only those make families of boilerplate (all, if not given).
    """
    corpus = _Corpus(documents, units)
    a, b = paragraph_matches(matches, corpus)
    same = (a, b) if near is None else paragraph_matches(matches[near], corpus)
    headings = Headings(documents)
    not_evidence = boilerplate(
        *same, corpus.doc_of, corpus.length_of, config, lambda p, docs: headings.heads(corpus.key(p), docs, config)
    )
    is_boilerplate = np.zeros(corpus.paragraph_count, dtype=np.bool_)
    is_boilerplate[not_evidence] = True
    evidence = ~(is_boilerplate[a] | is_boilerplate[b])
    a, b = a[evidence], b[evidence]

    boilerplate_in: dict[int, set[int]] = defaultdict(set)  # document -> its boilerplate paragraphs
    for d, k in map(corpus.key, not_evidence.tolist()):
        boilerplate_in[d].add(k)
    jumps: tuple[set[int], set[int]] = (set(), set())
    for d, document in enumerate(documents):
        for p in document[1]:
            if "continued_on" in p.hints:
                jumps[0].add(d)
            if "continued_from" in p.hints:
                jumps[1].add(d)

    passages: list[Passage] = []
    where = np.full(corpus.paragraph_count, -1, dtype=np.int64)  # flat paragraph -> its passage
    for d, matched in _partners(a, b, corpus).items():
        paragraphs, lengths = documents[d][1], documents[d][2]
        noise = frozenset(boilerplate_in[d])
        for passage in passages_of(d, paragraphs, lengths, matched, config, noise, headings, jumps):
            first = int(corpus.paragraph_starts[d])
            where[first + passage.first : first + passage.last + 1] = len(passages)
            passages.append(passage)

    def jump_half(p: Passage) -> bool:
        paragraphs = documents[p.doc][1]
        return "continued_from" in paragraphs[p.first].hints or "continued_on" in paragraphs[p.last].hints

    links = _links(a, b, where, passages, corpus)
    # Either half of a story cut by a page jump ("…（下转第3版）", "（上接1版）…") is often a paragraph or
    # two, a small part of a whole copy: it says itself that it is part of a story, so matching most of
    # itself is enough.
    jumped = np.fromiter((jump_half(p) for p in passages), dtype=np.bool_, count=len(passages))
    share = config.min_link_share
    several = (links.left_count >= 2) & (links.right_count >= 2)
    several &= np.maximum(links.left_share, links.right_share) >= share
    whole = np.minimum(links.left_share, links.right_share) >= share
    continues = (jumped[links.low] & (links.left_share >= share)) | (jumped[links.high] & (links.right_share >= share))
    linked = several | whole | continues
    uf = UnionFind.from_labels(components(len(passages), links.low[linked], links.high[linked]))
    _join_pieces(passages, links.low.tolist(), links.high.tolist(), uf, 2 * config.max_gap + 2)

    root = np.fromiter((uf.find(i) for i in range(len(passages))), dtype=np.int64, count=len(passages))
    members: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(root.tolist()):
        members[r].append(i)
    # a story's paragraphs across its copies: near-identical ones are one family (matched in one group)
    within = root[where[a]] == root[where[b]]
    family_of = components(corpus.paragraph_count, a[within], b[within])
    group_of = np.append(root, -1)[where]  # flat paragraph -> its passage's group (-1: in no passage)

    bare = _bare_heads(documents, config, where, corpus)
    groups: list[Group] = []
    for indexes in sorted(members.values(), key=min):
        joined = _join_cut_copies([passages[i] for i in indexes], config)
        family = _families(joined, family_of, corpus, group_of, int(root[indexes[0]]))
        chains = _stitch(joined, documents, family)
        chains = _attach_bare_heads(chains, bare, documents)
        if len(chains) < 2:
            continue
        for chain in chains:  # a bare head's lines were matched nowhere: each is a family of its own
            for part in chain:
                for k in range(part.first, part.last + 1):
                    family.setdefault((part.doc, k), -1 - len(family))
        gid = f"G{len(groups) + 1}"
        groups.append(_make_group(gid, chains, family, corpus))
    return Grouping(tuple(groups), frozenset(map(corpus.key, not_evidence.tolist())))


def _partners(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], corpus: _Corpus) -> dict[int, dict[int, set[int]]]:
    """For each document with matched paragraphs (in document order): paragraph -> the other documents it
    matches."""
    out: dict[int, dict[int, set[int]]] = defaultdict(dict)
    if not a.size:
        return out
    documents = len(corpus.documents)
    pairs = distinct(np.concatenate([a * documents + corpus.doc_of[b], b * documents + corpus.doc_of[a]]))
    paragraph, partner = pairs // documents, (pairs % documents).tolist()
    starts = np.flatnonzero(run_starts(paragraph))
    ends = np.r_[starts[1:], pairs.size].tolist()
    for flat, start, end in zip(paragraph[starts].tolist(), starts.tolist(), ends, strict=True):
        d, k = corpus.key(flat)
        out[d][k] = set(partner[start:end])
    return out


class _Links(NamedTuple):
    """Pairs of passages (``low < high``) that share matched paragraphs, in order, with the share of each
    one's content those paragraphs make up (``left_share`` of the low passage, ``right_share`` of the high
    one) and how many they are on each side."""

    low: npt.NDArray[np.int64]
    high: npt.NDArray[np.int64]
    left_share: npt.NDArray[np.float64]
    right_share: npt.NDArray[np.float64]
    left_count: npt.NDArray[np.int64]
    right_count: npt.NDArray[np.int64]


def _links(
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    where: npt.NDArray[np.int64],
    passages: Sequence[Passage],
    corpus: _Corpus,
) -> _Links:
    """The links between passages that the matched paragraph pairs ``(a, b)`` make (``where``: flat
    paragraph -> its passage). Pairs of passages and (link, paragraph) pairs are packed into one int64 each
    (``low * passages + high``, ``link * paragraphs + paragraph``: under 2**63 for any corpus that fits in
    memory) so that counting distinct paragraphs per link is a sort."""
    pa, pb = where[a], where[b]
    swap = pa > pb
    low, high = np.where(swap, pb, pa), np.where(swap, pa, pb)
    low_paragraph, high_paragraph = np.where(swap, b, a), np.where(swap, a, b)
    width = max(len(passages), 1)
    link_codes, link = np.unique(low * width + high, return_inverse=True)
    total = max(corpus.paragraph_count, 1)

    def side(paragraph: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Content characters and number of the distinct paragraphs on one side of each link."""
        distinct_pairs = distinct(link * total + paragraph)
        of_link = distinct_pairs // total
        chars = np.bincount(of_link, weights=corpus.length_of[distinct_pairs % total], minlength=link_codes.size)
        return chars.astype(np.int64), np.bincount(of_link, minlength=link_codes.size)

    left_chars, left_count = side(low_paragraph)
    right_chars, right_count = side(high_paragraph)
    low_u, high_u = link_codes // width, link_codes % width
    length = np.fromiter((corpus.passage_length(p) for p in passages), dtype=np.int64, count=len(passages))
    return _Links(low_u, high_u, left_chars / length[low_u], right_chars / length[high_u], left_count, right_count)


def _join_pieces(passages: Sequence[Passage], low: list[int], high: list[int], uf: UnionFind, near: int) -> None:
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


def _families(
    passages: Sequence[Passage],
    family_of: npt.NDArray[np.int64],
    corpus: _Corpus,
    group_of: npt.NDArray[np.int64],
    group: int,
) -> dict[Key, int]:
    """The story's paragraphs: every paragraph of the passages, labelled by its family of near-identical
    paragraphs across the group's copies (an unmatched paragraph is a family of its own).

    ``family_of`` labels each paragraph by the smallest flat number of its family (matches within one
    group only); ``group_of[flat]`` is the group of the paragraph's passage (-1 for none). A joined copy can
    span another group's paragraphs (a boxed story printed inside this one): those are families of their
    own here, labelled by their own flat number, which no family label of this group can be.
    """
    out: dict[Key, int] = {}
    for p in passages:
        first = int(corpus.paragraph_starts[p.doc]) + p.first
        end = first + p.last - p.first + 1
        labels = np.where(group_of[first:end] == group, family_of[first:end], np.arange(first, end))
        for k, f in enumerate(labels.tolist(), start=p.first):
            out[(p.doc, k)] = f
    return out


def _join_cut_copies(passages: list[Passage], config: GroupConfig) -> list[Passage]:
    """Passages of one document in one group are one copy cut in pieces (at a damaged or missing paragraph),
    unless they stand far apart: join those within ``2 * max_gap + 2`` paragraphs of each other."""
    out: list[Passage] = []
    for passage in sorted(passages, key=lambda p: (p.doc, p.first)):
        if out and out[-1].doc == passage.doc and passage.first - out[-1].last - 1 <= 2 * config.max_gap + 2:
            out[-1] = Passage(passage.doc, out[-1].first, max(out[-1].last, passage.last))
        else:
            out.append(passage)
    return out


def _stitch(
    passages: list[Passage], documents: Sequence[SketchedDocument], family: dict[Key, int]
) -> list[list[Passage]]:
    """Pair each passage that ends at a ``下转`` marker with one in another file that starts at ``上接``.

    With several jumped copies in a group, a head is paired with the tail that takes the story up where the
    head leaves it: placed on the paragraphs of the group's most complete unjumped copy, the tail should
    begin just after the head ends and overlap it nowhere. (Page numbers cannot decide it: a head names the
    tail's page and a tail the head's, but no file says which page it is.)
    """
    heads = [p for p in passages if "continued_on" in documents[p.doc][1][p.last].hints]
    tails = [p for p in passages if "continued_from" in documents[p.doc][1][p.first].hints]
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
        overlap = max(0, h[1] - t[0] + 1)
        return 100 * overlap + 2 * abs(t[0] - h[1] - 1) + unlike

    options = sorted(
        ((cost(h, t), i, j) for i, h in enumerate(heads) for j, t in enumerate(tails) if t.doc != h.doc),
        key=lambda option: option,
    )
    chains: list[list[Passage]] = []
    used: set[Passage] = set()
    for _, i, j in options:
        head, tail = heads[i], tails[j]
        if head not in used and tail not in used:
            chains.append([head, tail])
            used.update((head, tail))
    chains.extend([p] for p in passages if p not in used)
    chains.sort(key=lambda chain: (chain[0].doc, chain[0].first))
    return chains


def _bare_heads(
    documents: Sequence[SketchedDocument], config: GroupConfig, where: npt.NDArray[np.int64], corpus: _Corpus
) -> dict[int, list[Passage]]:
    """Front-page teasers: a headline (and byline) followed at once by ``下转`` and nothing of the story, so
    nothing in them can be matched; by the content digest of each of their headlines.

    Only the markers and the headline tie such a head to the rest of its copy, printed on another page.
    """
    out: dict[int, list[Passage]] = defaultdict(list)
    for d, (_, paragraphs, lengths, digests, _) in enumerate(documents):
        placed = where[corpus.paragraph_starts[d] : corpus.paragraph_starts[d + 1]] >= 0  # in a passage
        for k, p in enumerate(paragraphs):
            if "continued_on" not in p.hints or placed[k]:
                continue
            first = k
            while (
                first - 1 >= 0
                and k - (first - 1) < config.max_heading_paragraphs
                and not placed[first - 1]
                and is_heading_like(paragraphs[first - 1], lengths[first - 1], config)
                and not _ends_article(paragraphs[first - 1])
            ):
                first -= 1
            if not all(is_heading_like(paragraphs[i], lengths[i], config) for i in range(first, k + 1)):
                continue  # a head with a body of its own would have been matched
            for i in range(first, k + 1):
                if digests[i] and "headline" in paragraphs[i].hints:
                    out[digests[i]].append(Passage(d, first, k))
    return out


def _attach_bare_heads(
    chains: list[list[Passage]], bare: dict[int, list[Passage]], documents: Sequence[SketchedDocument]
) -> list[list[Passage]]:
    """Give each tail (``上接…``) left without a head the bare head (:func:`_bare_heads`) in another file
    that prints a headline of this group's copies."""
    if not bare:
        return chains
    tails = [c for c in chains if len(c) == 1 and "continued_from" in documents[c[0].doc][1][c[0].first].hints]
    if not tails:
        return chains
    headlines = {
        documents[p.doc][3][k]
        for chain in chains
        for p in chain
        for k in range(p.first, p.last + 1)
        if documents[p.doc][3][k] and "headline" in documents[p.doc][1][k].hints
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


def _common(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> int:
    """How many values two sorted arrays of unique values share.

    >>> _common(np.array([1, 3, 5], dtype=np.uint32), np.array([3, 4, 5, 6], dtype=np.uint32))
    2
    """
    if not a.size or not b.size:
        return 0
    at = np.searchsorted(b, a)
    found = at < b.size
    return int(np.count_nonzero(b[at[found]] == a[found]))


def _make_group(gid: str, chains: list[list[Passage]], family: dict[Key, int], corpus: _Corpus) -> Group:
    """A group's witnesses with their coverage of the story and similarity to the most complete copy."""
    family_size: dict[int, int] = defaultdict(int)
    for key, f in family.items():
        family_size[f] = max(family_size[f], corpus.length(key))
    story = sum(family_size.values()) or 1

    coverages: list[float] = []
    sizes: list[int] = []
    for chain in chains:
        families = {family[(p.doc, k)] for p in chain for k in range(p.first, p.last + 1)}
        coverages.append(sum(family_size[f] for f in families) / story)
        sizes.append(sum(corpus.passage_length(p) for p in chain))
    reference = max(range(len(chains)), key=lambda i: (coverages[i], sizes[i]))
    reference_set = corpus.shingles(chains[reference])

    witnesses: list[Witness] = []
    for i, chain in enumerate(chains):
        segments = tuple(
            Span(
                corpus.documents[p.doc][0],
                corpus.paragraph((p.doc, p.first)).start_line,
                corpus.paragraph((p.doc, p.last)).end_line,
            )
            for p in chain
        )
        chain_set = corpus.shingles(chain)
        common = _common(chain_set, reference_set)
        union = chain_set.size + reference_set.size - common
        witnesses.append(
            Witness(f"{gid}.W{i + 1}", tuple(chain), segments, round(coverages[i], 3), round(common / max(union, 1), 3))
        )
    return Group(gid, tuple(witnesses), witnesses[reference].id)
