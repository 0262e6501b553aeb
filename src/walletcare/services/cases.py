"""The case kernel's service: load, fold, decide with the time, oversee, append atomically.

One ``CaseService`` runs every kind of case. A kind's own service is a thin table of
commands over it: each command is a ``Step`` (pure: the case, the time and the stream
version in; events, messages and timer changes out), and the kernel adds what SLA clocks,
rules, the ladder and penalties make of it, builds the listing row, and appends all of it
in one durable commit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from attrs import frozen

from walletcare.domain.cases import CaseKind, CaseState
from walletcare.domain.events import Actor, Event
from walletcare.domain.oversight import (
    CompiledOversight,
    Oversight,
    Reaction,
    RuleNotice,
    escalate,
    fact_table,
    on_timer,
    react,
)
from walletcare.errors import CaseExists, NotFound, ValidationError
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
from walletcare.services.commands import CommandRunner, Decision
from walletcare.services.texts import Texts
from walletcare.services.timers import Timers

__all__ = ["CaseService", "AuditEntry", "Step", "StepResult", "KindTimer"]

S = TypeVar("S", bound=CaseState)

StepResult = tuple[Sequence[Event], Sequence[OutboundMessage], Sequence[TimerChange]]
"""What one command decides: events, messages to send, timer changes."""

Step = Callable[[S, datetime, int], StepResult]
"""A command: the case as it stands, the time and the stream's version in; its decision out."""

KindTimer = Callable[[S, Timer, datetime, int], StepResult]
"""A kind's own timer (auto-close ...): the case, the due timer, the time and the version."""

OVERSIGHT_FAMILIES = ("sla", "penalty", "escalation")


@frozen(kw_only=True)
class AuditEntry:
    """One line of the audit trail: when, who, what, and the event's own details."""

    version: int
    at: datetime
    actor: str
    kind: str
    details: dict[str, Any]

    @property
    def line(self) -> str:
        """The entry as one readable line for an auditor."""
        shown = ", ".join(
            f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in self.details.items()
        )
        return f"#{self.version} {self.at.isoformat()} {self.actor} {self.kind}" + (
            f" {shown}" if shown else ""
        )


