"""Check a new corpus drop against a persistent index, and within itself, for CI.

The questions a team asks of each day's drop: which of these documents reprint something we already hold,
which reprint each other, and is any copy damaged beyond what we accept? ``check`` answers them with the same
stages as ``scan`` and ``report``, over the drop and the few indexed documents that could matter:

1. The drop is sketched (in worker processes when it is large).
2. Its LSH band codes are merged with the index's postings, one block at a time: this gives every candidate
   pair of a drop unit and an indexed unit, as an in-memory scan of index and drop together would find it
   (of a crowded bucket, the first ``max_bucket`` indexed members, which include the member a scan links
   the bucket through). The same pass looks up the drop's head keys among the index's: a preview copy's
   cut paragraphs and their originals, which share no band (:mod:`dedup.match.heads`).
3. The candidate pairs are verified on exact shingle sets, reading only the texts of the indexed units
   involved: most pairs of a large index are chance collisions of one band. Head candidates are held to
   the scan's test for them (the shorter unit is the other's start).
4. The indexed documents with a verified pair are read back as stored (paragraphs as segmented, unit texts
   as sketched) and signed again: compiled code, no normalization, no raw text.
5. Candidates, verification and grouping run over those documents and the drop together, as the scan runs
   them. Each witness then says whether it comes from the index or the drop.
6. Only for ``fail_on``, the raw text of the indexed copies in the drop's groups is read, to quote them.

What a scan of index and drop would see that the check does not: indexed documents without a verified
match to the drop, which can matter only through a chain of index-only matches (a story whose indexed
copies link to each other but to no drop copy directly), and, of a bucket with more than ``max_bucket``
indexed members, the members past the first ``max_bucket`` (they would make the same star, with more
points).

Gates (each optional) decide the exit code:

- ``max_dup_rate``: the share of drop documents that reprint indexed content or an earlier drop document.
- ``fail_on``: finding kinds (``dropped``, ``garbled``, …) that no drop copy may show against its reference;
  the reference is the index's copy where the index holds one (the text the team already trusts).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from dedup.arrays import distinct
from dedup.collate.align import Collation, Finding, FindingKind, WitnessCollation
from dedup.config import Config
from dedup.ingest.load import StdinInput, load
from dedup.ingest.pool import Ledger, Unread, stream
from dedup.match.candidates import Units, banding, verify, verify_heads
from dedup.match.fingerprint import Signer, shingle_sets
from dedup.match.heads import head_keys
from dedup.pipeline.report import collate_groups
from dedup.pipeline.scan import Progress, match_and_group, sketch_all
from dedup.records import InputRecord
from dedup.results import CheckResult, DropDocument, Gate, Group, ScannedDocument, ScanResult
from dedup.store.index import Index, IndexedDocument, sketch_for_index
from dedup.store.postings import HeadLookup, Hits, Lookup, band_codes

__all__ = ["Added", "CheckResult", "DropDocument", "Gate", "add_to_index", "check"]


def check(
    paths: Iterable[str],
    index: Index,
    config: Config | None = None,
    *,
    max_dup_rate: float | None = None,
    fail_on: Sequence[FindingKind] = (),
    workers: int | None = None,
    stdin: StdinInput | None = None,
    progress: Progress | None = None,
) -> CheckResult:
    """Group a drop against the index and within itself, and apply the gates.

    The steps (see the module docstring) leave their timings in ``scan.stats``: ``sketch_s`` (the drop),
    ``index_lookup_s`` (the postings merge), ``index_verify_s`` (the candidate pairs), ``index_load_s``
    (the verified documents), ``candidates_s`` and ``group_s`` (over those and the drop), and with
    ``fail_on`` ``index_quote_s`` (the raw texts collation quotes) and ``collate_s``.
    """
    config = config or Config()
    index.require_settings(config)
    stats: dict[str, float] = {}
    tick = time.perf_counter()
    # the drop, sketched as a scan sketches (raw text kept, for quoting), every input accounted for
    sketched = sketch_all(load(paths, stdin), config, workers or os.cpu_count() or 1, progress, keep_text=True)
    inputs, drop_docs, drop_units = sketched.inputs, sketched.documents, sketched.units
    drop_signatures = sketched.sketches.astype(np.uint32, copy=False)
    del sketched
    stats["sketch_s"] = time.perf_counter() - tick

    # the index is read as one snapshot, so that an add committing meanwhile (one that replaces a document
    # deletes rows) is not half seen; it waits until the check has read what it needs
    with index.reading():
        held = _matching_documents(index, drop_units, drop_signatures, config, stats)
        tick = time.perf_counter()
        index_docs, index_units, index_signatures = _rebuild(held, config)
        stats["index_load_s"] += time.perf_counter() - tick
        stats["index_candidates"] = len(held)

        documents: list[ScannedDocument] = [*index_docs, *drop_docs]
        offset = len(index_docs)
        units = _concat_units([index_units, drop_units], [0, offset])
        signatures = np.concatenate([index_signatures, drop_signatures])
        groups = match_and_group(documents, units, signatures, config, stats).groups
        sources = tuple(["index"] * offset + ["drop"] * len(drop_docs))
        groups = tuple(g for g in groups if any(sources[p.doc] == "drop" for w in g.witnesses for p in w.passages))
        stats.update(documents=len(drop_docs), skipped=sum(1 for r in inputs if r.status == "skipped"))

        collations: dict[str, Collation] = {}
        failures: dict[int, list[Finding]] = {}
        if fail_on:
            tick = time.perf_counter()
            quoted = sorted(
                {p.doc for g in groups for w in g.witnesses for p in w.passages if sources[p.doc] == "index"}
            )
            raw = index.raw_texts([held[k] for k in quoted])
            for k in quoted:
                documents[k] = replace(documents[k], raw=raw[held[k].id])
            stats["index_quote_s"] = time.perf_counter() - tick
            stats["index_quoted"] = len(quoted)
            tick = time.perf_counter()
            collations, failures = _collate(groups, documents, sources, fail_on, config, workers)
            stats["collate_s"] = time.perf_counter() - tick
        scan = ScanResult(tuple(inputs), tuple(documents), groups, config, stats)

        reprints = _reprints(groups, documents, sources)
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
        return CheckResult(scan, sources, drop, dup_rate, _gates(drop, dup_rate, max_dup_rate, fail_on), collations)


def _matching_documents(
    index: Index, drop_units: Units, drop_signatures: npt.NDArray[np.uint32], config: Config, stats: dict[str, float]
) -> list[IndexedDocument]:
    """The indexed documents with a verified candidate pair with the drop, read back as stored."""
    tick = time.perf_counter()
    bands, rows = banding(config.candidates, config.fingerprint.num_perm)
    lookup = Lookup(band_codes(drop_signatures, bands, rows), config.candidates.max_bucket)
    heads = HeadLookup(_heads_of(drop_units), config.candidates.max_bucket)
    for block, merged in index.blocks_with(lookup.merge):
        lookup.add(block, merged)
        heads.add(block)
    hits = lookup.result()
    head_hits = heads.result()
    stats["index_lookup_s"] = time.perf_counter() - tick
    stats["index_crowded_buckets"] = int(hits.crowded.size)
    stats["index_band_pairs"] = int(hits.docs.size)
    stats["index_band_documents"] = int(distinct(hits.docs).size)

    tick = time.perf_counter()
    matched = _verified_documents(hits, drop_units, index, config)
    stats["index_head_pairs"] = int(head_hits.docs.size)
    by_head = _verified_documents(head_hits, drop_units, index, config, heads=True)
    matched = distinct(np.concatenate([matched, by_head]))
    stats["index_verify_s"] = time.perf_counter() - tick
    tick = time.perf_counter()
    held = index.documents(matched)
    stats["index_load_s"] = time.perf_counter() - tick
    return held


def _collate(
    groups: Sequence[Group],
    documents: Sequence[ScannedDocument],
    sources: Sequence[str],
    fail_on: Sequence[str],
    config: Config,
    workers: int | None = None,
) -> tuple[dict[str, Collation], dict[int, list[Finding]]]:
    """Each group's collation (against the index's copy where it holds one; in worker processes for many
    groups), and the ``fail_on`` findings of each drop document."""
    collations: dict[str, Collation] = {}
    failures: dict[int, list[Finding]] = {}
    references = [_index_reference(g, documents, sources) for g in groups]
    for g, report in zip(groups, collate_groups(groups, documents, references, config, workers), strict=True):
        collation = collations[g.id] = report.collation
        for witness, result in zip(g.witnesses, _results_in_order(g, collation), strict=True):
            for passage in witness.passages:
                if sources[passage.doc] == "drop":
                    failures.setdefault(passage.doc, []).extend(f for f in result.findings if f.kind in fail_on)
    return collations, failures


def _gates(
    drop: Sequence[DropDocument], dup_rate: float, max_dup_rate: float | None, fail_on: Sequence[str]
) -> tuple[Gate, ...]:
    """The verdicts of the gates asked for."""
    gates: list[Gate] = []
    if max_dup_rate is not None:
        reprinting = sum(1 for d in drop if not d.unique)
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
    return tuple(gates)


def _verified_documents(
    hits: Hits, drop_units: Units, index: Index, config: Config, heads: bool = False
) -> npt.NDArray[np.int64]:
    """The indexed documents with at least one candidate pair that verification accepts (with ``heads``,
    head candidates, which verification holds to their own test).

    At scale most candidate pairs are chance collisions of a band between unrelated texts (a low LSH
    threshold over millions of units): in a 10,000-article drop against 200,000 indexed articles, more than
    half the index shares a band with the drop, yet a sixth of those documents match anything. Only the
    texts of the colliding units are read (``content``, no decompression), shingled, and scored exactly as
    ``verify`` scores every pair in a scan; the rest of a document is read only if one of its pairs counts.
    One accepted pair settles a document, so each document's first pair is scored first, and the others only
    for the documents it did not settle (reprints have dozens of pairs; chance collisions one or two).
    """
    if not hits.docs.size:
        return np.zeros(0, dtype=np.int64)
    packed = (hits.docs << np.int64(24)) | hits.units  # a unit's number in its document is under 2**24
    unique, inverse = np.unique(packed, return_inverse=True)
    texts = index.unit_texts(unique >> np.int64(24), unique & np.int64((1 << 24) - 1))
    first = np.zeros(hits.docs.size, dtype=np.bool_)
    order = np.argsort(hits.docs, kind="stable")
    starts = np.flatnonzero(np.diff(hits.docs[order], prepend=-1))
    first[order[starts]] = True
    accepted = _accept(hits.drop_units[first], inverse[first], texts, drop_units, config, heads)
    settled = distinct(hits.docs[first][accepted])
    rest = ~first & ~np.isin(hits.docs, settled)
    accepted = _accept(hits.drop_units[rest], inverse[rest], texts, drop_units, config, heads)
    return distinct(np.concatenate([settled, hits.docs[rest][accepted]]))


def _accept(
    drop: npt.NDArray[np.int64],
    held: npt.NDArray[np.int64],
    texts: list[str],
    drop_units: Units,
    config: Config,
    heads: bool = False,
) -> npt.NDArray[np.bool_]:
    """Whether each pair of a drop unit and an indexed unit (a position in ``texts``) passes ``verify`` (with
    ``heads``, ``verify_heads``)."""
    if not drop.size:
        return np.zeros(0, dtype=np.bool_)
    needed, local = np.unique(held, return_inverse=True)
    sets, offsets = shingle_sets([texts[k] for k in needed.tolist()], config.fingerprint.ngram)
    n = len(drop_units)
    both = Units(
        np.zeros(n + needed.size, dtype=np.int64),
        np.zeros(n + needed.size, dtype=np.int64),
        np.concatenate([drop_units.sets, sets]),
        np.concatenate([drop_units.offsets, offsets[1:] + drop_units.offsets[-1]]),
    )
    pairs = np.stack([drop, n + local.ravel()], axis=1)
    if heads:
        return verify_heads(both, pairs, config.candidates, config.fingerprint.ngram).accepted
    return verify(both, pairs, config.candidates).accepted


def _rebuild(
    held: Sequence[IndexedDocument], config: Config
) -> tuple[list[ScannedDocument], Units, npt.NDArray[np.uint32]]:
    """The candidates as a scan would have sketched them, from their stored records: the paragraphs as
    segmented, and the stored unit texts shingled and signed again (compiled kernels, no normalization)."""
    documents = [d.scanned(config) for d in held]
    texts = [t for d in held for t in d.form.unit_texts]
    counts = np.fromiter((len(d.form.unit_texts) for d in held), dtype=np.int64, count=len(held))
    unit_doc = np.repeat(np.arange(len(held), dtype=np.int64), counts)
    unit_paragraph = np.fromiter(
        (k for d in held for k in d.form.unit_paragraphs), dtype=np.int64, count=int(counts.sum())
    )
    sets, offsets = shingle_sets(texts, config.fingerprint.ngram)
    signatures = Signer(config.fingerprint).sign_texts(texts)
    heads = head_keys(texts, config.fingerprint)
    return documents, Units(unit_doc, unit_paragraph, sets, offsets, heads), signatures


def _concat_units(parts: Sequence[Units], bases: Sequence[int]) -> Units:
    """Units of consecutive document ranges as one, ``bases[k]`` being the first document of ``parts[k]``."""
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Units(empty, empty, np.zeros(0, dtype=np.uint32), np.zeros(1, dtype=np.int64))
    offsets = [np.zeros(1, dtype=np.int64)]
    base = 0
    for part in parts:
        offsets.append(part.offsets[1:] + base)
        base += int(part.offsets[-1])
    heads = [part.heads for part in parts]
    return Units(
        np.concatenate([part.doc + b for part, b in zip(parts, bases, strict=True)]),
        np.concatenate([part.paragraph for part in parts]),
        np.concatenate([part.sets for part in parts]),
        np.concatenate(offsets),
        None if any(h is None for h in heads) else np.concatenate(heads),  # type: ignore[arg-type]
    )


def _heads_of(units: Units) -> npt.NDArray[np.uint64]:
    """The units' head keys; none (zeros) where they were made without their texts."""
    return units.heads if units.heads is not None else np.zeros(len(units), dtype=np.uint64)


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


