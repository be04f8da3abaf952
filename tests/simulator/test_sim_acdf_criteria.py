"""Issue 10 item 15: cervical fusion for radiculopathy needs limited daily activities and other pain
sources excluded.

Oracle: the public cervical-fusion criteria (docs/sources.md#hospital-outpatient-services-blepharoplasty-and-cervical-fusion:
Medicare OPD cervical fusion criteria; commercial ACDF policies) ask that radicular pain limit
activities of daily living and that shoulder and peripheral-nerve causes be excluded.
"""

from __future__ import annotations

import pytest
from test_sim_policies import LIBRARY, build

from simulator import adjudicate

ACDF = ["LKS-ACDF-001", "CMA-ACDF-001", "PSM-ACDF-001"]


@pytest.mark.parametrize("policy_id", ACDF)
@pytest.mark.parametrize("missing", ["adl_limitation", "other_pain_sources_excluded"])
def test_radiculopathy_without_adl_limits_or_a_differential_is_denied(policy_id: str, missing: str) -> None:
    case, sub = build(LIBRARY.policies[policy_id], {missing: ""})
    det = adjudicate(case, sub, library=LIBRARY)
    assert det.status == "denied" and f"{policy_id}.5" in {r.criterion_id for r in det.reasons}


@pytest.mark.parametrize("policy_id", ACDF)
def test_the_documented_case_is_approved(policy_id: str) -> None:
    case, sub = build(LIBRARY.policies[policy_id])
    assert adjudicate(case, sub, library=LIBRARY).status == "approved"
