"""A forced change of an initial password (issue 12 item 9), through the app shell (AppTest): an
account an administrator created, or whose password an administrator reset, reaches nothing but the
change form until it has chosen its own password; the first-run administrator is never forced."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from test_auth import (
    ADMIN_PW,
    FORCED_TITLE,
    TINA_OWN_PW,
    TRAINEE_PW,
    _choose_password,
    _create_trainee,
    _first_run,
    _sign_in,
    _sign_out,
    _titles,
)
from test_auth import at as at  # the fixture: a fresh DATA_DIR and the app's first run

from store.audit import list_events
from store.permissions import SYSTEM
from ui.navigation import specs_for


def _events(at: AppTest, event: str) -> list[dict[str, object]]:
    from ui.resources import db

    with db() as session:
        return [e.detail for e in reversed(list_events(session, SYSTEM, event=event))]  # oldest first


def test_the_first_run_administrator_is_not_forced(at: AppTest) -> None:
    _first_run(at)
    _sign_out(at)
    _sign_in(at, "root", ADMIN_PW)
    assert _titles(at) == ["Welcome, Rita Root"]


def test_a_created_account_sees_only_the_change_form_until_it_changes(at: AppTest) -> None:
    _first_run(at)
    _create_trainee(at)
    _sign_out(at)
    _sign_in(at, "tina", TRAINEE_PW)
    assert _titles(at) == [FORCED_TITLE]
    assert any("An administrator chose your current password" in i.value for i in at.info)
    assert at.sidebar.button(key="sign_out")  # she can still sign out
    # every other page of her role is out of reach: the app has no such page while she is forced
    for spec in specs_for("trainee")[1:]:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(spec.path)
    # a wrong "given" password and a mismatch are refused with the field named; nothing changes
    _choose_password(at, "not what I was given", TINA_OWN_PW)
    assert any("current password" in e.value for e in at.error), [e.value for e in at.error]
    assert _titles(at) == [FORCED_TITLE]
    _choose_password(at, TRAINEE_PW, TINA_OWN_PW, again="something else entirely")
    assert any("New password again" in e.value for e in at.error)
    _choose_password(at, TRAINEE_PW, TRAINEE_PW)
    assert any("same as the current one" in e.value for e in at.error)
    assert _titles(at) == [FORCED_TITLE] and not at.exception
    # done: Home, then the ordinary pages; the old password no longer works, the new one does
    _choose_password(at, TRAINEE_PW, TINA_OWN_PW)
    assert _titles(at) == ["Welcome, Tina Träger"]
    assert any("Your password is changed" in s.value for s in at.success)
    at.switch_page("ui/pages/my_results.py").run()
    assert not at.exception
    _sign_out(at)
    _sign_in(at, "tina", TRAINEE_PW)
    assert [e.value for e in at.error] == ["Wrong username or password."]
    _sign_in(at, "tina", TINA_OWN_PW)
    assert _titles(at) == ["Welcome, Tina Träger"]  # not forced again
    changes = _events(at, "password_change")
    assert {"outcome": "changed", "forced": True} in changes
    assert all(TINA_OWN_PW not in str(d) and TRAINEE_PW not in str(d) for d in changes)
    logins = [d for d in _events(at, "login") if d.get("username") == "tina"]
    assert logins[0].get("must_change_password") is True and "must_change_password" not in logins[-1]


def test_an_administrator_reset_forces_a_change_again(at: AppTest) -> None:
    _first_run(at)
    _create_trainee(at)
    _sign_out(at)
    _sign_in(at, "tina", TRAINEE_PW)
    _choose_password(at, TRAINEE_PW, TINA_OWN_PW)
    _sign_out(at)
    _sign_in(at, "root", ADMIN_PW)
    at.switch_page("ui/pages/admin_users.py").run()
    at.selectbox(key="rp_user").set_value("tina")
    at.text_input(key="rp_password").input("the admin knows this")
    at.text_input(key="rp_password_again").input("the admin knows this")
    at.button(key="rp_submit").click().run()
    assert any("choose their own" in s.value for s in at.success), [s.value for s in at.success]
    _sign_out(at)
    _sign_in(at, "tina", "the admin knows this")
    assert _titles(at) == [FORCED_TITLE]
    resets = [d for d in _events(at, "settings_change") if d.get("action") == "password_reset"]
    assert resets and resets[-1]["must_change_password"] is True
