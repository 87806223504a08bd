"""Group: matched paragraphs become passages, and passages that copy the same story become a group.

A group is made of passages (line spans), not files: a page holds several articles, a copy may be partial
or reordered, and a story may jump from one page file to another. The steps, each in a module of its own:

1. Boilerplate out (:mod:`~dedup.group.boilerplate`): a paragraph that turns up in several documents, each
   time with little else matched beside it (a masthead, a slogan, an advert), is not evidence.
2. Passages (:mod:`~dedup.group.passages`): in each document, matched paragraphs are chained into passages
   and cut at article boundaries; per document.
3. Links (:mod:`~dedup.group.links`): two passages are copies of one story only on real evidence between
   them; per document pair. Linked passages make connected components (:mod:`~dedup.group.components`).
4. Stories (:mod:`~dedup.group.stories`, :mod:`~dedup.group.stitch`): each connected component becomes a
   group, pieces of a copy joined and jumped pages stitched into one witness; per component.

:func:`group` runs them over the whole corpus in one process. The per-document, per-document-pair and
per-component steps are pure functions, which a distributed engine (Spark, a later issue) calls the same way,
so that its groups are identical.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from dedup.arrays import distinct
from dedup.config import GroupConfig
from dedup.group.boilerplate import beyond_boilerplate, boilerplate, glued_units
from dedup.group.components import UnionFind, components
from dedup.group.corpus import (
    Corpus,
    GroupedDocument,
    Key,
    end_codes,
    paragraph_matches,
    partner_coverage,
    partners,
)
from dedup.group.headings import Headings, is_heading_like
from dedup.group.ids import content_ids, fingerprint, with_id
from dedup.group.links import join_pieces, linked, links
from dedup.group.passages import JumpDocuments, continued_by, goes_on, passages_of
from dedup.group.stitch import bare_heads
from dedup.group.stories import component_group
from dedup.match.candidates import Units
from dedup.match.spill import release_mapped
from dedup.records import BoundaryHint, paragraph_hints, raw_lengths
from dedup.results import Group, Passage, Witness
from dedup.segment import MIN_UNIT_CHARS

__all__ = ["Group", "GroupedDocument", "Grouping", "Passage", "UnitMatches", "Witness", "group", "is_heading_like"]


@dataclass(slots=True)
class UnitMatches:
    """The accepted unit pairs grouping starts from, handed over: :func:`group` reads them once (its first
    step turns them into paragraph pairs) and then lets go of them (:meth:`release`).

    Handed over in this holder, rather than as arrays, so that a caller that keeps no array of its own frees
    them for the rest of grouping: at a million articles the pairs are 1 GB (62 M pairs), held through
    grouping's peak when the caller's arguments still pointed at them.

    Attributes:
        pairs: int64[n, 2] accepted unit pairs.
        near: for each pair, whether its units are near-identical (Jaccard at ``min_jaccard`` or more) rather
            than one contained in the other; only those make families of boilerplate (all, if ``None``).
    """

    pairs: npt.NDArray[np.int64]
    near: npt.NDArray[np.bool_] | None = None
    released: bool = field(default=False, init=False)

    def release(self) -> None:
        """Let go of the pairs (grouping has read them): the holder is empty from then on, and grouping refuses
        it (a second grouping from it would find no groups, silently)."""
        self.pairs = np.zeros((0, 2), dtype=np.int64)
        self.near = None
        self.released = True


@dataclass(frozen=True, slots=True)
class Grouping:
    """The groups of a corpus, with the passages they were made from (kept for collation)."""

    groups: tuple[Group, ...]
    boilerplate: frozenset[Key]


def group(documents: Sequence[GroupedDocument], units: Units, matches: UnitMatches, config: GroupConfig) -> Grouping:
    """Groups of passages that copy the same story (see the module docstring).

    Args:
        documents: the documents, in the order units refer to them.
        units: the sketched units.
        matches: the accepted unit pairs, released once read (:class:`UnitMatches`).
        config: grouping settings.
    """
    if matches.released:
        raise ValueError("these unit matches were grouped already and let go of: hand grouping a new UnitMatches")
    corpus = Corpus(documents, units)
    headings = Headings(documents)
    a, b, not_evidence = evidence(corpus, matches.pairs, matches.near, headings, config)
    matches.release()

    passages, where = _passages(a, b, not_evidence, headings, corpus, config)
    story = join_passages(a, b, where, passages, corpus, config)
    root, members, family_of, group_of = story.root, story.members, story.family_of, story.group_of

    bare = bare_heads(documents, config, where, corpus)
    groups: list[Group] = []
    prints: list[tuple[int, ...]] = []
    for n, indexes in enumerate(sorted(members.values(), key=min)):
        if n % RELEASE_EVERY == 0:
            release_mapped(corpus.units.sets)  # each group reads its witnesses' sets: see RELEASE_EVERY
        component = [passages[i] for i in indexes]
        label = int(root[indexes[0]])
        made = component_group("G", component, label, family_of, group_of, documents, bare, corpus, config)
        if made is not None:
            groups.append(made)
            prints.append(story_fingerprint(made, corpus))  # while the corpus still holds its witnesses' sets
    release_mapped(corpus.units.sets)
    return Grouping(named(groups, prints), frozenset(map(corpus.key, not_evidence.tolist())))


RELEASE_EVERY = 512
"""Groups made between two hand-backs of the pages of shingle sets read from a file (a corpus gone out of core,
:func:`~dedup.match.spill.release_mapped`): over all groups, the witnesses' sets are most of the file."""


