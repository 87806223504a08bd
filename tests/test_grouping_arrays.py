"""The array machinery under grouping: connected components, sorted distinct values, boilerplate families, and
links between passages.

Each is checked against the plain Python it replaced (a union-find over pairs, ``np.unique``, the family and
company counts spelled out with dicts and sets).
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.arrays import distinct, merge_distinct, union_sorted
from dedup.config import Config, GroupConfig
from dedup.group import grouping
from dedup.group.boilerplate import DISJOINT_OVERLAP, WHOLE_COVER, boilerplate, glued_units
from dedup.group.components import UnionFind, components
from dedup.group.corpus import Corpus, paragraph_matches, partners
from dedup.group.headings import Headings
from dedup.group.links import links
from dedup.ingest.load import load
from dedup.match.candidates import Units
from dedup.pipeline.scan import find_matches
from dedup.prepare import sketch
from dedup.records import Document

from .conftest import SEEDS

pairs_strategy = st.integers(1, 40).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60))
)


@settings(max_examples=200, deadline=None)
@given(pairs_strategy)
def test_components_label_each_item_by_the_smallest_item_it_is_tied_to(case: tuple[int, list[tuple[int, int]]]) -> None:
    n, pairs = case
    uf = UnionFind(n)
    for a, b in pairs:
        uf.union(a, b)
    a, b = (np.array([p[i] for p in pairs], dtype=np.int64) for i in (0, 1))
    labels = components(n, a, b)
    assert labels.tolist() == [uf.find(i) for i in range(n)]
    members: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels.tolist()):
        members[label].append(i)
    assert all(label == min(items) for label, items in members.items())
    # the order the pairs come in changes nothing
    assert components(n, b[::-1], a[::-1]).tolist() == labels.tolist()


def test_a_union_find_started_from_labels_goes_on_where_they_left_off() -> None:
    uf = UnionFind.from_labels(components(6, np.array([4, 2]), np.array([5, 1])))
    uf.union(5, 1)
    assert [uf.find(i) for i in range(6)] == [0, 1, 1, 3, 1, 1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1), max_size=300), st.sampled_from([np.uint32, np.int64]))
def test_distinct_is_numpy_unique(values: list[int], dtype: type) -> None:
    array = np.array(values, dtype=dtype)
    assert distinct(array).tolist() == np.unique(array).tolist()
    assert distinct(array).dtype == array.dtype


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 1000), max_size=50), min_size=1, max_size=6))
def test_merge_distinct_of_sorted_sets_is_their_union(sets: list[list[int]]) -> None:
    parts = [np.unique(np.array(s, dtype=np.uint32)) for s in sets]
    assert merge_distinct(parts).tolist() == sorted(set().union(*map(set, sets)))


def _corpus(documents: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Flat document number and content length of each paragraph, for documents given as lengths."""
    doc_of = np.array([d for d, lengths in enumerate(documents) for _ in lengths], dtype=np.int64)
    length_of = np.array([n for lengths in documents for n in lengths], dtype=np.int64)
    return doc_of, length_of


def test_a_slogan_beside_a_different_story_each_time_is_boilerplate_and_a_reprinted_story_is_not() -> None:
    # Documents 0-6 each hold a slogan (paragraph 0, 20 characters) and a story of their own; documents 0-2
    # also reprint one story (paragraphs 2 and 3, 150 characters each) that comes whole every time.
    documents = [[20, 300, 150, 150]] * 3 + [[20, 300]] * 4
    doc_of, length_of = _corpus(documents)
    keys = [(d, k) for d, lengths in enumerate(documents) for k in range(len(lengths))]
    flat = {key: i for i, key in enumerate(keys)}
    slogan = [(flat[(0, 0)], flat[(d, 0)]) for d in range(1, 7)]
    story = [(flat[(0, k)], flat[(d, k)]) for d in (1, 2) for k in (2, 3)]
    a, b = (np.array([p[i] for p in slogan + story], dtype=np.int64) for i in (0, 1))
    slogans = sorted(flat[(d, 0)] for d in range(7))
    assert boilerplate(a, b, doc_of, length_of, GroupConfig()).tolist() == slogans
    # in documents 0-3 only, the reprinted story stands beside the slogan in most of them: a large block
    four = np.r_[0:3, 6 : a.size]
    assert boilerplate(a[four], b[four], doc_of, length_of, GroupConfig()).size == 0
    # a short paragraph under a headline its other documents print too is a brief, not boilerplate
    headed = boilerplate(a, b, doc_of, length_of, GroupConfig(), headed=lambda p, docs: p in slogans)
    assert headed.size == 0


