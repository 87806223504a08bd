"""The HTML report, in Python and in a real browser (Debian's Chromium driven by Playwright).

Payloads come from the CLI (``report``/``diff --format json``), so the page is tested on what users get. Every
expected figure is read off the payload, not written down: the number of groups, strip cells, a finding's edits.
One browser serves the module; each page is served from a fake origin with every other request refused and
recorded, so "nothing is fetched" is checked on every page the tests open.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from copy import deepcopy
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from benchmarks.make_corpus import main as make_corpus
from dedup.cli import app
from dedup.render.html import embed_json, group_view, render_html, write_html

CHROMIUM = Path("/usr/bin/chromium")
ORIGIN = "http://report.dedup.test/"
URL = ORIGIN + "report.html"
runner = CliRunner()


def _json(args: list[str]) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


@pytest.fixture(scope="module")
def seeds_payload() -> dict[str, Any]:
    return _json(["report", "seeds"])


@pytest.fixture(scope="module")
def corpus_payload(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("corpus")
    assert make_corpus([str(root), "--stories", "30", "--seed", "3"]) == 0
    return _json(["report", str(root)])


@pytest.fixture(scope="module")
def hostile_payload(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A copy of a seed story whose text holds a script, an ``onerror`` attribute and rich markup, in a file whose
    name is markup too."""
    root = tmp_path_factory.mktemp("hostile")
    paragraphs = [
        line for line in Path("seeds/002_9a75527b5092d3dd.txt").read_text("utf-8").splitlines() if len(line) > 60
    ]
    reference = paragraphs[:6]
    copy = list(reference)
    copy[1] = copy[1][:20] + "<script>window.__pwned = 1</script>[bold]粗体[/bold]" + copy[1][20:]
    copy.insert(
        3, '<img src=x onerror="window.__pwned = 2">这是一段新加的文字，它不在参考文本里面，读者应当看到它原样显示。'
    )
    (root / "reference.txt").write_text("\n\n".join(reference) + "\n", "utf-8")
    (root / "<svg onload=window.__pwned=3>.txt").write_text("\n\n".join(copy) + "\n", "utf-8")
    return _json(["report", str(root)])


# --- Python -------------------------------------------------------------------------------------------------


def test_embedded_json_cannot_end_its_script_element(hostile_payload: dict[str, Any]) -> None:
    page = render_html(hostile_payload)
    blocks = re.findall(r'<script type="application/json" id="g\d+">(.*?)</script>', page, flags=re.S)
    assert len(blocks) == len(hostile_payload["groups"])
    for block, group in zip(blocks, hostile_payload["groups"], strict=True):
        assert not set("<>&\u2028\u2029") & set(block)
        assert json.loads(block) == json.loads(json.dumps(group_view(group)))
    assert "<script>window" not in page and "<img" not in page and "<svg" not in page
    assert json.loads(str(embed_json({"t": "\u2028</script>"}))) == {"t": "\u2028</script>"}


def test_write_html_replaces_the_file_whole(tmp_path: Path, seeds_payload: dict[str, Any]) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", "utf-8")
    os.chmod(target, 0o600)
    assert write_html(seeds_payload, target) == target
    assert target.read_text("utf-8") == render_html(seeds_payload)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left behind
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_every_moved_paragraph_is_linked_to_the_one_it_follows(seeds_payload: dict[str, Any]) -> None:
    view = group_view(seeds_payload["groups"][0])
    for witness in view["witnesses"]:
        shown = [row[0] for row in witness["rows"] if row[0] is not None]
        assert shown == list(range(1, len(witness["strip"]) + 1))  # every reference paragraph, in order
        for finding in witness["findings"]:
            if finding["kind"] == "reordered":
                assert 0 <= finding["after"] <= len(witness["strip"]) and finding["after"] != finding["para"]


