"""Reference choice: which copy the others are measured against, and collation against it.

Two copies: the more complete and less damaged one (:func:`choose_reference`). Three or more: the base of a
consensus (:func:`choose_base`, see :mod:`dedup.collate.consensus`).
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Sequence
from dataclasses import replace

from rapidfuzz import fuzz, process

from dedup.collate.consensus import pieces_of_one_copy, printed_breaks, readings, without_drops_of_strangers
from dedup.collate.edits import NOISE
from dedup.collate.findings import align
from dedup.collate.records import UNDIRECTED, Collation, CopyParagraph, Finding, WitnessCollation, WitnessText
from dedup.collate.sentences import bigrams, content_text
from dedup.collate.telltales import Telltales, telltales
from dedup.config import CollateConfig
from dedup.normalize import CUT_MARK, looks_cut
from dedup.segment import split_sentences

_DEFAULT = CollateConfig()


def collate(
    witnesses: Sequence[WitnessText], reference: int = 0, reason: str = "", config: CollateConfig = _DEFAULT
) -> Collation:
    """Collate copies of one story against one of them (``reference``, an index into ``witnesses``).

    With two copies, a paragraph one has and the other lacks, a move or a changed word could have been made
    in either copy: those findings carry ``direction="unknown"`` (:data:`~dedup.collate.records.UNDIRECTED`)
    rather than blaming the copy that is not the reference.
    """
    ref = witnesses[reference]
    others = [w for k, w in enumerate(witnesses) if k != reference]
    ref_texts = reference_texts(ref, others, config)
    results = []
    for k, witness in enumerate(witnesses):
        if k == reference:
            results.append(WitnessCollation(witness.id, (), (), tuple("kept" for _ in ref_texts)))
            continue
        if len(witnesses) == 2:
            result = _aligned_pair(ref, witness, config)
            foreign = _foreign_head(ref_texts, result, witness, config)
            undirected = tuple(
                replace(f, direction="unknown") if f.kind in UNDIRECTED else f
                for f in result.findings
                if not (f.kind == "dropped" and f.ref in foreign)
            )
            result = replace(result, findings=undirected)
        else:
            result = align(ref_texts, witness.paragraphs, witness.id, config)
        results.append(result)
    results = without_drops_of_strangers(pieces_of_one_copy(witnesses, results))
    return Collation(ref.id, reason or f"{ref.id} chosen as reference", tuple(ref_texts), tuple(results))


def _foreign_head(
    ref_texts: Sequence[str], result: WitnessCollation, copy: WitnessText, config: CollateConfig
) -> set[int]:
    """The reference paragraphs above everything ``copy`` renders that share hardly a pair of characters with
    ``copy`` (fewer than ``foreign_share`` of theirs): lines the reference's page printed above the story.

    Why: of two copies either may have added or dropped a paragraph, and nothing in the pair tells which;
    but above the story's first shared line, a line with nothing of the story in it is another article's
    (the close of the one before, a picture's title, an editor's note) that the page's passage took in, not a
    heading the other copy dropped: such lines were false drops in held-out corpora (seeds 3 and 12), where
    every heading or lead the other copy really dropped shared the story's words. Lower down, a paragraph
    may share as little and still be the story's (a byline, a paragraph of new names), so only the head is
    read this way.
    """
    if not result.portions:  # two unrelated texts: each lacks the other's, and that is said
        return set()
    first = min(p.ref for p in result.portions)
    pairs = set().union(*(bigrams(p.text) for p in copy.paragraphs))
    out = set()
    for i in range(first):
        own = bigrams(ref_texts[i])
        if own and len(own & pairs) < config.foreign_share * len(own):
            out.add(i)
    return out


def reference_texts(ref: WitnessText, others: Sequence[WitnessText], config: CollateConfig = _DEFAULT) -> list[str]:
    """The paragraphs the others are collated against when ``ref`` is the reference: its own, or a flattened
    page's cut at the breaks the others print (:func:`with_printed_breaks`)."""
    if is_flat(ref) and others:
        return with_printed_breaks(ref, others, config)
    return [p.text for p in ref.paragraphs]


