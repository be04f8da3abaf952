"""Server-side sign-in sessions: an opaque random token for the browser, only its SHA-256 in the database.

A session ends when it is revoked (sign-out ends every session of that user; so does a password reset
or change), when it has been idle for ``idle``, or when it is older than ``absolute`` whatever its use
(OWASP ASVS 3.3, see docs/sources.md). The clock is always passed in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.db import utcnow  # revocation timestamps only; liveness never reads it
from store.models import User, UserSession

TOKEN_BYTES = 32  # 256 bits of randomness: far past guessing


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(db: Session, user_id: int, *, now: datetime) -> str:
    """Start a session for ``user_id`` and return its token (shown once; only the hash is stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.add(UserSession(token_hash=_digest(token), user_id=user_id, created_at=now, last_seen_at=now))
    db.flush()
    return token


def validate_session(
    db: Session, token: str, *, now: datetime, idle: timedelta, absolute: timedelta
) -> int | None:
    """The user id behind ``token`` if the session is live and its user active (last-seen moves to
    ``now``); None for an unknown, revoked, idle-expired or too-old session, or an inactive user."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    row = db.execute(
        select(UserSession, User.active)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == _digest(token))
    ).first()
    if row is None:
        return None
    found, active = row
    if found.revoked_at is not None or not active:
        return None
    if now - found.last_seen_at >= idle or now - found.created_at >= absolute:
        found.revoked_at = now  # expired for good: a later call with a longer limit cannot revive it
        db.flush()
        return None
    found.last_seen_at = now
    db.flush()
    return found.user_id


def revoke_session(db: Session, token: str, *, now: datetime | None = None) -> None:
    """End one session (unknown tokens are ignored)."""
    if not isinstance(token, str) or not token:
        return
    db.execute(
        update(UserSession)
        .where(UserSession.token_hash == _digest(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )


def revoke_all_sessions(db: Session, user_id: int, *, now: datetime | None = None) -> int:
    """End every live session of ``user_id`` (sign-out, password reset or change); returns how many."""
    result = db.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
