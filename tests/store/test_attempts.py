"""Attempts: everything saved comes back (actions replayable as models), bad input is refused whole."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from store_support import NOW, attempt_in, make_user, sample_actions

from store.attempts import AttemptIn, attempts_for, get_attempt, save_attempt
from store.audit import list_events
from store.drafts import drafts_for, save_draft
from store.grades import GradeFormatError, summarize_grade
from store.models import Attempt, AttemptErrorTag
from store.permissions import SYSTEM, NotFound


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_save_and_read_back_everything(db_session: Session) -> None:
    me = make_user(db_session, "tina")
    record = attempt_in(
        score=72.5,
        passed=False,
        tags=("missing_required_document", "missed_deadline"),
        dims={"coding": 100.0, "documentation": 50.0, "process": 62.5},
    )
    saved = save_attempt(db_session, me, record)
    db_session.commit()
    db_session.expire_all()

    got = get_attempt(db_session, me, saved.id)
    assert (got.module_id, got.case_id, got.seed, got.archetype_id, got.content_version) == (
        "advanced_imaging",
        "advanced_imaging:7",
        7,
        "mri_meets",
        "abc123def456",
    )
    assert got.started_at == record.started_at and got.completed_at == record.completed_at
    assert got.started_at.tzinfo is not None
    assert (got.total_score, got.passed) == (72.5, False)
    assert got.dimension_scores == {
        "coding": 100.0,
        "documentation": 50.0,
        "narrative": None,
        "process": 62.5,
        "outcome": None,
    }
    assert got.error_tags == ["missed_deadline", "missing_required_document"]
    assert got.results == record.results
    assert got.grade == {"total_score": 72.5, "passed": False}
    # Replayable: the stored actions validate back into the very same action models.
    assert got.action_models() == sample_actions(record.started_at)
    assert got.actions[2]["narrative"].endswith("✓")


def test_attempts_for_lists_newest_first(db_session: Session) -> None:
    me = make_user(db_session, "tina")
    for k in range(3):
        save_attempt(db_session, me, attempt_in(seed=k, completed_at=NOW + timedelta(days=k)))
    listed = attempts_for(db_session, me, me.user_id)  # type: ignore[arg-type]
    assert [a.case_id for a in listed] == ["advanced_imaging:2", "advanced_imaging:1", "advanced_imaging:0"]


def test_submission_is_audited(db_session: Session) -> None:
    me = make_user(db_session, "tina")
    saved = save_attempt(db_session, me, attempt_in(score=90))
    (event,) = list_events(db_session, SYSTEM, event="submission")
    assert event.user_id == me.user_id and event.detail["attempt_id"] == saved.id
    assert event.detail["total_score"] == 90


def test_missing_attempt_is_not_found(db_session: Session) -> None:
    me = make_user(db_session, "tina")
    with pytest.raises(NotFound, match="attempt 12345 does not exist"):
        get_attempt(db_session, me, 12345)
    for huge in (10**30, 2**63, -1, 0):  # beyond what the database stores: not found, not a driver error
        with pytest.raises(NotFound, match=f"attempt {huge} does not exist"):
            get_attempt(db_session, me, huge)
    with pytest.raises(ValueError, match="attempt id: expected a whole number"):
        get_attempt(db_session, me, "1")  # type: ignore[arg-type]


def _fields(**change: object) -> dict[str, object]:
    base = attempt_in().model_dump()
    base["actions"] = [a.model_dump(mode="json") for a in attempt_in().actions]
    base.update(change)
    return base


BAD_ATTEMPTS = [
    ({"module_id": ""}, "module_id"),
    ({"case_id": "x" * 201}, "case_id"),
    ({"seed": -1}, "seed"),
    ({"seed": "seven"}, "seed"),
    ({"started_at": datetime(2026, 3, 2, 9, 0)}, "timezone"),  # naive: ambiguous, refused
    ({"completed_at": None}, "completed attempt needs completed_at"),
    ({"grade": None}, "completed attempt needs completed_at and a grade"),
    ({"completed_at": NOW - timedelta(days=1)}, "before started_at"),
    ({"status": "graded"}, "status"),
    ({"actions": [{"type": "teleport", "at": "2026-03-02T09:00:00Z"}]}, "teleport"),
    ({"actions": "not a list"}, "actions"),
    ({"results": [{"blob": "x" * 2_100_000}]}, "too large"),
    ({"unexpected": 1}, "unexpected"),
    ({"grade": {"total_score": 140, "passed": True, "report": {}}}, "total_score"),
    (
        {"grade": {"total_score": 50, "passed": True, "report": {}, "error_tags": ["Missing Doc"]}},
        "error tag",
    ),
    (
        {"grade": {"total_score": 50, "passed": True, "report": {}, "dimension_scores": {"coding": -3}}},
        "0-100",
    ),
    ({"grade": {"total_score": 50, "passed": True, "report": {}, "dimension_scores": {"charm": 3}}}, "charm"),
]


@pytest.mark.parametrize(("change", "words"), BAD_ATTEMPTS)
def test_bad_attempt_is_refused_and_nothing_is_stored(db_session: Session, change: dict, words: str) -> None:
    me = make_user(db_session, "tina")
    save_attempt(db_session, me, attempt_in(tags=("missed_deadline",)))
    db_session.commit()
    with pytest.raises(ValidationError, match=words):
        save_attempt(db_session, me, _fields(**change))
    db_session.rollback()
    assert _count(db_session, Attempt) == 1 and _count(db_session, AttemptErrorTag) == 1  # only the good one


def test_the_system_cannot_own_an_attempt(db_session: Session) -> None:
    with pytest.raises(ValueError, match="attempts belong to a person"):
        save_attempt(db_session, SYSTEM, attempt_in())


def test_in_progress_attempt_has_no_grade_columns(db_session: Session) -> None:
    me = make_user(db_session, "tina")
    draft = AttemptIn(**{**_fields(), "status": "in_progress", "completed_at": None, "grade": None})
    saved = save_attempt(db_session, me, draft)
    assert saved.total_score is None and saved.passed is None and saved.error_tags == []


# ----- reading grade reports --------------------------------------------------------------------------


def _report(**dimensions: dict) -> dict:
    """A GradeReport as JSON, written by hand: the fields the grader's contract requires."""
    return {
        "case_id": "advanced_imaging:4",
        "module_id": "advanced_imaging",
        "archetype_id": "mri_meets",
        "correct_action": "submit",
        "total": 64.0,
        "passed": False,
        "pass_mark": 80,
        "dimensions": dimensions,
        "items": [],
        "error_tags": ["missed_deadline"],
        "rubric_version": "default@2026.1",
        "grader_version": "test",
        "content_version": "kb-x.sc-y",
    }


