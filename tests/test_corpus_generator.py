"""The reprint-corpus generator keeps its promises: determinism, truthful spans, encodings, coverage.

Every benchmark number rests on ``truth.json`` being right, so these tests check the truth against the bytes on
disk with an independent, deliberately simple layout remover (unwrap, strip markdown, fold widths, strip
pinyin, Traditional → Simplified) rather than trusting the generator's own bookkeeping.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import opencc
import pytest

from benchmarks import bench_scan, make_corpus
from benchmarks import corpus as corpus_module
from benchmarks.corpus import (
    CONTAINERS,
    DAMAGE_KINDS,
    ENCODINGS,
    GroundTruth,
    Span,
    article_groups,
    generate_articles,
    generate_corpus,
    iter_truth_spans,
    write_articles_jsonl,
)

_T2S = opencc.OpenCC("t2s")
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüń]+\)")
_HEADING = re.compile(r"^#{1,6} ")


def _norm(text: str) -> str:
    """Layout-free form: no whitespace or line breaks, half-width, no pinyin, Simplified."""
    text = unicodedata.normalize("NFKC", text)
    text = _PINYIN.sub("", text)
    text = str(_T2S.convert(text))
    return re.sub(r"\s+", "", text)


def _decoded(root: Path, path: str, encoding: str) -> list[str]:
    """The lines of a file, or of one document of a jsonl drop (``FILE#ID``)."""
    name, _, doc = path.partition("#")
    raw = (root / name).read_bytes()
    text = raw.decode(encoding)
    if doc:
        for row in text.splitlines():
            obj = json.loads(row)
            if obj["id"] == doc:
                text = obj["text"]
                break
        else:
            raise AssertionError(f"{path}: document not found")
    return text.replace("\r\n", "\n").split("\n")


def _span_text(root: Path, truth: GroundTruth, span: Span) -> str:
    encoding = {f.path: f.encoding for f in truth.files}[span.path]
    lines = _decoded(root, span.path, encoding)
    return "".join(_HEADING.sub("", line) for line in lines[span.start_line - 1 : span.end_line])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    """The default-size corpus (40 stories) that coverage is promised for."""
    root = tmp_path_factory.mktemp("corpus")
    return root, generate_corpus(root, stories=40, seed=1)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir())}


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    a = generate_corpus(tmp_path / "a", stories=8, seed=5)
    b = generate_corpus(tmp_path / "b", stories=8, seed=5)
    assert a == b
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_different_seeds_differ(tmp_path: Path) -> None:
    a = generate_corpus(tmp_path / "a", stories=8, seed=5)
    b = generate_corpus(tmp_path / "b", stories=8, seed=6)
    assert a.to_json() != b.to_json()
    assert [s.paragraphs for s in a.stories] != [s.paragraphs for s in b.stories]
    assert set(_tree(tmp_path / "a")) != set(_tree(tmp_path / "b"))


def test_regenerating_into_same_dir_leaves_no_stale_files(tmp_path: Path) -> None:
    generate_corpus(tmp_path, stories=10, seed=1)
    truth = generate_corpus(tmp_path, stories=3, seed=2)
    listed = {f.path.split("#", 1)[0] for f in truth.files} | {"truth.json"}
    assert {p.name for p in tmp_path.iterdir()} == listed


def test_regenerating_the_same_corpus_replaces_files_in_place(tmp_path: Path) -> None:
    """Two benchmark runs given one ``--corpus`` regenerate it while the other reads it: a file the new truth
    lists too is replaced by a rename (a new inode at the same name), never removed first, and no temporary
    file is left in the directory or beside it."""
    root = tmp_path / "c"
    generate_corpus(root, stories=4, seed=3)
    before = {p.name: (p.stat().st_ino, p.read_bytes()) for p in root.iterdir()}
    generate_corpus(root, stories=4, seed=3)
    after = {p.name: (p.stat().st_ino, p.read_bytes()) for p in root.iterdir()}
    assert set(after) == set(before)
    assert all(after[n][1] == before[n][1] and after[n][0] != before[n][0] for n in before)
    assert [p.name for p in tmp_path.iterdir()] == ["c"]


