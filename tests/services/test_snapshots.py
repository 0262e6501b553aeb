"""Snapshots are a cache kept in each commit: commands read the snapshot and the events after
it, and a snapshot that cannot be used is ignored for the events."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from tests.complaints_fixtures import T0, intake
from walletcare import Actor, Settings, Walletcare
from walletcare.domain import complaints as domain
from walletcare.ports import Commit, Storage
from walletcare.services.states import SNAPSHOT_BYTES_PER_EVENT, CachedState, StateCache
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
    # Another process, holding nothing in memory, reads the snapshot: of what it folds, only
    # the newest event (for its time) is read again.
    other = Walletcare(
        Settings(storage_url="memory://", load_entry_points=False),
        storage=app.storage,
        clock=FixedClock(T0),
    )
    snapshot = app.storage.read_snapshot(cid)
    assert snapshot is not None and before - snapshot.version < 5
    other.complaints.acknowledge(cid, by=AGENT)
    assert before > 50 and reads == [snapshot.version - 1]
    # This process holds the case as it wrote it: it reads only what the other one added.
    app.complaints.start_investigation(cid, by=AGENT)
    assert reads == [snapshot.version - 1, before]
    assert app.complaints.get(cid).status.value == "investigating"


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
    # Another process (holding no state in memory) reads the snapshot, and ignores it.
    other = Walletcare(
        Settings(storage_url="memory://", load_entry_points=False),
        storage=storage,
        clock=FixedClock(T0),
    )
    assert other.complaints.get(cid) == expected
    investigating = other.complaints.start_investigation(cid, by=AGENT)
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


def test_a_process_decides_on_the_state_it_committed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next command on a case this process just moved decodes no snapshot and reads only
    the events after the state it holds (none)."""
    app = _app()
    cid = app.complaints.open(intake()).complaint_id
    app.complaints.acknowledge(cid, by=AGENT)
    snapshots: list[str] = []
    reads: list[int] = []
    read_stream, read_snapshot = app.storage.read_stream, app.storage.read_snapshot

    def spy_stream(stream_id: str, after_version: int = 0):  # type: ignore[no-untyped-def]
        reads.append(after_version)
        return read_stream(stream_id, after_version)

    def spy_snapshot(stream_id: str):  # type: ignore[no-untyped-def]
        snapshots.append(stream_id)
        return read_snapshot(stream_id)

    monkeypatch.setattr(app.storage, "read_stream", spy_stream)
    monkeypatch.setattr(app.storage, "read_snapshot", spy_snapshot)
    version = app.storage.stream_version(cid)
    investigating = app.complaints.start_investigation(cid, by=AGENT)
    assert snapshots == [] and reads == [version]
    assert investigating == domain.replay(app.events(cid))


def test_another_process_writes_are_folded_in(tmp_path: Path) -> None:
    """Two processes on one file: each folds the other's events into the state it holds."""
    url = f"sqlite:///{tmp_path / 'cases.db'}?synchronous=normal"
    one = Walletcare(Settings(storage_url=url, load_entry_points=False), clock=FixedClock(T0))
    two = Walletcare(Settings(storage_url=url, load_entry_points=False), clock=FixedClock(T0))
    cid = one.complaints.open(intake()).complaint_id
    one.complaints.acknowledge(cid, by=AGENT)  # held by process one at this version
    two.complaints.record_contact(
        cid, by=AGENT, channel="phone", direction="inbound", summary="from two"
    )
    moved = one.complaints.start_investigation(cid, by=AGENT)
    assert [c.summary for c in moved.contacts][-1] == "from two"
    assert moved == domain.replay(one.events(cid)) == two.complaints.get(cid)
    one.close()
    two.close()


def test_a_large_case_rewrites_its_snapshot_every_few_commits(tmp_path: Path) -> None:
    """A case of many kilobytes: a snapshot every (size / 2 KiB) events, not every commit,
    and a process that holds nothing folds the snapshot and the few events after it."""
    url = f"sqlite:///{tmp_path / 'cases.db'}?synchronous=normal"
    app = Walletcare(Settings(storage_url=url, load_entry_points=False), clock=FixedClock(T0))
    cid = app.complaints.open(intake()).complaint_id

    def contact() -> None:
        app.complaints.record_contact(
            cid, by=AGENT, channel="phone", direction="inbound", summary="call " + "x" * 100
        )

    while len(app.storage.read_snapshot(cid).data) < 5 * SNAPSHOT_BYTES_PER_EVENT:  # type: ignore[union-attr]
        contact()
    written: list[int] = []
    for _ in range(30):
        contact()
        snapshot = app.storage.read_snapshot(cid)
        assert snapshot is not None
        behind = app.storage.stream_version(cid) - snapshot.version
        assert behind * SNAPSHOT_BYTES_PER_EVENT < len(snapshot.data)
        if not written or written[-1] != snapshot.version:
            written.append(snapshot.version)
    assert 3 <= len(written) <= 10  # every 5 or 6 events, not 30 times
    fresh = Walletcare(Settings(storage_url=url, load_entry_points=False), clock=FixedClock(T0))
    assert fresh.complaints.get(cid) == domain.replay(app.events(cid)) == app.complaints.get(cid)
    app.close()
    fresh.close()


def test_the_state_cache_keeps_the_newest_states_and_never_goes_back() -> None:
    """Least recently used states leave first; an older state never replaces a newer one."""
    cache = StateCache(capacity=2)

    def entry(version: int) -> CachedState:
        return CachedState(
            kind="k", state=version, version=version, snapshot_version=0, snapshot_size=0
        )

    cache.put("a", entry(1))
    cache.put("b", entry(1))
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("c", entry(1))
    assert cache.get("b") is None and len(cache) == 2
    cache.put("a", entry(5))
    cache.put("a", entry(3))
    assert cache.get("a") == entry(5)


def test_a_case_held_in_memory_takes_only_new_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command on a case this process committed takes no key it holds already; a process
    reading the case from storage re-takes all of its keys (healing a case without them)."""
    app = _app()
    cid = app.complaints.open(intake()).complaint_id
    holds = app.storage.key_owner
    taken: list[tuple[str, ...]] = []
    original = app.storage.append

    def spy(commit: Commit):  # type: ignore[no-untyped-def]
        taken.append(tuple(commit.take_keys))
        return original(commit)

    monkeypatch.setattr(app.storage, "append", spy)
    app.complaints.acknowledge(cid, by=AGENT)
    assert taken == [()]
    other = Walletcare(
        Settings(storage_url="memory://", load_entry_points=False),
        storage=app.storage,
        clock=FixedClock(T0),
    )
    other.complaints.start_investigation(cid, by=AGENT)
    keys = taken[1]
    assert len(keys) == 1 and keys[0].startswith("complaint:open:") and holds(keys[0]) == cid
