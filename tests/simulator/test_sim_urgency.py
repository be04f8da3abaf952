"""Who decides urgency (issue 10 item 2): the treating physician's attestation binds every shipped payer.

Expected behaviour is the regulations' (docs/sources.md, "Regulatory clocks and urgency"): ERISA
29 CFR 2560.503-1(m)(1)(ii), Medicare Advantage 42 CFR 422.570(c)(2)(ii) and (d), Medicaid managed
care 42 CFR 438.210(d)(2).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from shipped_cases import find_case

from simulator import adjudicate

PAYERS = ["lakeshore", "cardinal", "prairie"]


def _routine_request(payer: str):  # type: ignore[no-untyped-def]
    case = find_case("advanced_imaging", "mri_meets", payer)  # no red flag in the chart
    sub = case.answer_key.reference_submission
    assert sub is not None and sub.urgency == "standard"
    return case, sub


@pytest.mark.parametrize("payer", PAYERS)
def test_physician_attested_urgency_is_expedited_even_when_the_chart_does_not_show_why(payer: str) -> None:
    case, sub = _routine_request(payer)
    det = adjudicate(case, sub.model_copy(update={"urgency": "expedited"}))
    assert det.expedited is True
    assert det.decision_due == sub.at + timedelta(hours=72)
    # the notice says the attestation was taken at its word, and that the chart does not back it
    assert any(r.edit == "expedite_attested" for r in det.reasons)


@pytest.mark.parametrize("payer", PAYERS)
def test_member_request_without_urgency_is_moved_to_standard_with_notice(payer: str) -> None:
    case, sub = _routine_request(payer)
    det = adjudicate(case, sub.model_copy(update={"urgency": "expedited", "requested_by": "member"}))
    assert det.expedited is False
    notice = next(r for r in det.reasons if r.edit == "expedite_reclassified")
    assert "physician" in notice.message and "grievance" in notice.message


@pytest.mark.parametrize("payer", PAYERS)
def test_member_request_the_chart_supports_is_expedited(payer: str) -> None:
    case = find_case("advanced_imaging", "mri_red_flag_expedite", payer)
    sub = case.answer_key.reference_submission
    assert sub is not None
    det = adjudicate(case, sub.model_copy(update={"requested_by": "member"}))
    assert det.expedited is True
