"""Shingling and a fast MinHash signer, bit-identical to datasketch 2.0 ``MinHash(scheme="affine32")``.

Why a signer of our own: datasketch hashes every shingle in Python (about 600 two-thousand-character
articles a second on one core), which makes signing the slowest stage of a scan. The kernels here compute
exactly the same sketch -- the same permutations from ``np.random.RandomState(seed)``, the same
MurmurHash3 finalizer (``fmix32``) on each shingle hash, the same ``a * h + b`` in uint32 wraparound, the
same minimum -- so a signature from :class:`Signer` can be wrapped in a :class:`datasketch.LeanMinHash`
(see :func:`to_lean_minhash`) and used with ``MinHashLSH`` or compared with a sketch that datasketch made
from the same shingles with ``hashfunc=shingle_hash``. ``tests/test_fingerprint.py`` proves the identity.

A shingle is ``n`` consecutive *content* codepoints (letters and digits of any script, see
:func:`content_codepoints`); its hash is FNV-1a over the codepoints as 32-bit words
(:func:`shingle_hash`, named ``"fnv1a32-utf32"`` in :class:`dedup.config.FingerprintConfig`).

Compilation: the kernels are compiled by numba on first use, which takes a few seconds, and are cached on
disk (``cache=True``) in ``__pycache__`` beside this file -- or, when that is not writable, in numba's
user-wide cache; set ``NUMBA_CACHE_DIR`` to choose the place (e.g. in a container with a read-only
site-packages). Later processes load the machine code in milliseconds. The cache is keyed by the CPU, so a
cache shared between different machines is recompiled rather than misused. numba is a declared dependency
and there is deliberately no pure-Python fallback: a silent fallback would be over 100 times slower.
:meth:`Signer.sign_many` and :meth:`Signer.sign_texts` run on ``numba.get_num_threads()`` threads; lower
it with ``numba.set_num_threads`` or ``NUMBA_NUM_THREADS``. To call them from several Python threads at
once, numba needs its ``omp`` or ``tbb`` threading layer (its fallback ``workqueue`` layer aborts the
process on concurrent use). The kernels are integer-only and compiled without ``fastmath``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
from datasketch import LeanMinHash

from dedup.arrays import distinct
from dedup.config import FingerprintConfig
from dedup.match.content import content_codepoints, content_digest, content_lengths, content_table, utf32

__all__ = [
    "HASH_NAME",
    "SCHEME",
    "Signer",
    "content_codepoints",
    "content_digest",
    "content_lengths",
    "permutations",
    "shingle_hash",
    "shingle_hashes",
    "shingle_set",
    "to_lean_minhash",
]

HASH_NAME: Final = "fnv1a32-utf32"
"""Name of :func:`shingle_hash` in :attr:`FingerprintConfig.hash`."""

SCHEME: Final = "affine32"
"""The only datasketch permutation scheme :class:`Signer` implements."""

_FNV_OFFSET: Final = 0x811C9DC5
_FNV_PRIME: Final = 0x01000193
_EMPTY: Final = 0xFFFFFFFF  # datasketch's affine32 "no shingle seen" value
_U32 = np.uint32
_UINT32_MAX: Final = 0xFFFFFFFF

_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(**options: Any) -> Callable[[_F], _F]:
    """``numba.njit`` typed for mypy: the compiled function keeps the Python function's signature.

    numba is untyped, so a bare ``@numba.njit`` would make every kernel ``Any`` under ``mypy --strict``.
    """
    return cast(Callable[[_F], _F], numba.njit(**options))


# --------------------------------------------------------------------------------------------------
# Shingle hashes
# --------------------------------------------------------------------------------------------------


def shingle_hash(data: bytes) -> int:
    """The reference shingle hash: 32-bit FNV-1a over the little-endian 32-bit words of ``data``.

    A shingle is passed as its codepoints encoded in UTF-32-LE, so every word is one character. Hashing
    whole codepoints rather than UTF-8 bytes takes one step per character instead of three for Han, and
    the same arithmetic vectorises in :func:`shingle_hashes`. This is the function to give datasketch --
    ``MinHash(hashfunc=shingle_hash, scheme="affine32")`` -- to reproduce our signatures in pure Python; its
    config name is ``"fnv1a32-utf32"``.

    Args:
        data: a whole number of UTF-32-LE code units, e.g. ``"召开十二届".encode("utf-32-le")``.

    Returns:
        The hash, an integer in ``[0, 2**32)``.

    Raises:
        ValueError: if ``len(data)`` is not a multiple of four.

    >>> shingle_hash(b"")  # the FNV offset basis
    2166136261
    >>> shingle_hash("a".encode("utf-32-le")) == ((0x811C9DC5 ^ 0x61) * 0x01000193) % 2**32
    True
    >>> shingle_hash("召开十二届".encode("utf-32-le"))
    435293594
    """
    if len(data) % 4:
        raise ValueError(
            f"shingle_hash expects UTF-32-LE bytes (a multiple of 4 long), got {len(data)} bytes; "
            'encode the shingle with .encode("utf-32-le")'
        )
    h = _FNV_OFFSET
    for (word,) in struct.iter_unpack("<I", data):
        h = ((h ^ word) * _FNV_PRIME) & _UINT32_MAX
    return h


def _shingle_count(length: int, n: int) -> int:
    """How many shingles a text of ``length`` content codepoints has: one for a short non-empty text."""
    return max(length - n + 1, min(length, 1))


@_jit(cache=True, boundscheck=False)
def _shingle_into(cps: npt.NDArray[np.uint32], n: int, out: npt.NDArray[np.uint32]) -> None:
    """Write the FNV-1a hash of every ``n``-gram of ``cps`` into ``out`` (``out.size`` of them).

    Loops over positions innermost, so that LLVM vectorises the xor-multiply across shingles.
    """
    m = out.size
    width = min(n, cps.size)
    for p in range(m):
        out[p] = _U32(_FNV_OFFSET)
    for k in range(width):
        for p in range(m):
            out[p] = _U32((out[p] ^ cps[p + k]) * _U32(_FNV_PRIME))


def _check_n(n: int) -> None:
    if n < 1:
        raise ValueError(f"shingle size n must be at least 1, got {n}; the default ngram is 5")


def _as_uint32(values: npt.ArrayLike, what: str) -> npt.NDArray[np.uint32]:
    """``values`` as a contiguous 1-D uint32 array, refusing values that would wrap around."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{what} must be a 1-D array, got shape {arr.shape}")
    if arr.dtype == np.uint32:
        return np.ascontiguousarray(arr)
    if arr.size == 0:
        return np.empty(0, dtype=np.uint32)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{what} must be an integer array (uint32), got dtype {arr.dtype}")
    if int(arr.min()) < 0 or int(arr.max()) > _UINT32_MAX:
        raise ValueError(f"{what} must fit in uint32; got values in [{arr.min()}, {arr.max()}]")
    return arr.astype(np.uint32)


