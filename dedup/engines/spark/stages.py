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
from dedup.ingest.load import input_record
from dedup.ingest.parquet import Columns
from dedup.match.heads import bucket_head_pairs, head_accepted, is_cut, key_of
from dedup.records import Document, InputRecord, Skipped
from dedup.results import ScannedDocument

if TYPE_CHECKING:
    from pyspark import RDD

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


_BAND_SCHEMA = "band int, key long, doc long, unit int"


def band_rows(doc: int, sketch: DocSketch) -> Iterator[tuple[int, int, int, int]]:
    """``(band, key, document, unit)`` for every unit and band of one document, the key as a signed 64-bit
    value (its bits unchanged) so that the JVM shuffles it as a long: what banding groups by ``(band, key)``."""
    for u, row in enumerate(sketch.keys.view(np.int64).tolist()):
        for band, key in enumerate(row):
            yield band, key, doc, u


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


def score(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32], config: Config) -> tuple[bool, bool]:
    """Whether a candidate pair counts as a match, and whether it is near-identical: the rule and the
    arithmetic of :func:`dedup.match.candidates.verify` (and :meth:`~dedup.match.candidates.Verified.near`)
    on one pair's shingle sets.

    >>> from dedup.config import Config
    >>> score(np.array([1, 2, 3], dtype=np.uint32), np.array([1, 2, 3, 4], dtype=np.uint32), Config())
    (True, True)
    """
    common = int(np.intersect1d(a, b, assume_unique=True).size)
    union = a.size + b.size - common
    jaccard = common / max(union, 1)
    containment = common / max(min(a.size, b.size), 1)
    settings = config.candidates
    accepted = jaccard >= settings.min_jaccard or containment >= settings.min_containment
    return accepted, accepted and jaccard >= settings.min_jaccard


def score_head(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32], config: Config) -> tuple[bool, bool]:
    """:func:`score` for a head candidate LSH did not propose: the rule of
    :func:`dedup.match.candidates.verify_heads` (:func:`dedup.match.heads.head_accepted`) on one pair.

    >>> from dedup.config import Config
    >>> head, whole = np.arange(1, 4, dtype=np.uint32), np.arange(1, 13, dtype=np.uint32)
    >>> score_head(head, whole, Config()), score_head(head[1:] + 20, whole, Config())
    ((True, False), (False, False))
    """
    common = int(np.intersect1d(a, b, assume_unique=True).size)
    sizes = np.array([a.size]), np.array([b.size])
    accepted = bool(head_accepted(np.array([common]), *sizes, config.fingerprint.ngram)[0])
    jaccard = common / max(a.size + b.size - common, 1)
    return accepted, accepted and jaccard >= config.candidates.min_jaccard


Match = tuple[UnitId, UnitId, bool]
"""A verified match: its two units and whether they are near-identical."""


def matches(
    docs: RDD[tuple[int, DocSketch]], config: Config, max_bucket: int, stats: dict[str, float] | None = None
) -> RDD[Match]:
    """Band, then verify: the accepted unit pairs of the corpus, each once (``docs``: by document number).

    Band entries are a DataFrame grouped by ``(band, key)`` in the JVM (pickled Python tuples cost several
    times more to shuffle and group); a bucket over ``max_bucket`` gives a star, so no task enumerates
    more than ``max_bucket²/2`` pairs of one bucket. Verification joins each pair with its two units' shingle
    sets (two shuffles by unit) and scores it on an executor. With ``stats``, the sizes of the stages' data
    are counted into it (units, shingles, band entries, candidate pairs), and the largest bucket's members and
    pairs (what the star caps).
    """
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F  # noqa: N812 - pyspark's own idiom

    spark = SparkSession.builder.getOrCreate()
    entries = spark.createDataFrame(docs.flatMap(lambda row: band_rows(row[0], row[1])), _BAND_SCHEMA)
    buckets = (  # grouped in the JVM: most band keys are one unit's, and those never come back to Python
        entries.groupBy("band", "key")
        .agg(F.collect_list(F.struct("doc", "unit")).alias("members"))
        .where(F.size("members") > 1)
    )
    candidates = buckets.rdd.flatMap(
        lambda bucket: bucket_pairs([(int(m[0]), int(m[1])) for m in bucket[2]], max_bucket)
    ).distinct()
    heads = (  # a head shared by a cut unit (a preview's paragraph) and another unit: few, grouped in the JVM
        spark.createDataFrame(docs.flatMap(lambda row: head_rows(row[0], row[1])), _HEAD_SCHEMA)
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
        candidates = candidates.persist()
        stats["units"] = docs.map(lambda row: int(row[1].paragraph.size)).sum()
        stats["shingles"] = docs.map(lambda row: int(row[1].sets.size)).sum()
        stats["band_entries"] = docs.map(lambda row: int(row[1].keys.size)).sum()
        stats["candidates"] = candidates.count()
        # the most one banding task handles for one bucket: its members, and the pairs it enumerates from them
        n = F.size("members")
        pairs = F.when(n > max_bucket, n - 1).otherwise(n * (n - 1) / 2)
        largest = buckets.agg(F.max(n), F.max(pairs)).first()
        stats["largest_bucket"] = float(largest[0] or 0) if largest is not None else 0.0
        stats["largest_bucket_pairs"] = float(largest[1] or 0) if largest is not None else 0.0
    sets = docs.flatMap(lambda row: (((row[0], u), row[1].set_of(u)) for u in range(row[1].paragraph.size)))
    tagged = candidates.map(lambda pair: (pair[0], (pair[1], False))).union(
        head_only.map(lambda kv: (kv[0][0], (kv[0][1], True)))
    )  # a -> (b, whether a head candidate)
    first = tagged.join(sets).map(lambda kv: (kv[1][0][0], (kv[0], kv[1][0][1], kv[1][1])))
    both = first.join(sets)

    def judged(
        kv: tuple[UnitId, tuple[tuple[UnitId, bool, npt.NDArray[np.uint32]], npt.NDArray[np.uint32]]],
    ) -> list[Match]:
        b, ((a, by_head, set_a), set_b) = kv
        accepted, near = score_head(set_a, set_b, config) if by_head else score(set_a, set_b, config)
        return [(a, b, near)] if accepted else []

    return both.flatMap(judged)
