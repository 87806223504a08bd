"""Sentence matching: each copy sentence paired with its best reference sentence, wherever it stands.

Diff tools align in order, so they report a moved paragraph as a drop plus an addition. Matching sentences
order-free (rapidfuzz scores of every copy sentence against every reference sentence, see
:mod:`dedup.collate.scoring`) lets collation see a move as a move.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from dedup.collate.scoring import partial_scores, ratio_scores
from dedup.config import CollateConfig
from dedup.segment import split_sentences


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a paragraph: the paragraph's index, the sentence's offsets in it, and its letters and
    digits (what is scored)."""

    paragraph: int
    start: int
    end: int
    content: str


# A sentence may end in an ellipsis (``…到这座楼看看……``) where a paragraph ends: cut there too, or a copy that
# runs that paragraph into the next one prints one sentence where the reference prints two, and matches one.
_ELLIPSIS_END = re.compile(r".*?(?:…+[”’\"'」』)）]*|$)", re.DOTALL)
# A credit or source in parentheses after a stop (``…要求。（肖咸鸣杜文育）``) closes the sentence before it; read
# as the opening of the next sentence, it glues that paragraph's credit to whatever the copy runs on into it
# (a headline glued to the next lead on a flattened page is then no longer seen as that headline).
CREDIT = r"[(（](?![一二三四五六七八九十\d]+[)）])[^()（）]{2,30}[)）]"  # not a list's number: ``（二）``
_CREDIT_OPENING = re.compile(CREDIT)
_NOT_CONTENT = re.compile(r"[\W_]+")  # what str.isalnum() refuses: \w is exactly isalnum() plus "_"


def content_text(text: str) -> str:
    """The letters and digits of a text (one regular expression pass, not a Python call per character).

    >>> content_text("新华社北京8月22日电，“正向激励”_x")
    '新华社北京8月22日电正向激励x'
    """
    return _content_text(text)


@functools.lru_cache(maxsize=8192)
def _content_text(text: str) -> str:
    """:func:`content_text`, kept for recent texts: collating a group reads the same reference paragraphs'
    letters again for every copy aligned to them (short runs, edge fragments, previews, headings)."""
    return _NOT_CONTENT.sub("", text)


def bigrams(text: str) -> set[str]:
    """The pairs of adjacent letters or digits in a text: the story's vocabulary, cheaply.

    >>> sorted(bigrams("正向，激励"))
    ['向激', '正向', '激励']
    """
    return set(_bigrams(text))


@functools.lru_cache(maxsize=1024)
def _bigrams(text: str) -> frozenset[str]:
    """:func:`bigrams`, kept: a group's collation asks for the vocabulary of the same reference text once per
    copy aligned to it."""
    content = content_text(text)
    return frozenset(map(operator.add, content, content[1:]))  # each character and the next: C-level, 3x


def sentences(paragraphs: Sequence[str], headings: Sequence[str] = ()) -> list[Sentence]:
    """Sentences of each paragraph with their offsets.

    ``headings`` are the reference's short headings: a copy sentence that opens with one followed by a comma
    (``改进选拔任用，选好人…``, a heading glued to its body) is cut after the comma, so the heading can be
    matched on its own.

    >>> [(s.paragraph, s.start, s.end) for s in sentences(["甲乙。丙丁！", "戊"])]
    [(0, 0, 3), (0, 3, 6), (1, 0, 1)]
    """
    return list(_sentences(tuple(paragraphs), tuple(headings)))


@functools.lru_cache(maxsize=256)
def _sentences(paragraphs: tuple[str, ...], headings: tuple[str, ...]) -> tuple[Sentence, ...]:
    """:func:`sentences`, kept whole: choosing a consensus base aligns up to eight copies against each
    candidate, whose sentences are the same every time (a fifth of the alignment's time went to making
    them again, though each paragraph's split was kept by :func:`_spans`)."""
    out: list[Sentence] = []
    for index, text in enumerate(paragraphs):
        out += _paragraph_sentences(index, text, headings)
    return tuple(out)


@functools.lru_cache(maxsize=8192)
def _paragraph_sentences(index: int, text: str, headings: tuple[str, ...]) -> tuple[Sentence, ...]:
    """The sentences of paragraph ``index`` (:func:`_spans` as records), kept: copies of one story print most
    paragraphs alike at the same place, and making the records was most of :func:`sentences`' time."""
    return tuple(Sentence(index, start, end, content) for start, end, content in _spans(text, headings))


@functools.lru_cache(maxsize=8192)
def _spans(text: str, headings: tuple[str, ...]) -> tuple[tuple[int, int, str], ...]:
    """One paragraph's sentences as ``(start, end, content)``: :func:`sentences` of one paragraph. Kept because
    a group's collation splits the same paragraphs again for every pair of copies it aligns (choosing the
    consensus base aligns each candidate with several others), and splitting is a pure function of the text."""
    pieces = _with_credits([part for piece in split_sentences(text) for part in _ELLIPSIS_END.findall(piece) if part])
    if sum(len(p) for p in pieces) != len(text):
        pieces = (text,)
    if headings:
        pieces = tuple(part for piece in pieces for part in _cut_heading(piece, headings))
    out: list[tuple[int, int, str]] = []
    pos = 0
    for piece in pieces:
        content = content_text(piece)
        if content:
            out.append((pos, pos + len(piece), content))
        pos += len(piece)
    return tuple(out)


