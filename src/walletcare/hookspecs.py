"""The hooks plugins implement. Every hook is documented in docs/plugins/hooks.md."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from walletcare.ports import DeliveryReceipt, OutboundMessage, Storage, StoredEvent
    from walletcare.settings import Settings

__all__ = ["hookspec", "hookimpl", "PROJECT"]

PROJECT = "walletcare"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec(firstresult=True)
def walletcare_storage(settings: Settings) -> Storage | None:
    """Open the storage named by ``settings.storage_url``.

    Return ``None`` when the URL's scheme is not yours; the first non-None answer wins. Open
    lazily and connect nothing at import time. Raise ``ConfigurationError`` for a URL of your
    scheme that you cannot use.
    """


@hookspec(firstresult=True)
def walletcare_deliver(message: OutboundMessage) -> DeliveryReceipt | None:
    """Send one outbound message on ``message.channel``.

    Return ``None`` when you do not serve that channel, a ``DeliveryReceipt`` when the message
    was accepted. Raise ``DeliveryFailed`` (or anything else) to have it retried with backoff.
    ``message.id`` is an idempotency key: the same message may be offered again after a crash
    or a timeout, and must then not reach the recipient twice.
    """


@hookspec
def walletcare_channels() -> Iterable[str] | None:
    """Name the channels your ``walletcare_deliver`` serves (``["sms", "wechat"]``).

    Every plugin that implements ``walletcare_deliver`` implements this too (checked when
    ``Walletcare`` starts). A customer's contact channel, and the channel of a rule's staff
    alert, must be one some plugin names here: checked when the complaint is opened, when
    a message is queued, and for rules at start-up.
    """


@hookspec
def walletcare_events_committed(events: Sequence[StoredEvent]) -> None:
    """Observe events right after they are durably committed (analytics, webhooks, projections).

    Called once per commit, in the committing thread. An exception here is logged and
    counted, never undoes the commit, and does not stop other observers.
    """
