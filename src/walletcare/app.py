"""``Walletcare``: the composition root a host creates once and keeps."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from types import TracebackType

from attrs import frozen

from walletcare.domain.calendars import require_aware
from walletcare.domain.events import Event
from walletcare.errors import NotFound
from walletcare.plugins import Plugins, make_plugin_manager
from walletcare.ports import Clock, MessageStatus, OutboundMessage, Storage, StoredEvent
from walletcare.serialization import WalletcareConverter, make_converter
from walletcare.services.commands import CommandRunner, Committed, Decide
from walletcare.services.complaints import ComplaintService
from walletcare.services.outbox import Delivery
from walletcare.services.timers import TimerHandler, Timers
from walletcare.settings import Settings

__all__ = ["Walletcare", "SystemClock", "TickReport"]


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
    as a context manager.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        plugins: Iterable[object] = (),
        clock: Clock | None = None,
        storage: Storage | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.clock: Clock = clock or SystemClock()
        self.plugins = Plugins(
            make_plugin_manager(plugins, load_entry_points=self.settings.load_entry_points)
        )
        self.converter: WalletcareConverter = make_converter()
        self.storage: Storage = storage or self.plugins.open_storage(self.settings)
        self.commands = CommandRunner(
            storage=self.storage,
            converter=self.converter,
            clock=self.clock,
            plugins=self.plugins,
            retries=self.settings.command_retries,
        )
        self.timers = Timers(
            storage=self.storage, runner=self.commands, lease=self.settings.claim_lease
        )
        self.delivery = Delivery(
            storage=self.storage,
            plugins=self.plugins,
            retry=self.settings.retry,
            timeout=self.settings.delivery_timeout,
            lease=self.settings.claim_lease,
        )
        self.complaints = ComplaintService(
            runner=self.commands,
            storage=self.storage,
            timers=self.timers,
            converter=self.converter,
            policy=self.settings.complaints,
            oversight=self.settings.oversight,
        )

    # -- commands --------------------------------------------------------------------------
    def now(self) -> datetime:
        """The clock's current instant (checked to be timezone-aware)."""
        return require_aware(self.clock.now(), "clock.now()")

    def execute(self, stream_id: str, decide: Decide) -> Committed:
        """Run one command on a stream: load, decide with the time, append atomically."""
        return self.commands.run(stream_id, decide, now=self.now())

    def on_timer(self, family: str, handler: TimerHandler) -> None:
        """Fire timers named ``family`` or ``family:...`` through ``handler``."""
        self.timers.register(family, handler)

    # -- reading ---------------------------------------------------------------------------
    def events(self, stream_id: str) -> list[Event]:
        """A stream's events, upcast to the current schema; ``NotFound`` if there are none."""
        history, version = self.commands.load(stream_id)
        if version == 0:
            raise NotFound(f"no case with id {stream_id!r}")
        return history

    def events_since(self, position: int = 0, limit: int = 1000) -> list[StoredEvent]:
        """Stored events of every stream after a global position, for projections and reports."""
        return self.storage.read_all(position, limit)

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
        return self.storage.list_messages(MessageStatus.DEAD, limit)

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
