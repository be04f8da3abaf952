"""The forced change of an initial password (issue 12 item 9): set when an administrator chooses a
password (a new account, a reset), cleared when the account changes its own; never for the first-run
administrator nor the demo accounts; audited without any password."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from store_support import COST, NOW, PASSWORD

from store.accounts import (
    authenticate,
    change_own_password,
    create_admin,
    create_user,
    list_users,
    password_change_required,
    set_password,
)
from store.audit import list_events
from store.permissions import SYSTEM, Viewer


def _admin(session: Session) -> Viewer:
    made = create_admin(
        session, username="root", display_name="Rita Root", password=PASSWORD, cost=COST, now=NOW
    )
    return Viewer(user_id=made.id, username="root", role="admin")


def _trainee(session: Session, admin: Viewer, **extra: object) -> Viewer:
    made = create_user(
        session,
        admin,
        username="tina",
        display_name="Tina",
        password="initial from admin 1",
        role="trainee",
        cost=COST,
        now=NOW,
        **extra,  # type: ignore[arg-type]
    )
    return Viewer(user_id=made.id, username="tina", role="trainee")


def test_first_run_administrator_is_not_forced(db_session: Session) -> None:
    admin = _admin(db_session)
    assert password_change_required(db_session, admin.user_id) is False


def test_created_account_is_forced_until_it_changes_its_own(db_session: Session) -> None:
    admin = _admin(db_session)
    tina = _trainee(db_session, admin)
    assert password_change_required(db_session, tina.user_id) is True
    assert [u.must_change_password for u in list_users(db_session, admin) if u.username == "tina"] == [True]
    result = authenticate(db_session, "tina", "initial from admin 1", now=NOW, cost=COST)
    assert result.status == "ok"  # signing in works; the app then shows only the change form
    with pytest.raises(ValueError, match="current password"):
        change_own_password(db_session, tina, "a wrong guess here", "tina picked this 9", cost=COST, now=NOW)
    assert password_change_required(db_session, tina.user_id) is True
    change_own_password(db_session, tina, "initial from admin 1", "tina picked this 9", cost=COST, now=NOW)
    assert password_change_required(db_session, tina.user_id) is False
    created = list_events(db_session, SYSTEM, event="user_created")[0].detail
    assert created["must_change_password"] is True
    login = list_events(db_session, SYSTEM, event="login")[0].detail
    assert login["must_change_password"] is True
    changed = list_events(db_session, SYSTEM, event="password_change")[0].detail
    assert changed == {"outcome": "changed", "forced": True}
    for event in list_events(db_session, SYSTEM):
        assert "initial from admin 1" not in str(event.detail) and "tina picked this 9" not in str(
            event.detail
        )


def test_a_reset_by_an_administrator_forces_again_but_not_on_their_own_account(db_session: Session) -> None:
    admin = _admin(db_session)
    tina = _trainee(db_session, admin)
    change_own_password(db_session, tina, "initial from admin 1", "tina picked this 9", cost=COST, now=NOW)
    set_password(db_session, admin, tina.user_id, "reset by the admin 2", cost=COST, now=NOW)
    assert password_change_required(db_session, tina.user_id) is True
    set_password(db_session, admin, admin.user_id, "my own new admin pw", cost=COST, now=NOW)
    assert password_change_required(db_session, admin.user_id) is False
    resets = [e.detail for e in list_events(db_session, SYSTEM, event="settings_change")]
    assert [(d["username"], d["must_change_password"]) for d in resets] == [("root", False), ("tina", True)]


def test_seeding_code_may_create_an_account_that_is_not_forced(db_session: Session) -> None:
    admin = _admin(db_session)
    tina = _trainee(db_session, admin, must_change_password=False)
    assert password_change_required(db_session, tina.user_id) is False
    assert password_change_required(db_session, None) is False  # the system account never signs in


def test_the_cli_system_account_creates_forced_accounts_too(db_session: Session) -> None:
    made = create_user(
        db_session,
        SYSTEM,
        username="sam",
        display_name="Sam",
        password=PASSWORD,
        role="supervisor",
        cost=COST,
    )
    assert password_change_required(db_session, made.id) is True