def named(groups: Sequence[Group], prints: Sequence[tuple[int, ...]]) -> tuple[Group, ...]:
    """The groups with ids derived from their content (:mod:`dedup.group.ids`: ``prints`` holds each one's
    :func:`story_fingerprint`), in the order given."""
    ids = content_ids(prints)
    return tuple(with_id(g, gid) for g, gid in zip(groups, ids, strict=True))


def story_fingerprint(group: Group, corpus: Corpus) -> tuple[int, ...]:
    """The group's :func:`~dedup.group.ids.fingerprint`, from its copies' shingles in ``corpus``."""
    return fingerprint([corpus.shingles(w.passages) for w in group.witnesses])


def evidence(
    corpus: Corpus,
    matches: npt.NDArray[np.int64],
    near: npt.NDArray[np.bool_] | None,
    headings: Headings,
    config: GroupConfig,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The paragraph pairs that count as evidence of copying, and the boilerplate set aside.

    Matched unit pairs become paragraph pairs; the near-identical ones between units sketched from their own
    text (:func:`_own_text`) make families, and a family that stands in many documents with little beside it
    is boilerplate (:func:`~dedup.group.boilerplate.boilerplate`). Returns the pairs ``a``, ``b`` that touch
    no boilerplate, and the boilerplate's flat paragraph numbers. A pure function of a corpus or of one
    component of it: the Spark engine calls it per component with headings counted over the whole corpus.
    """
    own = _own_text(corpus)
    family = own[matches[:, 0]] & own[matches[:, 1]] if matches.size else np.zeros(0, dtype=np.bool_)
    if near is not None:
        family &= near
    glued = glued_units(matches, corpus.units, family)
    family &= ~(glued[matches[:, 0]] | glued[matches[:, 1]])
    same = paragraph_matches(matches, corpus, family)
    del family, glued  # grouping's peak is in glued_units, then in pairs_beyond: each holds what it needs

    def headed(p: int, docs: set[int]) -> bool:
        return headings.heads(corpus.key(p), docs, config)

    def jump_line(p: int) -> bool:
        d, k = corpus.key(p)
        return bool(corpus.documents[d].paragraphs[k].hints & {"continued_from", "continued_on"})

    not_evidence = boilerplate(*same, corpus.doc_of, corpus.length_of, config, headed, jump_line)
    if not_evidence.size:  # ... and a story's headline, above a body that is no boilerplate, is no boilerplate
        a, b = paragraph_matches(matches, corpus)
        body = ~(np.isin(a, not_evidence) | np.isin(b, not_evidence))
        heads_body = _heads_matched_body(a, b, body, corpus, config.max_heading_paragraphs)
        del a, b, body
        not_evidence = boilerplate(
            *same,
            corpus.doc_of,
            corpus.length_of,
            config,
            lambda p, docs: headed(p, docs) or heads_body(p, docs),
            jump_line,
        )
        del heads_body
    del same
    a, b = pairs_beyond(corpus, matches, not_evidence, own)
    return a, b, not_evidence


def pairs_beyond(
    corpus: Corpus,
    matches: npt.NDArray[np.int64],
    not_evidence: npt.NDArray[np.int64],
    own: npt.NDArray[np.bool_] | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The paragraph pairs of unit ``matches`` that are evidence once the boilerplate ``not_evidence`` (flat
    paragraph numbers, sorted) is known: none touching it, and none whose units match only on its text (a
    window run on into a site footer, :func:`~dedup.group.boilerplate.beyond_boilerplate`).

    Both engines call it: :func:`evidence` with the boilerplate it finds, the Spark engine with the boilerplate
    found over the whole corpus. ``own``: :func:`_own_text`, if made already (a pass over every paragraph in
    Python).
    """
    if not not_evidence.size:
        return paragraph_matches(matches, corpus)
    # a match that holds only on boilerplate (a window run on into a footer) is none
    is_boilerplate = np.zeros(corpus.paragraph_count, dtype=np.bool_)
    is_boilerplate[not_evidence] = True
    own = _own_text(corpus) if own is None else own
    boilerplate_text = own & is_boilerplate[corpus.paragraph_starts[corpus.units.doc] + corpus.units.paragraph]
    a, b = paragraph_matches(matches, corpus, beyond_boilerplate(matches, corpus.units, boilerplate_text))
    release_mapped(corpus.units.sets)
    keep = ~(is_boilerplate[a] | is_boilerplate[b])
    return a[keep], b[keep]


def _heads_matched_body(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], keep: npt.NDArray[np.bool_], corpus: Corpus, reach: int
) -> Callable[[int, set[int]], bool]:
    """``heads(p, docs)``: whether one of the ``reach`` paragraphs after flat paragraph ``p`` in its document
    is matched in another of ``docs`` (by one of the paragraph pairs ``a``, ``b`` that ``keep`` marks): ``p``
    stands above a body printed in those documents too.

    A story's headline printed in a few copies (a jump's first page holds only the headline and the lead's
    first lines) has little company and reads as boilerplate by size; but the lead under it is the story's,
    matched in the headline's other documents, where a masthead or a footer stands above a different story
    on every page. Each end of a pair is one sorted code, the paragraph times the document count plus the
    partner's document: the ends and their partners' documents as two arrays, sorted by an ``argsort``, were
    grouping's peak at scale.
    """
    documents = len(corpus.documents)
    codes = end_codes(a, b, corpus, keep)
    codes.sort()

    def heads(p: int, docs: set[int]) -> bool:
        doc = int(corpus.doc_of[p])
        last = min(p + reach, int(corpus.paragraph_starts[doc + 1]) - 1)
        lo, hi = np.searchsorted(codes, [(p + 1) * documents, (last + 1) * documents])
        return any(other != doc and other in docs for other in (codes[lo:hi] % documents).tolist())

    return heads


