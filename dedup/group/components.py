"""Connected components: which items a list of pairs ties together, transitively.

Grouping asks it three times over the matched paragraph pairs of a corpus (families of near-identical
paragraphs for boilerplate, passages that copy one story, a story's paragraphs across its copies): a few
hundred thousand pairs to millions at corpus scale, too many for a union-find in Python. :func:`components`
runs one in a numba kernel; :class:`UnionFind` carries its answer on where grouping still joins items one at a
time, by rules that look at the groups made so far.

Both label a component by its smallest item, so labels do not depend on the order the pairs come in.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

Int64Array = npt.NDArray[np.int64]


def components(n: int, a: npt.ArrayLike, b: npt.ArrayLike) -> Int64Array:
    """For each of the items ``0..n-1``, the smallest item of its component under the pairs ``(a[i], b[i])``.

    >>> components(5, [3, 1], [4, 0]).tolist()
    [0, 0, 2, 3, 3]
    """
    left = np.ascontiguousarray(a, dtype=np.int64)
    right = np.ascontiguousarray(b, dtype=np.int64)
    if left.shape != right.shape:
        raise ValueError(f"pair ends differ in length: {left.shape} and {right.shape}")
    if left.size and (min(left.min(), right.min()) < 0 or max(left.max(), right.max()) >= n):
        raise ValueError(f"pair ends must be items 0..{n - 1}")  # the kernel does not check its indexes
    return _components(n, left, right)


@numba.njit(cache=True, nogil=True)
def _find(parent: Int64Array, x: int) -> int:  # pragma: no cover - compiled
    while parent[x] != x:
        parent[x] = parent[parent[x]]  # path halving
        x = parent[x]
    return x


@numba.njit(cache=True, nogil=True)
def _components(n: int, a: Int64Array, b: Int64Array) -> Int64Array:  # pragma: no cover - compiled
    parent = np.arange(n, dtype=np.int64)
    for i in range(a.shape[0]):
        x, y = _find(parent, a[i]), _find(parent, b[i])
        if x < y:
            parent[y] = x
        elif y < x:
            parent[x] = y
    for i in range(n):
        parent[i] = _find(parent, i)
    return parent


class UnionFind:
    """Union-find over ``0..n-1`` whose root is always the smallest item of its set.

    Start it from :func:`components` labels (``UnionFind.from_labels``) to go on joining one pair at a time.
    """

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    @classmethod
    def from_labels(cls, labels: Int64Array) -> UnionFind:
        uf = cls(0)
        uf.parent = labels.tolist()
        return uf

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