def _with_credits(pieces: list[str]) -> tuple[str, ...]:
    """Sentences with a credit that opens one (:data:`_CREDIT_OPENING`) moved to the end of the one before.

    >>> _with_credits(["要求。", "（肖咸鸣杜文育）子弟兵送医到乡村"])
    ('要求。（肖咸鸣杜文育）', '子弟兵送医到乡村')
    """
    out: list[str] = []
    for piece in pieces:
        credit = _CREDIT_OPENING.match(piece) if out else None
        if credit:
            out[-1] += credit.group()
            piece = piece[credit.end() :]
        if piece:
            out.append(piece)
    return tuple(out)


def _cut_heading(sentence: str, headings: Sequence[str]) -> tuple[str, ...]:
    comma = min((k for k in (sentence.find(","), sentence.find("，")) if k > 0), default=-1)
    if comma < 0 or len(sentence) - comma < 8:
        return (sentence,)
    head = content_text(sentence[:comma])
    if head and any(head == h for h in headings):
        return sentence[: comma + 1], sentence[comma + 1 :]
    return (sentence,)


SCORE_BLOCK = 512  # copy sentences scored at a time: bounds memory, changes no score (not a setting)


def match_sentences(ref: list[Sentence], copy: list[Sentence], config: CollateConfig) -> list[int]:
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
        scores = _scores(block, choices, c_len, config)
        # Each row's candidates (within a point of its best, in float32 as the scores are) found for the
        # whole block at once, then read row by row: a numpy call per row cost more than the scoring.
        best = scores.max(axis=1)
        rows, columns = np.nonzero(scores >= (best - np.float32(1.0))[:, None])
        bounds = np.searchsorted(rows, np.arange(len(block) + 1)).tolist()
        candidate_columns: list[int] = columns.tolist()
        for k, row_best in enumerate(best.tolist()):
            if row_best < config.min_score:
                out.append(-1)
                continue
            candidates = candidate_columns[bounds[k] : bounds[k + 1]]
            choice = next((c for c in candidates if c > previous), candidates[0])
            out.append(choice)
            previous = choice
    return out


def _scores(
    queries: list[str], choices: list[str], c_len: npt.NDArray[np.int64], config: CollateConfig
) -> npt.NDArray[np.float32]:
    """Score each query sentence against every reference sentence (see :func:`match_sentences`)."""
    # Scores that cannot make a match or a candidate (see match_sentences: a match needs min_score, and a
    # partial score loses at least 5) are cut off, which lets most pairs be skipped (see dedup.collate.scoring).
    q_len = np.array([len(q) for q in queries])[:, None]
    fragment_ok = (np.minimum(q_len, c_len) >= config.min_fragment) & (
        np.minimum(q_len, c_len) < 0.9 * np.maximum(q_len, c_len)
    )
    whole, partial = _pair_scores(queries, choices, fragment_ok, config)
    # A copy sentence longer than the reference sentence it holds (two sentences run together, a heading
    # glued to a body) is scored down by the share of it that the reference sentence leaves unexplained, so
    # that a short heading found inside it does not outbid the body sentence that makes up most of it.
    unexplained = np.clip(1.0 - c_len / q_len, 0.0, 1.0)
    scores: npt.NDArray[np.float32] = np.where(fragment_ok, np.maximum(whole, partial - 5 - 30 * unexplained), whole)
    return scores


ScorePair = tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]
_RECENT_SCORES: dict[tuple[object, ...], ScorePair] = {}
RECENT_SCORES = 64  # score matrices kept (a group's pairs of copies, both ways round; not a setting)
KEPT_CELLS = 1 << 16  # larger matrices are not kept: 64 of them would bound memory at 32 MB (not a setting)


def _pair_scores(
    queries: list[str], choices: list[str], fragment_ok: npt.NDArray[np.bool_], config: CollateConfig
) -> ScorePair:
    """The ``fuzz.ratio`` and the ``fuzz.partial_ratio`` scores of :func:`_scores`, reused when the same two
    sentence lists were scored before, either way round.

    Choosing a consensus base aligns copy A to candidate B and copy B to candidate A; the sentences are mostly
    the same both times, and both scores are symmetric (``ratio`` is an Indel similarity; ``partial_ratio``
    slides the shorter text, and tries both ways round when the two are as long), as is ``fragment_ok``, a
    function of the two lengths. So the second pair's matrices are the first's, transposed: the same scores.
    """
    key = (config.min_score, config.min_fragment, tuple(queries), tuple(choices))
    known = _RECENT_SCORES.get(key)
    if known is not None:
        return known
    flipped = _RECENT_SCORES.get((key[0], key[1], key[3], key[2]))
    if flipped is not None:
        return flipped[0].T, flipped[1].T
    whole = _whole_scores(queries, choices, config.min_score - 2)
    partial = partial_scores(queries, choices, config.min_score + 3, fragment_ok & ~_settled(whole))
    if len(queries) * len(choices) > KEPT_CELLS:  # a long text's blocks: not kept (too much memory)
        return whole, partial
    if len(_RECENT_SCORES) >= RECENT_SCORES:
        del _RECENT_SCORES[next(iter(_RECENT_SCORES))]  # the oldest: dicts keep insertion order
    _RECENT_SCORES[key] = (whole, partial)
    return whole, partial