def test_the_page_script_never_writes_markup() -> None:
    """Article text reaches the page through text nodes only: the script has no HTML sink to misuse."""
    script = (resources.files("dedup.render") / "templates" / "report.js").read_text("utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script


def test_pages_with_nothing_to_show_say_why(tmp_path: Path) -> None:
    (tmp_path / "<bad>.txt").write_bytes(b"\x00\x01<b>" * 100)
    result = runner.invoke(app, ["report", str(tmp_path), "seeds/004_948372db0ecee0b3.txt", "--format", "json"])
    page = render_html(json.loads(result.stdout))
    assert "No copies of the same story were found." in page and "<tbody>\n    </tbody>" in page
    (skipped,) = [i for i in json.loads(result.stdout)["inputs"] if i["status"] == "skipped"]
    assert f"&lt;bad&gt;.txt</code>: {skipped['reason']}" in page
    missing = str(tmp_path / "missing <i>.txt")
    result = runner.invoke(app, ["diff", missing, "seeds/001_d368fce8cd43ddb5.txt", "--format", "json"])
    page = render_html(json.loads(result.stdout))
    assert "missing &lt;i&gt;.txt</code>: no such file" in page and '"compared":false' in page


# --- in the browser -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless; missing, the tests skip on a developer's machine and fail in CI."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        sync_playwright = None
    if sync_playwright is None or not CHROMIUM.exists():
        message = f"the browser tests need Playwright and {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


class Opened:
    """A page of the report, with every request it made besides the page itself, and its script errors."""

    def __init__(self, browser: Any, html: str, fragment: str = "") -> None:
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.set_default_timeout(10_000)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: None if request.url == URL else self.blocked.append(request.url))

        def serve(route: Any) -> None:
            if route.request.url == URL:
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            else:
                route.abort()

        self.page.route("**/*", serve)
        self.page.goto(URL + fragment)
        self.page.wait_for_selector("html[data-ready]")

    def count(self, selector: str) -> int:
        return int(self.page.locator(selector).count())

    def texts(self, selector: str) -> list[str]:
        return list(self.page.locator(selector).all_text_contents())

    def close(self) -> None:
        assert self.errors == [], self.errors
        assert self.blocked == [], f"the page fetched {self.blocked}"
        self.page.close()


@pytest.fixture(scope="module")
def open_page(browser: Any) -> Iterator[Callable[..., Opened]]:
    pages: list[Opened] = []

    def opener(payload: dict[str, Any], fragment: str = "") -> Opened:
        pages.append(Opened(browser, render_html(payload), fragment))
        return pages[-1]

    yield opener
    for opened in pages:
        opened.close()


def _findings(witness: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in witness["findings"] if f["kind"] == kind]


def test_seeds_report_shows_groups_strips_and_findings(
    seeds_payload: dict[str, Any], open_page: Callable[..., Opened], tmp_path: Path
) -> None:
    opened = open_page(seeds_payload)
    assert opened.count("#groups-table tbody tr") == len(seeds_payload["groups"])
    group = seeds_payload["groups"][0]
    opened.page.click(f'#groups-table a[href="#group={group["id"]}"] >> nth=0')
    opened.page.wait_for_selector(f'#group [data-group="{group["id"]}"]')
    for witness in group["witnesses"]:
        row = f'.strips .strip-row[data-witness="{witness["id"]}"]'
        assert opened.count(row + " button.cell") == len(witness["strip"])
        letters = "".join(opened.texts(row + " button.cell"))
        assert letters.count("-") == witness["strip"].count("dropped")
    moved = {f["ref"]["paragraph"] for w in group["witnesses"] for f in _findings(w, "reordered")}
    assert "".join(opened.texts(".moved-row .cell")).count("r") == len(moved)
    copy = next(w for w in group["witnesses"] if w["findings"])
    assert opened.count(f'.finding-item[data-witness="{copy["id"]}"]') == len(copy["findings"])
    # A known finding: a substituted paragraph shows the reference's words struck out and the copy's inserted.
    substituted = next(f for f in _findings(copy, "substituted") if any(e["ref"] and e["copy"] for e in f["edits"]))
    row = opened.page.locator(f'.sbs[data-witness="{copy["id"]}"] #row-{substituted["ref"]["paragraph"]}')
    struck, inserted = (
        row.locator(".ref-side del").all_text_contents(),
        row.locator(".copy-side ins").all_text_contents(),
    )
    for edit in substituted["edits"]:
        assert (not edit["ref"] or edit["ref"] in struck) and (not edit["copy"] or edit["copy"] in inserted)
    assert substituted["copy"]["path"] in row.locator(".copy-side .where").all_text_contents()[0]
    shot = tmp_path / "seeds.png"
    opened.page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:4] == b"\x89PNG"


