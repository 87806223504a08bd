"""Passages: in one document, matched paragraphs chained into the stretches that copy one story.

Matched paragraphs are chained tolerating up to ``max_gap`` unmatched paragraphs (added or garbled ones), and
cut at article boundaries: a closing dateline or a ``下转`` marker ends one, an ``上接`` marker or a byline starts
one, and a gap holding a headline where the partner documents change is a new article. A passage then takes
in the headline and byline just before it and a closing dateline paragraph just after.

:func:`passages_of` is a pure function of one document and what its paragraphs are matched with: the
embedded engine calls it document by document, and a distributed engine (Spark, a later issue) calls the same
function per document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.config import GroupConfig
from dedup.group.corpus import Corpus
from dedup.group.headings import Headings, is_heading_like
from dedup.records import BoundaryHint, Paragraph
from dedup.results import Passage
from dedup.segment import SENTENCES_PER_PARAGRAPH, continues_line


@dataclass(frozen=True, slots=True)
class JumpDocuments:
    """The documents of a corpus that hold page-jump markers.

    Attributes:
        continued_on: those that hold a ``下转`` marker (a story goes on elsewhere).
        continued_from: those that hold an ``上接`` marker (a story began elsewhere).
    """

    continued_on: frozenset[int] = field(default_factory=frozenset)
    continued_from: frozenset[int] = field(default_factory=frozenset)

    def halves(self, before: set[int], after: set[int]) -> bool:
        """Whether the documents that match a copy before some paragraph and the ones that match it after
        are the halves of one printed copy cut by a page jump: before, a page that jumps (``下转``), after, a
        page that continues one (``上接``)."""
        return bool(before & self.continued_on) and bool(after & self.continued_from)

    def only_halves(self, documents: set[int]) -> bool:
        """Whether every one of ``documents`` holds a page-jump marker: each prints part of a copy."""
        # (not ``documents <= continued_on | continued_from``: that union, of a share of the corpus's
        # documents, was built at each question; a difference looks up only the few ``documents``)
        return not documents - self.continued_on - self.continued_from


NO_JUMPS = JumpDocuments()


def ends_article(p: Paragraph) -> bool:
    """A closing dateline or a ``下转`` marker: nothing after it belongs to this article."""
    return hints_end_article(p.hints)


def hints_end_article(hints: frozenset[BoundaryHint]) -> bool:
    """:func:`ends_article`, told from a paragraph's boundary hints alone."""
    return "dateline" in hints or "continued_on" in hints


def starts_article(paragraphs: Sequence[Paragraph], k: int) -> bool:
    """An ``上接`` marker, a byline, or a headline over a byline: paragraph ``k`` opens an article."""
    p = paragraphs[k]
    if "continued_from" in p.hints or "byline" in p.hints:
        return True
    return "headline" in p.hints and k + 1 < len(paragraphs) and "byline" in paragraphs[k + 1].hints


def gap(paragraphs: Sequence[Paragraph], prev: int, k: int) -> float:
    """The unmatched paragraphs between ``prev`` and ``k``, in printed paragraphs: a sentence unit of a
    flattened line counts ``1 / SENTENCES_PER_PARAGRAPH``, so that a damaged stretch of a one-line page is
    tolerated as far as the same stretch printed in paragraphs.

    >>> line = [Paragraph(i, "句。", 1, 1, 3 * i, 3 * i + 2) for i in range(5)]
    >>> gap(line, 0, 4)
    1.0
    """
    return sum(1 / SENTENCES_PER_PARAGRAPH if continues_line(paragraphs, i) else 1.0 for i in range(prev + 1, k))


