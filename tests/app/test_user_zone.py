"""Stored times are shown in the user's browser zone (issue 12 item 6), never as "+00:00"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from ui.widgets.labels import when
from ui.widgets.user_zone import zone_named


def test_a_utc_time_reads_in_the_browser_zone_with_its_abbreviation() -> None:
    stored = datetime(2026, 12, 3, 15, 30, tzinfo=UTC)
    # New York is UTC-5 in December (EST), Tokyo UTC+9 all year: the local wall clock a user reads
    assert when(stored, zone_named("America/New_York")) == "2026-12-03 10:30 EST"
    assert when(stored, zone_named("Asia/Tokyo")) == "2026-12-04 00:30 JST"


def test_no_zone_or_an_unknown_one_falls_back_to_utc_and_never_prints_an_offset() -> None:
    stored = datetime(2026, 12, 3, 15, 30, tzinfo=timezone(timedelta(hours=2)))
    for name in (None, "", "Not/AZone"):
        shown = when(stored, zone_named(name))
        assert shown == "2026-12-03 13:30 UTC"
        assert "+" not in shown
