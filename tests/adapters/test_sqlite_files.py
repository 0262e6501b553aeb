"""Which files SQLite storage opens: never changes a file it refuses, never invents a directory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from walletcare import Settings, Walletcare
from walletcare.adapters.sqlite import SQLiteStorage
from walletcare.errors import ConfigurationError, StorageError


def test_another_applications_file_is_refused_unchanged(tmp_path: Path) -> None:
    """A file with someone else's tables is refused and keeps its journal mode and bytes."""
    path = tmp_path / "theirs.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE streams (x)")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="another application"):
        SQLiteStorage(str(path))
    assert path.read_bytes() == before
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    db.close()


def test_missing_directory_is_refused(tmp_path: Path) -> None:
    """A mistyped directory is refused; nothing is created."""
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'x.db'}"
    with pytest.raises(StorageError, match="does not exist"):
        Walletcare(Settings(storage_url=url, load_entry_points=False))
    assert not (tmp_path / "no").exists()


def test_missing_directory_is_created_when_asked(tmp_path: Path) -> None:
    """create_dirs=true in the URL makes the directories."""
    url = f"sqlite:///{tmp_path / 'new' / 'x.db'}?create_dirs=true"
    Walletcare(Settings(storage_url=url, load_entry_points=False)).close()
    assert (tmp_path / "new" / "x.db").exists()


def test_nul_in_the_path_is_a_configuration_error() -> None:
    """A NUL character in the URL's path is refused as configuration, not a ValueError."""
    with pytest.raises(ConfigurationError):
        Walletcare(Settings(storage_url="sqlite:///a\x00b.db", load_entry_points=False))
