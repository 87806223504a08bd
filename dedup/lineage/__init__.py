"""Lineage: who copied whom in a group, from the changes the copies share (see :mod:`dedup.lineage.tree`)."""

from dedup.lineage.changes import (
    LineageOutcome,
    canonical,
    explain_lineage,
    finding_changes,
    group_form,
    lineage_input,
    lineage_of_group,
)
from dedup.lineage.tree import (
    Carried,
    Change,
    CopyChanges,
    Edge,
    FindingRef,
    Lineage,
    LineageConfig,
    LineageInput,
    infer_lineage,
)

__all__ = [
    "Carried",
    "Change",
    "CopyChanges",
    "Edge",
    "FindingRef",
    "Lineage",
    "LineageConfig",
    "LineageInput",
    "LineageOutcome",
    "canonical",
    "explain_lineage",
    "finding_changes",
    "group_form",
    "infer_lineage",
    "lineage_input",
    "lineage_of_group",
]
