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
    """Delivers by remembering: ``sent`` in order, one entry per message id (idempotent)."""

    def __init__(
        self, channels: Iterable[str] = ("sms", "email", "push", "in_app", "staff")
    ) -> None:
        self.channels = frozenset(channels)
        self.sent: list[OutboundMessage] = []
        self.offers = 0
        self._ids: set[str] = set()
        self._lock = threading.Lock()

    @hookimpl
    def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        """Record ``message`` once per id if its channel is one of ours."""
        if message.channel not in self.channels:
            return None
        with self._lock:
            self.offers += 1
            if message.id not in self._ids:
                self._ids.add(message.id)
                self.sent.append(message)
        return DeliveryReceipt(
            message_id=message.id, channel=message.channel, provider_ref=message.id
        )

    def to(self, recipient: str) -> list[OutboundMessage]:
        """The messages sent to ``recipient``."""
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
