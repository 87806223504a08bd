"""The options ``dedup`` commands share, each defined once (sqlite-utils' ``output_options`` pattern).

The output format, ``--quiet``, the input paths, ``--stdin-format``, ``--index``, and the tuning settings of
:class:`~dedup.config.Config`, which :func:`with_settings` gives to every command that scans, so that
``scan --ngram 4`` and ``report --ngram 4`` can never mean different things.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Annotated, Any, cast

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from dedup.collate.records import KINDS, FindingKind
from dedup.config import Config
from dedup.match.candidates import banding
from dedup.render.console import Look
from dedup.render.findings import View
from dedup.render.selection import Selection, SortKey

# --- how the help shows arguments -----------------------------------------------------------------------------


class PlainArgument(TyperArgument):
    """A positional argument as Unix help writes it: ``PATH...`` in the usage line (typer writes ``{PATH}...``)
    and no type column (typer writes ``<list[str]>``, Python's spelling, which says nothing to a user)."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def get_usage_pieces(self, ctx: Any) -> list[str]:
        name = self.display_name_raw + ("..." if self.nargs != 1 else "")
        return [name if self.required else f"[{name}]"]


class CommandGroup(TyperGroup):
    """``dedup``'s command group: in its help and every command's, arguments shown as :class:`PlainArgument`
    and flags without a ``<bool>`` type (a flag takes no value)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        _plain_commands(self)

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_params(super().get_params(ctx))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        with plain_errors():
            return super().parse_args(ctx, args)


class PlainCommand(TyperCommand):
    """A command whose help and errors show its parameters as :class:`CommandGroup` says."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_params(super().get_params(ctx))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        with plain_errors():
            return super().parse_args(ctx, args)


# pydantic's wording, which typer passes on, as a person would say it
_PLAIN_WORDS = (
    (re.compile(r"^Value error, "), ""),
    (re.compile(r"^Input should be a valid integer.*"), "not a whole number"),
    (re.compile(r"^Input should be a valid number.*"), "not a number"),
    (re.compile(r"^Input should be greater than or equal to "), "must be at least "),
    (re.compile(r"^Input should be less than or equal to "), "must be at most "),
    (re.compile(r"^Input should be "), "must be "),
)


def plain_message(message: str) -> str:
    """A bad value's message without the validation library's wording.

    >>> plain_message("Value error, 'x' is not one of 'table', 'json'.")
    "'x' is not one of 'table', 'json'."
    >>> plain_message("Input should be greater than or equal to 2")
    'must be at least 2'
    """
    for pattern, plain in _PLAIN_WORDS:
        message = pattern.sub(plain, message)
    return message


@contextlib.contextmanager
def plain_errors() -> Iterator[None]:
    """Reword the message of a bad value (:func:`plain_message`) raised while a command's options are parsed."""
    try:
        yield
    except typer.BadParameter as exc:
        exc.message = plain_message(exc.message)
        raise


def _plain_commands(group: Any) -> None:
    for command in getattr(group, "commands", {}).values():
        if type(command) is TyperCommand:
            command.__class__ = PlainCommand  # the same object, its help shown differently; parsing untouched
        _plain_commands(command)


def _plain_params(params: list[Any]) -> list[Any]:
    for param in params:
        if type(param) is TyperArgument:
            param.__class__ = PlainArgument
        elif getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


# --- options shared by several commands, each defined once ----------------------------------------------------


class OutputFormat(StrEnum):
    """The one output option every command shares."""

    table = "table"
    json = "json"
    jsonl = "jsonl"


class ReportFormat(StrEnum):
    """``report`` and ``diff`` also write a self-contained HTML page (``--format html -o FILE``)."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    html = "html"
    parquet = "parquet"


class ScanFormat(StrEnum):
    """``scan`` also writes its groups as a Parquet table (``--format parquet -o DIR``)."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    parquet = "parquet"


class Engine(StrEnum):
    """Where the stages run: in this process and its workers, or on an Apache Spark cluster."""

    embedded = "embedded"
    spark = "spark"


class StdinFormat(StrEnum):
    """How ``-`` (standard input) is read."""

    auto = "auto"
    text = "text"
    markdown = "markdown"
    html = "html"
    jsonl = "jsonl"


FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format", "-f", help="table for people; json (one object) or jsonl (one record a line) for programs."
    ),
]
ReportFormatOption = Annotated[
    ReportFormat,
    typer.Option(
        "--format",
        "-f",
        help="table for people; json or jsonl for programs; html: one self-contained page to browse and share;"
        " parquet: groups and findings tables in the folder -o names.",
    ),
]
ScanFormatOption = Annotated[
    ScanFormat,
    typer.Option(
        "--format", "-f", help="table for people; json or jsonl for programs; parquet: a groups table in the folder -o."
    ),
]
EngineOption = Annotated[
    Engine,
    typer.Option(
        "--engine",
        help="embedded (this machine) or spark (pip install 'dedup[spark]'; Java 17): the same groups either way.",
        rich_help_panel="Engine",
    ),
]
SparkMasterOption = Annotated[
    str,
    typer.Option("--spark-master", help="With --engine spark: the master URL.", rich_help_panel="Engine"),
]
SparkConfOption = Annotated[
    list[str] | None,
    typer.Option(
        "--spark-conf",
        metavar="KEY=VALUE",
        help="With --engine spark: a Spark setting (repeatable), e.g. spark.executor.memory=8g.",
        rich_help_panel="Engine",
        show_default=False,
    ),
]
HtmlOutOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="With --format html: the file to write (default: standard output); with --format parquet: the folder.",
        show_default=False,
    ),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", metavar="", help="No progress, skip messages or notes on stderr.")
]
PathsArgument = Annotated[
    list[str],
    typer.Argument(
        metavar="PATH",
        help="Files, directories (recursive) or - for stdin: .txt .md .html .jsonl; FILE#ID for one JSONL document.",
        show_default=False,
    ),
]
StdinFormatOption = Annotated[
    StdinFormat,
    typer.Option(
        "--stdin-format",
        help='How to read - : auto recognises JSONL (a first line that is a JSON object with "text") and HTML'
        " (starting with a tag such as <html> or <p>), else text.",
    ),
]
IndexOption = Annotated[str, typer.Option("--index", "-i", help="The index file (SQLite).", show_default=False)]

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", re.IGNORECASE)


