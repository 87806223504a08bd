"""The Spark engine's stages up to verified matches: per-document preparation and sketching, banding by band
key, and verification as a join on the units' shingle sets.

Each stage calls the embedded engine's own functions on the executors: :func:`dedup.pipeline.scan._scan_batch`
(which calls :func:`dedup.prepare.sketch` and the numba signer and band-key kernels), the candidate rule of
:func:`dedup.match.candidates.key_candidates` per bucket (:func:`bucket_pairs`), the head candidates of
:func:`dedup.match.heads.head_pairs` per head key (:func:`dedup.match.heads.bucket_head_pairs`) and the scores of
:func:`dedup.match.candidates.verify` per pair (:func:`score`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from dedup.config import Config
from dedup.engines.spark.inputs import Entry, read
from dedup.group.boilerplate import WHOLE_COVER
from dedup.ingest.load import input_record
from dedup.ingest.parquet import Columns
from dedup.match.heads import bucket_head_pairs, head_accepted, is_cut, key_of
from dedup.records import Document, InputRecord, Skipped
from dedup.results import ScannedDocument

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.sql import DataFrame

BATCH = 64  # documents per call of the sketcher: enough to amortise numba's per-call cost

Place = tuple[int, int]
"""An item's place in the input order: ``(listed input, item within it)``."""

UnitId = tuple[int, int]
"""A unit as ``(document, unit within the document)``: ordered as the embedded engine numbers units."""


@dataclass(frozen=True, slots=True)
class DocSketch:
    """One prepared document and its units, as the executors hold them between stages.

    Attributes:
        document: the document as a scan keeps it.
        paragraph: the paragraph of each unit.
        sets: the units' sorted shingle sets, back to back; unit ``u``'s is ``sets[offsets[u]:offsets[u+1]]``.
        offsets: see ``sets``.
        keys: the units' LSH band keys (uint64, one column per band).
        heads: the units' head keys (:func:`dedup.match.heads.head_keys`; 0: none).
    """

    document: ScannedDocument
    paragraph: npt.NDArray[np.int64]
    sets: npt.NDArray[np.uint32]
    offsets: npt.NDArray[np.int64]
    keys: npt.NDArray[np.uint64]
    heads: npt.NDArray[np.uint64]

    def set_of(self, unit: int) -> npt.NDArray[np.uint32]:
        return self.sets[self.offsets[unit] : self.offsets[unit + 1]]


Prepared = tuple[Place, InputRecord, DocSketch | None]


def prepare_partition(
    entries: Iterable[Entry], config: Config, columns: Columns, keep_text: bool, slim: bool
) -> Iterator[Prepared]:
    """Read, prepare and sketch the documents of some listed inputs: every item's place and input record,
    with its sketch when it was processed (``keep_text`` and ``slim`` as :func:`dedup.pipeline.scan.scan`'s)."""
    batch: list[tuple[Place, Document]] = []
    for entry in entries:
        for n, item in enumerate(read(entry, columns)):
            if isinstance(item, Skipped):
                yield (entry.place, n), input_record(item), None
                continue
            batch.append(((entry.place, n), item))
            if len(batch) >= BATCH:
                yield from _sketch_batch(batch, config, keep_text, slim)
                batch = []
    if batch:
        yield from _sketch_batch(batch, config, keep_text, slim)


def _sketch_batch(
    batch: list[tuple[Place, Document]], config: Config, keep_text: bool, slim: bool
) -> Iterator[Prepared]:
    """:func:`dedup.pipeline.scan._scan_batch` (the embedded engine's per-batch work), cut per document."""
    from dedup.pipeline.scan import _scan_batch

    done = _scan_batch([d for _, d in batch], config, keep_text=keep_text, band_keys_only=True, slim=slim)
    units = done.units
    starts = np.searchsorted(units.doc, np.arange(len(batch) + 1))
    d = 0
    for (place, _), outcome in zip(batch, done.outcomes, strict=True):
        if isinstance(outcome, Skipped):
            yield place, input_record(outcome), None
            continue
        lo, hi = int(starts[d]), int(starts[d + 1])
        first, last = int(units.offsets[lo]), int(units.offsets[hi])
        sketch = DocSketch(
            outcome,
            units.paragraph[lo:hi].copy(),
            units.sets[first:last].copy(),
            units.offsets[lo : hi + 1] - first,
            np.asarray(done.sketches[lo:hi], dtype=np.uint64).copy(),
            units.heads[lo:hi].copy() if units.heads is not None else np.zeros(hi - lo, dtype=np.uint64),
        )
        d += 1
        yield place, InputRecord(outcome.path, "ok", encoding=outcome.encoding), sketch


