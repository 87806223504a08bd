"""Group ids come from the story's content: the same story keeps its id when the corpus around it changes."""

from __future__ import annotations

import re
from pathlib import Path

from dedup import Config, scan
from dedup.group.ids import content_ids
from tests.corpora import page, story

ID = re.compile(r"^g[0-9a-f]{7}(-\d+)?$")


def _write(folder: Path, name: str, *articles: tuple[str, list[str]]) -> None:
    (folder / name).write_text(page(*articles), encoding="utf-8")


def _copies(folder: Path, number: int, *names: str) -> None:
    """The story ``number`` printed in each named file, the later copies cut short by a paragraph."""
    paragraphs = story(number)
    for k, name in enumerate(names):
        _write(folder, name, (f"标题{number}", paragraphs[: len(paragraphs) - k]))


def _ids_by_paths(folder: Path) -> dict[frozenset[str], str]:
    result = scan([str(folder)], Config())
    for group in result.groups:
        assert ID.match(group.id), group.id
        assert all(w.id.startswith(group.id + ".W") for w in group.witnesses)
    return {frozenset(Path(s.path).name for w in g.witnesses for s in w.segments): g.id for g in result.groups}


def test_a_group_keeps_its_id_when_unrelated_files_are_added(tmp_path: Path) -> None:
    _copies(tmp_path, 3, "m_a.txt", "m_b.txt")
    _copies(tmp_path, 7, "p_a.txt", "p_b.txt", "p_c.txt")
    before = _ids_by_paths(tmp_path)
    assert len(before) == 2

    # files sorting first (a positional id would shift), another reprinted story and a lone article
    _copies(tmp_path, 11, "a_a.txt", "a_b.txt")
    _write(tmp_path, "0_alone.txt", ("独立", story(19)))
    after = _ids_by_paths(tmp_path)

    assert len(after) == 3
    assert {paths: after[paths] for paths in before} == before
    assert len(set(after.values())) == 3


def test_a_group_keeps_its_id_when_another_exact_copy_joins(tmp_path: Path) -> None:
    _copies(tmp_path, 5, "b.txt", "c.txt")
    (before,) = _ids_by_paths(tmp_path).values()
    _copies(tmp_path, 5, "a.txt")  # the whole story again: no shingle newly shared
    (after,) = _ids_by_paths(tmp_path).values()
    assert after == before


def test_input_order_does_not_change_ids(tmp_path: Path) -> None:
    for number in (2, 4, 6):
        _copies(tmp_path, number, f"x{number}.txt", f"y{number}.txt")
    files = sorted(str(p) for p in tmp_path.iterdir())
    forward = {g.id for g in scan(files, Config()).groups}
    backward = {g.id for g in scan(files[::-1], Config()).groups}
    assert forward == backward and len(forward) == 3


def test_colliding_ids_are_told_apart_by_fingerprint_whatever_the_order() -> None:
    prints = [(9, 40), (9, 12), (3,)]
    ids = content_ids(prints)
    assert len(set(ids)) == 3
    assert ids[0] == ids[1] + "-2"  # (9, 12) sorts first and keeps the plain id
    assert content_ids(prints[::-1]) == ids[::-1]