def test_a_short_story_reprinted_whole_is_not_boilerplate_when_its_block_is_large() -> None:
    # Three documents each print two short paragraphs that always come together: 120 + 120 characters.
    documents = [[120, 120], [120, 120], [120, 120]]
    doc_of, length_of = _corpus(documents)
    a = np.array([0, 0, 1, 1], dtype=np.int64)
    b = np.array([2, 4, 3, 5], dtype=np.int64)
    assert boilerplate(a, b, doc_of, length_of, GroupConfig()).size == 0
    # each alone is under the 200 characters of a block: boilerplate
    assert boilerplate(a[:2], b[:2], doc_of, length_of, GroupConfig()).tolist() == [0, 2, 4]


def test_links_are_the_same_computed_per_document_pair_or_over_the_corpus() -> None:
    """The evidence between passages depends only on the matches between their two documents: computed for
    each document pair apart (as a distributed engine would) and put together, it equals one pass over the
    whole corpus (as the embedded engine makes it). On the seeds, whose story three documents share."""
    config = Config()
    documents = list(load([str(SEEDS)]))
    sketched = sketch([d for d in documents if isinstance(d, Document)], config)
    units, scanned = sketched.units, sketched.documents()
    verified = find_matches(units, sketched.sketches, config, {})
    corpus = Corpus(scanned, units)
    a, b = paragraph_matches(verified.matches(), corpus)
    passages, where = grouping._passages(a, b, np.zeros(0, dtype=np.int64), Headings(scanned), corpus, config.group)
    whole = links(a, b, where, passages, corpus)

    pair_of = corpus.doc_of[a] * len(scanned) + corpus.doc_of[b]
    pieces = [links(a[pair_of == p], b[pair_of == p], where, passages, corpus) for p in np.unique(pair_of)]
    assert len(pieces) >= 3, "the seeds' story is matched across three document pairs at least"
    fields = ("low", "high", "left_share", "right_share", "left_count", "right_count")
    joined = {f: np.concatenate([getattr(piece, f) for piece in pieces]) for f in fields}
    order = np.lexsort((joined["high"], joined["low"]))
    for f in fields:
        np.testing.assert_array_equal(joined[f][order], getattr(whole, f), err_msg=f)


def _glued_by_sets(pairs: np.ndarray, units: Units) -> list[bool]:
    """:func:`glued_units` written with Python sets, as the rule reads (the reference for the compiled one)."""
    sizes = units.sizes()
    partners: dict[int, list[int]] = defaultdict(list)
    for a, b in pairs.tolist():
        partners[a].append(b)
        partners[b].append(a)
    out = [False] * len(units)
    for u, others in partners.items():
        own = set(units.set_of(u).tolist())
        covers = [len(own & set(units.set_of(v).tolist())) / max(int(sizes[u]), 1) for v in others]
        if len(others) < 2 or min(covers) >= WHOLE_COVER:
            continue
        parts = [own & set(units.set_of(v).tolist()) for v in others]
        widest = max(zip(parts, others, strict=True), key=lambda pv: (len(pv[0]), -pv[1]))[0]
        apart = [len(part & widest) <= DISJOINT_OVERLAP * len(part) for part in parts]
        with_widest = {int(units.doc[v]) for v, away in zip(others, apart, strict=True) if not away}
        elsewhere = {int(units.doc[v]) for v, away in zip(others, apart, strict=True) if away}
        out[u] = bool(elsewhere) and not elsewhere & with_widest
    return out


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.frozensets(st.integers(0, 40), max_size=20), min_size=2, max_size=12),
    st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=30),
    st.lists(st.integers(0, 4), min_size=12, max_size=12),
)
def test_glued_units_compiled_equal_the_rule_on_sets(
    sets: list[frozenset[int]], raw_pairs: list[tuple[int, int]], docs: list[int]
) -> None:
    """The compiled glued-unit test decides as the rule written with Python sets does."""
    n = len(sets)
    pairs = np.array([(a, b) for a, b in raw_pairs if a < n and b < n and a != b], dtype=np.int64).reshape(-1, 2)
    flat = [sorted(s) for s in sets]
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in flat])]).astype(np.int64)
    units = Units(
        np.array(docs[:n], dtype=np.int64),
        np.arange(n, dtype=np.int64),
        np.array([x for s in flat for x in s], dtype=np.uint32),
        offsets,
    )
    assert glued_units(pairs, units).tolist() == _glued_by_sets(pairs, units)
    # the pairs' order (the engines list them differently) decides nothing
    assert glued_units(pairs[::-1, ::-1].copy(), units).tolist() == glued_units(pairs, units).tolist()


@settings(max_examples=80, deadline=None)
@given(
    a=st.lists(st.integers(0, 60), max_size=40).map(lambda v: sorted(set(v))),
    b=st.lists(st.integers(0, 60), max_size=40).map(lambda v: sorted(set(v))),
)
def test_union_sorted_is_the_sorted_union(a: list[int], b: list[int]) -> None:
    merged = union_sorted(np.array(a, dtype=np.int64), np.array(b, dtype=np.int64))
    assert merged.tolist() == sorted(set(a) | set(b))
    assert merged.dtype == np.int64


