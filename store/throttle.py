"""Sign-in back-off, counted per name and per source address, whether or not the name is an account.

Because unknown names are counted and locked exactly like real ones, the answer to a failed sign-in
never tells which names exist. A name is locked for 15 minutes after 5 failures in a row, a source
after 20; each further run of failures doubles the lock, up to a day (OWASP ASVS 2.2.1 and the
Authentication Cheat Sheet, see docs/sources.md). A success clears the name's count (not the source's:
one good account must not launder an address that is guessing others).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from store.db import lock_for_write
from store.models import LoginThrottle

NAME_LIMIT = 5
SOURCE_LIMIT = 20
LOCKOUT = timedelta(minutes=15)
MAX_LOCKOUT = timedelta(days=1)
MAX_KEY = 120


def name_key(username: str) -> str:
    return f"name:{username}"[:MAX_KEY]


def source_key(source: str | None) -> str | None:
    return f"source:{source.strip()}"[:MAX_KEY] if source and source.strip() else None


def locked_until(session: Session, keys: list[str], at: datetime) -> datetime | None:
    """The latest lock still running on any of ``keys`` at ``at`` (None: free to try)."""
    ends = [
        row.locked_until
        for key in keys
        if (row := session.get(LoginThrottle, key)) is not None
        and row.locked_until is not None
        and row.locked_until > at
    ]
    return max(ends, default=None)


def has_failures(session: Session, key: str | None) -> bool:
    row = session.get(LoginThrottle, key) if key else None
    return row is not None and row.failures > 0


def record_failure(session: Session, key: str, limit: int, at: datetime) -> datetime | None:
    """Count one failure on ``key``; returns the end of the lock this failure starts, if it starts one."""
    lock_for_write(session)  # two simultaneous failures must both count
    row = session.get(LoginThrottle, key, populate_existing=True)
    if row is None:
        row = LoginThrottle(key=key, failures=0, updated_at=at)
        session.add(row)
    row.failures += 1
    row.updated_at = at
    until = None
    if row.failures % limit == 0:
        doublings = min(row.failures // limit - 1, 8)  # 15 min × 2**7 already passes a day
        until = at + min(LOCKOUT * 2**doublings, MAX_LOCKOUT)
        row.locked_until = until
    session.flush()
    return until


def clear(session: Session, key: str) -> None:
    """Forget a key's failures and lock (a successful sign-in; an administrator's unlock)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
