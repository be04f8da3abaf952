"""Issue 10 item 15: knee-arthroplasty conservative care accepts a contraindicated or not-tolerated step.

Oracle: the public knee-arthroplasty criteria (docs/sources.md#total-knee-arthroplasty: eviCore
CMM-311, AAOS guideline) count an NSAID or injection that is contraindicated or not tolerated, with
the reason documented, in place of the trial. A chart with no NSAID trial and no reason is still short.
"""

from __future__ import annotations

import pytest
from test_sim_policies import LIBRARY, LINES, build

from simulator import adjudicate

CKD = LINES["total_knee"].profiles["nsaid_contraindicated"]


@pytest.mark.parametrize("policy_id", ["LKS-TKA-001", "CMA-TKA-001", "PSM-TKA-001"])
def test_contraindicated_nsaid_counts_as_the_nsaid_step(policy_id: str) -> None:
    case, sub = build(LIBRARY.policies[policy_id], CKD)
    det = adjudicate(case, sub, library=LIBRARY)
    assert det.status == "approved", [r.message for r in det.reasons]


@pytest.mark.parametrize("policy_id", ["LKS-TKA-001", "CMA-TKA-001", "PSM-TKA-001"])
def test_an_injection_never_given_without_a_reason_still_fails_criterion_3(policy_id: str) -> None:
    case, sub = build(LIBRARY.policies[policy_id], {"injection_done": False})
    det = adjudicate(case, sub, library=LIBRARY)
    assert det.status == "denied" and f"{policy_id}.3" in {r.criterion_id for r in det.reasons}
