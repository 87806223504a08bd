"""The records a run returns: what a scan keeps of each document, the groups it finds, and the verdicts of
a check.

They live apart from the stages that make them so that whatever reads a result (the renderers, the Python
API, a later engine) depends on these records and never on the orchestrators (:mod:`dedup.pipeline.scan`,
:mod:`dedup.gate.check`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NamedTuple

from dedup.match.content import content_codepoints
from dedup.normalize.unwrap import printed_lines
from dedup.records import InputRecord, Paragraph, Span

if TYPE_CHECKING:
    from dedup.collate.align import Collation, Finding
    from dedup.config import Config


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of paragraphs ``first..last`` (inclusive) of one document (``doc``: its place in the run)."""

    doc: int
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class Witness:
    """One copy of a story: one passage, or two stitched across a page jump (in reading order).

    Attributes:
        id: ``<group id>.W2`` style identifier (``ga2c3078.W2``: :mod:`dedup.group.ids`).
        passages: the passages, in reading order.
        segments: the passages as raw line spans of their files.
        coverage: share of the story's matched content this copy holds (0-1).
        similarity: exact shingle Jaccard between this copy and the group's reference copy.
    """

    id: str
    passages: tuple[Passage, ...]
    segments: tuple[Span, ...]
    coverage: float
    similarity: float


@dataclass(frozen=True, slots=True)
class Group:
    """Copies of one story: at least two witnesses; ``reference`` is the id of the most complete one."""

    id: str
    witnesses: tuple[Witness, ...]
    reference: str


@dataclass(frozen=True, slots=True)
class ScannedDocument:
    """A document as every stage after preparation sees it (:func:`dedup.prepare.sketch` makes it).

    A *slim* document's paragraphs keep their spans, hints and lengths but not their matching text and
    sentences (what grouping needs and no more); :func:`dedup.pipeline.report.whole` prepares them again from
    the raw text.

    Attributes:
        path: as the user gave it.
        encoding: as detected.
        paragraphs: as segmented; a slim document's are a :class:`~dedup.records.SlimParagraphs`, which reads
            as the tuple of them but holds them compactly (a scan keeps every document to the end).
        notes: what normalization did, as sentences for the report.
        raw: the raw text (for quoting), or empty when the run let go of it.
        lengths: the content characters (letters and digits) of each paragraph: grouping weighs paragraphs
            by them, and they are kept when the paragraphs' text is not.
        digests: :func:`~dedup.match.fingerprint.content_digest` of each heading-like paragraph, 0 for the
            others: grouping tells a headline from a line that every page repeats by them.
        layout: how the document came (file type, encoding, what normalization undid: OCR wrapping,
            Traditional script, markup): the two pages of one paper's jumped story share it, which breaks
            ties when page jumps are stitched.
        format: the input's format (tells normalization which markup to expect when preparing it again).
        slim: whether the paragraphs' matching text and sentences were let go of.
    """

    path: str
    encoding: str
    paragraphs: Sequence[Paragraph]
    notes: tuple[str, ...] = ()
    raw: str = ""
    lengths: tuple[int, ...] = ()
    digests: tuple[int, ...] = ()
    layout: str = ""
    format: Literal["text", "markdown", "html", "jsonl"] = "text"
    slim: bool = False

    def content_lengths(self) -> tuple[int, ...]:
        """:attr:`lengths`, counted from the paragraphs for a document made without them."""
        return self.lengths or tuple(int(content_codepoints(p.text).size) for p in self.paragraphs)

    def quote(self, paragraph: Paragraph) -> str:
        """The copy's own text of a paragraph, as printed (line breaks of a wrapped page removed, see
        :func:`~dedup.normalize.unwrap.printed_lines`)."""
        return printed_lines(self.raw[paragraph.raw_start : paragraph.raw_end])


class Rejection(NamedTuple):
    """A candidate pair that did not count, with why (``dedup scan --explain``). A named tuple, so that
    readers that unpack it as ``(a, b, reason)`` keep working.

    Attributes:
        a, b: the two units as ``PATH:START-END`` (``b`` is ``*`` for a paragraph taken for boilerplate).
        reason: why it is no evidence.
    """

    a: str
    b: str
    reason: str


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The outcome of :func:`dedup.pipeline.scan.scan`.

    Attributes:
        inputs: every input path (or JSONL line), processed or skipped, in input order.
        documents: the processed documents; ``Passage.doc`` indexes this tuple.
        groups: the groups of copies found.
        config: the configuration used, for the report header and for reproduction.
        stats: counts and timings of the stages.
        rejections: rejected candidate pairs with their reasons (only with ``explain=True``).
    """

    inputs: tuple[InputRecord, ...]
    documents: tuple[ScannedDocument, ...]
    groups: tuple[Group, ...]
    config: Config
    stats: dict[str, float] = field(default_factory=dict)
    rejections: tuple[Rejection, ...] = ()

    def document(self, path: str) -> ScannedDocument:
        return next(d for d in self.documents if d.path == path)


@dataclass(frozen=True, slots=True)
class DropDocument:
    """What the check says of one drop document.

    Attributes:
        path: the document's path.
        reprints: where its story already stood (``index:PATH:LINES`` or an earlier drop document's span).
        failures: findings of the ``fail_on`` kinds against the reference, with where they are.
    """

    path: str
    reprints: tuple[str, ...] = ()
    failures: tuple[Finding, ...] = ()

    @property
    def unique(self) -> bool:
        return not self.reprints


@dataclass(frozen=True, slots=True)
class Gate:
    """One gate's verdict."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of :func:`dedup.gate.check.check`.

    Attributes:
        scan: the combined scan: index candidates first, then the drop; groups hold at least one drop witness.
            Indexed documents carry their raw text only when a collation quoted them (``fail_on``).
        sources: ``"index"`` or ``"drop"`` for each document of ``scan.documents``.
        drop: one entry per drop document, in input order.
        dup_rate: the share of drop documents that reprint held or earlier content.
        gates: the verdicts; the check passes when all pass.
        collations: the collation of each group (by group id) when ``fail_on`` asked for findings.
    """

    scan: ScanResult
    sources: tuple[str, ...]
    drop: tuple[DropDocument, ...]
    dup_rate: float
    gates: tuple[Gate, ...] = ()
    collations: dict[str, Collation] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(g.passed for g in self.gates)

    def source_of(self, path: str) -> str:
        for document, source in zip(self.scan.documents, self.sources, strict=True):
            if document.path == path:
                return source
        return "drop"
