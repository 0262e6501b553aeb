"""``Walletcare``: the composition root a host creates once and keeps."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, TypeVar

import attrs
from attrs import frozen

from walletcare.domain.calendars import require_aware
from walletcare.domain.cases import KERNEL_EVENTS, CaseKind, CaseState
from walletcare.domain.complaints import Complaint, ComplaintPolicy
from walletcare.domain.complaints.kind import COMPLAINTS
from walletcare.domain.disputes import Dispute, DisputePolicy
from walletcare.domain.disputes.kind import DISPUTES
from walletcare.domain.events import Event
from walletcare.domain.fees import FEE_EVENTS
from walletcare.domain.followups import FOLLOWUPS, LEDGER_EVENTS, Followup, FollowupPolicy
from walletcare.domain.incidents import Incident, IncidentPolicy
from walletcare.domain.incidents.kind import INCIDENTS
from walletcare.domain.ladder import Ladder
from walletcare.domain.oversight import CaseSettings
from walletcare.errors import ConfigurationError, NotFound, ValidationError
from walletcare.plugins import Plugins, make_plugin_manager
from walletcare.ports import (
    Clock,
    MessageStatus,
    OutboundMessage,
    SetAsideTimer,
    Storage,
    StoredEvent,
    StreamSummary,
    SummaryQuery,
)
from walletcare.serialization import WalletcareConverter, make_converter
from walletcare.services.cases import NEXT_METRIC, CaseService
from walletcare.services.catalogue import Catalogue
from walletcare.services.commands import CommandRunner, Committed, Decide
from walletcare.services.complaints import ComplaintService
from walletcare.services.disputes import DisputeService
from walletcare.services.fees import FeeService
from walletcare.services.followups import FollowupService
from walletcare.services.incident_detection import DetectOnIntake
from walletcare.services.incidents import IncidentService
from walletcare.services.messages import Messages
from walletcare.services.outbox import Delivery
from walletcare.services.timers import ANY_KIND, TimerHandler, Timers
from walletcare.settings import Settings

S = TypeVar("S", bound=CaseState)
R = TypeVar("R")

__all__ = ["Walletcare", "SystemClock", "TickReport"]

BUILT_IN_KINDS: tuple[CaseKind[Any], ...] = (COMPLAINTS, FOLLOWUPS, INCIDENTS, DISPUTES)
"""The kinds of case every instance runs: complaints, follow-ups, incidents and disputes."""


def _count(name: str, value: object, *, minimum: int = 1) -> None:
    """Refuse anything but an int of at least ``minimum`` as a ``ValidationError``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError.of(name, f"must be an int of at least {minimum}, got {value!r}")


class SystemClock:
    """The real clock, in UTC."""

    def now(self) -> datetime:
        """The current instant."""
        return datetime.now(UTC)


@frozen(kw_only=True)
class TickReport:
    """What one ``tick`` did."""

    at: datetime
    timers_fired: int
    timers_failed: int
    messages_delivered: int
    messages_retried: int
    messages_dead: int
    claims_lost: int
    errors: tuple[str, ...] = ()


