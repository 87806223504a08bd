"""Golden cases of issue 11's classes, run through the real pipeline (``dedup.report`` on files on disk).

Each case (``tests/golden_classes/*.json``, written by ``tests/golden_classes/build.py`` from real People's Daily
articles) fixes the groups and, per file, exactly which findings dedup must report: their kind, the reference
paragraph they name (by its opening characters), and for two-copy cases the direction. A case dedup fails today
carries ``known_failure`` and runs as ``xfail(strict=True)``: the round that fixes dedup turns it green and must
then drop the mark.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

import dedup

CASES = Path(__file__).parent / "golden_classes"


def _content(text: str) -> str:
    """Letters and digits, NFKC: dedup's reference text is matching text (widths folded, punctuation kept)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        why = case["known_failure"]
        marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
        params.append(pytest.param(case, id=path.stem, marks=marks))
    return params


def _said(case: dict[str, Any], tmp_path: Path) -> tuple[list[list[str]], dict[str, list[dict[str, Any]]]]:
    """Run dedup on the case's files: the groups (file names) and each file's findings in the case's terms."""
    for name, text in case["files"].items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = dedup.report([str(tmp_path / name) for name in sorted(case["files"])], dedup.Config())
    groups: list[list[str]] = []
    findings: dict[str, list[dict[str, Any]]] = {}
    for gr in result.groups:
        names = {w.id: sorted({Path(s.path).name for s in w.segments}) for w in gr.group.witnesses}
        groups.append(sorted(n for ns in names.values() for n in ns))
        for wc in gr.collation.witnesses:
            for name in names[wc.witness]:
                findings.setdefault(name, [])
                for f in wc.findings:
                    findings[name].append(
                        {
                            "kind": f.kind,
                            "ref_text": f.ref_text or "",
                            "direction": getattr(f, "direction", None),
                        }
                    )
    return sorted(groups), findings


def _matches(want: dict[str, Any], got: dict[str, Any]) -> bool:
    if want["kind"] != got["kind"]:
        return False
    if not _content(got["ref_text"]).startswith(_content(want["ref_begins"])):
        return False
    return "direction" not in want or want["direction"] == got["direction"]


@pytest.mark.parametrize("case", _cases())
def test_golden_class(case: dict[str, Any], tmp_path: Path) -> None:
    groups, findings = _said(case, tmp_path)
    if case["groups"] is not None:
        assert groups == sorted(sorted(g) for g in case["groups"])
    for name, wanted in case["findings"].items():
        got = findings.get(name, [])
        unmatched = list(got)
        for want in wanted:
            hit = next((g for g in unmatched if _matches(want, g)), None)
            said = [(g["kind"], g["ref_text"][:14]) for g in got]
            assert hit is not None, f"{name}: expected {want}, dedup said {said}"
            unmatched.remove(hit)
        assert not unmatched, f"{name}: unexpected {[(g['kind'], g['ref_text'][:14]) for g in unmatched]}"


def test_every_class_of_the_issue_has_a_case() -> None:
    classes = {json.loads(p.read_text(encoding="utf-8"))["class"] for p in CASES.glob("*.json")}
    assert classes >= {"flattened web article", "preview copy", "OCR look-alikes", "two copies", "merged"}
