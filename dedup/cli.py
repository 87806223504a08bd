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
import warnings as python_warnings
from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from dedup import __version__, api
from dedup.cli_io import (
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_UNRELATED,
    EXIT_USAGE,
    check_group,
    check_output_option,
    emit,
    err_console,
    error,
    on_spark,
    report_inputs,
    require_input,
    stdin_once,
    usage_errors,
    warn,
    with_summary,
    write_parquet_tables,
    write_tables_on_spark,
    writes_from_executors,
)
from dedup.cli_options import (
    NORMALIZE_SETTINGS,
    TUNING_SETTINGS,
    CommandGroup,
    Engine,
    EngineOption,
    FormatOption,
    HtmlOutOption,
    IndexOption,
    MemoryLimitOption,
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
    with_view,
)
from dedup.config import Config
from dedup.render import json as json_report
from dedup.render import output as outfiles
from dedup.render import selection, terminal
from dedup.render.console import Look
from dedup.render.controls import visible
from dedup.render.findings import View, fitted
from dedup.render.info import render_index_info
from dedup.render.junit import junit_xml
from dedup.render.progress import progress_for
from dedup.render.selection import Selection


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
            error("interrupted before finishing (an index add or build in progress is rolled back)")
            sys.exit(EXIT_INTERRUPTED)
        except Terminated:
            error("terminated by SIGTERM before finishing (an index add or build in progress is rolled back)")
            sys.exit(EXIT_TERMINATED)
        except Exception as exc:  # anything else: one line and exit 2, never 1 ("findings") or a traceback
            if os.environ.get("DEDUP_TRACEBACK"):
                raise
            error(outfiles.crash_line(exc))
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
    cls=CommandGroup,
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish (and PowerShell)
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
)


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
    stdin = stdin_once(paths, stdin_format)
    result = api.normalize_inputs(paths, config.normalize, stdin)
    report_inputs(err_console(quiet), result.inputs, stdin)
    emit(
        output,
        lambda console: terminal.render_normalized(console, result.documents),
        lambda: json_report.normalized_payload(result.inputs, result.documents, config, stdin),
        lambda: json_report.normalized_lines(result.inputs, result.documents, config, stdin),
        look=look,
    )
    require_input(result.documents)


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
    memory_limit: MemoryLimitOption = None,
) -> None:
    """Find the passages that are copies of the same story, across files: the corpus in numbers, then each
    group (most copies first)."""
    check_output_option(output, to, paths)
    stdin = stdin_once(paths, stdin_format)
    if to is not None and writes_from_executors(engine == Engine.spark, output, chosen):
        conf = spark_conf or []
        write_tables_on_spark(
            err_console(quiet), to, lambda sp: sp.write_tables(paths, to, config, spark_master, sp.parse_conf(conf))
        )
        return
    if engine == Engine.spark:
        full = on_spark(lambda sp: sp.scan(paths, config, spark_master, sp.parse_conf(spark_conf or [])))
    else:
        with progress_for(err_console(quiet), quiet) as progress:
            full = api.scan(paths, config, stdin=stdin, explain=explain, progress=progress, memory_limit=memory_limit)
    report_inputs(err_console(quiet), full.inputs, stdin)
    result = selection.select_scan(full, chosen)
    check_group(chosen.group, [g.id for g in full.groups])
    if output == ScanFormat.parquet and to is not None:
        write_parquet_tables(result, to)
        require_input(full.documents)
        return
    summary = selection.scan_summary(full, result)
    if chosen.summary:
        result = replace(result, groups=())
    emit(
        output,
        lambda console: _scan_table(console, result, explain, summary, chosen.summary),
        lambda: {**json_report.scan_payload(result, stdin), "summary": summary.to_dict()},
        lambda: with_summary(json_report.scan_lines(result, stdin), summary),
        look=look,
    )
    require_input(result.documents)


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
@with_view
def report(
    paths: PathsArgument,
    config: Config,
    chosen: Selection,
    look: Look,
    view: View,
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
    check_output_option(output, html_to, paths)
    if reference is not None:
        with usage_errors():
            api.check_reference(reference)
    stdin = stdin_once(paths, stdin_format)
    if html_to is not None and writes_from_executors(engine == Engine.spark, output, chosen):
        conf = spark_conf or []
        write_tables_on_spark(
            err_console(quiet),
            html_to,
            lambda sp: sp.write_tables(
                paths, html_to, config, spark_master, sp.parse_conf(conf), collate=True, reference=reference
            ),
        )
        return
    if engine == Engine.spark:
        conf = spark_conf or []
        full = on_spark(lambda sp: sp.report(paths, config, spark_master, sp.parse_conf(conf), reference=reference))
    else:
        with progress_for(err_console(quiet), quiet) as progress, python_warnings.catch_warnings(action="ignore"):
            full = api.report(paths, config, reference=reference, stdin=stdin, progress=progress)  # warned below
    report_inputs(err_console(quiet), full.scan.inputs, stdin)
    if output == ReportFormat.parquet and html_to is not None:
        check_group(chosen.group, [g.group.id for g in full.groups])
        write_parquet_tables(selection.select(full, chosen), html_to)
        require_input(full.scan.documents)
        return
    warnings = api.reference_warnings(full, reference)
    for message in warnings:
        warn(message)
    check_group(chosen.group, [g.group.id for g in full.groups])
    result = selection.select(full, chosen)
    summary = selection.report_summary(full, result)
    if chosen.summary:
        result = replace(result, groups=())
    shown = {g.group.id for g in result.groups}  # lineage reads every finding, whatever --kind shows
    lineages = (
        None if no_lineage else api.lineages(replace(full, groups=tuple(g for g in full.groups if g.group.id in shown)))
    )
    emit(
        output,
        lambda console: (
            terminal.render_summary(console, summary)
            if chosen.summary
            else terminal.render_report(console, result, lineages, summary, fitted(view, console, warn))
        ),
        lambda: {**json_report.report_payload(result, warnings, stdin, lineages), "summary": summary.to_dict()},
        lambda: with_summary(json_report.report_lines(result, warnings, stdin, lineages), summary),
        html_to,
        look,
    )
    require_input(full.scan.documents)


@app.command()
@with_look
@with_view
def diff(
    look: Look,
    view: View,
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
    quiet: QuietOption = False,  # diff has only errors to say on stderr; accepted like every command's
    html_to: HtmlOutOption = None,
    stdin_format: StdinFormatOption = StdinFormat.auto,
) -> None:
    """What COPY did to REFERENCE, paragraph by paragraph. Exit 0 if no findings, 1 if any, 2 on trouble,
    3 if the two texts are unrelated (they share less than a tenth of each other)."""
    check_output_option(output, html_to, [reference, copy])
    with usage_errors():
        sides = (api.parse_side(reference), api.parse_side(copy))
    result = api.diff(*sides, stdin=stdin_once([side.path for side in sides], stdin_format))
    if result.problem is not None:
        error(result.problem)
    emit(
        output,
        lambda console: terminal.render_diff(console, result, fitted(view, console, warn)),
        lambda: _diff_payload(result),
        lambda: _diff_lines(result),
        html_to,
        look,
    )
    if result.result is None:
        raise typer.Exit(EXIT_USAGE)
    if result.overview is not None and result.overview.unrelated:
        raise typer.Exit(EXIT_UNRELATED)
    raise typer.Exit(EXIT_FINDINGS if result.findings else EXIT_OK)


def _diff_payload(diff: api.Diff) -> dict[str, Any]:
    overview = diff.overview.to_dict() if diff.overview is not None else None
    payload = json_report.diff_payload(
        diff.reference, diff.copy, diff.inputs, diff.result, diff.quoted or None, overview
    )
    if diff.problem is not None:
        payload["error"] = diff.problem
    return payload


def _diff_lines(diff: api.Diff) -> list[dict[str, Any]]:
    overview = diff.overview.to_dict() if diff.overview is not None else None
    lines = list(
        json_report.diff_lines(diff.reference, diff.copy, diff.inputs, diff.result, diff.quoted or None, overview)
    )
    if diff.problem is not None:
        lines.append({"type": "error", "message": diff.problem})
    return lines


index_app = typer.Typer(help="A persistent index of a corpus, to check new drops against.", no_args_is_help=True)
app.add_typer(index_app, name="index")


def _index_add(
    paths: list[str],
    index_path: str,
    config: Config,
    quiet: bool,
    create: bool,
    stdin_format: StdinFormat,
    output: OutputFormat = OutputFormat.table,
) -> None:
    """Sketch ``paths`` into the index, creating it first for ``index build``.

    A file that is no index, one built with other settings, or damage found while adding (the add is then
    rolled back) ends the run with the reason, exit 2.
    """
    opening = api.Index.building if create else api.Index.open
    with usage_errors():
        outfiles.check_index_writable(index_path)
    with usage_errors(), opening(index_path, config) as index:
        stdin = stdin_once(paths, stdin_format)
        with progress_for(err_console(quiet), quiet) as progress:
            done = api.add_to_index(paths, index, config, stdin=stdin, progress=progress)
        report_inputs(err_console(quiet), done.inputs, stdin)
        total = index.count()
    if output != OutputFormat.table:  # for programs: the same counts on stdout
        payload = json_report.added_payload(index_path, done, total, config, stdin)
        emit(output, lambda _: None, lambda: payload, lambda: json_report.added_lines(payload, config))
    else:
        held = f"; {done.unchanged} already held with the same content, skipped" if done.unchanged else ""
        added = f"added {done.added} document(s) to {escape(index_path)} ({total} in all){held}"
        err_console(quiet).print(added, highlight=False)
        for path in done.replaced:
            err_console(quiet).print(
                f"[cyan]note[/] {escape(path)}: new content replaced the indexed copy", highlight=False
            )
    if not done.added and all(r.status == "skipped" for r in done.inputs):
        raise typer.Exit(EXIT_USAGE)


def _index_command(create: bool, summary: str) -> Callable[..., None]:
    """``index build`` (``create``) or ``index add``: the same options, one function, told apart by ``create``."""

    def command(
        paths: PathsArgument,
        config: Config,
        index: IndexOption,
        output: FormatOption = OutputFormat.table,
        quiet: QuietOption = False,
        stdin_format: StdinFormatOption = StdinFormat.auto,
    ) -> None:
        _index_add(paths, index, config, quiet, create, stdin_format, output)

    command.__doc__ = summary
    return with_settings(TUNING_SETTINGS)(command)


index_app.command("build")(
    _index_command(True, "Create an index from a corpus (refuses to replace an existing file); it keeps the settings.")
)
index_app.command("add")(
    _index_command(False, "Add documents to an index, atomically: an interrupted add leaves the index as it was.")
)


@index_app.command("info")
@with_look
def index_info(
    index: IndexOption, look: Look, output: FormatOption = OutputFormat.table, quiet: QuietOption = False
) -> None:
    """Counts, size per document and the settings an index was built with."""
    with usage_errors(), api.Index.open(index) as opened:
        info = opened.info()
    emit(
        output,
        lambda console: render_index_info(console, info),
        lambda: info,
        lambda: [{"type": "index", **info}],
        look=look,
    )


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
    with usage_errors():  # before the work: a CI run must not find out after ten minutes
        outfiles.check_output_files({"--junit": junit, "--unique": unique, "--unique0": unique0}, paths)
    with usage_errors(), api.Index.open(index, config) as opened:  # damage found midway is trouble too
        stdin = stdin_once(paths, stdin_format)
        with progress_for(err_console(quiet), quiet) as progress:
            result = api.check(
                paths, opened, config, max_dup_rate=max_dup_rate, fail_on=kinds, stdin=stdin, progress=progress
            )
    report_inputs(err_console(quiet), result.scan.inputs, stdin)
    emit(
        output,
        lambda console: terminal.render_check(console, result),
        lambda: json_report.check_payload(result, stdin),
        lambda: json_report.check_lines(result, stdin),
        look=look,
    )
    with usage_errors():
        if junit:
            outfiles.write_atomic("--junit", junit, junit_xml(result).encode("utf-8"))
        if unique:
            text = api.unique_documents(result, with_text=unique.endswith(".jsonl"))
            outfiles.write_atomic("--unique", unique, outfiles.encoded_lines(text, unique.endswith(".jsonl")))
        if unique0:
            outfiles.write_atomic("--unique0", unique0, outfiles.nul_ended(d.path for d in result.drop if d.unique))
    require_input(result.drop, "no drop document could be read")
    raise typer.Exit(EXIT_OK if result.passed else EXIT_FINDINGS)
