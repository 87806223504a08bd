"""Per-document work streamed through worker processes, in input order.

Normalizing, segmenting, shingling and signing a document is independent of every other document, so
``scan``, ``index build|add`` and ``check`` run it in batches in worker processes, a few batches in flight at
a time: memory holds those batches and whatever the caller keeps of the results, never the whole corpus.
Batch results come back in input order, each with its documents' places; an input that could not be read
comes at once, with its place, so a caller can still account for every input in order.

Workers never outlive the run. Killed outright (``kill -9``), the parent cannot stop them, so each worker
asks the kernel to kill it when its parent dies (Linux ``prctl(PR_SET_PDEATHSIG)``); otherwise two workers
of ~220 MB each sat deadlocked on a pipe nobody would read, and with them multiprocessing's resource
tracker. Interrupted (Ctrl-C, SIGTERM, an error while writing the results), the parent kills its workers
at once instead of waiting for their batches: a pool's orderly shutdown would finish every batch in flight.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from dedup.config import Config
from dedup.records import Document, InputRecord, Skipped

BATCH = 256  # documents per batch sent to a worker
PARALLEL_FROM = 2000  # documents; below this, starting worker processes costs more than it saves

R = TypeVar("R")


class _Read(Protocol):
    """What a worker made of a document it read: where it came from and how it was decoded."""

    @property
    def path(self) -> str: ...

    @property
    def encoding(self) -> str: ...


D = TypeVar("D", bound=_Read)


def _init_worker(parent: int) -> None:
    """Each worker dies with its parent, leaves Ctrl-C to it, and signs on one thread (the pool already
    uses every core)."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent is told too, and stops the pool
    import numba

    numba.set_num_threads(1)


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int) -> bool:
    """Have the kernel kill this process (SIGKILL) when its parent dies; ``False`` where it cannot (not
    Linux). A parent that died before the request is seen by ``getppid`` changing, and this process exits.

    Args:
        parent: the pid of the process that started this one.
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() != parent:
        os._exit(1)
    return True


@contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``workers`` spawned processes, closed in order on success and killed on any exception.

    ``ProcessPoolExecutor.__exit__`` waits for every batch in flight; on an interruption (Ctrl-C, SIGTERM,
    a generator closed early, an error in the caller) that wait is what left the run hanging, so the
    workers are killed instead (Python 3.11 has no public call for it: the pool's process table is read).
    """
    context = multiprocessing.get_context("spawn")  # numba's thread pool does not survive fork
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        _kill(pool)
        raise
    pool.shutdown(wait=True)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's workers and wait for its threads to see them gone.

    The pool's own thread then closes the reading end of the queue its feeder thread writes batches to; a
    write to that pipe raises SIGPIPE, which ``dedup`` leaves at its default action (exit by SIGPIPE, as
    ``cat``), so it is ignored here until the pool's threads have stopped. Only the main thread may change
    a signal's handler; elsewhere the pool is killed without it.
    """
    sigpipe = getattr(signal, "SIGPIPE", None)
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(sigpipe, signal.SIG_IGN) if sigpipe is not None and main else None
    try:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            with contextlib.suppress(OSError, ValueError):
                process.kill()
        pool.shutdown(wait=True, cancel_futures=True)
    finally:
        if previous is not None and sigpipe is not None:
            signal.signal(sigpipe, previous)


@dataclass(frozen=True, slots=True)
class Done(Generic[R]):
    """A batch's result, with its documents' places in the input (for callers that report in input order)."""

    places: tuple[int, ...]
    result: R


@dataclass(frozen=True, slots=True)
class Unread:
    """An input that could not be read, with its place in the input."""

    place: int
    skipped: Skipped


def stream(
    items: Iterable[Document | Skipped],
    work: Callable[[Sequence[Document], Config], R],
    config: Config,
    workers: int,
) -> Generator[Unread | Done[R], None, None]:
    """Run ``work`` over the documents in batches of :data:`BATCH`, in input order.

    Batch results come in input order, each with its documents' places; an input that could not be read
    comes through as soon as it is met, with its place. Corpora of fewer than :data:`PARALLEL_FROM`
    documents are done in this process (starting workers costs more); larger ones in ``workers`` processes,
    with at most ``2 * workers`` batches in flight, so memory holds a few batches, never the corpus.
    """
    inputs = iter(items)
    head: list[Document | Skipped] = []
    documents = 0
    for item in inputs if workers > 1 else ():
        head.append(item)
        documents += isinstance(item, Document)
        if documents >= PARALLEL_FROM:
            break
    if workers <= 1 or documents < PARALLEL_FROM:
        for entry in _batched(_chain(head, inputs)):
            yield entry if isinstance(entry, Unread) else Done(entry.places, work(entry.documents, config))
        return

    running: deque[tuple[tuple[int, ...], Future[R]]] = deque()
    with _pool(workers) as pool:
        for entry in _batched(_chain(head, inputs)):
            if isinstance(entry, Unread):
                yield entry
                continue
            running.append((entry.places, pool.submit(_settling, work, entry.documents, config)))
            while len(running) > 2 * workers:
                places, future = running.popleft()
                yield Done(places, future.result())
        while running:
            places, future = running.popleft()
            yield Done(places, future.result())


_settled = False
"""Whether this worker has moved what it holds for good out of the collector's sight (:func:`_settling`)."""


