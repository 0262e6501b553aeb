"""Firing due timers: each exactly once, through the handler for its stream's kind and family."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from attrs import frozen

from walletcare.domain.events import Event
from walletcare.errors import ClaimLost, ConfigurationError, DamagedRecord
from walletcare.ports import Storage, Timer
from walletcare.services.commands import CommandRunner, Decision, Loaded

__all__ = ["TimerHandler", "CaseTimerHandler", "TimerOutcome", "Timers", "ANY_KIND"]

log = logging.getLogger("walletcare.timers")

TimerHandler = Callable[[Sequence[Event], Timer, datetime], Decision[Any]]
"""Decide what a due timer does to its stream, given the history, the timer and the time."""

CaseTimerHandler = Callable[[Loaded, Timer, datetime], Decision[Any]]
"""The kernel's handlers: given the case's snapshot and the events after it."""

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
        self._case_handlers: dict[tuple[str, str], CaseTimerHandler] = {}

    def _check(self, kind: str, family: str) -> None:
        if ":" in family or not family:
            raise ConfigurationError(f"a timer family is a name without ':', got {family!r}")
        if (kind, family) in self._handlers or (kind, family) in self._case_handlers:
            raise ConfigurationError(
                f"timer family {family!r} of kind {kind!r} already has a handler"
            )

    def register(self, kind: str, family: str, handler: TimerHandler) -> None:
        """Handle timers named ``family`` or ``family:anything`` on streams of ``kind``; the
        handler is given the stream's whole history."""
        self._check(kind, family)
        self._handlers[(kind, family)] = handler

    def register_case(self, kind: str, family: str, handler: CaseTimerHandler) -> None:
        """Like ``register``, for the kernel: the handler is given the snapshot and the events
        after it."""
        self._check(kind, family)
        self._case_handlers[(kind, family)] = handler

    def _decide(self, loaded: Loaded, now: datetime, *, timer: Timer) -> Decision[Any]:
        family = timer.name.split(":", 1)[0]
        if loaded.snapshot is not None:
            kind: str | None = loaded.snapshot.kind
        else:
            kind = self.kind_of(loaded.events) if loaded.events else None
        for key in ((kind or ANY_KIND, family), (ANY_KIND, family)):
            case_handler = self._case_handlers.get(key)
            if case_handler is not None:
                return case_handler(loaded, timer, now)
            handler = self._handlers.get(key)
            if handler is not None:
                history = loaded.events
                if loaded.snapshot is not None:
                    history, _ = self.runner.load(timer.stream_id)
                return handler(history, timer, now)
        raise ConfigurationError(
            f"no handler for timer {timer.name!r} on a {kind or 'kindless'} stream"
        )

    def fire_due(self, now: datetime, limit: int) -> TimerOutcome:
        """Fire the timers due at ``now``; a failing one is released to try again later."""
        fired = failed = lost = 0
        errors: list[str] = []
        for timer in self.storage.claim_due_timers(now, limit, self.lease):
            if timer.damage:
                failed += 1
                damage = DamagedRecord(
                    f"timer {timer.name!r} of stream {timer.stream_id!r} is damaged: "
                    f"{timer.damage}"
                )
                errors.append(self._set_aside(timer, damage, now))
                continue
            try:
                self.runner.run_case(
                    timer.stream_id,
                    partial(self._decide, timer=timer),
                    now=now,
                    consumes=(timer.name, timer.token or ""),
                )
            except ClaimLost:
                lost += 1
                continue
            except DamagedRecord as exc:
                # Its stream cannot be read: firing again would fail the same way forever.
                failed += 1
                errors.append(self._set_aside(timer, exc, now))
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

    def _set_aside(self, timer: Timer, damage: DamagedRecord, now: datetime) -> str:
        """Take a timer that can never fire out of the due set; what the tick reports."""
        reason = f"StorageError: {damage}"
        log.error("timer %s of %s set aside: %s", timer.name, timer.stream_id, damage)
        self.storage.set_timer_aside(timer, reason, now)
        return f"{timer.stream_id}/{timer.name}: {reason}"
