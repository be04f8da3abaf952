"""The app shell through Streamlit's AppTest: first run, sign-in, lock-out, roles, time-out, every page.

Each test gets its own DATA_DIR (so its own SQLite database). Passwords are hashed at the production
bcrypt cost here, as the app does.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from pages_support import errors
from streamlit.testing.v1 import AppTest

from ui.navigation import specs_for

APP = str(Path(__file__).resolve().parents[2] / "app.py")
ADMIN_PW = "admin password 1"
TRAINEE_PW = "trainee password 1"  # chosen by the administrator: changed at the first sign-in
TINA_OWN_PW = "tina chose this one 7"
FORCED_TITLE = "Choose your own password"


@pytest.fixture
def at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception
    return app


def _titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def _setup_token() -> str:
    # The token the server printed in its log; on the server it is also in DATA_DIR/setup-token.
    return (Path(os.environ["DATA_DIR"]) / "setup-token").read_text(encoding="ascii").strip()


def _first_run(
    at: AppTest, password: str = ADMIN_PW, again: str | None = None, token: str | None = None
) -> None:
    at.text_input(key="fr_token").input(_setup_token() if token is None else token)
    at.text_input(key="fr_username").input("root")
    at.text_input(key="fr_display_name").input("Rita Root")
    at.text_input(key="fr_password").input(password)
    at.text_input(key="fr_password_again").input(password if again is None else again)
    at.button(key="fr_create").click().run()


def _sign_in(at: AppTest, username: str, password: str) -> None:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button(key="login_submit").click().run()


def _sign_out(at: AppTest) -> None:
    at.sidebar.button(key="sign_out").click().run()


def _choose_password(at: AppTest, given: str, new: str, again: str | None = None) -> None:
    at.text_input(key="fp_current").input(given)
    at.text_input(key="fp_new").input(new)
    at.text_input(key="fp_again").input(new if again is None else again)
    at.button(key="fp_submit").click().run()


def _first_sign_in_tina(at: AppTest, given: str = TRAINEE_PW) -> None:
    """Tina's first sign-in: the administrator chose her password, so she replaces it first."""
    _sign_in(at, "tina", given)
    assert _titles(at) == [FORCED_TITLE], _titles(at)
    _choose_password(at, given, TINA_OWN_PW)
    assert _titles(at) == ["Welcome, Tina Träger"] and not at.exception


def _create_trainee(at: AppTest) -> None:
    at.switch_page("ui/pages/admin_users.py").run()
    at.text_input(key="cu_username").input("tina")
    at.text_input(key="cu_display_name").input("Tina Träger")
    at.selectbox(key="cu_role").set_value("trainee")
    at.text_input(key="cu_password").input(TRAINEE_PW)
    at.text_input(key="cu_password_again").input(TRAINEE_PW)
    at.button(key="cu_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Created tina" in s.value for s in at.success)


def test_first_run_creates_the_admin_and_then_login_works(at: AppTest) -> None:
    assert _titles(at) == ["Welcome to Precert Academy"]
    assert any("fictional" in c.value for c in at.sidebar.caption)
    _first_run(at)
    assert not at.exception
    assert _titles(at) == ["Welcome, Rita Root"]
    assert any("Administrator root created" in s.value for s in at.success)
    _sign_out(at)
    assert _titles(at) == ["Sign in to Precert Academy"]  # no first-run screen once a user exists
    _sign_in(at, "root", ADMIN_PW)
    assert not at.exception and _titles(at) == ["Welcome, Rita Root"]
    assert "Admin" in at.sidebar.markdown[0].value


def test_first_run_needs_the_set_up_token_from_the_server_log(at: AppTest) -> None:
    _first_run(at, token="")
    assert any("set-up token" in e for e in errors(at))
    _first_run(at, token="a-guess-that-is-wrong")
    assert any("set-up token" in e for e in errors(at))
    assert _titles(at) == ["Welcome to Precert Academy"] and not at.exception
    token = _setup_token()
    _first_run(at, token=token)
    assert _titles(at) == ["Welcome, Rita Root"]
    assert not (Path(os.environ["DATA_DIR"]) / "setup-token").exists()  # it worked once, and is gone


def test_first_run_refuses_mismatched_or_weak_passwords(at: AppTest) -> None:
    _first_run(at, again="something else 1")
    assert any("two passwords differ" in e.value for e in at.error)
    _first_run(at, password="short")
    assert any("at least 12 characters" in e.value for e in at.error)
    _first_run(at, password="password1234")
    assert any("too easy to guess" in e.value for e in at.error)
    assert _titles(at) == ["Welcome to Precert Academy"] and not at.exception


