"""Follow-ups over random customers, triggers, opt-outs and times: the contact rules hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from walletcare import Actor, ContactPoint, FollowupStatus, Money, Purpose, Settings, Walletcare
from walletcare.config import CaseSettings, ContactProfile, FollowupPolicy
from walletcare.domain.followups import CN_SMS, EU_GDPR, US_REG_F, ledger_stream
from walletcare.domain.followups.ledger import ConsentRecorded, ContactQueued, ConversationHeld
from walletcare.testing import FixedClock, FlakyNotifier

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
CUSTOMERS = {
    "us": ("America/New_York", "US"),
    "cn": ("Asia/Shanghai", "CN"),
    "de": ("Europe/Berlin", "DE"),
    "nz": ("Pacific/Auckland", ""),
    "xx": ("Asia/Kolkata", "XX"),
    "yy": ("UTC", "XX"),
}
TIGHT = ContactProfile(name="tight", max_contacts=1, per=timedelta(days=2), cooldown=timedelta(hours=12))
POLICY = FollowupPolicy(profiles={"US": US_REG_F, "CN": CN_SMS, "DE": EU_GDPR, "XX": TIGHT})
TICK = timedelta(minutes=50)

actions = st.lists(
    st.tuples(
        st.integers(0, 96 * 60),  # minute of the run
        st.sampled_from(["dispute"] * 5 + ["transaction", "opt_out", "consent", "talk"]),
        st.sampled_from(sorted(CUSTOMERS)),
        st.sampled_from([Purpose.SURVEY, Purpose.SECURITY]),
        st.integers(0, 40),  # how many hours ago the trigger happened
    ),
    min_size=1,
    max_size=20,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions, st.booleans())
@example(  # a contact queued at the instant of a later conversation is not a cool-down breach
    [
        (0, "dispute", "cn", Purpose.SURVEY, 0),
        (0, "dispute", "nz", Purpose.SURVEY, 24),
        (0, "talk", "nz", Purpose.SURVEY, 0),
    ],
    False,
)
def test_contact_rules_hold_for_every_message(
    plan: list[tuple[int, str, str, Purpose, int]], push_fails: bool
) -> None:
    """No customer message in quiet hours, never over a cap, nothing after an opt-out for
    that purpose, and every follow-up reached the customer inside its window or is missed."""
    clock = FixedClock(T0)
    notifier = FlakyNotifier(lambda m, _n: "raise" if push_fails and m.channel == "push" else None)
    app = Walletcare(
        Settings(storage_url="memory://", cases={"followup": CaseSettings(policy=POLICY)}),
        plugins=[notifier],
        clock=clock,
    )
    for name in CUSTOMERS:
        app.followups.prefer_channels(
            name, [ContactPoint(channel="push", address=f"dev-{name}"), ContactPoint(channel="sms", address=f"+1{len(name)}")]
        )
    opt_outs: dict[tuple[str, Purpose], datetime] = {}
    talks: dict[str, list[datetime]] = {}
    for n, (minute, action, who, purpose, ago) in enumerate(sorted(plan, key=lambda p: p[0])):
        target = T0 + timedelta(minutes=minute)
        while clock.now() + TICK < target:
            clock.advance(TICK)
            app.tick()
        clock.advance(target - clock.now())
        zone, jurisdiction = CUSTOMERS[who]
        contact = ContactPoint(channel="sms", address=f"+1{len(who)}")
        if action == "dispute":
            app.followups.after_dispute_closed(
                f"d{n}", customer_id=who, closed_at=clock.now() - timedelta(hours=ago), contact=contact,
                customer_zone=zone, jurisdiction=jurisdiction,
            )
        elif action == "transaction":
            app.followups.after_sensitive_transaction(
                f"tx{n}", customer_id=who, amount=Money.of("10", "USD"), completed_at=clock.now() - timedelta(hours=ago % 3),
                contact=contact, customer_zone=zone, jurisdiction=jurisdiction,
            )
        elif action == "opt_out":
            app.followups.record_consent(who, purpose, granted=False, source="test")
            opt_outs.setdefault((who, purpose), clock.now())
        elif action == "consent" and (who, purpose) not in opt_outs:
            app.followups.record_consent(who, purpose, granted=True, source="test")
        elif action == "talk":
            app.followups.record_conversation(who, by=Actor.staff("s"), channel="phone")
            talks.setdefault(who, []).append(clock.now())
        app.tick()
    for _ in range(int(timedelta(hours=60) / TICK)):
        clock.advance(TICK)
        app.tick()

    policy = POLICY
    for who in CUSTOMERS:
        opted_out: set[Purpose] = set()
        for event in app.events(ledger_stream(who)):
            if isinstance(event, ConsentRecorded) and not event.granted:
                opted_out.add(event.purpose)
            if isinstance(event, ContactQueued):
                assert event.purpose not in opted_out, (who, event)
    for who, (zone, jurisdiction) in CUSTOMERS.items():
        profile = policy.profile_for(jurisdiction)
        history = app.followups.contact_history(who)
        first: dict[str, datetime] = {}
        for record in history:
            assert profile.window.is_open(record.at, zone), (who, record)
            if record.purpose in profile.capped:
                first.setdefault(record.followup_id, record.at)
        # The cool-down holds after a conversation the ledger recorded before the contact: a
        # contact queued at the same instant but earlier in the ledger is not held back.
        talked: list[datetime] = []
        seen: set[str] = set()
        for event in app.events(ledger_stream(who)):
            if isinstance(event, ConversationHeld):
                talked.append(event.at)
            elif isinstance(event, ContactQueued) and event.purpose in profile.capped:
                if profile.cooldown and event.followup_id not in seen:
                    assert not any(t <= event.at < t + profile.cooldown for t in talked), (
                        who,
                        event,
                    )
                seen.add(event.followup_id)
        if profile.max_contacts:
            for t in first.values():
                assert sum(1 for u in first.values() if t - profile.per < u <= t) <= profile.max_contacts
    for row in app.followups.cases.list(limit=1000):
        fu = app.followups.get(row.stream_id)
        assert fu.status is not FollowupStatus.SCHEDULED, fu
        for attempt in fu.attempts:
            assert fu.due_from <= attempt.at <= fu.due_until
        if fu.status is FollowupStatus.MISSED:
            assert fu.missed_reason
        else:
            assert any(not a.failed for a in fu.attempts)
    # Every customer message the channels saw was queued through the ledger.
    queued = {r.message_id for who in CUSTOMERS for r in app.followups.contact_history(who)}
    assert {m.id for m in notifier.sent if m.channel != "staff"} <= queued
