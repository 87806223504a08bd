"""Boilerplate over the whole corpus, before document components: :func:`dedup.group.grouping.evidence`'s
answer as joins and aggregations, so that a masthead printed on millions of pages never links them into one
component that one task has to group.

The embedded engine finds boilerplate over the corpus at once (:func:`dedup.group.boilerplate.boilerplate`):
families of near-identical paragraphs, each family's company in its documents, and, for a family small in
company, whether a headline its documents share stands above it (a brief, not boilerplate) or above a body
they share (a jumped story's headline). Every one of those facts is a per-unit, per-document, per-family or
per-(family, document) quantity, computed here by key; the pure functions of the embedded engine are called
where a decision reads one unit's or one document's data (:func:`~dedup.group.boilerplate.glued_units` on one
unit's star of partners, :func:`~dedup.group.headings.is_heading_like` per line). Components are then taken
over evidence matches only, and each component's grouping is given the boilerplate of its documents.

Paragraphs are *flat* longs ``document << SHIFT | paragraph``: ordered as the embedded engine's flat numbers, so
that the smallest node labels a family as :func:`dedup.group.components.components` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from dedup.config import GroupConfig
from dedup.engines.spark.components import connected_components
from dedup.engines.spark.grouping import heading_digests
from dedup.engines.spark.stages import DocSketch, Match, UnitId, as_set, sketch_of, with_units
from dedup.group.boilerplate import glued_units
from dedup.group.headings import is_heading_like
from dedup.match.candidates import Units
from dedup.results import ScannedDocument

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.sql import DataFrame, SparkSession

SHIFT = 20
"""Bits of a flat paragraph number that hold the paragraph (a document of over a million paragraphs is refused)."""

PARAGRAPH = (1 << SHIFT) - 1
"""The paragraph bits of a flat number."""

JUMP_HINTS = frozenset({"continued_from", "continued_on"})


def flat(doc: int, paragraph: int) -> int:
    """A paragraph's flat number.

    >>> flat(2, 5) >> SHIFT, flat(2, 5) & PARAGRAPH
    (2, 5)
    """
    if paragraph >> SHIFT:
        raise ValueError(f"document {doc} has over {1 << SHIFT} paragraphs")
    return doc << SHIFT | paragraph


@dataclass(frozen=True, slots=True)
class MatchFacts:
    """A verified match with what boilerplate reads of it: its paragraphs (flat), whether it can make a
    family (both units sketched from their own text, and near-identical), and which unit the other covers only
    a part of (:func:`dedup.engines.spark.stages.partial_sides`)."""

    a: UnitId
    b: UnitId
    flat_a: int
    flat_b: int
    family: bool
    partial: int


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """A paragraph of a family, with what the family's tests read of its document.

    Attributes:
        family: the family (its smallest paragraph).
        node: the paragraph (flat).
        doc: its document.
        length: its content characters.
        jump: it carries a page-jump marker.
        headlines: the digests of the headlines that :meth:`dedup.group.headings.Headings.heads` would ask
            about above it, each with whether this document itself counts that digest (prints it on a line
            other than a byline).
        after: the flat numbers of the ``max_heading_paragraphs`` paragraphs after it in its document.
    """

    family: int
    node: int
    doc: int
    length: int
    jump: bool
    headlines: tuple[tuple[int, bool], ...]
    after: tuple[int, ...]


def match_facts(found: RDD[Match], units: DataFrame) -> RDD[MatchFacts]:
    """Every verified match with its paragraphs and whether it can make a family (``units``:
    :func:`dedup.engines.spark.stages.unit_table`, joined in the JVM: only the matches move)."""
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    frame = spark.createDataFrame(
        found.map(lambda m: (*m[0], *m[1], m[2], m[3])),
        "a_doc long, a_unit int, b_doc long, b_unit int, near boolean, partial int",
        verifySchema=False,
    )
    joined = with_units(frame, units, "ab", ["paragraph", "own"]).select(
        "a_doc", "a_unit", "b_doc", "b_unit", "near", "partial", "a_paragraph", "a_own", "b_paragraph", "b_own"
    )
    return joined.rdd.map(
        lambda r: MatchFacts(
            (int(r[0]), int(r[1])),
            (int(r[2]), int(r[3])),
            flat(int(r[0]), int(r[6])),
            flat(int(r[2]), int(r[8])),
            bool(r[4] and r[7] and r[9]),
            int(r[5]),
        )
    )


def _glued(unit: UnitId, own: np.ndarray, partners: Iterable[tuple[UnitId, np.ndarray]]) -> bool:
    """:func:`~dedup.group.boilerplate.glued_units` on one unit's star of near-identical partners: the kernel
    reads only a unit's own partners, and numbering them in ``(document, unit)`` order keeps its tie-break."""
    sets = dict(partners)
    sets[unit] = own
    ids = sorted(sets)
    local = {u: i for i, u in enumerate(ids)}
    arrays = [sets[u] for u in ids]
    offsets = np.concatenate([[0], np.cumsum([s.size for s in arrays])]).astype(np.int64)
    units = Units(
        np.array([u[0] for u in ids], dtype=np.int64),
        np.zeros(len(ids), dtype=np.int64),
        np.concatenate(arrays).astype(np.uint32),
        offsets,
    )
    pairs = np.array([[local[unit], local[p]] for p in ids if p != unit], dtype=np.int64)
    return bool(glued_units(pairs, units)[local[unit]])


