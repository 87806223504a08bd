"""Group ids derived from a story's content, so that a group keeps its id from run to run.

A positional id (``G1``, ``G2``… in corpus order) changed whenever a file was added before the story's first
copy, so an id written down yesterday (a ticket, a ``--group`` in a script, a JUnit test name) pointed at
another story today. Here the id is a short hash of the story's *shared core*: the shingles that at least two
of its copies hold (shingles as sketched: hashes of normalized character n-grams, so the id follows the
normalized text and the ``shingle`` settings, not the files' bytes or names).

Why that set, and why its minimum:

- It does not depend on other stories: adding unrelated files changes nothing of it.
- It does not depend on which copy is the reference, nor on the order of the copies or their files.
- A copy joining the group changes it only by making shared a shingle that one copy held alone (a copy's own
  edits are held by it alone, so they never count). Taking the set's single smallest shingle, the id changes
  only when such a newly shared shingle is smaller than every shingle shared before: for a copy that shares a
  tenth of the story's otherwise lone text, about one chance in ten times the lone share.

The id is ``g`` and the first seven hex digits of a BLAKE2b hash of that shingle (``g3f9a2c1``): 28 bits, so
among 1,000 groups two share an id about once in 500 runs. Then the one with the smaller fingerprint (the
shared core's smallest shingles, in order) keeps the plain id and the others get ``-2``, ``-3``… in that
order, so an id only moves when a new story collides with it and sorts before it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from dedup.arrays import distinct
from dedup.results import Group, Witness

__all__ = ["FINGERPRINT_SIZE", "content_ids", "fingerprint", "short_id", "with_id"]

FINGERPRINT_SIZE = 8  # smallest shared shingles kept: enough to order colliding stories, small to ship (Spark)


def fingerprint(witness_shingles: Sequence[npt.NDArray[np.uint32]]) -> tuple[int, ...]:
    """The smallest ``FINGERPRINT_SIZE`` shingles that two or more copies hold (each copy's set distinct);
    the smallest of all copies' shingles when no shingle is shared (copies linked by their headline alone).

    >>> fingerprint([np.array([5, 9, 12], dtype=np.uint32), np.array([9, 12, 30], dtype=np.uint32)])
    (9, 12)
    >>> fingerprint([np.array([5], dtype=np.uint32), np.array([7], dtype=np.uint32)])
    (5, 7)
    """
    # a witness's shingles come distinct and sorted (:meth:`~dedup.group.corpus.Corpus.shingles`) as a rule:
    # checked, not sorted again (``np.unique`` here, numpy's hash path, was a third of grouping at 100k)
    parts = [s if _distinct_sorted(s) else distinct(s) for s in witness_shingles if s.size]
    if not parts:
        return ()
    head = FINGERPRINT_SIZE * 8
    while head < max(p.size for p in parts):
        found = _smallest_shared(parts, head)
        if found is not None:
            return found
        head *= 4
    values, counts = np.unique(np.concatenate(parts), return_counts=True)
    shared = values[counts >= 2]
    chosen = shared if shared.size else values
    return tuple(int(v) for v in chosen[:FINGERPRINT_SIZE])


def _smallest_shared(parts: Sequence[npt.NDArray[np.uint32]], head: int) -> tuple[int, ...] | None:
    """The ``FINGERPRINT_SIZE`` smallest shingles shared by two copies, read from the first ``head`` shingles
    of each copy's (sorted, distinct) set alone; None when those do not settle it.

    Why: counting every shingle of every copy (a sort of them all) to keep eight was a tenth of grouping. A
    shingle no greater than the smallest last shingle read from any copy cut short has all its copies in what
    was read, so the shared ones up to there are exactly the corpus-wide shared ones; when there are enough of
    them, they are the fingerprint.
    """
    cut = [p[head - 1] for p in parts if p.size > head]
    bound = min(cut) if cut else None
    values, counts = np.unique(np.concatenate([p[:head] for p in parts]), return_counts=True)
    shared = values[counts >= 2]
    if bound is not None:
        shared = shared[shared <= bound]
    if shared.size < FINGERPRINT_SIZE:
        return None
    return tuple(int(v) for v in shared[:FINGERPRINT_SIZE])


def _distinct_sorted(values: npt.NDArray[np.uint32]) -> bool:
    """Whether ``values`` is strictly increasing: distinct and sorted already."""
    return values.size < 2 or bool((values[1:] > values[:-1]).all())


def short_id(print_: tuple[int, ...]) -> str:
    """``g`` and seven hex digits of the hash of the fingerprint's first (smallest) shingle.

    >>> short_id((9, 12))
    'g07f6e6c'
    """
    first = print_[0] if print_ else 0
    digest = hashlib.blake2b(first.to_bytes(8, "little"), digest_size=4).hexdigest()
    return "g" + digest[:7]


def content_ids(fingerprints: Sequence[tuple[int, ...]]) -> list[str]:
    """Each group's id from its fingerprint (same order); colliding ids disambiguated as the module says.

    >>> content_ids([(9, 40), (9, 12), (3,)])
    ['g07f6e6c-2', 'g07f6e6c', 'gc9a7871']
    """
    by_id: dict[str, list[int]] = defaultdict(list)
    for k, print_ in enumerate(fingerprints):
        by_id[short_id(print_)].append(k)
    ids = [""] * len(fingerprints)
    for gid, members in by_id.items():
        for rank, k in enumerate(sorted(members, key=lambda k: (fingerprints[k], k))):
            ids[k] = gid if rank == 0 else f"{gid}-{rank + 1}"
    return ids


def with_id(group: Group, gid: str) -> Group:
    """The group as ``gid``, its witnesses ``gid.W1``… in their order."""
    witnesses: list[Witness] = []
    reference = group.reference
    for i, w in enumerate(group.witnesses):
        new = f"{gid}.W{i + 1}"
        if w.id == group.reference:
            reference = new
        witnesses.append(replace(w, id=new))
    return Group(gid, tuple(witnesses), reference)
