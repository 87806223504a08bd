"""Where output goes: report files checked before the work and written whole, and stdout that may refuse.

A CI gate that runs for ten minutes and then finds ``--junit reports/x.xml`` unwritable has wasted the ten
minutes; one that leaves a 0-byte JUnit file on a full disk reads as "no tests". So every output file is
checked before any input is read (:func:`check_output_file`), including that it is none of the inputs
(``--unique d.jsonl`` once rewrote the drop it was reading), and written to a temporary file in the same
directory, then renamed over the target (:func:`write_atomic`): the target is either the old file or the
whole new one. A failure is an :class:`OutputError` whose message names the file and the cause.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from dedup.ingest.load import STDIN, named_document


class OutputError(Exception):
    """An output cannot be written; the message names the file (or stdout) and the cause."""


def _is_input(target: str, inputs: Iterable[str]) -> str | None:
    """The input ``target`` is, or lies in (an existing file under an input directory), else ``None``."""
    real = os.path.realpath(target)
    for given in inputs:
        if given == STDIN:
            continue
        named = None if os.path.exists(given) else named_document(given)
        source = os.path.realpath(named[0] if named is not None else given)
        if real == source:
            return given
        if os.path.isdir(source) and os.path.exists(real) and real.startswith(os.path.join(source, "")):
            return given
    return None


def check_output_file(option: str, target: str, inputs: Iterable[str] = ()) -> None:
    """Refuse, before any work, an output file that cannot be written or that is one of the ``inputs``.

    A file is created and removed in the target's directory, which catches a missing or read-only
    directory, a read-only file system and a full quota; the target must not be a directory.

    Raises:
        OutputError: the reason, naming ``option`` and ``target``.
    """
    where = f"{option} {target}"
    source = _is_input(target, inputs)
    if source is not None:
        reading = "is" if os.path.realpath(source) == os.path.realpath(target) else "lies in"
        raise OutputError(
            f"{where} {reading} the input {source}: writing it would overwrite an input; choose another path"
        )
    path = Path(target)
    if path.is_dir():
        raise OutputError(f"{where}: is a directory; name a file in it")
    parent = path.parent
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        raise OutputError(f"{where}: the directory {parent} {what}; create it first")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"{where}: the file is read-only")
    try:
        handle, probe = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".probe")
    except OSError as exc:
        raise OutputError(f"{where}: cannot write in {parent}: {exc.strerror or exc}") from None
    os.close(handle)
    os.unlink(probe)


def check_output_files(files: Mapping[str, str | None], inputs: Iterable[str]) -> None:
    """:func:`check_output_file` for each ``option: target`` given (a ``None`` target is an option not used)."""
    inputs = list(inputs)
    for option, target in files.items():
        if target:
            check_output_file(option, target, inputs)


def write_atomic(option: str, target: str, data: bytes) -> None:
    """Write ``data`` to ``target`` whole or not at all: a temporary file beside it, flushed to disk, then
    renamed over it. A new file gets the permissions the umask gives (``mkstemp`` alone would give 0600).

    Raises:
        OutputError: the file and the cause (a full disk, a directory removed meanwhile); the target is
            left as it was and the temporary file removed.
    """
    path = Path(target)
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{option} {target}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"{option} {target}: cannot write: {exc.strerror or exc}; left as it was") from None


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def json_for(text: str, encoding: str | None) -> str:
    """JSON text that ``encoding`` can carry: as is for UTF-8, else with every non-ASCII character as a JSON
    escape (what ``ensure_ascii=True`` writes), so ``PYTHONIOENCODING=ascii`` still gives exact, valid JSON.

    JSON text holds non-ASCII characters only inside strings, so replacing them there is safe.

    >>> json_for('{"text": "新华社"}', "ascii")
    '{"text": "\\\\u65b0\\\\u534e\\\\u793e"}'
    >>> json_for('{"text": "新华社"}', "utf-8")
    '{"text": "新华社"}'
    """
    if (encoding or "utf-8").lower().replace("_", "-") in ("utf-8", "utf8", "utf-16", "utf-32"):
        return text
    return _NON_ASCII.sub(lambda match: json.dumps(match.group(0))[1:-1], text)


def check_index_writable(target: str) -> None:
    """Refuse to add to an index that cannot be written, before any input is read, with the reason (SQLite
    itself would call a read-only directory a "readonly database", which reads like damage).

    Raises:
        OutputError: the directory or the file is read-only.
    """
    path = Path(target)
    folder = path.parent
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(
            f"--index {target}: the directory {folder} is read-only, and SQLite writes its journal beside the"
            " index; make the directory writable, or copy the index somewhere writable"
        )
    if path.is_file() and not os.access(path, os.W_OK):
        raise OutputError(f"--index {target}: the index file is read-only; make it writable (chmod u+w) to add")


def encoded_lines(text: str, jsonl: bool) -> bytes:
    """The ``--unique`` file's bytes. A path list keeps each file name's own bytes (a name that is not
    UTF-8 still names its file for ``xargs``); JSON lines are made valid UTF-8, a bad path getting
    ``path_bytes`` (:func:`~dedup.render.json.utf8_safe`).
    """
    if not jsonl:
        return b"".join(_raw(line) + b"\n" for line in text.splitlines())
    from dedup.render.json import dumps_line, utf8_safe

    return "".join(dumps_line(utf8_safe(json.loads(line))) + "\n" for line in text.splitlines()).encode("utf-8")


def _raw(text: str) -> bytes:
    try:
        return os.fsencode(text)
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


def crash_line(exc: Exception) -> str:
    """What went wrong, in one line: the file and the cause for an OS error, else the exception.

    >>> crash_line(OSError(28, "No space left on device", "out.xml"))
    'out.xml: No space left on device'
    """
    if isinstance(exc, OSError):
        return f"{exc.filename or 'output'}: {exc.strerror or exc}"
    if isinstance(exc, MemoryError):
        return "out of memory; read the corpus in parts (index build, then index add)"
    return f"{type(exc).__name__}: {exc} (a bug: DEDUP_TRACEBACK=1 shows where; please report it)"


def nul_ended(paths: Iterable[str]) -> bytes:
    """Paths for ``xargs -0``, each ended by NUL, in their file names' own bytes (a name may hold a newline).

    >>> nul_ended(["a.txt", "two\\nlines.txt"])
    b'a.txt\\x00two\\nlines.txt\\x00'
    """
    return b"".join(_raw(path) + b"\0" for path in paths)


def to_stdout(write: Callable[[], None]) -> None:
    """Run ``write``, which prints on stdout, and flush it; a failure (a full disk) is an :class:`OutputError`
    naming stdout. What is left in the buffer is dropped, or it would fail again, with a traceback, at exit.
    A closed pipe is not a failure: it ends the run as it ends ``cat`` (see :mod:`dedup.cli`).
    """
    try:
        write()
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        with contextlib.suppress(OSError, ValueError):  # not a file (a test's capture): nothing is buffered
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise OutputError(f"stdout: cannot write: {exc.strerror or exc}") from None
