"""Fixtures of the engine's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.engine.ledger import Ledger


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    """An empty ledger of its own for each test."""
    opened = Ledger.open(tmp_path / "ledger.sqlite3", actor="test")
    yield opened
    opened.close()
