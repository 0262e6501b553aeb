"""Firing due timers: each exactly once, through the handler registered for its name."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from attrs import frozen

from walletcare.domain.events import Event
from walletcare.errors import ClaimLost, ConfigurationError
from walletcare.ports import Storage, Timer
from walletcare.services.commands import CommandRunner, Decide, Decision

__all__ = ["TimerHandler", "TimerOutcome", "Timers"]

log = logging.getLogger("walletcare.timers")

TimerHandler = Callable[[Sequence[Event], Timer, datetime], Decision]
"""Decide what a due timer does to its stream, given the history, the timer and the time."""


@frozen(kw_only=True)
class TimerOutcome:
    """What one tick did with the due timers."""

    fired: int = 0
    failed: int = 0
    lost_claims: int = 0
    errors: tuple[str, ...] = ()


def _bind(handler: TimerHandler, timer: Timer) -> Decide:
    def decide(history: Sequence[Event], now: datetime) -> Decision:
        return handler(history, timer, now)

    return decide


class Timers:
    """Claims due timers and fires each through its handler in one atomic commit."""

    def __init__(self, *, storage: Storage, runner: CommandRunner, lease: timedelta) -> None:
        self.storage = storage
        self.runner = runner
        self.lease = lease
        self._handlers: dict[str, TimerHandler] = {}

    def register(self, family: str, handler: TimerHandler) -> None:
        """Handle timers named ``family`` or ``family:anything``."""
        if ":" in family or not family:
            raise ConfigurationError(f"a timer family is a name without ':', got {family!r}")
        if family in self._handlers:
            raise ConfigurationError(f"timer family {family!r} already has a handler")
        self._handlers[family] = handler

    def fire_due(self, now: datetime, limit: int) -> TimerOutcome:
        """Fire the timers due at ``now``; a failing one is released to try again later."""
        fired = failed = lost = 0
        errors: list[str] = []
        for timer in self.storage.claim_due_timers(now, limit, self.lease):
            handler = self._handlers.get(timer.name.split(":", 1)[0])
            try:
                if handler is None:
                    raise ConfigurationError(f"no handler for timer family of {timer.name!r}")
                self.runner.run(
                    timer.stream_id,
                    _bind(handler, timer),
                    now=now,
                    consumes=(timer.name, timer.token or ""),
                )
            except ClaimLost:
                lost += 1
                continue
            except Exception as exc:
                failed += 1
                errors.append(f"{timer.stream_id}/{timer.name}: {type(exc).__name__}: {exc}")
                log.exception(
                    "timer %s of %s failed; retried after the lease", timer.name, timer.stream_id
                )
                self.storage.release_timer(timer, now + self.lease)
                continue
            fired += 1
        return TimerOutcome(fired=fired, failed=failed, lost_claims=lost, errors=tuple(errors))
