"""Connected components over DataFrames: the alternating large-star / small-star algorithm of Kiveris et al.,
"Connected Components in MapReduce and Beyond" (SoCC 2014), as BigCode's and text-dedup's MinHash
deduplication run it on Spark (GraphFrames' JAR cannot be had from the registries this project reaches).

Each round is two joins' worth of shuffles over the edge list, never a collect; it takes O(log n) rounds. Every
node ends labelled by the smallest node of its component, as :func:`dedup.group.components.components` labels
them, so the two engines agree on labels as well as on components.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

MAX_ROUNDS = 64  # log2 of any corpus; a graph that has not converged by then is a bug, not a big input


def _large_star(edges: DataFrame) -> DataFrame:
    """Link every larger neighbour of a node to the smallest node of its closed neighbourhood."""
    from pyspark.sql import functions as F  # noqa: N812 - pyspark's own idiom

    both = edges.union(edges.select(F.col("dst").alias("src"), F.col("src").alias("dst"))).distinct()
    smallest = both.groupBy("src").agg(F.min("dst").alias("low"))
    joined = both.join(smallest, "src")
    return (
        joined.where(F.col("dst") > F.col("src"))
        .select(F.col("dst").alias("src"), F.least(F.col("src"), F.col("low")).alias("dst"))
        .distinct()
    )


def _small_star(edges: DataFrame) -> DataFrame:
    """Link every node and its smaller neighbours to the smallest of them."""
    from pyspark.sql import functions as F  # noqa: N812 - pyspark's own idiom

    oriented = edges.select(F.greatest("src", "dst").alias("src"), F.least("src", "dst").alias("dst")).where(
        F.col("src") != F.col("dst")
    )
    smallest = oriented.groupBy("src").agg(F.min("dst").alias("low"))
    joined = oriented.join(smallest, "src")
    neighbours = joined.select(F.col("dst").alias("src"), F.col("low").alias("dst"))
    selves = smallest.select(F.col("src"), F.col("low").alias("dst"))
    return neighbours.union(selves).where(F.col("src") != F.col("dst")).distinct()


def _fingerprint(edges: DataFrame) -> tuple[int, int]:
    """The edge count and the sum of the edges' 64-bit hashes: one job tells a round that changed nothing (a
    changed edge list with the same count and hash sum has odds of 2**-64)."""
    from pyspark.sql import functions as F  # noqa: N812 - pyspark's own idiom

    row = edges.agg(F.count(F.lit(1)), F.sum(F.xxhash64("src", "dst").cast("decimal(38,0)"))).first()
    return (0, 0) if row is None else (int(row[0]), int(row[1] or 0))


def connected_components(edges: DataFrame) -> DataFrame:
    """``(node, component)`` for every node of ``edges`` (columns ``src``, ``dst``: longs), the component
    labelled by its smallest node.

    Raises:
        RuntimeError: no convergence within :data:`MAX_ROUNDS` rounds.
    """
    from pyspark.sql import functions as F  # noqa: N812 - pyspark's own idiom

    current = edges.select(F.col("src").cast("long"), F.col("dst").cast("long")).where(F.col("src") != F.col("dst"))
    current = current.distinct().localCheckpoint()
    before = _fingerprint(current)
    for _ in range(MAX_ROUNDS):
        current = _small_star(_large_star(current)).localCheckpoint()
        after = _fingerprint(current)
        if after == before:
            break
        before = after
    else:
        raise RuntimeError(f"connected components did not converge in {MAX_ROUNDS} rounds")
    roots = current.select(F.col("dst").alias("node")).distinct()
    return (
        current.select(F.col("src").alias("node"), F.col("dst").alias("component"))
        .union(roots.select("node", F.col("node").alias("component")))
        .distinct()
    )