#: A copy sentence with a whole-sentence score this high needs no partial score: a partial score counts 5 points
#: less (at most 95, see :func:`_scores`), so it can be neither the row's best nor within a point of it.
SETTLED = 97.0


def _settled(whole: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
    """The pairs whose partial score can change no match either way round: the query's best whole score and
    the choice's are both :data:`SETTLED` or more. Copies of one story share most sentences word for word, so
    this skips most of the ``partial_ratio`` calls that :func:`~dedup.collate.scoring.partial_scores` would
    make (each about ten times a ``ratio``). Both the query's row and the choice's column must be settled, so
    that the matrices :func:`_pair_scores` keeps serve the alignment the other way round unchanged."""
    if not whole.size:
        return np.zeros(whole.shape, dtype=np.bool_)
    rows = whole.max(axis=1) >= SETTLED
    columns = whole.max(axis=0) >= SETTLED
    settled: npt.NDArray[np.bool_] = rows[:, None] & columns[None, :]
    return settled


#: Whole-sentence scores below this are dropped where a sentence has its exact twin on the other side (its
#: best is then 100, and only a candidate within a point of the best counts).
TWIN_CUTOFF = 99.0


def _whole_scores(queries: list[str], choices: list[str], cutoff: float) -> npt.NDArray[np.float32]:
    """``fuzz.ratio`` of every query against every choice (scores below ``cutoff`` are 0), save that a pair of
    sentences that each have an exact twin on the other side scores only if it reaches :data:`TWIN_CUTOFF`:
    a score below it can make neither sentence's match (a twin scores 100). Copies of one story share most
    sentences word for word, so most of the matrix is such pairs, and :func:`_twin_scores` scores them without
    ``cdist``. The rule is the same either way round, as :func:`_pair_scores` needs it."""
    twins = set(queries) & set(choices)
    if not twins:
        return ratio_scores(queries, choices, cutoff)
    rows = np.array([q in twins for q in queries], dtype=np.bool_)
    columns = np.array([c in twins for c in choices], dtype=np.bool_)
    out = np.zeros((len(queries), len(choices)), dtype=np.float32)
    lone_rows, twin_rows = np.flatnonzero(~rows), np.flatnonzero(rows)
    lone_columns, twin_columns = np.flatnonzero(~columns), np.flatnonzero(columns)
    twin_queries = [queries[i] for i in twin_rows]
    if len(lone_rows):
        out[lone_rows, :] = ratio_scores([queries[i] for i in lone_rows], choices, cutoff)
    if len(lone_columns):
        out[np.ix_(twin_rows, lone_columns)] = ratio_scores(twin_queries, [choices[j] for j in lone_columns], cutoff)
    out[np.ix_(twin_rows, twin_columns)] = _twin_scores(
        twin_queries, [choices[j] for j in twin_columns], max(cutoff, TWIN_CUTOFF)
    )
    return out


def _twin_scores(queries: list[str], choices: list[str], cutoff: float) -> npt.NDArray[np.float32]:
    """``fuzz.ratio`` of every query against every choice with a ``cutoff`` of 99 or more, as ``cdist`` gives
    it, from the lengths: equal texts score 100, and two texts that differ by an insertion or a deletion
    (``ratio`` is ``100 * (1 - indel / (len(a) + len(b)))``, the indel distance at least 1 and at least the
    difference in length) reach 99 only when their lengths add up to 100 or more and differ by a hundredth of
    that at most; only those few pairs are scored (with a margin, by rapidfuzz itself)."""
    out = np.zeros((len(queries), len(choices)), dtype=np.float32)
    columns: dict[str, list[int]] = {}
    for j, choice in enumerate(choices):
        columns.setdefault(choice, []).append(j)
    for i, query in enumerate(queries):
        for j in columns.get(query, ()):
            out[i, j] = 100.0
    q_len = np.array([len(q) for q in queries], dtype=np.int64)[:, None]
    c_len = np.array([len(c) for c in choices], dtype=np.int64)[None, :]
    total = q_len + c_len
    slack = 1.0 - cutoff / 100.0
    near = (total * slack >= 0.9) & (np.abs(q_len - c_len) <= 1.1 * slack * total)
    for i, j in zip(*np.nonzero(near), strict=True):
        if queries[i] != choices[j]:
            out[i, j] = fuzz.ratio(queries[i], choices[j], score_cutoff=cutoff)
    return out
