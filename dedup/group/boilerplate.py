"""Boilerplate: matched paragraphs that are not evidence that two passages copy one story.

A *family* is a set of near-identical paragraphs (connected by matches, which should not hold the matches of a
paragraph contained in a longer one: a slogan glued to the end of a story paragraph would otherwise make one
family of the slogan and the story). A family is boilerplate when it stands in ``standalone_docs`` documents or
more and what comes with it in most of them is small (less than ``boilerplate_block_chars`` with it): a
masthead, an address line, an advert, a slogan block. A reprinted story brings its other paragraphs along,
however many documents reprint it; boilerplate comes alone, each time beside a different story. How often a
paragraph occurs is no evidence either way: a story reprinted by a fifth of a corpus is still a story. Nor is a
brief (a few lines of news under a headline of its own) boilerplate, however short: it stands under a headline
printed in the family's other documents too, and a family headed so in nearly all of its documents is a story.
(A brief reprinted without its headline is still taken for boilerplate.) Nor is a story's headline, printed
with little beside it on pages that jump (``下转``) after the lead's first lines: the body under it, no
boilerplate itself, is printed in the family's other documents too, where a masthead or a footer stands above
a different story on every page. Nor is a family with a line that carries a page-jump marker (``上接1版``), such
as the rest of a sentence that opens the continuation pages of papers that jumped the story at the same place:
the marker says the line is part of a story.

Paragraphs are numbered across the corpus (*flat* numbers: a document's paragraphs are consecutive, documents
in order), so that the families and their company are array operations and one numba kernel: a corpus drop
matches hundreds of thousands of paragraph pairs.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np
import numpy.typing as npt

from dedup.arrays import distinct, distinct_in_place
from dedup.config import GroupConfig
from dedup.group.components import components
from dedup.match.candidates import Units, shared_shingles
from dedup.match.spill import release_mapped

Int64Array = npt.NDArray[np.int64]

WHOLE_COVER = 0.8
"""Share of a unit's shingles a near-identical partner covers from which the two are one text (give or take
damage): two such partners of a unit overlap in most of it, so neither is the other half of a glued text."""
DISJOINT_OVERLAP = 0.2
"""Share of a partner's part of a unit that may also lie in another partner's part while the two parts still
count as different texts glued together (a shingle or two spans the seam)."""


def glued_units(pairs: Int64Array, units: Units, among: npt.NDArray[np.bool_] | None = None) -> npt.NDArray[np.bool_]:
    """Which units are two matched texts glued together: near-identical to a partner in one part of the
    unit and to another partner in a different part.

    A flattened page cuts its line at sentence ends, so a story's sentence that a preview cut short, or that
    lost its full stop, runs on into the site footer's first sentence and the two make one unit. That unit
    is near both the story's sentence (in other copies of the story) and the footer's (on other pages), and
    would make one family of the footer and the story: the footer, in company of a whole story, would not
    be boilerplate, and it would link every page that prints it. Such a unit makes no family.

    Not glued: a unit whose partners all cover most of it (one text however many copies it has); a preview
    cut and the full paragraph (they cover the same part, its head); a paragraph whose two parts another
    document prints as two paragraphs (a merge, or a footer printed on a line of its own on one page and cut
    into sentence units on the next): there the two parts come together, which two texts glued by accident
    never do.

    Args:
        pairs: unit pairs, int64[n, 2].
        units: the sketched units (their shingle sets).
        among: which of ``pairs`` are near-identical (the only ones read); all of them if ``None``.

    Returns:
        For each unit, whether it is glued.
    """
    glued = np.zeros(len(units), dtype=np.bool_)
    if pairs.shape[0] == 0:
        return glued
    # The pairs are tens of millions at scale, and this was grouping's peak: the near-identical ones are
    # told by a mask, not copied out of a corpus's matches, and a pair's two directions (``k`` and ``n + k``
    # of :func:`_partial_units`) are read off ``pairs`` where needed, not written out as arrays.
    pairs = np.ascontiguousarray(pairs, dtype=np.int64)
    among = np.ones(pairs.shape[0], dtype=np.bool_) if among is None else among
    shared = shared_shingles_released(units, pairs, among)
    offsets = units.offsets.astype(np.int64, copy=False)
    starts, order = _partial_units(pairs, among, shared, offsets, len(units), WHOLE_COVER)
    candidates = np.flatnonzero(np.diff(starts))
    if candidates.size == 0:
        return glued
    _glued(
        candidates.astype(np.int64, copy=False),
        order,
        starts,
        pairs,
        shared,
        units.sets,
        offsets,
        units.doc.astype(np.int64, copy=False),
        DISJOINT_OVERLAP,
        np.zeros(int(units.doc.max()) + 1, dtype=np.bool_),
        glued,
    )
    release_mapped(units.sets)
    return glued


SHARED_SLICE = 1 << 20
"""Pairs :func:`shared_shingles_released` counts between two hand-backs of the mapped sets' pages."""