def _continues_run(
    run: list[int],
    k: int,
    following: int | None,
    paragraphs: Sequence[Paragraph],
    lengths: Sequence[int],
    matched: dict[int, set[int]],
    config: GroupConfig,
    jumps: JumpDocuments,
) -> bool:
    """Whether matched paragraph ``k`` goes on the passage ``run`` (``following``: the next matched one).

    Paragraphs matched in the same documents, or before in a page that jumps (``下转``, which prints the
    headline and lead) and after in a page that continues one (``上接``, the rest), are one copy.

    The cheap tests come first: most paragraphs are the next one of the same copy, and the costlier
    questions about the run (is it only headings, who it is matched with) arise only at an article start.
    """
    prev = run[-1]
    # a gap is never more than the paragraphs in it, so the common case (few between) skips counting it
    far = k - prev - 1 > config.max_gap and gap(paragraphs, prev, k) > config.max_gap
    if far or any(ends_article(paragraphs[i]) for i in range(prev, k)):
        return False
    shared = bool(matched[prev] & matched[k]) or jumps.halves(matched[prev], matched[k])
    # Different partners across a headline (in the gap, or the paragraph itself): the next article.
    if not shared and any("headline" in paragraphs[i].hints for i in range(prev + 1, k + 1)):
        return False
    if not any(starts_article(paragraphs, i) for i in range(prev + 1, k + 1)):
        return True
    # A byline or lead dateline starts an article, but the headline and subtitle above it are that
    # article's: a run of nothing but headings is not cut from the body it heads (an unmatched paragraph
    # between them is one the copy added) ...
    if all(is_heading_like(paragraphs[i], lengths[i], config) for i in run):
        return True
    # ... and so is a paragraph or two that a copy moved up above the lead, matched in the same copies ...
    if len(run) <= 2 and shared:
        return True
    # ... and a lead that a copy moved to its very end (nothing matched follows it), matched only in
    # documents that the paragraphs before it are matched in too, ends the story it leads.
    final = following is None or following - k - 1 > config.max_gap
    return final and matched[k] <= set().union(*(matched[i] for i in run))


def passages_of(
    doc: int,
    paragraphs: Sequence[Paragraph],
    lengths: Sequence[int],
    matched: dict[int, set[int]],
    config: GroupConfig,
    noise: frozenset[int] = frozenset(),
    headings: Headings | None = None,
    jumps: JumpDocuments = NO_JUMPS,
    followed: frozenset[int] | None = None,
    outrun: frozenset[int] = frozenset(),
    continued: frozenset[int] = frozenset(),
) -> list[Passage]:
    """Chain one document's matched paragraphs into passages (see the module docstring, step 2).

    Args:
        doc: the document's index.
        paragraphs: its paragraphs.
        lengths: content characters of each paragraph.
        matched: paragraph index -> the other documents it matches.
        config: grouping settings.
        noise: paragraphs found to be boilerplate: never taken in as a passage's heading (a one-line
            "扫描二维码…" above a headline reads like a title, but belongs to no story).
        headings: the heading-like lines of the corpus, to tell a line that every page repeats (a breadcrumb
            such as ``首页 > 时政频道 > 正文``, too short to be sketched), where taking in headings stops, from
            this story's own headline printed in its other copies, which is taken in even above an added
            paragraph.
        jumps: the documents that hold page-jump markers.
        followed: the matched paragraphs whose counterpart in some other document is followed there by more
            of the story (:func:`goes_on`): only after those does a passage take in its unmatched tail. None:
            not known, taken in wherever the page allows.
        outrun: the matched paragraphs that are the last of this document's to match a partner paragraph
            going on past them (it holds more text than they matched of it, or more of the story follows it):
            a flattened copy's closing sentences before its site's footer are taken in after a passage that
            holds one (:func:`_take_in_tails`).
        continued: the matched paragraphs whose next paragraph holds exactly as many content characters as a
            partner paragraph they matched holds beyond them (:func:`continued_by`): a split paragraph's short
            last piece, taken in after a passage that ends with one (:func:`_take_in_last_pieces`).
    """
    indexes = sorted(matched)
    runs: list[list[int]] = []
    for pos, k in enumerate(indexes):
        if runs and _continues_run(
            runs[-1],
            k,
            indexes[pos + 1] if pos + 1 < len(indexes) else None,
            paragraphs,
            lengths,
            matched,
            config,
            jumps,
        ):
            runs[-1].append(k)
        else:
            runs.append([k])

    runs = [part for run in runs for part in _split_glued(run, matched, jumps)]
    passages: list[Passage] = []
    taken = {k for run in runs for k in run}
    for r, run in enumerate(runs):
        first, last = run[0], run[-1]
        floor = runs[r - 1][-1] + 1 if r else 0
        while (
            first - 1 >= floor
            and run[0] - (first - 1) <= config.max_heading_paragraphs
            and "continued_from" not in paragraphs[first].hints
            and (first - 1) not in taken
            and (first - 1) not in noise
            and is_heading_like(paragraphs[first - 1], lengths[first - 1], config)
            and not _page_furniture(doc, first - 1, run, paragraphs, matched, headings)
            and not ends_article(paragraphs[first - 1])
            and not _ends_story_above(paragraphs, first)
        ):
            first -= 1
        for k in range(first - 1, max(floor, first - 1 - config.max_gap) - 1, -1):
            # a continuation's first lines (``（上接1版）为了扩大…``), too short to match, start it
            if k in taken or k in noise or ends_article(paragraphs[k]):
                break
            if "continued_from" in paragraphs[k].hints:
                first = k
                break
        if headings is not None:  # the story's own headline, above a paragraph the copy added under it
            partner_docs = set().union(*(matched[k] for k in run))
            for k in range(first - 2, max(floor, first - 1 - config.max_gap - 1) - 1, -1):
                if k in taken or k in noise or ends_article(paragraphs[k]):
                    break
                if headings.shared(doc, k, partner_docs):
                    first = k
        ceiling = runs[r + 1][0] - 1 if r + 1 < len(runs) else len(paragraphs) - 1
        if not ends_article(paragraphs[last]):
            for k in range(last + 1, min(ceiling, last + config.max_gap) + 1):
                if starts_article(paragraphs, k):
                    break
                if ends_article(paragraphs[k]):
                    last = k
                    break
        else:
            last = _jump_after_dateline(paragraphs, last, ceiling, noise, config)
        passages.append(Passage(doc, first, last))
    # (after the tails: a tail is taken in only after a matched paragraph, so a piece taken in first stopped it)
    passages = _take_in_tails(doc, passages, paragraphs, matched, config, noise, headings, followed, outrun)
    return _take_in_last_pieces(passages, paragraphs, matched, noise, continued)


