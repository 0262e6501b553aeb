"""Money: exact amounts, currencies, minor units, splitting, rendering."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from walletcare import Money
from walletcare.domain.money import minor_units
from walletcare.errors import CurrencyMismatch, ValidationError

CURRENCIES = st.sampled_from(["USD", "EUR", "JPY", "KWD", "CLF", "CNY", "INR", "BHD"])


@st.composite
def whole_money(draw: st.DrawFn) -> Money:
    currency = draw(CURRENCIES)
    units = draw(st.integers(min_value=-(10**12), max_value=10**12))
    return Money.from_minor_units(units, currency)


def test_refuses_floats_with_a_clear_error() -> None:
    """A float amount is refused naming the field and why."""
    with pytest.raises(ValidationError) as err:
        Money(1.1, "USD")  # type: ignore[arg-type]
    assert err.value.fields == ("amount",)
    assert "float" in str(err.value)
    with pytest.raises(ValidationError):
        Money.of(1.1, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_refuses_non_finite(amount: str) -> None:
    """NaN and infinities are not money."""
    with pytest.raises(ValidationError):
        Money.of(amount, "USD")


@pytest.mark.parametrize("currency", ["usd", "XXX", "ABC", "XAU", "", 840])
def test_refuses_unknown_currencies(currency: object) -> None:
    """Only ISO 4217 codes with minor units are currencies here."""
    with pytest.raises(ValidationError) as err:
        Money.of("1", currency)  # type: ignore[arg-type]
    assert err.value.fields == ("currency",)


@pytest.mark.parametrize(
    ("currency", "units"), [("JPY", 0), ("USD", 2), ("EUR", 2), ("KWD", 3), ("BHD", 3), ("CLF", 4)]
)
def test_minor_units_follow_iso_4217(currency: str, units: int) -> None:
    """Minor units come from the ISO table, e.g. JPY 0, KWD 3, CLF 4."""
    assert minor_units(currency) == units


def test_arithmetic_across_currencies_raises() -> None:
    """Adding, subtracting or ordering different currencies raises CurrencyMismatch."""
    usd, eur = Money.of("1", "USD"), Money.of("1", "EUR")
    with pytest.raises(CurrencyMismatch):
        usd + eur
    with pytest.raises(CurrencyMismatch):
        usd - eur
    with pytest.raises(CurrencyMismatch):
        assert usd < eur
    assert usd != eur


def test_quantize_half_even_by_default_and_explicit_mode() -> None:
    """Quantizing rounds half-even to the minor unit unless another mode is named."""
    assert Money.of("2.345", "USD").quantize() == Money.of("2.34", "USD")
    assert Money.of("2.345", "USD").quantize(ROUND_HALF_UP) == Money.of("2.35", "USD")
    assert Money.of("2.5", "JPY").quantize() == Money.of("2", "JPY")
    assert Money.of("1.23456", "KWD").quantize() == Money.of("1.235", "KWD")


def test_minor_unit_round_trip_is_exact() -> None:
    """Minor units go in and come out exactly; finer amounts refuse to pretend."""
    assert Money.from_minor_units(1234, "USD").amount == Decimal("12.34")
    assert Money.of("12.345", "KWD").minor_units == 12345
    assert Money.of("500", "JPY").minor_units == 500
    with pytest.raises(ValidationError):
        _ = Money.of("0.001", "USD").minor_units


def test_string_round_trip() -> None:
    """str() renders at the currency's scale and parse() reads it back."""
    assert str(Money.of("5", "USD")) == "USD 5.00"
    assert str(Money.of("1.5", "KWD")) == "KWD 1.500"
    assert str(Money.of("100", "JPY")) == "JPY 100"
    assert Money.parse("USD 12.30") == Money.of("12.30", "USD")
    with pytest.raises(ValidationError):
        Money.parse("12.30 dollars")


def test_split_sums_exactly_and_gives_remainder_to_first_parts() -> None:
    """USD 100.00 in three gives 33.34, 33.33, 33.33."""
    parts = Money.of("100", "USD").split(3)
    assert [str(p) for p in parts] == ["USD 33.34", "USD 33.33", "USD 33.33"]


def test_allocate_by_ratio() -> None:
    """Ratios split exactly, largest fractional remainders first."""
    parts = Money.of("0.05", "USD").allocate([3, 7])
    assert [p.amount for p in parts] == [Decimal("0.02"), Decimal("0.03")]
    assert sum((p.amount for p in Money.of("-10", "USD").split(3)), Decimal(0)) == Decimal("-10")


@pytest.mark.parametrize("ratios", [[], [0, 0], [-1, 2], [1.5]])
def test_allocate_refuses_bad_ratios(ratios: list[object]) -> None:
    """Empty, all-zero, negative and float ratios are refused."""
    with pytest.raises(ValidationError):
        Money.of("1", "USD").allocate(ratios)  # type: ignore[arg-type]


@given(
    whole_money(),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(any),
)
def test_allocation_conserves_money(money: Money, ratios: list[int]) -> None:
    """Allocated parts always sum to the whole, and no part is off its exact share by a unit."""
    parts = money.allocate(ratios)
    assert sum(p.minor_units for p in parts) == money.minor_units
    total = sum(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        exact = Decimal(money.minor_units) * ratio / total
        assert abs(Decimal(part.minor_units) - exact) < 1


@given(whole_money(), whole_money())
def test_addition_is_exact(a: Money, b: Money) -> None:
    """Same-currency addition equals addition of minor units."""
    if a.currency != b.currency:
        b = Money.from_minor_units(b.minor_units, a.currency)
    assert (a + b).minor_units == a.minor_units + b.minor_units
    assert (a + b) - b == a
