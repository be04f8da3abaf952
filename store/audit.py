"""The audit log: who signed in, failed, was locked out, changed roles, exported or submitted, read
another person's record, saved a draft, called the LLM or was denied access, and when.

Writes happen inside the caller's transaction, so an action and its audit row commit (or roll back)
together. Denials are the exception: ``check`` is ``permissions.require`` plus an ``access_denied``
row, and a denial usually ends the unit of work with an exception that rolls it back; so each denial
is also remembered on the session and written again, in a transaction of its own, right after such a
rollback (a committed unit of work keeps the original row).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import event, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from store.db import utcnow
from store.models import AUDIT_EVENTS, AuditEvent, User
from store.payload import check_size
from store.permissions import AccessDenied, Action, Viewer, require

MAX_DETAIL_CHARS = 20_000
_log = logging.getLogger(__name__)


class AuditRow(BaseModel):
    id: int
    at: datetime
    user_id: int | None
    username: str | None
    event: str
    detail: dict[str, Any]


def log_event(
    session: Session,
    event: str,
    *,
    user_id: int | None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Record one audit event, e.g. ``log_event(session, "export", user_id=3, detail={"rows": 120})``.

    The row is flushed now and committed with the caller's transaction.
    """
    if event not in AUDIT_EVENTS:
        raise ValueError(f"event: unknown audit event {event!r}; expected one of {list(AUDIT_EVENTS)}")
    payload = dict(detail or {})
    check_size("detail", payload, MAX_DETAIL_CHARS)
    row = AuditEvent(at=at or utcnow(), user_id=user_id, event=event, detail=payload)
    session.add(row)
    session.flush()
    return row


_PENDING = "precert.pending_denials"


def deny(session: Session, viewer: Viewer, action: str, message: str, **detail: Any) -> AccessDenied:
    """Audit a denial and return the exception for the caller to raise."""
    payload = {"action": action, "role": viewer.role, "username": viewer.username, **detail}
    row = log_event(session, "access_denied", user_id=viewer.user_id, detail=payload)
    session.info.setdefault(_PENDING, []).append(
        {"at": row.at, "user_id": viewer.user_id, "event": "access_denied", "detail": payload}
    )
    return AccessDenied(message)


def check(session: Session, viewer: Viewer, action: Action, **detail: Any) -> None:
    """:func:`store.permissions.require`, auditing a denial."""
    try:
        require(viewer, action)
    except AccessDenied as exc:
        raise deny(session, viewer, action, str(exc), **detail) from None


def audit_read(session: Session, viewer: Viewer, record: str, **detail: Any) -> None:
    """Audit that ``viewer`` read another person's ``record`` (HIPAA 164.312(b), docs/sources.md)."""
    log_event(session, "record_read", user_id=viewer.user_id, detail={"record": record, **detail})


@event.listens_for(Session, "after_commit")
def _forget_denials(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_rollback")
def _rewrite_denials(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    bind = session.bind
    if not rows or bind is None:
        return
    engine = getattr(bind, "engine", bind)
    try:
        with engine.begin() as conn:  # the rolled-back transaction no longer holds any lock
            known = set(conn.scalars(select(User.id).where(User.id.in_({r["user_id"] for r in rows}))))
            # An account created in the rolled-back transaction is gone; the name stays in the detail.
            conn.execute(
                insert(AuditEvent),
                [r | {"user_id": r["user_id"] if r["user_id"] in known else None} for r in rows],
            )
    except SQLAlchemyError:  # never turn a rollback into a second error; the server log keeps it
        _log.exception("could not write %d access-denied audit rows after a rollback", len(rows))


def list_events(
    session: Session,
    viewer: Viewer,
    *,
    event: str | None = None,
    user_id: int | None = None,
    since: datetime | None = None,
    limit: int = 500,
) -> list[AuditRow]:
    """The newest audit events first, optionally only one event kind and/or one user (admins only)."""
    check(session, viewer, "audit.read")
    if event is not None and event not in AUDIT_EVENTS:
        raise ValueError(f"event: unknown audit event {event!r}; expected one of {list(AUDIT_EVENTS)}")
    if not isinstance(limit, int) or not 1 <= limit <= 10_000:
        raise ValueError(f"limit: expected a whole number from 1 to 10000, got {limit!r}")
    stmt = (
        select(AuditEvent, User.username)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    if event is not None:
        stmt = stmt.where(AuditEvent.event == event)
    if user_id is not None:
        stmt = stmt.where(AuditEvent.user_id == user_id)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    return [
        AuditRow(
            id=row.id, at=row.at, user_id=row.user_id, username=username, event=row.event, detail=row.detail
        )
        for row, username in session.execute(stmt)
    ]
