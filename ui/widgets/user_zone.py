"""The signed-in user's time zone, read from the browser (issue 12 item 6): stored times are UTC and
every page shows them in the zone the user's browser reports, UTC when it reports none or one this
machine's tz database does not know (an AppTest run, an old browser).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from ui.widgets.labels import when


def zone_named(name: str | None) -> tzinfo:
    """The zone for an IANA name, UTC for none or an unknown one (never an error on a page).

    >>> zone_named("America/New_York"), zone_named(None), zone_named("Mars/Olympus")
    (zoneinfo.ZoneInfo(key='America/New_York'), datetime.timezone.utc, datetime.timezone.utc)
    """
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def user_zone() -> tzinfo:
    """The browser's zone for this session (``st.context.timezone``)."""
    return zone_named(st.context.timezone)


def local_when(value: datetime | None) -> str:
    """A stored time in the user's zone: what every page shows for a real (not simulated) time."""
    return when(value, user_zone())
