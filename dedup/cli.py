"""The ``dedup`` command: parse options, call the library, choose a renderer. Nothing else lives here.

Exit codes follow diff and grep: 0 clean, 1 findings over a gate, 2 usage or input error (including a run
where no input could be read at all).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from dedup.check import CheckResult
    from dedup.collate import FindingKind
    from dedup.index import Index

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


index_app = typer.Typer(help="A persistent index of a corpus, to check new drops against.", no_args_is_help=True)
app.add_typer(index_app, name="index")
IndexOption = Annotated[str, typer.Option("--index", "-i", help="The index file (SQLite).", show_default=False)]


def _open_index(path: str, config: Config, create: bool = False) -> Index:
    from dedup.index import Index, IndexFileError

    try:
        return Index.create(path, config) if create else Index.open(path, config)
    except IndexFileError as exc:
        _stderr(False).print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from exc


def _index_add(paths: list[str], index_path: str, quiet: bool, create: bool) -> None:
    from dedup.check import add_to_index

    config = Config()
    with _open_index(index_path, config, create=create) as index:
        records, added = add_to_index(paths, index, config)
        _report_skips(_stderr(quiet), records)
        total = index.count()
    _stderr(quiet).print(f"added {added} document(s) to {escape(index_path)} ({total} in all)", highlight=False)
    if not added and all(r.status == "skipped" for r in records):
        raise typer.Exit(EXIT_USAGE)


@index_app.command("build")
def index_build(paths: PathsArgument, index: IndexOption, quiet: QuietOption = False) -> None:
    """Create an index from a corpus (refuses to replace an existing file)."""
    _index_add(paths, index, quiet, create=True)


@index_app.command("add")
def index_add(paths: PathsArgument, index: IndexOption, quiet: QuietOption = False) -> None:
    """Add documents to an index, atomically: an interrupted add leaves the index as it was."""
    _index_add(paths, index, quiet, create=False)


@index_app.command("info")
def index_info(index: IndexOption) -> None:
    """Counts, size per document and the settings an index was built with."""
    with _open_index(index, Config()) as opened:
        sys.stdout.write(json_report.dumps(opened.info()) + "\n")


def _kinds(value: str | None) -> tuple[FindingKind, ...]:
    from dedup.collate import KINDS

    if not value:
        return ()
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise typer.BadParameter(f"unknown kind(s) {', '.join(unknown)}; choose from {', '.join(KINDS)}")
    return kinds  # type: ignore[return-value]


@app.command()
def check(
    paths: PathsArgument,
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
) -> None:
    """Check a new drop against an index and within itself. Exit 0 pass, 1 a gate failed, 2 usage or input error."""
    from dedup.check import check as run_check

    kinds = _kinds(fail_on)
    config = Config()
    with _open_index(index, config) as opened:
        result = run_check(paths, opened, config, max_dup_rate=max_dup_rate, fail_on=kinds)
    _report_skips(_stderr(quiet), list(result.scan.inputs))
    if output is OutputFormat.table:
        console = _stdout()
        terminal.render_check(console, result)
    else:
        sys.stdout.write(json_report.dumps(json_report.check_payload(result)) + "\n")
    if junit:
        Path(junit).write_text(json_report.junit_xml(result), encoding="utf-8")
    if unique:
        _write_unique(unique, result)
    if not result.drop:
        _stderr(False).print("[red]error:[/] no drop document could be read", highlight=False)
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_OK if result.passed else EXIT_FINDINGS)


def _write_unique(target: str, result: CheckResult) -> None:
    """The drop documents worth keeping: paths one per line, or JSONL with their text."""
    import json

    keep = [d for d in result.drop if d.unique]
    if target.endswith(".jsonl"):
        texts = {d.path: d.raw for d in result.scan.documents}
        lines = [json.dumps({"path": d.path, "text": texts.get(d.path, "")}, ensure_ascii=False) for d in keep]
    else:
        lines = [d.path for d in keep]
    Path(target).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
