"""Grouping one connected component of documents on an executor, with the embedded engine's functions.

Matched documents fall into components (documents linked by any verified match); every decision of
:func:`dedup.group.grouping.group` looks only inside one such component, except two that read the whole corpus,
which the driver never gathers but Spark aggregates:

- heading statistics (:class:`dedup.group.headings.Headings`: in how many documents a heading line is printed):
  a count per heading digest (:class:`ComponentHeadings` answers ``repeated`` and ``shared`` exactly from that
  count and the component's own documents);
- front-page teasers (:func:`dedup.group.stitch.bare_heads`): a teaser's page may lie in another component, or
  in none; its heads are found per document and shuffled by headline digest to the components that print it.

:func:`group_component` runs :func:`dedup.group.grouping.group`'s steps over the component's documents, calling
the same pure functions (boilerplate, passages of each document, links, components, ``join_pieces``,
``component_group``), with the documents numbered in corpus order so that every order-dependent choice falls
the same way. A component's groups come back with the corpus position of their first passage, which is the
order the embedded engine numbers groups in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from dedup.config import GroupConfig
from dedup.engines.spark.stages import DocSketch, Match
from dedup.group.corpus import Corpus, GroupedDocument
from dedup.group.grouping import _passages, join_passages, pairs_beyond, story_fingerprint
from dedup.group.headings import Headings
from dedup.group.stitch import bare_heads
from dedup.group.stories import component_group
from dedup.match.candidates import Units
from dedup.results import Group, Passage


class ComponentHeadings(Headings):
    """:class:`~dedup.group.headings.Headings` over one component's documents, with the corpus-wide count of
    documents that print each heading (``counts``, from a Spark aggregation) standing in for the corpus.

    ``repeated`` and ``shared`` ask ``others - partners`` and ``others & partners``, where ``others`` are the
    corpus's documents printing the line and ``partners`` lie in this component: both follow exactly from the
    count and the component's own documents.
    """

    def __init__(self, documents: Sequence[GroupedDocument], counts: dict[int, int]) -> None:
        super().__init__(documents)
        self.counts = counts

    def _split(self, doc: int, k: int, partners: set[int]) -> tuple[set[int], int]:
        """``(others & partners, len(others - partners))`` for line ``k`` of ``doc``."""
        digest = self.documents[doc].digests[k]
        if not digest:
            return set(), 0
        here = self.docs_of.get(digest, set())
        inside = (here & partners) - {doc}
        others = self.counts.get(digest, 0) - (doc in here)
        return inside, others - len(inside)

    def repeated(self, doc: int, k: int, partners: set[int]) -> bool:
        return self._split(doc, k, partners)[1] >= 2

    def shared(self, doc: int, k: int, partners: set[int]) -> bool:
        inside, outside = self._split(doc, k, partners)
        return bool(inside) and outside < 2


@dataclass(frozen=True, slots=True)
class Component:
    """One component's share of the corpus, as an executor receives it.

    Attributes:
        docs: its documents (and any teaser pages it may need), by corpus number.
        matches: its verified unit matches (:data:`~dedup.engines.spark.stages.Match`).
        counts: for each heading digest its documents print, in how many documents of the corpus it is a
            heading (bylines aside).
        bare: front-page teasers by headline digest (corpus numbers), for the digests its documents print.
        boilerplate: its documents' boilerplate paragraphs ``(document, paragraph)``, found over the corpus
            (:mod:`dedup.engines.spark.boilerplate`).
    """

    docs: dict[int, DocSketch]
    matches: list[Match]
    counts: dict[int, int]
    bare: dict[int, list[Passage]]
    boilerplate: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class _Local:
    """A component renumbered from 0 in corpus order, with its grouping up to the passages."""

    numbers: list[int]
    documents: list[DocSketch]
    corpus: Corpus
    passages: list[Passage]
    where: npt.NDArray[np.int64]
    a: npt.NDArray[np.int64]
    b: npt.NDArray[np.int64]


def _localize(component: Component, config: GroupConfig) -> _Local:
    """Number the component's documents and units from 0, and run grouping up to the passages."""
    numbers = sorted(component.docs)
    local = {n: i for i, n in enumerate(numbers)}
    sketches = [component.docs[n] for n in numbers]
    documents = [s.document for s in sketches]
    unit_starts = np.zeros(len(sketches) + 1, dtype=np.int64)
    np.cumsum([s.paragraph.size for s in sketches], out=unit_starts[1:])
    set_starts = np.concatenate([[0], np.cumsum([s.sets.size for s in sketches])]).astype(np.int64)
    units = Units(
        np.repeat(np.arange(len(sketches), dtype=np.int64), np.diff(unit_starts)),
        np.concatenate([s.paragraph for s in sketches] or [np.zeros(0, np.int64)]).astype(np.int64),
        np.concatenate([s.sets for s in sketches] or [np.zeros(0, np.uint32)]).astype(np.uint32),
        np.concatenate([s.offsets[:-1] + set_starts[i] for i, s in enumerate(sketches)] + [set_starts[-1:]]).astype(
            np.int64
        ),
    )
    pairs = np.array(
        [[unit_starts[local[a[0]]] + a[1], unit_starts[local[b[0]]] + b[1]] for a, b, *_ in component.matches],
        dtype=np.int64,
    ).reshape(-1, 2)
    corpus = Corpus(documents, units)
    headings = ComponentHeadings(documents, component.counts)
    a, b, not_evidence = _evidence(corpus, pairs, component.boilerplate, local)
    passages, where = _passages(a, b, not_evidence, headings, corpus, config)
    return _Local(numbers, sketches, corpus, passages, where, a, b)


