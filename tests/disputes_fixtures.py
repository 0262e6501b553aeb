"""Shared dispute intake for the dispute tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from walletcare import Actor, Money, Settings, Walletcare
from walletcare.domain.disputes import DisputedTransaction, NewDispute, Participant, Party
from walletcare.testing import FixedClock, RecordingNotifier

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
STAFF = Actor.staff("agent-7")
CUSTOMER = Actor.customer("cust-1")
MERCHANT = Actor("merchant", "shop-9")


def new_dispute(**changes: Any) -> NewDispute:
    """A complete dispute intake: a EUR 80 purchase from a German shop, EUR 80 disputed."""
    fields: dict[str, Any] = {
        "customer": Participant(party=Party.CUSTOMER, id="cust-1", jurisdiction="DE"),
        "merchant": Participant(party=Party.MERCHANT, id="shop-9", jurisdiction="DE"),
        "wallet": Participant(party=Party.WALLET, id="wallet", jurisdiction="DE"),
        "transactions": (
            DisputedTransaction(
                id="tx-1",
                amount=Money.of("80.00", "EUR"),
                disputed=Money.of("80.00", "EUR"),
                occurred_at=T0 - timedelta(days=20),
            ),
        ),
        "reason": "not_received",
        "description": "Paid for headphones; nothing arrived.",
        "contact_channel": "sms",
        "contact_address": "+4915100000000",
        "profile": "visa",
    }
    fields.update(changes)
    return NewDispute(**fields)


def make_app(**settings: Any) -> tuple[Walletcare, FixedClock, RecordingNotifier]:
    """A Walletcare on memory storage with a fixed clock and a recording channel."""
    clock = FixedClock(T0)
    channel = RecordingNotifier(channels=["sms", "email", "staff"])
    app = Walletcare(
        Settings(storage_url="memory://", load_entry_points=False, **settings),
        plugins=[channel],
        clock=clock,
    )
    return app, clock, channel
