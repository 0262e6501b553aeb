"""The outbox under slow, lost and lying channels: claims, digest keys, backoff and receipts."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from walletcare import Settings, Walletcare, hookimpl
from walletcare.errors import ValidationError
from walletcare.ports import Commit, DeliveryReceipt, MessageStatus, OutboundMessage
from walletcare.services.outbox import sends_per_claim
from walletcare.settings import RetryPolicy
from walletcare.testing import FixedClock, FlakyNotifier, RecordingNotifier

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def queue(app: Walletcare, n: int, *, due: datetime, digest: bool = False) -> list[str]:
    """Queue ``n`` messages on their own streams; their ids."""
    ids = []
    for _ in range(n):
        message_id = uuid.uuid4().hex
        ids.append(message_id)
        app.storage.append(
            Commit(
                stream_id=f"case-{message_id}",
                expected_version=0,
                messages=[
                    OutboundMessage(
                        id=message_id,
                        stream_id=f"case-{message_id}",
                        channel="staff" if digest else "sms",
                        recipient="role:officer" if digest else "r",
                        template="t",
                        body="b",
                        data='{"digest": true}' if digest else "{}",
                        due_at=due,
                    )
                ],
            )
        )
    return ids


class SlowNotifier(RecordingNotifier):
    """Answers after ``seconds``, as a slow gateway does."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    @hookimpl
    def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        """Wait, then record."""
        time.sleep(self.seconds)
        return super().walletcare_deliver(message)


@pytest.mark.slow
def test_two_tickers_on_a_slow_channel_send_each_message_once(tmp_path: object) -> None:
    """A slow channel outlasting one claim's lease still gets every message exactly once."""
    channel = SlowNotifier(0.1)
    settings = Settings(
        storage_url="memory://",
        delivery_timeout=timedelta(seconds=0.5),
        claim_lease=timedelta(seconds=1.2),
    )
    app = Walletcare(settings, plugins=[channel])
    ids = queue(app, 24, due=datetime.now(UTC))

    def ticker() -> None:
        for _ in range(40):
            app.tick(datetime.now(UTC))
            if all(channel.offers_of(i) for i in ids):
                return

    workers = [threading.Thread(target=ticker) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(channel.offers_of(i) for i in ids) == [1] * 24
    assert {app.storage.get_message(i).status for i in ids} == {MessageStatus.DELIVERED}  # type: ignore[union-attr]


def test_default_claims_fit_in_their_lease() -> None:
    """Under the default settings, every send of one claim timing out still ends in its lease."""
    s = Settings()
    assert sends_per_claim(s.claim_lease, s.delivery_timeout) * s.delivery_timeout < s.claim_lease
    assert sends_per_claim(timedelta(seconds=3), timedelta(seconds=2)) == 1


def test_retried_digest_keeps_its_id_when_another_alert_falls_due() -> None:
    """A digest whose answer was lost is offered again under the same id, new alerts apart."""
    clock = FixedClock(T0)
    offers = iter(range(1000))
    channel = FlakyNotifier(
        lambda m, n: "raise" if next(offers) == 0 else None, channels=["staff"]
    )
    app = Walletcare(
        Settings(storage_url="memory://", retry=RetryPolicy(first_delay=timedelta(seconds=10))),
        plugins=[channel],
        clock=clock,
    )
    first = queue(app, 2, due=T0, digest=True)
    assert app.tick(T0).messages_retried == 2
    (failed_id,) = channel.attempts  # the one digest offered, and lost
    queue(app, 1, due=T0 + timedelta(seconds=10), digest=True)
    assert app.tick(T0 + timedelta(seconds=10)).messages_delivered == 3
    retried = [m for m in channel.sent if m.id == failed_id]
    assert len(retried) == 1 and all(i in retried[0].data for i in first)
    assert len(channel.sent) == 2


def test_many_attempts_back_off_to_the_cap_without_overflow() -> None:
    """A long retry policy reaches its cap and stays there; no arithmetic overflow on the way."""
    policy = RetryPolicy(max_attempts=60)
    assert policy.delay_after(59) == policy.max_delay
    assert policy.delay_after(1) == policy.first_delay
    assert policy.delay_after(3) == policy.first_delay * 4


def test_retry_policy_refuses_what_cannot_work() -> None:
    """Absurd attempt counts and a cap below the first delay are refused, naming the field."""
    with pytest.raises(ValidationError) as caught:
        RetryPolicy(max_attempts=10**6)
    assert caught.value.fields == ("max_attempts",)
    with pytest.raises(ValidationError) as caught:
        RetryPolicy(first_delay=timedelta(hours=2), max_delay=timedelta(hours=1))
    assert caught.value.fields == ("max_delay",)


class LyingNotifier(RecordingNotifier):
    """Answers with a receipt for the wrong message or the wrong channel."""

    def __init__(self, lie: str) -> None:
        super().__init__()
        self.lie = lie

    @hookimpl
    def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        """Record, then lie in the receipt."""
        super().walletcare_deliver(message)
        if self.lie == "message":
            return DeliveryReceipt(message_id="someone-else", channel=message.channel)
        return DeliveryReceipt(message_id=message.id, channel="carrier_pigeon")


@pytest.mark.parametrize("lie", ["message", "channel"])
def test_receipt_for_another_message_or_channel_is_no_delivery(lie: str) -> None:
    """A receipt that names another message or channel is a failed attempt, retried."""
    app = Walletcare(Settings(storage_url="memory://"), plugins=[LyingNotifier(lie)])
    (message_id,) = queue(app, 1, due=T0)
    report = app.tick(T0)
    assert (report.messages_delivered, report.messages_retried) == (0, 1)
    message = app.storage.get_message(message_id)
    assert message is not None and message.status is MessageStatus.PENDING
    assert lie in message.last_error


def test_recording_notifier_keeps_every_offer() -> None:
    """Offering one id twice records two offers: a doubled send cannot hide."""
    notifier = RecordingNotifier(channels=["sms"])
    app = Walletcare(Settings(storage_url="memory://"), plugins=[notifier])
    (message_id,) = queue(app, 1, due=T0)
    message = app.storage.get_message(message_id)
    assert message is not None
    notifier.walletcare_deliver(message)
    notifier.walletcare_deliver(message)
    assert notifier.offers_of(message_id) == 2 and notifier.offers == 2
