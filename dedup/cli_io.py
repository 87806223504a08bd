"""What every ``dedup`` command does around its library call: consoles, errors and exit codes, standard input,
the inputs accounted for on stderr, and the one place the output formats part ways (:func:`emit`).

Kept apart from :mod:`dedup.cli`, which parses options and calls :mod:`dedup.api`, so that the command
module stays a list of commands.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from dedup import api
from dedup.cli_options import OutputFormat, ReportFormat, ScanFormat, StdinFormat
from dedup.ingest.jsonl import repeated_id_notes
from dedup.ingest.load import StdinInput, jsonl_lines, stdin_for
from dedup.records import InputRecord, Skipped
from dedup.render import json as json_report
from dedup.render import output as outfiles
from dedup.render import selection, terminal
from dedup.render.console import Look, paged, stdout_console, wants_pager
from dedup.render.controls import visible
from dedup.render.html import render_html

EXIT_OK = 0
DEFAULT_LOOK = Look()  # colour as the console decides, the pager allowed
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_UNRELATED = 3  # dedup diff: the two texts share less than a tenth of each other (no copies)
EXIT_TERMINATED = 143
EXIT_INTERRUPTED = 130


# --- around the library call ----------------------------------------------------------


def out_console(look: Look) -> Console:
    return terminal.guarded(stdout_console(look))


def err_console(quiet: bool) -> Console:
    return terminal.guarded(Console(stderr=True, quiet=quiet, soft_wrap=True, emoji=False))


def error(message: str) -> None:
    """An error on stderr (never hidden by ``--quiet``); ``message`` is escaped, it may quote the user."""
    err_console(False).print(f"[red]error:[/] {escape(visible(message))}", highlight=False)


def warn(message: str) -> None:
    err_console(False).print(f"[yellow]warning:[/] {escape(visible(message))}", highlight=False)


@contextmanager
def usage_errors() -> Iterator[None]:
    """What the library refuses about the user's input (a malformed path, a missing, damaged or foreign
    index, an index built with other settings) ends the run with its message and exit 2, no traceback."""
    try:
        yield
    except (api.PathSpecError, api.IndexFileError, outfiles.OutputError) as exc:
        error(str(exc))
        raise typer.Exit(EXIT_USAGE) from None


def stdin_once(paths: Sequence[str], requested: StdinFormat) -> StdinInput | None:
    """Standard input, read once up front when ``-`` is among ``paths``, and passed to every stage; closed
    or unreadable, it ends the run (exit 2) before any work."""
    try:
        return stdin_for(paths, requested.value)
    except OSError as exc:
        error(f"- (standard input): {exc.strerror or exc}; pipe the text in, or name files instead of -")
        raise typer.Exit(EXIT_USAGE) from None


def report_inputs(console: Console, records: Sequence[InputRecord], stdin: StdinInput | None = None) -> None:
    """On stderr: each skipped input with its reason, each renamed JSONL document (a repeated id), and the
    format standard input was recognised as, when not plain text."""
    skipped = [Skipped(r.path, r.reason or "") for r in records if r.status == "skipped"]
    terminal.render_skipped(console, skipped)
    notes = repeated_id_notes([r.path for r in records], lambda file: jsonl_lines(file, stdin))
    for note in notes.values():
        console.print(f"[cyan]note[/] {escape(visible(note))}", highlight=False)
    if stdin is not None and stdin.sniffed and stdin.format != "text":
        console.print(f"[cyan]note[/] - read as {stdin.format} (recognised; choose with --stdin-format)")


def emit(
    output: OutputFormat | ReportFormat | ScanFormat,
    table: Callable[[Console], None],
    payload: Callable[[], dict[str, Any]],
    lines: Callable[[], Iterable[dict[str, Any]]],
    html_to: str | None = None,
    look: Look = DEFAULT_LOOK,
) -> None:
    """Print a command's result on stdout as ``--format`` asks: the one place the formats part ways; at a
    terminal, long output goes through the pager (:mod:`dedup.render.console`).

    Args:
        output: the format asked for.
        table: draws the result for people on a console.
        payload: the one JSON object (``--format json``); the HTML page is drawn from it too.
        lines: the JSON Lines records (``--format jsonl``), one object per line.
        html_to: where ``--format html`` writes its page (``None``: standard output).
        look: colour and pager (``--color``, ``--no-pager``).
    """
    encoding = getattr(sys.stdout, "encoding", None)
    if output == ReportFormat.html and html_to is not None:
        with usage_errors():
            outfiles.write_atomic("-o", html_to, render_html(payload()).encode("utf-8"))
        return

    def write(console: Console | None = None) -> None:
        if output == ReportFormat.html:
            sys.stdout.write(render_html(payload()))
        elif output == OutputFormat.table:
            table(out_console(look) if console is None else terminal.guarded(console))
        elif output == OutputFormat.json:
            sys.stdout.write(outfiles.json_for(json_report.dumps(payload()), encoding) + "\n")
        else:
            for record in lines():
                sys.stdout.write(outfiles.json_for(json_report.dumps_line(record), encoding) + "\n")

    with usage_errors():
        if output != ReportFormat.html and wants_pager(look):
            outfiles.to_stdout(lambda: paged(look, write))
        else:
            outfiles.to_stdout(write)


def check_output_option(output: ReportFormat | ScanFormat, html_to: str | None, inputs: Sequence[str]) -> None:
    """Refuse, before any work, an ``-o`` given with a format that prints on standard output, one that cannot be
    written or would overwrite an input, and ``--format parquet`` without the folder ``-o`` names."""
    if output == ScanFormat.parquet:
        if html_to is None:
            error("--format parquet writes tables into a folder: name it with -o DIR")
            raise typer.Exit(EXIT_USAGE)
        with usage_errors():
            folder = Path(html_to)  # an existing folder takes the tables; a new one is made in a writable parent
            outfiles.check_output_file("-o", str(folder / "groups.parquet") if folder.is_dir() else html_to, inputs)
        return
    if html_to is None:
        return
    if output != ReportFormat.html:
        error("-o/--output goes with --format html or parquet (other formats print on standard output)")
        raise typer.Exit(EXIT_USAGE)
    with usage_errors():
        outfiles.check_output_file("-o", html_to, inputs)


def on_spark(run: Callable[[Any], Any]) -> Any:
    """Run ``run(dedup.engines.spark)``; a missing pyspark or Java, a bad ``--spark-conf`` or ``-`` among the
    paths is exit 2 with the reason (the message says what to install)."""
    from dedup.engines import spark

    try:
        return run(spark)
    except (spark.SparkUnavailableError, ValueError) as exc:
        error(str(exc))
        raise typer.Exit(EXIT_USAGE) from None


def write_parquet_tables(result: api.ScanResult | api.Report, folder: str) -> None:
    """``--format parquet -o DIR``: the groups table (and, for a report, the findings table) in ``folder``."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    on_spark(lambda spark: spark.write_parquet(result, folder))


