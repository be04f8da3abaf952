"""Admin: the audit log, newest first, filtered by date range, user and action; exported as CSV."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from store.accounts import list_users
from store.audit import list_events
from store.export import audit_csv
from store.models import AUDIT_EVENTS
from ui.feedback import core_errors
from ui.resources import db
from ui.state import require_role

ALL = "(all)"

viewer = require_role("admin")
st.title("Audit log")

users: dict[str, int] = {}
with core_errors("Loading accounts"), db() as session:
    users = {u.username: u.id for u in list_users(session, viewer)}

today = datetime.now(UTC).date()
event_col, user_col, dates_col, limit_col = st.columns([2, 2, 2, 1])
event = event_col.selectbox("Action", [ALL, *AUDIT_EVENTS], key="audit_event")
who = user_col.selectbox("User", [ALL, *users], key="audit_user")
window = dates_col.date_input("Dates (UTC)", value=(today - timedelta(days=30), today), key="audit_dates")
limit = limit_col.number_input("Rows", min_value=10, max_value=5000, value=200, step=50, key="audit_limit")


def _bounds(chosen: object) -> tuple[datetime | None, datetime | None]:
    # One date picked so far (the range is being chosen) means that day only; the end day is included.
    days = [d for d in (chosen if isinstance(chosen, tuple | list) else (chosen,)) if isinstance(d, date)]
    if not days:
        return None, None
    first, last = days[0], days[-1]
    return datetime.combine(first, time(), UTC), datetime.combine(last + timedelta(days=1), time(), UTC)


since, until = _bounds(window)
shown = (event, who, since, until, int(limit))  # a CSV prepared for other filters is not offered
with core_errors("Reading the audit log"), db() as session:
    rows = list_events(
        session,
        viewer,
        event=None if event == ALL else event,
        user_id=None if who == ALL else users[who],
        since=since,
        until=until,
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
        if st.button("Prepare CSV of these rows", key="audit_export"):
            st.session_state["audit_csv"] = (shown, audit_csv(session, viewer, rows))
    else:
        st.info("No audit events match these filters.")
prepared = st.session_state.get("audit_csv")
if prepared and prepared[0] == shown:
    csv_bytes: bytes = prepared[1]
    st.download_button(
        "Download CSV",
        # a callable: the file is handed out on the click only, to a live session (ui.download_gate)
        lambda: csv_bytes,
        file_name=f"precert-audit-{today:%Y%m%d}.csv",
        mime="text/csv",
        key="audit_csv_download",
        on_click="ignore",
    )
