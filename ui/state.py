"""Per-user state: one typed dataclass under ``st.session_state["precert"]``.

Widget keys reset when the user changes page; this object does not, so everything a page needs to
remember about the user lives here, not in scattered session-state keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Literal

import streamlit as st

from store.permissions import Viewer

STATE_KEY = "precert"
# Widgets keep typed values when the user visits another page and comes back (Streamlit >= 1.67).
KEEP: Final = "session"
FlashLevel = Literal["success", "info", "warning", "error"]


@dataclass
class PrecertState:
    """Who is signed in, when they last did something, and messages to show on the next page."""

    viewer: Viewer | None = None
    last_activity: datetime | None = None
    # Messages that must survive an st.rerun(), shown once by the shell (level, text).
    flash: list[tuple[FlashLevel, str]] = field(default_factory=list)
    # Why the user is on the sign-in page (idle time-out, deactivated), shown there once.
    signed_out_reason: str | None = None
    # The server-side session token (store.sessions) behind this sign-in, and a cookie write the
    # browser has not confirmed yet: ("set", token, expires ISO) or ("delete", "", "").
    token: str | None = None
    cookie_pending: tuple[str, str, str] | None = None
    # Set by a sign-out in this tab: the next sign-in lands on Home, not on the page the previous
    # user left open (the address bar still shows it). A reload or a deep link is a new session
    # without this flag, so the page it asked for is honoured.
    land_home: bool = False

    @property
    def signed_in(self) -> bool:
        return self.viewer is not None

    def sign_in(self, viewer: Viewer, now: datetime) -> None:
        self.viewer, self.last_activity, self.signed_out_reason = viewer, now, None

    def sign_out(self, reason: str | None = None) -> None:
        self.viewer, self.last_activity, self.signed_out_reason = None, None, reason
        self.token, self.land_home = None, True
        self.flash.clear()

    def idle_expired(self, now: datetime, timeout_min: int) -> bool:
        """True when the user has been idle longer than ``timeout_min`` minutes.

        >>> from datetime import UTC
        >>> s = PrecertState(last_activity=datetime(2026, 1, 1, 9, 0, tzinfo=UTC))
        >>> s.idle_expired(datetime(2026, 1, 1, 9, 31, tzinfo=UTC), 30)
        True
        """
        return self.last_activity is not None and now - self.last_activity > timedelta(minutes=timeout_min)

    def touch(self, now: datetime) -> None:
        self.last_activity = now

    def add_flash(self, level: FlashLevel, text: str) -> None:
        self.flash.append((level, text))


def clear_page_state() -> None:
    """Forget every page's and widget's state of this tab except the shell's own (``STATE_KEY``), so
    the next user of the tab starts clean (no open case, typed text or prepared export of the last)."""
    for key in [k for k in st.session_state if k != STATE_KEY]:
        del st.session_state[key]


def get_state() -> PrecertState:
    """This browser session's state (created on first use)."""
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = PrecertState()
    return st.session_state[STATE_KEY]


def current_viewer() -> Viewer:
    """The signed-in user, for pages. The shell only runs pages for signed-in users."""
    viewer = get_state().viewer
    if viewer is None:
        st.error("Please sign in.")
        st.stop()
    return viewer


def require_role(*roles: str) -> Viewer:
    """Stop the page with a message unless the signed-in user has one of ``roles``.

    Navigation already hides pages a role cannot use; this guards against reaching one anyway.
    The store enforces permissions again on every call.
    """
    viewer = current_viewer()
    if viewer.role not in roles:
        st.error(f"This page is for {', '.join(roles)} accounts; you are signed in as a {viewer.role}.")
        st.stop()
    return viewer