def test_clicking_a_strip_cell_opens_that_paragraph(
    seeds_payload: dict[str, Any], open_page: Callable[..., Opened]
) -> None:
    group = seeds_payload["groups"][0]
    opened = open_page(seeds_payload, f"#group={group['id']}")
    copy = next(w for w in group["witnesses"] if w["id"] != group["reference"])
    truncated = _findings(copy, "truncated")[0]
    para = truncated["ref"]["paragraph"]
    opened.page.click(f'.strip-row[data-witness="{copy["id"]}"] button.cell[data-p="{para}"]')
    row = opened.page.locator(f"#row-{para}")
    row.wait_for()
    assert "open" in (row.get_attribute("class") or "") and row.is_visible()
    assert f"p={para}" in opened.page.evaluate("location.hash")
    box, viewport = row.bounding_box(), opened.page.viewport_size
    assert box is not None and viewport is not None and 0 <= box["y"] < viewport["height"]
    assert truncated["copy"]["text"] in row.locator(".copy-side .text").all_text_contents()
    assert truncated["lost"] in "".join(row.locator(".ref-side del.lost").all_text_contents())
    # A kept paragraph no finding quotes shares one row with its unquoted neighbours; its cell opens that row.
    quoted = {f["ref"]["paragraph"] for w in group["witnesses"] for f in w["findings"] if f["ref"]}
    kept = [i + 1 for i, s in enumerate(copy["strip"]) if s == "kept" and i + 1 not in quoted]
    opened.page.click(f'.strip-row[data-witness="{copy["id"]}"] button.cell[data-p="{kept[-1]}"]')
    run = opened.page.locator(".sbs-row.open")
    run.wait_for()
    first, last = int(run.get_attribute("data-p") or 0), int(run.get_attribute("data-to") or 0)
    assert first <= kept[-1] <= last and run.is_visible()


def test_table_sorts_filters_and_searches(corpus_payload: dict[str, Any], open_page: Callable[..., Opened]) -> None:
    groups = corpus_payload["groups"]
    opened = open_page(corpus_payload)
    page = opened.page
    assert opened.count("#groups-table tbody tr") == len(groups)
    page.click('#groups-table th button[data-key="copies"]')
    copies = [int(c) for c in opened.texts("#groups-table tbody tr td:nth-child(3)")]
    assert copies == sorted(copies) and len(copies) == len(groups)
    page.click('#groups-table th button[data-key="copies"]')
    copies = [int(c) for c in opened.texts("#groups-table tbody tr td:nth-child(3)")]
    assert copies == sorted(copies, reverse=True)
    assert page.get_attribute('#groups-table th:has(button[data-key="copies"])', "aria-sort") == "descending"

    def visible_ids() -> set[str]:
        return set(
            page.eval_on_selector_all("#groups-table tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.id)")
        )

    page.select_option("#filter-kind", label="g garbled")
    garbled = {g["id"] for g in groups if any(_findings(w, "garbled") for w in g["witnesses"])}
    assert visible_ids() == garbled and 0 < len(garbled) < len(groups)
    page.select_option("#filter-kind", value="")
    path = groups[-1]["witnesses"][-1]["segments"][0]["path"]
    page.fill("#filter-path", Path(path).name.upper())
    holding = {g["id"] for g in groups if any(s["path"] == path for w in g["witnesses"] for s in w["segments"])}
    assert visible_ids() == holding
    assert page.text_content("#shown") == f"{len(holding)} of {len(groups)} groups"
    page.fill("#filter-path", "")
    headline = page.get_attribute(f'#groups-table tr[data-id="{groups[3]["id"]}"]', "data-headline") or ""
    page.fill("#filter-text", headline[:6])
    assert groups[3]["id"] in visible_ids() and len(visible_ids()) < len(groups)
    page.fill("#filter-text", "")
    # j selects the first row of the table's current order, Enter opens it, j again goes to the next one.
    order = page.eval_on_selector_all("#groups-table tbody tr", "rows => rows.map(r => r.dataset.id)")
    page.keyboard.press("Escape")  # leaves the search box: keys typed there are text, not commands
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_selector(f'#group [data-group="{order[0]}"]')
    page.keyboard.press("j")
    page.wait_for_selector(f'#group [data-group="{order[1]}"]')
    page.keyboard.press("k")
    page.wait_for_selector(f'#group [data-group="{order[0]}"]')
    page.keyboard.press("u")
    page.wait_for_selector("#overview:not([hidden])")


