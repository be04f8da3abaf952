"""Precert Academy: the Streamlit entry point (``streamlit run app.py``).

Settings, the database, who is signed in, and ``st.navigation`` by role; nothing else. Pages live in
``ui/pages/`` and are registered in ``ui/navigation.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from settings import SettingsError
from store.accounts import has_any_user, password_change_required, viewer_for
from store.sessions import validate_session
from ui import session_cookie
from ui.auth_pages import (
    FICTIONAL_NOTE,
    first_run_page,
    forced_password_page,
    login_page,
    restore_session,
    sign_out,
)
from ui.feedback import core_errors
from ui.navigation import forced_change_pages, pages_for, signed_out_pages
from ui.resources import db, get_engine, get_settings
from ui.state import get_state
from ui.widgets.text import md_escape

# An emoji, not a ":material/…:" icon: for a material favicon the browser fetches the SVG from
# fonts.gstatic.com, an outside request (the browser walk found it); an emoji becomes a data: URL.
st.set_page_config(page_title="Precert Academy", page_icon="🩺", layout="wide")
st.sidebar.caption(FICTIONAL_NOTE)

try:
    settings = get_settings()
    get_engine(settings)
except SettingsError as exc:
    st.error(f"Configuration error: {md_escape(str(exc))}")
    st.stop()
except SQLAlchemyError as exc:
    st.error(
        f"The database cannot be opened ({md_escape(str(getattr(exc, 'orig', None) or exc))}). "
        "Check DATABASE_URL or DATA_DIR."
    )
    st.stop()

state = get_state()
now = datetime.now(UTC)
viewer, any_user, session_ended, must_change = None, None, False, False
with core_errors("Reading accounts"), db() as session:
    any_user = has_any_user(session)
    if state.viewer is None and state.cookie_pending is None:
        # A reload, a new tab or a bookmark: a new Streamlit session; the browser's token signs it in.
        restored = restore_session(session, session_cookie.browser_token(), now, settings)
        if restored is not None:
            state.sign_in(restored, now)
            state.token = session_cookie.browser_token()
    elif state.token is not None:
        # Checked on every run: a sign-out in another tab, the idle limit or the absolute lifetime ends it.
        session_ended = (
            validate_session(
                session, state.token, now=now, idle=settings.session_idle, absolute=settings.session_absolute
            )
            is None
        )
    if state.viewer is not None and state.viewer.user_id is not None:
        # Re-read each run: a role change or deactivation applies at once.
        viewer = viewer_for(session, state.viewer.user_id)
        # An administrator chose this account's password: only the change form until it is replaced.
        must_change = viewer is not None and password_change_required(session, viewer.user_id)
if any_user is None:  # the database did not answer; core_errors has said why
    st.stop()

if state.signed_in and state.idle_expired(now, settings.session_timeout_min):
    sign_out(
        f"You were signed out after {settings.session_timeout_min} minutes without activity. "
        "Sign in again to continue.",
        audit="idle_timeout",
    )
elif state.signed_in and session_ended:
    sign_out(
        "Your session has ended (you signed out in another tab, or it was idle or open too long). "
        "Sign in again to continue.",
        audit="session_ended",
    )
elif state.signed_in and viewer is None:
    sign_out("Your account is no longer active. Ask an administrator.", audit="deactivated")
elif viewer is not None:
    state.viewer = viewer
    state.touch(now)

for level, text in state.flash:
    getattr(st, level)(text)
state.flash.clear()

if not any_user and not state.signed_in:
    page = st.navigation(
        [st.Page(first_run_page, title="First run", icon=":material/rocket_launch:", url_path="setup")]
    )
elif state.viewer is None:
    page = st.navigation(signed_out_pages(login_page), position="hidden")
else:
    with st.sidebar:
        st.markdown(
            f"**{md_escape(state.viewer.display_name or state.viewer.username)}**  \n{state.viewer.role.title()}"
        )
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            sign_out("You signed out.")
            st.rerun()
    if must_change:
        page = st.navigation(forced_change_pages(forced_password_page), position="hidden")
    else:
        sections = pages_for(state.viewer.role)
        page = st.navigation(sections, expanded=True)  # an admin has 14 pages: show them all
        if state.land_home:
            # First run after a sign-in that followed a sign-out (or a forced password change) in this
            # tab: start on Home.
            state.land_home = False
            home = next(iter(sections.values()))[0]  # Home: first in the registry, for every role
            if page.url_path != home.url_path:
                st.switch_page(home)
with st.sidebar:
    session_cookie.write_pending(state)  # a zero-height component, only around sign-in and sign-out
page.run()
