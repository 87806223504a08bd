"""The ``dedup`` command: parse options, call the library, choose a renderer. Nothing else lives here.

Exit codes follow diff and grep: 0 clean, 1 findings over a gate, 2 usage or input error (including a run
where no input could be read at all). Output cut short by a closed pipe (``dedup report … | head``) ends
quietly with 141, what a shell reports for a command killed by SIGPIPE (128 + 13), never 1 or 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from dedup import __version__
from dedup.config import CandidateConfig, Config, FingerprintConfig, NormalizeConfig
from dedup.ingest.load import (
    STDIN,
    StdinInput,
    input_record,
    load,
    named_document,
    read_stdin,
    repeated_id_note,
    stdin_input,
)
from dedup.pipeline.scan import ScanResult
from dedup.pipeline.scan import scan as run_scan
from dedup.prepare import Prepared, prepare
from dedup.records import Document, InputRecord, Skipped
from dedup.render import json as json_report
from dedup.render import terminal
from dedup.render.junit import junit_xml

if TYPE_CHECKING:
    from typer import _click as click  # typer's own copy of click, whose classes its commands derive from

    from dedup.collate.align import FindingKind
    from dedup.gate.check import CheckResult
    from dedup.pipeline.report import Report
    from dedup.store.index import Index

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_PIPE = 141  # 128 + SIGPIPE: the reader of our output went away


@contextmanager
def _closed_pipe_exits() -> Iterator[None]:
    """A reader that closed the pipe (``| head``) ends the run quietly with :data:`EXIT_PIPE`.

    Python ignores SIGPIPE, so a write to a closed pipe raises ``BrokenPipeError``, which click would turn
    into exit 1 (our "findings"). Standard output is pointed at the null device first, so that the final
    flush at exit cannot raise again (the recipe in the notes on SIGPIPE of the ``signal`` documentation).
    Rich, printing typer's help, does the same but exits 1: that exit is recognised by the null device it
    leaves on standard output.
    """
    try:
        yield
    except BrokenPipeError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):  # not a real file (a test runner's buffer): nothing left to flush
            pass
        raise typer.Exit(EXIT_PIPE) from None
    except SystemExit as exc:
        if exc.code == 1 and _stdout_is_null():
            raise typer.Exit(EXIT_PIPE) from None
        raise


def _stdout_is_null() -> bool:
    try:
        return os.path.samestat(os.fstat(sys.stdout.fileno()), os.stat(os.devnull))
    except (OSError, ValueError):
        return False


class _Console(Console):
    """A console that leaves a closed pipe to :func:`_closed_pipe_exits` (rich's own handler exits 1)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def _flag_metavars(params: list[click.Parameter]) -> list[click.Parameter]:
    """Flags take no value: show none in help (typer would print ``--version <bool>``)."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
    return params


class _Group(TyperGroup):
    """The command group: closed pipes end quietly (:func:`_closed_pipe_exits`); flags show no value."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _closed_pipe_exits():  # ``dedup --help | head -1`` prints help while parsing
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with _closed_pipe_exits():
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # a closed pipe shows here at the latest, not at interpreter exit

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _flag_metavars(super().get_params(ctx))


class _Command(TyperCommand):
    """A command whose help shows arguments as ``PATH...`` (not ``{paths}...``) and flags without a value."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _flag_metavars(super().get_params(ctx))

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = param.metavar or (param.name or "").upper()
                name += "..." if param.nargs != 1 else ""
                pieces.append(name if param.required else f"[{name}]")
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


app = typer.Typer(
    name="dedup",
    help="Find reprints of the same story in Chinese news and report what each copy changed.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
    cls=_Group,
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
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress, skip messages or notes on stderr.")]
PathsArgument = Annotated[
    list[str],
    typer.Argument(
        metavar="PATH",
        help="Files, directories (recursive) or - for stdin: .txt .md .html .jsonl; FILE#ID for one JSONL document.",
        show_default=False,
    ),
]


class StdinFormat(StrEnum):
    """How ``-`` (standard input) is read."""

    auto = "auto"
    text = "text"
    markdown = "markdown"
    html = "html"
    jsonl = "jsonl"


StdinFormatOption = Annotated[
    StdinFormat,
    typer.Option(
        "--stdin-format",
        help='How to read - : auto recognises JSONL (a first line that is a JSON object with "text") and HTML'
        " (starting with a tag such as <html> or <p>), else text.",
    ),
]


def _stdout() -> Console:
    return _Console(soft_wrap=False, emoji=False)


def _stderr(quiet: bool) -> Console:
    return _Console(stderr=True, quiet=quiet, soft_wrap=True, emoji=False)


def _error(message: str) -> None:
    """An error on stderr (never hidden by ``--quiet``); ``message`` is escaped, it may quote the user."""
    _stderr(False).print(f"[red]error:[/] {escape(message)}", highlight=False)


def _warn(message: str) -> None:
    _stderr(False).print(f"[yellow]warning:[/] {escape(message)}", highlight=False)


@contextmanager
def _reading_stdin(paths: Iterable[str], requested: StdinFormat) -> Iterator[StdinInput | None]:
    """Read standard input once, up front, if ``-`` is among ``paths``, in the format requested or sniffed,
    so that the run can say which format it used; every stage that loads ``-`` reads these bytes."""
    if STDIN not in paths:
        yield None
        return
    with stdin_input(read_stdin(sys.stdin.buffer.read(), requested.value)) as given:
        yield given


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


def _report_inputs(console: Console, records: list[InputRecord], stdin: StdinInput | None = None) -> None:
    """On stderr: each skipped input with its reason, each renamed JSONL document (a repeated id), and the
    format standard input was recognised as, when not plain text."""
    skipped = [Skipped(r.path, r.reason or "") for r in records if r.status == "skipped"]
    terminal.render_skipped(console, skipped)
    paths = {r.path for r in records}
    for record in records:
        note = repeated_id_note(record.path, paths)
        if note is not None:
            console.print(f"[cyan]note[/] {escape(note)}", highlight=False)
    if stdin is not None and stdin.sniffed and stdin.format != "text":
        console.print(f"[cyan]note[/] - read as {stdin.format} (recognised; choose with --stdin-format)")


def _write_lines(records: Iterable[dict[str, Any]]) -> None:
    for record in records:
        sys.stdout.write(json_report.dumps_line(record) + "\n")


@app.command(cls=_Command)
def normalize(
    paths: PathsArgument,
    output: FormatOption = OutputFormat.table,
    quiet: QuietOption = False,
    no_unwrap: Annotated[bool, typer.Option("--no-unwrap", help="Keep the raw line structure.")] = False,
    no_t2s: Annotated[bool, typer.Option("--no-t2s", help="Keep Traditional script as it is.")] = False,
    stdin_format: StdinFormatOption = StdinFormat.auto,
) -> None:
    """Show what the matcher sees: paragraphs after normalization, their raw lines, and the notes."""
    config = Config(normalize=NormalizeConfig(to_simplified=not no_t2s, unwrap=not no_unwrap))
    with _reading_stdin(paths, stdin_format) as stdin:
        documents, records = _collect(paths, config.normalize)
    _report_inputs(_stderr(quiet), records, stdin)
    if output is OutputFormat.table:
        terminal.render_normalized(_stdout(), documents)
    elif output is OutputFormat.json:
        payload = json_report.normalized_payload(records, documents, config, stdin)
        sys.stdout.write(json_report.dumps(payload) + "\n")
    else:
        _write_lines(json_report.normalized_lines(records, documents, stdin))
    if not documents:
        _error("no input could be read")
        raise typer.Exit(EXIT_USAGE)


@app.command(cls=_Command)
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
    stdin_format: StdinFormatOption = StdinFormat.auto,
) -> None:
    """Find the passages that are copies of the same story, across files."""
    config = Config(
        fingerprint=FingerprintConfig(ngram=ngram, num_perm=num_perm),
        candidates=CandidateConfig(threshold=threshold),
    )
    with _reading_stdin(paths, stdin_format) as stdin:
        result = _scan_with_progress(paths, config, quiet, explain)
    _report_inputs(_stderr(quiet), list(result.inputs), stdin)
    if output is OutputFormat.table:
        console = _stdout()
        terminal.render_scan(console, result)
        if explain:
            for a, b, reason in result.rejections:
                console.print(f"[dim]rejected[/] {escape(a)} ~ {escape(b)}: {escape(reason)}", highlight=False)
    elif output is OutputFormat.json:
        sys.stdout.write(json_report.dumps(json_report.scan_payload(result, stdin)) + "\n")
    else:
        _write_lines(json_report.scan_lines(result, stdin))
    if not result.documents:
        _error("no input could be read")
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


@app.command(cls=_Command)
def report(
    paths: PathsArgument,
    output: FormatOption = OutputFormat.table,
    quiet: QuietOption = False,
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference",
            "-r",
            help="Collate against the copy in this file or FILE#ID (the wire copy), wherever it is a witness.",
        ),
    ] = None,
    stdin_format: StdinFormatOption = StdinFormat.auto,
) -> None:
    """Find the copies of each story and report what every copy dropped, reordered, changed or garbled."""
    from dedup.pipeline.report import report as run_report

    if reference is not None:
        _check_reference(reference)
    with _reading_stdin(paths, stdin_format) as stdin:
        result = run_report(paths, Config(), reference=reference)
    _report_inputs(_stderr(quiet), list(result.scan.inputs), stdin)
    warnings = _reference_warnings(result, reference)
    for message in warnings:
        _warn(message)
    if output is OutputFormat.table:
        terminal.render_report(_stdout(), result)
    elif output is OutputFormat.json:
        sys.stdout.write(json_report.dumps(json_report.report_payload(result, warnings, stdin)) + "\n")
    else:
        _write_lines(json_report.report_lines(result, warnings, stdin))
    if not result.scan.documents:
        _error("no input could be read")
        raise typer.Exit(EXIT_USAGE)


def _check_reference(reference: str) -> None:
    """``--reference`` must name something that exists: a file, a document ``FILE#ID``, or stdin (``-``, or
    ``-#ID`` for a JSONL document read from it)."""
    if reference == STDIN or reference.startswith(STDIN + "#") or Path(reference).exists():
        return
    if named_document(reference) is not None:
        (item, *_) = load([reference])
        if isinstance(item, Skipped):
            _error(f"--reference {reference}: {item.reason}")
            raise typer.Exit(EXIT_USAGE)
        return
    _error(f"--reference {reference}: no such file or directory; name one of the input files, or FILE#ID")
    raise typer.Exit(EXIT_USAGE)


def _reference_warnings(result: Report, reference: str | None) -> list[str]:
    """A ``--reference`` that is no group's witness changes nothing: say so rather than be ignored."""
    from dedup.pipeline.report import is_reference, same_document

    if reference is None:
        return []
    if any(is_reference(w, reference) for g in result.groups for w in g.group.witnesses):
        return []
    fallback = "each group was collated against its own best copy" if result.groups else "no group was found"
    if not any(same_document(d.path, reference) for d in result.scan.documents):
        return [f"--reference {reference} is not among the inputs read, so it is no group's witness; {fallback}"]
    return [f"--reference {reference} is not a witness of any group; {fallback}"]


@app.command(cls=_Command)
def diff(
    reference: Annotated[
        str,
        typer.Argument(
            metavar="REFERENCE",
            help="The reference: FILE, FILE:N (line N), FILE:START-END (lines from 1), FILE#ID, or -.",
            show_default=False,
        ),
    ],
    copy: Annotated[
        str,
        typer.Argument(metavar="COPY", help="The copy, given the same way.", show_default=False),
    ],
    output: FormatOption = OutputFormat.table,
    stdin_format: StdinFormatOption = StdinFormat.auto,
) -> None:
    """What COPY did to REFERENCE, paragraph by paragraph. Exit 0 if no findings, 1 if any, 2 on trouble."""
    from dedup.collate.align import collate
    from dedup.collate.quoting import QuotedFinding, quote_findings, witness_reference
    from dedup.pipeline.report import read_witness

    sides = [_diff_side(reference), _diff_side(copy)]
    with _reading_stdin([path for path, _ in sides], stdin_format):
        records = [_diff_input(path) for path, _ in sides]
        problem = next((f"{r.path}: {r.reason}" for r in records if r.status == "skipped"), None)
        result = None
        quoted: list[QuotedFinding] = []
        if problem is None:
            try:
                texts = [read_witness(sides[0][1], None, "A"), read_witness(sides[1][1], None, "B")]
            except ValueError as exc:
                problem = str(exc)
            else:
                result = collate(texts, 0, f"{reference} given as the reference").witnesses[1]
                quoted = list(quote_findings(result, witness_reference(texts[0]), texts[1]))
    if problem is not None:
        _error(problem)
    if output is OutputFormat.table:
        if result is not None:
            console = _stdout()
            console.print(terminal.strip_legend())
            terminal.render_strip(console, "", result.strip, result.findings)
            for finding, quote in zip(result.findings, quoted, strict=True):
                terminal.render_finding(console, finding, quote)
            if not result.findings:
                console.print("no differences beyond layout", style="dim")
    elif output is OutputFormat.json:
        payload = json_report.diff_payload(reference, copy, records, result, quoted or None)
        if problem is not None:
            payload["error"] = problem
        sys.stdout.write(json_report.dumps(payload) + "\n")
    else:
        lines = list(json_report.diff_lines(reference, copy, records, result, quoted or None))
        if problem is not None:
            lines.append({"type": "error", "message": problem})
        _write_lines(lines)
    if result is None:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_FINDINGS if result.findings else EXIT_OK)


