"""Loading: encodings detected and reported, bad inputs skipped with a reason, nothing lost or written."""

from __future__ import annotations

import codecs
import io
import json
import os
from pathlib import Path

import pytest

from dedup.ingest.load import DecodeError, decode, load, read_stdin, repeated_id_note, sniff_format, stdin_for
from dedup.records import Document, Skipped

TEXT = "广大干部新征程上奋力担当作为。各地及时出台有关配套制度，逐级强化责任，综合施策、持续用力。"
TRAD = "湖北省委召開十二屆十次全會，重點聚焦激勵幹部擔當作為這一主題。"


@pytest.mark.parametrize(
    ("payload", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("gbk"), "gb18030"),
        (TRAD.encode("big5"), "big5"),
        (TRAD.encode("gb18030"), "gb18030"),
    ],
)
def test_encodings_are_detected(payload: bytes, encoding: str) -> None:
    text, found = decode(payload)
    assert found == encoding
    assert text in (TEXT, TRAD)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" + bytes(range(64)), "binary"),
        (b"abc \xff\xfe\xff\xff\xfe text \xff\xff!", "undecodable"),
    ],
)
def test_undecodable_bytes_say_why(payload: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        decode(payload)


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))}


def test_bad_inputs_are_reported_and_the_rest_processed(tmp_path: Path) -> None:
    corpus = tmp_path / "drop"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "good.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "sub" / "gbk.txt").write_bytes(TEXT.encode("gb18030"))
    (corpus / "big5.md").write_bytes(TRAD.encode("big5"))
    (corpus / "utf16.txt").write_bytes(TEXT.encode("utf-16"))
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blank.txt").write_text(" \n\n\t\n", encoding="utf-8")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(200)))
    (corpus / "broken.txt").write_bytes(b"abc \xff\xfe\xff\xff\xfe text \xff\xff!")
    (corpus / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (corpus / ".hidden.txt").write_text(TEXT, encoding="utf-8")
    lines = [
        json.dumps({"id": "a1", "text": TEXT}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "a3", "body": TEXT}, ensure_ascii=False),
        "",
        json.dumps({"text": TEXT}, ensure_ascii=False),
        json.dumps({"id": "a6", "text": "   "}, ensure_ascii=False),
    ]
    (corpus / "drop.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _tree(tmp_path)

    items = list(load([str(corpus), str(tmp_path / "missing.txt")]))

    assert _tree(tmp_path) == before, "loading must not write under the input paths"
    docs = {i.path: i for i in items if isinstance(i, Document)}
    skipped = {i.path: i.reason for i in items if isinstance(i, Skipped)}
    root = str(corpus)
    assert docs[f"{root}/good.txt"].encoding == "utf-8"
    assert docs[f"{root}/sub/gbk.txt"].encoding == "gb18030"
    assert docs[f"{root}/big5.md"].encoding == "big5"
    assert docs[f"{root}/big5.md"].format == "markdown"
    assert docs[f"{root}/utf16.txt"].encoding == "utf-16"
    assert docs[f"{root}/drop.jsonl#a1"].text == TEXT
    assert docs[f"{root}/drop.jsonl#5"].text == TEXT, "a JSONL document without id is FILE#LINENO"
    assert "empty file" in skipped[f"{root}/empty.txt"]
    assert "whitespace" in skipped[f"{root}/blank.txt"]
    assert "binary" in skipped[f"{root}/image.txt"]
    assert "undecodable" in skipped[f"{root}/broken.txt"]
    assert "unsupported extension .jpg" in skipped[f"{root}/photo.jpg"]
    assert "hidden" in skipped[f"{root}/.hidden.txt"]
    assert "malformed JSON" in skipped[f"{root}/drop.jsonl#2"]
    assert "'text'" in skipped[f"{root}/drop.jsonl#3"]
    assert "empty 'text'" in skipped[f"{root}/drop.jsonl#a6"]
    assert "no such file" in skipped[str(tmp_path / "missing.txt")]
    # Every file under the inputs is accounted for (the JSONL file through its lines).
    accounted = {p.split("#")[0] for p in list(docs) + list(skipped)}
    on_disk = {os.path.join(root, os.path.relpath(p, corpus)) for p in corpus.rglob("*") if p.is_file()}
    assert on_disk <= accounted


def test_stdin_is_read_with_dash() -> None:
    (item,) = list(load(["-"], stdin=read_stdin(TEXT.encode("gb18030"))))
    assert isinstance(item, Document)
    assert (item.path, item.encoding, item.text) == ("-", "gb18030", TEXT)


def test_an_empty_directory_is_reported(tmp_path: Path) -> None:
    (item,) = list(load([str(tmp_path)]))
    assert isinstance(item, Skipped)
    assert "no files" in item.reason


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda s: s.encode("utf-8"), "utf-8"),
        (lambda s: codecs.BOM_UTF8 + s.encode("utf-8"), "utf-8-sig"),
        (lambda s: s.encode("gb18030"), "gb18030"),
        (lambda s: s.encode("utf-16"), "utf-16"),
    ],
)
def test_jsonl_lines_in_any_encoding_end_at_newlines_only(tmp_path: Path, encode: object, encoding: str) -> None:
    # A raw U+2028 (LINE SEPARATOR) is legal inside a JSON string and json.dumps(ensure_ascii=False)
    # writes it raw: it must not cut the record in two, streamed (UTF-8) or read whole (other encodings).
    body = TEXT + "\u2028" + TEXT
    lines = [json.dumps({"id": f"a{k}", "text": body}, ensure_ascii=False) for k in range(3)]
    path = tmp_path / "drop.jsonl"
    path.write_bytes(encode("\r\n".join(lines) + "\r\n"))  # type: ignore[operator]

    items = list(load([str(path)]))

    assert [type(i) for i in items] == [Document] * 3, items
    assert all(isinstance(i, Document) and i.text == body and i.encoding == encoding for i in items)
    assert [i.path for i in items] == [f"{path}#a0", f"{path}#a1", f"{path}#a2"]


