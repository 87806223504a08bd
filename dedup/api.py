"""The Python API: each ``dedup`` command as a function over records, and the records it returns.

The command line (:mod:`dedup.cli`) only parses options, calls these functions and renders what they return,
so a program gets what a user sees without a subprocess or JSON to parse. ``dedup`` re-exports every name
here (``from dedup import scan, report, diff, Config``).

>>> from dedup import Config, FingerprintConfig, diff, report, scan
>>> result = scan(["seeds"])  # doctest: +SKIP
>>> [str(s) for w in result.groups[0].witnesses for s in w.segments]  # doctest: +SKIP
['seeds/001_d368fce8cd43ddb5.txt:3-55', 'seeds/002_9a75527b5092d3dd.txt:5-29', ...]
>>> changes = diff("seeds/002_9a75527b5092d3dd.txt:25-29", "seeds/000_1eaa65c1cfd94755.txt:9-33")
>>> sorted({f.kind for f in changes.findings})
['substituted']
>>> tuned = Config(fingerprint=FingerprintConfig(ngram=4))  # what `dedup scan --ngram 4` uses
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from dedup.collate.quoting import QuotedFinding, quote_findings, witness_reference
from dedup.collate.records import (
    KINDS,
    Collation,
    Finding,
    FindingKind,
    GroupReport,
    Report,
    WitnessCollation,
    WitnessText,
)
from dedup.collate.reference import collate
from dedup.config import CandidateConfig, Config, FingerprintConfig, GroupConfig, NormalizeConfig
from dedup.gate.check import add_to_index, check
from dedup.ingest.load import StdinInput, input_record, load, named_document, stdin_for
from dedup.ingest.paths import DiffSide, PathSpecError, check_reference, parse_side
from dedup.lineage import LineageConfig, LineageOutcome, explain_lineage, group_form
from dedup.pipeline.report import (
    DiffOverview,
    diff_overview,
    diff_texts,
    directed_by_user,
    read_witness,
    reference_warnings,
    report,
)
from dedup.pipeline.scan import scan
from dedup.prepare import Prepared, prepare
from dedup.records import InputRecord, Skipped
from dedup.results import CheckResult, Group, ScanResult, Witness
from dedup.store.index import Index, IndexFileError

__all__ = [
    "CandidateConfig",
    "CheckResult",
    "Collation",
    "Config",
    "Diff",
    "DiffSide",
    "Finding",
    "FingerprintConfig",
    "Group",
    "GroupConfig",
    "GroupReport",
    "Index",
    "IndexFileError",
    "InputRecord",
    "LineageConfig",
    "LineageOutcome",
    "NormalizeConfig",
    "Normalized",
    "PathSpecError",
    "Prepared",
    "Report",
    "ScanResult",
    "StdinInput",
    "Witness",
    "WitnessCollation",
    "WitnessText",
    "add_to_index",
    "check",
    "check_reference",
    "collate",
    "diff",
    "diff_texts",
    "finding_kinds",
    "lineages",
    "normalize_inputs",
    "parse_side",
    "prepare",
    "reference_warnings",
    "report",
    "scan",
    "stdin_for",
    "unique_documents",
]


@dataclass(frozen=True, slots=True)
class Normalized:
    """What ``dedup normalize`` shows: every input accounted for, and the documents as the matcher sees them.

    Attributes:
        inputs: one record per input (or JSONL line), read or skipped with the reason, in input order.
        documents: the documents read, normalized and cut into paragraphs.
    """

    inputs: tuple[InputRecord, ...]
    documents: tuple[Prepared, ...]


def normalize_inputs(
    paths: Iterable[str], config: NormalizeConfig | None = None, stdin: StdinInput | None = None
) -> Normalized:
    """Read and normalize every input under ``paths``, keeping the whole of each document (its notes and
    paragraphs), which a scan lets go of once it is sketched."""
    documents: list[Prepared] = []
    records: list[InputRecord] = []
    for item in prepare(paths, config, stdin):
        if isinstance(item, Skipped):
            records.append(input_record(item))
        else:
            documents.append(item)
            records.append(input_record(item.document))
    return Normalized(tuple(records), tuple(documents))


@dataclass(frozen=True, slots=True)
class Diff:
    """What ``dedup diff`` found: how each side was read, and what the copy did to the reference.

    Attributes:
        reference: the reference argument as given (``FILE``, ``FILE:N``, ``FILE:START-END``, ``FILE#ID``, ``-``).
        copy: the copy argument as given.
        inputs: how each side was read: one record per side, a skip saying why it could not be.
        result: the copy collated against the reference; ``None`` when a side could not be read.
        quoted: each finding of ``result`` in the documents' own text, in the same order.
        problem: why there is no ``result`` (a message naming the side), else ``None``.
        overview: how much the two sides share and the findings by kind (``None`` with ``problem``);
            ``overview.unrelated`` when they share almost nothing.
    """

    reference: str
    copy: str
    inputs: tuple[InputRecord, ...]
    result: WitnessCollation | None = None
    quoted: tuple[QuotedFinding, ...] = ()
    problem: str | None = None
    overview: DiffOverview | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The copy's findings; none when a side could not be read (see ``problem``)."""
        return self.result.findings if self.result is not None else ()


def diff(
    reference: str | DiffSide, copy: str | DiffSide, config: Config | None = None, stdin: StdinInput | None = None
) -> Diff:
    """What ``copy`` did to ``reference``, paragraph by paragraph, without grouping: ``dedup diff``.

    Each side is ``FILE``, ``FILE:N``, ``FILE:START-END`` (lines from 1), ``FILE#ID`` or ``-`` (read from
    ``stdin``, which both sides share), or that argument already parsed (:func:`parse_side`, which says
    whether ``stdin`` is needed). A side that cannot be read is no exception: the :class:`Diff` says why, as
    the command reports it, with the other side accounted for.

    Raises:
        PathSpecError: a side is malformed (a line range that is not one); nothing was read.
    """
    sides = tuple(side if isinstance(side, DiffSide) else parse_side(side) for side in (reference, copy))
    given = sides[0].given, sides[1].given
    inputs = tuple(_side_input(side, stdin) for side in sides)
    problem = next((f"{r.path}: {r.reason}" for r in inputs if r.status == "skipped"), None)
    if problem is not None:
        return Diff(*given, inputs, problem=problem)
    try:
        texts = [read_witness(sides[0].spec, config, "A", stdin), read_witness(sides[1].spec, config, "B", stdin)]
    except ValueError as exc:
        return Diff(*given, inputs, problem=str(exc))
    result = directed_by_user(collate(texts, 0, f"{given[0]} given as the reference").witnesses[1])
    quoted = quote_findings(result, witness_reference(texts[0]), texts[1])
    return Diff(*given, inputs, result, tuple(quoted), overview=diff_overview(texts[0], texts[1], result))


def _side_input(side: DiffSide, stdin: StdinInput | None) -> InputRecord:
    """How one side of a diff was read: one document, or a skip saying why it cannot be a side."""
    items = list(load([side.path], stdin))
    documents = [i for i in items if not isinstance(i, Skipped)]
    if len(documents) > 1:
        hint = " (name one as FILE#ID)" if named_document(documents[0].path) else ""
        return InputRecord(
            side.path, "skipped", reason=f"holds {len(documents)} documents; diff takes one per side{hint}"
        )
    if not items:
        return InputRecord(side.path, "skipped", reason="nothing to read")
    return input_record(documents[0] if documents else items[0])


def lineages(result: Report, config: LineageConfig | None = None) -> dict[str, LineageOutcome]:
    """Who copied whom in each group of a report, keyed by group id (:mod:`dedup.lineage`).

    Lineage reads a group as the report states it (its witnesses' findings, as ``dedup report --format json``
    prints them), from :func:`dedup.lineage.group_form`: that shape without quoting, which the renderer then
    does once. A group of fewer than three copies gets no tree and the reason why.
    """
    return {g.group.id: explain_lineage(group_form(g), config) for g in result.groups}


def finding_kinds(value: str) -> tuple[FindingKind, ...]:
    """The finding kinds a comma-separated list names (``dedup check --fail-on dropped,garbled``).

    Raises:
        ValueError: a name that is no finding kind; the message lists the kinds.

    >>> finding_kinds("dropped, garbled")
    ('dropped', 'garbled')
    """
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown kind(s) {', '.join(unknown)}; choose from {', '.join(KINDS)}")
    return cast(tuple[FindingKind, ...], kinds)


def unique_documents(result: CheckResult, with_text: bool = False) -> str:
    """The drop documents that reprint nothing (``dedup check --unique``), one per line: their paths, for
    ``xargs dedup index add``, or ``with_text`` JSON lines ``{"path", "text"}``, a JSONL drop of their own."""
    keep = [d for d in result.drop if d.unique]
    if with_text:
        texts = {d.path: d.raw for d in result.scan.documents}
        lines = [json.dumps({"path": d.path, "text": texts.get(d.path, "")}, ensure_ascii=False) for d in keep]
    else:
        lines = [d.path for d in keep]
    return "".join(line + "\n" for line in lines)
