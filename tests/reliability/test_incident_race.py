"""Two processes detecting on one SQLite file open one incident for one cluster."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from walletcare import Settings, Walletcare
from walletcare.adapters.sqlite import SQLiteStorage
from walletcare.config import CaseSettings, IncidentPolicy, Pattern

WORKERS = Path(__file__).with_name("workers.py")


@pytest.mark.slow
def test_two_processes_detecting_on_one_file_open_one_incident(tmp_path: Path) -> None:
    """Both file 25 alike complaints at once (threshold 6): one incident holds all 50."""
    db, start = str(tmp_path / "incidents.db"), tmp_path / "go"
    SQLiteStorage(db).close()
    children = [
        subprocess.Popen([sys.executable, str(WORKERS), "incidents", db, w, "25", str(start)])
        for w in ("a", "b")
    ]
    time.sleep(1.5)  # let both import and wait at the start line
    start.touch()
    for child in children:
        assert child.wait(timeout=300) == 0
    from datetime import timedelta

    pattern = Pattern(name="errors", fields=("error_code",), window=timedelta(hours=1), threshold=6)
    settings = Settings(
        storage_url=f"sqlite:///{db}",
        load_entry_points=False,
        cases={"incident": CaseSettings(policy=IncidentPolicy(patterns=(pattern,)))},
    )
    with Walletcare(settings) as app:
        app.incidents.detect()
        (row,) = app.incidents.list()
        incident = app.incidents.get(row.stream_id)
        wanted = {f"{w}-cmp-{n}" for w in ("a", "b") for n in range(25)}
        assert set(incident.members) == wanted
        links = Counter(
            e.complaint_id
            for cid in wanted
            for e in app.events(cid)
            if e.kind == "complaint.incident_linked"
        )
        assert links == dict.fromkeys(wanted, 1)
        assert {app.complaints.get(cid).incident for cid in wanted} == {row.stream_id}
