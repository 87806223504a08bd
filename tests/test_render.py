"""Reports quote the documents' own text: every text a finding shows (reference paragraph, copy paragraph, lost
part, each edit) is a stretch of the raw file it cites, in its own script, width and punctuation; the reference
side cites its file and lines; the terminal marks the edits on the copy's text as printed."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import opencc
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dedup.cli import EXIT_OK, app
from dedup.collate.quoting import QuotedFinding, quote_findings, quote_map, witness_reference
from dedup.collate.records import CopyParagraph
from dedup.collate.reference import collate
from dedup.collate.witnesses import copy_paragraphs
from dedup.normalize import normalize
from dedup.pipeline.report import read_witness, report
from dedup.pipeline.scan import ScannedDocument
from dedup.prepare import prepare_document
from dedup.records import Document

from .corpora import story

runner = CliRunner()
PLAIN = {"NO_COLOR": "1", "COLUMNS": "400"}
WEB = "seeds/001_d368fce8cd43ddb5.txt"
PAGE1 = "seeds/002_9a75527b5092d3dd.txt"

_S2T = opencc.OpenCC("s2t")
_PINYIN = {"會": "會(huì)", "發": "發(fā)", "為": "為(wèi)", "國": "國(guó)"}
TITLE = "水利改革调动农民积极性"


def ascii_digits(text: str) -> str:
    return text.translate({cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)})


def traditional(text: str) -> str:
    """``text`` as seed 003 prints: Traditional script, pinyin glued after some characters."""
    out = str(_S2T.convert(text))
    for plain, annotated in _PINYIN.items():
        out = out.replace(plain, annotated)
    return out


def wire() -> list[str]:
    """The reference: a real story in Simplified script, ASCII digits, full-width Chinese punctuation."""
    return [ascii_digits(p) for p in story(3)]


def damaged(paragraphs: list[str]) -> list[str]:
    """A copy that changed a year and a word, left out the third paragraph and lost the fifth one's head."""
    p = list(paragraphs)
    assert "1996" in p[0] and "利用率提高" in p[1]
    p[0] = p[0].replace("1996", "１９９７", 1)
    p[1] = p[1].replace("利用率提高", "利用率提升")
    first_sentence = p[4].index("。") + 1
    assert first_sentence >= 8, "the lost head is long enough to count"
    return [p[0], p[1], p[3], p[4][first_sentence:], p[5]]


def write(path: Path, title: str, paragraphs: list[str]) -> str:
    path.write_text("\n\n".join([title, *paragraphs]) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A Simplified wire copy and a Traditional, pinyin-annotated, full-width copy of it."""
    root = tmp_path_factory.mktemp("quoting")
    return {
        "wire": write(root / "wire.txt", TITLE, wire()),
        "trad": write(root / "trad.txt", traditional(TITLE), [traditional(p) for p in damaged(wire())]),
    }


def raw_lines(path: str, start: int, end: int) -> str:
    """The raw text of lines ``start..end``, joined as a paragraph's lines are joined for quoting."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return "".join(line.strip() for line in lines[start - 1 : end])


def assert_quoted(finding: dict[str, Any]) -> None:
    """Every text of a JSON finding measured against a witness is a stretch of the raw file it cites."""
    ref, copy = finding["ref"], finding["copy"]
    if copy is not None:
        assert copy["text"] in raw_lines(copy["path"], copy["start_line"], copy["end_line"]), finding["kind"]
    if ref is not None:
        where = ref["quoted_from"]
        assert where is not None, f"a witness reference is always quoted: {finding['kind']}"
        parts = ref.get("parts") or [{"quoted_from": where}]
        for text, part in zip(ref["text"].split("\n"), parts, strict=True):
            span = part["quoted_from"]
            assert text in raw_lines(span["path"], span["start_line"], span["end_line"]), finding["kind"]
    if finding.get("lost"):
        assert finding["lost"] in ref["text"]
    for edit in finding["edits"]:
        assert ref["text"][edit["at"] : edit["at"] + len(edit["ref"])] == edit["ref"]
        assert copy["text"][edit["copy_at"] : edit["copy_at"] + len(edit["copy"])] == edit["copy"]


def report_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["report", *args, "-f", "json", "-q"])
    assert result.exit_code == EXIT_OK, result.stderr
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def findings_of(payload: dict[str, Any]) -> list[dict[str, Any]]:
    (group,) = payload["groups"]
    return [f for w in group["witnesses"] for f in w["findings"]]


