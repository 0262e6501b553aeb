"""The outbox's exact counts, reasons and digests: what mutation testing found unchecked."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta

import pytest

from walletcare import Settings, Walletcare
from walletcare.ports import Commit, MessageStatus, OutboundMessage
from walletcare.settings import RetryPolicy
from walletcare.testing import FixedClock, FlakyNotifier, RecordingNotifier

from .test_outbox import T0, queue


def _app(*plugins: object, **settings: object) -> Walletcare:
    return Walletcare(
        Settings(storage_url="memory://", load_entry_points=False, **settings),  # type: ignore[arg-type]
        plugins=list(plugins),
        clock=FixedClock(T0),
    )


@pytest.mark.parametrize("batch", [1, 3])
def test_a_tick_sends_at_most_tick_batch_messages(batch: int) -> None:
    """With ten due, each tick sends exactly tick_batch of them, until none is left."""
    channel = RecordingNotifier()
    app = _app(channel, tick_batch=batch)
    queue(app, 10, due=T0)
    sent = [app.tick(T0).messages_delivered for _ in range(10 // batch + 1)]
    assert sent[: 10 // batch] == [batch] * (10 // batch)
    assert sum(sent) == 10 and len(channel.sent) == 10


def test_a_delivered_message_carries_no_error_and_a_clean_tick_loses_no_claim() -> None:
    """Delivered: no last_error; nothing dead, nothing retried, no claim lost."""
    app = _app(RecordingNotifier())
    (message_id,) = queue(app, 1, due=T0)
    report = app.tick(T0)
    assert (report.messages_delivered, report.messages_retried, report.messages_dead) == (1, 0, 0)
    assert report.claims_lost == 0
    message = app.storage.get_message(message_id)
    assert message is not None and message.status is MessageStatus.DELIVERED
    assert message.last_error == ""


def test_each_lost_claim_is_counted_once() -> None:
    """Two messages whose claims were taken over while sending: two lost claims, not one."""
    app = _app(RecordingNotifier())
    queue(app, 2, due=T0)
    app.storage.settle_message = lambda *a, **k: False  # type: ignore[method-assign]
    report = app.tick(T0)
    assert report.claims_lost == 2 and report.messages_delivered == 0


def test_dead_letters_are_counted_and_say_why(caplog: pytest.LogCaptureFixture) -> None:
    """Two messages given up in one tick count two; each reason names what the plugin did,
    and the warning names the message."""
    modes = iter(["odd", "garbage"])
    flaky = FlakyNotifier(lambda message, offer: next(modes))
    app = _app(flaky, retry=RetryPolicy(max_attempts=1))
    ids = queue(app, 2, due=T0)
    with caplog.at_level(logging.WARNING, logger="walletcare.outbox"):
        report = app.tick(T0)
    assert report.messages_dead == 2 and report.messages_delivered == 0
    reasons = sorted(m.last_error for m in app.dead_letters())
    assert any("ZeroDivisionError: a plugin bug" in r for r in reasons), reasons
    assert any("returned str, not a DeliveryReceipt" in r for r in reasons), reasons
    assert all(r.startswith("gave up after 1 attempts") for r in reasons)
    assert {i for i in ids if any(i in rec.getMessage() for rec in caplog.records)} == set(ids)


def test_a_retry_says_when_and_why_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    """A failed send that will be retried is logged with the message, the time and the reason."""
    flaky = FlakyNotifier(lambda message, offer: "raise")
    app = _app(flaky)
    (message_id,) = queue(app, 1, due=T0)
    with caplog.at_level(logging.INFO, logger="walletcare.outbox"):
        assert app.tick(T0).messages_retried == 1
    (record,) = [r for r in caplog.records if r.levelno == logging.INFO]
    assert message_id in record.getMessage() and "gateway said no" in record.getMessage()


def _staff(app: Walletcare, recipient: str, n: int, data: str = '{"digest": true}') -> list[str]:
    ids = []
    for i in range(n):
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
                        channel="staff",
                        recipient=recipient,
                        template="t",
                        subject=f"alert {i}",
                        body=f"case {i} breached",
                        data=data,
                        due_at=T0,
                    )
                ],
            )
        )
    return ids


def test_every_digest_group_goes_out_even_after_a_single_alert() -> None:
    """A recipient with one alert gets it as it is; one with two gets a digest of both,
    whatever order the groups come in."""
    channel = RecordingNotifier()
    app = _app(channel)
    (single,) = _staff(app, "role:a", 1)
    pair = _staff(app, "role:b", 2)
    _staff(app, "role:c", 1)
    assert app.tick(T0).messages_delivered == 4
    offered = {m.recipient: m for m in channel.sent}
    assert set(offered) == {"role:a", "role:b", "role:c"} and len(channel.sent) == 3
    assert offered["role:a"].id == single
    digest = offered["role:b"]
    assert digest.id.startswith("digest-") and digest.template == "digest"
    assert sorted(json.loads(digest.data)["digest_of"]) == sorted(pair)
    assert digest.subject == "2 case alerts"
    assert sorted(digest.body.split("\n\n")) == [f"alert {i}\ncase {i} breached" for i in range(2)]


def test_a_message_whose_data_is_not_json_is_sent_on_its_own() -> None:
    """Data that is not JSON does not make a staff message part of a digest."""
    channel = RecordingNotifier()
    app = _app(channel)
    ids = _staff(app, "role:a", 2, data="not json")
    assert app.tick(T0).messages_delivered == 2
    assert sorted(m.id for m in channel.sent) == sorted(ids)


def test_two_retried_digests_stay_apart() -> None:
    """Two digests that failed at different times are each retried with their own members
    (so their own ids), even when both fall due again in the same tick."""
    offers: list[str] = []

    def fail_twice(message: OutboundMessage, offer: int) -> str | None:
        offers.append(message.id)
        return "raise" if len(offers) <= 2 else None

    channel = FlakyNotifier(fail_twice)
    app = _app(channel, retry=RetryPolicy(first_delay=timedelta(minutes=1)))
    first = _staff(app, "role:a", 2)
    assert app.tick(T0).messages_retried == 2
    second = _staff(app, "role:a", 2)
    half = T0 + timedelta(seconds=30)
    assert app.tick(half).messages_retried == 2
    assert app.tick(T0 + timedelta(minutes=5)).messages_delivered == 4
    groups = sorted(sorted(json.loads(m.data)["digest_of"]) for m in channel.sent)
    assert groups == sorted([sorted(first), sorted(second)])
    assert sorted(offers[2:]) == sorted(offers[:2])  # each retried under its first id
