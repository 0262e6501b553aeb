"""Quotes: the fee for a transaction before it is paid, line by line, exact to the minor unit.

Rounding (the same everywhere, see ``docs/concepts/fees.md``): an amount converted at the
reference rate is rounded to its currency's minor units first; then each fee line (the
percentage or tiered part, each tax, the mark-up) is rounded on its own with the version's
rounding mode (half to even unless it says otherwise); minimum, maximum and the free
allowance adjust the rounded sum; the total is the sum of the rounded lines, so the
breakdown always adds up to it exactly.
"""

from __future__ import annotations

import enum
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from attrs import frozen

from walletcare.domain.fees.compiled import CompiledRule, CompiledVersion
from walletcare.domain.fees.exchange import ExchangeRate
from walletcare.domain.fees.schedule import ANY, FeeCharging, FeeRule, TransactionType
from walletcare.domain.money import Money, is_currency
from walletcare.errors import ValidationError

__all__ = ["LineKind", "FeeLine", "Conversion", "Quote", "quote", "principal"]

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_TYPES: dict[object, TransactionType] = {
    **{t: t for t in TransactionType},
    **{t.value: t for t in TransactionType},
}
_QUANTA: dict[str, Decimal] = {}
_ZEROS: dict[str, Decimal] = {}
"""Zero at each currency's minor-unit scale, which is also its quantum's exponent."""
_make = tuple.__new__  # every field in order, as namedtuple's own _make does
_DEDUCTED = FeeCharging.DEDUCTED  # an enum member is looked up on its class each time
_ON_TOP = FeeCharging.ON_TOP


def _quantum(currency: str) -> Decimal:
    found = _QUANTA.get(currency)
    if found is None:
        found = _QUANTA[currency] = Money.zero(currency).amount
    return found


def _money(amount: Decimal, currency: str) -> Money:
    """Money from an amount this module computed in a currency already checked.

    Skips Money's validators on the hot path: the amount is a finite Decimal from
    arithmetic on checked inputs, the currency came from a checked Money or rule.
    """
    money = object.__new__(Money)
    object.__setattr__(money, "amount", amount)
    object.__setattr__(money, "currency", currency)
    return money


class LineKind(enum.StrEnum):
    """What a line of a fee breakdown is."""

    FIXED = "fixed"
    PERCENTAGE = "percentage"
    TIERED = "tiered"
    MINIMUM = "minimum"
    """Raises the service fee to the rule's minimum."""
    MAXIMUM = "maximum"
    """Brings the service fee down to the rule's maximum (a negative line)."""
    ALLOWANCE = "allowance"
    """Waives the service fee for a transaction inside the monthly free allowance."""
    TAX = "tax"
    FX_MARKUP = "fx_markup"


@frozen(kw_only=True)
class FeeLine:
    """One line of a breakdown: what it is, its amount, and its percentage where it has one."""

    kind: LineKind
    amount: Money
    percent: Decimal | None = None
    label: str = ""


@frozen(kw_only=True)
class Conversion:
    """A currency conversion inside a quote.

    Rates are units of the recipient's currency per unit of the payer's. ``at_reference`` is
    the converted amount at the reference rate, rounded; ``markup`` is the conversion charge
    in the currency it is taken in (the payer's when the payee's amount is fixed, as with a
    card payment abroad; the recipient's when the amount sent is fixed, as with a remittance).
    """

    reference: ExchangeRate
    payer_currency: str
    recipient_currency: str
    reference_rate: Decimal
    applied_rate: Decimal
    markup_percent: Decimal
    at_reference: Money
    markup: Money


