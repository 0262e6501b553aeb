"""Firing due timers: each exactly once, through the handler for its stream's kind and family."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from attrs import define, field, frozen

from walletcare.domain.events import Event
from walletcare.errors import ClaimLost, ConfigurationError, DamagedRecord
from walletcare.ports import Storage, Timer
from walletcare.services.commands import CommandRunner, Decision, Loaded, Prepared

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
    """Claims due timers and fires each through its handler, many to a transaction.

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
        if loaded.cached is not None:
            kind: str | None = loaded.cached.kind
        elif loaded.snapshot is not None:
            kind = loaded.snapshot.kind
        else:
            kind = self.kind_of(loaded.events) if loaded.events else None
        for key in ((kind or ANY_KIND, family), (ANY_KIND, family)):
            case_handler = self._case_handlers.get(key)
            if case_handler is not None:
                return case_handler(loaded, timer, now)
            handler = self._handlers.get(key)
            if handler is not None:
                history = loaded.events
                if loaded.snapshot is not None or loaded.cached is not None:
                    history, _ = self.runner.load(timer.stream_id)
                return handler(history, timer, now)
        raise ConfigurationError(
            f"no handler for timer {timer.name!r} on a {kind or 'kindless'} stream"
        )

    def fire_due(self, now: datetime, limit: int) -> TimerOutcome:
        """Fire the timers due at ``now``, many per transaction; a failing one is released to
        try again later, and neither loses the others nor fires twice.

        Each timer's effects are decided on its case, then the batch is written by one
        ``append_many``: one transaction, one savepoint per timer. A timer whose handler
        raises is left out of the batch; one whose commit storage refuses (another writer
        moved the case meanwhile) is fired again on its own, with the usual retries. Every
        commit consumes its timer's claim, so a timer fires at most once. A damaged timer,
        or one whose stream cannot be read, is set aside.
        """
        tally = _Tally()
        pending: list[Timer] = []
        for timer in self.storage.claim_due_timers(now, limit, self.lease):
            if timer.damage:
                damage = DamagedRecord(
                    f"timer {timer.name!r} of stream {timer.stream_id!r} is damaged: "
                    f"{timer.damage}"
                )
                self._failed(timer, damage, now, tally)
            else:
                pending.append(timer)
        while pending:
            # One timer per case in a batch: a case's next timer is decided on the state
            # its first one left, in the next batch.
            batch: list[Timer] = []
            later: list[Timer] = []
            streams: set[str] = set()
            for timer in pending:
                (later if timer.stream_id in streams else batch).append(timer)
                streams.add(timer.stream_id)
            self._fire_batch(batch, now, tally)
            pending = later
        return TimerOutcome(
            fired=tally.fired,
            failed=tally.failed,
            lost_claims=tally.lost,
            errors=tuple(tally.errors),
        )

    def _fire_batch(self, timers: Sequence[Timer], now: datetime, tally: _Tally) -> None:
        runner = self.runner
        prepared: list[tuple[Timer, Prepared[Any]]] = []
        for timer in timers:
            try:
                loaded, version = runner.load_case(timer.stream_id)
                done = runner.prepare(
                    timer.stream_id,
                    loaded,
                    version,
                    partial(self._decide, timer=timer),
                    now=now,
                    consumes=(timer.name, timer.token or ""),
                )
            except Exception as exc:
                self._failed(timer, exc, now, tally)
                continue
            prepared.append((timer, done))
        if not prepared:
            return
        try:
            outcomes = self.storage.append_many([done.commit for _, done in prepared])
        except Exception as exc:
            for timer, _ in prepared:
                self._failed(timer, exc, now, tally)
            return
        for (timer, done), outcome in zip(prepared, outcomes, strict=True):
            if isinstance(outcome, ClaimLost):
                tally.lost += 1
            elif isinstance(outcome, Exception):
                self._fire_alone(timer, now, tally)
            else:
                runner.committed(done, outcome)
                tally.fired += 1

    def _fire_alone(self, timer: Timer, now: datetime, tally: _Tally) -> None:
        """Fire one timer in its own commit, deciding again on the case as it now stands."""
        try:
            self.runner.run_case(
                timer.stream_id,
                partial(self._decide, timer=timer),
                now=now,
                consumes=(timer.name, timer.token or ""),
            )
        except ClaimLost:
            tally.lost += 1
            return
        except Exception as exc:
            self._failed(timer, exc, now, tally)
            return
        tally.fired += 1

    def _failed(self, timer: Timer, exc: Exception, now: datetime, tally: _Tally) -> None:
        """Count a timer that did not fire: set aside if it never can (its stream or itself
        is damaged), else released to be tried again after the lease."""
        tally.failed += 1
        if isinstance(exc, DamagedRecord):
            tally.errors.append(self._set_aside(timer, exc, now))
            return
        tally.errors.append(f"{timer.stream_id}/{timer.name}: {type(exc).__name__}: {exc}")
        log.error(
            "timer %s of %s failed; retried after the lease",
            timer.name,
            timer.stream_id,
            exc_info=exc,
        )
        try:
            self.storage.release_timer(timer, now + self.lease)
        except Exception:  # the claim runs out by itself after the lease
            log.exception("could not release timer %s of %s", timer.name, timer.stream_id)

    def _set_aside(self, timer: Timer, damage: DamagedRecord, now: datetime) -> str:
        """Take a timer that can never fire out of the due set; what the tick reports."""
        reason = f"StorageError: {damage}"
        log.error("timer %s of %s set aside: %s", timer.name, timer.stream_id, damage)
        self.storage.set_timer_aside(timer, reason, now)
        return f"{timer.stream_id}/{timer.name}: {reason}"


@define
class _Tally:
    """What a tick has done so far."""

    fired: int = 0
    failed: int = 0
    lost: int = 0
    errors: list[str] = field(factory=list)