def test_truth_json_round_trips(corpus: tuple[Path, GroundTruth]) -> None:
    root, truth = corpus
    on_disk = (root / "truth.json").read_text(encoding="utf-8")
    assert on_disk == truth.to_json()
    assert GroundTruth.from_json(on_disk) == truth


def test_every_span_points_inside_its_file(corpus: tuple[Path, GroundTruth]) -> None:
    root, truth = corpus
    encodings = {f.path: f.encoding for f in truth.files}
    for what, span in iter_truth_spans(truth):
        lines = _decoded(root, span.path, encodings[span.path])
        assert 1 <= span.start_line <= span.end_line <= len(lines), (what, span)
        # a span starts and ends on text, never on a separating blank line
        assert lines[span.start_line - 1].strip(), (what, span)
        assert lines[span.end_line - 1].strip(), (what, span)


def test_passages_do_not_overlap(corpus: tuple[Path, GroundTruth]) -> None:
    _, truth = corpus
    for f in truth.files:
        ranges = sorted((p.start_line, p.end_line, p.start_char or 0, p.end_char or 0) for p in f.passages)
        for (_, end, _, end_char), (start, _, start_char, _) in itertools.pairwise(ranges):
            # a flattened page's footer shares line 1 with the article: there the characters must not overlap
            assert end < start or (end == start and end_char <= start_char and end_char > 0), f.path


def test_damaged_text_is_at_its_span(corpus: tuple[Path, GroundTruth]) -> None:
    root, truth = corpus
    checked = 0
    for c in truth.copies:
        for d in c.damage:
            assert len(d.copy_text) == len(d.spans) == len(d.copy_index), (c.id, d.kind)
            for text, span in zip(d.copy_text, d.spans, strict=True):
                assert span.path in {s.path for s in c.segments}, (c.id, d.kind)
                assert _norm(text) in _norm(_span_text(root, truth, span)), (c.id, d.kind, span)
                checked += 1
    assert checked > 100


def test_damage_records_are_consistent(corpus: tuple[Path, GroundTruth]) -> None:
    _, truth = corpus
    stories = {s.id: s for s in truth.stories}
    for c in truth.copies:
        ref = stories[c.story].paragraphs
        for d in c.damage:
            assert d.ref_text == tuple(ref[i] for i in d.ref), (c.id, d.kind)
            if d.kind == "dropped":
                assert not d.copy_text and all(d.ref[0] not in a for a in c.alignment)
            elif d.kind == "truncated" and d.noise == "preview":
                # a preview keeps the head and ends in an ellipsis or one broken character
                kept, lost = d.copy_text[0], d.lost or ""
                head = ref[d.ref[0]][: len(ref[d.ref[0]]) - len(lost)]
                assert d.survives == "head" and head + lost == ref[d.ref[0]]
                assert kept.startswith(head) and 1 <= len(kept) - len(head) <= 3, (c.id, kept[len(head) :])
            elif d.kind == "truncated":
                kept, lost = d.copy_text[0], d.lost or ""
                whole = kept + lost if d.survives == "head" else lost + kept
                assert d.survives in ("head", "tail") and whole == ref[d.ref[0]]
            elif d.kind == "merged":
                assert len(d.ref) == 2 and d.ref[1] == d.ref[0] + 1
                assert _norm(d.copy_text[0]) == _norm(ref[d.ref[0]] + ref[d.ref[1]])
            elif d.kind == "split":
                assert "".join(d.copy_text) == ref[d.ref[0]]
            elif d.kind in ("substituted", "garbled"):
                assert d.edits and d.copy_text[0] != ref[d.ref[0]]
                for e in d.edits:
                    assert ref[d.ref[0]][e.offset : e.offset + len(e.ref)] == e.ref
                    assert e.copy in d.copy_text[0] and e.copy != e.ref
            elif d.kind == "garbled":
                assert d.noise in ("ocr", "mojibake")
            elif d.kind == "duplicated":
                assert d.copy_text[0] == d.copy_text[1] and d.spans[0] != d.spans[1]
            elif d.kind == "added":
                assert d.ref == () and d.source and c.alignment[d.copy_index[0]] == ()


