"""What the index keeps of a document: its prepared paragraphs and units, and its raw text stored against them.

A check compares a drop with the indexed documents that share an LSH band with it. Re-normalizing those
from their raw text is what made a check slow (normalization is ~80% of the per-document work), so the index
keeps each document *as prepared*, in two parts read at two rates:

- ``content``: the paragraphs' matching text, and where each sketched unit lies in it. A check reads this for
  every indexed document that shares a band with the drop (tens of thousands), to verify the candidate pairs
  on exact shingle sets before it reads anything else; so it is UTF-16 (Chinese text is 2 bytes a character,
  about what zlib makes of UTF-8) and decodes without decompression.
- ``meta``: the rest of each :class:`~dedup.records.Paragraph` (raw line span and offsets, sentences, jump
  markers, boundary hints, garbled ranges) and the normalization notes, as compressed JSON. Read only for the
  documents that verification kept, to rebuild the very records ``segment`` made, and with the unit texts
  the very units, shingle sets and signatures ``build_units`` and ``Signer`` made.

The raw text is needed only to quote a copy in a collation, so it is stored apart and compressed with the
document's matching text as a zlib preset dictionary: most of a raw text *is* its matching text, so it costs
~0.6 KiB instead of ~3.8 KiB per 2,000-character article, and reading the rest never touches it.

>>> from dedup.records import Document
>>> from dedup.prepare import prepare_document
>>> prepared = prepare_document(Document("a.txt", "标题\\n\\n新华社北京1月1日电 正文第一句。第二句！\\n", "utf-8"))
>>> units = [(p.index, p.text) for p in prepared.paragraphs]
>>> meta, content = encode_document(prepared.paragraphs, ("a note",), units)
>>> stored = decode_document(meta, content)
>>> stored.paragraphs == prepared.paragraphs and stored.notes == ("a note",) and stored.unit_texts[0] == "标题"
True
>>> decode_raw(encode_raw(prepared.document.text, prepared.paragraphs), prepared.paragraphs)[:2]
'标题'
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.match.content import content_codepoints
from dedup.records import BoundaryHint, JumpMarker, Paragraph

LEVEL = 6  # zlib level: 9 saves ~1% more and writes ~2x slower
_CODEC = "utf-16-le"
_ERRORS = "surrogatepass"  # a lone surrogate (text decoded with surrogateescape) round-trips


class StoredFormError(ValueError):
    """A stored document record does not decode: the index file is damaged."""


@dataclass(frozen=True, slots=True)
class StoredForm:
    """A document's record, decoded.

    Attributes:
        paragraphs: equal, field by field, to the paragraphs encoded.
        notes: the normalization notes.
        unit_paragraphs: the paragraph of each unit, in unit order.
        unit_texts: the text of each unit (what was shingled and signed).
        lengths: the content characters (letters and digits) of each paragraph, which grouping weighs
            paragraphs by: stored, because counting them again costs more than reading them.
        layout: how the document came (:func:`dedup.prepare.layout_of`): stitching page jumps reads it.
    """

    paragraphs: tuple[Paragraph, ...]
    notes: tuple[str, ...]
    unit_paragraphs: list[int]
    unit_texts: list[str]
    lengths: tuple[int, ...]
    layout: str


def encode_document(
    paragraphs: Sequence[Paragraph], notes: Sequence[str], units: Sequence[tuple[int, str]], layout: str = ""
) -> tuple[bytes, bytes]:
    """A document's ``(meta, content)`` records (see the module docstring).

    Args:
        paragraphs: the document's paragraphs, as ``segment`` made them.
        notes: the normalization notes.
        units: ``(paragraph, text)`` of each unit ``build_units`` sketched, in its order. A unit that is a
            stretch of its paragraph (the whole of it, or a window of sentences) is stored as that stretch of
            the content; any other is appended to the content, so a check gets the very texts that were
            signed without running the windowing again.
        layout: how the document came (:func:`dedup.prepare.layout_of`), which stitching page jumps reads.
    """
    rows: list[list[Any]] = []
    starts: list[int] = []
    at = 0
    for k, p in enumerate(paragraphs):
        if p.index != k:
            raise ValueError(f"paragraph {k} has index {p.index}; paragraphs must be numbered from 0 in order")
        sentences: list[int] | list[str]
        sentences = [len(s) for s in p.sentences] if "".join(p.sentences) == p.text else list(p.sentences)
        row: list[Any] = [
            len(p.text),
            p.start_line,
            p.end_line,
            p.raw_start,
            p.raw_end,
            sentences,
            sorted(p.hints),
            [[m.kind, m.page, m.line, m.text] for m in p.markers],
            [list(g) for g in p.garbled],
        ]
        while len(row) > 6 and not row[-1]:
            row.pop()
        rows.append(row)
        starts.append(at)
        at += len(p.text)
    text = [p.text for p in paragraphs]
    spans = np.zeros((len(units), 2), dtype=np.int32)
    searched_from: dict[int, int] = {}
    for u, (k, unit) in enumerate(units):
        whole = paragraphs[k].text
        found = whole.find(unit, searched_from.get(k, 0))
        if found < 0:
            found = whole.find(unit)
        if found < 0 or not unit:
            spans[u] = (at, at + len(unit))
            text.append(unit)
            at += len(unit)
        else:
            searched_from[k] = found + 1
            spans[u] = (starts[k] + found, starts[k] + found + len(unit))
    lengths = [int(content_codepoints(p.text).size) for p in paragraphs]
    meta = json.dumps(
        [list(notes), rows, [k for k, _ in units], lengths, layout], ensure_ascii=False, separators=(",", ":")
    )
    header = len(units).to_bytes(4, "little")
    content = header + spans.tobytes() + "".join(text).encode(_CODEC, _ERRORS)
    return zlib.compress(meta.encode("utf-8"), LEVEL), content


def decode_content(content: bytes) -> tuple[str, npt.NDArray[np.int32]]:
    """The matching text of a ``content`` record and each unit's ``(start, end)`` in it: all that
    verification needs (``text[start:end]`` is the unit's text).

    Raises:
        StoredFormError: the record does not decode (a damaged file).
    """
    try:
        units = int.from_bytes(content[:4], "little")
        spans = np.frombuffer(content, dtype=np.int32, count=2 * units, offset=4).reshape(units, 2)
        text = content[4 + 8 * units :].decode(_CODEC, _ERRORS)
    except (ValueError, UnicodeDecodeError) as exc:
        raise StoredFormError(f"a stored document does not decode ({exc})") from exc
    if units and int(spans.max()) > len(text):
        raise StoredFormError("a stored document's units run past its text")
    return text, spans


def decode_document(meta: bytes, content: bytes) -> StoredForm:
    """The document of :func:`encode_document`.

    Raises:
        StoredFormError: the records are not ones this module wrote (a damaged file).
    """
    text, spans = decode_content(content)
    try:
        notes, rows, unit_paragraphs, lengths, layout = json.loads(zlib.decompress(meta))
        paragraphs: list[Paragraph] = []
        at = 0
        for k, row in enumerate(rows):
            paragraphs.append(_paragraph(k, text[at : at + row[0]], row))
            at += row[0]
        if len(unit_paragraphs) != spans.shape[0] or len(lengths) != len(paragraphs):
            raise ValueError("the two records do not agree")
    except (zlib.error, ValueError, TypeError, IndexError, KeyError) as exc:
        raise StoredFormError(f"a stored document does not decode ({exc})") from exc
    texts = [text[s:e] for s, e in spans.tolist()]
    return StoredForm(
        tuple(paragraphs), tuple(str(n) for n in notes), unit_paragraphs, texts, tuple(lengths), str(layout)
    )


_NO_HINTS: frozenset[BoundaryHint] = frozenset()


def _paragraph(index: int, text: str, row: list[Any]) -> Paragraph:
    """One paragraph from its stored row (runs ~200,000 times a check: kept to plain loops and slices)."""
    stored = row[5]
    sentences: tuple[str, ...]
    if stored and type(stored[0]) is int:
        cut: list[str] = []
        at = 0
        for length in stored:
            cut.append(text[at : at + length])
            at += length
        if at != len(text):
            raise ValueError("sentence lengths do not add up to the paragraph")
        sentences = tuple(cut)
    else:
        sentences = tuple(stored)
    extra = len(row)
    return Paragraph(
        index,
        text,
        row[1],
        row[2],
        row[3],
        row[4],
        sentences,
        tuple(JumpMarker(m[0], m[1], m[2], m[3]) for m in row[7]) if extra > 7 else (),
        frozenset(row[6]) if extra > 6 and row[6] else _NO_HINTS,
        tuple((s, e) for s, e in row[8]) if extra > 8 else (),
    )


def _dictionary(paragraphs: Sequence[Paragraph]) -> bytes:
    """The preset dictionary of a raw text: its matching text (zlib uses the last 32 KiB of it)."""
    return "\n".join(p.text for p in paragraphs).encode("utf-8", _ERRORS)[-32768:]


def encode_raw(raw: str, paragraphs: Sequence[Paragraph]) -> bytes:
    """The raw text, compressed against its own matching text (read back with :func:`decode_raw`)."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, _dictionary(paragraphs))
    return packer.compress(raw.encode("utf-8", _ERRORS)) + packer.flush()


def decode_raw(blob: bytes, paragraphs: Sequence[Paragraph]) -> str:
    """The raw text of :func:`encode_raw`; ``paragraphs`` must be the ones it was encoded with.

    Raises:
        StoredFormError: the record does not decode (a damaged file).
    """
    try:
        unpacker = zlib.decompressobj(15, _dictionary(paragraphs))
        data = unpacker.decompress(blob) + unpacker.flush()
        if not unpacker.eof:
            raise ValueError("truncated")
        return data.decode("utf-8", _ERRORS)
    except (zlib.error, ValueError) as exc:
        raise StoredFormError(f"a stored raw text does not decode ({exc})") from exc
