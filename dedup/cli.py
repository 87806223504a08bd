"""The ``dedup`` command: parse options (the shared ones in :mod:`dedup.cli_options`), call the library
(:mod:`dedup.api`), choose a renderer.

Exit codes follow diff and grep: 0 clean, 1 findings over a gate, 2 usage or input error (including a run
where no input could be read at all) and every other failure, said in one line naming the file and the
cause, never a traceback (``DEDUP_TRACEBACK=1`` shows one). Output files are checked before the work and
written whole (:mod:`dedup.render.output`); control characters are shown, never sent to the terminal.
Output cut short by a closed pipe (``dedup report … | head``) ends
the run as it ends ``cat``: quietly, by SIGPIPE, which a shell reports as 141 (128 + 13), never 1 or 2.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from dedup import __version__, api
from dedup.cli_options import (
    NORMALIZE_SETTINGS,
    TUNING_SETTINGS,
    Engine,
    EngineOption,
    FormatOption,
    HtmlOutOption,
    IndexOption,
    OutputFormat,
    PathsArgument,
    QuietOption,
    ReportFormat,
    ReportFormatOption,
    ScanFormat,
    ScanFormatOption,
    SparkConfOption,
    SparkMasterOption,
    StdinFormat,
    StdinFormatOption,
    with_look,
    with_scan_selection,
    with_selection,
    with_settings,
)
from dedup.config import Config
from dedup.ingest.jsonl import repeated_id_notes
from dedup.ingest.load import StdinInput, jsonl_lines, stdin_for
from dedup.records import InputRecord, Skipped
from dedup.render import json as json_report
from dedup.render import output as outfiles
from dedup.render import selection, terminal
from dedup.render.console import Look, paged, stdout_console, wants_pager
from dedup.render.controls import visible
from dedup.render.html import render_html
from dedup.render.junit import junit_xml
from dedup.render.progress import progress_for
from dedup.render.selection import Selection

EXIT_OK = 0
DEFAULT_LOOK = Look()  # colour as the console decides, the pager allowed
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_TERMINATED = 143
EXIT_INTERRUPTED = 130


class _Dedup(typer.Typer):
    """The command group, run the way command-line filters run: a closed pipe ends it by SIGPIPE."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run ``dedup`` (the installed command calls this) with SIGPIPE's default action, as ``cat`` has it.

        Python ignores SIGPIPE, so a write to a closed pipe (``dedup report … | head -1``) raises
        ``BrokenPipeError``, which click and rich turn into exit 1, our "findings". Python's documentation
        warns against the default action for programs writing to sockets; dedup writes to none, and its
        workers talk through pipes whose reading ends the parent holds. A program importing dedup is untouched.
        """
        if hasattr(signal, "SIGPIPE"):  # not on Windows
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, _terminated)
        signal.signal(signal.SIGINT, _interrupted)  # click would turn Ctrl-C into "Aborted!" and exit 1: a verdict
        if hasattr(sys.stdout, "reconfigure"):  # PYTHONIOENCODING=ascii: \\u65b0 for 新, not a crash
            sys.stdout.reconfigure(errors="backslashreplace")
        try:
            return super().__call__(*args, **kwargs)
        except Interrupted:
            _error("interrupted before finishing (an index add or build in progress is rolled back)")
            sys.exit(EXIT_INTERRUPTED)
        except Terminated:
            _error("terminated by SIGTERM before finishing (an index add or build in progress is rolled back)")
            sys.exit(EXIT_TERMINATED)
        except Exception as exc:  # anything else: one line and exit 2, never 1 ("findings") or a traceback
            if os.environ.get("DEDUP_TRACEBACK"):
                raise
            _error(outfiles.crash_line(exc))
            raise SystemExit(EXIT_USAGE) from None


class Terminated(BaseException):
    """SIGTERM, raised where the program is, as Ctrl-C raises KeyboardInterrupt: transactions roll back,
    worker processes are killed, temporary files removed; the command exits 143 (128 + 15)."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


