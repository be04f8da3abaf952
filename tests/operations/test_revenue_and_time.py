"""The revenue rules and the staff-time rule on hand-computed figures, and the service lines' revenue
data (issue 14 item 2): every line states it, validated at load with errors that name the field."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from operations.revenue import cash_delay_days, revenue_outcome
from operations.staff_time import active_seconds, add_moment
from scenarios.content import Revenue, load_service_lines

T0 = datetime(2026, 3, 5, 9, 0)


def test_every_service_line_states_its_revenue_from_the_brief_or_as_an_assumption() -> None:
    lines = load_service_lines()
    brief = {  # the product brief's table (docs/sources.md#revenue-and-operations-figures)
        "lumbar_mri": (1500, 5000, (0.60, 0.75)),
        "oncology_pet": (1500, 5000, (0.60, 0.75)),
        "total_knee": (15000, 50000, (0.80, 0.90)),
        "cervical_fusion": (15000, 50000, (0.80, 0.90)),
        "ra_biologic": (3000, 25000, (0.90, 0.95)),
        "cpap": (500, 5000, (0.50, 0.65)),
        "power_wheelchair": (500, 5000, (0.50, 0.65)),
    }
    for line, (low, high, risk) in brief.items():
        r = lines[line].revenue
        assert (r.low, r.high, r.skip_denial_risk) == (low, high, risk), line
    assert all("docs/sources.md" in spec.revenue.source for spec in lines.values())
    assert "teaching assumption" in lines["sud_iop"].revenue.source


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"low": 5000, "high": 100, "skip_denial_risk": [0.5, 0.6], "source": "x y"},
            r"high \(100\) must be at least low",
        ),
        ({"low": 1, "high": 2, "skip_denial_risk": [80, 90], "source": "x y"}, "shares from 0 to 1"),
        ({"low": 1, "high": 2, "source": "x y"}, "skip_denial_risk"),
    ],
)
def test_bad_revenue_data_is_refused_naming_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Revenue.model_validate(data)


def test_revenue_rules_on_hand_figures() -> None:
    # a partial approval of 3 of 4 units keeps 75 % of $8,000: $2,000 lost
    assert revenue_outcome(8000, "secured", skip_risk=0.85, secured_share=0.75).lost == 2000
    # a denial overturned on appeal: all $8,000 recovered, nothing lost, the delay kept
    won = revenue_outcome(8000, "recovered", skip_risk=0.85, delay_days=9)
    assert (won.recovered, won.lost, won.cash_delay_days) == (8000, 0, 9)
    # a denial that stands loses the value and delays nothing (the cash never comes)
    lost = revenue_outcome(8000, "denied", skip_risk=0.85, delay_days=9)
    assert (lost.lost, lost.cash_delay_days) == (8000, 0)
    # skipped: $8,000 x 85 % = $6,800 at risk; pending: the whole $8,000
    assert revenue_outcome(8000, "skipped", skip_risk=0.85).at_risk == 6800
    assert revenue_outcome(8000, "pending", skip_risk=0.85).at_risk == 8000
    assert revenue_outcome(8000, "not_needed", skip_risk=0.85).model_dump() == {
        "expected": 8000,
        "at_risk": 0,
        "lost": 0,
        "recovered": 0,
        "cash_delay_days": 0,
    }
    with pytest.raises(ValueError, match="secured share"):
        revenue_outcome(8000, "secured", skip_risk=0.85, secured_share=1.5)


def test_cash_delay_counts_calendar_days_after_the_date_of_service() -> None:
    dos = datetime(2026, 3, 16).date()
    assert cash_delay_days(dos, datetime(2026, 3, 16, 17, 0)) == 0  # approved on the day
    assert cash_delay_days(dos, datetime(2026, 4, 1, 10, 0)) == 16  # March 16 -> April 1
    assert cash_delay_days(dos, None) == 0


def test_active_time_excludes_gaps_over_five_minutes() -> None:
    m = [T0 + timedelta(seconds=s) for s in (0, 60, 360, 361, 1500, 1800)]
    # gaps 60, 300 (counts: not over 5 min), 1, 1139 (idle), 300: 60 + 300 + 1 + 300 = 661
    assert active_seconds(m) == 661
    assert active_seconds(list(reversed(m))) == 661  # order does not matter
    assert active_seconds([]) == 0


def test_the_workspace_records_at_most_one_moment_per_heartbeat() -> None:
    moments: list[datetime] = []
    assert add_moment(moments, T0)
    assert not add_moment(moments, T0 + timedelta(seconds=5))  # 5 s later: the same moment
    assert add_moment(moments, T0 + timedelta(seconds=25))
    assert add_moment(moments, T0 + timedelta(seconds=26), every=0)  # an action always counts
    assert len(moments) == 3