# --- the seeds ------------------------------------------------------------------------------------------------


def test_seed_findings_quote_the_raw_files() -> None:
    findings = findings_of(report_json("seeds"))
    assert len(findings) > 40
    for finding in findings:
        assert_quoted(finding)
    dropped = next(f for f in findings if f["kind"] == "dropped" and f["ref"]["text"].startswith("面对疫情防控"))
    assert "重大斗争，各地突" in dropped["ref"]["text"], "002 prints a full-width comma"
    assert dropped["ref"]["quoted_from"]["path"] == PAGE1 and dropped["copy"] is None
    cut = next(f for f in findings if f["kind"] == "truncated" and f["copy"]["text"].startswith("研为抓手"))
    assert cut["lost"].startswith("坚持把功夫下在平时。福建传承弘扬“四下基层”"), "the lost head as printed"


def test_seed_terminal_marks_edits_on_the_copys_text() -> None:
    result = runner.invoke(app, ["report", "seeds"], env=PLAIN)
    assert result.exit_code == EXIT_OK
    out = result.stdout
    assert "精神的根脉和源头，揭示了{+我们+}党历经百年" in out, "001:9 prints 源头，揭示了我们党"
    assert "加油鼓劲的[-正向-]{+导向+}激励体系”，鲜明指出" in out
    assert "[-面对疫情防控、抗洪抢险等重大斗争，各地突出" in out
    assert f"reference {PAGE1}:29-29" in out, "a dropped paragraph cites the reference's own lines"
    assert "重大斗争,各地" not in out and "源头,揭示" not in out, "no matching text is shown"


def test_the_python_api_gives_the_quotes() -> None:
    (group,) = report(["seeds"]).groups
    assert group.base is not None and group.texts[group.base].id == group.collation.reference
    web = next(r.witness for r in group.collation.witnesses if r.witness != group.collation.reference)
    quoted = group.quoted(web)
    assert [q.finding for q in quoted] == list(next(r for r in group.collation.witnesses if r.witness == web).findings)
    sub = next(q for q in quoted if any(e.edit.ref == "正向" and e.edit.copy == "导向" for e in q.edits))
    assert sub.quoted_from is not None and sub.quoted_from.path in {PAGE1, "seeds/000_1eaa65c1cfd94755.txt"}
    assert sub.copy_text is not None and sub.copy_range is not None
    for q in quoted:
        assert_consistent(q)


def assert_consistent(q: QuotedFinding) -> None:
    for e in q.edits:
        assert q.ref_text is not None and q.ref_text[e.ref_at : e.ref_at + len(e.ref)] == e.ref
        assert q.copy_text is not None and q.copy_text[e.copy_at : e.copy_at + len(e.copy)] == e.copy


# --- a Traditional, full-width, pinyin-annotated copy ---------------------------------------------------------


