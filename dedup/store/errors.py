"""What can go wrong with an index file, said in one line that names the file and the cause.

SQLite reports a damaged page, a full disk, a read-only file and a lock held too long alike as
``sqlite3.DatabaseError`` (or its subclass ``OperationalError``), which reached the user as a traceback and
exit 1 (our "gate failed"). Every index operation runs under :func:`guarded`, which turns them into
:class:`IndexFileError` (exit 2 in the CLI) with the cause in words and what to do about it. The cause is
read from the error's SQLite result code (``sqlite_errorname``, Python 3.11), not from its message.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class IndexFileError(Exception):
    """The index file cannot be used: missing, damaged, foreign, built with other settings, or not writable."""


REBUILD = "rebuild it with `dedup index build PATH... --index FILE`"


def describe(path: Path, exc: sqlite3.Error | OSError, undone: str = "") -> str:
    """One line for a failure of SQLite or the file system on the index ``path``: the cause, what to do,
    and what became of the work.

    Args:
        path: the index file.
        exc: what SQLite or the OS raised.
        undone: what became of the work, e.g. "the add was rolled back: the index is as it was".
    """
    cause, advice = _cause(path, exc)
    return f"{cause}; {advice}" + (f" ({undone})" if undone else "")


def _cause(path: Path, exc: sqlite3.Error | OSError) -> tuple[str, str]:
    """The cause and the advice for :func:`describe`."""
    full = "free some space and run it again"
    readonly = "check the permissions of the file and its folder (SQLite writes a journal file beside the index)"
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return f"{path}: the disk is full ({exc.strerror})", full
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"{path} cannot be written ({exc.strerror})", readonly
        return f"{path}: {exc.strerror or exc}", "check the file and its folder"
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL":
        return f"{path}: the disk is full, or the file reached its size limit ({exc})", full
    if name.startswith("SQLITE_READONLY") or name == "SQLITE_CANTOPEN":
        return f"{path} cannot be written: the file or its folder is read-only ({exc})", readonly
    if name.startswith("SQLITE_IOERR"):
        return (
            f"{path}: the disk failed a read or write ({exc})",
            "it may be full or failing, or the file past a size limit",
        )
    if name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return f"{path} is locked by another dedup process that has not finished ({exc})", "try again later"
    return f"{path} is a damaged dedup index ({exc})", REBUILD


@contextmanager
def guarded(path: Path, undone: str = "") -> Iterator[None]:
    """Run an index operation, turning SQLite's and the file system's errors into :class:`IndexFileError`."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise IndexFileError(describe(path, exc, undone)) from exc
