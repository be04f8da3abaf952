"""RBAC: every role × every service call, against a table written here by hand (not read from MATRIX)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from store_support import NOW, attempt_in, make_user

from store import access, accounts, attempts, audit, cohorts, dashboard, drafts, export, messages, reviews
from store.permissions import ACTIONS, MATRIX, SYSTEM, AccessDenied, Viewer, can

ROLES = ("trainee", "supervisor", "coordinator", "admin")
T, S, C, A = "trainee", "supervisor", "coordinator", "admin"

# call name -> roles allowed. "other" means a record that belongs to another user than the caller.
ALLOWED: dict[str, set[str]] = {
    "save_attempt (own)": {T, S, A},
    "attempts_for (own)": {T, S, A},
    "attempts_for (other)": {S, A},
    "get_attempt (other)": {S, A},
    "cohort_dashboard": {S, A},
    "module_stats": {S, A},
    "export attempt_rows": {S, A},
    "assign_module": {S, A},
    "assignments_for (own)": {T, S, A},
    "assignments_for (other)": {S, A},
    "save_draft": {C, S, A},
    "drafts_for (own)": {C, S, A},
    "drafts_for (other)": {A},
    "list_users": {S, A},
    "create_user": {A},
    "change_role": {A},
    "unlock_user": {A},
    "set_active": {A},
    "create_cohort": {A},
    "list_cohorts": {S, A},
    "list_events": {A},
    # issue 12 item 9 (store/reviews.py)
    "add_comment (other)": {S, A},
    "override_grade (other)": {S, A},
    "restore_grade (other)": {S, A},
    "attempt_review (other)": {S, A},
    "send_message": {S, A},
    "my_messages": {T},
}


class World:
    """One account per role, plus a trainee ('owner') whose attempt, draft and cohort the calls touch."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cohort = cohorts.create_cohort(session, make_user(session, "boss", role="admin"), "Spring")
        self.owner = make_user(session, "owner", cohort_id=self.cohort.id)
        self.attempt = attempts.save_attempt(session, self.owner, attempt_in())
        self.viewers = {r: make_user(session, f"as.{r}", role=r, cohort_id=self.cohort.id) for r in ROLES}
        supervisor = self.viewers["supervisor"].user_id
        assert supervisor is not None
        access.assign_supervisor(session, SYSTEM, supervisor, self.cohort.id)  # scoping: test_cohort_scope.py
        self.spare = make_user(session, "spare")

    def calls(self, v: Viewer) -> dict[str, Callable[[], Any]]:
        s, owner, cohort_id = self.session, self.owner.user_id, self.cohort.id
        assert owner is not None and v.user_id is not None
        return {
            "save_attempt (own)": lambda: attempts.save_attempt(s, v, attempt_in(seed=99)),
            "attempts_for (own)": lambda: attempts.attempts_for(s, v, v.user_id),
            "attempts_for (other)": lambda: attempts.attempts_for(s, v, owner),
            "get_attempt (other)": lambda: attempts.get_attempt(s, v, self.attempt.id),
            "cohort_dashboard": lambda: dashboard.cohort_dashboard(
                s, v, dashboard.Filters(cohort_id=cohort_id)
            ),
            "module_stats": lambda: dashboard.module_stats(s, v),
            "export attempt_rows": lambda: export.attempt_rows(s, v),
            "assign_module": lambda: cohorts.assign_module(s, v, "advanced_imaging", cohort_id=cohort_id),
            "assignments_for (own)": lambda: cohorts.assignments_for(s, v, v.user_id, as_of=date(2026, 3, 2)),
            "assignments_for (other)": lambda: cohorts.assignments_for(s, v, owner, as_of=date(2026, 3, 2)),
            "save_draft": lambda: drafts.save_draft(s, v, kind="narrative", text="t", draft={"text": "t"}),
            "drafts_for (own)": lambda: drafts.drafts_for(s, v, v.user_id),
            "drafts_for (other)": lambda: drafts.drafts_for(s, v, owner),
            "list_users": lambda: accounts.list_users(s, v),
            "create_user": lambda: accounts.create_user(
                s,
                v,
                username=f"new.{v.role}",
                display_name="New",
                password="long enough pw",
                role="trainee",
                cost=4,
            ),
            "change_role": lambda: accounts.change_role(s, v, self.spare.user_id, "supervisor", now=NOW),
            "unlock_user": lambda: accounts.unlock_user(s, v, self.spare.user_id, now=NOW),
            "set_active": lambda: accounts.set_active(s, v, self.spare.user_id, False, now=NOW),
            "create_cohort": lambda: cohorts.create_cohort(s, v, f"Cohort of {v.role}"),
            "list_cohorts": lambda: cohorts.list_cohorts(s, v),
            "list_events": lambda: audit.list_events(s, v),
            "add_comment (other)": lambda: reviews.add_comment(s, v, self.attempt.id, {"text": "Well done"}),
            "override_grade (other)": lambda: reviews.override_grade(
                s, v, self.attempt.id, {"score": 90, "reason": "The grader missed the note."}
            ),
            "restore_grade (other)": lambda: (
                reviews.override_grade(
                    s, SYSTEM, self.attempt.id, {"score": 90, "reason": "First a change."}
                ),
                reviews.restore_grade(s, v, self.attempt.id, {"reason": "The grader was right."}),
            ),
            "attempt_review (other)": lambda: reviews.attempt_review(s, v, self.attempt.id),
            "send_message": lambda: messages.send_message(
                s, v, {"recipient_id": owner, "text": "See my note."}
            ),
            "my_messages": lambda: messages.my_messages(s, v),
        }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("call", sorted(ALLOWED))
def test_role_may_or_may_not(db_session: Session, call: str, role: str) -> None:
    world = World(db_session)
    run = world.calls(world.viewers[role])[call]
    if role in ALLOWED[call]:
        run()  # no AccessDenied (and no other error)
    else:
        with pytest.raises(AccessDenied, match=role):
            run()


def test_every_call_is_in_the_table(db_session: Session) -> None:
    world = World(db_session)
    assert set(world.calls(world.viewers["admin"])) == set(ALLOWED)


def test_trainee_reads_own_attempt_but_coordinator_reads_none(db_session: Session) -> None:
    world = World(db_session)
    mine = attempts.get_attempt(db_session, world.owner, world.attempt.id)
    assert mine.id == world.attempt.id
    with pytest.raises(AccessDenied, match="belongs to another trainee"):
        attempts.get_attempt(db_session, world.viewers["trainee"], world.attempt.id)
    with pytest.raises(AccessDenied):
        attempts.get_attempt(db_session, world.viewers["coordinator"], world.attempt.id)


def test_matrix_rows_are_the_declared_actions_and_all_are_used() -> None:
    assert set(MATRIX) == set(ACTIONS)
    assert all(set(roles) <= set(ROLES) for roles in MATRIX.values())
    source = "".join(
        p.read_text()
        for p in (Path(__file__).resolve().parents[2] / "store").glob("*.py")
        if p.name != "permissions.py"
    )
    unused = [a for a in ACTIONS if not re.search(rf"[\"']{re.escape(a)}[\"']", source)]
    assert not unused, f"permissions no service function checks: {unused}"


def test_unknown_action_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=re.escape("unknown permission 'attempt.delete'")):
        can("admin", "attempt.delete")
