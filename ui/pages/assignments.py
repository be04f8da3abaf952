"""Supervisor: assign modules (to a cohort or one trainee) with due dates, and see who stands where."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from store.accounts import list_users
from store.cohorts import assign_module, assignments_for, cohort_assignments, list_cohorts
from store.permissions import MATRIX
from ui.feedback import core_errors
from ui.resources import db, module_catalogue
from ui.state import require_role
from ui.widgets.scoped import claim
from ui.widgets.text import md_escape

viewer = require_role(*sorted(MATRIX["assignment.manage"]))
claim(viewer)
st.title("Assignments")

cohorts, trainees = [], []
with core_errors("Loading cohorts and trainees"), db() as session:
    cohorts = list_cohorts(session, viewer)
    trainees = list_users(session, viewer, role="trainee")
titles = {m["id"]: m["title"] for m in module_catalogue()}
today = datetime.now(UTC).date()

with st.form("assign"):
    st.subheader("Assign a module")
    target_kind = st.radio("Assign to", ["A cohort", "One trainee"], horizontal=True, key="as_kind")
    cohort_names = {c.id: c.name for c in cohorts}
    people = {u.id: f"{u.display_name or u.username} ({u.username})" for u in trainees if u.active}
    cohort = st.selectbox(
        "Cohort",
        list(cohort_names),
        format_func=cohort_names.__getitem__,
        key="as_cohort",
        placeholder="No cohorts yet",
        index=0 if cohort_names else None,
    )
    person = st.selectbox(
        "Trainee",
        list(people),
        format_func=people.__getitem__,
        key="as_user",
        placeholder="No trainees yet",
        index=0 if people else None,
    )
    module = st.selectbox("Module", list(titles), format_func=titles.__getitem__, key="as_module")
    due = st.date_input(
        "Due date", value=today + timedelta(days=14), key="as_due", help="Today or later."
    )  # no min_value: Streamlit would silently swap a typed past date for the default; the service refuses it
    if st.form_submit_button("Assign", type="primary", key="as_go"):
        to_cohort = target_kind == "A cohort"
        chosen = cohort if to_cohort else person
        if chosen is None:
            st.error(
                f"{'Cohort' if to_cohort else 'Trainee'}: none to choose; an administrator creates "
                f"{'cohorts' if to_cohort else 'trainee accounts'} on the Users and cohorts page."
            )
        else:
            with core_errors("Assigning the module"), db() as session:
                made = assign_module(
                    session,
                    viewer,
                    module,
                    cohort_id=chosen if to_cohort else None,
                    user_id=None if to_cohort else chosen,
                    due_date=due,
                )
                st.success(
                    f"Assigned {md_escape(titles.get(made.module_id, made.module_id))} to "
                    f"{md_escape(cohort_names[chosen] if to_cohort else people[chosen])}, due {made.due_date}."
                )

st.subheader("Progress by cohort")
if not cohorts:
    st.info("No cohorts yet.")
for cohort_row in cohorts:
    with (
        st.expander(f"{md_escape(cohort_row.name)} ({cohort_row.members} members)"),
        core_errors("Loading the cohort's assignments"),
        db() as session,
    ):
        assigned = cohort_assignments(session, viewer, cohort_row.id)
        if not assigned:
            st.caption("No modules assigned to this cohort.")
            continue
        st.dataframe(
            [{"module": titles.get(a.module_id, a.module_id), "due": a.due_date} for a in assigned],
            hide_index=True,
        )
        rows = []
        for user in (u for u in trainees if u.cohort_id == cohort_row.id):
            for p in assignments_for(session, viewer, user.id, as_of=today):
                rows.append(
                    {
                        "trainee": user.display_name or user.username,
                        "module": titles.get(p.module_id, p.module_id),
                        "due": p.due_date,
                        "status": p.status.replace("_", " "),
                        "attempts": p.attempts,
                        "best score": p.best_score,
                    }
                )
        if rows:
            st.dataframe(rows, hide_index=True)