def test_undamaged_paragraphs_are_verbatim_in_their_copy(corpus: tuple[Path, GroundTruth]) -> None:
    root, truth = corpus
    stories = {s.id: s for s in truth.stories}
    for c in truth.copies:
        body = _norm("".join(_span_text(root, truth, s) for s in c.segments))
        touched = {i for d in c.damage for i in d.copy_index}
        for i, refs in enumerate(c.alignment):
            if i not in touched and len(refs) == 1:
                assert _norm(stories[c.story].paragraphs[refs[0]]) in body, (c.id, i)


def test_encodings_are_what_the_truth_says(corpus: tuple[Path, GroundTruth]) -> None:
    root, truth = corpus
    seen = set()
    for f in truth.files:
        raw = (root / f.path.split("#", 1)[0]).read_bytes()
        text = raw.decode(f.encoding)  # must not raise
        seen.add(f.encoding)
        if f.encoding in ("gb18030", "utf-16", "big5"):
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
        if f.encoding == "utf-8-sig":
            assert raw.startswith(b"\xef\xbb\xbf")
        if f.encoding == "utf-16":
            assert raw.startswith(b"\xff\xfe")
        if f.encoding == "big5":
            assert "traditional" in f.layout
        if "#" not in f.path:
            assert ("\r\n" in text) == (f.newline == "\r\n"), f.path
    assert seen == set(ENCODINGS)


def test_jump_copies_carry_their_markers(corpus: tuple[Path, GroundTruth]) -> None:
    root, truth = corpus
    pages = {f.path: f.page for f in truth.files}
    jumps = [c for c in truth.copies if c.container == "jump"]
    assert jumps
    for c in jumps:
        first, second = c.segments
        assert first.path != second.path
        # markers may be wrapped onto the next line of an OCR page, so read a few lines around them
        tail_from = max(first.start_line, first.end_line - 2)
        head_to = min(second.end_line, second.start_line + 2)
        tail = _norm(_span_text(root, truth, Span(first.path, tail_from, first.end_line)))
        head = _norm(_span_text(root, truth, Span(second.path, second.start_line, head_to)))
        down = re.search(r"\(下转第(\d+)版\)$", tail)
        up = re.match(r"\(上接(?:第)?(\d+)版\)", head)
        assert down and up, (c.id, tail[-20:], head[:20])
        assert int(down.group(1)) == pages[second.path]
        assert int(up.group(1)) == pages[first.path]


def test_default_corpus_covers_every_kind(corpus: tuple[Path, GroundTruth]) -> None:
    _, truth = corpus
    assert {d.kind for c in truth.copies for d in c.damage} == set(DAMAGE_KINDS)
    assert {c.container for c in truth.copies} == set(CONTAINERS)
    assert {f.path.split("#")[0].rsplit(".", 1)[1] for f in truth.files} == {"txt", "md", "jsonl"}
    notes = {n.split(":")[0] for f in truth.files for n in f.layout}
    for kind in (
        "hard_wrap",
        "blank_line_in_paragraph",
        "markdown_headings",
        "traditional",
        "pinyin",
        "halfwidth",
        "jump_marker",
    ):
        assert kind in notes, kind
    model = {c.id: c.model for c in truth.copies}
    widths = {
        int(n.split(":")[1]): any(model.get(p.copy or "") == "B" for p in f.passages)
        for f in truth.files
        for n in f.layout
        if n.startswith("hard_wrap:")
    }
    # model A wraps at 14-22 characters; pages holding a model-B copy at model B's drawn widths (8-40)
    assert widths and all(14 <= w <= 22 or (has_b and 8 <= w <= 40) for w, has_b in widths.items())
    page_sizes = [sum(p.role != "boilerplate" for p in f.passages) for f in truth.files if f.container == "page"]
    assert page_sizes and all(2 <= n <= 5 for n in page_sizes)


