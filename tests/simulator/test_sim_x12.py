"""Issue 10 items 16, 17 and 19: the payer answers in X12 278 terms.

Expected codes come from the X12 code lists (docs/sources.md#x12-transactions-and-reason-codes), not
from the simulator: a request that cannot be reviewed is answered with AAA segments (AAA03 reject
reason, AAA04 follow-up action) and no HCR01 action code (HCR01 ``C`` means *cancelled*); a decision
carries HCR03 reasons from code list 886; CARCs appear only as the claim denial a decision becomes; a
late appeal is dismissed, not denied.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sim_builders import build_case, build_submission

from knowledge_base.x12 import CLAIM_CODES, DECISION_REASONS, FOLLOW_UP_ACTIONS, REJECT_REASONS
from scenarios.models import Appeal, RequestedLine
from simulator import adjudicate, decide_appeal
from simulator.models import Determination


def run(library: Any, case_kw: dict | None = None, **sub_kw: Any) -> Determination:
    case = build_case(**(case_kw or {}))
    return adjudicate(case, build_submission(case, **sub_kw), library=library)


def aaa(det: Determination) -> list[tuple[str, str | None]]:
    return [(r.code, r.follow_up) for r in det.reasons if r.kind == "reject"]


# fmt: off
REJECTIONS = [
    ("invalid diagnosis", {}, {"diagnoses": ["M54.5"]}, "AF"),
    ("invalid procedure", {}, {"procedures": [RequestedLine(code="7214", units=1)]}, "AG"),
    ("add-on without its primary", {}, {"procedures": [RequestedLine(code="22552", units=1)],
                                        "diagnoses": ["M50.121"]}, "AG"),
    ("subscriber not found", {}, {"member_id": "LKS999999999"}, "75"),
    ("invalid subscriber id", {}, {"member_id": "LKS12"}, "72"),
    ("birth date mismatch", {}, {"patient_dob": date(1971, 5, 17)}, "71"),
    ("name mismatch", {}, {"patient_last_name": "Reyess"}, "73"),
    ("date of service outside enrollment", {"effective_to": date(2026, 3, 1)}, {}, "52"),
]
# fmt: on


@pytest.mark.parametrize(("label", "case_kw", "sub_kw", "aaa03"), REJECTIONS, ids=[r[0] for r in REJECTIONS])
def test_rejections_are_aaa_segments_not_a_cancel(
    library: Any, label: str, case_kw: dict, sub_kw: dict, aaa03: str
) -> None:
    det = run(library, case_kw, **sub_kw)
    assert det.status == "rejected"
    assert det.action_code is None  # no HCR segment: HCR01 "C" would tell the provider it was cancelled
    assert (aaa03, "C") in aaa(det)
    for code, follow_up in aaa(det):
        assert code in REJECT_REASONS and follow_up in FOLLOW_UP_ACTIONS


def test_a_denial_carries_an_hcr03_reason_and_the_claim_code_it_becomes(library: Any) -> None:
    det = run(library, document_ids=["d-office", "d-pt-short"])  # 3 weeks of therapy: criterion .1 fails
    assert (det.status, det.action_code) == ("denied", "A3")
    denial = next(r for r in det.reasons if r.kind == "denial")
    assert (denial.code, denial.claim_code) == ("82", "CO-50")
    assert denial.code in DECISION_REASONS and denial.claim_code in CLAIM_CODES


def test_diagnosis_mismatch_is_hcr03_92(library: Any) -> None:
    det = run(library, diagnoses=["M54.50"])
    denial = next(r for r in det.reasons if r.kind == "denial")
    assert denial.code == "92" and denial.claim_code == "CO-167"


def test_units_over_the_limit_are_hcr03_87_and_would_deny_as_co_198(library: Any) -> None:
    det = run(library, procedures=[RequestedLine(code="72148", units=3)])
    partial = next(r for r in det.reasons if r.kind == "partial")
    assert (det.action_code, partial.code, partial.claim_code) == ("A2", "87", "CO-198")


def test_no_decision_reason_is_a_carc(library: Any) -> None:
    # CARCs 50, 167, 198, 210, 226, 252 belong to the 835 claim, never to the 278's reason codes
    carcs = {"50", "167", "198", "210", "226", "252", "288", "27", "29"}
    for det in (
        run(library, document_ids=["d-office", "d-pt-short"]),
        run(library, diagnoses=["M54.50"]),
        run(library, procedures=[RequestedLine(code="72148", units=3)]),
        run(library, document_ids=["d-office"]),
        run(library, at=datetime(2026, 3, 19, 9, 0)),
    ):
        assert not {r.code for r in det.reasons} & carcs, [(r.code, r.kind) for r in det.reasons]


def test_a_late_appeal_is_dismissed(library: Any) -> None:
    case = build_case()
    sub = build_submission(case, document_ids=["d-office", "d-pt-short"])
    det = adjudicate(case, sub, library=library)
    level1 = next(r for r in det.appeal_rights if r.level == "level1")
    late = datetime.combine(level1.file_by + timedelta(days=1), datetime.min.time())
    result = decide_appeal(
        case, sub, det, Appeal(at=late, level="level1", document_ids=["d-pt-new"]), library=library
    )
    assert result.status == "dismissed" and result.action_code is None
    assert "dismissed" in result.reasons[0].message and not any(r.code == "29" for r in result.reasons)
