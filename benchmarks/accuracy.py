"""Accuracy metrics: how well a grouping and a list of findings agree with a ground truth.

Two truths are read into one form, :class:`Truth`: the generator's ``truth.json`` (:mod:`benchmarks.corpus`) and
the hand-written ``benchmarks/seeds_truth.json`` for the five real seeds. Predictions from any method (dedup,
the document-level MinHash baseline, the difflib baseline) are given in a plain form too (:class:`PredGroup`,
:class:`PredWitness`, :class:`PredFinding`), so every method is scored by the same code.

Grouping
    The items are the truth's passages: every ``(file, line span)`` the truth lists, whether a copy of a story
    (or one part of a copy that jumps pages), a filler article or a boilerplate paragraph. An item's true label
    is its story; filler and boilerplate passages are singletons. A predicted group *covers* an item when its
    witness segments in the item's file overlap at least half of the item's lines (the group with the largest
    overlap wins if several do); an item no group covers is a predicted singleton. Two items are "same" in the
    truth when they share a story, and "same" in the prediction when one group covers both. From the
    contingency table of (true label, predicted label) come pairwise precision, recall and F1 over item pairs and
    the adjusted Rand index (Hubert and Arabie's formula, computed here; no scikit-learn needed).

    Limits: a passage cut into two predicted groups counts for the one covering more of it, and a story cut into
    several groups is seen only through the passages (:func:`fragmented_stories` reports it apart). Items are
    counted alike whatever their length: a one-line boilerplate passage that a witness takes in makes a false
    pair with every other passage of the group, as a whole filler article would, while lines that lie in no
    truth passage (blank lines) are not items at all. False and missed pairs are reported by cause so that the
    weight of each kind of error is visible.

Findings
    A finding is scored on three keys: the copy it is about, its kind, and the reference paragraph(s) it names.

    1. *Copy*: each predicted witness is assigned the truth copy whose segments share the most lines with its
       own (at least half of the witness's or of the copy's lines). A group's story is the story of the
       majority of its witnesses' copies (weighted by shared lines).
    2. *Reference paragraphs*: a method reports paragraph indexes into its own reference text (for dedup: a
       chosen copy, or a consensus of several), the truth into the wire text. The two are mapped by text
       similarity with rapidfuzz on content characters (NFKC, letters and digits only): each predicted
       reference paragraph maps to the truth paragraph it best resembles, and each truth paragraph to the
       predicted reference paragraph that best contains it (``partial_ratio`` ≥ 80, ties broken by
       ``ratio``). One predicted reference paragraph can therefore stand for several truth paragraphs (a
       reference copy that merged a heading into its body) and several for one (a split one).
    3. *Kind*: classes are ``dropped``, ``added``, ``reordered``, ``duplicated``, ``truncated``,
       ``merged/split`` (one class: which of the two a method says depends on which side it calls the
       reference), ``substituted`` and ``garbled``.

    A predicted finding is *correct* when its copy carries a truth damage of the same class whose reference
    paragraphs intersect the finding's mapped ones (``added``, and ``garbled`` without a reference paragraph:
    when the copy-side line spans overlap instead). A truth damage is *found* when at least one correct finding
    matches it. Matching is many-to-one: a damage reported twice (a merged paragraph that stands five times,
    reported at each place) gives two correct findings, and the number of such extra findings is reported.
    Precision = correct / predicted, recall = found / truth damages, per class.

    A moved paragraph is ambiguous when it crossed exactly one other paragraph (swapping A and B can be told as
    "A moved" or "B moved"); for such a ``reordered`` damage a finding on the crossed paragraph also matches.

    Limits, stated plainly: (a) findings are measured against the method's own reference. When dedup picks a
    damaged copy as the reference (or builds a consensus that differs from the wire text), the truth's damages
    of that copy cannot be found and the wire copy's differences appear as findings the truth does not list;
    :func:`evaluate_findings` counts such misses under their own reason and the suite also scores dedup with
    the wire copy pinned as the reference, to separate reference choice from alignment. (b) Paragraphs are
    matched by text, so two near-identical paragraphs of one story can be confused. (c) The kind must match;
    a damage "found" under another kind is a miss, and the confusion tables show what was said instead.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from rapidfuzz import fuzz, process

if TYPE_CHECKING:
    from benchmarks.corpus import GroundTruth

__all__ = [
    "CLASSES",
    "CONFUSION_COLUMNS",
    "FindingScores",
    "GroupingScores",
    "Item",
    "Lines",
    "PredFinding",
    "PredGroup",
    "PredWitness",
    "Truth",
    "TruthCopy",
    "TruthDamage",
    "assign_copies",
    "class_of",
    "content",
    "evaluate_findings",
    "evaluate_grouping",
    "map_reference",
    "pair_scores",
    "relabel",
    "truth_from_generator",
    "truth_from_seeds",
]

#: Finding classes scored, in table order; ``merged`` and ``split`` are one class.
CLASSES: tuple[str, ...] = (
    "dropped",
    "added",
    "reordered",
    "duplicated",
    "truncated",
    "merged/split",
    "substituted",
    "garbled",
)
_CLASS_OF = {"merged": "merged/split", "split": "merged/split"}
MAP_THRESHOLD = 80.0
MAX_EXAMPLES = 4
MAX_LISTED = 25  # split stories and mixed groups written out in full (all are counted)


def class_of(kind: str) -> str:
    """The scoring class of a finding kind.

    >>> class_of("split"), class_of("dropped")
    ('merged/split', 'dropped')
    """
    return _CLASS_OF.get(kind, kind)


def content(text: str) -> str:
    """Content characters for comparing texts: NFKC (full-width digits fold), letters and digits, lower case.

    >>> content("１９９８年，ＡＢ 对!")
    '1998年ab对'
    """
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum()).lower()


# --------------------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------------------


class Lines(NamedTuple):
    """A 1-based inclusive line range of one file (``FILE#ID`` for a JSONL document).

    ``chars`` is the same stretch as 0-based, end-exclusive character offsets in the decoded raw text, where
    known (schema 2 of dedup's JSON; the truth of a flattened web page): a 3,000-character line holds an article
    and its site footer, and only characters tell them apart. Measures use characters when both sides carry
    them, lines otherwise.
    """

    path: str
    start: int
    end: int
    chars: tuple[int, int] | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.start}-{self.end}"

    @property
    def size(self) -> int:
        return self.end - self.start + 1


def overlap(a: Lines, b: Lines) -> int:
    """Lines two ranges share (0 in different files).

    >>> overlap(Lines("a", 1, 10), Lines("a", 8, 20)), overlap(Lines("a", 1, 10), Lines("b", 1, 10))
    (3, 0)
    """
    if a.path != b.path:
        return 0
    return max(0, min(a.end, b.end) - max(a.start, b.start) + 1)


def _shared(spans: Sequence[Lines], others: Sequence[Lines]) -> int:
    return sum(overlap(a, b) for a in spans for b in others)


def share(a: Lines, b: Lines) -> float:
    """The part of ``a`` that ``b`` covers: in characters when both carry them, else in lines.

    >>> share(Lines("a", 1, 1, (0, 100)), Lines("a", 1, 1, (50, 400))), share(Lines("a", 1, 4), Lines("a", 3, 9))
    (0.5, 0.5)
    """
    if a.path != b.path:
        return 0.0
    if a.chars is not None and b.chars is not None:
        size = a.chars[1] - a.chars[0]
        return max(0, min(a.chars[1], b.chars[1]) - max(a.chars[0], b.chars[0])) / size if size > 0 else 0.0
    return overlap(a, b) / a.size


def touches(a: Lines, b: Lines) -> bool:
    """Whether two stretches share anything (characters when both carry them, else lines)."""
    if a.chars is not None and b.chars is not None:
        return a.path == b.path and min(a.chars[1], b.chars[1]) > max(a.chars[0], b.chars[0])
    return overlap(a, b) > 0


def _measure(spans: Sequence[Lines], others: Sequence[Lines]) -> tuple[int, int, int]:
    """(shared, size of ``spans``, size of ``others``): in characters when every span carries them, else lines."""
    if all(s.chars is not None for s in (*spans, *others)):

        def n(s: Lines) -> int:
            return s.chars[1] - s.chars[0] if s.chars else 0

        shared = sum(round(share(a, b) * n(a)) for a in spans for b in others)
        return shared, sum(n(s) for s in spans), sum(n(s) for s in others)
    return _shared(spans, others), sum(s.size for s in spans), sum(s.size for s in others)


@dataclass(frozen=True, slots=True)
class Item:
    """One truth passage: the unit the grouping measures count."""

    where: Lines
    label: str
    role: str
    copy: str | None = None


@dataclass(frozen=True, slots=True)
class TruthCopy:
    """One copy of a story: its segments, whether it is the undamaged wire text, its layout notes."""

    id: str
    story: str
    segments: tuple[Lines, ...]
    wire: bool
    layout: tuple[str, ...] = ()
    # order of first appearance of each reference paragraph in the copy (for reorder ambiguity)
    order: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class TruthDamage:
    """One damage of one copy: its class, the reference paragraphs it concerns, where it lies in the copy.

    ``alternates`` are reference paragraphs a finding may name instead (a swap); ``optional`` damages are not
    counted in recall but a finding that names one is correct (hand-written truth where the text allows two
    readings).
    """

    copy: str
    kind: str
    refs: frozenset[int]
    spans: tuple[Lines, ...]
    accept: frozenset[str]
    alternates: frozenset[int] = frozenset()
    optional: bool = False
    note: str = ""

    @property
    def cls(self) -> str:
        return class_of(self.kind)


@dataclass(frozen=True, slots=True)
class Truth:
    """Ground truth in the form the metrics read (see the module docstring)."""

    name: str
    items: tuple[Item, ...]
    stories: Mapping[str, tuple[str, ...]]
    copies: Mapping[str, TruthCopy]
    damages: tuple[TruthDamage, ...]
    complete: frozenset[str] = frozenset(CLASSES)

    def wire_copy(self, story: str) -> TruthCopy | None:
        return next((c for c in self.copies.values() if c.story == story and c.wire), None)


@dataclass(frozen=True, slots=True)
class PredFinding:
    """A finding as a method reported it: kind, reference paragraph indexes (its own reference), copy lines."""

    kind: str
    refs: frozenset[int]
    copy: Lines | None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PredWitness:
    """One copy in a predicted group, with its findings against the group's reference."""

    id: str
    segments: tuple[Lines, ...]
    findings: tuple[PredFinding, ...] = ()


@dataclass(frozen=True, slots=True)
class PredGroup:
    """A predicted group: its witnesses, and (for findings) the reference text they were measured against.

    ``reference`` is the id of the reference witness, or ``consensus``; ``base`` the witness a consensus was
    built on, when known.
    """

    id: str
    witnesses: tuple[PredWitness, ...]
    reference_paragraphs: tuple[str, ...] = ()
    reference: str = ""
    base: str | None = None


# --------------------------------------------------------------------------------------------------------------
# Truth readers
# --------------------------------------------------------------------------------------------------------------


def _chars(d: Any) -> tuple[int, int] | None:
    """A record's ``start_char``/``end_char`` as a pair, or None where it has none (older records)."""
    start, end = getattr(d, "start_char", None), getattr(d, "end_char", None)
    return (int(start), int(end)) if start is not None and end is not None else None


def _lines(d: Any) -> Lines:
    return Lines(str(d.path), int(d.start_line), int(d.end_line), _chars(d))


def _first_order(alignment: Sequence[Sequence[int]]) -> tuple[int, ...]:
    seen: list[int] = []
    for refs in alignment:
        for r in refs:
            if r not in seen:
                seen.append(r)
    return tuple(seen)


def _crossed(order: Sequence[int], moved: int) -> frozenset[int]:
    """Reference paragraphs whose order relative to ``moved`` is inverted in the copy."""
    if moved not in order:
        return frozenset()
    at = order.index(moved)
    return frozenset(q for k, q in enumerate(order) if (k < at and q > moved) or (k > at and q < moved))


def truth_from_generator(gt: GroundTruth, name: str = "corpus") -> Truth:
    """Read the generator's truth; item paths are as in ``truth.json`` (relative to the corpus directory)."""
    items: list[Item] = []
    # A story printed only once is no reprint, even across a page jump (two passages of one copy): dedup
    # groups copies, a group has two witnesses at least, and nothing links the two halves but the markers.
    copies_of = Counter(c.story for c in gt.copies)
    for f in gt.files:
        for p in f.passages:
            where = Lines(f.path, p.start_line, p.end_line, _chars(p))
            reprinted = p.role == "copy" and p.story and copies_of[p.story] > 1
            label = p.story if reprinted and p.story else f"~{where}"
            items.append(Item(where, label, p.role, p.copy))
    stories = {s.id: tuple(s.paragraphs) for s in gt.stories}
    copies: dict[str, TruthCopy] = {}
    damages: list[TruthDamage] = []
    for c in gt.copies:
        order = _first_order(c.alignment)
        copies[c.id] = TruthCopy(
            c.id,
            c.story,
            tuple(_lines(s) for s in c.segments),
            wire=c.id.endswith(".C0"),
            layout=tuple(c.layout),
            order=order,
        )
        for d in c.damage:
            alternates: frozenset[int] = frozenset()
            if d.kind == "reordered" and len(d.ref) == 1:
                crossed = _crossed(order, d.ref[0])
                if len(crossed) == 1:
                    alternates = crossed
            damages.append(
                TruthDamage(
                    copy=c.id,
                    kind=d.kind,
                    refs=frozenset(d.ref),
                    spans=tuple(_lines(s) for s in d.spans),
                    accept=frozenset({class_of(d.kind)}),
                    alternates=alternates,
                    note=d.noise or (f"{d.survives} survives" if d.survives else ""),
                )
            )
    return Truth(name, tuple(items), stories, copies, tuple(damages))


_MARKER_RE = re.compile(r"[（(](?:下转|上接)[^）)]{0,8}[）)]")


def _read_lines(root: Path, path: str, cache: dict[str, list[str]]) -> list[str]:
    if path not in cache:
        cache[path] = (root / path).read_text(encoding="utf-8").split("\n")
    return cache[path]


def truth_from_seeds(path: Path, root: Path) -> Truth:
    """Read ``seeds_truth.json``; paths in it are relative to ``root`` (the repository).

    Reference paragraph texts are cut from the files at the lines the truth gives (lines stripped and joined,
    page-jump markers removed), so the truth names each paragraph by place and its opening words, never by a
    copied-out text that could drift from the file.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("schema_version") != 1:
        raise ValueError(f"{path}: schema_version {data.get('schema_version')!r}, this code reads 1")
    cache: dict[str, list[str]] = {}
    stories: dict[str, tuple[str, ...]] = {}
    for story in data["stories"]:
        texts = []
        for k, para in enumerate(story["paragraphs"]):
            parts = []
            for span in para["lines"]:
                rows = _read_lines(root, span["path"], cache)[span["start_line"] - 1 : span["end_line"]]
                parts.append("".join(r.strip() for r in rows))
            text = _MARKER_RE.sub("", "".join(parts))
            begins = content(para["begins"])
            if not content(text).startswith(begins):
                raise ValueError(f"{path}: paragraph {k} of {story['id']} does not begin {para['begins']!r}")
            texts.append(text)
        stories[story["id"]] = tuple(texts)
    copies = {
        c["id"]: TruthCopy(
            c["id"],
            c["story"],
            tuple(Lines(s["path"], s["start_line"], s["end_line"]) for s in c["segments"]),
            wire=bool(c.get("wire")),
            layout=tuple(c.get("layout", ())),
        )
        for c in data["copies"]
    }
    items = []
    for p in data["passages"]:
        where = Lines(p["path"], p["start_line"], p["end_line"])
        items.append(Item(where, p["story"] or f"~{where}", "copy" if p["story"] else "other", p.get("copy")))
    damages = [
        TruthDamage(
            copy=d["copy"],
            kind=d["kind"],
            refs=frozenset(d["ref"]),
            spans=tuple(Lines(s["path"], s["start_line"], s["end_line"]) for s in d.get("spans", ())),
            accept=frozenset(class_of(k) for k in d.get("accept", [d["kind"]])),
            optional=bool(d.get("optional", False)),
            note=d.get("note", ""),
        )
        for d in data["damage"]
    ]
    return Truth("seeds", tuple(items), stories, copies, tuple(damages), frozenset(data["complete_classes"]))


# --------------------------------------------------------------------------------------------------------------
# Grouping
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupingScores:
    """Pairwise precision/recall/F1 and ARI over truth passages (``None`` where a ratio has no pairs), and what
    went wrong: false pairs and missed pairs by cause, page jumps stitched into one witness, examples."""

    precision: float | None
    recall: float | None
    f1: float
    ari: float
    items: int
    truth_pairs: int
    predicted_pairs: int
    true_pairs: int
    groups: int
    false_pairs: dict[str, int] = field(default_factory=dict)
    missed_pairs: dict[str, int] = field(default_factory=dict)
    jumps: int = 0
    jumps_stitched: int = 0
    fragmented: dict[str, list[str]] = field(default_factory=dict)
    split_stories: list[dict[str, Any]] = field(default_factory=list)
    mixed_groups: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "ari": self.ari,
            "items": self.items,
            "truth_pairs": self.truth_pairs,
            "predicted_pairs": self.predicted_pairs,
            "true_pairs": self.true_pairs,
            "groups": self.groups,
            "false_pairs": self.false_pairs,
            "missed_pairs": self.missed_pairs,
            "jumps": self.jumps,
            "jumps_stitched": self.jumps_stitched,
            "fragmented_stories": self.fragmented,
            "split_stories_count": len(self.split_stories),
            "mixed_groups_count": len(self.mixed_groups),
            "split_stories": self.split_stories[:MAX_LISTED],
            "mixed_groups": self.mixed_groups[:MAX_LISTED],
        }


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pair_scores(truth: Sequence[str], predicted: Sequence[str]) -> tuple[float | None, float | None, float, float]:
    """Pairwise precision, recall, F1 and adjusted Rand index of two labelings of the same items.

    >>> pair_scores(["a", "a", "b"], ["x", "x", "y"])
    (1.0, 1.0, 1.0, 1.0)
    >>> p, r, f, ari = pair_scores(["a", "a", "b", "b"], ["x", "x", "x", "x"])
    >>> p, r, round(f, 3), ari
    (0.3333333333333333, 1.0, 0.5, 0.0)
    """
    if len(truth) != len(predicted):
        raise ValueError(f"labelings differ in length: {len(truth)} truth vs {len(predicted)} predicted")
    joint = sum(_pairs(n) for n in Counter(zip(truth, predicted, strict=True)).values())
    a = sum(_pairs(n) for n in Counter(truth).values())
    b = sum(_pairs(n) for n in Counter(predicted).values())
    total = _pairs(len(truth))
    precision = joint / b if b else None
    recall = joint / a if a else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
    expected = a * b / total if total else 0.0
    top = (a + b) / 2 - expected
    ari = (joint - expected) / top if top else 1.0
    return precision, recall, f1, ari


PredGrouping = Sequence[tuple[str, Sequence[Sequence[Lines]]]]
"""Predicted groups for :func:`evaluate_grouping`: (group id, witnesses), each witness a list of line spans."""


def _best_group(item: Item, by_path: Mapping[str, list[tuple[str, Lines]]]) -> tuple[str | None, float]:
    """The group covering the largest part of the item, and that part (0-1)."""
    shared: dict[str, float] = defaultdict(float)
    for gid, s in by_path.get(item.where.path, ()):
        shared[gid] += share(item.where, s)
    best = max(shared.items(), key=lambda kv: (kv[1], kv[0]), default=None)
    return (best[0], min(1.0, best[1])) if best and best[1] else (None, 0.0)


def _by_path(groups: PredGrouping) -> dict[str, list[tuple[str, Lines]]]:
    by_path: dict[str, list[tuple[str, Lines]]] = defaultdict(list)
    for gid, witnesses in groups:
        for spans in witnesses:
            for s in spans:
                by_path[s.path].append((gid, s))
    return by_path


def predicted_labels(items: Sequence[Item], groups: PredGrouping) -> list[str]:
    """Each item's predicted label: the group covering at least half its lines the most, else a singleton."""
    by_path = _by_path(groups)
    labels = []
    for item in items:
        gid, shared = _best_group(item, by_path)
        labels.append(gid if gid is not None and shared >= 0.5 else f"~{item.where}")
    return labels


def _role(item: Item) -> str:
    return "copy" if not item.label.startswith("~") else item.role


def _false_cause(a: str, b: str) -> str:
    """Why two passages of different truth labels in one group are a false pair.

    >>> _false_cause("copy", "boilerplate"), _false_cause("boilerplate", "boilerplate")
    ('boilerplate in a story group', 'boilerplate grouped together')
    """
    roles = {a, b}
    if roles == {"copy"}:
        return "two stories joined"
    if roles == {"boilerplate"}:
        return "boilerplate grouped together"
    if "boilerplate" in roles and "copy" in roles:
        return "boilerplate in a story group"
    return "unrelated article grouped"


def fragmented_stories(truth: Truth, groups: PredGrouping) -> dict[str, list[str]]:
    """Stories whose copies are spread over several predicted groups: story -> groups.

    A group belongs to the story whose copies share the most lines with its witnesses. Passage items cannot see
    this (a copy cut in three, each third in its own group, still has one passage, covered by one group).
    """
    story_of: dict[str, str] = {}
    for gid, witnesses in groups:
        shared: Counter[str] = Counter()
        for spans in witnesses:
            for c in truth.copies.values():
                shared[c.story] += _shared(spans, c.segments)
        best = shared.most_common(1)
        if best and best[0][1]:
            story_of[gid] = best[0][0]
    by_story: dict[str, list[str]] = defaultdict(list)
    for gid, story in story_of.items():
        by_story[story].append(gid)
    return {story: gids for story, gids in sorted(by_story.items()) if len(gids) > 1}


def evaluate_grouping(truth: Truth, groups: PredGrouping) -> GroupingScores:
    """Score predicted groups on the truth's passages, with the causes of wrong and missed pairs."""
    items = list(truth.items)
    by_path = _by_path(groups)
    labels = predicted_labels(items, groups)
    t_labels = [i.label for i in items]
    precision, recall, f1, ari = pair_scores(t_labels, labels)
    joint = sum(_pairs(n) for n in Counter(zip(t_labels, labels, strict=True)).values())

    false_pairs: Counter[str] = Counter()
    mixed: list[dict[str, Any]] = []
    by_group: dict[str, list[int]] = defaultdict(list)
    for k, label in enumerate(labels):
        if not label.startswith("~"):
            by_group[label].append(k)
    for gid, ks in sorted(by_group.items(), key=lambda kv: int(re.sub(r"\D", "", kv[0]) or 0)):
        for x, k in enumerate(ks):
            for m in ks[x + 1 :]:
                if t_labels[k] != t_labels[m]:
                    false_pairs[_false_cause(_role(items[k]), _role(items[m]))] += 1
        if len({t_labels[k] for k in ks}) > 1:
            holds = Counter(t_labels[k] if _role(items[k]) == "copy" else items[k].role for k in ks)
            mixed.append(
                {
                    "group": gid,
                    "holds": dict(holds),
                    "passages": [
                        {"where": str(items[k].where), "role": _role(items[k]), "story": _story_name(t_labels[k])}
                        for k in ks
                    ],
                }
            )

    missed_pairs: Counter[str] = Counter()
    split: list[dict[str, Any]] = []
    by_story: dict[str, list[int]] = defaultdict(list)
    for k, item in enumerate(items):
        if not item.label.startswith("~"):
            by_story[item.label].append(k)
    for story, ks in sorted(by_story.items()):
        for x, k in enumerate(ks):
            for m in ks[x + 1 :]:
                if labels[k] != labels[m]:
                    lone = labels[k].startswith("~") or labels[m].startswith("~")
                    missed_pairs["a passage in no group" if lone else "passages in different groups"] += 1
        if len(ks) > 1 and len({labels[k] for k in ks}) > 1:
            passages = []
            for k in ks:
                entry: dict[str, Any] = {"where": str(items[k].where), "copy": items[k].copy}
                entry["group"] = _group_name(labels[k])
                if entry["group"] is None:
                    near, shared = _best_group(items[k], by_path)
                    if near is not None:
                        entry["partly"] = f"{near} holds {shared:.0%} of it"
                passages.append(entry)
            split.append({"story": story, "passages": passages})

    jumps = stitched = 0
    reprinted = Counter(c.story for c in truth.copies.values())
    for c in truth.copies.values():
        if len(c.segments) < 2 or reprinted[c.story] < 2:  # a story printed once is in no group
            continue
        jumps += 1
        for _, witnesses in groups:
            if any(all(sum(share(seg, s) for s in spans) >= 0.5 for seg in c.segments) for spans in witnesses):
                stitched += 1
                break
    return GroupingScores(
        precision,
        recall,
        f1,
        ari,
        len(items),
        sum(_pairs(n) for n in Counter(t_labels).values()),
        sum(_pairs(n) for n in Counter(labels).values()),
        joint,
        len(groups),
        dict(false_pairs.most_common()),
        dict(missed_pairs.most_common()),
        jumps,
        stitched,
        fragmented_stories(truth, groups),
        split,
        mixed,
    )


def _group_name(label: str) -> str | None:
    return None if label.startswith("~") else label


def _story_name(label: str) -> str | None:
    return None if label.startswith("~") else label


# --------------------------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------------------------


def map_reference(
    truth_paragraphs: Sequence[str], reference_paragraphs: Sequence[str], threshold: float = MAP_THRESHOLD
) -> tuple[frozenset[int], ...]:
    """For each paragraph of a method's reference text, the truth paragraphs it stands for (see the module doc).

    >>> truth = ["江泽民会见外宾", "会谈在友好气氛中进行，双方就共同关心的问题交换了意见。", "新华社北京电"]
    >>> map_reference(truth, ["江泽民会见外宾会谈在友好气氛中进行，双方就共同关心的问题交换了意见。", "新华社北京电"])
    (frozenset({0, 1}), frozenset({2}))
    """
    t = [content(p) for p in truth_paragraphs]
    r = [content(p) for p in reference_paragraphs]
    out: list[set[int]] = [set() for _ in r]
    if not t or not r:
        return tuple(frozenset(s) for s in out)
    partial = process.cdist(r, t, scorer=fuzz.partial_ratio)
    full = process.cdist(r, t, scorer=fuzz.ratio)

    def score(k: int, i: int) -> float:
        # very short strings partial-match almost anything: require their whole text to match
        if min(len(r[k]), len(t[i])) < 4:
            return float(full[k, i])
        return float(partial[k, i])

    for k in range(len(r)):
        i = max(range(len(t)), key=lambda i: (score(k, i), float(full[k, i])))
        if score(k, i) >= threshold:
            out[k].add(i)
    for i in range(len(t)):
        k = max(range(len(r)), key=lambda k: (score(k, i), float(full[k, i])))
        if score(k, i) >= threshold:
            out[k].add(i)
    return tuple(frozenset(s) for s in out)


@dataclass(slots=True)
class ClassScore:
    """Counts of one finding class."""

    truth: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0
    extra: int = 0  # correct findings on a damage another finding had already matched

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.found / self.truth if self.truth else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "truth": self.truth,
            "found": self.found,
            "predicted": self.predicted,
            "correct": self.correct,
            "extra": self.extra,
            "precision": self.precision,
            "recall": self.recall,
        }


@dataclass(slots=True)
class FindingScores:
    """Per-class scores, plus what went wrong: for each missed damage and each wrong finding, the reason."""

    classes: dict[str, ClassScore]
    # class -> reason -> count, and examples
    misses: dict[str, Counter[str]]
    wrong: dict[str, Counter[str]]
    examples: dict[str, dict[str, list[str]]]
    reference: dict[str, Any]
    complete: frozenset[str]
    # truth class -> what the method did about its damages: "found", another class it said instead, or why not
    confusion: dict[str, Counter[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": {k: v.to_dict() for k, v in self.classes.items()},
            "confusion": {k: dict(v.most_common()) for k, v in self.confusion.items()},
            "precision_measured": sorted(self.complete),
            "missed_because": {k: dict(v.most_common()) for k, v in self.misses.items() if v},
            "wrong_because": {k: dict(v.most_common()) for k, v in self.wrong.items() if v},
            "examples": self.examples,
            "reference": self.reference,
        }


def assign_copies(truth: Truth, witnesses: Sequence[PredWitness]) -> dict[str, tuple[str | None, int]]:
    """Each witness's truth copy (id, or None when it shares under half of its or the copy's lines) and the
    number of lines they share."""
    out: dict[str, tuple[str | None, int]] = {}
    for w in witnesses:
        best: tuple[str | None, int] = (None, 0)
        for c in truth.copies.values():
            shared, w_lines, c_lines = _measure(w.segments, c.segments)
            if shared > best[1] and (2 * shared >= w_lines or 2 * shared >= c_lines):
                best = (c.id, shared)
        out[w.id] = best
    return out


def _reason_example(cls: str, reason: str, text: str, examples: dict[str, dict[str, list[str]]]) -> None:
    bucket = examples.setdefault(cls, {}).setdefault(reason, [])
    if len(bucket) < MAX_EXAMPLES:
        bucket.append(text)


def _finding_matches(f: PredFinding, mapped: frozenset[int], d: TruthDamage) -> bool:
    if class_of(f.kind) not in d.accept:
        return False
    if d.refs and mapped and (mapped & (d.refs | d.alternates)):
        return True
    if (not d.refs or not mapped) and f.copy is not None:
        return any(touches(f.copy, s) for s in d.spans)
    return False


_CONFUSION_COLUMN = {
    "copy in no group": "copy not grouped",
    "copy grouped with another story": "copy not grouped",
    "paragraph not in the reference": "not in reference",
    "the reference's paragraph is not the wire's (it may carry the same damage)": "not in reference",
}
CONFUSION_COLUMNS = (
    "found",
    *(f"said {c}" for c in CLASSES),
    "nothing said",
    "copy not grouped",
    "copy is the reference",
    "not in reference",
)
"""Columns of the confusion table: found, said another class instead, or why nothing could be said."""


@dataclass(slots=True)
class _Place:
    """Where a truth copy went in the prediction."""

    group: PredGroup
    witness: PredWitness
    mapping: tuple[frozenset[int], ...]
    story: str | None
    faithful: tuple[bool, ...] = ()


def evaluate_findings(truth: Truth, groups: Sequence[PredGroup]) -> FindingScores:
    """Score the findings of predicted groups against the truth's damages (see the module docstring)."""
    classes = {c: ClassScore() for c in CLASSES}
    misses: dict[str, Counter[str]] = {c: Counter() for c in CLASSES}
    wrong: dict[str, Counter[str]] = {c: Counter() for c in CLASSES}
    confusion: dict[str, Counter[str]] = {c: Counter() for c in CLASSES}
    examples: dict[str, dict[str, list[str]]] = {}
    damages_of: dict[str, list[TruthDamage]] = defaultdict(list)
    for d in truth.damages:
        damages_of[d.copy].append(d)
    found: Counter[int] = Counter()  # id(damage) -> correct findings naming it
    places: dict[str, list[_Place]] = defaultdict(list)
    said: dict[tuple[str, int], set[str]] = defaultdict(set)  # (copy, truth paragraph) -> kinds said there
    said_at: dict[str, list[tuple[Lines, str]]] = defaultdict(list)  # copy -> (copy lines, kind)
    reference_is: Counter[str] = Counter()
    with_wire = wire_reference = consensus = same_text = 0
    choices: list[dict[str, Any]] = []

    for g in groups:
        assigned = assign_copies(truth, g.witnesses)
        weight: Counter[str] = Counter()
        for w in g.witnesses:
            cid, shared = assigned[w.id]
            if cid is not None:
                weight[truth.copies[cid].story] += shared
        story = weight.most_common(1)[0][0] if weight else None
        mapping = map_reference(truth.stories[story], g.reference_paragraphs) if story else ()
        faithful = _faithful(truth.stories[story], g.reference_paragraphs, mapping) if story else ()
        pieces = Counter(cid for cid, _ in assigned.values() if cid is not None)
        if story is not None and faithful and all(faithful):
            covered = frozenset().union(*mapping)
            same_text += len(covered) == len(truth.stories[story])
        ref_witness = g.base if g.reference == "consensus" else g.reference
        consensus += g.reference == "consensus"
        ref_copy = assigned.get(ref_witness, (None, 0))[0] if ref_witness else None
        if ref_witness is None:
            reference_is["unknown"] += 1
        elif ref_copy is None:
            reference_is["no truth copy"] += 1
        else:
            reference_is["wire copy" if truth.copies[ref_copy].wire else "damaged copy"] += 1
        wire = truth.wire_copy(story) if story else None
        if wire is not None and any(assigned[w.id][0] == wire.id for w in g.witnesses):
            with_wire += 1
            wire_reference += ref_copy == wire.id
        choices.append(
            {
                "group": g.id,
                "story": story,
                "reference": g.reference,
                "base": g.base,
                "reference_copy": ref_copy,
                "wire_witness": next((w.id for w in g.witnesses if wire and assigned[w.id][0] == wire.id), None),
            }
        )
        for w in g.witnesses:
            cid = assigned[w.id][0]
            copy = truth.copies[cid] if cid else None
            if copy is not None:
                places[copy.id].append(_Place(g, w, mapping, story, faithful))
            for f in w.findings:
                cls = class_of(f.kind)
                if cls not in classes:
                    continue
                mapped = _mapped(f.refs, mapping)
                where = str(f.copy) if f.copy else "-"
                if copy is None:
                    reason = "witness is no truth copy"
                elif copy.story != story:
                    reason = "witness of another story"
                else:
                    for i in mapped:
                        said[(copy.id, i)].add(f.kind)
                    if f.copy is not None:
                        said_at[copy.id].append((f.copy, f.kind))
                    hits = [d for d in damages_of[copy.id] if _finding_matches(f, mapped, d)]
                    if hits:
                        if cls in truth.complete:
                            classes[cls].predicted += 1
                            classes[cls].correct += 1
                            classes[cls].extra += all(found[id(d)] for d in hits)
                        for d in hits:
                            found[id(d)] += 1
                        continue
                    if f.refs and not mapped:
                        reason = "its reference paragraph is in no truth paragraph"
                    else:
                        here = {d.kind for d in damages_of[copy.id] if mapped & d.refs}
                        if f.copy is not None:
                            here |= {d.kind for d in damages_of[copy.id] if any(touches(f.copy, s) for s in d.spans)}
                        if here:
                            reason = "truth: " + "+".join(sorted(here)) + " there"
                        elif pieces[copy.id] > 1:
                            reason = "truth: intact; the copy is cut into several witnesses of the group"
                        elif any(not faithful[k] for k in f.refs if k < len(faithful)):
                            reason = "truth: intact; dedup's reference paragraph is not the wire's"
                        else:
                            reason = "truth: intact" + (" (the wire copy)" if copy.wire else "")
                if cls not in truth.complete:
                    continue
                classes[cls].predicted += 1
                wrong[cls][reason] += 1
                refs = "¶" + ",".join(str(i) for i in sorted(mapped)) if mapped else ""
                layout = f" [layout: {', '.join(copy.layout)}]" if copy is not None and copy.layout else ""
                text = f"{g.id} {w.id}={cid or '?'} said {f.kind} {refs} at {where}{layout} {f.detail}"
                _reason_example(cls, "wrong: " + reason, " ".join(text.split()), examples)

    for d in truth.damages:
        cls = d.cls
        if cls not in classes or d.optional:
            continue
        classes[cls].truth += 1
        if found[id(d)]:
            classes[cls].found += 1
            confusion[cls]["found"] += 1
            continue
        copy = truth.copies[d.copy]
        at = places.get(d.copy, [])
        if not at:
            reason = "copy in no group"
        elif all(p.story != copy.story for p in at):
            reason = "copy grouped with another story"
        elif all(p.group.reference == p.witness.id for p in at):
            reason = "copy is the reference"
        else:
            kinds = {k for i in d.refs for k in said.get((d.copy, i), set())}
            kinds |= {k for s, k in said_at.get(d.copy, []) if any(touches(s, t) for t in d.spans)}
            known = frozenset().union(*(m for p in at for m in p.mapping))
            altered = any(
                not p.faithful[k] for p in at for k, m in enumerate(p.mapping) if m & d.refs and k < len(p.faithful)
            )
            if d.refs and not d.refs & known:
                reason = "paragraph not in the reference"
            elif altered and not kinds:
                reason = "the reference's paragraph is not the wire's (it may carry the same damage)"
            elif kinds:
                reason = "said " + "+".join(sorted(kinds))
            else:
                reason = "nothing said"
        misses[cls][reason] += 1
        if reason.startswith("said "):
            for other in sorted({class_of(k) for k in reason[5:].split("+")}):
                confusion[cls][f"said {other}"] += 1
        else:
            confusion[cls][_CONFUSION_COLUMN.get(reason, reason)] += 1
        where = ", ".join(str(s) for s in d.spans) or ", ".join(str(s) for s in copy.segments)
        lay = f" [layout: {', '.join(copy.layout)}]" if copy.layout else ""
        refs = "¶" + ",".join(str(i) for i in sorted(d.refs)) if d.refs else ""
        note = f" ({d.note})" if d.note else ""
        _reason_example(cls, "missed: " + reason, f"{d.copy} {d.kind}{note} {refs} at {where}{lay}", examples)

    reference = {
        "groups": len(groups),
        "consensus": consensus,
        "with_wire_copy": with_wire,
        "wire_is_reference": wire_reference,
        "reference_is": dict(reference_is),
        "reference_text_is_wire_text": same_text,
        "choices": choices,
    }
    return FindingScores(classes, misses, wrong, examples, reference, truth.complete, confusion)


def _faithful(
    truth_paragraphs: Sequence[str], reference_paragraphs: Sequence[str], mapping: Sequence[frozenset[int]]
) -> tuple[bool, ...]:
    """Whether each reference paragraph is one wire paragraph, whole (one-to-one, ``ratio`` ≥ 95)."""
    sources = Counter(i for m in mapping for i in m)
    out = []
    for k, m in enumerate(mapping):
        if len(m) != 1:
            out.append(False)
            continue
        i = next(iter(m))
        same = fuzz.ratio(content(truth_paragraphs[i]), content(reference_paragraphs[k])) >= 95
        out.append(sources[i] == 1 and same)
    return tuple(out)


def _mapped(refs: frozenset[int], mapping: Sequence[frozenset[int]]) -> frozenset[int]:
    out: set[int] = set()
    for k in refs:
        if 0 <= k < len(mapping):
            out |= mapping[k]
    return frozenset(out)


def relabel(spans: Iterable[Lines], prefix: str) -> tuple[Lines, ...]:
    """Spans with ``prefix`` (a corpus directory and separator) cut from their paths.

    >>> relabel([Lines("/tmp/c/a.txt#7", 1, 2)], "/tmp/c/")
    (Lines(path='a.txt#7', start=1, end=2, chars=None),)
    """
    return tuple(s._replace(path=s.path[len(prefix) :] if s.path.startswith(prefix) else s.path) for s in spans)
