"""Cohort scoping (issue 11 item 4): a supervisor reads, exports and assigns only inside the cohorts an
administrator assigned to them; administrators see every cohort. The expected outcomes are a table
written here by hand: role × own/other cohort × action."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from store_support import NOW, attempt_in, make_user

from store import access, accounts, attempts, cohorts, dashboard, export
from store.db import session_scope
from store.models import AuditEvent
from store.permissions import SYSTEM, AccessDenied, Viewer

AS_OF = date(2026, 3, 2)
# Who may act on which cohort's records. "sup_a" supervises cohort A only; "sup_none" supervises nothing.
ALLOWED: dict[tuple[str, str], bool] = {
    ("admin", "A"): True,
    ("admin", "B"): True,
    ("sup_a", "A"): True,
    ("sup_a", "B"): False,
    ("sup_none", "A"): False,
    ("sup_none", "B"): False,
}
ACTIONS = (
    "get_attempt",
    "attempts_for",
    "assignments_for",
    "cohort_assignments",
    "dashboard (cohort chosen)",
    "export (cohort chosen)",
    "assign to cohort",
    "assign to trainee",
    "list_users (cohort chosen)",
)


class World:
    def __init__(self, s: Session) -> None:
        self.s = s
        admin = make_user(s, "boss", role="admin")
        self.cohort = {name: cohorts.create_cohort(s, admin, f"Cohort {name}").id for name in "AB"}
        self.trainee = {
            name: make_user(s, f"trainee.{name.lower()}", cohort_id=c) for name, c in self.cohort.items()
        }
        self.attempt = {
            name: attempts.save_attempt(s, t, attempt_in(seed=i + 1)).id
            for i, (name, t) in enumerate(self.trainee.items())
        }
        sup_a = make_user(s, "sup.a", role="supervisor", cohort_id=self.cohort["A"])
        assert sup_a.user_id is not None
        access.assign_supervisor(s, SYSTEM, sup_a.user_id, self.cohort["A"], now=NOW)
        # Being a member of cohort B does not let a supervisor see cohort B: only the assignment does.
        sup_none = make_user(s, "sup.none", role="supervisor", cohort_id=self.cohort["B"])
        self.viewers = {"admin": admin, "sup_a": sup_a, "sup_none": sup_none}

    def call(self, v: Viewer, action: str, which: str) -> Callable[[], Any]:
        s, cohort, trainee = self.s, self.cohort[which], self.trainee[which].user_id
        assert trainee is not None
        return {
            "get_attempt": lambda: attempts.get_attempt(s, v, self.attempt[which]),
            "attempts_for": lambda: attempts.attempts_for(s, v, trainee),
            "assignments_for": lambda: cohorts.assignments_for(s, v, trainee, as_of=AS_OF),
            "cohort_assignments": lambda: cohorts.cohort_assignments(s, v, cohort),
            "dashboard (cohort chosen)": lambda: dashboard.cohort_dashboard(
                s, v, dashboard.Filters(cohort_id=cohort)
            ),
            "export (cohort chosen)": lambda: export.attempt_rows(s, v, dashboard.Filters(cohort_id=cohort)),
            "assign to cohort": lambda: cohorts.assign_module(s, v, "advanced_imaging", cohort_id=cohort),
            "assign to trainee": lambda: cohorts.assign_module(s, v, "advanced_imaging", user_id=trainee),
            "list_users (cohort chosen)": lambda: accounts.list_users(s, v, cohort_id=cohort),
        }[action]


@pytest.mark.parametrize(("who", "which"), sorted(ALLOWED))
@pytest.mark.parametrize("action", ACTIONS)
def test_scope_matrix(db_session: Session, who: str, which: str, action: str) -> None:
    world = World(db_session)
    run = world.call(world.viewers[who], action, which)
    if ALLOWED[(who, which)]:
        run()
    else:
        denials = len(db_session.scalars(select(AuditEvent).where(AuditEvent.event == "access_denied")).all())
        with pytest.raises(AccessDenied, match="cohort"):
            run()
        after = db_session.scalars(select(AuditEvent).where(AuditEvent.event == "access_denied")).all()
        assert len(after) == denials + 1  # every denial leaves an audit row


def _names(rows: list[Any]) -> set[str]:
    return {getattr(r, "username", None) or r["username"] for r in rows}


def test_unfiltered_reads_show_only_the_supervisors_cohorts(db_session: Session) -> None:
    world = World(db_session)
    sup, admin = world.viewers["sup_a"], world.viewers["admin"]
    assert _names(export.attempt_rows(db_session, sup)) == {"trainee.a"}
    assert _names(export.attempt_rows(db_session, admin)) == {"trainee.a", "trainee.b"}
    assert {t.username for t in dashboard.cohort_dashboard(db_session, sup).trainees} == {"trainee.a"}
    assert dashboard.cohort_dashboard(db_session, sup).attempts == 1
    assert dashboard.cohort_dashboard(db_session, admin).attempts == 2
    assert [c.name for c in cohorts.list_cohorts(db_session, sup)] == ["Cohort A"]
    assert [c.name for c in cohorts.list_cohorts(db_session, world.viewers["sup_none"])] == []
    assert [c.name for c in cohorts.list_cohorts(db_session, admin)] == ["Cohort A", "Cohort B"]
    assert _names(accounts.list_users(db_session, sup)) == {"sup.a", "trainee.a"}
    # A scope smuggled in through the filters is replaced by the viewer's own.
    smuggled = dashboard.Filters(cohort_scope=(world.cohort["B"],))
    assert _names(export.attempt_rows(db_session, sup, smuggled)) == {"trainee.a"}


def test_unassigning_takes_the_cohort_away(db_session: Session) -> None:
    world = World(db_session)
    sup = world.viewers["sup_a"]
    assert sup.user_id is not None
    assert access.supervisor_cohorts(db_session, sup, sup.user_id) == [world.cohort["A"]]
    access.unassign_supervisor(db_session, world.viewers["admin"], sup.user_id, world.cohort["A"], now=NOW)
    with pytest.raises(AccessDenied):
        attempts.get_attempt(db_session, sup, world.attempt["A"])


def test_only_administrators_assign_cohorts_and_only_to_supervisors(db_session: Session) -> None:
    world = World(db_session)
    sup = world.viewers["sup_a"]
    assert sup.user_id is not None
    with pytest.raises(AccessDenied):
        access.assign_supervisor(db_session, sup, sup.user_id, world.cohort["B"])
    trainee = world.trainee["A"].user_id
    assert trainee is not None
    with pytest.raises(ValueError, match="supervisor: account"):
        access.assign_supervisor(db_session, SYSTEM, trainee, world.cohort["B"])


def test_a_denial_is_audited_even_when_the_unit_of_work_rolls_back(engine: Engine) -> None:
    with session_scope(engine) as s:
        world = World(s)
        sup, attempt_b = world.viewers["sup_a"], world.attempt["B"]
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        attempts.get_attempt(s, sup, attempt_b)
    with session_scope(engine) as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.event == "access_denied")).all()
    assert [(r.user_id, r.detail["action"]) for r in rows] == [(sup.user_id, "attempt.read_any")]