def family_pairs(facts: RDD[MatchFacts], units: DataFrame) -> RDD[tuple[int, int]]:
    """The paragraph pairs that make families: near-identical own-text matches between documents, neither of
    whose units is glued (two texts run together), as flat ``(low, high)``, each once (``units``: the units'
    shingle sets, :func:`dedup.engines.spark.stages.unit_table`, joined in the JVM without shuffling them
    again).

    Only a unit of two partners or more, one of which covers only a part of it, can be glued (as in
    :func:`~dedup.group.boilerplate.glued_units`): only those units gather their partners' sets. A masthead
    printed alike on thousands of pages has hundreds of partners per unit, all covering it whole, and gathers
    none."""
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F  # noqa: N812 - pyspark's own idiom

    spark = SparkSession.builder.getOrCreate()
    candidates = facts.filter(lambda f: f.family).persist()
    star = candidates.flatMap(lambda f: [(f.a, (f.b, f.partial & 1)), (f.b, (f.a, f.partial >> 1 & 1))])
    degree = (  # per unit: its partners, and how many of them cover only a part of it
        star.mapValues(lambda v: (1, v[1]))
        .reduceByKey(lambda x, y: (x[0] + y[0], x[1] + y[1]))
        .filter(lambda kv: kv[1][0] >= 2 and kv[1][1] >= 1)
    )
    wide = star.join(degree).map(lambda kv: (*kv[0], *kv[1][0][0]))  # a unit that may be glued, a partner
    frame = spark.createDataFrame(wide, "u_doc long, u_unit int, p_doc long, p_unit int", verifySchema=False)
    stars = (  # each such unit with its partners' sets, then its own
        with_units(frame, units, "p", ["shingles"])
        .groupBy("u_doc", "u_unit")
        .agg(F.collect_list(F.struct("p_doc", "p_unit", "p_shingles")).alias("partners"))
    )
    glued = (
        with_units(stars, units, "u", ["shingles"])
        .select("u_doc", "u_unit", "u_shingles", "partners")
        .rdd.filter(
            lambda r: _glued(
                (int(r[0]), int(r[1])), as_set(r[2]), (((int(p[0]), int(p[1])), as_set(p[2])) for p in r[3])
            )
        )
        .map(lambda r: ((int(r[0]), int(r[1])), True))
        .persist()
    )
    if glued.isEmpty():  # the common case: no unit glued, nothing to take out of a million matches
        kept = candidates
    else:
        kept = (
            candidates.map(lambda f: (f.a, f))
            .subtractByKey(glued)
            .map(lambda kv: (kv[1].b, kv[1]))
            .subtractByKey(glued)
            .values()
        )
    pairs = paragraph_pairs(kept).persist()
    pairs.count()  # computed while the family matches and the glued units are cached
    candidates.unpersist()
    glued.unpersist()
    return pairs


def paragraph_pairs(facts: RDD[MatchFacts]) -> RDD[tuple[int, int]]:
    """:func:`dedup.group.corpus.paragraph_matches`: matches as flat paragraph pairs between different
    documents, ``(low, high)``, each once."""
    return (
        facts.filter(lambda f: f.flat_a >> SHIFT != f.flat_b >> SHIFT)
        .map(lambda f: (min(f.flat_a, f.flat_b), max(f.flat_a, f.flat_b)))
        .distinct()
    )


