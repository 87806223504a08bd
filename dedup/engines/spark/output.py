"""Parquet output (``--format parquet -o DIR``): the groups as a table, and for a report the findings too.

One row per witness segment (``groups.parquet``): what a user of an archive joins back to the archive's own
tables by path and character offsets. A report adds ``findings.parquet``, one row per finding, with the
finding as the JSON contract has it (``finding``, a JSON string) beside the columns one filters on. Written
with pyarrow from the result record, whichever engine made it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dedup.collate.records import Report
from dedup.engines.spark.session import INSTALL
from dedup.results import ScanResult


def group_rows(result: ScanResult) -> list[dict[str, Any]]:
    """One row per segment of every witness: group, witness, path, raw lines and characters."""
    rows: list[dict[str, Any]] = []
    for group in result.groups:
        for witness in group.witnesses:
            for n, (passage, span) in enumerate(zip(witness.passages, witness.segments, strict=True)):
                paragraphs = result.documents[passage.doc].paragraphs
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


def finding_rows(report: Report) -> list[dict[str, Any]]:
    """One row per finding of every witness, the finding itself as its JSON contract dict."""
    from dedup.render.json import report_group_to_dict

    rows: list[dict[str, Any]] = []
    for group_report in report.groups:
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


def write_parquet(result: ScanResult | Report, out_dir: str | Path) -> list[Path]:
    """Write ``groups.parquet`` (and ``findings.parquet`` for a report) into ``out_dir``; the files written.

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
    tables: dict[str, tuple[list[dict[str, Any]], Any]] = {
        "groups": (group_rows(scan), _GROUP_SCHEMA(pa)),
    }
    if isinstance(result, Report):
        tables["findings"] = (finding_rows(result), _FINDING_SCHEMA(pa))
    written: list[Path] = []
    for name, (rows, schema) in tables.items():
        path = out / f"{name}.parquet"
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
        written.append(path)
    return written


def _GROUP_SCHEMA(pa: Any) -> Any:  # noqa: N802 - a schema, built once pyarrow is known to be there
    return pa.schema(
        [
            ("group", pa.string()),
            ("witness", pa.string()),
            ("reference", pa.bool_()),
            ("segment", pa.int32()),
            ("path", pa.string()),
            ("start_line", pa.int64()),
            ("end_line", pa.int64()),
            ("start_char", pa.int64()),
            ("end_char", pa.int64()),
            ("coverage", pa.float64()),
            ("similarity", pa.float64()),
        ]
    )


def _FINDING_SCHEMA(pa: Any) -> Any:  # noqa: N802
    return pa.schema(
        [
            ("group", pa.string()),
            ("witness", pa.string()),
            ("reference", pa.string()),
            ("finding", pa.int32()),
            ("kind", pa.string()),
            ("ref_paragraph", pa.int64()),
            ("path", pa.string()),
            ("start_line", pa.int64()),
            ("end_line", pa.int64()),
            ("json", pa.string()),
        ]
    )
