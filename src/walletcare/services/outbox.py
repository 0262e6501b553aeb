"""Delivering the outbox: at-least-once, idempotency keys, backoff, timeouts and dead letters."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time as monotonic_time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from attrs import frozen

from walletcare.domain.messages import ContactWindow
from walletcare.errors import DeliveryFailed
from walletcare.ports import DeliveryReceipt, MessageStatus, OutboundMessage, Storage
from walletcare.settings import RetryPolicy

Deliver = Callable[[OutboundMessage], DeliveryReceipt | None]
"""Offer a message to the channel plugins; None if none serves its channel."""
OnDead = Callable[[OutboundMessage, str], None]
"""Told of each customer message that dead-lettered, with the reason (for its fallback)."""

__all__ = ["Delivery", "DeliveryOutcome", "deliver_with_timeout", "sends_per_claim"]

log = logging.getLogger("walletcare.outbox")


@frozen(kw_only=True)
class DeliveryOutcome:
    """What one tick did with the due messages."""

    delivered: int = 0
    retried: int = 0
    dead: int = 0
    lost_claims: int = 0


def deliver_with_timeout(
    deliver: Deliver, message: OutboundMessage, timeout: timedelta
) -> DeliveryReceipt | None:
    """Call the channel plugins in a daemon thread; a hang past ``timeout`` is a failure.

    The abandoned thread is a daemon so a plugin that never returns cannot keep the host
    process alive; the message is retried (its id lets the channel drop a late duplicate).
    """
    box: dict[str, Any] = {}

    def call() -> None:
        try:
            box["result"] = deliver(message)
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
    if result is not None and result.channel != message.channel:
        raise DeliveryFailed(f"receipt names channel {result.channel!r}, not {message.channel!r}")
    return result


def sends_per_claim(lease: timedelta, timeout: timedelta) -> int:
    """How many sends one claim may cover so that even all timing out ends inside its lease.

    Half the lease is kept as a margin for storage and scheduling; at least one send.
    """
    return max(1, int(lease / (2 * timeout)))


class Delivery:
    """Drains due outbox messages through the channel plugins."""

    def __init__(
        self,
        *,
        storage: Storage,
        deliver: Deliver,
        retry: RetryPolicy,
        timeout: timedelta,
        lease: timedelta,
        on_dead: OnDead | None = None,
    ) -> None:
        self.storage = storage
        self.deliver = deliver
        self.retry = retry
        self.timeout = timeout
        self.lease = lease
        self.on_dead = on_dead

    def drain(self, now: datetime, limit: int) -> DeliveryOutcome:
        """Claim the messages due at ``now`` and try each once.

        Messages marked ``"digest": true`` in their data (staff alerts) that are due together
        for one recipient on one channel go out as a single digest instead of a burst. A
        customer message stamped with a contact window waits, without using an attempt,
        until the window opens in the customer's zone; one that dead-letters is handed to
        ``on_dead`` (its case moves it to the next channel, or records that none is left).
        """
        counts = {"delivered": 0, "retried": 0, "dead": 0, "lost": 0}
        # One claim covers only as many sends as fit in its lease, and each claim is dated by
        # the time that really passed: a slow channel never outlives the claim it sends under,
        # so no other worker picks the same message up meanwhile.
        chunk = sends_per_claim(self.lease, self.timeout)
        started = monotonic_time.monotonic()
        left = limit
        while left > 0:
            wanted = min(chunk, left)
            at = now + timedelta(seconds=monotonic_time.monotonic() - started)
            claimed = self.storage.claim_due_messages(at, wanted, self.lease)
            for batch in _batches(claimed, now):
                if not self._defer_quiet(batch[0], now, counts):
                    self._send(batch, now, counts)
            left -= len(claimed)
            if len(claimed) < wanted:
                break
        return DeliveryOutcome(
            delivered=counts["delivered"],
            retried=counts["retried"],
            dead=counts["dead"],
            lost_claims=counts["lost"],
        )

    def _send(
        self,
        batch: tuple[OutboundMessage, list[OutboundMessage]],
        now: datetime,
        counts: dict[str, int],
    ) -> None:
        """Deliver one message (or one digest) and settle every message it carries."""
        offered, members = batch
        attempts = max(m.attempts for m in members) + 1
        try:
            receipt = deliver_with_timeout(self.deliver, offered, self.timeout)
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
                error = f"no plugin delivers channel {offered.channel!r}"
            else:
                status, due, error = MessageStatus.DELIVERED, now, ""
        if status is MessageStatus.DEAD:
            log.warning("message %s dead-lettered: %s", offered.id, error)
            for message in self._settle(members, status, due, error, counts):
                self._fall_back(message, error)
            return
        if error:
            log.info("message %s will be retried at %s: %s", offered.id, due, error)
        self._settle(members, status, due, error, counts)

    def _settle(
        self,
        members: list[OutboundMessage],
        status: MessageStatus,
        due: datetime,
        error: str,
        counts: dict[str, int],
    ) -> list[OutboundMessage]:
        """Settle each member; the ones this worker settled (its claim still held)."""
        done = []
        for message in members:
            settled = self.storage.settle_message(
                message, status=status, attempts=message.attempts + 1, due_at=due, error=error
            )
            if not settled:
                counts["lost"] += 1
                continue
            done.append(message)
            if status is MessageStatus.DELIVERED:
                counts["delivered"] += 1
            elif status is MessageStatus.PENDING:
                counts["retried"] += 1
            else:
                counts["dead"] += 1
        return done

    def _defer_quiet(self, message: OutboundMessage, now: datetime, counts: dict[str, int]) -> bool:
        """Put a customer message back until its contact window opens; True if deferred."""
        window = _window(message)
        if window is None:
            return False
        zone, opens = window
        if opens.is_open(now, zone):
            return False
        due = opens.next_open(now, zone)
        if not self.storage.settle_message(
            message,
            status=MessageStatus.PENDING,
            attempts=message.attempts,
            due_at=due,
            error=message.last_error,
        ):
            counts["lost"] += 1
        return True

    def _fall_back(self, message: OutboundMessage, error: str) -> None:
        """Hand a dead customer message to ``on_dead``; a failure there is logged, and the
        message stays in the dead letters."""
        if self.on_dead is None or '"fallback"' not in message.data:
            return
        try:
            self.on_dead(message, error)
        except Exception:
            log.exception("message %s: moving it to the next channel failed", message.id)


def _window(message: OutboundMessage) -> tuple[str, ContactWindow] | None:
    """The contact window a customer message is stamped with, if any."""
    if '"window"' not in message.data:
        return None
    try:
        stamp = json.loads(message.data)["window"]
        window = ContactWindow(opens=stamp["opens"], closes=stamp["closes"])
    except (ValueError, KeyError, TypeError):
        log.warning("message %s has a malformed contact window; sending it", message.id)
        return None
    return str(stamp["zone"]), window


def _is_digest(message: OutboundMessage) -> bool:
    try:
        data = json.loads(message.data)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("digest") is True


def _batches(
    messages: list[OutboundMessage], now: datetime
) -> list[tuple[OutboundMessage, list[OutboundMessage]]]:
    """Each message on its own, except digest messages grouped per (channel, recipient).

    A digest that failed is retried with the same members, so with the same id: its members
    share their attempt count and retry time, which alerts queued since do not (they go out
    in a digest of their own).
    """
    batches: list[tuple[OutboundMessage, list[OutboundMessage]]] = []
    groups: dict[tuple[str, str, int, datetime | None], list[OutboundMessage]] = {}
    for message in messages:
        if _is_digest(message):
            retry_of = message.due_at if message.attempts else None
            key = (message.channel, message.recipient, message.attempts, retry_of)
            groups.setdefault(key, []).append(message)
        else:
            batches.append((message, [message]))
    for (channel, recipient, _, _), members in groups.items():
        if len(members) == 1:
            batches.append((members[0], members))
            continue
        ids = sorted(m.id for m in members)
        # The same group always gets the same id, so a retried digest is one message to the channel.
        digest_id = "digest-" + hashlib.sha256("\n".join(ids).encode()).hexdigest()[:24]
        body = "\n\n".join(f"{m.subject}\n{m.body}" for m in members)
        digest = OutboundMessage(
            id=digest_id,
            stream_id=members[0].stream_id,
            channel=channel,
            recipient=recipient,
            template="digest",
            subject=f"{len(members)} case alerts",
            body=body,
            locale=members[0].locale,
            data=json.dumps({"digest_of": ids}),
            due_at=now,
        )
        batches.append((digest, members))
    return batches
