"""Consensus: the majority text of three or more copies, built on the copy the others disagree with least.

When every copy of a story is damaged somewhere, none of them is a fair reference: each one's damage would
be reported against all the others. The consensus keeps each paragraph and each reading that most copies
print, in the order most copies print them (:func:`build_consensus`); every copy, the base included, is then
collated against it (:func:`collate_consensus`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

from rapidfuzz import fuzz

from dedup.collate.edits import apply_edits, looks_cut
from dedup.collate.findings import align, is_truncation, longest_chain
from dedup.collate.records import CONSENSUS, Collation, Portion, TextEdit, WitnessCollation, WitnessText
from dedup.collate.sentences import content_text
from dedup.config import CollateConfig

_DEFAULT = CollateConfig()


def build_consensus(
    witnesses: Sequence[WitnessText], base: int, config: CollateConfig = _DEFAULT
) -> tuple[tuple[str, ...], str]:
    """A consensus text: each paragraph, and inside it each disputed reading, from the majority of copies.

    The base copy (the most complete) gives the paragraphs and their order. A base paragraph stays when more
    than half of the copies render it; a reading differs from the base's where more than half of the copies
    agree on the same edit at the same place (a copy without an edit there votes for the base's reading);
    and two paragraphs of the base are one where every other copy that holds both holds them in one paragraph (the
    base split it).

    Returns:
        The consensus paragraphs, and a sentence saying how they were chosen.
    """
    base_texts = [p.text for p in witnesses[base].paragraphs]
    others = [align(base_texts, w.paragraphs, w.id, config) for k, w in enumerate(witnesses) if k != base]
    voters = len(witnesses)
    paragraphs: list[str] = []
    dropped = changed = rejoined = resplit = 0
    # Who votes on a paragraph break: the copies that print breaks, not a flattened page (a copy's paragraph
    # that is a flattened line holds several of the story's paragraphs by layout, not by a merge).
    voting = [w for k, w in enumerate(witnesses) if k != base]
    joins = _base_only_breaks(base_texts, others, voting)
    order = _majority_order(len(base_texts), others)
    moved = sum(1 for k, i in enumerate(order) if k and i < order[k - 1])
    previous = -1
    for i in order:
        text = base_texts[i]
        after, previous = previous, i
        pieces = [next((p for p in o.portions if p.ref == i), None) for o in others]
        present = 1 + sum(p is not None for p in pieces)
        if present <= voters / 2:
            dropped += 1
            continue
        held = [p for p in pieces if p is not None]
        votes: dict[tuple[int, str, str], int] = {}
        for piece in pieces:
            if piece is None:
                continue
            for edit in piece.edits:
                if not is_truncation(edit, piece, len(text)):
                    key = (edit.at, edit.ref, edit.copy)
                    votes[key] = votes.get(key, 0) + 1
        winners = [
            TextEdit("replace" if r and c else ("delete" if r else "insert"), r, c, at)
            for (at, r, c), count in votes.items()
            if count > _printing(at, at + len(r), held, len(text)) / 2
        ]
        for edge in _restored_edges(text, held, config):
            if not any(_edge_of(w, len(text)) == _edge_of(edge, len(text)) for w in winners):
                winners.append(edge)
        changed += len(winners)
        breaks = printed_breaks(text, i, others, voting, config)
        resplit += len(breaks)
        pieces_read = readings(text, _non_overlapping(winners), breaks)
        if i in joins and paragraphs and after == i - 1:
            paragraphs[-1] += pieces_read[0]
            rejoined += 1
            paragraphs += pieces_read[1:]
        else:
            paragraphs += pieces_read
    reason = (
        f"consensus of {voters} copies, built on {witnesses[base].id}: "
        f"{len(paragraphs)} paragraphs kept by the majority"
    )
    if dropped:
        reason += f", {dropped} left out (in a minority of copies)"
    if changed:
        reason += f", {changed} reading(s) taken from the majority"
    if rejoined:
        reason += f", {rejoined} paragraph(s) the base split joined as the other copies print them"
    if resplit:
        reason += f", {resplit} paragraph break(s) the base lost put back as the other copies print them"
    if moved:
        reason += f", {moved} paragraph(s) the base moved put back where the majority prints them"
    return tuple(paragraphs), reason


def _restored_edges(text: str, pieces: Sequence[Portion], config: CollateConfig) -> list[TextEdit]:
    """The text a cut base paragraph lost at its tail (or head), taken back from the copies that print it.

    A cut loses text and nothing invents it, so where another copy runs on past the base's edge the story
    had that text; but copies cut or change it each in their own way, so no reading of it wins a vote. It is
    restored from the copy that prints most of it when the base shows the cut itself (its paragraph ends
    mid-sentence or in a preview's ellipsis), or when most copies holding the paragraph run on past the edge.
    Without this a preview as the base makes every intact copy read as a changed word at each cut."""
    cut = looks_cut(text)
    out: list[TextEdit] = []
    for at_tail in (True, False):
        runs_on = []
        for piece in pieces:
            edits = [e for e in piece.edits if (e.at + len(e.ref) == len(text) if at_tail else e.at == 0)]
            grown = [e for e in edits if len(content_text(e.copy)) - len(content_text(e.ref)) >= config.lost_min]
            runs_on += grown[-1:] if at_tail else grown[:1]
        if runs_on and ((cut and at_tail) or 2 * len(runs_on) > len(pieces) + 1):
            out.append(max(runs_on, key=lambda e: (len(content_text(e.copy)), -e.at)))
    return out


def printed_breaks(
    text: str,
    i: int,
    others: Sequence[WitnessCollation],
    copies: Sequence[WitnessText],
    config: CollateConfig,
    *,
    flat_base: bool = False,
) -> list[int]:
    """Where in base paragraph ``i`` (``text``) the other copies print a paragraph break the base lacks (the
    base merged two paragraphs, or is a flattened page): positions in ``text``, ascending.

    The rule of :func:`_base_only_breaks` the other way round: a break that at least two copies print at the
    same place, and more than half of the copies holding the paragraph with breaks of their own (the base
    among them), is the story's. A copy's break is where its next piece of the paragraph, in another of its
    paragraphs, starts. A flattened base (``flat_base``) printed no breaks at all: it has no vote, and one
    copy that prints a break where no other copy contradicts it is enough."""
    votes: dict[int, int] = {}
    holders = 0
    for other, copy in zip(others, copies, strict=True):
        mine = sorted((p for p in other.portions if p.ref == i), key=lambda p: (p.copy_index, p.copy_start))
        if not mine or all(copy.paragraphs[p.copy_index].flat for p in mine):
            continue
        holders += 1
        for before, piece in pairwise(mine):
            # The break stands before the piece that starts later in the paragraph: a copy that moved the
            # paragraph's second half before its first still prints the break between them.
            later = before if not flat_base and before.head_lost > piece.head_lost else piece
            at = _start_in(text, later.copy_text) if piece.copy_index != before.copy_index else None
            if at is not None:
                votes[at] = votes.get(at, 0) + 1
    breaks: list[int] = []
    near = config.cut_slack
    for at in sorted(votes, key=lambda b: -votes[b]):
        support = sum(n for b, n in votes.items() if abs(b - at) <= near)
        inside = config.lost_min <= len(content_text(text[:at])) and config.lost_min <= len(content_text(text[at:]))
        enough = 2 * support > holders and (flat_base or (support >= 2 and 2 * support > holders + 1))
        if enough and inside and all(abs(at - b) > near for b in breaks):
            breaks.append(at)
    return sorted(breaks)


_MID_SENTENCE = frozenset("，,、；;")  # a paragraph ending in one of these stops mid-sentence
_SENTENCE_END = re.compile(r"[。！？；!?;]+[”’\"'」』)）]*")
_OPENING = 12  # characters of a piece's opening located in the paragraph: enough to be unique in a story


def _start_in(text: str, piece: str) -> int | None:
    """Where the opening of ``piece`` stands in ``text``, if it stands right after a sentence end there (a
    paragraph break falls between sentences; a piece that opens mid-sentence is a cut head, not a break)."""
    opening = piece.lstrip()[:_OPENING]
    if len(opening) < _OPENING // 2:
        return None
    found = fuzz.partial_ratio_alignment(opening, text, score_cutoff=80)
    if found is None:
        return None
    ends = {m.end() for m in _SENTENCE_END.finditer(text)}
    return next((at for at in range(found.dest_start - 2, found.dest_start + 3) if at in ends), None)


def readings(text: str, edits: Sequence[TextEdit], breaks: Sequence[int]) -> list[str]:
    """``text`` with ``edits`` applied, cut at ``breaks`` (positions in ``text``); an edit across a break is
    left out."""
    cuts = [0, *breaks, len(text)]
    out = []
    for start, end in pairwise(cuts):
        last = end == len(text)
        inside = [
            replace(e, at=e.at - start)
            for e in edits
            if start <= e.at and e.at + len(e.ref) <= end and (e.at < end or last or (not e.ref and e.at == start))
        ]
        out.append(apply_edits(text[start:end], inside))
    return out


def _edge_of(edit: TextEdit, length: int) -> str:
    """Which edge of a paragraph of ``length`` characters an edit touches: ``head``, ``tail`` or ``""``."""
    return "head" if edit.at == 0 else ("tail" if edit.at + len(edit.ref) == length else "")


def _majority_order(count: int, others: Sequence[WitnessCollation]) -> list[int]:
    """The base's paragraphs ``0..count-1`` in the order most copies print them.

    A paragraph that most copies holding it print out of the base's order (outside their longest in-order
    chain; the base votes for its own order) was moved by the base: it goes back before the paragraph that
    most of those copies print right after it, or to the end. Without this, a consensus built on a copy
    that moved a paragraph would report that move against every faithful copy.
    """
    holders = [1] * count  # the base holds every one of its paragraphs, in its own order
    out_of_order = [0] * count
    followers: list[dict[int, int]] = [{} for _ in range(count)]
    for other in others:
        first: dict[int, Portion] = {}
        for portion in sorted(other.portions, key=lambda p: (p.copy_index, p.copy_start)):
            first.setdefault(portion.ref, portion)
        sequence = list(first)
        chain = longest_chain(sequence)
        for pos, ref in enumerate(sequence):
            holders[ref] += 1
            out_of_order[ref] += pos not in chain
            follower = sequence[pos + 1] if pos + 1 < len(sequence) else -1
            followers[ref][follower] = followers[ref].get(follower, 0) + 1
    moved = [i for i in range(count) if 2 * out_of_order[i] > holders[i]]
    order = [i for i in range(count) if i not in moved]
    for i in moved:
        follower = max(followers[i], key=lambda f: (followers[i][f], -f))
        if follower == -1:
            order.append(i)
        elif follower in order:
            order.insert(order.index(follower), i)
        else:  # it goes before another moved paragraph: leave it where the base has it
            order.insert(sum(1 for j in order if j < i), i)
    return order


def _base_only_breaks(
    base: Sequence[str], others: Sequence[WitnessCollation], copies: Sequence[WitnessText]
) -> set[int]:
    """Base paragraphs ``i`` that the base alone prints apart from ``i - 1``: every other copy that holds both
    (two at least) prints them in one paragraph, so the base split them.

    A flattened page (``copies``, in the order of ``others``) printed no breaks: holding both paragraphs on its
    one line says nothing about the break between them, so it has no vote (counted as printing them together
    it joined a headline to its lead against the only paged copy that merged them). A copy that lacks ``i - 1``
    but opens a paragraph with ``i``'s opening prints the break: it votes against the join (two copies sharing
    a merge are then not enough to outvote the base and it).

    Not a majority vote. A merge can only happen at a paragraph break, so copies that merged independently
    often merged the same two paragraphs (issue 11 §5: three of five copies printing two wire paragraphs as
    one is common), while two copies splitting a paragraph at the same point by chance is rare: a break that
    a second copy prints is the story's, however many copies lost it, and those copies are reported
    ``merged`` against it."""
    joins: set[int] = set()
    for i in range(1, len(base)):
        both = together = 0
        for other, copy in zip(others, copies, strict=True):
            paged = [p for p in other.portions if not copy.paragraphs[p.copy_index].flat]
            where_prev = {p.copy_index for p in paged if p.ref == i - 1}
            where_this = {p.copy_index for p in paged if p.ref == i}
            if where_prev and where_this:
                both += 1
                together += bool(where_prev & where_this)
            elif where_this and _opens_paragraph(min((p for p in paged if p.ref == i), key=_copy_order)):
                both += 1  # it lacks paragraph i - 1 but opens a paragraph where i opens: it prints the break
        # A paragraph does not end after a comma: a base paragraph that does was split there, and one copy
        # printing it whole is witness enough.
        enough = 1 if base[i - 1].rstrip()[-1:] in _MID_SENTENCE else 2
        if together == both >= enough:
            joins.add(i)
    return joins


def _copy_order(portion: Portion) -> tuple[int, int]:
    return portion.copy_index, portion.copy_start


def _opens_paragraph(piece: Portion) -> bool:
    """Whether ``piece`` starts its copy paragraph with its base paragraph's own opening (nothing lost or
    printed before it)."""
    first = piece.edits[0] if piece.edits else None
    return piece.copy_start == 0 and not piece.head_lost and not (first and first.at == 0 and first.copy)


def _printing(start: int, end: int, pieces: Sequence[Portion], length: int) -> int:
    """How many copies print the base's characters ``start:end``: the base itself, and each copy whose piece
    of the paragraph does not lose them in a cut head or tail (for an insertion, every copy that holds it).

    Why: a reading is decided among the copies that print it. A copy cut before the place has no reading
    there; counted as a vote for the base's, it kept a base's slip that every copy printing the place mends.
    """
    if start == end:
        return 1 + len(pieces)  # an insertion: at a paragraph's edge a cut copy is the very witness against it
    return 1 + sum(1 for p in pieces if start >= p.head_lost and end <= length - p.tail_lost)


def _non_overlapping(edits: list[TextEdit]) -> list[TextEdit]:
    out: list[TextEdit] = []
    end = -1
    for edit in sorted(edits, key=lambda e: (e.at, -len(e.ref))):
        if edit.at >= end or (not edit.ref and edit.at > end):
            out.append(edit)
            end = edit.at + len(edit.ref)
    return out


def collate_consensus(witnesses: Sequence[WitnessText], base: int, config: CollateConfig = _DEFAULT) -> Collation:
    """Collate every copy, the base included, against the majority text of all of them."""
    paragraphs, reason = build_consensus(witnesses, base, config)
    results = [align(paragraphs, w.paragraphs, w.id, config) for w in witnesses]
    return Collation(CONSENSUS, reason, paragraphs, tuple(pieces_of_one_copy(witnesses, results)))


def pieces_of_one_copy(witnesses: Sequence[WitnessText], results: Sequence[WitnessCollation]) -> list[WitnessCollation]:
    """Results without the drops that another witness of the same document renders.

    Two witnesses of one group that stand in the same file are pieces of one copy (a page the scan cut in
    two, a flattened line cut around a block it took for boilerplate): a paragraph one piece lacks and the
    other holds was not dropped by the copy."""
    paths = [{s.path for s in w.segments} for w in witnesses]
    out = list(results)
    for k, result in enumerate(results):
        siblings = [j for j in range(len(witnesses)) if j != k and paths[j] & paths[k]]
        if not siblings:
            continue
        held = {p.ref for j in siblings for p in results[j].portions}
        kept = tuple(f for f in result.findings if not (f.kind == "dropped" and f.ref in held))
        if len(kept) != len(result.findings):
            out[k] = replace(result, findings=kept)
    return out
