"""Array helpers for the integer codes grouping and lookup build (pairs, postings, shingle sets).

numpy 2.3 and later answer ``np.unique(values)`` (no ``return_*`` argument) from a hash table. On arrays of
many distinct integers, which is what our codes are, that is far slower than sorting: 400,000 random uint32
took 239 ms against 1.2 ms sorted on this project's machine with numpy 2.4, and 4 million int64 pair codes
3.6 s against 0.05 s (see numpy/numpy#30496 on the hash path's costs). :func:`distinct` sorts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numba
import numpy as np
import numpy.typing as npt

_Int = TypeVar("_Int", bound=np.integer)


def distinct(values: npt.NDArray[_Int]) -> npt.NDArray[_Int]:
    """The distinct values, sorted: ``np.unique(values)`` for a 1-d integer array, by sorting.

    >>> distinct(np.array([5, 1, 5, 3, 1])).tolist()
    [1, 3, 5]
    """
    return _first_of_runs(np.sort(values.ravel()))


def distinct_in_place(values: npt.NDArray[_Int]) -> npt.NDArray[_Int]:
    """:func:`distinct` of a 1-d array the caller lets go of: sorted where it lies, with no sorted copy
    (grouping's pair codes are tens of millions at scale).

    >>> distinct_in_place(np.array([5, 1, 5, 3, 1])).tolist()
    [1, 3, 5]
    """
    values.sort()
    return _first_of_runs(values)


def merge_distinct(parts: Sequence[npt.NDArray[_Int]]) -> npt.NDArray[_Int]:
    """The distinct values of several arrays (a witness's units' shingle sets, each sorted).

    Sorted afresh with numpy's default sort: for integers any sort gives the same order, and the default (a
    vectorized quicksort) took a fifth of the time of ``kind="stable"`` on witnesses' sets, which for 32-bit
    integers is a radix sort that gains nothing from the runs being sorted already.

    >>> merge_distinct([np.array([1, 4, 6]), np.array([2, 4])]).tolist()
    [1, 2, 4, 6]
    """
    merged = np.concatenate(parts)
    merged.sort()
    return _first_of_runs(merged)


def union_sorted(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The distinct values of two sorted int64 arrays of distinct values, in one merging pass.

    Out-of-core banding merges each pass's pair codes into those found before (tens of millions at a
    million articles, once a pass): concatenating and sorting again read and moved the whole array several
    times a pass.

    >>> union_sorted(np.array([1, 4, 6]), np.array([2, 4, 9])).tolist()
    [1, 2, 4, 6, 9]
    """
    return _union_sorted(np.ascontiguousarray(a, dtype=np.int64), np.ascontiguousarray(b, dtype=np.int64))


@numba.njit(cache=True, nogil=True)
def _union_sorted(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:  # pragma: no cover
    """Counted first, then written into an array of the exact size: no array the size of both inputs, then
    trimmed by a copy (at 111 M codes, a gigabyte more at the merge's peak)."""
    i = j = common = 0
    while i < a.size and j < b.size:
        if a[i] < b[j]:
            i += 1
        elif b[j] < a[i]:
            j += 1
        else:
            common += 1
            i += 1
            j += 1
    out = np.empty(a.size + b.size - common, dtype=np.int64)
    i = j = w = 0
    while i < a.size and j < b.size:
        if a[i] < b[j]:
            out[w] = a[i]
            i += 1
        elif b[j] < a[i]:
            out[w] = b[j]
            j += 1
        else:
            out[w] = a[i]
            i += 1
            j += 1
        w += 1
    out[w : w + a.size - i] = a[i:]
    w += a.size - i
    out[w : w + b.size - j] = b[j:]
    return out


def run_starts(ordered: npt.NDArray[_Int]) -> npt.NDArray[np.bool_]:
    """Where each run of equal values of a sorted array begins.

    >>> run_starts(np.array([1, 1, 3, 5, 5])).tolist()
    [True, False, True, True, False]
    """
    first = np.empty(ordered.size, dtype=np.bool_)
    if ordered.size:
        first[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return first


def _first_of_runs(ordered: npt.NDArray[_Int]) -> npt.NDArray[_Int]:
    return ordered if ordered.size < 2 else ordered[run_starts(ordered)]
