"""Attempts in progress: the case workspace saves the trainee's actions after every payer call, so a
closed browser tab or a dropped session loses nothing, and a later visit can resume the case.

An in-progress row holds the actions and the payer's replies so far and no grade. Finishing replaces
it with the completed attempt (:func:`store.attempts.save_attempt`, which writes the audit event) in
one transaction. Only the trainee who started an attempt may change it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.attempts import AttemptIn, AttemptOut, AttemptSummary, get_attempt, keyed_attempt, save_attempt
from store.audit import check, deny
from store.models import Attempt
from store.permissions import NotFound, Viewer


def _own_open(session: Session, viewer: Viewer, attempt_id: int) -> Attempt:
    if not isinstance(attempt_id, int) or isinstance(attempt_id, bool):
        raise ValueError(f"attempt id: expected a whole number, got {type(attempt_id).__name__}")
    row = session.get(Attempt, attempt_id)
    if row is None:
        raise NotFound(f"attempt {attempt_id} does not exist")
    if row.user_id != viewer.user_id:
        raise deny(
            session,
            viewer,
            "attempt.save_own",
            f"Attempt {attempt_id} belongs to another trainee; you can change only your own.",
            attempt_id=attempt_id,
        )
    if row.status != "in_progress":
        raise ValueError(f"attempt {attempt_id} is already {row.status}; start a new case to work again")
    return row


def _person(session: Session, viewer: Viewer) -> None:
    check(session, viewer, "attempt.save_own")
    if viewer.user_id is None:
        raise ValueError("user: attempts belong to a person; sign in as the trainee who made the attempt")


def save_progress(
    session: Session, viewer: Viewer, attempt: AttemptIn, *, attempt_id: int | None = None
) -> int:
    """Create (``attempt_id`` None) or update the viewer's in-progress attempt; returns its id.

    Updating replaces the actions and results; the case must stay the same.
    """
    _person(session, viewer)
    data = attempt if isinstance(attempt, AttemptIn) else AttemptIn.model_validate(attempt)
    if data.status != "in_progress":
        raise ValueError(
            f"status: progress is saved as 'in_progress', got {data.status!r}; use complete_attempt to finish"
        )
    if attempt_id is None and viewer.user_id is not None:
        earlier = keyed_attempt(session, viewer.user_id, data.idempotency_key)
        attempt_id = earlier.id if earlier is not None else None  # a retried first save: update that row
    if attempt_id is None:
        row = Attempt(
            user_id=viewer.user_id,
            module_id=data.module_id,
            case_id=data.case_id,
            seed=data.seed,
            archetype_id=data.archetype_id,
            content_version=data.content_version,
            started_at=data.started_at,
            completed_at=None,
            status="in_progress",
            actions_json=data.actions_json(),
            results_json=data.results,
            grade_json=None,
            idempotency_key=data.idempotency_key,
            activity_json=data.activity_json(),
        )
        session.add(row)
        session.flush()
        return row.id
    row = _own_open(session, viewer, attempt_id)
    if row.case_id != data.case_id:
        raise ValueError(f"case id: attempt {attempt_id} is on case {row.case_id!r}, not {data.case_id!r}")
    row.actions_json = data.actions_json()
    row.results_json = data.results
    row.activity_json = data.activity_json()
    session.flush()
    return row.id


def complete_attempt(
    session: Session,
    viewer: Viewer,
    record: AttemptIn,
    *,
    attempt_id: int | None = None,
) -> AttemptSummary:
    """Store the completed, graded ``record``, replacing the in-progress row ``attempt_id`` if given."""
    _person(session, viewer)
    if record.status != "completed":
        raise ValueError(f"status: a finished attempt is 'completed', got {record.status!r}")
    earlier = keyed_attempt(session, viewer.user_id, record.idempotency_key) if viewer.user_id else None
    if earlier is not None and earlier.status == "completed":  # a retry of a completion that went through
        return AttemptSummary.of(earlier, viewer.username)
    if earlier is not None and attempt_id is None:
        attempt_id = earlier.id  # the in-progress row this key started
    if attempt_id is not None:
        row = _own_open(session, viewer, attempt_id)
        if row.case_id != record.case_id:
            raise ValueError(
                f"case id: attempt {attempt_id} is on case {row.case_id!r}, not {record.case_id!r}"
            )
        session.delete(row)
        session.flush()
    return save_attempt(session, viewer, record)


def abandon_attempt(session: Session, viewer: Viewer, attempt_id: int) -> None:
    """Mark the viewer's in-progress attempt abandoned (kept for the record, never counted)."""
    _person(session, viewer)
    _own_open(session, viewer, attempt_id).status = "abandoned"
    session.flush()


def open_attempts(session: Session, viewer: Viewer, *, limit: int = 20) -> list[AttemptOut]:
    """The viewer's attempts still in progress, newest first, with their actions (to resume one)."""
    _person(session, viewer)
    ids = session.scalars(
        select(Attempt.id)
        .where(Attempt.user_id == viewer.user_id, Attempt.status == "in_progress")
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        .limit(limit)
    ).all()
    return [get_attempt(session, viewer, i) for i in ids]


def progress_version(
    session: Session, viewer: Viewer, case_id: str, attempt_id: int | None
) -> tuple[int | None, str | None, int]:
    """What the store holds of the viewer's work on ``case_id``: ``(attempt id, status, actions saved)``.

    With ``attempt_id`` that row is read; without one, the viewer's in-progress attempt on the case (if
    another tab or window saved one first). The case workspace compares the count with the actions
    its own session holds before every action, so two tabs on one case never overwrite each other
    silently. ``(None, None, 0)`` when nothing is saved.
    """
    _person(session, viewer)
    if attempt_id is None:
        row = session.scalars(
            select(Attempt)
            .where(
                Attempt.user_id == viewer.user_id,
                Attempt.case_id == case_id,
                Attempt.status == "in_progress",
            )
            .order_by(Attempt.id.desc())
            .limit(1)
        ).first()
    else:
        row = session.get(Attempt, attempt_id)
        if row is not None and row.user_id != viewer.user_id:
            row = None
    if row is None:
        return None, None, 0
    return row.id, row.status, len(row.actions_json or [])
