"""Load: turn input paths into decoded :class:`Document` records, or :class:`Skipped` ones with a reason.

Nothing under the input paths is written, and nothing is silently lost: every file found (and every JSONL
line) comes out either as a document or as a skip with the reason a user can act on. Chinese news arrives in
UTF-8 (with or without BOM), UTF-16, GB18030/GBK and Big5; the encoding is detected per input and reported.
"""

from __future__ import annotations

import codecs
import errno
import json
import re
import sys
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import charset_normalizer

from dedup.ingest.jsonl import jsonl_line
from dedup.ingest.jsonl import repeated_id_note as repeated_id_note
from dedup.ingest.walk import Seen, dir_key, file_key, missing_reason, walk
from dedup.records import Document, InputRecord, Skipped

Format = Literal["text", "markdown", "html", "jsonl", "parquet"]

#: Extensions read when walking a directory. A file named explicitly is read whatever its extension.
FORMATS: dict[str, Format] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",  # read by dedup.ingest.parquet, a row per document like a JSONL line
}

STDIN = "-"

#: How ``-`` is read: ``auto`` sniffs JSONL and HTML (:func:`sniff_format`), the others force a format.
StdinFormat = Literal["auto", "text", "markdown", "html", "jsonl"]
STDIN_FORMATS: tuple[StdinFormat, ...] = ("auto", "text", "markdown", "html", "jsonl")

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Encodings worth trying for Chinese text that is not UTF-8, in the order charset-normalizer should weigh them.
_CHINESE_ENCODINGS = ["gb18030", "big5", "utf_16_le", "utf_16_be"]


class DecodeError(ValueError):
    """The bytes are not text in any encoding we support; the message says why."""


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes of Chinese text, returning ``(text, encoding)``.

    Order: byte-order mark; UTF-16 without one (its zero bytes); a check for binary content; strict UTF-8
    (most files, and the fast path); the legacy Chinese encodings scored by how common their characters
    are; and last charset-normalizer, restricted to the Chinese encodings.

    Raises:
        DecodeError: empty input, binary content, or bytes that no supported encoding decodes cleanly.

    >>> decode("新华社".encode("gb18030"))
    ('新华社', 'gb18030')
    >>> decode(codecs.BOM_UTF8 + "新华社".encode())
    ('新华社', 'utf-8-sig')
    """
    if not data:
        raise DecodeError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise DecodeError(f"starts with a {encoding} byte-order mark but does not decode: {exc}") from exc
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return utf16
    if _looks_binary(data):  # NUL and control bytes are valid UTF-8, but no text holds them ...
        chinese = _best_chinese(data)  # ... except BOM-less UTF-16, whose code units can look like them
        if chinese is not None:
            return chinese
        raise DecodeError("binary file (control bytes); pass text, Markdown, HTML or JSONL")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    chinese = _best_chinese(data)
    if chinese is not None:
        return chinese
    match = charset_normalizer.from_bytes(data, cp_isolation=_CHINESE_ENCODINGS).best()
    if match is None:
        raise DecodeError(
            "undecodable: not UTF-8, UTF-16, GB18030 or Big5; convert it to UTF-8 (e.g. iconv -f ENC -t UTF-8)"
        )
    encoding = _canonical_encoding(match.encoding)
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:  # pragma: no cover - charset-normalizer vouched for it
        raise DecodeError(f"undecodable as {encoding}: {exc}") from exc


def _best_chinese(data: bytes) -> tuple[str, str] | None:
    """Choose among GB18030, Big5 and BOM-less UTF-16: the reading whose characters are common Chinese.

    Short texts decode cleanly in several (charset-normalizer reads six bytes of GBK ``新华社`` as Big5
    ``陔貌扦``), so each strict reading is scored by how many of its characters fall in GB2312's first level,
    the 3,755 most frequent, after converting to Simplified: real prose scores near 1, a wrong reading far
    lower. Ties go to GB18030, the most common legacy encoding of mainland news.
    """
    readings: list[tuple[float, bool, str, str]] = []
    candidates = ["gb18030", "big5"] + (["utf-16-le", "utf-16-be"] if len(data) % 2 == 0 else [])
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        common = _common_share(text)
        if common < 0.6:  # the score cannot reach 0.6: spare the pass over the whole text (33 s for 256 MB NUL)
            continue
        score = common * _printable_share(text)
        readings.append((score, encoding == "gb18030", encoding, text))
    if not readings:
        return None
    score, _, encoding, text = max(readings)
    if score < 0.6:
        return None
    return text, encoding


def _common_share(text: str) -> float:
    from dedup.normalize import simplified

    hanzi = [ch for ch in simplified(text[:4000]) if "\u4e00" <= ch <= "\u9fff"]
    if not hanzi:
        return 0.0
    common = 0
    for ch in hanzi:
        try:
            lead = ch.encode("gb2312")[0]
        except UnicodeEncodeError:
            continue
        common += 0xB0 <= lead <= 0xD7
    return common / len(hanzi)


def _canonical_encoding(name: str) -> str:
    """GBK and GB2312 are subsets of GB18030; decoding with the superset never loses a character."""
    name = name.lower().replace("_", "-")
    if name in {"gbk", "gb2312", "gb18030", "cp936", "hz"}:
        return "gb18030"
    if name in {"big5", "big5hkscs", "cp950"}:
        return "big5hkscs" if name == "big5hkscs" else "big5"
    return name


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a byte-order mark: Chinese text has few zero bytes, ASCII text many at one parity."""
    if len(data) < 4 or len(data) % 2:
        return None
    zeros_even = data[0::2].count(0)
    zeros_odd = data[1::2].count(0)
    half = len(data) // 2
    for encoding, zeros in (("utf-16-le", zeros_odd), ("utf-16-be", zeros_even)):
        other = zeros_even if encoding == "utf-16-le" else zeros_odd
        if zeros < half * 0.05 or other > half * 0.01:
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _printable_share(text) > 0.95:
            return text, encoding
    return None


