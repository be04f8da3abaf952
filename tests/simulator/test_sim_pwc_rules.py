"""Issue 10 item 15: power-wheelchair order timing and the rental-only benefit rule.

Oracles (docs/sources.md#power-mobility-devices, #benefits-and-plan-rules): a written order signed before
the face-to-face examination rests on an examination that had not happened (42 CFR 410.38(c) for
Medicare; a compliance flag at every payer), so every payer denies on criterion 9; a plan that pays
only rentals applies a benefit rule, so a purchase (NU) comes back to be resubmitted as RR and is
never called not medically necessary.
"""

from __future__ import annotations

import pytest
from test_sim_policies import LIBRARY, LINES, build

from simulator import adjudicate

ORDER_FIRST = LINES["power_wheelchair"].profiles["f2f_after_order"]


@pytest.mark.parametrize("policy_id", ["LKS-PWC-001", "CMA-PWC-001", "PSM-PWC-001"])
def test_an_order_signed_before_the_face_to_face_is_denied_at_every_payer(policy_id: str) -> None:
    case, sub = build(LIBRARY.policies[policy_id], ORDER_FIRST)
    det = adjudicate(case, sub, library=LIBRARY)
    assert det.status == "denied" and f"{policy_id}.9" in {r.criterion_id for r in det.reasons}


def test_a_purchase_at_the_rental_only_plan_is_a_benefit_rejection_not_a_necessity_denial() -> None:
    case, sub = build(LIBRARY.policies["LKS-PWC-001"])
    line = sub.procedures[0].model_copy(update={"units": 1, "modifiers": ["NU"]})
    det = adjudicate(case, sub.model_copy(update={"procedures": [line]}), library=LIBRARY)
    assert det.status == "rejected", [r.message for r in det.reasons]
    assert "82" not in {r.code for r in det.reasons}
    assert "RR" in next(r.message for r in det.reasons if r.edit == "rental_modifier")
