"""A hypothesis state machine that drives a storage and a plain reference model alike.

The reference is a few dicts and lists written from the storage contract alone, sharing no
code with any adapter, so memory:// is checked against it too (not against itself).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from walletcare.errors import ClaimLost, ConcurrencyConflict, ValidationError
from walletcare.ports import (
    CancelTimer,
    Commit,
    MessageStatus,
    SetTimer,
    Storage,
    StreamSummary,
)
from walletcare.testing.records import LEASE, T0, message_for, new_event, summary_for

__all__ = ["against_model", "Reference"]

_STREAMS = st.sampled_from(["s1", "s2", "s3"])
_NAMES = st.sampled_from(["ack", "resolve"])
_OFFSETS = st.integers(min_value=0, max_value=20).map(lambda m: T0 + timedelta(minutes=m))


class Reference:
    """The contract's answers for the operations the state machine makes, as plain data."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int, str]] = []  # (stream, version, data) in commit order
        self.timers: dict[tuple[str, str], dict[str, object]] = {}
        self.messages: dict[str, dict[str, object]] = {}
        self.summaries: dict[str, StreamSummary] = {}
        self.tokens = 0

    def version(self, stream: str) -> int:
        return sum(1 for s, _, _ in self.events if s == stream)

    def append(self, commit: Commit) -> list[tuple[int, str]]:
        version = self.version(commit.stream_id)
        if commit.expected_version != version:
            raise ConcurrencyConflict("stale")
        if commit.consumes is not None:
            held = self.timers.get((commit.stream_id, commit.consumes[0]))
            if held is None or held["token"] != commit.consumes[1]:
                raise ClaimLost("lost")
            del self.timers[(commit.stream_id, commit.consumes[0])]
        written = []
        for event in commit.events:
            version += 1
            self.events.append((commit.stream_id, version, event.data))
            written.append((version, event.data))
        for change in commit.timers:
            key = (commit.stream_id, change.name)
            if isinstance(change, SetTimer):
                self.timers[key] = {"due": change.due_at, "ready": change.due_at, "token": None}
            else:
                self.timers.pop(key, None)
        for message in commit.messages:
            self.messages[message.id] = {
                "due": message.due_at, "ready": message.due_at, "status": MessageStatus.PENDING
            }
        if commit.summary is not None:
            self.summaries[commit.stream_id] = commit.summary
        return written

    def claim_timers(self, now: datetime) -> list[tuple[datetime, str, str, str]]:
        """Claim every due timer: (due, stream, name, token), earliest first."""
        claimed = []
        for (stream, name), timer in self.timers.items():
            if timer["ready"] <= now:  # type: ignore[operator]
                self.tokens += 1
                timer["ready"], timer["token"] = now + LEASE, f"t{self.tokens}"
                claimed.append((timer["due"], stream, name, timer["token"]))
        return sorted(claimed)  # type: ignore[arg-type]

    def claim_messages(self, now: datetime) -> list[str]:
        due = [
            (m["due"], id)
            for id, m in self.messages.items()
            if m["status"] is MessageStatus.PENDING and m["ready"] <= now  # type: ignore[operator]
        ]
        for _, id in due:
            self.messages[id]["ready"] = now + LEASE
        return [id for _, id in sorted(due)]

    def settle(self, id: str, status: MessageStatus, now: datetime) -> None:
        self.messages[id].update(status=status, due=now, ready=now)

    def listed(self, status: MessageStatus) -> list[str]:
        found = [(m["due"], id) for id, m in self.messages.items() if m["status"] is status]
        return [id for _, id in sorted(found)[:100]]

    def timers_of(self, stream: str) -> list[tuple[str, datetime]]:
        return sorted((n, t["due"]) for (s, n), t in self.timers.items() if s == stream)  # type: ignore[misc]


