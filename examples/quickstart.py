"""walletcare quick start: exact money and a regulatory deadline on a real business calendar."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from walletcare import BusinessCalendar, Money


def main() -> None:
    refund = Money.of("100.00", "EUR")
    parts = refund.split(3)
    print("A EUR 100.00 refund in three parts:", ", ".join(str(p) for p in parts))

    support = BusinessCalendar.build(
        zone="Europe/Berlin", hours={"mon-fri": "09:00-12:00,13:00-17:00"}, country="DE"
    )
    received = datetime(2026, 5, 22, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    day_15 = support.add_business_days(received, 15)
    print(f"Received {received:%a %d %b %Y %H:%M}: counts from {support.business_day_of(received)}")
    print(f"15 business days later: {day_15} (closes {support.close_of(day_15):%H:%M})")


if __name__ == "__main__":
    main()
