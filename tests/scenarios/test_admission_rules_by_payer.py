"""Issue 10 item 13 (criteria part): the two-midnight benchmark and the inpatient-only list are Medicare rules.

Oracle (docs/sources.md#oncologic-pet-inpatient-admission): 42 CFR 412.3(d)(1) and (e) set the two-midnight
benchmark and the inpatient-only list for Medicare Part A, and 42 CFR 422.101(b)(2) makes Medicare
Advantage plans follow them. A commercial plan (Lakeshore) applies its own admission criteria and a
Medicaid plan (Prairie) its state's rule. So only Cardinal (Medicare Advantage) may decide an admission on
them, and a trainee denied at Lakeshore or Prairie must read a reason that is that payer's own rule.
"""

from __future__ import annotations

import re

import pytest

from knowledge_base.loader import load_library
from knowledge_base.models import Policy
from scenarios.generator import generate_case
from simulator import adjudicate

MEDICARE_ONLY = re.compile(r"two midnights|inpatient-only list", re.IGNORECASE)
PAYER_KIND = {"cardinal": "medicare_advantage", "lakeshore": "commercial", "prairie": "medicaid"}


def _admission_policy(payer: str) -> Policy:
    library = load_library()
    return next(
        p for p in library.policies.values() if p.payer == payer and p.service_line == "inpatient_admission"
    )


@pytest.mark.parametrize("payer", sorted(PAYER_KIND))
def test_only_medicare_advantage_decides_on_the_two_midnight_benchmark(payer: str) -> None:
    rests_on_medicare = [c.id for c in _admission_policy(payer).criteria if MEDICARE_ONLY.search(c.text)]
    if PAYER_KIND[payer] == "medicare_advantage":
        assert rests_on_medicare, "Cardinal (MA) must apply 42 CFR 412.3"
    else:
        assert not rests_on_medicare, f"{payer} is not Medicare: {rests_on_medicare}"


@pytest.mark.parametrize("payer", ["lakeshore", "prairie"])
def test_a_one_night_stay_is_denied_on_the_payers_own_rule(payer: str) -> None:
    library = load_library()
    cases = (generate_case("surgery_admissions", seed) for seed in range(400))
    case = next(
        c
        for c in cases
        if c.archetype_id == "admission_one_midnight_expected" and c.coverage.payer_id == payer
    )
    reference = case.answer_key.reference_submission
    assert reference is not None
    det = adjudicate(case, reference, library=library)
    assert det.status == "denied"
    denial_texts = [r.message for r in det.reasons if r.kind == "denial"]
    assert denial_texts and not any(MEDICARE_ONLY.search(t) for t in denial_texts), denial_texts
