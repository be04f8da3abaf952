"""Realism mode (issue 10 item 20): seeded, off by default, never on a graded path.

The rates expected here are the configured base rates (Medicare Advantage 2023, KFF: 6.4 % of requests
denied, 11.7 % of denials appealed, 81.7 % of appeals overturned) and the service lines' typical
turnaround (docs/sources.md, "Realism figures"); the tolerances are about three binomial standard
deviations for the number of draws.
"""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from shipped_cases import find_case

from grading import grade
from scenarios import generate_case, list_modules
from scenarios.models import Appeal
from simulator import adjudicate, decide_appeal
from simulator.clock import add_business_days
from simulator.realism import Realism

ON = Realism(enabled=True)


def _meets(payer: str = "lakeshore"):  # type: ignore[no-untyped-def]
    case = find_case("advanced_imaging", "mri_meets", payer)
    sub = case.answer_key.reference_submission
    assert sub is not None
    return case, sub


def _tolerance(p: float, n: int) -> float:
    return 3 * math.sqrt(p * (1 - p) / n)


def test_off_by_default_and_off_means_deterministic() -> None:
    case, sub = _meets()
    plain = adjudicate(case, sub)
    assert adjudicate(case, sub, realism=Realism()) == plain
    assert plain.decided_at == plain.decided_at.replace(hour=10, minute=0)  # the fixed next-morning review


def test_same_case_and_seed_give_the_same_result() -> None:
    case, sub = _meets()
    for seed in range(20):
        realism = Realism(enabled=True, seed=seed)
        assert adjudicate(case, sub, realism=realism) == adjudicate(case, sub, realism=realism)


def test_reviewer_denials_match_the_configured_rate() -> None:
    case, sub = _meets()
    n = 2000
    denied = [
        adjudicate(case, sub, realism=Realism(enabled=True, seed=s)).status == "denied" for s in range(n)
    ]
    rate = sum(denied) / n
    assert abs(rate - 0.064) <= _tolerance(0.064, n), rate
    custom = Realism(enabled=True, denial_rate=0.3)
    rate = (
        sum(
            adjudicate(case, sub, realism=custom.model_copy(update={"seed": s})).status == "denied"
            for s in range(600)
        )
        / 600
    )
    assert abs(rate - 0.3) <= _tolerance(0.3, 600), rate


def test_appeals_overturn_reviewer_denials_at_the_configured_rate() -> None:
    case, sub = _meets()
    outcomes = []
    for seed in range(5000):
        realism = Realism(enabled=True, seed=seed)
        det = adjudicate(case, sub, realism=realism)
        if det.status != "denied":
            continue
        assert any(r.edit == "reviewer_variability" for r in det.reasons)
        appeal = Appeal(at=det.decided_at + timedelta(days=2), level="level1")
        outcomes.append(decide_appeal(case, sub, det, appeal, realism=realism).status == "approved")
    n = len(outcomes)
    assert n > 200
    rate = sum(outcomes) / n
    assert abs(rate - 0.817) <= _tolerance(0.817, n), (rate, n)


def test_share_of_denials_appealed_matches_the_configured_rate() -> None:
    n = 5000
    rate = sum(ON.model_copy(update={"seed": s}).appeal_filed("case", "denial") for s in range(n)) / n
    assert abs(rate - 0.117) <= _tolerance(0.117, n), rate


def test_decision_times_vary_within_the_typical_turnaround_and_the_legal_clock() -> None:
    case, sub = _meets("cardinal")  # imaging: 24-48 hours typical, 7 calendar days legal
    waits = []
    for seed in range(300):
        det = adjudicate(case, sub, realism=Realism(enabled=True, seed=seed, denial_rate=0))
        assert det.decision_due is not None and det.decided_at <= det.decision_due
        waits.append(det.decided_at - det.received_at)
    assert all(timedelta(hours=24) <= w <= timedelta(hours=48) for w in waits)
    assert len(set(waits)) > 100  # variability, not one fixed time


def test_surgery_turnaround_is_3_to_5_business_days_capped_by_the_clock() -> None:
    case = find_case("surgery_admissions", "tka_meets", "lakeshore")
    sub = case.answer_key.reference_submission
    assert sub is not None
    days = set()
    for seed in range(200):
        det = adjudicate(case, sub, realism=Realism(enabled=True, seed=seed, denial_rate=0))
        assert det.decision_due is not None and det.decided_at <= det.decision_due
        start = det.received_at.date()
        assert add_business_days(start, 3) <= det.decided_at.date() <= add_business_days(start, 5)
        days.add(det.decided_at.date())
    assert len(days) == 3


def test_expedited_decisions_stay_inside_the_expedited_clock() -> None:
    case = find_case("advanced_imaging", "mri_red_flag_expedite", "prairie")
    sub = case.answer_key.reference_submission
    assert sub is not None and sub.urgency == "expedited"
    for seed in range(200):
        det = adjudicate(case, sub, realism=Realism(enabled=True, seed=seed, denial_rate=0))
        assert det.expedited and det.received_at < det.decided_at <= det.received_at + timedelta(hours=72)


def test_graded_paths_never_draw_from_realism(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Realism, *key: str) -> None:
        raise AssertionError("a graded path drew from realism mode")

    monkeypatch.setattr(Realism, "rng", refuse)
    for module in list_modules():
        module_id = module["id"] if isinstance(module, dict) else module.id
        for seed in range(3):
            case = generate_case(module_id, seed)
            report = grade(case, case.answer_key.reference_actions)
            assert report.total >= 0
