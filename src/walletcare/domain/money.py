"""Exact money: a ``Decimal`` amount in an ISO 4217 currency, never a float."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, Final

import iso4217
from attrs import field, frozen

from walletcare.domain.constructors import common_case, compile_init
from walletcare.errors import CurrencyMismatch, ValidationError

__all__ = ["Money", "minor_units", "is_currency"]

# Built once from the ISO 4217 table the iso4217 package ships. Codes without minor units
# (gold, SDRs, "no currency") are not money a wallet holds, so they are left out.
_MINOR_UNITS: Final[dict[str, int]] = {
    c.code: c.exponent for c in iso4217.Currency if c.exponent is not None
}
_QUANTUM: Final[dict[str, Decimal]] = {
    code: Decimal(1).scaleb(-exp) for code, exp in _MINOR_UNITS.items()
}
MAX_INTEGER_DIGITS = 24
"""The most digits an amount may have before its decimal point."""
_TEXT = re.compile(r"^\s*([A-Z]{3})\s+([+-]?\d+(?:\.\d+)?)\s*$")


def is_currency(code: str) -> bool:
    """Tell whether ``code`` is an ISO 4217 currency with minor units."""
    return code in _MINOR_UNITS


def minor_units(currency: str) -> int:
    """Return the number of decimal places ISO 4217 gives ``currency`` (JPY 0, USD 2, KWD 3)."""
    try:
        return _MINOR_UNITS[currency]
    except KeyError:
        raise ValidationError.of("currency", f"{currency!r} is not an ISO 4217 currency") from None


@common_case(
    "(type({v}) is _Decimal and {v}.is_finite() and (not {v} or {v}.adjusted() < _DIGITS))",
    names={"_Decimal": Decimal, "_DIGITS": MAX_INTEGER_DIGITS},
)
def _check_amount(_: object, __: object, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, Decimal):
        kind = type(value).__name__
        hint = " (floats are never exact; pass a Decimal or a string)" if kind == "float" else ""
        raise ValidationError.of("amount", f"must be a Decimal, got {kind}{hint}")
    if not value.is_finite():
        raise ValidationError.of("amount", f"must be finite, got {value}")
    if value and value.adjusted() >= MAX_INTEGER_DIGITS:
        # Beyond this, amounts at minor-unit scale no longer fit decimal's 28 digits.
        raise ValidationError.of(
            "amount", f"must have at most {MAX_INTEGER_DIGITS} digits before the point"
        )


@common_case("(type({v}) is str and {v} in _MINOR_UNITS)", names={"_MINOR_UNITS": _MINOR_UNITS})
def _check_currency(_: object, __: object, value: Any) -> None:
    if not isinstance(value, str) or value not in _MINOR_UNITS:
        raise ValidationError.of("currency", f"{value!r} is not an ISO 4217 currency")


def _to_decimal(value: object, field_name: str) -> Decimal:
    """Convert exact inputs (Decimal, int, numeric string) to Decimal; refuse floats."""
    if isinstance(value, bool | float):
        raise ValidationError.of(
            field_name, f"must be exact (Decimal, int or string), got {type(value).__name__}"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValidationError.of(field_name, f"{value!r} is not a number") from None
    else:
        raise ValidationError.of(
            field_name, f"must be a Decimal, int or string, got {type(value).__name__}"
        )
    if not result.is_finite():
        raise ValidationError.of(field_name, f"must be finite, got {value!r}")
    return result


@frozen(order=False)
class Money:
    """An exact amount of one currency.

    Arithmetic and ordering between different currencies raise ``CurrencyMismatch``; two
    amounts in different currencies are never equal.
    """

    amount: Decimal = field(validator=_check_amount)
    currency: str = field(validator=_check_currency)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Build from an exact amount (Decimal, int or numeric string)."""
        return cls(_to_decimal(amount, "amount"), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``, at its minor-unit scale."""
        return cls(Decimal(0).quantize(_quantum(currency)), currency)

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        """Build from an integer count of minor units (cents, fils, yen)."""
        if isinstance(units, bool) or not isinstance(units, int):
            raise ValidationError.of("units", f"must be an int, got {type(units).__name__}")
        return cls(Decimal(units).scaleb(-minor_units(currency)), currency)

    @classmethod
    def parse(cls, text: str) -> Money:
        """Parse the form ``str(money)`` renders, e.g. ``"USD 12.30"``."""
        match = _TEXT.match(text) if isinstance(text, str) else None
        if match is None:
            raise ValidationError.of("money", f"{text!r} is not of the form 'USD 12.30'")
        return cls.of(match.group(2), match.group(1))

    # -- exactness -------------------------------------------------------------------------
    @property
    def minor_units(self) -> int:
        """This amount as an integer count of minor units; raises if it has finer digits."""
        scaled = self.amount.scaleb(_MINOR_UNITS[self.currency])
        if scaled != scaled.to_integral_value():
            raise ValidationError.of(
                "amount",
                f"{self.amount} has more than {_MINOR_UNITS[self.currency]} decimal places "
                f"for {self.currency}; quantize it first",
            )
        return int(scaled)

    @property
    def is_whole(self) -> bool:
        """Tell whether the amount is a whole number of minor units."""
        return self.amount == self.amount.quantize(_QUANTUM[self.currency], ROUND_HALF_EVEN)

    def quantize(self, rounding: str = ROUND_HALF_EVEN) -> Money:
        """Round to the currency's minor units (half-even unless a ``decimal`` mode is given)."""
        return Money(self.amount.quantize(_QUANTUM[self.currency], rounding), self.currency)

    # -- arithmetic ------------------------------------------------------------------------
    def _same(self, other: Money, op: str) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch.of(
                "currency", f"cannot {op} {self.currency} and {other.currency}"
            )

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: object) -> Money:
        if isinstance(factor, Money):
            return NotImplemented
        return Money(self.amount * _to_decimal(factor, "factor"), self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __bool__(self) -> bool:
        return bool(self.amount)

    def _cmp(self, other: object, op: str) -> Decimal:
        if not isinstance(other, Money):
            raise CurrencyMismatch.of("other", f"cannot compare Money with {type(other).__name__}")
        self._same(other, "compare")
        return self.amount - other.amount

    def __lt__(self, other: object) -> bool:
        return self._cmp(other, "<") < 0

    def __le__(self, other: object) -> bool:
        return self._cmp(other, "<=") <= 0

    def __gt__(self, other: object) -> bool:
        return self._cmp(other, ">") > 0

    def __ge__(self, other: object) -> bool:
        return self._cmp(other, ">=") >= 0

    @property
    def is_negative(self) -> bool:
        """Tell whether the amount is below zero."""
        return self.amount < 0

    # -- splitting -------------------------------------------------------------------------
    def allocate(self, ratios: Sequence[Decimal | int | str]) -> list[Money]:
        """Split into parts proportional to ``ratios`` that sum exactly to this amount.

        Works in minor units; the leftover units go one each to the parts whose exact share
        lost the most to rounding down, earlier parts first on ties, so the result is
        deterministic. The amount must be a whole number of minor units.
        """
        if not ratios:
            raise ValidationError.of("ratios", "must not be empty")
        weights = [_to_decimal(r, f"ratios[{i}]") for i, r in enumerate(ratios)]
        for i, w in enumerate(weights):
            if w < 0:
                raise ValidationError.of(f"ratios[{i}]", f"must not be negative, got {w}")
        total_weight = sum(weights, Decimal(0))
        if total_weight == 0:
            raise ValidationError.of("ratios", "must not all be zero")
        units = self.minor_units
        sign = -1 if units < 0 else 1
        units = abs(units)
        # Exact integer arithmetic: scale the weights to integers first.
        exponent = min(w.as_tuple().exponent for w in weights)
        scale = 10 ** -int(exponent) if isinstance(exponent, int) and exponent < 0 else 1
        ints = [int(w * scale) for w in weights]
        denom = sum(ints)
        shares = [units * w // denom for w in ints]
        remainders = [units * w % denom for w in ints]
        left = units - sum(shares)
        order = sorted(range(len(ints)), key=lambda i: (-remainders[i], i))
        for i in order[:left]:
            shares[i] += 1
        return [Money.from_minor_units(sign * s, self.currency) for s in shares]

    def split(self, parts: int) -> list[Money]:
        """Split into ``parts`` near-equal amounts that sum exactly to this amount."""
        if isinstance(parts, bool) or not isinstance(parts, int) or parts < 1:
            raise ValidationError.of("parts", f"must be a positive int, got {parts!r}")
        return self.allocate([1] * parts)

    # -- rendering -------------------------------------------------------------------------
    def __str__(self) -> str:
        exp = _MINOR_UNITS[self.currency]
        amount = self.amount
        if -int(amount.as_tuple().exponent) < exp:
            amount = amount.quantize(_QUANTUM[self.currency])
        return f"{self.currency} {amount:f}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"


# Amounts are built by every calculation: through a compiled constructor (the same checks).
compile_init(Money)


def _quantum(currency: str) -> Decimal:
    minor_units(currency)
    return _QUANTUM[currency]
