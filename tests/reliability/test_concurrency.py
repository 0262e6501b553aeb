"""Several processes writing and ticking one SQLite file: nothing lost, nothing doubled."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from walletcare.adapters.sqlite import SQLiteStorage

WORKERS = Path(__file__).with_name("workers.py")


@pytest.mark.slow
def test_processes_share_one_file_safely(tmp_path: Path) -> None:
    """No lost event, no timer fired twice, no message delivered twice by walletcare itself."""
    db = str(tmp_path / "race.db")
    SQLiteStorage(db).close()
    workers, count = 3, 60
    children = [
        subprocess.Popen(
            [sys.executable, str(WORKERS), "race", db, f"w{w}", str(count), str(tmp_path)]
        )
        for w in range(workers)
    ]
    for child in children:
        assert child.wait(timeout=300) == 0

    acked = {
        line for w in range(workers) for line in (tmp_path / f"acked-w{w}.txt").read_text().split()
    }
    assert len(acked) == workers * count
    storage = SQLiteStorage(db)
    noted: Counter[str] = Counter()
    fired: Counter[str] = Counter()
    import json

    for event in storage.read_all(0, limit=1_000_000):
        body = json.loads(event.data)
        if event.kind == "race.noted":
            noted[f"{body['worker']}-{body['n']}"] += 1
        elif event.kind == "race.fired":
            fired[body["timer"]] += 1
    assert set(noted) == acked and set(noted.values()) == {1}
    assert set(fired) == {f"race:{tag}" for tag in acked}
    assert set(fired.values()) == {1}, "a timer fired twice"
    delivered: Counter[str] = Counter()
    for w in range(workers):
        path = tmp_path / f"delivered-w{w}.txt"
        if path.exists():
            delivered.update(path.read_text().split())
    assert set(delivered) == acked
    assert set(delivered.values()) == {1}, "a message was delivered twice"
    assert storage.integrity_check() == "ok"
    storage.close()
