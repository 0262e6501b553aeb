"""Snapshots are a cache kept in each commit: commands read the snapshot and the events after
it, and a snapshot that cannot be used is ignored for the events."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from tests.complaints_fixtures import T0, intake
from walletcare import Actor, Settings, Walletcare
from walletcare.domain import complaints as domain
from walletcare.ports import Commit, Storage
from walletcare.testing import FixedClock

AGENT = Actor.staff("agent-1")


def _app() -> Walletcare:
    return Walletcare(
        Settings(storage_url="memory://", load_entry_points=False), clock=FixedClock(T0)
    )


def test_commands_read_only_the_events_after_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    """With fifty contacts recorded, a command reads the snapshot and no event before it."""
    app = _app()
    cid = app.complaints.open(intake()).complaint_id
    for i in range(50):
        app.complaints.record_contact(
            cid, by=AGENT, channel="phone", direction="inbound", summary=f"call {i}"
        )
    reads: list[int] = []
    original = app.storage.read_stream

    def spy(stream_id: str, after_version: int = 0):  # type: ignore[no-untyped-def]
        reads.append(after_version)
        return original(stream_id, after_version)

    monkeypatch.setattr(app.storage, "read_stream", spy)
    before = app.storage.stream_version(cid)
    app.complaints.acknowledge(cid, by=AGENT)
    # Of what it had already folded, only the newest event (for its time) is read again.
    assert before > 50 and reads == [before - 1]
    assert app.complaints.get(cid).status.value == "acknowledged"


def test_a_lagging_instance_never_dates_a_command_before_the_snapshot_events() -> None:
    """An instance whose clock is an hour behind acts on a case another instance wrote: its
    events are dated at the newest one the snapshot folds, not before it."""
    app = _app()
    cid = app.complaints.open(intake()).complaint_id
    lagging = Walletcare(
        Settings(storage_url="memory://", load_entry_points=False),
        clock=FixedClock(T0 - timedelta(hours=1)),
        storage=app.storage,
    )
    lagging.complaints.withdraw(cid, by=Actor.customer("cust-1"), reason="sorted out")
    times = [e.at for e in app.events(cid)]
    assert times == sorted(times) and times[-1] == T0


@pytest.mark.parametrize(
    "spoil",
    [
        lambda s: attrs.evolve(s, schema=s.schema + 1),  # an older or newer state layout
        lambda s: attrs.evolve(s, data='{"id": 5}'),  # does not read back as a complaint
        lambda s: attrs.evolve(s, kind="dispute"),  # another kind's
    ],
)
def test_an_unusable_snapshot_is_ignored_for_the_events(spoil) -> None:  # type: ignore[no-untyped-def]
    """A snapshot of another layout or kind, or that does not read back, means a replay."""
    app = _app()
    cid = app.complaints.open(intake()).complaint_id
    app.complaints.acknowledge(cid, by=AGENT)
    expected = domain.replay(app.events(cid))
    storage: Storage = app.storage
    good = storage.read_snapshot(cid)
    assert good is not None
    # Write a spoiled snapshot the way a commit would, with no events of its own.
    storage.append(Commit(stream_id=cid, expected_version=good.version, snapshot=spoil(good)))
    assert app.complaints.get(cid) == expected
    investigating = app.complaints.start_investigation(cid, by=AGENT)
    assert investigating == domain.replay(app.events(cid))
    fresh = storage.read_snapshot(cid)
    assert fresh is not None and fresh.schema == good.schema and fresh.kind == "complaint"


def test_a_kind_without_a_state_type_keeps_no_snapshot() -> None:
    """Kinds that do not declare their state class replay their streams (no snapshot rows)."""
    from tests.kinds.callbacks import CALLBACKS, CallbackService

    app = Walletcare(Settings(storage_url="memory://"), kinds=[CALLBACKS], clock=FixedClock(T0))
    CallbackService(app.cases("callback")).request(
        "cb-1", customer_id="c", phone="+1", topic="fees"
    )
    assert app.storage.read_snapshot("cb-1") is None
