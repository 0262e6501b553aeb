"""Several processes writing and ticking one storage: nothing lost, nothing doubled."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.reliability.workers import open_storage
from walletcare.adapters.sqlite import SQLiteStorage
from walletcare.ports import Commit, MessageStatus, OutboundMessage, SetTimer

WORKERS = Path(__file__).with_name("workers.py")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _delivered(out_dir: Path, workers: int) -> Counter[str]:
    delivered: Counter[str] = Counter()
    for w in range(workers):
        path = out_dir / f"delivered-w{w}.txt"
        if path.exists():
            delivered.update(path.read_text().split())
    return delivered


@pytest.mark.slow
def test_processes_share_one_store_safely(storage_url: str, tmp_path: Path) -> None:
    """No lost event, no timer fired twice, no message delivered twice by walletcare itself."""
    open_storage(storage_url).close()
    workers, count = 3, 60
    children = [
        subprocess.Popen(
            [sys.executable, str(WORKERS), "race", storage_url, f"w{w}", str(count), str(tmp_path)]
        )
        for w in range(workers)
    ]
    for child in children:
        assert child.wait(timeout=300) == 0

    acked = {
        line for w in range(workers) for line in (tmp_path / f"acked-w{w}.txt").read_text().split()
    }
    assert len(acked) == workers * count
    storage = open_storage(storage_url)
    noted: Counter[str] = Counter()
    fired: Counter[str] = Counter()
    for event in storage.read_all(0, limit=1_000_000):
        body = json.loads(event.data)
        if event.kind == "race.noted":
            noted[f"{body['worker']}-{body['n']}"] += 1
        elif event.kind == "race.fired":
            fired[body["timer"]] += 1
    assert set(noted) == acked and set(noted.values()) == {1}
    assert set(fired) == {f"race:{tag}" for tag in acked}
    assert set(fired.values()) == {1}, "a timer fired twice"
    delivered = _delivered(tmp_path, workers)
    assert set(delivered) == acked
    assert set(delivered.values()) == {1}, "a message was delivered twice"
    if isinstance(storage, SQLiteStorage):
        assert storage.integrity_check() == "ok"
    storage.close()


@pytest.mark.slow
def test_four_tickers_fire_each_timer_once_and_send_each_message_once(
    storage_url: str, tmp_path: Path
) -> None:
    """Four processes tick 1,000 due timers and 1,000 messages: each fires or is sent once."""
    streams, per_stream, workers = 250, 4, 4
    storage = open_storage(storage_url)
    for s in range(streams):
        stream = f"case-{s}"
        storage.append(
            Commit(
                stream_id=stream,
                expected_version=0,
                timers=[SetTimer(name=f"due:{s}-{n}", due_at=T0) for n in range(per_stream)],
                messages=[
                    OutboundMessage(
                        id=f"m-{s}-{n}",
                        stream_id=stream,
                        channel="sms",
                        recipient="r",
                        template="t",
                        body="b",
                        due_at=T0,
                    )
                    for n in range(per_stream)
                ],
            )
        )
    storage.close()
    children = [
        subprocess.Popen(
            [sys.executable, str(WORKERS), "tick", storage_url, f"w{w}", str(tmp_path)]
        )
        for w in range(workers)
    ]
    # All four start ticking together, so the work is really shared out among them.
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"ready-w{w}").exists() for w in range(workers)):
        assert time.monotonic() < deadline, "the tickers did not start"
        assert all(child.poll() is None for child in children), "a ticker died starting"
        time.sleep(0.05)
    (tmp_path / "go").touch()
    for child in children:
        assert child.wait(timeout=300) == 0

    storage = open_storage(storage_url)
    fired: Counter[str] = Counter()
    firing_workers: set[str] = set()
    for event in storage.read_all(0, limit=1_000_000):
        if event.kind == "race.fired":
            body = json.loads(event.data)
            fired[body["timer"]] += 1
            firing_workers.add(body["by"]["id"])
    expected = {f"due:{s}-{n}" for s in range(streams) for n in range(per_stream)}
    assert set(fired) == expected and sum(fired.values()) == 1000, "a timer fired twice or never"
    delivered = _delivered(tmp_path, workers)
    assert len(delivered) == 1000 and set(delivered.values()) == {1}, "a message went twice"
    assert len(storage.list_messages(MessageStatus.DELIVERED, limit=2000)) == 1000
    assert all(storage.get_timers(f"case-{s}") == [] for s in range(streams))
    sending = [w for w in range(workers) if (tmp_path / f"delivered-w{w}.txt").exists()]
    assert len(firing_workers) > 1 and len(sending) > 1, "one ticker did all the work"
    storage.close()