_BAND_SCHEMA = "doc long, bands int, keys array<long>"


def band_row(doc: int, sketch: DocSketch) -> tuple[int, int, list[int]]:
    """``(document, bands, keys)``: a document's band keys, unit by unit (unit ``u``'s key of band ``b`` at
    ``u * bands + b``), each as a signed 64-bit value (its bits unchanged) so that the JVM shuffles it as a
    long. One row per document, exploded to ``(band, key, document, unit)`` in the JVM: a Python tuple per band
    entry cost more to build, check and convert than the grouping that follows."""
    return doc, int(sketch.keys.shape[1]) if sketch.keys.ndim == 2 else 0, sketch.keys.view(np.int64).ravel().tolist()


_HEAD_SCHEMA = "key long, doc long, unit int, cut boolean"


def head_rows(doc: int, sketch: DocSketch) -> Iterator[tuple[int, int, int, bool]]:
    """``(head, document, unit, cut)`` for every unit of one document with a head key: what the head candidates
    (:func:`dedup.match.heads.bucket_head_pairs`) are grouped by."""
    for u, key in enumerate(sketch.heads.tolist()):
        if key:
            yield key_of(key), doc, u, is_cut(key)


def bucket_pairs(members: Iterable[UnitId], max_bucket: int) -> Iterator[tuple[UnitId, UnitId]]:
    """The candidate pairs of one LSH bucket, as :func:`dedup.match.candidates.key_candidates` makes them:
    every pair from different documents, or, in a bucket of more than ``max_bucket`` units, only the pairs
    of its first unit (the smallest) with each other unit of another document: a star, linear in its size.

    >>> sorted(bucket_pairs([(2, 0), (0, 1), (1, 0)], 2))
    [((0, 1), (1, 0)), ((0, 1), (2, 0))]
    >>> list(bucket_pairs([(0, 0), (0, 1)], 5))
    []
    """
    units = sorted(set(members))
    if len(units) > max_bucket:
        first = units[0]
        yield from ((first, other) for other in units[1:] if other[0] != first[0])
        return
    for i, a in enumerate(units):
        for b in units[i + 1 :]:
            if a[0] != b[0]:
                yield a, b


def score(common: int, size_a: int, size_b: int, config: Config) -> tuple[bool, bool]:
    """Whether a candidate pair counts as a match, and whether it is near-identical: the rule and the
    arithmetic of :func:`dedup.match.candidates.verify` (and :meth:`~dedup.match.candidates.Verified.near`)
    on one pair's shared shingle count and set sizes.

    >>> from dedup.config import Config
    >>> score(3, 3, 4, Config())
    (True, True)
    """
    union = size_a + size_b - common
    jaccard = common / max(union, 1)
    containment = common / max(min(size_a, size_b), 1)
    settings = config.candidates
    accepted = jaccard >= settings.min_jaccard or containment >= settings.min_containment
    return accepted, accepted and jaccard >= settings.min_jaccard


def score_head(common: int, size_a: int, size_b: int, config: Config) -> tuple[bool, bool]:
    """:func:`score` for a head candidate LSH did not propose: the rule of
    :func:`dedup.match.candidates.verify_heads` (:func:`dedup.match.heads.head_accepted`) on one pair.

    >>> from dedup.config import Config
    >>> score_head(3, 3, 12, Config()), score_head(0, 2, 12, Config())
    ((True, False), (False, False))
    """
    sizes = np.array([size_a]), np.array([size_b])
    accepted = bool(head_accepted(np.array([common]), *sizes, config.fingerprint.ngram)[0])
    jaccard = common / max(size_a + size_b - common, 1)
    return accepted, accepted and jaccard >= config.candidates.min_jaccard


def partial_sides(common: int, size_a: int, size_b: int) -> int:
    """Which units of a pair the other covers only a part of, as :func:`dedup.group.boilerplate.glued_units`
    measures cover (bit 1: ``a``, bit 2: ``b``): only a unit with such a partner can be two texts glued, so
    boilerplate gathers the partners of those units alone.

    >>> partial_sides(8, 10, 20), partial_sides(5, 10, 5)
    (2, 1)
    """
    return int(common / max(size_a, 1) < WHOLE_COVER) | int(common / max(size_b, 1) < WHOLE_COVER) << 1


Match = tuple[UnitId, UnitId, bool, int]
"""A verified match: its two units, whether they are near-identical, and which of them the other covers only
a part of (:func:`partial_sides`)."""


_UNIT_SCHEMA = "doc long, unit int, paragraph int, own boolean, shingles array<int>"


