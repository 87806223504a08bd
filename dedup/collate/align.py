"""Collate: align each copy of a story to a reference, paragraph by paragraph, and say what happened.

Diff tools and passim align in order, so they report a moved paragraph as a drop plus an addition (passim
issue #9, diff-match-patch #142, CollateX #87). Here the alignment is order-free: every copy sentence is
matched to its best reference sentence wherever it stands (rapidfuzz ``cdist``), sentences are gathered into
*portions* (a stretch of one copy paragraph that renders one reference paragraph), and the findings are read
off the portions:

- ``dropped``: a reference paragraph with no portion; ``added``: a copy paragraph with no matched sentence.
- ``reordered``: the smallest set of moved paragraphs — those outside the longest in-order chain.
- ``duplicated``: a reference paragraph rendered again by a portion that overlaps an earlier one.
- ``merged``: one copy paragraph holding portions of several reference paragraphs (a heading glued to its
  body); ``split``: one reference paragraph spread over several copy paragraphs.
- ``truncated``: only the head or tail of a paragraph survives; the finding quotes the lost part.
- ``substituted`` / ``garbled``: character edits inside a portion (rapidfuzz Levenshtein opcodes), dense
  noise (flagged by normalization, or mostly non-words) being ``garbled``. Punctuation and spacing edits are
  layout, not findings; they stay in the alignment so that the edits rebuild the copy exactly.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from dedup.collate.scoring import partial_scores, ratio_scores
from dedup.normalize import ends_sentence as _ends_sentence
from dedup.normalize import is_rare
from dedup.records import Span
from dedup.segment import split_sentences

FindingKind = Literal[
    "dropped", "added", "reordered", "duplicated", "truncated", "merged", "split", "substituted", "garbled"
]
KINDS: tuple[FindingKind, ...] = (
    "dropped",
    "added",
    "reordered",
    "duplicated",
    "truncated",
    "merged",
    "split",
    "substituted",
    "garbled",
)


@dataclass(frozen=True, slots=True)
class CopyParagraph:
    """One paragraph of a copy: its matching text, and its own raw text and lines for quoting."""

    path: str
    start_line: int
    end_line: int
    text: str
    quote: str = ""
    garbled: tuple[tuple[int, int], ...] = ()

    @property
    def span(self) -> Span:
        return Span(self.path, self.start_line, self.end_line)


@dataclass(frozen=True, slots=True)
class TextEdit:
    """One edit turning reference text into copy text.

    Attributes:
        op: ``replace``, ``delete`` (reference text missing from the copy) or ``insert``.
        ref, copy: the reference and copy text of the edit.
        at: offset of ``ref`` in the reference paragraph's matching text.
        layout: only punctuation or spacing changed: no finding.
        number: digits changed (235 -> 253): users check those first.
        name: characters of a word swapped (市县乡 -> 市乡县), as happens to names.
    """

    op: Literal["replace", "delete", "insert"]
    ref: str
    copy: str
    at: int
    layout: bool = False
    number: bool = False
    name: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    """What a copy did to the story at one place.

    Attributes:
        kind: one of :data:`KINDS`.
        ref: reference paragraph index (from 0), or ``None`` for ``added``.
        ref_text: the reference paragraph's text (all of them, joined, for ``merged``).
        copy: where in the copy, or ``None`` for ``dropped``.
        copy_text: the copy's own text there.
        edits: the word edits (``substituted``, ``garbled``), without layout edits.
        lost: for ``truncated``, the reference text the copy lost; ``detail`` says head or tail.
        detail: a short human explanation.
        occurrences: for ``duplicated``, every place the paragraph stands.
        ref_paragraphs: for ``merged``, the reference paragraphs in the one copy paragraph; for ``split``,
            the reference paragraph.
    """

    kind: FindingKind
    ref: int | None
    ref_text: str | None
    copy: Span | None
    copy_text: str | None
    edits: tuple[TextEdit, ...] = ()
    lost: str = ""
    detail: str = ""
    occurrences: tuple[Span, ...] = ()
    ref_paragraphs: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Portion:
    """A stretch of one copy paragraph that renders (part of) one reference paragraph.

    ``edits`` turn the reference paragraph's text into ``copy_text`` exactly, layout edits included.
    """

    ref: int
    copy_index: int
    copy_start: int
    copy_end: int
    copy_text: str
    edits: tuple[TextEdit, ...]
    head_lost: int = 0
    tail_lost: int = 0


@dataclass(frozen=True, slots=True)
class WitnessCollation:
    """One copy against the reference: its findings, its portions, and one status per reference paragraph
    (``kept``, ``substituted``, ``garbled``, ``truncated``, ``dropped``, ...) for the coverage strip."""

    witness: str
    findings: tuple[Finding, ...]
    portions: tuple[Portion, ...] = ()
    strip: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Collation:
    """A group collated: the reference text, why it was chosen, and each witness's findings."""

    reference: str
    reason: str
    reference_paragraphs: tuple[str, ...]
    witnesses: tuple[WitnessCollation, ...] = field(default_factory=tuple)


