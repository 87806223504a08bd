"""Check a new corpus drop against a persistent index, and within itself, for CI.

The questions a team asks of each day's drop: which of these documents reprint something we already hold,
which reprint each other, and is any copy damaged beyond what we accept? ``check`` answers them with the same
stages as ``scan`` and ``report``: the drop is sketched; index documents sharing an LSH band with it are read
back from the index and sketched again; everything is verified and grouped together. Each witness then says
whether it comes from the index or the drop.

Gates (each optional) decide the exit code:

- ``max_dup_rate``: the share of drop documents that reprint indexed content or an earlier drop document.
- ``fail_on``: finding kinds (``dropped``, ``garbled``, …) that no drop copy may show against its reference;
  the reference is the index's copy where the index holds one (the text the team already trusts).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from dedup.candidates import Units, banding
from dedup.collate import Collation, Finding, FindingKind, WitnessCollation
from dedup.config import Config
from dedup.group import Group
from dedup.index import Index, band_keys
from dedup.io import load
from dedup.records import Document, InputRecord
from dedup.reporting import collate_group
from dedup.scan import ScannedDocument, ScanResult, _sketch_all, match_and_group


@dataclass(frozen=True, slots=True)
class DropDocument:
    """What the check says of one drop document.

    Attributes:
        path: the document's path.
        reprints: where its story already stood (``index:PATH:LINES`` or an earlier drop document's span).
        failures: findings of the ``fail_on`` kinds against the reference, with where they are.
    """

    path: str
    reprints: tuple[str, ...] = ()
    failures: tuple[Finding, ...] = ()

    @property
    def unique(self) -> bool:
        return not self.reprints


@dataclass(frozen=True, slots=True)
class Gate:
    """One gate's verdict."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of :func:`check`.

    Attributes:
        scan: the combined scan: index candidates first, then the drop; groups hold at least one drop witness.
        sources: ``"index"`` or ``"drop"`` for each document of ``scan.documents``.
        drop: one entry per drop document, in input order.
        collations: the collation of each group (by group id) when ``fail_on`` asked for findings.
        gates: the verdicts; the check passes when all pass.
    """

    scan: ScanResult
    sources: tuple[str, ...]
    drop: tuple[DropDocument, ...]
    dup_rate: float
    gates: tuple[Gate, ...] = ()
    collations: dict[str, Collation] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(g.passed for g in self.gates)

    def source_of(self, path: str) -> str:
        for document, source in zip(self.scan.documents, self.sources, strict=True):
            if document.path == path:
                return source
        return "drop"


def check(
    paths: Iterable[str],
    index: Index,
    config: Config | None = None,
    *,
    max_dup_rate: float | None = None,
    fail_on: Sequence[FindingKind] = (),
    workers: int | None = None,
) -> CheckResult:
    """Group a drop against the index and within itself, and apply the gates."""
    import os

    config = config or Config()
    index.require_settings(config)
    stats: dict[str, float] = {}
    tick = time.perf_counter()
    inputs, drop_docs, drop_units, drop_signatures = _sketch_all(
        load(paths), config, workers or os.cpu_count() or 1, None
    )
    stats["sketch_s"] = time.perf_counter() - tick

    tick = time.perf_counter()
    stored = index.units()
    bands, rows = banding(config.candidates, config.fingerprint.num_perm)
    wanted = band_keys(drop_signatures, bands, rows)
    hit = np.zeros(stored.keys.shape[0], dtype=bool)
    if stored.keys.shape[0] and wanted.shape[0]:
        for band in range(min(bands, stored.keys.shape[1])):
            hit |= np.isin(stored.keys[:, band], wanted[:, band])
    candidate_ids = np.unique(stored.docs[hit]).tolist()
    held = [d.as_document() for d in index.documents(candidate_ids)]
    stats["index_lookup_s"] = time.perf_counter() - tick
    stats["index_candidates"] = len(held)

    tick = time.perf_counter()
    _, index_docs, index_units, index_signatures = _sketch_all(held, config, workers or os.cpu_count() or 1, None)
    stats["index_sketch_s"] = time.perf_counter() - tick

    documents = [*index_docs, *drop_docs]
    offset = len(index_docs)
    units = Units(
        np.concatenate([index_units.doc, drop_units.doc + offset]),
        np.concatenate([index_units.paragraph, drop_units.paragraph]),
        np.concatenate([index_units.sets, drop_units.sets]),
        np.concatenate([index_units.offsets, drop_units.offsets[1:] + index_units.offsets[-1]]),
    )
    signatures = np.concatenate([index_signatures, drop_signatures])
    groups, _, _ = match_and_group(documents, units, signatures, config, stats)
    sources = tuple(["index"] * offset + ["drop"] * len(drop_docs))
    groups = tuple(g for g in groups if any(sources[p.doc] == "drop" for w in g.witnesses for p in w.passages))
    stats.update(documents=len(drop_docs), skipped=sum(1 for r in inputs if r.status == "skipped"))
    scan = ScanResult(tuple(inputs), tuple(documents), groups, config, stats)

    reprints = _reprints(groups, documents, sources)
    collations: dict[str, Collation] = {}
    failures: dict[int, list[Finding]] = {}
    if fail_on:
        for g in groups:
            reference = _index_reference(g, documents, sources)
            collation = collate_group(g, documents, reference)
            collations[g.id] = collation
            for witness, result in zip(g.witnesses, _results_in_order(g, collation), strict=True):
                for passage in witness.passages:
                    if sources[passage.doc] == "drop":
                        bad = [f for f in result.findings if f.kind in fail_on]
                        failures.setdefault(passage.doc, []).extend(bad)

    drop = tuple(
        DropDocument(
            documents[offset + k].path,
            tuple(reprints.get(offset + k, ())),
            tuple(failures.get(offset + k, ())),
        )
        for k in range(len(drop_docs))
    )
    reprinting = sum(1 for d in drop if not d.unique)
    dup_rate = reprinting / len(drop) if drop else 0.0
    gates: list[Gate] = []
    if max_dup_rate is not None:
        gates.append(
            Gate(
                "max-dup-rate",
                dup_rate <= max_dup_rate,
                f"{reprinting} of {len(drop)} drop documents reprint held or earlier content "
                f"({dup_rate:.1%}; the gate allows {max_dup_rate:.1%})",
            )
        )
    if fail_on:
        failing = [d for d in drop if d.failures]
        gates.append(
            Gate(
                "fail-on",
                not failing,
                f"{len(failing)} drop document(s) with {', '.join(fail_on)} findings against their reference",
            )
        )
    return CheckResult(scan, sources, drop, dup_rate, tuple(gates), collations)


def _reprints(
    groups: Sequence[Group], documents: Sequence[ScannedDocument], sources: Sequence[str]
) -> dict[int, list[str]]:
    """For each drop document in a group: the indexed or earlier drop copies of its story."""
    out: dict[int, list[str]] = {}
    for g in groups:
        spans = [(p.doc, str(s)) for w in g.witnesses for p, s in zip(w.passages, w.segments, strict=True)]
        for doc, _ in spans:
            if sources[doc] != "drop":
                continue
            earlier = [
                ("index:" if sources[other] == "index" else "") + where
                for other, where in spans
                if other != doc and (sources[other] == "index" or other < doc)
            ]
            if earlier:
                out.setdefault(doc, []).extend(earlier)
    return out


def _index_reference(g: Group, documents: Sequence[ScannedDocument], sources: Sequence[str]) -> str | None:
    """The path of the group's most complete indexed copy, which drop copies are measured against."""
    held = [w for w in g.witnesses if all(sources[p.doc] == "index" for p in w.passages)]
    if not held:
        return None
    best = max(held, key=lambda w: w.coverage)
    return documents[best.passages[0].doc].path


def _results_in_order(g: Group, collation: Collation) -> list[WitnessCollation]:
    by_id = {r.witness: r for r in collation.witnesses}
    return [by_id[w.id] for w in g.witnesses]


def add_to_index(paths: Iterable[str], index: Index, config: Config | None = None) -> tuple[list[InputRecord], int]:
    """Sketch the inputs and add them to the index in one transaction; returns the inputs and the count."""
    import os

    config = config or Config()
    index.require_settings(config)
    loaded = list(load(paths))
    inputs, documents, units, signatures = _sketch_all(loaded, config, os.cpu_count() or 1, None, keep_text=False)
    # Sketching keeps the loaded documents' order (and drops the ones left empty): walk both in step.
    loaded_docs = iter(item for item in loaded if isinstance(item, Document))
    originals = []
    for kept in documents:
        original = next(loaded_docs)
        while original.path != kept.path:
            original = next(loaded_docs)
        originals.append(original)
    added = index.add(originals, units.doc, units.paragraph, signatures, config)
    return inputs, added
