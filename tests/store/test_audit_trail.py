"""The audit trail (issue 11 item 5, HIPAA 164.312(b)): reads of another person's record, changes,
exports, LLM calls and denials each leave one row; the log filters by date window, user and action and
exports as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session
from store_support import NOW, attempt_in, make_user

from store import access, accounts, attempts, cohorts, drafts, export
from store.audit import list_events, log_event, log_llm_call
from store.permissions import SYSTEM, AccessDenied


def _events(s: Session) -> list[tuple[str, str | None]]:
    """(event, what) of every row in the order written; 'what' is the record, action or kind it concerns."""
    rows = sorted(list_events(s, SYSTEM, limit=10_000), key=lambda r: -r.id)
    return [
        (
            r.event,
            r.detail.get("record") or r.detail.get("action") or r.detail.get("what") or r.detail.get("kind"),
        )
        for r in reversed(rows)
    ]


@pytest.fixture
def world(db_session: Session):
    admin = make_user(db_session, "boss", role="admin")
    cohort = cohorts.create_cohort(db_session, admin, "Spring")
    trainee = make_user(db_session, "tia", cohort_id=cohort.id)
    sup = make_user(db_session, "sam", role="supervisor")
    assert sup.user_id is not None and trainee.user_id is not None
    access.assign_supervisor(db_session, admin, sup.user_id, cohort.id)
    attempt = attempts.save_attempt(db_session, trainee, attempt_in())
    return admin, cohort, trainee, sup, attempt


def test_reading_another_persons_records_is_audited(db_session: Session, world) -> None:
    admin, _, trainee, sup, attempt = world
    before = len(_events(db_session))
    attempts.get_attempt(db_session, sup, attempt.id)
    attempts.attempts_for(db_session, sup, trainee.user_id)
    cohorts.assignments_for(db_session, sup, trainee.user_id, as_of=date(2026, 3, 2))
    drafts.drafts_for(db_session, admin, trainee.user_id)
    assert _events(db_session)[before:] == [
        ("record_read", "attempt"),
        ("record_read", "attempt_list"),
        ("record_read", "assignments"),
        ("record_read", "drafts"),
    ]
    # One's own records are not "another person's": no row.
    attempts.attempts_for(db_session, trainee, trainee.user_id)
    attempts.get_attempt(db_session, trainee, attempt.id)
    assert len(_events(db_session)) == before + 4


def test_changes_exports_and_llm_calls_are_audited(db_session: Session, world) -> None:
    admin, cohort, trainee, sup, _ = world
    before = len(_events(db_session))
    cohorts.assign_module(
        db_session, sup, "advanced_imaging", cohort_id=cohort.id, due_date=date(2026, 4, 1), now=NOW
    )
    drafts.save_draft(db_session, admin, kind="narrative", text="A draft.", draft={"text": "A draft."})
    accounts.change_role(db_session, admin, sup.user_id, "trainee", now=NOW)
    accounts.set_password(
        db_session, admin, trainee.user_id, "a much longer new passphrase 7", cost=4, now=NOW
    )
    export.attempt_rows(db_session, sup)
    log_llm_call(
        db_session, admin, backend="llm:m", kind="narrative", sent="[[NAME_1]] ...", redacted_in_flight=True
    )
    assert [e for e, _ in _events(db_session)[before:]] == [
        "assignment_change",
        "draft_saved",
        "role_change",
        "settings_change",  # the administrator's password reset
        "export",
        "llm_call",
    ]


def test_a_denial_is_audited(db_session: Session, world) -> None:
    _, _, trainee, _, attempt = world
    other = make_user(db_session, "tom")
    with pytest.raises(AccessDenied):
        attempts.get_attempt(db_session, other, attempt.id)
    with pytest.raises(AccessDenied):
        list_events(db_session, trainee)
    denied = [r for r in list_events(db_session, SYSTEM, event="access_denied")]
    assert [(r.username, r.detail["action"]) for r in reversed(denied)] == [
        ("tom", "attempt.read_any"),
        ("tia", "audit.read"),
    ]


def test_the_log_filters_by_window_user_and_action_and_exports_csv(db_session: Session) -> None:
    admin = make_user(db_session, "boss", role="admin")
    dana = make_user(db_session, "dana")
    for day in range(5):
        log_event(
            db_session, "login", user_id=dana.user_id, at=NOW + timedelta(days=day), detail={"day": day}
        )
        log_event(
            db_session, "logout", user_id=admin.user_id, at=NOW + timedelta(days=day), detail={"day": day}
        )
    window = list_events(
        db_session,
        admin,
        event="login",
        user_id=dana.user_id,
        since=NOW + timedelta(days=1),
        until=NOW + timedelta(days=3),
    )
    assert [r.detail["day"] for r in window] == [2, 1]
    table = list(csv.DictReader(io.StringIO(export.audit_csv(db_session, admin, window).decode("utf-8-sig"))))
    assert [(t["username"], t["event"], t["detail"]) for t in table] == [
        ("dana", "login", '{"day": 2}'),
        ("dana", "login", '{"day": 1}'),
    ]
    assert list_events(db_session, admin, limit=1)[0].detail == {"what": "audit_log", "rows": 2}
