"""The incident service: what a wallet backend calls, through ``Walletcare.incidents``.

A thin table of incident commands over the case kernel. Detection follows the shared log
(``LogFeed``) for new complaints, so every process sees every complaint and a complaint
committed by a process that died before reacting is still seen; unique keys make the
decisions atomic across processes: one open incident per cluster, one incident per
complaint. Work that reaches many customers or other cases (updates, payments, the linked
complaints' own records) runs in batches and is re-driven by a timer until done.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

from walletcare.domain import incidents as domain
from walletcare.domain.complaints import Status
from walletcare.domain.events import SYSTEM, Actor, Event
from walletcare.domain.fees import CollectiveFinding
from walletcare.domain.incidents import (
    Customer,
    Incident,
    IncidentPolicy,
    IncidentReport,
    Member,
    RemedyKind,
    build_report,
)
from walletcare.domain.incidents.kind import cluster_key, member_key, member_of
from walletcare.domain.money import Money
from walletcare.errors import CaseExists, KeyTaken, NotFound, TransitionNotAllowed, ValidationError
from walletcare.ports import CancelTimer, SetTimer, StreamSummary, Timer
from walletcare.services.cases import AuditEntry, CaseService, StepResult
from walletcare.services.complaints import ComplaintService
from walletcare.services.incident_detection import IncidentDetection
from walletcare.services.incident_outbox import PAY, SEND, SYNC, IncidentOutbox, later
from walletcare.services.incident_status import status_page

__all__ = ["IncidentService"]


class IncidentService:
    """Detects incidents, links complaints, answers and remedies every affected customer once."""

    def __init__(
        self, *, cases: CaseService[Incident], complaints: ComplaintService, policy: IncidentPolicy
    ) -> None:
        self.cases = cases
        self.complaints = complaints
        self.policy = policy
        self.storage = cases.storage
        self.outbox = IncidentOutbox(cases=cases, policy=policy)
        self.detection = IncidentDetection(self)
        cases.register_timer("incident", self._on_timer)

    # -- detection -------------------------------------------------------------------------
    def detect(self) -> list[str]:
        """Read the complaints committed since the last look (by any process) and open or
        grow incidents; returns the incidents that opened or grew.

        Runs by itself whenever this instance opens a complaint; call it from a scheduler
        too, so complaints opened elsewhere are linked without waiting for the next one here.
        """
        return self.detection.detect()

    def link_detected(self, incident_id: str, complaint_ids: Sequence[str]) -> bool:
        """Detection links complaints to a cluster's incident; True if any were new."""
        return self._link(incident_id, complaint_ids, SYSTEM)

    def open_detected(
        self,
        title: str,
        complaint_ids: Sequence[str],
        *,
        cluster: str,
        pattern: str,
        fingerprint: str,
    ) -> str | None:
        """Detection opens a cluster's incident (or joins the one another process opened)."""
        return self._open(
            title,
            complaint_ids,
            SYSTEM,
            cluster=cluster,
            pattern=pattern,
            fingerprint=fingerprint,
        )

    def free(self, complaint_ids: Iterable[str], incident_id: str | None) -> list[str]:
        """The complaints no incident (other than ``incident_id``) holds."""
        owner = self.storage.key_owner
        return [
            c for c in dict.fromkeys(complaint_ids) if owner(member_key(c)) in (None, incident_id)
        ]

    # -- commands --------------------------------------------------------------------------
    def open(
        self,
        title: str,
        complaint_ids: Sequence[str] = (),
        *,
        by: Actor,
        incident_id: str | None = None,
    ) -> Incident:
        """Staff open an incident by hand, linking these complaints (those in no incident yet)."""
        self.cases.authorise("open", by, None)
        opened = self._open(title, self.free(complaint_ids, None), by, incident_id=incident_id)
        if opened is None:
            raise CaseExists("incident_id", incident_id or "")
        return self.get(opened)

    def _open(
        self,
        title: str,
        complaint_ids: Sequence[str],
        by: Actor,
        *,
        incident_id: str | None = None,
        cluster: str = "",
        pattern: str = "",
        fingerprint: str = "",
    ) -> str | None:
        new_id = incident_id or f"inc_{uuid.uuid4().hex}"
        ids = list(complaint_ids)
        for _ in range(5):
            members = [member_of(self.complaints.get(c)) for c in ids]

            def first(now: datetime, members: list[Member] = members) -> list[Event]:
                return domain.open_incident(
                    new_id,
                    title=title,
                    members=members,
                    by=by,
                    at=now,
                    cluster=cluster,
                    pattern=pattern,
                    fingerprint=fingerprint,
                )

            try:
                self.cases.create(new_id, first)
            except KeyTaken as taken:
                if cluster and taken.key == cluster_key(cluster):
                    # Another process opened this cluster's incident first: join it.
                    owner = self.storage.key_owner(taken.key)
                    if owner is not None:
                        self._link(owner, ids, by)
                        return owner
                ids = self.free(ids, None)
                continue
            self._after_links(new_id)
            return new_id
        return None

    def link(self, incident_id: str, complaint_ids: Sequence[str], *, by: Actor) -> Incident:
        """Link complaints by hand; one linked to another incident already is refused."""
        self.cases.authorise("link", by, None)
        taken = [c for c in complaint_ids if c not in self.free([c], incident_id)]
        if taken:
            raise ValidationError.of(
                "complaint_ids", f"{', '.join(taken)} belong to another incident already"
            )
        self._link(incident_id, complaint_ids, by)
        return self.get(incident_id)

    def _link(self, incident_id: str, complaint_ids: Sequence[str], by: Actor) -> bool:
        ids = self.free(complaint_ids, incident_id)
        current = self.get(incident_id)
        ids = [c for c in ids if c not in current.members]
        if not ids or not current.is_open:
            return False
        for _ in range(5):
            members = [member_of(self.complaints.get(c)) for c in ids]

            def step(
                i: Incident, now: datetime, _v: int, members: list[Member] = members
            ) -> StepResult:
                return domain.link(i, members, by=by, at=now), [], [self._sync_timer(now)]

            try:
                self.cases.run(incident_id, step)
            except KeyTaken:
                ids = self.free(ids, incident_id)
                if not ids:
                    return False
                continue
            self._after_links(incident_id)
            return True
        return False

    def _after_links(self, incident_id: str) -> None:
        """Complaints record their links; new customers get the latest update."""
        self.sync(incident_id)
        if self.get(incident_id).update_number:
            self.send_updates(incident_id)

    def unlink(self, incident_id: str, complaint_id: str, *, by: Actor, reason: str) -> Incident:
        """Staff take a complaint out of an incident, saying why; detection leaves it alone."""
        self.cases.authorise("unlink", by, None)
        self.cases.run(
            incident_id,
            lambda i, now, _v: (
                domain.unlink(i, complaint_id, by=by, at=now, reason=reason),
                [],
                [self._sync_timer(now)],
            ),
        )
        self.detection.unlinked.add(complaint_id)
        self.sync(incident_id)
        return self.get(incident_id)

    def assign(self, incident_id: str, *, owner: str, by: Actor) -> Incident:
        """Give the incident an owner."""
        self.cases.authorise("assign", by, None)
        return self.cases.run(
            incident_id, lambda i, now, _v: (domain.assign_owner(i, owner, by=by, at=now), [], [])
        )

    def escalate(self, incident_id: str, *, by: Actor, reason: str, to_tier: str = "") -> Incident:
        """Move the incident up the ladder (to ``to_tier``, or the next tier), saying why."""
        self.cases.authorise("escalate", by, None)
        return self.cases.escalate(incident_id, by=by, reason=reason, to_tier=to_tier)

    def post_update(
        self,
        incident_id: str,
        texts: Mapping[str, str] | str,
        *,
        by: Actor,
        update_id: str = "",
    ) -> Incident:
        """Post a status update (``{"en": ..., "zh": ...}``) and send it to every affected
        customer on their channel, in their language, once each. Name it ``update_id`` to
        make a retry post and send nothing twice. Text asking for secrets or linking outside
        the allowed domains is refused (``UnsafeMessage``), whatever the phishing policy."""
        self.cases.authorise("post_update", by, None)
        for language, text in ({"en": texts} if isinstance(texts, str) else texts).items():
            self.cases.messages.vet(f"texts[{language}]", str(text))

        def step(i: Incident, now: datetime, _v: int) -> StepResult:
            events = domain.post_update(i, texts, by=by, at=now, update_id=update_id)
            return events, [], [self._later(SEND, now)] if events else []

        self.cases.run(incident_id, step)
        return self.send_updates(incident_id)

    def send_updates(self, incident_id: str) -> Incident:
        """Send the latest update to every affected customer who has not had it yet."""
        while True:
            before = self.get(incident_id)
            after = self.cases.run(incident_id, self.outbox.updates)
            if after.sent == before.sent:
                return after

    def solve(
        self, incident_id: str, *, outcome: str, explanation: Mapping[str, str] | str, by: Actor
    ) -> Incident:
        """Solve the incident: each linked complaint is resolved with ``explanation`` (in its
        customer's language), recorded in that complaint's own history."""
        self.cases.authorise("solve", by, None)
        self.cases.run(
            incident_id,
            lambda i, now, _v: (
                domain.solve(i, outcome=outcome, explanation=explanation, by=by, at=now),
                [],
                [self._sync_timer(now)],
            ),
        )
        return self.sync(incident_id)

    def remedy(
        self,
        incident_id: str,
        *,
        by: Actor,
        reason: str,
        remedy: RemedyKind | str = RemedyKind.REFUND,
        each: Money | None = None,
        fund: Money | None = None,
        losses: bool = False,
        amount_for: Callable[[Customer], Money | None] | None = None,
    ) -> Incident:
        """Pay every affected customer once: plan each one's amount (``each``, their stated
        ``losses``, ``amount_for(customer)``, or a ``fund`` split exactly), then queue one
        payment instruction per customer on the payment channel, in batches. Calling it
        again, or the timer after a crash, finishes the plan and pays nobody twice."""
        self.cases.authorise("remedy", by, None)
        try:
            kind = RemedyKind(remedy)
        except ValueError:
            raise ValidationError.of("remedy", f"{remedy!r} is not refund or credit") from None
        if self.get(incident_id).remedy is None:
            self.cases.run(
                incident_id,
                lambda i, now, _v: (
                    domain.plan_remedy(
                        i,
                        remedy=kind,
                        reason=reason,
                        by=by,
                        at=now,
                        each=each,
                        fund=fund,
                        losses=losses,
                        amount_for=amount_for,
                    ),
                    [],
                    [self._later(PAY, now)],
                ),
            )
        return self.pay(incident_id)

    def pay(self, incident_id: str) -> Incident:
        """Queue the planned payments not queued yet, batch by batch."""
        while True:
            before = self.get(incident_id)
            after = self.cases.run(incident_id, self.outbox.payments)
            if after.paid == before.paid:
                return after

    def sync(self, incident_id: str) -> Incident:
        """Bring the linked complaints in line with the incident: links, unlinks and, once
        solved, resolutions. Idempotent; the sync timer does it after a crash."""
        return self.cases.run(incident_id, self._sync_step)

    def _sync_step(self, i: Incident, now: datetime, _version: int) -> StepResult:
        """Other cases' commits first (each idempotent), then the incident records them."""
        for complaint_id, linked in i.link_changes[i.links_synced :]:
            if linked and complaint_id in i.members:
                self._record_link(complaint_id, i.id)
            elif not linked and complaint_id not in i.members:
                self.complaints.unlink_incident(
                    complaint_id, i.id, by=SYSTEM, reason="unlinked from the incident"
                )
        resolved = self._resolve_all(i) if not i.is_open else []
        finished = i.is_open or len(i.resolved) + len(resolved) >= len(i.members)
        events = domain.synced(i, links=len(i.link_changes), resolved=resolved, by=SYSTEM, at=now)
        return events, [], [CancelTimer(name=SYNC) if finished else self._sync_timer(now)]

    def _record_link(self, complaint_id: str, incident_id: str) -> None:
        # Linked elsewhere by hand before this incident took it: the key decides.
        with contextlib.suppress(TransitionNotAllowed):
            self.complaints.link_incident(complaint_id, incident_id, by=SYSTEM)

    def _resolve_all(self, incident: Incident) -> list[str]:
        done: list[str] = []
        for complaint_id in incident.members:
            if complaint_id in incident.resolved:
                continue
            complaint = self.complaints.get(complaint_id)
            if not complaint.incident:
                self._record_link(complaint_id, incident.id)
            if complaint.status is Status.RECEIVED:
                complaint = self.complaints.acknowledge(complaint_id, by=SYSTEM)
            if complaint.is_open:
                text = incident.explanation.get(complaint.language) or incident.explanation["en"]
                self.complaints.resolve(
                    complaint_id,
                    by=SYSTEM,
                    outcome=incident.outcome,
                    explanation=f"{text} (incident {incident.id})",
                )
            done.append(complaint_id)
        return done

    def from_fee_finding(self, finding: CollectiveFinding, *, by: Actor = SYSTEM) -> Incident:
        """Open (or grow) the incident for a fee fault that hit many customers, linking the
        fee complaints the fee remedy opened (``fees-<transaction>``). They were refunded
        per transaction by the fee module: plan no second remedy for them."""
        if not isinstance(finding, CollectiveFinding):
            raise ValidationError.of("finding", "must be a CollectiveFinding")
        ids = [f"fees-{tx}" for tx in finding.transactions]
        ids = [c for c in ids if self.storage.get_summary(c) is not None]
        cluster = f"fees:{finding.fingerprint}"
        owner = self.storage.key_owner(cluster_key(cluster))
        if owner is not None:
            self._link(owner, ids, by)
            return self.get(owner)
        title = f"Fee fault: schedule {finding.schedule} {finding.version}, rule {finding.rule}"
        opened = self._open(
            title,
            self.free(ids, None),
            by,
            cluster=cluster,
            pattern="fees",
            fingerprint=finding.fingerprint,
        )
        if opened is None:
            raise NotFound(f"no incident could be opened for {finding.fingerprint}")
        return self.get(opened)

    # -- batches and timers ----------------------------------------------------------------
    def _later(self, name: str, now: datetime) -> SetTimer:
        return later(name, now, self.policy)

    def _sync_timer(self, now: datetime) -> SetTimer:
        return later(SYNC, now, self.policy)

    def _on_timer(self, i: Incident, timer: Timer, now: datetime, version: int) -> StepResult:
        if timer.name == SEND:
            return self.outbox.updates(i, now, version)
        if timer.name == PAY:
            return self.outbox.payments(i, now, version)
        if timer.name == SYNC:
            return self._sync_step(i, now, version)
        return [], [], []

    # -- reading ---------------------------------------------------------------------------
    def get(self, incident_id: str) -> Incident:
        """The incident as it stands now."""
        return self.cases.get(incident_id)

    def history(self, incident_id: str) -> list[AuditEntry]:
        """The audit trail: every event with its actor, time and details, in order."""
        return self.cases.history(incident_id)

    def list(self, *, status: str | None = None, limit: int = 100) -> list[StreamSummary]:
        """Incidents from their listing rows, oldest first."""
        return self.cases.list(status=[status] if status else None, limit=limit)

    def status_page(self, incident_id: str, language: str = "en") -> tuple[str, str]:
        """The public status page text ``(title, body)`` in ``language`` (English fallback)."""
        return status_page(self.cases, self.get(incident_id), language)

    def report(self, incident_id: str) -> IncidentReport:
        """The regulator-ready report: timeline, counts, money, remedies paid, open complaints."""
        incident = self.get(incident_id)
        open_ids = [
            row.stream_id
            for row in self.complaints.cases.list(
                attributes={"incident": incident_id}, limit=10_000
            )
            if row.status not in (Status.RESOLVED.value, Status.CLOSED.value)
        ]
        return build_report(incident, self.cases.runner.load(incident_id)[0], open_ids)