# --- sentences ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Sentence:
    paragraph: int
    start: int
    end: int
    content: str


_NOT_CONTENT = re.compile(r"[\W_]+")  # what str.isalnum() refuses: \w is exactly isalnum() plus "_"


def content_text(text: str) -> str:
    """The letters and digits of a text (one regular expression pass, not a Python call per character).

    >>> content_text("新华社北京8月22日电，“正向激励”_x")
    '新华社北京8月22日电正向激励x'
    """
    return _NOT_CONTENT.sub("", text)


HEADING_CHARS = 30  # a reference paragraph this short, without a sentence end, is a heading


def _sentences(paragraphs: Sequence[str], headings: Sequence[str] = ()) -> list[_Sentence]:
    """Sentences of each paragraph with their offsets.

    ``headings`` are the reference's short headings: a copy sentence that opens with one followed by a comma
    (``改进选拔任用，选好人…``, a heading glued to its body) is cut after the comma, so the heading can be
    matched on its own.
    """
    out: list[_Sentence] = []
    for index, text in enumerate(paragraphs):
        pieces = split_sentences(text)
        if sum(len(p) for p in pieces) != len(text):
            pieces = (text,)
        if headings:
            pieces = tuple(part for piece in pieces for part in _cut_heading(piece, headings))
        pos = 0
        for piece in pieces:
            content = content_text(piece)
            if content:
                out.append(_Sentence(index, pos, pos + len(piece), content))
            pos += len(piece)
    return out


def _cut_heading(sentence: str, headings: Sequence[str]) -> tuple[str, ...]:
    comma = min((k for k in (sentence.find(","), sentence.find("，")) if k > 0), default=-1)
    if comma < 0 or len(sentence) - comma < 8:
        return (sentence,)
    head = content_text(sentence[:comma])
    if head and any(head == h for h in headings):
        return sentence[: comma + 1], sentence[comma + 1 :]
    return (sentence,)


MIN_SCORE = 72.0  # rapidfuzz ratio (0-100) for a copy sentence to count as a reference sentence
MIN_FRAGMENT = 8  # content characters for a fragment (a cut sentence) to be matched by partial ratio


def _match_sentences(ref: list[_Sentence], copy: list[_Sentence]) -> list[int]:
    """For each copy sentence, the index of its reference sentence, or -1.

    Whole sentences are scored with ``fuzz.ratio``; a fragment (a sentence cut by truncation) with
    ``fuzz.partial_ratio`` against longer reference sentences. Among equally good candidates (a reference
    that repeats itself) the one following the previous match wins, so repeated text aligns in order.
    """
    if not ref or not copy:
        return [-1] * len(copy)
    queries = [s.content for s in copy]
    choices = [s.content for s in ref]
    c_len = np.array([len(c) for c in choices])[None, :]
    out: list[int] = []
    previous = -1
    # Rows in blocks, so that a text of tens of thousands of sentences scores in bounded memory.
    for start in range(0, len(queries), SCORE_BLOCK):
        block = queries[start : start + SCORE_BLOCK]
        for row in _scores(block, choices, c_len):
            best = float(row.max())
            if best < MIN_SCORE:
                out.append(-1)
                continue
            candidates = np.flatnonzero(row >= best - 1.0)
            after = candidates[candidates > previous]
            choice = int(after[0]) if after.size else int(candidates[0])
            out.append(choice)
            previous = choice
    return out


SCORE_BLOCK = 512  # copy sentences scored at a time


