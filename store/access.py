"""The cohort scope of supervisors (issue 11 item 4), checked in the service layer.

Supervisors see only the cohorts an administrator assigned to them (``supervisor_cohorts``);
administrators and the system see every cohort; other roles see no one else's records.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.audit import check, deny, log_event
from store.db import utcnow
from store.models import Cohort, SupervisorCohort, User
from store.permissions import Action, NotFound, Viewer, can

# ----- cohort scope -----------------------------------------------------------------------------------


def sees_everyone(viewer: Viewer) -> bool:
    return viewer.role == "admin"


def visible_cohorts(session: Session, viewer: Viewer) -> frozenset[int] | None:
    """The cohort ids whose members' records ``viewer`` may read; None means every cohort (admins)."""
    if sees_everyone(viewer):
        return None
    if viewer.role != "supervisor" or viewer.user_id is None:
        return frozenset()
    ids = session.scalars(
        select(SupervisorCohort.cohort_id).where(SupervisorCohort.supervisor_id == viewer.user_id)
    )
    return frozenset(ids)


def require_cohort(session: Session, viewer: Viewer, cohort_id: int, action: Action) -> None:
    """Allow ``action`` on cohort ``cohort_id`` only within the viewer's scope (audited if denied)."""
    check(session, viewer, action, cohort_id=cohort_id)
    scope = visible_cohorts(session, viewer)
    if scope is not None and cohort_id not in scope:
        raise deny(
            session,
            viewer,
            action,
            f"Cohort {cohort_id} is not one of your cohorts; ask an administrator to assign it to you.",
            cohort_id=cohort_id,
        )


def require_person(session: Session, viewer: Viewer, user_id: int, action: Action) -> User:
    """The account ``user_id`` if ``viewer`` may perform ``action`` on that person's records: one's own
    always (subject to the role), someone else's only inside the viewer's cohorts (audited if denied)."""
    check(session, viewer, action, target_id=user_id)
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise NotFound(f"user: no account with id {user_id!r}")
    scope = visible_cohorts(session, viewer)
    if user.id != viewer.user_id and scope is not None and user.cohort_id not in scope:
        raise deny(
            session,
            viewer,
            action,
            f"{user.username} is not in one of your cohorts; you can open records of your cohorts only.",
            target_id=user.id,
        )
    return user


# ----- managing supervisors' cohorts (administrators) -------------------------------------------------


def assign_supervisor(
    session: Session, viewer: Viewer, supervisor_id: int, cohort_id: int, *, now: datetime | None = None
) -> None:
    """Let supervisor ``supervisor_id`` see cohort ``cohort_id`` (idempotent; administrators only)."""
    check(session, viewer, "cohort.manage", target_id=supervisor_id, cohort_id=cohort_id)
    supervisor = session.get(User, supervisor_id) if isinstance(supervisor_id, int) else None
    if supervisor is None or supervisor.role != "supervisor":
        raise ValueError(f"supervisor: account {supervisor_id!r} is not a supervisor; pick a supervisor")
    if not isinstance(cohort_id, int) or session.get(Cohort, cohort_id) is None:
        raise ValueError(f"cohort: no cohort with id {cohort_id!r}; pick one from the list")
    key = {"supervisor_id": supervisor_id, "cohort_id": cohort_id}
    if session.get(SupervisorCohort, (supervisor_id, cohort_id)) is None:
        at = now or utcnow()
        session.add(SupervisorCohort(**key, created_at=at))
        log_event(session, "cohort_change", user_id=viewer.user_id, at=at, detail={"action": "assign", **key})
        session.flush()


def unassign_supervisor(
    session: Session, viewer: Viewer, supervisor_id: int, cohort_id: int, *, now: datetime | None = None
) -> None:
    """Take cohort ``cohort_id`` out of supervisor ``supervisor_id``'s scope (administrators only)."""
    check(session, viewer, "cohort.manage", target_id=supervisor_id, cohort_id=cohort_id)
    gone = session.execute(
        delete(SupervisorCohort).where(
            SupervisorCohort.supervisor_id == supervisor_id, SupervisorCohort.cohort_id == cohort_id
        )
    )
    if gone.rowcount:  # type: ignore[attr-defined]
        log_event(
            session,
            "cohort_change",
            user_id=viewer.user_id,
            at=now,
            detail={"action": "unassign", "supervisor_id": supervisor_id, "cohort_id": cohort_id},
        )


def supervisor_cohorts(session: Session, viewer: Viewer, supervisor_id: int) -> list[int]:
    """The cohort ids assigned to a supervisor: administrators for anyone, a supervisor for themself."""
    if supervisor_id != viewer.user_id or not can(viewer.role, "cohort.view"):
        check(session, viewer, "cohort.manage", target_id=supervisor_id)
    return sorted(
        session.scalars(
            select(SupervisorCohort.cohort_id).where(SupervisorCohort.supervisor_id == supervisor_id)
        )
    )


def set_supervisor_cohorts(
    session: Session,
    viewer: Viewer,
    supervisor_id: int,
    cohort_ids: list[int],
    *,
    now: datetime | None = None,
) -> list[int]:
    """Make ``cohort_ids`` exactly the cohorts supervisor ``supervisor_id`` sees (administrators only);
    each cohort added or removed is audited. Returns the new list."""
    wanted = set(cohort_ids)
    current = set(supervisor_cohorts(session, viewer, supervisor_id))
    for cohort_id in sorted(wanted - current):
        assign_supervisor(session, viewer, supervisor_id, cohort_id, now=now)
    for cohort_id in sorted(current - wanted):
        unassign_supervisor(session, viewer, supervisor_id, cohort_id, now=now)
    return sorted(wanted)
