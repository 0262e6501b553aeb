"""The case kernel's service: load, fold, decide with the time, oversee, append atomically.

One ``CaseService`` runs every kind of case. A kind's own service is a thin table of
commands over it: each command is a ``Step`` (pure: the case, the time and the stream
version in; events, messages and timer changes out), and the kernel adds what SLA clocks,
rules, the ladder and penalties make of it, builds the listing row, and appends all of it
in one durable commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from walletcare.domain.cases import CaseKind, CaseState
from walletcare.domain.clock_events import ClockStarted, find_clock
from walletcare.domain.events import Actor, Event
from walletcare.domain.messages import mask_details
from walletcare.domain.oversight import (
    CompiledOversight,
    Oversight,
    Reaction,
    escalate,
    fact_table,
    on_timer,
    react,
)
from walletcare.domain.permissions import authorise
from walletcare.domain.regulatory import CompiledRegulation
from walletcare.domain.sla import next_due
from walletcare.errors import CaseExists, ConfigurationError, NotFound, ValidationError
from walletcare.ports import (
    CancelTimer,
    OrderBy,
    OutboundMessage,
    SetTimer,
    Storage,
    StreamSummary,
    SummaryQuery,
    Timer,
    TimerChange,
)
from walletcare.serialization import WalletcareConverter
from walletcare.services.audit import AuditEntry
from walletcare.services.case_messages import NOTICE_FIELDS, CaseMessaging
from walletcare.services.case_states import CaseStates
from walletcare.services.commands import CommandRunner, Decision, Loaded
from walletcare.services.messages import Messages
from walletcare.services.timers import Timers

__all__ = ["CaseService", "AuditEntry", "Step", "StepResult", "KindTimer", "Opening"]

S = TypeVar("S", bound=CaseState)

StepResult = tuple[Sequence[Event], Sequence[OutboundMessage], Sequence[TimerChange]]
"""What one command decides: events, messages to send, timer changes."""

Step = Callable[[S, datetime, int], StepResult]
"""A command: the case as it stands, the time and the stream's version in; its decision out."""

Opening = Callable[[S, datetime], tuple[Sequence[OutboundMessage], Sequence[TimerChange]]]
"""What a new case sends and arms in its first commit: the case as opened and the time in."""

KindTimer = Callable[[S, Timer, datetime, int], StepResult]
"""A kind's own timer (auto-close ...): the case, the due timer, the time and the version."""

OVERSIGHT_FAMILIES = ("sla", "penalty", "escalation")
NEXT_METRIC = "next_metric"
"""The listing attribute naming the clock of a case's next deadline."""
log = logging.getLogger("walletcare.cases")