@dataclass(frozen=True, slots=True)
class Stories:
    """Passages joined into stories: each passage's story (``root``), the passages of each story
    (``members``, by root), each flat paragraph's family of near-identical copies (``family_of``) and each flat
    paragraph's story (``group_of``, -1 outside every passage)."""

    root: npt.NDArray[np.int64]
    members: dict[int, list[int]]
    family_of: npt.NDArray[np.int64]
    group_of: npt.NDArray[np.int64]


def join_passages(
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    where: npt.NDArray[np.int64],
    passages: list[Passage],
    corpus: Corpus,
    config: GroupConfig,
) -> Stories:
    """Which passages are copies of one story: links per passage pair (:func:`~dedup.group.links.links`),
    the ones that count (:func:`~dedup.group.links.linked`), their connected components, and the stray pieces
    joined (:func:`~dedup.group.links.join_pieces`). A pure function of one corpus or one component of it:
    the embedded engine calls it on the whole corpus, the Spark engine on each component, with the same result.
    """
    documents = corpus.documents
    jumped = np.fromiter((_jump_half(p, documents) for p in passages), dtype=np.bool_, count=len(passages))
    found = links(a, b, where, passages, corpus)
    chosen = linked(found, jumped, config)
    uf = UnionFind.from_labels(components(len(passages), found.low[chosen], found.high[chosen]))
    join_pieces(passages, found.low.tolist(), found.high.tolist(), uf, 2 * config.max_gap + 2)
    root = np.fromiter((uf.find(i) for i in range(len(passages))), dtype=np.int64, count=len(passages))
    members: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(root.tolist()):
        members[r].append(i)
    # a story's paragraphs across its copies: near-identical ones are one family (matched in one group)
    within = root[where[a]] == root[where[b]]
    family_of = components(corpus.paragraph_count, a[within], b[within])
    group_of = np.append(root, -1)[where]  # flat paragraph -> its passage's group (-1: in no passage)
    return Stories(root, dict(members), family_of, group_of)