def test_a_traditional_copy_is_quoted_in_traditional(corpus: dict[str, str]) -> None:
    payload = report_json(corpus["wire"], corpus["trad"], "--reference", corpus["wire"])
    findings = findings_of(payload)
    for finding in findings:
        assert_quoted(finding)
    kinds = {f["kind"] for f in findings}
    assert {"substituted", "dropped", "truncated"} <= kinds, kinds
    edits = {(e["ref"], e["copy"]): e for f in findings for e in f["edits"]}
    assert ("6", "７") in edits and edits[("6", "７")].get("number"), "the year as each file prints it"
    assert ("提高", "提升") in edits, "the whole word"
    year = next(f for f in findings if any(e["copy"] == "７" for e in f["edits"]))
    assert "１９９７年" in year["copy"]["text"] and "1996年" in year["ref"]["text"]
    assert "彌補了國(guó)家" in year["copy"]["text"], "Traditional, the pinyin glued on, as 003 prints"
    trad_texts = [f["copy"]["text"] for f in findings if f["copy"] is not None]
    assert all(t == t.replace("会", "") for t in trad_texts), "no Simplified 会 where the copy prints 會"
    dropped = next(f for f in findings if f["kind"] == "dropped")
    assert dropped["ref"]["quoted_from"]["path"] == corpus["wire"]
    assert "，" in dropped["ref"]["text"] and "," not in dropped["ref"]["text"]


def test_a_traditional_reference_is_quoted_in_traditional(corpus: dict[str, str]) -> None:
    payload = report_json(corpus["wire"], corpus["trad"], "--reference", corpus["trad"])
    findings = findings_of(payload)
    for finding in findings:
        assert_quoted(finding)
    added = [f for f in findings if f["kind"] == "added"]
    assert added and all(f["ref"] is None for f in added)
    quoted_refs = [f["ref"]["text"] for f in findings if f["ref"] is not None]
    assert quoted_refs and all("会" not in t for t in quoted_refs)
    assert any("國(guó)" in t for t in quoted_refs), "Traditional, pinyin glued on, as the reference prints it"


def test_the_terminal_shows_the_traditional_copy_with_marks(corpus: dict[str, str]) -> None:
    result = runner.invoke(app, ["report", corpus["wire"], corpus["trad"], "--reference", corpus["wire"]], env=PLAIN)
    assert result.exit_code == EXIT_OK, result.stderr
    out = result.stdout
    trad = Path(corpus["trad"]).read_text(encoding="utf-8")
    year_line = next(line for line in trad.splitlines() if "１９９７" in line)
    before = year_line[: year_line.index("１９９７")][-6:]
    assert f"{before}１９９[-6-]{{+７+}}⚑number年" in out, "the copy's own text around the mark"
    assert "水的利用率[-提高-]{+提升+}，水費下降" in out, "Traditional 費 and the full-width comma, as printed"
    assert f"reference {corpus['wire']}:" in out
    assert "\x1b[" not in out


# --- consensus ------------------------------------------------------------------------------------------------


def test_a_consensus_reference_quotes_its_base_where_it_can(tmp_path: Path) -> None:
    paragraphs = wire()
    majority = [p.replace("彻底改变", "根本改变") for p in paragraphs]  # two of three copies print this
    assert majority != paragraphs
    files = [
        write(tmp_path / "a_wire.txt", TITLE, paragraphs),
        write(tmp_path / "b_trad.txt", traditional(TITLE), [traditional(p) for p in majority[:5]]),
        write(tmp_path / "c_web.txt", TITLE, majority[:2] + majority[3:]),
    ]
    payload = report_json(*files)
    (group,) = payload["groups"]
    assert group["reference"] == "consensus"
    consensus = group["consensus"]["paragraphs"]
    quoted, unquoted = 0, 0
    for finding in findings_of(payload):
        ref = finding["ref"]
        copy = finding["copy"]
        if copy is not None:
            assert copy["text"] in raw_lines(copy["path"], copy["start_line"], copy["end_line"])
            for edit in finding["edits"]:
                assert copy["text"][edit["copy_at"] : edit["copy_at"] + len(edit["copy"])] == edit["copy"]
        if ref is None or "parts" in ref:
            continue
        where = ref["quoted_from"]
        if where is None:
            unquoted += 1
            assert ref["text"] == consensus[ref["paragraph"] - 1], "the consensus reading, as the consensus has it"
        else:
            quoted += 1
            assert ref["text"] in raw_lines(where["path"], where["start_line"], where["end_line"])
        for edit in finding["edits"]:
            assert ref["text"][edit["at"] : edit["at"] + len(edit["ref"])] == edit["ref"]
    assert quoted and unquoted, (quoted, unquoted)


