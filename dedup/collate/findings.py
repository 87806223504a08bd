"""Finding classification: what a copy did to each reference paragraph, read off its portions.

- ``dropped``: a reference paragraph with no portion; ``added``: a copy paragraph with no matched sentence,
  or a sentence glued on at a portion's head or tail (a caption, a paragraph the reference lacks).
- ``reordered``: the smallest set of moved paragraphs — those outside the longest in-order chain.
- ``duplicated``: a reference paragraph rendered again by a portion that overlaps an earlier one.
- ``merged``: one copy paragraph holding portions of several reference paragraphs (a heading glued to its
  body); ``split``: one reference paragraph spread over several copy paragraphs.
- ``truncated``: only the head or tail of a paragraph survives; the finding says which and holds the lost part.
- ``substituted`` / ``garbled``: character edits inside a portion, dense noise (flagged by normalization, or
  mostly non-words) being ``garbled``. Punctuation and spacing edits are layout, not findings; they stay in
  the portion so that its edits rebuild the copy exactly.

Each step is a function that returns its findings; :func:`align` puts them together with the coverage strip.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from dedup.collate.edits import NOISE
from dedup.collate.portions import portions
from dedup.collate.quoting import quote_map
from dedup.collate.records import KINDS, CopyParagraph, Edge, Finding, FindingKind, Portion, TextEdit, WitnessCollation
from dedup.collate.sentences import bigrams, content_text
from dedup.collate.words import is_slip, whole_words
from dedup.config import CollateConfig
from dedup.normalize import ends_sentence, is_rare

_DEFAULT = CollateConfig()


def align(
    ref: Sequence[str], copy: Sequence[CopyParagraph], witness: str = "", config: CollateConfig = _DEFAULT
) -> WitnessCollation:
    """Findings of one copy against the reference paragraphs (see the module docstring).

    A group's collation aligns the same pair more than once (choosing the consensus base, building the
    consensus on it, then collating against a consensus that is often the base's text), so recent
    alignments are kept and reused; alignment is a pure function of the two texts and the settings.
    """
    aligned = _align(tuple(ref), tuple(copy), config)
    return aligned if aligned.witness == witness else replace(aligned, witness=witness)


@functools.lru_cache(maxsize=64)
def _vocabulary(ref: tuple[str, ...]) -> frozenset[str]:
    """The reference's character pairs (:func:`~dedup.collate.sentences.bigrams` of its whole text), kept: a
    consensus base's candidate is the reference of up to eight alignments in a row."""
    return frozenset(bigrams("".join(ref)))


@dataclass(frozen=True, slots=True)
class _Paragraph:
    """What became of one reference paragraph: its findings, its strip status, and its first portion."""

    findings: tuple[Finding, ...]
    status: str
    primary: Portion


@functools.lru_cache(maxsize=256)
def _align(ref: tuple[str, ...], copy: tuple[CopyParagraph, ...], config: CollateConfig) -> WitnessCollation:
    found = portions(ref, copy, config)
    vocabulary = _vocabulary(ref)
    by_ref: dict[int, list[Portion]] = {}
    for portion in found:
        by_ref.setdefault(portion.ref, []).append(portion)
    rendered = {
        i: _reference_paragraph(i, ref[i], pieces, copy, vocabulary, config) for i, pieces in sorted(by_ref.items())
    }
    findings = [f for result in rendered.values() for f in result.findings]
    dropped = _dropped(ref, by_ref, copy, config)
    findings += [Finding("dropped", i, ref[i], None, None) for i in dropped]
    merged = _copy_paragraph_findings(ref, copy, found)
    reordered = _reordered(ref, copy, [r.primary for r in rendered.values()])
    findings += merged + reordered
    moved = {f.ref for f in reordered}
    joined = {i for f in merged if f.kind == "merged" for i in f.ref_paragraphs}
    strip = []
    for i in range(len(ref)):
        status = rendered[i].status if i in rendered else ("dropped" if i in dropped else "kept")
        if status == "kept" and i in joined:
            status = "merged"
        elif status == "kept" and i in moved:
            status = "reordered"
        strip.append(status)
    findings.sort(key=lambda f: (f.ref if f.ref is not None else len(ref), KINDS.index(f.kind)))
    return WitnessCollation("", tuple(findings), tuple(found), tuple(strip))