class Walletcare:
    """One walletcare instance: settings, clock, plugins, storage and the converter.

    Create it once per process (it owns a storage connection) and ``close()`` it, or use it
    as a context manager. ``kinds`` adds kinds of case beyond complaints; ``events`` makes
    the events of a host's own streams (run with ``execute``) known to the converter.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        plugins: Iterable[object] = (),
        clock: Clock | None = None,
        storage: Storage | None = None,
        kinds: Iterable[CaseKind[Any]] = (),
        events: Iterable[type[Event]] = (),
    ) -> None:
        self.settings = settings or Settings()
        if not isinstance(self.settings, Settings):
            raise ConfigurationError("settings must be a walletcare.Settings")
        self.clock: Clock = clock or SystemClock()
        self.plugins = Plugins(
            make_plugin_manager(plugins, load_entry_points=self.settings.load_entry_points)
        )
        all_kinds: list[CaseKind[Any]] = [*BUILT_IN_KINDS, *kinds]
        self._check_kinds(all_kinds)
        self.converter: WalletcareConverter = make_converter(
            self.settings.upcasters,
            events=[
                *KERNEL_EVENTS,
                *(cls for kind in all_kinds for cls in kind.events),
                *FEE_EVENTS,
                *LEDGER_EVENTS,
                *events,
            ],
        )
        owner = {cls: kind.name for kind in all_kinds for cls in kind.events}
        self.plugins.check_channel_plugins()
        self.catalogue = self._catalogue(all_kinds)
        self.message_composer = Messages(
            catalogue=self.catalogue,
            policy=self.settings.messages.policy,
            channels=self.plugins.channels,
            adr_bodies=self.settings.messages.adr_bodies,
        )
        self.storage: Storage = storage or self.plugins.open_storage(self.settings)
        try:
            self._wire(all_kinds, owner)
        except BaseException:
            self.storage.close()
            raise

    def _check_kinds(self, kinds: Sequence[CaseKind[Any]]) -> None:
        for kind in kinds:
            if not isinstance(kind, CaseKind):
                raise ConfigurationError(f"kinds: {kind!r} is not a CaseKind")
            for built_in in BUILT_IN_KINDS:
                if kind is not built_in and kind.name == built_in.name:
                    raise ConfigurationError(
                        f"kinds: {kind.name!r} is the built-in {built_in.name} kind"
                    )
        names = [kind.name for kind in kinds]
        for kind in kinds:
            if names.count(kind.name) > 1:
                raise ConfigurationError(f"kinds: {kind.name!r} is registered twice")
        for name in self.settings.cases:
            if name not in names:
                raise ConfigurationError(
                    f"settings.cases.{name}: no kind of case is called {name!r} "
                    f"(known: {', '.join(names)})"
                )

    def _catalogue(self, kinds: Sequence[CaseKind[Any]]) -> Catalogue:
        """The message catalogue: the host's directories, walletcare's own, kinds' texts
        and host regulatory profiles' notices."""
        notices = {
            profile.notice: dict(profile.final_response_notice)
            for profile in self.settings.regulation.profiles
            if profile.final_response_notice
        }
        catalogue = Catalogue(
            directories=self.settings.messages.catalogues,
            kinds=[kind.templates for kind in kinds],
            texts=notices,
            staff_templates=[kind.staff_template for kind in kinds],
        )
        for name in sorted(self.settings.messages.policy.urgent_templates):
            if not catalogue.has(name):
                raise ConfigurationError(
                    f"settings.messages.policy.urgent_templates: no message template {name!r}"
                )
        return catalogue

    def _wire(self, kinds: Sequence[CaseKind[Any]], owner: dict[type[Event], str]) -> None:
        self.commands = CommandRunner(
            storage=self.storage,
            converter=self.converter,
            clock=self.clock,
            on_committed=self.plugins.notify_committed,
            retries=self.settings.command_retries,
        )
        self.timers = Timers(
            storage=self.storage,
            runner=self.commands,
            lease=self.settings.claim_lease,
            kind_of=lambda history: owner.get(type(history[0])),
        )
        self.delivery = Delivery(
            storage=self.storage,
            deliver=self.plugins.deliver,
            retry=self.settings.retry,
            timeout=self.settings.delivery_timeout,
            lease=self.settings.claim_lease,
            on_dead=self._reroute,
        )
        self._cases: dict[str, CaseService[Any]] = {}
        regulation = self.settings.regulation.compile("settings.regulation")
        for kind in kinds:
            chosen = self.settings.cases.get(kind.name) or CaseSettings()
            if kind.ladder is not None and chosen.oversight.ladder == Ladder():
                # The kind's own ladder stands in for the default one, never for a host's.
                chosen = attrs.evolve(
                    chosen, oversight=attrs.evolve(chosen.oversight, ladder=kind.ladder)
                )
            if chosen.permissions is not None:
                kind = attrs.evolve(kind, permissions=chosen.permissions)  # noqa: PLW2901
            try:
                self._cases[kind.name] = CaseService(
                    kind=kind,
                    runner=self.commands,
                    storage=self.storage,
                    timers=self.timers,
                    converter=self.converter,
                    messages=self.message_composer,
                    oversight=chosen.oversight,
                    regulation=regulation,
                )
            except ValidationError as exc:
                raise ConfigurationError(f"settings.cases.{kind.name}.oversight: {exc}") from None
        complaint_settings = self.settings.cases.get(COMPLAINTS.name) or CaseSettings()
        policy = complaint_settings.policy or ComplaintPolicy()
        if not isinstance(policy, ComplaintPolicy):
            raise ConfigurationError(
                f"settings.cases.complaint.policy must be a ComplaintPolicy, "
                f"got {type(policy).__name__}"
            )
        complaints: CaseService[Complaint] = self._cases[COMPLAINTS.name]
        self.complaints = ComplaintService(cases=complaints, policy=policy)
        followup_settings = self.settings.cases.get(FOLLOWUPS.name) or CaseSettings()
        followup_policy = followup_settings.policy or FollowupPolicy()
        if not isinstance(followup_policy, FollowupPolicy):
            raise ConfigurationError(
                f"settings.cases.followup.policy must be a FollowupPolicy, "
                f"got {type(followup_policy).__name__}"
            )
        followups: CaseService[Followup] = self._cases[FOLLOWUPS.name]
        self.followups = FollowupService(
            cases=followups,
            complaints=self.complaints,
            policy=followup_policy,
            disputes=self._cases[DISPUTES.name],
        )
        # Resolved complaints are followed up as they commit: the complaint kind knows nothing
        # of follow-ups.
        self.plugins.register(self.followups, name="walletcare.followups")
        incident_settings = self.settings.cases.get(INCIDENTS.name) or CaseSettings()
        incident_policy = incident_settings.policy or IncidentPolicy()
        if not isinstance(incident_policy, IncidentPolicy):
            raise ConfigurationError(
                f"settings.cases.incident.policy must be an IncidentPolicy, "
                f"got {type(incident_policy).__name__}"
            )
        incidents: CaseService[Incident] = self._cases[INCIDENTS.name]
        self.incidents = IncidentService(
            cases=incidents, complaints=self.complaints, policy=incident_policy
        )
        self.plugins.register(
            DetectOnIntake(self.incidents.detection), name="walletcare.incident-detection"
        )
        dispute_settings = self.settings.cases.get(DISPUTES.name) or CaseSettings()
        dispute_policy = dispute_settings.policy or DisputePolicy()
        if not isinstance(dispute_policy, DisputePolicy):
            raise ConfigurationError(
                f"settings.cases.dispute.policy must be a DisputePolicy, "
                f"got {type(dispute_policy).__name__}"
            )
        disputes: CaseService[Dispute] = self._cases[DISPUTES.name]
        self.disputes = DisputeService(cases=disputes, policy=dispute_policy, complaints=complaints)
        self.fees = FeeService(
            runner=self.commands,
            storage=self.storage,
            converter=self.converter,
            complaints=self.complaints,
            policy=self.settings.fee_remediation,
        )

    def _reroute(self, message: OutboundMessage, reason: str) -> None:
        """A customer message dead-lettered: its case moves it to the next channel."""
        summary = self.storage.get_summary(message.stream_id)
        service = self._cases.get(summary.kind) if summary is not None else None
        if service is not None:
            service.reroute(message, reason)

    def cases(self, kind: str) -> CaseService[Any]:
        """The kernel's service for one kind of case (``"complaint"``, or one you registered)."""
        found = self._cases.get(kind)
        if found is None:
            raise NotFound(f"no kind of case is called {kind!r}")
        return found

    # -- commands --------------------------------------------------------------------------
    def now(self) -> datetime:
        """The clock's current instant (checked to be timezone-aware)."""
        return require_aware(self.clock.now(), "clock.now()")

    def execute(self, stream_id: str, decide: Decide[R]) -> Committed[R]:
        """Run one command on a stream: load, decide with the time, append atomically."""
        return self.commands.run(stream_id, decide, now=self.now())

    def on_timer(self, family: str, handler: TimerHandler, *, kind: str = ANY_KIND) -> None:
        """Fire timers named ``family`` or ``family:...`` through ``handler`` (on streams of
        ``kind`` only, if given)."""
        self.timers.register(kind, family, handler)

    # -- reading ---------------------------------------------------------------------------
    def events(self, stream_id: str) -> list[Event]:
        """A stream's events, upcast to the current schema; ``NotFound`` if there are none."""
        history, version = self.commands.load(stream_id)
        if version == 0:
            raise NotFound(f"no case with id {stream_id!r}")
        return history

    def events_since(self, position: int = 0, limit: int = 1000) -> list[StoredEvent]:
        """Stored events of every stream after a global position, for projections and reports."""
        _count("position", position, minimum=0)
        _count("limit", limit)
        return self.storage.read_all(position, limit)

    def due_soon(
        self,
        *,
        within: timedelta | None = None,
        kind: str | None = None,
        tier: str | Sequence[str] | None = None,
        team: str | Sequence[str] | None = None,
        metric: str | Sequence[str] | None = None,
        limit: int = 100,
    ) -> list[StreamSummary]:
        """The "about to breach" queue: open cases by their next deadline, earliest first.

        Read from the listing rows, never by replaying a log. ``within``: only deadlines
        before now + within; ``kind``, ``tier``, ``team`` and ``metric`` (the clock of the
        next deadline: ``resolution``, ``regulatory:resolution`` ...) filter, each a value or
        several. Paused and breached clocks are not in it: they cannot breach next.
        """
        if within is not None and (not isinstance(within, timedelta) or within < timedelta(0)):
            raise ValidationError.of("within", "must be a non-negative timedelta")
        if kind is not None:
            self.cases(kind)  # an unknown kind is NotFound, not an empty queue
        wanted: dict[str, str | Sequence[str]] = {}
        for name, value in (("tier", tier), ("team", team), (NEXT_METRIC, metric)):
            if value is not None:
                wanted[name] = value
        query = SummaryQuery(
            kind=kind,
            attributes=wanted,
            deadline_before=self.now() + within if within is not None else None,
            order_by="deadline",
            limit=limit,
        )
        return self.storage.list_summaries(query)

    def decode(self, record: StoredEvent) -> Event:
        """A stored event record as its domain event."""
        return self.commands.from_record(record)

    # -- driving ---------------------------------------------------------------------------
    def tick(self, now: datetime | None = None) -> TickReport:
        """Fire due timers (each once) and deliver due messages; safe from several processes."""
        at = require_aware(now, "now") if now is not None else self.now()
        batch = self.settings.tick_batch
        timers = self.timers.fire_due(at, batch)
        messages = self.delivery.drain(at, batch)
        return TickReport(
            at=at,
            timers_fired=timers.fired,
            timers_failed=timers.failed,
            messages_delivered=messages.delivered,
            messages_retried=messages.retried,
            messages_dead=messages.dead,
            claims_lost=timers.lost_claims + messages.lost_claims,
            errors=timers.errors,
        )

    def dead_letters(self, limit: int = 100) -> list[OutboundMessage]:
        """Messages that were given up on, with the reason in ``last_error``."""
        _count("limit", limit)
        return self.storage.list_messages(MessageStatus.DEAD, limit)

    def set_aside_timers(self, limit: int = 100) -> list[SetAsideTimer]:
        """Timers that can never fire (a damaged row, a stream that cannot be read), each
        with the reason; ``tick`` reported each once, as a ``StorageError`` naming it."""
        _count("limit", limit)
        return self.storage.set_aside_timers(limit)

    def retry_dead_letter(self, message_id: str) -> bool:
        """Queue a dead-lettered message again now, with a fresh attempt count."""
        return self.storage.retry_message(message_id, self.now())

    def messages(
        self, stream_id: str, status: MessageStatus | None = None
    ) -> Sequence[OutboundMessage]:
        """A case's outbox messages (all statuses unless ``status`` is given)."""
        statuses = [status] if status is not None else list(MessageStatus)
        found: list[OutboundMessage] = []
        for s in statuses:
            found.extend(self.storage.list_messages(s, 10_000, stream_id=stream_id))
        return sorted(found, key=lambda m: (m.due_at, m.id))

    # -- lifetime --------------------------------------------------------------------------
    def close(self) -> None:
        """Close the storage."""
        self.storage.close()

    def __enter__(self) -> Walletcare:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