def _jump_after_dateline(
    paragraphs: Sequence[Paragraph], last: int, ceiling: int, noise: frozenset[int], config: GroupConfig
) -> int:
    """Where a passage that ends at a closing dateline really ends: at a ``下转`` line just below it, if one
    follows within ``max_gap`` paragraphs (up to ``ceiling``) with nothing between that opens an article or
    is page furniture; else at the dateline.

    Why: a copy that moved its last paragraph up moved its closing dateline with it, and a paragraph that
    closes with a dateline ends the article; but a ``下转`` marker says the story goes on elsewhere, so the
    lines down to it are still this story's, the marker's line its last on the page (a short paragraph, too
    short to match anything). Left out, the passage no longer ended at the jump, its continuation on the
    other page was not stitched to it, and the two halves of the copy each read as dropping the other's
    paragraphs (held-out corpus seed 15: eleven false drops from one copy).
    """
    if "continued_on" in paragraphs[last].hints:
        return last
    for k in range(last + 1, min(ceiling, last + config.max_gap) + 1):
        p = paragraphs[k]
        if k in noise or p.hints & {"headline", "byline", "continued_from"} or starts_article(paragraphs, k):
            break
        if "continued_on" in p.hints:
            return k
    return last


def _take_in_last_pieces(
    passages: list[Passage],
    paragraphs: Sequence[Paragraph],
    matched: dict[int, set[int]],
    noise: frozenset[int],
    continued: frozenset[int],
) -> list[Passage]:
    """Extend each passage that still ends with a ``continued`` paragraph (no tail taken in after it) over the
    short piece after it.

    Why: a copy that printed the last clause of a paragraph, or the credit closing it (``（作者单位：…）``),
    as a line of its own left a piece too short to be sketched, so matched with nothing; where every other
    copy ends there too, :func:`_take_in_tails` has no sign that the story goes on, and a credit line reads
    as a title besides. Left out of the passage, the copy read as cutting its last paragraph short
    (``truncated``) where it split it. That the piece is exactly as long as what the partner paragraph holds
    beyond the copy's matched text is evidence it is that text, whatever the page prints after it; but a
    count of characters, short as the piece is, may come out alike by chance, as for the next article's
    headline after a copy that cut its last paragraph (corpus seeds 5 and 6): a headline over a byline opens
    an article and is never taken in, nor is boilerplate (a footer).
    """
    out: list[Passage] = []
    for i, passage in enumerate(passages):
        piece = passage.last + 1
        ceiling = passages[i + 1].first - 1 if i + 1 < len(passages) else len(paragraphs) - 1
        if (
            passage.last in continued
            and piece <= ceiling
            and piece not in matched
            and piece not in noise
            and not ends_article(paragraphs[passage.last])
            and not starts_article(paragraphs, piece)
        ):
            passage = Passage(passage.doc, passage.first, piece)
        out.append(passage)
    return out


