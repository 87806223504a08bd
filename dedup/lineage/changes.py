"""From a report's group (the JSON payload of ``dedup report --format json``) to lineage's input record.

Lineage reads the report's contract, not collation's records: those are being restructured, the JSON is fixed
by the JSON contract, and a group saved as JSON can be analysed again later. A report in memory is read through
:func:`group_form`, the few keys lineage reads in that shape, without quoting every text from the documents as
the JSON renderer does (lineage compares :func:`canonical` letters, which quoting does not change), so a report
quotes its findings once, to print them.

Every finding becomes one or more :class:`~dedup.lineage.tree.Change` signatures, weighted by how unlikely two
copies are to make that change independently (roughly ``-log`` of the chance, so weights add up like bits of
evidence; one substituted word, 3, is worth three dropped middle paragraphs):

==============  ======  ========================================================================================
kind            weight  why
==============  ======  ========================================================================================
substituted     3 / 2   one word became one other word at one place: editors choose among thousands of words.
                        An edit of a single character (a 的 dropped) is likelier to recur, 2. One per edit.
                        An insertion of ``LONG_INSERT`` letters or more is no word change but a paragraph that
                        collation glued to its neighbour: it counts as an added paragraph, so that it matches
                        the same paragraph reported as added in another copy. Likewise a replacement or
                        deletion (not garbled) of that many letters of the reference is a cut of them (as
                        ``truncated``), whatever was glued in their place.
garbled         3       OCR or mojibake noise is random: the same noise twice is a copy of the same scan.
truncated       3 / 1.5 a cut at the same character mid-sentence is a shared cut; a cut at a sentence end is a
                        place any editor might choose, 1.5.
added           3       the same foreign paragraph inserted twice is copied, not chosen twice. But a copier
                        may leave a foreign paragraph behind (a site's navigation line, an address), so a
                        copy that lacks one may still descend from the copy that has it (``undoable``).
                        Merged, split and reordered are undoable in that sense too: they are read off each
                        copy's own paragraph boundaries and order, which its layout and later moves change.
duplicated      1.5     a repeated paragraph is a paste slip; the same one twice is suggestive.
dropped         1 / 0.3 dropping a middle paragraph to fit a page is common; dropping the *last* paragraph
                        (a sign-off, a photo note) is what most copies do, 0.3.
reordered       1       the same paragraph moved: the move is recognisable, its target less so.
split           1       the same paragraph split: editors split long paragraphs at the obvious place.
merged          0.7     a heading glued to its body is the commonest web layout accident.
==============  ======  ========================================================================================

Edit strings and cut texts are compared after folding width, script (Traditional to Simplified) and glued
pinyin, and without punctuation, so that the same change survives a copy's layout. A paragraph cut short that a copy's
page glued to its neighbour (reported dropped, its head inserted into the next paragraph) is read as the cut.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dedup.collate.records import Finding, GroupReport
from dedup.lineage.tree import (
    Carried,
    Change,
    CopyChanges,
    FindingRef,
    Lineage,
    LineageConfig,
    LineageInput,
    infer_lineage,
    weight,
)
from dedup.normalize import simplified

CONSENSUS = "consensus"
MIN_COPIES = 3

W_WORD, W_CHAR = 3.0, 2.0
W_GARBLED = 3.0
W_CUT, W_CUT_AT_SENTENCE = 3.0, 1.5
W_ADDED = 3.0
W_DUPLICATED = 1.5
W_DROPPED, W_DROPPED_LAST = 1.0, 0.3
W_REORDERED = 1.0
W_SPLIT = 1.0
W_MERGED = 0.7
LONG_INSERT = 20  # letters: longer than any changed word or phrase, shorter than a paragraph

_PINYIN = re.compile(r"\([a-zA-Z\u00c0-\u024f\u1e00-\u1eff]+\)")
_NOT_CONTENT = re.compile(r"[\W_]+")
_SENTENCE_END = "。！？!?…"
# Reported from one copy's own layout or order, so a copy of a copy may not show them again: paragraph
# boundaries depend on how each copy's page was unwrapped, and which paragraphs count as moved is the smallest
# set for that copy's whole order, which a further move can change.
_UNSTABLE = frozenset({"merged", "split", "reordered"})


def canonical(text: str) -> str:
    """The letters of a text as matching sees them: width folded, Simplified, no glued pinyin, no punctuation.

    >>> canonical("召開(kāi)，全會 ")
    '召开全会'
    """
    text = _PINYIN.sub("", unicodedata.normalize("NFKC", text))
    return _NOT_CONTENT.sub("", simplified(text))


def _paragraph(finding: Mapping[str, Any]) -> int | None:
    ref = finding.get("ref")
    return None if ref is None else int(ref["paragraph"])


def _cut_at_sentence(ref_text: str, lost: str) -> bool:
    """Whether the cut between what survives and what is ``lost`` falls at a sentence end."""
    ref, lost = ref_text.strip(), lost.strip()
    if ref.startswith(lost):  # the head is lost
        return lost.endswith(tuple(_SENTENCE_END)) or lost[-2:-1] in _SENTENCE_END
    kept = ref[: len(ref) - len(lost)].rstrip()
    return kept.endswith(tuple(_SENTENCE_END)) or kept[-2:-1] in _SENTENCE_END


def finding_changes(finding: Mapping[str, Any], paragraphs: int) -> list[Change]:
    """The change signatures of one JSON finding (see the module docstring for the weights).

    Args:
        finding: one entry of a witness's ``findings``.
        paragraphs: how many paragraphs the reference has (a dropped last paragraph is weak evidence).

    >>> f = {"kind": "substituted", "ref": {"paragraph": 8, "text": "加强宣传引导"},
    ...      "edits": [{"op": "replace", "ref": "宣传", "copy": "言論", "at": 2}]}
    >>> finding_changes(f, 40)
    [Change(kind='substituted', paragraph=8, key=('replace', '宣传', '言论'), weight=3.0, undoable=False)]
    """
    kind = str(finding["kind"])
    para = _paragraph(finding)
    if kind in ("substituted", "garbled"):
        out = []
        for edit in finding.get("edits", []):
            ref, copy = canonical(edit.get("ref") or ""), canonical(edit.get("copy") or "")
            if not ref and not copy:
                continue
            if edit.get("op") == "insert" and len(copy) >= LONG_INSERT:
                out.append(Change("added", None, (copy,), W_ADDED, undoable=True))
                continue
            if kind == "substituted" and len(ref) >= LONG_INSERT:
                out.append(Change("truncated", para, (ref,), W_CUT))
                if len(copy) >= LONG_INSERT:
                    out.append(Change("added", None, (copy,), W_ADDED, undoable=True))
                continue
            if kind == "garbled":
                w = W_GARBLED
            else:
                w = W_WORD if len(ref) + len(copy) >= 2 and max(len(ref), len(copy)) >= 2 else W_CHAR
            out.append(Change(kind, para, (str(edit.get("op", "")), ref, copy), w))
        return out
    if kind == "truncated":
        lost = str(finding.get("lost") or "")
        ref_text = str((finding.get("ref") or {}).get("text") or "")
        w = W_CUT_AT_SENTENCE if _cut_at_sentence(ref_text, lost) else W_CUT
        return [Change(kind, para, (canonical(lost),), w)]
    if kind == "added":
        text = canonical(str((finding.get("copy") or {}).get("text") or ""))
        return [Change(kind, None, (text,), W_ADDED, undoable=True)] if text else []
    if kind == "merged":
        parts = tuple(int(p) for p in finding.get("ref_paragraphs") or ([para] if para else []))
        return [Change(kind, para, parts, W_MERGED, undoable=True)]
    if kind == "dropped":
        return [Change(kind, para, (), W_DROPPED_LAST if para == paragraphs else W_DROPPED)]
    simple = {"duplicated": W_DUPLICATED, "reordered": W_REORDERED, "split": W_SPLIT}
    return [Change(kind, para, (), simple.get(kind, 1.0), undoable=kind in _UNSTABLE)]


def _finding_form(finding: Finding) -> dict[str, Any]:
    """The keys of a JSON finding that :func:`finding_changes` reads, from the finding's matching text."""
    return {
        "kind": finding.kind,
        "ref": None if finding.ref is None else {"paragraph": finding.ref + 1, "text": finding.ref_text},
        "copy": None if finding.copy is None else {"text": finding.copy_text},
        "edits": [{"op": e.op, "ref": e.ref, "copy": e.copy} for e in finding.edits],
        "lost": finding.lost,
        "ref_paragraphs": [i + 1 for i in finding.ref_paragraphs],
    }