def _printable_share(text: str) -> float:
    """The share of characters that are printable or line breaks and tabs.

    Counted a chunk at a time: a chunk that ``str.isprintable`` passes whole (once its line breaks and tabs
    are removed) is counted in C; only chunks holding a control character are counted a character at a time.
    """
    printable = 0
    for at in range(0, len(text), 1 << 16):
        chunk = text[at : at + (1 << 16)]
        if chunk.replace("\n", "").replace("\r", "").replace("\t", "").isprintable():
            printable += len(chunk)
        else:
            printable += sum(1 for ch in chunk if ch.isprintable() or ch in "\r\n\t")
    return printable / max(1, len(text))


def _looks_binary(data: bytes) -> bool:
    """NUL bytes or many C0 control bytes: images, archives, PDFs, executables."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > len(head) * 0.02


def format_of(path: Path) -> Format:
    """The format a path's extension names; unknown extensions are read as plain text."""
    return FORMATS.get(path.suffix.lower(), "text")


@dataclass(frozen=True, slots=True)
class StdinInput:
    """Standard input, read once: its bytes and the format they are read in.

    A run reads standard input once, up front, and passes this value to every call that loads ``-``: a
    stream can be read only once, and the run must say which format it used (``inputs[].format``).

    Attributes:
        data: the bytes read.
        format: the format used for them.
        sniffed: ``True`` when the format was recognised (``--stdin-format auto``), not given.
    """

    data: bytes
    format: Format
    sniffed: bool


