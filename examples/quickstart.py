"""walletcare quick start: one complaint from intake to resolution on the default SQLite file,
with its PSD2 deadline counted on Germany's business days and the card number an agent typed
masked in the customer's SMS.

Run it from any directory; it keeps its cases in ``walletcare.db`` there.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from walletcare import (
    Actor,
    ContactPoint,
    DeliveryReceipt,
    EvidenceRef,
    Money,
    NewComplaint,
    OutboundMessage,
    Walletcare,
    hookimpl,
)


class PrintedSms:
    """A stand-in SMS channel: prints instead of sending. Real hosts plug in their gateway."""

    @hookimpl
    def walletcare_channels(self) -> list[str]:
        return ["sms"]

    @hookimpl
    def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        if message.channel != "sms":
            return None
        print(f"  SMS to {message.recipient}: {message.subject}")
        return DeliveryReceipt(message_id=message.id, channel="sms")


def main() -> None:
    # Default settings: cases live in sqlite:///walletcare.db, the real clock tells the time.
    with Walletcare(plugins=[PrintedSms()]) as app:
        now = app.now()
        alice, agent = Actor.customer("alice"), Actor.staff("agent-7")

        receipt = app.complaints.open(
            NewComplaint(
                customer_id="alice",
                category="transaction_failure",
                channel="in_app",
                description="My top-up of EUR 120.00 was debited from my bank but never arrived.",
                occurred_at=now - timedelta(hours=5),
                transactions=["topup-7781"],
                amount_lost=Money.of("120.00", "EUR"),
                evidence=[EvidenceRef(kind="bank_statement", ref="files/alice/stmt-0311.pdf")],
                contact=ContactPoint(channel="sms", address="+4915100000000"),
                language="en",
                customer_zone="Europe/Berlin",
                jurisdiction="DE",  # PSD2: final reply within 15 business days
                product="wallet",
            )
        )
        cid = receipt.complaint_id
        print(f"Opened {cid}, severity {receipt.severity.value}")
        for clock in app.complaints.get(cid).clocks:
            due = clock.deadline.astimezone(ZoneInfo("Europe/Berlin"))
            print(f"  {clock.metric} due before {due:%a %d %b %Y %H:%M} ({clock.source})")

        app.complaints.acknowledge(cid, by=agent)
        app.complaints.start_investigation(cid, by=agent)
        app.complaints.request_information(
            cid, by=agent, questions="the bank reference for the top-up from card 4111111111111111"
        )
        app.complaints.provide_information(
            cid, by=alice, summary="Reference SEPA-2231-XK", channel="in_app"
        )
        app.complaints.resolve(
            cid,
            by=agent,
            outcome="upheld",
            explanation=(
                "The top-up reached us but was held by a fraud check in error. We have credited it."
            ),
            remedy=Money.of("120.00", "EUR"),
        )
        print("Queued for alice (they wait for 08:00-21:00 in Berlin):")
        for message in app.messages(cid):
            due = message.due_at.astimezone(ZoneInfo("Europe/Berlin"))
            print(f"  {due:%a %H:%M} {message.template}")
            if message.template == "complaint.information_requested":
                # The card number the agent typed is masked: only its last digits show.
                print(f"    {message.body.splitlines()[0]}")
        print("Delivering what is due now:")
        app.tick()

        met = [(c.metric, c.met) for c in app.complaints.get(cid).clocks]
        print(f"Clocks after resolution (metric, met in time): {met}")

        print("Audit trail:")
        for entry in app.complaints.history(cid):
            local = entry.at.astimezone(ZoneInfo("Europe/Berlin"))
            print(f"  #{entry.version:<2} {local:%Y-%m-%d %H:%M} {entry.actor:<18} {entry.kind}")


if __name__ == "__main__":
    main()