def memory_size(text: str) -> int:
    """Bytes from a size as people write it: ``8G``, ``8GB``, ``512M``, ``1.5g``, or a plain number of bytes
    (a K/M/G/T is a power of 1024).

    >>> memory_size("8G"), memory_size("512MB"), memory_size("1000")
    (8589934592, 536870912, 1000)
    """
    match = _SIZE.fullmatch(text)
    if match is None or float(match.group(1)) <= 0:
        raise typer.BadParameter(f"{text!r} is not a size: write it as 8G, 512M or a number of bytes")
    power = " KMGT".index(match.group(2).upper() or " ")
    return int(float(match.group(1)) * 1024**power)


MemoryLimitOption = Annotated[
    int | None,
    typer.Option(
        "--memory-limit",
        metavar="SIZE",
        parser=memory_size,
        help="Memory the scan aims to stay within, e.g. 8G (default: a third of this machine's RAM). A corpus"
        " whose sketches would take more than 40% of it is worked through temporary files: the same groups,"
        " within the limit.",
        rich_help_panel="Engine",
        show_default=False,
    ),
]


@dataclass(frozen=True, slots=True)
class Setting:
    """A setting of :class:`~dedup.config.Config` offered on the command line.

    Attributes:
        name: the command's parameter (``num_perm`` is ``--num-perm``).
        option: its type and ``typer.Option``, as an ``Annotated`` type.
        default: the default, the stage config's own, so that the two never disagree.
        stage: the :class:`~dedup.config.Config` field holding it (``fingerprint``, ``candidates``, ...).
        field: the field of that stage.
        negated: a ``--no-X`` flag, which sets ``field`` to ``False``.
    """

    name: str
    option: Any
    default: Any
    stage: str
    field: str
    negated: bool = False


