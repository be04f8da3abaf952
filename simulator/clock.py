"""The simulated payer's clocks: business days, decision deadlines, decision times and filing windows.

Nothing here reads the wall clock; every function measures from the datetimes it is given. Business
days are Monday to Friday (the simulation has no holiday calendar, so trainees can check a deadline by
counting on a calendar).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import Literal

DaysKind = Literal["calendar", "business"]

# Reviewer behaviour is deterministic for grading: an expedited request is decided this long after it
# arrives, a standard one at this time on the next business day (both capped at the due time).
EXPEDITED_REVIEW = timedelta(hours=4)
STANDARD_DECISION_TIME = time(10, 0)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5


def add_business_days(day: date, n: int) -> date:
    """The date ``n`` business days after ``day`` (``day`` itself never counts, even on a weekday).

    >>> add_business_days(date(2026, 1, 2), 1)   # Friday + 1 business day = Monday
    datetime.date(2026, 1, 5)
    """
    if n < 0:
        raise ValueError(f"n: business days to add must be 0 or more, got {n}")
    current = day
    while n > 0:
        current += timedelta(days=1)
        if is_business_day(current):
            n -= 1
    return current


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``).

    >>> business_days_between(date(2026, 1, 2), date(2026, 1, 6))   # Fri -> Tue: Mon, Tue
    2
    """
    if end <= start:
        return 0
    full_weeks, rest = divmod((end - start).days, 7)
    count = full_weeks * 5
    for i in range(1, rest + 1):
        if is_business_day(start + timedelta(days=full_weeks * 7 + i)):
            count += 1
    return count


def add_days(moment: datetime, n: int, kind: DaysKind) -> datetime:
    """``moment`` plus ``n`` calendar or business days, keeping the time of day."""
    if kind == "calendar":
        return moment + timedelta(days=n)
    return datetime.combine(add_business_days(moment.date(), n), moment.timetz())


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29).

    >>> add_months(date(2026, 1, 31), 1)
    datetime.date(2026, 2, 28)
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def decision_due(
    received: datetime, *, expedited: bool, standard_days: int, days_kind: DaysKind, expedited_hours: int,
) -> datetime:
    """When the payer must decide: ``expedited_hours`` after receipt, or ``standard_days`` calendar or
    business days after it (same time of day)."""
    if expedited:
        return received + timedelta(hours=expedited_hours)
    return add_days(received, standard_days, days_kind)


def decided_at(received: datetime, due: datetime, *, expedited: bool) -> datetime:
    """When the simulated reviewer decides: a fixed offset, never after the due time.

    >>> decided_at(datetime(2026, 1, 2, 15), datetime(2026, 1, 9, 15), expedited=False)
    datetime.datetime(2026, 1, 5, 10, 0)
    """
    if expedited:
        moment = received + EXPEDITED_REVIEW
    else:
        moment = datetime.combine(add_business_days(received.date(), 1), STANDARD_DECISION_TIME, received.tzinfo)
    return min(moment, due)


def file_by(decided: date, within: int, kind: Literal["calendar", "months"]) -> date:
    """Last day to file an appeal decided on ``decided``: ``within`` calendar days or months later."""
    return add_months(decided, within) if kind == "months" else decided + timedelta(days=within)


def is_after(moment: datetime, deadline: datetime) -> bool:
    """``moment > deadline``; a naive datetime is read in the other's time zone so a mixed pair compares."""
    if (moment.tzinfo is None) != (deadline.tzinfo is None):
        tz = moment.tzinfo or deadline.tzinfo
        moment, deadline = moment.replace(tzinfo=moment.tzinfo or tz), deadline.replace(tzinfo=deadline.tzinfo or tz)
    return moment > deadline
