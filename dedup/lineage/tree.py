"""Who copied whom: a copy tree rooted at the reference, from the changes the copies share.

Why not a phylogenetics package. Parsimony and distance-tree methods (scikit-bio's ``nj``, DendroPy, Biopython
``Bio.Phylo``'s ``ParsimonyTreeConstructor``) solve a harder problem than this one: they search over unrooted
tree shapes for characters that can change in any direction, and they place every observed sequence at a leaf,
so a copy that is itself the source of others (the portal a blog copied) comes out as a leaf beside an
invented internal node. Here:

- the root is known (the reference: the wire copy, or the least changed copy);
- a change is a fact about one place of the text (this word became that one, this paragraph was cut at this
  character) and is, for all practical purposes, irreversible: a copy of a copy does not restore the exact
  words its source changed, nor the paragraph it dropped. A copy therefore carries *every* change of each of its
  ancestors (Dollo's law), and its parent is the copy whose change set is the largest subset of its own;
- observed copies may be internal nodes, which the subset relation places directly.

That leaves two small steps, both linear in the number of changes per candidate pair (a group has tens of
copies, not thousands, so the quadratic pair loop costs nothing):

1. **Observed parents.** Copies are taken in order of total change weight (a parent has fewer changes than its
   child, which adds some of its own; a change a copy of a copy may not show again, such as a foreign
   paragraph, counts only a quarter here, since a source's page furniture may outweigh its copy's own
   changes). Each takes as parent the copy no heavier than itself that maximises ``shared - 2 * missing`` (the
   weight of the candidate's changes it carries, less twice the weight of those it lacks, the undoable ones
   at a quarter: collation now and then reports an inherited change a little differently, so a small miss is
   tolerated), if the shared weight reaches ``min_shared``, the lasting misses stay under ``max_missing`` of
   the candidate's weight and it lacks at most one undoable change; otherwise the root.
2. **Unseen intermediates.** Children of one node that share changes their parent lacks were copied from a copy
   that is not in the corpus. The pair of siblings sharing the most weight defines the intermediate's changes
   (their common ones); every sibling carrying most of them hangs from it; repeat, then recurse into the new
   node, whose children may share more (a lost copy of a lost copy).

Confidence is the weight of the evidence that separates the chosen parent from the next best candidate,
mapped to 0..1 by ``1 - exp(-weight / 3)``: one shared substituted word (weight 3) gives 0.63, two give 0.86.
A copy that shares nothing with any other hangs from the root with ``root_confidence`` (0.3), lower still when
it shares changes that did not qualify: the evidence does not decide, and the output says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

EVIDENCE_SCALE = 3.0  # weight of one substituted word: confidence 1 - 1/e


@dataclass(frozen=True, slots=True)
class LineageConfig:
    """Settings of the inference (tuned on chain corpus seed 1 only; see ``benchmarks/bench_lineage.py``).

    Attributes:
        min_shared: shared weight that makes a copy (rather than the root) a parent, and siblings' common
            changes an unseen intermediate: one strong change, or two weak ones (a dropped middle paragraph and a
            merged heading), never one repeated paragraph (1.5), which short stories see by chance. On chain
            seed 1, 2.0 left a copy of a copy whose source made only weak changes at the root; 1.5 made a
            lost copy out of one shared repeat.
        max_missing: share of a candidate parent's lasting change weight its child may lack (collation now and then
            reports an inherited change differently). On seed 1, 0.05 to 0.15 score alike; 0.2 let a sibling that
            lacked one repeated paragraph of the other pass for its parent.
        miss_penalty: each unit of a candidate's weight the child lacks costs this much shared weight.
        core_share: share of an intermediate's changes a sibling must carry to hang from it.
        root_confidence: confidence of a copy that shares nothing and hangs from the root by default.
        undoable_share: what an undoable change a child lacks counts against its candidate parent, as a
            share of its weight. 0 would let siblings whose own changes are all foreign paragraphs pass for
            each other's parents; on chain seed 1 at 30 stories, 0.25 scores 96.8% against 93.5% for 0.
        undoable_lacking: how many undoable changes of a candidate parent its child may lack (a line of the
            parent's page reported as an added paragraph, which no copier takes along). Before, they counted
            in ``max_missing``, which rejected the parent of every copy whose source's page had one; 2 lets
            siblings with one foreign paragraph each pass for each other's parents (chain seed 2: 35 of 38
            copies right against 38 for 1; seed 1 alike); 0 gets 30 of 37 on seed 1 against 35 for 1 (though
            36 of 38 against 34 on seed 13).
    """

    min_shared: float = 1.6
    max_missing: float = 0.1
    miss_penalty: float = 2.0
    core_share: float = 0.6
    root_confidence: float = 0.3
    undoable_share: float = 0.25
    undoable_lacking: int = 1


@dataclass(frozen=True, slots=True)
class Change:
    """One change a copy made to the reference, as a hashable signature.

    Two copies carry the same change when kind, paragraph and key are equal; the weight is a function of those
    (see :mod:`dedup.lineage.changes`) and takes no part in equality.

    Attributes:
        kind: the finding kind (``substituted``, ``truncated``, ``dropped``, ...).
        paragraph: the reference paragraph (1-based), or ``None`` for an added paragraph.
        key: what makes the change specific: an edit's strings and place, the cut text of a truncation, the
            paragraphs of a merge, the text of an added paragraph; empty where the kind and paragraph say it all.
        weight: how unlikely two copies are to make this change independently (about -log of the chance).
        undoable: a copy of a copy may well not show it again (a foreign paragraph, page furniture such as a
            site's navigation line, left behind; a merge read off the copy's own layout): its absence from a
            copy counts little against its source. It counts in full as evidence where a copy does carry it.
    """

    kind: str
    paragraph: int | None
    key: tuple[str | int, ...] = ()
    weight: float = 1.0
    undoable: bool = False

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Change):
            return NotImplemented
        return (self.kind, self.paragraph, self.key) == (other.kind, other.paragraph, other.key)

    def __hash__(self) -> int:
        return hash((self.kind, self.paragraph, self.key))


@dataclass(frozen=True, slots=True)
class FindingRef:
    """Where a change was reported: the ``finding``-th (0-based) finding of ``witness`` in the report."""

    witness: str
    finding: int


@dataclass(frozen=True, slots=True)
class Carried:
    """A change a copy carries, and the finding of the report that shows it."""

    change: Change
    ref: FindingRef


@dataclass(frozen=True, slots=True)
class CopyChanges:
    """One copy (a witness of the group) and every change it carries against the root."""

    witness: str
    changes: tuple[Carried, ...]

    def change_set(self) -> frozenset[Change]:
        return frozenset(c.change for c in self.changes)


@dataclass(frozen=True, slots=True)
class LineageInput:
    """What lineage needs of a group, and nothing of collation's internals.

    Attributes:
        group: the group id; unseen intermediates are named ``{group}.X1``, ``{group}.X2``, ...
        root: the witness the changes are measured against (the reference, or the least changed copy).
        copies: the other witnesses (the root may be listed too, with no changes; it is ignored).
    """

    group: str
    root: str
    copies: tuple[CopyChanges, ...]


@dataclass(frozen=True, slots=True)
class Edge:
    """``child`` was copied from ``parent``; ``shared`` cites the child's findings that show it, strongest first."""

    parent: str
    child: str
    confidence: float
    shared: tuple[FindingRef, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "parent": self.parent,
            "child": self.child,
            "confidence": round(self.confidence, 3),
            "shared": [{"witness": r.witness, "finding": r.finding} for r in self.shared],
        }


