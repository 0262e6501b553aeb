"""Channel plugins for tests: one that records, one that fails on purpose."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from walletcare.errors import DeliveryFailed
from walletcare.hookspecs import hookimpl
from walletcare.ports import DeliveryReceipt, OutboundMessage

__all__ = ["RecordingNotifier", "FlakyNotifier"]


class RecordingNotifier:
    """Delivers by remembering: ``sent`` holds every offer, in order, repeats included.

    A channel drops a repeated id, so each id is answered; keeping the repeats lets a test
    assert that exactly one offer was made (``offers_of``), which is what exactly-once means.
    """

    def __init__(
        self, channels: Iterable[str] = ("sms", "email", "push", "in_app", "staff")
    ) -> None:
        self.channels = frozenset(channels)
        self.sent: list[OutboundMessage] = []
        self._lock = threading.Lock()

    @property
    def offers(self) -> int:
        """How many offers were recorded."""
        with self._lock:
            return len(self.sent)

    @hookimpl
    def walletcare_channels(self) -> list[str]:
        """The channels this notifier serves."""
        return sorted(self.channels)

    @hookimpl
    def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        """Record ``message`` if its channel is one of ours."""
        if message.channel not in self.channels:
            return None
        with self._lock:
            self.sent.append(message)
        return DeliveryReceipt(
            message_id=message.id, channel=message.channel, provider_ref=message.id
        )

    def offers_of(self, message_id: str) -> int:
        """How many times the message ``message_id`` was offered."""
        with self._lock:
            return sum(1 for m in self.sent if m.id == message_id)

    def to(self, recipient: str) -> list[OutboundMessage]:
        """The offers made to ``recipient``."""
        with self._lock:
            return [m for m in self.sent if m.recipient == recipient]


class FlakyNotifier(RecordingNotifier):
    """Fails on the deliveries ``fails(message, offer_number)`` picks, in the way it names.

    ``fails`` returns None (deliver), ``"raise"`` (DeliveryFailed), ``"odd"`` (a non-walletcare
    exception), ``"hang"`` (sleep ``hang_seconds``) or ``"garbage"`` (return a wrong type).
    """

    def __init__(
        self,
        fails: Callable[[OutboundMessage, int], str | None],
        channels: Iterable[str] = ("sms", "email", "push", "in_app", "staff"),
        hang_seconds: float = 2.0,
    ) -> None:
        super().__init__(channels)
        self.fails = fails
        self.hang_seconds = hang_seconds
        self.attempts: dict[str, int] = {}

    @hookimpl
    def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        """Fail as ``fails`` says, else record like ``RecordingNotifier``."""
        if message.channel not in self.channels:
            return None
        with self._lock:
            offer = self.attempts[message.id] = self.attempts.get(message.id, 0) + 1
        mode = self.fails(message, offer)
        if mode == "raise":
            raise DeliveryFailed("gateway said no")
        if mode == "odd":
            raise ZeroDivisionError("a plugin bug")
        if mode == "hang":
            time.sleep(self.hang_seconds)
        if mode == "garbage":
            return "sent!"  # type: ignore[return-value]
        return super().walletcare_deliver(message)
