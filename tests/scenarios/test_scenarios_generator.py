"""Every shipped module generates valid, reproducible cases whose answer keys hang together."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, time
from functools import cache
from pathlib import Path

import pytest

from scenarios.generator import case_to_json, generate_case, load_content
from scenarios.identity import MBI_PATTERN, is_valid_npi
from scenarios.models import Appeal, Case, CloseCase, ExtensionRequest, PendReply, ProviderQuery, Submission
from scenarios.people import age_on
from scenarios.timeline import START_WINDOW, business_days_between, is_business_day

ROOT = Path(__file__).resolve().parents[2]
SEEDS = range(50)
MODULES = sorted(load_content().files.modules)


@cache
def _case(module_id: str, seed: int) -> Case:
    return generate_case(module_id, seed)


def _all_cases(module_id: str) -> list[Case]:
    return [_case(module_id, s) for s in SEEDS]


def test_there_are_modules_to_test() -> None:
    assert MODULES, "no module in scenarios/modules/ parsed; run python -m scenarios validate"


@pytest.mark.parametrize("module_id", MODULES)
def test_cases_validate_and_reproduce_byte_for_byte(module_id: str) -> None:
    for seed in SEEDS:
        case = _case(module_id, seed)
        text = case_to_json(case)
        assert Case.model_validate(json.loads(text)) == case
        assert case_to_json(generate_case(module_id, seed)) == text, f"{module_id}:{seed} is not reproducible"
        assert case.case_id == f"{module_id}:{seed}"
        assert case.content_version == load_content().version


def test_another_process_generates_the_same_bytes() -> None:
    """Catches per-process salts (hash()) and wall-clock reads that an in-process comparison would miss."""
    module_id = MODULES[0]
    for _attempt in range(3):  # content files edited between the two reads change content_version: re-read
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "scenarios",
                "generate",
                "--module",
                module_id,
                "--seed",
                "3",
                "--count",
                "3",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout.splitlines()
        fresh = load_content.__wrapped__()
        if json.loads(out[0])["content_version"] == fresh.version:
            break
    assert out == [case_to_json(generate_case(module_id, s, content=fresh)) for s in (3, 4, 5)]


def test_different_seeds_give_different_cases() -> None:
    module_id = MODULES[0]
    patients = {(c.patient.first_name, c.patient.last_name, c.patient.dob) for c in _all_cases(module_id)}
    assert len(patients) > 40


@pytest.mark.parametrize("module_id", MODULES)
def test_people_dates_and_ids_are_plausible(module_id: str) -> None:
    for case in _all_cases(module_id):
        start = case.sim_start
        assert START_WINDOW[0] <= start.date() <= START_WINDOW[1] and is_business_day(start.date())
        assert time(8, 0) <= start.time() <= time(11, 0)
        for npi in (case.ordering_provider.npi, case.servicing_provider.npi, case.facility.npi):
            assert is_valid_npi(npi), npi
        cov, order = case.coverage, case.order
        ongoing = case.title.startswith("Concurrent review: ")  # the approved stay began before the case
        assert order.date_of_service >= start.date() or ongoing
        assert order.ordered_on <= start.date()
        age = age_on(case.patient.dob, start.date())
        if cov.plan_type == "medicare_advantage_hmo":
            assert age >= 65 and cov.mbi and MBI_PATTERN.match(cov.mbi)
        assert 18 <= age <= 100
        assert cov.effective_from <= order.date_of_service
        archetype = next(
            a for a in load_content().files.modules[module_id].archetypes if a.id == case.archetype_id
        )
        if archetype.coverage == "terminated":
            assert cov.effective_to is not None and cov.effective_to < order.date_of_service
        else:
            assert cov.effective_to is None or cov.effective_to >= order.date_of_service
        typos = sum(a != b for a, b in zip(cov.member_id, cov.member_id_on_registration, strict=True))
        assert typos == (1 if archetype.coverage == "wrong_member_id" else 0)
        assert cov.referral_on_file is (archetype.coverage != "no_referral")
        card = [d for d in case.chart if d.kind == "insurance_card"]
        assert len(card) == 1 and f"Member ID: {cov.member_id}" in card[0].text
        lead = business_days_between(start.date(), order.date_of_service)
        if archetype.lead == "short":
            assert lead == 1
        elif archetype.lead == "none":
            assert lead == 0


@pytest.mark.parametrize("module_id", MODULES)
def test_document_facts_match_their_states(module_id: str) -> None:
    lines = load_content().files.service_lines
    for case in _all_cases(module_id):
        line = lines[case.order.service_line]
        extra = line.extension.documents if line.extension else []  # concurrent-review updates
        specs = {(d.kind, d.title): d for d in [*line.documents, *extra]}
        ids = [d.id for d in case.chart]
        assert ids == [f"doc-{n:02d}" for n in range(1, len(ids) + 1)]
        for doc in case.chart:
            if doc.kind == "insurance_card":
                continue
            spec = specs[(doc.kind, doc.title)]
            assert set(doc.facts) == set(spec.states), f"{case.case_id} {doc.id}"
            assert doc.text.strip() and "{{" not in doc.text and "{%" not in doc.text
            assert doc.date <= case.sim_start.date()


@pytest.mark.parametrize("module_id", MODULES)
def test_order_codes_follow_the_archetype(module_id: str) -> None:
    module = load_content().files.modules[module_id]
    for case in _all_cases(module_id):
        archetype = next(a for a in module.archetypes if a.id == case.archetype_id)
        key, order = case.answer_key, case.order
        correct = [(ln.code.code, ln.units) for ln in key.correct_procedures]
        ordered = [(ln.code.code, ln.units) for ln in order.procedures]
        if archetype.order_codes == "vague_diagnosis":
            assert {d.code for d in order.diagnoses}.isdisjoint({d.code for d in key.correct_diagnoses})
        else:
            assert order.diagnoses == key.correct_diagnoses
        if archetype.order_codes == "wrong_units":
            assert ordered != correct and [c for c, _ in ordered] == [c for c, _ in correct]
        elif archetype.order_codes == "addon_without_primary":
            assert 0 < len(ordered) < len(correct)
        elif archetype.request == "within_limits":  # the key asks for no more than the order, same codes
            assert [c for c, _ in ordered] == [c for c, _ in correct]
            assert all(o >= k for (_, o), (_, k) in zip(ordered, correct, strict=True))
        else:
            assert ordered == correct


@pytest.mark.parametrize("module_id", MODULES)
def test_answer_keys_are_internally_consistent(module_id: str) -> None:
    for case in _all_cases(module_id):
        _check_key(case)


def _check_key(case: Case) -> None:
    key, where = case.answer_key, case.case_id
    chart_ids = {d.id for d in case.chart}
    assert set(key.required_document_ids) | set(key.irrelevant_document_ids) == chart_ids, where
    assert not set(key.required_document_ids) & set(key.irrelevant_document_ids), where
    assert (key.urgency == "expedited") == (key.correct_action == "submit_expedited"), where
    assert key.auth_required == (key.correct_action != "no_auth_needed"), where
    exp = key.expected_determination
    assert set(exp.criterion_ids) == {c for c, s in key.criteria_outcome.items() if s == "not_met"}, where
    assert all(c.startswith(f"{key.policy_id}.") for c in key.criteria_outcome), where
    assert (
        exp.action_code
        == {
            "approved": "A1",
            "partially_approved": "A2",
            "denied": "A3",
            "pended": "A4",
            "no_auth_required": "NA",
            "rejected": None,  # not a decision: the 278 answers with AAA segments, no HCR01
            "dismissed": None,
        }[exp.status]
    )
    ref = key.reference_submission
    assert ref is not None and set(ref.document_ids) <= chart_ids, where
    assert ref.member_id == case.coverage.member_id and ref.patient_dob == case.patient.dob
    assert ref.patient_last_name == case.patient.last_name
    assert ref.diagnoses == [d.code for d in key.correct_diagnoses]
    assert [(p.code, p.units) for p in ref.procedures] == [
        (p.code.code, p.units) for p in key.correct_procedures
    ]
    assert ref.ordering_npi == case.ordering_provider.npi and ref.servicing_npi == case.servicing_provider.npi
    assert ref.narrative.strip() and "{{" not in ref.narrative
    sent_at = {d.id: d.date for d in case.chart}
    assert all(sent_at[i] <= ref.at.date() for i in ref.document_ids), (
        f"{where}: a document postdates the request"
    )
    actions = key.reference_actions
    assert [a.type for a in actions[:2]] == ["eligibility", "auth_lookup"], where
    assert all(a.at >= case.sim_start for a in actions) and actions == sorted(actions, key=lambda a: a.at)
    main = actions[-1]
    expected_type = {
        "submit": Submission,
        "submit_expedited": Submission,
        "query_provider": ProviderQuery,
        "no_auth_needed": CloseCase,
        "resolve_coverage": CloseCase,
        "appeal": Appeal,
        "reply_to_pend": PendReply,
        "request_extension": ExtensionRequest,
    }[key.correct_action]
    assert isinstance(main, expected_type), where
    if isinstance(main, Submission):
        assert main == ref and ref.at > case.sim_start
    if key.correct_action in ("appeal", "reply_to_pend", "request_extension"):
        assert case.prior_submission is not None and ref == case.prior_submission
        assert case.prior_submission.at < case.sim_start
        assert key.expected_appeal_status is not None
        assert set(main.document_ids) <= chart_ids - set(ref.document_ids), where
    else:
        assert case.prior_submission is None and key.expected_appeal_status is None
    if key.correct_action == "appeal":
        assert isinstance(main, Appeal) and main.level == key.appeal_level and main.letter.strip()
    if isinstance(main, ProviderQuery):
        assert set(main.criterion_ids) <= set(key.criteria_outcome) and main.message.strip()
        unmet = {c for c, s in key.criteria_outcome.items() if s != "met"}
        assert set(main.criterion_ids) == unmet or set(main.criterion_ids) == set(exp.criterion_ids)
    if isinstance(main, CloseCase):
        assert main.reason == key.correct_action


def test_prior_requests_predate_the_new_evidence() -> None:
    found = False
    for module_id in MODULES:
        for case in _all_cases(module_id):
            prior = case.prior_submission
            if prior is None:
                continue
            found = True
            dates = {d.id: d.date for d in case.chart}
            assert all(dates[i] <= prior.at.date() for i in prior.document_ids)
            assert case.order.ordered_on <= prior.at.date()
            after = [d for d in case.chart if d.date > prior.at.date() and d.kind != "insurance_card"]
            main = case.answer_key.reference_actions[-1]
            assert {d.id for d in after} >= set(getattr(main, "document_ids", []))
    assert found, "no shipped module has a case with a prior request"


def test_sim_start_never_depends_on_the_clock() -> None:
    # A fixed (module, seed) has a fixed start, so a wall-clock read would show up as a difference here.
    case = _case(MODULES[0], 0)
    assert isinstance(case.sim_start, datetime) and case.sim_start.year == 2026
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00", case.sim_start.isoformat())
