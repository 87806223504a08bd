"""Per-document work streamed through worker processes, in input order.

Normalizing, segmenting, shingling and signing a document is independent of every other document, so
``scan``, ``index build|add`` and ``check`` run it in batches in worker processes, a few batches in flight at
a time: memory holds those batches and whatever the caller keeps of the results, never the whole corpus.
Batch results come back in input order, each with its documents' places; an input that could not be read
comes at once, with its place, so a caller can still account for every input in order.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
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


def _init_worker() -> None:
    """Each worker process signs on one thread: the pool already uses every core."""
    import numba

    numba.set_num_threads(1)


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
) -> Iterator[Unread | Done[R]]:
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
            yield entry if isinstance(entry, Unread) else Done(entry[0], work(entry[1], config))
        return

    context = multiprocessing.get_context("spawn")  # numba's thread pool does not survive fork
    running: deque[tuple[tuple[int, ...], Future[R]]] = deque()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker) as pool:
        for entry in _batched(_chain(head, inputs)):
            if isinstance(entry, Unread):
                yield entry
                continue
            running.append((entry[0], pool.submit(work, entry[1], config)))
            while len(running) > 2 * workers:
                places, future = running.popleft()
                yield Done(places, future.result())
        while running:
            places, future = running.popleft()
            yield Done(places, future.result())


def _chain(head: list[Document | Skipped], rest: Iterator[Document | Skipped]) -> Iterator[Document | Skipped]:
    """The buffered head, let go item by item, then the rest of the inputs."""
    head.reverse()
    while head:
        yield head.pop()
    yield from rest


def _batched(items: Iterable[Document | Skipped]) -> Iterator[Unread | tuple[tuple[int, ...], list[Document]]]:
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
            yield tuple(places), batch
            places, batch = [], []
    if batch:
        yield tuple(places), batch


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
    context = multiprocessing.get_context("spawn")
    running: deque[Future[list[R]]] = deque()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker) as pool:
        for start in range(0, len(items), batch):
            running.append(pool.submit(_map_batch, work, items[start : start + batch]))
            while len(running) > 2 * workers:
                out.extend(running.popleft().result())
        while running:
            out.extend(running.popleft().result())
    return out


def _map_batch(work: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return [work(item) for item in items]


def account(places: Sequence[int], outcomes: Sequence[D | Skipped], records: list[tuple[int, InputRecord]]) -> list[D]:
    """Record each outcome of a batch in ``records`` with its place in the input (processed, or skipped with
    its reason), and return the documents that were processed, in batch order."""
    from dedup.ingest.load import input_record

    processed: list[D] = []
    for place, outcome in zip(places, outcomes, strict=True):
        if isinstance(outcome, Skipped):
            records.append((place, input_record(outcome)))
        else:
            records.append((place, InputRecord(outcome.path, "ok", encoding=outcome.encoding)))
            processed.append(outcome)
    return processed
