"""Load, normalize and segment: the per-document stages, run lazily over a corpus.

Every later stage starts here, so this is where inputs are accounted for: each path (or JSONL line) yields
either a :class:`Prepared` document or a :class:`~dedup.records.Skipped` one, in input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dedup.config import NormalizeConfig
from dedup.ingest.load import StdinInput, load
from dedup.normalize import NormText, normalize
from dedup.records import Document, Paragraph, Skipped
from dedup.segment import segment


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document ready for matching: its normalized text and its paragraphs."""

    norm: NormText
    paragraphs: tuple[Paragraph, ...]

    @property
    def document(self) -> Document:
        return self.norm.document

    @property
    def path(self) -> str:
        return self.norm.document.path


def prepare_document(document: Document, config: NormalizeConfig | None = None) -> Prepared:
    """Normalize and segment one document."""
    norm = normalize(document, config)
    return Prepared(norm, tuple(segment(norm)))


def prepare(
    paths: Iterable[str], config: NormalizeConfig | None = None, stdin: StdinInput | None = None
) -> Iterator[Prepared | Skipped]:
    """Load every input under ``paths`` and prepare it; unreadable inputs come through as ``Skipped``.

    A document that normalizes to no text at all (only markup, say) is skipped with that reason rather
    than passed on empty.
    """
    for item in load(paths, stdin=stdin):
        if isinstance(item, Skipped):
            yield item
            continue
        prepared = prepare_document(item, config)
        if not prepared.paragraphs:
            yield Skipped(item.path, "no text left after normalization (markup only?)")
            continue
        yield prepared
