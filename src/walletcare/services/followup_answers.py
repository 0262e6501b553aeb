"""What a follow-up's answer leads to: the complaint reopened, a security complaint opened,
staff alerted at once."""

from __future__ import annotations

import json
from datetime import datetime

from walletcare.domain import followups as domain
from walletcare.domain.complaints import NewComplaint, Severity
from walletcare.domain.complaints.events import SeverityChanged
from walletcare.domain.events import SYSTEM, Actor
from walletcare.domain.followups.events import AnswerActedOn
from walletcare.errors import DomainError
from walletcare.ports import OutboundMessage
from walletcare.services.cases import CaseService, StepResult
from walletcare.services.complaints import ComplaintService

__all__ = ["AnswerEffects"]


class AnswerEffects:
    """The follow-up service's half that acts on answers."""

    cases: CaseService[domain.Followup]
    complaints: ComplaintService
    policy: domain.FollowupPolicy

    def _act(
        self, f: domain.Followup, *, action: str, case_id: str, detail: str, alert: str = ""
    ) -> domain.Followup:
        def step(current: domain.Followup, now: datetime, version: int) -> StepResult:
            if action in current.actions:
                return [], [], []
            event = AnswerActedOn(
                followup_id=f.id, at=now, by=SYSTEM, action=action, case_id=case_id, detail=detail
            )
            messages = []
            if alert:
                # Staff are told at once: quiet hours are the customer's, not the staff's.
                _locale, subject, body = self.cases.texts.render(
                    "followup.staff_alert",
                    "en",
                    {"ref": f.id, "summary": alert, "case": case_id, "answer": detail},
                )
                messages.append(
                    OutboundMessage(
                        id=f"{f.id}/staff/{action}",
                        stream_id=f.id,
                        channel="staff",
                        recipient=f"role:{self.policy.staff_role}",
                        template="followup.staff_alert",
                        subject=subject,
                        body=body,
                        data=json.dumps({"followup_id": f.id, "case_id": case_id}),
                        due_at=now,
                    )
                )
            return [event], messages, []

        return self.cases.run(f.id, step)

    def _unhappy(self, f: domain.Followup) -> domain.Followup:
        low, high = f.survey.scale
        detail = f"{f.survey.value} {f.score} of {low}-{high}" + (
            f": {f.comment}" if f.comment else ""
        )
        if f.trigger is domain.TriggerKind.COMPLAINT_RESOLVED:
            try:
                self.complaints.reopen(
                    f.source_id,
                    by=Actor.customer(f.customer_id),
                    reason=f"unhappy follow-up answer ({detail})",
                    after_feedback=True,
                )
            except DomainError as refused:
                return self._act(
                    f,
                    action="staff_alerted",
                    case_id=f.source_id,
                    detail=detail,
                    alert=f"unhappy answer; the case could not reopen: {refused}",
                )
            return self._act(f, action="complaint_reopened", case_id=f.source_id, detail=detail)
        return self._act(
            f, action="staff_alerted", case_id=f.source_id, detail=detail, alert="unhappy answer"
        )

    def _not_me(self, f: domain.Followup) -> domain.Followup:
        receipt = self.complaints.open(
            NewComplaint(
                customer_id=f.customer_id,
                category="security",
                channel="in_app",
                description=(
                    f"The customer answered 'not me' to the confirmation of transaction "
                    f"{f.transaction} ({f.amount})."
                ),
                occurred_at=f.opened_at,
                contact=f.contact,
                transactions=(f.transaction,),
                amount_lost=f.amount,
                language=f.language,
                customer_zone=f.customer_zone,
                jurisdiction=f.jurisdiction,
            ),
            by=Actor.customer(f.customer_id),
            complaint_id=f"sec:{f.id}",
        )
        complaint = self.complaints.get(receipt.complaint_id)
        if complaint.severity is not Severity.CRITICAL and complaint.is_open:
            self.complaints.cases.run(
                complaint.id,
                lambda c, now, _v: (
                    [
                        SeverityChanged(
                            complaint_id=c.id,
                            at=now,
                            by=SYSTEM,
                            severity=Severity.CRITICAL,
                            reason=f"'not me' on security confirmation {f.id}",
                        )
                    ],
                    [],
                    [],
                ),
            )
        return self._act(
            f,
            action="security_complaint_opened",
            case_id=receipt.complaint_id,
            detail=f"not me: transaction {f.transaction}",
            alert=f"customer says transaction {f.transaction} was not them",
        )
