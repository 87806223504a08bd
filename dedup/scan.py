"""Scan: the whole discovery pipeline, from paths to groups of copies.

``scan(paths, config)`` loads, normalizes and segments every input, sketches its paragraphs, finds and
verifies candidate pairs, and groups passages into stories. It keeps what later stages need: each document's
paragraphs (with their matching text), and every input accounted for as processed or skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

from dedup.candidates import Units, band_candidates, banding, build_units, verify
from dedup.config import Config
from dedup.fingerprint import Signer
from dedup.group import Group, Grouping, group
from dedup.io import input_record
from dedup.prepare import prepare
from dedup.records import InputRecord, Paragraph, Skipped

Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class ScannedDocument:
    """What a scan keeps of a document: its path, encoding, notes and paragraphs."""

    path: str
    encoding: str
    paragraphs: tuple[Paragraph, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The outcome of :func:`scan`.

    Attributes:
        inputs: every input path (or JSONL line), processed or skipped, in input order.
        documents: the processed documents; ``Passage.doc`` indexes this tuple.
        groups: the groups of copies found.
        config: the configuration used, for the report header and for reproduction.
        stats: counts and timings of the stages.
        rejections: rejected candidate pairs with their reasons (only with ``explain=True``).
    """

    inputs: tuple[InputRecord, ...]
    documents: tuple[ScannedDocument, ...]
    groups: tuple[Group, ...]
    config: Config
    stats: dict[str, float] = field(default_factory=dict)
    rejections: tuple[tuple[str, str, str], ...] = ()

    def document(self, path: str) -> ScannedDocument:
        return next(d for d in self.documents if d.path == path)


def scan(
    paths: Iterable[str],
    config: Config | None = None,
    *,
    stdin: BinaryIO | None = None,
    explain: bool = False,
    progress: Progress | None = None,
) -> ScanResult:
    """Find the passages that are copies of the same story across the inputs.

    Args:
        paths: files, directories (walked recursively) or ``-`` for stdin.
        config: settings; ``Config()`` suits Chinese news as it comes.
        stdin: where ``-`` reads from (standard input by default).
        explain: keep every rejected candidate with its reason (``dedup scan --explain``).
        progress: called as ``progress(stage, done, total)`` while working, e.g. to draw a progress bar.
    """
    config = config or Config()
    stats: dict[str, float] = {}
    tick = time.perf_counter()

    inputs: list[InputRecord] = []
    documents: list[ScannedDocument] = []
    for item in prepare(paths, config.normalize, stdin=stdin):
        if isinstance(item, Skipped):
            inputs.append(input_record(item))
            continue
        inputs.append(input_record(item.document))
        notes = tuple(n.message for n in item.norm.notes)
        documents.append(ScannedDocument(item.path, item.document.encoding, item.paragraphs, notes))
        if progress is not None:
            progress("reading", len(documents), None)
    stats["prepare_s"] = time.perf_counter() - tick

    tick = time.perf_counter()
    units, texts = build_units([d.paragraphs for d in documents], config.fingerprint)
    signer = Signer(config.fingerprint)
    signatures = signer.sign_texts(texts)
    stats["sign_s"] = time.perf_counter() - tick
    if progress is not None:
        progress("signing", len(texts), len(texts))

    tick = time.perf_counter()
    bands, rows = banding(config.candidates, config.fingerprint.num_perm)
    candidates = band_candidates(signatures, bands, rows, units.doc, config.candidates.max_bucket)
    verified = verify(units, candidates.pairs, config.candidates)
    stats["candidates_s"] = time.perf_counter() - tick

    tick = time.perf_counter()
    grouping: Grouping = group(
        [(d.path, d.paragraphs) for d in documents],
        units,
        verified.matches(),
        candidates.crowded,
        config.group,
    )
    stats["group_s"] = time.perf_counter() - tick
    stats.update(
        documents=len(documents),
        skipped=sum(1 for r in inputs if r.status == "skipped"),
        units=len(units),
        candidates=int(candidates.pairs.shape[0]),
        matches=int(verified.accepted.sum()),
        boilerplate_paragraphs=len(grouping.boilerplate),
        bands=bands,
        rows=rows,
    )
    rejections: tuple[tuple[str, str, str], ...] = ()
    if explain:
        rejections = _explain(units, documents, verified.rejections(config.candidates), grouping)
    return ScanResult(tuple(inputs), tuple(documents), grouping.groups, config, stats, rejections)


def _explain(
    units: Units,
    documents: list[ScannedDocument],
    rejected: list[tuple[int, int, str]],
    grouping: Grouping,
) -> tuple[tuple[str, str, str], ...]:
    def where(unit: int) -> str:
        doc = documents[int(units.doc[unit])]
        paragraph = doc.paragraphs[int(units.paragraph[unit])]
        return f"{doc.path}:{paragraph.start_line}-{paragraph.end_line}"

    out = [(where(a), where(b), reason) for a, b, reason in rejected]
    for d, p in sorted(grouping.boilerplate):
        doc = documents[d]
        paragraph = doc.paragraphs[p]
        out.append((f"{doc.path}:{paragraph.start_line}-{paragraph.end_line}", "*", "boilerplate: not evidence"))
    return tuple(out)


def unit_count(units: Units) -> int:
    """Number of sketched units (exposed for benchmarks)."""
    return int(np.asarray(units.doc).size)
