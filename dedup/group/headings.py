"""Headings: the short lines that stand above an article's body (headline, subtitle, byline), and which of
them are a story's own headline rather than a line that every page of a site repeats (a breadcrumb, a
masthead).

Lines are compared by :func:`~dedup.match.fingerprint.content_digest`: too short to be sketched, a headline
printed word for word in two copies is still evidence that they are one story.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from dedup.config import GroupConfig
from dedup.group.corpus import GroupedDocument, Key
from dedup.match.content import content_digest
from dedup.records import Paragraph, paragraph_hints

_HEADING_HINTS = frozenset({"headline", "byline"})


def is_heading_like(p: Paragraph, length: int, config: GroupConfig) -> bool:
    """A headline, a byline, or a line too short to be sketched: what stands above an article's body."""
    # (asked of every paragraph: one set for all the questions, and no set built to hold the answer)
    return length < config.heading_chars or not p.hints.isdisjoint(_HEADING_HINTS)


def heading_digests(paragraphs: Sequence[Paragraph], lengths: Sequence[int], config: GroupConfig) -> tuple[int, ...]:
    """The content digest of each heading-like paragraph, 0 for the others (a document's ``digests``:
    computed once, when it is prepared, from the paragraphs' text)."""
    return tuple(
        content_digest(p.text) if is_heading_like(p, n, config) else 0 for p, n in zip(paragraphs, lengths, strict=True)
    )


class Headings:
    """The heading-like lines of a corpus (by digest), to tell a story's own headline from a line that
    stands above every story of a site."""

    def __init__(self, documents: Sequence[GroupedDocument]) -> None:
        self.documents = documents
        self.docs_of: dict[int, set[int]] = defaultdict(set)
        for d, document in enumerate(documents):
            for hints, digest in zip(paragraph_hints(document.paragraphs), document.digests, strict=True):
                if digest and "byline" not in hints:  # a reporter's byline heads many stories, rightly
                    self.docs_of[digest].add(d)

    def _others(self, doc: int, k: int, partners: set[int]) -> tuple[int, int]:
        """How many documents besides ``doc`` print line ``k`` of ``doc``: among the ``partners``, and beyond.

        Counted without copying the line's documents: a line that every page repeats stands in a share of the
        corpus, and a copy of its documents at each question made grouping grow with the square of the corpus
        (intersecting iterates over the smaller set, the partners as a rule).
        """
        digest = self.documents[doc].digests[k]
        docs = self.docs_of.get(digest) if digest else None
        if not docs:
            return 0, 0
        mine = doc in docs
        among = len(docs & partners) - (mine and doc in partners)
        return among, len(docs) - mine - among

    def repeated(self, doc: int, k: int, partners: set[int]) -> bool:
        """Line ``k`` of ``doc`` stands word for word above stories of two documents or more beyond the
        ``partners`` (the documents this passage's story is matched in)."""
        return self._others(doc, k, partners)[1] >= 2

    def heads(self, key: Key, docs: set[int], config: GroupConfig) -> bool:
        """A headline printed in ``docs`` (and hardly anywhere else) stands above paragraph ``key``,
        directly or over heading-like lines and lines of the same block."""
        d, k = key
        document = self.documents[d]
        paragraphs, lengths = document.paragraphs, document.lengths
        for i in range(k - 1, max(-1, k - 1 - 2 * config.max_heading_paragraphs), -1):
            if document.digests[i] and "headline" in paragraphs[i].hints and self.shared(d, i, docs):
                return True
            if not is_heading_like(paragraphs[i], lengths[i], config) and lengths[i] > 2 * config.heading_chars:
                return False
        return False

    def shared(self, doc: int, k: int, partners: set[int]) -> bool:
        """Line ``k`` of ``doc`` is printed in a partner document too (the story's headline), and is no
        line that every page repeats."""
        among, beyond = self._others(doc, k, partners)
        return among > 0 and beyond < 2
