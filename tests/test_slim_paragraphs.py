"""A slim document's paragraphs, held compactly (:class:`dedup.records.SlimParagraphs`): they read exactly as the
tuple of paragraphs they stand for, and take a fraction of its memory (a scan keeps every document to the end)."""

from __future__ import annotations

import dataclasses
import pickle
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.config import Config
from dedup.pipeline.scan import scan
from dedup.records import (
    BoundaryHint,
    JumpMarker,
    Paragraph,
    SlimParagraphs,
    paragraph_hints,
    raw_lengths,
)

HINTS: tuple[BoundaryHint, ...] = ("headline", "byline", "dateline", "continued_on", "continued_from")

_one = st.tuples(
    st.integers(1, 5000),  # start line
    st.integers(0, 3),  # lines more
    st.integers(0, 1 << 30),  # raw start
    st.integers(0, 20000),  # raw characters
    st.frozensets(st.sampled_from(HINTS)),
    st.booleans(),  # a page-jump marker
    st.lists(st.tuples(st.integers(0, 50), st.integers(51, 99)), max_size=2),  # garbled ranges
)


def _paragraphs(
    rows: list[tuple[int, int, int, int, frozenset[BoundaryHint], bool, list[tuple[int, int]]]],
) -> tuple[Paragraph, ...]:
    return tuple(
        Paragraph(
            k,
            "",
            line,
            line + more,
            start,
            start + size,
            markers=(JumpMarker("continued_on", "3", line, "（下转第3版）"),) if marked else (),
            hints=hints,
            garbled=tuple(garbled),
        )
        for k, (line, more, start, size, hints, marked, garbled) in enumerate(rows)
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(_one, max_size=30))
def test_slim_paragraphs_read_as_the_tuple_they_stand_for(rows: list) -> None:  # type: ignore[type-arg]
    paragraphs = _paragraphs(rows)
    slim = SlimParagraphs.of(paragraphs)
    assert len(slim) == len(paragraphs) and tuple(slim) == paragraphs and list(slim) == list(paragraphs)
    assert slim == paragraphs and paragraphs == slim and slim == SlimParagraphs.of(paragraphs)
    assert hash(slim) == hash(paragraphs)
    for k in range(-len(paragraphs), len(paragraphs)):
        assert slim[k] == paragraphs[k] and type(slim[k]) is Paragraph
    assert slim[1:-1] == paragraphs[1:-1] and slim[::2] == paragraphs[::2]
    with pytest.raises(IndexError):
        slim[len(paragraphs)]
    assert pickle.loads(pickle.dumps(slim)) == slim
    assert paragraph_hints(slim) == paragraph_hints(paragraphs) == [p.hints for p in paragraphs]
    assert (
        raw_lengths(slim).tolist() == raw_lengths(paragraphs).tolist() == [p.raw_end - p.raw_start for p in paragraphs]
    )


def test_a_paragraph_read_from_slim_ones_is_the_constructor_s_and_as_frozen() -> None:
    (made,) = _paragraphs([(3, 1, 70, 40, frozenset({"byline"}), True, [(1, 60)])])
    read = SlimParagraphs.of([made])[0]
    names = [f.name for f in dataclasses.fields(Paragraph) if f.name != "origin"]
    assert read == made and [getattr(read, n) for n in names] == [getattr(made, n) for n in names]
    assert [type(getattr(read, n)) for n in names] == [type(getattr(made, n)) for n in names]
    assert len(read.origin) == 0 and read.origin.dtype == made.origin.dtype
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.raw_end = 1  # type: ignore[misc]


def test_paragraphs_numbered_out_of_place_are_refused() -> None:
    with pytest.raises(ValueError, match="numbered by their place"):
        SlimParagraphs.of([Paragraph(1, "", 1, 1, 0, 5)])


def test_slim_paragraphs_take_a_fraction_of_the_memory_of_paragraph_objects() -> None:
    """What the scan's parent process holds for each document's paragraphs once a worker's batch is unpickled:
    the compact form against a tuple of paragraph objects (each with its own line and offset numbers)."""
    rows = [(20 * k + 300, 1, 400 * k + 1000, 390, frozenset(), False, []) for k in range(12)]
    documents = [_paragraphs(rows) for _ in range(300)]
    as_tuples, as_slim = pickle.dumps(documents), pickle.dumps([SlimParagraphs.of(d) for d in documents])

    def held(data: bytes) -> int:
        tracemalloc.start()
        kept = pickle.loads(data)
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del kept
        return size

    assert held(as_slim) < 0.3 * held(as_tuples)


def test_a_slim_scan_keeps_its_documents_paragraphs_compactly(tmp_path: Path) -> None:
    for k in range(3):
        (tmp_path / f"{k}.txt").write_text(
            "标题\n\n新华社北京电 今天的会议讨论了很多重要的问题。\n\n第二段也很长。\n", encoding="utf-8"
        )
    slim = scan([str(tmp_path)], Config())
    kept = scan([str(tmp_path)], Config(), keep_text=True)
    for compact, whole in zip(slim.documents, kept.documents, strict=True):
        assert isinstance(compact.paragraphs, SlimParagraphs) and compact.slim
        assert [(p.start_line, p.end_line, p.raw_start, p.raw_end, p.hints) for p in compact.paragraphs] == [
            (p.start_line, p.end_line, p.raw_start, p.raw_end, p.hints) for p in whole.paragraphs
        ]


def test_a_numpy_integer_reads_a_paragraph_as_an_int_does() -> None:
    import numpy as np

    slim = SlimParagraphs.of(_paragraphs([(1, 0, 0, 5, frozenset(), False, []), (2, 0, 6, 9, frozenset(), False, [])]))
    read = slim[np.int64(1)]
    assert read == slim[1] and type(read.index) is int
    with pytest.raises(TypeError):
        slim[1.0]  # type: ignore[call-overload]