def _scores(queries: list[str], choices: list[str], c_len: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
    """Score each query sentence against every reference sentence (see :func:`_match_sentences`)."""
    # Scores that cannot make a match or a candidate (see _match_sentences: a match needs MIN_SCORE, and a
    # partial score loses at least 5) are cut off, which lets most pairs be skipped (see dedup.collate.scoring).
    whole = ratio_scores(queries, choices, MIN_SCORE - 2)
    q_len = np.array([len(q) for q in queries])[:, None]
    fragment_ok = (np.minimum(q_len, c_len) >= MIN_FRAGMENT) & (
        np.minimum(q_len, c_len) < 0.9 * np.maximum(q_len, c_len)
    )
    partial = partial_scores(queries, choices, MIN_SCORE + 3, fragment_ok)
    # A copy sentence longer than the reference sentence it holds (two sentences run together, a heading
    # glued to a body) is scored down by the share of it that the reference sentence leaves unexplained, so
    # that a short heading found inside it does not outbid the body sentence that makes up most of it.
    unexplained = np.clip(1.0 - c_len / q_len, 0.0, 1.0)
    scores: npt.NDArray[np.float32] = np.where(fragment_ok, np.maximum(whole, partial - 5 - 30 * unexplained), whole)
    return scores


# --- edits -------------------------------------------------------------------------------------------------

_NOISE = re.compile("[?\ufffd]")


def diff(ref_text: str, copy_text: str) -> tuple[TextEdit, ...]:
    """Character edits from ``ref_text`` to ``copy_text``, merged into word-sized edits.

    Edits separated by a single unchanged character are one edit (``市县乡`` -> ``市乡县`` is one swap, not an
    insertion and a deletion), which is also how a reader sees a changed word.

    >>> [(e.op, e.ref, e.copy) for e in diff("加油鼓劲的正向激励体系", "加油鼓劲的导向激励体系")]
    [('replace', '正', '导')]
    >>> [(e.ref, e.copy, e.name) for e in diff("4万余名市县乡领导干部", "4万余名市乡县领导干部")]
    [('县乡', '乡县', True)]
    """
    ops = [op for op in Levenshtein.opcodes(ref_text, copy_text) if op.tag != "equal"]
    merged: list[list[int]] = []
    for op in ops:
        if merged and op.src_start - merged[-1][1] <= 1 and op.dest_start - merged[-1][3] <= 1:
            merged[-1][1] = op.src_end
            merged[-1][3] = op.dest_end
        else:
            merged.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    edits: list[TextEdit] = []
    for r0, r1, c0, c1 in merged:
        ref, copy = ref_text[r0:r1], copy_text[c0:c1]
        kind: Literal["replace", "delete", "insert"] = "replace" if ref and copy else ("delete" if ref else "insert")
        layout = not content_text(ref) and not content_text(copy)
        if not layout and content_text(ref) == content_text(copy):
            layout = True  # only punctuation or spaces moved
        number = any(ch.isdigit() for ch in ref + copy)
        name = bool(ref) and len(ref) > 1 and sorted(ref) == sorted(copy) and ref != copy
        edits.append(TextEdit(kind, ref, copy, r0, layout, number, name))
    return tuple(edits)


def apply_edits(ref_text: str, edits: Sequence[TextEdit]) -> str:
    """Rebuild the copy text from the reference text and the edits of a portion.

    >>> ref = "加油鼓劲的正向激励体系"
    >>> apply_edits(ref, diff(ref, "加油鼓劲导向激励体系!"))
    '加油鼓劲导向激励体系!'
    """
    out: list[str] = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.at, e.op != "insert")):
        out.append(ref_text[cursor : edit.at])
        out.append(edit.copy)
        cursor = edit.at + len(edit.ref)
    out.append(ref_text[cursor:])
    return "".join(out)


def _bigrams(text: str) -> set[str]:
    content = content_text(text)
    return {content[k : k + 2] for k in range(len(content) - 1)}


def _is_garbled(
    edit: TextEdit, copy: CopyParagraph, copy_offset: int, vocabulary: frozenset[str] | set[str] = frozenset()
) -> bool:
    """Noise rather than a changed word.

    - inside a span normalization flagged (pinyin remnants, mojibake), or holding ``?`` or ``U+FFFD``;
    - rare characters (outside GB2312) for a third of it;
    - three or more characters of which almost no character pair occurs anywhere in the story
      (``vocabulary``): OCR noise such as ``上半年受市场`` -> ``革層论部巾农``. A real substitution is made of
      real words, and a news story uses most of its words more than once.
    """
    if _NOISE.search(edit.copy):
        return True
    start = copy_offset
    end = start + len(edit.copy)
    if any(s < end and start < e for s, e in copy.garbled):
        return True
    content = content_text(edit.copy)
    if content and sum(is_rare(ch) for ch in content) >= len(content) / 3:
        return True
    if len(content) >= 3 and vocabulary:
        pairs = [content[k : k + 2] for k in range(len(content) - 1)]
        known = sum(1 for pair in pairs if pair in vocabulary)
        around = set(content_text(edit.ref))
        if known <= len(pairs) // 4 and len(set(content) & around) <= len(content) // 4:
            return True
    return False


# --- alignment ---------------------------------------------------------------------------------------------


