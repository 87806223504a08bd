"""The scan keeps its corpus out of the cycle collector's sight while it works, and gives the process back as
it found it (:func:`dedup.pipeline.scan.settled_heap`)."""

from __future__ import annotations

import gc

import pytest

from dedup.pipeline.scan import scan, settled_heap


def test_settled_heap_freezes_on_request_and_unfreezes_on_leaving() -> None:
    assert gc.get_freeze_count() == 0
    kept = [[k] for k in range(1000)]  # objects the collector tracks
    with settled_heap() as settle:
        assert gc.get_freeze_count() == 0  # nothing frozen until asked
        settle()
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0


def test_settled_heap_unfreezes_when_the_scope_fails() -> None:
    with pytest.raises(RuntimeError), settled_heap() as settle:
        settle()
        raise RuntimeError("stop")
    assert gc.get_freeze_count() == 0


def test_a_scan_leaves_nothing_frozen_and_its_garbage_collectable() -> None:
    result = scan(["seeds"])
    assert result.groups
    assert gc.get_freeze_count() == 0
    # a cycle made after the scan is collected as usual
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1
