"""Fuzzing load -> normalize -> segment: no input makes an exception escape, and every offset stays in the text.

Issue 18 asks that no input, however malformed, reaches the user as a traceback. Hypothesis generates bytes
in the encodings Chinese news arrives in, JSONL lines (well formed or not), HTML fragments and page-jump
marker floods; each goes through the real stages, read from a file of the matching extension or from standard
input. Every document that loads must normalize and segment, with its offset map, markers, garbled runs and
paragraph spans inside its raw text; every input that does not load must be skipped with a reason. The
example counts keep the file under half a minute, so it runs in CI on every change.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.ingest.load import load, stdin_for
from dedup.normalize import normalize
from dedup.records import Document, Skipped
from dedup.segment import segment

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = ["新华社", "北京", "召開", "(kāi)", "（下转第3版）", "（上接1版）", "（下\n转第1\n4版）", "。", "，", "“", "”"]
WORDS += ["２０２１", "ＡＩ", "\u3000", " ", "\n", "\n\n", "\r\n", "\r", "?shù)", "\ufffd", "縼", "# ", "> ", "**"]
WORDS += ["[", "](", ")", "![", "\t", "\x00", "\x1b[2J", "\ud800", "\u2028", "𠀀"]
TAGS = ["<p>", "</p>", "<div>", "</div>", "<br/>", "<h2>", "</h2>", "<!--", "-->", "<script>", "</script>", "<b>"]
TAGS += ["</b>", "&amp;", "&#65292;", "&nbsp;", "&bogus;", "&#x1F600;", "<", ">", "<p ", "<style", "<head>", "</head>"]

chinese = st.lists(st.sampled_from(WORDS), max_size=40).map("".join)
html_fragments = st.lists(st.sampled_from(TAGS + WORDS), max_size=60).map("".join)
marker_floods = st.builds(
    lambda prose, marker, times, sep: (prose + marker + sep) * times,
    chinese,
    st.sampled_from(["（下转第3版）", "（上接1版）", "(转第A2版)", "【续第4页】"]),
    st.integers(1, 200),
    st.sampled_from(["", "\n", "\n\n", " "]),
)
texts = st.one_of(chinese, html_fragments, marker_floods, st.text(max_size=200))
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "gb18030", "big5", "latin-1"]
encoded = st.one_of(
    st.builds(lambda text, enc: text.encode(enc, "replace"), texts, st.sampled_from(ENCODINGS)),
    st.binary(max_size=600),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["id", "text"]), inner, max_size=3),
    max_leaves=8,
)
jsonl_lines = st.one_of(
    st.builds(lambda doc_id, text: json.dumps({"id": doc_id, "text": text}), st.integers() | texts, texts),
    st.builds(lambda value: json.dumps(value), json_values),
    texts.map(lambda text: text.replace("\n", " ")),  # a line that is not JSON
)
jsonl_files = st.lists(jsonl_lines, max_size=8).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))


def check_prepared(document: Document) -> None:
    """Normalize and segment a loaded document; every offset must point inside its raw text."""
    raw = document.text
    norm = normalize(document)
    assert len(norm.origin) == len(norm.text)
    if norm.text:
        assert int(norm.origin.min()) >= 0 and int(norm.origin.max()) < len(raw)
    assert all(0 <= item.position <= len(norm.text) for item in norm.markers)
    assert all(0 <= s < e <= len(norm.text) for s, e in norm.garbled)
    lines = len(norm.line_starts)
    for paragraph in segment(norm):
        assert 0 <= paragraph.raw_start < paragraph.raw_end <= len(raw)
        assert 1 <= paragraph.start_line <= paragraph.end_line <= lines
        assert all(0 <= s < e <= len(paragraph.text) for s, e in paragraph.garbled)


def check_loaded(items: list[Document | Skipped]) -> None:
    assert items, "every input comes out as a document or a skip"
    for item in items:
        if isinstance(item, Skipped):
            assert item.reason
        else:
            check_prepared(item)


def load_file(data: bytes, suffix: str) -> list[Document | Skipped]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, f"fuzz{suffix}")
        path.write_bytes(data)
        return list(load([str(path)]))


@FUZZ
@given(encoded, st.sampled_from([".txt", ".md", ".html"]))
def test_any_bytes_in_any_encoding_load_and_prepare(data: bytes, suffix: str) -> None:
    check_loaded(load_file(data, suffix))


@FUZZ
@given(jsonl_files)
def test_jsonl_lines_load_and_prepare_or_are_skipped_one_by_one(data: bytes) -> None:
    check_loaded(load_file(data, ".jsonl") if data.strip() else [Skipped("empty", "nothing to read")])


@FUZZ
@given(st.one_of(encoded, jsonl_files))
def test_standard_input_is_sniffed_loaded_and_prepared(data: bytes) -> None:
    check_loaded(list(load(["-"], stdin=stdin_for(["-"], stream=io.BytesIO(data)))))


@FUZZ
@given(st.one_of(html_fragments, marker_floods), st.sampled_from(["text", "markdown", "html"]))
def test_markup_and_marker_floods_prepare_in_every_format(text: str, fmt: str) -> None:
    if text.strip():
        check_prepared(Document("flood", text, "utf-8", fmt))
