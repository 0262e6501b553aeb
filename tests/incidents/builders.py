"""Shared builders for incident tests: an app with detection patterns, complaints to file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from walletcare import ContactPoint, Money, NewComplaint, Settings, Walletcare
from walletcare.config import CaseSettings, IncidentPolicy, Oversight, Pattern, TextPattern
from walletcare.ports import Storage
from walletcare.testing import FixedClock, RecordingNotifier

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ERRORS = Pattern(
    name="error_code", fields=("category", "error_code"), window=timedelta(hours=1), threshold=5
)
TEXTS = TextPattern(name="text", window=timedelta(hours=2), threshold=5)
CHANNELS = ["sms", "push", "email", "payments", "staff"]


def policy(**changes: Any) -> IncidentPolicy:
    """A policy with the error-code pattern and a text pattern, threshold 5."""
    fields: dict[str, Any] = {"patterns": (ERRORS,), "text": (TEXTS,), "batch_size": 3}
    fields.update(changes)
    return IncidentPolicy(**fields)


def make_app(
    *,
    chosen: IncidentPolicy | None = None,
    oversight: Oversight | None = None,
    storage: Storage | None = None,
    storage_url: str = "memory://",
    clock: FixedClock | None = None,
    channel: RecordingNotifier | None = None,
) -> tuple[Walletcare, FixedClock, RecordingNotifier]:
    """An app with incident detection on, a fixed clock and a recording channel."""
    clock = clock or FixedClock(T0)
    channel = channel or RecordingNotifier(channels=CHANNELS)
    settings = Settings(
        storage_url=storage_url,
        load_entry_points=False,
        cases={
            "incident": CaseSettings(policy=chosen or policy(), oversight=oversight or Oversight())
        },
    )
    return Walletcare(settings, plugins=[channel], clock=clock, storage=storage), clock, channel


def complaint(n: int, **changes: Any) -> NewComplaint:
    """Customer ``n``'s failed-payment complaint with error code E42, with ``changes``."""
    fields: dict[str, Any] = {
        "customer_id": f"cust-{n}",
        "category": "transaction_failure",
        "channel": "in_app",
        "description": "My payment failed with error E42 but the money left my wallet.",
        "occurred_at": T0 - timedelta(hours=2),
        "contact": ContactPoint(channel="sms", address=f"+49151{n:07d}"),
        "transactions": (f"tx-{n}",),
        "amount_lost": Money.of("10.00", "EUR"),
        "error_code": "E42",
    }
    fields.update(changes)
    return NewComplaint(**fields)


def file(
    app: Walletcare, clock: FixedClock, count: int, start: int = 0, **changes: Any
) -> list[str]:
    """File ``count`` complaints a minute apart; their ids ``cmp-<n>``."""
    ids = []
    for n in range(start, start + count):
        app.complaints.open(complaint(n, **changes), complaint_id=f"cmp-{n}")
        ids.append(f"cmp-{n}")
        clock.advance(timedelta(minutes=1))
    return ids


def only_incident(app: Walletcare) -> str:
    """The id of the one incident the app holds."""
    (row,) = app.incidents.list()
    return row.stream_id
