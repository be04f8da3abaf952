"""Builders for hand-built cases and requests against the fixture policies in ``fixtures/`` (not the shipped content).

Expectations in these tests come from how the fixture policies are written (e.g. LKS-MRI-001 needs 6
weeks of failed conservative care), never from running the simulator.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from scenarios.models import (
    Address,
    AnswerKey,
    Case,
    ChartDocument,
    Code,
    Coverage,
    ExpectedDetermination,
    Facility,
    Order,
    OrderLine,
    Patient,
    Provider,
    RequestedLine,
    Submission,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ORDERING_NPI, SERVICING_NPI, FACILITY_NPI, OTHER_VALID_NPI = (
    "1234567893",
    "1558598797",
    "1987654328",
    "1456789019",
)
START = datetime(2026, 3, 2, 9, 0)  # a Monday
DOS = date(2026, 3, 18)  # 12 business days after START: outside every fixture policy's lead time
MEMBER_IDS = {"lakeshore": "LKS123456789", "cardinal": "CMA12345678", "prairie": "4820175536"}

ADDRESS = Address(street="1 Test Way", city="Lakeview", state="IL", zip="60600")


def doc(doc_id: str, kind: str, day: date, **facts: Any) -> ChartDocument:
    return ChartDocument(
        id=doc_id, kind=kind, date=day, author="ordering", title=kind, text=f"{kind} text", facts=facts
    )


def mri_chart() -> list[ChartDocument]:
    """A lumbar-MRI chart that meets LKS-MRI-001 (8 weeks of failed therapy, follow-up exam)."""
    return [
        doc(
            "d-office",
            "office_note",
            date(2026, 2, 25),
            red_flag=False,
            followup_exam_documented=True,
            pain_score=7,
        ),
        doc(
            "d-pt",
            "therapy_note",
            date(2026, 2, 20),
            conservative_care_weeks=8,
            conservative_care_failed=True,
        ),
        doc("d-meds", "medication_list", date(2026, 2, 25)),
        doc(
            "d-pt-short",
            "therapy_note",
            date(2026, 2, 20),
            conservative_care_weeks=3,
            conservative_care_failed=True,
        ),
        doc(
            "d-redflag",
            "office_note",
            date(2026, 2, 27),
            red_flag=True,
            red_flag_kind="saddle anesthesia",
            followup_exam_documented=True,
        ),
        doc("d-office-old", "office_note", date(2025, 11, 1), red_flag=False, followup_exam_documented=True),
        doc(
            "d-pt-new",
            "therapy_note",
            date(2026, 4, 1),
            conservative_care_weeks=9,
            conservative_care_failed=True,
        ),
        doc("d-pt-vague", "therapy_note", date(2026, 2, 20), conservative_care_weeks=8),
        doc(
            "d-pt-p2p",
            "therapy_note",
            date(2026, 3, 4),
            conservative_care_weeks=7,
            conservative_care_failed=True,
        ),
        doc("d-imaging", "imaging_report", date(2026, 1, 20), compression_levels=2),
        doc(
            "d-surgeon",
            "office_note",
            date(2026, 2, 25),
            arm_pain_score=6,
            symptom_weeks=14,
            current_smoker=False,
        ),
        doc("d-referral", "referral", date(2026, 2, 26)),
    ]


def hand_built_case(
    *,
    case_id: str,
    title: str,
    coverage: Coverage,
    order: Order,
    chart: list[ChartDocument],
    dob: date = date(1970, 5, 17),
    ordering_specialty: str = "family_medicine",
    servicing_specialty: str = "radiology",
    servicing_organization: str = "Imaging",
    facility_name: str = "Lakeview Imaging",
    module_id: str = "test",
    archetype_id: str = "hand_built",
    seed: int = 1,
    content_version: str = "test",
) -> Case:
    """A case around ``coverage``, ``order`` and ``chart`` with fixed people and an answer key no test
    reads (a Case needs one; expectations come from the policies, not from the key)."""
    key = AnswerKey(
        correct_action="submit",
        policy_id=None,
        auth_required=True,
        correct_diagnoses=[],
        correct_procedures=[],
        urgency="standard",
        required_document_ids=[],
        irrelevant_document_ids=[],
        criteria_outcome={},
        expected_determination=ExpectedDetermination(status="approved"),
        reference_submission=None,
        reference_actions=[],
        explanation="hand-built test case",
    )
    return Case(
        case_id=case_id,
        module_id=module_id,
        archetype_id=archetype_id,
        seed=seed,
        content_version=content_version,
        title=title,
        sim_start=START,
        patient=Patient(
            first_name="Dana",
            last_name="Reyes",
            dob=dob,
            sex="F",
            address=ADDRESS,
            phone="555-0100",
            mrn="MRN1",
        ),
        coverage=coverage,
        ordering_provider=Provider(
            npi=ORDERING_NPI,
            first_name="Ann",
            last_name="Order",
            credentials="MD",
            specialty=ordering_specialty,
            organization="Clinic",
            phone="555-0101",
        ),
        servicing_provider=Provider(
            npi=SERVICING_NPI,
            first_name="Sam",
            last_name="Serve",
            credentials="MD",
            specialty=servicing_specialty,
            organization=servicing_organization,
            phone="555-0102",
        ),
        facility=Facility(name=facility_name, npi=FACILITY_NPI, address=ADDRESS),
        order=order,
        chart=chart,
        answer_key=key,
    )


def build_case(
    payer: str = "lakeshore",
    *,
    chart: list[ChartDocument] | None = None,
    ordering_specialty: str = "family_medicine",
    servicing_specialty: str = "radiology",
    **coverage: Any,
) -> Case:
    cov = {
        "payer_id": payer,
        "payer_name": payer.title(),
        "plan_type": "test",
        "plan_name": "Test plan",
        "member_id": MEMBER_IDS[payer],
        "subscriber_name": "Dana Reyes",
        "subscriber_dob": date(1970, 5, 17),
        "effective_from": date(2026, 1, 1),
        "member_id_on_registration": MEMBER_IDS[payer],
        **coverage,
    }
    order = Order(
        service_line="lumbar_mri",
        description="MRI lumbar spine",
        diagnoses=[Code(system="ICD-10-CM", code="M54.16")],
        procedures=[OrderLine(code=Code(system="CPT", code="72148"), units=1)],
        ordered_on=date(2026, 2, 25),
        date_of_service=DOS,
        place_of_service="22",
    )
    return hand_built_case(
        case_id="test:1",
        title="Hand-built case",
        coverage=Coverage(**cov),
        order=order,
        chart=mri_chart() if chart is None else chart,
        ordering_specialty=ordering_specialty,
        servicing_specialty=servicing_specialty,
    )


def build_submission(case: Case, **overrides: Any) -> Submission:
    fields: dict[str, Any] = {
        "at": START,
        "member_id": case.coverage.member_id,
        "patient_last_name": case.patient.last_name,
        "patient_dob": case.patient.dob,
        "ordering_npi": ORDERING_NPI,
        "servicing_npi": SERVICING_NPI,
        "diagnoses": ["M54.16"],
        "procedures": [RequestedLine(code="72148", units=1)],
        "date_of_service": DOS,
        "place_of_service": "22",
        "document_ids": ["d-office", "d-pt"],
    }
    fields.update(overrides)
    return Submission(**fields)
