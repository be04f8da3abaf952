"""Per-user page state. A browser session outlives a sign-in: when someone else signs in on the same
session, nothing the previous user left (a case in progress, a draft, a prepared export, typed text)
may show up for them. Every page of ``ui/pages`` built on these widgets calls :func:`claim` first."""

from __future__ import annotations

import streamlit as st

from store.permissions import Viewer

OWNER_KEY = "precert_page_owner"
# Session keys the pages keep: their own objects and their widgets' values (persisted across pages).
PREFIXES = (
    "precert_case",
    "precert_assistant",
    "ws_",
    "co_",
    "ar_",
    "dash_",
    "tv_",
    "as_",
    "results_",
    "pick_",
    "ops_",
)


def claim(viewer: Viewer) -> None:
    """Forget every page value that belongs to a different user than ``viewer``."""
    if st.session_state.get(OWNER_KEY) == viewer.user_id:
        return
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(PREFIXES)]:
        del st.session_state[key]
    st.session_state[OWNER_KEY] = viewer.user_id
