"""Accounts: hashing, input validation, lock-out with an injected clock, first-run admin, roles."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import bcrypt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from store_support import COST, NOW, PASSWORD, make_user

from store.accounts import (
    USERNAME_RE,
    AlreadyInitialised,
    authenticate,
    change_role,
    create_admin,
    create_user,
    has_any_user,
    hash_password,
    list_users,
    set_active,
    set_password,
    unlock_user,
    validate_username,
    viewer_for,
)
from store.audit import list_events
from store.db import session_scope
from store.models import User
from store.permissions import SYSTEM, AccessDenied, NotFound


def _count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def test_password_is_stored_as_salted_bcrypt(db_session: Session) -> None:
    make_user(db_session, "dana")
    make_user(db_session, "eli")
    hashes = db_session.scalars(select(User.password_hash)).all()
    assert all(h.startswith("$2b$04$") for h in hashes)
    assert hashes[0] != hashes[1]  # same password, different salts
    assert all(PASSWORD not in h for h in hashes)
    assert bcrypt.checkpw(PASSWORD.encode(), hashes[0].encode())
    assert hash_password(PASSWORD, cost=5).startswith("$2b$05$")


def test_sign_in_ok_returns_the_viewer_and_audits(db_session: Session) -> None:
    me = make_user(db_session, "dana", role="supervisor")
    result = authenticate(db_session, "  Dana ", PASSWORD, now=NOW, cost=COST)
    assert result.status == "ok" and result.viewer == me
    events = list_events(db_session, SYSTEM, event="login")
    assert [e.user_id for e in events] == [me.user_id]


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("dana", "wrong password!"),  # wrong password
        ("nobody", PASSWORD),  # unknown user
        ("", ""),  # empty
        (None, None),  # wrong types
        (123, ["x"]),
        ("dana", "x" * 500),  # longer than bcrypt accepts
    ],
)
def test_bad_credentials_are_one_plain_answer(
    db_session: Session, username: object, password: object
) -> None:
    make_user(db_session, "dana")
    result = authenticate(db_session, username, password, now=NOW, cost=COST)
    assert result.status == "bad_credentials" and result.viewer is None
    assert result.message == "Wrong username or password."


def test_lockout_after_five_failures_for_fifteen_minutes(db_session: Session) -> None:
    make_user(db_session, "dana")
    for i in range(4):
        assert (
            authenticate(
                db_session, "dana", "wrong password!", now=NOW + timedelta(seconds=i), cost=COST
            ).status
            == "bad_credentials"
        )
    fifth = authenticate(db_session, "dana", "wrong password!", now=NOW + timedelta(seconds=4), cost=COST)
    assert fifth.status == "locked"
    assert fifth.locked_until == NOW + timedelta(seconds=4, minutes=15)
    assert "try again after 2026-03-02 09:15 UTC" in fifth.message
    # Even the right password is refused while locked ...
    during = authenticate(db_session, "dana", PASSWORD, now=NOW + timedelta(minutes=14), cost=COST)
    assert during.status == "locked" and during.locked_until == fifth.locked_until
    # ... and accepted once the 15 minutes are over.
    after = authenticate(db_session, "dana", PASSWORD, now=NOW + timedelta(minutes=15, seconds=5), cost=COST)
    assert after.status == "ok"
    assert [e.event for e in list_events(db_session, SYSTEM, event="lockout")] == ["lockout"]


def test_success_resets_the_failure_count(db_session: Session) -> None:
    make_user(db_session, "dana")
    for _ in range(4):
        authenticate(db_session, "dana", "wrong password!", now=NOW, cost=COST)
    assert authenticate(db_session, "dana", PASSWORD, now=NOW, cost=COST).status == "ok"
    for _ in range(4):
        assert (
            authenticate(db_session, "dana", "wrong password!", now=NOW, cost=COST).status
            == "bad_credentials"
        )


def test_admin_unlocks_a_locked_account(db_session: Session) -> None:
    dana = make_user(db_session, "dana")
    admin = make_user(db_session, "root", role="admin")
    for _ in range(5):
        authenticate(db_session, "dana", "wrong password!", now=NOW, cost=COST)
    assert authenticate(db_session, "dana", PASSWORD, now=NOW, cost=COST).status == "locked"
    unlock_user(db_session, admin, dana.user_id, now=NOW)
    assert authenticate(db_session, "dana", PASSWORD, now=NOW, cost=COST).status == "ok"


def test_admin_sets_a_new_password(db_session: Session) -> None:
    dana = make_user(db_session, "dana")
    admin = make_user(db_session, "root", role="admin")
    for _ in range(5):
        authenticate(db_session, "dana", "wrong password!", now=NOW, cost=COST)
    with pytest.raises(AccessDenied):
        set_password(db_session, dana, dana.user_id, "my own new one", cost=COST)
    with pytest.raises(ValueError, match="password"):
        set_password(db_session, admin, dana.user_id, "short", cost=COST)
    set_password(db_session, admin, dana.user_id, "a brand new secret", cost=COST, now=NOW)
    assert authenticate(db_session, "dana", PASSWORD, now=NOW, cost=COST).status == "bad_credentials"
    assert authenticate(db_session, "dana", "a brand new secret", now=NOW, cost=COST).status == "ok"
    (event,) = [
        e
        for e in list_events(db_session, SYSTEM, event="settings_change")
        if e.detail.get("action") == "password_reset"
    ]
    assert event.detail == {
        "action": "password_reset",
        "target_id": dana.user_id,
        "username": "dana",
        "must_change_password": True,
    }


def test_unknown_user_and_wrong_password_take_similar_time(db_session: Session) -> None:
    cost = 9  # slow enough (~30 ms) that bcrypt dominates the database round trips
    create_user(
        db_session,
        SYSTEM,
        username="dana",
        display_name="Dana",
        password=PASSWORD,
        role="trainee",
        cost=cost,
        now=NOW,
    )
    authenticate(db_session, "nobody", "x", now=NOW, cost=cost)  # builds the cached dummy hash

    def timed(name: str) -> float:
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            authenticate(db_session, name, "wrong password!", now=NOW, cost=cost)
            runs.append(time.perf_counter() - start)
        return min(runs)  # the least disturbed run: other processes only ever add time

    known, unknown = timed("dana"), timed("nobody")
    assert 0.5 < unknown / known < 2.0, (known, unknown)


def test_deactivated_account_cannot_sign_in(db_session: Session) -> None:
    admin = make_user(db_session, "root", role="admin")
    dana = make_user(db_session, "dana")
    set_active(db_session, admin, dana.user_id, False, now=NOW)
    assert authenticate(db_session, "dana", PASSWORD, now=NOW, cost=COST).status == "inactive"
    assert authenticate(db_session, "dana", "wrong password!", now=NOW, cost=COST).status == "bad_credentials"
    assert viewer_for(db_session, dana.user_id) is None
    set_active(db_session, admin, dana.user_id, True, now=NOW)
    assert authenticate(db_session, "dana", PASSWORD, now=NOW, cost=COST).status == "ok"


# ----- first run --------------------------------------------------------------------------------------


def test_first_run_admin_only_once(db_session: Session) -> None:
    assert not has_any_user(db_session)
    admin = create_admin(
        db_session, username="root", display_name="Rita Root", password=PASSWORD, cost=COST, now=NOW
    )
    assert admin.role == "admin" and has_any_user(db_session)
    with pytest.raises(AlreadyInitialised):
        create_admin(
            db_session, username="second", display_name="Second", password=PASSWORD, cost=COST, now=NOW
        )
    assert _count_users(db_session) == 1


def test_first_run_race_creates_one_admin(engine) -> None:  # type: ignore[no-untyped-def]
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            with session_scope(engine) as session:
                create_admin(
                    session, username=f"admin{i}", display_name="A", password=PASSWORD, cost=COST, now=NOW
                )
            outcomes.append("created")
        except AlreadyInitialised:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created", "refused", "refused", "refused"]
    with session_scope(engine) as session:
        assert _count_users(session) == 1


# ----- validation -------------------------------------------------------------------------------------

BAD_INPUT = [
    # (field overrides, words the error must contain)
    ({"username": ""}, "username"),
    ({"username": "ab"}, "3-40 characters"),
    ({"username": "x" * 41}, "username"),
    ({"username": "dana lee"}, "username"),
    ({"username": "dána"}, "username"),
    ({"username": "用户名"}, "username"),
    ({"username": 42}, "username: expected text, got int"),
    ({"username": None}, "username: expected text"),
    ({"display_name": ""}, "display name: must not be empty"),
    ({"display_name": "   "}, "display name: must not be empty"),
    ({"display_name": "x" * 101}, "display name"),
    ({"display_name": "Dana\x00Lee"}, "control characters"),
    ({"display_name": ["Dana"]}, "display name: expected text"),
    ({"password": "short"}, "at least 12 characters"),
    ({"password": "elevenchars"}, "at least 12 characters"),
    ({"password": "password1234"}, "too easy to guess"),
    ({"password": "aaaaaaaaaaaaaaaa"}, "too easy to guess"),
    ({"password": ""}, "password"),
    ({"password": "é" * 40}, "72 bytes"),
    ({"password": 1234567890}, "password: expected text"),
    ({"role": "superuser"}, "role"),
    ({"role": None}, "role"),
    ({"cohort_id": 999}, "cohort"),
    ({"cohort_id": "1"}, "cohort"),
]


@pytest.mark.parametrize(("override", "words"), BAD_INPUT)
def test_bad_account_input_is_a_clear_error_and_nothing_is_saved(
    db_session: Session,
    override: dict[str, object],
    words: str,
) -> None:
    make_user(db_session, "kept")
    db_session.commit()
    fields: dict[str, object] = {
        "username": "dana",
        "display_name": "Dana Lee",
        "password": PASSWORD,
        "role": "trainee",
        "cohort_id": None,
    } | override
    with pytest.raises(ValueError, match=words):
        create_user(db_session, SYSTEM, cost=COST, now=NOW, **fields)  # type: ignore[arg-type]
    db_session.rollback()
    assert _count_users(db_session) == 1  # the refused account is absent, the earlier one intact
    assert authenticate(db_session, "kept", PASSWORD, now=NOW, cost=COST).status == "ok"


def test_duplicate_username_is_refused(db_session: Session) -> None:
    make_user(db_session, "dana")
    with pytest.raises(ValueError, match="'dana' is already taken"):
        make_user(db_session, "DANA")


@settings(max_examples=200, deadline=None)
@given(
    raw=st.one_of(
        st.text(max_size=60),
        st.text(alphabet="abcXYZ019_.- ", max_size=45),
        st.integers(),
        st.none(),
        st.binary(max_size=8),
    )
)
def test_a_username_is_either_normalised_or_refused_by_name(raw: object) -> None:
    try:
        name = validate_username(raw)
    except ValueError as exc:
        assert str(exc).startswith("username: ")
    else:
        assert isinstance(raw, str) and name == raw.strip().lower() and USERNAME_RE.fullmatch(name)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=100))
def test_any_printable_display_name_round_trips(db_session: Session, name: str) -> None:
    clean = " ".join(name.split())
    if not clean:
        return
    user = create_user(
        db_session,
        SYSTEM,
        username=f"u{abs(hash(name)) % 10**9}",
        display_name=name,
        password=PASSWORD,
        role="trainee",
        cost=COST,
        now=NOW,
    )
    db_session.expire_all()
    stored = db_session.get(User, user.id)
    assert stored is not None and stored.display_name == clean
    db_session.rollback()


# ----- roles ------------------------------------------------------------------------------------------


def test_change_role_applies_at_once_and_is_audited(db_session: Session) -> None:
    admin = make_user(db_session, "root", role="admin")
    dana = make_user(db_session, "dana")
    change_role(db_session, admin, dana.user_id, "supervisor", now=NOW)
    viewer = viewer_for(db_session, dana.user_id)
    assert viewer is not None and viewer.role == "supervisor"
    (event,) = list_events(db_session, admin, event="role_change")
    assert event.detail == {
        "target_id": dana.user_id,
        "username": "dana",
        "from": "trainee",
        "to": "supervisor",
    }


def test_last_admin_cannot_be_demoted_or_deactivated(db_session: Session) -> None:
    root = make_user(db_session, "root", role="admin")
    with pytest.raises(ValueError, match="last active administrator"):
        change_role(db_session, root, root.user_id, "trainee")
    other = make_user(db_session, "other", role="admin")
    with pytest.raises(ValueError, match="your own account"):
        set_active(db_session, root, root.user_id, False)
    set_active(db_session, other, root.user_id, False)
    with pytest.raises(ValueError, match="last active administrator"):
        set_active(db_session, root, other.user_id, False)


def test_unknown_target_is_not_found(db_session: Session) -> None:
    admin = make_user(db_session, "root", role="admin")
    with pytest.raises(NotFound, match="no account with id 999"):
        change_role(db_session, admin, 999, "trainee")
    with pytest.raises(ValueError, match="role"):
        change_role(db_session, admin, admin.user_id, "wizard")


def test_list_users_filters_by_role(db_session: Session) -> None:
    admin = make_user(db_session, "root", role="admin")
    make_user(db_session, "tina")
    make_user(db_session, "sam", role="supervisor")
    assert [u.username for u in list_users(db_session, admin)] == ["root", "sam", "tina"]
    assert [u.username for u in list_users(db_session, admin, role="trainee")] == ["tina"]
