"""Delivering the outbox: at-least-once, idempotency keys, backoff, timeouts and dead letters."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from attrs import frozen

from walletcare.errors import DeliveryFailed
from walletcare.plugins import Plugins
from walletcare.ports import DeliveryReceipt, MessageStatus, OutboundMessage, Storage
from walletcare.settings import RetryPolicy

__all__ = ["Delivery", "DeliveryOutcome", "deliver_with_timeout"]

log = logging.getLogger("walletcare.outbox")


@frozen(kw_only=True)
class DeliveryOutcome:
    """What one tick did with the due messages."""

    delivered: int = 0
    retried: int = 0
    dead: int = 0
    lost_claims: int = 0


def deliver_with_timeout(
    plugins: Plugins, message: OutboundMessage, timeout: timedelta
) -> DeliveryReceipt | None:
    """Call the channel plugins in a daemon thread; a hang past ``timeout`` is a failure.

    The abandoned thread is a daemon so a plugin that never returns cannot keep the host
    process alive; the message is retried (its id lets the channel drop a late duplicate).
    """
    box: dict[str, Any] = {}

    def call() -> None:
        try:
            box["result"] = plugins.deliver(message)
        except BaseException as exc:  # a plugin may raise anything; the tick must go on
            box["error"] = exc

    worker = threading.Thread(target=call, name=f"walletcare-deliver-{message.id}", daemon=True)
    worker.start()
    worker.join(timeout.total_seconds())
    if worker.is_alive():
        raise DeliveryFailed(f"channel {message.channel!r} did not answer within {timeout}")
    if "error" in box:
        error = box["error"]
        if isinstance(error, DeliveryFailed):
            raise error
        raise DeliveryFailed(f"channel plugin raised {type(error).__name__}: {error}") from error
    result = box.get("result")
    if result is not None and not isinstance(result, DeliveryReceipt):
        raise DeliveryFailed(
            f"channel plugin returned {type(result).__name__}, not a DeliveryReceipt"
        )
    if result is not None and result.message_id != message.id:
        raise DeliveryFailed(f"receipt names message {result.message_id!r}, not {message.id!r}")
    return result


class Delivery:
    """Drains due outbox messages through the channel plugins."""

    def __init__(
        self,
        *,
        storage: Storage,
        plugins: Plugins,
        retry: RetryPolicy,
        timeout: timedelta,
        lease: timedelta,
    ) -> None:
        self.storage = storage
        self.plugins = plugins
        self.retry = retry
        self.timeout = timeout
        self.lease = lease

    def drain(self, now: datetime, limit: int) -> DeliveryOutcome:
        """Claim the messages due at ``now`` and try each once."""
        delivered = retried = dead = lost = 0
        for message in self.storage.claim_due_messages(now, limit, self.lease):
            attempts = message.attempts + 1
            try:
                receipt = deliver_with_timeout(self.plugins, message, self.timeout)
            except DeliveryFailed as exc:
                if attempts >= self.retry.max_attempts:
                    status, due, error = (
                        MessageStatus.DEAD,
                        now,
                        f"gave up after {attempts} attempts: {exc}",
                    )
                else:
                    status, due, error = (
                        MessageStatus.PENDING,
                        now + self.retry.delay_after(attempts),
                        str(exc),
                    )
            else:
                if receipt is None:
                    # Parked, not dropped: a host that adds the channel can retry it.
                    status, due = MessageStatus.DEAD, now
                    error = f"no plugin delivers channel {message.channel!r}"
                else:
                    status, due, error = MessageStatus.DELIVERED, now, ""
            if status is MessageStatus.DEAD:
                log.warning("message %s dead-lettered: %s", message.id, error)
            elif error:
                log.info("message %s will be retried at %s: %s", message.id, due, error)
            if not self.storage.settle_message(
                message, status=status, attempts=attempts, due_at=due, error=error
            ):
                lost += 1
                continue
            delivered += status is MessageStatus.DELIVERED
            retried += status is MessageStatus.PENDING
            dead += status is MessageStatus.DEAD
        return DeliveryOutcome(delivered=delivered, retried=retried, dead=dead, lost_claims=lost)