def _passages(
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    not_evidence: npt.NDArray[np.int64],
    headings: Headings,
    corpus: Corpus,
    config: GroupConfig,
) -> tuple[list[Passage], npt.NDArray[np.int64]]:
    """Every document's passages (:func:`~dedup.group.passages.passages_of`, document by document), and
    for each flat paragraph the passage it is in (-1 for none)."""
    documents = corpus.documents
    boilerplate_in: dict[int, set[int]] = defaultdict(set)  # document -> its boilerplate paragraphs
    for d, k in map(corpus.key, not_evidence.tolist()):
        boilerplate_in[d].add(k)
    continued_on: set[int] = set()
    continued_from: set[int] = set()
    for d, document in enumerate(documents):
        for hints in paragraph_hints(document.paragraphs):
            if "continued_on" in hints:
                continued_on.add(d)
            if "continued_from" in hints:
                continued_from.add(d)
    jumps = JumpDocuments(frozenset(continued_on), frozenset(continued_from))

    followed, outrun, continued = _followed(a, b, boilerplate_in, corpus)
    passages: list[Passage] = []
    where = np.full(corpus.paragraph_count, -1, dtype=np.int64)
    for d, matched in partners(a, b, corpus):
        document = documents[d]
        paragraphs = tuple(document.paragraphs)  # each read many times here: made once (slim paragraphs)
        noise = frozenset(boilerplate_in[d])
        first = int(corpus.paragraph_starts[d])
        after = frozenset(k for k in matched if followed[first + k])
        outrun_here = frozenset(k for k in matched if outrun[first + k])
        continued_here = frozenset(k for k in matched if continued[first + k])
        for passage in passages_of(
            d,
            paragraphs,
            document.lengths,
            matched,
            config,
            noise,
            headings,
            jumps,
            after,
            outrun_here,
            continued_here,
        ):
            where[first + passage.first : first + passage.last + 1] = len(passages)
            passages.append(passage)
    return passages, where


