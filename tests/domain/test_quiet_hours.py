"""Contact windows: when in the customer's local day a message may leave."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from walletcare.domain.messages import DAYTIME, ContactWindow
from walletcare.errors import ValidationError

ZONES = st.sampled_from(
    ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]
)
INSTANTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
MINUTES = st.integers(min_value=0, max_value=24 * 60 - 1).map(lambda m: time(m // 60, m % 60))
WINDOWS = (
    st.tuples(MINUTES, MINUTES)
    .filter(lambda pair: pair[0] != pair[1])
    .map(lambda pair: ContactWindow(opens=pair[0], closes=pair[1]))
)


@given(at=INSTANTS, zone=ZONES, window=WINDOWS)
def test_next_open_is_open_not_before_and_the_first(
    at: datetime, zone: str, window: ContactWindow
) -> None:
    """The next opening is inside the window, not before ``at``, and no earlier minute
    between ``at`` and it is open."""
    opening = window.next_open(at, zone)
    assert opening >= at and window.is_open(opening, zone)
    if opening > at:
        probe = at
        while probe < opening - timedelta(minutes=1):
            assert not window.is_open(probe, zone)
            probe += max((opening - at) / 7, timedelta(minutes=1))


def test_the_default_is_eight_to_nine_local() -> None:
    """21:30 in Shanghai waits for 08:00 the next morning there."""
    late = datetime(2026, 3, 2, 21, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert DAYTIME.next_open(late, "Asia/Shanghai") == datetime(
        2026, 3, 3, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    assert DAYTIME.is_open(late.replace(hour=20, minute=59), "Asia/Shanghai")


def test_an_empty_window_is_refused() -> None:
    """A window that opens when it closes is a ValidationError naming closes."""
    with pytest.raises(ValidationError) as refused:
        ContactWindow(opens=time(8), closes=time(8))
    assert refused.value.fields == ("closes",)
