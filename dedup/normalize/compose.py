"""Normalize: the steps composed into the text a matcher should see, with a map back to the raw text and notes.

Normalization is for matching only; reports always quote the raw text. The steps, in order, each a pure
``Mapped -> Mapped`` function recorded in the notes (as ftfy's ``ExplainedText`` does):

1. ``newlines``: CRLF and lone CR become LF.
2. ``markup``: HTML tags and entities; Markdown headings, quotes, bullets, emphasis, links.
3. ``pinyin``: pinyin glued after characters (``召開(kāi)``) is removed; its broken remnants (``?shù)``) and
   mojibake are flagged as garbled spans, never guessed.
4. ``t2s``: Traditional to Simplified with OpenCC.
5. ``jump``: page-jump markers (``（下转第3版）``, ``（上接1版）``) are recorded and removed.
6. ``unwrap``: hard-wrapped lines (OCR pages) are joined into paragraphs; one-paragraph-per-line files stay
   as they are, except paragraphs cut in two by a page or column break.
7. ``width``: full-width letters, digits and punctuation are folded to ASCII.
8. ``spaces``: whitespace runs collapse, and vanish next to Chinese characters.

The result, :class:`NormText`, holds one paragraph per line of ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from dedup.config import NormalizeConfig
from dedup.normalize.chars import holds_any
from dedup.normalize.jumps import Marker, remap_markers, step_jumps
from dedup.normalize.markup import (
    html_headings,
    looks_like_html,
    markdown_headings,
    step_html,
    step_markdown,
    step_newlines,
)
from dedup.normalize.script import find_garbled, opens_on_pinyin, step_pinyin, step_spaces, step_t2s, step_width
from dedup.normalize.textmap import Mapped, line_of, line_starts
from dedup.normalize.unwrap import step_unwrap
from dedup.records import Document, Note


@dataclass(frozen=True, slots=True)
class NormText:
    """A document's matching text: one paragraph per line, each character mapped to its raw offset.

    Attributes:
        document: the document normalized.
        text: the matching text; ``\\n`` separates paragraphs.
        origin: raw offset of each character of ``text``.
        line_starts: raw offsets where each raw line starts, to turn offsets into line numbers.
        notes: what each step did.
        markers: page-jump markers, removed from ``text``.
        garbled: ``(start, end)`` ranges of ``text`` flagged as noise.
        headings: raw line numbers that were Markdown or HTML headings.
    """

    document: Document
    text: str
    origin: npt.NDArray[np.int32]
    line_starts: npt.NDArray[np.int64]
    notes: tuple[Note, ...] = ()
    markers: tuple[Marker, ...] = ()
    garbled: tuple[tuple[int, int], ...] = ()
    headings: frozenset[int] = field(default_factory=frozenset)

    def line_of(self, raw_offset: int) -> int:
        """The 1-based raw line of a raw offset."""
        return line_of(self.line_starts, raw_offset)


def normalize(document: Document, config: NormalizeConfig | None = None) -> NormText:
    """Normalize one document for matching, recording what each step did.

    Joining lines can make what no line held alone: a Markdown mark, a pinyin annotation, a paragraph that
    now ends mid-word. A text whose lines were joined is therefore normalized again until it no longer
    changes (at most twice more), so that normalizing twice equals normalizing once; a text no step joined
    is settled after one pass.

    >>> from dedup.records import Document
    >>> norm = normalize(Document("a.txt", "（上接1版）按照党中央要求，\\n各地及时出台有关配套制度。", "utf-8"))
    >>> norm.text
    '按照党中央要求,\\n各地及时出台有关配套制度。'
    >>> norm.markers[0].marker.line
    1
    """
    config = config or NormalizeConfig()
    norm, unsettled = _normalize_once(document, config)
    for _ in range(2):
        if not unsettled:
            break
        again, unsettled = _normalize_once(Document(document.path, norm.text, document.encoding, "text"), config)
        if again.text == norm.text:
            break
        before = Mapped.identity(norm.text)
        markers = tuple(remap_markers(list(norm.markers), before, Mapped(again.text, again.origin)))
        origin = norm.origin[again.origin] if len(again.origin) else again.origin
        norm = NormText(
            document, again.text, origin, norm.line_starts, norm.notes, markers, again.garbled, norm.headings
        )
    return norm


# What a later step can make into a mark an earlier step would strip (``1 *`` -> ``1*``): a text that still
# holds one is normalized again. Asked with ``str.find`` per character, and for pinyin from parenthesis to
# parenthesis (:func:`~dedup.normalize.script.opens_on_pinyin`): a pattern's character class tried at every
# character was several times slower.
_UNSETTLED_MARKS = "*_[]#>`"


def _normalize_once(document: Document, config: NormalizeConfig) -> tuple[NormText, bool]:
    """One pass of every step; and whether the text may not be settled yet (lines were joined, or marks
    that joined lines made were stripped)."""
    raw = document.text
    starts = line_starts(raw)

    notes: list[Note] = [Note("encoding", f"decoded as {document.encoding}")]
    m = Mapped.identity(raw)
    m, _ = step_newlines(m)

    headings: frozenset[int] = frozenset()
    if document.format == "html" or looks_like_html(raw):
        headings = html_headings(raw, starts)
        m, count = step_html(m)
        if count:
            notes.append(Note("markup", f"removed {count} HTML tags and entities", count))
    else:
        headings = markdown_headings(raw)
        m, count = step_markdown(m)
        if count:
            notes.append(Note("markup", f"removed {count} Markdown marks", count))

    if config.strip_pinyin:
        m, count = step_pinyin(m)
        if count:
            notes.append(Note("pinyin", f"stripped {count} pinyin annotations", count))

    if config.to_simplified:
        m, count = step_t2s(m)
        if count:
            notes.append(Note("t2s", f"converted {count} characters from Traditional to Simplified", count))

    m, found = step_jumps(m, starts)
    for item in found:
        notes.append(Note("jump", f"jump marker {item.marker.text} at line {item.marker.line}"))

    before_unwrap = m
    m, joins, wrapped = step_unwrap(m, found, config.unwrap)
    if joins:
        what = "hard-wrapped lines" if wrapped else "paragraphs cut by a page or column break"
        notes.append(Note("unwrap", f"unwrapped {joins} {what}", joins))
    markers = remap_markers(found, before_unwrap, m)

    m, count = step_width(m)
    if count:
        notes.append(Note("width", f"folded {count} full-width letters and digits", count))
    spaced = step_spaces(m)[0]
    markers = remap_markers(markers, m, spaced)
    m = spaced

    garbled = tuple(find_garbled(m.text))
    if garbled:
        notes.append(Note("garbled", f"flagged {len(garbled)} garbled runs (pinyin remnants, mojibake)", len(garbled)))
    norm = NormText(document, m.text, m.origin, starts, tuple(notes), tuple(markers), garbled, headings)
    return norm, joins > 0 or holds_any(m.text, _UNSETTLED_MARKS) or opens_on_pinyin(m.text)