def _portions(ref: Sequence[str], copy: Sequence[CopyParagraph]) -> list[Portion]:
    """Gather matched copy sentences into portions and diff each against its reference paragraph."""
    ref_sents = _sentences(ref)
    headings = [content_text(t) for t in ref if len(content_text(t)) <= HEADING_CHARS and not _ends_sentence(t)]
    copy_sents = _sentences([p.text for p in copy], headings)
    matches = _match_sentences(ref_sents, copy_sents)

    # Runs of consecutive sentences of one copy paragraph matched to one reference paragraph; an unmatched
    # sentence joins the run before it (or after it, at a paragraph's start): it is an insertion there.
    runs: list[list[int]] = []  # [copy paragraph, ref paragraph, first sentence, last sentence]
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

    runs = _absorb_short_runs(runs, copy_sents, ref_sents, ref)
    portions: list[Portion] = []
    for j, i, first, last in runs:
        paragraph = copy[j]
        start = copy_sents[first].start
        end = copy_sents[last].end
        # Stretch to the paragraph's edges when nothing else stands there (leading or trailing punctuation).
        if not any(r[0] == j and r[3] < first for r in runs):
            start = 0
        if not any(r[0] == j and r[2] > last for r in runs):
            end = len(paragraph.text)
        text = paragraph.text[start:end]
        edits = diff(ref[i], text)
        head = _lost(edits, 0, ref[i], at_start=True)
        tail = _lost(edits, len(ref[i]), ref[i], at_start=False)
        portions.append(Portion(i, j, start, end, text, edits, head, tail))
    return portions


SHORT_RUN = 10  # content characters: a lead-in this short is a changed word, not a borrowed paragraph


def _absorb_short_runs(
    runs: list[list[int]], copy_sents: list[_Sentence], ref_sents: list[_Sentence], ref: Sequence[str]
) -> list[list[int]]:
    """Fold a very short run into its neighbour in the same copy paragraph, unless it renders a whole
    (short) reference paragraph: a swapped lead-in such as ``打牢党性根基。`` -> ``提升专业素养。`` is a
    substitution inside one paragraph, even though the new words also open another paragraph."""
    out: list[list[int]] = []
    for run in runs:
        j, i, first, last = run
        size = sum(len(copy_sents[k].content) for k in range(first, last + 1))
        whole = size >= 0.8 * len(content_text(ref[i]))
        if size < SHORT_RUN and not whole:
            if out and out[-1][0] == j:
                out[-1][3] = last
                continue
            following = next((r for r in runs if r[0] == j and r[2] > last), None)
            if following is not None:
                following[2] = first
                continue
        out.append(run)
    return out


LOST_MIN = 4  # content characters missing at an edge before a paragraph counts as truncated


def _lost(edits: tuple[TextEdit, ...], edge: int, ref_text: str, *, at_start: bool) -> int:
    """Length of reference text missing at the start (or end) of a portion, if it is a real cut."""
    for edit in edits:
        touches = edit.at == 0 if at_start else edit.at + len(edit.ref) == len(ref_text)
        if touches and edit.op == "delete" and len(content_text(edit.ref)) >= LOST_MIN:
            return len(edit.ref)
        if touches and edit.op == "replace" and len(content_text(edit.ref)) >= LOST_MIN and len(edit.copy) <= 2:
            return len(edit.ref)
    return 0


def _longest_chain(sequence: Sequence[int]) -> set[int]:
    """Positions of a longest strictly increasing subsequence (patience sorting, O(n log n))."""
    import bisect

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


def _recover_glued_headings(
    ref: Sequence[str], copy: Sequence[CopyParagraph], portions: list[Portion]
) -> list[Portion]:
    """A short reference paragraph (a heading, a byline) glued without punctuation to the start of the next
    paragraph shows up as an insertion at the start of that paragraph's portion; make it a portion of its
    own, so the copy paragraph reads as merged instead of the heading as dropped plus an insertion."""
    rendered = {p.ref for p in portions}
    out = list(portions)
    for i, text in enumerate(ref):
        if i in rendered or i + 1 >= len(ref) or len(content_text(text)) > 2 * HEADING_CHARS:
            continue
        for k, portion in enumerate(out):
            if portion.ref != i + 1 or not portion.edits:
                continue
            first = portion.edits[0]
            if first.at != 0 or first.op == "delete" or fuzz.ratio(content_text(first.copy), content_text(text)) < 80:
                continue
            cut = len(first.copy) - len(first.ref)  # the inserted heading, at the front of the copy text
            if cut <= 0:
                continue
            heading = portion.copy_text[:cut]
            body = portion.copy_text[cut:]
            out[k] = Portion(
                portion.ref,
                portion.copy_index,
                portion.copy_start + cut,
                portion.copy_end,
                body,
                diff(ref[i + 1], body),
                portion.head_lost,
                portion.tail_lost,
            )
            out.append(
                Portion(
                    i, portion.copy_index, portion.copy_start, portion.copy_start + cut, heading, diff(text, heading)
                )
            )
            rendered.add(i)
            break
    return out


