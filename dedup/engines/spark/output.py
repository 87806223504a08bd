"""Parquet output (``--format parquet -o DIR``): the groups as a table, and for a report the findings too.

One row per witness segment (``groups.parquet``): what a user of an archive joins back to the archive's own
tables by path and character offsets. A report adds ``findings.parquet``, one row per finding, with the
finding as the JSON contract has it (``finding``, a JSON string) beside the columns one filters on.

The rows are made per group (:func:`segment_rows`, :func:`finding_rows_of`), so that either the driver writes
them from a result record (:func:`write_parquet`, whichever engine made it) or the Spark executors write them
group by group without the result ever reaching the driver (:func:`dedup.engines.spark.write_tables`). Both
writers take their schema from the same column lists.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dedup.collate.records import GroupReport, Report
from dedup.engines.spark.session import INSTALL
from dedup.results import Group, ScannedDocument, ScanResult

GROUP_COLUMNS: list[tuple[str, str]] = [
    ("group", "string"),
    ("witness", "string"),
    ("reference", "bool"),
    ("segment", "int32"),
    ("path", "string"),
    ("start_line", "int64"),
    ("end_line", "int64"),
    ("start_char", "int64"),
    ("end_char", "int64"),
    ("coverage", "float64"),
    ("similarity", "float64"),
]
"""``groups.parquet``'s columns and their types (pyarrow's names; :func:`spark_schema` maps them)."""

FINDING_COLUMNS: list[tuple[str, str]] = [
    ("group", "string"),
    ("witness", "string"),
    ("reference", "string"),
    ("finding", "int32"),
    ("kind", "string"),
    ("ref_paragraph", "int64"),
    ("path", "string"),
    ("start_line", "int64"),
    ("end_line", "int64"),
    ("json", "string"),
]
"""``findings.parquet``'s columns and their types."""

INPUT_COLUMNS: list[tuple[str, str]] = [
    ("path", "string"),
    ("status", "string"),
    ("encoding", "string"),
    ("reason", "string"),
]
"""``inputs.parquet``'s columns (written by the executors only: a result record's inputs are in its JSON)."""


def segment_rows(group: Group, documents: Mapping[int, ScannedDocument]) -> list[dict[str, Any]]:
    """One row per segment of each of the group's witnesses: group, witness, path, raw lines and characters
    (``documents``: at least the group's own, by corpus number)."""
    rows: list[dict[str, Any]] = []
    for witness in group.witnesses:
        for n, (passage, span) in enumerate(zip(witness.passages, witness.segments, strict=True)):
            paragraphs = documents[passage.doc].paragraphs
            rows.append(
                {
                    "group": group.id,
                    "witness": witness.id,
                    "reference": witness.id == group.reference,
                    "segment": n + 1,
                    "path": span.path,
                    "start_line": span.start_line,
                    "end_line": span.end_line,
                    "start_char": paragraphs[passage.first].raw_start,
                    "end_char": paragraphs[passage.last].raw_end,
                    "coverage": witness.coverage,
                    "similarity": witness.similarity,
                }
            )
    return rows


def group_rows(result: ScanResult) -> list[dict[str, Any]]:
    """:func:`segment_rows` of every group of a result record."""
    documents = dict(enumerate(result.documents))
    return [row for group in result.groups for row in segment_rows(group, documents)]


def finding_rows_of(group_report: GroupReport) -> list[dict[str, Any]]:
    """One row per finding of each witness of one collated group, the finding itself as its JSON contract
    dict."""
    from dedup.render.json import report_group_to_dict

    rows: list[dict[str, Any]] = []
    payload = report_group_to_dict(group_report)
    for witness in payload["witnesses"]:
        for n, finding in enumerate(witness["findings"]):
            copy = finding.get("copy") or {}
            ref = finding.get("ref") or {}
            rows.append(
                {
                    "group": payload["id"],
                    "witness": witness["id"],
                    "reference": payload["reference"],
                    "finding": n + 1,
                    "kind": finding["kind"],
                    "ref_paragraph": ref.get("paragraph"),
                    "path": copy.get("path"),
                    "start_line": copy.get("start_line"),
                    "end_line": copy.get("end_line"),
                    "json": json.dumps(finding, ensure_ascii=False, sort_keys=True),
                }
            )
    return rows


def finding_rows(report: Report) -> list[dict[str, Any]]:
    """:func:`finding_rows_of` of every group of a report."""
    return [row for group_report in report.groups for row in finding_rows_of(group_report)]


def write_parquet(result: ScanResult | Report, out_dir: str | Path) -> list[Path]:
    """Write ``groups.parquet`` (and ``findings.parquet`` for a report) into ``out_dir`` from a result record
    held here; the files written.

    Raises:
        RuntimeError: pyarrow is not installed (the message says how to install it).
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise RuntimeError(f"writing Parquet needs pyarrow: {INSTALL}") from exc
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scan = result.scan if isinstance(result, Report) else result
    tables: dict[str, tuple[list[dict[str, Any]], list[tuple[str, str]]]] = {
        "groups": (group_rows(scan), GROUP_COLUMNS)
    }
    if isinstance(result, Report):
        tables["findings"] = (finding_rows(result), FINDING_COLUMNS)
    written: list[Path] = []
    for name, (rows, columns) in tables.items():
        path = out / f"{name}.parquet"
        schema = pa.schema([(column, pa.type_for_alias(kind)) for column, kind in columns])
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
        written.append(path)
    return written


_SPARK_TYPES = {
    "string": "StringType",
    "bool": "BooleanType",
    "int32": "IntegerType",
    "int64": "LongType",
    "float64": "DoubleType",
}


def spark_schema(columns: list[tuple[str, str]]) -> Any:
    """The Spark ``StructType`` of a column list, for the executors' writer."""
    from pyspark.sql import types

    return types.StructType(
        [types.StructField(column, getattr(types, _SPARK_TYPES[kind])(), True) for column, kind in columns]
    )


def as_tuple(row: dict[str, Any], columns: list[tuple[str, str]]) -> tuple[Any, ...]:
    """A row's values in the column order of its table."""
    return tuple(row.get(column) for column, _ in columns)