def with_printed_breaks(flat: WitnessText, others: Sequence[WitnessText], config: CollateConfig) -> list[str]:
    """A flattened reference's paragraphs, cut where the other copies print paragraph breaks
    (:func:`dedup.collate.consensus.printed_breaks`): a scraped page is often the intact copy, but measured
    against its one long line every paged copy would read as that paragraph split, its changes lost in it."""
    texts = [p.text for p in flat.paragraphs]
    aligned = [align(texts, o.paragraphs, o.id, config) for o in others]
    out: list[str] = []
    for i, text in enumerate(texts):
        flat_one = flat.paragraphs[i].flat
        breaks = printed_breaks(text, i, aligned, others, config, flat_base=True) if flat_one else []
        if flat_one and i == 0:
            breaks = sorted({*breaks, *printed_headings(text, others, config)})
        out += readings(text, (), breaks)
    return out


def printed_headings(text: str, others: Sequence[WitnessText], config: CollateConfig = _DEFAULT) -> list[int]:
    """Where a flattened page's first line ends the headline, subtitle or byline that open it, as another
    copy prints them, each a paragraph of its own: positions in ``text``. Too short to be matched (and so to
    vote in :func:`~dedup.collate.consensus.printed_breaks`), they are found as they stand, at the start of the
    line one after another; without the breaks, a copy that prints them apart reads as the line split.

    >>> other = WitnessText("b", (), (CopyParagraph("b", 1, 1, "标题"), CopyParagraph("b", 3, 3, "本报记者张三")))
    >>> printed_headings("标题本报记者张三正文开始。", [other])
    [2, 8]
    """
    found: set[int] = set()
    for other in others:
        at = 0
        for paragraph in other.paragraphs:
            head = paragraph.text.strip()
            if not head or len(content_text(head)) > config.heading_chars or not text.startswith(head, at):
                break
            at += len(head)
            if at < len(text):
                found.add(at)
    return sorted(found)


def repeat_share(witness: WitnessText) -> float:
    """Share of a copy's paragraphs that repeat an earlier one of the same copy (near-identically)."""
    seen: list[str] = []
    repeats = 0
    for paragraph in witness.paragraphs:
        content = content_text(paragraph.text)
        if len(content) >= 10 and process.extractOne(content, seen, scorer=fuzz.ratio, score_cutoff=90):
            repeats += 1
        seen.append(content)
    return repeats / max(1, len(witness.paragraphs))


def damaged_paragraphs(witness: WitnessText, config: CollateConfig = _DEFAULT) -> tuple[int, int]:
    """How many of a copy's paragraphs of prose show damage of their own, visible without any other copy, and
    how many paragraphs of prose it has. Damage is a cut mid-sentence (a paragraph that ends without a sentence
    end, or in the ellipsis a preview leaves where it cut: ``…`` ends a sentence elsewhere, not as a
    paragraph's last mark after a cut) or noise (garbled spans flagged by normalization, replacement
    characters)."""
    damaged = 0
    prose = 0
    for paragraph in witness.paragraphs:
        content = content_text(paragraph.text)
        if len(content) <= config.heading_chars:
            continue  # headings and bylines end without a stop
        if paragraph.flat:  # a flattened page's line holds the whole story: counted sentence by sentence
            units = _flat_units(paragraph)
            prose += len(units)
            damaged += sum(noisy for noisy in units) + looks_cut(paragraph.text)
            continue
        prose += 1
        cut = looks_cut(paragraph.text)
        noisy = bool(paragraph.garbled) or bool(NOISE.search(paragraph.text))
        damaged += cut or noisy
    return damaged, prose


def _flat_units(paragraph: CopyParagraph) -> list[bool]:
    """The sentences of a flattened line, each as whether it is noisy (flagged by normalization, or holding
    a replacement character): one noisy sentence is not a damaged story."""
    out = []
    at = 0
    for sentence in split_sentences(paragraph.text):
        end = at + len(sentence)
        flagged = any(s < end and at < e for s, e in paragraph.garbled)
        out.append(flagged or bool(NOISE.search(sentence)))
        at = end
    return out or [False]


