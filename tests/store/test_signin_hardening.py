"""Sign-in and passwords (issue 11 item 9): the same answers for every name, back-off per name and
per source, the last administrator cannot be shut out, strong passwords, self-service change, and
resets/changes end the user's sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session
from store_support import COST, NOW, PASSWORD, make_user

from store.accounts import authenticate, change_own_password, set_password
from store.audit import list_events
from store.permissions import SYSTEM
from store.sessions import create_session, validate_session

WRONG = "not the password"


def _answers(s: Session, name: str, tries: int, source: str | None = None) -> list[tuple[str, str]]:
    return [
        (r.status, r.message)
        for r in (
            authenticate(s, name, WRONG, now=NOW + timedelta(seconds=i), cost=COST, source=source)
            for i in range(tries)
        )
    ]


def test_real_and_unknown_names_get_the_same_answers(db_session: Session) -> None:
    make_user(db_session, "dana")
    real = _answers(db_session, "dana", 7)
    unknown = _answers(db_session, "nobody.here", 7)
    assert real == unknown
    assert [status for status, _ in real] == ["bad_credentials"] * 4 + ["locked"] * 3


def test_a_source_guessing_many_names_is_backed_off(db_session: Session) -> None:
    make_user(db_session, "dana")
    for n in range(20):  # four failures each on five names: no name is locked, the source is
        _answers(db_session, f"name{n % 5}", 1, source="203.0.113.9")
    from_there = authenticate(db_session, "dana", PASSWORD, now=NOW, cost=COST, source="203.0.113.9")
    assert from_there.status == "locked"
    assert (
        authenticate(db_session, "dana", PASSWORD, now=NOW, cost=COST, source="198.51.100.4").status == "ok"
    )


def test_each_further_run_of_failures_doubles_the_lock(db_session: Session) -> None:
    make_user(db_session, "dana")
    first = authenticate(db_session, "dana", WRONG, now=NOW, cost=COST)
    for _ in range(4):
        first = authenticate(db_session, "dana", WRONG, now=NOW, cost=COST)
    assert first.locked_until == NOW + timedelta(minutes=15)
    later = NOW + timedelta(minutes=16)
    for _ in range(5):
        second = authenticate(db_session, "dana", WRONG, now=later, cost=COST)
    assert second.locked_until == later + timedelta(minutes=30)


def test_the_last_administrator_is_not_shut_out_by_failures(db_session: Session) -> None:
    make_user(db_session, "root", role="admin")
    for i in range(10):
        authenticate(
            db_session, "root", WRONG, now=NOW + timedelta(seconds=i), cost=COST, source="203.0.113.9"
        )
    attacker = authenticate(
        db_session, "root", PASSWORD, now=NOW + timedelta(minutes=1), cost=COST, source="203.0.113.9"
    )
    assert attacker.status == "locked"  # the source that failed stays locked out
    admin = authenticate(
        db_session, "root", PASSWORD, now=NOW + timedelta(minutes=1), cost=COST, source="192.0.2.1"
    )
    assert admin.status == "ok"


def test_a_second_administrator_makes_the_lock_apply(db_session: Session) -> None:
    make_user(db_session, "root", role="admin")
    make_user(db_session, "root2", role="admin")
    _answers(db_session, "root", 5, source="203.0.113.9")
    again = authenticate(
        db_session, "root", PASSWORD, now=NOW + timedelta(minutes=1), cost=COST, source="192.0.2.1"
    )
    assert again.status == "locked"


def test_self_service_change_checks_the_current_password_and_ends_sessions(db_session: Session) -> None:
    dana = make_user(db_session, "dana")
    assert dana.user_id is not None
    token = create_session(db_session, dana.user_id, now=NOW)
    with pytest.raises(ValueError, match="current password"):
        change_own_password(
            db_session, dana, "a wrong guess here", "plum tractor sofa 99", cost=COST, now=NOW
        )
    with pytest.raises(ValueError, match="too easy to guess"):
        change_own_password(db_session, dana, PASSWORD, "password1234", cost=COST, now=NOW)
    change_own_password(db_session, dana, PASSWORD, "plum tractor sofa 99", cost=COST, now=NOW)
    assert authenticate(db_session, "dana", PASSWORD, now=NOW, cost=COST).status == "bad_credentials"
    assert authenticate(db_session, "dana", "plum tractor sofa 99", now=NOW, cost=COST).status == "ok"
    live = validate_session(db_session, token, now=NOW, idle=timedelta(hours=1), absolute=timedelta(hours=2))
    assert live is None
    assert [e.detail["outcome"] for e in list_events(db_session, SYSTEM, event="password_change")] == [
        "changed",
        "wrong_current",
    ]


def test_an_administrators_reset_ends_the_users_sessions(db_session: Session) -> None:
    dana = make_user(db_session, "dana")
    assert dana.user_id is not None
    token = create_session(db_session, dana.user_id, now=NOW)
    set_password(db_session, SYSTEM, dana.user_id, "plum tractor sofa 99", cost=COST, now=NOW)
    assert (
        validate_session(db_session, token, now=NOW, idle=timedelta(hours=1), absolute=timedelta(hours=2))
        is None
    )