def continued_by(
    last: npt.NDArray[np.int64],
    rest: npt.NDArray[np.number[Any]],
    corpus: Corpus,
) -> npt.NDArray[np.int64]:
    """Of flat paragraphs ``last`` (each the last of its document's to match some partner paragraph, which
    holds ``rest`` content characters beyond what that document's paragraphs matched of it), those whose next
    paragraph in their document makes up exactly that rest: the rest of a paragraph the copy split, too short
    to be sketched (a credit line, a closing clause).

    Told by size, as grouping is (a slim scan keeps no text): what a copy's paragraphs printed of a partner
    paragraph plus the next paragraph's content characters come to the partner's, to the character. Exact,
    so that a copy that cut the paragraph (``truncated``) is not read as split by whatever short line
    follows; what a chance equality lets in is for :func:`_take_in_last_pieces` to refuse.

    >>> from types import SimpleNamespace
    >>> corpus = SimpleNamespace(
    ...     length_of=np.array([30, 8, 20, 38]), paragraph_starts=np.array([0, 3, 4]), doc_of=np.array([0, 0, 0, 1])
    ... )
    >>> continued_by(np.array([0, 2]), np.array([8.0, 18.0]), corpus).tolist()
    [0]
    """
    after = last + 1
    inside = after < corpus.paragraph_starts[corpus.doc_of[last] + 1]
    after[~inside] = 0  # a document's last paragraph has none after it: any index, masked out below
    piece = corpus.length_of[after]
    del after  # one entry a partner and document, tens of millions at scale: masked, not copied
    found: npt.NDArray[np.int64] = last[inside & (piece > 0) & (piece == rest)]
    return found


def _ends_story_above(paragraphs: Sequence[Paragraph], k: int) -> bool:
    """Whether the short line above headline ``k`` is a sentence that ends the story before it, not a
    heading of the article ``k`` heads: a line too short to be sketched that reads as no title and no byline
    (it ends a sentence, :func:`dedup.segment.boundary_hints`) above a headline.

    An overline stands above a headline, but it reads as a title itself. Taken in as a heading, the closing
    sentence of the story above (``据介绍，目前我国还有近６０００万贫困人口。``) was lost to that story's
    passage, which reported its last paragraph dropped (corpus seed 6).
    """
    return "headline" in paragraphs[k].hints and not paragraphs[k - 1].hints & {"headline", "byline"}


def _page_furniture(
    doc: int,
    k: int,
    run: Sequence[int],
    paragraphs: Sequence[Paragraph],
    matched: dict[int, set[int]],
    headings: Headings | None,
) -> bool:
    """Whether heading-like line ``k`` above the passage ``run`` is a line other pages repeat (a breadcrumb, a
    masthead: :meth:`Headings.repeated`), where taking in headings stops.

    Not a headline over the passage's first matched paragraph, a lead, that a document it is matched in prints
    too, where it stands right above the lead or more of the documents printing it are the passage's partners
    than not (a byline between them): that is the story's own headline, however many other pages print it. A
    line that every page of a site repeats stands in a few of the story's copies and many other pages (seed
    5: 1 and 19), and above a matched headline a line that a copy on the same site prints too is that site's
    breadcrumb. The head of a story
    that jumps pages is matched by the few copies that print its lead, while the copies that print only what
    the other page holds carry its headline as well, and counted as other pages they made the headline
    furniture: the head lost its headline, reported dropped (corpus seed 6, two groups). Right above the lead
    one partner printing it is enough only while the pages beyond the partners that print it are about as
    few as the story's copies (at most twice the partners, and one): a site's breadcrumb over the lead of two
    copies on that site stands on every page of the site, and was taken in as the story's headline, putting
    page furniture into its group (held-out corpus seeds 7 and 17)."""
    if headings is None:
        return False
    partners = set().union(*(matched[i] for i in run))
    digest = headings.documents[doc].digests[k]
    if digest and "headline" in paragraphs[k].hints and "headline" not in paragraphs[run[0]].hints:
        printed = headings.docs_of.get(digest, set()) - {doc}
        among = len(printed & partners)
        above_lead = k == run[0] - 1 and len(printed) - among <= 2 * len(partners) + 1
        if among and (above_lead or among >= len(printed) - among):
            return False
    return headings.repeated(doc, k, partners)


