"""Shared fixtures: the seed corpus, and a quick way to prepare one of its files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from dedup.ingest.load import load
from dedup.prepare import Prepared, prepare_document
from dedup.records import Document

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seeds() -> dict[str, Prepared]:
    """The five seed documents, prepared, keyed by their three-digit prefix ("000" … "004")."""
    out: dict[str, Prepared] = {}
    for item in load([str(SEEDS)]):
        assert isinstance(item, Document), item
        out[Path(item.path).name[:3]] = prepare_document(item)
    return out


@pytest.fixture(scope="session", autouse=True)
def junit_files_parse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every JUnit file the suite writes (any ``*.xml`` under the session's temporary directory) parses: a
    control character from a file name or a quote once made a CI parser refuse the whole report."""
    yield
    for path in sorted(tmp_path_factory.getbasetemp().rglob("*.xml")):
        try:
            ET.parse(path)
        except ET.ParseError as exc:
            pytest.fail(f"{path} is not well-formed XML: {exc}")
