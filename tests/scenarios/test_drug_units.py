"""Issue 10 item 10: infliximab units are requested as they will be billed.

Oracle (docs/sources.md#specialty-biologic-infliximab-rheumatoid-arthritis): J1745/Q5121 are per 10 mg
(HCPCS descriptors) and infliximab comes in 100-mg single-dose vials (prescribing information); the
vials opened are billed, the unused part with JW (CMS JW/JZ policy). A 3 mg/kg dose at 70 kg is 210 mg,
three vials, 30 billed units; 8 infusions are 240 units. The expected figures are computed here from
those public facts, not read from the simulator.
"""

from __future__ import annotations

import math

import pytest

from knowledge_base.loader import load_library
from scenarios.generator import generate_case

UNIT_MG, VIAL_MG = 10, 100


def _billed_units(dose_mg: float, infusions: int) -> int:
    return math.ceil(dose_mg / VIAL_MG) * VIAL_MG // UNIT_MG * infusions


@pytest.mark.parametrize(
    ("archetype", "weight_kg", "infusions"), [("bio_meets", 70, 8), ("bio_renewal_response", 80, 7)]
)
def test_the_expert_request_asks_for_the_billed_units(archetype: str, weight_kg: int, infusions: int) -> None:
    case = next(
        c
        for c in (generate_case("specialty_drugs", seed) for seed in range(200))
        if c.archetype_id == archetype
    )
    key = case.answer_key
    assert [p.units for p in key.correct_procedures] == [_billed_units(3 * weight_kg, infusions)]


def test_policies_teach_jw_jz_and_the_medicaid_ndc() -> None:
    library = load_library()
    for policy_id in ("LKS-BIO-001", "CMA-BIO-001", "PSM-BIO-001"):
        text = " ".join(library.documents[policy_id].body.split())
        assert "JW" in text and "JZ" in text and "CO-198" in text, policy_id
    prairie = " ".join(library.documents["PSM-BIO-001"].body.split())
    assert "11-digit National Drug Code" in prairie and "N4" in prairie
