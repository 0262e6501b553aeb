"""Channels: the customer's order of preference, fallback on dead letters, quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.services.messages_fixtures import CHANNELS, make_app, opened
from walletcare import ContactPoint, DeliveryReceipt, OutboundMessage, RetryPolicy, hookimpl
from walletcare.domain.messages import ContactWindow, MessagePolicy
from walletcare.ports import MessageStatus
from walletcare.settings import MessageSettings
from walletcare.testing import FixedClock, FlakyNotifier

ONE_TRY = RetryPolicy(max_attempts=1)
CONTACTS = {
    "contact": ContactPoint(channel="push", address="device-1"),
    "fallback": (
        ContactPoint(channel="sms", address="+8613800138000"),
        ContactPoint(channel="email", address="alice@example.com"),
    ),
}


def _failing(*channels: str) -> FlakyNotifier:
    return FlakyNotifier(lambda m, _: "raise" if m.channel in channels else None, channels=CHANNELS)


def test_a_message_moves_down_the_customer_channels_and_the_case_records_each_move() -> None:
    """Push and SMS both fail: the acknowledgement arrives by e-mail, the case records two
    moves, and the two dead letters stay visible."""
    notifier = _failing("push", "sms")
    app, _, _ = make_app(plugins=[notifier], retry=ONE_TRY)
    cid = opened(app, **CONTACTS)
    for _ in range(3):
        app.tick()
    delivered = [m for m in notifier.sent if m.stream_id == cid]
    assert [(m.channel, m.recipient) for m in delivered] == [("email", "alice@example.com")]
    assert delivered[0].template == "complaint.acknowledged"
    moves = [e for e in app.complaints.history(cid) if e.kind == "message.rerouted"]
    assert [(e.details["from_channel"], e.details["to_channel"]) for e in moves] == [
        ("push", "sms"),
        ("sms", "email"),
    ]
    dead = app.dead_letters()
    assert sorted(m.channel for m in dead) == ["push", "sms"]
    assert {m.status for m in app.messages(cid)} == {MessageStatus.DEAD, MessageStatus.DELIVERED}


def test_a_message_no_channel_delivers_is_recorded_as_undelivered() -> None:
    """Every channel failing ends in message.undelivered on the case, never in silence."""
    notifier = _failing("push", "sms", "email")
    app, _, _ = make_app(plugins=[notifier], retry=ONE_TRY)
    cid = opened(app, **CONTACTS)
    for _ in range(4):
        app.tick()
    kinds = [e.kind for e in app.complaints.history(cid)]
    assert kinds.count("message.rerouted") == 2 and kinds.count("message.undelivered") == 1
    assert len(app.dead_letters()) == 3


def test_channels_no_plugin_serves_are_skipped_when_queued() -> None:
    """A first choice nobody serves is passed over for the next one when the message is queued."""
    app, notifier, _ = make_app()
    cid = opened(
        app,
        contact=ContactPoint(channel="carrier_pigeon", address="loft 3"),
        fallback=(ContactPoint(channel="sms", address="+8613800138000"),),
    )
    app.tick()
    (sent,) = [m for m in notifier.sent if m.stream_id == cid]
    assert sent.channel == "sms"


SHANGHAI = ZoneInfo("Asia/Shanghai")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.datetimes(
        min_value=datetime(2026, 3, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
    ),
    steps=st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=12),
    urgent=st.booleans(),
)
def test_no_customer_message_leaves_in_quiet_hours_unless_urgent(
    start: datetime, steps: list[int], urgent: bool
) -> None:
    """Whenever the complaint is acknowledged and however ticks fall, a non-urgent message
    is handed to its channel only between 08:00 and 21:00 in the customer's zone; an urgent
    one (by policy) goes at the first tick."""
    clock = FixedClock(start)
    sent_at: dict[str, datetime] = {}
    notifier = _Stamping(clock, sent_at)
    policy = MessagePolicy(urgent_templates={"complaint.acknowledged"} if urgent else ())
    app, _, _ = make_app(plugins=[notifier], clock=clock, messages=MessageSettings(policy=policy))
    opened(app, customer_zone="Asia/Shanghai", occurred_at=start - timedelta(hours=1))
    # Random ticks first, then hourly ones for two days so some tick falls in a window.
    for minutes in [*steps, *[60] * 48]:
        app.tick()
        clock.advance(timedelta(minutes=minutes))
    assert len(sent_at) == 1
    (at,) = sent_at.values()
    if urgent:
        assert at == start
    else:
        assert time(8) <= at.astimezone(SHANGHAI).time() < time(21)


class _Stamping(FlakyNotifier):
    """Records when (by the test clock) each message reached the channel."""

    def __init__(self, clock: FixedClock, sent_at: dict[str, datetime]) -> None:
        super().__init__(lambda m, n: None, channels=CHANNELS)
        self.clock = clock
        self.sent_at = sent_at

    @hookimpl
    def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        self.sent_at[message.id] = self.clock.now()
        return super().walletcare_deliver(message)


def test_a_jurisdiction_can_have_its_own_window() -> None:
    """Indian customers may be contacted from 09:00 when the host says so."""
    policy = MessagePolicy(contact_windows={"IN": ContactWindow(opens=time(9), closes=time(19))})
    start = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 07:30 in Kolkata
    app, notifier, clock = make_app(
        clock=FixedClock(start), messages=MessageSettings(policy=policy)
    )
    cid = opened(app, customer_zone="Asia/Kolkata", jurisdiction="IN", occurred_at=start)
    message = app.messages(cid)[0]
    assert message.due_at == datetime(2026, 3, 2, 3, 30, tzinfo=UTC)  # 09:00 in Kolkata
    app.tick()
    assert notifier.sent == []
    clock.set(datetime(2026, 3, 2, 3, 30, tzinfo=UTC))
    app.tick()
    assert [m.stream_id for m in notifier.sent] == [cid]
