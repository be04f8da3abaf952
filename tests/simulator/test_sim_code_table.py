"""Issue 10 items 9 and 12: the payer knows real codes, and names ICD-10-CM levels correctly.

Expected answers come from the public code sets (CMS HCPCS Level II, the AMA CPT category shapes, the
ICD-10-CM tabular list), never from the simulator: 78816 and 72141 are CPT Category I codes, J0135
(adalimumab 20 mg) and Q5104 (infliximab-abda 10 mg) are HCPCS Level II drug codes, and no fixture
policy governs any of them, so each needs no authorization.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sim_builders import build_case, build_submission

from knowledge_base.procedure_codes import code_problem, code_system
from scenarios.models import AuthLookup, RequestedLine
from simulator import adjudicate, lookup_requirements
from simulator.codes import icd_problem

REAL_UNGOVERNED = ["78816", "72141", "22845", "22853", "J0135", "Q5104", "E0601", "0042T", "3074F"]


@pytest.mark.parametrize("code", REAL_UNGOVERNED)
def test_a_real_code_no_policy_governs_needs_no_authorization(library: Any, code: str) -> None:
    # the fixture library governs lumbar MRI only; none of these codes is in it
    case = build_case()
    det = adjudicate(
        case, build_submission(case, procedures=[RequestedLine(code=code, units=1)]), library=library
    )
    assert det.status == "no_auth_required", [r.message for r in det.reasons]
    assert not any("recognise" in r.message for r in det.reasons)


def test_lookup_of_a_real_code_says_not_required(library: Any) -> None:
    case = build_case()
    reply = lookup_requirements(
        case, AuthLookup(at=datetime(2026, 3, 2, 9), codes=["Q5104", "78816"]), library=library
    )
    for result in reply.results:
        assert result.required is False
        assert "recognise" not in result.message and "does not require authorization" in result.message


@pytest.mark.parametrize(
    ("code", "system"),
    [
        ("72148", "CPT"),
        ("0042T", "CPT"),
        ("3074F", "CPT"),
        ("0001U", "CPT"),
        ("J1745", "HCPCS"),
        ("K0823", "HCPCS"),
    ],
)
def test_code_shapes_of_the_public_code_sets(code: str, system: str) -> None:
    assert code_system(code) == system and code_problem(code) is None


@pytest.mark.parametrize("code", ["7214", "721480", "D0120", "I1234", "99999", "02000", "ADMIT", "j0135x"])
def test_malformed_codes_are_named_as_such(code: str) -> None:
    assert code_system(code) is None and code_problem(code)


# ---- item 12: ICD-10-CM terminology --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("M54", "category"),
        ("M54.5", "subcategory"),
        ("M17.1", "subcategory"),
        ("F10.2", "subcategory"),
        ("C34.1", "subcategory"),
        ("S32.0", "subcategory"),
    ],
)
def test_icd_levels_are_named_as_the_tabular_list_names_them(code: str, level: str) -> None:
    problem = icd_problem(code)
    assert problem is not None and f"is a {level}," in problem


@pytest.mark.parametrize(
    ("code", "example"), [("S32.0", "S32.000A"), ("M54.5", "M54.50"), ("S32", "S32.000A")]
)
def test_the_suggested_fix_is_a_billable_code(code: str, example: str) -> None:
    problem = icd_problem(code)
    assert problem is not None and f"(e.g. {example})" in problem
    assert icd_problem(example) is None


def test_trainees_are_told_the_code_table_is_a_shape_check() -> None:
    # issue 10: what is kept simplified is said where trainees read it (the Modules page shows `teaches`)
    from scenarios.content import load_modules

    teaches = " ".join(load_modules()["coding"].teaches.split())
    assert 'does not exist is answered "authorization not required" here' in teaches
