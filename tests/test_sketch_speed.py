"""Sketching's speed-ups keep what they make: each rewrite against the code it replaced, on texts built here.

The rewrites (how a paragraph pickles, how a worker trims its documents, how unwrapping assembles its lines,
how segmenting builds its paragraphs) change no output: ``benchmarks.compare_outputs`` checks that on the
seeds and generated corpora; these tests check it on edge cases, and that the faster path is the one taken.
"""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from dedup.config import Config
from dedup.pipeline.scan import _scan_batch, _trimmed
from dedup.prepare import ScannedDocument, prepare_document
from dedup.records import Document, JumpMarker, Paragraph

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
