"""Fuzzing the index file reader: a real index, damaged at random (bytes overwritten, the file cut short, bits
flipped), read every way dedup reads an index. Whatever the damage, the reader either reads the file or
refuses it with :class:`IndexFileError` (the CLI's exit 2 and one line); no other exception escapes, so no
traceback reaches the user and no crash reads as a verdict.

Bounded for CI (``max_examples`` below, ~20 s here); ``DEDUP_FUZZ_EXAMPLES`` raises it for a longer run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dedup.cli import app
from dedup.config import Config
from dedup.gate.check import add_to_index, check
from dedup.store.index import Index, IndexFileError

from .corpora import page, story

EXAMPLES = int(os.environ.get("DEDUP_FUZZ_EXAMPLES", "60"))


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Path]:
    """A real index of six documents (bytes), and a drop that reprints two of them."""
    root = tmp_path_factory.mktemp("fuzz")
    held, drop = root / "held", root / "drop"
    held.mkdir()
    drop.mkdir()
    for k in range(6):
        (held / f"s{k}.txt").write_text(page((f"标题{k}", story(200 + k, 8))), encoding="utf-8")
    (drop / "a.txt").write_text(page(("转载", story(201, 8)[1:])), encoding="utf-8")
    (drop / "b.txt").write_text(page(("转载", story(204, 8)[:6])), encoding="utf-8")
    path = root / "i.sqlite"
    with Index.create(path, Config()) as index:
        add_to_index([str(held)], index, workers=1)
    return path.read_bytes(), drop


@st.composite
def damage(draw: st.DrawFn, size: int) -> tuple[str, int, bytes]:
    """One kind of damage to a file of ``size`` bytes: (kind, offset, bytes)."""
    kind = draw(st.sampled_from(["overwrite", "truncate", "flip"]))
    offset = draw(st.integers(0, size - 1))
    if kind == "overwrite":
        return kind, offset, draw(st.binary(min_size=1, max_size=65536))
    if kind == "flip":
        return kind, offset, bytes([1 << draw(st.integers(0, 7))])
    return kind, offset, b""


def _damaged(data: bytes, how: tuple[str, int, bytes], flips: list[int]) -> bytes:
    kind, offset, payload = how
    out = bytearray(data)
    if kind == "truncate":
        return bytes(out[:offset])
    if kind == "overwrite":
        out[offset : offset + len(payload)] = payload[: len(out) - offset]
    else:
        out[offset] ^= payload[0]
    for position in flips:  # a few more bits, anywhere
        out[position % len(out)] ^= 1 << (position % 8)
    return bytes(out)


def _read_every_way(path: Path, drop: Path) -> str:
    """Everything dedup reads from an index, and an add into it; "refused" if it says so."""
    try:
        with Index.open(path, Config()) as index:
            index.info()
            held = index.documents(range(1, 10))
            index.raw_texts(held)
            for _ in index.blocks():
                pass
            check([str(drop)], index, fail_on=("dropped",), workers=1)
            add_to_index([str(drop / "a.txt")], index, workers=1)
    except IndexFileError as exc:
        assert str(path) in str(exc), "the message names the file"
        return "refused"
    return "read"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_damaged_index_is_read_or_refused_never_a_traceback(
    sound: tuple[bytes, Path], tmp_path: Path, data: st.DataObject
) -> None:
    original, drop = sound
    how = data.draw(damage(len(original)), label="damage")
    flips = data.draw(st.lists(st.integers(0, len(original) * 8), max_size=3), label="more flips")
    path = tmp_path / "i.sqlite"
    path.unlink(missing_ok=True)
    path.with_name("i.sqlite-journal").unlink(missing_ok=True)
    path.write_bytes(_damaged(original, how, flips))
    _read_every_way(path, drop)
    result = CliRunner().invoke(app, ["index", "info", "--index", str(path)])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