def damage_share(witness: WitnessText, config: CollateConfig = _DEFAULT) -> float:
    """Share of a copy's paragraphs of prose that show damage of their own (:func:`damaged_paragraphs`)."""
    damaged, prose = damaged_paragraphs(witness, config)
    return damaged / max(1, prose)


def is_foreign(paragraph: CopyParagraph, others: Sequence[WitnessText], config: CollateConfig = _DEFAULT) -> bool:
    """Whether a paragraph of prose has nothing of the story in it: hardly a pair of characters in common
    with the other copies (a page's unrelated paragraph taken in). A paragraph the other copies dropped still
    shares the story's names and terms (a quarter of its pairs, typically); one that does not belong shares
    the language's commonest pairs only (a twentieth).
    """
    pairs = bigrams(paragraph.text)
    if len(pairs) < config.heading_chars:
        return False
    story = _story_pairs(tuple(others))
    return len(pairs & story) < config.foreign_share * len(pairs)


@functools.lru_cache(maxsize=64)
def _story_pairs(others: tuple[WitnessText, ...]) -> frozenset[str]:
    return frozenset().union(*(bigrams(p.text) for o in others for p in o.paragraphs))


def foreign_share(witness: WitnessText, others: Sequence[WitnessText], config: CollateConfig = _DEFAULT) -> float:
    """Share of a copy's paragraphs of prose that are foreign to the story (:func:`is_foreign`)."""
    prose = [p for p in witness.paragraphs if len(bigrams(p.text)) >= 2 * config.heading_chars]
    return sum(is_foreign(p, others, config) for p in prose) / max(1, len(prose))


def is_preview_paragraph(text: str, config: CollateConfig = _DEFAULT) -> bool:
    """Whether a paragraph is one a preview cut: at most ``preview_chars`` content characters, and cut (it
    ends mid-sentence or in an ellipsis). Without an ellipsis it must be longer than a heading, since a
    headline or a byline also ends without a stop.

    >>> is_preview_paragraph("据新华社马尼拉１月４日电（记者陈鹤高）１９９８年将是东亚经济的调整之年…")
    True
    >>> is_preview_paragraph("东亚经济开始全面调整"), is_preview_paragraph("１９９８年将是东亚经济的调整之年。")
    (False, False)
    """
    content = len(content_text(text))
    if content > config.preview_chars or not looks_cut(text):
        return False
    return bool(CUT_MARK.search(text.rstrip())) or content > config.heading_chars


def is_preview(witness: WitnessText, config: CollateConfig = _DEFAULT) -> bool:
    """Whether a copy is a preview (a listing page's or a search snippet's): at least two of its paragraphs
    are cut short (:func:`is_preview_paragraph`), more of them than its paragraphs of prose that end whole.
    Counted against those, not against all: a story may end a paragraph or two in ``……`` itself (an
    enumeration left open), which every whole copy prints too, beside paragraphs that end whole.

    Such a copy holds every paragraph's head only. As the reference (or the consensus base) it would make
    every whole copy's text an addition and its own cuts drops of the others; it is never chosen while a
    copy that is not a preview is there.
    """
    cut = whole = 0
    for paragraph in witness.paragraphs:
        if is_preview_paragraph(paragraph.text, config):
            cut += 1
        elif len(content_text(paragraph.text)) > config.heading_chars and not looks_cut(paragraph.text):
            whole += 1
    return cut >= 2 and cut > whole


