"""Business-day arithmetic and the simulated start time of a case.

Business days are Monday to Friday. Public holidays are deliberately not modelled: the generator and
the simulated payer must count lead times the same way, and a holiday table that one side knows and
the other does not would make a "short lead" case pass on one side and fail on the other.
Nothing here reads the wall clock; every function takes the dates it works on.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from functools import lru_cache

# The window sim_start is drawn from: all of it lies inside the 2026 policy year, with room after it
# for lead times and decision clocks before the year ends.
START_WINDOW = (date(2026, 2, 2), date(2026, 11, 20))
START_HOURS = (8, 11)  # a morning shift: 08:00 up to and including 11:00
# A prior request (pends and appeals) was sent this many calendar days before the case starts, then moved
# back to a business day (at most 2 more days, over a weekend); its chart is dated from that day.
PRIOR_DAYS_BACK = (5, 9)
PRIOR_MAX_DAYS_BACK = PRIOR_DAYS_BACK[1] + 2


def is_business_day(day: date) -> bool:
    return day.weekday() < 5


def add_business_days(day: date, n: int) -> date:
    """The business day ``n`` business days after ``day`` (``n`` = 0 gives ``day`` itself).

    >>> add_business_days(date(2026, 2, 6), 1)  # Friday + 1 -> Monday
    datetime.date(2026, 2, 9)
    """
    if n < 0:
        raise ValueError(f"n: business days to add must be 0 or more, got {n}")
    current = day
    left = n
    while left > 0:
        current += timedelta(days=1)
        if is_business_day(current):
            left -= 1
    return current


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``).

    >>> business_days_between(date(2026, 2, 6), date(2026, 2, 9))
    1
    """
    if end <= start:
        return 0
    # whole weeks hold five business days each; only the remainder needs counting (the payer calls
    # this on every request, so no day-by-day loop over long spans)
    full_weeks, rest = divmod((end - start).days, 7)
    count = full_weeks * 5
    for i in range(1, rest + 1):
        if is_business_day(start + timedelta(days=full_weeks * 7 + i)):
            count += 1
    return count


def previous_business_day(day: date) -> date:
    """``day`` itself when it is a business day, else the business day before it."""
    current = day
    while not is_business_day(current):
        current -= timedelta(days=1)
    return current


@lru_cache(maxsize=1)
def _start_days() -> tuple[date, ...]:
    first, last = START_WINDOW
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return tuple(d for d in days if is_business_day(d))


def pick_sim_start(rng: random.Random) -> datetime:
    """A business-day morning inside :data:`START_WINDOW`, on a five-minute mark, drawn from ``rng``."""
    day = rng.choice(_start_days())
    lo, hi = START_HOURS
    minute = rng.randrange(0, (hi - lo) * 60 + 1, 5)
    return datetime.combine(day, time(lo + minute // 60, minute % 60))


def at_time(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))