def test_groups_singletons_and_hard_negatives(corpus: tuple[Path, GroundTruth]) -> None:
    _, truth = corpus
    group_of = {cid: k for k, g in enumerate(truth.groups) for cid in g}
    assert {g for g in truth.groups} == {s.copies for s in truth.stories if len(s.copies) >= 2}
    assert truth.singletons
    for sid in truth.singletons:
        (only,) = next(s for s in truth.stories if s.id == sid).copies
        assert only not in group_of
    assert truth.same_topic
    stories = {s.id: s for s in truth.stories}
    for a, b in truth.same_topic:
        assert stories[a].topic_twin == b and stories[b].topic_twin == a
        assert {group_of.get(c) for c in stories[a].copies}.isdisjoint(
            {group_of.get(c) for c in stories[b].copies} - {None}
        )
        # same topic, different sentences: no paragraph in common
        assert not set(stories[a].paragraphs) & set(stories[b].paragraphs)
    # shared boilerplate sits next to copies of different stories and belongs to no group
    shared = False
    for boiler in truth.boilerplate:
        neighbours = set()
        for span in boiler.spans:
            f = next(f for f in truth.files if f.path == span.path)
            neighbours |= {p.story for p in f.passages if p.story}
        shared |= len(neighbours) >= 2
    assert shared
    assert all(p.story is None for f in truth.files for p in f.passages if p.role != "copy")


def test_scale_articles(tmp_path: Path) -> None:
    arts = list(generate_articles(3000, 7))
    assert arts == list(generate_articles(3000, 7))
    assert arts != list(generate_articles(3000, 8))
    ids = [i for i, _ in arts]
    assert len(set(ids)) == len(ids) == 3000
    mean = sum(len(t) for _, t in arts) / len(arts)
    assert 1700 <= mean <= 2500
    groups = article_groups(3000, 7)
    reprints = sum(len(g) - 1 for g in groups)
    assert 0.2 <= reprints / 3000 <= 0.4
    assert 0.05 <= len(groups) / (3000 - reprints) <= 0.15
    texts = dict(arts)
    for g in groups[:50]:
        # reprints keep most paragraphs verbatim (up to half-width punctuation)
        first = {_norm(p) for p in texts[g[0]].split("\n\n")}
        for other in g[1:]:
            paras = {_norm(p) for p in texts[other].split("\n\n")}
            assert len(first & paras) >= len(first) // 2, g
    path = tmp_path / "a.jsonl"
    assert write_articles_jsonl(path, 300, 7) == article_groups(300, 7)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["text"]) for r in rows] == list(generate_articles(300, 7))


def _unrelated_articles(n: int, seed: int) -> list[str]:
    """The texts of the articles of ``generate_articles(n, seed)`` whose stories appear once."""
    grouped = {a for g in article_groups(n, seed) for a in g}
    return [t for a, t in generate_articles(n, seed) if a not in grouped]


def test_scale_layout() -> None:
    texts = _unrelated_articles(1500, 3)
    for text in texts:
        headline, *body = text.rstrip("\n").split("\n\n")
        assert 1 <= len(headline) <= 27 and not headline.endswith(("。", "，")), headline
        assert body and all(80 <= len(p) <= 300 for p in body), [len(p) for p in body]
        assert body[-1].endswith(("。", "！", "？", "”", "’", "」", "』"))


def test_scale_unrelated_articles_share_no_sentence() -> None:
    """New sentences, not reused real ones: unrelated articles share phrases, never a sentence or a window."""
    texts = _unrelated_articles(3000, 4)
    owner: dict[str, int] = {}
    for k, text in enumerate(texts):
        for sentence in re.findall(r"[^。！？\n]{12,}[。！？]", text):
            assert owner.setdefault(sentence, k) == k, sentence
    flat = [re.sub(r"\s+", "", t) for t in texts[:400]]
    assert bench_scan.window_overlap(flat, 300, seed=1) < 0.02
    assert bench_scan.shingle_overlap(flat, 20_000, seed=1) < 0.01


def test_scale_story_does_not_depend_on_its_batch() -> None:
    """Reprints rebuild their story in whatever batch they fall: a story must read the same in every batch."""
    together = corpus_module._scale_stories([5, 9, 5], 2)
    assert together[0] == together[2] == corpus_module._scale_stories([5], 2)[0]
    assert together[1] == corpus_module._scale_stories([9], 2)[0]
    assert together[0] != together[1]