def shared_shingles_released(units: Units, pairs: Int64Array, among: npt.NDArray[np.bool_]) -> npt.NDArray[np.int32]:
    """:func:`~dedup.match.candidates.shared_shingles` of the pairs ``among`` picks (0 for the others), a
    slice of pairs at a time, handing back the pages of shingle sets read from a file after each
    (:func:`~dedup.match.spill.release_mapped`): out of core, the sets of a million articles are 11 GB, and
    counting every near-identical pair reads most of them. Counts are int32 (a unit holds far fewer than
    2**31 shingles): one per pair of tens of millions."""
    shared = np.zeros(pairs.shape[0], dtype=np.int32)
    for start in range(0, pairs.shape[0], SHARED_SLICE):
        picked = np.flatnonzero(among[start : start + SHARED_SLICE]) + start
        shared[picked] = shared_shingles(units, pairs[picked])
        release_mapped(units.sets)  # nothing for sets in memory
    return shared


@numba.njit(cache=True)
def _partial_units(
    pairs: Int64Array,
    among: npt.NDArray[np.bool_],
    shared: npt.NDArray[np.int32],
    offsets: Int64Array,
    count: int,
    cover: float,
) -> tuple[Int64Array, Int64Array]:  # pragma: no cover - compiled
    """The units that may be glued, and their partners: a unit with two partners or more, one of which covers
    less than ``cover`` of its shingles.

    A pair ``k`` of ``n`` (read only where ``among[k]``) is read in two directions: entry ``k`` is unit
    ``pairs[k, 0]`` with partner ``pairs[k, 1]``, entry ``n + k`` the other way round; both share
    ``shared[k]`` shingles. Returns ``starts`` (``count + 1``: unit ``u``'s entries are
    ``order[starts[u]:starts[u + 1]]``, none for a unit that cannot be glued) and ``order``, the entries of
    those units by unit, in entry order within a unit. Per-unit counts are int32, and the count of entries
    filled is kept in ``degree`` itself: at a million articles every per-unit array is a quarter of a GB.
    """
    n = pairs.shape[0]
    degree = np.zeros(count, dtype=np.int32)
    for k in range(n):
        if among[k]:
            degree[pairs[k, 0]] += 1
            degree[pairs[k, 1]] += 1
    partial = np.zeros(count, dtype=np.bool_)
    for k in range(2 * n):
        pair = k if k < n else k - n
        if among[pair]:
            u = pairs[k, 0] if k < n else pairs[pair, 1]
            size = max(offsets[u + 1] - offsets[u], 1)
            if degree[u] >= 2 and shared[pair] / size < cover:
                partial[u] = True
    starts = np.zeros(count + 1, dtype=np.int64)
    for u in range(count):
        starts[u + 1] = starts[u] + (degree[u] if partial[u] else 0)
        degree[u] = 0  # from here on: the entries of ``u`` filled in
    order = np.empty(starts[count], dtype=np.int64)
    for k in range(2 * n):
        pair = k if k < n else k - n
        if among[pair]:
            u = pairs[k, 0] if k < n else pairs[pair, 1]
            if partial[u]:
                order[starts[u] + degree[u]] = k
                degree[u] += 1
    return starts, order