EDGE_FRAGMENT = 4  # content characters: the least of a cut paragraph that can still be told by its edge


def _recover_edge_fragments(
    ref: Sequence[str], copy: Sequence[CopyParagraph], portions: list[Portion]
) -> list[Portion]:
    """A copy paragraph too short to be matched as a sentence (``、图像俱佳。``) that is word for word the head
    or the tail of a reference paragraph the copy renders nowhere else is what a cut left of it: a portion
    of that paragraph (truncated), not a paragraph added beside a dropped one."""
    rendered = {p.ref for p in portions}
    used = {p.copy_index for p in portions}
    out = list(portions)
    for j, paragraph in enumerate(copy):
        content = content_text(paragraph.text)
        if j in used or not EDGE_FRAGMENT <= len(content) < MIN_SCORE_CHARS:
            continue
        for i, text in enumerate(ref):
            whole = content_text(text)
            if i in rendered or len(whole) < 2 * len(content):
                continue
            if whole.startswith(content) or whole.endswith(content):
                edits = diff(text, paragraph.text)
                head = _lost(edits, 0, text, at_start=True)
                tail = _lost(edits, len(text), text, at_start=False)
                out.append(Portion(i, j, 0, len(paragraph.text), paragraph.text, edits, head, tail))
                rendered.add(i)
                break
    return out


MIN_SCORE_CHARS = 20  # content characters below which a sentence rarely scores as a match on its own


def align(ref: Sequence[str], copy: Sequence[CopyParagraph], witness: str = "") -> WitnessCollation:
    """Findings of one copy against the reference paragraphs (see the module docstring).

    A group's collation aligns the same pair more than once (choosing the consensus base, building the
    consensus on it, then collating against a consensus that is often the base's text), so recent
    alignments are kept and reused; alignment is a pure function of the two texts.
    """
    aligned = _align(tuple(ref), tuple(copy))
    return aligned if aligned.witness == witness else replace(aligned, witness=witness)


