"""A second damage model, written apart from :mod:`benchmarks.corpus` and with its parameters drawn per corpus.

Why: dedup was tuned on one generator. Its habits (truncation at a sentence end 60% of the time, 1–3 word
substitutions preferring a shared character, hard wraps of 14–22 characters, a fixed probability per kind)
can be learned by a constant in dedup without anyone meaning to. This model damages a share of the stories with
other habits, and draws its own rates, column widths, cut lengths and the number of kinds per copy from the
corpus seed (:func:`draw_params`), so that seeds 2–6 each show dedup a different mix.

What it does differently, kind by kind (the truth records are the same, so :mod:`benchmarks.accuracy` reads
them unchanged):

* ``dropped`` — a run of one to three consecutive paragraphs (each its own record), the last one included.
* ``truncated`` — a cut at a drawn fraction of the paragraph's length, anywhere in a word, head or tail.
* ``duplicated`` — a paragraph repeated far away (anywhere later in the copy), not next to itself.
* ``reordered`` — a paragraph moved by any distance, adjacent swaps included.
* ``merged`` / ``split`` — two neighbours glued with a space or nothing; a split at a comma or mid-clause.
* ``substituted`` — two to four words of the paragraph replaced by other words of the same story (any content
  word, any length: 目前→当前 as well as 发展→建设工作).
* ``garbled`` — a cluster of look-alike slips (``noise`` ``lookalike``) or a run read through the wrong codec
  (GBK bytes shown as Big5, ``noise`` ``mojibake``).
* ``added`` — a paragraph of an unrelated article.
* previews — a drawn share of the copies cut paragraph by paragraph after a drawn 15–70 characters.
* layout — OCR column widths for pages holding a B copy drawn from a range of its own (8–40 characters).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from benchmarks import corpus as _c
from benchmarks import damage_classes

if TYPE_CHECKING:
    from benchmarks.corpus import _Builder, _Para, _Witness

__all__ = ["KINDS", "ParamsB", "damage_copy", "draw_params", "widen_columns"]

KINDS: Final = ("substituted", "garbled", "truncated", "split", "merged", "added", "duplicated", "dropped", "reordered")
_TAGS: Final = frozenset({"n", "vn", "v", "ns", "nz", "a", "ad", "d", "an", "l"})


@dataclass(frozen=True, slots=True)
class ParamsB:
    """One corpus's draw of model B's parameters (recorded in ``truth.json`` through the copies it made)."""

    share: float  # of stories whose damaged copies model B makes
    kinds_per_copy: tuple[int, int]
    weights: tuple[float, ...]  # per KINDS entry
    keep: tuple[float, float]  # truncation keeps this fraction of a paragraph
    preview_share: float
    preview_cut: tuple[int, int]
    wrap: tuple[int, int]
    lookalike_p: float  # share of garbles that are look-alike slips (the rest mojibake)


def draw_params(rng: random.Random) -> ParamsB:
    """Draw model B's parameters from the corpus generator (one draw per corpus seed)."""
    lo = rng.randint(1, 2)
    cut_lo = rng.randint(15, 30)
    wrap_lo = rng.randint(8, 24)
    keep_lo = rng.uniform(0.15, 0.4)
    return ParamsB(
        share=rng.uniform(0.3, 0.5),
        kinds_per_copy=(lo, lo + rng.randint(1, 4)),
        weights=tuple(rng.uniform(0.4, 2.0) for _ in KINDS),
        keep=(keep_lo, rng.uniform(keep_lo + 0.2, 0.9)),
        preview_share=rng.uniform(0.03, 0.12),
        preview_cut=(cut_lo, rng.randint(cut_lo + 10, 70)),
        wrap=(wrap_lo, wrap_lo + rng.randint(2, 16)),
        lookalike_p=rng.uniform(0.4, 0.9),
    )


def damage_copy(b: _Builder, w: _Witness, params: ParamsB) -> None:
    """Damage one copy with model B: a drawn number of kinds, drawn by the corpus's weights, applied in
    ``KINDS`` order (text edits before moves, so every record's copy text is final); or make it a preview."""
    rng = b.rng
    if rng.random() < params.preview_share and damage_classes._preview(b, w, params.preview_cut, rng):
        b.previews.add(w.id)
        return
    n = rng.randint(*params.kinds_per_copy)
    pool = list(KINDS)
    weights = list(params.weights)
    chosen: set[str] = set()
    while pool and len(chosen) < n:
        k = rng.choices(range(len(pool)), weights)[0]
        chosen.add(pool.pop(k))
        weights.pop(k)
    for kind in KINDS:
        if kind in chosen:
            _APPLY[kind](b, w, params, rng)