@dataclass(frozen=True, slots=True)
class Lineage:
    """A copy tree: the root, one edge per copy (and per unseen intermediate), the intermediates' ids."""

    root: str
    edges: tuple[Edge, ...]
    intermediates: tuple[str, ...] = ()

    def parent_of(self, child: str) -> str | None:
        return next((e.parent for e in self.edges if e.child == child), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"root", "edges": [{"parent", "child", "confidence", "shared"}], "intermediates"}``."""
        return {
            "root": self.root,
            "edges": [e.to_dict() for e in self.edges],
            "intermediates": list(self.intermediates),
        }


def weight(changes: Iterable[Change]) -> float:
    """Total weight of a set of changes.

    >>> weight([Change("dropped", 3, (), 1.0), Change("substituted", 2, ("replace", "正", "导", 5), 3.0)])
    4.0
    """
    return sum(c.weight for c in changes)


def strength(evidence: float) -> float:
    """Evidence weight mapped to a confidence in 0..1.

    >>> round(strength(3.0), 2), strength(0.0)
    (0.63, 0.0)
    """
    return 1.0 - math.exp(-max(evidence, 0.0) / EVIDENCE_SCALE)


class _Tree:
    """Mutable working state of one inference: change sets, parents, confidences and evidence per node."""

    def __init__(self, data: LineageInput, config: LineageConfig) -> None:
        self.config = config
        self.group = data.group
        self.root = data.root
        self.sets: dict[str, frozenset[Change]] = {data.root: frozenset()}
        self.refs: dict[str, dict[Change, FindingRef]] = {}
        for copy in data.copies:
            if copy.witness == data.root:
                continue
            self.sets[copy.witness] = copy.change_set()
            self.refs[copy.witness] = {c.change: c.ref for c in copy.changes}
        self.parent: dict[str, str] = {}
        self.confidence: dict[str, float] = {}
        self.evidence: dict[str, frozenset[Change]] = {}
        self.members: dict[str, tuple[str, ...]] = {}  # intermediate -> the observed copies that define it
        self.intermediates: list[str] = []

    def copies(self) -> list[str]:
        return [w for w in self.sets if w != self.root and w not in self.members]

    def children(self, node: str) -> list[str]:
        return sorted(c for c, p in self.parent.items() if p == node)

    def cite(self, child: str, changes: frozenset[Change]) -> tuple[FindingRef, ...]:
        """The findings that show ``changes``: the child's own, or for an intermediate its members'."""
        owners = self.members.get(child, (child,))
        refs = [
            (-c.weight, r.witness, r.finding, r)
            for w in owners
            for c in changes
            if (r := self.refs.get(w, {}).get(c)) is not None
        ]
        return tuple(dict.fromkeys(r for *_, r in sorted(refs)))


def _candidate_score(parent: frozenset[Change], child: frozenset[Change], config: LineageConfig) -> float | None:
    """The score of ``parent`` as the source of ``child``, or None if it cannot be one.

    A change of the candidate that the child lacks counts against it. A lasting one counts in full, and the
    child may lack no more than ``max_missing`` of the candidate's weight. An undoable one counts
    ``undoable_share`` of its weight against the score, and the child may lack up to ``undoable_lacking`` of
    them whatever the candidate's weight: the commonest is a line of the candidate's page (an address, a
    copyright notice, a neighbouring headline) that collation reports as an added paragraph and that no copier
    takes along. (Also forgiving a lacking change at a paragraph the child changed too, since collation may
    describe one damaged paragraph differently in two copies, scored worse on chain seed 1 at 30 stories:
    88.7% against 93.5%, siblings that changed the same paragraphs passed for parents; forgiving only a drop
    where the child shows a cut of the same paragraph cost seed 2 two copies and gained nothing on seed 1;
    forgiving a cut where the child drops the paragraph cost seed 1 at 30 stories two copies.)
    """
    shared = weight(parent & child)
    lacking = [c for c in parent if c not in child]
    lasting = weight(c for c in lacking if not c.undoable)
    undoable = [c for c in lacking if c.undoable]
    if (
        shared < config.min_shared
        or lasting > config.max_missing * _counted(parent, config)
        or len(undoable) > config.undoable_lacking
    ):
        return None
    return shared - config.miss_penalty * (lasting + config.undoable_share * weight(undoable))


def _observed_parents(tree: _Tree) -> None:
    """Step 1: each copy's parent among the copies with no more change weight (undoable changes counted in
    part), or the root. Copies of equal weight are candidates for each other, the first placed hanging from
    the other only if it does not already descend from it."""
    order = sorted(tree.copies(), key=lambda w: (_counted(tree.sets[w], tree.config), w))
    for child in order:
        mine = tree.sets[child]
        scored = []
        heavy = _counted(mine, tree.config)
        pool = [
            o
            for o in order
            if o != child and _counted(tree.sets[o], tree.config) <= heavy and not _descends(tree, o, child)
        ]
        for cand in pool:
            score = _candidate_score(tree.sets[cand], mine, tree.config)
            if score is not None:
                scored.append((score, cand))
        scored.sort(key=lambda s: (-s[0], s[1]))
        if scored and scored[0][0] > 0:
            best, cand = scored[0]
            second = scored[1][0] if len(scored) > 1 else 0.0
            tree.parent[child] = cand
            tree.confidence[child] = strength(best - max(second, 0.0))
            tree.evidence[child] = tree.sets[cand] & mine
            continue
        rejected = max((weight(tree.sets[o] & mine) for o in order if o != child), default=0.0)
        tree.parent[child] = tree.root
        tree.confidence[child] = tree.config.root_confidence * (1.0 - strength(rejected))
        tree.evidence[child] = frozenset()


def _counted(changes: Iterable[Change], config: LineageConfig) -> float:
    """Total weight with undoable changes at ``undoable_share``: what orders copies from source to copy (a
    source may carry a page's furniture its copies lack, and so outweigh them in plain weight)."""
    return sum(c.weight * (config.undoable_share if c.undoable else 1.0) for c in changes)


def _descends(tree: _Tree, node: str, ancestor: str) -> bool:
    """Whether ``node`` hangs, through the parents chosen so far, under ``ancestor``."""
    seen = set()
    while node in tree.parent and node not in seen:
        seen.add(node)
        node = tree.parent[node]
        if node == ancestor:
            return True
    return False


def _intermediates(tree: _Tree, node: str) -> None:
    """Step 2: under ``node``, hang siblings that share changes ``node`` lacks from unseen intermediates."""
    while True:
        kids = tree.children(node)
        base = tree.sets[node]
        rel = {k: tree.sets[k] - base for k in kids}
        best: tuple[float, str, str] | None = None
        for i, a in enumerate(kids):
            for b in kids[i + 1 :]:
                shared = weight(rel[a] & rel[b])
                if shared >= tree.config.min_shared and (best is None or shared > best[0]):
                    best = (shared, a, b)
        if best is None:
            break
        _, a, b = best
        core = rel[a] & rel[b]
        members = [k for k in kids if weight(rel[k] & core) >= tree.config.core_share * weight(core)]
        name = f"{tree.group}.X{len(tree.intermediates) + 1}"
        tree.intermediates.append(name)
        tree.sets[name] = base | core
        tree.members[name] = tuple(m for m in members if m not in tree.members) or tuple(members)
        tree.parent[name] = node
        tree.confidence[name] = strength(weight(core))
        tree.evidence[name] = core
        for m in members:
            tree.parent[m] = name
            tree.confidence[m] = strength(weight(rel[m] & core))
            tree.evidence[m] = tree.sets[m] & tree.sets[name]
    for kid in tree.children(node):
        if tree.children(kid):
            _intermediates(tree, kid)


def infer_lineage(data: LineageInput, config: LineageConfig | None = None) -> Lineage:
    """The copy tree of one group (see the module docstring for the method and why it suffices).

    >>> a = Carried(Change("substituted", 2, ("replace", "正向", "导向", 7), 3.0), FindingRef("A", 0))
    >>> b = Carried(Change("truncated", 4, ("一段",), 3.0), FindingRef("B", 1))
    >>> data = LineageInput("G1", "W", (CopyChanges("A", (a,)), CopyChanges("B", (a, b))))
    >>> [(e.parent, e.child) for e in infer_lineage(data).edges]
    [('W', 'A'), ('A', 'B')]
    """
    tree = _Tree(data, config or LineageConfig())
    _observed_parents(tree)
    _intermediates(tree, tree.root)
    edges = []
    for child in _preorder(tree, tree.root):
        edges.append(
            Edge(
                parent=tree.parent[child],
                child=child,
                confidence=tree.confidence[child],
                shared=tree.cite(child, tree.evidence[child]),
            )
        )
    return Lineage(tree.root, tuple(edges), tuple(tree.intermediates))


def _preorder(tree: _Tree, node: str) -> Sequence[str]:
    out: list[str] = []
    for kid in tree.children(node):
        out.append(kid)
        out.extend(_preorder(tree, kid))
    return out
