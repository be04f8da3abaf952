"""Code fixes before a request: specific diagnoses from the chart, units, add-on primaries."""

from __future__ import annotations

import pytest
from asst_cases import find_case

from assistant.analysis import governing_policy
from assistant.coding import code_request, specific_diagnosis
from scenarios.models import Code, OrderLine


@pytest.mark.parametrize(
    ("original", "policy_id", "statements", "expected"),
    [
        (
            "M54.5",
            "LKS-MRI-001",
            "A/P: radiculopathy, lumbar",
            "M54.16",
        ),  # category, chart says radiculopathy
        ("C34.1", "CMA-PET-001", "adenocarcinoma of the right upper lobe of the lung", "C34.11"),
        ("C34.1", "CMA-PET-001", "adenocarcinoma of the left upper lobe of the lung", "C34.12"),
        (
            "M17.10",
            "PSM-TKA-001",
            "primary osteoarthritis, right knee",
            "M17.11",
        ),  # unspecified knee -> right
        ("F10.2", "LKS-SUD-001", "alcohol use disorder, severe", "F10.20"),  # default: uncomplicated
        (
            "G47.30",
            "CMA-CPAP-001",
            "obstructive sleep apnea, moderate",
            "G47.33",
        ),  # billable, but not accepted
        (
            "J44.9",
            "LKS-PWC-001",
            "chronic obstructive pulmonary disease with exertional hypoxemia",
            None,
        ),  # keep
        ("C34.1", "CMA-PET-001", "no statement that names the disease", None),  # no guess
    ],
)
def test_specific_diagnosis(original, policy_id, statements, expected, library) -> None:
    assert specific_diagnosis(original, library.policies[policy_id], statements) == expected


def _with_order(case, **update):
    return case.model_copy(update={"order": case.order.model_copy(update=update)})


def test_units_of_a_one_per_request_code_are_cut_to_one(library) -> None:
    case = find_case("coding", "lumbar_wrong_units")
    policy = governing_policy(case, library)
    coded = code_request(case, policy)
    assert [(ln.code, ln.units) for ln in coded.procedures] == [("72148", 1)]
    assert [f.field for f in coded.fixes] == ["units"]


def test_rental_units_follow_the_requested_period(library) -> None:
    case = find_case("coding", "cpap_wrong_units")
    assert case.order.procedures[0].units > 3
    coded = code_request(case, governing_policy(case, library))
    assert [(ln.code, ln.units, ln.modifiers) for ln in coded.procedures] == [("E0601", 3, ["RR"])]


def test_addon_gets_its_primary(library) -> None:
    case = find_case("coding", "acdf_addon_without_primary")
    coded = code_request(case, governing_policy(case, library))
    # a two-level ACDF as CPT codes it: primary and additional interspace, the plate over three vertebrae
    # (22845), one interbody device per interspace (22853 x2) and the graft once (20930)
    assert [(ln.code, ln.units) for ln in coded.procedures] == [
        ("22551", 1),
        ("22552", 1),
        ("22845", 1),
        ("22853", 2),
        ("20930", 1),
    ]
    assert coded.fixes[0].proposed == "22551"


def test_units_above_a_payer_cap_over_a_period_are_capped(library) -> None:
    # 32 IOP days over 60 days; Prairie authorizes 30-day blocks of 20 units: ask for the first block
    case = find_case("behavioral_health", "iop_prairie_block", "prairie")
    coded = code_request(case, governing_policy(case, library))
    assert case.order.procedures[0].units == 32 and coded.procedures[0].units == 20
    assert [f.field for f in coded.fixes] == ["units"] and "198" in coded.fixes[0].reason


def test_units_above_a_payer_cap_for_one_procedure_are_kept_and_warned(library) -> None:
    # a four-level fusion cannot be requested as fewer levels: keep it, expect the partial approval
    case = find_case("surgery_admissions", "acdf_four_levels_over_unit_limit", "cardinal")
    coded = code_request(case, governing_policy(case, library))
    assert [(ln.code, ln.units) for ln in coded.procedures] == [
        (ln.code.code, ln.units) for ln in case.order.procedures
    ]
    assert any("partial approval" in w for w in coded.warnings)


def test_an_undecidable_code_is_a_question_for_the_provider(library) -> None:
    case = find_case("advanced_imaging", "mri_meets", "lakeshore")
    odd = _with_order(case, diagnoses=[Code(system="ICD-10-CM", code="Z99", display="")])
    coded = code_request(odd, governing_policy(odd, library))
    assert coded.problems and "Z99" in coded.problems[0]


def test_a_clean_order_is_left_alone(library) -> None:
    case = find_case("advanced_imaging", "mri_meets", "cardinal")
    coded = code_request(case, governing_policy(case, library))
    assert coded.fixes == [] and coded.problems == []
    assert coded.diagnoses == [d.code for d in case.order.diagnoses]
    assert [(ln.code, ln.units) for ln in coded.procedures] == [
        (ln.code.code, ln.units) for ln in case.order.procedures
    ]
    assert isinstance(case.order.procedures[0], OrderLine)