def _take_in_tails(
    doc: int,
    passages: list[Passage],
    paragraphs: Sequence[Paragraph],
    matched: dict[int, set[int]],
    config: GroupConfig,
    noise: frozenset[int],
    headings: Headings | None,
    followed: frozenset[int] | None,
    outrun: frozenset[int] = frozenset(),
) -> list[Passage]:
    """Extend each passage over the unmatched paragraphs that close its copy.

    Why: a copy's last paragraph is often too damaged or too short to match anything (cut after its first
    words, the tail of a split paragraph, a slip-ridden line). Left outside the passage, the collation sees
    the copy stop early and reports the reference's last paragraph ``dropped``, when the copy printed it
    damaged. Within ``max_gap`` paragraphs, up to the next passage, the tail is taken in until something that
    belongs to no story body: a byline or a headline over more text (the next article, matched or not), a
    further sentence of a flattened line (a site footer glued on; a flat copy's cut is collation's to find)
    unless the line runs into boilerplate (:func:`runs_into_boilerplate`), boilerplate, a line that other
    pages repeat (a breadcrumb), or the end of the article (a closing dateline, taken in).

    And only where the story goes on in another copy after the counterpart of the passage's last matched
    paragraph (``followed``): where every other copy stops there too, the unmatched paragraphs after it are
    the copy's own addition, not a damaged print of the story's end. Taken in, they made the copy look the
    most complete, and a two-copy group took it as the reference and laid its additions on the other copy.
    A flattened copy's sentences before its site's footer are taken in also where one of the passage's
    paragraphs is the last to match a partner paragraph that goes on past it (``outrun``): the closing
    sentences, too short to match anything alone (they had matched only the footer, through their windows),
    stand in the rest of the other copies' paragraph.
    """
    out: list[Passage] = []
    for i, passage in enumerate(passages):
        last = passage.last
        ceiling = passages[i + 1].first - 1 if i + 1 < len(passages) else len(paragraphs) - 1
        before_footer = continues_line(paragraphs, last + 1) and runs_into_boilerplate(paragraphs, last + 1, noise)
        partners = set().union(*(matched.get(k, set()) for k in range(passage.first, last + 1)))
        goes = followed is None or last in followed
        goes = goes or (before_footer and any(k in outrun for k in range(passage.first, last + 1)))
        # a closing line that reads as a title, printed word for word after the story in another copy too:
        # the story's own last line (every copy stops before it, since it looks like the next headline)
        goes = goes or (last + 1 <= ceiling and headings is not None and headings.shared(doc, last + 1, partners))
        if not ends_article(paragraphs[last]) and goes:

            def furniture(k: int, partners: set[int] = partners) -> bool:
                """Boilerplate, or a line other pages repeat (a breadcrumb): page furniture, no story's."""
                return k in noise or (headings is not None and headings.repeated(doc, k, partners))

            k = last + 1
            while k <= ceiling and gap(paragraphs, passage.last, k + 1) <= config.max_gap:
                p = paragraphs[k]
                if (
                    k in matched
                    # a flat line's next sentence: a footer glued on, or collation's; unless boilerplate ends the line
                    or (continues_line(paragraphs, k) and not runs_into_boilerplate(paragraphs, k, noise))
                    or furniture(k)
                    or p.hints & {"byline", "continued_from"}
                    or starts_article(paragraphs, k)
                ):
                    break
                # a line cut after its first words reads as a title: it is the copy's cut last paragraph only
                # where nothing but page furniture follows it on the page, else it heads the next article;
                # unless the story's other copies print it word for word (a closing line that reads as one)
                if (
                    "headline" in p.hints
                    and (i + 1 < len(passages) or not all(furniture(j) for j in range(k + 1, len(paragraphs))))
                    and not (headings is not None and headings.shared(doc, k, partners))
                ):
                    break
                last = k
                if ends_article(p):
                    break
                k += 1
            # what is left before the next passage must be page furniture or open with a headline: else the
            # stretch may as well open a story printed nowhere else, and is left out whole
            if not (
                ends_article(paragraphs[last])
                or all(furniture(j) for j in range(last + 1, ceiling + 1))
                or (last < ceiling and bool(paragraphs[last + 1].hints & {"headline", "byline", "continued_from"}))
            ):
                last = passage.last
        out.append(Passage(doc, passage.first, last) if last != passage.last else passage)
    return out


