"""Admin: the audit log, newest first, filtered by event and user."""

from __future__ import annotations

import json

import streamlit as st

from store.accounts import list_users
from store.audit import list_events
from store.models import AUDIT_EVENTS
from ui.feedback import core_errors
from ui.resources import db
from ui.state import require_role

ALL = "(all)"

viewer = require_role("admin")
st.title("Audit log")

with core_errors("Loading accounts"), db() as session:
    users = {u.username: u.id for u in list_users(session, viewer)}

event_col, user_col, limit_col = st.columns([2, 2, 1])
event = event_col.selectbox("Event", [ALL, *AUDIT_EVENTS], key="audit_event")
who = user_col.selectbox("User", [ALL, *users], key="audit_user")
limit = limit_col.number_input("Rows", min_value=10, max_value=5000, value=200, step=50, key="audit_limit")

with core_errors("Reading the audit log"), db() as session:
    rows = list_events(
        session,
        viewer,
        event=None if event == ALL else event,
        user_id=None if who == ALL else users[who],
        limit=int(limit),
    )
    if rows:
        st.dataframe(
            [
                {
                    "at (UTC)": r.at,
                    "user": r.username or "—",
                    "event": r.event,
                    "detail": json.dumps(r.detail, ensure_ascii=False, sort_keys=True),
                }
                for r in rows
            ],
            hide_index=True,
        )
    else:
        st.info("No audit events match these filters.")
