"""Staff time per authorization: the time a trainee was active in the case workspace.

The workspace records a moment each time the trainee does something on the case page (every action,
and every other interaction that reruns the page, at most one moment per ``HEARTBEAT_SECONDS``). Active
time is the sum of the gaps between consecutive moments (case opened, each moment, case finished),
where a gap longer than ``IDLE_AFTER_SECONDS`` counts as idle and adds nothing: the trainee was away,
not working. This is the heartbeat rule of time trackers such as WakaTime ("keystroke timeout"; see
docs/sources.md#revenue-and-operations-figures), with the 5-minute timeout the project chose.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise

IDLE_AFTER_SECONDS = 300  # a gap over 5 minutes is idle time
HEARTBEAT_SECONDS = 20  # the workspace records at most one moment per 20 s of page interaction
MAX_MOMENTS = 2000  # per attempt: 2,000 x 20 s is 11 hours on one case, beyond any real case


def active_seconds(moments: Sequence[datetime], *, idle_after: int = IDLE_AFTER_SECONDS) -> int:
    """Whole seconds of active time across ``moments`` (in any order; duplicates are harmless).

    >>> from datetime import datetime, timedelta
    >>> t = datetime(2026, 3, 5, 9, 0)
    >>> active_seconds([t, t + timedelta(minutes=2), t + timedelta(minutes=4)])
    240
    >>> active_seconds([t, t + timedelta(minutes=2), t + timedelta(minutes=40), t + timedelta(minutes=41)])
    180
    >>> active_seconds([t])
    0
    """
    ordered = sorted(moments)
    total = 0.0
    for before, after in pairwise(ordered):
        gap = (after - before).total_seconds()
        if gap <= idle_after:
            total += gap
    return round(total)


def add_moment(moments: list[datetime], now: datetime, *, every: int = HEARTBEAT_SECONDS) -> bool:
    """Record ``now`` unless the last moment is less than ``every`` seconds old; True if recorded.

    Keeps at most MAX_MOMENTS, so a tab left open for days cannot grow the stored attempt without
    bound; past the limit nothing more is recorded.

    >>> from datetime import datetime, timedelta
    >>> m = [datetime(2026, 3, 5, 9, 0)]
    >>> add_moment(m, datetime(2026, 3, 5, 9, 0, 10)), add_moment(m, datetime(2026, 3, 5, 9, 0, 30)), len(m)
    (False, True, 2)
    """
    if moments and (now - moments[-1]).total_seconds() < every:
        return False
    if len(moments) >= MAX_MOMENTS:
        return False
    moments.append(now)
    return True
