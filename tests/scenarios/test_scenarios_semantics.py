"""How archetype declarations shape a case, checked on a purpose-made module over shipped service lines."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from scenarios.content import SCENARIO_ROOT, ScenarioContentError
from scenarios.generator import Content, UnknownModuleError, generate_case, load_content
from scenarios.models import Case
from scenarios.timeline import business_days_between

MODULE = """
id: semantics
title: Semantics fixture
teaches: How archetype fields shape a case.
pass_mark: 80
archetypes:
  - id: short_lead
    title: Service tomorrow
    service_line: lumbar_mri
    payers: [lakeshore]
    weight: 1
    lead: short
    expect: {action: submit, determination: approved}
    explanation: The date of service is one business day away.
  - id: same_day
    title: Service today
    service_line: lumbar_mri
    payers: [cardinal]
    weight: 1
    lead: none
    ordering_specialty: neurosurgery
    withhold_documents: [lab_report]
    expect: {action: submit, determination: approved}
    by_payer:
      cardinal: {determination: partially_approved}
    explanation: The service is today; ordered by a neurosurgeon.
  - id: denied_then_new_note
    title: Prior denial, new office note
    service_line: lumbar_mri
    payers: [prairie]
    weight: 6
    profile: no_followup_exam
    prior: denied
    add_documents_after_prior: [office_note]
    expect: {action: appeal, determination: denied, reason_codes: ["50"], failed_criteria: [2],
             appeal_status: approved}
    explanation: The follow-up exam came after the denial.
"""


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Content:
    root = tmp_path_factory.mktemp("semantics")
    (root / "modules").mkdir()
    (root / "service_lines").mkdir()
    shutil.copy(SCENARIO_ROOT / "service_lines" / "lumbar_mri.yaml", root / "service_lines")
    (root / "modules" / "semantics.yaml").write_text(MODULE)
    return load_content.__wrapped__(root)  # type: ignore[attr-defined]


def _cases(content: Content, archetype: str) -> list[Case]:
    cases = [generate_case("semantics", s, content=content) for s in range(80)]
    return [c for c in cases if c.archetype_id == archetype]


def test_weights_set_the_mix(content: Content) -> None:
    mix = Counter(generate_case("semantics", s, content=content).archetype_id for s in range(400))
    # weights 6 : 1 : 1, so the denial archetype is about three times the other two together
    assert mix["short_lead"] > 0 and mix["same_day"] > 0
    assert mix["denied_then_new_note"] > 2 * (mix["short_lead"] + mix["same_day"])


def test_short_lead_is_one_business_day(content: Content) -> None:
    for case in _cases(content, "short_lead"):
        assert business_days_between(case.sim_start.date(), case.order.date_of_service) == 1


def test_same_day_overrides_and_withholding(content: Content) -> None:
    cases = _cases(content, "same_day")
    assert cases
    for case in cases:
        assert case.order.date_of_service == case.sim_start.date()
        assert case.ordering_provider.specialty == "neurosurgery"
        assert "lab_report" not in {d.kind for d in case.chart}
        # by_payer replaces only the fields it names
        assert case.answer_key.expected_determination.status == "partially_approved"
        assert case.answer_key.expected_determination.action_code == "A2"
        assert case.answer_key.correct_action == "submit"


def test_denied_prior_keeps_the_old_note_and_adds_a_new_one(content: Content) -> None:
    cases = _cases(content, "denied_then_new_note")
    assert cases
    for case in cases:
        prior = case.prior_submission
        assert prior is not None
        notes = [d for d in case.chart if d.kind == "office_note"]
        assert len(notes) == 2
        old, new = sorted(notes, key=lambda d: d.date)
        assert old.date <= prior.at.date() < new.date < case.sim_start.date()
        assert old.facts["followup_exam_documented"] is False and new.facts["followup_exam_documented"] is True
        assert old.id in prior.document_ids and new.id not in prior.document_ids
        appeal = case.answer_key.reference_actions[-1]
        assert appeal.type == "appeal" and appeal.document_ids == [new.id]
        assert appeal.level == "level1"  # Prairie's first appeal level
        assert case.answer_key.criteria_outcome[f"{case.answer_key.policy_id}.2"] == "not_met"


def test_bad_arguments_name_the_field(content: Content) -> None:
    with pytest.raises(UnknownModuleError, match="known modules: semantics"):
        generate_case("nope", 1, content=content)
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(ValueError, match="seed must be a non-negative integer"):
            generate_case("semantics", bad, content=content)  # type: ignore[arg-type]


def test_a_module_with_content_errors_refuses_to_generate(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "service_lines").mkdir()
    shutil.copy(SCENARIO_ROOT / "service_lines" / "lumbar_mri.yaml", tmp_path / "service_lines")
    (tmp_path / "modules" / "semantics.yaml").write_text(MODULE.replace("profile: no_followup_exam", "profile: nope"))
    broken = load_content.__wrapped__(tmp_path)  # type: ignore[attr-defined]
    with pytest.raises(ScenarioContentError, match="unknown profile 'nope'"):
        generate_case("semantics", 0, content=broken)
