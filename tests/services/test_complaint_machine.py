"""A hypothesis state machine: random complaint commands, valid and invalid, keep the invariants."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from walletcare import Actor, Money, Settings, Status, Walletcare
from walletcare.domain import complaints as domain
from walletcare.errors import DomainError, ValidationError
from walletcare.services.commands import Loaded
from walletcare.services.states import SNAPSHOT_BYTES_PER_EVENT
from walletcare.testing import FixedClock

from ..complaints_fixtures import EXPLANATION, T0, intake

ACTORS = st.sampled_from([Actor.staff("agent-1"), Actor.customer("cust-1"), Actor("system", "bot")])
TEXT = st.sampled_from(["", "   ", "the refund has not arrived yet", "please call me back"])


class ComplaintMachine(RuleBasedStateMachine):
    """Drives one complaint with random commands and checks the invariants after each."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock(T0)
        self.app = Walletcare(
            Settings(storage_url="memory://", load_entry_points=False), clock=self.clock
        )
        self.cid = ""

    @initialize()
    def open(self) -> None:
        self.cid = self.app.complaints.open(intake()).complaint_id

    def attempt(self, command) -> None:  # type: ignore[no-untyped-def]
        """Run a command; if it is refused, nothing may have changed."""
        before = self.app.storage.read_stream(self.cid)
        before_status = self.app.complaints.get(self.cid).status
        try:
            command()
        except (DomainError, ValidationError):
            assert self.app.storage.read_stream(self.cid) == before
            return
        after = self.app.complaints.get(self.cid)
        if before_status is Status.CLOSED:
            # A closed complaint changes only by a reopen inside the window.
            assert after.status is Status.INVESTIGATING and after.reopen_count >= 1
            resolved_at = after.resolved_at
            assert resolved_at is not None
            assert self.clock.now() <= resolved_at + self.app.complaints.policy.reopen_window

    @rule(hours=st.integers(0, 24 * 20))
    def wait(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))
        self.app.tick()

    @rule(by=ACTORS)
    def acknowledge(self, by: Actor) -> None:
        self.attempt(lambda: self.app.complaints.acknowledge(self.cid, by=by))

    @rule(by=ACTORS, team=st.sampled_from(["", "payments"]))
    def assign(self, by: Actor, team: str) -> None:
        self.attempt(lambda: self.app.complaints.assign(self.cid, by=by, team=team))

    @rule(by=ACTORS)
    def investigate(self, by: Actor) -> None:
        self.attempt(lambda: self.app.complaints.start_investigation(self.cid, by=by))

    @rule(by=ACTORS, text=TEXT)
    def ask(self, by: Actor, text: str) -> None:
        self.attempt(
            lambda: self.app.complaints.request_information(self.cid, by=by, questions=text)
        )

    @rule(by=ACTORS, text=TEXT)
    def answer(self, by: Actor, text: str) -> None:
        self.attempt(lambda: self.app.complaints.provide_information(self.cid, by=by, summary=text))

    @rule(
        by=ACTORS,
        outcome=st.sampled_from(["upheld", "partly_upheld", "rejected", "withdrawn", "nonsense"]),
        explanation=st.sampled_from(["short", EXPLANATION]),
        remedy=st.sampled_from(
            [None, Money.of("10", "EUR"), Money.of("500", "EUR"), Money.of("-1", "EUR")]
        ),
    )
    def resolve(self, by: Actor, outcome: str, explanation: str, remedy: Money | None) -> None:
        self.attempt(
            lambda: self.app.complaints.resolve(
                self.cid, by=by, outcome=outcome, explanation=explanation, remedy=remedy
            )
        )

    @rule(by=ACTORS, text=TEXT)
    def reopen(self, by: Actor, text: str) -> None:
        self.attempt(lambda: self.app.complaints.reopen(self.cid, by=by, reason=text))

    @rule(by=ACTORS)
    def close(self, by: Actor) -> None:
        self.attempt(lambda: self.app.complaints.close(self.cid, by=by))

    @rule(by=ACTORS, text=TEXT)
    def withdraw(self, by: Actor, text: str) -> None:
        self.attempt(lambda: self.app.complaints.withdraw(self.cid, by=by, reason=text))

    @rule(by=ACTORS, text=TEXT, direction=st.sampled_from(["inbound", "outbound", "sideways"]))
    def contact(self, by: Actor, text: str, direction: str) -> None:
        self.attempt(
            lambda: self.app.complaints.record_contact(
                self.cid, by=by, channel="phone", direction=direction, summary=text
            )
        )

    @rule(by=ACTORS, severity=st.sampled_from(["low", "critical", "urgent"]))
    def severity(self, by: Actor, severity: str) -> None:
        self.attempt(
            lambda: self.app.complaints.change_severity(
                self.cid, by=by, severity=severity, reason="checked"
            )
        )

    @precondition(lambda self: bool(self.cid))
    @invariant()
    def state_is_the_fold_of_history(self) -> None:
        events = self.app.events(self.cid)
        assert domain.replay(events) == self.app.complaints.get(self.cid)
        # The latest snapshot and the events after it fold to the same state, on their own;
        # a snapshot under 2 KiB is rewritten by every commit, so it folds every event.
        snapshot = self.app.storage.read_snapshot(self.cid)
        assert snapshot is not None
        if len(snapshot.data) < SNAPSHOT_BYTES_PER_EVENT:
            assert snapshot.version == len(events)
        cases = self.app.complaints.cases
        after = events[snapshot.version :]
        assert cases.restore(self.cid, Loaded(snapshot=snapshot, events=after)) == (
            domain.replay(events),
            len(events),
        )
        assert all(e.by is not None and e.at.utcoffset() is not None for e in events)
        summary = self.app.storage.get_summary(self.cid)
        assert (
            summary is not None and summary.status == self.app.complaints.get(self.cid).status.value
        )


TestComplaintMachine = ComplaintMachine.TestCase
TestComplaintMachine.settings = settings(
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