def test_jsonl_with_a_bad_byte_late_in_the_file_is_still_read_whole(tmp_path: Path) -> None:
    # The first 2 MB are ASCII (valid UTF-8); a GB18030 line past the first chunk makes the file GB18030.
    ascii_only = json.dumps({"text": "x" * 2_000_000}) + "\n"
    chinese = json.dumps({"text": TEXT}, ensure_ascii=False) + "\n"
    path = tmp_path / "mixed.jsonl"
    path.write_bytes((ascii_only + chinese).encode("gb18030"))

    items = list(load([str(path)]))

    assert [i.encoding for i in items if isinstance(i, Document)] == ["gb18030"] * 2
    assert isinstance(items[1], Document) and items[1].text == TEXT


def _drop(tmp_path: Path) -> Path:
    lines = [
        json.dumps({"id": "x1", "text": TEXT}, ensure_ascii=False),
        json.dumps({"id": "x2", "text": TRAD}, ensure_ascii=False),
        json.dumps({"id": "x1", "text": TRAD}, ensure_ascii=False),  # line 3 repeats x1
        json.dumps({"id": 5, "text": TEXT}, ensure_ascii=False),  # id 5 ...
        json.dumps({"text": TEXT}, ensure_ascii=False),  # ... and line 5 without an id
        "{broken",
    ]
    path = tmp_path / "drop.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_paths_are_unique_within_a_file(tmp_path: Path) -> None:
    drop = _drop(tmp_path)
    items = list(load([str(drop)]))
    assert [i.path for i in items] == [f"{drop}#{f}" for f in ("x1", "x2", "x1@3", "5", "5@5", "6")]
    assert [type(i) for i in items] == [Document] * 5 + [Skipped]
    paths = {i.path for i in items}
    assert repeated_id_note(f"{drop}#x1@3", paths) == f"{drop}#x1 names an earlier line, so line 3 is {drop}#x1@3"
    assert repeated_id_note(f"{drop}#x1", paths) is None