def _settling(work: Callable[[Sequence[Document], Config], R], documents: Sequence[Document], config: Config) -> R:
    """``work(documents, config)`` in a worker; after its first batch, what the worker holds for good (its
    modules, compiled kernels, caches: 130,000 objects) is collected once and frozen (:func:`gc.freeze`).

    Sketching makes and drops millions of small objects (lines, paragraphs, tuples), and every collection of
    the oldest generation walked all of those long-lived objects again: 6-10% of a worker's time. Frozen
    objects are still freed when nothing refers to them; only the cycle collector no longer visits them.
    """
    result = work(documents, config)
    _settle()
    return result


def _settle() -> None:
    """Collect once and freeze what this worker holds (:func:`_settling`), the first time it is called."""
    global _settled
    if not _settled:
        gc.collect()
        gc.freeze()
        _settled = True


def _chain(head: list[Document | Skipped], rest: Iterator[Document | Skipped]) -> Iterator[Document | Skipped]:
    """The buffered head, let go item by item, then the rest of the inputs."""
    head.reverse()
    while head:
        yield head.pop()
    yield from rest


@dataclass(frozen=True, slots=True)
class _Batch:
    """Documents sent to a worker together, with their places in the input."""

    places: tuple[int, ...]
    documents: list[Document]


def _batched(items: Iterable[Document | Skipped]) -> Iterator[Unread | _Batch]:
    """Batches of :data:`BATCH` documents with their input places; unreadable inputs pass through at once."""
    places: list[int] = []
    batch: list[Document] = []
    for place, item in enumerate(items):
        if isinstance(item, Skipped):
            yield Unread(place, item)
            continue
        places.append(place)
        batch.append(item)
        if len(batch) >= BATCH:
            yield _Batch(tuple(places), batch)
            places, batch = [], []
    if batch:
        yield _Batch(tuple(places), batch)


T = TypeVar("T")


def map_in_order(
    work: Callable[[T], R], items: Sequence[T], workers: int, parallel_from: int, batch: int = 16
) -> list[R]:
    """``[work(item) for item in items]``, in ``workers`` processes when there are ``parallel_from`` items or
    more: batches of ``batch`` items, at most ``2 * workers`` batches in flight, results in order. ``work``
    must be a module-level function (it is pickled)."""
    if workers <= 1 or len(items) < parallel_from:
        return [work(item) for item in items]
    out: list[R] = []
    running: deque[Future[list[R]]] = deque()
    with _pool(workers) as pool:
        for start in range(0, len(items), batch):
            running.append(pool.submit(_map_batch, work, items[start : start + batch]))
            while len(running) > 2 * workers:
                out.extend(running.popleft().result())
        while running:
            out.extend(running.popleft().result())
    return out


def _map_batch(work: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``work`` of each item, in a worker; what the worker holds for good is frozen after its first batch, as
    sketching's workers do (:func:`_settling`): collation too makes and drops millions of small objects."""
    out = [work(item) for item in items]
    _settle()
    return out


class Ledger:
    """How every input was accounted for, by its place in the input: batches come back with their places,
    and an unreadable input as soon as it is met, so the records are put in input order at the end."""

    def __init__(self) -> None:
        self._by_place: dict[int, InputRecord] = {}

    def unread(self, entry: Unread) -> None:
        """Record an input that could not be read, with its reason."""
        from dedup.ingest.load import input_record

        self._by_place[entry.place] = input_record(entry.skipped)

    def account(self, places: Sequence[int], outcomes: Sequence[D | Skipped]) -> list[D]:
        """Record each outcome of a batch (processed, or skipped with its reason) and return the documents
        that were processed, in batch order."""
        from dedup.ingest.load import input_record

        processed: list[D] = []
        for place, outcome in zip(places, outcomes, strict=True):
            if isinstance(outcome, Skipped):
                self._by_place[place] = input_record(outcome)
            else:
                self._by_place[place] = InputRecord(outcome.path, "ok", encoding=outcome.encoding)
                processed.append(outcome)
        return processed

    def records(self) -> list[InputRecord]:
        """Every input's record, in input order."""
        return [self._by_place[place] for place in sorted(self._by_place)]
