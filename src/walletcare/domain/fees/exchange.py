"""Reference exchange rates: one unit of a base currency in a quote currency (ECB style)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from attrs import field, frozen

from walletcare.domain.fieldtypes import check_fields
from walletcare.domain.money import Money, is_currency
from walletcare.errors import ValidationError

__all__ = ["ExchangeRate"]


def _currency(_: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or not is_currency(value):
        raise ValidationError.of(attribute.name, f"{value!r} is not an ISO 4217 currency")


@frozen(kw_only=True)
class ExchangeRate:
    """``1 base = rate quote``; the ECB publishes euro rates this way (1 EUR = 7.4570 DKK).

    ``source`` says whose rate it is and when (e.g. "ECB 2026-03-02"), for the disclosure.
    """

    base: str = field(validator=_currency)
    quote: str = field(validator=_currency)
    rate: Decimal
    source: str = ""

    def __attrs_post_init__(self) -> None:
        check_fields(self)
        if not isinstance(self.rate, Decimal) or not self.rate.is_finite() or self.rate <= 0:
            raise ValidationError.of("rate", f"must be a positive Decimal, got {self.rate!r}")
        if self.base == self.quote:
            raise ValidationError.of("quote", "must differ from the base currency")

    def converts(self, source: str, target: str) -> bool:
        """Tell whether this rate converts ``source`` into ``target`` (either way round)."""
        return {source, target} == {self.base, self.quote}

    def convert(self, amount: Decimal, source: str) -> Decimal:
        """``amount`` of ``source`` in the other currency, unrounded (28 significant digits)."""
        if source == self.base:
            return amount * self.rate
        return amount / self.rate

    def per(self, source: str) -> Decimal:
        """Units of the other currency one unit of ``source`` buys."""
        return self.rate if source == self.base else 1 / self.rate

    def check(self, source: str, target: str, field_name: str) -> None:
        """Refuse a rate that does not convert between ``source`` and ``target``."""
        if not self.converts(source, target):
            raise ValidationError.of(
                field_name,
                f"converts {self.base}/{self.quote}, but {source} to {target} is needed",
            )

    def money(self, amount: Money) -> Decimal:
        """``amount`` in the other currency, unrounded."""
        if amount.currency not in (self.base, self.quote):
            raise ValidationError.of("rate", f"does not convert {amount.currency}")
        return self.convert(amount.amount, amount.currency)