class Quote(NamedTuple):
    """The fee for one transaction before it is paid, and what each side pays and gets.

    ``lines`` sum exactly to ``fees`` (in the payer's currency). ``rule`` is empty when the
    schedule lists no fee for the transaction: nothing may be charged for it. The lines are
    built when first read, from the rounded parts the quote keeps, so quoting many
    transactions costs only their arithmetic.

    A quote is a named tuple, immutable and compared field by field: ``quote`` computes every
    field from input it has checked, so nothing is left to validate when one is built, and a
    tuple is the cheapest record Python builds (see ``docs/concepts/fees.md``).
    """

    schedule: str
    version: str
    rule: str
    transaction_type: TransactionType
    channel: str
    segment: str
    amount: Money
    currency: str
    """The payer's currency, which fees are charged in."""
    principal: Decimal
    """What fees are reckoned on, in the payer's currency (the amount, or it converted)."""
    fee_total: Decimal
    recipient_gets: Money
    conversion: Conversion | None
    charging: FeeCharging
    free_per_month: int
    used_this_month: int
    priced: tuple[Decimal, Decimal, Decimal, Decimal, tuple[Decimal, ...]] | None = None
    """The service fee's rounded parts: variable, before limits, after limits, charged, taxes."""
    markup_line: Decimal | None = None
    terms: FeeRule | None = None
    """The rule the lines are labelled from."""

    @property
    def fees(self) -> Money:
        """Everything charged for the transaction: service fee, taxes, conversion mark-up."""
        return _money(self.fee_total, self.currency)

    @property
    def total_paid(self) -> Money:
        """What the payer pays in all, in the payer's currency."""
        if self.charging is FeeCharging.DEDUCTED:
            return _money(self.principal, self.currency)
        return _money(self.principal + self.fee_total, self.currency)

    @property
    def lines(self) -> tuple[FeeLine, ...]:
        """The breakdown, line by line, in the payer's currency."""
        lines: list[FeeLine] = []
        if self.priced is not None and self.terms is not None:
            _service_lines(self.terms, self.priced, self.is_free, self.currency, lines)
        if self.markup_line is not None:
            assert self.conversion is not None
            lines.append(
                FeeLine(
                    kind=LineKind.FX_MARKUP,
                    amount=_money(self.markup_line, self.currency),
                    percent=self.conversion.markup_percent,
                )
            )
        return tuple(lines)

    @property
    def is_free(self) -> bool:
        """Tell whether this transaction falls inside the monthly free allowance."""
        return self.used_this_month < self.free_per_month

    @property
    def free_left(self) -> int:
        """Free transactions of this type left this month after this one."""
        return max(self.free_per_month - self.used_this_month - 1, 0)


def _check(amount: Money, used_this_month: int, channel: str, segment: str) -> None:
    """Check the request at the boundary, naming the offending field."""
    if type(amount) is not Money and not isinstance(amount, Money):
        raise ValidationError.of("amount", f"must be Money, got {type(amount).__name__}")
    value = amount.amount
    try:
        whole = value.quantize(_quantum(amount.currency)) == value
    except InvalidOperation:  # more digits than the decimal context holds
        whole = False
    if not whole or value < 0:
        raise ValidationError.of(
            "amount", f"must be a non-negative whole number of minor units, got {amount}"
        )
    if type(used_this_month) is not int or used_this_month < 0:
        raise ValidationError.of(
            "used_this_month", f"must be a non-negative int, got {used_this_month!r}"
        )
    if type(channel) is not str or not channel:
        raise ValidationError.of("channel", f"must be a non-empty string, got {channel!r}")
    if type(segment) is not str or not segment:
        raise ValidationError.of("segment", f"must be a non-empty string, got {segment!r}")


def principal(
    amount: Money, rate: ExchangeRate | None, pay_in: str | None, pay_out: str | None
) -> tuple[str, Decimal]:
    """The payer's currency and the amount fees are reckoned on, checking the conversion.

    With ``pay_in`` the payee's ``amount`` is converted at the reference rate into the
    payer's currency and rounded; otherwise the amount is the payer's own.
    """
    if pay_in is None and pay_out is None:
        if rate is not None:
            raise ValidationError.of("rate", "given, but neither pay_in nor pay_out needs one")
        return amount.currency, amount.amount
    if pay_in is not None and pay_out is not None:
        raise ValidationError.of("pay_out", "give pay_in or pay_out, not both")
    other = pay_in if pay_in is not None else pay_out
    name = "pay_in" if pay_in is not None else "pay_out"
    if not isinstance(other, str) or not is_currency(other) or other == amount.currency:
        raise ValidationError.of(
            name, f"must be an ISO 4217 currency other than {amount.currency}, got {other!r}"
        )
    if not isinstance(rate, ExchangeRate):
        raise ValidationError.of("rate", f"a conversion to {other} needs an ExchangeRate")
    rate.check(amount.currency, other, "rate")
    if pay_in is None:
        return amount.currency, amount.amount
    return pay_in, rate.convert(amount.amount, amount.currency).quantize(_quantum(pay_in))


