"""The HTML report: one self-contained file a person can browse, share by e-mail, and print.

It is built from the JSON payload (:func:`dedup.render.json.report_payload` or
:func:`~dedup.render.json.diff_payload`), the contract other programs read, so the page shows exactly what
``--format json`` prints and depends on nothing else. Why it is shaped as it is:

- **Overview on the server, details on demand.** The summary and the table of groups are rendered by Jinja2
  (autoescape on), so they read without JavaScript and print. Each group's details (strips, side by side,
  findings) travel as JSON, one ``<script type="application/json">`` per group, and become DOM nodes only when the
  group is opened: a browser opening a 1,000-group report parses a table, not 1,000 group views.
- **Article text is data.** The page's script reads the JSON with ``JSON.parse`` and puts text into the page with
  ``textContent`` only, never ``innerHTML``: a ``<script>`` or an ``onerror=`` in a copy is shown as written. Inside
  the script element ``<``, ``>``, ``&``, U+2028 and U+2029 are written as ``\\uXXXX`` (:func:`embed_json`), so
  ``</script>`` in an article cannot end the element.
- **Shaped here, drawn there.** This module turns a group into what the page draws (which findings stand on which
  reference paragraph, where an added paragraph goes, where a moved one went) so that the logic is tested in
  Python; the script only builds elements. A group's texts are kept once in a string table: the seeds' ¶27 is
  quoted by four findings, and a 1,000-group report stays well under its 20 MB budget.
- **Nothing fetched.** CSS and JavaScript are inlined, fonts are the reader's own (a CJK font stack), the favicon is
  a ``data:`` URL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from dedup import __version__
from dedup.collate.align import KINDS
from dedup.render.terminal import MOVED, STRIP

#: Characters written as ``\\uXXXX`` inside an embedded JSON block: ``<``/``>`` so no ``</script>`` or ``<!--``
#: can form, ``&`` for good measure, and the two line separators that older JavaScript parsers reject.
_UNSAFE_IN_SCRIPT = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
HEADLINE_CHARS = 40  # characters of the first paragraph shown as a group's headline

Span = list[Any]  # [path, start_line, end_line]: a place in a file, lines 1-based and inclusive


def embed_json(data: Any) -> Markup:
    """JSON that is safe as the content of a ``<script type="application/json">`` element.

    >>> str(embed_json({"t": "</script><b>&"}))
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    >>> json.loads(str(embed_json(["a\\u2028b"]))) == ["a\\u2028b"]
    True
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _UNSAFE_IN_SCRIPT.items():
        text = text.replace(char, escaped)
    return Markup(text)  # safe: every character that could end or open markup is escaped above


class Strings:
    """A group's string table: each distinct text stored once, referred to by its index.

    >>> table = Strings()
    >>> table.add("甲"), table.add("乙"), table.add("甲"), table.add(None)
    (0, 1, 0, None)
    >>> table.items
    ['甲', '乙']
    """

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, text: str | None) -> int | None:
        if text is None:
            return None
        if text not in self._index:
            self._index[text] = len(self.items)
            self.items.append(text)
        return self._index[text]


def span(where: Mapping[str, Any] | None) -> Span | None:
    """A file place from the payload (``{path, start_line, end_line, ...}``) as ``[path, start, end]``."""
    if not where:
        return None
    return [where.get("path", ""), where.get("start_line"), where.get("end_line")]


def lost_side(ref_text: str | None, lost: str | None) -> str | None:
    """Which end of the reference paragraph a truncated copy lost, read off the texts (never off the finding's
    human-readable ``detail``): ``head``, ``tail``, or ``None`` when neither end matches.

    >>> lost_side("一二三四", "一二"), lost_side("一二三四", "三四"), lost_side("一二三四", "二三")
    ('head', 'tail', None)
    """
    if not ref_text or not lost:
        return None
    if ref_text.startswith(lost):
        return "head"
    if ref_text.endswith(lost):
        return "tail"
    return None


def _edit_view(edit: Mapping[str, Any]) -> list[Any]:
    """``[ref, copy, at, copy_at, flag]``: the texts as printed, their offsets (-1 when unknown) and
    ``number``/``name``/``""`` for an edit that changes a number or swaps a name."""
    flag = "number" if edit.get("number") else "name" if edit.get("name") else ""
    return [edit.get("ref", ""), edit.get("copy", ""), edit.get("at", -1), edit.get("copy_at", -1), flag]