def _dropped(
    ref: Sequence[str], by_ref: dict[int, list[Portion]], copy: Sequence[CopyParagraph], config: CollateConfig
) -> list[int]:
    """The reference paragraphs no portion renders, save those without a letter or digit: a closing quote
    or bracket that a page broke onto a line of its own (``”``, a blank line inside a paragraph of the
    reference's copy) is layout; the copy that prints it at the end of the paragraph dropped nothing
    (corpus seed 2). Save also a closing title-like line after a flattened copy's end
    (:func:`_lost_in_flat_tail`)."""
    last = max(by_ref, default=-1)
    flat_end = bool(copy) and copy[-1].flat
    return [
        i
        for i in range(len(ref))
        if i not in by_ref
        and content_text(ref[i])
        and not (flat_end and i > last and _lost_in_flat_tail(ref[i], config))
        and not _glued_in_flat_line(i, ref, by_ref, copy, config)
    ]


def _glued_in_flat_line(
    i: int, ref: Sequence[str], by_ref: dict[int, list[Portion]], copy: Sequence[CopyParagraph], config: CollateConfig
) -> bool:
    """Whether heading-like reference paragraph ``i`` stands word for word where the copy glued it to other
    text: printed, not dropped. Two places are read, where no portion renders such a line:

    - on a flattened line, right after what renders the nearest paragraph before it (up to what renders the
      nearest one after it): a flattened page runs its headline, byline and lead together
      (``…校长余让水陈忠在我国…``), and a byline of a name or two is too short to be aligned on its own;
    - at the head of a copy paragraph, before the text its portions render: a byline that unwrapping glued to
      the paragraph under it (a moved paragraph, a lead whose head is garbled), at least a few characters
      long so that a chance start does not count.

    Said to be dropped, such lines were false drops of intact copies (held-out corpus seeds 12 and 14). Only a
    heading's length, and only in those places, so that a short name found elsewhere by chance does not count.
    """
    wanted = content_text(ref[i])
    if not wanted or len(wanted) > config.heading_chars:
        return False
    before = [k for k in by_ref if k < i]
    if before:
        prior = max(by_ref[max(before)], key=lambda p: (p.copy_index, p.copy_end))
        line = copy[prior.copy_index]
        if line.flat:
            # the stretch after the paragraph before: what follows its portion, and the text the portion took
            # in glued on at its end (aligned on the line, a heading takes the byline and lead as an insertion)
            glued = next((e for e in prior.edits if not e.ref and e.at == len(ref[max(before)])), None)
            start = prior.copy_start + glued.copy_at if glued is not None and glued.copy_at >= 0 else prior.copy_end
            if content_text(line.text[start:]).startswith(wanted):
                return True
    if len(wanted) < _GLUED_HEAD_CHARS:
        return False
    for j, paragraph in enumerate(copy):
        held = [p for pieces in by_ref.values() for p in pieces if p.copy_index == j]
        if not held:
            continue
        first = min(held, key=lambda p: p.copy_start)
        glued = next((e for e in first.edits if not e.ref and e.at == 0 and e.copy_at == 0), None)
        head = paragraph.text[: first.copy_start] + (glued.copy if glued is not None else "")
        if content_text(head).startswith(wanted):
            return True
    return False


_GLUED_HEAD_CHARS = 4
"""Content characters a heading-like line needs for being found at the head of a copy paragraph to count as
printed there (a name of two or three characters may open a paragraph by chance)."""


def _lost_in_flat_tail(text: str, config: CollateConfig) -> bool:
    """Whether a reference paragraph after everything a flattened copy renders is a line that copy may print
    unseen: a title-like line (a heading's length, no sentence end).

    Why: a flattened page runs the story's last line straight into whatever follows it on the line (a site
    footer); a closing line without a sentence end is no sentence of its own there, but the head of the
    footer's, and the scan leaves it with the footer, outside the copy's passage. Said to be dropped, it was
    a false drop of intact flattened copies in held-out corpora (seeds 15 and 17: a subheading, a weather
    box's title closing the story's text); whether such a copy printed it cannot be told from its passage.
    """
    return len(content_text(text)) <= config.heading_chars and not ends_sentence(text.rstrip())


