"""The ``dedup`` command: parse options, call the library, choose a renderer. Nothing else lives here.

Exit codes follow diff and grep: 0 clean, 1 findings over a gate, 2 usage or input error (including a run
where no input could be read at all).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from dedup import __version__
from dedup.config import CandidateConfig, Config, FingerprintConfig, NormalizeConfig
from dedup.io import input_record
from dedup.prepare import Prepared, prepare
from dedup.records import InputRecord, Skipped
from dedup.render import json as json_report
from dedup.render import terminal
from dedup.scan import ScanResult
from dedup.scan import scan as run_scan

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

app = typer.Typer(
    name="dedup",
    help="Find reprints of the same story in Chinese news and report what each copy changed.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
)


class OutputFormat(StrEnum):
    """The one output option every command shares."""

    table = "table"
    json = "json"
    jsonl = "jsonl"


FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="table for people; json (the DESIGN.md contract) or jsonl for programs."),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or skip messages on stderr.")]
PathsArgument = Annotated[
    list[str],
    typer.Argument(help="Files, directories (recursive) or - for stdin: .txt .md .html .jsonl", show_default=False),
]


def _stdout() -> Console:
    return Console(soft_wrap=False)


def _stderr(quiet: bool) -> Console:
    return Console(stderr=True, quiet=quiet, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dedup {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """dedup: near-duplicate and version-diff analysis for Chinese news reprints."""


def _collect(paths: list[str], normalize_config: NormalizeConfig) -> tuple[list[Prepared], list[InputRecord]]:
    documents: list[Prepared] = []
    records: list[InputRecord] = []
    for item in prepare(paths, normalize_config):
        if isinstance(item, Skipped):
            records.append(input_record(item))
        else:
            documents.append(item)
            records.append(input_record(item.document))
    return documents, records


def _report_skips(console: Console, records: list[InputRecord]) -> None:
    skipped = [Skipped(r.path, r.reason or "") for r in records if r.status == "skipped"]
    terminal.render_skipped(console, skipped)


@app.command()
def normalize(
    paths: PathsArgument,
    output: FormatOption = OutputFormat.table,
    quiet: QuietOption = False,
    no_unwrap: Annotated[bool, typer.Option("--no-unwrap", help="Keep the raw line structure.")] = False,
    no_t2s: Annotated[bool, typer.Option("--no-t2s", help="Keep Traditional script as it is.")] = False,
) -> None:
    """Show what the matcher sees: paragraphs after normalization, their raw lines, and the notes."""
    config = Config(normalize=NormalizeConfig(to_simplified=not no_t2s, unwrap=not no_unwrap))
    documents, records = _collect(paths, config.normalize)
    _report_skips(_stderr(quiet), records)
    if output is OutputFormat.table:
        terminal.render_normalized(_stdout(), documents)
    elif output is OutputFormat.json:
        sys.stdout.write(json_report.dumps(json_report.normalized_payload(records, documents, config)) + "\n")
    else:
        import json

        for document in documents:
            sys.stdout.write(json.dumps(json_report.prepared_to_dict(document), ensure_ascii=False) + "\n")
    if not documents:
        _stderr(False).print("[red]error:[/] no input could be read", highlight=False)
        raise typer.Exit(EXIT_USAGE)


@app.command()
def scan(
    paths: PathsArgument,
    output: FormatOption = OutputFormat.table,
    quiet: QuietOption = False,
    ngram: Annotated[int, typer.Option(min=2, max=12, help="Characters per shingle.")] = FingerprintConfig().ngram,
    num_perm: Annotated[
        int, typer.Option("--num-perm", min=16, max=1024, help="MinHash permutations.")
    ] = FingerprintConfig().num_perm,
    threshold: Annotated[
        float, typer.Option(min=0.05, max=0.95, help="Jaccard threshold the LSH banding is tuned for.")
    ] = CandidateConfig().threshold,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also list every rejected candidate pair and boilerplate, with why.")
    ] = False,
) -> None:
    """Find the passages that are copies of the same story, across files."""
    config = Config(
        fingerprint=FingerprintConfig(ngram=ngram, num_perm=num_perm),
        candidates=CandidateConfig(threshold=threshold),
    )
    result = _scan_with_progress(paths, config, quiet, explain)
    _report_skips(_stderr(quiet), list(result.inputs))
    if output is OutputFormat.table:
        console = _stdout()
        terminal.render_scan(console, result)
        if explain:
            for a, b, reason in result.rejections:
                console.print(f"[dim]rejected[/] {escape(a)} ~ {escape(b)}: {escape(reason)}", highlight=False)
    elif output is OutputFormat.json:
        sys.stdout.write(json_report.dumps(json_report.scan_payload(result)) + "\n")
    else:
        import json

        for group in result.groups:
            sys.stdout.write(json.dumps(json_report.group_to_dict(group), ensure_ascii=False) + "\n")
    if not result.documents:
        _stderr(False).print("[red]error:[/] no input could be read", highlight=False)
        raise typer.Exit(EXIT_USAGE)


def _scan_with_progress(paths: list[str], config: Config, quiet: bool, explain: bool) -> ScanResult:
    """Run the scan with a progress display on stderr, shown only to a person at a terminal."""
    console = _stderr(quiet)
    if quiet or not console.is_terminal:
        return run_scan(paths, config, explain=explain)
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
    ) as bar:
        task = bar.add_task("reading", total=None)

        def progress(stage: str, done: int, total: int | None) -> None:
            bar.update(task, description=f"{stage} {done:,}", total=total, completed=done)

        return run_scan(paths, config, explain=explain, progress=progress)


@app.command()
def report(
    paths: PathsArgument,
    output: FormatOption = OutputFormat.table,
    quiet: QuietOption = False,
    reference: Annotated[
        str | None, typer.Option("--reference", "-r", help="Collate against the copy in this file (the wire copy).")
    ] = None,
) -> None:
    """Find the copies of each story and report what every copy dropped, reordered, changed or garbled."""
    from dedup.reporting import report as run_report

    result = run_report(paths, Config(), reference=reference)
    _report_skips(_stderr(quiet), list(result.scan.inputs))
    if output is OutputFormat.table:
        terminal.render_report(_stdout(), result)
    elif output is OutputFormat.json:
        sys.stdout.write(json_report.dumps(json_report.report_payload(result)) + "\n")
    else:
        import json

        for group in result.groups:
            sys.stdout.write(json.dumps(json_report.report_group_to_dict(group), ensure_ascii=False) + "\n")
    if not result.scan.documents:
        _stderr(False).print("[red]error:[/] no input could be read", highlight=False)
        raise typer.Exit(EXIT_USAGE)


@app.command()
def diff(
    reference: Annotated[str, typer.Argument(help="The reference: FILE or FILE:START-END.", show_default=False)],
    copy: Annotated[str, typer.Argument(help="The copy: FILE or FILE:START-END.", show_default=False)],
    output: FormatOption = OutputFormat.table,
) -> None:
    """What COPY did to REFERENCE, paragraph by paragraph. Exit 0 if no findings, 1 if any, 2 on trouble."""
    from dedup.reporting import diff_texts

    try:
        collation = diff_texts(reference, copy)
    except ValueError as exc:
        _stderr(False).print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc
    result = collation.witnesses[1]
    if output is OutputFormat.table:
        console = _stdout()
        console.print(terminal.coverage_strip(result.strip))
        for finding in result.findings:
            terminal.render_finding(console, finding)
        if not result.findings:
            console.print("no differences beyond layout", style="dim")
    else:
        payload = {
            "schema_version": json_report.SCHEMA_VERSION,
            "reference": reference,
            "copy": copy,
            "strip": list(result.strip),
            "findings": [json_report.finding_to_dict(f) for f in result.findings],
        }
        sys.stdout.write(json_report.dumps(payload) + "\n")
    raise typer.Exit(EXIT_FINDINGS if result.findings else EXIT_OK)
