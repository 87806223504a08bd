"""The Spark engine's orchestration: :func:`scan` and :func:`report`, the Spark counterparts of
:func:`dedup.pipeline.scan.scan` and :func:`dedup.pipeline.report.report`, returning the same records.

The stages, each distributed (see the module of each): listing on the driver, reading, preparation and
sketching in ``mapPartitions`` (:mod:`.stages`); banding by band key and verification as a join on shingle sets
(:mod:`.stages`); connected components of matched documents by large-star/small-star (:mod:`.components`);
heading counts and teasers as aggregations, and grouping per component (:mod:`.grouping`); group ids numbered by
a sort; collation per group on the executors. What comes back to the driver is the result record itself (every
input's record, the documents as a slim scan keeps them, the groups): what the embedded engine returns.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dedup.collate.records import GroupReport, Report
from dedup.config import Config
from dedup.engines.spark.components import connected_components
from dedup.engines.spark.grouping import (
    Component,
    group_component,
    heading_digests,
    lone_teasers,
    teasers,
)
from dedup.engines.spark.inputs import listing
from dedup.engines.spark.session import session
from dedup.engines.spark.stages import DocSketch, Match, Place, Prepared, matches, prepare_partition
from dedup.group.ids import content_ids, with_id
from dedup.ingest.parquet import Columns
from dedup.results import Group, Passage, ScanResult

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.sql import SparkSession


def scan(
    paths: Iterable[str],
    config: Config | None = None,
    master: str = "local[*]",
    conf: Mapping[str, str] | None = None,
    *,
    columns: Columns | None = None,
    keep_text: bool = False,
    slim: bool | None = None,
    measure: bool = False,
) -> ScanResult:
    """:func:`dedup.pipeline.scan.scan` on Spark: the same inputs, documents and groups.

    Args:
        paths: files (text, Markdown, HTML, JSONL, Parquet), directories of them, or ``FILE#ID``.
        config: settings; ``Config()`` by default.
        master: the Spark master (``local[*]``, ``spark://host:7077``, ``yarn``…).
        conf: Spark settings (``--spark-conf KEY=VALUE``) over :data:`~dedup.engines.spark.session.DEFAULTS`.
        columns: the id and text columns of Parquet inputs.
        keep_text, slim: as :func:`dedup.pipeline.scan.scan`'s.
        measure: count the size of each stage's data into ``stats`` (units, shingles, band entries, candidate
            pairs), at the cost of a few more jobs: what ``benchmarks/bench_spark.py`` and docs/scale.md use.

    Raises:
        SparkUnavailableError: pyspark or Java is missing (the message says what to install).
        ValueError: ``-`` is among the paths.
    """
    config = config or Config()
    spark = session(master, conf)
    slim = not keep_text if slim is None else slim
    result, _ = _scan(spark, list(paths), config, columns or Columns(), keep_text, slim, measure)
    return result


def _scan(
    spark: SparkSession,
    paths: list[str],
    config: Config,
    columns: Columns,
    keep_text: bool,
    slim: bool,
    measure: bool = False,
) -> tuple[ScanResult, RDD[tuple[int, DocSketch]]]:
    """The scan, and the documents as an RDD by corpus number (what :func:`report` collates from)."""
    sc = spark.sparkContext
    stats: dict[str, float] = {}
    tick = time.perf_counter()
    entries = listing(paths)
    slices = max(1, min(len(entries), sc.defaultParallelism * 4))
    prepared = (
        sc.parallelize(entries, slices)
        .mapPartitions(lambda part: prepare_partition(part, config, columns, keep_text, slim))
        .persist()
    )
    inputs = [record for _, record in prepared.map(lambda r: (r[0], r[1])).sortByKey().collect()]
    docs = prepared.flatMap(_sketched).sortByKey().values().zipWithIndex().map(lambda kv: (kv[1], kv[0])).persist()
    documents = tuple(sketch.document for _, sketch in docs.collect())
    prepared.unpersist()
    stats["sketch_s"] = time.perf_counter() - tick

    tick = time.perf_counter()
    found = matches(docs, config, config.candidates.max_bucket, stats if measure else None).persist()
    stats["candidates_s"] = time.perf_counter() - tick
    tick = time.perf_counter()
    groups = _groups(spark, docs, found, config)
    stats["group_s"] = time.perf_counter() - tick
    stats.update(
        documents=len(documents), matches=found.count(), skipped=sum(1 for r in inputs if r.status == "skipped")
    )
    found.unpersist()
    return ScanResult(tuple(inputs), documents, groups, config, stats), docs


def _sketched(row: Prepared) -> list[tuple[Place, DocSketch]]:
    """The document of a prepared item, if it was processed."""
    place, _, sketch = row
    return [] if sketch is None else [(place, sketch)]


def _groups(
    spark: SparkSession, docs: RDD[tuple[int, DocSketch]], found: RDD[Match], config: Config
) -> tuple[Group, ...]:
    """Components of matched documents, grouped each on an executor, numbered by their first passage."""
    settings = config.group
    edges = found.map(lambda m: (m[0][0], m[1][0])).distinct()
    if edges.isEmpty():
        return ()
    frame = spark.createDataFrame(edges, "src long, dst long")
    labels = connected_components(frame).rdd.map(lambda row: (int(row[0]), int(row[1]))).persist()
    members = docs.join(labels).map(lambda kv: (kv[1][1], (kv[0], kv[1][0])))  # component -> (doc, sketch)
    by_component = found.map(lambda m: (m[0][0], m)).join(labels).map(lambda kv: (kv[1][1], kv[1][0]))

    # heading statistics: in how many documents each heading digest is printed (bylines aside)
    digests = docs.flatMap(lambda kv: ((d, (kv[0], counted)) for d, counted in heading_digests(kv[1]))).persist()
    counts = digests.filter(lambda kv: kv[1][1]).map(lambda kv: (kv[0], 1)).reduceByKey(lambda x, y: x + y)
    component_digests = digests.map(lambda kv: (kv[1][0], kv[0])).join(labels).map(lambda kv: (kv[1][0], kv[1][1]))
    component_counts = (
        component_digests.distinct().join(counts).map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
    )  # component -> (digest, count)

    def component(kv: tuple[int, tuple[Any, Any, Any]], bare: dict[int, list[Passage]] | None = None) -> Component:
        own, pairs, heading_counts = kv[1]
        return Component(dict(own), list(pairs), dict(heading_counts), bare or {})

    joined = members.groupWith(by_component, component_counts).persist()
    bare = _teasers(docs, labels, joined, component, settings)
    if bare is None:
        grouped = joined.flatMap(lambda kv: group_component(component(kv), settings))
    else:
        grouped = _with_teasers(docs, joined, bare, component, settings)
    printed = grouped.sortByKey().values().collect()  # (fingerprint, group), in the embedded engine's order
    ids = content_ids([print_ for print_, _ in printed])
    out = tuple(with_id(g, gid) for (_, g), gid in zip(printed, ids, strict=True))
    labels.unpersist()
    digests.unpersist()
    joined.unpersist()
    return out


def _teasers(docs: Any, labels: Any, joined: Any, component: Any, settings: Any) -> Any:
    """Front-page teasers of the corpus by headline digest (``None`` when no document has a ``下转`` marker,
    the common case, which saves a pass): those of grouped documents found per component, the others per
    document."""
    jumping = docs.filter(lambda kv: any("continued_on" in p.hints for p in kv[1].document.paragraphs))
    if jumping.isEmpty():
        return None
    in_components = joined.filter(
        lambda kv: any("continued_on" in p.hints for _, s in kv[1][0] for p in s.document.paragraphs)
    ).flatMap(lambda kv: teasers(component(kv), settings))
    alone = jumping.leftOuterJoin(labels).filter(lambda kv: kv[1][1] is None)
    lone = alone.flatMap(lambda kv: lone_teasers(kv[0], kv[1][0], settings))
    return in_components.union(lone).groupByKey().mapValues(lambda heads: sorted(heads, key=lambda p: (p.doc, p.first)))


def _with_teasers(docs: Any, joined: Any, bare: Any, component: Any, settings: Any) -> Any:
    """Grouping per component, each given the teasers printed under its headlines and their pages."""
    headline_digests = joined.flatMap(
        lambda kv: {
            (d, kv[0])
            for _, s in kv[1][0]
            for p, d in zip(s.document.paragraphs, s.document.digests, strict=True)
            if d and "headline" in p.hints
        }
    )
    wanted = headline_digests.join(bare).map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))  # component -> (digest, heads)
    pages = wanted.flatMap(lambda kv: ((p.doc, kv[0]) for p in kv[1][1])).distinct()
    extra = pages.join(docs).map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))  # component -> (doc, sketch)

    def grouped(kv: Any) -> Any:
        (own, pairs, heading_counts), heads, pages_of = kv[1][0], kv[1][1], kv[1][2]
        docs_here = dict(own)
        docs_here.update(dict(pages_of))
        made = Component(docs_here, list(pairs), dict(heading_counts), dict(heads))
        return group_component(made, settings)

    return (
        joined.mapValues(tuple)
        .groupWith(wanted, extra)
        .flatMap(lambda kv: grouped((kv[0], (next(iter(kv[1][0])), kv[1][1], kv[1][2]))))
    )


def report(
    paths: Iterable[str],
    config: Config | None = None,
    master: str = "local[*]",
    conf: Mapping[str, str] | None = None,
    *,
    reference: str | None = None,
    columns: Columns | None = None,
) -> Report:
    """:func:`dedup.pipeline.report.report` on Spark: the scan, then each group collated on an executor by
    :func:`dedup.pipeline.report._collate_sources` (the embedded engine's per-group function)."""
    from dedup.pipeline.report import _collate_sources

    config = config or Config()
    spark = session(master, conf)
    result, docs = _scan(spark, list(paths), config, columns or Columns(), True, True)
    if not result.groups:
        return Report(result, ())
    sc = spark.sparkContext
    wanted = sc.parallelize(
        sorted({(p.doc, g) for g, group in enumerate(result.groups) for w in group.witnesses for p in w.passages})
    )
    sources = wanted.join(docs).map(lambda kv: (kv[1][0], (kv[0], kv[1][1].document))).groupByKey()
    numbered = sc.parallelize(list(enumerate(result.groups)))

    def collated(kv: tuple[int, tuple[Iterable[tuple[int, Any]], Group]]) -> tuple[int, GroupReport]:
        own, group = kv[1]
        return kv[0], _collate_sources((group, dict(own), reference, config))

    reports = dict(sources.join(numbered).map(collated).collect())
    return Report(result, tuple(reports[g] for g in range(len(result.groups))))
