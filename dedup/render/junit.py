"""JUnit XML for ``dedup check --junit``: the gate's outcome in the format CI systems show natively.

One test case per drop document (failing with its ``--fail-on`` findings, quoted from the documents' own
text), one per corpus-wide gate, and a skipped case per input that could not be read, so that a CI page
lists every document of the drop and why it passed or failed.

File names and quoted text are data: they may hold characters XML 1.0 cannot carry at all, not even as a
character reference (C0 controls other than tab and line breaks, lone surrogates from a file name that is
not UTF-8, U+FFFE and U+FFFF). ElementTree writes them as they are, and every CI parser then refuses the
whole file, even for a passing check. :func:`xml_safe` spells each out as text (``\\x1b``, ``\\xff``).
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from dedup.collate.quoting import QuotedFinding
from dedup.collate.records import CollatedScan, Finding
from dedup.render.controls import spelled
from dedup.results import CheckResult

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold spelled out; serialized XML holds them only in
    text and attribute values, so the whole document can be passed.

    >>> xml_safe('<testcase name="a\\x1b[2J\\udcff.txt"/>')
    '<testcase name="a\\\\x1b[2J\\\\xff.txt"/>'
    """
    return _NOT_XML.sub(spelled, text)


def _failure_line(finding: Finding, quoted: QuotedFinding | None = None) -> str:
    where = str(finding.copy) if finding.copy is not None else f"reference ¶{(finding.ref or 0) + 1}"
    ref_text = finding.ref_text if quoted is None else quoted.ref_text
    if finding.copy is None and quoted is not None and quoted.quoted_from is not None:
        where += f" ({quoted.quoted_from})"
    text = (finding.copy_text if finding.copy is not None else ref_text) or ""
    return f"{finding.kind} at {where}: {text[:60]}"


def junit_xml(result: CheckResult) -> str:
    """A JUnit report: one test case per drop document (failing if it shows a ``--fail-on`` finding), plus one
    per corpus-wide gate, so CI systems show the check natively."""
    suite = ET.Element("testsuite", name="dedup check")
    failing = any(d.failures for d in result.drop)
    quotes = CollatedScan.of(result.scan, result.collations if failing else {})
    cases = 0
    failures = 0
    for document in result.drop:
        case = ET.SubElement(suite, "testcase", classname="dedup.check.drop", name=document.path)
        cases += 1
        if document.failures:
            failures += 1
            quoted = quotes.quoted_in(document.path, document.failures)
            lines = [_failure_line(f, q) for f, q in zip(document.failures, quoted, strict=True)]
            failure = ET.SubElement(case, "failure", message=f"{len(document.failures)} finding(s)", type="findings")
            failure.text = "\n".join(lines)
        out = ET.SubElement(case, "system-out")
        out.text = "reprints: " + "; ".join(document.reprints) if document.reprints else "unique"
    for gate in result.gates:
        if gate.name == "fail-on":
            continue
        case = ET.SubElement(suite, "testcase", classname="dedup.check.gate", name=gate.name)
        cases += 1
        if not gate.passed:
            failures += 1
            ET.SubElement(case, "failure", message=gate.detail, type="gate")
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    skipped = [r for r in result.scan.inputs if r.status == "skipped"]
    for record in skipped:
        case = ET.SubElement(suite, "testcase", classname="dedup.check.input", name=record.path)
        ET.SubElement(case, "skipped", message=record.reason or "")
    suite.set("skipped", str(len(skipped)))
    suite.set("tests", str(cases + len(skipped)))
    return xml_safe(ET.tostring(suite, encoding="unicode", xml_declaration=True))