def unit_rows(doc: int, sketch: DocSketch) -> Iterator[tuple[int, int, int, bool, list[int]]]:
    """``(document, unit, paragraph, own, shingles)`` for every unit of one document: its paragraph, whether it
    is sketched from its own text (:func:`dedup.group.grouping._own_text`: a window holds more shingles than
    its paragraph has raw characters), and its shingle set (uint32 as int32, the bits unchanged:
    :func:`as_set` reads them back)."""
    raw = [p.raw_end - p.raw_start for p in sketch.document.paragraphs]
    sizes = np.diff(sketch.offsets).tolist()
    for u, k in enumerate(sketch.paragraph.tolist()):
        yield doc, u, int(k), sizes[u] <= raw[k], sketch.set_of(u).view(np.int32).tolist()


def unit_table(docs: RDD[tuple[int, DocSketch]]) -> DataFrame:
    """Every unit as a table of :func:`unit_rows`, hash-partitioned by ``(doc, unit)`` and cached: the table that
    verification (:func:`matches`), the matches' facts and the glue test of boilerplate
    (:mod:`dedup.engines.spark.boilerplate`) join on. The shingle sets are shuffled once, here; a join on
    ``(doc, unit)`` with the cached table then moves only its other side, in the JVM's binary rows rather than
    as pickled Python objects."""
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    rows = docs.flatMap(lambda row: unit_rows(row[0], row[1]))
    partitions = int(spark.conf.get("spark.sql.shuffle.partitions") or 200)
    frame = spark.createDataFrame(rows, _UNIT_SCHEMA, verifySchema=False)
    return frame.repartition(partitions, "doc", "unit").persist()


_DOC_SCHEMA = "doc long, sketch binary"


def doc_table(docs: RDD[tuple[int, DocSketch]]) -> DataFrame:
    """The documents as a table ``(doc, sketch)`` (each :class:`DocSketch` pickled), hash-partitioned by document
    and cached: what the stages that bring some documents to their families, components or groups join on
    (:func:`sketch_of` reads a row's sketch back). A join with the cached table moves only its other side (ids)
    and the documents it keeps, never the whole corpus as a Python join of ``docs`` would."""
    import pickle

    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    rows = docs.map(lambda kv: (kv[0], pickle.dumps(kv[1], protocol=pickle.HIGHEST_PROTOCOL)))
    partitions = int(spark.conf.get("spark.sql.shuffle.partitions") or 200)
    frame = spark.createDataFrame(rows, _DOC_SCHEMA, verifySchema=False)
    return frame.repartition(partitions, "doc").persist()


def sketch_of(blob: bytes) -> DocSketch:
    """A document of :func:`doc_table`, unpickled."""
    import pickle

    sketch: DocSketch = pickle.loads(blob)
    return sketch


def as_set(shingles: list[int]) -> npt.NDArray[np.uint32]:
    """A shingle set as :func:`unit_table` stores it (int32 bits), as the sorted uint32 array it was.

    >>> as_set([1, -1]).tolist()
    [1, 4294967295]
    """
    return np.array(shingles, dtype=np.int32).view(np.uint32)


def with_units(pairs: DataFrame, units: DataFrame, sides: Iterable[str], fields: Iterable[str]) -> DataFrame:
    """``pairs`` with ``fields`` of each unit named in ``sides`` (a side ``x``: columns ``x_doc``, ``x_unit``; its
    field ``f`` comes as ``x_f``), joined in the JVM against the cached, unit-partitioned :func:`unit_table`."""
    from pyspark.sql import functions as F  # noqa: N812 - pyspark's own idiom

    wanted = tuple(fields)
    for side in sides:
        named = units.select(
            F.col("doc").alias(f"{side}_doc"),
            F.col("unit").alias(f"{side}_unit"),
            *(F.col(field).alias(f"{side}_{field}") for field in wanted),
        )
        pairs = pairs.join(named, [f"{side}_doc", f"{side}_unit"])
    return pairs


_PAIR_SCHEMA = "a_doc long, a_unit int, b_doc long, b_unit int, by_head boolean"


