"""An index file comes into being whole: built under a temporary name beside its target, then linked into place.

A build killed midway (``kill -9``, a full disk, a power cut) used to leave a valid but empty or partial
index at the target path, which later builds refused to replace and checks passed against. Now a build
writes ``.NAME.PID.building`` in the target's folder (same file system, so the final step is a link, not a
copy) and, once its last transaction has committed and the file is closed, hard-links it to the target:
``link`` fails if the target exists, so two builds racing for one path cannot replace each other's index.
A killed build leaves only its temporary file (and SQLite's journal beside it), which the next build of
the same target removes once the process that wrote it is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from dedup.store.errors import IndexFileError, describe

SUFFIX = ".building"


def building_path(target: Path) -> Path:
    """The temporary file this process builds ``target`` in."""
    return target.with_name(f".{target.name}.{os.getpid()}{SUFFIX}")


def publish(temporary: Path, target: Path) -> None:
    """Put a finished, closed index in place at ``target`` (never over an existing file), durably."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        remove(temporary)
        raise IndexFileError(
            f"{target} already exists (made while this build ran): use `dedup index add` to add to it"
        ) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            remove(temporary)
            raise IndexFileError(describe(target, exc, "nothing was built")) from exc
        if target.exists():  # a file system without hard links: a rename, checked first
            remove(temporary)
            raise IndexFileError(f"{target} already exists: use `dedup index add` to add to it") from None
        os.replace(temporary, target)
    remove(temporary)
    _sync_folder(target.parent)


def remove(temporary: Path) -> None:
    """Remove a temporary index and SQLite's journal beside it, whatever of them exists."""
    for path in (temporary, temporary.with_name(temporary.name + "-journal")):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def remove_leftovers(target: Path) -> None:
    """Remove what builds of ``target`` killed earlier left behind (their processes are gone)."""
    prefix = f".{target.name}."
    with contextlib.suppress(OSError):
        for path in target.parent.iterdir():
            name = path.name
            if not (name.startswith(prefix) and name.endswith(SUFFIX)):
                continue
            pid = name[len(prefix) : -len(SUFFIX)]
            if pid.isdigit() and not _alive(int(pid)):
                remove(path)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sync_folder(folder: Path) -> None:
    """Make the new directory entry durable (a crash after a build returns keeps the index)."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
