"""The collation names in one place, for the callers that import them from here (``dedup.cli``,
``dedup.gate.check``).

Collation is one module per job: :mod:`~dedup.collate.sentences` (sentence matching),
:mod:`~dedup.collate.edits` (character edits), :mod:`~dedup.collate.portions` (matched sentences gathered per
reference paragraph), :mod:`~dedup.collate.findings` (what a copy did), :mod:`~dedup.collate.reference` (which
copy is the reference), :mod:`~dedup.collate.consensus` (the majority text) and
:mod:`~dedup.collate.quoting` (findings told in the documents' own text); the records are in
:mod:`~dedup.collate.records`. New code imports from those.
"""

from dedup.collate.consensus import build_consensus, collate_consensus
from dedup.collate.edits import apply_edits, diff
from dedup.collate.findings import align
from dedup.collate.records import (
    CONSENSUS,
    KINDS,
    Collation,
    CopyParagraph,
    Finding,
    FindingKind,
    Portion,
    TextEdit,
    WitnessCollation,
    WitnessText,
)
from dedup.collate.reference import choose_base, choose_reference, collate
from dedup.collate.sentences import content_text

__all__ = [
    "CONSENSUS",
    "KINDS",
    "Collation",
    "CopyParagraph",
    "Finding",
    "FindingKind",
    "Portion",
    "TextEdit",
    "WitnessCollation",
    "WitnessText",
    "align",
    "apply_edits",
    "build_consensus",
    "choose_base",
    "choose_reference",
    "collate",
    "collate_consensus",
    "content_text",
    "diff",
]