def read_stdin(data: bytes, requested: StdinFormat = "auto") -> StdinInput:
    """Standard input's bytes with the format to read them in: ``requested``, or the sniffed one for ``auto``.

    >>> read_stdin(b'{"id": "a", "text": "x"}\\n').format
    'jsonl'
    >>> read_stdin(b'{"id": "a", "text": "x"}\\n', "text").format
    'text'
    """
    if requested != "auto":
        return StdinInput(data, requested, sniffed=False)
    try:
        text, _ = decode(data)
    except DecodeError:
        return StdinInput(data, "text", sniffed=True)  # loading reports why it cannot be read
    return StdinInput(data, sniff_format(text), sniffed=True)


def stdin_for(
    paths: Collection[str], requested: StdinFormat = "auto", stream: BinaryIO | None = None
) -> StdinInput | None:
    """Standard input read once (:func:`read_stdin`) when ``-`` is among ``paths``, else ``None`` (nothing is
    read, so a command without ``-`` never waits on a terminal).

    ``stream`` defaults to the process's standard input.

    >>> import io
    >>> stdin_for(["-"], stream=io.BytesIO("<p>新华社</p>".encode())).format
    'html'
    >>> stdin_for(["seeds"]) is None
    True

    Raises:
        OSError: standard input is closed or cannot be read.
    """
    if STDIN not in paths:
        return None
    source = stream if stream is not None else getattr(sys.stdin, "buffer", None)
    if source is None:  # started with standard input closed (``<&-``)
        raise OSError(errno.EBADF, "standard input is closed", STDIN)
    return read_stdin(source.read(), requested)


_HTML_START = re.compile(r"<(!doctype\s+html|html|head|body|p|div|article|section|h[1-6]|br|table)[\s>/]", re.I)
_HTML_INSIDE = re.compile(r"<(html|body|p)[\s>]", re.I)


def sniff_format(text: str) -> Format:
    """The format of a text given without a file name (standard input).

    ``jsonl`` when the first non-blank line is a JSON object with a ``"text"`` field; ``html`` when the text
    starts with an HTML tag (``<html``, ``<p>``, ``<div>``, a doctype …), or starts with some other tag and holds
    ``<html``, ``<body`` or ``<p>`` early on; ``text`` otherwise. Markdown
    is not guessed: plain text with a ``#`` line would be misread; say ``--stdin-format markdown``.

    >>> sniff_format('{"id": "a", "text": "新华社"}\\n')
    'jsonl'
    >>> sniff_format("<p>新华社北京8月22日电</p>")
    'html'
    >>> sniff_format("新华社北京8月22日电 <p> 不是标签")
    'text'
    >>> sniff_format('{"title": "没有正文"}')
    'text'
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    first = stripped.split("\n", 1)[0].strip()
    if first.startswith("{"):
        try:
            record = json.loads(first)
        except json.JSONDecodeError:
            record = None
        if isinstance(record, dict) and "text" in record:
            return "jsonl"
    if _HTML_START.match(stripped) or (stripped.startswith("<") and _HTML_INSIDE.search(stripped[:4096])):
        return "html"
    return "text"


def load(paths: Iterable[str], stdin: StdinInput | None = None) -> Iterator[Document | Skipped]:
    """Yield every document under ``paths``, in a stable order, and a :class:`Skipped` for each input that
    cannot be read.

    Directories are walked recursively in sorted order, reading files with a known extension
    (:data:`FORMATS`); other files found there are skipped with the reason. ``-`` reads ``stdin``, standard
    input as the caller read it once (:func:`stdin_for`), so that every call loading ``-`` sees the same bytes
    in the same format; without it, the process's standard input is read here, in the format
    :func:`sniff_format` recognises. ``FILE#ID`` names one document of a JSONL file, as every output names it
    (:func:`_select`).
    """
    seen = Seen()
    for given in paths:
        yield from _load_given(given, stdin, seen)


def _load_given(given: str, stdin: StdinInput | None, seen: Seen) -> Iterator[Document | Skipped]:
    """One input path's documents and skips; what was read before (by real path) is noted, not read again."""
    if given == STDIN:
        if seen.claim(STDIN, given) is not None:
            yield Skipped(given, "standard input given twice: read once")
        else:
            yield from _load_stdin(stdin)
        return
    path = Path(given)
    if path.is_dir():
        earlier = seen.claim(dir_key(path), given)
        if earlier is not None:
            yield Skipped(given, f"same directory as {earlier} (given twice): read once")
            return
        for entry in walk(given, path, seen, frozenset(FORMATS)):
            if isinstance(entry, Skipped):
                yield entry
            else:
                yield from _load_once(*entry, seen)
    elif path.is_file():
        yield from _load_once(given, path, seen)
    else:
        named = named_document(given)
        yield _select(given, *named, seen) if named is not None else Skipped(given, missing_reason(path))


