"""A case kind: what one kind of case (complaint, dispute, incident ...) brings to the kernel.

The kernel folds, oversees (SLA clocks, rules, the ladder, regulatory profiles, penalties),
stores, lists and messages any case through the small ``CaseState`` protocol and the hooks a
``CaseKind`` declares; a kind brings its values, events, fold, commands and facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from attrs import field, frozen

from walletcare.domain.escalation import (
    Escalated,
    EscalationEvent,
    EscalationState,
    PenaltyAccrued,
    RegulatorFlagged,
    RuleFired,
    TierAssigned,
    apply_escalation_event,
)
from walletcare.domain.events import Event
from walletcare.domain.frozenmap import FrozenMap, frozen_map
from walletcare.domain.ladder import Ladder
from walletcare.domain.messages.events import MESSAGE_EVENTS, MessageEvent
from walletcare.domain.permissions import PermissionPolicy
from walletcare.domain.regulatory import NoRegulatoryProfile, ProfileChoice
from walletcare.domain.rules import FactKind
from walletcare.domain.sla import (
    ClockBreached,
    ClockEvent,
    ClockPaused,
    ClockRescheduled,
    ClockResumed,
    ClockStarted,
    ClockStopped,
    ClockWarned,
    SlaClock,
    apply_clock_event,
    waits,
)
from walletcare.errors import ValidationError

__all__ = [
    "CaseState",
    "StartClocks",
    "StartClock",
    "StopClock",
    "StopClocks",
    "RestartClock",
    "PauseClocks",
    "ResumeClocks",
    "RescheduleClocks",
    "StartFindingClocks",
    "ClockEffect",
    "Templates",
    "CaseKind",
    "KERNEL_EVENTS",
    "HOUSE_METRICS",
    "fold_kernel_event",
]

HOUSE_METRICS = ("acknowledgement", "update", "resolution", "requester_wait", "agent_work")

CASE_FACT_NAMES = frozenset(
    {
        "status",
        "jurisdiction",
        "product",
        "profile",
        "tier",
        "age",
        "business_age",
        "opened_at",
        "occurred_at",
        "reopen_count",
        "escalations",
        "flagged_for_regulator",
        "flags",
    }
)
"""The facts the kernel offers about every case (their kinds: ``oversight.CASE_FACTS``)."""
"""The house SLA metrics a case starts clocks for unless its kind names its own.

