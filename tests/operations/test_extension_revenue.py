"""A late extension's revenue (issue 14 item 1): the days between the authorization's end and the request
are not covered, so their share of the stay's value is lost. concurrent_review seed 5 is the late
inpatient request (stay_late_request): 3 certified days, ended the day before the case starts, 3 more asked
for the day after: 1 day not covered, 5 certified in all, so 1 of 6 days' revenue is lost."""

from __future__ import annotations

from operations.outcome import case_outcome
from operations.revenue import service_value
from scenarios import generate_case
from scenarios.content import load_service_lines
from simulator import replay


def test_the_uncovered_day_of_a_late_extension_is_the_revenue_lost() -> None:
    case = generate_case("concurrent_review", 5)
    assert case.archetype_id == "stay_late_request"
    actions = case.answer_key.reference_actions
    out = case_outcome(case, actions, replay(case, actions))
    value = service_value(load_service_lines()["inpatient_admission"].revenue, "concurrent_review", 5)
    assert out.standing == "secured" and out.revenue.expected == value
    assert abs(out.revenue.lost - value / 6) <= 1
