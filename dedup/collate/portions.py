"""Portions: matched copy sentences gathered into stretches that each render one reference paragraph.

A *portion* is a stretch of one copy paragraph that renders (part of) one reference paragraph, with the
character edits that turn the reference paragraph into it. Findings are read off the portions
(:mod:`dedup.collate.findings`). Two kinds of text escape sentence matching and are recovered here: a short
heading glued to the next paragraph, and the short piece a cut left of a paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from dedup.collate.edits import diff, lost_at_edge
from dedup.collate.records import CopyParagraph, Portion, TextEdit
from dedup.collate.sentences import Sentence, content_text, match_sentences, sentences
from dedup.config import CollateConfig
from dedup.normalize import ends_sentence

Run = tuple[int, int, int, int]  # copy paragraph, reference paragraph, first sentence, last sentence
# A closing in brackets: a credit (``（袁思忠　梁建维）``), a source (``（据新华社）``), an end mark (``（完）``).
_BRACKETED = re.compile(r"[（(［\[【].*[）)］\]】]")
_MAX_GLUED = 6  # short paragraphs a page may glue in front of one paragraph (headline, subtitles, byline…)
_CLAUSE_ENDS = frozenset("，,、；;：:。！？!?”’\"'」』)）")  # what a piece an editor split off ends in


def portions(ref: Sequence[str], copy: Sequence[CopyParagraph], config: CollateConfig) -> list[Portion]:
    """The portions of a copy against the reference paragraphs, glued headings and edge fragments included."""
    found = _sentence_portions(ref, copy, config)
    found = _recover_glued_headings(ref, copy, found, config)
    found = _recover_glued_tails(ref, copy, found, config)
    found = _recut_run_ons(ref, copy, found, config)
    found = _give_back_tails(ref, found, config)
    found = _recover_edge_fragments(ref, copy, found, config)
    return _recover_in_place(ref, copy, found, config)


def _sentence_portions(ref: Sequence[str], copy: Sequence[CopyParagraph], config: CollateConfig) -> list[Portion]:
    """Gather matched copy sentences into portions and diff each against its reference paragraph."""
    ref_sents = sentences(ref)
    headings = [content_text(t) for t in ref if len(content_text(t)) <= config.heading_chars and not ends_sentence(t)]
    copy_sents = sentences([p.text for p in copy], headings)
    matches = match_sentences(ref_sents, copy_sents, config)
    runs = _absorb_short_runs(_runs(copy_sents, ref_sents, matches), copy_sents, ref, config)
    out: list[Portion] = []
    for j, i, first, last in runs:
        paragraph = copy[j]
        start = copy_sents[first].start
        end = copy_sents[last].end
        # Stretch to the paragraph's edges when nothing else stands there (leading or trailing punctuation).
        if not any(r[0] == j and r[3] < first for r in runs):
            start = 0
        if not any(r[0] == j and r[2] > last for r in runs):
            end = len(paragraph.text)
        out.append(_portion(ref[i], i, j, start, end, paragraph.text[start:end], config))
    return out


def _portion(ref_text: str, i: int, j: int, start: int, end: int, text: str, config: CollateConfig) -> Portion:
    """Copy text ``text`` (``start:end`` of copy paragraph ``j``) as a portion of reference paragraph ``i``."""
    edits = diff(ref_text, text)
    head = lost_at_edge(edits, ref_text, config.lost_min, config.cut_slack, at_start=True)
    tail = lost_at_edge(edits, ref_text, config.lost_min, config.cut_slack, at_start=False)
    return Portion(i, j, start, end, text, edits, head, tail)


def _runs(copy_sents: list[Sentence], ref_sents: list[Sentence], matches: list[int]) -> list[Run]:
    """Runs of consecutive sentences of one copy paragraph matched to one reference paragraph; an unmatched
    sentence joins the run before it (or after it, at a paragraph's start): it is an insertion there."""
    runs: list[list[int]] = []
    pending: list[int] = []
    for k, (sentence, m) in enumerate(zip(copy_sents, matches, strict=True)):
        target = ref_sents[m].paragraph if m >= 0 else -1
        same_paragraph = bool(runs) and runs[-1][0] == sentence.paragraph
        if target < 0:
            if same_paragraph:
                runs[-1][3] = k
            else:
                pending.append(k)
            continue
        if same_paragraph and runs[-1][1] == target:
            runs[-1][3] = k
        else:
            first = k
            if pending and copy_sents[pending[0]].paragraph == sentence.paragraph:
                first = pending[0]
            runs.append([sentence.paragraph, target, first, k])
        pending = []
    return [(j, i, first, last) for j, i, first, last in runs]


def _absorb_short_runs(
    runs: list[Run], copy_sents: list[Sentence], ref: Sequence[str], config: CollateConfig
) -> list[Run]:
    """Fold a very short run into its neighbour in the same copy paragraph, unless it renders a whole
    (short) reference paragraph: a swapped lead-in such as ``打牢党性根基。`` -> ``提升专业素养。`` is a
    substitution inside one paragraph, even though the new words also open another paragraph."""
    pending = [list(r) for r in runs]
    out: list[list[int]] = []
    for run in pending:
        j, i, first, last = run
        size = sum(len(copy_sents[k].content) for k in range(first, last + 1))
        whole = size >= 0.8 * len(content_text(ref[i]))
        if size < config.short_run and not whole:
            if out and out[-1][0] == j:
                out[-1][3] = last
                continue
            following = next((r for r in pending if r[0] == j and r[2] > last), None)
            if following is not None:
                following[2] = first
                continue
        out.append(run)
    return [(j, i, first, last) for j, i, first, last in out]


def _recover_glued_headings(
    ref: Sequence[str], copy: Sequence[CopyParagraph], found: list[Portion], config: CollateConfig
) -> list[Portion]:
    """Short reference paragraphs (a heading, a byline, or both) glued without punctuation to the start of
    the next paragraph show up as an insertion at the start of that paragraph's portion; make each a portion
    of its own, so the copy paragraph reads as merged (or, on a flattened page, as the layout it is) instead
    of the headings as dropped plus an insertion.

    A scraped page glues the headline *and* the byline to the lead (``标题李英桃党的十五大报告指出…``): the
    unrendered short paragraphs just before the rendered one are tried as a whole and as any stretch of them
    (:func:`_glued_run`), since a copy may also have dropped one of them or lost it in the flattening; one
    long paragraph among them (a photo caption between the byline and the lead, which the copy dropped) or
    one the same copy paragraph prints further on (moved down a flattened page) is passed over."""
    out = list(found)
    for k, portion in enumerate(list(out)):
        m = portion.ref
        for glued, inserted, replaced in _glued_fronts(portion.edits, ref[m], portion.copy_text):
            place = _Place.of(portion, copy, out)
            recovered = _split_glued_front(ref, portion, glued, inserted, replaced, place, config)
            if recovered:
                out[k] = recovered[0]
                out.extend(recovered[1:])
                break
    return out


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a portion stands among the copy's others: which unrendered paragraphs its glued text may be.

    Attributes:
        flat: its copy paragraph is a flattened page's line (no paragraph breaks printed at all).
        rendered: the reference paragraphs rendered anywhere in the copy.
        beside: those rendered in the copy paragraph that holds the portion.
        later: those rendered only further on in that copy paragraph (after the portion, nowhere else).
        earlier: those rendered only before the portion in that copy paragraph.
    """

    flat: bool
    rendered: frozenset[int]
    beside: frozenset[int]
    later: frozenset[int]
    earlier: frozenset[int]

    @classmethod
    def of(cls, portion: Portion, copy: Sequence[CopyParagraph], found: Sequence[Portion]) -> _Place:
        """The place of ``portion`` among ``found`` (the copy's portions so far)."""
        j = portion.copy_index
        elsewhere = {p.ref for p in found if p.copy_index != j}
        before = {p.ref for p in found if p.copy_index == j and p.copy_start < portion.copy_start}
        after = {p.ref for p in found if p.copy_index == j and p.copy_start >= portion.copy_end}
        return cls(
            copy[j].flat,
            frozenset(p.ref for p in found),
            frozenset(p.ref for p in found if p.copy_index == j),
            frozenset(after - before - elsewhere),
            frozenset(before - after - elsewhere),
        )


def _split_glued_front(
    ref: Sequence[str],
    portion: Portion,
    glued: int,
    inserted: str,
    replaced: str,
    place: _Place,
    config: CollateConfig,
) -> list[Portion]:
    """``portion`` without its first ``glued`` copy characters, followed by the portions of the reference
    paragraphs those characters render (headings, or the cut head of the paragraph before); nothing if they
    render none."""
    m = portion.ref
    body = portion.copy_text[glued:]
    start = portion.copy_start
    if _is_cut_head(inserted, replaced, m - 1, ref, set(place.rendered), config):
        # The head of the paragraph before, cut and glued on: a portion of that paragraph, whose lost
        # tail makes it truncated (the copy paragraph holding both reads as merged).
        rest = _portion(ref[m], m, portion.copy_index, start + glued, portion.copy_end, body, config)
        head = _portion(ref[m - 1], m - 1, portion.copy_index, start, start + glued, portion.copy_text[:glued], config)
        return [rest, head]
    run = _glued_run(inserted, replaced, _candidates_before(ref, m, place, config), ref)
    if not run and place.flat:
        # A flattened page that moved a heading up (a picture's title over another paragraph): on a page
        # without paragraph breaks, gluing it there is layout, and its move is found as such.
        run = _glued_run(inserted, replaced, _candidates_after(ref, m, place, config), ref)
    if not run and not replaced:
        # The headings, then something the reference lacks (a byline the reference's copy dropped): the
        # headings are what the glued text opens with, word for word; the rest stays glued on, added text.
        run = _opening_run(inserted, _candidates_before(ref, m, place, config), ref, config)
        if run:
            glued = _content_end(portion.copy_text, len(content_text("".join(ref[j] for j in run))))
            body = portion.copy_text[glued:]
    if not run:
        return []
    out = [_portion(ref[m], m, portion.copy_index, start + glued, portion.copy_end, body, config)]
    at = start
    for n, j in enumerate(run):
        size = len(ref[j]) if n < len(run) - 1 else start + glued - at
        size = max(0, min(size, start + glued - at))
        text = portion.copy_text[at - start : at - start + size]
        out.append(Portion(j, portion.copy_index, at, at + size, text, diff(ref[j], text)))
        at += size
    return out


def _opening_run(inserted: str, candidates: Sequence[int], ref: Sequence[str], config: CollateConfig) -> list[int]:
    """The longest stretch of ``candidates`` whose content text, joined, ``inserted`` opens with word for word
    (at least ``lost_min`` characters of it, and not all of it: that is :func:`_glued_run`'s); empty if none.

    >>> _opening_run("走进法兰西体育场新华社记者郭京花", [0], ["走进法兰西体育场", "1月28日，…"], CollateConfig())
    [0]
    """
    best: list[int] = []
    for a in range(len(candidates)):
        for b in range(a + 1, len(candidates) + 1):
            run = list(candidates[a:b])
            joined = content_text("".join(ref[j] for j in run))
            if config.lost_min <= len(joined) < len(inserted) and inserted.startswith(joined) and len(run) > len(best):
                best = run
    return best


def _content_end(text: str, count: int) -> int:
    """Where in ``text`` its first ``count`` content characters end, with the punctuation right after them.

    >>> _content_end("标题（图片）正文", 4)
    6
    """
    seen = 0
    for k, ch in enumerate(text):
        if seen == count and content_text(ch):
            return k
        seen += bool(content_text(ch))
    return len(text)


def _candidates_before(ref: Sequence[str], m: int, place: _Place, config: CollateConfig) -> list[int]:
    """The unrendered short paragraphs before reference paragraph ``m`` whose text may be glued in front of
    its portion, in order: past one paragraph that is long (a photo caption the copy dropped) or that the
    same copy paragraph renders elsewhere, and past any that it renders only further on (a flattened page
    that moved them down: a page printing its headline over the third paragraph, the first two after it).

    Not past one moved to another copy paragraph: where a copy keeps its paragraph breaks, a headline run
    into a paragraph other than the one after it is what unwrapping a hard-wrapped page glues (a headline
    filling its column), and reading it as merged there is as wrong as dropped (corpus seed 6)."""
    candidates: list[int] = []
    passed = False
    i = m - 1
    while i >= 0 and len(candidates) < _MAX_GLUED:
        if i not in place.rendered and len(content_text(ref[i])) <= 2 * config.heading_chars:
            candidates.insert(0, i)
        elif i in place.later:
            pass
        elif passed or (i in place.rendered and i not in place.beside):
            break
        else:
            passed = True
        i -= 1
    return candidates


def _candidates_after(ref: Sequence[str], m: int, place: _Place, config: CollateConfig) -> list[int]:
    """The unrendered short paragraphs after reference paragraph ``m``, in order, past those the copy
    paragraph renders (the mirror of :func:`_candidates_before`, for text glued at a portion's tail, or for a
    heading a flattened page moved up), and past one long unrendered one."""
    candidates: list[int] = []
    passed = False
    i = m + 1
    while i < len(ref) and len(candidates) < _MAX_GLUED:
        if i not in place.rendered and len(content_text(ref[i])) <= 2 * config.heading_chars:
            candidates.append(i)
        elif i in place.beside and (place.flat or i in place.earlier):
            pass
        elif passed or i in place.rendered:
            break
        else:
            passed = True
        i += 1
    return candidates


def _glued_run(inserted: str, replaced: str, candidates: Sequence[int], ref: Sequence[str]) -> list[int]:
    """The reference paragraphs among ``candidates`` (unrendered short paragraphs before the portion, in
    order) whose text, joined, is what the copy glued in front (``inserted``, in place of ``replaced``): of
    every stretch of them, and every stretch without one paragraph inside it, the best match (fuzzy ratio at
    least 80), the longer of two as good. Not only the stretches ending just before the portion: a copy that
    dropped the caption between the byline and the lead glues the headline and byline to the lead. Not the
    longest that passes: with one paragraph too many (a short byline the copy dropped) a stretch still
    passes the threshold, and the headings read as merged and changed. Empty if none matches."""
    n = len(candidates)
    stretches = [list(candidates[a:b]) for a in range(n) for b in range(a + 1, n + 1)]
    stretches += [
        list(candidates[a:c]) + list(candidates[c + 1 : b])
        for a in range(n)
        for b in range(a + 3, n + 1)
        for c in range(a + 1, b - 1)
    ]
    best: tuple[float, int, list[int]] = (0.0, 0, [])
    for run in stretches:
        score = fuzz.ratio(inserted, content_text("".join(ref[j] for j in run)) + replaced)
        if score >= 80 and (score, len(run)) > best[:2]:
            best = (score, len(run), run)
    return best[2]


def _is_cut_head(
    inserted: str, replaced: str, i: int, ref: Sequence[str], rendered: set[int], config: CollateConfig
) -> bool:
    """Whether ``inserted`` (content text glued in front of a portion, in place of the reference start
    ``replaced``) is the head of reference paragraph ``i``, which the copy renders nowhere else, followed by
    the reference start: a paragraph cut mid-sentence and run into the next (``…资本积累基础涓墨西哥金融危机给
    全球…``). Too short to be matched as a sentence of its own (it has no sentence end), the piece rode on the
    next paragraph as a changed word, and its paragraph read as dropped. A cut may end in a broken character,
    hence the fuzzy match on the head of the same length; and the diff may have read the cut's last word and
    the next paragraph's first as one changed word, hence ``replaced``.

    It is tried before the glued headings: the head of a short paragraph matches that paragraph as a whole
    heading too, and the paragraph then read as kept where it lost its tail."""
    head = len(inserted) - len(replaced)
    if i < 0 or i in rendered or head < config.short_run:
        return False
    whole = content_text(ref[i])
    return len(whole) >= head + config.lost_min and fuzz.ratio(inserted, whole[:head] + replaced) >= 90


def _glued_fronts(edits: Sequence[TextEdit], ref_text: str, copy_text: str) -> list[tuple[int, str, str]]:
    """The readings of what a copy glued in front of a reference paragraph (``copy_text`` diffed against
    ``ref_text`` into ``edits``), shortest first: how many copy characters stand before the paragraph's own
    text, their content text, and the content text of the reference start they replaced; empty if nothing
    was glued there.

    The diff places an insertion as late as it can: a heading that opens with the paragraph's own first
    character (``第二章地震监测预报`` glued to ``第九条国家…``) reads as ``第`` kept and ``二章地震监测预报第``
    inserted after it. The same insertion shifted to the front is the heading; without the shift the glued
    heading read as a changed word and its paragraph as dropped. The diff may also split what was glued in
    two: a cut head holding the paragraph's first word (``双摘明珠，对中国这样…，并非`` glued to ``中国杂技…``)
    reads as ``双摘明珠，对`` inserted, ``中国`` kept and the rest inserted after it. Every insertion among
    the leading ones that ends in the reference's opening is a reading.

    >>> ref = "第九条国家加强"
    >>> _glued_fronts(diff(ref, "第二章监测第九条国家加强"), ref, "第二章监测第九条国家加强")
    [(5, '第二章监测', '')]
    >>> ref, copy = "中国杂技在技巧难度上", "双摘明珠，对中国这样，并非中国杂技在技巧难度上"
    >>> _glued_fronts(diff(ref, copy), ref, copy)
    [(13, '双摘明珠对中国这样并非', '')]
    >>> _glued_fronts(diff(ref, ref), ref, ref)
    []
    """
    out: list[tuple[int, str, str]] = []
    if not edits or edits[0].op == "delete":
        return out
    first = edits[0]
    if first.at == 0:
        glued = len(first.copy) - len(first.ref)  # the inserted headings, at the front of the copy text
        if glued > 0:
            out.append((glued, content_text(first.copy), content_text(first.ref)))
        if first.op != "insert":
            # The reference's opening is not kept (no insertion after it ends in it); or it was cut: the
            # headings glued in place of the paragraph's lost head.
            return [*out, (len(first.copy), content_text(first.copy), "")]
    for edit in edits[len(out) :]:
        if edit.op == "delete":
            break
        shift = edit.at + len(edit.ref)  # the reference's opening the diff kept in front of the edit, and replaced
        if len(edit.copy) > shift and edit.copy.endswith(ref_text[:shift]):
            glued = edit.copy_at + len(edit.copy) - shift
            out.append((glued, content_text(copy_text[:glued]), ""))
        if edit.op != "insert":
            break
    return out


def _recover_glued_tails(
    ref: Sequence[str], copy: Sequence[CopyParagraph], found: list[Portion], config: CollateConfig
) -> list[Portion]:
    """Short reference paragraphs run on at the end of the paragraph before them, without a sentence end
    between (a caption ``1月22日,克林顿在白宫会见阿拉法特。`` after a title ending ``(附图片1张)``, a flattened
    page's subtitle after a lead), show up as an insertion at the end of that paragraph's portion, and
    themselves as dropped; make each a portion of its own, as :func:`_recover_glued_headings` does for text
    glued in front. Without this, on corpus seed 6 a flattened page printing a caption after its title
    read as the caption dropped plus text added."""
    out = list(found)
    for k, portion in enumerate(list(out)):
        m = portion.ref
        tail = _glued_tail(portion.edits, ref[m], portion.copy_text)
        if tail is None:
            continue
        inserted = content_text(portion.copy_text[tail:])
        if len(inserted) < config.lost_min:  # a closing quote or bracket: layout, no paragraph of its own
            continue
        place = _Place.of(portion, copy, out)
        run = _glued_run(inserted, "", _candidates_after(ref, m, place, config), ref)
        if not run:
            continue
        start = portion.copy_start
        pieces = [_portion(ref[m], m, portion.copy_index, start, start + tail, portion.copy_text[:tail], config)]
        at = start + tail
        for n, j in enumerate(run):
            size = len(ref[j]) if n < len(run) - 1 else portion.copy_end - at
            size = max(0, min(size, portion.copy_end - at))
            text = portion.copy_text[at - start : at - start + size]
            pieces.append(_portion(ref[j], j, portion.copy_index, at, at + size, text, config))
            at += size
        out[k] = pieces[0]
        out.extend(pieces[1:])
    return out


def _glued_tail(edits: Sequence[TextEdit], ref_text: str, copy_text: str) -> int | None:
    """Where the text a copy glued after a reference paragraph (``copy_text`` diffed against ``ref_text`` into
    ``edits``) starts in ``copy_text``; None if nothing was glued there.

    The mirror of :func:`_glued_fronts`: the last edit reaches the paragraph's end and keeps the reference's
    text it replaces at its own start (an insertion replaces nothing), or it is an insertion that the diff
    placed before the paragraph's closing, which it repeats at its start (``。`` kept after it).

    >>> ref = "他说：好。"
    >>> _glued_tail(diff(ref, "他说：好。图为会场。"), ref, "他说：好。图为会场。")
    5
    >>> _glued_tail(diff(ref, ref), ref, ref)
    """
    if not edits or edits[-1].op == "delete":
        return None
    last = edits[-1]
    closing = ref_text[last.at :]  # the reference from the edit on: what the copy must print first
    if len(last.copy) > len(closing) and last.copy.startswith(closing):
        return last.copy_at + len(closing)
    return None


def _recut_run_ons(
    ref: Sequence[str], copy: Sequence[CopyParagraph], found: list[Portion], config: CollateConfig
) -> list[Portion]:
    """Where a copy merged two paragraphs with a comma in place of the full stop (``…沙场，红军长征…``), the
    joined sentence matches the first paragraph's last sentence, and the second paragraph's opening rides
    on the first as an insertion while the second reads as cut. When the stretch the first portion runs on
    past its paragraph's end is what the next portion lost at its head, the boundary moves back to where
    that opening starts: one merge, not a changed word plus a cut."""
    out = list(found)
    for k, first in enumerate(out):
        nxt = next(
            (
                n
                for n, p in enumerate(out)
                if p.ref == first.ref + 1 and p.copy_index == first.copy_index and p.copy_start == first.copy_end
            ),
            None,
        )
        if nxt is None or not first.edits or not out[nxt].head_lost:
            continue
        second = out[nxt]
        last = first.edits[-1]
        if len(ref[first.ref]) - (last.at + len(last.ref)) > config.cut_slack or last.copy_at < 0:
            continue
        lost = content_text(ref[second.ref][: second.head_lost])
        opening = ref[second.ref][:2]
        at = last.copy.find(opening)
        if at < 0 or len(lost) < config.lost_min:
            continue
        if fuzz.ratio(content_text(last.copy[at:]), lost) < 80:
            continue
        cut = last.copy_at + at  # where the next paragraph's opening starts, in the first portion's text
        head, tail = first.copy_text[:cut], first.copy_text[cut:]
        out[k] = _portion(
            ref[first.ref], first.ref, first.copy_index, first.copy_start, first.copy_start + cut, head, config
        )
        out[nxt] = _portion(
            ref[second.ref],
            second.ref,
            second.copy_index,
            first.copy_start + cut,
            second.copy_end,
            tail + second.copy_text,
            config,
        )
    return out


def _give_back_tails(ref: Sequence[str], found: list[Portion], config: CollateConfig) -> list[Portion]:
    """Where a copy merged two paragraphs, the boundary between their portions falls where a sentence starts;
    a closing in brackets that is no sentence of its own (a credit such as ``（袁思忠　梁建维）``, a source
    ``（据新华社）``) then opens the next portion, as an insertion, while the paragraph it closes reads as cut.
    When what the next portion inserts at its head is the bracketed closing this one lost at its tail, the
    boundary moves past it: one merge, not a cut plus a changed word (the mirror of :func:`_recut_run_ons`).

    Only a bracketed closing moves: moving any shared clause (a base paragraph split after a comma) is as
    right, but on corpus seed 1 it changed which copy won the consensus base of one group, and the consensus
    built on that base carried the base's own repeated stretch (substituted precision 0.929 -> 0.921)."""
    out = list(found)
    for k, first in enumerate(out):
        nxt = next(
            (
                n
                for n, p in enumerate(out)
                if p.copy_index == first.copy_index and p.copy_start == first.copy_end and p.copy_end > p.copy_start
            ),
            None,
        )
        if nxt is None or not first.edits or not out[nxt].edits:
            continue
        second = out[nxt]
        lost, opening = first.edits[-1], second.edits[0]
        if lost.op != "delete" or lost.at + len(lost.ref) < len(ref[first.ref]) - config.cut_slack:
            continue
        if opening.op != "insert" or opening.at != 0:
            continue
        shared = content_text(lost.ref)
        if not _BRACKETED.fullmatch(lost.ref.strip()) or not shared or content_text(opening.copy) != shared:
            continue
        cut = len(opening.copy)  # the closing, at the front of the next portion's text
        out[k] = _portion(
            ref[first.ref],
            first.ref,
            first.copy_index,
            first.copy_start,
            first.copy_end + cut,
            first.copy_text + second.copy_text[:cut],
            config,
        )
        out[nxt] = _portion(
            ref[second.ref],
            second.ref,
            second.copy_index,
            second.copy_start + cut,
            second.copy_end,
            second.copy_text[cut:],
            config,
        )
    return out


def _recover_edge_fragments(
    ref: Sequence[str], copy: Sequence[CopyParagraph], found: list[Portion], config: CollateConfig
) -> list[Portion]:
    """A copy paragraph too short to be matched as a sentence (``、图像俱佳。``) that is word for word the head
    or the tail of a reference paragraph the copy renders nowhere else is what a cut left of it: a portion
    of that paragraph (truncated), not a paragraph added beside a dropped one."""
    rendered = {p.ref for p in found}
    used = {p.copy_index for p in found}
    out = list(found)
    for j, paragraph in enumerate(copy):
        content = content_text(paragraph.text)
        if j in used or not config.edge_fragment <= len(content) < config.min_score_chars:
            continue
        torn = _torn_off(ref, copy, found, j, content)
        if torn is not None:
            out.append(_portion(ref[torn], torn, j, 0, len(paragraph.text), paragraph.text, config))
            continue
        for i, text in enumerate(ref):
            whole = content_text(text)
            if i in rendered or len(whole) < 2 * len(content):
                continue
            if whole.startswith(content) or whole.endswith(content):
                out.append(_portion(text, i, j, 0, len(paragraph.text), paragraph.text, config))
                rendered.add(i)
                break
    return out


_IN_PLACE_RATIO = 50
"""Fuzzy ratio (0-100) of a whole copy paragraph to the reference paragraph standing in its place, from which
it renders that paragraph: unrelated news paragraphs score about 20-35 (common characters such as 的 and 了),
a paragraph with half its words changed or a codec's run of noise in it still well above 50."""


def _recover_in_place(
    ref: Sequence[str], copy: Sequence[CopyParagraph], found: list[Portion], config: CollateConfig
) -> list[Portion]:
    """A copy paragraph none of whose sentences matched, standing where an unrendered reference paragraph
    stands (between the paragraphs its neighbours render), renders that paragraph when the two are alike as
    wholes (:data:`_IN_PLACE_RATIO`): so many words changed (``中央电视台春节联欢晚会的部分演员`` ->
    ``中央国民经济春节辛勤晚会的部分一致``) or so much of it garbled (``主要城市也`` -> ``涓昏?佸煄甯备篃``) that no
    sentence scored as a match. Without this the copy reads as the paragraph dropped and another added
    (corpus seed 2, three copies), where it changed or garbled it."""
    rendered = {p.ref for p in found}
    used = {p.copy_index for p in found}
    out = list(found)
    for j, paragraph in enumerate(copy):
        content = content_text(paragraph.text)
        if j in used or paragraph.flat or len(content) < config.edge_fragment:
            continue
        earlier = [p for p in out if p.copy_index < j]
        later = [p for p in out if p.copy_index > j]
        # the paragraph the copy renders last before this one, and first after it
        low = max(earlier, key=lambda p: (p.copy_index, p.copy_start)).ref if earlier else -1
        high = min(later, key=lambda p: (p.copy_index, p.copy_start)).ref if later else len(ref)
        gap = [i for i in range(low + 1, high) if i not in rendered]
        scored = [(fuzz.ratio(content, content_text(ref[i])), i) for i in gap]
        best = max(scored, default=(0.0, -1))
        if best[0] >= _IN_PLACE_RATIO:
            i = best[1]
            out.append(_portion(ref[i], i, j, 0, len(paragraph.text), paragraph.text, config))
            rendered.add(i)
            used.add(j)
    return out


def _torn_off(
    ref: Sequence[str], copy: Sequence[CopyParagraph], found: Sequence[Portion], j: int, content: str
) -> int | None:
    """The reference paragraph whose piece in the neighbouring copy paragraph lost, at the edge facing copy
    paragraph ``j``, exactly ``content`` (``j``'s content text), if any.

    An editor who splits a paragraph after a comma may leave a piece too short to be matched as a sentence
    (``女儿在城里长大，`` / ``没吃过红薯，…``). Without this the short piece reads as an added paragraph and the
    long one as cut: a split is two findings of the wrong kinds."""
    for portion in found:
        text = ref[portion.ref]
        if portion.copy_index == j - 1 and portion.tail_lost and portion.copy_end == len(copy[j - 1].text):
            lost, first_piece = text[len(text) - portion.tail_lost :], copy[j - 1].text
        elif portion.copy_index == j + 1 and portion.head_lost and portion.copy_start == 0:
            lost, first_piece = text[: portion.head_lost], copy[j].text
        else:
            continue
        # An editor splits after a sentence or a clause; a piece ending without punctuation is a heading or
        # a byline printed apart (the reference glued it to its lead), not the head of a split.
        if first_piece.rstrip()[-1:] in _CLAUSE_ENDS and fuzz.ratio(content_text(lost), content) >= 90:
            return portion.ref
    return None
