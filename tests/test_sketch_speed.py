"""Sketching's speed-ups keep what they make: each rewrite against the code it replaced, on texts built here.

The rewrites (how a paragraph pickles, how a worker trims its documents, how unwrapping assembles its lines,
how segmenting builds its paragraphs) change no output: ``benchmarks.compare_outputs`` checks that on the
seeds and generated corpora; these tests check it on edge cases, and that the faster path is the one taken.
"""

from __future__ import annotations

import dataclasses
import gc
import pickle
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import segment as segment_module
from dedup.config import Config
from dedup.ingest import pool
from dedup.normalize import NormText, ends_sentence, normalize, unwrap
from dedup.normalize.textmap import Mapped, assemble
from dedup.normalize.unwrap import needs_space
from dedup.pipeline.scan import _scan_batch, _trimmed
from dedup.prepare import prepare_document
from dedup.records import Document, JumpMarker, Paragraph
from dedup.results import ScannedDocument
from dedup.segment import (
    _assign_markers,
    _garbled_within,
    _raw_spans,
    boundary_hints,
    segment,
    split_sentences,
    unit_spans,
)

STORY = "新华社北京1月8日电　记者报道，\n\n今天的会议讨论了很多重要的问题。（下转第3版）\n\n  责任编辑：王静  \n"


def _paragraph(text: str, markers: tuple[JumpMarker, ...] = ()) -> Paragraph:
    return Paragraph(
        index=3,
        text=text,
        start_line=2,
        end_line=4,
        raw_start=10,
        raw_end=20,
        sentences=("今天的会议。",),
        markers=markers,
        hints=frozenset({"byline", "continued_on"}),
        garbled=((1, 2),),
        origin=np.arange(10, 10 + len(text), dtype=np.int32),
    )


def _fields_of(p: Paragraph) -> tuple[Any, ...]:
    return tuple(getattr(p, f.name) for f in dataclasses.fields(Paragraph))


