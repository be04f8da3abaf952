"""Attempts in progress: saved after every action, resumable, replaced by the graded attempt, and only
ever changed by the trainee who started them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from store.accounts import create_user
from store.attempts import AttemptIn, GradeSummary, attempts_for
from store.audit import list_events
from store.dashboard import cohort_dashboard
from store.permissions import SYSTEM, AccessDenied, NotFound, Viewer
from store.progress import abandon_attempt, complete_attempt, open_attempts, save_progress

T0 = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
ELIG = {
    "type": "eligibility",
    "at": "2026-03-05T09:55:00",
    "member_id": "LKS123456789",
    "date_of_service": "2026-03-12",
}


def _viewer(session: Session, username: str, role: str = "trainee") -> Viewer:
    user = create_user(
        session,
        SYSTEM,
        username=username,
        display_name=username.title(),
        password="long enough password",
        role=role,
        cost=4,
    )
    return Viewer(user_id=user.id, username=username, role=role)  # type: ignore[arg-type]


def _record(
    status: str = "in_progress", actions: list[dict[str, Any]] | None = None, **extra: Any
) -> AttemptIn:
    return AttemptIn.model_validate(
        {
            "module_id": "advanced_imaging",
            "case_id": "advanced_imaging:4",
            "seed": 4,
            "archetype_id": "mri_meets",
            "content_version": "v1",
            "started_at": T0,
            "status": status,
            "actions": actions or [],
            "results": [{"action_index": 0}] if actions else [],
            **extra,
        }
    )


def _done() -> AttemptIn:
    grade = GradeSummary(
        total_score=88.0,
        passed=True,
        dimension_scores={"coding": 100.0},
        error_tags=[],
        report={"total": 88.0},
    )
    return _record("completed", [ELIG], completed_at=T0 + timedelta(minutes=30), grade=grade)


def test_progress_is_saved_updated_resumed_and_replaced(db_session: Session) -> None:
    session = db_session
    tina = _viewer(session, "tina")
    attempt_id = save_progress(session, tina, _record())
    assert save_progress(session, tina, _record(actions=[ELIG]), attempt_id=attempt_id) == attempt_id
    (open_one,) = open_attempts(session, tina)
    assert open_one.id == attempt_id and [a.type for a in open_one.action_models()] == ["eligibility"]
    assert cohort_dashboard(session, SYSTEM).attempts == 0  # progress never counts
    assert list_events(session, SYSTEM, event="submission") == []

    done = complete_attempt(session, tina, _done(), attempt_id=attempt_id)
    assert done.status == "completed" and done.total_score == 88.0
    assert open_attempts(session, tina) == []
    assert [a.status for a in attempts_for(session, tina, tina.user_id)] == ["completed"]  # type: ignore[arg-type]
    assert len(list_events(session, SYSTEM, event="submission")) == 1
    with pytest.raises(ValueError, match="already completed"):  # the in-progress row is gone
        save_progress(session, tina, _record(), attempt_id=done.id)


def test_only_the_owner_changes_an_attempt(db_session: Session) -> None:
    session = db_session
    tina, tom = _viewer(session, "tina"), _viewer(session, "tom")
    attempt_id = save_progress(session, tina, _record())
    with pytest.raises(AccessDenied, match="belongs to another trainee"):
        save_progress(session, tom, _record(), attempt_id=attempt_id)
    with pytest.raises(AccessDenied):
        complete_attempt(session, tom, _done(), attempt_id=attempt_id)
    with pytest.raises(AccessDenied):
        abandon_attempt(session, tom, attempt_id)
    coordinator = _viewer(session, "cora", "coordinator")
    with pytest.raises(AccessDenied):
        save_progress(session, coordinator, _record())
    with pytest.raises(AccessDenied):
        open_attempts(session, coordinator)
    assert open_attempts(session, tom) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, v, i: save_progress(s, v, _done()), "status: progress is saved as 'in_progress'"),
        (lambda s, v, i: complete_attempt(s, v, _record(), attempt_id=i), "status: a finished attempt"),
        (lambda s, v, i: save_progress(s, v, _record(case_id="dme:1"), attempt_id=i), "case id: attempt"),
        (lambda s, v, i: save_progress(s, v, _record(), attempt_id=i + 1000), "does not exist"),
        (
            lambda s, v, i: save_progress(s, v, _record(), attempt_id="1"),
            "attempt id: expected a whole number",
        ),
        (lambda s, v, i: save_progress(s, SYSTEM, _record()), "attempts belong to a person"),
    ],
)
def test_bad_calls_say_what_is_wrong(db_session: Session, call: Any, message: str) -> None:
    session = db_session
    tina = _viewer(session, "tina")
    attempt_id = save_progress(session, tina, _record())
    with pytest.raises((ValueError, NotFound), match=message):
        call(session, tina, attempt_id)


def test_abandoned_attempts_are_kept_but_closed(db_session: Session) -> None:
    session = db_session
    tina = _viewer(session, "tina")
    attempt_id = save_progress(session, tina, _record())
    abandon_attempt(session, tina, attempt_id)
    assert open_attempts(session, tina) == []
    assert [a.status for a in attempts_for(session, tina, tina.user_id)] == ["abandoned"]  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="already abandoned"):
        abandon_attempt(session, tina, attempt_id)
