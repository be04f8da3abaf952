"""The simulated payer's clocks: business days, decision deadlines, decision times and filing windows.

Nothing here reads the wall clock; every function measures from the datetimes it is given. Business
days are Monday to Friday (the simulation has no holiday calendar, so trainees can check a deadline by
counting on a calendar).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import Literal

# One calendar for both sides: the generator sets lead times with the same business-day arithmetic
# the payer checks them with.
from scenarios.timeline import add_business_days, business_days_between, is_business_day

__all__ = ["add_business_days", "business_days_between", "is_business_day"]

DaysKind = Literal["calendar", "business"]

# Reviewer behaviour is deterministic for grading: an expedited request is decided this long after it
# arrives, a standard one at this time on the next business day (both capped at the due time).
EXPEDITED_REVIEW = timedelta(hours=4)
STANDARD_DECISION_TIME = time(10, 0)


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
    received: datetime,
    *,
    expedited: bool,
    standard_days: int,
    days_kind: DaysKind,
    expedited_hours: int,
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
        moment = datetime.combine(
            add_business_days(received.date(), 1), STANDARD_DECISION_TIME, received.tzinfo
        )
    return min(moment, due)


def file_by(decided: date, within: int, kind: Literal["calendar", "months"]) -> date:
    """Last day to file an appeal decided on ``decided``: ``within`` calendar days or months later."""
    return add_months(decided, within) if kind == "months" else decided + timedelta(days=within)


def is_after(moment: datetime, deadline: datetime) -> bool:
    """``moment > deadline``; a naive datetime is read in the other's time zone so a mixed pair compares."""
    if (moment.tzinfo is None) != (deadline.tzinfo is None):
        tz = moment.tzinfo or deadline.tzinfo
        moment, deadline = (
            moment.replace(tzinfo=moment.tzinfo or tz),
            deadline.replace(tzinfo=deadline.tzinfo or tz),
        )
    return moment > deadline
