"""Sign-in that survives a reload and a new tab (issue 12 item 1), as far as AppTest reaches: each
AppTest is one browser tab; a tab the browser's cookie signed in holds the same server-side token.
(Reading the cookie itself needs a browser: tests/browser/test_journey.py reloads and opens a tab.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pages_support import APP, CASE, World, signed_in
from streamlit.testing.v1 import AppTest

from settings import Settings
from store.db import init_db, session_scope
from store.permissions import Viewer
from store.sessions import create_session, validate_session
from ui.state import STATE_KEY, PrecertState

LONG = timedelta(hours=12)


def _tab(viewer: Viewer, token: str, *, last_activity: datetime | None = None) -> AppTest:
    """A second tab: what app.py holds after the browser's cookie signed it in."""
    at = AppTest.from_file(APP, default_timeout=60)
    state = PrecertState()
    state.sign_in(viewer, last_activity or datetime.now(UTC))
    state.token = token
    at.session_state[STATE_KEY] = state
    at.run()
    return at


def _token(world: World, viewer: Viewer, now: datetime) -> str:
    engine = init_db(Settings(data_dir=world.folder))
    with session_scope(engine) as session:
        assert viewer.user_id is not None
        token = create_session(session, viewer.user_id, now=now)
    engine.dispose()
    return token


def _live(world: World, token: str) -> int | None:
    engine = init_db(Settings(data_dir=world.folder))
    with session_scope(engine) as session:
        found = validate_session(session, token, now=datetime.now(UTC), idle=LONG, absolute=LONG)
    engine.dispose()
    return found


def _one_action(at: AppTest) -> None:
    """Open the test case and check eligibility (the attempt is saved with one action)."""
    at.switch_page("ui/pages/case_workspace.py").run()
    at.selectbox(key="pick_module").set_value(CASE[0])
    at.text_input(key="pick_seed").input(str(CASE[1]))
    at.button(key="pick_go").click().run()
    at.button(key="ws_elig_go").click().run()


def _signed_out(at: AppTest) -> bool:
    return "login_username" in [t.key for t in at.text_input]


def test_signing_in_starts_a_server_session_the_browser_keeps(world: World) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_input(key="login_username").input("tina")
    at.text_input(key="login_password").input("a long test password")
    at.button(key="login_submit").click().run()
    assert not at.exception and not _signed_out(at)
    state: Any = at.session_state[STATE_KEY]
    assert state.token and _live(world, state.token) == world.viewers["trainee"].user_id
    assert state.cookie_pending is not None and state.cookie_pending[:2] == ("set", state.token)


def test_signing_out_in_one_tab_ends_the_other(world: World) -> None:
    tina = world.viewers["trainee"]
    token = _token(world, tina, datetime.now(UTC))
    first, second = _tab(tina, token), _tab(tina, token)
    assert not _signed_out(first) and not _signed_out(second)
    first.sidebar.button(key="sign_out").click().run()
    assert _signed_out(first) and _live(world, token) is None
    second.run()  # the other tab's next click
    assert _signed_out(second)
    assert any("session has ended" in i.value for i in second.info)


def test_an_idle_server_session_signs_the_tab_out(world: World) -> None:
    tina = world.viewers["trainee"]
    token = _token(world, tina, datetime.now(UTC) - timedelta(minutes=31))  # idle past the 30 minutes
    at = _tab(tina, token)  # this tab itself was active a moment ago (another tab was not)
    assert _signed_out(at) and not at.exception


def test_the_address_reopens_the_case_where_it_was(world: World) -> None:
    tina = world.viewers["trainee"]
    at = signed_in(tina)
    _one_action(at)
    assert at.query_params["case"] == f"{CASE[0]}:{CASE[1]}"

    reload = signed_in(tina)  # F5 or a second tab: a new session, same address
    reload.switch_page("ui/pages/case_workspace.py")
    reload.query_params["case"] = f"{CASE[0]}:{CASE[1]}"
    reload.run()
    assert not reload.exception and any("09:55" in m.value for m in reload.markdown)  # 1 action replayed


def test_reopening_an_unfinished_case_number_resumes_it_and_home_offers_resume(world: World) -> None:
    tina = world.viewers["trainee"]
    at = signed_in(tina)
    _one_action(at)

    fresh = signed_in(tina)
    assert any(b.key and b.key.startswith("home_resume_") for b in fresh.button)  # Home offers Resume
    fresh.switch_page("ui/pages/case_workspace.py").run()
    assert any(b.key and b.key.startswith("pick_resume_") for b in fresh.button)
    fresh.selectbox(key="pick_module").set_value(CASE[0])
    fresh.text_input(key="pick_seed").input(str(CASE[1]))
    fresh.button(key="pick_go").click().run()
    assert not fresh.exception and any("09:55" in m.value for m in fresh.markdown)  # not 0 actions