def runs_into_boilerplate(paragraphs: Sequence[Paragraph], k: int, noise: frozenset[int]) -> bool:
    """Whether the flattened line that sentence unit ``k`` continues ends at boilerplate: a site footer on the
    line itself, or on the line right after it.

    Why: there the sentences between the copy's last matched one and the footer are the story's end, printed
    whole or cut, not a footer glued on. Too short to be sketched alone, they matched nothing but, on the
    site's other pages, the footer their windows ran on into; with those matches no evidence
    (:func:`dedup.group.boilerplate.beyond_boilerplate`), the copy would stop before its last sentences.

    >>> line = [Paragraph(i, "句。", 1, 1, 3 * i, 3 * i + 2) for i in range(4)]
    >>> runs_into_boilerplate(line, 1, frozenset({3})), runs_into_boilerplate(line, 1, frozenset())
    (True, False)
    """
    j = k
    while j < len(paragraphs) and continues_line(paragraphs, j):
        if j in noise:
            return True
        j += 1
    return j in noise


def goes_on(hints: Sequence[frozenset[BoundaryHint]], k: int, noise: frozenset[int]) -> bool:
    """Whether paragraph ``k`` is followed on its page by more of its story: a next paragraph that is no
    boilerplate, no byline or ``上接`` opening another article, and no headline over more text, after a
    paragraph that ends none (:func:`ends_article`). Read off the document's paragraphs' boundary hints
    alone (:func:`~dedup.records.paragraph_hints`), asked of every matched paragraph of the corpus.

    >>> body = [frozenset()] * 3
    >>> [goes_on(body, k, frozenset()) for k in range(3)], goes_on(body, 1, frozenset({2}))
    ([True, True, False], False)
    >>> goes_on([frozenset(), frozenset({"headline"}), frozenset()], 0, frozenset())  # a headline over text
    False
    """
    if k + 1 >= len(hints) or k + 1 in noise or hints_end_article(hints[k]):
        return False
    after = hints[k + 1]
    if after & {"byline", "continued_from"}:
        return False
    # a title-like line (a cut or short closing line reads as one) ends the story only where nothing but
    # boilerplate follows it; over more text it is the next article's headline
    return "headline" not in after or all(j in noise for j in range(k + 2, len(hints)))


def _split_glued(run: list[int], matched: dict[int, set[int]], jumps: JumpDocuments = NO_JUMPS) -> list[list[int]]:
    """Cut a run where two stories meet with nothing between them (a web page that glued the second
    headline to its body): no document matched before the cut matches after it.

    Each side must hold two matched paragraphs or more, and, unless the paragraphs touch, each must be
    matched by two documents or more: a copy whose only partners are two excerpts, one of its first half
    and one of its second, stays whole. So does a copy whose first half is matched by a page that jumps
    (``下转``) and its second half by a page that continues one (``上接``): the two halves of one printed copy;
    and a copy one side of which is matched only by pages that jump or continue: a jump half prints part of a
    copy by nature (its other half may be too short to match), so a change of partners there is no seam.
    """
    if len(run) < 4:
        return [run]
    n = len(run)
    before: list[set[int]] = []
    seen: set[int] = set()
    for k in run:
        seen = seen | matched[k]
        before.append(seen)
    after: list[set[int]] = [set()] * n
    seen = set()
    for i in range(n - 1, -1, -1):
        seen = seen | matched[run[i]]
        after[i] = seen
    for i in range(2, n - 1):
        left, right = before[i - 1], after[i]
        touching = run[i] == run[i - 1] + 1
        partial = jumps.halves(left, right) or jumps.only_halves(left) or jumps.only_halves(right)
        if not (left & right) and not partial and (touching or (len(left) >= 2 and len(right) >= 2)):
            return [run[:i], *_split_glued(run[i:], matched, jumps)]
    return [run]