@dataclass(frozen=True)
class _Sized:
    """What :class:`~dedup.group.corpus.Corpus` reads of a document to number its paragraphs: how many it
    has, and their content lengths."""

    paragraphs: tuple[None, ...]
    lengths: tuple[int, ...]


corpus_strategy = st.lists(st.integers(1, 4), min_size=2, max_size=8).flatmap(
    lambda counts: st.tuples(
        st.just(counts),
        st.lists(
            st.tuples(st.integers(0, sum(counts) - 1), st.integers(0, sum(counts) - 1), st.booleans()), max_size=50
        ),
    )
)


def _numbered(counts: list[int]) -> Corpus:
    """A corpus of documents with ``counts`` paragraphs, each paragraph sketched as one unit."""
    doc = np.repeat(np.arange(len(counts)), counts).astype(np.int64)
    paragraph = np.concatenate([np.arange(c) for c in counts]).astype(np.int64)
    offsets = np.zeros(doc.size + 1, dtype=np.int64)
    units = Units(doc, paragraph, np.zeros(0, dtype=np.uint32), offsets)
    return Corpus([_Sized((None,) * c, (5,) * c) for c in counts], units)  # type: ignore[misc]


@settings(max_examples=200, deadline=None)
@given(corpus_strategy)
def test_paragraph_matches_are_the_distinct_cross_document_pairs_kept(
    case: tuple[list[int], list[tuple[int, int, bool]]],
) -> None:
    """Unit matches (here one unit a paragraph) become each distinct pair of paragraphs of different documents
    once, lower first, sorted; with a mask, only the matches it keeps."""
    counts, drawn = case
    corpus = _numbered(counts)
    matches = np.array([(u, v) for u, v, _ in drawn], dtype=np.int64).reshape(-1, 2)
    keep = np.array([k for *_, k in drawn], dtype=np.bool_)
    for mask in (None, keep):
        chosen = [(u, v) for (u, v, k) in drawn if mask is None or k]
        expected = sorted({(min(u, v), max(u, v)) for u, v in chosen if corpus.doc_of[u] != corpus.doc_of[v]})
        a, b = paragraph_matches(matches, corpus, mask)
        assert list(zip(a.tolist(), b.tolist(), strict=True)) == expected


@settings(max_examples=200, deadline=None)
@given(corpus_strategy)
def test_partners_are_each_documents_paragraphs_other_documents(
    case: tuple[list[int], list[tuple[int, int, bool]]],
) -> None:
    """Document by document, in order: each matched paragraph and the other documents it is matched in."""
    counts, drawn = case
    corpus = _numbered(counts)
    a, b = paragraph_matches(np.array([(u, v) for u, v, _ in drawn], dtype=np.int64).reshape(-1, 2), corpus)
    expected: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for p, q in zip(a.tolist(), b.tolist(), strict=True):
        (dp, kp), (dq, kq) = corpus.key(p), corpus.key(q)
        expected[dp][kp].add(dq)
        expected[dq][kq].add(dp)
    found = list(partners(a, b, corpus))
    assert [d for d, _ in found] == sorted(expected)
    for d, matched in found:
        assert list(matched) == sorted(expected[d]) and matched == expected[d]


def test_a_scan_lets_go_of_the_unit_matches_once_grouping_has_read_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """The accepted unit pairs (1 GB at a million articles) are handed to grouping, which turns them into
    paragraph pairs first and lets go of them: by the time passages are made, nothing keeps them alive. The
    stages run as they are; the two wrappers only look."""
    from dedup.pipeline import scan as scan_module

    pairs: list[weakref.ref[np.ndarray]] = []
    alive_at_passages: list[bool] = []
    handed, passages = scan_module._handed, grouping._passages

    def watched_handed(*given: Any) -> grouping.UnitMatches:
        out = handed(*given)
        pairs.append(weakref.ref(out.pairs))
        return out

    def watched_passages(*given: Any) -> Any:
        alive_at_passages.append(pairs[-1]() is not None)
        return passages(*given)

    monkeypatch.setattr(scan_module, "_handed", watched_handed)
    monkeypatch.setattr(grouping, "_passages", watched_passages)
    result = scan_module.scan([str(SEEDS)], Config(), workers=1)
    assert result.groups and result.stats["matches"] > 0
    assert alive_at_passages == [False], "the unit pairs were still held when passages were made"


