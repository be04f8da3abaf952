"""Emergent is not urgent (issue 10 item 7): emergency services need no prior authorization.

Expected behaviour is the law's (docs/sources.md, "Regulatory clocks and urgency"): emergency services
without prior authorization under the ACA (PHS Act 2719A, 45 CFR 147.138(b)), for Medicare Advantage
42 CFR 422.113(b) and for Medicaid managed care 42 CFR 438.114.
"""

from __future__ import annotations

import pytest
from shipped_cases import find_case

from scenarios.models import AuthLookup
from simulator import adjudicate, lookup_requirements

PAYERS = ["lakeshore", "cardinal", "prairie"]


@pytest.mark.parametrize("payer", PAYERS)
def test_emergency_department_imaging_needs_no_prior_authorization(payer: str) -> None:
    case = find_case("advanced_imaging", "mri_red_flag_expedite", payer)
    sub = case.answer_key.reference_submission
    assert sub is not None
    det = adjudicate(case, sub.model_copy(update={"place_of_service": "23"}))
    assert det.status == "no_auth_required"
    assert "emergency" in " ".join(r.message for r in det.reasons).lower()


@pytest.mark.parametrize("payer", PAYERS)
def test_suspected_cauda_equina_is_an_emergency_case(payer: str) -> None:
    case = find_case("advanced_imaging", "mri_cauda_equina_emergency", payer)
    key = case.answer_key
    assert key.correct_action == "no_auth_needed" and not key.auth_required
    assert case.order.place_of_service == "23" and case.order.date_of_service == case.sim_start.date()
    reply = lookup_requirements(case, AuthLookup(at=case.sim_start, codes=["72148"]))
    assert reply.results[0].required is False


@pytest.mark.parametrize("payer", PAYERS)
def test_urgent_is_an_expedited_request_for_service_within_72_hours(payer: str) -> None:
    case = find_case("advanced_imaging", "mri_red_flag_expedite", payer)
    assert case.answer_key.urgency == "expedited"
    assert 0 < (case.order.date_of_service - case.sim_start.date()).days <= 3