def _free(w: _Witness, min_len: int = 12, body: bool = True) -> list[int]:
    hc = w.story.heading_count
    return [
        i
        for i, p in enumerate(w.paras)
        if not p.touched and len(p.refs) == 1 and (not body or p.refs[0] >= hc) and len(p.text) >= min_len
    ]


def _record(
    w: _Witness,
    kind: str,
    refs: tuple[int, ...],
    paras: list[_Para],
    edits: tuple[_c.Edit, ...] = (),
    survives: str | None = None,
    lost: str | None = None,
    noise: str | None = None,
) -> None:
    ref = w.story.paragraphs
    draft = _c._DamageDraft(kind, refs, tuple(ref[r] for r in refs), paras, edits, survives, lost, None, noise)
    w.damages.append(draft)


def _substituted(b: _Builder, w: _Witness, params: ParamsB, rng: random.Random) -> None:
    free = _free(w, 20)
    if not free:
        return
    p = w.paras[rng.choice(free)]
    story_words = sorted(
        {word for line in w.story.article.tagged for word, tag in _c._tokens(line) if _content(word, tag)}
    )
    slots: list[tuple[int, str]] = []
    pos = 0
    for word, tag in _c._tokens(w.story.article.tagged[p.refs[0]]):
        if _content(word, tag):
            slots.append((pos, word))
        pos += len(word)
    if len(slots) < 2 or len(story_words) < 8:
        return
    edits, text, shift = [], p.text, 0
    for at, word in sorted(rng.sample(slots, min(len(slots), rng.randint(2, 4)))):
        new = rng.choice(story_words)
        if new == word or new in word or word in new or p.text[at : at + len(word)] != word:
            continue
        text = text[: at + shift] + new + text[at + shift + len(word) :]
        shift += len(new) - len(word)
        edits.append(_c.Edit(at, word, new))
    if edits:
        p.text, p.touched = text, True
        _record(w, "substituted", p.refs, [p], edits=tuple(edits))


def _content(word: str, tag: str) -> bool:
    """A content word of two to four characters (nouns, verbs, adjectives, adverbs, idioms)."""
    return 2 <= len(word) <= 4 and tag in _TAGS


def _garbled(b: _Builder, w: _Witness, params: ParamsB, rng: random.Random) -> None:
    free = _free(w, 20)
    if not free:
        return
    p = w.paras[rng.choice(free)]
    original = p.text
    if rng.random() < params.lookalike_p:
        edits = damage_classes.lookalike_slip(original, rng, window=(2, 6))
        if not edits:
            return
        p.text, noise = damage_classes.apply_edits(original, edits), "lookalike"
    else:
        n = rng.randint(4, 12)
        at = rng.randint(0, len(original) - n)
        old = original[at : at + n]
        new = old.encode("gbk", errors="replace").decode("big5", errors="replace").replace("\ufffd", "?")
        if new == old:
            return
        edits = [_c.Edit(at, old, new)]
        p.text, noise = original[:at] + new + original[at + n :], "mojibake"
    p.touched = True
    _record(w, "garbled", p.refs, [p], edits=tuple(edits), noise=noise)


def _truncated(b: _Builder, w: _Witness, params: ParamsB, rng: random.Random) -> None:
    free = _free(w, 24, body=False)
    free = [i for i in free if w.paras[i].refs[0] != 0]
    if not free:
        return
    p = w.paras[rng.choice(free)]
    keep = max(6, min(len(p.text) - 6, int(len(p.text) * rng.uniform(*params.keep))))
    if rng.random() < 0.5:
        kept, lost, survives = p.text[:keep], p.text[keep:], "head"
    else:
        kept, lost, survives = p.text[-keep:], p.text[:-keep], "tail"
    p.text, p.touched = kept, True
    _record(w, "truncated", p.refs, [p], survives=survives, lost=lost)