def matches(
    docs: RDD[tuple[int, DocSketch]],
    units: DataFrame,
    config: Config,
    max_bucket: int,
    stats: dict[str, float] | None = None,
) -> RDD[Match]:
    """Band, then verify: the accepted unit pairs of the corpus, each once (``docs``: by document number;
    ``units``: :func:`unit_table` of them).

    Band entries are a DataFrame grouped by ``(band, key)`` in the JVM (pickled Python tuples cost several
    times more to shuffle and group); a bucket over ``max_bucket`` gives a star, so no task enumerates
    more than ``max_bucket²/2`` pairs of one bucket. Verification joins each pair with its two units' shingle
    sets in the JVM (the candidate pairs shuffled by unit twice, the sets not again) and scores it on an
    executor. With ``stats``, the sizes of the stages' data are counted into it (units, shingles, band
    entries, candidate pairs), and the largest bucket's members and pairs (what the star caps).
    """
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F  # noqa: N812 - pyspark's own idiom

    spark = SparkSession.builder.getOrCreate()
    rows = spark.createDataFrame(docs.map(lambda row: band_row(row[0], row[1])), _BAND_SCHEMA, verifySchema=False)
    entries = rows.select("doc", "bands", F.posexplode("keys").alias("at", "key")).select(
        (F.col("at") % F.col("bands")).alias("band"), "key", "doc", F.floor(F.col("at") / F.col("bands")).alias("unit")
    )
    buckets = (  # grouped in the JVM: most band keys are one unit's, and those never come back to Python
        entries.groupBy("band", "key")
        .agg(F.collect_list(F.struct("doc", "unit")).alias("members"))
        .where(F.size("members") > 1)
    )
    if stats is not None:  # read twice: by the candidates and by the largest bucket's count
        buckets = buckets.persist()
    candidates = (
        buckets.rdd.flatMap(lambda bucket: bucket_pairs([(int(m[0]), int(m[1])) for m in bucket[2]], max_bucket))
        .distinct()
        .persist()  # read twice: by verification and by the head candidates it leaves out
    )
    heads = (  # a head shared by a cut unit (a preview's paragraph) and another unit: few, grouped in the JVM
        spark.createDataFrame(docs.flatMap(lambda row: head_rows(row[0], row[1])), _HEAD_SCHEMA, verifySchema=False)
        .groupBy("key")
        .agg(F.collect_list(F.struct("doc", "unit", "cut")).alias("members"), F.max("cut").alias("any_cut"))
        .where(F.col("any_cut") & (F.size("members") > 1))
    )
    head_only = (  # the ones LSH did not propose too: judged by the head rule
        heads.rdd.flatMap(
            lambda bucket: bucket_head_pairs(
                [((int(m[0]), int(m[1])), int(m[0]), bool(m[2])) for m in bucket[1]], max_bucket
            )
        )
        .distinct()
        .map(lambda pair: (pair, True))
        .subtractByKey(candidates.map(lambda pair: (pair, True)))
    )
    if stats is not None:  # the sizes docs/scale.md extrapolates from: one more job, asked for by the benchmark
        sizes = docs.map(lambda row: np.array([row[1].paragraph.size, row[1].sets.size, row[1].keys.size])).fold(
            np.zeros(3, dtype=np.int64), np.add
        )  # one pass for the three
        stats["units"], stats["shingles"], stats["band_entries"] = (int(n) for n in sizes)
        stats["candidates"] = candidates.count()
        # the most one banding task handles for one bucket: its members, and the pairs it enumerates from them
        n = F.size("members")
        pairs = F.when(n > max_bucket, n - 1).otherwise(n * (n - 1) / 2)
        largest = buckets.agg(F.max(n), F.max(pairs)).first()
        stats["largest_bucket"] = float(largest[0] or 0) if largest is not None else 0.0
        stats["largest_bucket_pairs"] = float(largest[1] or 0) if largest is not None else 0.0
        buckets.unpersist()
    tagged = candidates.map(lambda pair: (*pair[0], *pair[1], False)).union(
        head_only.map(lambda kv: (*kv[0][0], *kv[0][1], True))
    )  # (a, b, whether a head candidate)
    frame = spark.createDataFrame(tagged, _PAIR_SCHEMA, verifySchema=False)
    both = with_units(frame, units, "ab", ["shingles"]).select(
        "a_doc", "a_unit", "b_doc", "b_unit", "by_head", "a_shingles", "b_shingles"
    )

    def judged(row: tuple[int, int, int, int, bool, list[int], list[int]]) -> list[Match]:
        a_doc, a_unit, b_doc, b_unit, by_head, a_set, b_set = row
        set_a, set_b = as_set(a_set), as_set(b_set)
        common = int(np.intersect1d(set_a, set_b, assume_unique=True).size)
        accepted, near = (score_head if by_head else score)(common, set_a.size, set_b.size, config)
        if not accepted:
            return []
        partial = partial_sides(common, set_a.size, set_b.size)
        return [((int(a_doc), int(a_unit)), (int(b_doc), int(b_unit)), near, partial)]

    found = both.rdd.flatMap(judged).persist()
    found.count()  # computed while the candidates are cached
    candidates.unpersist()
    return found
