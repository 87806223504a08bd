"""The corpus as grouping sees it: documents read through :class:`GroupedDocument`, and paragraphs numbered
across the corpus (*flat* numbers: a document's paragraphs are consecutive, documents in order), so that the
matched pairs of a corpus drop, hundreds of thousands of them, are handled as arrays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from dedup.arrays import distinct, merge_distinct, run_starts
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
    matches: npt.NDArray[np.int64], corpus: Corpus
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Unit matches as paragraph matches between different documents: flat numbers ``(a, b)`` with
    ``a < b``, each pair once, sorted."""
    if matches.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    flat = corpus.paragraph_starts[corpus.units.doc] + corpus.units.paragraph
    left, right = flat[matches[:, 0]], flat[matches[:, 1]]
    low, high = np.minimum(left, right), np.maximum(left, right)  # (``min(axis=1)`` is slow on two columns)
    apart = corpus.doc_of[low] != corpus.doc_of[high]
    total = max(corpus.paragraph_count, 1)
    pairs = distinct(low[apart] * total + high[apart])
    return pairs // total, pairs % total


def partners(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], corpus: Corpus) -> dict[int, dict[int, set[int]]]:
    """For each document with matched paragraphs (in document order): paragraph -> the other documents it
    matches."""
    out: dict[int, dict[int, set[int]]] = defaultdict(dict)
    if not a.size:
        return out
    documents = len(corpus.documents)
    pairs = distinct(np.concatenate([a * documents + corpus.doc_of[b], b * documents + corpus.doc_of[a]]))
    paragraph, partner = pairs // documents, (pairs % documents).tolist()
    starts = np.flatnonzero(run_starts(paragraph))
    ends = np.r_[starts[1:], pairs.size].tolist()
    flat = paragraph[starts]
    doc = corpus.doc_of[flat]
    local = flat - corpus.paragraph_starts[doc]  # :meth:`Corpus.key`, for all of them at once
    for d, k, start, end in zip(doc.tolist(), local.tolist(), starts.tolist(), ends, strict=True):
        out[d][k] = set(partner[start:end])
    return out
