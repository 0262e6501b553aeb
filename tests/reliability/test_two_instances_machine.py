"""A hypothesis state machine over the whole app: two instances share one SQLite file.

Each instance has its own clock. Commands and ticks go to either one at random, at random
times, and a lagging instance acts in the past of what the other already wrote (out of
order). After every step: each timer's effect happened once (one warning and one breach per
clock run, one firing per rule occurrence, one closing per resolution), no stream holds an
event dated before the one it follows, every accepted case reads back, and nothing was
dropped from the outbox (every message a case sent is stored; a delivered one was offered
exactly once).
"""

from __future__ import annotations

import collections
import contextlib
import json
import tempfile
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from walletcare import Actor, BusinessCalendar, MessageStatus, Settings, Walletcare, WalletcareError
from walletcare.config import (
    Action,
    ActionKind,
    CaseSettings,
    Condition,
    Once,
    Oversight,
    Rule,
    SlaChoice,
    SlaPolicy,
    SlaTarget,
)
from walletcare.domain.clock_events import ClockBreached, ClockStarted, ClockWarned
from walletcare.domain.complaints.events import ComplaintClosed, ComplaintReopened, ContactRecorded
from walletcare.domain.escalation import RuleFired
from walletcare.testing import FixedClock, RecordingNotifier

from ..complaints_fixtures import EXPLANATION, T0, intake

STAFF = Actor.staff("agent-1")
POLICY = SlaPolicy(
    name="fast",
    calendar=BusinessCalendar.always_open("UTC"),
    targets=(
        SlaTarget(metric="acknowledgement", duration=timedelta(hours=4), pauses=False),
        SlaTarget(metric="resolution", duration=timedelta(hours=24), warn_at=Decimal("0.5")),
    ),
)
BREACH = Rule(
    id="breach",
    when=Condition(fact="resolution.breached", op="is", value="true"),
    then=(
        Action(kind=ActionKind.ESCALATE),
        Action(kind=ActionKind.NOTIFY, role="complaints_officer", channel="staff"),
    ),
    once=Once.CLOCK,
    metric="resolution",
)
WHICH = st.integers(0, 1)
PICK = st.integers(0, 20)