class CaseService(Generic[S]):
    """Runs one kind of case: commands, oversight, timers, messages, history and listing."""

    def __init__(
        self,
        *,
        kind: CaseKind[S],
        runner: CommandRunner,
        storage: Storage,
        timers: Timers,
        converter: WalletcareConverter,
        texts: Texts,
        oversight: Oversight,
    ) -> None:
        self.kind = kind
        self.runner = runner
        self.storage = storage
        self.converter = converter
        self.texts = texts
        self.oversight: CompiledOversight = oversight.compile(fact_table(kind))
        self._timers = timers
        for family in OVERSIGHT_FAMILIES:
            timers.register(kind.name, family, self._on_oversight_timer)

    # -- commands --------------------------------------------------------------------------
    def run(self, case_id: str, step: Step[S]) -> S:
        """Run ``step`` on the case and append what it and oversight decide, atomically."""
        self._require_id(case_id)

        def decide(history: Sequence[Event], now: datetime) -> Decision[S]:
            current = self.kind.replay(history)
            if current is None:
                raise NotFound(f"no {self.kind.name} with id {case_id!r}")
            events, messages, timers = step(current, now, len(history))
            after = self.kind.apply_all(current, list(events))
            return self.oversee(
                current, after, (events, messages, timers), now=now, version=len(history)
            )

        return self.runner.run(case_id, decide).result

    def create(self, case_id: str, first: Callable[[datetime], Sequence[Event]]) -> S:
        """Start a new case from the events ``first`` decides; an id in use is refused."""
        self._require_id(case_id)

        def decide(history: Sequence[Event], now: datetime) -> Decision[S]:
            if history:
                raise CaseExists(f"{self.kind.name}_id", case_id)
            events = list(first(now))
            state = self.kind.replay(events)
            if state is None:
                raise ValidationError.of(f"{self.kind.name}_id", "a new case needs its first event")
            return self.oversee(None, state, (events, [], []), now=now, version=0)

        return self.runner.run(case_id, decide).result

    def register_timer(self, family: str, handler: KindTimer[S]) -> None:
        """Handle the kind's own timers ``family:...`` (oversight follows, as for commands)."""

        def fire(history: Sequence[Event], timer: Timer, now: datetime) -> Decision[Any]:
            current = self.kind.replay(history)
            if current is None:
                return Decision()
            events, messages, changes = handler(current, timer, now, len(history))
            if not events and not messages and not changes:
                return Decision()
            after = self.kind.apply_all(current, list(events))
            return self.oversee(
                current, after, (events, messages, changes), now=now, version=len(history)
            )

        self._timers.register(self.kind.name, family, fire)

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
    ) -> Decision[S]:
        """Add what SLA clocks and rules make of a command's events, in the same commit."""
        reaction = react(self.kind, before, after, list(step[0]), now, self.oversight)
        return self._decision(before, after, step, reaction, now=now, version=version)

    def _on_oversight_timer(
        self, history: Sequence[Event], timer: Timer, now: datetime
    ) -> Decision[Any]:
        current = self.kind.replay(history)
        if current is None:
            return Decision()
        reaction = on_timer(self.kind, current, timer.name, now, self.oversight)
        return self._decision(
            current, current, ((), (), ()), reaction, now=now, version=len(history)
        )

    def _decision(
        self,
        before: S | None,
        state: S,
        step: StepResult,
        reaction: Reaction,
        *,
        now: datetime,
        version: int,
    ) -> Decision[S]:
        events, messages, timers = step
        final = self.kind.apply_all(state, reaction.events) if reaction.events else state
        all_events = [*events, *reaction.events]
        sent = [
            self._notice(final, n, now, version + len(all_events), i)
            for i, n in enumerate(reaction.notices)
        ]
        changes: list[TimerChange] = list(timers)
        for name, due in reaction.timers.items():
            changes.append(
                SetTimer(name=name, due_at=due) if due is not None else CancelTimer(name=name)
            )
        held = self.kind.keys(before) if before is not None else frozenset()
        holds = self.kind.keys(final)
        return Decision(
            events=all_events,
            messages=[*messages, *sent],
            timers=changes,
            summary=self.summary(final),
            # Every key the case holds is (re)taken, which costs nothing when it already holds
            # it and heals a case written before it held keys.
            take_keys=sorted(holds),
            release_keys=sorted(held - holds),
            result=final,
        )

    # -- messages --------------------------------------------------------------------------
    def message(
        self, case: S, template: str, values: dict[str, str], version: int, now: datetime
    ) -> OutboundMessage:
        """A message to the case's customer, in their language, on their channel.

        Its id is deterministic: a retried command decides the same id, so the channel sees
        one message.
        """
        locale, subject, body = self.texts.render(
            template, case.language, {"ref": case.id, **values}
        )
        channel, address = self.kind.contact(case)
        return OutboundMessage(
            id=f"{case.id}/{template}/{version + 1}",
            stream_id=case.id,
            channel=channel,
            recipient=address,
            template=template,
            subject=subject,
            body=body,
            locale=locale,
            data=json.dumps({f"{self.kind.name}_id": case.id}),
            due_at=now,
        )

    def _notice(
        self, case: S, notice: RuleNotice, now: datetime, version: int, index: int
    ) -> OutboundMessage:
        """A rule's notification: to the customer in their language, or to a staff role."""
        action = notice.action
        if action.customer:
            template = action.template or self.kind.update_template
            values = {"ref": case.id, "summary": notice.summary}
            locale, subject, body = self.texts.render(template, case.language, values)
            recipient, digest = self.kind.contact(case)[1], False
        else:
            template = action.template or self.kind.staff_template
            values = {
                "ref": case.id,
                "summary": notice.summary,
                "tier": case.escalation.tier or self.oversight.ladder.start,
                "rule": notice.rule,
                "matched": "; ".join((*notice.matched, *notice.readings)),
                **self.kind.staff_values(case),
            }
            locale, subject, body = self.texts.render(template, "en", values)
            recipient, digest = f"role:{action.role}", True
        return OutboundMessage(
            id=f"{case.id}/{template}/{version}/{notice.rule}/{index}",
            stream_id=case.id,
            channel=action.channel,
            recipient=recipient,
            template=template,
            subject=subject,
            body=body,
            locale=locale,
            data=json.dumps(
                {f"{self.kind.name}_id": case.id, "rule": notice.rule, "digest": digest}
            ),
            due_at=now,
        )

    # -- reading ---------------------------------------------------------------------------
    def get(self, case_id: str) -> S:
        """The case as it stands now."""
        self._require_id(case_id)
        history, _ = self.runner.load(case_id)
        state = self.kind.replay(history)
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
        """The case's listing row: status, times, next deadline and the kind's attributes."""
        running = [c.deadline for c in case.clocks if c.running]
        attributes = dict(self.kind.attributes(case))
        attributes["tier"] = case.escalation.tier or self.oversight.ladder.start
        return StreamSummary(
            stream_id=case.id,
            kind=self.kind.name,
            status=self.kind.status(case),
            opened_at=case.opened_at,
            updated_at=case.updated_at,
            next_deadline=min(running) if running else None,
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
