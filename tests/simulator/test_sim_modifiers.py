"""Issue 10 item 11: laterality and modifiers are checked, never approved silently.

Against the shipped policies (the expert request of each service line, then one change). The oracle
is the public coding convention (docs/sources.md#codes-units-and-modifiers): a unilateral procedure
carries LT or RT and the side must match the diagnosis (M17.11 is the right knee, M17.12 the left);
CPAP is a capped-rental item, billed with RR, so a purchase (NU) is not what these payers authorize; a
modifier that is not a HCPCS/CPT modifier is an input error.
"""

from __future__ import annotations

from test_sim_policies import LIBRARY, build

from simulator import adjudicate


def _policy(policy_id: str):
    return LIBRARY.policies[policy_id]


def _send(policy_id: str, *, modifiers: list[str] | None = None, diagnoses: list[str] | None = None):
    case, sub = build(_policy(policy_id))
    lines = (
        [line.model_copy(update={"modifiers": modifiers}) for line in sub.procedures]
        if modifiers is not None
        else sub.procedures
    )
    sub = sub.model_copy(update={"procedures": lines, "diagnoses": diagnoses or sub.diagnoses})
    return adjudicate(case, sub, library=LIBRARY)


def _rejects(det) -> set[str | None]:
    return {r.edit for r in det.reasons if r.kind == "reject"}


def test_the_expert_knee_request_is_approved() -> None:
    assert _send("LKS-TKA-001").status == "approved"  # 27447-RT with M17.11 (right knee)


def test_left_knee_modifier_with_a_right_knee_diagnosis_is_rejected() -> None:
    det = _send("LKS-TKA-001", modifiers=["LT"])
    assert det.status == "rejected" and "laterality_mismatch" in _rejects(det)
    assert "M17.11" in next(r.message for r in det.reasons if r.edit == "laterality_mismatch")


def test_knee_replacement_without_a_laterality_modifier_is_rejected() -> None:
    det = _send("CMA-TKA-001", modifiers=[])
    assert det.status == "rejected" and "laterality_modifier" in _rejects(det)


def test_the_matching_side_is_approved() -> None:
    assert _send("PSM-TKA-001", modifiers=["LT"], diagnoses=["M17.12"]).status == "approved"


def test_cpap_purchase_at_a_capped_rental_payer_is_rejected() -> None:
    for policy_id in ("LKS-CPAP-001", "CMA-CPAP-001", "PSM-CPAP-001"):
        det = _send(policy_id, modifiers=["NU"])
        assert det.status == "rejected" and "rental_modifier" in _rejects(det), policy_id
        assert "RR" in next(r.message for r in det.reasons if r.edit == "rental_modifier")


def test_a_nonsense_modifier_is_rejected() -> None:
    det = _send("LKS-TKA-001", modifiers=["RT", "Q9"])
    assert det.status == "rejected" and "modifier" in _rejects(det)
    assert "Q9" in next(r.message for r in det.reasons if r.edit == "modifier")
