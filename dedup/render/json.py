"""The JSON contract (README, "JSON output"; ``schema_version: 3``): plain dicts built from records, printed by the CLI.

Fields the README names are never renamed; new ones may be added. Schema 2 adds ``start_char``/``end_char``
(raw character offsets, 0-based, end exclusive) to every segment, paragraph and finding span beside its
lines, since a flattened web page is one line. Schema 3 gives group ids a new meaning (derived from the
story's content, :mod:`dedup.group.ids`, no longer positions), counts ``normalize``'s paragraph ``index``
from 1 like every other paragraph number, and splits JSON Lines into one record per finding. Text is written
with ``ensure_ascii=False`` so Chinese stays readable.

Findings quote the documents' own text (:class:`~dedup.collate.quoting.QuotedFinding`) wherever the command has it:
``ref.text`` as the reference copy prints it, with ``ref.quoted_from`` (its file and lines, or null for a
consensus reading no copy prints), ``copy.text``, ``lost`` and each edit's ``ref``/``copy`` as printed, with
``at`` its offset in ``ref.text`` and ``copy_at`` its offset in ``copy.text``.

JSON Lines (``--format jsonl``) carries the same records one object per line, each with a ``type``: first one
``config`` line (``schema_version`` and the settings), then one ``{"type": "input", ...}`` line per input (as
in the JSON ``inputs``, so a skipped input is never lost), then the command's records: ``group`` (scan,
report, check), each followed by one ``finding`` line per finding of its witnesses (``group`` and
``witness`` name where it stands; the group line's witnesses carry none), ``document`` (normalize),
``diff`` (diff), ``drop`` and one closing ``summary`` (check), and ``warning`` lines where the JSON has
``warnings``: a program filters findings with one ``grep``/``jq`` pass, line by line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dedup.collate.quoting import QuotedEdit, QuotedFinding
from dedup.collate.records import CONSENSUS, CollatedScan, Finding, GroupReport, Report, TextEdit, WitnessCollation
from dedup.config import Config
from dedup.ingest.jsonl import repeated_id_notes
from dedup.ingest.load import STDIN, StdinInput, jsonl_lines
from dedup.lineage import LineageOutcome
from dedup.prepare import Prepared
from dedup.records import InputRecord, JumpMarker, Paragraph, Span
from dedup.results import CheckResult, Group, ScanResult, Witness

if TYPE_CHECKING:
    from dedup.gate.check import Added

SCHEMA_VERSION = 3  # 3: content-derived group ids, normalize ``index`` from 1, jsonl one line per finding
# 2: spans carry start_char/end_char, findings may carry ``direction``; version 1's fields stay


def dumps(payload: dict[str, Any]) -> str:
    """One JSON document, Chinese kept as is, always valid UTF-8 (:func:`utf8_safe`)."""
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    return text if not _SURROGATE.search(text) else json.dumps(utf8_safe(payload), ensure_ascii=False, indent=2)


def dumps_line(record: dict[str, Any]) -> str:
    """One JSON Lines record: a single line (JSON escapes every newline inside strings), valid UTF-8."""
    text = json.dumps(record, ensure_ascii=False, separators=(", ", ": "))
    if _SURROGATE.search(text):
        text = json.dumps(utf8_safe(record), ensure_ascii=False, separators=(", ", ": "))
    return text


_SURROGATE = re.compile("[\ud800-\udfff]")


def utf8_safe(value: Any) -> Any:
    """``value`` with every string made valid Unicode; a ``path`` that was not also gets ``path_bytes``.

    A file name is bytes, and one that is not UTF-8 (byte 0xFF) reaches Python as lone surrogates
    (``os.fsdecode``'s ``surrogateescape``), which no UTF-8 writer accepts: JSON output would fail or be
    invalid. Such a ``path`` is shown with U+FFFD for each bad byte, and ``path_bytes`` holds the name's
    exact bytes in hex (``os.fsdecode(bytes.fromhex(...))`` gives the path back).

    >>> utf8_safe({"path": "drop/\\udcffa.txt", "status": "ok"})
    {'path': 'drop/\ufffda.txt', 'status': 'ok', 'path_bytes': '64726f702fff612e747874'}
    """
    if isinstance(value, str):
        return _replaced(value) if _SURROGATE.search(value) else value
    if isinstance(value, list):
        return [utf8_safe(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {key: utf8_safe(v) for key, v in value.items()}
    path = value.get("path")
    if isinstance(path, str) and _SURROGATE.search(path):
        out["path_bytes"] = _raw_bytes(path).hex()
    return out


def _raw_bytes(text: str) -> bytes:
    try:
        return os.fsencode(text)  # surrogateescape: the file name's own bytes
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _replaced(text: str) -> str:
    return _raw_bytes(text).decode("utf-8", "replace")


def inputs_to_dicts(records: Iterable[InputRecord], stdin: StdinInput | None = None) -> list[dict[str, Any]]:
    """The ``inputs`` list: each record, with a ``note`` where a repeated JSONL id was renamed, and the
    ``format`` standard input was read in (``format_sniffed`` when it was recognised, not given)."""
    records = list(records)
    notes = repeated_id_notes([r.path for r in records], lambda file: jsonl_lines(file, stdin))
    out: list[dict[str, Any]] = []
    for record in records:
        entry: dict[str, Any] = dict(record.to_dict())
        note = notes.get(record.path)
        if note is not None:
            entry["note"] = note
        if stdin is not None and (record.path == STDIN or record.path.startswith(STDIN + "#")):
            entry["format"] = stdin.format
            entry["format_sniffed"] = stdin.sniffed
        out.append(entry)
    return out


def config_line(config: Config) -> dict[str, Any]:
    """The first JSON Lines record: the contract's version and the settings the run used."""
    return {"type": "config", "schema_version": SCHEMA_VERSION, "config": config.to_dict()}


def group_lines(group: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A group's JSON Lines records: the ``group`` (its witnesses without their findings), then one
    ``finding`` per finding, naming its group and witness."""
    witnesses = [{k: v for k, v in w.items() if k != "findings"} for w in group["witnesses"]]
    yield {"type": "group", **group, "witnesses": witnesses}
    for witness in group["witnesses"]:
        for finding in witness.get("findings", ()):
            yield {"type": "finding", "group": group["id"], "witness": witness["id"], **finding}


def input_lines(records: Iterable[InputRecord], stdin: StdinInput | None = None) -> Iterator[dict[str, Any]]:
    """The leading JSON Lines records after ``config``: one ``{"type": "input", ...}`` per input."""
    for entry in inputs_to_dicts(records, stdin):
        yield {"type": "input", **entry}


def marker_to_dict(marker: JumpMarker) -> dict[str, Any]:
    return {"kind": marker.kind, "page": marker.page, "line": marker.line, "text": marker.text}


def paragraph_to_dict(paragraph: Paragraph) -> dict[str, Any]:
    return {
        "index": paragraph.number,
        "start_line": paragraph.start_line,
        "end_line": paragraph.end_line,
        "start_char": paragraph.raw_start,
        "end_char": paragraph.raw_end,
        "text": paragraph.text,
        "hints": sorted(paragraph.hints),
        "markers": [marker_to_dict(m) for m in paragraph.markers],
        "garbled": [list(span) for span in paragraph.garbled],
        "sentences": len(paragraph.sentences),
    }


def prepared_to_dict(prepared: Prepared) -> dict[str, Any]:
    norm = prepared.norm
    return {
        "path": prepared.path,
        "encoding": prepared.document.encoding,
        "format": prepared.document.format,
        "notes": [{"step": n.step, "message": n.message, "count": n.count} for n in norm.notes],
        "paragraphs": [paragraph_to_dict(p) for p in prepared.paragraphs],
    }


def normalized_payload(
    inputs: Iterable[InputRecord], documents: Sequence[Prepared], config: Config, stdin: StdinInput | None = None
) -> dict[str, Any]:
    """What ``dedup normalize --format json`` prints."""
    return {
        "schema_version": SCHEMA_VERSION,
        "config": config.to_dict(),
        "inputs": inputs_to_dicts(inputs, stdin),
        "documents": [prepared_to_dict(d) for d in documents],
    }


def normalized_lines(
    inputs: Iterable[InputRecord], documents: Sequence[Prepared], config: Config, stdin: StdinInput | None = None
) -> Iterator[dict[str, Any]]:
    """What ``dedup normalize --format jsonl`` prints: the config, the inputs, then one ``document`` per line."""
    yield config_line(config)
    yield from input_lines(inputs, stdin)
    for document in documents:
        yield {"type": "document", **prepared_to_dict(document)}


def span_to_dict(span: Span) -> dict[str, Any]:
    return span.to_dict()


def witness_to_dict(witness: Witness) -> dict[str, Any]:
    return {
        "id": witness.id,
        "segments": [span_to_dict(s) for s in witness.segments],
        "coverage": witness.coverage,
        "similarity": witness.similarity,
    }


def group_to_dict(group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "reference": group.reference,
        "witnesses": [witness_to_dict(w) for w in group.witnesses],
    }


def scan_payload(result: ScanResult, stdin: StdinInput | None = None) -> dict[str, Any]:
    """What ``dedup scan --format json`` prints: the JSON contract (findings omitted in a scan)."""
    payload: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "config": result.config.to_dict(),
        "inputs": inputs_to_dicts(result.inputs, stdin),
        "groups": [group_to_dict(g) for g in result.groups],
        "stats": result.stats,
    }
    if result.rejections:
        payload["rejected"] = [{"a": a, "b": b, "reason": reason} for a, b, reason in result.rejections]
    return payload


def scan_lines(result: ScanResult, stdin: StdinInput | None = None) -> Iterator[dict[str, Any]]:
    """What ``dedup scan --format jsonl`` prints: the config, the inputs, then one ``group`` per line."""
    yield config_line(result.config)
    yield from input_lines(result.inputs, stdin)
    for group in result.groups:
        yield {"type": "group", **group_to_dict(group)}


def edit_to_dict(edit: TextEdit, quoted: QuotedEdit | None = None) -> dict[str, Any]:
    """An edit; with ``quoted``, its texts as printed, ``at`` in the quoted ``ref.text`` and ``copy_at`` in
    ``copy.text``."""
    out: dict[str, Any] = {"op": edit.op, "ref": edit.ref, "copy": edit.copy, "at": edit.at}
    if quoted is not None:
        out.update(ref=quoted.ref, copy=quoted.copy, at=quoted.ref_at)
        if quoted.copy_at >= 0:
            out["copy_at"] = quoted.copy_at
    if edit.number:
        out["number"] = True
    if edit.name:
        out["name"] = True
    return out


def _ref_to_dict(finding: Finding, quoted: QuotedFinding | None) -> dict[str, Any] | None:
    if finding.ref is None:
        return None
    if quoted is None:
        return {"paragraph": finding.ref + 1, "text": finding.ref_text}
    where = quoted.quoted_from
    out: dict[str, Any] = {
        "paragraph": finding.ref + 1,
        "text": quoted.ref_text,
        "quoted_from": None if where is None else where.to_dict(),
    }
    if len(quoted.ref_from) > 1:
        out["parts"] = [
            {"paragraph": i + 1, "quoted_from": None if span is None else span.to_dict()}
            for i, span in zip(finding.ref_paragraphs, quoted.ref_from, strict=True)
        ]
    return out


def finding_to_dict(finding: Finding, quoted: QuotedFinding | None = None) -> dict[str, Any]:
    """A finding as the contract has it: ``ref`` null for added, ``copy`` null for dropped.

    With ``quoted`` (:meth:`~dedup.collate.records.GroupReport.quoted`) every text is the documents' own; without
    it (a caller that has only the finding), the matching text.
    """
    edits = quoted.edits if quoted is not None else [None] * len(finding.edits)
    out: dict[str, Any] = {
        "kind": finding.kind,
        "ref": _ref_to_dict(finding, quoted),
        "copy": None if finding.copy is None else {**finding.copy.to_dict(), "text": finding.copy_text},
        "edits": [edit_to_dict(e, q) for e, q in zip(finding.edits, edits, strict=True)],
    }
    if finding.detail:
        out["detail"] = finding.detail
    if finding.lost:
        out["lost"] = finding.lost if quoted is None else quoted.lost
    if finding.occurrences:
        out["occurrences"] = [s.to_dict() for s in finding.occurrences]
    if finding.ref_paragraphs:
        out["ref_paragraphs"] = [i + 1 for i in finding.ref_paragraphs]
    if finding.direction is not None:
        out["direction"] = finding.direction
    return out


def lineage_to_dict(outcome: LineageOutcome) -> dict[str, Any] | None:
    """A group's ``lineage``: ``{"root", "edges", "intermediates", "reason"}``, or None when it has none."""
    if outcome.lineage is None:
        return None
    return {**outcome.lineage.to_dict(), "reason": outcome.reason}


def report_group_to_dict(group_report: GroupReport, lineage: LineageOutcome | None = None) -> dict[str, Any]:
    """One group of ``dedup report``: its witnesses with findings and strips, and who copied whom when
    ``lineage`` is given (``lineage`` null with ``lineage_reason`` where there is no tree)."""
    group, collation = group_report.group, group_report.collation
    results = {r.witness: r for r in collation.witnesses}
    out = group_to_dict(group)
    out["reference"] = collation.reference
    out["reference_reason"] = collation.reason
    if collation.reference == CONSENSUS:
        out["consensus"] = {"paragraphs": list(collation.reference_paragraphs)}
    quotes = group_report.quoted_all()
    for witness in out["witnesses"]:
        result = results[witness["id"]]
        quoted = quotes[witness["id"]]
        witness["findings"] = [finding_to_dict(f, q) for f, q in zip(result.findings, quoted, strict=True)]
        witness["strip"] = list(result.strip)
    if lineage is not None:
        out["lineage"] = lineage_to_dict(lineage)
        out["lineage_reason"] = lineage.reason
    return out


def report_payload(
    report: Report,
    warnings: Sequence[str] = (),
    stdin: StdinInput | None = None,
    lineages: Mapping[str, LineageOutcome] | None = None,
) -> dict[str, Any]:
    """What ``dedup report --format json`` prints: the contract with findings, ``warnings`` (e.g. a
    ``--reference`` that is no group's witness) and, with ``lineages`` (by group id), each group's lineage."""
    lineages = lineages or {}
    payload = scan_payload(report.scan, stdin)
    payload["groups"] = [report_group_to_dict(g, lineages.get(g.group.id)) for g in report.groups]
    payload["warnings"] = list(warnings)
    return payload


def report_lines(
    report: Report,
    warnings: Sequence[str] = (),
    stdin: StdinInput | None = None,
    lineages: Mapping[str, LineageOutcome] | None = None,
) -> Iterator[dict[str, Any]]:
    """What ``dedup report --format jsonl`` prints: the config, the inputs, any warnings, then each group and
    its findings (:func:`group_lines`)."""
    yield config_line(report.scan.config)
    yield from input_lines(report.scan.inputs, stdin)
    for message in warnings:
        yield {"type": "warning", "message": message}
    for group in report.groups:
        yield from group_lines(report_group_to_dict(group, (lineages or {}).get(group.group.id)))


def diff_payload(
    reference: str,
    copy: str,
    inputs: Iterable[InputRecord],
    result: WitnessCollation | None,
    quoted: Sequence[QuotedFinding] | None = None,
    overview: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What ``dedup diff --format json`` prints: both inputs, and what ``copy`` did to ``reference`` (no
    ``strip`` or ``findings`` when an input could not be read). ``quoted``
    (:func:`~dedup.collate.quoting.quote_findings`, one per finding) gives the findings the documents' own text;
    ``overview`` (``DiffOverview.to_dict()``) how much the two share and the findings by kind."""
    payload: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "reference": reference,
        "copy": copy,
        "inputs": inputs_to_dicts(inputs),
    }
    if result is not None:
        payload["strip"] = list(result.strip)
        quotes: Sequence[QuotedFinding | None] = quoted if quoted is not None else [None] * len(result.findings)
        payload["findings"] = [finding_to_dict(f, q) for f, q in zip(result.findings, quotes, strict=True)]
    if overview is not None:
        payload["overview"] = dict(overview)
    return payload


def diff_lines(
    reference: str,
    copy: str,
    inputs: Iterable[InputRecord],
    result: WitnessCollation | None,
    quoted: Sequence[QuotedFinding] | None = None,
    overview: Mapping[str, Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """What ``dedup diff --format jsonl`` prints: the config (the defaults: diff takes no settings), an
    ``input`` line per side, then one ``diff`` line."""
    inputs = list(inputs)
    yield config_line(Config())
    yield from input_lines(inputs)
    if result is not None:
        payload = diff_payload(reference, copy, inputs, result, quoted, overview)
        del payload["inputs"]
        yield {"type": "diff", **payload}


def check_payload(result: CheckResult, stdin: StdinInput | None = None) -> dict[str, Any]:
    """What ``dedup check --format json``: the JSON contract, each witness with its ``source``."""
    payload = scan_payload(result.scan, stdin)
    quotes = CollatedScan.of(result.scan, result.collations)
    for group, data in zip(result.scan.groups, payload["groups"], strict=True):
        for witness, entry in zip(group.witnesses, data["witnesses"], strict=True):
            entry["source"] = result.sources[witness.passages[0].doc]
        collation = result.collations.get(group.id)
        if collation is not None:
            data["reference"] = collation.reference
            data["reference_reason"] = collation.reason
            by_id = {r.witness: r for r in collation.witnesses}
            for entry in data["witnesses"]:
                findings = by_id[entry["id"]].findings
                quoted = quotes.quoted(group.id, entry["id"])
                entry["findings"] = [finding_to_dict(f, q) for f, q in zip(findings, quoted, strict=True)]
    payload["drop"] = [
        {
            "path": d.path,
            "unique": d.unique,
            "reprints": list(d.reprints),
            "failures": [
                finding_to_dict(f, q) for f, q in zip(d.failures, quotes.quoted_in(d.path, d.failures), strict=True)
            ],
        }
        for d in result.drop
    ]
    payload["dup_rate"] = result.dup_rate
    payload["gates"] = [{"name": g.name, "passed": g.passed, "detail": g.detail} for g in result.gates]
    payload["passed"] = result.passed
    return payload


def added_payload(
    index: str, done: Added, total: int, config: Config, stdin: StdinInput | None = None
) -> dict[str, Any]:
    """What ``dedup index build|add --format json`` prints: how each input was read, and the counts."""
    return {
        "schema_version": SCHEMA_VERSION,
        "config": config.to_dict(),
        "inputs": inputs_to_dicts(done.inputs, stdin),
        "index": index,
        "added": done.added,
        "unchanged": done.unchanged,
        "replaced": list(done.replaced),
        "documents": total,
    }


def added_lines(payload: dict[str, Any], config: Config) -> Iterator[dict[str, Any]]:
    """What ``dedup index build|add --format jsonl`` prints: the config, the inputs, then one ``added``."""
    yield config_line(config)
    for entry in payload["inputs"]:
        yield {"type": "input", **entry}
    yield {"type": "added", **{k: v for k, v in payload.items() if k not in ("schema_version", "config", "inputs")}}


def check_lines(result: CheckResult, stdin: StdinInput | None = None) -> Iterator[dict[str, Any]]:
    """What ``dedup check --format jsonl`` prints: the inputs, one ``group`` per line, one ``drop`` per drop
    document, and a closing ``summary`` with ``dup_rate``, ``gates`` and ``passed``."""
    payload = check_payload(result, stdin)
    yield config_line(result.scan.config)
    for entry in payload["inputs"]:
        yield {"type": "input", **entry}
    for group in payload["groups"]:
        yield from group_lines(group)
    for document in payload["drop"]:
        yield {"type": "drop", **document}
    yield {
        "type": "summary",
        "schema_version": SCHEMA_VERSION,
        "dup_rate": payload["dup_rate"],
        "gates": payload["gates"],
        "passed": payload["passed"],
    }
