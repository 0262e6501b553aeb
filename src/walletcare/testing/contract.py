"""``StorageContract`` and ``DeliverContract``: the suites every storage and channel passes.

Subclass in your own tests and provide the fixture::

    class TestMyStorage(StorageContract):
        @pytest.fixture
        def storage_factory(self, tmp_path):
            return lambda: MyStorage(tmp_path / f"{uuid.uuid4().hex}.db")

The contract opens storages through the factory (the state machine needs a fresh one per
example) and closes them itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    run_state_machine_as_test,
)

from walletcare.errors import ConcurrencyConflict, KeyTaken, ValidationError
from walletcare.ports import (
    Commit,
    SetTimer,
    Snapshot,
    Storage,
    SummaryQuery,
)
from walletcare.testing.batches import BatchContract
from walletcare.testing.channels import DeliverContract
from walletcare.testing.ordering import CommitOrderContract
from walletcare.testing.queues import QueueContract
from walletcare.testing.records import T0, message_for, new_event, summary_for
from walletcare.testing.state_machine import against_model

__all__ = ["StorageContract", "DeliverContract", "T0", "new_event", "message_for"]


class StorageContract(CommitOrderContract, QueueContract, BatchContract):
    """Behaviour every ``Storage`` must show, memory:// included.

    It includes ``CommitOrderContract`` (a reader following ``read_all`` while many threads
    commit never skips an event), ``QueueContract`` (timers and the outbox) and
    ``BatchContract`` (``append_many``).
    """

    @pytest.fixture
    def storage_factory(self) -> Callable[[], Storage]:
        """Return a callable opening a fresh, empty storage. Override this."""
        raise NotImplementedError("a StorageContract subclass must provide storage_factory")

    @pytest.fixture
    def storage(self, storage_factory: Callable[[], Storage]) -> Iterator[Storage]:
        """A fresh storage, closed after the test."""
        opened = storage_factory()
        yield opened
        opened.close()

    # -- streams ---------------------------------------------------------------------------
    def test_append_then_read_stream_in_order(self, storage: Storage) -> None:
        """Appended events come back in order with versions from 1 and rising positions."""
        storage.append(
            Commit(stream_id="s1", expected_version=0, events=[new_event(1), new_event(2)])
        )
        storage.append(Commit(stream_id="s1", expected_version=2, events=[new_event(3)]))
        events = storage.read_stream("s1")
        assert [e.stream_version for e in events] == [1, 2, 3]
        assert [e.data for e in events] == ['{"n":1}', '{"n":2}', '{"n":3}']
        assert events[0].position < events[1].position < events[2].position
        assert storage.stream_version("s1") == 3
        assert [e.stream_version for e in storage.read_stream("s1", after_version=2)] == [3]

    def test_times_come_back_aware_and_exact(self, storage: Storage) -> None:
        """Event instants keep microseconds and come back timezone-aware, equal to what went in."""
        at = datetime(2026, 7, 1, 12, 0, 0, 123456, tzinfo=UTC)
        storage.append(
            Commit(stream_id="s", expected_version=0, events=[attrs.evolve(new_event(), at=at)])
        )
        (stored,) = storage.read_stream("s")
        assert stored.at == at
        assert stored.at.utcoffset() is not None

    def test_unknown_stream_is_empty(self, storage: Storage) -> None:
        """A stream never written reads as empty at version 0."""
        assert storage.read_stream("nope") == []
        assert storage.stream_version("nope") == 0
        assert storage.get_summary("nope") is None

    def test_stale_expected_version_conflicts_and_writes_nothing(self, storage: Storage) -> None:
        """A commit on a stale version raises ConcurrencyConflict and leaves no trace."""
        storage.append(Commit(stream_id="s", expected_version=0, events=[new_event(1)]))
        stale = Commit(
            stream_id="s",
            expected_version=0,
            events=[new_event(2)],
            timers=[SetTimer(name="t", due_at=T0)],
            messages=[message_for("s", "m-stale")],
            summary=summary_for("s"),
        )
        with pytest.raises(ConcurrencyConflict):
            storage.append(stale)
        assert len(storage.read_stream("s")) == 1
        assert storage.get_timers("s") == []
        assert storage.get_message("m-stale") is None
        assert storage.get_summary("s") is None

    def test_duplicate_message_id_refuses_whole_commit(self, storage: Storage) -> None:
        """Reusing a message id is a ValidationError and the commit's events are not written."""
        storage.append(Commit(stream_id="s", expected_version=0, messages=[message_for("s", "m1")]))
        with pytest.raises(ValidationError):
            storage.append(
                Commit(
                    stream_id="s",
                    expected_version=0,
                    events=[new_event()],
                    messages=[message_for("s", "m1")],
                )
            )
        assert storage.read_stream("s") == []

    def test_read_all_pages_by_position(self, storage: Storage) -> None:
        """read_all returns every stream's events after a position, in position order."""
        storage.append(Commit(stream_id="a", expected_version=0, events=[new_event(1)]))
        storage.append(
            Commit(stream_id="b", expected_version=0, events=[new_event(2), new_event(3)])
        )
        storage.append(Commit(stream_id="a", expected_version=1, events=[new_event(4)]))
        everything = storage.read_all()
        assert [e.data for e in everything] == ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}']
        page = storage.read_all(everything[0].position, limit=2)
        assert [e.data for e in page] == ['{"n":2}', '{"n":3}']
        assert storage.read_all(everything[-1].position) == []

    def test_concurrent_writers_lose_nothing(self, storage: Storage) -> None:
        """Threads appending to one stream with retry on conflict all land, versions dense."""
        per_thread, threads = 15, 4

        def writer() -> None:
            for _ in range(per_thread):
                while True:
                    version = storage.stream_version("shared")
                    try:
                        storage.append(
                            Commit(
                                stream_id="shared", expected_version=version, events=[new_event()]
                            )
                        )
                        break
                    except ConcurrencyConflict:
                        continue

        workers = [threading.Thread(target=writer) for _ in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        versions = [e.stream_version for e in storage.read_stream("shared")]
        assert versions == list(range(1, per_thread * threads + 1))

    # -- summaries -------------------------------------------------------------------------
    def test_summaries_filter_and_order(self, storage: Storage) -> None:
        """Summaries are filtered by every field and ordered by opening time, then id."""
        rows = [
            summary_for("c", opened_at=T0 + timedelta(hours=2), status="resolved"),
            summary_for("a", {"assignee": "agent-7"}, opened_at=T0),
            summary_for(
                "b",
                {"customer_id": "cust-2", "category": "security"},
                opened_at=T0 + timedelta(hours=1),
            ),
        ]
        for row in rows:
            storage.append(
                Commit(
                    stream_id=row.stream_id, expected_version=0, events=[new_event()], summary=row
                )
            )

        def ids(query: SummaryQuery) -> list[str]:
            return [s.stream_id for s in storage.list_summaries(query)]

        assert ids(SummaryQuery()) == ["a", "b", "c"]
        assert ids(SummaryQuery(status=["resolved"])) == ["c"]
        assert ids(
            SummaryQuery(status=["received", "resolved"], attributes={"customer_id": "cust-1"})
        ) == ["a", "c"]
        assert ids(SummaryQuery(attributes={"category": "security"})) == ["b"]
        assert ids(SummaryQuery(attributes={"category": ["security", "fees"]})) == ["a", "b", "c"]
        assert ids(SummaryQuery(attributes={"assignee": "agent-7"})) == ["a"]
        assert ids(SummaryQuery(attributes={"assignee": "agent-7", "category": "security"})) == []
        assert ids(SummaryQuery(attributes={"merchant": "m-1"})) == []
        assert ids(SummaryQuery(opened_before=T0 + timedelta(hours=1))) == ["a"]
        assert ids(SummaryQuery(opened_after=T0 + timedelta(hours=1))) == ["b", "c"]
        assert ids(SummaryQuery(kind="dispute")) == []
        assert ids(SummaryQuery(limit=1, offset=1)) == ["b"]
        summary = storage.get_summary("a")
        assert summary is not None and summary.version == 1 and summary.opened_at == T0
        assert summary.attributes == {
            "customer_id": "cust-1",
            "category": "fees",
            "assignee": "agent-7",
        }

    def test_summaries_by_next_deadline(self, storage: Storage) -> None:
        """Ordered by deadline, cases without one are left out, and a cut-off filters."""
        rows = [
            summary_for("late", next_deadline=T0 + timedelta(hours=9)),
            summary_for("none"),
            summary_for("soon", next_deadline=T0 + timedelta(hours=1), opened_at=T0 + timedelta(1)),
        ]
        for row in rows:
            storage.append(
                Commit(
                    stream_id=row.stream_id, expected_version=0, events=[new_event()], summary=row
                )
            )
        queue = storage.list_summaries(SummaryQuery(order_by="deadline"))
        assert [s.stream_id for s in queue] == ["soon", "late"]
        assert queue[0].next_deadline == T0 + timedelta(hours=1)
        due = SummaryQuery(order_by="deadline", deadline_before=T0 + timedelta(hours=4))
        assert [s.stream_id for s in storage.list_summaries(due)] == ["soon"]
        cleared = summary_for("late", next_deadline=None, status="resolved")
        storage.append(
            Commit(stream_id="late", expected_version=1, events=[new_event()], summary=cleared)
        )
        assert [s.stream_id for s in storage.list_summaries(SummaryQuery(order_by="deadline"))] == [
            "soon"
        ]

    # -- snapshots -------------------------------------------------------------------------
    def test_snapshot_goes_with_its_commit(self, storage: Storage) -> None:
        """A snapshot is stamped with the version it folds, replaced by the next, and a refused
        commit writes none."""
        assert storage.read_snapshot("s") is None
        first = Snapshot(kind="complaint", schema=1, data='{"n": 2}')
        storage.append(
            Commit(
                stream_id="s", expected_version=0, events=[new_event(), new_event()], snapshot=first
            )
        )
        assert storage.read_snapshot("s") == Snapshot(
            kind="complaint", schema=1, data='{"n": 2}', version=2
        )
        with pytest.raises(ConcurrencyConflict):
            storage.append(
                Commit(
                    stream_id="s",
                    expected_version=1,
                    events=[new_event()],
                    snapshot=Snapshot(kind="complaint", schema=1, data="{}"),
                )
            )
        later = Snapshot(kind="complaint", schema=2, data='{"n": 3}')
        storage.append(
            Commit(stream_id="s", expected_version=2, events=[new_event()], snapshot=later)
        )
        storage.append(Commit(stream_id="s", expected_version=3, events=[new_event()]))
        kept = storage.read_snapshot("s")
        assert kept is not None and (kept.schema, kept.version, kept.data) == (2, 3, '{"n": 3}')

    # -- unique keys -----------------------------------------------------------------------
    def test_keys_are_held_by_one_stream_at_a_time(self, storage: Storage) -> None:
        """A key held by another stream refuses the whole commit; released, it can be taken."""
        storage.append(Commit(stream_id="a", expected_version=0, take_keys=["k1", "k2"]))
        assert storage.key_owner("k1") == "a" and storage.key_owner("nope") is None
        with pytest.raises(KeyTaken) as err:
            storage.append(
                Commit(
                    stream_id="b",
                    expected_version=0,
                    events=[new_event()],
                    take_keys=["k9", "k2"],
                    messages=[message_for("b", "m-b")],
                )
            )
        assert (err.value.key, err.value.owner) == ("k2", "a")
        assert storage.read_stream("b") == [] and storage.key_owner("k9") is None
        assert storage.get_message("m-b") is None
        storage.append(Commit(stream_id="a", expected_version=0, take_keys=["k1"]))  # kept
        storage.append(
            Commit(stream_id="a", expected_version=0, events=[new_event()], release_keys=["k2"])
        )
        assert storage.key_owner("k2") is None and storage.key_owner("k1") == "a"
        storage.append(Commit(stream_id="b", expected_version=0, take_keys=["k2"]))
        assert storage.key_owner("k2") == "b"

    def test_summary_follows_latest_commit(self, storage: Storage) -> None:
        """A later commit's summary replaces the earlier one and carries the new version."""
        first = summary_for("s", {"assignee": "agent-1"})
        storage.append(
            Commit(stream_id="s", expected_version=0, events=[new_event()], summary=first)
        )
        by_old = SummaryQuery(attributes={"assignee": "agent-1"})
        assert [s.stream_id for s in storage.list_summaries(by_old)] == ["s"]
        storage.append(
            Commit(
                stream_id="s",
                expected_version=1,
                events=[new_event()],
                summary=summary_for("s", {"assignee": "agent-2"}, status="closed"),
            )
        )
        summary = storage.get_summary("s")
        assert summary is not None and summary.status == "closed" and summary.version == 2
        assert summary.get("assignee") == "agent-2"
        assert storage.list_summaries(by_old) == []
        by_new = SummaryQuery(attributes={"assignee": ["agent-9", "agent-2"], "category": "fees"})
        assert [s.stream_id for s in storage.list_summaries(by_new)] == ["s"]

    # -- against the reference -------------------------------------------------------------
    state_machine_examples = 25

    def test_behaves_like_the_reference_model(
        self, storage_factory: Callable[[], Storage]
    ) -> None:
        """Random operations give the answers of ``Reference``, a model written from the
        contract that shares no code with any storage (a hypothesis state machine)."""
        run_state_machine_as_test(
            against_model(storage_factory),
            settings=settings(
                max_examples=self.state_machine_examples,
                stateful_step_count=30,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
