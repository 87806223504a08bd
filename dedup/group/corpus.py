"""The corpus as grouping sees it: documents read through :class:`GroupedDocument`, and paragraphs numbered
across the corpus (*flat* numbers: a document's paragraphs are consecutive, documents in order), so that the
matched pairs of a corpus drop, hundreds of thousands of them, are handled as arrays.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import numba
import numpy as np
import numpy.typing as npt

from dedup.arrays import distinct_in_place, merge_distinct, run_starts
from dedup.match.candidates import Units
from dedup.records import Paragraph
from dedup.results import Passage

Key = tuple[int, int]
"""A paragraph as ``(document, paragraph)``: a dictionary key (hashed millions of times, so a plain tuple)."""


RECENT_WITNESSES = 64
"""Witness shingle sets :meth:`Corpus.shingles` keeps (the most recent): more than a group has witnesses as a
rule, and a few megabytes at most."""


class GroupedDocument(Protocol):
    """What grouping reads of a document (:class:`dedup.results.ScannedDocument` is one).

    Attributes:
        path: as the user gave it.
        paragraphs: its paragraphs.
        lengths: the content characters of each paragraph.
        digests: the content digest of each heading-like paragraph (0 for the others).
        layout: how the document came (file type, encoding, what normalization undid): the two pages of
            one paper's jumped story share it.
    """

    @property
    def path(self) -> str: ...

    @property
    def paragraphs(self) -> Sequence[Paragraph]: ...

    @property
    def lengths(self) -> Sequence[int]: ...

    @property
    def digests(self) -> Sequence[int]: ...

    @property
    def layout(self) -> str: ...


class Corpus:
    """The documents and units, with the lookups grouping needs made cheap (no scan over all units).

    Paragraphs are also numbered across the corpus (*flat* numbers: a document's paragraphs are consecutive,
    documents in order), so that the matched pairs of a corpus drop, hundreds of thousands of them, are
    handled as arrays.
    """

    def __init__(self, documents: Sequence[GroupedDocument], units: Units) -> None:
        self.documents = documents
        self.units = units
        # Units are in (document, paragraph) order, so each document's units are one contiguous range.
        self.unit_starts = np.searchsorted(units.doc, np.arange(len(documents) + 1), side="left")
        counts = np.fromiter((len(d.paragraphs) for d in documents), dtype=np.int64, count=len(documents))
        self.paragraph_starts = np.zeros(len(documents) + 1, dtype=np.int64)  # document -> its first flat number
        np.cumsum(counts, out=self.paragraph_starts[1:])
        self.paragraph_count = int(self.paragraph_starts[-1])  # in the corpus
        self.doc_of = np.repeat(np.arange(len(documents), dtype=np.int64), counts)
        self.length_of = np.fromiter(
            (n for d in documents for n in d.lengths), dtype=np.int64, count=self.paragraph_count
        )
        self.cumulative_length = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(self.length_of)])
        self._recent: dict[tuple[Passage, ...], npt.NDArray[np.uint32]] = {}  # see :meth:`shingles`

    def paragraph(self, key: Key) -> Paragraph:
        return self.documents[key[0]].paragraphs[key[1]]

    def length(self, key: Key) -> int:
        """Content characters (letters and digits) of a paragraph."""
        return self.documents[key[0]].lengths[key[1]]

    def key(self, flat: int) -> Key:
        """The (document, paragraph) of a flat paragraph number."""
        doc = int(self.doc_of[flat])
        return doc, flat - int(self.paragraph_starts[doc])

    def passage_length(self, passage: Passage) -> int:
        first = int(self.paragraph_starts[passage.doc]) + passage.first
        end = first + passage.last - passage.first + 1
        return int(self.cumulative_length[end] - self.cumulative_length[first]) or 1

    def shingles(self, chain: Sequence[Passage]) -> npt.NDArray[np.uint32]:
        """The union of the shingle sets of a witness's sketched paragraphs (sorted, distinct).

        The last few witnesses' sets are kept: a group asks for each witness's set to measure it against
        the reference, and again for its id (:func:`~dedup.group.grouping.story_fingerprint`), and merging
        them twice was a fifth of grouping at 100,000 articles.
        """
        key = tuple(chain)
        found = self._recent.get(key)
        if found is None:
            found = self._merged(chain)
            found.flags.writeable = False  # shared by every caller that asks for this witness
            if len(self._recent) >= RECENT_WITNESSES:
                del self._recent[next(iter(self._recent))]
            self._recent[key] = found
        return found

    def _merged(self, chain: Sequence[Passage]) -> npt.NDArray[np.uint32]:
        parts: list[npt.NDArray[np.uint32]] = []
        for p in chain:  # a passage's units are consecutive, and so are their sets
            lo, hi = int(self.unit_starts[p.doc]), int(self.unit_starts[p.doc + 1])
            paragraphs = self.units.paragraph[lo:hi]
            first = lo + int(np.searchsorted(paragraphs, p.first, side="left"))
            last = lo + int(np.searchsorted(paragraphs, p.last, side="right"))
            parts.append(self.units.sets[self.units.offsets[first] : self.units.offsets[last]])
        return merge_distinct(parts) if parts else np.zeros(0, dtype=np.uint32)


def paragraph_matches(
    matches: npt.NDArray[np.int64], corpus: Corpus, keep: npt.NDArray[np.bool_] | None = None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Unit matches (those ``keep`` marks, or all) as paragraph matches between different documents: flat
    numbers ``(a, b)`` with ``a < b``, each pair once, sorted.

    One pass over the matches writes each kept pair's code (``a`` times the paragraph count plus ``b``) and
    nothing else: grouping asks this of all of a corpus's matches three times, and the five arrays a pair
    of numpy expressions made (each end's paragraph, the lower and the higher, the codes) were its peak.
    """
    if matches.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    flat = corpus.paragraph_starts[corpus.units.doc]
    flat += corpus.units.paragraph  # in place: one array a unit, not two
    total = max(corpus.paragraph_count, 1)
    every = np.zeros(0, dtype=np.bool_)
    codes = _pair_codes(
        np.ascontiguousarray(matches, dtype=np.int64), flat, corpus.doc_of, total, every if keep is None else keep
    )
    del flat
    pairs = distinct_in_place(codes)
    del codes
    higher = pairs % total
    pairs //= total  # the lower ends, in the codes' own array
    return pairs, higher