``requester_wait`` and ``agent_work`` measure the case's life from intake to its end, less
the time it waits on the customer (requester wait) or on anyone (agent work): their targets
pause so by default (``SlaTarget.paused_by``)."""

KERNEL_EVENTS: tuple[type[Event], ...] = (
    ClockStarted,
    ClockPaused,
    ClockResumed,
    ClockWarned,
    ClockBreached,
    ClockStopped,
    ClockRescheduled,
    Escalated,
    TierAssigned,
    RuleFired,
    RegulatorFlagged,
    PenaltyAccrued,
    NoRegulatoryProfile,
    *MESSAGE_EVENTS,
)
"""The events the kernel appends to a case of any kind: its clocks' and its escalation's."""


class CaseState(Protocol):
    """What oversight reads of any case: its clocks, ladder state, where and when it stands."""

    @property
    def id(self) -> str: ...
    @property
    def is_open(self) -> bool: ...
    @property
    def opened_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def clocks(self) -> tuple[SlaClock, ...]: ...
    @property
    def escalation(self) -> EscalationState: ...
    @property
    def jurisdiction(self) -> str: ...
    @property
    def product(self) -> str: ...
    @property
    def flags(self) -> tuple[str, ...]: ...
    @property
    def customer_zone(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def reopen_count(self) -> int: ...


S = TypeVar("S", bound=CaseState)


# -- what a case event does to the clocks --------------------------------------------------
@frozen
class StartClocks:
    """Start every clock the SLA policy and the regulatory profile give the case."""


def _deadlines(value: Any) -> tuple[tuple[str, datetime], ...]:
    pairs = tuple(tuple(pair) for pair in value)
    for pair in pairs:
        if (
            len(pair) != 2
            or not isinstance(pair[0], str)
            or not pair[0]
            or not isinstance(pair[1], datetime)
            or pair[1].utcoffset() is None
        ):
            raise ValidationError.of(
                "deadlines", f"each is a (source, aware datetime) pair, got {pair!r}"
            )
    return pairs


@frozen
class StartClock:
    """Start the clock ``metric`` on one of the kind's own events.

    Without ``deadlines``: a new run of the house clock ``metric`` unless one is running
    (``next_reply``: a customer's reply starts it; a second reply before the agent's changes
    nothing). With ``deadlines``, ``(source, instant)`` pairs the kind computes (a network's
    evidence window, each party's regulatory deadline ...): a new run of the kind's own clock
    ``metric`` from now, due at the earliest of them; the clock records which one holds and
    every one considered, warns ``warn_before`` its deadline if given, and never pauses.
    """

    metric: str
    deadlines: tuple[tuple[str, datetime], ...] = field(default=(), converter=_deadlines)
    warn_before: timedelta | None = None


@frozen
class StopClock:
    """Stop the clock ``metric`` (met if before its deadline)."""

    metric: str
    reason: str


@frozen
class StopClocks:
    """Stop every running clock."""

    reason: str


@frozen
class RestartClock:
    """Start a new run of the house clock ``metric``; ``on_reopen``: only if the policy says
    reopening restarts clocks."""

    metric: str
    on_reopen: bool = False


@frozen
class PauseClocks:
    """Pause every clock that pauses while the case waits on ``waiting_on`` (``customer``,
    ``merchant`` or ``network``): house clocks as their SLA target says, regulatory ones
    as their profile says."""

    waiting_on: str = "customer"

    def __attrs_post_init__(self) -> None:
        waits({self.waiting_on})


@frozen
class ResumeClocks:
    """Resume every paused clock; house deadlines move out by the time paused."""


@frozen
class StartFindingClocks:
    """Start the regulatory clocks that count from the investigation's finding (Reg E's
    report and correction), from the instant of the event; ``error_found``: whether the
    finding was an error (deadlines for ``error_found`` cases apply)."""

    error_found: bool = False


@frozen
class RescheduleClocks:
    """Bring the clocks in line with the regulatory deadlines the case's flags now give."""

    reason: str


ClockEffect = (
    StartClocks
    | StartClock
    | StopClock
    | StopClocks
    | RestartClock
    | PauseClocks
    | ResumeClocks
    | RescheduleClocks
    | StartFindingClocks
)


def fold_kernel_event(
    clocks: tuple[SlaClock, ...], escalation: EscalationState, event: Event
) -> tuple[tuple[SlaClock, ...], EscalationState] | None:
    """A kernel event (clock or escalation) folded into a case's clocks and ladder state;
    None for any other event. Every kind's fold calls this for events it does not own."""
    if isinstance(event, ClockEvent):
        return apply_clock_event(clocks, event), escalation
    if isinstance(event, EscalationEvent):
        return clocks, apply_escalation_event(escalation, event)
    if isinstance(event, MessageEvent):
        return clocks, escalation
    return None


Templates = Mapping[str, Mapping[str, tuple[str, str]]]
"""Message templates by name, then language: ``(subject, body)`` with ``{placeholders}``."""


def _no_effects(state: Any, event: Event) -> Sequence[ClockEffect]:
    return ()


def _no_severity(state: Any, at: datetime, reason: str) -> tuple[Sequence[Event], str]:
    return (), ""


def _no_values(state: Any) -> Mapping[str, str]:
    return {}


def _no_keys(state: Any) -> frozenset[str]:
    return frozenset()


def _no_customer(state: Any) -> str:
    return ""


def _templates(value: Any) -> FrozenMap[str, Any]:
    return FrozenMap({name: frozen_map(texts) for name, texts in frozen_map(value).items()})


