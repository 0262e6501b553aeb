"""Shared builders for complaint tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from walletcare import ContactPoint, Money, NewComplaint

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def intake(**changes: Any) -> NewComplaint:
    """A valid transaction-failure complaint, with ``changes`` applied."""
    fields: dict[str, Any] = {
        "customer_id": "cust-1",
        "category": "transaction_failure",
        "channel": "in_app",
        "description": "I paid the merchant but my wallet was debited twice.",
        "occurred_at": T0 - timedelta(hours=3),
        "contact": ContactPoint(channel="sms", address="+4915100000000"),
        "transactions": ("tx-1",),
        "amount_lost": Money.of("42.00", "EUR"),
    }
    fields.update(changes)
    return NewComplaint(**fields)


EXPLANATION = "The second debit was a processing error; we have refunded it to your wallet."