@functools.lru_cache(maxsize=256)
def _align(ref: tuple[str, ...], copy: tuple[CopyParagraph, ...]) -> WitnessCollation:
    witness = ""
    portions = _recover_edge_fragments(ref, copy, _recover_glued_headings(ref, copy, _portions(ref, copy)))
    vocabulary = _bigrams("".join(ref))
    findings: list[Finding] = []
    by_ref: dict[int, list[Portion]] = {}
    for portion in portions:
        by_ref.setdefault(portion.ref, []).append(portion)

    def copy_span(portion: Portion) -> Span:
        return copy[portion.copy_index].span

    def quote(portion: Portion) -> str:
        paragraph = copy[portion.copy_index]
        return paragraph.quote or paragraph.text

    strip = ["dropped"] * len(ref)
    primary: dict[int, Portion] = {}
    for i, found in sorted(by_ref.items()):
        covered: list[tuple[int, int]] = []
        pieces: list[Portion] = []
        repeats: list[Portion] = []
        for portion in found:
            start, end = portion.head_lost, len(ref[i]) - portion.tail_lost
            overlap = sum(max(0, min(end, e) - max(start, s)) for s, e in covered)
            if covered and overlap > 0.5 * max(1, end - start):
                repeats.append(portion)
            else:
                pieces.append(portion)
                covered.append((start, end))
        primary[i] = pieces[0]
        status = "kept"
        if len(pieces) > 1:
            status = "split"
            findings.append(
                Finding(
                    "split",
                    i,
                    ref[i],
                    copy_span(pieces[0]),
                    quote(pieces[0]),
                    occurrences=tuple(copy_span(p) for p in pieces),
                    detail=f"in {len(pieces)} copy paragraphs",
                    ref_paragraphs=(i,),
                )
            )
        head = min(s for s, _ in covered)
        tail = len(ref[i]) - max(e for _, e in covered)
        if len(content_text(ref[i][:head])) >= LOST_MIN or len(content_text(ref[i][len(ref[i]) - tail :])) >= LOST_MIN:
            status = "truncated"
            for where, lost in (("head", ref[i][:head]), ("tail", ref[i][len(ref[i]) - tail :])):
                if len(content_text(lost)) >= LOST_MIN:
                    piece = pieces[0] if where == "head" else pieces[-1]
                    findings.append(
                        Finding(
                            "truncated",
                            i,
                            ref[i],
                            copy_span(piece),
                            quote(piece),
                            lost=lost,
                            detail=f"the {where} is lost",
                        )
                    )
        if repeats:
            findings.append(
                Finding(
                    "duplicated",
                    i,
                    ref[i],
                    copy_span(repeats[0]),
                    quote(repeats[0]),
                    occurrences=tuple(copy_span(p) for p in [pieces[0], *repeats]),
                    detail=f"stands {1 + len(repeats)} times",
                )
            )
            status = "duplicated" if status == "kept" else status
        for piece in pieces:
            word_edits = [e for e in piece.edits if not e.layout and not _is_truncation(e, piece, len(ref[i]))]
            noisy = [
                e
                for e in word_edits
                if _is_garbled(e, copy[piece.copy_index], piece.copy_start + _copy_offset(piece, e), vocabulary)
            ]
            clean = [e for e in word_edits if e not in noisy]
            edit_kinds: tuple[tuple[FindingKind, list[TextEdit]], ...] = (("substituted", clean), ("garbled", noisy))
            for edit_kind, edits in edit_kinds:
                if edits:
                    findings.append(
                        Finding(
                            edit_kind,
                            i,
                            ref[i],
                            copy_span(piece),
                            quote(piece),
                            edits=tuple(edits),
                            detail=f"{len(edits)} edit(s)",
                        )
                    )
                    if status == "kept":
                        status = edit_kind
        strip[i] = status

    for i in range(len(ref)):
        if i not in by_ref:
            findings.append(Finding("dropped", i, ref[i], None, None))

    # One copy paragraph holding several reference paragraphs: merged (reported once per distinct set).
    seen: set[tuple[int, ...]] = set()
    for j, paragraph in enumerate(copy):
        refs = tuple(sorted({p.ref for p in portions if p.copy_index == j}))
        if not refs:
            text = paragraph.text
            garbled_share = sum(e - s for s, e in paragraph.garbled) / max(1, len(text))
            unmatched: FindingKind = "garbled" if garbled_share > 0.5 else "added"
            findings.append(Finding(unmatched, None, None, paragraph.span, paragraph.quote or text))
        elif len(refs) > 1 and refs not in seen:
            seen.add(refs)
            findings.append(
                Finding(
                    "merged",
                    refs[0],
                    "\n".join(ref[i] for i in refs),
                    paragraph.span,
                    paragraph.quote or paragraph.text,
                    ref_paragraphs=refs,
                    detail=f"{len(refs)} reference paragraphs in one",
                )
            )
            for i in refs:
                if strip[i] == "kept":
                    strip[i] = "merged"

    # Order: the paragraphs outside the longest in-order chain moved.
    order = sorted(primary.values(), key=lambda p: (p.copy_index, p.copy_start))
    sequence = [p.ref for p in order]
    chain = _longest_chain(sequence)
    for pos, portion in enumerate(order):
        if pos not in chain:
            findings.append(
                Finding(
                    "reordered",
                    portion.ref,
                    ref[portion.ref],
                    copy_span(portion),
                    quote(portion),
                    detail="out of the reference order",
                )
            )
            if strip[portion.ref] == "kept":
                strip[portion.ref] = "reordered"

    findings.sort(key=lambda f: (f.ref if f.ref is not None else len(ref), KINDS.index(f.kind)))
    return WitnessCollation(witness, tuple(findings), tuple(portions), tuple(strip))


def _is_truncation(edit: TextEdit, portion: Portion, ref_length: int) -> bool:
    if portion.head_lost and edit.at == 0 and len(edit.ref) == portion.head_lost:
        return True
    return bool(portion.tail_lost and edit.at + len(edit.ref) == ref_length and len(edit.ref) == portion.tail_lost)


def _copy_offset(portion: Portion, edit: TextEdit) -> int:
    """Where an edit's copy text starts inside the portion's copy text."""
    shift = 0
    for other in portion.edits:
        if other.at >= edit.at and other is not edit:
            break
        if other is edit:
            break
        shift += len(other.copy) - len(other.ref)
    return edit.at + shift


@dataclass(frozen=True, slots=True)
class WitnessText:
    """A copy ready to collate: its id, where it stands, and its paragraphs in reading order."""

    id: str
    segments: tuple[Span, ...]
    paragraphs: tuple[CopyParagraph, ...]