class TwoInstances(RuleBasedStateMachine):
    """Two Walletcare instances on one SQLite file, driven at random times."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(self.dir.name) / 'shared.db'}?synchronous=normal"
        config = Settings(
            storage_url=url,
            load_entry_points=False,
            cases={
                "complaint": CaseSettings(
                    oversight=Oversight(sla=(SlaChoice(policy=POLICY),), rules=(BREACH,))
                )
            },
        )
        self.world = T0
        self.notifier = RecordingNotifier()
        self.clocks = [FixedClock(T0), FixedClock(T0)]
        self.apps = [
            Walletcare(config, clock=clock, plugins=[self.notifier]) for clock in self.clocks
        ]
        self.cases: list[str] = []
        self.opened = 0

    def teardown(self) -> None:
        for app in self.apps:
            app.close()
        self.dir.cleanup()

    def attempt(self, command: Callable[[], object]) -> None:
        """Run a command; a refusal must be a WalletcareError (anything else fails the run)."""
        with contextlib.suppress(WalletcareError):
            command()

    def case(self, pick: int) -> str:
        return self.cases[pick % len(self.cases)]

    # -- time ------------------------------------------------------------------------------
    @rule(hours=st.sampled_from([1, 3, 12, 30, 100]))
    def time_passes(self, hours: int) -> None:
        self.world += timedelta(hours=hours)

    @rule(which=WHICH, lag=st.integers(0, 36))
    def set_clock(self, which: int, lag: int) -> None:
        """An instance's clock lags the world by up to a day and a half (out of order)."""
        self.clocks[which].set(self.world - timedelta(hours=lag))

    @rule(which=WHICH, lag=st.sampled_from([0, 0, 2, 30]))
    def tick(self, which: int, lag: int) -> None:
        """Tick at the world's time, or behind it (a ticker whose clock lags)."""
        self.clocks[which].set(self.world - timedelta(hours=lag))
        report = self.apps[which].tick()
        assert report.errors == ()

    # -- commands --------------------------------------------------------------------------
    @rule(which=WHICH, customer=st.integers(0, 2), tx=st.integers(0, 2), de=st.booleans())
    def open(self, which: int, customer: int, tx: int, de: bool) -> None:
        app = self.apps[which]
        filed = intake(
            customer_id=f"cust-{customer}",
            transactions=(f"tx-{tx}",),
            occurred_at=T0 - timedelta(days=1),
            jurisdiction="DE" if de else "",
        )
        try:
            receipt = app.complaints.open(filed, by=Actor.customer(f"cust-{customer}"))
        except WalletcareError:
            return
        if receipt.complaint_id not in self.cases:
            self.cases.append(receipt.complaint_id)

    @precondition(lambda self: self.cases)
    @rule(which=WHICH, pick=PICK)
    def acknowledge(self, which: int, pick: int) -> None:
        service = self.apps[which].complaints
        self.attempt(lambda: service.acknowledge(self.case(pick), by=STAFF))

    @precondition(lambda self: self.cases)
    @rule(which=WHICH, pick=PICK)
    def request_information(self, which: int, pick: int) -> None:
        service = self.apps[which].complaints
        self.attempt(
            lambda: service.request_information(self.case(pick), by=STAFF, questions="receipt?")
        )

    @precondition(lambda self: self.cases)
    @rule(which=WHICH, pick=PICK)
    def provide_information(self, which: int, pick: int) -> None:
        service = self.apps[which].complaints
        customer = service.get(self.case(pick)).customer_id
        self.attempt(
            lambda: service.provide_information(
                self.case(pick), by=Actor.customer(customer), summary="attached"
            )
        )

    @precondition(lambda self: self.cases)
    @rule(which=WHICH, pick=PICK)
    def resolve(self, which: int, pick: int) -> None:
        service = self.apps[which].complaints
        self.attempt(
            lambda: service.resolve(
                self.case(pick), by=STAFF, outcome="upheld", explanation=EXPLANATION
            )
        )

    @precondition(lambda self: self.cases)
    @rule(which=WHICH, pick=PICK)
    def reopen(self, which: int, pick: int) -> None:
        service = self.apps[which].complaints
        customer = service.get(self.case(pick)).customer_id
        self.attempt(
            lambda: service.reopen(self.case(pick), by=Actor.customer(customer), reason="no")
        )

    @precondition(lambda self: self.cases)
    @rule(which=WHICH, pick=PICK)
    def withdraw(self, which: int, pick: int) -> None:
        service = self.apps[which].complaints
        customer = service.get(self.case(pick)).customer_id
        self.attempt(
            lambda: service.withdraw(self.case(pick), by=Actor.customer(customer), reason="ok")
        )

    # -- invariants ------------------------------------------------------------------------
    @invariant()
    def every_case_reads_back_and_each_timer_effect_happened_once(self) -> None:
        reader = self.apps[0]
        for cid in self.cases:
            for app in self.apps:
                assert app.complaints.get(cid).id == cid
            assert len(reader.complaints.history(cid)) == reader.storage.stream_version(cid)
            events = reader.events(cid)
            times = [e.at for e in events]
            assert times == sorted(times), f"{cid}: an event is dated before the one it follows"
            run: dict[str, int] = {}
            effects: collections.Counter[tuple[str, ...]] = collections.Counter()
            closings = 0
            for event in events:
                if isinstance(event, ClockStarted):
                    run[event.metric] = event.run
                elif isinstance(event, ClockWarned | ClockBreached):
                    effects[(event.kind, event.metric, str(run[event.metric]))] += 1
                elif isinstance(event, RuleFired):
                    effects[(event.kind, event.occurrence)] += 1
                elif isinstance(event, ComplaintReopened):
                    closings = 0
                elif isinstance(event, ComplaintClosed):
                    closings += 1
                    assert closings == 1, f"{cid} was closed twice without a reopening"
            assert all(n == 1 for n in effects.values()), (cid, effects)

    @invariant()
    def nothing_is_dropped_from_the_outbox(self) -> None:
        reader = self.apps[0]
        for cid in self.cases:
            sent = [
                e.contact.message_id
                for e in reader.events(cid)
                if isinstance(e, ContactRecorded) and e.contact.message_id
            ]
            stored = {m.id: m for m in reader.messages(cid)}
            assert set(sent) <= set(stored), f"{cid}: a message it sent is not in the outbox"
        offers: collections.Counter[str] = collections.Counter()
        for offered in self.notifier.sent:  # a staff digest carries the alerts it groups
            digest = json.loads(offered.data).get("digest_of") if offered.data else None
            offers.update(digest or [offered.id])
        for status in (MessageStatus.DELIVERED, MessageStatus.PENDING):
            for message in reader.storage.list_messages(status, 10_000):
                expected = 1 if status is MessageStatus.DELIVERED else 0
                assert offers[message.id] == expected, (message.id, status, offers[message.id])
        assert reader.dead_letters() == []


TwoInstances.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_two_instances_on_one_file = TwoInstances.TestCase