def finding_view(finding: Mapping[str, Any], strings: Strings) -> dict[str, Any]:
    """One finding as the page draws it: the payload's fields, texts replaced by string-table indexes."""
    ref, copy = finding.get("ref"), finding.get("copy")
    out: dict[str, Any] = {"kind": finding.get("kind", "")}
    if ref:
        out["para"] = ref.get("paragraph")
        out["paras"] = list(finding.get("ref_paragraphs") or [ref.get("paragraph")])
        out["ref_text"] = strings.add(ref.get("text"))
        out["ref_at"] = span(ref.get("quoted_from"))
        out["whole"] = "parts" not in ref and len(out["paras"]) == 1  # ref.text is this one paragraph's
    if copy:
        out["copy_at"] = span(copy)
        out["copy_text"] = strings.add(copy.get("text"))
    out["edits"] = [_edit_view(e) for e in finding.get("edits", ())]
    for key in ("detail", "direction"):
        if finding.get(key):
            out[key] = finding[key]
    if finding.get("lost"):
        out["lost"] = strings.add(finding["lost"])
        out["lost_side"] = lost_side((ref or {}).get("text"), finding["lost"])
    if finding.get("occurrences"):
        out["occurrences"] = [span(o) for o in finding["occurrences"]]
    return out


def _copy_key(where: Span, paths: Sequence[str]) -> tuple[int, int]:
    """Reading order of a place in a witness: its segment (a page jump's second file comes second), then line."""
    path, start = where[0], where[1] or 0
    return (paths.index(path) if path in paths else len(paths), start)


def lay_out(findings: Sequence[dict[str, Any]], paths: Sequence[str], paragraphs: int) -> list[list[Any]]:
    """The side-by-side rows of one copy: ``[paragraph, [finding indexes]]`` for reference paragraphs 1..N, and
    ``[None, [i]]`` for each added paragraph, placed after the row of the located paragraph that precedes it in the
    copy. Also sets ``after`` on each ``reordered`` finding: the reference paragraph it follows in the copy (0 at
    its start), which the page links to, so that a moved paragraph is linked to where it went.

    A paragraph merged with another stands on each of its rows (with the same copy text), so both rows say so.

    >>> fs = [{"kind": "dropped", "paras": [1]},
    ...       {"kind": "added", "copy_at": ["b", 3, 3]},
    ...       {"kind": "reordered", "paras": [2], "copy_at": ["b", 1, 1]},
    ...       {"kind": "substituted", "paras": [3], "copy_at": ["b", 5, 5]}]
    >>> lay_out(fs, ["b"], 3)
    [[1, [0]], [2, [2]], [None, [1]], [3, [3]]]
    >>> fs[2]["after"]
    0
    """
    rows: dict[int, list[int]] = {p: [] for p in range(1, paragraphs + 1)}
    located: list[tuple[tuple[int, int], int]] = []  # (copy order, reference paragraph)
    for i, finding in enumerate(findings):
        for p in finding.get("paras", ()):
            rows.setdefault(p, []).append(i)
            if finding.get("copy_at"):
                located.append((_copy_key(finding["copy_at"], paths), p))
    located.sort()

    def preceding(key: tuple[int, int], exclude: int | None = None) -> int:
        before = [p for k, p in located if k < key and p != exclude]
        return before[-1] if before else 0

    added_after: dict[int, list[tuple[tuple[int, int], int]]] = {}
    for i, finding in enumerate(findings):
        if finding.get("copy_at") is None:
            continue
        key = _copy_key(finding["copy_at"], paths)
        if finding["kind"] == "added":
            added_after.setdefault(preceding(key), []).append((key, i))
        elif finding["kind"] == "reordered":
            finding["after"] = preceding(key, exclude=finding.get("para"))
    out: list[list[Any]] = []
    for p in [0, *sorted(rows)]:
        if p:
            out.append([p, rows[p]])
        out.extend([None, [i]] for _, i in sorted(added_after.get(p, ())))
    return out


