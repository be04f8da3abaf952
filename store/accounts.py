"""Accounts: creation with a password policy, bcrypt hashes, sign-in with lock-out, roles.

bcrypt's cost is a parameter (12 in production, 4 in tests). Sign-in spends one bcrypt check whether
or not the username exists, so response time does not reveal which usernames are real.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, cast

import bcrypt
from pydantic import BaseModel
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.access import require_cohort, visible_cohorts
from store.audit import check, log_event
from store.db import lock_for_write, utcnow
from store.models import ROLES, Cohort, User
from store.permissions import NotFound, Role, Viewer

DEFAULT_COST = 12
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 10
MAX_PASSWORD_BYTES = 72  # bcrypt ignores (bcrypt 5 rejects) anything longer
USERNAME_RE = re.compile(r"[a-z0-9_.-]{3,40}")
MAX_DISPLAY_NAME = 100


class AlreadyInitialised(RuntimeError):
    """The first-run administrator can be created only while no account exists."""


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    cohort_id: int | None
    cohort_name: str | None
    active: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, user: User, cohort_name: str | None) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            cohort_id=user.cohort_id,
            cohort_name=cohort_name,
            active=user.active,
            failed_logins=user.failed_logins,
            locked_until=user.locked_until,
            created_at=user.created_at,
        )


class AuthResult(BaseModel):
    """The outcome of a sign-in: ``ok`` (with the viewer), ``bad_credentials``, ``locked`` (until when)
    or ``inactive`` (right password, deactivated account)."""

    status: Literal["ok", "bad_credentials", "locked", "inactive"]
    viewer: Viewer | None = None
    locked_until: datetime | None = None

    @property
    def message(self) -> str:
        if self.status == "ok":
            return "Signed in."
        if self.status == "locked" and self.locked_until is not None:
            return (
                f"Too many failed sign-ins: the account is locked until "
                f"{self.locked_until:%Y-%m-%d %H:%M} UTC. Try again then, or ask an administrator to unlock it."
            )
        if self.status == "inactive":
            return "This account has been deactivated. Ask an administrator to reactivate it."
        return "Wrong username or password."


# ----- validation -------------------------------------------------------------------------------------


def _text(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{field}: expected text, got {type(value).__name__}")
    return value


def validate_username(value: Any) -> str:
    """Normalise (trim, lower-case) and check a username.

    >>> validate_username("  Dana.Lee ")
    'dana.lee'
    """
    name = _text("username", value).strip().lower()
    if not USERNAME_RE.fullmatch(name):
        raise ValueError(
            f"username: {name[:50]!r} is not allowed; use 3-40 characters from a-z, 0-9, '_', '.' and '-'"
        )
    return name


def validate_display_name(value: Any) -> str:
    """Trim and check a display name: any script is fine, control characters are not."""
    name = " ".join(_text("display name", value).split())
    if not name:
        raise ValueError("display name: must not be empty; enter the person's name")
    if len(name) > MAX_DISPLAY_NAME:
        raise ValueError(f"display name: {len(name)} characters is too long; use at most {MAX_DISPLAY_NAME}")
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in name):
        raise ValueError("display name: contains control characters; type the name as plain text")
    return name


def validate_password(value: Any) -> str:
    password = _text("password", value)
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password: must be at least {MIN_PASSWORD} characters; choose a longer one")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ValueError(
            f"password: must be at most {MAX_PASSWORD_BYTES} bytes (UTF-8); choose a shorter one"
        )
    if "\x00" in password:
        raise ValueError("password: must not contain NUL characters")
    return password


def validate_role(value: Any) -> str:
    if value not in ROLES:
        raise ValueError(f"role: {value!r} is not a role; expected one of {list(ROLES)}")
    return str(value)


def hash_password(password: str, cost: int = DEFAULT_COST) -> str:
    """A salted bcrypt hash of ``password`` at ``cost`` (4-31).

    >>> hash_password("correct horse battery", cost=4).startswith("$2b$04$")
    True
    """
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=cost)).decode("ascii")


@lru_cache(maxsize=8)
def _dummy_hash(cost: int) -> bytes:
    # Checked against when the username is unknown, so that case costs one bcrypt check too.
    return bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt(rounds=cost))


# ----- creating accounts ------------------------------------------------------------------------------


def has_any_user(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def create_user(
    session: Session,
    viewer: Viewer,
    *,
    username: Any,
    display_name: Any,
    password: Any,
    role: Any,
    cohort_id: int | None = None,
    cost: int = DEFAULT_COST,
    now: datetime | None = None,
) -> UserOut:
    """Create an account (administrators only); raises ValueError naming the field that is wrong."""
    check(session, viewer, "user.manage")
    return _insert_user(session, viewer.user_id, username, display_name, password, role, cohort_id, cost, now)


def create_admin(
    session: Session,
    *,
    username: Any,
    display_name: Any,
    password: Any,
    cost: int = DEFAULT_COST,
    now: datetime | None = None,
) -> UserOut:
    """First run: create the administrator. Refuses (AlreadyInitialised) once any account exists,
    even when two browsers submit the first-run form at the same moment."""
    lock_for_write(session)
    if has_any_user(session):
        raise AlreadyInitialised(
            "An account already exists; sign in, or ask the administrator for an account."
        )
    return _insert_user(session, None, username, display_name, password, "admin", None, cost, now)


def _insert_user(
    session: Session,
    actor_id: int | None,
    username: Any,
    display_name: Any,
    password: Any,
    role: Any,
    cohort_id: int | None,
    cost: int,
    now: datetime | None,
) -> UserOut:
    name = validate_username(username)
    shown = validate_display_name(display_name)
    secret = validate_password(password)
    role_ = validate_role(role)
    cohort_name = None
    if cohort_id is not None:
        cohort = session.get(Cohort, cohort_id) if isinstance(cohort_id, int) else None
        if cohort is None:
            raise ValueError(
                f"cohort: no cohort with id {cohort_id!r}; pick one from the list or leave it empty"
            )
        cohort_name = cohort.name
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise ValueError(f"username: {name!r} is already taken; choose another")
    at = now or utcnow()
    user = User(
        username=name,
        display_name=shown,
        role=role_,
        cohort_id=cohort_id,
        password_hash=hash_password(secret, cost),
        failed_logins=0,
        created_at=at,
        active=True,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # a concurrent creation of the same name won the race
        session.rollback()  # the failed flush has doomed this transaction anyway
        raise ValueError(f"username: {name!r} is already taken; choose another") from None
    log_event(
        session,
        "user_created",
        user_id=actor_id,
        at=at,
        detail={"user_id": user.id, "username": name, "role": role_, "cohort_id": cohort_id},
    )
    return UserOut.of(user, cohort_name)


# ----- signing in -------------------------------------------------------------------------------------


def authenticate(
    session: Session,
    username: Any,
    password: Any,
    *,
    now: datetime | None = None,
    cost: int = DEFAULT_COST,
) -> AuthResult:
    """Check a username and password; count failures and lock the account for 15 minutes after 5.

    Every call is audited (login, login_failed, lockout). Failures never say whether the username
    exists. ``cost`` only matters for the dummy check of unknown usernames (match it to the hashes).
    """
    at = now or utcnow()
    name = username.strip().lower() if isinstance(username, str) else ""
    secret = password.encode("utf-8") if isinstance(password, str) else b""
    user = session.scalar(select(User).where(User.username == name)) if name else None
    if user is None:
        bcrypt.checkpw(secret[:MAX_PASSWORD_BYTES], _dummy_hash(cost))
        log_event(
            session, "login_failed", user_id=None, at=at, detail={"username": name[:40], "reason": "unknown"}
        )
        return AuthResult(status="bad_credentials")
    if user.locked_until is not None and user.locked_until > at:
        bcrypt.checkpw(secret[:MAX_PASSWORD_BYTES], _dummy_hash(cost))
        log_event(
            session, "login_failed", user_id=user.id, at=at, detail={"username": name, "reason": "locked"}
        )
        return AuthResult(status="locked", locked_until=user.locked_until)
    ok = len(secret) <= MAX_PASSWORD_BYTES and bcrypt.checkpw(secret, user.password_hash.encode("ascii"))
    if ok and not user.active:
        log_event(
            session, "login_failed", user_id=user.id, at=at, detail={"username": name, "reason": "inactive"}
        )
        return AuthResult(status="inactive")
    if ok:
        user.failed_logins = 0
        user.locked_until = None
        log_event(session, "login", user_id=user.id, at=at, detail={"username": name})
        return AuthResult(status="ok", viewer=_viewer(user))
    # Increment in SQL, not in Python: two simultaneous wrong passwords must both count.
    failures = session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    ).scalar_one()
    log_event(
        session, "login_failed", user_id=user.id, at=at, detail={"username": name, "reason": "password"}
    )
    if failures >= MAX_FAILED_LOGINS:
        until = at + LOCKOUT
        session.execute(update(User).where(User.id == user.id).values(failed_logins=0, locked_until=until))
        log_event(
            session, "lockout", user_id=user.id, at=at, detail={"username": name, "until": until.isoformat()}
        )
        session.expire(user)
        return AuthResult(status="locked", locked_until=until)
    session.expire(user)
    return AuthResult(status="bad_credentials")


def _viewer(user: User) -> Viewer:
    return Viewer(
        user_id=user.id,
        username=user.username,
        role=cast(Role, user.role),  # the column's CHECK constraint keeps it one of ROLES
        cohort_id=user.cohort_id,  # type: ignore[arg-type]
        display_name=user.display_name,
    )


def viewer_for(session: Session, user_id: int) -> Viewer | None:
    """The current identity of a signed-in user (role changes apply at once); None if gone or inactive."""
    user = session.get(User, user_id)
    return _viewer(user) if user is not None and user.active else None


# ----- administering ----------------------------------------------------------------------------------


def list_users(
    session: Session,
    viewer: Viewer,
    *,
    role: str | None = None,
    cohort_id: int | None = None,
) -> list[UserOut]:
    """Accounts ordered by username, optionally one role and/or one cohort (supervisors and admins)."""
    check(session, viewer, "user.list")
    stmt = select(User, Cohort.name).outerjoin(Cohort, Cohort.id == User.cohort_id).order_by(User.username)
    scope = visible_cohorts(session, viewer)
    if scope is not None:  # a supervisor: the members of their cohorts, and themself
        stmt = stmt.where(or_(User.cohort_id.in_(scope), User.id == viewer.user_id))
        if cohort_id is not None:
            require_cohort(session, viewer, cohort_id, "user.list")
    if role is not None:
        stmt = stmt.where(User.role == validate_role(role))
    if cohort_id is not None:
        stmt = stmt.where(User.cohort_id == cohort_id)
    return [UserOut.of(user, cohort_name) for user, cohort_name in session.execute(stmt)]


def _target(session: Session, user_id: Any) -> User:
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise NotFound(f"user: no account with id {user_id!r}")
    return user


def _other_active_admins(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == "admin", User.active, User.id != user_id)
        )
        or 0
    )


def change_role(
    session: Session, viewer: Viewer, user_id: int, role: Any, *, now: datetime | None = None
) -> UserOut:
    """Give an account another role; the last active administrator cannot be demoted."""
    check(session, viewer, "user.manage")
    new_role = validate_role(role)
    user = _target(session, user_id)
    if user.role == "admin" and new_role != "admin" and _other_active_admins(session, user.id) == 0:
        raise ValueError(
            "role: this is the last active administrator; make someone else an administrator first"
        )
    old = user.role
    user.role = new_role
    log_event(
        session,
        "role_change",
        user_id=viewer.user_id,
        at=now,
        detail={"target_id": user.id, "username": user.username, "from": old, "to": new_role},
    )
    return UserOut.of(user, user.cohort.name if user.cohort else None)


def unlock_user(session: Session, viewer: Viewer, user_id: int, *, now: datetime | None = None) -> UserOut:
    check(session, viewer, "user.manage")
    user = _target(session, user_id)
    user.failed_logins = 0
    user.locked_until = None
    log_event(
        session,
        "settings_change",
        user_id=viewer.user_id,
        at=now,
        detail={"action": "unlock", "target_id": user.id, "username": user.username},
    )
    return UserOut.of(user, user.cohort.name if user.cohort else None)


def set_password(
    session: Session,
    viewer: Viewer,
    user_id: int,
    password: Any,
    *,
    cost: int = DEFAULT_COST,
    now: datetime | None = None,
) -> UserOut:
    """An administrator sets a new password for an account (a forgotten one, the demo accounts' shared
    one); the lock-out is lifted too. Audited without the password."""
    check(session, viewer, "user.manage")
    secret = validate_password(password)
    user = _target(session, user_id)
    user.password_hash = hash_password(secret, cost)
    user.failed_logins = 0
    user.locked_until = None
    log_event(
        session,
        "settings_change",
        user_id=viewer.user_id,
        at=now,
        detail={"action": "password_reset", "target_id": user.id, "username": user.username},
    )
    return UserOut.of(user, user.cohort.name if user.cohort else None)


def set_active(
    session: Session,
    viewer: Viewer,
    user_id: int,
    active: bool,
    *,
    now: datetime | None = None,
) -> UserOut:
    """Deactivate (or reactivate) an account; records stay. One cannot deactivate oneself or the last admin."""
    check(session, viewer, "user.manage")
    if not isinstance(active, bool):
        raise ValueError(f"active: expected true or false, got {type(active).__name__}")
    user = _target(session, user_id)
    if not active and user.id == viewer.user_id:
        raise ValueError("active: you cannot deactivate your own account; ask another administrator")
    if not active and user.role == "admin" and _other_active_admins(session, user.id) == 0:
        raise ValueError(
            "active: this is the last active administrator; make someone else an administrator first"
        )
    user.active = active
    log_event(
        session,
        "settings_change",
        user_id=viewer.user_id,
        at=now,
        detail={
            "action": "activate" if active else "deactivate",
            "target_id": user.id,
            "username": user.username,
        },
    )
    return UserOut.of(user, user.cohort.name if user.cohort else None)
