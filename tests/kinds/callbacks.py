"""A call-back request: a second kind of case written only against ``walletcare.kinds``;
clocks, rules, escalation, messages, listing and history all come from the kernel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs
from attrs import field, frozen

from walletcare import Actor, ConfigurationError, Event, TransitionNotAllowed
from walletcare.kinds import (
    CaseKind,
    CaseService,
    ClockEffect,
    EscalationState,
    FactKind,
    SlaClock,
    StartClocks,
    StepResult,
    StopClocks,
    fold_kernel_event,
)


@frozen(kw_only=True)
class CallbackRequested(Event):
    kind = "callback.requested"
    callback_id: str
    customer_id: str
    phone: str
    topic: str
    jurisdiction: str = "DE"
    language: str = "en"
    zone: str = "Europe/Berlin"


@frozen(kw_only=True)
class CalledBack(Event):
    kind = "callback.called_back"
    outcome: str


@frozen(kw_only=True)
class Callback:
    id: str
    customer_id: str
    phone: str
    topic: str
    jurisdiction: str
    language: str
    customer_zone: str
    opened_at: datetime
    updated_at: datetime
    status: str = "waiting"
    outcome: str = ""
    product: str = "callback"
    flags: tuple[str, ...] = ()
    reopen_count: int = 0
    clocks: tuple[SlaClock, ...] = ()
    escalation: EscalationState = field(factory=EscalationState)

    @property
    def is_open(self) -> bool:
        return self.status == "waiting"

    @property
    def occurred_at(self) -> datetime:
        return self.opened_at

    @property
    def kernel(self) -> tuple[tuple[SlaClock, ...], EscalationState]:
        return self.clocks, self.escalation


def _apply_all(state: Callback | None, events: Sequence[Event]) -> Callback:
    for e in events:
        if isinstance(e, CallbackRequested):
            state = Callback(id=e.callback_id, customer_id=e.customer_id, phone=e.phone,
                             topic=e.topic, jurisdiction=e.jurisdiction, language=e.language,
                             customer_zone=e.zone, opened_at=e.at, updated_at=e.at)  # fmt: skip
        elif isinstance(e, CalledBack):
            state = attrs.evolve(state, status="done", outcome=e.outcome, updated_at=e.at)
        elif state is not None and (kernel := fold_kernel_event(*state.kernel, e)):
            state = attrs.evolve(state, clocks=kernel[0], escalation=kernel[1], updated_at=e.at)
        else:
            raise ConfigurationError(f"a call-back does not fold {e.kind}")
    assert state is not None
    return state


def _effects(state: Callback, event: Event) -> Sequence[ClockEffect]:
    if isinstance(event, CallbackRequested):
        return (StartClocks(),)
    return (StopClocks("called back"),) if isinstance(event, CalledBack) else ()


CALLBACKS: CaseKind[Callback] = CaseKind(
    name="callback",
    events=(CallbackRequested, CalledBack),
    replay=lambda history: _apply_all(None, history) if history else None,
    apply_all=_apply_all,
    status=lambda c: c.status,
    attributes=lambda c: {"customer_id": c.customer_id, "topic": c.topic},
    facts=lambda c, now: {"topic": lambda: c.topic, "customer_id": lambda: c.customer_id},
    fact_kinds={"topic": FactKind.TEXT, "customer_id": FactKind.TEXT},
    contact=lambda c: ("sms", c.phone),
    clock_effects=_effects,
    metrics=("callback",),
    templates={
        "callback.done": {"en": ("We called you back", "About {topic}: {outcome}. Ref {ref}.")}
    },
)


class CallbackService:
    """The kind's command table: two commands over the kernel."""

    def __init__(self, cases: CaseService[Callback]) -> None:
        self.cases = cases

    def request(self, callback_id: str, *, customer_id: str, phone: str, topic: str) -> Callback:
        return self.cases.create(
            callback_id,
            lambda now: [
                CallbackRequested(
                    at=now,
                    by=Actor.customer(customer_id),
                    callback_id=callback_id,
                    customer_id=customer_id,
                    phone=phone,
                    topic=topic,
                )
            ],
        )

    def called_back(self, callback_id: str, *, by: Actor, outcome: str) -> Callback:
        def step(c: Callback, now: datetime, version: int) -> StepResult:
            if not c.is_open:
                raise TransitionNotAllowed("already called back")
            values = {"topic": c.topic, "outcome": outcome}
            message = self.cases.message(c, "callback.done", values, version, now)
            return [CalledBack(at=now, by=by, outcome=outcome)], [message], []

        return self.cases.run(callback_id, step)
