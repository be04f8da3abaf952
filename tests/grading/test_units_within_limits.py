"""Grading ``request: within_limits`` archetypes: the capped reference earns full marks; a request copied
from the order (units and duration as ordered) is graded wrong_units, is partially approved, and the
feedback cites the policy's limit."""

from __future__ import annotations

import pytest

from grading import grade
from scenarios.generator import archetype_content, generate_case
from scenarios.models import Action, Case, Submission

CASES = [
    ("dme", "cpap_six_month_rental_requested", "lakeshore"),
    ("dme", "cpap_six_month_rental_requested", "cardinal"),
    ("dme", "cpap_six_month_rental_requested", "prairie"),
    ("behavioral_health", "iop_prairie_block", "prairie"),
    ("behavioral_health", "iop_stepdown_expedited", "prairie"),
    ("behavioral_health", "iop_certification_missing", "prairie"),
]


def _case(module: str, archetype: str, payer: str, seed: int = 0) -> Case:
    return generate_case(module, seed, content=archetype_content(module, archetype, payer))


def _as_ordered(case: Case) -> list[Action]:
    """The reference actions with the request's units and duration copied from the order."""
    ordered = {ln.code.code: ln.units for ln in case.order.procedures}
    out: list[Action] = []
    for action in case.answer_key.reference_actions:
        if isinstance(action, Submission):
            action = action.model_copy(
                update={
                    "procedures": [
                        ln.model_copy(update={"units": ordered[ln.code]}) for ln in action.procedures
                    ],
                    "requested_duration_days": case.order.requested_duration_days,
                }
            )
        out.append(action)
    return out


@pytest.mark.parametrize("spec", CASES, ids=lambda s: f"{s[1]}-{s[2]}")
def test_capped_reference_scores_full_marks(spec: tuple[str, str, str]) -> None:
    for seed in range(2):
        case = _case(*spec, seed=seed)
        result = grade(case, list(case.answer_key.reference_actions))
        assert result.total == 100.0, [(i.item_id, i.feedback) for i in result.items if i.error_tags]
        assert case.answer_key.expected_determination.status == "approved"


@pytest.mark.parametrize("spec", CASES, ids=lambda s: f"{s[1]}-{s[2]}")
def test_request_as_ordered_scores_lower_and_says_why(spec: tuple[str, str, str]) -> None:
    case = _case(*spec)
    reference = grade(case, list(case.answer_key.reference_actions))
    ordered = grade(case, _as_ordered(case))
    assert ordered.total < reference.total
    assert "wrong_units" in ordered.error_tags and "adverse_outcome" in ordered.error_tags
    item = next(i for i in ordered.items if "wrong_units" in i.error_tags)
    limit = case.answer_key.correct_procedures[0].units
    assert case.answer_key.policy_id in item.feedback
    assert f"at most {limit} per request" in item.feedback and "198" in item.feedback
    assert "as ordered" in item.feedback
    assert "Units" in item.citation  # the policy's "Units and approval period" section