def test_scale_bytes_do_not_depend_on_process_or_hash_seed(tmp_path: Path) -> None:
    write_articles_jsonl(tmp_path / "here.jsonl", 40, 5)
    env = {**os.environ, "PYTHONHASHSEED": "321"}
    cmd = [sys.executable, "-m", "benchmarks.make_corpus", str(tmp_path / "there"), "--articles-only", "40"]
    cmd += ["--seed", "5"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "here.jsonl").read_bytes() == (tmp_path / "there" / "articles.jsonl").read_bytes()


def test_cli(tmp_path: Path) -> None:
    assert make_corpus.main([str(tmp_path / "c"), "--stories", "3", "--seed", "2"]) == 0
    truth = GroundTruth.from_json((tmp_path / "c" / "truth.json").read_text(encoding="utf-8"))
    assert len(truth.stories) == 3
    assert make_corpus.main([str(tmp_path / "a"), "--articles-only", "20", "--seed", "2"]) == 0
    assert len((tmp_path / "a" / "articles.jsonl").read_text(encoding="utf-8").splitlines()) == 20
    assert json.loads((tmp_path / "a" / "articles_truth.json").read_text(encoding="utf-8"))["articles"] == 20
    with pytest.raises(SystemExit) as exc:
        make_corpus.main([str(tmp_path / "x"), "--stories", "0"])
    assert exc.value.code == 2


