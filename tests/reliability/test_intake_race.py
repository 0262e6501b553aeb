"""Two writers opening the same complaint at once: one complaint, the other linked or refused."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.complaints_fixtures import T0, intake
from tests.reliability.workers import open_storage
from walletcare import Settings, Walletcare
from walletcare.config import CaseSettings, ComplaintPolicy, DuplicateHandling
from walletcare.testing import FixedClock

WORKERS = Path(__file__).with_name("workers.py")


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["link", "refuse"])
def test_processes_opening_one_complaint_open_it_once(
    storage_url: str, tmp_path: Path, policy: str
) -> None:
    """Four processes file the same customer's complaint about one transaction at once."""
    start = tmp_path / "go"
    open_storage(storage_url).close()
    children = [
        subprocess.Popen(
            [
                *(sys.executable, str(WORKERS), "intake", storage_url, f"w{w}"),
                *(policy, str(start), str(tmp_path)),
            ]
        )
        for w in range(4)
    ]
    time.sleep(1.5)  # let every worker import and wait at the start line
    start.touch()
    for child in children:
        assert child.wait(timeout=120) == 0
    results = [(tmp_path / f"intake-w{w}.txt").read_text().split() for w in range(4)]
    complaints = {cid for cid, _ in results}
    outcomes = sorted(outcome for _, outcome in results)
    assert len(complaints) == 1, results
    other = "linked" if policy == "link" else "refused"
    assert outcomes == sorted(["opened", other, other, other])
    with Walletcare(Settings(storage_url=storage_url, load_entry_points=False)) as app:
        (only,) = app.complaints.list()
        assert app.complaints.get(only.stream_id).linked_duplicates == (
            3 if policy == "link" else 0
        )


def _two_apps(tmp_path: Path, policy: DuplicateHandling) -> tuple[Walletcare, Walletcare]:
    settings = Settings(
        storage_url=f"sqlite:///{tmp_path / 'two.db'}",
        load_entry_points=False,
        cases={"complaint": CaseSettings(policy=ComplaintPolicy(duplicates=policy))},
    )
    return Walletcare(settings, clock=FixedClock(T0)), Walletcare(settings, clock=FixedClock(T0))


def test_a_writer_that_looked_before_the_other_opened_links_instead(tmp_path: Path) -> None:
    """A saw no open complaint, B opened one, A's open then takes the taken key: A links."""
    a, b = _two_apps(tmp_path, DuplicateHandling.LINK)
    opened = b.complaints.open(intake())
    a.complaints._open_duplicate = _after_first(a.complaints._open_duplicate)  # type: ignore[method-assign]
    receipt = a.complaints.open(intake(description="The same double debit, reported again."))
    assert receipt.linked and receipt.complaint_id == opened.complaint_id
    assert len(a.complaints.list()) == 1


def _after_first(look):  # type: ignore[no-untyped-def]
    """A look-up that misses once (the race) and then sees what storage holds."""
    seen = []

    def lookup(i):  # type: ignore[no-untyped-def]
        seen.append(i)
        return None if len(seen) == 1 else look(i)

    return lookup


def test_same_host_id_from_two_writers_returns_one_receipt(tmp_path: Path) -> None:
    """B opens the host's id while A was deciding: A gets B's receipt, not 'already taken'."""
    a, b = _two_apps(tmp_path, DuplicateHandling.LINK)
    first = b.complaints.open(intake(), complaint_id="host-7")
    a.storage.get_summary = _miss_once(a.storage.get_summary)  # type: ignore[method-assign]
    again = a.complaints.open(intake(), complaint_id="host-7")
    assert again == first


def _miss_once(get):  # type: ignore[no-untyped-def]
    seen = []

    def lookup(stream_id):  # type: ignore[no-untyped-def]
        seen.append(stream_id)
        return None if len(seen) == 1 else get(stream_id)

    return lookup


def test_a_retried_linked_intake_links_once(tmp_path: Path) -> None:
    """The host retries a repeat intake under its own id: same receipt, linked only once."""
    a, _ = _two_apps(tmp_path, DuplicateHandling.LINK)
    first = a.complaints.open(intake())
    repeat = intake(description="I already told you about this double debit.")
    linked = a.complaints.open(repeat, complaint_id="host-repeat-1")
    retried = a.complaints.open(repeat, complaint_id="host-repeat-1")
    assert linked == retried and linked.complaint_id == first.complaint_id and linked.linked
    assert a.complaints.get(first.complaint_id).linked_duplicates == 1