@pytest.mark.parametrize("text", ["今天的会议。", ""])
def test_a_paragraph_pickles_by_its_constructor_and_comes_back_whole(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    paragraph = _paragraph(text)
    # The dataclass's own pickling asks ``dataclasses.fields`` for every paragraph; a paragraph pickles without it.
    with monkeypatch.context() as patched:
        patched.setattr(dataclasses, "fields", lambda *_: pytest.fail("pickling asked dataclasses.fields"))
        back = pickle.loads(pickle.dumps(paragraph, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back) is Paragraph and back == paragraph
    assert back.origin.dtype == np.int32 and back.origin.tolist() == paragraph.origin.tolist()
    assert [type(v) for v in _fields_of(back)] == [type(v) for v in _fields_of(paragraph)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.text = "x"  # type: ignore[misc]
    marked = _paragraph(text, (JumpMarker("continued_on", "3", 3, "（下转第3版）"),))
    assert pickle.loads(pickle.dumps(marked)) == marked


def test_a_scan_batch_comes_back_from_a_worker_as_it_left() -> None:
    batch = [Document(f"a{k}.txt", STORY * (k + 1), "utf-8") for k in range(3)]
    sent = _scan_batch(batch, Config(), keep_text=False, slim=True)
    back = pickle.loads(pickle.dumps(sent, protocol=pickle.HIGHEST_PROTOCOL))
    assert back.outcomes == sent.outcomes
    for ours, theirs in zip(back.documents(), sent.documents(), strict=True):
        assert [p.origin.tolist() for p in ours.paragraphs] == [p.origin.tolist() for p in theirs.paragraphs]


@pytest.mark.parametrize("keep_text", [True, False])
@pytest.mark.parametrize("slim", [True, False])
def test_trimming_in_one_replace_is_trimming_in_two(keep_text: bool, slim: bool) -> None:
    def document() -> ScannedDocument:
        prepared = prepare_document(Document("a.txt", STORY, "utf-8"))
        return ScannedDocument("a.txt", "utf-8", prepared.paragraphs, raw=STORY, lengths=(1, 2))

    before = document()
    emptied = tuple(replace(p, text="", sentences=()) for p in before.paragraphs)
    expected = replace(before, paragraphs=emptied, slim=True) if slim else before
    expected = expected if keep_text else replace(expected, raw="")
    trimmed = _trimmed(document(), keep_text, slim)
    assert trimmed == expected and trimmed.raw == (STORY if keep_text else "")
    assert all(len(p.origin) == (0 if slim else len(p.text)) for p in trimmed.paragraphs)


# Segmenting: boundary hints read from eight shared sets, the opening dateline's pattern tried only when an
# agency stands in the paragraph's head, and paragraphs built by position.

_BYLINE = re.compile(
    r"^(□|■|◆|本报记者|本报通讯员|通讯员|新华社记者|人民日报记者|人民日报评论员|本报评论员|新华社评论员|"
    r"记者|本报讯|据新华社|新华社[^,，。]{0,12}电|中新社[^,，。]{0,12}电|新华网|人民网)"
)
_BYLINE_ANYWHERE = re.compile(r"(首席记者|特约记者|本报记者|新华社记者|通讯员)")
_INTERVIEW_TURN = re.compile(r"^(本报)?记者\s*[:：]")
_DATELINE_CLOSE = re.compile(r"[(（](新华社|中新社|新华网|人民网|本报|据)[^()（）]{0,30}电[)）]$")
_PHOTO_CREDIT = re.compile(r"[(（][^()（）]{0,20}摄[)）]$")
_OPENING_DATELINE = re.compile(r"^[^()（）。！？]{0,40}?(据)?(新华社|中新社|本报)[^,，。()（）]{1,20}[电讯]")
_OPENING_BYLINE = re.compile(r"^(本报讯|本报(特约|驻[^,，。]{1,8})?记者|新华社(特约)?记者|人民日报记者|本报通讯员)")


def _reference_hints(text: str, is_heading: bool) -> frozenset[str]:
    """``boundary_hints`` as it was written: every pattern tried, a new set per paragraph."""
    hints: set[str] = set()
    closed = text[-1:] in ")）"
    if closed and _DATELINE_CLOSE.search(text):
        hints.add("dateline")
    if closed and _PHOTO_CREDIT.search(text):
        return frozenset(hints)
    short = len(text) <= 40
    if _INTERVIEW_TURN.match(text) and ends_sentence(text):
        return frozenset(hints)
    if (
        (short and (_BYLINE.match(text) or _BYLINE_ANYWHERE.search(text)))
        or _OPENING_DATELINE.match(text)
        or _OPENING_BYLINE.match(text)
    ):
        hints.add("byline")
    reads_as_title = short and not ends_sentence(text) and text[-1:] not in "，,、；;：:"
    if is_heading or (reads_as_title and "byline" not in hints and "dateline" not in hints):
        hints.add("headline")
    return frozenset(hints)


_PIECES = st.sampled_from(
    ["新华社", "中新社", "本报", "据", "记者", "电", "讯", "摄", "（", "）", "(", ")", "，", "。", "：", "！", "甲"]
)


@settings(max_examples=600, deadline=None)
@given(
    filler=st.integers(min_value=0, max_value=48),
    head=st.lists(_PIECES, max_size=4),
    tail=st.lists(_PIECES, max_size=8),
    is_heading=st.booleans(),
)
def test_boundary_hints_are_those_of_every_pattern_tried(
    filler: int, head: list[str], tail: list[str], is_heading: bool
) -> None:
    # An agency anywhere around the 40 characters the opening dateline's lazy prefix may take.
    text = "".join(head) + "甲" * filler + "".join(tail)
    assert boundary_hints(text, is_heading) == _reference_hints(text, is_heading), text


def test_an_opening_dateline_is_found_as_far_into_the_paragraph_as_its_pattern_reaches() -> None:
    for agency in ("新华社", "中新社", "本报"):
        for lead in (0, 39, 40, 41):
            for quoted in ("", "据"):
                text = "甲" * lead + quoted + agency + "北京1月8日电今天的会议讨论了很多重要的问题。"
                assert boundary_hints(text, False) == _reference_hints(text, False), (lead, quoted, agency)
    assert "byline" in boundary_hints("甲" * 40 + "据新华社北京电今天的会议讨论了问题。", False)


def _reference_segment(norm: NormText) -> list[Paragraph]:
    """``segment`` as it was written: keyword construction, markers and garbled runs looked up for every span."""
    paragraphs: list[Paragraph] = []
    spans = unit_spans(norm.text)
    markers_at = _assign_markers(norm.markers, spans)
    garbled = list(norm.garbled)
    garbled_ends = [e for _, e in garbled]
    raw_starts, raw_ends, start_lines, end_lines = _raw_spans(norm, spans)
    for index, (start, end) in enumerate(spans):
        text = norm.text[start:end]
        markers = tuple(markers_at.get(index, ()))
        start_line, end_line = start_lines[index], end_lines[index]
        for marker in markers:
            start_line = min(start_line, marker.line)
            end_line = max(end_line, marker.line)
        hints = _reference_hints(text, start_line in norm.headings)
        if markers:
            hints = hints.union(marker.kind for marker in markers)
        paragraphs.append(
            Paragraph(
                index=index,
                text=text,
                start_line=start_line,
                end_line=end_line,
                raw_start=raw_starts[index],
                raw_end=raw_ends[index],
                sentences=split_sentences(text),
                markers=markers,
                hints=hints,  # type: ignore[arg-type]
                garbled=_garbled_within(garbled, garbled_ends, start, end),
                origin=norm.origin[start:end],
            )
        )
    return paragraphs


@pytest.mark.parametrize(
    "raw",
    [
        STORY,
        "# 标题在这里\n\n（上接1版）按照党中央要求，\n各地及时出台有关配套制度。\n\n"
        "召開(kāi)會?shù)议\ufffd\ufffd\n\n（下转第3版）\n",
        "标题据新华社北京电" + "今天的会议讨论了很多重要的问题。" * 30 + "责任编辑：王静",
        "",
        "\n\n",
    ],
)
def test_segmenting_makes_the_paragraphs_it_made_before(raw: str) -> None:
    norm = normalize(Document("a.md", raw, "utf-8"))
    ours, theirs = segment(norm), _reference_segment(norm)
    assert ours == theirs
    assert [p.origin.tolist() for p in ours] == [p.origin.tolist() for p in theirs]


class _Untried:
    """A pattern that must not be tried."""

    def match(self, text: str) -> None:
        pytest.fail(f"the opening dateline's pattern was tried on {text!r}")


def test_the_opening_dateline_is_not_tried_without_an_agency_in_the_head(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segment_module, "_OPENING_DATELINE", _Untried())
    assert boundary_hints("今天的会议讨论了很多重要的问题。" * 3 + "新华社", False) == frozenset()
    # and equal hints are one shared set, not a new one per paragraph
    assert boundary_hints("标题在这里", False) is boundary_hints("另一个标题", False)


def _frozen_counts(documents: Sequence[Document], config: Config) -> int:
    """A batch's work that answers how many objects its worker had frozen when it ran."""
    return gc.get_freeze_count()


def test_a_worker_freezes_what_it_holds_after_its_first_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    documents = [Document(f"a{k}.txt", STORY, "utf-8") for k in range(pool.PARALLEL_FROM + pool.BATCH)]
    monkeypatch.setattr(pool, "PARALLEL_FROM", 10)
    streamed = pool.stream(documents, _frozen_counts, Config(), workers=2)
    frozen = [done.result for done in streamed if isinstance(done, pool.Done)]
    # each of the two workers runs its first batch unfrozen, and every later one with its modules frozen
    assert isinstance(frozen[0], int) and frozen.count(0) <= 2 and max(frozen) > 10_000, frozen


def test_settling_returns_the_work_and_freezes_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "_settled", False)
    try:
        assert pool._settling(lambda docs, _: len(docs), [Document("a.txt", STORY, "utf-8")], Config()) == 1
        assert pool._settled and gc.get_freeze_count() > 0
        count = gc.get_freeze_count()
        pool._settling(lambda docs, _: len(docs), [], Config())
        assert gc.get_freeze_count() == count
    finally:
        gc.unfreeze()


# Unwrapping: the lines joined with their offset map gathered in one compiled pass, against ``assemble``.


def _reference_joined(m: Mapped, paragraphs: list[list[Any]]) -> Mapped:
    """The lines joined as unwrapping wrote it: a piece per line and separator, through ``assemble``."""
    pieces: list[tuple[int, int] | str] = []
    for p_index, para in enumerate(paragraphs):
        if p_index:
            pieces.append("\n")
        for l_index, ln in enumerate(para):
            if l_index and needs_space(para[l_index - 1].text, ln.text):
                pieces.append(" ")
            pieces.append((ln.start, ln.end))
    return assemble(m, pieces)


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(["新华社", "ab", "C3", " ", "\u3000", "\t", "\n", "\n\n", "。", "，", "1"]), max_size=30
    ),
    cuts=st.lists(st.booleans(), max_size=30),
    shift=st.integers(min_value=0, max_value=1000),
)
def test_joined_lines_are_those_assemble_made(pieces: list[str], cuts: list[bool], shift: int) -> None:
    text = "".join(pieces)
    m = Mapped(text, np.arange(shift, shift + 3 * len(text), 3, dtype=np.int32))  # an offset map of its own
    lines = [ln for ln in unwrap._lines(m) if ln is not None]
    paragraphs: list[list[Any]] = []
    for k, ln in enumerate(lines):  # lines grouped into paragraphs as unwrapping may join them
        if paragraphs and k < len(cuts) and not cuts[k]:
            paragraphs[-1].append(ln)
        else:
            paragraphs.append([ln])
    ours, theirs = unwrap._joined_lines(m, paragraphs), _reference_joined(m, paragraphs)
    assert ours.text == theirs.text
    assert ours.origin.dtype == theirs.origin.dtype and ours.origin.tolist() == theirs.origin.tolist()


@pytest.mark.parametrize(
    "raw",
    [
        STORY,
        "新华社北京1月8日电 记者报道，今天的会议讨论了\n很多重要的问题，代表们认为\n会议开得很好，\n很成功。\n\n" * 3,
        "IPv4 and\nIPv6 work\n\n\n\n  together  \n",
        "",
    ],
)
def test_unwrapping_keeps_its_offsets(raw: str) -> None:
    m = Mapped.identity(raw)
    text = unwrap.step_unwrap(m, [])[0]
    lines = [ln for ln in unwrap._lines(m) if ln is not None]
    assert len(text.origin) == len(text.text)
    assert "".join(text.text.split()) == "".join("".join(ln.text for ln in lines).split())
    assert all(raw[int(o)] == ch for o, ch in zip(text.origin, text.text, strict=True) if not ch.isspace())