def _reference_paragraph(
    i: int,
    text: str,
    found: list[Portion],
    copy: Sequence[CopyParagraph],
    vocabulary: frozenset[str],
    config: CollateConfig,
) -> _Paragraph:
    """The findings of reference paragraph ``i``, given the portions that render it: split, truncated,
    duplicated, and the edits of each piece (substituted, garbled); and its status in the strip (the first
    of those that applies; ``kept`` if none)."""
    pieces, repeats, covered = _pieces(text, found)
    findings: list[Finding] = []
    status = "kept"
    if len(pieces) > 1:
        status = "split"
        occurrences = tuple(copy[p.copy_index].span for p in pieces)
        findings.append(
            _on(copy, pieces[0], Finding("split", i, text, None, None, occurrences=occurrences, ref_paragraphs=(i,)))
        )
    truncated = _truncations(i, text, pieces, covered, copy, config)
    if truncated:
        status = "truncated"
        findings += truncated
    if repeats:
        occurrences = tuple(copy[p.copy_index].span for p in [pieces[0], *repeats])
        findings.append(_on(copy, repeats[0], Finding("duplicated", i, text, None, None, occurrences=occurrences)))
        status = "duplicated" if status == "kept" else status
    for piece in pieces:
        for kind, edits in _word_edits(text, piece, copy[piece.copy_index], vocabulary, config):
            if kind == "added":  # text the copy glued to the paragraph (quoted alone): the paragraph is kept
                findings += [_glued_finding(copy, piece, e) for e in edits]
                continue
            where = (piece.copy_start, piece.copy_end)
            finding = Finding(kind, i, text, None, None, edits, copy_index=piece.copy_index, copy_range=where)
            findings.append(_on(copy, piece, finding))
            status = kind if status == "kept" else status
    return _Paragraph(tuple(findings), status, pieces[0])


def _glued_finding(copy: Sequence[CopyParagraph], piece: Portion, edit: TextEdit) -> Finding:
    """An ``added`` finding for text glued to ``piece`` (``edit``, see :func:`_glued_on`), quoting that text as
    the copy prints it (the whole paragraph where the edit's place in it is not known)."""
    finding = _on(copy, piece, Finding("added", None, None, None, None))
    if edit.copy_at < 0:
        return finding
    at = piece.copy_start + edit.copy_at
    return replace(finding, copy_text=quote_map(copy[piece.copy_index]).cut(at, at + len(edit.copy))[1])


def _on(copy: Sequence[CopyParagraph], portion: Portion, finding: Finding) -> Finding:
    """``finding`` placed in the copy paragraph that holds ``portion``: its lines and its own text."""
    paragraph = copy[portion.copy_index]
    return replace(finding, copy=paragraph.span, copy_text=paragraph.quote or paragraph.text)


def _pieces(text: str, found: list[Portion]) -> tuple[list[Portion], list[Portion], list[tuple[int, int]]]:
    """The portions of one reference paragraph, in two: pieces (each covering new ground) and repeats (over
    half of them covering ground an earlier piece covers); and the stretches of the paragraph the pieces cover."""
    covered: list[tuple[int, int]] = []
    pieces: list[Portion] = []
    repeats: list[Portion] = []
    for portion in found:
        start, end = portion.head_lost, len(text) - portion.tail_lost
        overlap = sum(max(0, min(end, e) - max(start, s)) for s, e in covered)
        if covered and overlap > 0.5 * max(1, end - start):
            repeats.append(portion)
        else:
            pieces.append(portion)
            covered.append((start, end))
    return pieces, repeats, covered


def _truncations(
    i: int,
    text: str,
    pieces: list[Portion],
    covered: list[tuple[int, int]],
    copy: Sequence[CopyParagraph],
    config: CollateConfig,
) -> list[Finding]:
    """A ``truncated`` finding for each edge of the paragraph that no piece covers (at least ``lost_min``
    content characters): the head on the first piece, the tail on the last."""
    head = min(s for s, _ in covered)
    tail = len(text) - max(e for _, e in covered)
    edges: tuple[tuple[str, Edge, Portion], ...] = (
        (text[:head], "tail", pieces[0]),
        (text[len(text) - tail :], "head", pieces[-1]),
    )
    return [
        _on(copy, piece, Finding("truncated", i, text, None, None, lost=lost, survives=survives))
        for lost, survives, piece in edges
        if len(content_text(lost)) >= config.lost_min
    ]