def _setting(
    flag: str, stage: str, field: str, help: str, low: float | None = None, high: float | None = None
) -> Setting:
    """The setting ``Config().<stage>.<field>`` as the option ``flag``; ``--no-X`` sets a ``True`` field to
    ``False``. ``low`` and ``high`` bound the value, so that a nonsense setting is a usage error."""
    default = getattr(getattr(Config(), stage), field)
    negated = flag.startswith("--no-")
    kind = bool if negated else type(default)
    option = typer.Option(flag, help=help, rich_help_panel="Tuning", metavar="" if negated else None, min=low, max=high)
    name = flag.removeprefix("--").replace("-", "_")
    return Setting(name, Annotated[kind, option], False if negated else default, stage, field, negated)


#: What normalization may do: ``dedup normalize`` takes these, and every command that scans.
NORMALIZE_SETTINGS = (
    _setting("--no-unwrap", "normalize", "unwrap", "Keep the raw line structure."),
    _setting("--no-t2s", "normalize", "to_simplified", "Keep Traditional script as it is."),
)
#: The settings every command that scans takes (scan, report, check, index build, index add).
TUNING_SETTINGS = (
    _setting("--ngram", "fingerprint", "ngram", "Characters per shingle.", 2, 12),
    _setting("--num-perm", "fingerprint", "num_perm", "MinHash permutations.", 16, 1024),
    _setting("--threshold", "candidates", "threshold", "Jaccard threshold the LSH banding is tuned for.", 0.05, 0.95),
    *NORMALIZE_SETTINGS,
)


def settings_config(settings: Iterable[Setting], values: dict[str, Any]) -> Config:
    """The :class:`~dedup.config.Config` that the options' ``values`` (by parameter name) describe.

    >>> settings_config(TUNING_SETTINGS, {"ngram": 4, "num_perm": 64, "threshold": 0.3, "no_unwrap": False,
    ...                                   "no_t2s": True}).fingerprint.ngram
    4
    """
    config = Config()
    for setting in settings:
        value = values[setting.name]
        stage = replace(getattr(config, setting.stage), **{setting.field: not value if setting.negated else value})
        config = replace(config, **{setting.stage: stage})
    return config


Command = Callable[..., None]


def with_settings(settings: Sequence[Setting]) -> Callable[[Command], Command]:
    """Give a command one option per setting, defined once here, and hand it the :class:`Config` they make.

    sqlite-utils' ``output_options`` pattern, for typer, which reads a command's options from its signature:
    the command declares a ``config`` parameter, and the signature typer sees has the settings' options in
    its place. So ``scan --ngram 4`` and ``report --ngram 4`` cannot mean different things, and a setting
    added here reaches every command that scans at once.
    """

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        kept = [p for p in signature.parameters.values() if p.name != "config"]
        added = [
            inspect.Parameter(s.name, inspect.Parameter.KEYWORD_ONLY, default=s.default, annotation=s.option)
            for s in settings
        ]

        @functools.wraps(command)
        def run(**values: Any) -> None:
            config = settings_config(settings, {s.name: values.pop(s.name) for s in settings})
            if any(s.stage == "candidates" for s in settings):
                _check_banding(config)
            command(config=config, **values)

        parameters = [*kept, *added]
        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        return run

    return decorate


def _check_banding(config: Config) -> None:
    """Refuse, as a usage error, settings for which LSH banding has no solution (too few permutations for a
    high threshold), before any input is read."""
    try:
        banding(config.candidates, config.fingerprint.num_perm)
    except ValueError as exc:
        raise typer.BadParameter(
            f"--num-perm {config.fingerprint.num_perm} with --threshold {config.candidates.threshold}: {exc};"
            " raise --num-perm or lower --threshold"
        ) from None


# --- what a report shows, and how it reaches the terminal -----------------------------------------------------


class ColorMode(StrEnum):
    """``--color``: ``auto`` colours a terminal only (and honours ``NO_COLOR`` and ``FORCE_COLOR``)."""

    auto = "auto"
    always = "always"
    never = "never"