def _load_stdin(given: StdinInput | None) -> Iterator[Document | Skipped]:
    if given is None:
        given = read_stdin(sys.stdin.buffer.read())
    yield from _load_bytes(STDIN, given.data, given.format)


def named_document(given: str) -> tuple[str, str] | None:
    """``(FILE, ID)`` when ``given`` is ``FILE#ID`` for an existing file ``FILE`` (callers first check that
    ``given`` is not itself a file); whether the file holds that id is for :func:`load` to say.

    The first ``#`` before which is a file counts, so a file whose name holds ``#`` and an id that holds
    ``#`` both work.
    """
    at = given.find("#")
    while at > 0:
        file, fragment = given[:at], given[at + 1 :]
        if fragment and Path(file).is_file():
            return file, fragment
        at = given.find("#", at + 1)
    return None


def _select(given: str, file: str, fragment: str, seen: Seen) -> Document | Skipped:
    """The one document ``FILE#ID`` names: the JSONL document (or skipped line) whose path it is.

    Paths are unique within a file (:func:`~dedup.ingest.jsonl.jsonl_line`), so the choice is never
    ambiguous. A document already read (its whole file, or the same ``FILE#ID``) is noted, not read again.
    """
    path = Path(file)
    if format_of(path) not in ("jsonl", "parquet"):
        return Skipped(given, f"{file} is not a JSONL file: FILE#ID names a document of a .jsonl file")
    key = file_key(path)
    earlier = seen.earlier(key) or seen.claim(f"{key}#{fragment}", given)
    if earlier is not None:
        return Skipped(given, f"already read as part of {earlier} (given twice): read once")
    for item in _load_file(file, path, format_of(path)):
        if item.path == given:
            return item
    return Skipped(
        given,
        f"no document #{fragment} in {file}: a JSONL document is FILE#ID, or FILE#LINENO for a line without an id",
    )


def _load_once(shown: str, path: Path, seen: Seen) -> Iterator[Document | Skipped]:
    """A file's documents, unless the file (by real path) was read before; a JSONL document named before
    as ``FILE#ID`` is not read again either."""
    key = file_key(path)
    earlier = seen.claim(key, shown)
    if earlier is not None:
        yield Skipped(shown, f"same file as {earlier} (reached twice): read once")
        return
    for item in _load_file(shown, path, format_of(path)):
        if item.path != shown:  # a JSONL document, FILE#ID
            earlier = seen.claim(f"{key}#{item.path[len(shown) + 1 :]}", item.path)
            if earlier is not None:
                item = Skipped(item.path, f"same document as {earlier} (given twice): read once")
        yield item


def _load_file(shown: str, path: Path, fmt: Format) -> Iterator[Document | Skipped]:
    if fmt == "parquet":
        from dedup.ingest.parquet import load_parquet

        yield from load_parquet(shown, path)
        return
    try:
        if fmt == "jsonl":
            encoding = _streamable_jsonl(path)
            if encoding is not None:
                yield from _stream_jsonl(shown, path, encoding)
                return
        data = path.read_bytes()
    except OSError as exc:
        yield Skipped(shown, f"cannot read: {exc.strerror or exc}")
        return
    yield from _load_bytes(shown, data, fmt)


_CHUNK = 1 << 20