def against_model(storage_factory: Callable[[], Storage]) -> type[RuleBasedStateMachine]:
    """A state machine class checking the storage ``storage_factory`` opens against
    ``Reference``."""

    class AgainstModel(RuleBasedStateMachine):
        """Drives the storage under test and the reference with the same operations."""

        def __init__(self) -> None:
            super().__init__()
            self.real = storage_factory()
            self.model = Reference()
            self.counter = 0

        @initialize()
        def start(self) -> None:
            self.counter = 0

        @staticmethod
        def outcome(fn: Callable[[], object]) -> tuple[str, object]:
            try:
                return ("ok", fn())
            except (ConcurrencyConflict, ValidationError) as exc:
                return ("error", type(exc).__name__)

        @rule(
            stream=_STREAMS,
            n=st.integers(0, 3),
            stale=st.booleans(),
            timer=st.none() | _NAMES,
            due=_OFFSETS,
            msg=st.booleans(),
        )
        def append(  # noqa: PLR0917 (hypothesis passes rule arguments by name)
            self, stream: str, n: int, stale: bool, timer: str | None, due: datetime, msg: bool
        ) -> None:
            version = self.model.version(stream) - (1 if stale else 0)
            self.counter += 1
            commit = Commit(
                stream_id=stream,
                expected_version=version,
                events=[new_event(self.counter * 10 + i) for i in range(n)],
                timers=[SetTimer(name=timer, due_at=due)] if timer else [],
                messages=[message_for(stream, f"m{self.counter}", due)] if msg else [],
                summary=summary_for(stream, status=f"v{version + n}"),
            )
            real = self.outcome(
                lambda: [(e.stream_version, e.data) for e in self.real.append(commit)]
            )
            assert real == self.outcome(lambda: self.model.append(commit))

        @rule(stream=_STREAMS, name=_NAMES)
        def cancel(self, stream: str, name: str) -> None:
            commit = Commit(
                stream_id=stream,
                expected_version=self.model.version(stream),
                timers=[CancelTimer(name=name)],
            )
            real = self.outcome(lambda: len(self.real.append(commit)))
            assert real == self.outcome(lambda: len(self.model.append(commit)))

        @rule(now=_OFFSETS, fire=st.booleans())
        def claim_timers(self, now: datetime, fire: bool) -> None:
            real = self.real.claim_due_timers(now, 100, LEASE)
            model = self.model.claim_timers(now)
            assert [(t.due_at, t.stream_id, t.name) for t in real] == [m[:3] for m in model]
            if not fire:
                return  # left claimed: invisible to claims until the lease runs out
            for timer, (_, stream, name, token) in zip(real, model, strict=True):
                for storage, consumes in ((self.real, timer.token), (self.model, token)):
                    version = (
                        self.model.version(stream)
                        if storage is self.model
                        else self.real.stream_version(stream)
                    )
                    storage.append(
                        Commit(
                            stream_id=stream,
                            expected_version=version,
                            events=[new_event(0, kind="timer.fired")],
                            consumes=(name, consumes or ""),
                        )
                    )

        @rule(now=_OFFSETS, deliver=st.booleans())
        def drain(self, now: datetime, deliver: bool) -> None:
            real = self.real.claim_due_messages(now, 100, LEASE)
            assert [m.id for m in real] == self.model.claim_messages(now)
            status = MessageStatus.DELIVERED if deliver else MessageStatus.DEAD
            for message in real:
                assert self.real.settle_message(message, status=status, attempts=1, due_at=now)
                self.model.settle(message.id, status, now)

        @invariant()
        def same_state(self) -> None:
            for stream in ("s1", "s2", "s3"):
                assert self.real.stream_version(stream) == self.model.version(stream)
                assert [e.data for e in self.real.read_stream(stream)] == [
                    d for s, _, d in self.model.events if s == stream
                ]
                assert [
                    (t.name, t.due_at) for t in self.real.get_timers(stream)
                ] == self.model.timers_of(stream)
                summary = self.real.get_summary(stream)
                expected = self.model.summaries.get(stream)
                assert (summary and summary.status) == (expected and expected.status)
            assert [(e.stream_id, e.stream_version) for e in self.real.read_all()] == [
                (s, v) for s, v, _ in self.model.events
            ]
            for status in MessageStatus:
                assert [m.id for m in self.real.list_messages(status)] == self.model.listed(
                    status
                )

        def teardown(self) -> None:
            self.real.close()

    return AgainstModel