def gather(
    target: str, options: Sequence[tuple[str, Any, Any]], build: Callable[..., Any]
) -> Callable[[Command], Command]:
    """Give a command the ``options`` (name, ``Annotated`` type, default), defined once here, and hand it
    ``build(**their values)`` as its parameter ``target``: :func:`with_settings`' pattern for any record."""

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        kept = [p for p in signature.parameters.values() if p.name != target]
        added = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a) for n, a, d in options]

        @functools.wraps(command)
        def run(**values: Any) -> None:
            command(**{target: build(**{name: values.pop(name) for name, _, _ in options})}, **values)

        parameters = [*kept, *added]
        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        return run

    return decorate


def _kinds(value: str | None) -> tuple[FindingKind, ...]:
    """The finding kinds ``--kind`` names, comma-separated; an unknown one is a usage error that lists them."""
    kinds = tuple(k.strip() for k in (value or "").split(",") if k.strip())
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise typer.BadParameter(
            f"unknown kind(s) {', '.join(unknown)}; choose from {', '.join(KINDS)}", param_hint="--kind"
        )
    return cast(tuple[FindingKind, ...], kinds)


_SELECTION = (
    (
        "sort",
        Annotated[
            SortKey,
            typer.Option("--sort", help="Order of the groups: size (most copies first), damage (most findings), name."),
        ],
        SortKey.size,
    ),
    (
        "group",
        Annotated[
            str | None, typer.Option("--group", "-g", help="Only the group with this id, in full.", show_default=False)
        ],
        None,
    ),
    (
        "kind",
        Annotated[
            str | None,
            typer.Option(
                "--kind",
                help="Only these finding kinds (e.g. dropped,garbled), and only groups that have them.",
                show_default=False,
            ),
        ],
        None,
    ),
    ("min_copies", Annotated[int, typer.Option("--min-copies", min=0, help="Only groups of at least N copies.")], 0),
    (
        "path",
        Annotated[
            str | None,
            typer.Option(
                "--path", help="Only groups with a copy in a file matching this glob (* crosses /).", show_default=False
            ),
        ],
        None,
    ),
    (
        "summary",
        Annotated[bool, typer.Option("--summary", metavar="", help="Only the corpus summary, no groups.")],
        False,
    ),
)


def _selection(
    sort: SortKey, group: str | None, min_copies: int, path: str | None, summary: bool, kind: str | None = None
) -> Selection:
    return Selection(sort, group, _kinds(kind), min_copies, path, summary)


#: ``report``'s choice of groups and findings, handed to it as a :class:`~dedup.render.selection.Selection`.
with_selection = gather("chosen", _SELECTION, _selection)
#: ``scan``'s: the same, without ``--kind`` (a scan has no findings).
with_scan_selection = gather("chosen", [o for o in _SELECTION if o[0] != "kind"], _selection)

_LOOK = (
    (
        "color",
        Annotated[
            ColorMode,
            typer.Option(
                "--color",
                help="Colour: auto (a terminal, unless NO_COLOR is set; FORCE_COLOR forces it), always, never.",
            ),
        ],
        ColorMode.auto,
    ),
    (
        "no_pager",
        Annotated[
            bool,
            typer.Option(
                "--no-pager", metavar="", help="Print straight to the terminal, not through $PAGER (less -R)."
            ),
        ],
        False,
    ),
)
#: How a command's output looks (``--color``, ``--no-pager``), handed to it as a :class:`~dedup.render.console.Look`.
with_look = gather("look", _LOOK, lambda color, no_pager: Look(color.value, not no_pager))

_VIEW = (
    (
        "full",
        Annotated[bool, typer.Option("--full", metavar="", help="Whole paragraphs instead of excerpts.")],
        False,
    ),
    (
        "side_by_side",
        Annotated[
            bool,
            typer.Option(
                "--side-by-side",
                metavar="",
                help="Reference and copy paragraphs in two columns, whole (100+ columns, else one under the other).",
            ),
        ],
        False,
    ),
)
#: How ``report`` and ``diff`` show findings (``--full``, ``--side-by-side``): a :class:`~dedup.render.terminal.View`.
with_view = gather("view", _VIEW, View)