def shingle_hashes(codepoints: npt.NDArray[np.uint32], n: int) -> npt.NDArray[np.uint32]:
    """The :func:`shingle_hash` of every ``n``-gram of ``codepoints``, in order, duplicates kept.

    A non-empty text shorter than ``n`` is one shingle of the whole text, so that a short paragraph still
    has a sketch; an empty text has no shingles (and signs to the empty sketch). Duplicates are kept
    because MinHash ignores them anyway and removing them would cost a sort.

    Args:
        codepoints: uint32 codepoints, normally from :func:`content_codepoints`.
        n: characters per shingle (``FingerprintConfig.ngram``).

    Returns:
        uint32 array of ``max(len - n + 1, min(len, 1))`` hashes.

    >>> cps = content_codepoints("召开十二届十次")
    >>> hs = shingle_hashes(cps, 5)
    >>> hs.size, int(hs[0]) == shingle_hash("召开十二届".encode("utf-32-le"))
    (3, True)
    >>> shingle_hashes(content_codepoints("召开"), 5).size, shingle_hashes(content_codepoints(""), 5).size
    (1, 0)
    """
    _check_n(n)
    cps = _as_uint32(codepoints, "codepoints")
    out = np.empty(_shingle_count(cps.size, n), dtype=np.uint32)
    if out.size:
        _shingle_into(cps, n, out)
    return out