def _diff_side(spec: str) -> tuple[str, str]:
    """The path a ``dedup diff`` argument reads, and the argument as ``FILE`` or ``FILE:START-END``.

    ``FILE:N`` is line N; lines count from 1. A ``:N`` or ``:N-M`` suffix is a line range, also after
    ``FILE#ID``, unless the whole argument names a file or a JSONL document (an id may hold a colon).
    """
    if spec == STDIN or Path(spec).exists():
        return spec, spec
    if named_document(spec) is not None and any(isinstance(item, Document) for item in load([spec])):
        return spec, spec
    head, sep, lines = spec.rpartition(":")
    first, dash, last = lines.partition("-")
    if not sep or not head:
        return spec, spec
    if not (first.isdigit() and (last.isdigit() if dash else True)):
        if Path(head).is_file() or named_document(head) is not None:
            _error(f"{spec}: {lines!r} is not a line range; give FILE:N or FILE:START-END (lines count from 1)")
            raise typer.Exit(EXIT_USAGE)
        return spec, spec  # no such file: loading says so
    start, end = int(first), int(last) if dash else int(first)
    if start == 0 or end == 0:
        _error(f"{spec}: there is no line 0; lines count from 1")
        raise typer.Exit(EXIT_USAGE)
    if end < start:
        _error(f"{spec}: the range ends (line {end}) before it starts (line {start})")
        raise typer.Exit(EXIT_USAGE)
    return head, f"{head}:{start}-{end}"