def quote(
    version: CompiledVersion,
    *,
    transaction_type: TransactionType | str,
    amount: Money,
    channel: str = ANY,
    segment: str = ANY,
    used_this_month: int = 0,
    rate: ExchangeRate | None = None,
    pay_in: str | None = None,
    pay_out: str | None = None,
) -> Quote:
    """Quote the fee for a transaction under ``version``, before it is paid.

    ``used_this_month`` is how many transactions of this type the customer has made this
    calendar month (they count against the free allowance). For a conversion give the
    reference ``rate`` and either ``pay_in`` (the payer's currency, ``amount`` being what the
    payee gets, as with a card payment abroad) or ``pay_out`` (the recipient's currency,
    ``amount`` being what is sent, as with a remittance).
    """
    kind = _TYPES.get(transaction_type) if isinstance(transaction_type, str) else None
    if kind is None:
        raise ValidationError.of(
            "transaction_type", f"{transaction_type!r} is not a transaction type"
        )
    if (
        type(amount) is not Money
        or type(used_this_month) is not int
        or used_this_month < 0
        or type(channel) is not str
        or not channel
        or type(segment) is not str
        or not segment
    ):
        _check(amount, used_this_month, channel, segment)
    currency = amount.currency
    base = amount.amount
    zero = _ZEROS.get(currency)
    if zero is None:
        zero = _ZEROS[currency] = Money.zero(currency).amount
    if base < 0 or base.quantize(zero) != base:
        _check(amount, used_this_month, channel, segment)  # raises, naming the amount
    if rate is not None or pay_in is not None or pay_out is not None:
        currency, base = principal(amount, rate, pay_in, pay_out)
        zero = _ZEROS.get(currency) or Money.zero(currency).amount
    rule = version.rule_for(kind, currency, channel, segment)
    if rule is None:
        priced, fees = None, zero
    else:
        priced, fees = rule.price(base, used_this_month < rule.free_per_month)
    conversion = markup = None
    if rate is not None:
        recipient = amount.currency if pay_in is not None else str(pay_out)
        conversion, markup = _conversion(
            rule,
            mode=version.mode,
            amount=amount,
            base=base,
            rate=rate,
            currency=currency,
            recipient=recipient,
        )
        if markup is not None:
            fees += markup
    deducted = rule is not None and rule.deducted
    if deducted:
        if fees > base:
            raise ValidationError.of("amount", f"{amount} is less than its fees {fees}")
        gets = _money(base - fees, currency)
    else:
        gets = amount if conversion is None or pay_in is not None else _received(conversion)
    return _make(
        Quote,
        (
            version.schedule,
            version.id,
            rule.id if rule is not None else "",
            kind,
            channel,
            segment,
            amount,
            currency,
            base,
            fees,
            gets,
            conversion,
            _DEDUCTED if deducted else _ON_TOP,
            rule.free_per_month if rule is not None else 0,
            used_this_month,
            priced,
            markup,
            rule.rule if rule is not None else None,
        ),
    )


def _service_lines(
    source: FeeRule,
    priced: tuple[Decimal, Decimal, Decimal, Decimal, tuple[Decimal, ...]],
    free: bool,
    currency: str,
    lines: list[FeeLine],
) -> None:
    variable, raw, fee, _, taxes = priced
    if source.fixed:
        lines.append(FeeLine(kind=LineKind.FIXED, amount=_money(source.fixed, currency)))
    if source.tiers:
        lines.append(FeeLine(kind=LineKind.TIERED, amount=_money(variable, currency)))
    elif source.percent:
        lines.append(
            FeeLine(
                kind=LineKind.PERCENTAGE,
                amount=_money(variable, currency),
                percent=source.percent,
            )
        )
    if fee > raw:
        lines.append(FeeLine(kind=LineKind.MINIMUM, amount=_money(fee - raw, currency)))
    elif fee < raw:
        lines.append(FeeLine(kind=LineKind.MAXIMUM, amount=_money(fee - raw, currency)))
    if free:
        lines.append(FeeLine(kind=LineKind.ALLOWANCE, amount=_money(-fee, currency)))
    for tax, amount in zip(source.taxes, taxes, strict=True):
        lines.append(
            FeeLine(
                kind=LineKind.TAX,
                amount=_money(amount, currency),
                percent=tax.percent,
                label=tax.name,
            )
        )


def _conversion(
    rule: CompiledRule | None,
    *,
    mode: str,
    amount: Money,
    base: Decimal,
    rate: ExchangeRate,
    currency: str,
    recipient: str,
) -> tuple[Conversion, Decimal | None]:
    """The conversion, and the mark-up line charged to the payer (None when there is none)."""
    markup = rule.markup if rule is not None else _ZERO
    percent = rule.rule.fx_markup_percent if rule is not None else None
    percent = percent if percent is not None else _ZERO
    per = rate.per(currency)
    if recipient == amount.currency:
        # Card payment abroad: the payee's amount is fixed; the mark-up is charged on top, in
        # the payer's currency, on the amount converted at the reference rate.
        quantum = _quantum(currency)
        charge = (base * markup).quantize(quantum, mode)
        at_reference = _money(base, currency)
        markup_money = _money(charge, currency)
        line = charge if charge or percent else None
        applied = per / (1 + markup)
    else:
        # Remittance: the amount sent is fixed; the mark-up lowers what the recipient gets.
        quantum = _quantum(recipient)
        converted = (amount.amount * per).quantize(quantum, mode)
        received = (amount.amount * per * (1 - markup)).quantize(quantum, mode)
        at_reference = _money(converted, recipient)
        markup_money = _money(converted - received, recipient)
        line = None
        applied = per * (1 - markup)
    conversion = Conversion(
        reference=rate,
        payer_currency=currency,
        recipient_currency=recipient,
        reference_rate=per,
        applied_rate=applied,
        markup_percent=percent,
        at_reference=at_reference,
        markup=markup_money,
    )
    return conversion, line


def _received(conversion: Conversion) -> Money:
    return conversion.at_reference - conversion.markup
