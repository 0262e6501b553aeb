"""The storages the multi-process tests run against: one SQLite file, one PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL for a new, empty storage shared by the test's child processes."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    fresh: Callable[[], str] = request.getfixturevalue("fresh_schema")
    return fresh()
