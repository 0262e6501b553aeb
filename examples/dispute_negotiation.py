"""walletcare disputes: an inquiry negotiated to a settlement, on the default SQLite file.

A customer in Germany disputes a EUR 120 purchase from a French shop that arrived damaged.
Under the ``paypal_like`` profile the dispute opens as an inquiry. The customer asks for a
full refund, which the shop ignores until the offer lapses by timer; the shop then offers a
partial refund, the customer counters, and the shop accepts. The outcome says who pays what
to whom, and the history keeps every offer.

Run it from any directory; it keeps its cases in ``walletcare.db`` there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from walletcare import (
    Actor,
    DeliveryReceipt,
    Money,
    OutboundMessage,
    Settings,
    Walletcare,
    hookimpl,
)
from walletcare.disputes import DisputedTransaction, NewDispute, Participant
from walletcare.testing import FixedClock


class PrintedSms:
    """A stand-in SMS channel: prints instead of sending. Real hosts plug in their gateway."""

    @hookimpl
    def walletcare_channels(self) -> list[str]:
        return ["sms"]

    @hookimpl
    def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        if message.channel != "sms":
            return None
        print(f"  SMS to {message.recipient}: {message.body}")
        return DeliveryReceipt(message_id=message.id, channel="sms")


def main() -> None:
    clock = FixedClock(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    app = Walletcare(Settings(storage_url="sqlite:///walletcare.db"), plugins=[PrintedSms()],
                     clock=clock)  # fmt: skip
    customer, shop = Actor.customer("cust-42"), Actor("merchant", "maison-lyon")
    dispute_id = f"dsp-{clock.now():%Y%m%d}-42"
    try:
        app.disputes.get(dispute_id)
        print(f"{dispute_id} exists already in walletcare.db; remove the file to run again")
        return
    except LookupError:
        pass

    print("The customer opens a dispute:")
    app.disputes.open(
        dispute_id,
        NewDispute(
            customer=Participant(party="customer", id="cust-42", jurisdiction="DE"),
            merchant=Participant(party="merchant", id="maison-lyon", jurisdiction="FR"),
            wallet=Participant(party="wallet", id="our-wallet", jurisdiction="DE"),
            transactions=(
                DisputedTransaction(
                    id="pay-7781",
                    amount=Money.of("120.00", "EUR"),
                    disputed=Money.of("120.00", "EUR"),
                    occurred_at=clock.now() - timedelta(days=6),
                ),
            ),
            reason="not_as_described",
            description="The lamp arrived with a cracked shade.",
            profile="paypal_like",
            contact_channel="sms",
            contact_address="+4915100000042",
        ),
        by=customer,
    )
    app.tick()

    print("The customer asks for a full refund within two days; the shop does not answer:")
    app.disputes.offer(
        dispute_id,
        by=customer,
        party="customer",
        offer="full_refund",
        reasons="I want my money back.",
        expires_at=clock.now() + timedelta(days=2),
    )
    app.tick()
    clock.advance(timedelta(days=2))
    app.tick()  # the offer lapses by its timer
    print(f"  offer-1 is {app.disputes.get(dispute_id).offers[0].status}")

    print("The shop offers a partial refund; the customer counters; the shop accepts:")
    app.disputes.offer(
        dispute_id,
        by=shop,
        party="merchant",
        offer="partial_refund",
        amount=Money.of("30.00", "EUR"),
        reasons="Keep the lamp; a new shade costs about that.",
    )
    clock.advance(timedelta(hours=5))
    app.disputes.counter(
        dispute_id,
        "offer-2",
        by=customer,
        party="customer",
        offer="partial_refund",
        amount=Money.of("45.00", "EUR"),
        reasons="The base is scratched too.",
    )
    clock.advance(timedelta(hours=20))
    settled = app.disputes.accept(dispute_id, "offer-3", by=shop, party="merchant")
    app.tick()

    outcome = settled.outcome
    assert outcome is not None
    print(f"Outcome: {outcome.basis}, in favour of the {outcome.in_favour_of}")
    for payment in outcome.payments:
        print(f"  {payment.payer} pays {payment.payee} {payment.amount}: {payment.why}")
    print("Who proposed what, and when:")
    for offer in settled.offers:
        amount = f" {offer.amount}" if offer.amount is not None else ""
        print(f"  {offer.id} {offer.made_at:%Y-%m-%d %H:%M} {offer.by} -> {offer.to}:"
              f" {offer.kind}{amount} ({offer.status})")  # fmt: skip
    app.close()


if __name__ == "__main__":
    main()