@numba.njit(cache=True)
def _pair_codes(
    matches: npt.NDArray[np.int64],
    flat: npt.NDArray[np.int64],
    doc_of: npt.NDArray[np.int64],
    total: int,
    keep: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int64]:  # pragma: no cover - compiled
    """:func:`paragraph_matches`' codes, counted first and then written (``keep`` empty: every match)."""
    every = keep.shape[0] == 0
    count = 0
    for k in range(matches.shape[0]):
        if (every or keep[k]) and doc_of[flat[matches[k, 0]]] != doc_of[flat[matches[k, 1]]]:
            count += 1
    codes = np.empty(count, dtype=np.int64)
    i = 0
    for k in range(matches.shape[0]):
        left, right = flat[matches[k, 0]], flat[matches[k, 1]]
        if (every or keep[k]) and doc_of[left] != doc_of[right]:
            codes[i] = min(left, right) * total + max(left, right)
            i += 1
    return codes


def end_codes(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], corpus: Corpus, keep: npt.NDArray[np.bool_] | None = None
) -> npt.NDArray[np.int64]:
    """The paragraph pairs ``a``, ``b`` (those ``keep`` marks, or all) read from both ends, one code an end:
    the end's flat number times the document count plus the other end's document (unsorted: pairs from
    ``a``'s end, then from ``b``'s). Sorted, an end's codes come together, each with a document it is matched
    in. Written into one array, where two concatenated expressions made five, each the size of the pairs."""
    documents = len(corpus.documents)
    if keep is not None:
        a, b = a[keep], b[keep]
    codes = np.empty(2 * a.size, dtype=np.int64)
    for end, other, out in ((a, b, codes[: a.size]), (b, a, codes[a.size :])):
        np.multiply(end, documents, out=out)
        out += corpus.doc_of[other]
    return codes