def _node_facts(
    doc: int, document: ScannedDocument, nodes: Iterable[tuple[int, int]], config: GroupConfig
) -> Iterator[NodeFacts]:
    """The facts of a document's family paragraphs (``nodes``: ``(flat, family)``)."""
    paragraphs, lengths, digests = document.paragraphs, document.lengths, document.digests
    counted = dict(heading_digests(document))
    for node, family in nodes:
        k = node & PARAGRAPH
        headlines: list[tuple[int, bool]] = []
        for i in range(k - 1, max(-1, k - 1 - 2 * config.max_heading_paragraphs), -1):  # Headings.heads' walk
            if digests[i] and "headline" in paragraphs[i].hints:
                headlines.append((digests[i], counted.get(digests[i], False)))
            if not is_heading_like(paragraphs[i], lengths[i], config) and lengths[i] > 2 * config.heading_chars:
                break
        last = min(k + config.max_heading_paragraphs, len(paragraphs) - 1)
        yield NodeFacts(
            family,
            node,
            doc,
            lengths[k],
            bool(paragraphs[k].hints & JUMP_HINTS),
            tuple(headlines),
            tuple(flat(doc, q) for q in range(k + 1, last + 1)),
        )


def boilerplate(
    spark: SparkSession,
    docs: RDD[tuple[int, DocSketch]],
    units: DataFrame,
    table: DataFrame,
    facts: RDD[MatchFacts],
    counts: RDD[tuple[int, int]],
    config: GroupConfig,
) -> RDD[int]:
    """The flat numbers of the corpus's boilerplate paragraphs: :func:`dedup.group.grouping.evidence`'s
    ``not_evidence`` (``counts``: in how many documents each heading digest is counted, as
    :class:`~dedup.group.headings.Headings` counts them; ``units`` and ``table``: the cached unit and document
    tables, :func:`~dedup.engines.spark.stages.unit_table` and :func:`~dedup.engines.spark.stages.doc_table`)."""
    from pyspark.sql import functions as F  # noqa: N812 - pyspark's own idiom

    pairs = family_pairs(facts, units)
    if pairs.isEmpty():
        pairs.unpersist()
        return spark.sparkContext.emptyRDD()
    frame = spark.createDataFrame(pairs, "src long, dst long", verifySchema=False)
    families = connected_components(frame)  # node -> family
    placed = (  # the family paragraphs of each document, met with the document in the JVM
        families.select(F.shiftright("node", SHIFT).alias("doc"), "node", F.col("component").alias("family"))
        .groupBy("doc")
        .agg(F.collect_list(F.struct("node", "family")).alias("nodes"))
    )
    nodes = (
        table.join(placed, "doc")
        .rdd.flatMap(
            lambda r: _node_facts(int(r[0]), sketch_of(r[1]).document, [(int(n[0]), int(n[1])) for n in r[2]], config)
        )
        .persist()
    )

    # company (dedup.group.boilerplate._blocks): a family's size, plus the sizes of the families beside it in
    # at least half of its documents
    size = nodes.map(lambda n: (n.family, n.length)).reduceByKey(max)
    incidence = nodes.map(lambda n: (n.family, n.doc)).distinct().persist()
    doc_count = incidence.mapValues(lambda _: 1).reduceByKey(lambda x, y: x + y)
    common = doc_count.filter(lambda kv: kv[1] >= config.standalone_docs)
    by_doc = incidence.map(lambda kv: (kv[1], kv[0]))
    common_by_doc = incidence.join(common).map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))  # doc -> (f, count)
    beside = (
        common_by_doc.join(by_doc)
        .filter(lambda kv: kv[1][0][0] != kv[1][1])
        .map(lambda kv: ((kv[1][0], kv[1][1]), 1))  # ((f, count of f), g)
        .reduceByKey(lambda x, y: x + y)
        .filter(lambda kv: 2 * kv[1] >= kv[0][0][1])
        .map(lambda kv: (kv[0][1], kv[0][0][0]))  # g -> f
        .join(size)
        .map(lambda kv: kv[1])  # f -> size of g
        .reduceByKey(lambda x, y: x + y)
    )
    block = common.join(size).mapValues(lambda v: v[1]).leftOuterJoin(beside).mapValues(lambda v: v[0] + (v[1] or 0))
    noisy = block.filter(lambda kv: kv[1] < config.boilerplate_block_chars).mapValues(lambda _: True)
    if noisy.isEmpty():
        for held in (pairs, nodes, incidence):
            held.unpersist()
        return spark.sparkContext.emptyRDD()

    members = nodes.map(lambda n: (n.family, n)).join(noisy).mapValues(lambda v: v[0]).persist()
    jumped = members.filter(lambda kv: kv[1].jump).keys().distinct().map(lambda f: (f, True))
    undecided = members.subtractByKey(jumped).persist()
    noisy_docs = incidence.join(noisy).map(lambda kv: (kv[0], kv[1][0]))  # f -> doc, for noisy f
    headed = _headed(undecided, noisy_docs, docs, counts)

    def story(extra: RDD[tuple[int, int]] | None) -> RDD[tuple[int, bool]]:
        """The undecided families that stand under their documents' headline (or above their body, with
        ``extra``: (family, document) where a member heads a body) in 80% of their documents."""
        under = headed if extra is None else headed.union(extra)
        counted = under.distinct().mapValues(lambda _: 1).reduceByKey(lambda x, y: x + y)
        return counted.join(doc_count).filter(lambda kv: kv[1][0] >= 0.8 * kv[1][1]).mapValues(lambda _: True)

    first = undecided.subtractByKey(story(None))  # f -> member: first-pass boilerplate (headline test alone)
    if first.isEmpty():
        result: RDD[int] = spark.sparkContext.emptyRDD()
    else:  # ... and a story's headline, above a body that is no boilerplate, is no boilerplate
        first_nodes = first.map(lambda kv: (kv[1].node, True))
        body = _body_partners(facts, first_nodes)
        heads_body = _heads_body(first, noisy_docs, body)
        result = first.subtractByKey(story(heads_body)).map(lambda kv: kv[1].node)
    result = result.persist()
    result.count()
    for cached in (pairs, nodes, incidence, members, undecided):
        cached.unpersist()
    return result