def _followed(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], boilerplate_in: dict[int, set[int]], corpus: Corpus
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """For each flat paragraph, whether a paragraph it is matched with goes on to more of the story on its own
    page (:func:`~dedup.group.passages.goes_on`): the story does not end with it; and whether it is the last
    of its document's paragraphs matched with a partner paragraph that goes on past them (*outrun*): one
    that holds a sentence unit's worth more than they do, or is followed by more of the story.

    Why: only then are the unmatched paragraphs after a copy's last matched one a damaged print of the
    story's end, to be taken into its passage; where every partner ends there too, they are the copy's own.
    Outrun says the same of a flattened copy's sentence units: its closing sentences, too short to match,
    stand in the other copies' last paragraph, which its last matched sentence matched only in part.

    And the last of those paragraphs is *continued* where the paragraph after it in its document holds
    exactly what the partner paragraph holds beyond them, counted in content characters
    (:func:`~dedup.group.passages.continued_by`): a split paragraph's short last piece (a credit line, a
    closing clause on a line of its own), too short to be sketched, so matched with nothing.
    """
    goes: npt.NDArray[np.bool_] = np.zeros(corpus.paragraph_count, dtype=np.bool_)
    noise: dict[int, frozenset[int]] = {}
    flats = distinct(np.concatenate([a, b]))
    docs = corpus.doc_of[flats]
    local = flats - corpus.paragraph_starts[docs]  # :meth:`Corpus.key`, for all of them at once
    went: list[bool] = []
    hints: list[frozenset[BoundaryHint]] = []
    for d, k in zip(docs.tolist(), local.tolist(), strict=True):
        if d not in noise:  # flat numbers are sorted, so each document's come together
            noise[d] = frozenset(boilerplate_in.get(d, ()))
            hints = paragraph_hints(corpus.documents[d].paragraphs)
        went.append(goes_on(hints, k, noise[d]))
    goes[flats] = went
    followed: npt.NDArray[np.bool_] = np.zeros(corpus.paragraph_count, dtype=np.bool_)
    followed[a[goes[b]]] = True
    followed[b[goes[a]]] = True
    outrun: npt.NDArray[np.bool_] = np.zeros(corpus.paragraph_count, dtype=np.bool_)
    continued: npt.NDArray[np.bool_] = np.zeros(corpus.paragraph_count, dtype=np.bool_)
    if a.size:  # per partner paragraph and document: what of it that document's paragraphs matched
        partner, covered, last = partner_coverage(a, b, corpus)
        rest = corpus.length_of[partner] - covered  # what the partner holds beyond what was matched of it
        del covered
        outrun[last[(rest >= MIN_UNIT_CHARS) | goes[partner]]] = True
        del partner
        continued[continued_by(last, rest, corpus)] = True
    return followed, outrun, continued


def _jump_half(p: Passage, documents: Sequence[GroupedDocument]) -> bool:
    """The passage is one half of a story cut by a page jump: it starts at ``上接`` or ends at ``下转``."""
    paragraphs = documents[p.doc].paragraphs
    return "continued_from" in paragraphs[p.first].hints or "continued_on" in paragraphs[p.last].hints


def _own_text(corpus: Corpus) -> npt.NDArray[np.bool_]:
    """Whether each unit is sketched from no more than its own paragraph: not a window that runs on into
    the sentence units after or before it on a flattened line (:mod:`dedup.match.candidates`). Only those
    make families of near-identical paragraphs, since a window holding a story's last sentence and the
    site footer glued after it is near both, and would make one family of the footer and the story.

    Told by size, which needs no text (a slim scan keeps none): a window holds more shingles than its
    paragraph has raw characters; a paragraph's own text, or a window inside a long paragraph, never does.
    """
    raw = np.zeros(corpus.paragraph_count, dtype=np.int64)
    for d, document in enumerate(corpus.documents):
        raw[corpus.paragraph_starts[d] : corpus.paragraph_starts[d + 1]] = raw_lengths(document.paragraphs)
    flat = corpus.paragraph_starts[corpus.units.doc] + corpus.units.paragraph
    own: npt.NDArray[np.bool_] = corpus.units.sizes() <= raw[flat]
    return own
