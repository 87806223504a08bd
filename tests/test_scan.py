"""Reprint discovery on the seeds and on small corpora made for the purpose."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHashLSH

from dedup.config import CandidateConfig, Config, FingerprintConfig
from dedup.match.candidates import band_candidates, build_units, key_candidates, verify
from dedup.match.fingerprint import Signer, to_lean_minhash
from dedup.pipeline.scan import ScanResult, scan
from dedup.prepare import prepare_document
from dedup.records import Document

from .corpora import lines_of, page, real_paragraphs, story


def spans(result: ScanResult) -> list[list[list[tuple[str, int, int]]]]:
    """Each group as its witnesses, each witness as its segments ``(file name, start, end)``."""
    return [
        [[(Path(s.path).name, s.start_line, s.end_line) for s in w.segments] for w in g.witnesses]
        for g in result.groups
    ]


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- the seeds ---------------------------------------------------------------------------------------------


def test_seeds_hold_one_story_stitched_across_the_page_jump() -> None:
    result = scan(["seeds"])
    (group,) = spans(result)
    assert sorted(group) == sorted(
        [
            [("002_9a75527b5092d3dd.txt", 5, 29), ("000_1eaa65c1cfd94755.txt", 1, 302)],
            [("001_d368fce8cd43ddb5.txt", 3, 55)],
        ]
    )
    # Nothing of 003 or 004, nor of the unrelated articles on the pages (Huawei feature at 000:304-575,
    # the Henan union story at 002:31+, the 大庆精神 editorial and the advert at 001:57+).
    files = {seg[0] for witness in group for seg in witness}
    assert not files & {"003_192e47560565c690.txt", "004_948372db0ecee0b3.txt"}
    reference = next(w for w in result.groups[0].witnesses if w.id == result.groups[0].reference)
    assert len(reference.segments) == 2, "the most complete copy is the stitched one"


# --- candidates --------------------------------------------------------------------------------------------


def _texts() -> list[str]:
    paragraphs = list(real_paragraphs()[:300])
    rng = np.random.default_rng(7)
    copies = []
    for text in paragraphs[:120]:
        cut = int(rng.integers(0, len(text) // 3))
        copies.append(text[cut:] if rng.random() < 0.5 else text[: len(text) - cut])
    return paragraphs + copies


def test_banding_gives_exactly_datasketchs_candidates() -> None:
    config = FingerprintConfig()
    signatures = Signer(config).sign_texts(_texts())
    for bands, rows in ((37, 3), (16, 8), (64, 2)):
        lsh = MinHashLSH(num_perm=config.num_perm, params=(bands, rows))
        sketches = [to_lean_minhash(s, config.seed) for s in signatures]
        for i, sketch in enumerate(sketches):
            lsh.insert(i, sketch)
        expected = {(min(i, j), max(i, j)) for i, s in enumerate(sketches) for j in lsh.query(s) if i != j}
        ours = {tuple(map(int, p)) for p in band_candidates(signatures, bands, rows).pairs}
        assert ours == expected, (bands, rows)
        assert len(expected) >= 100, "the corpus must produce candidates for the comparison to mean something"


def test_a_pair_is_a_candidate_when_it_shares_a_band_and_a_crowded_bucket_is_a_star() -> None:
    # Brute force over a small key matrix with many collisions: a pair counts when some band puts both rows
    # in one bucket of at most max_bucket rows, or when it joins a larger bucket's first row to another of
    # its rows; each pair is written once however many bands it shares.
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 6, size=(60, 5)).astype(np.uint64)
    keys[:25, 1] = 99  # one crowded bucket in band 1
    doc = rng.integers(0, 20, size=60)
    for max_bucket in (4, 10, None):
        found = key_candidates(keys, doc, max_bucket)
        limit = max_bucket or 60
        buckets = [{k: [i for i in range(60) if keys[i, b] == k] for k in set(keys[:, b].tolist())} for b in range(5)]
        expected = set()
        crowded = set()
        for band in buckets:
            for members in band.values():
                if len(members) <= limit:
                    expected |= {(i, j) for i in members for j in members if i < j and doc[i] != doc[j]}
                else:
                    crowded |= set(members)
                    expected |= {(members[0], j) for j in members[1:] if doc[j] != doc[members[0]]}
        pairs = [tuple(map(int, p)) for p in found.pairs]
        assert len(pairs) == len(set(pairs)) and set(pairs) == expected, max_bucket
        assert pairs == sorted(pairs)
        assert set(found.crowded.tolist()) == crowded
        assert max_bucket != 4 or crowded >= set(range(25))


def test_verification_is_exact_and_explains_rejections() -> None:
    docs = [
        prepare_document(Document(f"d{i}.txt", text, "utf-8")).paragraphs
        for i, text in enumerate(_texts()[:150] + _texts()[300:330])
    ]
    config = Config()
    units, texts = build_units(docs, config.fingerprint)
    signatures = Signer(config.fingerprint).sign_texts(texts)
    pairs = band_candidates(signatures, 64, 2, units.doc).pairs
    verified = verify(units, pairs, CandidateConfig())
    for (a, b), jaccard, containment in zip(verified.pairs, verified.jaccard, verified.containment, strict=True):
        sa, sb = set(units.set_of(int(a)).tolist()), set(units.set_of(int(b)).tolist())
        assert jaccard == len(sa & sb) / len(sa | sb)
        assert containment == len(sa & sb) / min(len(sa), len(sb))
    assert verified.accepted.any() and not verified.accepted.all()
    reasons = verified.rejections(CandidateConfig())
    assert reasons and all("Jaccard" in r and "containment" in r for _, _, r in reasons)


# --- grouping ----------------------------------------------------------------------------------------------


def test_a_page_of_three_articles_where_one_is_reprinted(tmp_path: Path) -> None:
    a, b, c = story(1), story(2), story(3)
    newspaper = page(("甲文标题", a), ("乙文标题：一篇被转载的报道", b), ("丙文标题", c))
    damaged = [p for i, p in enumerate(b) if i != 2]
    damaged[0] = damaged[0].replace("的", "地", 1)
    write(tmp_path, "page.txt", newspaper)
    write(tmp_path, "web.txt", page(("乙文标题：一篇被转载的报道", damaged)))
    write(tmp_path, "other.txt", page(("无关", story(9))))
    (group,) = spans(scan([str(tmp_path)]))
    start = lines_of(newspaper, "乙文标题")
    end = lines_of(newspaper, b[-1][:30])
    assert sorted(group) == [[("page.txt", start, end)], [("web.txt", 1, 11)]]


def test_a_partial_reprint_joins_the_full_copy(tmp_path: Path) -> None:
    full = story(4, paragraphs=10)
    write(tmp_path, "full.txt", page(("全文", full)))
    write(tmp_path, "half.txt", page(("节选", full[:4])))
    write(tmp_path, "tail.txt", page(("后半", full[6:])))
    (group,) = spans(scan([str(tmp_path)]))
    assert sorted(w[0][0] for w in group) == ["full.txt", "half.txt", "tail.txt"]


def test_a_shared_boilerplate_paragraph_does_not_merge_two_stories(tmp_path: Path) -> None:
    slogan = (
        "欢迎关注本报官方微信公众号和新闻客户端，获取更多权威新闻资讯，请扫描下方二维码下载安装，感谢您的阅读与支持。"
    )
    x, y = story(5), story(6)
    for name, (title, body) in {
        "x1.txt": ("甲", x),
        "x2.txt": ("甲", x[:5]),
        "y1.txt": ("乙", y),
        "y2.txt": ("乙", y[1:]),
        "z.txt": ("丙", story(7)),
    }.items():
        write(tmp_path, name, page((title, [*body, slogan])))
    groups = spans(scan([str(tmp_path)]))
    members = sorted(sorted(w[0][0] for w in g) for g in groups)
    assert ["x1.txt", "x2.txt"] in members and ["y1.txt", "y2.txt"] in members
    assert not any({"x1.txt", "y1.txt"} <= set(m) for m in members), "the slogan must not chain the stories"


def test_a_story_jumping_to_another_page_is_one_witness(tmp_path: Path) -> None:
    whole = story(8, paragraphs=8)
    first = page(("头版要闻：改革开放二十年", whole[:4]), ("另一篇", story(10))).replace(
        whole[3], whole[3] + "（下转第2版）"
    )
    second = "（上接第1版）" + page(("", whole[4:])).lstrip() + "\n" + page(("第二版其他新闻", story(11)))
    write(tmp_path, "p1.txt", first)
    write(tmp_path, "p2.txt", second)
    write(tmp_path, "web.txt", page(("改革开放二十年", whole)))
    (group,) = spans(scan([str(tmp_path)]))
    stitched = next(w for w in group if len(w) == 2)
    assert [seg[0] for seg in stitched] == ["p1.txt", "p2.txt"]
    assert stitched[0][1:] == (1, lines_of(first, "下转第2版"))
    assert stitched[1][1] == 1 and stitched[1][2] < lines_of(second, "第二版其他新闻")


def ocr_page(blocks: list[str], width: int) -> str:
    """A newspaper page as OCR gives it: every block hard-wrapped at ``width`` characters, blank lines
    between blocks. Markers are wrapped like any text, so a line can end inside one (``…（下``)."""
    return "\n\n".join("\n".join(b[k : k + width] for k in range(0, len(b), width)) for b in blocks) + "\n"


def test_two_ocr_copies_jumping_at_the_same_place_are_each_stitched_to_their_own_continuation(
    tmp_path: Path,
) -> None:
    whole = story(24, paragraphs=8)
    for name, width, page_no in (("a", 22, 2), ("b", 24, 3)):
        lead = [*whole[:3], whole[3] + f"（下转第{page_no}版）"]
        first = ocr_page(["粮食生产再获丰收", *lead, "另一篇", *story(20 + width)], width)
        assert "（下\n转" in first  # the wrap cuts the marker in two, as OCR pages do
        write(tmp_path, f"{name}1.txt", first)
        rest = [f"（上接第1版）{whole[4]}", *whole[5:], "本版其他新闻", *story(30 + width)]
        write(tmp_path, f"{name}2.txt", ocr_page(rest, width))
    write(tmp_path, "web.txt", page(("粮食生产再获丰收", whole)))
    (group,) = spans(scan([str(tmp_path)]))
    stitched = sorted([seg[0] for seg in w] for w in group if len(w) == 2)
    assert stitched == [["a1.txt", "a2.txt"], ["b1.txt", "b2.txt"]]


def test_a_copy_repeating_its_paragraphs_is_one_witness(tmp_path: Path) -> None:
    body = story(12)
    repeated = [*body[:3], body[1], *body[3:], body[4], body[4]]
    write(tmp_path, "wire.txt", page(("标题", body)))
    write(tmp_path, "copy.txt", page(("标题", repeated)))
    (group,) = spans(scan([str(tmp_path)]))
    assert len(group) == 2


# --- the scan itself ---------------------------------------------------------------------------------------


def test_a_story_boxed_inside_another_is_no_part_of_it(tmp_path: Path) -> None:
    # Two pages print story A around a boxed story B (its own headline, byline and dateline); a web page
    # prints A alone. The box is cut out of A's witnesses' families whether or not it is reprinted: A's
    # coverages are the same when page 2's box is B and when it is an unmatched text of the same length.
    a, b = story(3, 8), story(30, 3)

    def boxed(box: list[str]) -> str:
        block = ["小贴士：冬季用电安全", "本报记者 李四", *box, "（新华社北京1月5日电）"]
        return "\n\n".join(["标题甲乙丙丁", *a[:4], *block, *a[4:]]) + "\n"

    coverages = []
    for name, other_box in (("same", b), ("unmatched", [p[::-1] for p in b])):
        folder = tmp_path / name
        folder.mkdir()
        write(folder, "page1.txt", boxed(b))
        write(folder, "page2.txt", boxed(other_box))
        write(folder, "web.txt", "\n\n".join(["标题甲乙丙丁", *a]) + "\n")
        result = scan([str(folder)])
        assert len(result.groups) == (2 if name == "same" else 1)
        story_group = max(result.groups, key=lambda g: len(g.witnesses))
        assert len(story_group.witnesses) == 3
        coverages.append([w.coverage for w in story_group.witnesses])
    assert coverages[0] == coverages[1]


def test_a_scan_that_lets_go_of_the_text_groups_the_same(tmp_path: Path) -> None:
    body = story(13)
    write(tmp_path, "a.txt", page(("标题", body), ("另一篇", story(14))))
    write(tmp_path, "b.txt", page(("标题", body[1:])))
    write(tmp_path, "c.txt", page(("标题", body[:4]), ("第三篇", story(15))))
    slim, full = scan([str(tmp_path)]), scan([str(tmp_path)], keep_text=True)
    assert spans(slim) == spans(full) and len(spans(slim)) == 1
    assert [w.coverage for w in slim.groups[0].witnesses] == [w.coverage for w in full.groups[0].witnesses]
    assert all(p.text == "" for d in slim.documents for p in d.paragraphs), "the scan let go of the text"
    assert [d.content_lengths() for d in slim.documents] == [d.content_lengths() for d in full.documents]


def test_a_report_prepares_its_grouped_documents_again_as_the_scan_had_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `dedup report` scans slim (raw text kept, paragraph text dropped) and prepares each group's documents
    # again where it collates the group: the collations are those of the full scan's documents, whether the
    # groups are collated in this process or in worker processes.
    from dedup.pipeline import report as reporting

    body = story(18)
    write(tmp_path, "a.txt", page(("标题", body), ("另一篇", story(19))))
    write(tmp_path, "b.html", "<html><body><h1>标题</h1>" + "".join(f"<p>{p}</p>" for p in body[1:]) + "</body></html>")
    write(tmp_path, "c.txt", ocr_page(["标题", *body[:4]], 20))
    write(tmp_path, "alone.txt", page(("无关", story(20))))
    full = scan([str(tmp_path)], keep_text=True)
    slim = scan([str(tmp_path)], keep_text=True, slim=True)
    assert spans(slim) == spans(full) and len(full.groups) == 1
    assert all(p.text == "" for d in slim.documents for p in d.paragraphs)
    (group,) = full.groups
    for k, document in reporting._sources(group, slim.documents).items():
        assert reporting.whole(document, Config()).paragraphs == full.documents[k].paragraphs
    expected = reporting.collate_group_report(group, full.documents)
    with pytest.raises(ValueError, match="slim"):  # slim paragraphs have no text: never collated as they are
        reporting.collate_group(group, slim.documents)
    assert reporting.collate_group(group, reporting.whole_documents(slim)) == expected.collation
    for parallel_from in (200, 1):
        monkeypatch.setattr(reporting, "PARALLEL_GROUPS", parallel_from)
        (got,) = reporting.report([str(tmp_path)]).groups
        assert got.collation == expected.collation and got.texts == expected.texts
        assert [w.findings for w in got.collation.witnesses] != [[] for _ in got.collation.witnesses]


def test_a_large_corpus_is_sketched_in_worker_processes_and_keeps_input_order(tmp_path: Path) -> None:
    # Past PARALLEL_FROM documents the work goes to a process pool; records keep the input order, skipped
    # lines keep their place, and the groups are those of the same corpus sketched in this process.
    body = story(16)
    lines = []
    for k in range(2100):
        if k % 700 == 5:
            lines.append("{broken")
        text = "\n\n".join(body if k % 500 == 0 else [story(17 + k % 40)[k % 6], f"第{k}号简讯，内容从略。"])
        lines.append(json.dumps({"id": f"n{k}", "text": text}, ensure_ascii=False))
    path = tmp_path / "drop.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pooled, alone = scan([str(path)], workers=2), scan([str(path)], workers=1)
    assert [r.path for r in pooled.inputs] == [r.path for r in alone.inputs]
    assert [r.status for r in pooled.inputs].count("skipped") == 3
    assert pooled.inputs[5].status == "skipped" and pooled.inputs[6].path.endswith("#n5")
    assert spans(pooled) == spans(alone)
    story_group = next(g for g in pooled.groups if len(g.witnesses) == 5)
    assert sorted(s.path.rpartition("#")[2] for w in story_group.witnesses for s in w.segments) == [
        "n0",
        "n1000",
        "n1500",
        "n2000",
        "n500",
    ]


def test_a_story_reprinted_by_most_of_the_corpus_is_one_group(tmp_path: Path) -> None:
    # How often a paragraph occurs is no evidence of boilerplate: 30 copies of one story among 35 documents
    # are one group, and so they are when every LSH bucket of the story is crowded (linked as a star).
    body = story(20, paragraphs=8)
    rng = np.random.default_rng(5)
    for k in range(30):
        copy = [p for i, p in enumerate(body) if i != rng.integers(0, 8)]
        copy[0] = copy[0].replace("的", "地", 1)
        write(tmp_path, f"copy{k:02d}.txt", page(("改革开放二十年", copy), ("另一篇", story(40 + k))))
    for k in range(5):
        write(tmp_path, f"other{k}.txt", page(("无关", story(80 + k))))
    crowded = Config(candidates=CandidateConfig(max_bucket=10))
    for config in (Config(), crowded):
        result = scan([str(tmp_path)], config)
        (group,) = spans(result)
        assert sorted(w[0][0] for w in group) == [f"copy{k:02d}.txt" for k in range(30)]
    assert result.stats["crowded_units"] > 0


def test_two_stories_glued_on_a_page_stay_apart(tmp_path: Path) -> None:
    # A web page printed two stories back to back with no headline between them; each is reprinted twice
    # elsewhere. No document matches both, so the page holds two passages, in two groups.
    a, b = story(21, paragraphs=5), story(22, paragraphs=5)
    glued = page(("甲文标题", a + b))
    write(tmp_path, "glued.txt", glued)
    for k in range(2):
        write(tmp_path, f"a{k}.txt", page(("甲文标题", a)))
        write(tmp_path, f"b{k}.txt", page(("乙文标题", b)))
    groups = spans(scan([str(tmp_path)]))
    members = sorted(sorted(w[0][0] for w in g) for g in groups)
    assert members == [["a0.txt", "a1.txt", "glued.txt"], ["b0.txt", "b1.txt", "glued.txt"]]
    cut = lines_of(glued, b[0][:20])
    by_file = {w[0][0]: w[0] for g in groups for w in g if w[0][0] == "glued.txt" and w[0][1] >= cut}
    assert by_file["glued.txt"][1] == cut, "the second story starts where it starts"


def test_a_front_page_teaser_is_stitched_to_its_continuation(tmp_path: Path) -> None:
    # Page 1 prints only the headline, the byline and the jump; page 2 the whole body. Nothing of the head can
    # be matched, but its headline is the one the web copy prints: one witness, two segments.
    body = story(23, paragraphs=6)
    title = "大力推进国有企业改革攻坚"
    first = page(("另一篇要闻", story(24)), (title, [])) + "本报记者王力军\n\n（下转第2版）\n"
    second = "（上接第1版）" + page(("", body)).lstrip() + "\n" + page(("第二版其他新闻", story(25)))
    write(tmp_path, "p1.txt", first)
    write(tmp_path, "p2.txt", second)
    write(tmp_path, "web.txt", page((title, body)))
    (group,) = spans(scan([str(tmp_path)]))
    stitched = next(w for w in group if len(w) == 2)
    assert [seg[0] for seg in stitched] == ["p1.txt", "p2.txt"]
    assert stitched[0][1] == lines_of(first, title) and stitched[0][2] == lines_of(first, "下转第2版")


def test_jumped_copies_are_paired_by_where_the_story_resumes(tmp_path: Path) -> None:
    # Two papers each cut the story across two pages, at different places: each head goes with the tail that
    # takes the story up where that head stops.
    body = story(26, paragraphs=8)
    # (The tails' names sort the other way round from the heads', so pairing in file order would be wrong.)
    for paper, cut, tail_name in (("x", 3, "tail_b.txt"), ("y", 5, "tail_a.txt")):
        head = page(("改革开放二十年", body[:cut])).replace(body[cut - 1], body[cut - 1] + "（下转第3版）")
        tail = "（上接第1版）" + page(("", body[cut:])).lstrip()
        write(tmp_path, f"{paper}_head.txt", head + "\n" + page(("别的新闻", story(27 + cut))))
        write(tmp_path, tail_name, page(("第三版新闻", story(30 + cut))) + "\n" + tail)
    write(tmp_path, "web.txt", page(("改革开放二十年", body)))
    (group,) = spans(scan([str(tmp_path)]))
    pairs = sorted(tuple(seg[0] for seg in w) for w in group if len(w) == 2)
    assert pairs == [("x_head.txt", "tail_b.txt"), ("y_head.txt", "tail_a.txt")]


def test_a_headline_is_taken_in_above_an_added_paragraph_but_a_breadcrumb_is_not(tmp_path: Path) -> None:
    # Web copies open with the site's breadcrumb; one copy put a paragraph of its own between headline and
    # body. The headline belongs to the story, the breadcrumb (on every page of the site) does not.
    body = story(28, paragraphs=6)
    crumb = "首页 > 时政频道 > 正文"
    title = "西部大开发稳步推进"
    added = story(29)[0]
    texts = {
        "web1.txt": page((crumb, []), (title, body)),
        "web2.txt": page((crumb, []), (title, [added, *body])),
        "other1.txt": page((crumb, []), ("无关一", story(31))),
        "other2.txt": page((crumb, []), ("无关二", story(32))),
    }
    for name, text in texts.items():
        write(tmp_path, name, text)
    (group,) = spans(scan([str(tmp_path)]))
    starts = {w[0][0]: w[0][1] for w in group}
    assert starts == {"web1.txt": lines_of(texts["web1.txt"], title), "web2.txt": lines_of(texts["web2.txt"], title)}


def test_a_short_brief_reprinted_under_its_headline_is_a_story(tmp_path: Path) -> None:
    # A brief of three one-line items, 90 characters in all, is as short as a masthead, and like one it comes
    # beside a different story in every page that prints it; but it stands under a headline of its own.
    brief = [
        "李标晶的《中国现代散文诗艺术论》已由甘肃教育出版社出版发行。",
        "张彦加的散文诗论集《美的文体》已由四川民族出版社正式出版。",
        "林信成的诗集《撕下的日子》已由党建读物出版社出版，书价十元。",
    ]
    slogan = "欢迎订阅本报，全国各地邮局均可办理订阅手续，邮发代号一。"
    for k in range(4):
        write(tmp_path, f"page{k}.txt", page((f"要闻{k}", story(50 + k)), ("大地书讯", brief), ("", [slogan])))
    for k in range(4, 6):  # the slogan stands on other pages too, under other stories
        write(tmp_path, f"page{k}.txt", page((f"要闻{k}", story(50 + k)), ("", [slogan])))
    groups = spans(scan([str(tmp_path)]))
    assert len(groups) == 1 and sorted(w[0][0] for w in groups[0]) == [f"page{k}.txt" for k in range(4)]
    text = page(("要闻0", story(50)), ("大地书讯", brief), ("", [slogan]))
    witness = next(w[0] for w in groups[0] if w[0][0] == "page0.txt")
    assert witness[1:] == (lines_of(text, "大地书讯"), lines_of(text, brief[-1])), "the slogan is not part of it"


def test_a_copy_that_scatters_a_partial_story_is_one_witness(tmp_path: Path) -> None:
    # Copy A holds five paragraphs of a story; copy B holds them too, scattered among paragraphs that only
    # it holds (they are in no other input): the stray single paragraph is a piece of B's copy, not lost.
    body = story(33, paragraphs=5)
    other = story(34, paragraphs=8)
    scattered = [body[0], body[1], *other[:4], body[2], *other[4:8], body[3], body[4]]
    write(tmp_path, "a.txt", page(("标题", body)))
    text = page(("标题", scattered))
    write(tmp_path, "b.txt", text)
    (group,) = spans(scan([str(tmp_path)]))
    (b,) = [w[0] for w in group if w[0][0] == "b.txt"]
    assert b[1:] == (1, lines_of(text, body[4][:20]))


def test_articles_on_the_same_topic_are_kept_apart(tmp_path: Path) -> None:
    # The generator's hard negatives: pairs of real articles on one topic (shared names and vocabulary, no
    # shared sentence), each reprinted with damage. No group may hold copies of both.
    from benchmarks.corpus import generate_corpus

    truth = generate_corpus(tmp_path, stories=30, seed=2)
    assert truth.same_topic
    result = scan([str(tmp_path)])
    copies = {c.id: c for c in truth.copies}
    story_of: dict[tuple[str, int], str] = {}
    for c in truth.copies:
        for seg in c.segments:
            for line in range(seg.start_line, seg.end_line + 1):
                story_of[(seg.path, line)] = c.story
    twins = {frozenset(pair) for pair in truth.same_topic}
    grouped: set[str] = set()
    for g in result.groups:
        stories = {
            story_of.get(
                (Path(s.path.split("#")[0]).name + ("#" + s.path.split("#")[1] if "#" in s.path else ""), line)
            )
            for w in g.witnesses
            for s in w.segments
            for line in range(s.start_line, s.end_line + 1)
        } - {None}
        assert not any(pair <= stories for pair in twins), (g.id, sorted(s for s in stories if s))
        grouped |= {s for s in stories if s}
    assert copies and any(pair <= grouped for pair in twins), "both twins of a pair are found, apart"