def group_form(group_report: GroupReport) -> dict[str, Any]:
    """A report's group in the shape :func:`lineage_input` reads (a subset of its JSON form), unquoted."""
    collation = group_report.collation
    results = {r.witness: r for r in collation.witnesses}
    form: dict[str, Any] = {
        "id": group_report.group.id,
        "reference": collation.reference,
        "witnesses": [
            {"id": w.id, "findings": [_finding_form(f) for f in results[w.id].findings], "strip": results[w.id].strip}
            for w in group_report.group.witnesses
        ],
    }
    if collation.reference == CONSENSUS:
        form["consensus"] = {"paragraphs": collation.reference_paragraphs}
    return form


def _split_at(text: str, letters: str, head: bool) -> tuple[str, str] | None:
    """``text`` cut where its first (``head``) or last ``letters`` end, as (kept, lost); None if it does not
    start (end) with them as :func:`canonical` sees it, or they are all of it."""
    if not letters or len(letters) >= len(canonical(text)):
        return None
    for i in range(1, len(text)):
        part = text[:i] if head else text[len(text) - i :]
        if canonical(part) == letters:
            return (part, text[i:]) if head else (part, text[: len(text) - i])
        if len(canonical(part)) > len(letters):
            break
    return None


def _unglue_cuts(findings: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Findings with each cut paragraph that the copy's page glued to its neighbour reported as the cut it is.

    A paragraph cut short leaves a short line, which unwrapping a page may join to the next (or previous)
    paragraph: collation then reports the paragraph dropped and its surviving head inserted at the start of
    the next one, where another copy of the same text, laid out otherwise, shows a cut. Both are rewritten
    here as that cut (a ``truncated`` finding in the dropped one's place, the insertion removed), so that the
    copies match.
    """
    out = list(findings)
    for k, finding in enumerate(findings):
        para, ref_text = _paragraph(finding), str((finding.get("ref") or {}).get("text") or "")
        if finding["kind"] != "dropped" or para is None or not ref_text:
            continue
        for j, other in enumerate(out):
            if other["kind"] not in ("substituted", "garbled") or _paragraph(other) not in (para - 1, para + 1):
                continue
            head = _paragraph(other) == para + 1
            edits = list(other.get("edits") or [])
            for e, edit in enumerate(edits):
                cut = (
                    _split_at(ref_text, canonical(edit.get("copy") or ""), head) if edit.get("op") == "insert" else None
                )
                if cut is not None:
                    out[k] = {"kind": "truncated", "ref": finding["ref"], "lost": cut[1]}
                    out[j] = {**other, "edits": edits[:e] + edits[e + 1 :]}
                    break
            if out[k] is not finding:
                break
    return out


def _copy_changes(witness: Mapping[str, Any], paragraphs: int) -> CopyChanges:
    carried: dict[Change, Carried] = {}
    for k, finding in enumerate(_unglue_cuts(witness.get("findings") or [])):
        for change in finding_changes(finding, paragraphs):
            carried.setdefault(change, Carried(change, FindingRef(str(witness["id"]), k)))
    return CopyChanges(str(witness["id"]), tuple(carried.values()))


def _reference_length(group: Mapping[str, Any]) -> int:
    consensus = group.get("consensus")
    if consensus:
        return len(consensus.get("paragraphs") or [])
    return max((len(w.get("strip") or []) for w in group["witnesses"]), default=0)


def _rebase(copies: Sequence[CopyChanges], root: str) -> tuple[CopyChanges, ...]:
    """Changes against the consensus re-expressed against one copy: a copy differs from the root where
    exactly one of them differs from the consensus (the root's own readings cite the root's findings)."""
    base = next(c for c in copies if c.witness == root)
    base_set = base.change_set()
    out = []
    for copy in copies:
        mine = copy.change_set()
        kept = [c for c in copy.changes if c.change not in base_set]
        kept += [c for c in base.changes if c.change not in mine]
        out.append(CopyChanges(copy.witness, tuple(kept)))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class LineageOutcome:
    """The lineage of a group, or ``None`` with the reason there is none (always a reason, for the report)."""

    lineage: Lineage | None
    reason: str


def lineage_input(group: Mapping[str, Any]) -> LineageInput | str:
    """A report group as lineage's input record, or the reason it has no lineage.

    With a witness as the reference, that witness is the root. With a consensus reference, the root is the
    copy with the least change weight against the consensus (the consensus itself is no copy anyone could
    have copied from), and every copy's changes are re-expressed against it.
    """
    witnesses = group.get("witnesses") or []
    if len(witnesses) < MIN_COPIES:
        return (
            f"{len(witnesses)} copies: who copied whom needs at least {MIN_COPIES} "
            "(with two, either may be the source of the other, or both of a third)"
        )
    paragraphs = _reference_length(group)
    copies = tuple(_copy_changes(w, paragraphs) for w in witnesses)
    reference = str(group.get("reference"))
    ids = [c.witness for c in copies]
    if reference in ids:
        return LineageInput(str(group["id"]), reference, copies)
    root = min(copies, key=lambda c: (weight(c.change_set()), c.witness)).witness
    return LineageInput(str(group["id"]), root, _rebase(copies, root))


def explain_lineage(group: Mapping[str, Any], config: LineageConfig | None = None) -> LineageOutcome:
    """:func:`lineage_of_group` with the reason: why the tree is rooted where it is, or why there is none."""
    data = lineage_input(group)
    if isinstance(data, str):
        return LineageOutcome(None, data)
    if data.root == group.get("reference"):
        reason = f"rooted at the reference {data.root}"
    else:
        reason = f"rooted at {data.root}, the copy that differs least from the {CONSENSUS}"
    return LineageOutcome(infer_lineage(data, config), reason)


def lineage_of_group(group: Mapping[str, Any], config: LineageConfig | None = None) -> dict[str, Any] | None:
    """The ``lineage`` of one group of a ``dedup report --format json`` payload, or None for fewer than three
    copies (:func:`explain_lineage` says why).

    Returns:
        ``{"root": ID, "edges": [{"parent", "child", "confidence", "shared": [{"witness", "finding"}]}],
        "intermediates": [ID, ...], "reason": "..."}``; ``shared`` cites findings by witness and 0-based index
        in that witness's ``findings``, strongest first.
    """
    outcome = explain_lineage(group, config)
    if outcome.lineage is None:
        return None
    return {**outcome.lineage.to_dict(), "reason": outcome.reason}
