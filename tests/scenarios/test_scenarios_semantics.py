"""How archetype declarations shape a case, checked on a purpose-made module over shipped service lines."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from scenarios.content import SCENARIO_ROOT, RelativeDate, ScenarioContentError, resolve_facts
from scenarios.generator import Content, UnknownModuleError, archetype_content, generate_case, load_content
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
  - id: contrast_after_surgery
    title: Contrast study after lumbar surgery, ordered with the wrong units
    service_line: lumbar_mri
    payers: [lakeshore, prairie]
    weight: 1
    facts: {prior_lumbar_surgery: true}
    procedures:
      - {code: "72158", system: CPT, display: MRI lumbar spine without then with contrast, units: 1}
    place_of_service: 11
    requested_duration_days: 30
    order_description: MRI lumbar spine without and with contrast
    order_codes: wrong_units
    expect: {action: submit, determination: approved}
    explanation: Contrast is indicated after lumbar surgery; the order's units are wrong.
"""


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Content:
    root = tmp_path_factory.mktemp("semantics")
    (root / "modules").mkdir()
    (root / "service_lines").mkdir()
    shutil.copy(SCENARIO_ROOT / "service_lines" / "lumbar_mri.yaml", root / "service_lines")
    (root / "modules" / "semantics.yaml").write_text(MODULE)
    return load_content.__wrapped__(root)


def _cases(content: Content, archetype: str) -> list[Case]:
    cases = [generate_case("semantics", s, content=content) for s in range(80)]
    return [c for c in cases if c.archetype_id == archetype]


def test_weights_set_the_mix(content: Content) -> None:
    mix = Counter(generate_case("semantics", s, content=content).archetype_id for s in range(400))
    # weights 6 : 1 : 1 (: 1), so the denial archetype is about three times the first two together
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
        assert (
            old.facts["followup_exam_documented"] is False and new.facts["followup_exam_documented"] is True
        )
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
    (tmp_path / "modules" / "semantics.yaml").write_text(
        MODULE.replace("profile: no_followup_exam", "profile: nope")
    )
    broken = load_content.__wrapped__(tmp_path)
    with pytest.raises(ScenarioContentError, match="unknown profile 'nope'"):
        generate_case("semantics", 0, content=broken)


def test_order_overrides_reach_the_order_the_key_and_every_request(content: Content) -> None:
    cases = _cases(content, "contrast_after_surgery")
    assert cases
    for case in cases:
        key, order = case.answer_key, case.order
        # the order as written: the override's code, spoilt by order_codes (wrong units), and its setting
        assert [ln.code.code for ln in order.procedures] == ["72158"] and order.procedures[0].units > 1
        assert order.place_of_service == "11" and order.requested_duration_days == 30
        assert order.description == "MRI lumbar spine without and with contrast"
        # the answer key and the reference request carry the override as the author wrote it
        assert [(ln.code.code, ln.units) for ln in key.correct_procedures] == [("72158", 1)]
        ref = key.reference_submission
        assert ref is not None and [(p.code, p.units) for p in ref.procedures] == [("72158", 1)]
        assert ref.place_of_service == "11" and ref.requested_duration_days == 30
        lookup = key.reference_actions[1]
        assert lookup.type == "auth_lookup" and lookup.codes == ["72158"]
        # templates see the override: the office note plans the contrast study, the narrative requests it
        note = next(d for d in case.chart if d.kind == "office_note")
        assert (
            "MRI lumbar spine without and with contrast" in note.text
            and note.facts["prior_lumbar_surgery"] is True
        )
        assert "CPT 72158 x 1" in ref.narrative and "Contrast: requested (CPT 72158)" in ref.narrative
        assert (
            "Medical Group" in case.facility.name or "Family Clinic" in case.facility.name
        )  # an office (11)


def test_archetypes_without_overrides_keep_the_service_line_order(content: Content) -> None:
    for case in _cases(content, "short_lead"):
        assert [(ln.code.code, ln.units) for ln in case.answer_key.correct_procedures] == [("72148", 1)]
        assert case.order.place_of_service == "22" and case.order.requested_duration_days == 60


def test_a_prior_request_carries_the_overrides(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "service_lines").mkdir()
    shutil.copy(SCENARIO_ROOT / "service_lines" / "lumbar_mri.yaml", tmp_path / "service_lines")
    module = MODULE.replace(
        "    add_documents_after_prior: [office_note]\n",
        '    add_documents_after_prior: [office_note]\n    place_of_service: "11"\n'
        '    procedures: [{code: "72149", system: CPT, display: MRI with contrast, units: 1}]\n'
        "    facts: {tumor_suspected: true}\n",
    )
    (tmp_path / "modules" / "semantics.yaml").write_text(module)
    content = load_content.__wrapped__(tmp_path)
    cases = _cases(content, "denied_then_new_note")
    assert cases
    for case in cases:
        prior = case.prior_submission
        assert prior is not None and [p.code for p in prior.procedures] == ["72149"]
        assert prior.place_of_service == "11"


def test_relative_date_facts_resolve_against_each_case_start() -> None:
    line = load_content().files.service_lines["ra_biologic"]
    spec = line.fact_specs["tb_test_date"]
    assert isinstance(spec, RelativeDate)
    seen_starts = set()
    for seed in range(30):
        case = generate_case("specialty_drugs", seed)
        if case.archetype_id in ("bio_tb_missing", "bio_tb_expired"):
            continue
        lab = next(d for d in case.chart if d.kind == "lab_report")
        expected = case.sim_start.date() - timedelta(days=spec.days_before_start)
        assert lab.facts["tb_test_date"] == expected.isoformat() and expected.isoformat() in lab.text
        seen_starts.add(case.sim_start.date())
    assert len(seen_starts) > 5  # different starts, each with its own date


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ({"days_before_start": 40}, True),
        ({"days_before_start": 0}, True),
        ({"days_before_start": -1}, False),
        ({"days_before_start": "40"}, False),
        ({"days_before_start": 40, "extra": 1}, False),
        ({"days_ago": 40}, False),
    ],
)
def test_relative_date_fact_form(value: dict[str, object], ok: bool) -> None:
    from pydantic import TypeAdapter, ValidationError

    from scenarios.content import Fact

    adapter: TypeAdapter[object] = TypeAdapter(Fact)
    if ok:
        parsed = adapter.validate_python(value)
        assert isinstance(parsed, RelativeDate)
        assert resolve_facts({"d": parsed}, date(2026, 3, 2)) == {
            "d": (date(2026, 3, 2) - timedelta(days=value["days_before_start"])).isoformat()
        }
    else:
        with pytest.raises(ValidationError, match="days_before_start: N"):
            adapter.validate_python(value)


def test_archetype_content_narrows_to_one_pair_and_names_bad_input() -> None:
    narrowed = archetype_content("dme", "pwc_purchase_requested", "prairie")
    for seed in range(5):
        case = generate_case("dme", seed, content=narrowed)
        assert (case.archetype_id, case.coverage.payer_id) == ("pwc_purchase_requested", "prairie")
    with pytest.raises(UnknownModuleError, match="known modules"):
        archetype_content("nope", "x", "prairie")
    with pytest.raises(ValueError, match="archetype_id: dme has no archetype 'nope'"):
        archetype_content("dme", "nope", "prairie")
    with pytest.raises(ValueError, match="payer: pwc_purchase_requested is written for lakeshore, prairie"):
        archetype_content("dme", "pwc_purchase_requested", "cardinal")
