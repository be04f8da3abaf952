"""Issue 10 item 9: an ACDF request carries the plate, cage and graft codes the claim will carry.

Oracle (CPT coding conventions for anterior cervical fusion,
docs/sources.md#hospital-outpatient-services-blepharoplasty-and-cervical-fusion): the anterior plate is 22845 when it spans 2 to 3 vertebrae and 22846
when it spans 4 to 7; the interbody device is 22853 once per interspace; the bone graft (20930 morselized,
20931 structural) is reported once per operation. The number of levels is read here from the order's
own description (C5-C6 and C6-C7 is two levels), never from the answer key or the simulator.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from knowledge_base.loader import load_library
from scenarios.generator import generate_case
from scenarios.models import Case
from simulator import adjudicate

MODULES = ("surgery_admissions", "coding", "pends_appeals")
LEVEL = re.compile(r"C(\d)-C(\d)")


@cache
def _fusion_cases() -> list[Case]:
    cases = (generate_case(m, seed) for m in MODULES for seed in range(60))
    return [c for c in cases if c.order.service_line == "cervical_fusion"]


def _levels(description: str) -> int:
    pairs = [(int(a), int(b)) for a, b in LEVEL.findall(description)]
    return max(b for _, b in pairs) - min(a for a, _ in pairs)


def _expected_addons(levels: int) -> dict[str, int]:
    vertebrae = levels + 1
    plate = "22845" if vertebrae <= 3 else "22846"
    return {plate: 1, "22853": levels, "20930": 1}


def test_enough_fusion_cases_are_drawn() -> None:
    assert len(_fusion_cases()) >= 10


@pytest.mark.parametrize("where", ["order", "answer key"])
def test_acdf_carries_plate_cages_and_graft(where: str) -> None:
    for case in _fusion_cases():
        want = _expected_addons(_levels(case.order.description))
        # the answer key's correct_procedures are the lines an expert requests
        lines = case.order.procedures if where == "order" else case.answer_key.correct_procedures
        got = {p.code.code: p.units for p in lines}
        for code, units in want.items():
            assert got.get(code) == units, (case.case_id, where, got)


def test_every_payer_governs_the_addons_with_the_primary() -> None:
    library = load_library()
    for payer in ("lakeshore", "cardinal", "prairie"):
        policy = next(
            p for p in library.policies.values() if p.payer == payer and p.service_line == "cervical_fusion"
        )
        for code in ("22845", "22846", "22853", "20930", "20931"):
            pc = policy.code(code)
            assert pc is not None and pc.requires_primary == "22551", (payer, code)


def test_a_met_two_level_request_is_approved_with_every_addon() -> None:
    library = load_library()
    met = [c for c in _fusion_cases() if c.archetype_id == "acdf_radiculopathy_meets"]
    assert met
    for case in met:
        reference = case.answer_key.reference_submission
        assert reference is not None
        det = adjudicate(case, reference, library=library)
        assert det.status == "approved", [r.message for r in det.reasons]
        approved = {ln.code: ln.units for ln in det.approved_lines}
        assert approved == {"22551": 1, "22552": 1, "22845": 1, "22853": 2, "20930": 1}
