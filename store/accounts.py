"""Accounts: creation, sign-in with back-off, roles, password resets and self-service changes.

The input rules and hashing are in ``store.passwords``, the back-off in ``store.throttle``. Sign-in
spends one bcrypt check whether or not the username exists and gives the same answers for every name,
so neither the time taken nor the message reveals which usernames are real.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, cast

from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store import throttle
from store.access import require_cohort, visible_cohorts
from store.audit import check, log_event
from store.db import lock_for_write, utcnow
from store.models import Cohort, User
from store.passwords import (
    DEFAULT_COST,
    check_password,
    hash_password,
    validate_display_name,
    validate_password,
    validate_role,
    validate_username,
)
from store.passwords import (
    USERNAME_RE as USERNAME_RE,  # re-exported: callers and tests import it from here
)
from store.permissions import NotFound, Role, Viewer
from store.sessions import revoke_all_sessions


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
    must_change_password: bool = False

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
            must_change_password=bool(user.must_change_password),
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
                "Too many failed sign-ins for this username or from this address: try again after "
                f"{self.locked_until:%Y-%m-%d %H:%M} UTC, or ask an administrator."
            )
        if self.status == "inactive":
            return "This account has been deactivated. Ask an administrator to reactivate it."
        return "Wrong username or password."


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
    must_change_password: bool = True,
) -> UserOut:
    """Create an account (administrators only); raises ValueError naming the field that is wrong.

    The administrator chose the password, so by default the account must replace it at its first
    sign-in (``must_change_password``); the demo seed opts out (its accounts are shared walk-throughs,
    see docs/security.md)."""
    check(session, viewer, "user.manage")
    return _insert_user(
        session,
        viewer.user_id,
        username,
        display_name,
        password,
        role,
        cohort_id,
        cost,
        now,
        must_change=bool(must_change_password),
    )


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
    # the first-run administrator chose their own password: nothing to force
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
    *,
    must_change: bool = False,
) -> UserOut:
    name = validate_username(username)
    shown = validate_display_name(display_name)
    secret = validate_password(password, user_inputs=(name, shown))
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
        must_change_password=must_change,
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
        detail={
            "user_id": user.id,
            "username": name,
            "role": role_,
            "cohort_id": cohort_id,
            "must_change_password": must_change,
        },
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
    source: str | None = None,
) -> AuthResult:
    """Check a username and password, with back-off per name and per ``source`` (the client address).

    Every name, real or not, gets the same answers (wrong password, or locked until a time) and the
    same single bcrypt check. Every call is audited (login, login_failed, lockout). The last active
    administrator is never shut out by other people's failures: while that name is locked, a right
    password from a source with no failures of its own still signs in. ``cost`` only matters for the
    dummy check of unknown names (match it to the hashes).
    """
    at = now or utcnow()
    name = username.strip().lower()[:40] if isinstance(username, str) else ""
    user = session.scalar(select(User).where(User.username == name)) if name else None
    keys = [throttle.name_key(name)]
    src = throttle.source_key(source)
    source_locked = throttle.locked_until(session, [src], at) if src else None
    name_locked = throttle.locked_until(session, keys, at)
    ok = check_password(password, user.password_hash if user is not None else None, cost)
    audit = {"username": name, "source": source}
    if source_locked or name_locked:
        spare_admin = (
            ok
            and not source_locked
            and user is not None
            and user.role == "admin"
            and user.active
            and _other_active_admins(session, user.id) == 0
            and not throttle.has_failures(session, src)
        )
        if not spare_admin:
            log_event(
                session,
                "login_failed",
                user_id=user.id if user else None,
                at=at,
                detail=audit | {"reason": "locked"},
            )
            return AuthResult(status="locked", locked_until=max(t for t in (source_locked, name_locked) if t))
    if ok and user is not None and not user.active:
        log_event(session, "login_failed", user_id=user.id, at=at, detail=audit | {"reason": "inactive"})
        return AuthResult(status="inactive")
    if ok and user is not None:
        throttle.clear(session, keys[0])
        user.failed_logins, user.locked_until = 0, None
        # signed in, but only the change form opens (ui/auth_pages.py) until the password is replaced
        forced: dict[str, Any] = {"must_change_password": True} if user.must_change_password else {}
        log_event(session, "login", user_id=user.id, at=at, detail=audit | forced)
        return AuthResult(status="ok", viewer=_viewer(user))
    reason = "unknown" if user is None else "password"
    log_event(
        session, "login_failed", user_id=user.id if user else None, at=at, detail=audit | {"reason": reason}
    )
    until = throttle.record_failure(session, keys[0], throttle.NAME_LIMIT, at)
    if src is not None:
        until = throttle.record_failure(session, src, throttle.SOURCE_LIMIT, at) or until
    if user is not None:  # mirrored on the account for the administrators' user list
        session.refresh(user, ["failed_logins"])  # re-read under the write lock record_failure took
        user.failed_logins += 1
        user.locked_until = until or user.locked_until
    if until is not None:
        log_event(
            session,
            "lockout",
            user_id=user.id if user else None,
            at=at,
            detail=audit | {"until": until.isoformat()},
        )
        return AuthResult(status="locked", locked_until=until)
    return AuthResult(status="bad_credentials")


def _viewer(user: User) -> Viewer:
    return Viewer(
        user_id=user.id,
        username=user.username,
        role=cast(Role, user.role),  # the column's CHECK constraint keeps it one of ROLES
        cohort_id=user.cohort_id,
        display_name=user.display_name,
    )


def password_change_required(session: Session, user_id: int | None) -> bool:
    """Whether this account must replace an administrator-chosen password before anything else."""
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    return bool(user is not None and user.must_change_password)


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
    throttle.clear(session, throttle.name_key(user.username))
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
    one); the lock-out is lifted and every session of that user ends. The administrator knows this
    password, so the account must change it at its next sign-in (an administrator resetting their own
    password chose it themself: not forced). Audited without the password."""
    check(session, viewer, "user.manage")
    user = _target(session, user_id)
    secret = validate_password(password, user_inputs=(user.username, user.display_name))
    user.password_hash = hash_password(secret, cost)
    user.failed_logins = 0
    user.locked_until = None
    throttle.clear(session, throttle.name_key(user.username))
    user.must_change_password = user.id != viewer.user_id
    revoke_all_sessions(session, user.id, now=now)
    log_event(
        session,
        "settings_change",
        user_id=viewer.user_id,
        at=now,
        detail={
            "action": "password_reset",
            "target_id": user.id,
            "username": user.username,
            "must_change_password": user.must_change_password,
        },
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


def change_own_password(
    session: Session,
    viewer: Viewer,
    current: Any,
    new: Any,
    *,
    cost: int = DEFAULT_COST,
    now: datetime | None = None,
) -> None:
    """Self-service: the signed-in user replaces their password, proving the current one first. Every
    session of the user ends (sign in again, or let the caller start a fresh one). Clears a forced
    change (``must_change_password``). Audited without either password."""
    if viewer.user_id is None:
        raise ValueError("user: sign in first; the command line resets passwords with set_password")
    user = _target(session, viewer.user_id)
    if not check_password(current, user.password_hash, cost):
        log_event(session, "password_change", user_id=user.id, at=now, detail={"outcome": "wrong_current"})
        raise ValueError("current password: that is not your current password; type it again")
    secret = validate_password(new, user_inputs=(user.username, user.display_name))
    if check_password(secret, user.password_hash, cost):
        raise ValueError("new password: it is the same as the current one; choose a different one")
    user.password_hash = hash_password(secret, cost)
    forced, user.must_change_password = bool(user.must_change_password), False
    revoke_all_sessions(session, user.id, now=now)
    log_event(
        session, "password_change", user_id=user.id, at=now, detail={"outcome": "changed", "forced": forced}
    )
