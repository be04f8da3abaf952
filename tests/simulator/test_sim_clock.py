"""The payer's clocks: business days across weekends, calendar vs business deadlines, expedited hours,
deterministic decision times, filing windows in days and months."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator import clock

FRI, SAT, SUN, MON = date(2026, 1, 2), date(2026, 1, 3), date(2026, 1, 4), date(2026, 1, 5)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (FRI, 0, FRI),
        (FRI, 1, MON),
        (SAT, 1, MON),
        (SUN, 1, MON),
        (MON, 5, date(2026, 1, 12)),
        (date(2026, 1, 7), 3, date(2026, 1, 12)),  # Wed + 3 = Mon
        (FRI, 10, date(2026, 1, 16)),
    ],
)
def test_add_business_days(start: date, n: int, expected: date) -> None:
    assert clock.add_business_days(start, n) == expected


def test_negative_business_days_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="n: business days"):
        clock.add_business_days(FRI, -1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (FRI, FRI, 0),
        (FRI, SAT, 0),
        (FRI, MON, 1),
        (SAT, MON, 1),
        (FRI, date(2026, 1, 16), 10),
        (MON, FRI, 0),
    ],
)
def test_business_days_between(start: date, end: date, expected: int) -> None:
    assert clock.business_days_between(start, end) == expected


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(min_value=0, max_value=60)
)
def test_business_days_round_trip(start: date, n: int) -> None:
    end = clock.add_business_days(start, n)
    assert clock.business_days_between(start, end) == n
    assert n == 0 or clock.is_business_day(end)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("calendar", datetime(2026, 1, 9, 15, 0)),  # Fri + 7 calendar days
        ("business", datetime(2026, 1, 13, 15, 0)),  # Fri + 7 business days (two weekends skipped)
    ],
)
def test_standard_clock_calendar_vs_business(kind: str, expected: datetime) -> None:
    received = datetime(2026, 1, 2, 15, 0)
    due = clock.decision_due(received, expedited=False, standard_days=7, days_kind=kind, expedited_hours=72)  # type: ignore[arg-type]
    assert due == expected


def test_expedited_clock_is_hours_across_the_weekend() -> None:
    received = datetime(2026, 1, 2, 15, 0)
    due = clock.decision_due(
        received, expedited=True, standard_days=7, days_kind="business", expedited_hours=72
    )
    assert due == datetime(2026, 1, 5, 15, 0)


@pytest.mark.parametrize(
    ("received", "due", "expedited", "expected"),
    [
        (datetime(2026, 1, 2, 15), datetime(2026, 1, 9, 15), False, datetime(2026, 1, 5, 10)),
        (datetime(2026, 1, 3, 8), datetime(2026, 1, 10, 8), False, datetime(2026, 1, 5, 10)),  # Saturday
        (datetime(2026, 1, 2, 15), datetime(2026, 1, 5, 15), True, datetime(2026, 1, 2, 19)),
        (datetime(2026, 1, 2, 15), datetime(2026, 1, 2, 17), True, datetime(2026, 1, 2, 17)),  # capped at due
        (
            datetime(2026, 1, 2, 15),
            datetime(2026, 1, 3, 15),
            False,
            datetime(2026, 1, 3, 15),
        ),  # capped at due
    ],
)
def test_decided_at_is_fixed_and_never_late(
    received: datetime, due: datetime, expedited: bool, expected: datetime
) -> None:
    assert clock.decided_at(received, due, expedited=expedited) == expected


def test_decided_at_keeps_time_zone() -> None:
    received = datetime(2026, 1, 2, 15, tzinfo=UTC)
    assert clock.decided_at(received, received + timedelta(days=7), expedited=False).tzinfo is UTC


@pytest.mark.parametrize(
    ("decided", "within", "kind", "expected"),
    [
        (date(2026, 1, 10), 60, "calendar", date(2026, 3, 11)),
        (date(2026, 1, 31), 1, "months", date(2026, 2, 28)),
        (date(2026, 10, 31), 4, "months", date(2027, 2, 28)),
        (date(2027, 10, 31), 4, "months", date(2028, 2, 29)),  # leap year
        (date(2026, 3, 15), 4, "months", date(2026, 7, 15)),
    ],
)
def test_filing_windows(decided: date, within: int, kind: str, expected: date) -> None:
    assert clock.file_by(decided, within, kind) == expected  # type: ignore[arg-type]


def test_is_after_compares_naive_and_aware() -> None:
    aware = datetime(2026, 1, 2, 12, tzinfo=UTC)
    assert clock.is_after(datetime(2026, 1, 2, 13), aware)
    assert not clock.is_after(datetime(2026, 1, 2, 11), aware)
