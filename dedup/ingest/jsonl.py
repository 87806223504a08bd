"""JSON Lines records: one document per line, its path ``FILE#ID``, and a skip with the reason for a bad line.

A line is data from anywhere: it may hold malformed JSON, a number of thousands of digits, arrays nested
100,000 deep, or a lone surrogate escape (``"\\ud800"``), which no UTF-8 writer, OpenCC or SQLite accepts.
Each such line is skipped with its reason, and every other line of the file is read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

from dedup.records import Document, Skipped


def jsonl_line(shown: str, lineno: int, line: str, encoding: str, taken: set[str]) -> Iterator[Document | Skipped]:
    """The document of one JSONL line, or a skip with the reason; nothing for a blank line.

    Its path is ``FILE#ID`` (the ``"id"``, a string or an integer, as written), or ``FILE#LINENO`` for a line
    without one. Paths are unique within a file: the first line to claim one keeps it, and a later line
    that would repeat it (a repeated id, or ``"id": 7`` after an id-less line 7) is ``FILE#ID@LINENO``
    instead, which :func:`repeated_id_note` explains. ``taken`` holds the fragments claimed so far.
    """
    if not line.strip():
        return
    record, reason = _parse_line(line)
    body = record.get("text") if isinstance(record, dict) else None
    doc_id = _id_fragment(record.get("id")) if isinstance(record, dict) else None
    fragment = _own_fragment(record, lineno)
    if reason is None:
        reason = _record_problem(record, body, doc_id)
    if fragment in taken:
        fragment = f"{fragment}@{lineno}"
        while fragment in taken:  # an id that is literally "x1@7"
            fragment = f"{fragment}@{lineno}"
    taken.add(fragment)
    where = f"{shown}#{fragment}"
    if reason is not None or not isinstance(body, str):
        yield Skipped(where, reason or "no 'text' string field")
        return
    yield Document(where, body, encoding, "jsonl")


def _holds_surrogate(text: str) -> bool:
    """Whether a text holds a lone surrogate (U+D800-U+DFFF), the one thing UTF-8 cannot encode: encoding is a
    quarter of the time of searching for the range with a pattern, which every line of a drop pays."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _parse_line(line: str) -> tuple[object, str | None]:
    """A JSONL line parsed, or the reason it cannot be: one bad line is skipped, never the end of the run.

    Besides malformed JSON, :func:`json.loads` raises ``ValueError`` for an integer of more than 4,300 digits
    (Python's guard against quadratic conversion) and ``RecursionError`` for arrays nested thousands deep.

    >>> _parse_line('{"id": ' + "9" * 5000 + '}')[1]
    'a number too long to read (over 4,300 digits)'
    >>> _parse_line("[" * 100_000)[1]
    'JSON nested too deeply to read'
    """
    try:
        return json.loads(line), None
    except json.JSONDecodeError as exc:
        return None, f"malformed JSON line: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return None, "JSON nested too deeply to read"
    except ValueError as exc:
        if "digits" in str(exc):
            return None, "a number too long to read (over 4,300 digits)"
        return None, f"unreadable JSON line: {exc}"


def _record_problem(record: object, body: object, doc_id: str | None) -> str | None:
    """Why a parsed JSONL line is no document, or ``None`` when it is one."""
    if not isinstance(record, dict):
        return "JSON line is not an object with a 'text' field"
    if not isinstance(body, str):
        return "no 'text' string field"
    if doc_id and _holds_surrogate(doc_id):
        return "a lone surrogate escape (such as \\ud800) in 'id': not Unicode text"
    if not body.strip():
        return "empty 'text' field"
    if _holds_surrogate(body):  # OpenCC, SQLite and UTF-8 output all refuse one
        return "a lone surrogate escape (such as \\ud800) in 'text': not Unicode text"
    return None


def _own_fragment(record: object, lineno: int) -> str:
    """The fragment a line claims: the id of a record with a ``text`` string, else its line number (also
    for an id that cannot be printed)."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return str(lineno)
    doc_id = _id_fragment(record.get("id"))
    return doc_id if doc_id and not _holds_surrogate(doc_id) else str(lineno)


def _id_fragment(doc_id: object) -> str | None:
    """The ``"id"`` as a path fragment: a string or an integer as written; ``None`` for no usable id."""
    if isinstance(doc_id, str) and doc_id:
        return doc_id
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        return str(doc_id)
    return None


def repeated_id_note(path: str, paths: Collection[str]) -> str | None:
    """Why a JSONL document is ``FILE#ID@LINENO``: an earlier line of the file already is ``FILE#ID``.

    ``paths`` are the paths of the run's inputs (documents and skips), which hold the earlier one.

    >>> repeated_id_note("drop.jsonl#x1@7", {"drop.jsonl#x1", "drop.jsonl#x1@7"})
    'drop.jsonl#x1 names an earlier line, so line 7 is drop.jsonl#x1@7'
    >>> repeated_id_note("drop.jsonl#x1", {"drop.jsonl#x1"}) is None
    True
    """
    base, sep, lineno = path.rpartition("@")
    if not (sep and lineno.isdigit() and "#" in base and base in paths):
        return None
    return f"{base} names an earlier line, so line {lineno} is {path}"


#: Reads the lines of a JSONL input (a file, or ``-`` for standard input), as loading reads them.
LineReader = Callable[[str], Iterable[str]]


def repeated_id_notes(paths: Sequence[str], read_lines: LineReader) -> dict[str, str]:
    """The note of every JSONL document renamed ``FILE#ID@LINENO`` for a repeated id, by path.

    A path of that shape is not always a rename: a line may carry the literal id ``dup@3``. So each
    candidate (:func:`repeated_id_note`) is checked against the file: line ``LINENO`` must itself claim
    ``ID``, and not have been pushed further (``FILE#ID@LINENO@LINENO``) by a literal id. Only the files
    holding candidates are read again, once each, and only up to their last candidate line.
    """
    known = set(paths)
    wanted: dict[str, dict[int, list[str]]] = {}
    for path in paths:
        base, _, lineno = path.rpartition("@")
        file = _file_of(base)
        if repeated_id_note(path, known) is None or file is None or f"{path}@{lineno}" in known:
            continue
        wanted.setdefault(file, {}).setdefault(int(lineno), []).append(path)
    notes: dict[str, str] = {}
    for file, lines in wanted.items():
        claims = _claims(read_lines(file), set(lines))
        for number, renamed in lines.items():
            first = f"{file}#{claims.get(number)}"
            suffix = f"@{number}"
            for path in renamed:  # FILE#ID@N, or FILE#ID@N@N past a literal id FILE#ID@N
                rest = path.removeprefix(first)
                if first in known and rest != path and rest and not rest.replace(suffix, ""):
                    notes[path] = f"{first} names an earlier line, so line {number} is {path}"
    return notes


def _file_of(base: str) -> str | None:
    """The ``FILE`` of ``FILE#ID``: ``-``, or the first prefix before a ``#`` that is a file."""
    if base.startswith("-#"):
        return "-"
    from dedup.ingest.load import named_document

    named = named_document(base)
    return None if named is None else named[0]


def _claims(lines: Iterable[str], wanted: set[int]) -> dict[int, str]:
    """The fragment each wanted line claims before any renaming (its id, or its number)."""
    out: dict[int, str] = {}
    last = max(wanted)
    for lineno, line in enumerate(lines, start=1):
        if lineno in wanted:
            out[lineno] = _own_fragment(_parse_line(line)[0], lineno)
        if lineno >= last:
            break
    return out