@pytest.mark.parametrize("slice_size", [1, 3, 1 << 20])
def test_the_hand_over_moves_the_accepted_pairs_to_the_front_in_order(
    monkeypatch: pytest.MonkeyPatch, slice_size: int
) -> None:
    """``_handed`` compacts the verdicts' own pairs array a slice at a time (a copy beside the verdicts was the
    scan's peak at a million articles): the matches and near flags are those of the accepted pairs, in order."""
    from dedup.match.candidates import Verified
    from dedup.pipeline import scan as scan_module

    rng = np.random.default_rng(9)
    pairs = rng.integers(0, 1000, size=(50, 2)).astype(np.int64)
    accepted = rng.random(50) < 0.6
    jaccard = rng.random(50)
    verified = Verified(pairs.copy(), jaccard, rng.random(50), accepted)
    monkeypatch.setattr(scan_module, "HAND_OVER_SLICE", slice_size)
    config = Config()
    handed = scan_module._handed(verified, config)
    assert handed.pairs.tolist() == pairs[accepted].tolist()
    assert handed.near is not None
    assert handed.near.tolist() == (jaccard[accepted] >= config.candidates.min_jaccard).tolist()


def test_unit_matches_grouped_once_are_refused_a_second_time() -> None:
    config = Config()
    documents = list(load([str(SEEDS)]))
    sketched = sketch([d for d in documents if isinstance(d, Document)], config)
    verified = find_matches(sketched.units, sketched.sketches, config, {})
    handed = grouping.UnitMatches(verified.matches(), verified.near(config.candidates))
    scanned = sketched.documents()
    assert grouping.group(scanned, sketched.units, handed, config.group).groups
    assert handed.released and handed.pairs.size == 0
    with pytest.raises(ValueError, match="grouped already"):
        grouping.group(scanned, sketched.units, handed, config.group)


def _outrun_and_continued_by_unique(
    a: np.ndarray, b: np.ndarray, goes: np.ndarray, corpus: Corpus
) -> tuple[np.ndarray, np.ndarray]:
    """``_followed``'s outrun and continued flags as they were computed with ``np.unique``'s inverse, and
    ``continued_by`` as it filtered copies of its arrays."""
    from dedup.segment import MIN_UNIT_CHARS

    outrun = np.zeros(corpus.paragraph_count, dtype=np.bool_)
    continued = np.zeros(corpus.paragraph_count, dtype=np.bool_)
    here, there = np.concatenate([a, b]), np.concatenate([b, a])
    _, at = np.unique(there * len(corpus.documents) + corpus.doc_of[here], return_inverse=True)
    covered = np.bincount(at, weights=corpus.length_of[here])
    last = np.full(covered.size, -1, dtype=np.int64)
    np.maximum.at(last, at, here)
    partner = np.zeros(covered.size, dtype=np.int64)
    partner[at] = there
    goes_past = corpus.length_of[partner] - covered >= MIN_UNIT_CHARS
    outrun[last[goes_past | goes[partner]]] = True
    after = last + 1
    inside = after < corpus.paragraph_starts[corpus.doc_of[last] + 1]
    after, last, partner, covered = after[inside], last[inside], partner[inside], covered[inside]
    piece = corpus.length_of[after]
    continued[last[(piece > 0) & (piece == corpus.length_of[partner] - covered)]] = True
    return outrun, continued


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)), min_size=1, max_size=300))
def test_followed_numbers_partner_keys_as_np_unique_did(raw: list[tuple[int, int]]) -> None:
    """Grouping's per partner and document tally (outrun, continued) over random pairs of the seeds'
    paragraphs, against the ``np.unique`` inverse it replaced (whose temporaries were grouping's peak)."""
    corpus = _seeds_corpus()
    n = corpus.paragraph_count
    pairs = np.array([(x % n, y % n) for x, y in raw if x % n != y % n] or [(0, 1)], dtype=np.int64)
    a, b = pairs[:, 0], pairs[:, 1]
    _, outrun, continued = grouping._followed(a, b, {}, corpus)
    flats = distinct(np.concatenate([a, b]))
    goes = np.zeros(n, dtype=np.bool_)
    from dedup.group.passages import goes_on
    from dedup.records import paragraph_hints

    for flat in flats.tolist():
        d = int(corpus.doc_of[flat])
        goes[flat] = goes_on(
            paragraph_hints(corpus.documents[d].paragraphs), flat - int(corpus.paragraph_starts[d]), frozenset()
        )
    expected_outrun, expected_continued = _outrun_and_continued_by_unique(a, b, goes, corpus)
    assert outrun.tolist() == expected_outrun.tolist()
    assert continued.tolist() == expected_continued.tolist()


_SEEDS_CORPUS: list[Corpus] = []


def _seeds_corpus() -> Corpus:
    if not _SEEDS_CORPUS:
        config = Config()
        documents = list(load([str(SEEDS)]))
        sketched = sketch([d for d in documents if isinstance(d, Document)], config)
        _SEEDS_CORPUS.append(Corpus(sketched.documents(), sketched.units))
    return _SEEDS_CORPUS[0]