def _dimension(percent: float | None, earned: float, possible: float, applicable: bool = True) -> dict:
    return {
        "score": 0,
        "max": 0,
        "weight": 20,
        "percent": percent,
        "applicable": applicable,
        "earned_points": earned,
        "possible_points": possible,
    }


def test_summary_reads_the_grade_report_as_the_grader_states_it() -> None:
    report = _report(
        coding=_dimension(None, 0, 0, applicable=False),
        process=_dimension(75.0, 9, 12),
        outcome=_dimension(100.0, 1, 1),
    )
    summary = summarize_grade(report)
    assert summary.total_score == 64.0 and summary.passed is False
    assert summary.dimension_scores == {"process": 75.0, "outcome": 100.0}  # coding does not apply
    assert summary.error_tags == ["missed_deadline"]
    assert summary.report["case_id"] == "advanced_imaging:4"


def test_a_report_of_another_shape_is_refused_naming_the_field() -> None:
    with pytest.raises(GradeFormatError, match="grade report: total"):
        summarize_grade({k: v for k, v in _report().items() if k != "total"})
    with pytest.raises(GradeFormatError, match="grade report: dimensions > process"):
        summarize_grade(_report(process={"points": 1}))


def test_summary_of_a_real_grade_matches_its_points() -> None:
    from grading import grade
    from scenarios import generate_case

    case = generate_case("advanced_imaging", 4)
    report = grade(case, case.answer_key.reference_actions[:1])  # eligibility only: most points lost
    summary = summarize_grade(report)
    for name, score in report.dimensions.items():
        if score.applicable and score.possible_points:
            assert summary.dimension_scores[name] == pytest.approx(
                100 * score.earned_points / score.possible_points, abs=0.01
            )
    assert summary.total_score == report.total and not summary.passed


# ----- drafts -----------------------------------------------------------------------------------------


def test_drafts_are_history_newest_first(db_session: Session) -> None:
    me = make_user(db_session, "cora", role="coordinator")
    save_draft(
        db_session, me, kind="narrative", text="first", draft={"text": "first"}, case_id="cpap:1", now=NOW
    )
    save_draft(
        db_session,
        me,
        kind="appeal_letter",
        text="second",
        draft={"text": "second", "citations": []},
        case_id="cpap:1",
        now=NOW + timedelta(hours=1),
    )
    assert [d.text for d in drafts_for(db_session, me, me.user_id)] == ["second", "first"]  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kind"):
        save_draft(db_session, me, kind="Appeal Letter!", text="x", draft={})
    with pytest.raises(ValueError, match="draft: expected"):
        save_draft(db_session, me, kind="narrative", text="x", draft="just text")
