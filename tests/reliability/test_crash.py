"""Kill -9 at random moments: every acknowledged command survives, nothing half-written shows."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.reliability.workers import open_storage
from walletcare.adapters.sqlite import SQLiteStorage
from walletcare.ports import MessageStatus

WORKERS = Path(__file__).with_name("workers.py")


@pytest.mark.slow
def test_sigkill_never_loses_an_acknowledged_command(storage_url: str) -> None:
    """After many SIGKILLs, all acknowledged commands are whole and the store is sound."""
    open_storage(storage_url).close()  # create the schema once, before the first kill
    rng = random.Random(20261122)
    acked: list[str] = []
    for round_no in range(12):
        child = subprocess.Popen(
            [sys.executable, str(WORKERS), "crash", storage_url, f"r{round_no}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        # Wait for the first acknowledgement (start-up time varies with the machine's load),
        # then kill at a random moment in the middle of the append loop.
        first = child.stdout.readline().strip()
        time.sleep(rng.uniform(0.0, 0.3))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        acked.extend(line for line in [first, *out.splitlines()] if line)
        assert first, f"round {round_no}: the child acknowledged nothing"
    assert len(acked) >= 12

    storage = open_storage(storage_url)
    if isinstance(storage, SQLiteStorage):
        assert storage.integrity_check() == "ok"
    steps: Counter[str] = Counter()
    for event in storage.read_all(0, limit=10_000_000):
        steps[json.loads(event.data)["tag"]] += 1
    timers = {t.name for s in range(7) for t in storage.get_timers(f"stream-{s}")}
    messages = {m.id for m in storage.list_messages(MessageStatus.PENDING, limit=10_000_000)}
    for tag in acked:
        assert steps[tag] == 5, f"acknowledged {tag} lost events"
        assert f"t:{tag}" in timers and tag in messages
    # Whatever was written but not acknowledged is whole too: all five events with its records.
    for tag, count in steps.items():
        assert count == 5, f"{tag} is half-written"
        assert f"t:{tag}" in timers and tag in messages
    for s in range(7):
        versions = [e.stream_version for e in storage.read_stream(f"stream-{s}")]
        assert versions == list(range(1, len(versions) + 1))
    positions = [e.position for e in storage.read_all(0, limit=10_000_000)]
    assert positions == sorted(set(positions))
    storage.close()
