"""The shipped storage contract, run against both built-in storages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from walletcare.adapters.memory import MemoryStorage
from walletcare.adapters.sqlite import SQLiteStorage
from walletcare.ports import Storage
from walletcare.testing.contract import StorageContract


class TestMemoryStorage(StorageContract):
    """memory:// passes the contract (and is its reference)."""

    @pytest.fixture
    def storage_factory(self) -> Callable[[], Storage]:
        return MemoryStorage


class TestSQLiteStorage(StorageContract):
    """sqlite:/// passes the contract."""

    @pytest.fixture
    def storage_factory(self, tmp_path: Path) -> Callable[[], Storage]:
        return lambda: SQLiteStorage(str(tmp_path / f"{uuid.uuid4().hex}.db"), synchronous="normal")
