"""Path arguments: what a ``dedup diff`` side or a ``--reference`` names, checked before anything is read.

Every input is named the way the outputs name it: a file, ``FILE#ID`` for one document of a JSONL file, or
``-`` for standard input. ``dedup diff`` adds a line range, ``FILE:N`` or ``FILE:START-END`` (lines count
from 1, as in every output). A malformed argument is a :class:`PathSpecError` whose message says what to
type instead, so the command line can refuse it (exit 2) before any work is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dedup.ingest.load import STDIN, load, named_document
from dedup.records import Document, Skipped


class PathSpecError(ValueError):
    """A path argument that cannot name an input; the message says why and what to give instead."""


@dataclass(frozen=True, slots=True)
class DiffSide:
    """One side of ``dedup diff``, parsed.

    Attributes:
        given: the argument as the user typed it (outputs quote it as given).
        path: what to load: a file, ``FILE#ID`` or ``-``.
        spec: ``path``, or ``path:START-END`` when a line range was given (``FILE:N`` becomes ``FILE:N-N``),
            as :func:`dedup.pipeline.report.read_witness` reads it.
    """

    given: str
    path: str
    spec: str


def parse_side(given: str) -> DiffSide:
    """What a ``dedup diff`` argument names: ``FILE``, ``FILE:N``, ``FILE:START-END``, ``FILE#ID`` (also with a
    line range) or ``-``.

    The whole argument is tried first as a file or a JSONL document, since a file name or an id may hold a
    colon (``urns.jsonl#news:25``); only then is a ``:N`` or ``:N-M`` suffix a line range. An argument that
    names nothing is passed on as it is: loading it says "no such file", with the other inputs accounted for.

    Raises:
        PathSpecError: the suffix after an existing file is not a line range, names line 0, or ends before
            it starts.

    >>> parse_side("-")
    DiffSide(given='-', path='-', spec='-')
    >>> side = parse_side("seeds/002_9a75527b5092d3dd.txt:25")
    >>> side.path, side.spec
    ('seeds/002_9a75527b5092d3dd.txt', 'seeds/002_9a75527b5092d3dd.txt:25-25')
    >>> try:
    ...     parse_side("seeds/002_9a75527b5092d3dd.txt:0")
    ... except PathSpecError as exc:
    ...     print(exc)
    seeds/002_9a75527b5092d3dd.txt:0: there is no line 0; lines count from 1
    """
    whole = DiffSide(given, given, given)
    if given == STDIN or Path(given).exists():
        return whole
    if named_document(given) is not None and any(isinstance(item, Document) for item in load([given])):
        return whole
    head, sep, lines = given.rpartition(":")
    first, dash, last = lines.partition("-")
    if not sep or not head:
        return whole
    if not (first.isdigit() and (last.isdigit() if dash else True)):
        if Path(head).is_file() or named_document(head) is not None:
            raise PathSpecError(
                f"{given}: {lines!r} is not a line range; give FILE:N or FILE:START-END (lines count from 1)"
            )
        return whole  # no such file: loading says so
    start, end = int(first), int(last) if dash else int(first)
    if start == 0 or end == 0:
        raise PathSpecError(f"{given}: there is no line 0; lines count from 1")
    if end < start:
        raise PathSpecError(f"{given}: the range ends (line {end}) before it starts (line {start})")
    return DiffSide(given, head, f"{head}:{start}-{end}")


def check_reference(reference: str) -> None:
    """Refuse a ``--reference`` that names nothing: it must be a file, a document ``FILE#ID``, or standard
    input (``-``, or ``-#ID`` for a JSONL document read from it).

    Whether the reference is among the inputs, and a witness of some group, is for the report to say: this
    only catches a typo before the corpus is scanned.

    Raises:
        PathSpecError: no such file, or ``FILE#ID`` names no document of the file (the message says why).

    >>> check_reference("-")
    >>> try:
    ...     check_reference("/nonexistent")
    ... except PathSpecError as exc:
    ...     print(exc)
    --reference /nonexistent: no such file or directory; name one of the input files, or FILE#ID
    """
    if reference == STDIN or reference.startswith(STDIN + "#") or Path(reference).exists():
        return
    if named_document(reference) is not None:
        (item, *_) = load([reference])
        if isinstance(item, Skipped):
            raise PathSpecError(f"--reference {reference}: {item.reason}")
        return
    raise PathSpecError(f"--reference {reference}: no such file or directory; name one of the input files, or FILE#ID")
