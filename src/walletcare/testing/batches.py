"""``BatchContract``: how every storage writes several commits at once with ``append_many``
(part of ``StorageContract``, which provides the ``storage`` fixture)."""

from __future__ import annotations

import attrs

from walletcare.errors import ClaimLost
from walletcare.ports import Commit, SetTimer, Snapshot, Storage
from walletcare.testing.records import LEASE, T0, message_for, new_event, summary_for

__all__ = ["BatchContract"]


class BatchContract:
    """A batch keeps its good commits and refuses its bad ones whole, in order."""

    def test_append_many_keeps_the_good_commits_and_refuses_the_bad_whole(
        self, storage: Storage
    ) -> None:
        """One refused commit in a batch writes nothing of itself and loses none of the others."""
        storage.append(Commit(stream_id="held", expected_version=0, take_keys=["k"]))
        storage.append(
            Commit(stream_id="old", expected_version=0, messages=[message_for("old", "m-dup")])
        )

        def full(stream_id: str, n: int, **changes: object) -> Commit:
            commit = Commit(
                stream_id=stream_id,
                expected_version=0,
                events=[new_event(n)],
                timers=[SetTimer(name="t", due_at=T0)],
                messages=[message_for(stream_id, f"m-{stream_id}")],
                summary=summary_for(stream_id),
                snapshot=Snapshot(kind="complaint", schema=1, data=f'{{"n":{n}}}'),
                take_keys=[f"key-{stream_id}"],
            )
            return attrs.evolve(commit, **changes)  # type: ignore[arg-type]

        batch = [
            full("a", 1),
            full("stale", 2, expected_version=3),
            full("b", 3),
            full("taken", 4, take_keys=["k"]),
            full("dup", 5, messages=[message_for("dup", "m-dup")]),
            full("c", 6),
        ]
        outcomes = storage.append_many(batch)
        assert len(outcomes) == 6
        assert [type(o).__name__ for o in outcomes] == [
            "list",
            "ConcurrencyConflict",
            "list",
            "KeyTaken",
            "ValidationError",
            "list",
        ]
        for stream_id in ("stale", "taken", "dup"):
            assert storage.read_stream(stream_id) == []
            assert storage.get_timers(stream_id) == []
            assert storage.get_summary(stream_id) is None
            assert storage.read_snapshot(stream_id) is None
            assert storage.key_owner(f"key-{stream_id}") is None
            message = storage.get_message(f"m-{stream_id}")
            assert message is None or message.stream_id == "old"
        assert storage.key_owner("k") == "held"
        for stream_id, n in (("a", 1), ("b", 3), ("c", 6)):
            (event,) = storage.read_stream(stream_id)
            assert event.data == f'{{"n":{n}}}'
            assert [t.name for t in storage.get_timers(stream_id)] == ["t"]
            summary = storage.get_summary(stream_id)
            assert summary is not None and summary.version == 1
            snapshot = storage.read_snapshot(stream_id)
            assert snapshot is not None and snapshot.version == 1
            assert storage.key_owner(f"key-{stream_id}") == stream_id
            assert storage.get_message(f"m-{stream_id}") is not None
        kept = [o for o in outcomes if isinstance(o, list)]
        assert [e.stream_id for o in kept for e in o] == ["a", "b", "c"]
        positions = [e.position for e in storage.read_all()]
        assert positions == sorted(positions) and len(set(positions)) == len(positions)
        assert [o[0].position for o in kept] == [e.position for e in storage.read_all()]

    def test_append_many_applies_commits_of_one_stream_in_order(self, storage: Storage) -> None:
        """A later commit of a stream in the batch sees the earlier one's version."""
        outcomes = storage.append_many(
            [
                Commit(stream_id="s", expected_version=0, events=[new_event(1), new_event(2)]),
                Commit(stream_id="s", expected_version=2, events=[new_event(3)]),
                Commit(stream_id="s", expected_version=2, events=[new_event(4)]),
            ]
        )
        assert [type(o).__name__ for o in outcomes] == ["list", "list", "ConcurrencyConflict"]
        assert [e.data for e in storage.read_stream("s")] == ['{"n":1}', '{"n":2}', '{"n":3}']
        assert storage.append_many([]) == []

    def test_append_many_consumes_each_claim_once(self, storage: Storage) -> None:
        """Two commits firing one claimed timer: the first consumes it, the second is ClaimLost."""
        storage.append(
            Commit(stream_id="s", expected_version=0, timers=[SetTimer(name="t", due_at=T0)])
        )
        (timer,) = storage.claim_due_timers(T0, 10, LEASE)
        claim = (timer.name, timer.token or "")
        outcomes = storage.append_many(
            [
                Commit(stream_id="s", expected_version=0, events=[new_event(1)], consumes=claim),
                Commit(stream_id="s", expected_version=1, events=[new_event(2)], consumes=claim),
            ]
        )
        assert isinstance(outcomes[0], list) and isinstance(outcomes[1], ClaimLost)
        assert [e.data for e in storage.read_stream("s")] == ['{"n":1}']
        assert storage.get_timers("s") == []
