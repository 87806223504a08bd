"""Grouping's compiled boilerplate tests and the group fingerprint, against plain reference versions.

Issue 15 (a scan of 100,000 articles within a minute) made them faster without changing a verdict: the
footer test skips, through a filter, the unit pairs that share no shingle with any boilerplate; the glued test
builds only the widest part; the fingerprint reads the heads of the copies' sets. Each is checked here
against a direct transcription of what its docstring says, on random units whose shingles are drawn from
small pools (so that units overlap, in part and in whole, as copies, footers and glued texts do).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from dedup.group import boilerplate
from dedup.group.boilerplate import DISJOINT_OVERLAP, OWN_CONTAINMENT, WHOLE_COVER, beyond_boilerplate, glued_units
from dedup.group.ids import FINGERPRINT_SIZE, fingerprint
from dedup.match.candidates import Units
from dedup.match.spill import SpilledSets, is_mapped

U32 = npt.NDArray[np.uint32]


def _units(rng: np.random.Generator, count: int, documents: int) -> Units:
    """``count`` units in ``documents`` documents, each set a mix of a few shared pools' shingles."""
    pools = [np.unique(rng.integers(0, 1 << 32, rng.integers(5, 60), dtype=np.uint64)) for _ in range(12)]
    sets: list[U32] = []
    for _ in range(count):
        chosen = rng.choice(len(pools), size=rng.integers(1, 3), replace=False)
        parts = [pools[k][rng.random(pools[k].size) < rng.uniform(0.6, 1.0)] for k in chosen]
        own = rng.integers(0, 1 << 32, rng.integers(0, 8), dtype=np.uint64)
        sets.append(np.unique(np.concatenate([*parts, own])).astype(np.uint32))
    doc = np.sort(rng.integers(0, documents, count)).astype(np.int64)
    paragraph = np.zeros(count, dtype=np.int64)
    for d in np.unique(doc):
        paragraph[doc == d] = np.arange(int((doc == d).sum()))
    offsets = np.concatenate([[0], np.cumsum([s.size for s in sets])]).astype(np.int64)
    return Units(doc, paragraph, np.concatenate(sets), offsets)


def _pairs(rng: np.random.Generator, units: Units, count: int) -> npt.NDArray[np.int64]:
    """Distinct pairs of units of different documents that share a shingle."""
    found: set[tuple[int, int]] = set()
    while len(found) < count:
        u, v = sorted(rng.integers(0, len(units), 2).tolist())
        if units.doc[u] != units.doc[v] and np.intersect1d(units.set_of(u), units.set_of(v)).size:
            found.add((u, v))
    return np.array(sorted(found), dtype=np.int64).reshape(-1, 2)


def _glued_reference(pairs: npt.NDArray[np.int64], units: Units) -> npt.NDArray[np.bool_]:
    """:func:`glued_units` as its docstrings say, one ``intersect1d`` per partner."""
    glued = np.zeros(len(units), dtype=np.bool_)
    for u in range(len(units)):
        partners = sorted({int(b) for a, b in pairs if a == u} | {int(a) for a, b in pairs if b == u})
        own = units.set_of(u)
        parts = {p: np.intersect1d(own, units.set_of(p)) for p in partners}
        if len(partners) < 2 or all(parts[p].size / max(own.size, 1) >= WHOLE_COVER for p in partners):
            continue
        widest = min(partners, key=lambda p: (-parts[p].size, p))
        apart = [
            p for p in partners if np.intersect1d(parts[p], parts[widest]).size <= DISJOINT_OVERLAP * parts[p].size
        ]
        together = {int(units.doc[p]) for p in partners if p not in apart}
        glued[u] = bool(apart) and not any(int(units.doc[p]) in together for p in apart)
    return glued