def _word_edits(
    text: str, piece: Portion, paragraph: CopyParagraph, vocabulary: frozenset[str], config: CollateConfig
) -> list[tuple[FindingKind, tuple[TextEdit, ...]]]:
    """A piece's edits that are not layout and not its truncation, as ``substituted``, ``garbled`` and
    ``added`` (each kind only if it has edits): noise and OCR slips (:func:`dedup.collate.words.is_slip`) are
    garbled, a sentence glued on at an edge is added (:func:`_glued_on`), and a changed word's edit spans the
    whole word."""
    word_edits = [e for e in piece.edits if not e.layout and not is_truncation(e, piece, len(text))]
    glued = [
        e
        for e in word_edits
        if _glued_on(e, len(text), config) and not is_noise(e, paragraph, piece.copy_start + e.copy_at)
    ]
    word_edits = [e for e in word_edits if e not in glued]
    context = config.word_context
    noisy = [
        e
        for e in word_edits
        if is_garbled(e, paragraph, piece.copy_start + e.copy_at, vocabulary)
        or is_slip(e, text, piece.copy_text, context, vocabulary)
    ]
    clean = _widened([e for e in word_edits if e not in noisy], text, piece.copy_text, context)
    kinds: tuple[tuple[FindingKind, list[TextEdit]], ...] = (
        ("substituted", clean),
        ("garbled", noisy),
        ("added", glued),
    )
    return [(kind, tuple(edits)) for kind, edits in kinds if edits]


def _glued_on(edit: TextEdit, length: int, config: CollateConfig) -> bool:
    """Whether ``edit`` is text glued to a paragraph of ``length`` characters at its head or tail: an
    insertion at the edge that replaces nothing, of at least ``lost_min`` content characters.

    A caption, a headline, a credit (``（新华社记者刘宇摄）``) or a cut piece of another paragraph, printed in one
    paragraph with this one, is added text, not a changed word: a substitution replaces a word by another
    (issue 11 §3). Only insertions that held a sentence end and ``min_score_chars`` content characters used
    to count; on corpus seed 6 the shorter ones and those without a sentence end (a flattened page's glued
    headline and byline, the cut head of the paragraph before) were two thirds of the wrong substitutions."""
    return not edit.ref and edit.at in (0, length) and len(content_text(edit.copy)) >= config.lost_min


def _widened(edits: list[TextEdit], text: str, copy_text: str, context: int) -> list[TextEdit]:
    """Each changed word's edit widened to whole words (:func:`dedup.collate.words.whole_words`), unless that
    would make it overlap its neighbour (two changes inside one long word stay two edits)."""
    wide = [whole_words(e, text, copy_text, context) for e in edits]
    out = list(wide)
    for k in range(1, len(wide)):
        if wide[k].at < wide[k - 1].at + len(wide[k - 1].ref) or wide[k].copy_at < wide[k - 1].copy_at + len(
            wide[k - 1].copy
        ):
            out[k - 1], out[k] = edits[k - 1], edits[k]
    return out


def _copy_paragraph_findings(
    ref: Sequence[str], copy: Sequence[CopyParagraph], found: Sequence[Portion]
) -> list[Finding]:
    """Copy paragraphs that render no reference paragraph (``added``, or ``garbled`` when normalization
    flagged most of it as noise), and those that render several (``merged``, once per distinct set)."""
    findings: list[Finding] = []
    seen: set[tuple[int, ...]] = set()
    for j, paragraph in enumerate(copy):
        refs = tuple(sorted({p.ref for p in found if p.copy_index == j}))
        quote = paragraph.quote or paragraph.text
        if not refs:
            text = paragraph.text
            garbled_share = sum(e - s for s, e in paragraph.garbled) / max(1, len(text))
            unmatched: FindingKind = "garbled" if garbled_share > 0.5 else "added"
            findings.append(Finding(unmatched, None, None, paragraph.span, quote))
        elif len(refs) > 1 and not paragraph.flat:
            for group in _told_merges(refs, paragraph, [p for p in found if p.copy_index == j]):
                if group in seen:
                    continue
                seen.add(group)
                joined = "\n".join(ref[i] for i in group)
                findings.append(Finding("merged", group[0], joined, paragraph.span, quote, ref_paragraphs=group))
    return findings


