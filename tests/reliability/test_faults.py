"""A channel that fails a third of the time, oddly or by hanging: nothing is lost or doubled."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from walletcare import Settings, Walletcare
from walletcare.ports import Commit, MessageStatus, OutboundMessage
from walletcare.settings import RetryPolicy
from walletcare.testing import FixedClock, FlakyNotifier

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.slow
def test_every_message_ends_delivered_once_or_dead_with_a_reason() -> None:
    """Each message ends delivered (offered once unless a send hung) or dead with its reason."""
    rng = random.Random(7)
    modes = ["raise", "odd", "garbage", "hang"]

    hung: set[str] = set()

    def fails(message: OutboundMessage, offer: int) -> str | None:
        if rng.random() < 1 / 3:
            mode = rng.choices(modes, weights=[10, 5, 5, 1])[0]
            if mode == "hang":
                hung.add(message.id)
            return mode
        return None

    channel = FlakyNotifier(fails, hang_seconds=1.0)
    clock = FixedClock(T0)
    app = Walletcare(
        Settings(
            storage_url="memory://",
            delivery_timeout=timedelta(seconds=0.25),
            retry=RetryPolicy(max_attempts=4, first_delay=timedelta(seconds=1)),
        ),
        plugins=[channel],
        clock=clock,
    )
    ids = []
    for i in range(150):
        message_id = uuid.uuid4().hex
        ids.append(message_id)
        app.storage.append(
            Commit(
                stream_id=f"case-{i}",
                expected_version=0,
                messages=[
                    OutboundMessage(
                        id=message_id,
                        stream_id=f"case-{i}",
                        channel="sms",
                        recipient="r",
                        template="t",
                        body="b",
                        due_at=T0,
                    )
                ],
            )
        )
    for _ in range(40):
        app.tick()
        clock.advance(timedelta(seconds=10))
    outcomes = {message_id: app.storage.get_message(message_id) for message_id in ids}
    assert all(m is not None and m.status is not MessageStatus.PENDING for m in outcomes.values())
    delivered = {i for i, m in outcomes.items() if m and m.status is MessageStatus.DELIVERED}
    dead = {i: m for i, m in outcomes.items() if m and m.status is MessageStatus.DEAD}
    assert delivered | set(dead) == set(ids)
    assert all(m.last_error.startswith("gave up after 4 attempts") for m in dead.values())
    sent_ids = [m.id for m in channel.sent]
    # Only a send that hung past the timeout is offered again (it arrives late, and is retried).
    assert all(channel.offers_of(i) == 1 for i in set(sent_ids) - hung)
    assert delivered <= set(sent_ids)
    assert len(delivered) > 100, "the flaky channel should still get most messages through"