def finding_label(finding: Mapping[str, Any]) -> str:
    """A finding in a few words: its kind, its reference paragraph, and its first edit if it has one.

    >>> finding_label({"kind": "substituted", "ref": {"paragraph": 7}, "edits": [{"ref": "正向", "copy": "导向"}]})
    'substituted ¶7 正向→导向'
    """
    ref = finding.get("ref")
    label = str(finding.get("kind", ""))
    if isinstance(ref, Mapping) and ref.get("paragraph") is not None:
        label += f" ¶{ref['paragraph']}"
    edits = finding.get("edits") or ()
    if edits:
        label += f" {edits[0].get('ref', '')}→{edits[0].get('copy', '')}"
    return label


def _lineage_label(item: Any, findings: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    """A lineage ``shared`` entry as a short label: ``{"witness", "finding"}`` (the index of one of that copy's
    findings, as the lineage stage writes it) is told by the finding it cites; any other shape as it is."""
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        cited = findings.get(str(item.get("witness")), ())
        index = item.get("finding")
        if isinstance(index, int) and 0 <= index < len(cited):
            return finding_label(cited[index])
        if item.get("kind"):
            return finding_label(item)
    return json.dumps(item, ensure_ascii=False)[:80]


def lineage_view(
    lineage: Mapping[str, Any] | None, witnesses: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]] | None:
    """A lineage tree (``{root, edges}``) as rows in depth-first order, each ``{id, depth, confidence, shared,
    seen}`` (``seen`` false for an inferred intermediate copy); edges not reachable from the root follow at depth 1.

    >>> tree = {"root": "W1", "edges": [{"parent": "W1", "child": "X1", "confidence": 0.5, "shared": []},
    ...                                 {"parent": "X1", "child": "W2", "confidence": 0.9,
    ...                                  "shared": [{"kind": "substituted", "paragraph": 7}]}]}
    >>> copies = [{"id": "W1"}, {"id": "W2", "findings": [{"kind": "dropped", "ref": {"paragraph": 7}}]}]
    >>> tree["edges"][1]["shared"] = [{"witness": "W2", "finding": 0}]
    >>> [(r["id"], r["depth"], r["seen"], r["shared"]) for r in lineage_view(tree, copies)]
    [('W1', 0, True, []), ('X1', 1, False, []), ('W2', 2, True, ['dropped ¶7'])]
    """
    if not lineage or not lineage.get("root"):
        return None
    seen_ids = {str(w.get("id")) for w in witnesses}
    findings = {str(w.get("id")): w.get("findings", ()) for w in witnesses}
    children: dict[str, list[Mapping[str, Any]]] = {}
    for edge in lineage.get("edges", ()):
        children.setdefault(str(edge.get("parent")), []).append(edge)
    rows: list[dict[str, Any]] = []
    placed: set[str] = set()

    def visit(node: str, depth: int, edge: Mapping[str, Any] | None) -> None:
        placed.add(node)
        rows.append(
            {
                "id": node,
                "depth": depth,
                "confidence": None if edge is None else edge.get("confidence"),
                "shared": [_lineage_label(s, findings) for s in (edge or {}).get("shared", ())],
                "seen": node in seen_ids,
            }
        )
        for child in children.get(node, ()):
            if str(child.get("child")) not in placed:
                visit(str(child.get("child")), depth + 1, child)

    visit(str(lineage["root"]), 0, None)
    for edge in lineage.get("edges", ()):
        if str(edge.get("child")) not in placed:
            visit(str(edge.get("child")), 1, edge)
    return rows


def paragraph_texts(view: Mapping[str, Any], finding: Mapping[str, Any]) -> list[tuple[int, str]]:
    """The reference paragraphs whose whole text a finding quotes: its own paragraph, or for a finding over several
    (``merged``, quoted with ``parts``) each part, when the quoted text has one line per part.

    >>> merged = {"ref": {"paragraph": 4, "text": "甲。\\n乙。", "parts": [{"paragraph": 4}, {"paragraph": 5}]}}
    >>> paragraph_texts({"paras": [4, 5], "whole": False}, merged)
    [(4, '甲。'), (5, '乙。')]
    """
    ref = finding.get("ref") or {}
    text = ref.get("text")
    if not isinstance(text, str):
        return []
    if view.get("whole"):
        return [(view["para"], text)]
    parts = [part.get("paragraph") for part in ref.get("parts", ())]
    lines = text.split("\n")
    if parts and len(parts) == len(lines) and all(isinstance(p, int) for p in parts):
        return list(zip(parts, lines, strict=True))
    return []


