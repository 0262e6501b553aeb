"""Firing due timers: each exactly once, through the handler for its stream's kind and family."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from attrs import frozen

from walletcare.domain.events import Event
from walletcare.errors import ClaimLost, ConfigurationError
from walletcare.ports import Storage, Timer
from walletcare.services.commands import CommandRunner, Decide, Decision

__all__ = ["TimerHandler", "TimerOutcome", "Timers", "ANY_KIND"]

log = logging.getLogger("walletcare.timers")

TimerHandler = Callable[[Sequence[Event], Timer, datetime], Decision[Any]]
"""Decide what a due timer does to its stream, given the history, the timer and the time."""

ANY_KIND = "*"
"""Register a family for streams of every kind (a host's own streams, for example)."""

KindOf = Callable[[Sequence[Event]], str | None]
"""The case kind a stream's history belongs to (None if no kind claims it)."""


@frozen(kw_only=True)
class TimerOutcome:
    """What one tick did with the due timers."""

    fired: int = 0
    failed: int = 0
    lost_claims: int = 0
    errors: tuple[str, ...] = ()


class Timers:
    """Claims due timers and fires each through its handler in one atomic commit.

    A handler is registered for a (kind, family) pair: ``sla:resolution`` on a complaint goes
    to the complaint kind's ``sla`` handler, on a dispute to the dispute kind's.
    """

    def __init__(
        self,
        *,
        storage: Storage,
        runner: CommandRunner,
        lease: timedelta,
        kind_of: KindOf = lambda history: None,
    ) -> None:
        self.storage = storage
        self.runner = runner
        self.lease = lease
        self.kind_of = kind_of
        self._handlers: dict[tuple[str, str], TimerHandler] = {}

    def register(self, kind: str, family: str, handler: TimerHandler) -> None:
        """Handle timers named ``family`` or ``family:anything`` on streams of ``kind``."""
        if ":" in family or not family:
            raise ConfigurationError(f"a timer family is a name without ':', got {family!r}")
        if (kind, family) in self._handlers:
            raise ConfigurationError(
                f"timer family {family!r} of kind {kind!r} already has a handler"
            )
        self._handlers[(kind, family)] = handler

    def handler_for(self, history: Sequence[Event], timer: Timer) -> TimerHandler:
        """The handler for a timer on a stream with this history."""
        family = timer.name.split(":", 1)[0]
        kind = self.kind_of(history) if history else None
        handler = self._handlers.get((kind or ANY_KIND, family)) or self._handlers.get(
            (ANY_KIND, family)
        )
        if handler is None:
            raise ConfigurationError(
                f"no handler for timer {timer.name!r} on a {kind or 'kindless'} stream"
            )
        return handler

    def _bind(self, timer: Timer) -> Decide[Any]:
        def decide(history: Sequence[Event], now: datetime) -> Decision[Any]:
            return self.handler_for(history, timer)(history, timer, now)

        return decide

    def fire_due(self, now: datetime, limit: int) -> TimerOutcome:
        """Fire the timers due at ``now``; a failing one is released to try again later."""
        fired = failed = lost = 0
        errors: list[str] = []
        for timer in self.storage.claim_due_timers(now, limit, self.lease):
            try:
                self.runner.run(
                    timer.stream_id,
                    self._bind(timer),
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
