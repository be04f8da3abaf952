"""Sign-in that survives a reload and a new tab (issue 12 item 1).

The browser holds only an opaque token from ``store.sessions`` (the database keeps its SHA-256, its
idle and absolute lifetimes, and its revocation), in a cookie: SameSite=Strict, Secure when the app
is served over HTTPS, expiring with the session's absolute lifetime. Streamlit reads cookies on the
server (``st.context.cookies``, sent with the page's connection); writing one needs the browser, so
the kept component ``extra-streamlit-components`` (CookieManager) sets and deletes it. JavaScript in
the page can read the cookie (a Streamlit component cannot set HttpOnly), which is why it carries no
identity of its own: the token is worthless once revoked, idle or old.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta

import streamlit as st

from ui.state import PrecertState

COOKIE = "precert_session"


def browser_token() -> str | None:
    """The session token the browser sent with this connection, if any."""
    try:
        value = st.context.cookies.get(COOKIE)
    except (AttributeError, RuntimeError):  # no browser connection (bare runs, AppTest)
        return None
    return value if isinstance(value, str) and value else None


def remember(state: PrecertState, token: str, now: datetime, lifetime: timedelta) -> None:
    """Ask the browser to keep ``token`` (written on the next render; see ``write_pending``)."""
    state.token = token
    state.cookie_pending = ("set", token, (now + lifetime).isoformat())


def forget(state: PrecertState) -> None:
    """Ask the browser to drop the cookie (sign-out, time-out)."""
    state.token = None
    state.cookie_pending = ("delete", "", "")


def write_pending(state: PrecertState) -> None:
    """Render the cookie component for a pending set or delete. The browser answers True once done (a
    rerun); only then is the operation forgotten, so an immediate page change cannot lose it."""
    if state.cookie_pending is None:
        return
    import extra_streamlit_components as stx  # deferred: only runs around sign-in and sign-out

    op, token, expires = state.cookie_pending
    manager = stx.CookieManager(key="cookie_all")
    key = f"cookie_{op}_{token[:8]}"
    if op == "set":
        manager.set(
            COOKIE,
            token,
            key=key,
            expires_at=datetime.fromisoformat(expires),
            same_site="strict",
            secure=str(st.context.url or "").startswith("https://") or None,
        )
    else:
        with suppress(KeyError):  # the manager forgets a cookie it never listed; the browser drops it
            manager.delete(COOKIE, key=key)
    if st.session_state.get(key) is True:
        state.cookie_pending = None
