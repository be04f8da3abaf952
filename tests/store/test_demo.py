"""Demo seeding: the defects it injects, its honest refusal without the grader, and its wiring.

The wiring test uses the real generator and simulator and a recording stand-in for the grader (the
real one arrives later); it checks the store keeps exactly what the grader said about exactly the
actions that were stored, by regenerating each case and grading the stored actions again.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from store_support import COST, NOW

from grading.defects import DEFECTS
from grading.models import DimensionScore, GradeReport
from scenarios import generate_case, load_modules
from scenarios.models import Case, EligibilityQuery, Submission
from simulator import replay
from store.__main__ import main
from store.attempts import get_attempt
from store.dashboard import cohort_dashboard
from store.demo import (
    DEMO_DEFECTS,
    Engines,
    load_engines,
    seed_demo,
    trainee_actions,
)
from store.kpis import operations_report
from store.models import Attempt, User
from store.payload import plain
from store.permissions import SYSTEM


def test_demo_mistakes_are_the_graders_defects() -> None:
    assert set(DEMO_DEFECTS) <= set(DEFECTS)


def test_cli_init_and_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["init"]) == 0
    assert json.loads(capsys.readouterr().out)["schema"] == "current"
    assert (tmp_path / "precert.db").exists()
    monkeypatch.setenv("DATABASE_URL", "mysql://nowhere/db")
    assert main(["init"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "DATABASE_URL" in err
    monkeypatch.setenv("PRECERT_SESSION_TIMEOUT_MIN", "-5")
    assert main(["init"]) == 2
    assert "PRECERT_SESSION_TIMEOUT_MIN" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["seed-demo", "--attempts-per-trainee", "many"])
    assert exit_info.value.code == 2 and capsys.readouterr().err.count("\n") == 1


# ----- wiring, with the real generator and simulator --------------------------------------------------


def _recording_grader(case: Case, actions: list[Any]) -> GradeReport:
    """Stand-in grader: a deterministic function of the case and the actions, in the grader's contract."""
    sub = next((a for a in actions if isinstance(a, Submission)), None)
    docs = min(4, len(sub.document_ids)) if sub else 0
    checked = any(isinstance(a, EligibilityQuery) for a in actions)
    process = 4.0 if checked else 0.0
    total = (25.0 * process + 25.0 * docs) / 2

    def dimension(earned: float) -> DimensionScore:
        return DimensionScore(
            score=earned,
            max=4,
            weight=50,
            percent=25.0 * earned,
            applicable=True,
            earned_points=earned,
            possible_points=4,
        )

    return GradeReport(
        case_id=case.case_id,
        module_id=case.module_id,
        archetype_id=case.archetype_id,
        correct_action=case.answer_key.correct_action,
        total=total,
        passed=total >= 80,
        pass_mark=80,
        dimensions={"process": dimension(process), "documentation": dimension(float(docs))},
        items=[],
        error_tags=[] if checked else ["eligibility_not_checked"],
        rubric_version="stand-in@1",
        grader_version=f"stand-in:{len(actions)}",
        content_version=case.content_version,
    )


def _engines() -> Engines:
    return Engines(
        generate_case=generate_case, replay=replay, grade=_recording_grader, module_ids=sorted(load_modules())
    )


def test_seed_demo_stores_what_the_grader_said(db_session: Session) -> None:
    engines = _engines()
    summary = seed_demo(
        db_session, SYSTEM, engines, password="demo password 1", attempts_per_trainee=3, now=NOW, cost=COST
    )
    assert summary.attempts == 15 and len(summary.usernames) == 7
    roles = dict(db_session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles == {"trainee": 5, "supervisor": 1, "coordinator": 1}
    # shared walk-through accounts: signing in with the shown password opens the app, not a change form
    assert not any(db_session.scalars(select(User.must_change_password)))
    for (attempt_id,) in db_session.execute(select(Attempt.id)):
        stored = get_attempt(db_session, SYSTEM, attempt_id)
        module, seed = stored.case_id.split(":")
        case = engines.generate_case(module, int(seed))
        assert stored.grade == plain(
            _recording_grader(case, stored.action_models())
        )  # replays to the same grade
        assert stored.total_score == stored.grade["total"]
        assert NOW - timedelta(days=57) < stored.completed_at <= NOW  # type: ignore[operator]
    board = cohort_dashboard(db_session, SYSTEM)
    assert board.attempts == 15
    ops = operations_report(db_session, SYSTEM)  # the Operations page has figures for every attempt
    assert ops.overall.cases == 15 and ops.overall.revenue_expected > 0
    assert ops.overall.staff_minutes_per_case is not None  # the demo records workspace activity
    with pytest.raises(ValueError, match="already loaded"):
        seed_demo(db_session, SYSTEM, engines, attempts_per_trainee=1, now=NOW, cost=COST)


def test_weaker_trainees_make_more_mistakes() -> None:
    case = generate_case("advanced_imaging", 4)
    strong = sum(len(trainee_actions(case, 0.95, random.Random(k))[1]) for k in range(300))
    weak = sum(len(trainee_actions(case, 0.3, random.Random(k))[1]) for k in range(300))
    assert weak > 3 * strong > 0
    perfect = [trainee_actions(case, 1.0, random.Random(k)) for k in range(50)]
    assert all(actions == case.answer_key.reference_actions and made == [] for actions, made in perfect)


def test_seed_demo_with_the_real_grader_replays_to_the_same_grades(db_session: Session) -> None:
    engines = load_engines()
    seed_demo(db_session, SYSTEM, engines, attempts_per_trainee=2, now=NOW, cost=COST)
    stored = [get_attempt(db_session, SYSTEM, i) for (i,) in db_session.execute(select(Attempt.id))]
    assert len(stored) == 10
    for attempt in stored:
        module, seed = attempt.case_id.split(":")
        case = engines.generate_case(module, int(seed))
        report = engines.grade(case, attempt.action_models())
        assert attempt.grade == report.model_dump(mode="json")
        assert attempt.total_score == report.total and attempt.passed == report.passed
        assert sorted(attempt.error_tags) == sorted(set(report.error_tags))
