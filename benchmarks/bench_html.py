"""The HTML report at scale: a 1,000-group report's file size, and how fast headless Chromium shows it.

Run: ``python -m benchmarks.bench_html [--articles 15000] [--groups 1000] [--out DIR] [--payload FILE]``.

A generated corpus (``make_corpus --articles-only``: ~2,000-character web articles, 30% of them damaged reprints in
groups of 2 to 9 copies) goes through ``dedup report --format json`` (the CLI, in process), the first
``--groups`` groups are kept, and the page is rendered and written with :func:`dedup.render.html.write_html`.
Debian's Chromium (``/usr/bin/chromium``, headless, driven by Playwright) then opens the file three times, each
in a fresh page, and the median is reported of: first contentful paint (the browser's own ``paint`` entry: the
summary and table on screen), the page ready (its script has run: table sortable, keys bound), and opening the
largest group (strips, side by side and findings drawn from its embedded JSON). Targets (issue 13): first render
under 5 s, file under ~20 MB. Building the report takes minutes; ``--payload`` reuses a saved JSON payload, and
``--save-payload`` keeps one. ``--screenshot PNG`` instead saves a picture of the seeds' report (docs/report.png).

Results go to ``--out`` (default: a new temporary folder): ``bench_html.json`` and the ``report.html`` measured.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from benchmarks.make_corpus import main as make_corpus
from dedup.cli import app
from dedup.render.html import render_html, write_html

CHROMIUM = "/usr/bin/chromium"
TARGET_FIRST_RENDER_S = 5.0
TARGET_SIZE_MB = 20.0


def report_json(paths: Sequence[str]) -> dict[str, Any]:
    """What ``dedup report PATHS --format json`` prints, run in process."""
    result = CliRunner().invoke(app, ["report", *paths, "--format", "json", "--quiet"])
    if result.exit_code != 0:
        raise SystemExit(f"dedup report failed ({result.exit_code}): {result.output[-2000:]}")
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def build_payload(articles: int, seed: int, work: Path) -> dict[str, Any]:
    """A generated corpus of ``articles`` web articles, reported."""
    corpus = work / "corpus"
    if make_corpus([str(corpus), "--articles-only", str(articles), "--seed", str(seed)]) != 0:
        raise SystemExit("make_corpus failed")
    return report_json([str(corpus / "articles.jsonl")])


def measure(path: Path, group_id: str, runs: int = 3) -> dict[str, Any]:
    """Open ``path`` in fresh headless pages ``runs`` times; medians of first paint, ready, and a group opened."""
    from playwright.sync_api import sync_playwright

    samples: dict[str, list[float]] = {"first_contentful_paint_s": [], "ready_s": [], "open_largest_group_s": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(path.as_uri())
            page.wait_for_selector("html[data-ready]", timeout=60_000)
            timing = page.evaluate(
                """() => {
                  const paint = performance.getEntriesByName('first-contentful-paint')[0];
                  const ready = performance.getEntriesByName('dedup-ready')[0];
                  return {fcp: paint ? paint.startTime : null, ready: ready.startTime};
                }"""
            )
            start = time.perf_counter()
            page.evaluate("id => { location.hash = '#' + new URLSearchParams({group: id}); }", group_id)
            page.wait_for_selector("#group .sbs", timeout=60_000)
            samples["open_largest_group_s"].append(time.perf_counter() - start)
            samples["first_contentful_paint_s"].append((timing["fcp"] or timing["ready"]) / 1000)
            samples["ready_s"].append(timing["ready"] / 1000)
            page.close()
        browser.close()
    return {key: round(statistics.median(values), 3) for key, values in samples.items()} | {"runs": runs}


def screenshot(out: Path) -> None:
    """The seeds' report, its one group open on a substituted paragraph: the picture in the README."""
    from playwright.sync_api import sync_playwright

    payload = report_json(["seeds"])
    group = payload["groups"][0]
    copy = next(w for w in group["witnesses"] if w["id"] != group["reference"])
    with tempfile.TemporaryDirectory() as work:
        page_path = write_html(payload, Path(work) / "report.html")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            page = browser.new_page(viewport={"width": 1360, "height": 1500}, device_scale_factor=1)
            page.goto(page_path.as_uri() + f"#group={group['id']}&copy={copy['id']}")
            page.wait_for_selector("#group .sbs")
            page.evaluate("window.scrollTo(0, 0)")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
            browser.close()
    print(f"wrote {out}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_html", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=15_000, help="articles generated (default 15,000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--groups", type=int, default=1_000, help="groups kept in the page (default 1,000)")
    parser.add_argument("--payload", type=Path, help="a saved `dedup report --format json` payload to render")
    parser.add_argument("--save-payload", type=Path, help="keep the payload built here, for --payload next time")
    parser.add_argument("--out", type=Path, help="folder for bench_html.json and report.html (default: a temp dir)")
    parser.add_argument("--screenshot", type=Path, metavar="PNG", help="only save a screenshot of the seeds' report")
    args = parser.parse_args(argv)
    if args.screenshot is not None:
        screenshot(args.screenshot)
        return 0
    out: Path = args.out or Path(tempfile.mkdtemp(prefix="bench_html."))
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if args.payload is not None:
        payload = json.loads(args.payload.read_text("utf-8"))
    else:
        with tempfile.TemporaryDirectory() as work:
            payload = build_payload(args.articles, args.seed, Path(work))
    built_s = time.perf_counter() - start
    if args.save_payload is not None:
        args.save_payload.write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    payload["groups"] = payload["groups"][: args.groups]
    groups = payload["groups"]
    if len(groups) < args.groups:
        print(f"only {len(groups)} groups in the report (asked for {args.groups})", file=sys.stderr)
    start = time.perf_counter()
    render_html(payload)
    render_s = time.perf_counter() - start
    page = write_html(payload, out / "report.html")
    size_mb = page.stat().st_size / 1e6
    largest = max(groups, key=lambda g: sum(len(w.get("findings", ())) for w in g["witnesses"]))
    browser = measure(page, largest["id"])
    result = {
        "groups": len(groups),
        "copies": sum(len(g["witnesses"]) for g in groups),
        "findings": sum(len(w.get("findings", ())) for g in groups for w in g["witnesses"]),
        "articles": None if args.payload else args.articles,
        "report_s": None if args.payload else round(built_s, 1),
        "render_s": round(render_s, 3),
        "file_mb": round(size_mb, 2),
        "json_mb": round(len(json.dumps(payload, ensure_ascii=False).encode("utf-8")) / 1e6, 2),
        **browser,
        "targets": {"first_render_s": TARGET_FIRST_RENDER_S, "file_mb": TARGET_SIZE_MB},
        "met": browser["first_contentful_paint_s"] < TARGET_FIRST_RENDER_S and size_mb < TARGET_SIZE_MB,
    }
    (out / "bench_html.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))
    print(f"results in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