def group_view(group: Mapping[str, Any]) -> dict[str, Any]:
    """What the page needs to draw one group: witnesses with strips, findings and side-by-side rows, the reference
    paragraphs' texts where the payload quotes them (every paragraph of a consensus; for a witness reference, the
    paragraphs some finding quotes: a paragraph every copy kept is not in the payload), and the lineage."""
    strings = Strings()
    witnesses = list(group.get("witnesses", ()))
    paragraphs = max((len(w.get("strip", ())) for w in witnesses), default=0)
    texts: list[int | None] = [None] * paragraphs
    for i, text in enumerate((group.get("consensus") or {}).get("paragraphs", ())[:paragraphs]):
        texts[i] = strings.add(text)
    views = []
    for witness in witnesses:
        findings = [finding_view(f, strings) for f in witness.get("findings", ())]
        for finding, raw in zip(findings, witness.get("findings", ()), strict=True):
            for para, text in paragraph_texts(finding, raw):
                if 0 < para <= paragraphs and texts[para - 1] is None:
                    texts[para - 1] = strings.add(text)
        segments = [span(s) for s in witness.get("segments", ())]
        paths = [s[0] for s in segments if s]
        views.append(
            {
                "id": witness.get("id", ""),
                "segments": segments,
                "coverage": witness.get("coverage"),
                "similarity": witness.get("similarity"),
                "source": witness.get("source"),
                "strip": list(witness.get("strip", ())),
                "moved": sorted({f["para"] for f in findings if f["kind"] == "reordered" and f.get("para")}),
                "findings": findings,
                "rows": lay_out(findings, paths, len(witness.get("strip", ()))),
            }
        )
    return {
        "id": group.get("id", ""),
        "reference": group.get("reference", ""),
        "reason": group.get("reference_reason", ""),
        "headline": headline(group),
        "texts": texts,
        "strings": strings.items,
        "witnesses": views,
        "lineage": lineage_view(group.get("lineage"), witnesses),
        "lineage_reason": (group.get("lineage") or {}).get("reason", ""),
    }


def headline(group: Mapping[str, Any]) -> str:
    """The story's headline (a ``headline`` field where the payload has one) or the first words of the earliest
    reference paragraph the payload quotes; failing that, of the first copy text it quotes."""
    if group.get("headline"):
        return str(group["headline"])
    first: tuple[int, str] | None = None
    fallback = ""
    for text in (group.get("consensus") or {}).get("paragraphs", ())[:1]:
        first = (1, text)
    for witness in group.get("witnesses", ()):
        for finding in witness.get("findings", ()):
            ref, copy = finding.get("ref"), finding.get("copy")
            if ref and ref.get("text") and "parts" not in ref and (first is None or ref["paragraph"] < first[0]):
                first = (ref["paragraph"], ref["text"])
            if copy and copy.get("text") and not fallback:
                fallback = copy["text"]
    text = " ".join((first[1] if first else fallback).split())
    return text if len(text) <= HEADLINE_CHARS else text[:HEADLINE_CHARS] + "…"


def overview_row(index: int, group: Mapping[str, Any]) -> dict[str, Any]:
    """One row of the table of groups: headline, copies, reference, coverage range, findings per kind, files."""
    witnesses = list(group.get("witnesses", ()))
    reference = group.get("reference", "")
    copies = [w for w in witnesses if w.get("id") != reference] or witnesses
    coverage = [float(w["coverage"]) for w in copies if isinstance(w.get("coverage"), int | float)]
    counts = Counter(f.get("kind") for w in witnesses for f in w.get("findings", ()))
    paths = sorted({s.get("path", "") for w in witnesses for s in w.get("segments", ())})
    return {
        "index": index,
        "id": group.get("id", ""),
        "headline": headline(group),
        "copies": len(witnesses),
        "reference": reference,
        "coverage_lo": min(coverage, default=0.0),
        "coverage_hi": max(coverage, default=0.0),
        "counts": [counts.get(k, 0) for k in KINDS],
        "findings": sum(counts.values()),
        "paths": paths,
    }


