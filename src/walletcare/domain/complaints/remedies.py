"""A remedy against the loss: in the loss's currency, or converted at a recorded rate."""

from __future__ import annotations

from walletcare.domain.fees.exchange import ExchangeRate
from walletcare.domain.money import Money
from walletcare.errors import ValidationError

__all__ = ["remedy_rate"]


def remedy_rate(
    lost: Money | None, remedy: Money, rate: ExchangeRate | None, *, capped: bool
) -> ExchangeRate | None:
    """The rate kept with a remedy: needed (and checked) when it is not in the loss's
    currency; a ``capped`` remedy (not fully upheld), converted at it, may not exceed the
    loss."""
    if rate is not None and not isinstance(rate, ExchangeRate):
        raise ValidationError.of("rate", f"must be an ExchangeRate, got {type(rate).__name__}")
    if lost is None or lost.currency == remedy.currency:
        if rate is not None:
            raise ValidationError.of("rate", "the remedy is in the loss's currency: no rate")
        worth = remedy.amount
    else:
        if rate is None:
            raise ValidationError.of(
                "remedy",
                f"is in {remedy.currency} but the loss is in {lost.currency}: give the "
                "exchange rate (rate=) or pay in the loss's currency",
            )
        rate.check(remedy.currency, lost.currency, "rate")
        worth = rate.money(remedy)
    if capped and lost is not None and worth > lost.amount:
        raise ValidationError.of(
            "remedy",
            f"{remedy} is worth {lost.currency} {worth:.2f}, more than the {lost} lost "
            "for a partly upheld complaint",
        )
    return rate
