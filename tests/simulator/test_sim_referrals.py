"""Issue 10 item 15: an HMO PCP's imaging order is not a missing specialist referral.

The oracle is the HMO referral rule as the Cardinal manual states it (docs/sources.md#benefits-and-plan-rules): a
referral is the PCP's permission to see a specialist, so a PCP's own order carried out by a radiology
facility or DME supplier needs none, while a specialist's order does.
"""

from __future__ import annotations

from test_sim_policies import LIBRARY, build

from simulator import adjudicate


def _without_referral(policy_id: str):
    case, sub = build(LIBRARY.policies[policy_id])
    case = case.model_copy(update={"coverage": case.coverage.model_copy(update={"referral_on_file": False})})
    return adjudicate(case, sub, library=LIBRARY)


def _pends_for_referral(det) -> bool:
    return any(r.edit == "referral" for r in det.reasons)


def test_a_pcp_ordered_mri_needs_no_referral() -> None:
    det = _without_referral("CMA-MRI-001")  # family medicine orders, radiology performs
    assert det.status == "approved" and not _pends_for_referral(det), [r.message for r in det.reasons]


def test_a_pcp_ordered_wheelchair_needs_no_referral() -> None:
    det = _without_referral("CMA-PWC-001")  # internal medicine orders, a DME supplier delivers
    assert not _pends_for_referral(det), [r.message for r in det.reasons]


def test_an_oncologists_pet_order_still_needs_the_referral() -> None:
    det = _without_referral("CMA-PET-001")  # the oncologist is a specialist
    assert det.status == "pended" and _pends_for_referral(det)


def test_a_sleep_physicians_cpap_order_still_needs_the_referral() -> None:
    det = _without_referral("CMA-CPAP-001")
    assert det.status == "pended" and _pends_for_referral(det)
