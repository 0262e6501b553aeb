"""The complaint service: what a wallet backend calls, through ``Walletcare.complaints``.

A thin table of complaint commands over the case kernel (``services.cases``): each command
is a pure step on the complaint; loading, oversight, messages and the atomic append are the
kernel's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

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
from walletcare.domain.events import SYSTEM, Actor, Event
from walletcare.domain.fees.exchange import ExchangeRate
from walletcare.domain.messages import StaffText, Term
from walletcare.domain.money import Money
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
from walletcare.services.complaint_links import AUTO_CLOSE, ComplaintLinks
from walletcare.services.intake import ComplaintReceipt, DuplicateComplaint

__all__ = ["ComplaintService", "ComplaintReceipt", "AuditEntry", "DuplicateComplaint", "KIND"]



class ComplaintService(ComplaintLinks):
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
        values: dict[str, object],
        version: int,
        now: datetime,
    ) -> OutboundMessage:
        return self.cases.message(complaint, template, values, version, now)

    # -- lifecycle -------------------------------------------------------------------------
    def acknowledge(self, complaint_id: str, *, by: Actor) -> Complaint:
        """Acknowledge receipt; queues the acknowledgement to the customer in their language."""

        def step(c: Complaint, now: datetime, version: int) -> StepResult:
            message = self._message(
                c,
                "complaint.acknowledged",
                {"category": Term(f"category.{c.category.value}")},
                version,
                now,
            )
            return domain.acknowledge(c, by=by, at=now, message_id=message.id), [message], []

        return self._decide(complaint_id, step, "acknowledge", by)

    def assign(self, complaint_id: str, *, by: Actor, team: str, agent: str = "") -> Complaint:
        """Give the complaint to a team and, optionally, an agent."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (domain.assign(c, by=by, at=now, team=team, agent=agent), [], []),
            "assign",
            by,
        )

    def start_investigation(self, complaint_id: str, *, by: Actor) -> Complaint:
        """Start working an acknowledged complaint."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (domain.start_investigation(c, by=by, at=now), [], []),
            "start_investigation",
            by,
        )

    def request_information(self, complaint_id: str, *, by: Actor, questions: str) -> Complaint:
        """Ask the customer for more; the complaint waits for them (the SLA clock pauses there)."""

        def step(c: Complaint, now: datetime, version: int) -> StepResult:
            # Refuse bad input before composing the message.
            domain.request_information(c, by=by, at=now, questions=questions, message_id="pending")
            values: dict[str, object] = {"questions": StaffText(str(questions), "questions")}
            message = self._message(c, "complaint.information_requested", values, version, now)
            events = domain.request_information(
                c, by=by, at=now, questions=questions, message_id=message.id
            )
            return events, [message], []

        return self._decide(complaint_id, step, "request_information", by)

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
            "provide_information",
            by,
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
            "await_third_party",
            by,
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
            "third_party_answered",
            by,
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
            "record_finding",
            by,
        )

    def resolve(
        self,
        complaint_id: str,
        *,
        by: Actor,
        outcome: Outcome | str,
        explanation: str,
        remedy: Money | None = None,
        rate: ExchangeRate | None = None,
    ) -> Complaint:
        """Resolve with outcome, remedy and explanation; tell the customer; arm auto-close.

        A remedy in another currency than the loss needs ``rate``, recorded with it.
        """

        def step(c: Complaint, now: datetime, version: int) -> StepResult:
            def decided(message_id: str) -> list[Event]:
                return domain.resolve(
                    c,
                    by=by,
                    at=now,
                    outcome=outcome,
                    explanation=explanation,
                    remedy=remedy,
                    message_id=message_id,
                    rate=rate,
                )

            decided(f"{c.id}/pending")  # refuse bad input before composing the message
            values: dict[str, object] = {
                "outcome": Term(f"outcome.{getattr(outcome, 'value', outcome)}"),
                "explanation": StaffText(str(explanation).strip(), "explanation"),
                "remedy": remedy if remedy is not None else Term("remedy.none"),
                "reopen_until": now + self.policy.reopen_window,
                "notice": self.cases.final_notice(c),
            }
            message = self._message(c, "complaint.resolved", values, version, now)
            events = decided(message.id)
            timer = SetTimer(name=AUTO_CLOSE, due_at=now + self.policy.auto_close_after)
            return events, [message], [timer]

        return self._decide(complaint_id, step, "resolve", by)

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
            "reopen",
            by,
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
            "close",
            by,
        )

    def withdraw(self, complaint_id: str, *, by: Actor, reason: str) -> Complaint:
        """The customer withdraws an open complaint; it closes with outcome withdrawn."""
        return self._decide(
            complaint_id,
            lambda c, now, _v: (domain.withdraw(c, by=by, at=now, reason=reason), [], []),
            "withdraw",
            by,
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
            "record_contact",
            by,
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
            "change_severity",
            by,
        )

    def send_holding_reply(
        self, complaint_id: str, *, by: Actor, reasons: str, expected_by: datetime
    ) -> Complaint:
        """Declare an exceptional case: tell the customer why the final reply is late and by
        when it will come; the deadlines for exceptional cases (PSD2, DISP: day 35) take over."""

        def step(c: Complaint, now: datetime, version: int) -> StepResult:
            domain.send_holding_reply(  # refuse bad input before composing the message
                c, by=by, at=now, reasons=reasons, expected_by=expected_by, message_id="pending"
            )
            values: dict[str, object] = {
                "reasons": StaffText(str(reasons).strip(), "reasons"),
                "expected_by": expected_by,
            }
            message = self._message(c, "complaint.holding_reply", values, version, now)
            events = domain.send_holding_reply(
                c, by=by, at=now, reasons=reasons, expected_by=expected_by, message_id=message.id
            )
            return events, [message], []

        return self._decide(complaint_id, step, "send_holding_reply", by)

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
            "add_flags",
            by,
        )

    def escalate(
        self, complaint_id: str, *, by: Actor, reason: str, to_tier: str = ""
    ) -> Complaint:
        """Staff move the complaint up the ladder (to ``to_tier``, or the next tier), saying why."""
        return self.cases.escalate(complaint_id, by=by, reason=reason, to_tier=to_tier)

    def release_held(self, complaint_id: str, message_id: str, *, by: Actor) -> Complaint:
        """Send a message held for review as it was written (a reviewer's decision)."""
        return self.cases.release_held(complaint_id, message_id, by=by)

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
