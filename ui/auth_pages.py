"""First run (create the administrator), sign in, sign out, and loading the demo content."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import streamlit as st

from settings import Settings
from store.accounts import authenticate, change_own_password, create_admin, viewer_for
from store.audit import log_event
from store.permissions import Viewer
from store.sessions import create_session, revoke_all_sessions, revoke_session, validate_session
from store.setup_token import check_setup_token, consume_setup_token, issue_setup_token
from ui import session_cookie
from ui.feedback import EXPECTED, core_errors
from ui.resources import db, get_settings
from ui.state import PrecertState, clear_page_state, get_state

FICTIONAL_NOTE = (
    "All payers, patients, providers and policies in Precert Academy are fictional, for training."
)


def _now() -> datetime:
    return datetime.now(UTC)


def start_session(state: PrecertState, viewer: Viewer) -> None:
    """Sign ``viewer`` in here and start the server-side session a reload or a new tab finds again."""
    now = _now()
    state.sign_in(viewer, now)
    token = None
    with core_errors("Starting your session"), db() as session:
        assert viewer.user_id is not None  # the system account never signs in to the app
        token = create_session(session, viewer.user_id, now=now)
    if token is not None:
        session_cookie.remember(state, token, now, get_settings().session_absolute)


def restore_session(session: Any, token: str | None, now: datetime, settings: Settings) -> Viewer | None:
    """The user a browser's session token still signs in (live, not idle, not too old), else None."""
    if not token:
        return None
    user_id = validate_session(
        session, token, now=now, idle=settings.session_idle, absolute=settings.session_absolute
    )
    return None if user_id is None else viewer_for(session, user_id)


def _client_address() -> str | None:
    # The address the sign-in came from, for back-off per source. Behind a reverse proxy Streamlit sees
    # the proxy's; with PRECERT_TRUST_FORWARDED_FOR the proxy's last X-Forwarded-For entry is the
    # client's (earlier entries are whatever the client claimed, so they are never used).
    try:
        address = st.context.ip_address
        forwarded = st.context.headers.get("X-Forwarded-For") if get_settings().trust_forwarded_for else None
    except Exception:  # no browser (bare mode)
        return None
    if isinstance(forwarded, str) and forwarded.strip():
        return forwarded.split(",")[-1].strip()[:100]
    return address if isinstance(address, str) else None  # AppTest hands a stand-in object


def load_demo_content(viewer: Viewer) -> None:
    """Seed the demo cohort (generator, simulator and grader) with a spinner. The outcome, including
    the honest error when the grader is not installed yet, becomes a flash message for the next run."""
    # Deferred: the demo loads the generator, the simulator and the grader, which the first render
    # (the first-run form) does not need (bench/app.py's cold start).
    from store.demo import load_engines, seed_demo

    state = get_state()
    try:
        with st.spinner("Generating, replaying and grading demo cases…"):
            engines = load_engines()
            with db() as session:
                summary = seed_demo(session, viewer, engines, now=_now())
    except EXPECTED as exc:
        state.add_flash("error", f"The demo content was not loaded: {exc}")
        return
    state.add_flash(
        "success",
        (
            f"Demo content loaded: {summary.attempts} graded attempts. Demo accounts "
            f"{', '.join(summary.usernames)} share the password `{summary.password}` (shown only now)."
        ),
    )


@st.cache_resource(show_spinner=False)
def _first_run_token(data_dir: str) -> str:
    # Once per server process: issue (or re-read) the token and print it in the server log.
    return issue_setup_token(Path(data_dir))


