"""Complaint intake: one open complaint per customer and transaction, across processes, and
intake that is idempotent by the host's id."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import attrs
from attrs import frozen

from walletcare.domain import complaints as domain
from walletcare.domain.complaints import (
    Complaint,
    ComplaintPolicy,
    DuplicateHandling,
    NewComplaint,
    Severity,
)
from walletcare.domain.complaints.kind import KIND, intake_key, open_key
from walletcare.domain.events import Actor
from walletcare.errors import (
    CaseExists,
    ConcurrencyConflict,
    DomainError,
    KeyTaken,
    TransitionNotAllowed,
    ValidationError,
)
from walletcare.ports import Storage, SummaryQuery
from walletcare.services.cases import CaseService, Step

__all__ = ["ComplaintIntake", "ComplaintReceipt", "DuplicateComplaint"]


class DuplicateComplaint(DomainError):
    """The customer already has an open complaint about the same transaction (refuse policy)."""

    def __init__(self, existing_id: str, transactions: Sequence[str]) -> None:
        self.existing_id = existing_id
        super().__init__(
            f"complaint {existing_id} about {', '.join(transactions)} is still open; "
            "add to it instead"
        )


@frozen(kw_only=True)
class ComplaintReceipt:
    """What intake did: the complaint's id, and whether it was linked to an open one."""

    complaint_id: str
    linked: bool
    severity: Severity


class ComplaintIntake:
    """Opening complaints; the complaint service's intake half."""

    cases: CaseService[Complaint]
    policy: ComplaintPolicy
    storage: Storage

    def _decide(
        self, complaint_id: str, step: Step[Complaint], command: str, by: Actor
    ) -> Complaint:
        return self.cases.run(complaint_id, step, command=command, by=by)

    def get(self, complaint_id: str) -> Complaint:
        """The complaint as it stands now."""
        return self.cases.get(complaint_id)

    def open(
        self, intake: NewComplaint, *, by: Actor | None = None, complaint_id: str | None = None
    ) -> ComplaintReceipt:
        """File a complaint; a repeat about an open complaint's transaction is linked (or refused).

        Pass your own ``complaint_id`` to make intake idempotent: opening the same id again
        returns the same receipt instead of a second complaint, also when the intake was
        linked to an open complaint, and also when two processes open it at once. A customer
        has at most one open complaint per transaction, across processes: the key each open
        complaint holds is taken in the same commit that opens it.
        """
        if not isinstance(intake, NewComplaint):
            raise ValidationError.of("intake", "must be a NewComplaint")
        if complaint_id is not None and (
            not isinstance(complaint_id, str) or not complaint_id.strip()
        ):
            raise ValidationError.of("complaint_id", "must be a non-empty string")
        actor = by if by is not None else Actor.customer(intake.customer_id or "unknown")
        if not isinstance(actor, Actor):
            raise ValidationError.of("by", f"must be an Actor, got {type(actor).__name__}")
        self.cases.authorise("open", actor, None, owner=str(intake.customer_id))
        # Codes are kept normalised ("de" is "DE", "UK" is "GB"); unknown ones as configured.
        intake = attrs.evolve(
            intake, jurisdiction=self.cases.oversight.regulation.admit(intake.jurisdiction)
        )
        new_id = complaint_id or f"cmp_{uuid.uuid4().hex}"
        # Two writers racing on one customer and transaction: the loser finds the winner's
        # key on its next pass and links to (or is refused by) the winner's complaint.
        for _ in range(3):
            if complaint_id is not None:
                earlier = self._receipt_for(complaint_id, intake)
                if earlier is not None:
                    return earlier
            duplicate = self._open_duplicate(intake)
            if duplicate is not None and duplicate == complaint_id:
                continue  # this very intake was opened meanwhile: read its receipt
            try:
                if duplicate is not None:
                    return self._link(duplicate, intake, actor, complaint_id or "")
                opened = self.cases.create(
                    new_id,
                    lambda now: domain.receive(
                        new_id,
                        intake,
                        by=actor,
                        at=now,
                        policy=self.policy,
                        prior_complaints=self._prior_count(intake.customer_id, now),
                    ),
                )
            except (KeyTaken, CaseExists):
                continue
            return ComplaintReceipt(complaint_id=new_id, linked=False, severity=opened.severity)
        raise ConcurrencyConflict(f"intake {new_id!r} kept racing other writers; try again")

    def _receipt_for(self, complaint_id: str, intake: NewComplaint) -> ComplaintReceipt | None:
        """The receipt an earlier intake under the host's ``complaint_id`` got, if any."""
        if self.storage.get_summary(complaint_id) is not None:
            found = self.get(complaint_id)
            if found.customer_id != intake.customer_id:
                raise ValidationError.of(
                    "complaint_id", f"{complaint_id!r} belongs to another customer"
                )
            return ComplaintReceipt(
                complaint_id=complaint_id, linked=False, severity=found.severity
            )
        owner = self.storage.key_owner(intake_key(complaint_id))
        if owner is None:
            return None
        linked = self.get(owner)
        return ComplaintReceipt(complaint_id=owner, linked=True, severity=linked.severity)

    def _link(
        self, duplicate_id: str, intake: NewComplaint, actor: Actor, intake_id: str
    ) -> ComplaintReceipt:
        if self.policy.duplicates is DuplicateHandling.REFUSE:
            raise DuplicateComplaint(duplicate_id, intake.transactions)
        try:
            linked = self._decide(
                duplicate_id,
                lambda c, now, _v: (
                    domain.link_duplicate(c, intake, by=actor, at=now, intake_id=intake_id),
                    [],
                    [],
                ),
                "open",
                actor,
            )
        except TransitionNotAllowed:
            # It closed between the look-up and the link: its key is free, open anew.
            raise KeyTaken(open_key(intake.customer_id, ""), duplicate_id) from None
        return ComplaintReceipt(complaint_id=duplicate_id, linked=True, severity=linked.severity)

    def _open_duplicate(self, intake: NewComplaint) -> str | None:
        """The customer's open complaint about one of these transactions, by its key."""
        if not isinstance(intake.customer_id, str) or not intake.customer_id:
            return None
        for transaction in intake.transactions:
            if isinstance(transaction, str):
                owner = self.storage.key_owner(open_key(intake.customer_id, transaction))
                if owner is not None:
                    return owner
        return None

    def _prior_count(self, customer_id: str, now: datetime) -> int:
        """The customer's complaints opened within the policy's look-back (the repeat rule)."""
        if not isinstance(customer_id, str) or not customer_id:
            return 0
        query = SummaryQuery(
            kind=KIND,
            attributes={"customer_id": customer_id},
            opened_after=now - self.policy.repeat_lookback,
            limit=10_000,
        )
        return len(self.storage.list_summaries(query))