# --- the projection -----------------------------------------------------------------------------------------


def paragraphs_of(raw: str) -> list[CopyParagraph]:
    """A raw text prepared as a scan prepares it, its paragraphs as collation reads them."""
    prepared = prepare_document(Document("t.txt", raw, "utf-8"))
    document = ScannedDocument("t.txt", "utf-8", prepared.paragraphs, (), raw)
    return copy_paragraphs(document, 0, len(prepared.paragraphs) - 1)


def test_quotes_are_projected_through_deletions_and_folds() -> None:
    raw = "本周，湖北省委召開(kāi)十二屆十次全會(huì)，重點(diǎn)聚焦２０２１年"
    (paragraph,) = paragraphs_of(raw)
    text, quote = paragraph.text, paragraph.quote
    assert text == "本周,湖北省委召开十二届十次全会,重点聚焦2021年" and quote == raw
    m = quote_map(paragraph)
    assert m.starts is not None, "projected, not taken as the same text"
    assert m.cut(0, 3) == (0, "本周，")
    at = text.index("召开")
    assert m.cut(at, at + 2) == (quote.index("召開"), "召開")
    at = text.index("全会")
    assert m.cut(at, at + 3) == (quote.index("全會"), "全會(huì)，"), "an annotation inside a span goes with it"
    at = text.index("2021")
    assert m.cut(at, at + 4)[1] == "２０２１"
    assert m.point(len(text)) == len(quote)
    assert m.point(text.index("十二届")) == quote.index("十二屆"), "an insertion goes after the annotation"
    (same,) = paragraphs_of("新华社")
    assert quote_map(same).cut(1, 2) == (1, "华") and quote_map(same).point(3) == 3


def test_a_paragraph_without_text_lets_its_map_go() -> None:
    """A slim scan keeps paragraphs without their text; the offset map, a view of the document's array that
    would keep all of it alive, goes with the text."""
    (paragraph,) = prepare_document(Document("t.txt", "召開(kāi)會議", "utf-8")).paragraphs
    assert paragraph.origin.tolist() == [0, 1, 7, 8]
    assert len(replace(paragraph, text="", sentences=()).origin) == 0


def test_the_report_payload_carries_the_collation_settings() -> None:
    from dedup.config import CollateConfig, Config
    from dedup.render.json import report_payload

    config = Config(collate=CollateConfig(lost_min=10_000))
    result = report(["seeds"], config)
    assert report_payload(result)["config"]["collate"]["lost_min"] == 10_000
    kinds = {f.kind for g in result.groups for w in g.collation.witnesses for f in w.findings}
    assert "truncated" not in kinds and "substituted" in kinds, "the settings reached collation"
    printed = [p for g in result.groups for t in g.texts for p in t.paragraphs]
    assert printed and all(len(p.starts) == len(p.text) for p in printed), "every quoted paragraph is projected"


