"""Cohorts and assignments: which modules a cohort (or one trainee) must complete, by when, and how far
each trainee has got."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from store.access import require_cohort, require_person, visible_cohorts
from store.audit import audit_read, check, log_event
from store.db import utcnow
from store.models import Assignment, Attempt, Cohort, User
from store.permissions import NotFound, Viewer

MODULE_ID_RE = re.compile(r"[a-z0-9_]{1,100}")


class CohortOut(BaseModel):
    id: int
    name: str
    members: int
    created_at: datetime


class AssignmentOut(BaseModel):
    id: int
    module_id: str
    due_date: date | None
    cohort_id: int | None
    user_id: int | None


AssignmentStatus = Literal["passed", "in_progress", "not_started", "overdue"]


class AssignmentProgress(BaseModel):
    """One assigned module for one trainee: attempts so far, best score, and where they stand."""

    assignment_id: int
    module_id: str
    due_date: date | None
    attempts: int
    best_score: float | None
    passed: bool
    status: AssignmentStatus


def validate_module_id(value: Any) -> str:
    if not isinstance(value, str) or not MODULE_ID_RE.fullmatch(value):
        raise ValueError(
            f"module: {str(value)[:50]!r} is not a module id; use the id from the module list "
            "(lower-case letters, digits and '_')"
        )
    return value


def create_cohort(session: Session, viewer: Viewer, name: Any, *, now: datetime | None = None) -> CohortOut:
    check(session, viewer, "cohort.manage")
    if not isinstance(name, str) or not " ".join(name.split()):
        raise ValueError("cohort name: must not be empty; e.g. 'Spring 2026 intake'")
    clean = " ".join(name.split())
    if len(clean) > 100:
        raise ValueError(f"cohort name: {len(clean)} characters is too long; use at most 100")
    if session.scalar(select(Cohort.id).where(Cohort.name == clean)) is not None:
        raise ValueError(f"cohort name: {clean!r} already exists; choose another")
    at = now or utcnow()
    cohort = Cohort(name=clean, created_at=at)
    session.add(cohort)
    session.flush()
    log_event(
        session,
        "settings_change",
        user_id=viewer.user_id,
        at=at,
        detail={"action": "cohort_created", "cohort_id": cohort.id, "name": clean},
    )
    return CohortOut(id=cohort.id, name=clean, members=0, created_at=at)


def list_cohorts(session: Session, viewer: Viewer) -> list[CohortOut]:
    check(session, viewer, "cohort.view")
    stmt = (
        select(Cohort, func.count(User.id))
        .outerjoin(User, User.cohort_id == Cohort.id)
        .group_by(Cohort.id)
        .order_by(Cohort.name)
    )
    scope = visible_cohorts(session, viewer)
    if scope is not None:
        stmt = stmt.where(Cohort.id.in_(scope))
    return [
        CohortOut(id=c.id, name=c.name, members=n, created_at=c.created_at) for c, n in session.execute(stmt)
    ]


def assign_module(
    session: Session,
    viewer: Viewer,
    module_id: Any,
    *,
    cohort_id: int | None = None,
    user_id: int | None = None,
    due_date: date | None = None,
    now: datetime | None = None,
) -> AssignmentOut:
    """Assign a module to a cohort or to one user (exactly one), optionally with a due date."""
    check(session, viewer, "assignment.manage")
    module = validate_module_id(module_id)
    if (cohort_id is None) == (user_id is None):
        raise ValueError("assignment: give either a cohort or a user, not both and not neither")
    if cohort_id is not None and session.get(Cohort, cohort_id) is None:
        raise ValueError(f"cohort: no cohort with id {cohort_id!r}")
    if user_id is not None and session.get(User, user_id) is None:
        raise ValueError(f"user: no account with id {user_id!r}")
    if cohort_id is not None:
        require_cohort(session, viewer, cohort_id, "assignment.manage")
    if user_id is not None:
        require_person(session, viewer, user_id, "assignment.manage")
    if due_date is not None and (not isinstance(due_date, date) or isinstance(due_date, datetime)):
        raise ValueError(f"due date: expected a date, got {type(due_date).__name__}")
    made_at = now or utcnow()
    if due_date is not None and due_date < made_at.date():
        # A past due date would make the assignment overdue the moment it exists; refuse it rather than
        # store it (or, as the form once did, silently store the default instead).
        raise ValueError(
            f"due date: {due_date.isoformat()} is in the past (today is {made_at.date().isoformat()}); "
            "choose today or a later date"
        )
    row = Assignment(
        cohort_id=cohort_id,
        user_id=user_id,
        module_id=module,
        due_date=due_date,
        created_by=viewer.user_id,
        created_at=made_at,
    )
    session.add(row)
    session.flush()
    log_event(
        session,
        "assignment_change",
        user_id=viewer.user_id,
        at=row.created_at,
        detail={
            "assignment_id": row.id,
            "module_id": module,
            "cohort_id": cohort_id,
            "user_id": user_id,
            "due_date": None if due_date is None else due_date.isoformat(),
        },
    )
    return AssignmentOut(id=row.id, module_id=module, due_date=due_date, cohort_id=cohort_id, user_id=user_id)


def assignments_for(
    session: Session, viewer: Viewer, user_id: int, *, as_of: date
) -> list[AssignmentProgress]:
    """A trainee's assignments (their own and their cohort's) with progress, soonest due first.

    Trainees see only their own; supervisors and administrators anyone's. ``as_of`` decides 'overdue'.
    """
    if user_id != viewer.user_id:
        user = require_person(session, viewer, user_id, "assignment.manage")
        audit_read(session, viewer, "assignments", target_id=user.id)
    else:
        check(session, viewer, "assignment.view_own")
        found = session.get(User, user_id)
        if found is None:
            raise NotFound(f"user: no account with id {user_id!r}")
        user = found
    targets = [Assignment.user_id == user_id]
    if user.cohort_id is not None:
        targets.append(Assignment.cohort_id == user.cohort_id)
    done = Attempt.status == "completed"
    progress = (
        select(
            Attempt.module_id,
            func.count(Attempt.id).label("attempts"),
            func.max(Attempt.total_score).label("best"),
            func.max(case((Attempt.passed.is_(True), 1), else_=0)).label("passed"),
        )
        .where(Attempt.user_id == user_id, done)
        .group_by(Attempt.module_id)
        .subquery()
    )
    stmt = (
        select(Assignment, progress.c.attempts, progress.c.best, progress.c.passed)
        .outerjoin(progress, progress.c.module_id == Assignment.module_id)
        .where(or_(*targets))
        .order_by(Assignment.due_date.is_(None), Assignment.due_date, Assignment.module_id)
    )
    out: list[AssignmentProgress] = []
    seen: set[str] = set()
    for a, attempts, best, passed in session.execute(stmt):
        if a.module_id in seen:  # assigned both to the cohort and to the user: show the earlier due date
            continue
        seen.add(a.module_id)
        n, ok = attempts or 0, bool(passed)
        status: AssignmentStatus = (
            "passed"
            if ok
            else "overdue"
            if a.due_date is not None and a.due_date < as_of
            else "in_progress"
            if n
            else "not_started"
        )
        out.append(
            AssignmentProgress(
                assignment_id=a.id,
                module_id=a.module_id,
                due_date=a.due_date,
                attempts=n,
                best_score=best,
                passed=ok,
                status=status,
            )
        )
    return out


def cohort_assignments(session: Session, viewer: Viewer, cohort_id: int) -> list[AssignmentOut]:
    require_cohort(session, viewer, cohort_id, "assignment.manage")
    rows = session.scalars(
        select(Assignment).where(Assignment.cohort_id == cohort_id).order_by(Assignment.due_date)
    )
    return [
        AssignmentOut(
            id=a.id, module_id=a.module_id, due_date=a.due_date, cohort_id=a.cohort_id, user_id=a.user_id
        )
        for a in rows
    ]
