"""Consensus: the majority text of three or more copies, built on the copy the others disagree with least.

When every copy of a story is damaged somewhere, none of them is a fair reference: each one's damage would
be reported against all the others. The consensus keeps each paragraph and each reading that most copies
print, in the order most copies print them (:func:`build_consensus`); every copy, the base included, is then
collated against it (:func:`collate_consensus`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace
from itertools import accumulate, pairwise

from rapidfuzz import fuzz

from dedup.collate.edits import apply_edits, diff
from dedup.collate.findings import align, is_truncation, longest_chain
from dedup.collate.records import CONSENSUS, Collation, Portion, TextEdit, WitnessCollation, WitnessText
from dedup.collate.sentences import CREDIT, content_text
from dedup.collate.words import in_words
from dedup.config import CollateConfig
from dedup.lookalike import are_lookalikes
from dedup.normalize import looks_cut
from dedup.words import cut_inside_word, tokenizer

_DEFAULT = CollateConfig()


def build_consensus(
    witnesses: Sequence[WitnessText], base: int, config: CollateConfig = _DEFAULT
) -> tuple[tuple[str, ...], str]:
    """A consensus text: each paragraph, and inside it each disputed reading, from the majority of copies.

    The base copy (the most complete) gives the paragraphs and their order. A base paragraph stays when more
    than half of the copies render it, or one copy short of that when its words mark it as the story's
    (:func:`_shared_drops`: the other copies dropped it), and a paragraph the base lacks joins when more than
    half of the copies print it (:func:`paragraphs_the_base_lacks`); a reading differs from the base's where
    more than half of the copies agree on the same edit at the same place (a copy without an edit there votes
    for the base's reading); and two paragraphs of the base are one where every other copy that holds both
    holds them in one paragraph (the base split it).

    Returns:
        The consensus paragraphs, and a sentence saying how they were chosen.
    """
    base_texts = [p.text for p in witnesses[base].paragraphs]
    others = [align(base_texts, w.paragraphs, w.id, config) for k, w in enumerate(witnesses) if k != base]
    copies = copies_of(witnesses)
    voters = len(set(copies))
    # The copies other than the base's, each with the witnesses it stands in (a copy the scan cut in two is one
    # voter: counted per witness, one half would vote for a paragraph and the other against it).
    other_copies: dict[int, list[WitnessCollation]] = {}
    for k, o in zip((k for k in range(len(witnesses)) if k != base), others, strict=True):
        if copies[k] != copies[base]:
            other_copies.setdefault(copies[k], []).append(o)
    paragraphs: list[str] = []
    dropped = changed = rejoined = resplit = 0
    # Who votes on a paragraph break: the copies that print breaks, not a flattened page (a copy's paragraph
    # that is a flattened line holds several of the story's paragraphs by layout, not by a merge).
    voting = [w for k, w in enumerate(witnesses) if k != base]
    joins = _base_only_breaks(base_texts, others, voting)
    order = _majority_order(len(base_texts), others)
    moved = sum(1 for k, i in enumerate(order) if k and i < order[k - 1])
    previous = -1
    ends: dict[int, int] = {-1: 0}  # base paragraph -> how many consensus paragraphs stand up to its end
    printing = [1 + sum(_prints(i, pieces) for pieces in other_copies.values()) for i in range(len(base_texts))]
    shared_drops = _shared_drops(base_texts, printing, voters)
    kept = [text if 2 * printing[i] > voters or i in shared_drops else "" for i, text in enumerate(base_texts)]
    for i in order:
        text = base_texts[i]
        after, previous = previous, i
        pieces = [next((p for p in o.portions if p.ref == i), None) for o in others]
        ends[i] = len(paragraphs)
        if printing[i] <= voters / 2 and i not in shared_drops:
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
        neighbours = (kept[i - 1] if i else "", kept[i + 1] if i + 1 < len(base_texts) else "")
        for edge in _restored_edges(text, held, neighbours, config):
            if not any(_edge_of(w, len(text)) == _edge_of(edge, len(text)) for w in winners):
                winners.append(edge)
        changed += len(winners)
        heads = all(reads_as_heading(t) for t in base_texts[:i])  # a heading glued in front can only open the story
        breaks = printed_breaks(text, i, others, voting, config, after_heading=heads)
        resplit += len(breaks)
        pieces_read = readings(text, _non_overlapping(winners), breaks)
        if i in joins and paragraphs and after == i - 1:
            paragraphs[-1] += pieces_read[0]
            rejoined += 1
            paragraphs += pieces_read[1:]
        else:
            paragraphs += pieces_read
        ends[i] = len(paragraphs)
    lacked = paragraphs_the_base_lacks(witnesses, base, others, paragraphs, config)
    for after_ref, text in reversed(sorted(lacked, key=lambda a: ends[a[0]])):  # from the end: places stay put
        paragraphs.insert(ends[after_ref], text)
    reason = (
        f"consensus of {voters} copies, built on {witnesses[base].id}: "
        f"{len(paragraphs)} paragraphs kept by the majority"
    )
    if dropped:
        reason += f", {dropped} left out (in a minority of copies)"
    if shared_drops:
        reason += f", {len(shared_drops)} kept though most copies lack them (the story's, dropped by several copies)"
    if changed:
        reason += f", {changed} reading(s) taken from the majority"
    if lacked:
        reason += f", {len(lacked)} paragraph(s) the base lacks taken from the majority"
    if rejoined:
        reason += f", {rejoined} paragraph(s) the base split joined as the other copies print them"
    if resplit:
        reason += f", {resplit} paragraph break(s) the base lost put back as the other copies print them"
    if moved:
        reason += f", {moved} paragraph(s) the base moved put back where the majority prints them"
    return tuple(paragraphs), reason


def copies_of(witnesses: Sequence[WitnessText]) -> list[int]:
    """For each witness, the copy it belongs to (the index of the first witness of that copy): witnesses that
    stand in the same file are pieces of one copy (a page the scan cut in two, a flattened line cut around a
    block it took for boilerplate), as :func:`pieces_of_one_copy` reads them.

    >>> from dedup.records import Span
    >>> def w(name, path):
    ...     return WitnessText(name, (Span(path, 1, 1),), ())
    >>> copies_of([w("a", "x.txt"), w("b", "y.txt"), w("c", "x.txt")])
    [0, 1, 0]
    """
    paths = [{s.path for s in w.segments} for w in witnesses]
    out = list(range(len(witnesses)))
    for k in range(len(witnesses)):
        for j in range(k):
            if paths[k] & paths[j]:
                out = [out[j] if c == out[k] else c for c in out]
                break
    return out


def _prints(i: int, witnesses: Sequence[WitnessCollation]) -> bool:
    """Whether a copy (its ``witnesses``' collations) prints base paragraph ``i`` anywhere."""
    return any(p.ref == i for o in witnesses for p in o.portions)


def _shared_drops(base_texts: Sequence[str], printing: Sequence[int], voters: int) -> set[int]:
    """Base paragraphs one copy short of a majority that the story's own words mark as the story's: the other
    copies dropped them, each on its own, and the base did not add them.

    Why: a copy drops a paragraph of the story, and copies dropping the same one is no rarity in a story of a
    few paragraphs (of three copies, two lacking the same paragraph). Left out of the consensus, it is said to
    be added by every copy printing it and dropped by none. The evidence against that is the paragraph
    itself: a copy adds foreign text (another story's paragraph, a notice), which shares few words with the
    story, while the story's paragraph shares its names and terms as the story's other paragraphs do. A
    paragraph is the story's where the share of its words that the base's other paragraphs use is at least
    half the share a base paragraph typically has (the median, so that a base's own foreign paragraph or a
    byline does not set it). Only prose, a paragraph ending at a sentence end: a headline or byline says too
    little to tell whose it is, and copies lay them out or leave them off by habit; a preview's cut paragraph
    is no text of the story. One copy short at most (a tie, or one against two): each further copy lacking
    it makes a shared drop less likely than a copy's own text. A paragraph the base prints twice is its
    duplicate, not a drop (the copies print it once, against the other place)."""
    candidates = [i for i, n in enumerate(printing) if voters - 1 <= 2 * n <= voters and _ends_sentence(base_texts[i])]
    if not candidates or len(base_texts) < _STORY_PARAGRAPHS:
        return set()
    words = [_words_of(t) for t in base_texts]
    shares = [_story_share(i, base_texts, words) for i in range(len(base_texts))]
    typical = sorted(s for s in shares if s is not None)
    if not typical:
        return set()
    median = typical[(len(typical) - 1) // 2]
    return {i for i in candidates if (share := shares[i]) is not None and median > 0 and 2 * share >= median}


def _ends_sentence(text: str) -> bool:
    """Whether ``text`` ends at a sentence end: prose, not a headline or byline, nor a preview's cut text."""
    stripped = text.rstrip()
    return any(m.end() == len(stripped) for m in _SENTENCE_END.finditer(stripped))


_STORY_PARAGRAPHS = 4  # fewer paragraphs say too little about what words a story uses
_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")


def _words_of(text: str) -> frozenset[str]:
    """The Chinese words of ``text`` (two characters or more, jieba's dictionary words)."""
    return frozenset(w for w in tokenizer().cut(text, HMM=False) if _HAN_WORD.match(w))


def _story_share(i: int, base_texts: Sequence[str], words: Sequence[frozenset[str]]) -> float | None:
    """The share of paragraph ``i``'s words (``words``: each paragraph's) that the base's other paragraphs use
    (``None``: it has no words, or the base prints it twice)."""
    mine = words[i]
    content = content_text(base_texts[i])
    others = [content_text(t) for k, t in enumerate(base_texts) if k != i]
    if not mine or any(len(o) >= len(content) // 2 and (_holds(o, content) or _holds(content, o)) for o in others):
        return None
    rest = frozenset().union(*(w for k, w in enumerate(words) if k != i))
    return len(mine & rest) / len(mine)


_HOLDS = 85  # rapidfuzz partial ratio at which a copy's text holds a paragraph (slips and changed words allowed)


def paragraphs_the_base_lacks(
    witnesses: Sequence[WitnessText],
    base: int,
    others: Sequence[WitnessCollation],
    consensus: Sequence[str],
    config: CollateConfig,
) -> list[tuple[int, str]]:
    """Paragraphs that more than half of the copies print and the base lacks, each with the base paragraph
    it follows (``-1``: none), in the order the copies print them.

    Why: the base is chosen as the copy the others disagree with least, and can still be a copy that dropped a
    paragraph. Built on the base's paragraphs alone, the consensus then lacks it too: the drop goes unsaid,
    and every faithful copy is said to have added it (seed 6: a base without the lead that four of five copies
    print). A candidate is a paragraph of a paged copy that renders no base paragraph and shares no text with
    the ``consensus`` paragraphs built so far (a base that cut the paragraph, or merged it into another, holds
    it already); a copy holds it when its text prints it anywhere: on its own, merged into a neighbour, or on a
    flattened line (seed 6: two copies print it alone, two merged into the byline or the next paragraph); two
    copies at least must print it on its own (one copy's reading beside a flattened page is no majority
    reading: seeds 3, 5 took a garbled one). The text is the copies' majority reading
    (:func:`_majority_reading`); the paragraph it follows is the median of those every copy printing it prints
    it after (:func:`_printed_after`). None is taken where they would be more than half as many as the
    paragraphs the base gives: a base lacking that much is a fragment, or the group holds two stories (seed 5:
    a one-sentence base, a story the two others print)."""
    copies = [w for k, w in enumerate(witnesses) if k != base]
    flat_lines = ["".join(p.text for p in w.paragraphs if p.flat) for w in copies]
    flat = [content_text(line) for line in flat_lines]
    printing = [content_text("".join(p.text for p in w.paragraphs)) for w in copies]
    held = content_text("".join(consensus))
    pieces = [content_text(p) for p in consensus if len(content_text(p)) >= 2 * config.lost_min]
    candidates: list[tuple[int, int, str, str]] = []  # (copy, its paragraph, content, text), longest first
    for n, (other, copy) in enumerate(zip(others, copies, strict=True)):
        rendering = {p.copy_index for p in other.portions}
        for j, paragraph in enumerate(copy.paragraphs):
            content = content_text(paragraph.text)
            if j in rendering or paragraph.flat or len(content) < 2 * config.lost_min or _holds(held, content):
                continue
            if not any(_holds(content, piece) for piece in pieces):
                candidates.append((n, j, content, paragraph.text))
    candidates.sort(key=lambda c: -len(c[2]))
    taken: list[tuple[float, int, str]] = []
    used: set[int] = set()
    for k, (_, _, content, _) in enumerate(candidates):
        if k in used:
            continue
        members = [m for m in range(k, len(candidates)) if m not in used and _holds(content, candidates[m][2])]
        used.update(members)
        first: dict[int, int] = {}  # copy -> its paragraph printing the candidate, once per copy
        for m in sorted(members, key=lambda m: candidates[m][1]):
            first.setdefault(candidates[m][0], candidates[m][1])
        holders = set(first) | {n for n, text in enumerate(printing) if _holds(text, content)}
        if 2 * len(holders) <= len(witnesses) or len(first) < 2:
            continue
        readings = [candidates[m][3] for m in members]
        printed = []  # what the flattened pages holding it print there
        for n in {n for n, line in enumerate(flat) if _holds(line, content)} - set(first):
            found = fuzz.partial_ratio_alignment(max(readings, key=len), flat_lines[n])
            printed += [flat_lines[n][found.dest_start : found.dest_end]] if found is not None else []
        text = _majority_reading(readings, printed, config)
        votes = [_printed_after(text, c, o, first.get(n)) for n, (o, c) in enumerate(zip(others, copies, strict=True))]
        afters = sorted(a for a in votes if a is not None)
        place = sum(first.values()) / len(first)
        taken.append((place, afters[(len(afters) - 1) // 2], text))
    if 2 * len(taken) > len(consensus):
        return []  # the base lacks more than it holds: a fragment, or a group of two stories, is no base to mend
    return [(after, text) for _, after, text in sorted(taken)]


def _printed_after(text: str, copy: WitnessText, other: WitnessCollation, paragraph: int | None) -> int | None:
    """The base paragraph ``copy`` prints last before ``text`` (its ``paragraph``, or where its text prints
    it: glued to another paragraph, or on a flattened line), ``-1`` if none; ``None`` if it does not print it.

    Every copy printing the paragraph votes where it goes, the flattened and merged ones too: the copies that
    print it alone are few where the base lacks it, and one of them may have moved it or lost its neighbour."""
    starts = list(accumulate((len(p.text) for p in copy.paragraphs), initial=0))
    if paragraph is None:
        found = fuzz.partial_ratio_alignment(text, "".join(p.text for p in copy.paragraphs), score_cutoff=_HOLDS)
        if found is None:
            return None
        at = found.dest_start
    else:
        at = starts[paragraph]
    before = [p for p in other.portions if starts[p.copy_index] + p.copy_start < at]
    return max(before, key=lambda p: starts[p.copy_index] + p.copy_start).ref if before else -1


def _majority_reading(readings: Sequence[str], printed: Sequence[str], config: CollateConfig) -> str:
    """The copies' majority reading of one paragraph: among the copies' ``readings`` of it, the one that agrees
    most with all the others and with what flattened pages print there (``printed``), then, edit by edit, the
    reading most of the copies printing that stretch print (:func:`_majority_edits`).

    Why edit by edit: the copies printing a paragraph the base lacks are few, and each may have damaged it
    (seed 4: a copy's two look-alike slips, a flattened wire page, a preview cut before the slips); a whole
    reading is one copy's, its slips and all. A reading that looks cut (a preview's) is the start only if all
    are; a tie goes to the longest."""
    whole = [r for r in readings if not looks_cut(r)] or list(readings)
    contents = [content_text(r) for r in [*readings, *printed]]

    def agreement(reading: str) -> tuple[float, int]:
        mine = content_text(reading)
        return sum(fuzz.partial_ratio(mine, other) for other in contents), len(mine)

    start = max(whole, key=agreement)
    voters = list(readings)
    voters.remove(start)
    return apply_edits(start, _majority_edits(start, [*voters, *printed], config))


def _majority_edits(start: str, voters: Sequence[str], config: CollateConfig) -> list[TextEdit]:
    """The edits to ``start`` that more than half of the texts printing their stretch make (``start`` votes
    for itself; a voter cut short, a preview's, prints only what it holds). At a tie the side that forms
    words wins over the side that forms none, as an OCR slip leaves non-words and an editor writes words
    (the telltale :mod:`dedup.collate.telltales` reads the same way); a tie between words keeps ``start``."""
    votes: dict[tuple[int, str, str], list[tuple[TextEdit, str]]] = {}
    spans: list[tuple[int, int]] = []  # the stretch of ``start`` each voter prints
    for text in voters:
        edits = list(diff(start, text))
        first, last = 0, len(start)
        if edits and _cut_at(edits[0], start, config, at_end=False):
            head = edits.pop(0)
            first = head.at + len(head.ref)
        if edits and _cut_at(edits[-1], start, config, at_end=True):
            last = edits.pop().at
        spans.append((first, last))
        for edit in edits:
            if not edit.layout:
                votes.setdefault((edit.at, edit.ref, edit.copy), []).append((edit, text))
    winners = []
    for (at, ref, _), made in votes.items():
        printing = 1 + sum(s <= at and at + len(ref) <= e for s, e in spans)
        edit, text = made[0]
        if 2 * len(made) > printing or (2 * len(made) == printing and _slip_mended(edit, start, text, config)):
            winners.append(edit)
    return _non_overlapping(winners)


def _cut_at(edit: TextEdit, start: str, config: CollateConfig, *, at_end: bool) -> bool:
    """Whether an edit at the head (or the tail) of ``start`` is the voter's cut there: it loses content
    characters enough for a truncation (:attr:`CollateConfig.lost_min`), a preview's ellipsis or stray
    character (:attr:`CollateConfig.cut_slack`) left in their place."""
    if (edit.at + len(edit.ref) < len(start)) if at_end else edit.at > 0:
        return False
    return len(content_text(edit.ref)) >= config.lost_min and len(content_text(edit.copy)) <= config.cut_slack


def _slip_mended(edit: TextEdit, start: str, text: str, config: CollateConfig) -> bool:
    """Whether a replacement, at a tie, mends a slip of ``start``: its characters form no word there and the
    voter's (``text``) do; or, where both sides form words or neither does, each character is a look-alike of
    the other's and the voter's are the commoner in Chinese text (jieba's dictionary counts). A slip puts a
    look-alike in place of a character, whatever its frequency, so the rarer of the two is the likelier
    slip (seed 4: ``也景各执一端`` beside ``也是各执一端``, neither side a word)."""
    if edit.op != "replace" or edit.copy_at < 0:
        return False
    context, nothing = config.word_context, frozenset[str]()
    mine = in_words(start, edit.at, edit.at + len(edit.ref), context, nothing)
    theirs = in_words(text, edit.copy_at, edit.copy_at + len(edit.copy), context, nothing)
    if mine != theirs:
        return theirs
    pairs = zip(edit.ref, edit.copy, strict=False)
    if len(edit.ref) != len(edit.copy) or not all(are_lookalikes(a, b) for a, b in pairs):
        return False
    return _commonness(edit.copy) > _commonness(edit.ref)


def _commonness(text: str) -> float:
    """How common a run of characters is: the sum of its characters' log counts in jieba's dictionary."""
    counts = tokenizer().FREQ
    return sum(math.log1p(counts.get(ch, 0)) for ch in text)


def _holds(whole: str, part: str) -> bool:
    """Whether ``whole`` prints ``part`` (both content text), allowing slips and changed words."""
    return bool(part) and len(part) <= len(whole) and fuzz.partial_ratio(part, whole) >= _HOLDS


def _restored_edges(
    text: str, pieces: Sequence[Portion], neighbours: tuple[str, str], config: CollateConfig
) -> list[TextEdit]:
    """The text a cut base paragraph lost at its tail (or head), taken back from the copies that print it.

    A cut loses text and nothing invents it, so where another copy runs on past the base's edge the story
    had that text; but copies cut or change it each in their own way, so no reading of it wins a vote. It is
    restored from the copy that prints most of it when the base shows the cut itself (its paragraph ends
    mid-sentence or in a preview's ellipsis), or when most copies holding the paragraph run on past the edge.
    Without this a preview as the base makes every intact copy read as a changed word at each cut.

    A run-on that opens with the base's next paragraph (or, at the head, closes with the one before), where
    the consensus keeps that paragraph, is that paragraph glued on, not lost text: a flattened page glues the
    byline and lead to a headline, which ends without a sentence end like a cut paragraph (seed 6: a headline
    took on the byline and the lead). A neighbour the consensus leaves out may be the paragraph's own tail,
    which the base broke off (seed 3)."""
    cut = looks_cut(text)
    before, after = (content_text(t) for t in neighbours)
    out: list[TextEdit] = []
    for at_tail in (True, False):
        runs_on = []
        for piece in pieces:
            edits = [e for e in piece.edits if (e.at + len(e.ref) == len(text) if at_tail else e.at == 0)]
            grown = [e for e in edits if len(content_text(e.copy)) - len(content_text(e.ref)) >= config.lost_min]
            runs_on += grown[-1:] if at_tail else grown[:1]
        glued = after[: 2 * config.lost_min] if at_tail else before[-2 * config.lost_min :]
        if glued:
            runs_on = [
                e
                for e in runs_on
                if not (content_text(e.copy).startswith(glued) if at_tail else content_text(e.copy).endswith(glued))
            ]
        if runs_on and ((cut and at_tail) or 2 * len(runs_on) > len(pieces) + 1):
            out.append(_majority_run_on(runs_on))
    return out


def _majority_run_on(runs_on: Sequence[TextEdit]) -> TextEdit:
    """Of the copies' run-ons past a cut base paragraph's edge, the one that agrees most with the others
    among those printing nearly as much of the lost text as the longest (a tie to the longest).

    Why: the longest run-on is one copy's reading, its changed words and slips and all (seed 14: a base cut
    in its last paragraph took the tail from a copy that changed ``给予`` to ``市委``, and every faithful copy
    was said to change it back); the copies that print the whole tail as the story has it agree with each
    other, each changed copy with none."""
    contents = [content_text(e.copy) for e in runs_on]
    most = max(len(c) for c in contents)
    whole = [k for k, c in enumerate(contents) if len(c) >= most * _WHOLE_RUN_ON]

    def agreement(k: int) -> tuple[float, int, int]:
        score = sum(fuzz.ratio(contents[k], other) for j, other in enumerate(contents) if j != k)
        return score, len(contents[k]), -runs_on[k].at

    return runs_on[max(whole, key=agreement)]


_WHOLE_RUN_ON = 0.9  # share of the longest run-on a run-on prints to count as printing the whole lost text


def printed_breaks(
    text: str,
    i: int,
    others: Sequence[WitnessCollation],
    copies: Sequence[WitnessText],
    config: CollateConfig,
    *,
    flat_base: bool = False,
    after_heading: bool = False,
) -> list[int]:
    """Where in base paragraph ``i`` (``text``) the other copies print a paragraph break the base lacks (the
    base merged two paragraphs, or is a flattened page): positions in ``text``, ascending.

    A copy's break is where a piece of the paragraph starts in another of its paragraphs than the piece
    before it in the paragraph's order. Against it stand the copies that print the text on both sides of it
    in one paragraph, the base among them; a copy that does neither (it lost or cut the text on one side)
    has no say. The break is the story's where two copies print it, or where as many copies print it as
    print across it, the tie going to the break. Why: a copy's break the base lacks is either the base's
    merge or the copy's split; a merge falls at one of a story's few breaks and a split at any of its many
    sentence ends, so the same merge in several copies is common (issue 11 §5; seed 2: a base and two
    copies merging, three printing the break, one cut there) and the same split rare. Rare only where the
    paragraph offers places enough to split (:data:`_CHANCE_PLACES` sentence ends): a paragraph of two
    sentences splits in one place, and two copies that split it agree (seed 4: two of five); there the break
    needs two copies and at least as many as print across it. With ``after_heading`` (the paragraph opens the
    story: only headings stand before it), after a heading (a headline or a byline: a short stretch with no
    punctuation, :func:`reads_as_heading`) glued in front of the paragraph, one copy is enough: a split leaves
    its first piece ending at a sentence end or a comma, never a heading, while copies that glue a headline or
    byline to the lead are common, and share it by chance (seed 16: three of five glued a byline to the
    lead). Further down a story, the first words of a sentence cut off by a column break read as a heading
    too (``西欧国家和日本等`` over ``国为了确保…``).

    A flattened base (``flat_base``) printed no breaks at all: it has no vote, and one copy that prints a
    break where no other copy contradicts it is enough."""
    votes: dict[int, int] = {}
    printed_across: list[list[tuple[int, int]]] = []  # per copy: stretches of ``text`` it prints in one paragraph
    holders = 0
    for other, copy in zip(others, copies, strict=True):
        mine = [p for p in other.portions if p.ref == i]
        if not mine or all(copy.paragraphs[p.copy_index].flat for p in mine):
            continue
        holders += 1
        # The pieces in the order they stand in the paragraph (for a flattened base, in the copy's): read in
        # the copy's order, a copy that moved one of a merged base paragraph's parts away votes for no break
        # between the parts it moved apart.
        if flat_base:
            mine.sort(key=lambda p: (p.copy_index, p.copy_start))
        else:
            mine.sort(key=lambda p: (p.head_lost, p.copy_index, p.copy_start))
        breaks_here: set[int] = set()
        for before, piece in pairwise(mine):
            at = _start_in(text, piece.copy_text, after_heading) if piece.copy_index != before.copy_index else None
            if at is not None:
                breaks_here.add(at)
        for at in breaks_here:
            votes[at] = votes.get(at, 0) + 1
        stretches: dict[int, tuple[int, int]] = {}
        for piece in mine:
            start, end = piece.head_lost, len(text) - piece.tail_lost
            was = stretches.get(piece.copy_index, (start, end))
            stretches[piece.copy_index] = (min(was[0], start), max(was[1], end))
        printed_across.append(list(stretches.values()))
    breaks: list[int] = []
    near = config.cut_slack

    def inside(at: int) -> bool:
        """Whether a break at ``at`` leaves a piece of the paragraph on each side (not a stray edge)."""
        return config.lost_min <= len(content_text(text[:at])) and config.lost_min <= len(content_text(text[at:]))

    places = sum(inside(m.end()) for m in _SENTENCE_END.finditer(text))
    for at in sorted(votes, key=lambda b: -votes[b]):
        support = sum(n for b, n in votes.items() if abs(b - at) <= near)
        across = 1 + sum(any(s < at - near and at + near < e for s, e in st) for st in printed_across)
        if flat_base:
            enough = 2 * support > holders
        elif after_heading and reads_as_heading(text[:at]):  # no split leaves a heading: one copy shows it apart
            enough = support >= 1
        elif places < _CHANCE_PLACES:  # copies splitting the paragraph agree on where by chance too often
            enough = support >= 2 and support >= across
        else:
            enough = support >= 2 or support >= across
        if enough and inside(at) and all(abs(at - b) > near for b in breaks):
            breaks.append(at)
    return sorted(breaks)


_MID_SENTENCE = frozenset("，,、；;")  # a paragraph ending in one of these stops mid-sentence
_CHANCE_PLACES = 3  # sentence ends a paragraph offers before two copies splitting it alike is unlikely by chance
# A sentence ends at a stop (an ellipsis too: ``看看……``), with the quotes it closes and a credit or source in
# parentheses that closes the paragraph (``…要求。（肖咸鸣杜文育）``; a break falls after it, not before it:
# two copies that put the credit on a line of its own agree by layout, not by the story's paragraphs).
_SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’\"'」』)）]*" + f"(?:{CREDIT})?")
_OPENING = 12  # characters of a piece's opening located in the paragraph: enough to be unique in a story


def _start_in(text: str, piece: str, after_heading: bool = True) -> int | None:
    """Where the opening of ``piece`` stands in ``text``, if it stands right after a sentence end there (a
    paragraph break falls between sentences; a piece that opens mid-sentence is a cut head, not a break), or,
    with ``after_heading``, right after a heading that opens ``text`` (a headline or byline glued to the lead;
    not inside a word, where a cut falls and no heading ends). A flattened page's opening headings are found
    by what the copies print as they stand (:func:`dedup.collate.reference.printed_headings`)."""
    opening = piece.lstrip()[:_OPENING]
    if len(opening) < _OPENING // 2:
        return None
    found = fuzz.partial_ratio_alignment(opening, text, score_cutoff=80)
    if found is None:
        return None
    ends = {m.end() for m in _SENTENCE_END.finditer(text)}
    near = range(found.dest_start - 2, found.dest_start + 3)
    at = next((at for at in near if at in ends), None)
    if at is None and after_heading:  # the lead, after a headline or byline glued in front of it
        exact = [a for a in near if text.startswith(opening[: _OPENING // 3], a)]
        start = exact[0] if exact else found.dest_start
        heading = start > 0 and reads_as_heading(text[:start])
        at = start if heading and not cut_inside_word(text[:start], text[start:]) else None
    return at


def reads_as_heading(text: str) -> bool:
    """Whether ``text`` reads as a heading rather than prose: a headline or a byline, short and without any
    punctuation that a sentence would have (quotes and book-title marks may stand in a headline), and no
    dateline, which opens a lead.

    >>> reads_as_heading("美国华盛顿大学饶毅"), reads_as_heading("他说，今天开会。")
    (True, False)
    """
    content = "".join(text.split())
    short = 0 < len(content) <= _HEADING_LENGTH
    return short and not _PROSE_MARK.search(content) and not _DATELINE.search(content)


_HEADING_LENGTH = 30  # characters: a headline or byline longer than this is rare; a sentence this short is not
_PROSE_MARK = re.compile("[，。；：！？,.;:!?、…]")
# A dateline (``新华社北京1月19日电``, ``本报讯``) opens a lead: a stretch holding one is the lead's first
# words, cut off it (a split in a paragraph without a comma), not a heading.
_DATELINE = re.compile("[0-9０-９一二三四五六七八九十]{1,3}日[电電讯訊]|本[报報][讯訊]")


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

    At a tie (half of the copies holding it, the base among the other half) it was moved too where every
    copy printing it out of order prints it before the same paragraph: copies that moved it each on their
    own would put it in different places, while copies printing the story's order agree (seed 3: the base
    moved a lead below two paragraphs; the flattened wire copy and a second copy print it above them, a
    third copy, which moved one of those two above it, keeps it in its in-order chain). Not where that is
    the end: copies that moved it to their end, each after a different paragraph, agree on nothing more
    (seed 6).
    """
    holders = [1] * count  # the base holds every one of its paragraphs, in its own order
    out_of_order = [0] * count
    followers: list[dict[int, int]] = [{} for _ in range(count)]
    followers_out: list[set[int]] = [set() for _ in range(count)]  # what follows it where printed out of order
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
            if pos not in chain:
                followers_out[ref].add(follower)
    moved = [
        i
        for i in range(count)
        if 2 * out_of_order[i] > holders[i]
        or (2 * out_of_order[i] == holders[i] > 2 and len(followers_out[i]) == 1 and -1 not in followers_out[i])
    ]
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
    ``merged`` against it. Never after the headings that open the story (:func:`reads_as_heading`): no split
    leaves one, and copies gluing a headline or byline to the lead are common (seed 16: two of four glued a
    byline to the lead)."""
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
        if together == both >= enough and not all(reads_as_heading(t) for t in base[:i]):
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
    results = without_drops_of_strangers(pieces_of_one_copy(witnesses, results))
    return Collation(CONSENSUS, reason, paragraphs, tuple(results))


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


def without_drops_of_strangers(results: Sequence[WitnessCollation]) -> list[WitnessCollation]:
    """Results without the drops of a witness that renders no paragraph of the reference at all, where the
    group holds three witnesses or more.

    Why: such a witness is no copy of the story the others tell, but text the grouping took in by what it
    shares with one copy alone, or by boilerplate (seed 4: another story's flattened page that shares a
    site's footer). Said to have dropped every paragraph, it would bury the real drops of the group under
    as many false ones; its own paragraphs are still said to be added. Of two witnesses neither is the
    story more than the other: ``dedup diff`` of two unrelated texts says what each lacks, and that they
    are unrelated."""
    if len(results) < 3:
        return list(results)
    return [
        replace(r, findings=tuple(f for f in r.findings if f.kind != "dropped")) if not r.portions else r
        for r in results
    ]
