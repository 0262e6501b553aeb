"""A toy case type for exercising the spine without any real case module."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from attrs import frozen

from walletcare import Actor, Event, Settings, Walletcare
from walletcare.ports import OutboundMessage, SetTimer, StreamSummary, Timer
from walletcare.services.commands import Decision
from walletcare.testing import FixedClock, RecordingNotifier

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALICE = Actor.customer("alice")


@frozen(kw_only=True)
class NoteAdded(Event):
    """Toy event: a note on a toy case."""

    kind = "toy.note_added"
    text: str


@frozen(kw_only=True)
class Reminded(Event):
    """Toy event: a reminder timer fired."""

    kind = "toy.reminded"
    timer: str


TOY_EVENTS = (NoteAdded, Reminded)


def add_note(text: str, *, remind_in: timedelta | None = None, channel: str | None = None):  # type: ignore[no-untyped-def]
    """A decide function adding a note, optionally arming a reminder and queueing a message."""

    def decide(history: Sequence[Event], now: datetime) -> Decision:
        if text == "":
            from walletcare.errors import ValidationError

            raise ValidationError.of("text", "must not be empty")
        stream = "toy-1"
        return Decision(
            events=[NoteAdded(at=now, by=ALICE, text=text)],
            timers=[SetTimer(name="remind", due_at=now + remind_in)] if remind_in else [],
            messages=[
                OutboundMessage(
                    id=uuid.uuid4().hex,
                    stream_id=stream,
                    channel=channel,
                    recipient="alice",
                    template="toy.note",
                    body=text,
                    due_at=now,
                )
            ]
            if channel
            else [],
            summary=StreamSummary(
                stream_id=stream,
                kind="toy",
                status="open",
                attributes={"customer_id": "alice"},
                opened_at=history[0].at if history else now,
                updated_at=now,
            ),
            result=len(history) + 1,
        )

    return decide


def remind(history: Sequence[Event], timer: Timer, now: datetime) -> Decision:
    """Toy timer handler: record that the reminder fired."""
    return Decision(
        events=[
            Reminded(
                at=now,
                by=Actor("system", "walletcare"),
                timer=json.loads(timer.payload).get("t", timer.name),
            )
        ]
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def app(clock: FixedClock, notifier: RecordingNotifier) -> Walletcare:
    wc = Walletcare(
        Settings(
            storage_url="memory://",
            delivery_timeout=timedelta(seconds=0.5),
            claim_lease=timedelta(minutes=1),
        ),
        plugins=[notifier],
        clock=clock,
        events=TOY_EVENTS,
    )
    wc.on_timer("remind", remind)
    return wc
