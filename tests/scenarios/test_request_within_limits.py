"""``request: within_limits``: the answer key requests the order capped at the payer policy's limits.

The cap is computed from the policy front matter (scenarios/limits.py), never by the simulator; these
tests then run the simulator on the capped reference and check that it approves in full (A1), while the
order on the case keeps the units and duration as written.
"""

from __future__ import annotations

from functools import cache

import pytest

from knowledge_base.loader import load_library
from scenarios.content import OrderSpec, ProcedureSpec, load_files_cached
from scenarios.generator import archetype_content, generate_case
from scenarios.limits import limits_text, within_limits
from scenarios.models import Case
from simulator.adjudication import adjudicate

SEEDS = range(3)


def _pairs() -> list[tuple[str, str, str]]:
    return [
        (module.id, a.id, payer)
        for module in load_files_cached().modules.values()
        for a in module.archetypes
        if a.request == "within_limits"
        for payer in a.payers
    ]


@cache
def _case(module: str, archetype: str, payer: str, seed: int) -> Case:
    return generate_case(module, seed, content=archetype_content(module, archetype, payer))


def test_the_audited_archetypes_request_within_limits() -> None:
    capped = {(m, a) for m, a, _ in _pairs()}
    assert {
        ("dme", "cpap_six_month_rental_requested"),
        ("behavioral_health", "iop_prairie_block"),
        ("behavioral_health", "iop_stepdown_expedited"),
        ("behavioral_health", "iop_certification_missing"),
    } <= capped
    # a four-level fusion cannot be requested as fewer levels: it stays as ordered, partially approved
    acdf = next(
        a
        for a in load_files_cached().modules["surgery_admissions"].archetypes
        if a.id == "acdf_four_levels_over_unit_limit"
    )
    assert acdf.request == "as_ordered" and acdf.expect.determination == "partially_approved"
    assert "cannot be requested as fewer levels" in " ".join(acdf.explanation.split())


@pytest.mark.parametrize(("module", "archetype", "payer"), _pairs(), ids=lambda v: str(v))
def test_capped_reference_is_approved_and_within_the_policy(module: str, archetype: str, payer: str) -> None:
    policy = load_library().policy_for(payer, _case(module, archetype, payer, 0).order.service_line)
    assert policy is not None
    for seed in SEEDS:
        case = _case(module, archetype, payer, seed)
        key, ref = case.answer_key, case.answer_key.reference_submission
        assert ref is not None
        for line in key.correct_procedures:
            pc = policy.code(line.code.code)
            assert pc is None or pc.max_units is None or line.units <= pc.max_units
        assert policy.max_units is None or sum(ln.units for ln in ref.procedures) <= policy.max_units
        assert [(ln.code, ln.units) for ln in ref.procedures] == [
            (ln.code.code, ln.units) for ln in key.correct_procedures
        ]
        if ref.requested_duration_days is not None and policy.max_duration_days is not None:
            assert ref.requested_duration_days <= policy.max_duration_days
        if key.correct_action in ("submit", "submit_expedited"):
            assert key.expected_determination.status == "approved"
            assert key.expected_determination.action_code == "A1"
            assert key.expected_determination.approved_units == sum(ln.units for ln in key.correct_procedures)
            assert adjudicate(case, ref).status == "approved"


@pytest.mark.parametrize(
    ("module", "archetype"),
    [("dme", "cpap_six_month_rental_requested"), ("behavioral_health", "iop_prairie_block")],
)
def test_the_order_keeps_what_was_ordered(module: str, archetype: str) -> None:
    payer = "prairie"
    case = _case(module, archetype, payer, 0)
    key = case.answer_key
    ordered = {ln.code.code: ln.units for ln in case.order.procedures}
    assert all(ordered[ln.code.code] > ln.units for ln in key.correct_procedures)
    assert key.reference_submission is not None
    assert case.order.requested_duration_days > key.reference_submission.requested_duration_days  # type: ignore[operator]
    # the narrative asks for the capped request and states the order only as the order
    narrative = key.reference_submission.narrative
    line = key.correct_procedures[0]
    assert f"x {line.units}" in narrative
    assert (
        f"requested authorization period {key.reference_submission.requested_duration_days} days" in narrative
    )
    assert f"requested authorization period {case.order.requested_duration_days} days" not in narrative
    assert any(policy_id in p and "198" in p for p in key.teaching_points for policy_id in [key.policy_id])


def test_within_limits_caps_per_code_then_the_shared_budget() -> None:
    policy = load_library().policy_for("cardinal", "cervical_fusion")  # 22552 max 2, 3 units per request
    assert policy is not None
    spec = OrderSpec(
        description="ACDF, four levels",
        place_of_service="21",
        ordering_specialty="orthopedic_surgery",
        servicing_specialty="orthopedic_surgery",
        lead_business_days=5,
        diagnoses=[{"code": "M47.12", "display": "Other spondylosis with myelopathy, cervical region"}],  # type: ignore[list-item]
        procedures=[
            ProcedureSpec(code="22551", system="CPT", display="first level", units=1),
            ProcedureSpec(code="22552", system="CPT", display="each additional level", units=3),
        ],
    )
    capped = within_limits(spec, policy)
    assert [(p.code, p.units) for p in capped.procedures] == [("22551", 1), ("22552", 2)]
    assert limits_text(spec, policy) == "at most 2 units of 22552"
    within = spec.model_copy(update={"procedures": spec.procedures[:1]})
    assert within_limits(within, policy) is within  # nothing above a limit: the very same spec
