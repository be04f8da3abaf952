"""The adjudication pipeline stage by stage, against the fixture policies (tests/simulator/fixtures).

Each row's expectation follows from how the fixture policy is written (LKS-MRI-001: red flag or >= 6
weeks of failed conservative care, follow-up exam; office note <= 60 days; therapy note unless a red
flag), never from running the simulator.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sim_builders import DOS, FACILITY_NPI, OTHER_VALID_NPI, START, build_case, build_submission

from scenarios.models import RequestedLine
from simulator import adjudicate, build_view
from simulator.models import Determination


def run(library: Any, case_kw: dict | None = None, **sub_kw: Any) -> Determination:
    case = build_case(**(case_kw or {}))
    return adjudicate(case, build_submission(case, **sub_kw), library=library)


def codes(det: Determination, kind: str | None = None) -> list[str]:
    return [r.code for r in det.reasons if r.kind != "info" and (kind is None or r.kind == kind)]


def edits(det: Determination) -> set[str | None]:
    return {r.edit for r in det.reasons if r.kind != "info"}


# ---- stage 1: front-end edits -------------------------------------------------------------------------
# fmt: off
FRONT_END = [
    ("empty member id", {"member_id": " "}, "15", "member_id"),
    ("no diagnoses", {"diagnoses": []}, "15", "diagnoses"),
    ("no procedures", {"procedures": []}, "15", "procedures"),
    ("non-billable ICD-10-CM subcategory", {"diagnoses": ["M54.5"]}, "AF", "diagnosis_code"),
    ("not an ICD-10-CM code", {"diagnoses": ["Q99.999"]}, "AF", "diagnosis_code"),
    ("not a CPT code", {"procedures": [RequestedLine(code="99999", units=1)]}, "AG", "procedure_code"),
    ("add-on without its primary", {"procedures": [RequestedLine(code="22552", units=1)], "diagnoses": ["M50.121"]},
     "AG", "addon_without_primary"),
    ("unknown attachment", {"document_ids": ["d-office", "nope-1"]}, "33", "attachment_unknown"),
    ("NPI fails Luhn", {"ordering_npi": "1234567890"}, "43", "ordering_npi"),
    ("NPI not in the directory", {"servicing_npi": OTHER_VALID_NPI}, "43", "servicing_npi"),
    ("date of service too far", {"date_of_service": date(2028, 1, 1)}, "57", "date_of_service"),
    ("member id format", {"member_id": "LKS12"}, "72", "member_id_format"),
]
# fmt: on


@pytest.mark.parametrize(("label", "overrides", "code", "edit"), FRONT_END, ids=[r[0] for r in FRONT_END])
def test_front_end_rejects(library: Any, label: str, overrides: dict, code: str, edit: str) -> None:
    det = run(library, **overrides)
    assert (det.status, det.action_code, det.stage) == ("rejected", None, "front_end")
    assert code in codes(det) and edit in edits(det)
    assert det.authorization_number is None and det.appeal_rights == []


def test_front_end_reports_every_failed_edit_at_once(library: Any) -> None:
    det = run(library, member_id="LKS12", diagnoses=["M54.5"], ordering_npi="1234567890")
    assert set(codes(det)) == {"72", "AF", "43"}


def test_unknown_attachment_message_names_the_ids(library: Any) -> None:
    det = run(library, document_ids=["d-office", "ghost-7"])
    assert any("ghost-7" in r.message for r in det.reasons)


def test_facility_npi_is_in_the_directory(library: Any) -> None:
    assert run(library, servicing_npi=FACILITY_NPI).status == "approved"


# ---- stage 2: eligibility ---------------------------------------------------------------------------
# fmt: off
ELIGIBILITY = [
    ("member not in file", {}, {"member_id": "LKS999999999"}, "75", "member_not_found"),
    ("last name mismatch", {}, {"patient_last_name": "Reyess"}, "73", "patient_last_name"),
    ("dob mismatch", {}, {"patient_dob": date(1971, 5, 17)}, "71", "patient_dob"),
    ("coverage terminated", {"effective_to": date(2026, 3, 1)}, {}, "52", "coverage_inactive"),
    ("coverage not yet started", {"effective_from": date(2026, 4, 1)}, {}, "52", "coverage_inactive"),
]
# fmt: on


@pytest.mark.parametrize(
    ("label", "coverage", "overrides", "code", "edit"), ELIGIBILITY, ids=[r[0] for r in ELIGIBILITY]
)
def test_eligibility_rejects(
    library: Any, label: str, coverage: dict, overrides: dict, code: str, edit: str
) -> None:
    det = run(library, coverage, **overrides)
    assert (det.status, det.action_code, det.stage) == ("rejected", None, "eligibility")
    assert codes(det) == [code] and edits(det) == {edit}


def test_member_id_is_matched_without_case_or_dashes(library: Any) -> None:
    assert run(library, member_id="lks123456789").status == "rejected"  # format edit is exact
    assert run(library, {"member_id": "LKS123456789"}).status == "approved"


def test_hmo_specialist_without_referral_is_pended(library: Any) -> None:
    # a neurologist's MRI order: the member is seeing a specialist (a PCP's own imaging order needs no referral)
    det = run(library, {"payer": "cardinal", "referral_on_file": False, "ordering_specialty": "neurology"})
    assert (det.status, det.action_code, det.stage) == ("pended", "A4", "eligibility")
    assert edits(det) >= {"referral"} and det.request_for_information
    assert det.pend_reply_by == det.decided_at + timedelta(days=14)  # the Cardinal manual's pend window
    # no clock stop at an MA plan: the pend is the one 14-day extension, with written notice
    assert det.decision_due == START + timedelta(days=7 + 14)
    assert "extension" in {r.edit for r in det.reasons}


@pytest.mark.parametrize(
    ("case_kw", "docs", "expected"),
    [
        ({"referral_on_file": True}, ["d-office", "d-pt"], "approved"),
        (
            {"referral_on_file": False, "servicing_specialty": "family_medicine"},
            ["d-office", "d-pt"],
            "approved",
        ),
        ({"referral_on_file": False}, ["d-office", "d-pt", "d-referral"], "approved"),
    ],
)
def test_referral_not_needed_or_supplied(library: Any, case_kw: dict, docs: list[str], expected: str) -> None:
    det = run(library, {"payer": "cardinal", **case_kw}, document_ids=docs)
    assert det.status == expected, det.reasons


def test_referral_is_not_a_lakeshore_rule(library: Any) -> None:
    assert run(library, {"referral_on_file": False}).status == "approved"


# ---- stage 3: authorization requirement --------------------------------------------------------------
@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("orthopedic_surgery", "no_auth_required"),
        ("neurosurgery", "no_auth_required"),
        ("family_medicine", "approved"),
    ],
)
def test_prairie_no_auth_if_ordered_by_spine_surgeon(library: Any, ordering: str, expected: str) -> None:
    det = run(library, {"payer": "prairie", "ordering_specialty": ordering})
    assert det.status == expected
    if expected == "no_auth_required":
        assert (det.action_code, det.stage, det.policy_id) == ("NA", "auth_requirement", "PSM-MRI-001")


def test_code_listed_without_auth_and_code_no_policy_governs(library: Any) -> None:
    det = run(library, {"payer": "prairie"}, procedures=[RequestedLine(code="72149", units=1)])
    assert (det.status, det.action_code) == ("no_auth_required", "NA")
    det = run(library, procedures=[RequestedLine(code="72100", units=1)])
    assert (det.status, det.policy_id) == ("no_auth_required", None)


# ---- stage 4: timeliness --------------------------------------------------------------------------------
def test_request_after_the_date_of_service_is_denied_89(library: Any) -> None:
    det = run(library, at=datetime(2026, 3, 19, 9, 0))
    assert (det.status, det.action_code, det.stage, codes(det)) == ("denied", "A3", "timeliness", ["89"])
    assert det.appeal_rights  # every denial carries appeal rights


def test_physician_attested_expedite_without_red_flag_is_honoured(library: Any) -> None:
    # 29 CFR 2560.503-1(m)(1)(ii): the treating physician's attestation makes the claim urgent
    det = run(library, urgency="expedited")
    assert det.status == "approved" and det.expedited is True
    assert "expedite_attested" in {r.edit for r in det.reasons}
    assert det.decision_due == START + timedelta(hours=72)


def test_member_expedite_without_red_flag_is_moved_to_standard(library: Any) -> None:
    det = run(library, urgency="expedited", requested_by="member")
    assert det.status == "approved" and det.expedited is False
    assert "expedite_reclassified" in {r.edit for r in det.reasons}
    assert det.decision_due == START + timedelta(days=15)


def test_expedited_with_red_flag_runs_on_the_72_hour_clock(library: Any) -> None:
    det = run(library, urgency="expedited", document_ids=["d-redflag"])
    assert det.expedited is True and det.status == "approved"
    assert det.decision_due == START + timedelta(hours=72)
    assert det.received_at < det.decided_at <= det.decision_due


def test_short_lead_time_is_flagged_not_denied(library: Any) -> None:
    det = run(library, date_of_service=date(2026, 3, 3))
    assert det.status == "approved" and "lead_time" in {r.edit for r in det.reasons}


# ---- stage 5: coding ----------------------------------------------------------------------------------
def test_diagnosis_outside_the_policy_is_denied_92(library: Any) -> None:
    det = run(library, diagnoses=["M54.50"])
    assert (det.status, det.stage, codes(det)) == ("denied", "coding", ["92"])


# ---- stage 6: documentation ---------------------------------------------------------------------------
def test_missing_required_document_pends_with_reply_window(library: Any) -> None:
    det = run(library, document_ids=["d-office"])
    assert (det.status, det.action_code, det.stage) == ("pended", "A4", "documentation")
    assert "document:therapy_note" in edits(det)
    assert det.pend_reply_by == det.decided_at + timedelta(
        days=45
    )  # 45 days from the request for information
    assert any(item.startswith("therapy_note") for item in det.request_for_information)


def test_missing_document_pend_also_names_the_criteria_it_must_evidence(library: Any) -> None:
    det = run(library, document_ids=["d-office"])
    assert [r.edit for r in det.reasons if r.kind == "pend"] == ["document:therapy_note", None]
    assert [r.criterion_id for r in det.reasons if r.kind == "pend" and r.criterion_id] == ["LKS-MRI-001.1"]
    assert any("LKS-MRI-001.1" in item for item in det.request_for_information)
    assert {c.criterion_id: c.status for c in det.criteria}["LKS-MRI-001.1"] == "not_evidenced"


def test_criterion_without_evidence_pends_naming_it(library: Any) -> None:
    # every required document was sent, but none states whether the conservative care failed
    det = run(library, document_ids=["d-office", "d-pt-vague"])
    assert (det.status, det.stage, codes(det)) == ("pended", "documentation", ["MSG"])
    assert det.reasons[0].criterion_id == "LKS-MRI-001.1"
    assert "The records sent do not show: conservative care failed." in det.reasons[0].message


def test_stale_document_pends(library: Any) -> None:
    det = run(library, document_ids=["d-office-old", "d-pt"])
    assert det.status == "pended" and edits(det) == {"document:office_note"}
    assert "days old" in det.reasons[0].message


def test_conditional_document_not_required_with_red_flag(library: Any) -> None:
    assert run(library, document_ids=["d-redflag", "d-office"]).status == "approved"


def test_unsent_chart_documents_are_invisible(library: Any) -> None:
    # the chart holds a qualifying therapy note, but it was not attached: the payer cannot use it
    case = build_case()
    view = build_view(case, build_submission(case, document_ids=["d-office"]), library)
    assert [d.id for d in view.documents] == ["d-office"]
    assert not hasattr(view, "answer_key") and "case" not in {f.name for f in dataclasses.fields(view)}


# ---- stage 7: medical necessity -------------------------------------------------------------------------
def test_failed_criterion_is_denied_82_with_rights(library: Any) -> None:
    det = run(library, document_ids=["d-office", "d-pt-short"])
    assert (det.status, det.action_code, det.stage) == ("denied", "A3", "medical_necessity")
    assert codes(det) == ["82"] and det.failed_criteria == ["LKS-MRI-001.1"]
    assert {c.criterion_id: c.status for c in det.criteria} == {
        "LKS-MRI-001.1": "not_met",
        "LKS-MRI-001.2": "met",
    }
    assert [r.level for r in det.appeal_rights] == ["peer_to_peer", "level1"]
    decided = det.decided_at.date()
    assert [r.file_by for r in det.appeal_rights] == [
        decided + timedelta(days=14),
        decided + timedelta(days=180),
    ]
    assert "conservative care weeks: 3 (d-pt-short, 2026-02-20)" in det.reasons[0].message


ACDF = {
    "procedures": [RequestedLine(code="22551", units=1)],
    "diagnoses": ["M50.121"],
    "document_ids": ["d-surgeon", "d-imaging"],
}


def test_criterion_that_does_not_apply_counts_as_met(library: Any) -> None:
    det = run(library, **ACDF)
    assert det.status == "approved"
    assert {c.criterion_id: c.status for c in det.criteria}["LKS-ACDF-001.2"] == "met"


def test_applicable_criterion_is_evaluated(library: Any) -> None:
    case = build_case()
    case.chart.append(
        case.chart[-2].model_copy(
            update={
                "id": "d-smoker",
                "facts": {
                    "arm_pain_score": 6,
                    "symptom_weeks": 14,
                    "current_smoker": True,
                    "smoking_cessation_counselled": False,
                },
            }
        )
    )
    det = adjudicate(
        case, build_submission(case, **{**ACDF, "document_ids": ["d-smoker", "d-imaging"]}), library=library
    )
    assert det.status == "denied" and det.failed_criteria == ["LKS-ACDF-001.2"]


def test_level_count_is_a_request_fact(library: Any) -> None:
    det = run(
        library,
        **{
            **ACDF,
            "procedures": [RequestedLine(code="22551", units=1), RequestedLine(code="22552", units=2)],
        },
    )
    assert det.status == "denied" and det.failed_criteria == ["LKS-ACDF-001.3"]


# ---- stage 8: approval and limits -----------------------------------------------------------------------
def test_approval_has_number_lines_validity_and_clocks(library: Any) -> None:
    det = run(library)
    assert (det.status, det.action_code, det.stage) == ("approved", "A1", "decision")
    assert (
        det.authorization_number
        and det.authorization_number.startswith("LKS")
        and len(det.authorization_number) == 13
    )
    assert [(line.code, line.units) for line in det.approved_lines] == [("72148", 1)]
    assert (det.valid_from, det.valid_to) == (DOS, DOS + timedelta(days=60))
    assert det.received_at == START and det.decision_due == START + timedelta(days=15)
    assert det.decided_at == datetime(2026, 3, 3, 10, 0)  # next business day, 10:00
    assert det.appeal_rights == [] and codes(det) == []


def test_determination_is_deterministic_and_number_depends_on_request(library: Any) -> None:
    case = build_case()
    sub = build_submission(case)
    assert adjudicate(case, sub, library=library) == adjudicate(case, sub, library=library)
    other = adjudicate(case, build_submission(case, narrative="changed"), library=library)
    assert other.authorization_number != adjudicate(case, sub, library=library).authorization_number


def test_units_above_code_limit_are_partially_approved_87(library: Any) -> None:
    det = run(library, procedures=[RequestedLine(code="72148", units=3)])
    assert (det.status, det.action_code, codes(det)) == ("partially_approved", "A2", ["87"])
    assert [(line.code, line.units) for line in det.approved_lines] == [("72148", 1)]
    assert det.appeal_rights and det.authorization_number


def test_policy_unit_and_duration_caps(library: Any) -> None:
    det = run(
        library,
        **{
            **ACDF,
            "requested_duration_days": 120,
            "procedures": [RequestedLine(code="22551", units=1), RequestedLine(code="22552", units=1)],
        },
    )
    assert det.status == "partially_approved" and codes(det) == ["87"]
    assert det.valid_to == DOS + timedelta(days=90)
    assert [(line.code, line.units) for line in det.approved_lines] == [("22551", 1), ("22552", 1)]


def test_business_day_decision_clock(library: Any) -> None:
    det = run(library, at=datetime(2026, 3, 6, 9, 0), **ACDF)  # a Friday; LKS-ACDF-001: 10 business days
    assert det.decision_due == datetime(2026, 3, 20, 9, 0)


def test_case_answer_key_is_never_read(library: Any) -> None:
    case = build_case()
    sub = build_submission(case)
    first = adjudicate(case, sub, library=library)
    altered = case.model_copy(update={"answer_key": case.answer_key.model_copy(update={"explanation": "x"})})
    assert adjudicate(altered, sub, library=library) == first


def test_fact_names_and_values_read_as_words() -> None:
    import doctest

    import simulator.evidence

    assert doctest.testmod(simulator.evidence).failed == 0