def choose_reference(
    witnesses: Sequence[WitnessText], coverage: Sequence[float], config: CollateConfig = _DEFAULT
) -> tuple[int, str]:
    """The most complete and least damaged copy: not a preview (:func:`is_preview`) if the other is none;
    then, with two copies, the one their alignment pins less damage
    on (:func:`pair_telltales`: cut and repeated paragraphs and stretches that form no word, then foreign
    paragraphs); then most of the story covered, fewest internal repeats, fewest paragraphs cut off
    mid-sentence or garbled (:func:`damage_share`) or foreign to the story (:func:`foreign_share`).

    Between two copies, coverage alone favours the damaged one as often as not: the paragraph one copy
    added counts as story, and the one it dropped is matched nowhere, so the intact copy's passage ends
    before it. Damage that a copy shows by itself tells them apart only when a cut ends mid-sentence or a
    slip is flagged as noise; the telltales catch cuts that end on a stop and slips that are real
    characters, and they come first because the reference's own damage would land on the intact copy.

    Returns:
        The index of the chosen witness and the reason, in words, for the report.
    """
    repeats = [repeat_share(w) for w in witnesses]
    damage = [
        damage_share(w, config) + foreign_share(w, [o for o in witnesses if o is not w], config) for w in witnesses
    ]
    pinned = pair_telltales(witnesses, config) if len(witnesses) == 2 else [Telltales() for _ in witnesses]
    previews = [is_preview(w, config) for w in witnesses]
    scores = [
        (-t.shown_damage, -t.foreign, cov - r - d, cov, -r, -d)
        for t, cov, r, d in zip(pinned, coverage, repeats, damage, strict=True)
    ]
    best = max(range(len(witnesses)), key=lambda k: (not previews[k], scores[k]))
    reason = f"most complete copy: covers {coverage[best]:.0%} of the story"
    reason += f", {repeats[best]:.0%} of its paragraphs repeated" if repeats[best] else ", no repeated paragraphs"
    if damage[best]:
        reason += f", {damage[best]:.0%} cut off, garbled or foreign"
    if len(witnesses) == 2 and previews[1 - best] and not previews[best]:
        reason = "the other copy is a preview (every paragraph cut short); " + reason
    elif len({scores[k][:2] for k in range(len(witnesses))}) > 1:  # two copies, told apart by their telltales
        other = pinned[1 - best]
        shown = ", ".join(
            f"{count} {what}"
            for count, what in (
                (other.cuts, "cut paragraph(s)"),
                (other.repeats, "repeated paragraph(s)"),
                (other.foreign, "foreign paragraph(s)"),
                (other.non_words, "stretch(es) forming no word"),
            )
            if count
        )
        reason = (
            f"less damaged copy: against it the other shows {shown} ({pinned[best].total} the other way); " + reason
        )
    return best, reason


def pair_telltales(pair: Sequence[WitnessText], config: CollateConfig = _DEFAULT) -> list[Telltales]:
    """Each of two copies' telltales (:mod:`dedup.collate.telltales`): the copy aligned against the other as
    collation would align it, the other as the reference. Only paragraphs that render nothing of the other
    copy are tested for being foreign (a matched one is the story's, and the test costs a set of pairs)."""
    out = []
    for k, copy in enumerate(pair):
        other = pair[1 - k]
        ref = reference_texts(other, [copy], config)
        aligned = _aligned_pair(other, copy, config)
        pinned = telltales(ref, [p.text for p in copy.paragraphs], aligned.findings, config.word_context)
        rendering = {portion.copy_index for portion in aligned.portions}
        unmatched = [p for j, p in enumerate(copy.paragraphs) if j not in rendering]
        out.append(replace(pinned, foreign=sum(is_foreign(p, [other], config) for p in unmatched)))
    return out


@functools.lru_cache(maxsize=2)
def _aligned_pair(ref: WitnessText, copy: WitnessText, config: CollateConfig) -> WitnessCollation:
    """``copy`` aligned against ``ref`` as the reference of a two-copy group. Choosing the reference aligns
    each copy against the other (:func:`pair_telltales`), and :func:`collate` then needs one of the two
    alignments again: kept here for the last pair, not computed twice."""
    return align(reference_texts(ref, [copy], config), copy.paragraphs, copy.id, config)


def disputes(findings: Sequence[Finding]) -> int:
    """How many things a copy's findings dispute: one per finding, but a merge or a split once per paragraph
    break it disputes. A flattened page (one paragraph for the whole story) as the reference leaves every
    paged copy a single ``split`` finding, as few as the intact copy leaves the flat one; counted by breaks,
    it disputes every break the story prints, in every paged copy."""
    count = 0
    for f in findings:
        if f.kind == "merged":
            count += max(1, len(f.ref_paragraphs) - 1)
        elif f.kind == "split":
            count += max(1, len(f.occurrences) - 1)
        else:
            count += 1
    return count