def repeat_share(witness: WitnessText) -> float:
    """Share of a copy's paragraphs that repeat an earlier one of the same copy (near-identically)."""
    seen: list[str] = []
    repeats = 0
    for paragraph in witness.paragraphs:
        content = content_text(paragraph.text)
        if len(content) >= 10 and any(fuzz.ratio(content, other) >= 90 for other in seen):
            repeats += 1
        seen.append(content)
    return repeats / max(1, len(witness.paragraphs))


def damage_share(witness: WitnessText) -> float:
    """Share of a copy's paragraphs that show damage of their own, visible without any other copy: cut off
    mid-sentence (a paragraph of prose that ends without a sentence end), or noise (garbled spans flagged
    by normalization, replacement characters)."""
    damaged = 0
    prose = 0
    for paragraph in witness.paragraphs:
        content = content_text(paragraph.text)
        if len(content) <= HEADING_CHARS:
            continue  # headings and bylines end without a stop
        prose += 1
        text = paragraph.text.rstrip()
        cut = not _ends_sentence(text) and not text.endswith(tuple("”’」』)）"))
        noisy = bool(paragraph.garbled) or bool(_NOISE.search(paragraph.text))
        damaged += cut or noisy
    return damaged / max(1, prose)


FOREIGN_SHARE = 0.1  # of a paragraph's character pairs found in the other copies: below it, none of the story's


def foreign_share(witness: WitnessText, others: Sequence[WitnessText]) -> float:
    """Share of a copy's paragraphs of prose that have nothing of the story in them: hardly a pair of
    characters in common with the other copies (a page's unrelated paragraph taken in). A paragraph the other
    copies dropped still shares the story's names and terms (a quarter of its pairs, typically); one that
    does not belong shares the language's commonest pairs only (a twentieth)."""
    story = set().union(*(_bigrams(p.text) for o in others for p in o.paragraphs))
    prose = foreign = 0
    for paragraph in witness.paragraphs:
        pairs = _bigrams(paragraph.text)
        if len(pairs) < 2 * HEADING_CHARS:
            continue
        prose += 1
        foreign += len(pairs & story) < FOREIGN_SHARE * len(pairs)
    return foreign / max(1, prose)


def choose_reference(witnesses: Sequence[WitnessText], coverage: Sequence[float]) -> tuple[int, str]:
    """The most complete and least damaged copy: most of the story covered, fewest internal repeats, fewest
    paragraphs cut off mid-sentence or garbled (:func:`damage_share`) or foreign to the story
    (:func:`foreign_share`).

    Between two copies, coverage alone favours the damaged one as often as not: the paragraph one copy
    added counts as story, and the one it dropped is matched nowhere, so the intact copy's passage ends
    before it. Damage that a copy shows by itself tells them apart.

    Returns:
        The index of the chosen witness and the reason, in words, for the report.
    """
    repeats = [repeat_share(w) for w in witnesses]
    damage = [damage_share(w) + foreign_share(w, [o for o in witnesses if o is not w]) for w in witnesses]
    scores = [(cov - r - d, cov, -r, -d) for cov, r, d in zip(coverage, repeats, damage, strict=True)]
    best = max(range(len(witnesses)), key=lambda k: scores[k])
    reason = f"most complete copy: covers {coverage[best]:.0%} of the story"
    reason += f", {repeats[best]:.0%} of its paragraphs repeated" if repeats[best] else ", no repeated paragraphs"
    if damage[best]:
        reason += f", {damage[best]:.0%} cut off, garbled or foreign"
    return best, reason


def collate(witnesses: Sequence[WitnessText], reference: int = 0, reason: str = "") -> Collation:
    """Collate copies of one story against one of them (``reference``, an index into ``witnesses``)."""
    ref = witnesses[reference]
    ref_texts = [p.text for p in ref.paragraphs]
    results = []
    for k, witness in enumerate(witnesses):
        if k == reference:
            results.append(WitnessCollation(witness.id, (), (), tuple("kept" for _ in ref_texts)))
        else:
            results.append(align(ref_texts, witness.paragraphs, witness.id))
    return Collation(ref.id, reason or f"{ref.id} chosen as reference", tuple(ref_texts), tuple(results))


CONSENSUS = "consensus"


