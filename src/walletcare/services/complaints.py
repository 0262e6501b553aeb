"""The complaint service: what a wallet backend calls, through ``Walletcare.complaints``.

A thin table of complaint commands over the case kernel (``services.cases``): each command
is a pure step on the complaint; loading, oversight, messages and the atomic append are the
kernel's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from walletcare.domain import complaints as domain
from walletcare.domain.complaints import (
    Complaint,
    ComplaintPolicy,
    Direction,
    EvidenceRef,
    Outcome,
    Severity,
    Status,
)
from walletcare.domain.complaints.kind import KIND
from walletcare.domain.events import SYSTEM, Actor
from walletcare.domain.money import Money
from walletcare.domain.oversight import final_response_notice
from walletcare.errors import (
    ValidationError,
)
from walletcare.ports import (
    CancelTimer,
    OutboundMessage,
    SetTimer,
    StreamSummary,
    Timer,
)
from walletcare.services.cases import AuditEntry, CaseService, StepResult
from walletcare.services.intake import ComplaintIntake, ComplaintReceipt, DuplicateComplaint

__all__ = ["ComplaintService", "ComplaintReceipt", "AuditEntry", "DuplicateComplaint", "KIND"]

AUTO_CLOSE = "complaint:auto_close"


class ComplaintService(ComplaintIntake):
    """Opens, moves and reads complaints; every command is one atomic, durable append."""

    def __init__(self, *, cases: CaseService[Complaint], policy: ComplaintPolicy) -> None:
        self.cases = cases
        self.policy = policy
        self.storage = cases.storage
        self.oversight = cases.oversight
        cases.register_timer("complaint", self._on_timer)

    def _message(
        self,
        complaint: Complaint,
        template: str,
        values: dict[str, str],
        version: int,
        now: datetime,
    ) -> OutboundMessage:
        return self.cases.message(complaint, template, values, version, now)

    def _word(self, complaint: Complaint, key: str) -> str:
        return self.cases.texts.word(complaint.language, key)

    # -- lifecycle -------------------------------------------------------------------------
    def acknowledge(self, complaint_id: str, *, by: Actor) -> Complaint:
        """Acknowledge receipt; queues the acknowledgement to the customer in their language."""

        def step(c: Complaint, now: datetime, version: int) -> StepResult:
            message = self._message(
                c,
                "complaint.acknowledged",
                {"category": self._word(c, c.category.value)},
                version,
                now,
            )
            return domain.acknowledge(c, by=by, at=now, message_id=message.id), [message], []

        return self._decide(complaint_id, step)

    def assign(self, complaint_id: str, *, by: Actor, team: str, agent: str = "") -> Complaint:
        """Give the complaint to a team and, optionally, an agent."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (domain.assign(c, by=by, at=now, team=team, agent=agent), [], []),
        )

    def start_investigation(self, complaint_id: str, *, by: Actor) -> Complaint:
        """Start working an acknowledged complaint."""
        return self._decide(
            complaint_id, lambda c, now, _v: (domain.start_investigation(c, by=by, at=now), [], [])
        )

    def request_information(self, complaint_id: str, *, by: Actor, questions: str) -> Complaint:
        """Ask the customer for more; the complaint waits for them (the SLA clock pauses there)."""

        def step(c: Complaint, now: datetime, version: int) -> StepResult:
            message = self._message(
                c, "complaint.information_requested", {"questions": str(questions)}, version, now
            )
            events = domain.request_information(
                c, by=by, at=now, questions=questions, message_id=message.id
            )
            return events, [message], []

        return self._decide(complaint_id, step)

    def provide_information(
        self,
        complaint_id: str,
        *,
        by: Actor,
        summary: str,
        channel: str = "in_app",
        evidence: Sequence[EvidenceRef] = (),
    ) -> Complaint:
        """Record the customer's answer and resume the investigation."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (
                domain.provide_information(
                    c, by=by, at=now, summary=summary, channel=channel, evidence=evidence
                ),
                [],
                [],
            ),
        )

    def await_third_party(
        self, complaint_id: str, *, by: Actor, party: str, reason: str
    ) -> Complaint:
        """The investigation waits on a ``merchant`` or the ``network`` (bank or card network);
        clocks whose targets pause for that wait pause."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (
                domain.await_third_party(c, by=by, at=now, party=party, reason=reason),
                [],
                [],
            ),
        )

    def third_party_answered(self, complaint_id: str, *, by: Actor, summary: str) -> Complaint:
        """Record the awaited merchant's or network's answer; the investigation resumes."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (
                domain.third_party_answered(c, by=by, at=now, summary=summary),
                [],
                [],
            ),
        )

    def record_finding(
        self, complaint_id: str, *, by: Actor, finding: str, error_found: bool
    ) -> Complaint:
        """Record the investigation's finding; deadlines counting from it (Reg E: report within
        3 business days, correct an error within 1) start now, and the investigation clock stops."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (
                domain.record_finding(
                    c, by=by, at=now, finding=finding, error_found=error_found
                ),
                [],
                [],
            ),
        )

    def resolve(
        self,
        complaint_id: str,
        *,
        by: Actor,
        outcome: Outcome | str,
        explanation: str,
        remedy: Money | None = None,
    ) -> Complaint:
        """Resolve with outcome, remedy and explanation; tell the customer; arm auto-close."""

        def step(c: Complaint, now: datetime, version: int) -> StepResult:
            reopen_until = now + self.policy.reopen_window
            local = reopen_until.astimezone(ZoneInfo(c.customer_zone))
            regulatory = final_response_notice(c, self.oversight)
            values = {
                "outcome": self._word(c, str(getattr(outcome, "value", outcome))),
                "explanation": f"{str(explanation).strip()} {regulatory}".strip(),
                "remedy": str(remedy) if remedy is not None else self._word(c, "none"),
                "reopen_until": f"{local:%Y-%m-%d %H:%M}",
            }
            message = self._message(c, "complaint.resolved", values, version, now)
            events = domain.resolve(
                c,
                by=by,
                at=now,
                outcome=outcome,
                explanation=explanation,
                remedy=remedy,
                message_id=message.id,
            )
            timer = SetTimer(name=AUTO_CLOSE, due_at=now + self.policy.auto_close_after)
            return events, [message], [timer]

        return self._decide(complaint_id, step)

    def reopen(
        self, complaint_id: str, *, by: Actor, reason: str, after_feedback: bool = False
    ) -> Complaint:
        """Reopen inside the window after resolution (and not after); ``after_feedback``: an
        unhappy follow-up answer, inside the policy's longer ``feedback_reopen_window``."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (
                domain.reopen(
                    c,
                    by=by,
                    at=now,
                    reason=reason,
                    policy=self.policy,
                    after_feedback=after_feedback is True,
                ),
                [],
                [CancelTimer(name=AUTO_CLOSE)],
            ),
        )

    def close(self, complaint_id: str, *, by: Actor, reason: str = "closed by staff") -> Complaint:
        """Close a resolved complaint now."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (
                domain.close(c, by=by, at=now, reason=reason),
                [],
                [CancelTimer(name=AUTO_CLOSE)],
            ),
        )

    def withdraw(self, complaint_id: str, *, by: Actor, reason: str) -> Complaint:
        """The customer withdraws an open complaint; it closes with outcome withdrawn."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (domain.withdraw(c, by=by, at=now, reason=reason), [], []),
        )

    def record_contact(
        self,
        complaint_id: str,
        *,
        by: Actor,
        channel: str,
        direction: Direction | str,
        summary: str,
        message_id: str | None = None,
    ) -> Complaint:
        """Record a contact with the customer on any channel, either way."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (
                domain.record_contact(
                    c,
                    by=by,
                    at=now,
                    channel=channel,
                    direction=direction,
                    summary=summary,
                    message_id=message_id,
                ),
                [],
                [],
            ),
        )

    def change_severity(
        self, complaint_id: str, *, by: Actor, severity: Severity | str, reason: str
    ) -> Complaint:
        """Staff override of the derived severity, with a reason."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (
                domain.change_severity(c, by=by, at=now, severity=severity, reason=reason),
                [],
                [],
            ),
        )

    def send_holding_reply(
        self, complaint_id: str, *, by: Actor, reasons: str, expected_by: datetime
    ) -> Complaint:
        """Declare an exceptional case: tell the customer why the final reply is late and by
        when it will come; the deadlines for exceptional cases (PSD2, DISP: day 35) take over."""

        def step(c: Complaint, now: datetime, version: int) -> StepResult:
            aware = isinstance(expected_by, datetime) and expected_by.utcoffset() is not None
            local = expected_by.astimezone(ZoneInfo(c.customer_zone)) if aware else expected_by
            shown = f"{local:%Y-%m-%d}" if aware else ""  # not aware: refused just below
            values = {"reasons": str(reasons).strip(), "expected_by": shown}
            message = self._message(c, "complaint.holding_reply", values, version, now)
            events = domain.send_holding_reply(
                c, by=by, at=now, reasons=reasons, expected_by=expected_by, message_id=message.id
            )
            return events, [message], []

        return self._decide(complaint_id, step)

    def add_flags(
        self, complaint_id: str, *, by: Actor, flags: Sequence[str], reason: str
    ) -> Complaint:
        """Flag the complaint (e.g. ``extended``, ``approved_extension``); deadlines follow."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (
                domain.add_flags(c, by=by, at=now, flags=flags, reason=reason),
                [],
                [],
            ),
        )

    def escalate(
        self, complaint_id: str, *, by: Actor, reason: str, to_tier: str = ""
    ) -> Complaint:
        """Staff move the complaint up the ladder (to ``to_tier``, or the next tier), saying why."""
        return self.cases.escalate(complaint_id, by=by, reason=reason, to_tier=to_tier)

    def link_incident(self, complaint_id: str, incident_id: str, *, by: Actor) -> Complaint:
        """Link the complaint to an incident (the rule fact ``linked_incident``); once only."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (domain.link_incident(c, incident_id, by=by, at=now), [], []),
        )

    def unlink_incident(
        self, complaint_id: str, incident_id: str, *, by: Actor, reason: str
    ) -> Complaint:
        """Take the complaint out of the incident it was linked to, saying why."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (
                domain.unlink_incident(c, incident_id, by=by, at=now, reason=reason),
                [],
                [],
            ),
        )

    def merge(self, source_id: str, *, into: str, by: Actor) -> Complaint:
        """Merge ``source_id`` into ``into``: the target absorbs it first, then the source closes.

        Two cases are two streams, so this is two commits; if the second fails, calling merge
        again completes it (the target has already absorbed the source once).
        """
        source = self.get(source_id)
        target = self.get(into)
        if source_id not in target.absorbed:
            self._decide(into, lambda t, now, _v: (domain.absorb(t, source, by=by, at=now), [], []))
        return self._decide(
            source_id,
            lambda c, now, _v: (
                domain.merge_into(c, self.get(into), by=by, at=now),
                [],
                [CancelTimer(name=AUTO_CLOSE)],
            ),
        )

    def _on_timer(self, c: Complaint, timer: Timer, now: datetime, _v: int) -> StepResult:
        if timer.name != AUTO_CLOSE or c.status is not Status.RESOLVED:
            return [], [], []
        events = domain.close(
            c, by=SYSTEM, at=now, reason="no reply within the quiet period after resolution"
        )
        return events, [], []

    # -- reading ---------------------------------------------------------------------------
    def get(self, complaint_id: str) -> Complaint:
        """The complaint as it stands now."""
        return self.cases.get(complaint_id)

    def history(self, complaint_id: str) -> list[AuditEntry]:
        """The audit trail: every event with its actor, time and details, in order."""
        return self.cases.history(complaint_id)

    def list(
        self,
        *,
        customer_id: str | None = None,
        status: Status | str | Sequence[Status | str] | None = None,
        category: str | None = None,
        assignee: str | None = None,
        opened_before: datetime | None = None,
        opened_after: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[StreamSummary]:
        """Complaints by customer, status, category, assignee and age, from the summaries."""
        statuses = None
        if status is not None:
            try:
                chosen = [status] if isinstance(status, str) else list(status)
                statuses = [Status(s).value for s in chosen]
            except (ValueError, TypeError):
                raise ValidationError.of(
                    "status", f"{status!r} is not a complaint status"
                ) from None
        wanted = {"customer_id": customer_id, "category": category, "assignee": assignee}
        return self.cases.list(
            status=statuses,
            attributes={k: v for k, v in wanted.items() if v is not None},
            opened_before=opened_before,
            opened_after=opened_after,
            limit=limit,
            offset=offset,
        )
