"""Fee transparency end to end: publish a schedule, quote before paying, disclose in English and
Chinese, audit what was charged, and remedy an overcharge exactly once.

Runs on in-memory storage with a fixed clock, so it prints the same every time.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from walletcare import (
    PBOC_NOTICE,
    Charge,
    DeliveryReceipt,
    ExchangeRate,
    FeeRule,
    FeeSchedule,
    Money,
    OutboundMessage,
    ScheduleVersion,
    Settings,
    Tax,
    Walletcare,
    hookimpl,
)
from walletcare.testing import FixedClock

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class PrintedPayments:
    """A stand-in payments channel: prints the refund instruction instead of paying it."""

    def __init__(self) -> None:
        self.paid: set[str] = set()

    @hookimpl
    def walletcare_channels(self) -> list[str]:
        return ["payments"]

    @hookimpl
    def walletcare_deliver(self, message: OutboundMessage) -> DeliveryReceipt | None:
        if message.channel != "payments":
            return None
        if message.id not in self.paid:  # the id is the idempotency key: pay once
            self.paid.add(message.id)
            order = json.loads(message.data)
            print(f"  PAY {order['currency']} {order['amount']} to {order['customer_id']}")
        return DeliveryReceipt(message_id=message.id, channel="payments")


SCHEDULE = FeeSchedule(
    name="wallet",
    zone="Asia/Shanghai",
    notice=PBOC_NOTICE,
    versions=(
        ScheduleVersion(
            id="2026-01",
            effective_from=datetime(2026, 1, 1, tzinfo=UTC),
            announced_at=datetime(2025, 11, 20, tzinfo=UTC),
            rules=(
                FeeRule(
                    id="withdrawal",
                    transaction_type="withdrawal",
                    currency="CNY",
                    percent=Decimal("0.1"),
                    minimum=Decimal("0.10"),
                    free_per_month=3,
                ),
                FeeRule(
                    id="card-abroad",
                    transaction_type="merchant_payment",
                    currency="EUR",
                    fx_markup_percent=Decimal("3.5"),
                ),
                FeeRule(
                    id="remittance",
                    transaction_type="cross_border",
                    currency="USD",
                    fixed=Decimal("4.99"),
                    fx_markup_percent=Decimal("2"),
                    taxes=(Tax(name="State tax", percent=Decimal("1")),),
                ),
            ),
        ),
    ),
)


def main() -> None:
    payments = PrintedPayments()
    app = Walletcare(Settings(storage_url="memory://"), plugins=[payments], clock=FixedClock(NOW))

    # 1. Publish: the schedule is recorded, versioned, and cannot be rewritten afterwards.
    app.fees.publish(SCHEDULE)
    print(app.fees.disclose_schedule("wallet", "en"))
    print()
    print(app.fees.disclose_schedule("wallet", "zh_CN"))

    # 2. Quote before paying: the 4th withdrawal this month, in both languages.
    q = app.fees.quote(
        "wallet", transaction_type="withdrawal", amount=Money.of("50.00", "CNY"), used_this_month=3
    )
    print()
    print(app.fees.disclose_quote(q, "en"))
    print(app.fees.disclose_quote(q, "zh_CN"))

    # 3. A card payment in Danish kroner: the CBPR mark-up statement.
    card = app.fees.quote(
        "wallet",
        transaction_type="merchant_payment",
        amount=Money.of("1375", "DKK"),
        pay_in="EUR",
        rate=ExchangeRate(base="EUR", quote="DKK", rate=Decimal("7.4570"), source="ECB"),
    )
    print()
    print(app.fees.markup_statement(card, "en"))

    # 4. A remittance to Mexico: the Reg E pre-payment disclosure.
    remit = app.fees.quote(
        "wallet",
        transaction_type="cross_border",
        amount=Money.of("100.00", "USD"),
        pay_out="MXN",
        rate=ExchangeRate(base="USD", quote="MXN", rate=Decimal("17.15")),
    )
    print()
    print(app.fees.remittance_disclosure(remit, "en"))

    # 5. Audit what the ledger charged: five withdrawals by one customer in January, the
    #    fifth overcharged by CNY 1.00.
    charges = []
    for i, fee in enumerate(["0.00", "0.00", "0.00", "0.80", "1.80"]):
        charges.append(
            Charge(
                transaction_id=f"wd-{i + 1}",
                customer_id="mei",
                at=datetime(2026, 1, 10 + i, 3, tzinfo=UTC),
                transaction_type="withdrawal",
                amount=Money.of("800.00", "CNY"),
                fee=Money.of(fee, "CNY"),
            )
        )
    report = app.fees.audit("wallet", charges)
    print()
    for found in report.discrepancies:
        print(
            f"{found.charge.transaction_id}: charged {found.charged}, expected {found.expected} "
            f"({found.finding.value}, rule {found.rule})"
        )

    # 6. Remedy: refund on the payments channel and a fees complaint; running it again (or
    #    auditing the same charges again) pays nothing twice.
    first = app.fees.remedy(report)
    again = app.fees.remedy(app.fees.audit("wallet", charges))
    app.tick(NOW + timedelta(minutes=1))
    print(f"remedied {first.remedied}, complaints {first.complaints}")
    print(f"second run: remedied {again.remedied}, already {again.already_remedied}")
    complaint = app.complaints.get(first.complaints[0])
    print(f"complaint {complaint.id}: {complaint.category.value}, {complaint.amount_lost}")
    assert len(payments.paid) == 1
    app.close()


if __name__ == "__main__":
    main()
