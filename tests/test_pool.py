"""The worker pool: results in input order, in worker processes or not."""

from __future__ import annotations

from dedup.ingest.pool import map_in_order


def test_map_in_order_gives_the_same_results_in_processes_as_in_this_one() -> None:
    items = [("新华社" * k)[: k + 1] for k in range(70)]
    alone = map_in_order(len, items, workers=1, parallel_from=10)
    pooled = map_in_order(len, items, workers=2, parallel_from=10, batch=4)
    assert alone == pooled == [len(x) for x in items]
