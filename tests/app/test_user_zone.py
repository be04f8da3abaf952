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


def test_the_weekly_trend_labels_one_tick_per_week_not_one_per_day() -> None:
    from ui.widgets import charts

    rows = [
        {"week": f"2026-{m:02d}-0{d}", "mean_score": 71.25, "pass_rate": 0.5, "attempts": 4}
        for m, d in ((3, 2), (3, 9))
    ]
    axis = charts.weekly(rows).to_dict()["encoding"]["x"]["axis"]
    assert axis["tickCount"] == {"interval": "week", "step": 1} and axis["format"] == "%b %d"
