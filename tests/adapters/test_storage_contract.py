"""The shipped storage contract, run against every built-in storage."""

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


class TestPostgresStorage(StorageContract):
    """postgresql:// passes the contract, each storage in a schema of its own."""

    @pytest.fixture
    def storage_factory(self, fresh_schema: Callable[[], str]) -> Callable[[], Storage]:
        from walletcare.adapters.postgres.storage import PostgresStorage

        return lambda: PostgresStorage.from_url(fresh_schema())


def test_driver_errors_become_storage_errors(tmp_path: Path) -> None:
    """A file that is not a database is a StorageError, with the driver's error as its cause."""
    import sqlite3

    from walletcare.errors import StorageError

    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError) as err:
        SQLiteStorage(str(bad))
    assert isinstance(err.value.__cause__, sqlite3.DatabaseError)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    """A file migrated by a newer walletcare is refused rather than misread."""
    import sqlite3

    from walletcare.errors import ConfigurationError

    path = tmp_path / "future.db"
    SQLiteStorage(str(path)).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(ConfigurationError, match="newer"):
        SQLiteStorage(str(path))


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://host/x.db",
        "sqlite:///",
        "sqlite:///x.db?color=red",
        "sqlite:///x.db?synchronous=sometimes",
    ],
)
def test_bad_sqlite_urls_are_configuration_errors(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hosts, missing paths and unknown options in sqlite URLs are refused clearly."""
    from walletcare.errors import ConfigurationError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigurationError):
        SQLiteStorage.from_url(url)
