"""Progress on stderr for the long commands (scan, report, check, index build and add).

``report`` ran 43 s on 883 files with nothing on the screen. The library reports its stages through one
callback, ``progress(stage, done, total)`` (:data:`dedup.pipeline.scan.Progress`); here each stage becomes a rich
progress bar with its count, rate and time left (a stage whose total is not known yet, sketching a stream
of inputs, shows a count and a rate), and when the run ends one line of stage timings stays on screen.
Nothing is drawn for ``--quiet`` or when stderr is no terminal: a log file gets no bars.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

Report = Callable[[str, int, int | None], None]


class RateColumn(ProgressColumn):
    """Items a second, as the stage's own unit (documents, groups): ``1,234/s``."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f}/s", style="cyan")


def timings_line(timings: dict[str, float]) -> str:
    """The line that stays when the bars are gone: each stage and its seconds.

    >>> timings_line({"sketching": 1.234, "grouping": 0.05})
    'done: sketching 1.2s · grouping 0.1s'
    """
    return "done: " + " · ".join(f"{stage} {seconds:.1f}s" for stage, seconds in timings.items())


@contextmanager
def progress_for(console: Console, quiet: bool) -> Iterator[Report | None]:
    """A ``progress(stage, done, total)`` callback drawing on ``console`` (stderr), or ``None`` when nothing
    should be drawn (``quiet``, or stderr no terminal), which the library takes as "no progress"."""
    if quiet or not console.is_terminal:
        yield None
        return
    bars = Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}
    started: dict[str, float] = {}
    timings: dict[str, float] = {}

    def report(stage: str, done: int, total: int | None) -> None:
        if stage not in tasks:
            for previous in tasks:  # a new stage: the ones before it are over
                timings.setdefault(previous, time.perf_counter() - started[previous])
            tasks[stage] = bars.add_task(stage, total=total)
            started[stage] = time.perf_counter()
        bars.update(tasks[stage], completed=done, total=total)

    with bars:
        yield report
    for stage in tasks:
        timings.setdefault(stage, time.perf_counter() - started[stage])
    if timings:
        console.print(Text(timings_line(timings), style="dim"), soft_wrap=True)