def _evidence(
    corpus: Corpus, pairs: npt.NDArray[np.int64], boilerplate: list[tuple[int, int]], local: dict[int, int]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """:func:`dedup.group.grouping.evidence` with the boilerplate already known (from the whole corpus):
    the component's paragraph pairs that touch none of it, and its flat numbers, sorted."""
    not_evidence = np.sort(
        np.array([corpus.paragraph_starts[local[d]] + k for d, k in boilerplate], dtype=np.int64).reshape(-1)
    )
    a, b = pairs_beyond(corpus, pairs, not_evidence)
    return a, b, not_evidence


def teasers(component: Component, config: GroupConfig) -> list[tuple[int, Passage]]:
    """The front-page teasers of the component's documents (:func:`dedup.group.stitch.bare_heads`, given
    where its passages lie), by headline digest, in corpus numbers."""
    part = _localize(component, config)
    found = bare_heads(part.corpus.documents, config, part.where, part.corpus)
    return [(digest, _global(p, part.numbers)) for digest, heads in found.items() for p in heads]


def lone_teasers(doc: int, sketch: DocSketch, config: GroupConfig) -> list[tuple[int, Passage]]:
    """The teasers of a document in no component: :func:`~dedup.group.stitch.bare_heads` with nothing placed."""
    corpus = Corpus(
        [sketch.document], Units(*(np.zeros(0, np.int64),) * 2, np.zeros(0, np.uint32), np.zeros(1, np.int64))
    )
    where = np.full(corpus.paragraph_count, -1, dtype=np.int64)
    found = bare_heads([sketch.document], config, where, corpus)
    return [(digest, Passage(doc, p.first, p.last)) for digest, heads in found.items() for p in heads]


def group_component(
    component: Component, config: GroupConfig
) -> list[tuple[tuple[int, int], tuple[tuple[int, ...], Group]]]:
    """The component's groups (:func:`dedup.group.grouping.group`'s last steps), each with the corpus place
    ``(document, first paragraph)`` of its first passage and its content fingerprint; the driver gives ids
    from the fingerprints (:func:`dedup.group.ids.content_ids`), across the corpus, as the embedded engine does.

    It repeats :func:`~dedup.group.grouping.group`'s tail step for step, because ``group`` builds its
    :class:`~dedup.group.headings.Headings` from the documents it is given, which here are one component's.
    """
    part = _localize(component, config)
    passages, where, corpus, a, b = part.passages, part.where, part.corpus, part.a, part.b
    documents = corpus.documents
    story = join_passages(a, b, where, passages, corpus, config)
    root, members, family_of, group_of = story.root, story.members, story.family_of, story.group_of
    local = {n: i for i, n in enumerate(part.numbers)}
    bare: dict[int, list[Passage]] = {
        digest: [Passage(local[p.doc], p.first, p.last) for p in heads if p.doc in local]
        for digest, heads in component.bare.items()
    }
    out: list[tuple[tuple[int, int], tuple[tuple[int, ...], Group]]] = []
    for indexes in sorted(members.values(), key=min):
        first = passages[indexes[0]]
        made = component_group(
            "G",
            [passages[i] for i in indexes],
            int(root[indexes[0]]),
            family_of,
            group_of,
            documents,
            bare,
            corpus,
            config,
        )
        if made is not None:
            key = (part.numbers[first.doc], first.first)
            out.append((key, (story_fingerprint(made, corpus), _globalized(made, part.numbers))))
    return out


def _global(p: Passage, numbers: list[int]) -> Passage:
    return Passage(numbers[p.doc], p.first, p.last)


def _globalized(group: Group, numbers: list[int]) -> Group:
    """A group with its passages numbered by corpus document."""
    witnesses = tuple(replace(w, passages=tuple(_global(p, numbers) for p in w.passages)) for w in group.witnesses)
    return replace(group, witnesses=witnesses)


def heading_digests(document: GroupedDocument) -> Iterable[tuple[int, bool]]:
    """Each distinct heading digest of a document, and whether it counts toward the corpus statistics (a
    line other than a byline prints it, as :class:`~dedup.group.headings.Headings` counts)."""
    counted: dict[int, bool] = {}
    for p, digest in zip(document.paragraphs, document.digests, strict=True):
        if digest:
            counted[digest] = counted.get(digest, False) or "byline" not in p.hints
    return counted.items()
