"""The Spark engine's orchestration: :func:`scan` and :func:`report`, the Spark counterparts of
:func:`dedup.pipeline.scan.scan` and :func:`dedup.pipeline.report.report`, returning the same records, and
:func:`write_tables`, which writes them as Parquet from the executors.

The stages, each distributed (see the module of each): listing on the driver, reading, preparation and
sketching in ``mapPartitions`` (:mod:`.stages`); banding by band key and verification as a join on shingle sets
(:mod:`.stages`); boilerplate over the corpus as joins and aggregations (:mod:`.boilerplate`); connected
components of documents linked by evidence by large-star/small-star (:mod:`.components`); heading counts and
teasers as aggregations, and grouping per component (:mod:`.grouping`); group ids given among the groups that
share a short id; collation per group on the executors. Nothing of the corpus comes to the driver until a result
record is asked for (:func:`_collected`), and :func:`write_tables` never asks for one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dedup.collate.records import GroupReport, Report
from dedup.config import Config
from dedup.engines.spark.boilerplate import PARAGRAPH, SHIFT, boilerplate, match_facts, paragraph_pairs
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
from dedup.engines.spark.stages import (
    DocSketch,
    Match,
    Place,
    Prepared,
    doc_table,
    matches,
    prepare_partition,
    sketch_of,
    unit_table,
)
from dedup.group.ids import content_ids, short_id, with_id
from dedup.ingest.parquet import Columns
from dedup.records import InputRecord
from dedup.results import Group, Passage, ScannedDocument, ScanResult

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.sql import DataFrame, SparkSession


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
    return _collected(_scan(spark, list(paths), config, columns or Columns(), keep_text, slim, measure), config)


@dataclass(frozen=True, slots=True)
class _Distributed:
    """A scan as the executors hold it: nothing of it has come to the driver.

    Attributes:
        inputs: every input's record, by its place in the input order.
        docs: the processed documents and their units, by corpus number.
        table: the same as a cached table partitioned by document (:func:`~.stages.doc_table`), for joins.
        groups: the groups, ids given, by the corpus place ``(document, first paragraph)`` of their first
            passage (the embedded engine's group order).
        stats: counts and timings of the stages.
    """

    inputs: RDD[tuple[Place, InputRecord]]
    docs: RDD[tuple[int, DocSketch]]
    table: DataFrame
    groups: RDD[tuple[tuple[int, int], Group]]
    stats: dict[str, float]


def _scan(
    spark: SparkSession,
    paths: list[str],
    config: Config,
    columns: Columns,
    keep_text: bool,
    slim: bool,
    measure: bool = False,
) -> _Distributed:
    """Every stage of the scan, persisted on the executors; the driver holds the listing and counts only."""
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
    inputs = prepared.map(lambda r: (r[0], r[1])).persist()
    # numbered in input order: the listing is sliced in order and each slice yields its documents in order
    docs = prepared.flatMap(_sketched).values().zipWithIndex().map(lambda kv: (kv[1], kv[0]))
    if docs.getNumPartitions() < sc.defaultParallelism:  # one large file is one slice: spread its documents
        docs = docs.repartition(sc.defaultParallelism)  # over the cores for every later pass over them
    docs = docs.persist()
    skipped = inputs.filter(lambda kv: kv[1].status == "skipped").count()
    stats.update(documents=docs.count(), skipped=skipped)  # both materialized before their source is dropped
    prepared.unpersist()
    stats["sketch_s"] = time.perf_counter() - tick

    tick = time.perf_counter()
    units = unit_table(docs)
    table = doc_table(docs)
    found = matches(docs, units, config, config.candidates.max_bucket, stats if measure else None)
    stats["matches"] = found.count()
    stats["candidates_s"] = time.perf_counter() - tick
    tick = time.perf_counter()
    groups = _groups(spark, docs, units, table, found, config, stats if measure else None).persist()
    stats["groups"] = groups.count()
    stats["group_s"] = time.perf_counter() - tick
    found.unpersist()
    units.unpersist()
    return _Distributed(inputs, docs, table, groups, stats)


def _collected(scanned: _Distributed, config: Config) -> ScanResult:
    """The scan's result record, gathered on the driver: the JSON contract is one document, so what it holds
    (every input's record, every document as a slim scan keeps it, every group) comes here. At a scale where
    it does not fit one process, :func:`write_tables` writes the same from the executors instead."""
    inputs = tuple(record for _, record in sorted(scanned.inputs.collect(), key=_first))  # sorted here: no job
    documents = tuple(document for _, document in sorted(scanned.docs.mapValues(_document).collect(), key=_first))
    groups = tuple(group for _, group in sorted(scanned.groups.collect(), key=_first))
    return ScanResult(inputs, documents, groups, config, dict(scanned.stats))


def _first(kv: tuple[Any, Any]) -> Any:
    return kv[0]


def _document(sketch: DocSketch) -> ScannedDocument:
    return sketch.document


def _sketched(row: Prepared) -> list[tuple[Place, DocSketch]]:
    """The document of a prepared item, if it was processed."""
    place, _, sketch = row
    return [] if sketch is None else [(place, sketch)]


def _groups(
    spark: SparkSession,
    docs: RDD[tuple[int, DocSketch]],
    units: DataFrame,
    table: DataFrame,
    found: RDD[Match],
    config: Config,
    stats: dict[str, float] | None = None,
) -> RDD[tuple[tuple[int, int], Group]]:
    """Components of matched documents, grouped each on an executor; the groups by their first passage's
    place, ids given (:func:`_named`). With ``stats``, the largest component's document count goes into it:
    the most documents one grouping task holds."""
    settings = config.group
    # heading statistics: in how many documents each heading digest is printed (bylines aside)
    digests = docs.flatMap(
        lambda kv: ((d, (kv[0], counted)) for d, counted in heading_digests(kv[1].document))
    ).persist()
    counts = digests.filter(lambda kv: kv[1][1]).map(lambda kv: (kv[0], 1)).reduceByKey(lambda x, y: x + y).persist()

    # boilerplate over the corpus, then components over the matches that are evidence
    facts = match_facts(found, units).persist()
    set_aside = boilerplate(spark, docs, units, table, facts, counts, settings)
    if stats is not None:
        stats["boilerplate_paragraphs"] = set_aside.count()
    not_evidence = set_aside.map(lambda node: (node, True))
    evidence = paragraph_pairs(facts).subtractByKey(not_evidence).map(lambda kv: (kv[1], kv[0]))
    edges = evidence.subtractByKey(not_evidence).map(lambda kv: (kv[0] >> SHIFT, kv[1] >> SHIFT)).distinct()
    if edges.isEmpty():
        if stats is not None:
            stats["largest_component"] = 0
        return spark.sparkContext.emptyRDD()
    frame = spark.createDataFrame(edges, "src long, dst long", verifySchema=False)
    labelled = connected_components(frame)
    labels = labelled.rdd.map(lambda row: (int(row[0]), int(row[1]))).persist()
    if stats is not None:
        stats["largest_component"] = labels.map(lambda kv: (kv[1], 1)).reduceByKey(lambda x, y: x + y).values().max()
    members = (  # component -> (doc, sketch): the documents met with their labels in the JVM, where they lie
        table.join(labelled.withColumnRenamed("node", "doc"), "doc").rdd.map(
            lambda r: (int(r[2]), (int(r[0]), sketch_of(r[1])))
        )
    )
    by_component = (  # the matches between two documents of one component
        found.map(lambda m: (m[0][0], m))
        .join(labels)
        .map(lambda kv: (kv[1][0][1][0], kv[1]))
        .join(labels)
        .filter(lambda kv: kv[1][0][1] == kv[1][1])
        .map(lambda kv: (kv[1][1], kv[1][0][0]))
    )
    component_boilerplate = (
        not_evidence.map(lambda kv: (kv[0] >> SHIFT, kv[0]))
        .join(labels)
        .map(lambda kv: (kv[1][1], (kv[0], kv[1][0] & PARAGRAPH)))
    )  # component -> (doc, paragraph)
    component_digests = digests.map(lambda kv: (kv[1][0], kv[0])).join(labels).map(lambda kv: (kv[1][0], kv[1][1]))
    component_counts = (
        component_digests.distinct().join(counts).map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
    )  # component -> (digest, count)

    def component(kv: tuple[int, tuple[Any, Any, Any, Any]], bare: dict[int, list[Passage]] | None = None) -> Component:
        own, pairs, heading_counts, set_aside = kv[1]
        return Component(dict(own), list(pairs), dict(heading_counts), bare or {}, list(set_aside))

    joined = members.groupWith(by_component, component_counts, component_boilerplate).persist()
    bare = _teasers(docs, labels, joined, component, settings)
    if bare is None:
        grouped = joined.flatMap(lambda kv: group_component(component(kv), settings))
    else:
        grouped = _with_teasers(table, joined, bare, component, settings)
    named = _named(grouped).persist()
    named.count()  # computed while its inputs are cached
    for cached in (labels, digests, counts, facts, joined):
        cached.unpersist()
    return named


def _named(grouped: RDD[tuple[tuple[int, int], tuple[tuple[int, ...], Group]]]) -> RDD[tuple[tuple[int, int], Group]]:
    """Each group given its content id on an executor: :func:`dedup.group.ids.content_ids` needs to see
    only the groups whose fingerprints give the same short id (it ranks colliding ones by fingerprint, then
    by group order), so the groups meet by short id, a handful at most, never all on the driver."""

    def ranked(members: Iterable[tuple[tuple[int, int], tuple[tuple[int, ...], Group]]]) -> list[tuple[Any, Group]]:
        ordered = sorted(members, key=lambda m: m[0])  # group order, as content_ids numbers them
        ids = content_ids([print_ for _, (print_, _) in ordered])
        return [(key, with_id(group, gid)) for (key, (_, group)), gid in zip(ordered, ids, strict=True)]

    return grouped.map(lambda kv: (short_id(kv[1][0]), kv)).groupByKey().flatMap(lambda kv: ranked(kv[1]))


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


def _with_teasers(table: DataFrame, joined: Any, bare: Any, component: Any, settings: Any) -> Any:
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
    spark = table.sparkSession
    extra = (  # component -> (doc, sketch): the teasers' pages met in the JVM with the cached documents
        table.join(spark.createDataFrame(pages, "doc long, component long", verifySchema=False), "doc").rdd.map(
            lambda r: (int(r[2]), (int(r[0]), sketch_of(r[1])))
        )
    )

    def grouped(kv: Any) -> Any:
        (own, pairs, heading_counts, set_aside), heads, pages_of = kv[1][0], kv[1][1], kv[1][2]
        docs_here = dict(own)
        docs_here.update(dict(pages_of))
        made = Component(docs_here, list(pairs), dict(heading_counts), dict(heads), list(set_aside))
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
    config = config or Config()
    spark = session(master, conf)
    scanned = _scan(spark, list(paths), config, columns or Columns(), True, True)
    result = _collected(scanned, config)
    reports = [report for _, report in sorted(_collated(scanned, reference, config).collect(), key=_first)]
    return Report(result, tuple(reports))


def _with_sources(scanned: _Distributed) -> RDD[tuple[tuple[int, int], tuple[Group, dict[int, ScannedDocument]]]]:
    """Each group with its own documents (by corpus number), met on an executor by a join on document."""
    from pyspark.sql import SparkSession

    wanted = scanned.groups.flatMap(lambda kv: {(p.doc, *kv[0]) for w in kv[1].witnesses for p in w.passages})
    frame = SparkSession.builder.getOrCreate().createDataFrame(
        wanted, "doc long, group_doc long, group_first int", verifySchema=False
    )
    sources = (  # met in the JVM with the cached documents, where they lie; the units stay behind
        scanned.table.join(frame, "doc")
        .rdd.map(lambda r: ((int(r[2]), int(r[3])), (int(r[0]), sketch_of(r[1]).document)))
        .groupByKey()
    )
    return scanned.groups.join(sources).mapValues(lambda both: (both[0], dict(both[1])))


def _collated(scanned: _Distributed, reference: str | None, config: Config) -> RDD[tuple[tuple[int, int], GroupReport]]:
    """Each group collated on an executor from its own documents, by the group's place."""
    from dedup.pipeline.report import _collate_sources

    return _with_sources(scanned).mapValues(lambda both: _collate_sources((both[0], both[1], reference, config)))


def write_tables(
    paths: Iterable[str],
    out_dir: str,
    config: Config | None = None,
    master: str = "local[*]",
    conf: Mapping[str, str] | None = None,
    *,
    collate: bool = False,
    reference: str | None = None,
    columns: Columns | None = None,
) -> dict[str, float]:
    """Scan (and with ``collate``, report) and write the results as Parquet from the executors, which is how
    a corpus too large for one process comes out: ``inputs.parquet``, ``groups.parquet`` and, with
    ``collate``, ``findings.parquet`` under ``out_dir`` (any path or URI the executors can write: a shared
    file system, ``hdfs://``, ``s3a://``), each a Spark table folder that pyarrow, pandas or Spark read as one
    table, rows in the order :func:`~dedup.engines.spark.output.write_parquet` writes them. The driver holds
    the listing and the counts it returns (the stages' ``stats``), never an input, a document or a group.
    """
    from dedup.engines.spark.output import (
        FINDING_COLUMNS,
        GROUP_COLUMNS,
        INPUT_COLUMNS,
        as_tuple,
        finding_rows_of,
        segment_rows,
        spark_schema,
    )

    config = config or Config()
    spark = session(master, conf)
    scanned = _scan(spark, list(paths), config, columns or Columns(), collate, True)
    out = out_dir.rstrip("/")

    def write(rows: RDD[tuple[Any, dict[str, Any]]], columns_of: list[tuple[str, str]], name: str) -> None:
        ordered = rows.sortByKey().values().map(lambda row: as_tuple(row, columns_of))
        spark.createDataFrame(ordered, spark_schema(columns_of)).write.mode("overwrite").parquet(f"{out}/{name}")

    write(scanned.inputs.mapValues(lambda record: record.to_dict()), INPUT_COLUMNS, "inputs.parquet")
    with_sources = _with_sources(scanned).persist()
    segments = with_sources.flatMap(
        lambda kv: (((kv[0], n), row) for n, row in enumerate(segment_rows(kv[1][0], kv[1][1])))
    )
    write(segments, GROUP_COLUMNS, "groups.parquet")
    if collate:
        from dedup.pipeline.report import _collate_sources

        findings = with_sources.flatMap(
            lambda kv: (
                ((kv[0], n), row)
                for n, row in enumerate(finding_rows_of(_collate_sources((kv[1][0], kv[1][1], reference, config))))
            )
        )
        write(findings, FINDING_COLUMNS, "findings.parquet")
    with_sources.unpersist()
    return dict(scanned.stats)
