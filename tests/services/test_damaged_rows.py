"""A damaged stored event is reported as a StorageError naming its stream; other cases read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from walletcare import Settings, Walletcare
from walletcare.errors import StorageError
from walletcare.testing import FixedClock

from ..complaints_fixtures import T0, intake


def test_event_body_that_is_not_json_names_its_stream(tmp_path: Path) -> None:
    """Reading a case whose stored event is not JSON raises StorageError naming the stream."""
    url = f"sqlite:///{tmp_path / 'd.db'}"
    app = Walletcare(Settings(storage_url=url, load_entry_points=False), clock=FixedClock(T0))
    bad = app.complaints.open(intake()).complaint_id
    good = app.complaints.open(intake(transactions=("tx-2",))).complaint_id
    with sqlite3.connect(tmp_path / "d.db") as db:
        db.execute("UPDATE events SET data = 'not json' WHERE stream_id = ?", (bad,))
    db.close()
    with pytest.raises(StorageError, match=bad):
        app.complaints.history(bad)
    assert app.complaints.get(good).id == good
    app.close()
