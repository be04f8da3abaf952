"""Issue 10 item 14: oncologic PET follows Medicare NCD 220.6.17 at every payer.

The oracle is the NCD's coverage table (docs/sources.md#oncologic-pet-inpatient-admission), not the
simulator: prostate cancer (C61) is nationally non-covered for the initial treatment strategy and
covered for the subsequent strategy; head and neck (salivary glands C07/C08), testis (C62), brain
(C71) and myeloma (C90) are covered for both; PET/CT whole body (78816) is a PET/CT like 78815. Three
subsequent scans are covered nationally and more is the Medicare contractor's decision, so a payer
that denies a 4th says the limit is its own.
"""

from __future__ import annotations

import pytest
from test_sim_policies import LIBRARY, LINES, build

from simulator import adjudicate

PET_POLICIES = ["LKS-PET-001", "CMA-PET-001", "PSM-PET-001"]
SUBSEQUENT = LINES["oncology_pet"].profiles["subsequent"]


def _send(policy_id: str, *, diagnosis: str, facts: dict | None = None, code: str = "78815"):
    case, sub = build(LIBRARY.policies[policy_id], facts)
    line = sub.procedures[0].model_copy(update={"code": code})
    return adjudicate(
        case, sub.model_copy(update={"diagnoses": [diagnosis], "procedures": [line]}), library=LIBRARY
    )


@pytest.mark.parametrize("policy_id", PET_POLICIES)
def test_subsequent_strategy_pet_for_prostate_cancer_is_approved(policy_id: str) -> None:
    det = _send(policy_id, diagnosis="C61", facts=SUBSEQUENT)
    assert det.status == "approved", [r.message for r in det.reasons]


@pytest.mark.parametrize("policy_id", PET_POLICIES)
def test_initial_strategy_pet_for_prostate_cancer_is_denied_on_criterion_2(policy_id: str) -> None:
    det = _send(policy_id, diagnosis="C61")
    assert det.status == "denied"
    assert f"{policy_id}.2" in {r.criterion_id for r in det.reasons}, [r.message for r in det.reasons]


@pytest.mark.parametrize("policy_id", PET_POLICIES)
@pytest.mark.parametrize("diagnosis", ["C07", "C08.0", "C62.11", "C71.1", "C90.00"])
def test_salivary_testis_brain_and_myeloma_are_supporting_diagnoses(policy_id: str, diagnosis: str) -> None:
    det = _send(policy_id, diagnosis=diagnosis)
    assert det.status == "approved", [r.message for r in det.reasons]


@pytest.mark.parametrize("policy_id", PET_POLICIES)
def test_whole_body_pet_ct_is_governed_and_reviewed(policy_id: str) -> None:
    det = _send(policy_id, diagnosis="C34.11", code="78816")
    assert det.status == "approved" and det.policy_id == policy_id, [r.message for r in det.reasons]
    fourth = _send(
        policy_id, diagnosis="C34.11", code="78816", facts=LINES["oncology_pet"].profiles["fourth_subsequent"]
    )
    assert fourth.status == "denied"


@pytest.mark.parametrize("policy_id", PET_POLICIES)
def test_the_limit_of_three_subsequent_scans_is_stated_as_the_plans_own(policy_id: str) -> None:
    policy = LIBRARY.policies[policy_id]
    limit = next(c for c in policy.criteria if c.id == f"{policy_id}.2")
    assert "at most 3 in all" not in limit.text and "3 subsequent" in limit.text
    section = (
        LIBRARY.documents[policy_id].body.split(f"## Criterion {policy_id}.2", 1)[1].split("\n## ", 1)[0]
    )
    section = " ".join(section.split())
    plan = LIBRARY.manual(policy.payer).name.split()[0]  # "Lakeshore", "Cardinal", "Prairie"
    assert "Medicare contractor" in section and f"{plan}'s own" in section, section