def _streamable_jsonl(path: Path) -> str | None:
    """``utf-8`` or ``utf-8-sig`` when a JSONL file is UTF-8 throughout and can be read a line at a time;
    ``None`` when it needs the whole-file path (UTF-16, legacy encodings, binary, empty).

    A corpus drop is one JSONL file of hundreds of megabytes: read whole, it would be held three times over
    (bytes, text, lines) for as long as its documents are being read. UTF-8, which RFC 8259 requires of
    JSON exchanged between systems, is checked in a first pass of 1 MiB chunks, so that the encoding
    reported is the file's and a bad byte late in the file sends it to the careful path, as before.
    """
    with path.open("rb") as stream:
        head = stream.read(_CHUNK)
        if not head or any(head.startswith(bom) for bom, encoding in _BOMS if encoding != "utf-8-sig"):
            return None
        if _bomless_utf16(head[: len(head) & ~1]) is not None or _looks_binary(head):
            return None
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk = head
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = stream.read(_CHUNK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"


def _stream_jsonl(shown: str, path: Path, encoding: str) -> Iterator[Document | Skipped]:
    """A UTF-8 JSONL file read a line at a time (see :func:`_streamable_jsonl`)."""
    any_line = False
    taken: set[str] = set()
    with path.open("rb") as stream:
        for lineno, raw in enumerate(stream, start=1):
            line = raw.decode(encoding if lineno == 1 else "utf-8")
            any_line = any_line or bool(line.strip())
            yield from jsonl_line(shown, lineno, line, encoding, taken)
    if not any_line:
        yield Skipped(shown, "JSONL file holds no lines")


def _load_bytes(shown: str, data: bytes, fmt: Format) -> Iterator[Document | Skipped]:
    try:
        text, encoding = decode(data)
    except DecodeError as exc:
        yield Skipped(shown, str(exc))
        return
    if fmt == "jsonl":
        yield from _load_jsonl(shown, text, encoding)
        return
    if not text.strip():
        yield Skipped(shown, "no text (only whitespace)")
        return
    yield Document(shown, text, encoding, "text" if fmt == "parquet" else fmt)  # Parquet never comes as bytes


def _load_jsonl(shown: str, text: str, encoding: str) -> Iterator[Document | Skipped]:
    """One document per line: ``{"text": ..., "id": ...}``; its path is ``FILE#ID`` or ``FILE#LINENO``.

    Lines end at ``\n`` only (JSON Lines): a raw U+2028 inside a JSON string is text, not a line break.
    """
    any_line = False
    taken: set[str] = set()
    for lineno, line in enumerate(text.split("\n"), start=1):
        any_line = any_line or bool(line.strip())
        yield from jsonl_line(shown, lineno, line, encoding, taken)
    if not any_line:
        yield Skipped(shown, "JSONL file holds no lines")


def jsonl_lines(given: str, stdin: StdinInput | None = None) -> Iterator[str]:
    """The lines of a JSONL input as loading splits them (at ``\\n`` only); none when it cannot be read.

    ``given`` is a file or ``-`` (``stdin``). For :func:`~dedup.ingest.jsonl.repeated_id_notes`, which
    checks a few lines again; a UTF-8 file is streamed, so a large drop is never held whole.
    """
    try:
        if given == STDIN:
            data = stdin.data if stdin is not None else b""
        else:
            path = Path(given)
            encoding = _streamable_jsonl(path)
            if encoding is not None:
                with path.open("rb") as stream:
                    yield from (raw.decode("utf-8-sig") for raw in stream)
                return
            data = path.read_bytes()
        yield from decode(data)[0].split("\n")
    except (OSError, DecodeError, UnicodeDecodeError):
        return


def input_record(item: Document | Skipped) -> InputRecord:
    """The ``inputs`` entry of the JSON contract for one loaded item."""
    if isinstance(item, Document):
        return InputRecord(item.path, "ok", encoding=item.encoding)
    return InputRecord(item.path, "skipped", reason=item.reason)