def writes_from_executors(spark_engine: bool, output: ScanFormat | ReportFormat, chosen: selection.Selection) -> bool:
    """Whether ``--format parquet -o DIR`` is written by the Spark executors (:func:`write_tables_on_spark`):
    with ``--engine spark`` and no option that picks groups or findings, which the driver would have to see."""
    picks = chosen.group is not None or chosen.kinds or chosen.min_copies or chosen.path is not None
    return spark_engine and output.value == "parquet" and not picks


def write_tables_on_spark(
    console: Console,
    folder: str,
    run: Callable[[Any], dict[str, float]],
) -> None:
    """``--engine spark --format parquet -o DIR``: ``run(dedup.engines.spark)`` scans (or reports) and the
    executors write ``inputs.parquet``, ``groups.parquet`` (and ``findings.parquet``) into ``folder``, so a
    corpus larger than the driver's memory comes out whole. The skipped inputs, read back from
    ``inputs.parquet`` (a few rows, however large the corpus), are listed on stderr as the embedded engine
    lists them; not one input read is exit 2."""
    import pyarrow.parquet as pq

    Path(folder).mkdir(parents=True, exist_ok=True)
    on_spark(run)
    inputs = pq.read_table(Path(folder) / "inputs.parquet", columns=["path", "status", "reason"])
    skipped = [Skipped(r["path"], r["reason"] or "") for r in inputs.to_pylist() if r["status"] == "skipped"]
    terminal.render_skipped(console, skipped)
    if len(skipped) == inputs.num_rows:
        error("no input could be read")
        raise typer.Exit(EXIT_USAGE)


def with_summary(lines: Iterable[dict[str, Any]], summary: selection.Summary) -> Iterator[dict[str, Any]]:
    """JSON Lines with a ``summary`` record after the config, inputs and warnings, before the first group."""
    pending = True
    for record in lines:
        if pending and record.get("type") not in ("config", "input", "warning"):
            pending = False
            yield {"type": "summary", **summary.to_dict()}
        yield record
    if pending:
        yield {"type": "summary", **summary.to_dict()}


def check_group(group: str | None, ids: Sequence[str]) -> None:
    """Exit 2 when ``--group`` names no group found, listing a few that were."""
    if group is not None and group not in ids:
        some = ", ".join(ids[:5]) + (", …" if len(ids) > 5 else "")
        error(f"--group {group}: no such group" + (f" (the groups are {some})" if ids else " (no group was found)"))
        raise typer.Exit(EXIT_USAGE)


def require_input(documents: Sequence[object], what: str = "no input could be read") -> None:
    """Exit 2 when not one input could be read: the output above still accounts for every input."""
    if not documents:
        error(what)
        raise typer.Exit(EXIT_USAGE)
