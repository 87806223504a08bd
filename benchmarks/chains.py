"""Copy chains: stories copied along a known tree, for measuring lineage (who copied whom).

Why this exists: :mod:`benchmarks.corpus` damages every copy of a story independently, straight from the wire
text, so no copy carries another's changes and there is no lineage to find. Here each copy is made from its
*parent* copy: it keeps everything the parent changed (the same substituted word, the same cut, the same dropped
paragraph) and adds at least :data:`MIN_OWN` changes of its own, with the damage functions of
:mod:`benchmarks.corpus` (which never touch a paragraph already changed, so an inherited change stays exactly
as the parent made it). Some copies are *lost*: they are made and copied from, but their text is not written,
as when a portal's page is gone and only the blogs that copied it remain.

Every story's tree takes one of three shapes, in turn, plus up to two copies hung from random nodes:
a chain (the wire W, A from W, B from A, C from B), a fork (A and B from W, C from A) and a lost intermediate
(A from W, a lost X from W, B and C from X). Layout (pages, page jumps, Traditional script, pinyin, encodings)
is :mod:`benchmarks.corpus`'s, so lineage is measured through everything the pipeline must undo.

``chains.json`` (``schema_version`` 1) records the trees; ``truth.json`` is the corpus truth of the written
copies (their files and lines), as :mod:`benchmarks.corpus` writes it::

    {"schema_version": 1, "generator": "benchmarks.chains", "seed": 1,
     "stories": [{"id": "S001", "shape": "chain", "root": "S001.C0",
                  "copies": [{"id": "S001.C1", "parent": "S001.C0", "lost": false,
                              "own": ["substituted", "dropped"]}, ...]}]}
"""

from __future__ import annotations

import dataclasses
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from benchmarks.corpus import (
    _DAMAGE_P,
    DAMAGE_KINDS,
    TRUTH_FILE,
    GroundTruth,
    _Builder,
    _Para,
    _remove_previous,
    _Story,
    _Witness,
    _write_whole,
)

SCHEMA_VERSION: Final = 1
CHAINS_FILE: Final = "chains.json"
MIN_OWN: Final = 2  # changes each copy adds to what it inherits
SHAPES: Final = ("chain", "fork", "lost")
_BASE: Final[dict[str, tuple[int | None, ...]]] = {
    # parent index of copies 1, 2, 3 (0 is the wire); "lost" marks copy 2 lost
    "chain": (0, 1, 2),
    "fork": (0, 0, 1),
    "lost": (0, 0, 2, 2),
}


@dataclass(frozen=True, slots=True)
class ChainCopy:
    """One copy of a chain story: its parent (None for the wire), whether it is lost, the damage it added."""

    id: str
    parent: str | None
    lost: bool
    own: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChainStory:
    """A story's copy tree: the wire (root) and every copy, written or lost."""

    id: str
    shape: str
    root: str
    copies: tuple[ChainCopy, ...]

    def parent_of(self, copy: str) -> str | None:
        return next((c.parent for c in self.copies if c.id == copy), None)

    def is_lost(self, copy: str) -> bool:
        return any(c.id == copy and c.lost for c in self.copies)


