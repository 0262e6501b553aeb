"""Builders for the message tests: an app with a recording channel, a complaint on it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.complaints_fixtures import T0, intake
from walletcare import Actor, Settings, Walletcare
from walletcare.settings import MessageSettings
from walletcare.testing import FixedClock, RecordingNotifier

STAFF = Actor.staff("agent-1")
CHANNELS = ("sms", "email", "push", "in_app", "staff", "wechat")


def make_app(
    *,
    plugins: list[object] | None = None,
    messages: MessageSettings | None = None,
    clock: FixedClock | None = None,
    **settings: Any,
) -> tuple[Walletcare, RecordingNotifier, FixedClock]:
    """A memory-backed app, its recording channel (unless ``plugins`` are given), its clock."""
    notifier = RecordingNotifier(channels=CHANNELS)
    clock = clock or FixedClock(T0)
    app = Walletcare(
        Settings(
            storage_url="memory://",
            load_entry_points=False,
            messages=messages or MessageSettings(),
            **settings,
        ),
        plugins=plugins if plugins is not None else [notifier],
        clock=clock,
    )
    return app, notifier, clock


def opened(app: Walletcare, **changes: Any) -> str:
    """A complaint opened and acknowledged; its id."""
    cid = app.complaints.open(intake(**changes)).complaint_id
    app.complaints.acknowledge(cid, by=STAFF)
    return cid


def investigating(app: Walletcare, **changes: Any) -> str:
    """A complaint under investigation; its id."""
    cid = opened(app, **changes)
    app.complaints.start_investigation(cid, by=STAFF)
    return cid


LATER = timedelta(minutes=5)
