"""What a reader of the letters notices: appeal letters state the request (codes, period) with the clinical
history and plan; every service line's narrative has a clinical summary and the chart's plan; the Draft
JSON calls the checklist ``criteria`` (old saved drafts still load); policy answers lead with the passage
that governs the code asked about."""

from __future__ import annotations

import json

import pytest
from asst_cases import find_case

from assistant.models import Draft
from assistant.pipeline import ask, draft_case
from scenarios import generate_case

NO_PLAN = "The attached records do not state a follow-up plan."
MODULES = (
    "advanced_imaging",
    "behavioral_health",
    "dme",
    "specialty_drugs",
    "surgery_admissions",
    "needs_authorization",
    "eligibility_benefits",
    "coding",
)


def _section(text: str, title: str) -> str:
    """The block of ``text`` from a heading that starts with ``title`` to the next blank line."""
    blocks = text.split("\n\n")
    return next((b for b in blocks if b.startswith(title)), "")


@pytest.mark.parametrize("payer", ["lakeshore", "cardinal", "prairie"])
def test_appeal_letter_states_the_requested_period_history_and_plan(
    payer, asst_settings, embedding, library
) -> None:
    case = find_case("pends_appeals", "appeal_with_followup_exam", payer)
    draft = draft_case(case, "appeal", settings=asst_settings, embedding=embedding, library=library)
    assert draft.kind == "appeal", draft.warnings
    sub = draft.submission
    assert sub is not None and sub.requested_duration_days
    text = draft.text
    service = _section(text, "Requested service")
    assert f"Requested authorization period: {sub.requested_duration_days} days" in service
    assert all(line.code in service for line in sub.procedures)
    assert sub.date_of_service.isoformat() in service
    assert _section(text, "Clinical summary").count('"') >= 2  # at least one quoted chart line
    plan = _section(text, "Plan and follow-up")
    assert plan and NO_PLAN not in plan  # the chart of these cases states one ("… follow up after imaging")
    assert f"requested period of {sub.requested_duration_days} days" in text
    assert draft.unsupported_facts == []


def test_sud_narrative_has_a_clinical_summary_and_the_treatment_plan(
    asst_settings, embedding, library
) -> None:
    case = find_case("behavioral_health", "iop_meets", "cardinal")
    draft = draft_case(case, "narrative", settings=asst_settings, embedding=embedding, library=library)
    assert draft.kind == "narrative", draft.warnings
    summary = _section(draft.text, "Clinical summary")
    assert "Treatment history:" in summary or "Lower level of care tried and failed:" in summary, draft.text
    plan = _section(draft.text, "Treatment plan and follow-up")
    assert plan and NO_PLAN not in plan and ("Goals:" in plan or "measurable goals" in plan), draft.text
    # a quote is content, never a bare heading ("All six ASAM dimensions assessed and rated:")
    assert not any(line.rstrip().endswith(':"') for line in draft.text.splitlines()), draft.text
    assert draft.unsupported_facts == []


def test_every_service_line_narrative_has_summary_and_plan(asst_settings, embedding, library) -> None:
    seen: dict[str, Draft] = {}
    for seed in range(30):
        for module in MODULES:
            case = generate_case(module, seed)
            line = case.order.service_line
            if line in seen or case.answer_key.correct_action not in ("submit", "submit_expedited"):
                continue
            seen[line] = draft_case(
                case, "narrative", settings=asst_settings, embedding=embedding, library=library
            )
    assert len(seen) >= 8
    for line, draft in seen.items():
        assert draft.kind == "narrative", (line, draft.warnings)
        assert "\n\nClinical summary\n" in draft.text, (line, draft.text)
        assert NO_PLAN not in draft.text, (line, draft.text)
        assert draft.unsupported_facts == [], line


def test_draft_json_names_the_criteria_and_old_drafts_still_load(asst_settings, embedding, library) -> None:
    case = find_case("behavioral_health", "iop_meets", "cardinal")
    draft = draft_case(case, "narrative", settings=asst_settings, embedding=embedding, library=library)
    data = json.loads(draft.model_dump_json())
    assert "criteria" in data and "checklist" not in data and data["criteria"]
    # a draft saved before the rename (store keeps the Draft JSON as it was written)
    data["checklist"] = data.pop("criteria")
    old = Draft.model_validate(data)
    assert old.criteria == draft.criteria and old.ready_to_submit == draft.ready_to_submit
    assert Draft.model_validate_json(json.dumps(data)).criteria == draft.criteria


def test_the_kind_switch_warning_reads_as_english(asst_settings, embedding, library) -> None:
    case = find_case("pends_appeals", "appeal_without_new_evidence")
    draft = draft_case(case, "appeal", settings=asst_settings, embedding=embedding, library=library)
    assert draft.kind == "provider_query"
    assert draft.warnings[0].startswith("An appeal letter was asked for"), draft.warnings
    assert not any(w.startswith("A appeal") for w in draft.warnings)


def test_a_code_question_is_answered_by_the_policy_that_governs_the_code(asst_settings, embedding) -> None:
    draft = ask(
        "Does Lakeshore require prior authorization for 72148?",
        "lakeshore",
        settings=asst_settings,
        embedding=embedding,
    )
    first = draft.text.splitlines()[1]
    assert "72148" in first and first.endswith("[LKS-MRI-001: Codes that need authorization]"), draft.text
    assert draft.citations[0].policy_id == "LKS-MRI-001"
    assert "LKS-SUD-001" not in draft.text
    assert "Criteria of LKS-MRI-001" in draft.text and "LKS-MRI-001.1" in draft.text
    assert draft.unsupported_facts == []


def test_a_what_is_needed_question_lists_the_policys_criteria(asst_settings, embedding) -> None:
    draft = ask("What does Cardinal need for CPAP?", settings=asst_settings, embedding=embedding)
    assert "Criteria of CMA-CPAP-001" in draft.text, draft.text
    listed = _section(draft.text, "Criteria of CMA-CPAP-001")
    assert all(f"CMA-CPAP-001.{n} — " in listed for n in (1, 2, 3)), draft.text
    assert draft.unsupported_facts == []