def _summary(payload: Mapping[str, Any], groups: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The corpus in numbers: documents read, skipped inputs with their reasons, groups, copies, findings by kind."""
    inputs = list(payload.get("inputs", ()))
    counts = Counter(f.get("kind") for g in groups for w in g.get("witnesses", ()) for f in w.get("findings", ()))
    return {
        "documents": sum(1 for i in inputs if i.get("status") == "ok"),
        "skipped": [i for i in inputs if i.get("status") != "ok"],
        "groups": len(groups),
        "copies": sum(len(g.get("witnesses", ())) for g in groups),
        "kinds": [(k, counts.get(k, 0)) for k in KINDS],
        "warnings": list(payload.get("warnings", ())),
    }


def is_diff_payload(payload: Mapping[str, Any]) -> bool:
    """Whether the payload is ``dedup diff``'s (a reference and a copy) rather than a report's (groups)."""
    return "groups" not in payload and isinstance(payload.get("copy"), str)


def diff_group(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A diff payload as a group of one copy, so that the page draws it with the group view: the reference is
    not a witness of its own (its text is quoted in the findings), the copy is the one witness."""
    copy: dict[str, Any] = {
        "id": payload.get("copy", ""),
        "segments": [{"path": payload.get("copy", "")}],
        "strip": payload.get("strip", []),
        "findings": payload.get("findings", []),
    }
    return {"id": "diff", "reference": payload.get("reference", ""), "witnesses": [copy]}


_LOADER = PackageLoader("dedup.render", "templates")
_ENV = Environment(
    loader=_LOADER,
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _asset(name: str) -> Markup:
    """A static file of the templates folder (the page's CSS or script), inlined as it is: it is ours, not data,
    and holds no ``</``."""
    source = _LOADER.get_source(_ENV, name)[0]
    if "</" in source:
        raise ValueError(f"{name} must not contain '</': it is inlined into a <style> or <script> element")
    return Markup(source)  # our own stylesheet and script, not data


def kind_letters() -> dict[str, str]:
    """Each finding kind's letter: the strip's where the strip has the kind, ``r`` (the strip's second row) for
    ``reordered``, ``+`` for ``added`` (a copy paragraph with no cell in the strip)."""
    letters: dict[str, str] = {kind: STRIP[kind][0] for kind in KINDS if kind in STRIP}
    letters.update(reordered=MOVED[0], added="+")
    return letters


def legend() -> list[dict[str, str]]:
    """The strip's letters, as the terminal prints them: one entry per letter (``reordered`` shares ``·`` with
    ``kept`` on the first row and has ``r`` on the second)."""
    out = [{"status": status, "letter": letter} for status, (letter, _) in STRIP.items() if status != "reordered"]
    out.append({"status": "moved", "letter": MOVED[0]})
    return out


def render_html(payload: Mapping[str, Any]) -> str:
    """The whole page for a ``report`` or a ``diff`` JSON payload, as one string of HTML."""
    diff = is_diff_payload(payload)
    groups = [diff_group(payload)] if diff else list(payload.get("groups", ()))
    style, script = _asset("report.css"), _asset("report.js")
    letters = kind_letters()
    config = payload.get("config")
    return _ENV.get_template("report.html.j2").render(
        diff=diff,
        payload=payload,
        summary=_summary(payload, groups),
        rows=[overview_row(i, g) for i, g in enumerate(groups)],
        details=[embed_json(group_view(g)) for g in groups],
        kinds=KINDS,
        letters=letters,
        config_text=json.dumps(config, ensure_ascii=False, indent=2) if config else "",
        version=__version__,
        page=embed_json(
            {
                "kinds": KINDS,
                "letters": letters,
                "legend": legend(),
                "diff": diff,
                "compared": not diff or "strip" in payload,
                "strip": {status: letter for status, (letter, _) in STRIP.items()},
            }
        ),
        style=style,
        style_hash=csp_hash(style),
        script=script,
        script_hash=csp_hash(script),
    )


def csp_hash(source: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline style or script and nothing else.

    >>> csp_hash("")
    'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='
    """
    return "sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")


def write_html(payload: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Render ``payload`` and write it to ``path`` atomically: into a temporary file beside it, then renamed, so a
    reader (or a browser reloading) never sees half a report, and a failed render leaves any old report in place.
    The file gets the usual permissions (0666 less the umask), not the temporary file's 0600."""
    target = Path(path)
    text = render_html(payload)
    temp: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
        ) as handle:
            temp = Path(handle.name)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        temp.chmod(0o666 & ~umask)
        os.replace(temp, target)
    except BaseException:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise
    return target
