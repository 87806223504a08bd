"""Shared fixtures: the seed corpus, and a quick way to prepare one of its files."""

from __future__ import annotations

from pathlib import Path

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