def test_copy_selector_switches_the_copy(corpus_payload: dict[str, Any], open_page: Callable[..., Opened]) -> None:
    group = max(corpus_payload["groups"], key=lambda g: len(g["witnesses"]))
    opened = open_page(corpus_payload, f"#group={group['id']}")
    page = opened.page
    options = page.eval_on_selector_all("#copy-select option", "options => options.map(o => o.value)")
    copies = [w["id"] for w in group["witnesses"] if w["id"] != group["reference"]]
    assert options == copies and len(copies) >= 3
    target = group["witnesses"][-1]
    page.select_option("#copy-select", target["id"])
    page.wait_for_selector(f'.sbs[data-witness="{target["id"]}"]')
    assert opened.count(".sbs-row[data-p]:not([data-p=''])") == len(target["strip"])
    assert opened.count(".sbs-row[data-status='dropped'] .slot") == sum(
        1 for i, s in enumerate(target["strip"]) if s == "dropped"
    )
    assert target["id"] in (page.text_content(".sbs-head .copy-side") or "")
    rows_with_findings = opened.count(".sbs-row[data-findings]")
    page.keyboard.press("n")
    page.keyboard.press("n")
    assert opened.count(".sbs-row.open") == (1 if rows_with_findings else 0)
    # Findings of one kind can be hidden.
    kinds = {f["kind"] for w in group["witnesses"] for f in w["findings"]}
    kind = sorted(kinds)[0]
    page.uncheck(f'.findings-filter input[value="{kind}"]')
    assert page.eval_on_selector_all(
        f'.finding-item[data-kind="{kind}"]', "items => items.every(i => i.hidden)"
    ) and opened.count(".finding-item:not([hidden])") == sum(
        1 for w in group["witnesses"] for f in w["findings"] if f["kind"] != kind
    )


def test_article_text_is_shown_as_text_and_never_run(
    hostile_payload: dict[str, Any], open_page: Callable[..., Opened]
) -> None:
    opened = open_page(hostile_payload)
    page = opened.page
    assert "/<svg onload=window.__pwned=3>.txt" in (page.get_attribute("#groups-table tbody tr", "data-paths") or "")
    page.click("#groups-table tbody a >> nth=0")
    page.wait_for_selector("#group .sbs")
    body = page.text_content("#group") or ""
    assert "<script>window.__pwned = 1</script>[bold]粗体[/bold]" in body
    assert '<img src=x onerror="window.__pwned = 2">' in body
    assert page.evaluate("window.__pwned") is None
    assert (
        page.evaluate("document.querySelectorAll('#group script, #group img, #group svg, #groups-table svg').length")
        == 0
    )
    assert page.evaluate("document.scripts.length") == 2 + len(hostile_payload["groups"])  # page data, groups, ours


def test_diff_page_compares_one_copy(seeds_payload: dict[str, Any], open_page: Callable[..., Opened]) -> None:
    payload = _json(["diff", "seeds/002_9a75527b5092d3dd.txt", "seeds/001_d368fce8cd43ddb5.txt"])
    opened = open_page(payload)
    assert opened.count("#groups-table") == 0
    assert opened.count(".strips .strip-row[data-witness] button.cell") == len(payload["strip"])
    assert payload["reference"] in (opened.page.text_content("#overview") or "")
    dropped = sum(1 for s in payload["strip"] if s == "dropped")
    assert opened.count(".sbs-row[data-status='dropped'] .slot") == dropped > 0


def test_schemes_and_print(seeds_payload: dict[str, Any], open_page: Callable[..., Opened]) -> None:
    opened = open_page(seeds_payload)
    page = opened.page
    background = "getComputedStyle(document.documentElement).backgroundColor"
    page.click("#theme-button")
    assert page.get_attribute("html", "data-theme") == "light"
    light = page.evaluate(background)
    page.click("#theme-button")
    assert page.get_attribute("html", "data-theme") == "dark"
    assert page.evaluate(background) != light
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.filters')).display") == "none"
    assert page.evaluate(background) == "rgb(255, 255, 255)"