class CaseService(CaseMessaging[S], Generic[S]):
    """Runs one kind of case: commands, oversight, timers, messages, history and listing."""

    def __init__(
        self,
        *,
        kind: CaseKind[S],
        runner: CommandRunner,
        storage: Storage,
        timers: Timers,
        converter: WalletcareConverter,
        messages: Messages,
        oversight: Oversight,
        regulation: CompiledRegulation | None = None,
    ) -> None:
        self.kind = kind
        self.runner = runner
        self.storage = storage
        self.converter = converter
        self.states = CaseStates(kind=kind, converter=converter, runner=runner)
        self.messages = messages
        self.oversight: CompiledOversight = oversight.compile(
            fact_table(kind),
            metrics=(*kind.metrics, *kind.event_metrics),
            regulatory=kind.regulatory,
            regulation=regulation,
        )
        # Kinds that compose their own messages (follow-ups, incident broadcasts) render
        # through ``texts.render(template, language, values)``: the same catalogue.
        self.texts = messages
        self._timers = timers
        self._check_rule_messages()
        for family in OVERSIGHT_FAMILIES:
            timers.register_case(kind.name, family, self._on_oversight_timer)

    def _check_rule_messages(self) -> None:
        """Templates rules name exist, and a customer notice never uses a staff template
        (refused at start-up, naming the rule's action)."""
        catalogue = self.messages.catalogue
        for i, rule in enumerate(self.oversight.source.rules):
            for j, action in enumerate(rule.then):
                if action.kind.value != "notify":
                    continue
                where = f"rules[{i}].then[{j}].template"
                template = action.template or (
                    (self.kind.update_template or "case.update")
                    if action.customer
                    else self.kind.staff_template
                )
                if not catalogue.has(template):
                    raise ValidationError.of(where, f"no message template {template!r}")
                if action.customer and catalogue.is_staff(template):
                    raise ValidationError.of(
                        where, f"{template!r} is a staff template; customers never get one"
                    )
                extra = catalogue.fields(template) - NOTICE_FIELDS
                if action.customer and extra:
                    raise ValidationError.of(
                        where,
                        f"{template!r} needs {sorted(extra)}; a rule's customer notice "
                        "offers only {ref} and a neutral {summary}",
                    )

    # -- commands --------------------------------------------------------------------------
    def run(self, case_id: str, step: Step[S], *, command: str = "", by: Actor | None = None) -> S:
        """Run ``step`` on the case and append what it and oversight decide, atomically.

        With ``command`` and ``by``, the kind's permission policy is checked first: a
        ``PermissionDenied`` writes nothing.
        """
        self._require_id(case_id)

        def decide(loaded: Loaded, now: datetime) -> Decision[S]:
            current, version = self.restore(case_id, loaded)
            if current is None:
                raise NotFound(f"no {self.kind.name} with id {case_id!r}")
            if command:
                self.authorise(command, by, current)
            events, messages, timers = self._checked(step(current, now, version))
            after = self.kind.apply_all(current, list(events))
            return self.oversee(
                current, after, (events, messages, timers), now=now, version=version, loaded=loaded
            )

        return self.runner.run_case(case_id, decide).result

    def create(
        self,
        case_id: str,
        first: Callable[[datetime], Sequence[Event]],
        *,
        then: Opening[S] | None = None,
    ) -> S:
        """Start a new case from the events ``first`` decides; an id in use is refused.

        ``then``: what the new case sends and arms in the same commit (its first messages and
        timers), decided from the case as ``first`` opened it.
        """
        self._require_id(case_id)

        def decide(history: Sequence[Event], now: datetime) -> Decision[S]:
            if history:
                raise CaseExists(f"{self.kind.name}_id", case_id)
            events = list(first(now))
            state = self.kind.replay(events)
            if state is None:
                raise ValidationError.of(f"{self.kind.name}_id", "a new case needs its first event")
            messages, timers = then(state, now) if then is not None else ((), ())
            return self.oversee(None, state, (events, messages, timers), now=now, version=0)

        return self.runner.run(case_id, decide).result

    def authorise(self, command: str, by: Actor | None, case: S | None, owner: str = "") -> None:
        """Refuse ``by`` running ``command`` on ``case`` (or, opening one, for ``owner``);
        a kind without a permission policy checks nothing."""
        if self.kind.permissions is None:
            return
        if by is None:
            raise ValidationError.of("by", "say who acts (an Actor)")
        who = self.kind.customer(case) if case is not None else owner
        authorise(self.kind.permissions, command, by, who)

    def register_timer(self, family: str, handler: KindTimer[S]) -> None:
        """Handle the kind's own timers ``family:...`` (oversight follows, as for commands)."""

        def fire(loaded: Loaded, timer: Timer, now: datetime) -> Decision[Any]:
            current, version = self.restore(timer.stream_id, loaded)
            if current is None:
                return Decision()
            events, messages, changes = self._checked(handler(current, timer, now, version))
            if not events and not messages and not changes:
                return Decision()
            after = self.kind.apply_all(current, list(events))
            return self.oversee(
                current, after, (events, messages, changes), now=now, version=version, loaded=loaded
            )

        self._timers.register_case(self.kind.name, family, fire)

    def escalate(self, case_id: str, *, by: Actor, reason: str, to_tier: str = "") -> S:
        """Staff move the case up the ladder (to ``to_tier``, or the next tier), saying why."""
        ladder = self.oversight.ladder
        return self.run(
            case_id,
            lambda c, now, _v: (
                escalate(c, by=by, at=now, reason=reason, ladder=ladder, to_tier=to_tier),
                [],
                [],
            ),
            command="escalate",
            by=by,
        )

    def _checked(self, result: object) -> StepResult:
        """A step's result, which must be ``(events, messages, timer changes)``."""
        if not isinstance(result, tuple) or len(result) != 3:
            raise ConfigurationError(
                f"a {self.kind.name} command returned {type(result).__name__}; a step returns "
                "(events, messages, timer changes), each a list"
            )
        for part in result:
            if isinstance(part, str | bytes) or not isinstance(part, Sequence):
                raise ConfigurationError(
                    f"a {self.kind.name} command returned {type(part).__name__} where a list "
                    "belongs; a step returns (events, messages, timer changes)"
                )
        return result

    def _check_fold(self, state: S, events: Sequence[Event]) -> None:
        """A fold that drops the kernel's clock events leaves clocks that never fire: refuse."""
        for event in events:
            if isinstance(event, ClockStarted):
                clock = find_clock(state.clocks, event.metric)
                if clock is None or clock.run != event.run:
                    raise ConfigurationError(
                        f"the {self.kind.name} fold dropped {event.kind} for {event.metric!r}: "
                        "hand every event it does not own to fold_kernel_event"
                    )

    # -- oversight -------------------------------------------------------------------------
    def oversee(
        self,
        before: S | None,
        after: S,
        step: StepResult,
        *,
        now: datetime,
        version: int,
        loaded: Loaded | None = None,
    ) -> Decision[S]:
        """Add what SLA clocks and rules make of a command's events, in the same commit.

        ``loaded`` is what the command decided on (None for a new case): it tells whether a
        new snapshot is due.
        """
        reaction = react(self.kind, before, after, list(step[0]), now, self.oversight)
        return self._decision(
            before, after, step, reaction, now=now, version=version, loaded=loaded
        )

    def _on_oversight_timer(self, loaded: Loaded, timer: Timer, now: datetime) -> Decision[Any]:
        current, version = self.restore(timer.stream_id, loaded)
        if current is None:
            return Decision()
        reaction = on_timer(self.kind, current, timer.name, now, self.oversight)
        return self._decision(
            current, current, ((), (), ()), reaction, now=now, version=version, loaded=loaded
        )

    # -- state -----------------------------------------------------------------------------
    def restore(self, case_id: str, loaded: Loaded) -> tuple[S | None, int]:
        """The case from the state held in memory, or its snapshot, and the events after it;
        and the stream's version (``CaseStates.restore``)."""
        return self.states.restore(case_id, loaded)

    def _decision(
        self,
        before: S | None,
        state: S,
        step: StepResult,
        reaction: Reaction,
        *,
        now: datetime,
        version: int,
        loaded: Loaded | None = None,
    ) -> Decision[S]:
        events, messages, timers = step
        queued, held_messages = self.hold(state, messages, now)
        if held_messages:
            state = self.kind.apply_all(state, held_messages)
        final = self.kind.apply_all(state, reaction.events) if reaction.events else state
        all_events = [*events, *held_messages, *reaction.events]
        if reaction.events:
            self._check_fold(final, reaction.events)
        sent = [
            self.notice(final, n, now, version + len(all_events), i)
            for i, n in enumerate(reaction.notices)
        ]
        changes: list[TimerChange] = list(timers)
        for name, due in reaction.timers.items():
            changes.append(
                SetTimer(name=name, due_at=due) if due is not None else CancelTimer(name=name)
            )
        held = self.kind.keys(before) if before is not None else frozenset()
        holds = self.kind.keys(final)
        # A case restored from a state this process committed holds every key it held then
        # (that commit took them): only new keys are taken. A case read from storage re-takes
        # all of its keys, which costs nothing when it holds them and heals a case written
        # before it held keys.
        taken = holds - held if loaded is not None and loaded.cached is not None else holds
        snapshot, cache = self.states.settle(
            final, version=version + len(all_events), events=all_events, loaded=loaded
        )
        return Decision(
            events=all_events,
            messages=[*queued, *sent],
            timers=changes,
            summary=self.summary(final),
            take_keys=sorted(taken),
            release_keys=sorted(held - holds),
            snapshot=snapshot,
            result=final,
            cache=cache,
        )

    # -- reading ---------------------------------------------------------------------------
    def get(self, case_id: str) -> S:
        """The case as it stands now."""
        self._require_id(case_id)
        loaded, _ = self.runner.load_case(case_id)
        state, _ = self.restore(case_id, loaded)
        if state is None:
            raise NotFound(f"no {self.kind.name} with id {case_id!r}")
        return state

    def history(self, case_id: str) -> list[AuditEntry]:
        """The audit trail: every event with its actor, time and details, in order."""
        self._require_id(case_id)
        records = self.storage.read_stream(case_id)
        if not records:
            raise NotFound(f"no {self.kind.name} with id {case_id!r}")
        entries = []
        id_key = f"{self.kind.name}_id"
        for record in records:
            event = self.runner.from_record(record)
            details = self.converter.dump_event(event)
            for key in ("kind", "schema_version", "at", "by", id_key):
                details.pop(key, None)
            if self.messages.policy.mask_audit and self.messages.policy.mask:
                details = mask_details(details, self.messages.policy.mask)
            entries.append(
                AuditEntry(
                    version=record.stream_version,
                    at=event.at,
                    actor=str(event.by),
                    kind=event.kind,
                    details=details,
                )
            )
        return entries

    def summary(self, case: S) -> StreamSummary:
        """The case's listing row: status, times, next deadline (``next_metric`` names its
        clock) and the kind's attributes."""
        due = next_due(case.clocks)
        attributes = dict(self.kind.attributes(case))
        attributes["tier"] = case.escalation.tier or self.oversight.ladder.start
        attributes[NEXT_METRIC] = due[1] if due is not None else ""
        return StreamSummary(
            stream_id=case.id,
            kind=self.kind.name,
            status=self.kind.status(case),
            opened_at=case.opened_at,
            updated_at=case.updated_at,
            next_deadline=due[0] if due is not None else None,
            attributes=attributes,
        )

    def list(
        self,
        *,
        status: Sequence[str] | None = None,
        attributes: dict[str, str | Sequence[str]] | None = None,
        opened_before: datetime | None = None,
        opened_after: datetime | None = None,
        deadline_before: datetime | None = None,
        order_by: OrderBy = "opened",
        limit: int = 100,
        offset: int = 0,
    ) -> list[StreamSummary]:
        """Cases of this kind from their listing rows, never by replaying their logs."""
        query = SummaryQuery(
            kind=self.kind.name,
            status=status,
            attributes=attributes or {},
            opened_before=opened_before,
            opened_after=opened_after,
            deadline_before=deadline_before,
            order_by=order_by,
            limit=limit,
            offset=offset,
        )
        return self.storage.list_summaries(query)

    def _require_id(self, case_id: object) -> None:
        if not isinstance(case_id, str) or not case_id.strip():
            raise ValidationError.of(f"{self.kind.name}_id", "must be a non-empty string")
