"""Stories: the final grouping of one connected component of linked passages.

:func:`component_group` turns the passages that links tie together into a group of witnesses: pieces of one
copy joined, jumped pages stitched, each copy's coverage of the story and similarity to the most complete
copy measured. It reads only that component's passages and the corpus lookups, so it is a pure function per
connected component: the embedded engine calls it component by component, and a distributed engine (Spark,
a later issue) calls the same function on each component it finds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from dedup.config import GroupConfig
from dedup.group.corpus import Corpus, GroupedDocument, Key
from dedup.group.stitch import attach_bare_heads, join_cut_copies, stitch
from dedup.records import Span
from dedup.results import Group, Passage, Witness


def component_group(
    gid: str,
    component: Sequence[Passage],
    label: int,
    family_of: npt.NDArray[np.int64],
    group_of: npt.NDArray[np.int64],
    documents: Sequence[GroupedDocument],
    bare: dict[int, list[Passage]],
    corpus: Corpus,
    config: GroupConfig,
) -> Group | None:
    """The group one connected component of linked passages makes, or ``None`` if it holds fewer than two
    copies once the pieces of each copy are joined.

    Args:
        gid: a provisional id; :func:`dedup.group.grouping.named` gives the content-derived one.
        component: its passages, in passage order.
        label: the component's label in ``group_of``.
        family_of, group_of: each flat paragraph's family and its passage's group (see :func:`families`);
            ``group_of`` labels a group by the smallest passage number in it.
        documents: the corpus's documents.
        bare: front-page teasers by headline digest (:func:`dedup.group.stitch.bare_heads`).
        corpus: the corpus lookups.
        config: grouping settings.
    """
    joined = join_cut_copies(list(component), config)
    family = families(joined, family_of, group_of, label, corpus)
    chains = attach_bare_heads(stitch(joined, documents, family), bare, documents)
    if len(chains) < 2:
        return None
    for chain in chains:  # a bare head's lines were matched nowhere: each is a family of its own
        for part in chain:
            for k in range(part.first, part.last + 1):
                family.setdefault((part.doc, k), -1 - len(family))
    return make_group(gid, chains, family, corpus)


def families(
    passages: Sequence[Passage],
    family_of: npt.NDArray[np.int64],
    group_of: npt.NDArray[np.int64],
    group: int,
    corpus: Corpus,
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


def make_group(gid: str, chains: list[list[Passage]], family: dict[Key, int], corpus: Corpus) -> Group:
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
                corpus.documents[p.doc].path,
                corpus.paragraph((p.doc, p.first)).start_line,
                corpus.paragraph((p.doc, p.last)).end_line,
                corpus.paragraph((p.doc, p.first)).raw_start,
                corpus.paragraph((p.doc, p.last)).raw_end,
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