def _headed(
    members: RDD[tuple[int, NodeFacts]],
    family_docs: RDD[tuple[int, int]],
    docs: RDD[tuple[int, DocSketch]],
    counts: RDD[tuple[int, int]],
) -> RDD[tuple[int, int]]:
    """``(family, document)`` where a member stands under a headline the family's documents print and
    hardly any other (:meth:`dedup.group.headings.Headings.heads`, asked with the family's documents).

    For a headline digest above a member of document ``d``: ``inside`` documents of the family print it,
    ``total`` in the corpus. ``Headings.shared`` asks that a document other than ``d`` inside print it
    (``inside - [d prints it]`` ≥ 1) and fewer than two outside (``total - inside`` < 2).
    """
    asked = members.flatMap(lambda kv: ((digest, (kv[0], kv[1].doc, own)) for digest, own in kv[1].headlines))
    wanted = asked.map(lambda kv: ((kv[1][0], kv[0]), True)).distinct()  # (family, digest)
    printed = docs.flatMap(
        lambda kv: ((kv[0], digest) for digest, counted in heading_digests(kv[1].document) if counted)
    )
    inside = (
        family_docs.map(lambda kv: (kv[1], kv[0]))  # doc -> family
        .join(printed)
        .map(lambda kv: ((kv[1][0], kv[1][1]), 1))  # (family, digest)
        .join(wanted)
        .mapValues(lambda v: v[0])
        .reduceByKey(lambda x, y: x + y)
    )
    shared = (
        inside.map(lambda kv: (kv[0][1], (kv[0][0], kv[1])))  # digest -> (family, inside)
        .join(counts)
        .map(lambda kv: ((kv[1][0][0], kv[0]), (kv[1][0][1], kv[1][1])))  # (family, digest) -> (inside, total)
    )
    return (
        asked.map(lambda kv: ((kv[1][0], kv[0]), (kv[1][1], kv[1][2])))  # (family, digest) -> (doc, own)
        .join(shared)
        .filter(lambda kv: kv[1][1][0] - kv[1][0][1] >= 1 and kv[1][1][1] - kv[1][1][0] < 2)
        .map(lambda kv: (kv[0][0], kv[1][0][0]))
        .distinct()
    )


def _body_partners(facts: RDD[MatchFacts], first: RDD[tuple[int, bool]]) -> RDD[tuple[int, int]]:
    """``(paragraph, partner document)`` for every paragraph pair between documents that touches no
    first-pass boilerplate: what :func:`dedup.group.grouping._heads_matched_body` reads."""
    pairs = paragraph_pairs(facts)
    clean = pairs.subtractByKey(first).map(lambda kv: (kv[1], kv[0])).subtractByKey(first)  # (high, low)
    return clean.flatMap(lambda kv: [(kv[0], kv[1] >> SHIFT), (kv[1], kv[0] >> SHIFT)])


def _heads_body(
    first: RDD[tuple[int, NodeFacts]], family_docs: RDD[tuple[int, int]], body: RDD[tuple[int, int]]
) -> RDD[tuple[int, int]]:
    """``(family, document)`` where a member has, among the paragraphs after it, one matched (outside
    boilerplate) in another document of its family."""
    asked = first.flatMap(lambda kv: ((q, (kv[0], kv[1].doc)) for q in kv[1].after))
    return (
        asked.join(body)
        .filter(lambda kv: kv[1][1] != kv[1][0][1])
        .map(lambda kv: ((kv[1][0][0], kv[1][1]), kv[1][0][1]))  # (family, partner doc) -> member doc
        .join(family_docs.map(lambda kv: (kv, True)))
        .map(lambda kv: (kv[0][0], kv[1][0]))
        .distinct()
    )
