"""What the case records about its messages: a move to a fallback channel, a message no
channel could deliver, a message held for review and its release."""

from __future__ import annotations

from attrs import frozen

from walletcare.domain.events import Event

__all__ = [
    "MessageEvent",
    "MessageRerouted",
    "MessageUndelivered",
    "MessageHeld",
    "MessageReleased",
    "MESSAGE_EVENTS",
]


@frozen(kw_only=True)
class MessageEvent(Event):
    """Base of the kernel's message events; they change no case state, only its record."""


@frozen(kw_only=True)
class MessageRerouted(MessageEvent):
    """A customer message dead-lettered on one channel and was queued on the next."""

    kind = "message.rerouted"
    message_id: str
    new_message_id: str
    from_channel: str
    to_channel: str
    reason: str


@frozen(kw_only=True)
class MessageUndelivered(MessageEvent):
    """A customer message dead-lettered on the customer's last channel; it stays in the
    dead letters for a person to act on."""

    kind = "message.undelivered"
    message_id: str
    channel: str
    reason: str


@frozen(kw_only=True)
class MessageHeld(MessageEvent):
    """Staff text for the customer looked like phishing and the policy holds such messages:
    the message, as it would have gone, waits for review."""

    kind = "message.held"
    message_id: str
    template: str
    channel: str
    recipient: str
    subject: str
    body: str
    locale: str
    data: str
    reasons: tuple[str, ...]


@frozen(kw_only=True)
class MessageReleased(MessageEvent):
    """A reviewer released a held message; it is queued as it was written."""

    kind = "message.released"
    message_id: str


MESSAGE_EVENTS: tuple[type[MessageEvent], ...] = (
    MessageRerouted,
    MessageUndelivered,
    MessageHeld,
    MessageReleased,
)