def _diff_input(path: str) -> InputRecord:
    """How one side of ``dedup diff`` was read: one document, or a skip with the reason."""
    items = list(load([path]))
    documents = [i for i in items if not isinstance(i, Skipped)]
    if len(documents) > 1:
        hint = " (name one as FILE#ID)" if named_document(documents[0].path) else ""
        return InputRecord(path, "skipped", reason=f"holds {len(documents)} documents; diff takes one per side{hint}")
    if not items:
        return InputRecord(path, "skipped", reason="nothing to read")
    return input_record(documents[0] if documents else items[0])


index_app = typer.Typer(
    help="A persistent index of a corpus, to check new drops against.", no_args_is_help=True, cls=_Group
)
app.add_typer(index_app, name="index")
IndexOption = Annotated[str, typer.Option("--index", "-i", help="The index file (SQLite).", show_default=False)]


def _open_index(path: str, config: Config, create: bool = False) -> Index:
    from dedup.store.index import Index, IndexFileError

    try:
        return Index.create(path, config) if create else Index.open(path, config)
    except IndexFileError as exc:
        _error(str(exc))
        raise typer.Exit(EXIT_USAGE) from exc


def _index_add(paths: list[str], index_path: str, quiet: bool, create: bool, stdin_format: StdinFormat) -> None:
    from dedup.gate.check import add_to_index
    from dedup.store.index import IndexFileError

    config = Config()
    with _open_index(index_path, config, create=create) as index, _reading_stdin(paths, stdin_format) as stdin:
        try:
            records, added = add_to_index(paths, index, config)
        except IndexFileError as exc:  # damage found while adding: the add is rolled back
            _error(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        _report_inputs(_stderr(quiet), records, stdin)
        total = index.count()
    _stderr(quiet).print(f"added {added} document(s) to {escape(index_path)} ({total} in all)", highlight=False)
    if not added and all(r.status == "skipped" for r in records):
        raise typer.Exit(EXIT_USAGE)


@index_app.command("build", cls=_Command)
def index_build(
    paths: PathsArgument,
    index: IndexOption,
    quiet: QuietOption = False,
    stdin_format: StdinFormatOption = StdinFormat.auto,
) -> None:
    """Create an index from a corpus (refuses to replace an existing file)."""
    _index_add(paths, index, quiet, True, stdin_format)


@index_app.command("add", cls=_Command)
def index_add(
    paths: PathsArgument,
    index: IndexOption,
    quiet: QuietOption = False,
    stdin_format: StdinFormatOption = StdinFormat.auto,
) -> None:
    """Add documents to an index, atomically: an interrupted add leaves the index as it was."""
    _index_add(paths, index, quiet, False, stdin_format)


@index_app.command("info", cls=_Command)
def index_info(index: IndexOption) -> None:
    """Counts, size per document and the settings an index was built with."""
    with _open_index(index, Config()) as opened:
        sys.stdout.write(json_report.dumps(opened.info()) + "\n")


def _kinds(value: str | None) -> tuple[FindingKind, ...]:
    from dedup.collate.align import KINDS

    if not value:
        return ()
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise typer.BadParameter(f"unknown kind(s) {', '.join(unknown)}; choose from {', '.join(KINDS)}")
    return kinds  # type: ignore[return-value]


@app.command(cls=_Command)
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
    stdin_format: StdinFormatOption = StdinFormat.auto,
) -> None:
    """Check a new drop against an index and within itself. Exit 0 pass, 1 a gate failed, 2 usage or input error."""
    from dedup.gate.check import check as run_check
    from dedup.store.index import IndexFileError

    kinds = _kinds(fail_on)
    config = Config()
    with _open_index(index, config) as opened, _reading_stdin(paths, stdin_format) as stdin:
        try:
            result = run_check(paths, opened, config, max_dup_rate=max_dup_rate, fail_on=kinds)
        except IndexFileError as exc:  # damage found while reading the index: trouble, not a failed gate
            _error(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
    _report_inputs(_stderr(quiet), list(result.scan.inputs), stdin)
    if output is OutputFormat.table:
        console = _stdout()
        terminal.render_check(console, result)
    elif output is OutputFormat.json:
        sys.stdout.write(json_report.dumps(json_report.check_payload(result, stdin)) + "\n")
    else:
        _write_lines(json_report.check_lines(result, stdin))
    if junit:
        Path(junit).write_text(junit_xml(result), encoding="utf-8")
    if unique:
        _write_unique(unique, result)
    if not result.drop:
        _error("no drop document could be read")
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