@dataclass(frozen=True, slots=True)
class ChainTruth:
    """The trees of a chain corpus and its corpus truth (where every written copy lies)."""

    seed: int
    stories: tuple[ChainStory, ...]
    corpus: GroundTruth

    def to_json(self) -> str:
        body = {
            "schema_version": SCHEMA_VERSION,
            "generator": "benchmarks.chains",
            "seed": self.seed,
            "stories": [dataclasses.asdict(s) for s in self.stories],
        }
        return json.dumps(body, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def read(cls, directory: Path) -> ChainTruth:
        """Load ``chains.json`` and ``truth.json`` written by :func:`generate_chains`."""
        d = json.loads((directory / CHAINS_FILE).read_text(encoding="utf-8"))
        corpus = GroundTruth.from_json((directory / TRUTH_FILE).read_text(encoding="utf-8"))
        stories = tuple(
            ChainStory(
                s["id"],
                s["shape"],
                s["root"],
                tuple(ChainCopy(c["id"], c["parent"], c["lost"], tuple(c["own"])) for c in s["copies"]),
            )
            for s in d["stories"]
        )
        return cls(d["seed"], stories, corpus)

    def story_of(self, copy: str) -> ChainStory:
        return next(s for s in self.stories if any(c.id == copy for c in s.copies))


def _shape(k: int, rng: random.Random) -> tuple[str, list[int], set[int]]:
    """The tree of the ``k``-th story: its shape name, the parent index of copies 1.., and the lost ones."""
    name = SHAPES[k % len(SHAPES)]
    parents = [p for p in _BASE[name] if p is not None]
    lost = {2} if name == "lost" else set()
    for _ in range(rng.choice((0, 1, 1, 2))):
        parents.append(rng.randrange(len(parents) + 1))
    return name, parents, lost


def _clone(parent: _Witness, copy_id: str) -> _Witness:
    """A new copy of ``parent``: the same paragraphs (fresh objects, so damage to one never reaches the other),
    with their ``touched`` marks, so the child's own damage lands on paragraphs its ancestors left alone."""
    paras = [_Para(p.text, p.refs, level=p.level, touched=p.touched) for p in parent.paras]
    return _Witness(id=copy_id, story=parent.story, paras=paras)


def _damage(builder: _Builder, w: _Witness) -> list[str]:
    """At least :data:`MIN_OWN` changes, each kind drawn with the corpus's probabilities, in its order (text
    edits before moves); topped up with the first applicable kind in a random order (an added paragraph always
    is) when too few were drawn or applicable."""
    rng = builder.rng
    for kind in _DAMAGE_P:
        if rng.random() < _DAMAGE_P[kind]:
            builder.damage(w, kind)
    while len(w.damages) < MIN_OWN:
        kinds = list(DAMAGE_KINDS)
        rng.shuffle(kinds)
        if not any(builder.damage(w, kind) for kind in kinds):
            raise ValueError(f"{w.id}: could not give it {MIN_OWN} changes of its own; use a longer story")
    return [d.kind for d in w.damages]


def _grow(builder: _Builder, st: _Story, k: int) -> ChainStory:
    """Make the wire copy and every copy of one story along its tree; keep only the written ones."""
    name, parents, lost = _shape(k, builder.rng)
    wire_paras = [
        _Para(text, (i,), level=(1 if i == 0 else 2) if i < st.heading_count else 0)
        for i, text in enumerate(st.paragraphs)
    ]
    nodes = [_Witness(id=f"{st.id}.C0", story=st, paras=wire_paras)]
    records = [ChainCopy(nodes[0].id, None, False, ())]
    for i, p in enumerate(parents, start=1):
        w = _clone(nodes[p], f"{st.id}.C{i}")
        own = _damage(builder, w)
        nodes.append(w)
        records.append(ChainCopy(w.id, nodes[p].id, i in lost, tuple(own)))
    st.witnesses = [w for w, r in zip(nodes, records, strict=True) if not r.lost]
    return ChainStory(st.id, name, nodes[0].id, tuple(records))


def _unflatten(builder: _Builder) -> None:
    """Print every page with its paragraph breaks and without a site footer.

    A chain corpus measures who copied whom, so its groups must be right: flattened pages sharing a footer are
    a grouping problem (issue 11's first class, measured by the main accuracy suite), and a footer that chains
    two stories into one group would make this benchmark score grouping instead of lineage.
    """
    for f in builder.files:
        if f.layout.flat:
            f.blocks = [blk for blk in f.blocks if blk.role != "boilerplate"]
            f.layout.flat, f.layout.footer, f.layout.footer_same_line = False, None, False


def generate_chains(out_dir: Path, stories: int = 9, seed: int = 1) -> ChainTruth:
    """Write a chain corpus, ``truth.json`` and ``chains.json`` into ``out_dir``; return the truth.

    Args:
        out_dir: directory to write into (created if needed; files a previous run listed are removed).
        stories: number of stories; shapes cycle chain, fork, lost, so three or more cover all of them.
        seed: seed of the one random generator everything is drawn from.

    The steps are :func:`benchmarks.corpus.generate_corpus`'s with its independent copies
    (``make_witnesses``) replaced by copies grown along trees; ``corpus.py`` has no hook for that step, and
    belongs to another stream of work, so the few calls around it are repeated here rather than changed there.
    """
    builder = _Builder(stories, seed)
    builder.choose_stories()
    trees = []
    for k, st in enumerate(builder.stories):
        trees.append(_grow(builder, st, k))
    builder.assign_containers()
    builder.build_files()
    _unflatten(builder)
    builder.render_all()
    corpus = builder.truth()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    payloads = builder.payloads()
    _remove_previous(out_dir, keep=set(payloads))
    for name, data in payloads.items():
        _write_whole(out_dir / name, data)
    _write_whole(out_dir / TRUTH_FILE, corpus.to_json().encode("utf-8"))
    truth = ChainTruth(seed, tuple(trees), corpus)
    (out_dir / CHAINS_FILE).write_text(truth.to_json(), encoding="utf-8")
    return truth


def describe(truth: ChainTruth) -> dict[str, Any]:
    """Counts for a benchmark table: stories, written and lost copies, copies per shape."""
    copies = [c for s in truth.stories for c in s.copies if c.parent is not None]
    return {
        "stories": len(truth.stories),
        "copies": sum(not c.lost for c in copies),
        "lost": sum(c.lost for c in copies),
        "shapes": {name: sum(s.shape == name for s in truth.stories) for name in SHAPES},
    }