def is_flat(witness: WitnessText) -> bool:
    """Whether most of a copy's text stands on flattened lines (:attr:`CopyParagraph.flat`): such a copy
    printed no paragraph breaks, so as the base of a consensus it would leave the consensus without them."""
    flat = sum(len(p.text) for p in witness.paragraphs if p.flat)
    return 2 * flat > sum(len(p.text) for p in witness.paragraphs)


def choose_base(witnesses: Sequence[WitnessText], coverage: Sequence[float], config: CollateConfig = _DEFAULT) -> int:
    """The copy the others disagree with least: the base of a consensus.

    Each of the ``base_candidates`` most complete copies is tried as the reference for up to ``base_jury``
    others; the one that leaves them the fewest findings wins (ties: the more complete). An intact wire copy
    wins this way even when a damaged copy is longer, because every other copy would show that copy's
    damage (its merged heading, its cut paragraph) as a finding of its own.

    A preview (:func:`is_preview`) is never the base while a copy that is not one is there: it is no candidate,
    and when the ``base_candidates`` are all previews the most complete copy that is none is the base. The
    order of the others is kept, so the base is still chosen among the same copies. A candidate with paragraphs
    a preview cut brings in the most complete copy without cuts as a candidate too. Two whole copies (neither
    flattened, which a base must not be) and previews: the previews print only what both whole copies begin
    with, so the base is the better of the two as :func:`choose_reference` tells two copies apart (by the
    damage each pins on the other).
    """
    order = sorted(range(len(witnesses)), key=lambda k: (-coverage[k], -repeat_share(witnesses[k])))
    candidates = order[: config.base_candidates]
    previews = {k for k in range(len(witnesses)) if is_preview(witnesses[k], config)}
    whole = [k for k in range(len(witnesses)) if k not in previews]
    if len(whole) == 2 and previews and not any(is_flat(witnesses[k]) for k in whole):
        # previews tell nothing of which whole copy is damaged: told apart as two copies are
        better, _ = choose_reference([witnesses[k] for k in whole], [coverage[k] for k in whole], config)
        return whole[better]
    if previews and whole:
        candidates = [k for k in candidates if k not in previews] or [k for k in order if k not in previews][:1]
    cut = [sum(is_preview_paragraph(p.text, config) for p in w.paragraphs) >= 2 for w in witnesses]
    if any(cut[k] for k in candidates):
        # A candidate with paragraphs a preview cut may owe its place to them: its coverage counts each cut
        # paragraph's family whole (the head matched it). The most complete copy without cuts is tried too.
        candidates += [k for k in order if k not in candidates and k not in previews and not cut[k]][:1]
    # Best first: each candidate's findings so far is a floor under its total (findings only add up), so the
    # candidate with the lowest floor hears its next juror; the first to have heard its whole jury with the
    # lowest floor of all has won. Ties go as they would in candidate order (flat, findings, coverage, then
    # place), and a candidate that cannot win is never heard further: far fewer alignments than trying the
    # candidates one after the other.
    heard: list[tuple[tuple[bool, int, float, int], int, list[int]]] = []
    texts = {k: [p.text for p in witnesses[k].paragraphs] for k in candidates}
    for place, k in enumerate(candidates):
        jury = [j for j in order if j != k]
        step = max(1, len(jury) // config.base_jury)
        chosen = jury[::step][: config.base_jury]
        # A paragraph the candidate shows damaged by itself (cut, noisy) is one the jury reads as its own
        # change (an added tail, a changed word): counted once per juror, as it would be reported.
        findings = len(chosen) * damaged_paragraphs(witnesses[k], config)[0]
        heard.append(((is_flat(witnesses[k]), findings, -coverage[k], place), k, chosen[::-1]))
    heapq.heapify(heard)
    while True:
        (flat, findings, minus_coverage, place), k, jurors = heapq.heappop(heard)
        if not jurors:
            return k
        findings += len(align(texts[k], witnesses[jurors.pop()].paragraphs, "", config).findings)
        heapq.heappush(heard, ((flat, findings, minus_coverage, place), k, jurors))