def partner_coverage(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], corpus: Corpus
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For each partner paragraph and document that matched it (paragraph pairs ``a``, ``b`` read both ways),
    in order of (partner, document): the partner's flat number, the content characters of the document's
    paragraphs that matched it, and the last of them.

    Each pair read both ways is keyed partner times the document count plus the document (:func:`end_codes`,
    the partner as the end); the keys are
    numbered by a sort, and one compiled pass over the pairs adds each up by binary search. ``np.unique``'s
    inverse (an argsort, a sorted copy, a mask, a cumulative sum and the inverse, each an entry a key), and
    after it the inverse, the ends and their lengths as arrays for ``np.bincount``, were grouping's
    high-water mark at 100,000 articles (memray).
    """
    n_docs = len(corpus.documents)
    numbered = distinct_in_place(end_codes(a, b, corpus))
    covered = np.zeros(numbered.size, dtype=np.int64)
    last = np.full(numbered.size, -1, dtype=np.int64)
    _tally(
        np.ascontiguousarray(a),
        np.ascontiguousarray(b),
        corpus.doc_of,
        corpus.length_of,
        n_docs,
        numbered,
        covered,
        last,
    )
    numbered //= n_docs  # the partners, in the keys' own array
    return numbered, covered, last


@numba.njit(cache=True)
def _tally(
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    doc_of: npt.NDArray[np.int64],
    length_of: npt.NDArray[np.int64],
    n_docs: int,
    keys: npt.NDArray[np.int64],
    covered: npt.NDArray[np.int64],
    last: npt.NDArray[np.int64],
) -> None:  # pragma: no cover - compiled
    """:func:`partner_coverage`'s sums: for each pair and each of its two ends, the other end's key."""
    for k in range(a.shape[0]):
        for side in range(2):
            here = a[k] if side == 0 else b[k]
            there = b[k] if side == 0 else a[k]
            i = np.searchsorted(keys, there * n_docs + doc_of[here])
            covered[i] += length_of[here]
            if here > last[i]:
                last[i] = here


def partners(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], corpus: Corpus
) -> Iterator[tuple[int, dict[int, set[int]]]]:
    """Each document with matched paragraphs (in document order), with its paragraphs' partners: paragraph ->
    the other documents it matches.

    Made a document at a time: a set per matched paragraph of the whole corpus, held at once, was grouping's
    peak (over half of it at 100,000 articles), and its caller reads one document's at a time.
    """
    if not a.size:
        return
    documents = len(corpus.documents)
    pairs = distinct_in_place(end_codes(a, b, corpus))
    paragraph, partner = pairs // documents, pairs % documents
    del pairs
    starts = np.flatnonzero(run_starts(paragraph))  # each matched paragraph's first pair
    ends = np.append(starts[1:], partner.size)
    flat = paragraph[starts]
    del paragraph
    doc = corpus.doc_of[flat]
    local = flat - corpus.paragraph_starts[doc]  # :meth:`Corpus.key`, for all of them at once
    runs = np.flatnonzero(run_starts(doc))  # each document's first matched paragraph
    for first, last in zip(runs.tolist(), np.append(runs[1:], doc.size).tolist(), strict=True):
        lo = int(starts[first])
        mine = partner[lo : int(ends[last - 1])].tolist()
        here = local[first:last].tolist()
        spans = zip(here, (starts[first:last] - lo).tolist(), (ends[first:last] - lo).tolist(), strict=True)
        yield int(doc[first]), {k: set(mine[start:end]) for k, start, end in spans}
