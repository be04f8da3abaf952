"""The audit log: who signed in, failed, was locked out, changed roles, exported or submitted, and when.

Writes happen inside the caller's transaction, so an action and its audit row commit (or roll back)
together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.db import utcnow
from store.models import AUDIT_EVENTS, AuditEvent, User
from store.payload import check_size
from store.permissions import Viewer, require

MAX_DETAIL_CHARS = 20_000


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
    require(viewer, "audit.read")
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
