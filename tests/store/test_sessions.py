"""Server-side sessions: the token is opaque and unstored, idle and absolute lifetimes end a session,
sign-out ends every session of that user, and an inactive user's sessions stop working."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session
from store_support import NOW, make_user

from store.accounts import set_active
from store.models import UserSession
from store.permissions import SYSTEM
from store.sessions import create_session, revoke_all_sessions, revoke_session, validate_session

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)


def _check(db: Session, token: str, minutes: float) -> int | None:
    return validate_session(db, token, now=NOW + timedelta(minutes=minutes), idle=IDLE, absolute=ABSOLUTE)


def test_token_is_random_and_only_its_hash_is_stored(db_session: Session) -> None:
    dana = make_user(db_session, "dana")
    assert dana.user_id is not None
    first = create_session(db_session, dana.user_id, now=NOW)
    second = create_session(db_session, dana.user_id, now=NOW)
    assert first != second and len(first) >= 43  # 32 random bytes, URL-safe base64
    dump = " ".join(str(v) for row in db_session.execute(text("SELECT * FROM user_sessions")) for v in row)
    assert first not in dump and second not in dump
    assert hashlib.sha256(first.encode()).hexdigest() in dump
    assert _check(db_session, first, 1) == dana.user_id


def test_unknown_or_malformed_tokens_are_refused(db_session: Session) -> None:
    dana = make_user(db_session, "dana")
    assert dana.user_id is not None
    create_session(db_session, dana.user_id, now=NOW)
    for token in ("", "x", "A" * 10_000):
        assert _check(db_session, token, 1) is None


def test_idle_lifetime_ends_a_session_and_use_keeps_it_alive(db_session: Session) -> None:
    dana = make_user(db_session, "dana")
    assert dana.user_id is not None
    token = create_session(db_session, dana.user_id, now=NOW)
    for minute in (20, 40, 60, 80):  # each use within 30 minutes of the last
        assert _check(db_session, token, minute) == dana.user_id
    assert _check(db_session, token, 80 + 31) is None
    assert _check(db_session, token, 80 + 32) is None  # stays ended


def test_absolute_lifetime_ends_even_a_busy_session(db_session: Session) -> None:
    dana = make_user(db_session, "dana")
    assert dana.user_id is not None
    token = create_session(db_session, dana.user_id, now=NOW)
    minute = 0
    while minute < 12 * 60 - 10:
        minute += 10
        assert _check(db_session, token, minute) == dana.user_id
    assert _check(db_session, token, 12 * 60 + 1) is None
    last_seen = db_session.scalar(select(UserSession.last_seen_at))
    assert last_seen is not None and last_seen >= NOW + timedelta(hours=11)


def test_sign_out_ends_every_session_of_that_user_only(db_session: Session) -> None:
    dana, eli = make_user(db_session, "dana"), make_user(db_session, "eli")
    assert dana.user_id is not None and eli.user_id is not None
    laptop = create_session(db_session, dana.user_id, now=NOW)
    phone = create_session(db_session, dana.user_id, now=NOW)
    other = create_session(db_session, eli.user_id, now=NOW)
    assert revoke_all_sessions(db_session, dana.user_id, now=NOW) == 2
    assert _check(db_session, laptop, 1) is None and _check(db_session, phone, 1) is None
    assert _check(db_session, other, 1) == eli.user_id


def test_revoking_one_session_leaves_the_others(db_session: Session) -> None:
    dana = make_user(db_session, "dana")
    assert dana.user_id is not None
    laptop = create_session(db_session, dana.user_id, now=NOW)
    phone = create_session(db_session, dana.user_id, now=NOW)
    revoke_session(db_session, laptop, now=NOW)
    revoke_session(db_session, "no-such-token", now=NOW)
    assert _check(db_session, laptop, 1) is None
    assert _check(db_session, phone, 1) == dana.user_id


def test_deactivated_user_has_no_live_session(db_session: Session) -> None:
    make_user(db_session, "root", role="admin")
    dana = make_user(db_session, "dana")
    assert dana.user_id is not None
    token = create_session(db_session, dana.user_id, now=NOW)
    set_active(db_session, SYSTEM, dana.user_id, False, now=NOW)
    assert _check(db_session, token, 1) is None