def test_a_jsonl_document_is_loaded_by_its_path(tmp_path: Path) -> None:
    drop = _drop(tmp_path)
    (second,) = list(load([f"{drop}#x2"]))
    assert isinstance(second, Document) and (second.path, second.text) == (f"{drop}#x2", TRAD)
    (again,) = list(load([f"{drop}#x1@3"]))
    assert isinstance(again, Document) and again.text == TRAD
    (by_id,) = list(load([f"{drop}#5"]))
    assert isinstance(by_id, Document) and by_id.text == TEXT
    (broken,) = list(load([f"{drop}#6"]))
    assert isinstance(broken, Skipped) and "malformed JSON" in broken.reason
    (missing,) = list(load([f"{drop}#x9"]))
    assert isinstance(missing, Skipped) and f"no document #x9 in {drop}" in missing.reason
    text = tmp_path / "story.txt"
    text.write_text(TEXT, encoding="utf-8")
    (not_jsonl,) = list(load([f"{text}#1"]))
    assert isinstance(not_jsonl, Skipped) and "not a JSONL file" in not_jsonl.reason
    hashed = tmp_path / "a#b.txt"  # a file whose name holds '#' is still a file
    hashed.write_text(TEXT, encoding="utf-8")
    (plain,) = list(load([str(hashed)]))
    assert isinstance(plain, Document) and plain.path == str(hashed)


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ('{"id": "a", "text": "新华社"}\n{"id": "b", "text": "电"}\n', "jsonl"),
        ('\n\n  {"text": "新华社"}\n', "jsonl"),
        ('{"title": "无正文"}\n', "text"),
        ("{新华社}\n", "text"),
        ("<!DOCTYPE html><html><body><p>新华社</p></body></html>", "html"),
        ("<p>新华社</p>", "html"),
        ('<meta charset="utf-8">\n<p>新华社</p>', "html"),
        ("新华社北京电 <p> 这不是网页", "text"),
        ("# 标题\n\n正文", "text"),
    ],
)
def test_stdin_format_is_sniffed(text: str, fmt: str) -> None:
    assert sniff_format(text) == fmt


def test_stdin_is_read_in_the_format_given_or_sniffed() -> None:
    line = json.dumps({"id": "a", "text": TEXT}, ensure_ascii=False).encode("gb18030")
    (item,) = list(load(["-"], stdin=read_stdin(line)))
    assert isinstance(item, Document) and (item.path, item.format, item.text) == ("-#a", "jsonl", TEXT)
    given = read_stdin(line, "text")
    assert (given.format, given.sniffed) == ("text", False)
    (item,) = list(load(["-"], stdin=given))
    (again,) = list(load(["-"], stdin=given))  # read once, loaded as often as asked
    assert isinstance(item, Document) and item.format == "text" and item.text.startswith('{"id"')
    assert isinstance(again, Document) and again.text == item.text
    html = read_stdin("<p>新华社</p>".encode())
    assert (html.format, html.sniffed) == ("html", True)


def test_stdin_is_read_once_only_when_named() -> None:
    stream = io.BytesIO("新华社北京8月22日电。".encode())
    assert stdin_for(["seeds", "drop.jsonl#-"], stream=stream) is None
    assert stream.tell() == 0, "no '-' among the paths: standard input is left alone"
    given = stdin_for(["seeds", "-"], "markdown", stream)
    assert given is not None and (given.format, given.sniffed, given.data) == ("markdown", False, stream.getvalue())


def test_stdin_is_a_value_not_a_hidden_setting() -> None:
    """Nothing is left behind by one call for the next: ``-`` reads only the value it is given."""
    import dedup.ingest.load as loading

    assert not [name for name, value in vars(loading).items() if type(value).__name__ == "ContextVar"]
    first = read_stdin("第一份。".encode(), "text")
    second = read_stdin("第二份。".encode(), "text")
    texts = [item.text for given in (first, second) for item in load(["-"], stdin=given) if isinstance(item, Document)]
    assert texts == ["第一份。", "第二份。"]