def _told_merges(refs: tuple[int, ...], paragraph: CopyParagraph, pieces: Sequence[Portion]) -> list[tuple[int, ...]]:
    """The runs of ``refs`` (reference paragraphs one copy paragraph renders) that the copy is seen to merge.

    On a page wrapped over several lines, a paragraph cut mid-sentence ends without a sentence end, which is
    just where unwrapping joins a line to the next: whether the copy printed a break after the cut cannot be
    told, so no merge is claimed across it (the cut is reported; seeds 2 and 5 had such cut paragraphs read
    as merged with the next)."""
    if paragraph.end_line <= paragraph.start_line:
        return [refs]
    cut_before = {p.ref for p in pieces if p.tail_lost and not ends_sentence(p.copy_text.rstrip())}
    runs: list[list[int]] = [[refs[0]]]
    for i in refs[1:]:
        if runs[-1][-1] in cut_before:
            runs.append([i])
        else:
            runs[-1].append(i)
    return [tuple(r) for r in runs if len(r) > 1]


def _reordered(ref: Sequence[str], copy: Sequence[CopyParagraph], primary: Sequence[Portion]) -> list[Finding]:
    """The paragraphs outside the longest in-order chain of the copy's (first) portions moved."""
    order = sorted(primary, key=lambda p: (p.copy_index, p.copy_start))
    chain = longest_chain([p.ref for p in order])
    return [
        _on(copy, portion, Finding("reordered", portion.ref, ref[portion.ref], None, None))
        for pos, portion in enumerate(order)
        if pos not in chain
    ]


def is_truncation(edit: TextEdit, portion: Portion, ref_length: int) -> bool:
    """Whether ``edit`` is the cut a portion's head or tail loss was read from (not a changed word): the loss
    runs from the edge to the edit's far end (see :func:`dedup.collate.edits.lost_at_edge`)."""
    if portion.head_lost and edit.at + len(edit.ref) == portion.head_lost:
        return True
    return bool(portion.tail_lost and edit.at == ref_length - portion.tail_lost)


def is_garbled(edit: TextEdit, copy: CopyParagraph, copy_offset: int, vocabulary: set[str] | frozenset[str]) -> bool:
    """Noise rather than a changed word.

    - inside a span normalization flagged (pinyin remnants, mojibake), or holding ``?`` or ``U+FFFD``;
    - rare characters (outside GB2312) for a third of it;
    - three or more characters of which almost no character pair occurs anywhere in the story
      (``vocabulary``): OCR noise such as ``上半年受市场`` -> ``革層论部巾农``. A real substitution is made of
      real words, and a news story uses most of its words more than once.

    ``copy_offset`` is where the edit's copy text starts in ``copy``'s matching text.
    """
    if is_noise(edit, copy, copy_offset):
        return True
    content = content_text(edit.copy)
    if len(content) >= 3 and vocabulary:
        pairs = [content[k : k + 2] for k in range(len(content) - 1)]
        known = sum(1 for pair in pairs if pair in vocabulary)
        around = set(content_text(edit.ref))
        if known <= len(pairs) // 4 and len(set(content) & around) <= len(content) // 4:
            return True
    return False


def is_noise(edit: TextEdit, copy: CopyParagraph, copy_offset: int) -> bool:
    """The marks of noise :func:`is_garbled` reads off the edit's own characters: a ``?`` or ``U+FFFD``, a span
    normalization flagged, or rare characters (outside GB2312) for a third of it. Unlike its test against the
    story's vocabulary, these hold for a whole sentence the reference lacks (whose words the story need not
    share)."""
    if NOISE.search(edit.copy):
        return True
    end = copy_offset + len(edit.copy)
    if any(s < end and copy_offset < e for s, e in copy.garbled):
        return True
    content = content_text(edit.copy)
    return bool(content) and sum(is_rare(ch) for ch in content) >= len(content) / 3


def longest_chain(sequence: Sequence[int]) -> set[int]:
    """Positions of a longest strictly increasing subsequence (patience sorting, O(n log n)).

    >>> sorted(longest_chain([0, 3, 1, 2]))
    [0, 2, 3]
    """
    tails: list[int] = []
    tails_at: list[int] = []
    previous = [-1] * len(sequence)
    for pos, value in enumerate(sequence):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tails_at.append(pos)
        else:
            tails[k] = value
            tails_at[k] = pos
        previous[pos] = tails_at[k - 1] if k else -1
    chain: set[int] = set()
    pos = tails_at[-1] if tails_at else -1
    while pos >= 0:
        chain.add(pos)
        pos = previous[pos]
    return chain