def build_consensus(witnesses: Sequence[WitnessText], base: int) -> tuple[tuple[str, ...], str]:
    """A consensus text: each paragraph, and inside it each disputed reading, from the majority of copies.

    The base copy (the most complete) gives the paragraphs and their order. A base paragraph stays when more
    than half of the copies render it; a reading differs from the base's where more than half of the copies
    agree on the same edit at the same place (a copy without an edit there votes for the base's reading);
    and two paragraphs of the base are one where most copies that hold both hold them in one paragraph (the
    base split it).

    Returns:
        The consensus paragraphs, and a sentence saying how they were chosen.
    """
    base_texts = [p.text for p in witnesses[base].paragraphs]
    others = [align(base_texts, w.paragraphs, w.id) for k, w in enumerate(witnesses) if k != base]
    voters = len(witnesses)
    paragraphs: list[str] = []
    dropped = changed = rejoined = 0
    joins = _majority_joins(base_texts, others)
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
        majority = present / 2  # a reading is decided among the copies that have the paragraph
        votes: dict[tuple[int, str, str], int] = {}
        for piece in pieces:
            if piece is None:
                continue
            for edit in piece.edits:
                if not _is_truncation(edit, piece, len(text)):
                    key = (edit.at, edit.ref, edit.copy)
                    votes[key] = votes.get(key, 0) + 1
        winners = [
            TextEdit("replace" if r and c else ("delete" if r else "insert"), r, c, at)
            for (at, r, c), count in votes.items()
            if count > majority
        ]
        changed += len(winners)
        reading = apply_edits(text, _non_overlapping(winners))
        if i in joins and paragraphs and after == i - 1:
            paragraphs[-1] += reading
            rejoined += 1
        else:
            paragraphs.append(reading)
    reason = (
        f"consensus of {voters} copies, built on {witnesses[base].id}: "
        f"{len(paragraphs)} paragraphs kept by the majority"
    )
    if dropped:
        reason += f", {dropped} left out (in a minority of copies)"
    if changed:
        reason += f", {changed} reading(s) taken from the majority"
    if rejoined:
        reason += f", {rejoined} paragraph(s) the base split joined as the majority prints them"
    if moved:
        reason += f", {moved} paragraph(s) the base moved put back where the majority prints them"
    return tuple(paragraphs), reason


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
        chain = _longest_chain(sequence)
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


def _majority_joins(base: Sequence[str], others: Sequence[WitnessCollation]) -> set[int]:
    """Base paragraphs ``i`` that most copies holding both ``i - 1`` and ``i`` print in one paragraph with
    ``i - 1`` (the base, which prints them apart, votes against)."""
    joins: set[int] = set()
    for i in range(1, len(base)):
        both = together = 0
        for other in others:
            where_prev = {p.copy_index for p in other.portions if p.ref == i - 1}
            where_this = {p.copy_index for p in other.portions if p.ref == i}
            if where_prev and where_this:
                both += 1
                together += bool(where_prev & where_this)
        if together * 2 > both + 1:
            joins.add(i)
    return joins


def _non_overlapping(edits: list[TextEdit]) -> list[TextEdit]:
    out: list[TextEdit] = []
    end = -1
    for edit in sorted(edits, key=lambda e: (e.at, -len(e.ref))):
        if edit.at >= end or (not edit.ref and edit.at > end):
            out.append(edit)
            end = edit.at + len(edit.ref)
    return out


BASE_CANDIDATES = 4
BASE_JURY = 8


def choose_base(witnesses: Sequence[WitnessText], coverage: Sequence[float]) -> int:
    """The copy the others disagree with least: the base of a consensus.

    Each of the ``BASE_CANDIDATES`` most complete copies is tried as the reference for up to ``BASE_JURY``
    others; the one that leaves them the fewest findings wins (ties: the more complete). An intact wire copy
    wins this way even when a damaged copy is longer, because every other copy would show that copy's
    damage (its merged heading, its cut paragraph) as a finding of its own.
    """
    order = sorted(range(len(witnesses)), key=lambda k: (-coverage[k], -repeat_share(witnesses[k])))
    candidates = order[:BASE_CANDIDATES]
    best, best_score = candidates[0], None
    for k in candidates:
        reference = [p.text for p in witnesses[k].paragraphs]
        jury = [j for j in order if j != k]
        step = max(1, len(jury) // BASE_JURY)
        findings = sum(len(align(reference, witnesses[j].paragraphs).findings) for j in jury[::step][:BASE_JURY])
        score = (findings, -coverage[k])
        if best_score is None or score < best_score:
            best, best_score = k, score
    return best


def collate_consensus(witnesses: Sequence[WitnessText], base: int) -> Collation:
    """Collate every copy, the base included, against the majority text of all of them."""
    paragraphs, reason = build_consensus(witnesses, base)
    results = tuple(align(paragraphs, w.paragraphs, w.id) for w in witnesses)
    return Collation(CONSENSUS, reason, paragraphs, results)