class Interrupted(BaseException):
    """Ctrl-C (SIGINT), handled as SIGTERM is but exiting 130 (128 + 2), as shells report it. Not a
    KeyboardInterrupt, which click catches and turns into exit 1, the code for "findings"."""


def _interrupted(signum: int, frame: object) -> None:
    raise Interrupted


app = _Dedup(
    name="dedup",
    help="Find reprints of the same story in Chinese news and report what each copy changed.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
)


# --- what every command does around the library call ----------------------------------------------------------


def _stdout(look: Look) -> Console:
    return terminal.guarded(stdout_console(look))


def _stderr(quiet: bool) -> Console:
    return terminal.guarded(Console(stderr=True, quiet=quiet, soft_wrap=True, emoji=False))


def _error(message: str) -> None:
    """An error on stderr (never hidden by ``--quiet``); ``message`` is escaped, it may quote the user."""
    _stderr(False).print(f"[red]error:[/] {escape(visible(message))}", highlight=False)


def _warn(message: str) -> None:
    _stderr(False).print(f"[yellow]warning:[/] {escape(visible(message))}", highlight=False)


@contextmanager
def _usage_errors() -> Iterator[None]:
    """What the library refuses about the user's input (a malformed path, a missing, damaged or foreign
    index, an index built with other settings) ends the run with its message and exit 2, no traceback."""
    try:
        yield
    except (api.PathSpecError, api.IndexFileError, outfiles.OutputError) as exc:
        _error(str(exc))
        raise typer.Exit(EXIT_USAGE) from None


def _stdin(paths: Sequence[str], requested: StdinFormat) -> StdinInput | None:
    """Standard input, read once up front when ``-`` is among ``paths``, and passed to every stage; closed
    or unreadable, it ends the run (exit 2) before any work."""
    try:
        return stdin_for(paths, requested.value)
    except OSError as exc:
        _error(f"- (standard input): {exc.strerror or exc}; pipe the text in, or name files instead of -")
        raise typer.Exit(EXIT_USAGE) from None


def _report_inputs(console: Console, records: Sequence[InputRecord], stdin: StdinInput | None = None) -> None:
    """On stderr: each skipped input with its reason, each renamed JSONL document (a repeated id), and the
    format standard input was recognised as, when not plain text."""
    skipped = [Skipped(r.path, r.reason or "") for r in records if r.status == "skipped"]
    terminal.render_skipped(console, skipped)
    notes = repeated_id_notes([r.path for r in records], lambda file: jsonl_lines(file, stdin))
    for note in notes.values():
        console.print(f"[cyan]note[/] {escape(visible(note))}", highlight=False)
    if stdin is not None and stdin.sniffed and stdin.format != "text":
        console.print(f"[cyan]note[/] - read as {stdin.format} (recognised; choose with --stdin-format)")