def first_run_page() -> None:
    st.title("Welcome to Precert Academy")
    st.write("No accounts exist yet. Create the administrator account; you will be signed in as it.")
    data_dir = get_settings().data_dir
    _first_run_token(str(data_dir))
    with st.form("first_run"):
        token = st.text_input(
            "Set-up token",
            type="password",
            key="fr_token",
            help="Printed in the server log when the app started (also in DATA_DIR/setup-token on the server).",
        )
        username = st.text_input(
            "Username", key="fr_username", help="3-40 characters: a-z, 0-9, '_', '.', '-'"
        )
        display_name = st.text_input("Display name", key="fr_display_name")
        password = st.text_input(
            "Password", type="password", key="fr_password", help="At least 12 characters, not easy to guess"
        )
        again = st.text_input("Password again", type="password", key="fr_password_again")
        create = st.form_submit_button("Create administrator", key="fr_create", type="primary")
        with_demo = st.form_submit_button("Create administrator and load demo content", key="fr_create_demo")
    if not (create or with_demo):
        return
    if password != again:
        st.error("Password again: the two passwords differ; type the same password twice.")
        return
    admin = None
    with core_errors("Creating the administrator"), db() as session:
        check_setup_token(data_dir, token)
        created = create_admin(session, username=username, display_name=display_name, password=password)
        log_event(session, "setup", user_id=created.id, detail={"username": created.username})
        log_event(
            session, "login", user_id=created.id, detail={"username": created.username, "via": "first_run"}
        )
        admin = created
    if admin is None:
        return
    consume_setup_token(data_dir)
    _first_run_token.clear()
    viewer = Viewer(user_id=admin.id, username=admin.username, role="admin", display_name=admin.display_name)
    state = get_state()
    start_session(state, viewer)
    state.add_flash("success", f"Administrator {admin.username} created; you are signed in.")
    if with_demo:
        load_demo_content(viewer)
    st.rerun()


def login_page() -> None:
    state = get_state()
    st.title("Sign in to Precert Academy")
    if state.signed_out_reason:
        st.info(state.signed_out_reason)
    with st.form("login"):
        username = st.text_input("Username", key="login_username")
        password = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Sign in", key="login_submit", type="primary")
    if not submitted:
        return
    result = None
    with core_errors("Signing in"), db() as session:
        result = authenticate(session, username, password, now=_now(), source=_client_address())
    if result is None:
        return
    if result.status != "ok" or result.viewer is None:
        st.error(result.message)
        return
    start_session(state, result.viewer)
    st.rerun()


FORCED_CHANGE_NOTE = (
    "An administrator chose your current password, so they know it. Before you can use Precert Academy, "
    "replace it with one only you know: type the password you were given, then your new password twice."
)


def forced_password_page() -> None:
    """The only page of an account that must change an administrator-chosen password (``app.py``
    routes every address here until it is done). On success a fresh session starts on Home."""
    state = get_state()
    viewer = state.viewer
    if viewer is None:  # the shell shows this page to signed-in users only
        return
    st.title("Choose your own password")
    st.info(FORCED_CHANGE_NOTE)
    st.caption("At least 12 characters, and not easy to guess: a few uncommon words work well.")
    with st.form("forced_password", clear_on_submit=True):
        current = st.text_input("Password you were given", type="password", key="fp_current")
        new = st.text_input("New password", type="password", key="fp_new")
        again = st.text_input("New password again", type="password", key="fp_again")
        submitted = st.form_submit_button("Set my password", key="fp_submit", type="primary")
    if not submitted:
        return
    if new != again:
        st.error("New password again: the two passwords differ; type the same password twice.")
        return
    changed = False
    with core_errors("Changing the password"), db() as session:
        change_own_password(session, viewer, current, new)
        changed = True
    if not changed:
        return
    # change_own_password ended every session of the account (the administrator's reset may have left
    # some open); this tab continues on a fresh one.
    start_session(state, viewer)
    state.land_home = True
    state.add_flash("success", "Your password is changed. Use it from now on.")
    st.rerun()


def sign_out(reason: str | None = None, *, audit: str = "user") -> None:
    """Sign the current user out (audited) and show ``reason`` on the sign-in page. Signing out on
    purpose ends every session of the user (all tabs and browsers); a time-out ends this one."""
    state = get_state()
    if state.viewer is not None:
        with core_errors("Signing out"), db() as session:
            if audit == "user" and state.viewer.user_id is not None:
                revoke_all_sessions(session, state.viewer.user_id, now=_now())
            elif state.token:
                revoke_session(session, state.token, now=_now())
            log_event(
                session,
                "logout",
                user_id=state.viewer.user_id,
                detail={"username": state.viewer.username, "by": audit},
            )
    state.sign_out(reason)
    clear_page_state()
    session_cookie.forget(state)