def shingle_set(text: str, n: int) -> npt.NDArray[np.uint32]:
    """The sorted, distinct shingle hashes of ``text``: the exact set that a sketch estimates.

    Used to verify candidate pairs exactly (Jaccard, containment) with ``np.intersect1d`` once LSH has
    proposed them.

    Args:
        text: any text; only its content characters count (see :func:`content_codepoints`).
        n: characters per shingle.

    Returns:
        Sorted unique uint32 hashes.

    >>> a, b = shingle_set("召开十二届十次会议", 5), shingle_set("召开、十二届十次会议。", 5)
    >>> a.size, bool((a == b).all()), bool((a[:-1] < a[1:]).all())
    (5, True, True)
    """
    return distinct(shingle_hashes(content_codepoints(text), n))


# --------------------------------------------------------------------------------------------------
# Signing
# --------------------------------------------------------------------------------------------------


def permutations(num_perm: int, seed: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """The affine permutation parameters ``(a, b)`` that datasketch 2.0 draws for ``scheme="affine32"``.

    Reproduces ``MinHash._init_permutations``: from ``np.random.RandomState(seed)``, first ``num_perm``
    odd multipliers ``a`` (odd, so that ``h -> a * h + b`` is a bijection on uint32), then ``num_perm``
    offsets ``b``. Same seed, same sketches -- that is what makes ours comparable with datasketch's.

    Args:
        num_perm: number of permutations.
        seed: the seed, as ``MinHash(seed=...)``.

    Returns:
        Two contiguous uint32 arrays of length ``num_perm``.

    Raises:
        ValueError: if ``num_perm`` is not positive.

    >>> a, b = permutations(4, seed=1)
    >>> a.dtype.name, a.shape, bool((a % 2 == 1).all())
    ('uint32', (4,), True)
    """
    if num_perm < 1:
        raise ValueError(f"num_perm must be positive, got {num_perm}")
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * _U32(2) + _U32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return np.ascontiguousarray(a), np.ascontiguousarray(b)


@_jit(cache=True, inline="always")
def _fmix32(h: np.uint32) -> np.uint32:
    """MurmurHash3's 32-bit finalizer, as datasketch's ``_fmix(hv, 32)``."""
    h = _U32(h ^ (h >> _U32(16)))
    h = _U32(h * _U32(0x85EBCA6B))
    h = _U32(h ^ (h >> _U32(13)))
    h = _U32(h * _U32(0xC2B2AE35))
    return _U32(h ^ (h >> _U32(16)))


@_jit(cache=True, boundscheck=False)
def _sign_into(
    hashes: npt.NDArray[np.uint32],
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    row: npt.NDArray[np.uint32],
) -> None:
    """``row[k] = min over h of a[k] * fmix32(h) + b[k]`` (uint32 wraparound), like datasketch affine32.

    Four shingles per pass over the permutations: ``a``, ``b`` and ``row`` are loaded once for four
    products, which roughly doubles throughput over one shingle per pass (the loop is bound by loads and
    stores, not by the multiplies). The last group repeats the last shingle instead of a scalar tail loop:
    min is idempotent. The loop over permutations is innermost and branch-free, so LLVM vectorises it
    (16 lanes with AVX-512). fmix32 is computed once per shingle.
    """
    for k in range(row.size):
        row[k] = _U32(_EMPTY)
    last = hashes.size - 1
    for j in range(0, hashes.size, 4):
        h1 = _fmix32(hashes[j])
        h2 = _fmix32(hashes[min(j + 1, last)])
        h3 = _fmix32(hashes[min(j + 2, last)])
        h4 = _fmix32(hashes[min(j + 3, last)])
        for k in range(row.size):
            ak = a[k]
            bk = b[k]
            m12 = min(_U32(ak * h1 + bk), _U32(ak * h2 + bk))
            m34 = min(_U32(ak * h3 + bk), _U32(ak * h4 + bk))
            row[k] = min(row[k], min(m12, m34))


@_jit(cache=True, parallel=True, boundscheck=False)
def _sign_csr(
    hashes: npt.NDArray[np.uint32],
    offsets: npt.NDArray[np.int64],
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    out: npt.NDArray[np.uint32],
) -> None:
    """Sign set ``i = hashes[offsets[i]:offsets[i + 1]]`` into ``out[i]``, sets spread over threads."""
    for i in numba.prange(out.shape[0]):
        _sign_into(hashes[offsets[i] : offsets[i + 1]], a, b, out[i])


@_jit(cache=True, parallel=True, boundscheck=False)
def _sign_texts_kernel(
    raw: npt.NDArray[np.uint32],
    starts: npt.NDArray[np.int64],
    table: npt.NDArray[np.bool_],
    n: int,
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    chunk: int,
    out: npt.NDArray[np.uint32],
) -> None:
    """Filter, shingle and sign text ``i = raw[starts[i]:starts[i + 1]]`` into ``out[i]``.

    Threads take chunks of ``chunk`` texts. A chunk allocates its two scratch buffers once, sized for its
    longest text, and reuses them for every text: they stay in L1 cache from filtering to signing, where
    buffers as long as the whole batch cost a page fault every thousand characters and a quarter of the time.
    """
    n_texts = out.shape[0]
    for c in numba.prange((n_texts + chunk - 1) // chunk):
        first = c * chunk
        stop = min(first + chunk, n_texts)
        longest = 0
        for i in range(first, stop):
            longest = max(longest, starts[i + 1] - starts[i])
        cps = np.empty(longest, dtype=np.uint32)
        hashes = np.empty(longest, dtype=np.uint32)
        for i in range(first, stop):
            length = _content_into(raw, starts[i], starts[i + 1], table, cps)
            count = max(length - n + 1, min(length, 1))
            _shingle_into(cps[:length], n, hashes[:count])
            _sign_into(hashes[:count], a, b, out[i])


@_jit(cache=True, boundscheck=False)
def _content_into(
    raw: npt.NDArray[np.uint32], start: int, stop: int, table: npt.NDArray[np.bool_], cps: npt.NDArray[np.uint32]
) -> int:
    """Copy the content codepoints of ``raw[start:stop]`` to the front of ``cps``; return how many.

    Branch-free (always store, advance only past content), because punctuation is too irregular for the
    branch predictor.
    """
    length = 0
    for p in range(start, stop):
        cp = raw[p]
        cps[length] = cp
        length += table[cp]
    return length


def shingle_sets(texts: Sequence[str], n: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """The sorted unique shingle hashes of each text's content characters, back to back (CSR layout).

    Equal, text by text, to ``np.unique(shingle_hashes(content_codepoints(text), n))``, but computed for all
    texts at once: a numpy call per paragraph would cost more than the shingling itself. Each shingle is
    keyed by its text's number (high 32 bits) and its hash (low 32 bits), and all keys of the batch are
    sorted together (:func:`_radix_sorted`), which orders them by text and by hash within a text; sorting
    each text's few hundred hashes inside the compiled loop (numba's quicksort) cost twice as much as
    everything else in sketching a unit. Exact sets are what candidate verification compares (Jaccard and
    containment).

    Returns:
        ``(sets, offsets)``: text ``i``'s set is ``sets[offsets[i]:offsets[i + 1]]``.
    """
    _check_n(n)
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    if texts:
        np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=starts[1:])
    raw = utf32("".join(texts)) if texts else np.zeros(0, dtype=np.uint32)
    keys = _shingle_keys(raw, starts, content_table(), n)
    return _distinct_per_text(_radix_sorted(keys, len(texts)), len(texts))


@_jit(cache=True)
def _shingle_keys(
    raw: npt.NDArray[np.uint32], starts: npt.NDArray[np.int64], table: npt.NDArray[np.bool_], n: int
) -> npt.NDArray[np.uint64]:
    """Every shingle of every text as ``text << 32 | hash``, duplicates kept, in text order."""
    count = starts.size - 1
    cps = np.empty(max(raw.size, 1), dtype=np.uint32)
    hashes = np.empty(max(raw.size, 1), dtype=np.uint32)
    keys = np.empty(max(raw.size, 1), dtype=np.uint64)
    w = 0
    for i in range(count):
        length = _content_into(raw, starts[i], starts[i + 1], table, cps)
        m = max(length - n + 1, min(length, 1))
        if m > 0:
            _shingle_into(cps[:length], n, hashes[:m])
            high = np.uint64(i) << np.uint64(32)
            for k in range(m):
                keys[w + k] = high | np.uint64(hashes[k])
            w += m
    return keys[:w]


@_jit(cache=True)
def _radix_sorted(keys: npt.NDArray[np.uint64], count: int) -> npt.NDArray[np.uint64]:
    """:func:`_shingle_keys`' keys of ``count`` texts, sorted: a least-significant-digit radix sort, three
    passes over the hash's bits (11, 11 and 10 of them: 2,048 counters stay in the first-level cache) and a
    last one over the text number (``count`` buckets). Each pass is stable, so the result is sorted by text,
    then by hash.

    A batch of 256 articles holds some 730,000 keys: numpy's sort (vectorised quicksort) took 34 ms of them,
    this 8-10 ms (16-bit digits 10-14 ms), where the sort was 15% of sketching. ``keys`` is reused as
    scratch.
    """
    size = keys.size
    source = keys
    target = np.empty_like(keys)
    for shift, bits in ((0, 11), (11, 11), (22, 10)):
        mask = np.uint64((1 << bits) - 1)
        starts = np.zeros((1 << bits) + 1, dtype=np.int64)
        for i in range(size):
            starts[((source[i] >> np.uint64(shift)) & mask) + 1] += 1
        for d in range(1 << bits):
            starts[d + 1] += starts[d]
        for i in range(size):
            digit = (source[i] >> np.uint64(shift)) & mask
            target[starts[digit]] = source[i]
            starts[digit] += 1
        source, target = target, source
    starts = np.zeros(count + 1, dtype=np.int64)
    for i in range(size):
        starts[(source[i] >> np.uint64(32)) + 1] += 1
    for t in range(count):
        starts[t + 1] += starts[t]
    for i in range(size):
        text = source[i] >> np.uint64(32)
        target[starts[text]] = source[i]
        starts[text] += 1
    return target


@_jit(cache=True)
def _distinct_per_text(
    keys: npt.NDArray[np.uint64], count: int
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """The CSR sets of sorted :func:`_shingle_keys`: each distinct key's hash, and where each text's end."""
    offsets = np.zeros(count + 1, dtype=np.int64)
    sets = np.empty(max(keys.size, 1), dtype=np.uint32)
    w = 0
    for k in range(keys.size):
        key = keys[k]
        if k == 0 or key != keys[k - 1]:
            sets[w] = np.uint32(key & np.uint64(0xFFFFFFFF))
            w += 1
            offsets[(key >> np.uint64(32)) + 1] = w
    for i in range(1, count + 1):  # a text without shingles ends where the one before it ends
        offsets[i] = max(offsets[i], offsets[i - 1])
    return sets[:w].copy(), offsets


class Signer:
    """Signs shingle sets into MinHash signatures identical to datasketch's ``scheme="affine32"``.

    One signer per configuration: it draws the permutations once. Signatures are rows of a uint32 matrix
    rather than ``MinHash`` objects, because a corpus has hundreds of thousands of paragraphs and a Python
    object each costs more than the signing; wrap a row with :func:`to_lean_minhash` where datasketch needs
    an object.

    Args:
        config: fingerprint settings; ``ngram``, ``num_perm`` and ``seed`` are used.

    Raises:
        ValueError: if the configuration asks for a scheme or hash this signer does not implement, or for a
            non-positive ``ngram`` or ``num_perm``.

    Attributes:
        config: the configuration the signatures belong to.
        a, b: the permutation parameters, read-only.
    """

    __slots__ = ("a", "b", "config")

    def __init__(self, config: FingerprintConfig | None = None) -> None:
        config = FingerprintConfig() if config is None else config
        if config.scheme != SCHEME:
            raise ValueError(
                f"FingerprintConfig.scheme is {config.scheme!r}, but the fast signer implements only "
                f"{SCHEME!r}; set scheme={SCHEME!r} or sketch with datasketch.MinHash directly"
            )
        if config.hash != HASH_NAME:
            raise ValueError(
                f"FingerprintConfig.hash is {config.hash!r}, but the fast signer implements only "
                f"{HASH_NAME!r} (dedup.match.fingerprint.shingle_hash); set hash={HASH_NAME!r}"
            )
        if config.ngram < 1:
            raise ValueError(f"FingerprintConfig.ngram must be at least 1, got {config.ngram}")
        if config.num_perm < 1:
            raise ValueError(f"FingerprintConfig.num_perm must be at least 1, got {config.num_perm}")
        self.config = config
        self.a, self.b = permutations(config.num_perm, config.seed)
        self.a.flags.writeable = False
        self.b.flags.writeable = False

    def __repr__(self) -> str:
        """Shows the settings, e.g. in logs."""
        c = self.config
        return f"Signer(ngram={c.ngram}, num_perm={c.num_perm}, seed={c.seed}, scheme={c.scheme!r})"

    def sign(self, hashes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
        """The signature of one set of shingle hashes.

        Args:
            hashes: uint32 shingle hashes, e.g. from :func:`shingle_hashes`; duplicates are harmless.

        Returns:
            uint32[num_perm]; all ``0xFFFFFFFF`` for an empty set, as an empty datasketch MinHash.
        """
        hs = _as_uint32(hashes, "hashes")
        signature: npt.NDArray[np.uint32] = self.sign_many(hs, np.array([0, hs.size], dtype=np.int64))[0]
        return signature

    def sign_many(
        self, hashes: npt.NDArray[np.uint32], offsets: npt.NDArray[np.integer[Any]]
    ) -> npt.NDArray[np.uint32]:
        """Signatures of many sets stored back to back (CSR layout), signed in parallel.

        One call for many sets because a Python call per paragraph would cost more than signing it.

        Args:
            hashes: uint32 shingle hashes of all sets, concatenated.
            offsets: ``n_sets + 1`` non-decreasing indices into ``hashes``; set ``i`` is
                ``hashes[offsets[i]:offsets[i + 1]]``.

        Returns:
            uint32[n_sets, num_perm], one signature per row.

        Raises:
            ValueError: if ``offsets`` is empty, decreasing or points outside ``hashes``.
        """
        hs = _as_uint32(hashes, "hashes")
        offs = np.ascontiguousarray(offsets, dtype=np.int64)
        if offs.ndim != 1 or offs.size == 0:
            raise ValueError("offsets must be a 1-D array of n_sets + 1 indices, e.g. [0, len(hashes)]")
        if offs[0] < 0 or offs[-1] > hs.size or (offs.size > 1 and bool((np.diff(offs) < 0).any())):
            raise ValueError(f"offsets must be non-decreasing indices within [0, {hs.size}] (the length of hashes)")
        out = np.empty((offs.size - 1, self.config.num_perm), dtype=np.uint32)
        if out.shape[0]:
            _sign_csr(hs, offs, self.a, self.b, out)
        return out

    def sign_texts(self, texts: Sequence[str]) -> npt.NDArray[np.uint32]:
        """Signatures of texts: content codepoints, shingle hashes, sign -- as one batch.

        Equal to ``sign_many`` over ``shingle_hashes(content_codepoints(t), ngram)`` for each text, but
        encodes all texts in one call and filters, shingles and signs each text inside one parallel kernel,
        so there is no Python work per text (which would otherwise cost as much as the signing).

        Args:
            texts: the texts; an empty text (or one without letters or digits) gets the empty signature.

        Returns:
            uint32[len(texts), num_perm].
        """
        n = self.config.ngram
        out = np.empty((len(texts), self.config.num_perm), dtype=np.uint32)
        if not texts:
            return out
        starts = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=starts[1:])
        raw = utf32("".join(texts))
        # Four chunks per thread balance uneven text lengths; 64 texts are enough to amortise a chunk.
        chunk = max(1, min(64, -(-len(texts) // (4 * numba.get_num_threads()))))
        _sign_texts_kernel(raw, starts, content_table(), n, self.a, self.b, chunk, out)
        return out


def to_lean_minhash(signature: npt.NDArray[np.uint32], seed: int) -> LeanMinHash:
    """Wrap a signature as a :class:`datasketch.LeanMinHash` for ``MinHashLSH`` and ``jaccard``.

    A LeanMinHash holds only the seed, the scheme and the hash values, so it is built directly from them
    (no permutations are drawn). Its scheme is ``"affine32"``: datasketch refuses to compare it with a
    sketch of another scheme or seed, which guards against mixing incompatible sketches.

    Args:
        signature: one row of :meth:`Signer.sign_many` (uint32[num_perm]).
        seed: the seed the signature was made with (``FingerprintConfig.seed``).

    Returns:
        A LeanMinHash equal to the datasketch MinHash of the same shingles.

    Raises:
        ValueError: if ``signature`` is empty or not 1-D.

    >>> lm = to_lean_minhash(Signer().sign_texts(["召开十二届十次会议"])[0], seed=1)
    >>> lm.scheme, len(lm), lm.jaccard(lm)
    ('affine32', 128, 1.0)
    """
    values = _as_uint32(signature, "signature")
    if values.size == 0:
        raise ValueError("signature must not be empty; pass one row of Signer.sign_many")
    return LeanMinHash(seed=seed, hashvalues=values, scheme=SCHEME)