@dataclass(frozen=True, slots=True)
class Added:
    """What an add did.

    Attributes:
        inputs: every input, read or skipped with its reason, in input order.
        added: documents written (new paths, and held paths with new content).
        unchanged: documents skipped because the index holds their path with the same content.
        replaced: the held paths whose content the add replaced, in input order.
    """

    inputs: tuple[InputRecord, ...]
    added: int
    unchanged: int
    replaced: tuple[str, ...]


def add_to_index(
    paths: Iterable[str],
    index: Index,
    config: Config | None = None,
    workers: int | None = None,
    stdin: StdinInput | None = None,
    progress: Progress | None = None,
) -> Added:
    """Sketch the inputs and add them to the index in one transaction.

    The inputs are streamed: each batch is written as soon as it is sketched and let go, and postings a
    block at a time, so memory stays flat whatever the corpus size; the transaction still makes the add all
    or nothing. Adding is idempotent (:mod:`dedup.store.writer`): a path held with the same content is
    skipped and counted, with new content it is replaced, so a retried CI job stores nothing twice. On any
    failure or interruption the worker processes are stopped and the add rolled back.
    """
    config = config or Config()
    index.require_settings(config)
    ledger = Ledger()
    done = 0  # inputs sketched and written, for progress
    entries = stream(load(paths, stdin), sketch_for_index, config, workers or os.cpu_count() or 1)
    with closing(entries), index.writer(config) as writer:
        for entry in entries:
            if isinstance(entry, Unread):
                ledger.unread(entry)
                continue
            kept = ledger.account(entry.places, entry.result.outcomes)
            writer.add(kept, entry.result.unit_docs, entry.result.codes, entry.result.heads)
            done += len(entry.places)
            if progress is not None:
                progress("adding", done, None)
    written = writer.summary()
    return Added(tuple(ledger.records()), written.added, written.unchanged, written.replaced)
