"""Issue 10 item 13 (request part): an inpatient admission is requested as an admission review.

Oracle: the ASC X12N 005010X217 278 request TR3 (docs/sources.md#x12-transactions-and-reason-codes): the
patient event (loop 2000E) carries UM01 request category AR (admission review), UM04 the facility type
(place of service 21, inpatient hospital), DTP*435 the admission date, HSD the number of days requested
and CL1 the admission type (UB-04 type of admission 3, elective). There is no procedure code for an
admission: the pseudo-code ADMIT in a "revenue-code system" was no code set at all. The days figures are
the policies' own (Lakeshore certifies up to 5 inpatient days per admission, knowledge_base/policies/
lakeshore/inpatient_admission.md "Units and approval period"), and the archetype asks for 3.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from grading import grade
from knowledge_base.loader import load_library
from knowledge_base.models import PolicyCode
from knowledge_base.procedure_codes import code_problem
from scenarios.generator import archetype_content, generate_case
from scenarios.models import AuthLookup, Case, RequestedLine, Submission
from scenarios.x12 import segments
from simulator import adjudicate, lookup_requirements
from simulator.codes import policy_index

MODULE = "surgery_admissions"
FROZEN = Path(__file__).resolve().parents[1] / "data" / "graded_by_hand" / MODULE


def _case(payer: str = "lakeshore", archetype: str = "admission_two_midnights_documented") -> Case:
    return generate_case(MODULE, 0, content=archetype_content(MODULE, archetype, payer))


def _reference(case: Case) -> Submission:
    assert case.answer_key.reference_submission is not None
    return case.answer_key.reference_submission


@pytest.mark.parametrize("payer", ["lakeshore", "cardinal", "prairie"])
def test_the_reference_request_is_an_admission_review_with_date_and_days(payer: str) -> None:
    case = _case(payer)
    sub = _reference(case)
    assert sub.category == "admission" and sub.admission_type == "elective"
    assert sub.procedures == []  # no ADMIT line: the stay is not a code
    assert sub.requested_duration_days == 3 and sub.place_of_service == "21"
    assert sub.date_of_service == case.order.date_of_service
    assert case.order.review == "admission" and case.answer_key.correct_procedures == []


def test_the_x12_view_has_um01_ar_the_admission_date_and_the_days() -> None:
    case = _case()
    got = segments(_reference(case))
    day = case.order.date_of_service.strftime("%Y%m%d")
    assert got == ["UM*AR*I*48*21:B", "HI*ABK:I4819", f"DTP*435*D8*{day}", "HSD*DY*3", "CL1*3"]
    service = _case_mri()
    assert segments(_reference(service))[0].startswith("UM*HS*I*")
    assert any(s.startswith("SV1*HC:") for s in segments(_reference(service)))


def _case_mri() -> Case:
    return generate_case(
        "advanced_imaging", 0, content=archetype_content("advanced_imaging", "mri_meets", "lakeshore")
    )


def test_admit_is_no_longer_a_code() -> None:
    assert code_problem("ADMIT")
    assert not policy_index(load_library()).is_known("ADMIT")
    with pytest.raises(ValidationError):
        PolicyCode(code="ADMIT", system="REV", display="Elective inpatient admission")  # type: ignore[arg-type]


def test_the_payer_approves_days_and_dates() -> None:
    case = _case()
    det = adjudicate(case, _reference(case))
    assert det.status == "approved" and det.approved_days == 3 and det.approved_lines == []
    assert det.valid_from == case.order.date_of_service
    assert det.valid_to == case.order.date_of_service + timedelta(days=3)
    assert "3 days" in next(r.message for r in det.reasons if r.edit == "approval")


def test_more_days_than_the_initial_certification_are_cut_to_it() -> None:
    case = _case()
    det = adjudicate(case, _reference(case).model_copy(update={"requested_duration_days": 7}))
    assert det.status == "partially_approved" and det.approved_days == 5  # Lakeshore certifies 5 days
    assert det.valid_to == case.order.date_of_service + timedelta(days=5)
    assert [r.code for r in det.reasons if r.kind == "partial"] == ["87"]


def test_an_admission_review_without_days_is_rejected_naming_them() -> None:
    case = _case()
    det = adjudicate(case, _reference(case).model_copy(update={"requested_duration_days": None}))
    assert det.status == "rejected"
    assert [r.edit for r in det.reasons] == ["admission_days"]
    assert "inpatient days requested" in det.reasons[0].message


def test_a_service_review_does_not_certify_the_stay() -> None:
    case = _case()
    sent = _reference(case).model_copy(
        update={
            "category": "service",
            "admission_type": None,
            "procedures": [RequestedLine(code="99223", units=1)],
        }
    )
    det = adjudicate(case, sent)
    assert det.status == "no_auth_required" and det.approved_days is None


def test_the_look_up_answers_for_the_admission() -> None:
    case = _case()
    reply = lookup_requirements(case, AuthLookup(at=case.sim_start, admission=True))
    [result] = reply.results
    assert result.required and result.policy_id == "LKS-ADM-001"
    with pytest.raises(ValidationError, match="codes"):
        AuthLookup(at=case.sim_start)


def test_grading_credits_the_admission_review_and_tags_a_service_review() -> None:
    case = _case()
    reference = grade(case, list(case.answer_key.reference_actions))
    item = next(i for i in reference.items if i.item_id == "procedure:admission_review")
    assert item.points == item.max_points and not item.error_tags
    assert next(i for i in reference.items if i.item_id == "auth_lookup").points > 0
    as_service = [
        a.model_copy(
            update={
                "category": "service",
                "admission_type": None,
                "procedures": [RequestedLine(code="99223", units=1)],
            }
        )
        if isinstance(a, Submission)
        else a
        for a in case.answer_key.reference_actions
    ]
    wrong = grade(case, as_service)
    assert "wrong_admission_review" in wrong.error_tags and wrong.total < reference.total


# the hand-graded attempts written on admission cases before admission reviews (their lines say ADMIT)
WITH_ADMIT = sorted(p for p in FROZEN.glob("*.json") if '"ADMIT"' in p.read_text(encoding="utf-8"))


def test_the_frozen_set_has_admit_attempts() -> None:
    assert len(WITH_ADMIT) == 2


@pytest.mark.parametrize("path", WITH_ADMIT, ids=lambda p: p.stem)
def test_frozen_attempts_written_with_admit_still_load_as_admission_reviews(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    case = Case.model_validate(raw["case"])
    assert case.order.review == "admission" and case.order.procedures == []
    for action in raw["actions"]:
        if action["type"] == "submission":
            assert Submission.model_validate(action).category == "admission"
        if action["type"] == "auth_lookup":
            assert AuthLookup.model_validate(action).admission


def test_the_assistant_builds_an_admission_review() -> None:
    from assistant.analysis import analyze

    case = _case()
    built = analyze(case, load_library()).submission
    assert (built.category, built.admission_type, built.procedures) == ("admission", "elective", [])
    assert adjudicate(case, built.model_copy(update={"narrative": "x"})).approved_days == 3