def test_a_file_opened_from_disk_fetches_nothing(browser: Any, seeds_payload: dict[str, Any], tmp_path: Path) -> None:
    path = write_html(seeds_payload, tmp_path / "report.html")
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri() + f"#group={seeds_payload['groups'][0]['id']}")
    page.wait_for_selector("#group .sbs")
    page.click(".strips button.cell >> nth=3")
    page.keyboard.press("n")
    assert requests == [path.as_uri()]
    page.close()


def test_lineage_is_drawn_as_a_tree_when_the_payload_has_one(
    corpus_payload: dict[str, Any], open_page: Callable[..., Opened]
) -> None:
    """``lineage`` comes from a later feature: here it is added to a real group, with an inferred intermediate."""
    group = deepcopy(max(corpus_payload["groups"], key=lambda g: len(g["witnesses"])))
    ids = [w["id"] for w in group["witnesses"]]
    unseen = group["id"] + ".X1"
    edges = [{"parent": ids[0], "child": unseen, "confidence": 0.4, "shared": []}]
    cited = next(w for w in group["witnesses"][1:3] if any(f["ref"] for f in w["findings"]))
    index = max(i for i, f in enumerate(cited["findings"]) if f["ref"])
    shared = [{"witness": cited["id"], "finding": index}]  # as the lineage stage cites a finding: by its index
    edges += [{"parent": unseen, "child": i, "confidence": 0.9, "shared": shared} for i in ids[1:3]]
    edges += [{"parent": ids[0], "child": i, "confidence": 0.2, "shared": []} for i in ids[3:]]
    group["lineage"] = {"root": ids[0], "edges": edges, "intermediates": [unseen], "reason": "rooted at the test"}
    opened = open_page({**corpus_payload, "groups": [group]}, f"#group={group['id']}")
    items = opened.page.locator(".lineage li")
    assert items.count() == len(ids) + 1
    assert opened.page.locator(".lineage li li > code.unseen").all_text_contents() == [unseen]
    under_unseen = opened.page.locator(".lineage li:has(> code.unseen) > ul > li > code").all_text_contents()
    assert under_unseen == ids[1:3]
    finding = cited["findings"][index]
    assert f"{finding['kind']} ¶{finding['ref']['paragraph']}" in (opened.page.text_content(".lineage") or "")
    assert "rooted at the test" in (opened.page.text_content("#group") or "")


def test_the_benchmark_measures_a_page(browser: Any, seeds_payload: dict[str, Any], tmp_path: Path) -> None:
    """``benchmarks/bench_html.py`` on a saved payload (in its own process: Playwright's sync API runs one per
    thread, and this module's browser holds it)."""
    saved = tmp_path / "payload.json"
    saved.write_text(json.dumps(seeds_payload, ensure_ascii=False), "utf-8")
    command = [sys.executable, "-m", "benchmarks.bench_html", "--payload", str(saved), "--out", str(tmp_path / "out")]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    result = json.loads((tmp_path / "out" / "bench_html.json").read_text("utf-8"))
    assert result["groups"] == len(seeds_payload["groups"]) and result["met"] is True
    assert result["file_mb"] == round((tmp_path / "out" / "report.html").stat().st_size / 1e6, 2)
    assert 0 < result["first_contentful_paint_s"] < 60 and 0 < result["ready_s"] < 60


def test_report_and_diff_write_the_page_from_the_command_line(tmp_path: Path, seeds_payload: dict[str, Any]) -> None:
    """``--format html -o FILE`` on report and diff: the same page the payload renders to, exit codes as for the
    other formats, and an -o that cannot be written refused before any work (exit 2)."""
    page = tmp_path / "report.html"
    done = runner.invoke(app, ["report", "seeds", "--format", "html", "-o", str(page), "-q"])
    assert done.exit_code == 0, done.output
    assert page.read_text(encoding="utf-8") == render_html(seeds_payload)
    seeds = sorted(Path("seeds").iterdir())
    diffed = runner.invoke(app, ["diff", str(seeds[2]), str(seeds[1]), "-f", "html", "-o", str(tmp_path / "d.html")])
    assert diffed.exit_code == 1  # findings, as with every other format
    assert (tmp_path / "d.html").read_text(encoding="utf-8").lower().startswith("<!doctype html>")
    missing = runner.invoke(app, ["report", "seeds", "-f", "html", "-o", str(tmp_path / "no" / "r.html")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    assert runner.invoke(app, ["report", "seeds", "-o", str(tmp_path / "r.json")]).exit_code == 2