@frozen(kw_only=True)
class CaseKind(Generic[S]):
    """One kind of case, as the kernel sees it.

    - ``name``: the stable kind name stored with every summary (``"complaint"``).
    - ``events``: the kind's event classes; the first event of a stream names its kind.
    - ``replay`` / ``apply_all``: the fold (``apply_all`` receives kernel clock and escalation
      events too, and must fold them into ``clocks`` and ``escalation``).
    - ``status`` and ``attributes``: the listing row (attributes are indexed text values).
    - ``facts`` and ``fact_kinds``: what rules may read of this kind, each fact lazily.
    - ``clock_effects``: which of its events start, pause, resume and stop which clocks;
      ``metrics``: the house SLA metrics ``StartClocks`` starts (when the policy has them);
      ``event_metrics``: clocks only the kind's own events start (``StartClock``), such as
      complaints' ``next_reply`` or disputes' evidence windows.
    - ``raise_severity``: the events a rule's ``raise_severity`` action appends, and the
      severity the case then has (for the firing's record).
    - ``contact``: ``(channel, address)`` for the customer's messages; ``contacts``, if
      given, every ``(channel, address)`` in the customer's order of preference (a message
      that dead-letters on one moves to the next).
    - ``customer``: the id of the case's customer (customers act on their own cases only);
      ``permissions``: which roles may run which of the kind's commands (None: the kind
      checks nothing; the kernel checks a command run with ``command=`` and ``by=``).
    - ``templates``, ``update_template``, ``staff_template`` and ``staff_values``: texts the
      kind brings in code (catalogue entries of the lowest precedence, ``{name: {language:
      (subject, body)}}``), the template of a rule's customer notice (``case.update`` if
      empty) and staff alert, and what the alert shows. A customer notice gets only
      ``{ref}``: rule descriptions and staff values never reach a customer.
    - ``keys``: the unique keys a case in this state holds; no two cases hold one key at
      once, and the kernel takes and releases them in the command's own commit (complaints:
      one open complaint per customer and transaction).
    - ``ladder``: the escalation ladder its cases climb in place of the default one, unless
      ``Settings.cases`` gives the kind a ladder of its own (None: the default ladder).
    """

    name: str
    events: tuple[type[Event], ...]
    replay: Callable[[Sequence[Event]], S | None]
    apply_all: Callable[[S, Sequence[Event]], S]
    status: Callable[[S], str]
    attributes: Callable[[S], Mapping[str, str]]
    facts: Callable[[S, datetime], Mapping[str, Callable[[], Any]]]
    fact_kinds: FrozenMap[str, FactKind] = field(converter=frozen_map)
    contact: Callable[[S], tuple[str, str]]
    contacts: Callable[[S], Sequence[tuple[str, str]]] | None = None
    customer: Callable[[S], str] = _no_customer
    permissions: PermissionPolicy | None = None
    clock_effects: Callable[[S, Event], Sequence[ClockEffect]] = _no_effects
    metrics: tuple[str, ...] = HOUSE_METRICS
    event_metrics: tuple[str, ...] = ()
    raise_severity: Callable[[S, datetime, str], tuple[Sequence[Event], str]] = _no_severity
    templates: FrozenMap[str, Any] = field(factory=FrozenMap, converter=_templates)
    update_template: str = ""
    staff_template: str = "case.staff_alert"
    staff_values: Callable[[S], Mapping[str, str]] = _no_values
    keys: Callable[[S], frozenset[str]] = _no_keys
    state_type: type[S] | None = None
    state_schema: int = 1
    regulatory: tuple[ProfileChoice, ...] = ()
    ladder: Ladder | None = None

    def __attrs_post_init__(self) -> None:
        if not self.name or not self.name.isidentifier():
            raise ValidationError.of("name", f"a kind name is an identifier, got {self.name!r}")
        if not self.events:
            raise ValidationError.of("events", "a kind has at least one event class")
        for cls in self.events:
            if not (isinstance(cls, type) and issubclass(cls, Event)) or not cls.kind:
                raise ValidationError.of("events", f"{cls!r} is not an event class with a kind")
        shadowed = sorted(set(self.fact_kinds) & CASE_FACT_NAMES)
        if shadowed:
            raise ValidationError.of(
                "fact_kinds", f"{', '.join(shadowed)} are facts every case offers already"
            )