def _split(b: _Builder, w: _Witness, params: ParamsB, rng: random.Random) -> None:
    free = _free(w, 30)
    if not free:
        return
    i = rng.choice(free)
    p = w.paras[i]
    cuts = [m.end() for m in re.finditer("[，、；：]", p.text) if 6 <= m.end() <= len(p.text) - 6]
    cut = rng.choice(cuts) if cuts else rng.randint(10, len(p.text) - 10)
    a, c = _c._Para(p.text[:cut], p.refs, touched=True), _c._Para(p.text[cut:], p.refs, touched=True)
    w.paras[i : i + 1] = [a, c]
    _record(w, "split", p.refs, [a, c])


def _merged(b: _Builder, w: _Witness, params: ParamsB, rng: random.Random) -> None:
    hc = w.story.heading_count
    cands = [
        i
        for i in range(len(w.paras) - 1)
        if not (w.paras[i].touched or w.paras[i + 1].touched)
        and len(w.paras[i].refs) == len(w.paras[i + 1].refs) == 1
        and w.paras[i + 1].refs[0] == w.paras[i].refs[0] + 1
        and w.paras[i].refs[0] >= hc
    ]
    if not cands:
        return
    i = rng.choice(cands)
    a, c = w.paras[i], w.paras[i + 1]
    m = _c._Para(a.text + rng.choice(("", " ")) + c.text, a.refs + c.refs, touched=True)
    w.paras[i : i + 2] = [m]
    _record(w, "merged", m.refs, [m])


def _added(b: _Builder, w: _Witness, params: ParamsB, rng: random.Random) -> None:
    filler = b.next_filler()
    j = rng.randrange(len(filler.body))
    p = _c._Para(filler.body[j], (), touched=True)
    w.paras.insert(rng.randint(w.story.heading_count, len(w.paras)), p)
    where = f"199801.txt:{filler.line + len(filler.headings) + j}" if filler.line else "collage"
    w.damages.append(_c._DamageDraft("added", (), (), [p], source=where))


def _duplicated(b: _Builder, w: _Witness, params: ParamsB, rng: random.Random) -> None:
    free = [i for i in _free(w) if i < len(w.paras) - 2]
    if not free:
        return
    i = rng.choice(free)
    p = w.paras[i]
    dup = _c._Para(p.text, p.refs, touched=True)
    p.touched = True
    w.paras.insert(rng.randint(i + 2, len(w.paras)), dup)
    _record(w, "duplicated", p.refs, [p, dup])


def _dropped(b: _Builder, w: _Witness, params: ParamsB, rng: random.Random) -> None:
    if sum(1 for p in w.paras if p.refs) <= 5:
        return
    free = [i for i in _free(w, 1, body=False) if w.paras[i].refs != (0,)]
    if not free:
        return
    i = rng.choice(free)
    want, run = rng.randint(1, 3), 1
    while run < want and i + run in free:
        run += 1
    gone = w.paras[i : i + run]
    del w.paras[i : i + run]
    for p in gone:
        _record(w, "dropped", p.refs, [])


def _reordered(b: _Builder, w: _Witness, params: ParamsB, rng: random.Random) -> None:
    free = _free(w)
    if not free or len(w.paras) < 4:
        return
    i = rng.choice(free)
    p = w.paras.pop(i)
    targets = [j for j in range(w.story.heading_count, len(w.paras) + 1) if j != i]
    if not targets:
        w.paras.insert(i, p)
        return
    w.paras.insert(rng.choice(targets), p)
    p.touched = True
    _record(w, "reordered", p.refs, [p])


_APPLY: Final = {
    "substituted": _substituted,
    "garbled": _garbled,
    "truncated": _truncated,
    "split": _split,
    "merged": _merged,
    "added": _added,
    "duplicated": _duplicated,
    "dropped": _dropped,
    "reordered": _reordered,
}


def widen_columns(b: _Builder, params: ParamsB) -> None:
    """Hard-wrapped pages that hold a model-B copy get a column width from model B's own range."""
    for f in b.files:
        if f.layout.wrap and any(blk.witness is not None and b.model_of.get(blk.witness.id) == "B" for blk in f.blocks):
            f.layout.wrap = b.rng.randint(*params.wrap)
