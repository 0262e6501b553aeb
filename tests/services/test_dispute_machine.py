"""A hypothesis state machine: random dispute commands and ticks, valid and invalid, keep the
invariants: money conserved, no submission after due_by, every provisional credit settled,
the state the fold of its history, refused commands change nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.disputes_fixtures import T0, new_dispute
from walletcare import Actor, ExchangeRate, Money, Settings, Walletcare
from walletcare.disputes import (
    CreditStatus,
    DisputedTransaction,
    EvidenceItem,
    Participant,
    Party,
)
from walletcare.domain.disputes import DisputeOpened, EvidenceRequested, EvidenceSubmitted, replay
from walletcare.errors import DomainError, ValidationError
from walletcare.testing import FixedClock

PARTIES = st.sampled_from(["customer", "merchant", "wallet"])
ACTORS = st.sampled_from(
    [Actor.staff("agent-1"), Actor.customer("cust-1"), Actor("merchant", "shop-9")]
)
AMOUNTS = st.sampled_from(["0.00", "0.01", "12.34", "59.99", "60.00", "60.01", "99.00"])
OFFERS = st.sampled_from(
    ["full_refund", "partial_refund", "refund_with_return", "replacement", "credit", "rejection"]
)
STAFF_MOSTLY = st.sampled_from(
    [Actor.staff("agent-1"), Actor.staff("agent-2"), Actor.staff("agent-3"), Actor.customer("c")]
)
RATE = ExchangeRate(base="USD", quote="EUR", rate=Decimal("0.9137"))


class DisputeMachine(RuleBasedStateMachine):
    """Drives one dispute with random commands and checks the invariants after each."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock(T0)
        self.app = Walletcare(
            Settings(storage_url="memory://", load_entry_points=False), clock=self.clock
        )
        self.did = "dsp-m"

    @initialize(
        profile=st.sampled_from(["visa", "paypal_like", "wallet", "mastercard"]),
        reason=st.sampled_from(["unauthorized", "unauthorized", "duplicate", "not_received"]),
        converted=st.booleans(),
        verified=st.booleans(),
    )
    def open(self, profile: str, reason: str, converted: bool, verified: bool) -> None:
        us = {"jurisdiction": "US"}
        self.app.disputes.open(
            self.did,
            new_dispute(
                customer=Participant(party="customer", id="cust-1", **us),
                merchant=Participant(party="merchant", id="shop-9", jurisdiction="DE"),
                wallet=Participant(party="wallet", id="wallet", **us),
                transactions=(
                    DisputedTransaction(
                        id="tx-1",
                        amount=Money.of("75.00", "USD"),
                        disputed=Money.of("60.00", "USD"),
                        occurred_at=T0 - timedelta(days=5),
                    ),
                ),
                reason=reason,
                profile=profile,
                account_currency="EUR" if converted else "",
                rate=RATE if converted else None,
                identity_verified=verified,
            ),
            by=Actor.customer("cust-1"),
        )

    def attempt(self, command) -> None:  # type: ignore[no-untyped-def]
        """Run a command; if it is refused, nothing may have changed."""
        before = self.app.storage.read_stream(self.did)
        try:
            command()
        except (DomainError, ValidationError):
            assert self.app.storage.read_stream(self.did) == before

    def money(self, amount: str) -> Money:
        return Money.of(amount, "USD")

    # -- time ------------------------------------------------------------------------------
    @rule(hours=st.integers(0, 24 * 12))
    def wait(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))
        self.app.tick()

    # -- commands --------------------------------------------------------------------------
    @rule(by=ACTORS, party=PARTIES)
    def escalate_inquiry(self, by: Actor, party: str) -> None:
        self.attempt(
            lambda: self.app.disputes.escalate_inquiry(
                self.did, by=by, party=party, reason="no reply"
            )
        )

    @rule(by=ACTORS, party=PARTIES, text=st.sampled_from(["", "it never came"]))
    def stage(self, by: Actor, party: str, text: str) -> None:
        items = [EvidenceItem(kind="receipt", reference="r-1")] if text else []
        self.attempt(
            lambda: self.app.disputes.stage_evidence(
                self.did, by=by, party=party, items=items, text=text
            )
        )

    @rule(by=ACTORS, party=PARTIES)
    def submit(self, by: Actor, party: str) -> None:
        self.attempt(lambda: self.app.disputes.submit_evidence(self.did, by=by, party=party))

    @rule(by=ACTORS, party=PARTIES, offer=OFFERS, amount=st.none() | AMOUNTS, to=PARTIES)
    def offer(self, by: Actor, party: str, offer: str, amount: str | None, to: str) -> None:
        money = self.money(amount) if amount is not None else None
        self.attempt(
            lambda: self.app.disputes.offer(
                self.did, by=by, party=party, to=to, offer=offer, amount=money, reasons="why"
            )
        )

    @rule(by=ACTORS, party=PARTIES, n=st.integers(1, 4), offer=OFFERS, amount=AMOUNTS)
    def counter(self, by: Actor, party: str, n: int, offer: str, amount: str) -> None:
        self.attempt(
            lambda: self.app.disputes.counter(
                self.did,
                f"offer-{n}",
                by=by,
                party=party,
                offer=offer,
                amount=self.money(amount) if offer not in ("replacement", "rejection") else None,
                reasons="counter",
            )
        )

    @rule(by=ACTORS, party=PARTIES, n=st.integers(1, 4), accept=st.booleans())
    def answer(self, by: Actor, party: str, n: int, accept: bool) -> None:
        disputes = self.app.disputes
        if accept:
            self.attempt(lambda: disputes.accept(self.did, f"offer-{n}", by=by, party=party))
        else:
            self.attempt(
                lambda: disputes.decline(self.did, f"offer-{n}", by=by, party=party, reason="no")
            )

    @rule(by=STAFF_MOSTLY, amount=st.none() | st.sampled_from(["10.00", "54.82", "80.00"]))
    def credit(self, by: Actor, amount: str | None) -> None:
        account = self.app.disputes.get(self.did).account_currency
        money = Money.of(amount, account) if amount is not None else None
        self.attempt(lambda: self.app.disputes.credit(self.did, by=by, amount=money))

    @rule(by=STAFF_MOSTLY)
    def verify(self, by: Actor) -> None:
        self.attempt(lambda: self.app.disputes.verify_identity(self.did, by=by))

    @rule(by=STAFF_MOSTLY, award=AMOUNTS, payer=st.sampled_from([None, "merchant", "wallet"]))
    def decide(self, by: Actor, award: str, payer: str | None) -> None:
        self.attempt(
            lambda: self.app.disputes.decide(
                self.did, by=by, award=self.money(award), payer=payer, explanation="because"
            )
        )

    @rule(by=ACTORS, party=PARTIES)
    def appeal(self, by: Actor, party: str) -> None:
        self.attempt(
            lambda: self.app.disputes.appeal(self.did, by=by, party=party, reason="disagree")
        )

    @rule(by=ACTORS, party=PARTIES, to=st.sampled_from(["mediation", "arbitration", "court"]))
    def refer(self, by: Actor, party: str, to: str) -> None:
        self.attempt(
            lambda: self.app.disputes.refer(self.did, by=by, party=party, to=to, reason="third")
        )

    @rule(by=ACTORS)
    def withdraw(self, by: Actor) -> None:
        self.attempt(lambda: self.app.disputes.withdraw(self.did, by=by, reason="done"))

    # -- invariants ------------------------------------------------------------------------
    @invariant()
    def state_is_the_fold_of_history(self) -> None:
        assert self.app.disputes.get(self.did) == replay(self.app.events(self.did))

    @invariant()
    def money_is_conserved(self) -> None:
        d = self.app.disputes.get(self.did)
        assert d.credited <= d.disputed_account
        for c in d.credits:
            final = c.final or Money.zero(d.account_currency)
            reversing = c.reversing or Money.zero(d.account_currency)
            assert final + reversing == c.amount or c.status is CreditStatus.PROVISIONAL
        for offer in d.offers:
            assert offer.amount is None or offer.amount <= d.disputed
        for result in (d.decision, d.outcome):
            if result is not None:
                assert Money.zero(d.disputed.currency) <= result.award <= d.disputed
        if d.outcome is not None:
            net = Money.zero(d.disputed.currency)
            net_account = Money.zero(d.account_currency)
            for p in d.outcome.payments:
                sign = 1 if p.payee is Party.CUSTOMER else -1 if p.payer is Party.CUSTOMER else 0
                net += p.amount * sign
                net_account += p.account_amount * sign
            assert (net, net_account) == (d.outcome.award, d.outcome.award_account)

    @invariant()
    def no_submission_after_due_by(self) -> None:
        due: dict[Party, object] = {}
        for event in self.app.events(self.did):
            if isinstance(event, EvidenceRequested):
                due[event.party] = event.due_by
            elif isinstance(event, EvidenceSubmitted):
                assert event.at <= due[event.party]  # type: ignore[operator]

    @invariant()
    def every_provisional_credit_is_settled(self) -> None:
        d = self.app.disputes.get(self.did)
        now = self.clock.now()
        for c in d.credits:
            if not d.is_open:
                assert c.status is not CreditStatus.PROVISIONAL
            if c.status is CreditStatus.REVERSING:
                assert c.reverse_at is not None and c.reverse_at > now

    @invariant()
    def opened_once(self) -> None:
        opened = [e for e in self.app.events(self.did) if isinstance(e, DisputeOpened)]
        assert len(opened) == 1


DisputeMachine.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestDisputeMachine = DisputeMachine.TestCase