def _emit(
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
        with _usage_errors():
            outfiles.write_atomic("-o", html_to, render_html(payload()).encode("utf-8"))
        return

    def write(console: Console | None = None) -> None:
        if output == ReportFormat.html:
            sys.stdout.write(render_html(payload()))
        elif output == OutputFormat.table:
            table(_stdout(look) if console is None else terminal.guarded(console))
        elif output == OutputFormat.json:
            sys.stdout.write(outfiles.json_for(json_report.dumps(payload()), encoding) + "\n")
        else:
            for record in lines():
                sys.stdout.write(outfiles.json_for(json_report.dumps_line(record), encoding) + "\n")

    with _usage_errors():
        if output != ReportFormat.html and wants_pager(look):
            outfiles.to_stdout(lambda: paged(look, write))
        else:
            outfiles.to_stdout(write)


def _check_html_output(output: ReportFormat | ScanFormat, html_to: str | None, inputs: Sequence[str]) -> None:
    """Refuse, before any work, an ``-o`` given with a format that prints on standard output, one that cannot be
    written or would overwrite an input, and ``--format parquet`` without the folder ``-o`` names."""
    if output == ScanFormat.parquet:
        if html_to is None:
            _error("--format parquet writes tables into a folder: name it with -o DIR")
            raise typer.Exit(EXIT_USAGE)
        with _usage_errors():
            folder = Path(html_to)  # an existing folder takes the tables; a new one is made in a writable parent
            outfiles.check_output_file("-o", str(folder / "groups.parquet") if folder.is_dir() else html_to, inputs)
        return
    if html_to is None:
        return
    if output != ReportFormat.html:
        _error("-o/--output goes with --format html or parquet (other formats print on standard output)")
        raise typer.Exit(EXIT_USAGE)
    with _usage_errors():
        outfiles.check_output_file("-o", html_to, inputs)


def _on_spark(run: Callable[[Any], Any]) -> Any:
    """Run ``run(dedup.engines.spark)``; a missing pyspark or Java, a bad ``--spark-conf`` or ``-`` among the
    paths is exit 2 with the reason (the message says what to install)."""
    from dedup.engines import spark

    try:
        return run(spark)
    except (spark.SparkUnavailableError, ValueError) as exc:
        _error(str(exc))
        raise typer.Exit(EXIT_USAGE) from None


def _write_parquet(result: api.ScanResult | api.Report, folder: str) -> None:
    """``--format parquet -o DIR``: the groups table (and, for a report, the findings table) in ``folder``."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    _on_spark(lambda spark: spark.write_parquet(result, folder))


def _with_summary(lines: Iterable[dict[str, Any]], summary: selection.Summary) -> Iterator[dict[str, Any]]:
    """JSON Lines with a ``summary`` record after the inputs and warnings, before the first group."""
    pending = True
    for record in lines:
        if pending and record.get("type") not in ("input", "warning"):
            pending = False
            yield {"type": "summary", **summary.to_dict()}
        yield record
    if pending:
        yield {"type": "summary", **summary.to_dict()}


def _check_group(group: str | None, ids: Sequence[str]) -> None:
    """Exit 2 when ``--group`` names no group found, listing a few that were."""
    if group is not None and group not in ids:
        some = ", ".join(ids[:5]) + (", …" if len(ids) > 5 else "")
        _error(f"--group {group}: no such group" + (f" (the groups are {some})" if ids else " (no group was found)"))
        raise typer.Exit(EXIT_USAGE)


def _require_input(documents: Sequence[object], what: str = "no input could be read") -> None:
    """Exit 2 when not one input could be read: the output above still accounts for every input."""
    if not documents:
        _error(what)
        raise typer.Exit(EXIT_USAGE)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dedup {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, metavar="", help="Print the version and exit."),
    ] = False,
) -> None:
    """dedup: near-duplicate and version-diff analysis for Chinese news reprints."""


# --- the commands ---------------------------------------------------------------------------------------------


@app.command()
@with_settings(NORMALIZE_SETTINGS)
@with_look
def normalize(
    paths: PathsArgument,
    config: Config,
    look: Look,
    output: FormatOption = OutputFormat.table,
    quiet: QuietOption = False,
    stdin_format: StdinFormatOption = StdinFormat.auto,
) -> None:
    """Show what the matcher sees: paragraphs after normalization, their raw lines, and the notes."""
    stdin = _stdin(paths, stdin_format)
    result = api.normalize_inputs(paths, config.normalize, stdin)
    _report_inputs(_stderr(quiet), result.inputs, stdin)
    _emit(
        output,
        lambda console: terminal.render_normalized(console, result.documents),
        lambda: json_report.normalized_payload(result.inputs, result.documents, config, stdin),
        lambda: json_report.normalized_lines(result.inputs, result.documents, stdin),
        look=look,
    )
    _require_input(result.documents)


@app.command()
@with_settings(TUNING_SETTINGS)
@with_scan_selection
@with_look
def scan(
    paths: PathsArgument,
    config: Config,
    chosen: Selection,
    look: Look,
    output: ScanFormatOption = ScanFormat.table,
    quiet: QuietOption = False,
    to: HtmlOutOption = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", metavar="", help="Also list every rejected candidate pair and boilerplate, with why."
        ),
    ] = False,
    stdin_format: StdinFormatOption = StdinFormat.auto,
    engine: EngineOption = Engine.embedded,
    spark_master: SparkMasterOption = "local[*]",
    spark_conf: SparkConfOption = None,
) -> None:
    """Find the passages that are copies of the same story, across files: the corpus in numbers, then each
    group (most copies first)."""
    _check_html_output(output, to, paths)
    stdin = _stdin(paths, stdin_format)
    if engine == Engine.spark:
        full = _on_spark(lambda sp: sp.scan(paths, config, spark_master, sp.parse_conf(spark_conf or [])))
    else:
        with progress_for(_stderr(quiet), quiet) as progress:
            full = api.scan(paths, config, stdin=stdin, explain=explain, progress=progress)
    _report_inputs(_stderr(quiet), full.inputs, stdin)
    result = selection.select_scan(full, chosen)
    _check_group(chosen.group, [g.id for g in full.groups])
    if output == ScanFormat.parquet and to is not None:
        _write_parquet(result, to)
        _require_input(full.documents)
        return
    summary = selection.scan_summary(full, result)
    if chosen.summary:
        result = replace(result, groups=())
    _emit(
        output,
        lambda console: _scan_table(console, result, explain, summary, chosen.summary),
        lambda: {**json_report.scan_payload(result, stdin), "summary": summary.to_dict()},
        lambda: _with_summary(json_report.scan_lines(result, stdin), summary),
        look=look,
    )
    _require_input(result.documents)


def _scan_table(
    console: Console, result: api.ScanResult, explain: bool, summary: selection.Summary, summary_only: bool
) -> None:
    if summary_only:
        terminal.render_summary(console, summary)
        return
    terminal.render_scan(console, result, summary)
    if explain:
        for a, b, reason in result.rejections:
            a, b, reason = (escape(visible(part)) for part in (a, b, reason))
            console.print(f"[dim]rejected[/] {a} ~ {b}: {reason}", highlight=False)


@app.command()
@with_settings(TUNING_SETTINGS)
@with_selection
@with_look
def report(
    paths: PathsArgument,
    config: Config,
    chosen: Selection,
    look: Look,
    output: ReportFormatOption = ReportFormat.table,
    quiet: QuietOption = False,
    html_to: HtmlOutOption = None,
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference",
            "-r",
            help="Collate against the copy in this file or FILE#ID (the wire copy), wherever it is a witness.",
        ),
    ] = None,
    stdin_format: StdinFormatOption = StdinFormat.auto,
    no_lineage: Annotated[
        bool,
        typer.Option("--no-lineage", help="Leave out who copied whom (the copy tree of groups of 3+ copies)."),
    ] = False,
    engine: EngineOption = Engine.embedded,
    spark_master: SparkMasterOption = "local[*]",
    spark_conf: SparkConfOption = None,
) -> None:
    """Find the copies of each story and report what every copy dropped, reordered, changed or garbled."""
    _check_html_output(output, html_to, paths)
    if reference is not None:
        with _usage_errors():
            api.check_reference(reference)
    stdin = _stdin(paths, stdin_format)
    if engine == Engine.spark:
        conf = spark_conf or []
        full = _on_spark(lambda sp: sp.report(paths, config, spark_master, sp.parse_conf(conf), reference=reference))
    else:
        with progress_for(_stderr(quiet), quiet) as progress:
            full = api.report(paths, config, reference=reference, stdin=stdin, progress=progress)
    _report_inputs(_stderr(quiet), full.scan.inputs, stdin)
    if output == ReportFormat.parquet and html_to is not None:
        _check_group(chosen.group, [g.group.id for g in full.groups])
        _write_parquet(selection.select(full, chosen), html_to)
        _require_input(full.scan.documents)
        return
    warnings = api.reference_warnings(full, reference)
    for message in warnings:
        _warn(message)
    _check_group(chosen.group, [g.group.id for g in full.groups])
    result = selection.select(full, chosen)
    summary = selection.report_summary(full, result)
    if chosen.summary:
        result = replace(result, groups=())
    shown = {g.group.id for g in result.groups}  # lineage reads every finding, whatever --kind shows
    lineages = (
        None if no_lineage else api.lineages(replace(full, groups=tuple(g for g in full.groups if g.group.id in shown)))
    )
    _emit(
        output,
        lambda console: (
            terminal.render_summary(console, summary)
            if chosen.summary
            else terminal.render_report(console, result, lineages, summary)
        ),
        lambda: {**json_report.report_payload(result, warnings, stdin, lineages), "summary": summary.to_dict()},
        lambda: _with_summary(json_report.report_lines(result, warnings, stdin, lineages), summary),
        html_to,
        look,
    )
    _require_input(full.scan.documents)


@app.command()
@with_look
def diff(
    look: Look,
    reference: Annotated[
        str,
        typer.Argument(
            metavar="REFERENCE",
            help="The reference: FILE, FILE:N (line N), FILE:START-END (lines from 1), FILE#ID, or -.",
            show_default=False,
        ),
    ],
    copy: Annotated[str, typer.Argument(metavar="COPY", help="The copy, given the same way.", show_default=False)],
    output: ReportFormatOption = ReportFormat.table,
    html_to: HtmlOutOption = None,
    stdin_format: StdinFormatOption = StdinFormat.auto,
) -> None:
    """What COPY did to REFERENCE, paragraph by paragraph. Exit 0 if no findings, 1 if any, 2 on trouble."""
    _check_html_output(output, html_to, [reference, copy])
    with _usage_errors():
        sides = (api.parse_side(reference), api.parse_side(copy))
    result = api.diff(*sides, stdin=_stdin([side.path for side in sides], stdin_format))
    if result.problem is not None:
        _error(result.problem)
    _emit(
        output,
        lambda console: _diff_table(console, result),
        lambda: _diff_payload(result),
        lambda: _diff_lines(result),
        html_to,
        look,
    )
    if result.result is None:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_FINDINGS if result.findings else EXIT_OK)


def _diff_table(console: Console, diff: api.Diff) -> None:
    """The strip of what the copy did to each reference paragraph, then each finding; nothing when a side
    could not be read (the error is on stderr)."""
    if diff.result is None:
        return
    console.print(terminal.strip_legend())
    terminal.render_strip(console, "", diff.result.strip, diff.result.findings)
    for finding, quote in zip(diff.result.findings, diff.quoted, strict=True):
        terminal.render_finding(console, finding, quote)
    if not diff.result.findings:
        console.print("no differences beyond layout", style="dim")


def _diff_payload(diff: api.Diff) -> dict[str, Any]:
    payload = json_report.diff_payload(diff.reference, diff.copy, diff.inputs, diff.result, diff.quoted or None)
    if diff.problem is not None:
        payload["error"] = diff.problem
    return payload


def _diff_lines(diff: api.Diff) -> list[dict[str, Any]]:
    lines = list(json_report.diff_lines(diff.reference, diff.copy, diff.inputs, diff.result, diff.quoted or None))
    if diff.problem is not None:
        lines.append({"type": "error", "message": diff.problem})
    return lines


index_app = typer.Typer(help="A persistent index of a corpus, to check new drops against.", no_args_is_help=True)
app.add_typer(index_app, name="index")


def _index_add(
    paths: list[str], index_path: str, config: Config, quiet: bool, create: bool, stdin_format: StdinFormat
) -> None:
    """Sketch ``paths`` into the index, creating it first for ``index build``.

    A file that is no index, one built with other settings, or damage found while adding (the add is then
    rolled back) ends the run with the reason, exit 2.
    """
    opening = api.Index.building if create else api.Index.open
    with _usage_errors():
        outfiles.check_index_writable(index_path)
    with _usage_errors(), opening(index_path, config) as index:
        stdin = _stdin(paths, stdin_format)
        with progress_for(_stderr(quiet), quiet) as progress:
            done = api.add_to_index(paths, index, config, stdin=stdin, progress=progress)
        _report_inputs(_stderr(quiet), done.inputs, stdin)
        total = index.count()
    held = f"; {done.unchanged} already held with the same content, skipped" if done.unchanged else ""
    added = f"added {done.added} document(s) to {escape(index_path)} ({total} in all){held}"
    _stderr(quiet).print(added, highlight=False)
    for path in done.replaced:
        _stderr(quiet).print(f"[cyan]note[/] {escape(path)}: new content replaced the indexed copy", highlight=False)
    if not done.added and all(r.status == "skipped" for r in done.inputs):
        raise typer.Exit(EXIT_USAGE)


def _index_command(create: bool, summary: str) -> Callable[..., None]:
    """``index build`` (``create``) or ``index add``: the same options, one function, told apart by ``create``."""

    def command(
        paths: PathsArgument,
        config: Config,
        index: IndexOption,
        quiet: QuietOption = False,
        stdin_format: StdinFormatOption = StdinFormat.auto,
    ) -> None:
        _index_add(paths, index, config, quiet, create, stdin_format)

    command.__doc__ = summary
    return with_settings(TUNING_SETTINGS)(command)


index_app.command("build")(
    _index_command(True, "Create an index from a corpus (refuses to replace an existing file); it keeps the settings.")
)
index_app.command("add")(
    _index_command(False, "Add documents to an index, atomically: an interrupted add leaves the index as it was.")
)


@index_app.command("info")
def index_info(index: IndexOption) -> None:
    """Counts, size per document and the settings an index was built with."""
    with _usage_errors(), api.Index.open(index) as opened:
        sys.stdout.write(json_report.dumps(opened.info()) + "\n")


@app.command()
@with_settings(TUNING_SETTINGS)
@with_look
def check(
    paths: PathsArgument,
    config: Config,
    look: Look,
    index: IndexOption,
    output: FormatOption = OutputFormat.table,
    quiet: QuietOption = False,
    max_dup_rate: Annotated[
        float | None,
        typer.Option("--max-dup-rate", min=0.0, max=1.0, help="Fail when more of the drop than this reprints."),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option("--fail-on", help="Fail when a drop copy shows these finding kinds, e.g. dropped,garbled."),
    ] = None,
    junit: Annotated[str | None, typer.Option("--junit", help="Write a JUnit XML report here.")] = None,
    unique: Annotated[
        str | None,
        typer.Option("--unique", help="Write the drop documents that reprint nothing here (.jsonl: with text)."),
    ] = None,
    unique0: Annotated[
        str | None,
        typer.Option("--unique0", help="The same paths, each ended by NUL, for xargs -0 (names may hold newlines)."),
    ] = None,
    stdin_format: StdinFormatOption = StdinFormat.auto,
) -> None:
    """Check a new drop against an index and within itself. Exit 0 pass, 1 a gate failed, 2 usage or input error."""
    try:
        kinds = api.finding_kinds(fail_on or "")
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    with _usage_errors():  # before the work: a CI run must not find out after ten minutes
        outfiles.check_output_files({"--junit": junit, "--unique": unique, "--unique0": unique0}, paths)
    with _usage_errors(), api.Index.open(index, config) as opened:  # damage found midway is trouble too
        stdin = _stdin(paths, stdin_format)
        with progress_for(_stderr(quiet), quiet) as progress:
            result = api.check(
                paths, opened, config, max_dup_rate=max_dup_rate, fail_on=kinds, stdin=stdin, progress=progress
            )
    _report_inputs(_stderr(quiet), result.scan.inputs, stdin)
    _emit(
        output,
        lambda console: terminal.render_check(console, result),
        lambda: json_report.check_payload(result, stdin),
        lambda: json_report.check_lines(result, stdin),
        look=look,
    )
    with _usage_errors():
        if junit:
            outfiles.write_atomic("--junit", junit, junit_xml(result).encode("utf-8"))
        if unique:
            text = api.unique_documents(result, with_text=unique.endswith(".jsonl"))
            outfiles.write_atomic("--unique", unique, outfiles.encoded_lines(text, unique.endswith(".jsonl")))
        if unique0:
            outfiles.write_atomic("--unique0", unique0, outfiles.nul_ended(d.path for d in result.drop if d.unique))
    _require_input(result.drop, "no drop document could be read")
    raise typer.Exit(EXIT_OK if result.passed else EXIT_FINDINGS)