def _beyond_reference(
    matches: npt.NDArray[np.int64], units: Units, boilerplate_text: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """:func:`beyond_boilerplate` as its docstring says, with Python sets."""
    aside: dict[int, set[int]] = {}
    for u in np.flatnonzero(boilerplate_text):
        aside.setdefault(int(units.doc[u]), set()).update(units.set_of(int(u)).tolist())
    holds = np.ones(matches.shape[0], dtype=np.bool_)
    for i, (u, v) in enumerate(matches.tolist()):
        left, right = set(units.set_of(u).tolist()), set(units.set_of(v).tolist())
        out = aside.get(int(units.doc[u]), set()) | aside.get(int(units.doc[v]), set())
        own_left, own_right = left - out, right - out
        if len(own_left) == len(left) and len(own_right) == len(right):
            continue
        common = len(own_left & own_right)
        holds[i] = common > 0 and common >= OWN_CONTAINMENT * min(len(own_left), len(own_right))
    return holds


def test_glued_units_match_the_reference() -> None:
    rng = np.random.default_rng(15)
    for _ in range(4):
        units = _units(rng, 160, 40)
        pairs = _pairs(rng, units, 500)
        expected = _glued_reference(pairs, units)
        assert expected.any() and not expected.all()
        assert np.array_equal(glued_units(pairs, units), expected)


def test_glued_units_among_a_mask_read_only_the_pairs_it_picks() -> None:
    """Grouping passes all of a corpus's matches with a mask of the near-identical ones (a copy of them was
    grouping's peak at scale): the verdicts are those of the picked pairs alone, and the others, which may
    glue units of their own, are not read."""
    rng = np.random.default_rng(18)
    for share in (0.2, 0.5, 0.9):
        units = _units(rng, 160, 40)
        pairs = _pairs(rng, units, 500)
        among = rng.random(len(pairs)) < share
        expected = _glued_reference(pairs[among], units)
        assert expected.any() and not np.array_equal(expected, _glued_reference(pairs, units))
        assert np.array_equal(glued_units(pairs, units, among), expected)
    assert not glued_units(pairs, units, np.zeros(len(pairs), dtype=np.bool_)).any()


def test_beyond_boilerplate_matches_the_reference() -> None:
    rng = np.random.default_rng(16)
    for share in (0.05, 0.2, 0.5):
        units = _units(rng, 200, 50)
        matches = _pairs(rng, units, 600)
        boilerplate_text = rng.random(len(units)) < share
        expected = _beyond_reference(matches, units, boilerplate_text)
        assert not expected.all()
        assert np.array_equal(beyond_boilerplate(matches, units, boilerplate_text), expected)


def _fingerprint_reference(witness_shingles: list[U32]) -> tuple[int, ...]:
    """:func:`fingerprint` as its docstring says: count every shingle of every copy."""
    parts = [np.unique(s) for s in witness_shingles if s.size]
    if not parts:
        return ()
    values, counts = np.unique(np.concatenate(parts), return_counts=True)
    chosen = values[counts >= 2] if (counts >= 2).any() else values
    return tuple(int(v) for v in chosen[:FINGERPRINT_SIZE])


def test_fingerprint_of_long_copies_matches_the_reference() -> None:
    """Copies longer than the heads read first, sharing many, few or no shingles, low or high."""
    rng = np.random.default_rng(17)
    for trial in range(400):
        span = [40, 400, 4_000, 1 << 32][trial % 4]
        copies = [rng.integers(0, span, rng.integers(0, 1_500)).astype(np.uint32) for _ in range(rng.integers(1, 6))]
        copies = [np.unique(c) if trial % 3 else c for c in copies]  # unsorted ones too
        assert fingerprint(copies) == _fingerprint_reference(copies)


def test_glued_units_read_from_a_file_a_slice_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Out of core the shingle sets are a file mapping, whose pages are handed back a slice of pairs at a time:
    the verdicts are the in-memory ones."""
    rng = np.random.default_rng(17)
    units = _units(rng, 160, 40)
    pairs = _pairs(rng, units, 500)
    (tmp_path / "sets.bin").write_bytes(units.sets.tobytes())
    mapped = SpilledSets(tmp_path / "sets.bin")
    on_file = Units(units.doc, units.paragraph, mapped.array, units.offsets)
    assert is_mapped(on_file.sets) and not is_mapped(units.sets)
    monkeypatch.setattr(boilerplate, "SHARED_SLICE", 7)
    released: list[int] = []
    monkeypatch.setattr(boilerplate, "release_mapped", lambda array: released.append(array.size))
    assert np.array_equal(glued_units(pairs, on_file), _glued_reference(pairs, units))
    assert len(released) >= -(-len(pairs) // 7)  # after every slice at least
