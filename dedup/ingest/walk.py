"""Which files the input paths name: directories walked, symlinks followed, every file read once.

A drop is often assembled with symlinks (``latest -> 2024-08-22``) and named twice by accident
(``dedup check drop/ drop/plain.txt``). Read twice, a file would count as its own reprint, so every file,
directory and JSONL document is claimed by its real path (:class:`Seen`) and a second path that reaches it
is skipped with a note naming the first. Symlinked directories are followed; one that leads back to a
directory being walked is a loop, said so, never walked again. What cannot be read at all says why: a
symlink loop, a broken symlink, a directory that cannot be listed.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

from dedup.records import Skipped


class Seen:
    """What a run has read so far, by real path, and the path it was shown as then.

    One per :func:`~dedup.ingest.load.load` call: ``dedup diff a.txt a.txt`` loads each side on its own and
    compares a file with itself, as asked.
    """

    __slots__ = ("_shown",)

    def __init__(self) -> None:
        self._shown: dict[str, str] = {}

    def claim(self, key: str, shown: str) -> str | None:
        """Claim ``key`` for ``shown``; the path that claimed it first, or ``None`` when this is the first."""
        earlier = self._shown.get(key)
        if earlier is None:
            self._shown[key] = shown
        return earlier

    def earlier(self, key: str) -> str | None:
        """The path that claimed ``key``, if any, without claiming it."""
        return self._shown.get(key)


def file_key(path: Path | str) -> str:
    """What identifies a file: its real path (symlinks resolved)."""
    return os.path.realpath(path)


def dir_key(path: Path | str) -> str:
    """What identifies a directory: its real path with a trailing separator (never equal to a file's)."""
    return os.path.join(os.path.realpath(path), "")


def missing_reason(path: Path | str) -> str:
    """Why a path that is neither a file nor a directory cannot be read: a symlink loop, a broken symlink,
    something that is not a regular file, or nothing there.

    >>> missing_reason("/nonexistent/file.txt")
    'no such file or directory'
    """
    if os.path.islink(path):
        try:
            os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return "symlink loop: the link leads back to itself"
            return f"broken symlink: it points to {os.readlink(path)}, which does not exist"
    if os.path.lexists(path):
        return "not a regular file"
    return "no such file or directory"


def walk(given: str, root: Path, seen: Seen, formats: frozenset[str]) -> Iterator[tuple[str, Path] | Skipped]:
    """The files under ``root`` to read, as ``(shown, path)``, in sorted order, and a skip for the rest.

    ``shown`` is the path relative to ``root`` as the user named it. Hidden files and directories, files
    whose extension is not in ``formats``, links that lead nowhere, directories reached a second time
    (a loop, or two links to one directory) and directories that cannot be listed come out as
    :class:`~dedup.records.Skipped` with the reason. Files are not yet claimed: loading does that.
    """
    found = False
    failures: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=failures.append, followlinks=True):
        for failure in failures:
            found = True
            shown = _display(given, root, Path(failure.filename or dirpath))
            yield Skipped(shown, f"cannot list directory: {failure.strerror or failure}")
        failures.clear()
        here = os.path.realpath(dirpath)
        kept: list[str] = []
        for name in sorted(dirnames):
            found = True
            shown = _display(given, root, Path(dirpath, name))
            reason = _subdirectory_problem(name, Path(dirpath, name), here, shown, seen)
            if reason is None:
                kept.append(name)
            else:
                yield Skipped(shown, reason)
        dirnames[:] = kept
        for name in sorted(filenames):
            found = True
            full = Path(dirpath, name)
            shown = _display(given, root, full)
            if name.startswith("."):
                yield Skipped(shown, "hidden file")
            elif not full.is_file():
                yield Skipped(shown, missing_reason(full))
            elif full.suffix.lower() not in formats:
                kinds = ", ".join(sorted(formats))
                yield Skipped(shown, f"unsupported extension {full.suffix or '(none)'}; reads {kinds}")
            else:
                yield shown, full
    for failure in failures:  # the root itself could not be listed
        found = True
        yield Skipped(given, f"cannot list directory: {failure.strerror or failure}")
    if not found:
        yield Skipped(given, "directory holds no files")


def _subdirectory_problem(name: str, full: Path, here: str, shown: str, seen: Seen) -> str | None:
    """Why a subdirectory is not walked (hidden, a loop, reached before), or ``None`` to walk it."""
    if name.startswith("."):
        return "hidden directory, not scanned"
    real = os.path.realpath(full)
    if here == real or here.startswith(os.path.join(real, "")):
        return f"symlink loop: leads back to {real}, which is being read"
    earlier = seen.claim(dir_key(full), shown)
    if earlier is not None:
        return f"same directory as {earlier} (reached twice): read once"
    return None


def _display(given: str, root: Path, full: Path) -> str:
    """A path found under a directory, shown relative to the directory as the user named it."""
    return os.path.join(given, os.path.relpath(full, root))
