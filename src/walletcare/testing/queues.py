"""``QueueContract``: how every storage keeps timers and the outbox (part of
``StorageContract``, which provides the ``storage`` fixture)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from walletcare.errors import ClaimLost, ValidationError
from walletcare.ports import CancelTimer, Commit, MessageStatus, SetTimer, Storage
from walletcare.testing.records import LEASE, T0, message_for, new_event

__all__ = ["QueueContract"]


class QueueContract:
    """Timers fire once and by due time; messages are claimed, settled and dead-lettered."""

    # -- timers ----------------------------------------------------------------------------
    def test_timers_set_replace_cancel(self, storage: Storage) -> None:
        """Setting a timer twice replaces it; cancelling removes it; other names are untouched."""
        storage.append(
            Commit(stream_id="s", expected_version=0, timers=[SetTimer(name="a", due_at=T0)])
        )
        storage.append(
            Commit(
                stream_id="s",
                expected_version=0,
                timers=[
                    SetTimer(name="a", due_at=T0 + timedelta(hours=1), payload='{"x":1}'),
                    SetTimer(name="b", due_at=T0),
                ],
            )
        )
        timers = {t.name: t for t in storage.get_timers("s")}
        assert timers["a"].due_at == T0 + timedelta(hours=1) and timers["a"].payload == '{"x":1}'
        storage.append(Commit(stream_id="s", expected_version=0, timers=[CancelTimer(name="b")]))
        assert [t.name for t in storage.get_timers("s")] == ["a"]

    def test_due_timers_claimed_once_earliest_first(self, storage: Storage) -> None:
        """Due timers come earliest first; a claimed one is not claimable again within its lease."""
        for i, name in enumerate(["late", "early", "future"]):
            due = {
                "late": T0 + timedelta(minutes=2),
                "early": T0,
                "future": T0 + timedelta(days=1),
            }[name]
            storage.append(
                Commit(
                    stream_id=f"s{i}", expected_version=0, timers=[SetTimer(name=name, due_at=due)]
                )
            )
        now = T0 + timedelta(minutes=10)
        claimed = storage.claim_due_timers(now, 10, LEASE)
        assert [t.name for t in claimed] == ["early", "late"]
        assert all(t.token for t in claimed)
        assert storage.claim_due_timers(now, 10, LEASE) == []
        again = storage.claim_due_timers(now + LEASE, 10, LEASE)
        assert sorted(t.name for t in again) == ["early", "late"]

    def test_claim_respects_limit(self, storage: Storage) -> None:
        """No more than ``limit`` timers are claimed at once."""
        for i in range(5):
            storage.append(
                Commit(
                    stream_id=f"s{i}", expected_version=0, timers=[SetTimer(name="t", due_at=T0)]
                )
            )
        assert len(storage.claim_due_timers(T0, 3, LEASE)) == 3
        assert len(storage.claim_due_timers(T0, 3, LEASE)) == 2

    def test_consuming_a_held_timer_removes_it_with_the_commit(self, storage: Storage) -> None:
        """A commit that consumes its claimed timer deletes it atomically with its events."""
        storage.append(
            Commit(stream_id="s", expected_version=0, timers=[SetTimer(name="t", due_at=T0)])
        )
        (timer,) = storage.claim_due_timers(T0, 10, LEASE)
        storage.append(
            Commit(
                stream_id="s",
                expected_version=0,
                events=[new_event()],
                consumes=("t", timer.token or ""),
            )
        )
        assert storage.get_timers("s") == []
        assert storage.claim_due_timers(T0 + 2 * LEASE, 10, LEASE) == []

    def test_consuming_a_lost_claim_fails_and_writes_nothing(self, storage: Storage) -> None:
        """A claim overtaken by a re-claim cannot fire: ClaimLost, and no events are written."""
        storage.append(
            Commit(stream_id="s", expected_version=0, timers=[SetTimer(name="t", due_at=T0)])
        )
        (first,) = storage.claim_due_timers(T0, 10, LEASE)
        (second,) = storage.claim_due_timers(T0 + LEASE, 10, LEASE)
        with pytest.raises(ClaimLost):
            storage.append(
                Commit(
                    stream_id="s",
                    expected_version=0,
                    events=[new_event()],
                    consumes=("t", first.token or ""),
                )
            )
        assert storage.read_stream("s") == []
        storage.append(
            Commit(
                stream_id="s",
                expected_version=0,
                events=[new_event()],
                consumes=("t", second.token or ""),
            )
        )
        assert storage.get_timers("s") == []

    def test_rearmed_timer_invalidates_claim(self, storage: Storage) -> None:
        """Re-arming a claimed timer makes the old claim unable to fire it."""
        storage.append(
            Commit(stream_id="s", expected_version=0, timers=[SetTimer(name="t", due_at=T0)])
        )
        (claimed,) = storage.claim_due_timers(T0, 10, LEASE)
        storage.append(
            Commit(
                stream_id="s",
                expected_version=0,
                events=[new_event()],
                timers=[SetTimer(name="t", due_at=T0 + timedelta(hours=1))],
            )
        )
        with pytest.raises(ClaimLost):
            storage.append(
                Commit(stream_id="s", expected_version=1, consumes=("t", claimed.token or ""))
            )
        assert [t.due_at for t in storage.get_timers("s")] == [T0 + timedelta(hours=1)]

    def test_released_timer_is_due_again(self, storage: Storage) -> None:
        """A released claim makes the timer claimable at the retry time, and not before."""
        storage.append(
            Commit(stream_id="s", expected_version=0, timers=[SetTimer(name="t", due_at=T0)])
        )
        (claimed,) = storage.claim_due_timers(T0, 10, LEASE)
        assert storage.release_timer(claimed, T0 + timedelta(minutes=1))
        assert not storage.release_timer(claimed, T0)
        assert storage.claim_due_timers(T0 + timedelta(seconds=30), 10, LEASE) == []
        assert len(storage.claim_due_timers(T0 + timedelta(minutes=1), 10, LEASE)) == 1

    def test_a_timer_set_aside_never_fires_and_is_listed(self, storage: Storage) -> None:
        """A claimed timer set aside leaves the due set for good, listed with its reason; a
        lost claim sets nothing aside."""
        storage.append(
            Commit(
                stream_id="s",
                expected_version=0,
                timers=[SetTimer(name="a", due_at=T0), SetTimer(name="b", due_at=T0)],
            )
        )
        first, second = storage.claim_due_timers(T0, 10, LEASE)
        assert storage.set_timer_aside(first, "stream cannot be read", T0)
        assert not storage.set_timer_aside(first, "again", T0)
        assert storage.release_timer(second, T0)
        assert not storage.set_timer_aside(second, "claim released", T0)
        assert [t.name for t in storage.get_timers("s")] == [second.name]
        later = T0 + 2 * LEASE
        assert [t.name for t in storage.claim_due_timers(later, 10, LEASE)] == [second.name]
        (aside,) = storage.set_aside_timers()
        assert (aside.stream_id, aside.name) == ("s", first.name)
        assert aside.reason == "stream cannot be read"
        assert aside.at == T0 and aside.due == T0.isoformat()

    # -- outbox ----------------------------------------------------------------------------
    def test_messages_claim_settle_and_dead_letter(self, storage: Storage) -> None:
        """Messages are claimed when due, settled by the claim holder, and dead ones retried."""
        storage.append(
            Commit(
                stream_id="s",
                expected_version=0,
                messages=[
                    message_for("s", "m1"),
                    message_for("s", "m2", due_at=T0 + timedelta(hours=1)),
                ],
            )
        )
        (m1,) = storage.claim_due_messages(T0, 10, LEASE)
        assert m1.id == "m1" and m1.token
        assert storage.claim_due_messages(T0, 10, LEASE) == []
        assert storage.settle_message(
            m1, status=MessageStatus.DEAD, attempts=3, due_at=T0, error="no route"
        )
        assert not storage.settle_message(m1, status=MessageStatus.DELIVERED, attempts=4, due_at=T0)
        dead = storage.list_messages(MessageStatus.DEAD)
        assert [(m.id, m.attempts, m.last_error) for m in dead] == [("m1", 3, "no route")]
        assert [m.id for m in storage.claim_due_messages(T0 + timedelta(hours=1), 10, LEASE)] == [
            "m2"
        ]
        assert storage.retry_message("m1", T0 + timedelta(hours=2))
        assert not storage.retry_message("m2", T0)
        claimed = storage.claim_due_messages(T0 + timedelta(hours=2), 10, LEASE)
        (again,) = [m for m in claimed if m.id == "m1"]
        assert again.attempts == 0
        assert storage.settle_message(again, status=MessageStatus.DELIVERED, attempts=1, due_at=T0)
        delivered = storage.get_message("m1")
        assert delivered is not None and delivered.status is MessageStatus.DELIVERED

    def test_pending_retry_waits_for_its_due_time(self, storage: Storage) -> None:
        """A message settled as pending with a later due time is not claimable before it."""
        storage.append(Commit(stream_id="s", expected_version=0, messages=[message_for("s", "m")]))
        (m,) = storage.claim_due_messages(T0, 10, LEASE)
        later = T0 + timedelta(minutes=1)
        assert storage.settle_message(
            m, status=MessageStatus.PENDING, attempts=1, due_at=later, error="busy"
        )
        assert storage.claim_due_messages(T0 + timedelta(seconds=59), 10, LEASE) == []
        (m,) = storage.claim_due_messages(later, 10, LEASE)
        assert m.attempts == 1 and m.last_error == "busy"

    def test_expired_message_claim_is_lost(self, storage: Storage) -> None:
        """After its lease runs out another worker may claim; the first can no longer settle."""
        storage.append(Commit(stream_id="s", expected_version=0, messages=[message_for("s", "m")]))
        (first,) = storage.claim_due_messages(T0, 10, LEASE)
        (second,) = storage.claim_due_messages(T0 + LEASE, 10, LEASE)
        assert not storage.settle_message(
            first, status=MessageStatus.DELIVERED, attempts=1, due_at=T0
        )
        assert storage.settle_message(second, status=MessageStatus.DELIVERED, attempts=1, due_at=T0)

    def test_message_for_another_stream_is_refused(self, storage: Storage) -> None:
        """A commit may only queue messages of its own stream."""
        with pytest.raises(ValidationError):
            storage.append(
                Commit(
                    stream_id="s",
                    expected_version=0,
                    events=[new_event()],
                    messages=[message_for("other")],
                )
            )
        assert storage.read_stream("s") == []