def test_wrong_password_shows_an_error(at: AppTest) -> None:
    _first_run(at)
    _sign_out(at)
    _sign_in(at, "root", "not the password")
    assert [e.value for e in at.error] == ["Wrong username or password."]
    _sign_in(at, "nobody", "not the password")
    assert [e.value for e in at.error] == ["Wrong username or password."]
    assert _titles(at) == ["Sign in to Precert Academy"]


def test_lockout_message_after_five_failures(at: AppTest) -> None:
    _first_run(at)
    _create_trainee(at)
    _sign_out(at)
    for _ in range(4):
        _sign_in(at, "tina", "wrong password!")
        assert [e.value for e in at.error] == ["Wrong username or password."]
    _sign_in(at, "tina", "wrong password!")
    (message,) = [e.value for e in at.error]
    assert "try again after" in message and "UTC" in message
    _sign_in(at, "tina", TRAINEE_PW)  # the right password does not help while locked
    assert "try again after" in at.error[0].value
    assert not at.exception


def test_admin_resets_a_forgotten_password(at: AppTest) -> None:
    """A locked-out trainee who forgot the password gets a new one from the administrator."""
    _first_run(at)
    _create_trainee(at)
    _sign_out(at)
    for _ in range(5):
        _sign_in(at, "tina", "forgotten password")
    _sign_in(at, "root", ADMIN_PW)
    at.switch_page("ui/pages/admin_users.py").run()
    at.selectbox(key="rp_user").set_value("tina")
    at.text_input(key="rp_password").input("short")
    at.text_input(key="rp_password_again").input("short")
    at.button(key="rp_submit").click().run()
    assert any(e.value.startswith("Setting the password") and "password" in e.value for e in at.error), [
        e.value for e in at.error
    ]
    at.selectbox(key="rp_user").set_value("tina")
    at.text_input(key="rp_password").input("a brand new secret")
    at.text_input(key="rp_password_again").input("a brand new secret")
    at.button(key="rp_submit").click().run()
    assert not at.exception and any("tina can sign in with the new password" in s.value for s in at.success)
    _sign_out(at)
    _sign_in(at, "tina", TRAINEE_PW)
    assert [e.value for e in at.error] == ["Wrong username or password."]
    _first_sign_in_tina(at, "a brand new secret")  # the administrator knows it: she replaces it first


def test_trainee_cannot_see_admin_pages(at: AppTest) -> None:
    _first_run(at)
    _create_trainee(at)
    _sign_out(at)
    _first_sign_in_tina(at)
    for page in ("ui/pages/admin_users.py", "ui/pages/admin_audit.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_idle_timeout_signs_out(at: AppTest) -> None:
    _first_run(at)
    state = at.session_state["precert"]
    state.last_activity = state.last_activity - timedelta(minutes=31)  # default time-out: 30 minutes
    at.run()
    assert _titles(at) == ["Sign in to Precert Academy"]
    assert any("without activity" in i.value for i in at.info)
    assert not at.exception


@pytest.mark.parametrize("role", ["admin", "trainee"])
def test_no_exception_on_any_page(at: AppTest, role: str) -> None:
    _first_run(at)
    if role == "trainee":
        _create_trainee(at)
        _sign_out(at)
        _first_sign_in_tina(at)
    for spec in specs_for(role):
        at.switch_page(spec.path).run()
        assert not at.exception, (spec.path, at.exception)
        assert not at.error, (spec.path, [e.value for e in at.error])


def test_sign_in_after_a_sign_out_lands_on_home_with_nothing_of_the_last_user(at: AppTest) -> None:
    _first_run(at)
    _create_trainee(at)  # the admin leaves the tab on "Users and cohorts", a form half typed
    at.text_input(key="cu_username").input("half-typed")
    _sign_out(at)
    assert "cu_username" not in at.session_state  # the admin's typed text is gone
    _first_sign_in_tina(at)  # and then Home, not the admin's page
    assert "cu_username" not in at.session_state
    at.switch_page("ui/pages/policy_library.py").run()  # a page both roles have
    assert _titles(at) != ["Welcome, Tina Träger"]
    _sign_out(at)
    _sign_in(at, "root", ADMIN_PW)
    assert not at.exception and _titles(at) == ["Welcome, Rita Root"]