@numba.njit(cache=True, parallel=True)
def _glued(
    candidates: Int64Array,
    order: Int64Array,
    starts: Int64Array,
    pairs: Int64Array,
    shared: npt.NDArray[np.int32],
    sets: npt.NDArray[np.uint32],
    offsets: Int64Array,
    doc: Int64Array,
    overlap: float,
    marked: npt.NDArray[np.bool_],
    glued: npt.NDArray[np.bool_],
) -> None:  # pragma: no cover - compiled
    """:func:`glued_units`' test for each candidate unit, by sorted merges over the units' shingle sets (one
    Python ``intersect1d`` per partner was a third of a 5,000-article scan).

    For unit ``u``: each partner's *part* of ``u`` is the shingles they share (``shared[k]`` of them, counted
    already, for the ``k``-th of :func:`glued_units`' directed pairs); the widest part (the longest; of equal
    ones the lowest partner unit's, so that the order of the pairs never matters) is the text most partners
    share, and the only part built; a partner is *apart* when its part overlaps the widest in no more than
    ``overlap`` of its own size (its part's overlap with the widest is its own set's overlap with the widest
    part, counted until it passes that share). ``u`` is glued when some partner is apart and no document holds
    both a partner apart and one with the widest part (``marked``: one flag per document, all False, a
    scratch space: the documents of the partners not apart are marked and unmarked again, so that a unit with
    thousands of partners, a masthead's, costs no pairs of partners).

    The candidates are shared out among the cores in chunks, each with scratch flags of its own (``marked``
    is the first chunk's): grouping is otherwise one thread, and this was a twelfth of it.
    """
    chunks = min(_GLUED_CHUNKS, candidates.shape[0])
    scratch = np.zeros((max(chunks - 1, 0), marked.shape[0]), dtype=np.bool_)
    for c in numba.prange(chunks):
        flags = marked if c == 0 else scratch[c - 1]
        for i in range(c * candidates.shape[0] // chunks, (c + 1) * candidates.shape[0] // chunks):
            _glued_unit(candidates[i], order, starts, pairs, shared, sets, offsets, doc, overlap, flags, glued)


_GLUED_CHUNKS = 16
"""Chunks :func:`_glued` shares its candidates out in (a few per core, so that one slow chunk does not hold up
the others)."""


@numba.njit(cache=True, nogil=True)
def _glued_unit(
    u: np.int64,
    order: Int64Array,
    starts: Int64Array,
    pairs: Int64Array,
    shared: npt.NDArray[np.int32],
    sets: npt.NDArray[np.uint32],
    offsets: Int64Array,
    doc: Int64Array,
    overlap: float,
    marked: npt.NDArray[np.bool_],
    glued: npt.NDArray[np.bool_],
) -> None:  # pragma: no cover - compiled
    """:func:`_glued`'s test of candidate unit ``u`` (``marked``: all False, and left so)."""
    own = sets[offsets[u] : offsets[u + 1]]
    mine = order[starts[u] : starts[u + 1]]
    n = mine.shape[0]
    total = pairs.shape[0]
    partner = np.empty(n, dtype=np.int64)  # each entry's partner unit and shingles in common with it
    common_with = np.empty(n, dtype=np.int64)
    for k in range(n):
        j = mine[k]
        partner[k] = pairs[j, 1] if j < total else pairs[j - total, 0]
        common_with[k] = shared[j] if j < total else shared[j - total]
    widest = 0
    for k in range(1, n):
        longer = common_with[k] > common_with[widest]
        if longer or (common_with[k] == common_with[widest] and partner[k] < partner[widest]):
            widest = k
    other = sets[offsets[partner[widest]] : offsets[partner[widest] + 1]]
    part = np.empty(min(own.shape[0], other.shape[0]), dtype=np.uint32)
    a = b = m = 0
    while a < own.shape[0] and b < other.shape[0]:
        if own[a] == other[b]:
            part[m] = own[a]
            m += 1
            a += 1
            b += 1
        elif own[a] < other[b]:
            a += 1
        else:
            b += 1
    apart = np.zeros(n, dtype=np.bool_)
    for k in range(n):
        other = sets[offsets[partner[k]] : offsets[partner[k] + 1]]
        limit = overlap * common_with[k]
        a = b = common = 0
        while a < other.shape[0] and b < m and common <= limit:
            if other[a] == part[b]:
                common += 1
                a += 1
                b += 1
            elif other[a] < part[b]:
                a += 1
            else:
                b += 1
        apart[k] = common <= limit
    for k in range(n):
        if not apart[k]:
            marked[doc[partner[k]]] = True
    any_apart = False
    shared_doc = False
    for k in range(n):
        if apart[k]:
            any_apart = True
            shared_doc |= marked[doc[partner[k]]]
    for k in range(n):
        marked[doc[partner[k]]] = False
    glued[u] = any_apart and not shared_doc


OWN_CONTAINMENT = 0.5
"""Share of the smaller unit's text outside boilerplate that its partner must hold for a match to stay evidence:
most of it, as the matcher asks of whole units (``CandidateConfig.min_containment``)."""


def beyond_boilerplate(
    matches: Int64Array, units: Units, boilerplate_text: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """For each unit match, whether it still holds once the boilerplate of its two documents is set aside.

    Why: on a flattened page a sentence unit's window runs on into the site footer glued after the story
    (:func:`dedup.match.candidates._line_windows`). Two pages of one site, printing different stories, then
    match window to window on the footer alone; the window belongs to the story's last sentence, which is no
    boilerplate, so the match passed for evidence, and one such page linked to the last sentences of every
    other story its site printed, chaining them into one group. What a reader calls a copy is shared text
    beyond the page furniture: each match is weighed again without the shingles of its two documents'
    boilerplate paragraphs, and kept where the partner still holds ``OWN_CONTAINMENT`` of the smaller unit's
    own text. A match that loses no shingle that way is kept as the matcher accepted it.

    Args:
        matches: accepted unit pairs, int64[n, 2].
        units: the sketched units.
        boilerplate_text: for each unit, whether it is a boilerplate paragraph's own text (not a window
            running past it): its shingles are the document's boilerplate.

    Returns:
        For each match, whether it is evidence beyond boilerplate.
    """
    holds = np.ones(matches.shape[0], dtype=np.bool_)
    marked = np.flatnonzero(boilerplate_text)
    if matches.shape[0] == 0 or marked.size == 0:
        return holds
    # every document's boilerplate shingles, sorted by (document, shingle) in one sort: a gather, no loop
    starts, sizes = units.offsets[marked], units.offsets[marked + 1] - units.offsets[marked]
    at = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
    codes = distinct(np.repeat(units.doc[marked].astype(np.int64), sizes) << 32 | units.sets[at].astype(np.int64))
    offsets = np.searchsorted(codes >> 32, np.arange(int(units.doc.max()) + 2))
    _beyond(
        np.ascontiguousarray(matches, dtype=np.int64),
        units.doc.astype(np.int64, copy=False),
        units.sets,
        units.offsets.astype(np.int64, copy=False),
        (codes & 0xFFFFFFFF).astype(np.uint32),
        offsets.astype(np.int64, copy=False),
        OWN_CONTAINMENT,
        holds,
    )
    return holds


@numba.njit(cache=True, nogil=True)
def _set_aside(x: np.uint32, first: npt.NDArray[np.uint32], second: npt.NDArray[np.uint32]) -> bool:  # pragma: no cover
    """Whether shingle ``x`` is in either sorted set."""
    i = np.searchsorted(first, x)
    if i < first.shape[0] and first[i] == x:
        return True
    j = np.searchsorted(second, x)
    return bool(j < second.shape[0] and second[j] == x)


ASIDE_FILTER_SIZE = 1 << 22
"""Flags in :func:`_beyond`'s filter of boilerplate shingles (a power of two; 4 MB): a few false positives
in tens of thousands of boilerplate shingles, which cost only the exact test."""


@numba.njit(cache=True, parallel=True)
def _beyond(
    pairs: Int64Array,
    doc: Int64Array,
    sets: npt.NDArray[np.uint32],
    offsets: Int64Array,
    aside: npt.NDArray[np.uint32],
    aside_offsets: Int64Array,
    share: float,
    holds: npt.NDArray[np.bool_],
) -> None:  # pragma: no cover - compiled
    """:func:`beyond_boilerplate`'s test for each pair, by one merge of the two sorted shingle sets, with the
    boilerplate shingles of both documents (``aside``, per document) left out of the count.

    Most pairs share no shingle with any document's boilerplate: a filter of all of ``aside`` (one flag per
    shingle's low bits, no false negatives) says which units may touch it, once per unit, and a pair of units
    that cannot is kept without the merge (which, with a binary search per shingle, was a fifth of grouping).
    Each unit's answer is found before the pairs are weighed, so that units and pairs are each shared out
    among the cores (grouping is otherwise one thread, and this was a tenth of it).
    """
    any_aside = np.zeros(ASIDE_FILTER_SIZE, dtype=np.bool_)
    for k in range(aside.shape[0]):
        any_aside[aside[k] & (ASIDE_FILTER_SIZE - 1)] = True
    asked = np.zeros(offsets.shape[0] - 1, dtype=np.bool_)  # units of a pair with boilerplate in its documents
    for i in range(pairs.shape[0]):
        u, v = pairs[i, 0], pairs[i, 1]
        if aside_offsets[doc[u]] < aside_offsets[doc[u] + 1] or aside_offsets[doc[v]] < aside_offsets[doc[v] + 1]:
            asked[u] = True
            asked[v] = True
    touches = np.zeros(offsets.shape[0] - 1, dtype=np.bool_)  # per unit asked: some shingle passes the filter
    for unit in numba.prange(offsets.shape[0] - 1):
        if asked[unit]:
            for k in range(offsets[unit], offsets[unit + 1]):
                if any_aside[sets[k] & (any_aside.shape[0] - 1)]:
                    touches[unit] = True
                    break
    for i in numba.prange(pairs.shape[0]):
        u, v = pairs[i, 0], pairs[i, 1]
        p = aside[aside_offsets[doc[u]] : aside_offsets[doc[u] + 1]]
        q = aside[aside_offsets[doc[v]] : aside_offsets[doc[v] + 1]]
        if p.shape[0] == 0 and q.shape[0] == 0:
            continue
        if not (touches[u] or touches[v]):
            continue  # no boilerplate in either: as the matcher accepted it
        left = sets[offsets[u] : offsets[u + 1]]
        right = sets[offsets[v] : offsets[v + 1]]
        own_left = own_right = common = 0
        a = b = 0
        while a < left.shape[0] or b < right.shape[0]:
            if b >= right.shape[0] or (a < left.shape[0] and left[a] < right[b]):
                if not _set_aside(left[a], p, q):
                    own_left += 1
                a += 1
            elif a >= left.shape[0] or right[b] < left[a]:
                if not _set_aside(right[b], p, q):
                    own_right += 1
                b += 1
            else:
                if not _set_aside(left[a], p, q):
                    own_left += 1
                    own_right += 1
                    common += 1
                a += 1
                b += 1
        if own_left == left.shape[0] and own_right == right.shape[0]:
            continue  # no boilerplate in either: as the matcher accepted it
        holds[i] = common > 0 and common >= share * min(own_left, own_right)


def boilerplate(
    a: Int64Array,
    b: Int64Array,
    doc_of: Int64Array,
    length_of: Int64Array,
    config: GroupConfig,
    headed: Callable[[int, set[int]], bool] | None = None,
    jump_line: Callable[[int], bool] | None = None,
) -> Int64Array:
    """The flat numbers of the paragraphs that are boilerplate (see the module docstring), sorted.

    Args:
        a, b: the near-identical paragraph pairs, as flat numbers.
        doc_of: the document of each flat paragraph number.
        length_of: the content characters of each flat paragraph number.
        config: grouping settings.
        headed: ``headed(paragraph, docs)`` says whether a headline printed in ``docs`` stands above that
            paragraph; asked only of families small enough in company to be boilerplate otherwise.
        jump_line: ``jump_line(paragraph)`` says whether that paragraph carries a page-jump marker (``上接``,
            ``下转``); a family with such a member is a story's, whatever its company (asked as ``headed``).
    """
    if a.size == 0:
        return np.zeros(0, dtype=np.int64)
    # the paragraphs, and each pair's as indexes into them (``np.unique``'s inverse took twice the memory)
    nodes = distinct_in_place(np.concatenate([a, b]))
    family = components(nodes.size, np.searchsorted(nodes, a), np.searchsorted(nodes, b))  # its first paragraph
    node_doc = doc_of[nodes]
    size = np.zeros(nodes.size, dtype=np.int64)  # a family's size: its longest paragraph
    np.maximum.at(size, family, length_of[nodes])

    documents = int(doc_of.max()) + 1
    incidence = distinct(family * documents + node_doc)  # (family, document), by family
    incidence_family, incidence_doc = incidence // documents, incidence % documents
    doc_count = np.bincount(incidence_family, minlength=nodes.size)
    docs_start = np.searchsorted(incidence_family, np.arange(nodes.size + 1))
    by_doc = np.argsort(incidence_doc, kind="stable")
    families_start = np.searchsorted(incidence_doc[by_doc], np.arange(documents + 1))
    common = np.flatnonzero(doc_count >= config.standalone_docs)
    blocks = _blocks(common, docs_start, incidence_doc, families_start, incidence_family[by_doc], size, doc_count)

    noisy = common[blocks < config.boilerplate_block_chars]
    if noisy.size and (headed is not None or jump_line is not None):
        order = np.argsort(family, kind="stable")
        members_start = np.searchsorted(family[order], np.arange(nodes.size + 1))

        def story_s(f: int) -> bool:
            """A brief under its own headline, or a jump's continuation: a story's, not boilerplate."""
            members = nodes[order[members_start[f] : members_start[f + 1]]].tolist()
            if jump_line is not None and any(jump_line(m) for m in members):
                return True
            docs = set(incidence_doc[docs_start[f] : docs_start[f + 1]].tolist())
            return headed is not None and _headed(members, docs, doc_of, headed)

        noisy = np.array([f for f in noisy.tolist() if not story_s(f)], dtype=np.int64)
    return np.sort(nodes[np.isin(family, noisy)])


def _headed(members: list[int], docs: set[int], doc_of: Int64Array, headed: Callable[[int, set[int]], bool]) -> bool:
    """Whether a family's paragraphs stand under a headline that its other documents print too (or above a
    body that they print too: the family is that story's headline), in nearly all of its documents (a footer
    that follows the last story of a page is under that story's headline only where that story is the last
    one)."""
    under = {int(doc_of[member]) for member in members if headed(member, docs)}
    return len(under) >= 0.8 * len(docs)


@numba.njit(cache=True, nogil=True)
def _blocks(
    families: Int64Array,
    docs_start: Int64Array,
    docs: Int64Array,
    families_start: Int64Array,
    families_in: Int64Array,
    size: Int64Array,
    doc_count: Int64Array,
) -> Int64Array:  # pragma: no cover - compiled
    """For each of ``families``, its size plus the sizes of the families that stand beside it in at least
    half of its documents: the block it comes in.

    ``docs[docs_start[f]:docs_start[f + 1]]`` are family ``f``'s documents and
    ``families_in[families_start[d]:families_start[d + 1]]`` document ``d``'s families.
    """
    out = np.empty(families.shape[0], dtype=np.int64)
    company = np.zeros(size.shape[0], dtype=np.int64)
    seen = np.empty(size.shape[0], dtype=np.int64)
    for i in range(families.shape[0]):
        f = families[i]
        n_seen = 0
        for j in range(docs_start[f], docs_start[f + 1]):
            d = docs[j]
            for t in range(families_start[d], families_start[d + 1]):
                g = families_in[t]
                if g != f:
                    if company[g] == 0:
                        seen[n_seen] = g
                        n_seen += 1
                    company[g] += 1
        block = size[f]
        for s in range(n_seen):
            g = seen[s]
            if 2 * company[g] >= doc_count[f]:
                block += size[g]
            company[g] = 0
        out[i] = block
    return out