_PIECES = st.sampled_from(
    [
        *("新华社", "會議", "召開(kāi)", "國(guó)家", "２０２１", "年", "，", "。", "改革", "發展", "ABC", "x y"),
        *(" ", "\n", "\n\n", "  ", "&amp;", "（下转第3版）"),
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=30).map("".join))
@example("新华社" * 12 + "ABCABC\nABC" + "新华社" * 10)  # Latin words wrapped apart: the quote keeps their space
def test_every_projected_quote_lies_inside_the_printed_text_and_normalizes_back(raw: str) -> None:
    """The offset map always points inside the raw text (STYLE.md), and the printed stretch a paragraph's
    matching text projects to, normalized, is that matching text again: the projection quotes what the
    matching text was made of. (Markup is left out: a ``##`` is a heading mark only at a line's start, so a
    stretch cut out of its line may normalize otherwise.)"""
    if not normalize(Document("t.txt", raw, "utf-8")).text.strip():
        return
    for paragraph in paragraphs_of(raw):
        m = quote_map(paragraph)
        assert len(paragraph.starts) == len(paragraph.text), "every paragraph carries its map"
        for k in range(len(paragraph.text)):
            start, end = m.span(k, k + 1)
            assert 0 <= start <= end <= len(paragraph.quote)
        stretch = m.quote[slice(*m.span(0, len(paragraph.text)))]
        again = normalize(Document("q.txt", stretch, "utf-8")).text
        assert again == paragraph.text, (raw, stretch)


# --- check and diff -------------------------------------------------------------------------------------------


def test_check_failures_quote_the_indexed_and_the_drop_copies(tmp_path: Path) -> None:
    index = str(tmp_path / "held.sqlite")
    built = runner.invoke(app, ["index", "build", PAGE1, "seeds/000_1eaa65c1cfd94755.txt", "--index", index, "-q"])
    assert built.exit_code == EXIT_OK, built.stderr
    args = ["check", WEB, "--index", index, "--fail-on", "dropped,substituted", "-q"]
    result = runner.invoke(app, [*args, "-f", "json"])
    assert result.exit_code == 1, result.stderr
    payload = json.loads(result.stdout)
    (failures,) = [d["failures"] for d in payload["drop"]]
    assert {f["kind"] for f in failures} == {"dropped", "substituted"}
    for finding in [*failures, *(f for g in payload["groups"] for w in g["witnesses"] for f in w["findings"])]:
        assert_quoted(finding)
    table = runner.invoke(app, args, env=PLAIN).stdout
    assert "源头，揭示了{+我们+}党" in table and f"reference {PAGE1}:29-29" in table


def test_a_diff_can_be_quoted_through_the_python_api() -> None:
    texts = [read_witness(f"{PAGE1}:25-29", None, "A"), read_witness("seeds/000_1eaa65c1cfd94755.txt:9-33", None, "B")]
    assert all(len(p.starts) == len(p.text) for t in texts for p in t.paragraphs), "read with their offset maps"
    result = collate(texts, 0, "given").witnesses[1]
    quoted = quote_findings(result, witness_reference(texts[0]), texts[1])
    swap = next(e for q in quoted for e in q.edits if e.edit.name)
    assert (swap.ref, swap.copy) == ("乡县", "县乡")
    for q in quoted:
        assert_consistent(q)
        assert q.ref_text is None or q.quoted_from is not None


def test_a_two_copy_finding_without_direction_says_so_in_json_and_in_the_terminal(tmp_path: Path) -> None:
    """In a corpus of two copies either may have moved the paragraph; ``diff``, where the user names the
    reference, settles it (``tests/test_views.py``)."""
    texts = story(7)
    (tmp_path / "a.txt").write_text("\n\n".join(texts) + "\n", encoding="utf-8")
    moved = [texts[0], texts[2], texts[1], *texts[3:]]
    (tmp_path / "b.txt").write_text("\n\n".join(moved) + "\n", encoding="utf-8")
    done = runner.invoke(app, ["report", str(tmp_path), "--format", "json"])
    payload = json.loads(done.stdout)
    assert payload["schema_version"] == 3
    (move,) = [f for w in payload["groups"][0]["witnesses"] for f in w["findings"]]
    assert move["kind"] == "reordered" and move["direction"] == "unknown"
    table = runner.invoke(app, ["report", str(tmp_path)], env=PLAIN).stdout
    assert "reordered   ↔" in table, "the mark follows the kind"
    assert "↔ direction unknown" in table, "the legend says what the mark means"