def test_bytes_do_not_depend_on_process_or_hash_seed(tmp_path: Path) -> None:
    """Determinism must survive a fresh interpreter with another string-hash seed (no set-order leaks)."""
    generate_corpus(tmp_path / "here", stories=6, seed=5)
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    cmd = [sys.executable, "-m", "benchmarks.make_corpus", str(tmp_path / "there"), "--stories", "6", "--seed", "5"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert _tree(tmp_path / "here") == _tree(tmp_path / "there")


# --- issue 11's classes: flattened pages and footers, previews, look-alikes, two copies, shared merges, model B


def _chars(root: Path, truth: GroundTruth, span: Span) -> str:
    encoding = {f.path: f.encoding for f in truth.files}[span.path]
    assert span.start_char is not None and span.end_char is not None
    return "\n".join(_decoded(root, span.path, encoding))[span.start_char : span.end_char]


def test_flattened_pages_are_one_line_with_a_footer_shared_across_stories(corpus: tuple[Path, GroundTruth]) -> None:
    root, truth = corpus
    flat = [f for f in truth.files if "flattened" in f.layout]
    assert len(flat) >= 4
    texts = {b.text: b for b in truth.boilerplate}
    stories_of_footer: dict[str, set[str]] = {}
    for f in flat:
        (copy,) = [p for p in f.passages if p.role == "copy"]
        (footer,) = [p for p in f.passages if p.role == "boilerplate"]
        assert copy.start_line == copy.end_line == 1
        text = _chars(root, truth, Span(f.path, 1, 1, copy.start_char, copy.end_char))
        c = truth.find_copy(copy.copy or "")
        # headline glued to the body: the whole copy, paragraph after paragraph, on one line
        assert _norm(text) == _norm("".join(c_text for c_text in _copy_paragraphs(truth, c.id)))
        where = Span(f.path, footer.start_line, footer.end_line, footer.start_char, footer.end_char)
        footer_text = _chars(root, truth, where)
        assert _norm(footer_text) in {_norm(t) for t in texts}
        assert (footer.start_line == 1) == ("footer_same_line" in f.layout)
        stories_of_footer.setdefault(_norm(footer_text), set()).add(c.story)
    assert any(len(stories) >= 2 for stories in stories_of_footer.values())


def _copy_paragraphs(truth: GroundTruth, copy_id: str) -> list[str]:
    """A copy's paragraphs as printed, rebuilt from the truth: reference text unless a damage says otherwise."""
    c = truth.find_copy(copy_id)
    ref = next(s for s in truth.stories if s.id == c.story).paragraphs
    out = [ref[a[0]] if len(a) == 1 else "" for a in c.alignment]
    for d in c.damage:
        for k, text in zip(d.copy_index, d.copy_text, strict=True):
            out[k] = text
    return out


def test_preview_copies_cut_every_long_paragraph(corpus: tuple[Path, GroundTruth]) -> None:
    _, truth = corpus
    previews = [c for c in truth.copies if any(d.noise == "preview" for d in c.damage)]
    assert previews
    for c in previews:
        cuts = [d for d in c.damage if d.noise == "preview"]
        assert all(d.kind == "truncated" and d.survives == "head" for d in cuts)
        assert all(15 <= len(d.copy_text[0]) - 1 <= 73 for d in cuts), [len(d.copy_text[0]) for d in cuts]
        assert any(d.copy_text[0].endswith(("…", "...")) for d in cuts) or len(cuts) < 3


def test_lookalike_slips_are_garbled_and_substitutions_are_words(corpus: tuple[Path, GroundTruth]) -> None:
    from dedup.lookalike import are_lookalikes

    _, truth = corpus
    slips = [d for c in truth.copies for d in c.damage if d.noise == "lookalike"]
    assert len(slips) >= 5
    for d in slips:
        assert d.kind == "garbled" and len(d.edits) >= 2
        assert all(len(e.ref) == len(e.copy) == 1 and are_lookalikes(e.ref, e.copy) for e in d.edits)
        offsets = [e.offset for e in d.edits]
        assert max(offsets) - min(offsets) < 8  # several slips within a few characters
    for c in truth.copies:
        for d in c.damage:
            if d.kind == "substituted":
                assert all(len(e.ref) >= 2 and len(e.copy) >= 2 for e in d.edits)  # whole words, not characters


def test_two_copy_groups_are_a_third_and_shared_merges_a_minority(tmp_path: Path) -> None:
    for seed in (1, 2):
        truth = generate_corpus(tmp_path / str(seed), stories=40, seed=seed)
        assert sum(len(g) == 2 for g in truth.groups) * 3 >= len(truth.groups)
        minority = 0
        for story in truth.stories:
            merges: dict[tuple[int, ...], int] = {}
            for cid in story.copies:
                for d in truth.find_copy(cid).damage:
                    if d.kind == "merged":
                        merges[d.ref] = merges.get(d.ref, 0) + 1
            # the same merge in two or more copies, yet not in most witnesses: a consensus must not adopt it
            minority += any(n >= 2 and 2 * n < len(story.copies) for n in merges.values())
        assert minority, seed


def test_model_b_damages_a_share_with_parameters_drawn_per_seed(corpus: tuple[Path, GroundTruth]) -> None:
    import random

    from benchmarks.damage_b import draw_params

    _, truth = corpus
    by_model = {m: [c for c in truth.copies if c.model == m and c.damage] for m in ("A", "B")}
    assert by_model["A"] and by_model["B"]
    assert {d.kind for c in by_model["B"] for d in c.damage} >= {"dropped", "substituted", "truncated", "garbled"}
    params = [draw_params(random.Random(seed)) for seed in range(1, 7)]
    assert len({p.share for p in params}) == 6 and len({p.preview_cut for p in params}) > 1
    assert all(0.3 <= p.share <= 0.5 and 15 <= p.preview_cut[0] < p.preview_cut[1] <= 70 for p in params)


def test_profile_scan_grouping_reports_the_grouping_step_and_its_peak(capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m benchmarks.profile_scan --grouping --sites``: the grouping step's time under the profiler,
    its allocations' peak per match, where the memory held at that peak was allocated, and a call tree rooted in
    ``group``."""
    from benchmarks import profile_scan

    assert profile_scan.main(["--articles", "300", "--grouping", "--sites"]) == 0
    out = capsys.readouterr().out
    held = re.search(
        r"memory held at grouping's peak \(memray\): (\d+) MB, by where it was allocated:\n +([\d.]+) MB  (.+)", out
    )
    assert held is not None and held.group(3) != "(outside dedup)", "the largest site is in dedup's code"
    matches = int(re.search(r"300 articles, ([\d,]+) matches", out).group(1).replace(",", ""))  # type: ignore[union-attr]
    peak = re.search(r"allocations at their peak: ([\d.]+) GB \((\d+) B a match\)", out)
    assert matches > 0 and peak is not None and int(peak.group(2)) > 0
    assert re.search(r"grouping: [\d.]+ s under the profiler", out)
    from dedup.group.grouping import group
    from dedup.pipeline import scan

    assert scan.group is group, "the profiled grouping is put back"
