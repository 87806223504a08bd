"""One frozen configuration per stage, gathered in :class:`Config`.

Every JSON report carries ``Config.to_dict()`` so a result can be reproduced, and the persistent index
refuses sketches made with different fingerprint settings. Defaults are tuned for Chinese news as it
comes: short paragraphs, heavy reprinting, copies that keep 30-100% of a story.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class NormalizeConfig:
    """What normalization may do to the matching text (never to what reports quote).

    Attributes:
        to_simplified: convert Traditional script to Simplified with OpenCC when a text is Traditional.
        strip_pinyin: remove pinyin annotations glued to characters, e.g. ``召開(kāi)``.
        unwrap: join hard-wrapped lines (OCR pages) back into paragraphs.
    """

    to_simplified: bool = True
    strip_pinyin: bool = True
    unwrap: bool = True


@dataclass(frozen=True, slots=True)
class FingerprintConfig:
    """How passages are sketched. Sketches made with different values cannot be compared.

    Attributes:
        ngram: characters per shingle. Five is the usual choice for Chinese: long enough that common
            words do not match by chance, short enough that a substituted word spoils few shingles.
        num_perm: MinHash permutations.
        seed: seed of the permutations, as datasketch's ``MinHash(seed=...)``.
        scheme: datasketch permutation scheme; only ``affine32`` is implemented by the fast signer.
        hash: name of the shingle hash function (see :func:`dedup.match.fingerprint.shingle_hash`).
        min_unit_chars: paragraphs with fewer content characters are not sketched: headings and
            bylines are too short to be evidence that two passages are copies.
        max_unit_chars: longer paragraphs are sketched as sliding windows of sentences instead, so that a
            paragraph that is one part of another (its tail after a page jump, a paragraph glued to its
            heading) still has a unit that matches it whole, and a file without paragraph breaks still
            matches passage by passage.
        window_chars: each window starts at a sentence and runs on to at least this many characters.
        head_chars: content characters of a unit's head key (:mod:`dedup.match.heads`): a unit cut short is
            a candidate of every unit that starts with the same characters. Fewer than the 20 a preview
            keeps of a paragraph; enough that a dateline (``新华社北京１月４日电记者``, 12) is not all of it.
        preview_chars: content characters: a unit this short that ends mid-sentence or in an ellipsis is cut
            short (a preview's paragraph), and proposed by its head key.
    """

    ngram: int = 5
    num_perm: int = 128
    seed: int = 1
    scheme: str = "affine32"
    hash: str = "fnv1a32-utf32"
    min_unit_chars: int = 20
    max_unit_chars: int = 200
    window_chars: int = 100
    head_chars: int = 16
    preview_chars: int = 80


@dataclass(frozen=True, slots=True)
class CandidateConfig:
    """How candidate paragraph pairs are found (LSH) and verified (exact shingle sets).

    Attributes:
        threshold: Jaccard threshold the LSH banding is tuned for. Low, because a truncated or
            merged paragraph has a low Jaccard but a high containment against its original.
        bands, rows: explicit banding; ``None`` lets datasketch's optimiser choose for ``threshold``.
        min_containment: a candidate counts when |A∩B| / min(|A|,|B|) reaches this.
        min_jaccard: ... or when |A∩B| / |A∪B| reaches this.
        max_bucket: an LSH bucket with more members than this (a story reprinted hundreds of times, a
            masthead on every page) is linked as a star through one member instead of pair by pair, so the
            work stays linear in its size; whether it is a story or boilerplate is for grouping to tell.
    """

    threshold: float = 0.3
    bands: int | None = None
    rows: int | None = None
    min_containment: float = 0.5
    min_jaccard: float = 0.3
    max_bucket: int = 200


@dataclass(frozen=True, slots=True)
class GroupConfig:
    """How matched paragraphs become passages and passages become stories.

    Attributes:
        max_gap: unmatched paragraphs tolerated inside one passage (added or garbled ones).
        min_link_share: two passages are copies of one story when their matched content covers at least
            this share of the smaller passage; one shared slogan paragraph is not enough.
        standalone_docs: a paragraph found in this many documents or more is boilerplate when what comes
            with it in most of them is under ``boilerplate_block_chars`` (a masthead, an address, an advert).
        boilerplate_block_chars: see ``standalone_docs``.
        max_heading_paragraphs: short paragraphs (headline, subtitle, byline) absorbed before a passage.
        heading_chars: a paragraph with fewer characters counts as heading-like when absorbing them.
    """

    max_gap: int = 3
    min_link_share: float = 0.4
    standalone_docs: int = 3
    boilerplate_block_chars: int = 200
    max_heading_paragraphs: int = 4
    heading_chars: int = 20


@dataclass(frozen=True, slots=True)
class CollateConfig:
    """How copies are aligned with a reference and what counts as a finding (see :mod:`dedup.collate`).

    Attributes:
        min_score: rapidfuzz ratio (0-100) for a copy sentence to count as a reference sentence.
        min_fragment: content characters for a fragment (a cut sentence) to be matched by partial ratio.
        min_score_chars: content characters below which a sentence rarely scores as a match on its own;
            a copy paragraph this short is matched by its edge instead (see ``edge_fragment``).
        edge_fragment: content characters: the least of a cut paragraph that can still be told by its edge.
        heading_chars: a reference paragraph this short, without a sentence end, is a heading.
        short_run: content characters: a lead-in this short is a changed word, not a borrowed paragraph.
        lost_min: content characters missing at an edge before a paragraph counts as truncated.
        cut_slack: characters a cut may leave at a paragraph's edge (a stray or broken character in place of
            the lost text, or one the copy shares with the edge, such as a list mark): still a cut.
        foreign_share: share of a paragraph's character pairs found in the other copies below which it is
            none of the story's (a page's unrelated paragraph), when choosing the reference.
        base_candidates: the most complete copies tried as the base of a consensus.
        base_jury: the other copies each candidate base is tried against.
        word_context: characters either side of an edit segmented into words, to tell a changed word from an
            OCR slip and to widen a changed word's edit to the whole word (jieba's words are 1-4 characters).
        preview_chars: content characters: a paragraph this short that looks cut is a preview's (a listing
            page or a search snippet prints each paragraph's first 20-60 characters); a copy made mostly of
            them is a preview, never the reference or the consensus base while a whole copy is there.
    """

    min_score: float = 72.0
    min_fragment: int = 8
    min_score_chars: int = 20
    edge_fragment: int = 4
    heading_chars: int = 30
    short_run: int = 10
    lost_min: int = 4
    cut_slack: int = 2
    foreign_share: float = 0.1
    base_candidates: int = 4
    base_jury: int = 8
    word_context: int = 4
    preview_chars: int = 80


@dataclass(frozen=True, slots=True)
class Config:
    """All stage configurations; ``Config()`` works on Chinese news as it comes."""

    normalize: NormalizeConfig = field(default_factory=NormalizeConfig)
    fingerprint: FingerprintConfig = field(default_factory=FingerprintConfig)
    candidates: CandidateConfig = field(default_factory=CandidateConfig)
    group: GroupConfig = field(default_factory=GroupConfig)
    collate: CollateConfig = field(default_factory=CollateConfig)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, written into every report.

        >>> Config().to_dict()["fingerprint"]["ngram"]
        5
        """
        return asdict(self)

    def __str__(self) -> str:
        """A stable one-line form, e.g. for logs and index headers.

        >>> str(Config()).startswith("normalize(to_simplified=True")
        True
        """
        parts = []
        for name, stage in self.to_dict().items():
            inner = ", ".join(f"{k}={v}" for k, v in stage.items())
            parts.append(f"{name}({inner})")
        return " ".join(parts)
