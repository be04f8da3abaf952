"""Admin: accounts (create, change role, unlock, deactivate/reactivate, reset password) and cohorts."""

from __future__ import annotations

import streamlit as st

from store.access import set_supervisor_cohorts, supervisor_cohorts
from store.accounts import change_role, create_user, list_users, set_active, set_password, unlock_user
from store.cohorts import create_cohort, list_cohorts
from store.models import ROLES
from ui.feedback import core_errors
from ui.resources import db
from ui.state import require_role
from ui.widgets.text import md_escape
from ui.widgets.user_zone import local_when

viewer = require_role("admin")
st.title("Users and cohorts")

with core_errors("Loading accounts"), db() as session:
    users = list_users(session, viewer)
    cohorts = list_cohorts(session, viewer)
cohort_ids = {"(none)": None} | {c.name: c.id for c in cohorts}
by_name = {u.username: u for u in users}

st.dataframe(
    [
        {
            "username": u.username,
            "name": u.display_name,
            "role": u.role,
            "cohort": u.cohort_name or "",
            "active": u.active,
            "locked until (UTC)": u.locked_until,
            "failed sign-ins": u.failed_logins,
            "must change password": u.must_change_password,
        }
        for u in users
    ],
    hide_index=True,
)

create_tab, role_tab, status_tab, password_tab, cohort_tab = st.tabs(
    ["Create user", "Change role", "Unlock or deactivate", "Reset password", "Cohorts"]
)

with create_tab, st.form("create_user", clear_on_submit=False):
    username = st.text_input("Username", key="cu_username", help="3-40 characters: a-z, 0-9, '_', '.', '-'")
    display_name = st.text_input("Display name", key="cu_display_name")
    role = st.selectbox("Role", ROLES, key="cu_role")
    cohort = st.selectbox("Cohort", list(cohort_ids), key="cu_cohort")
    password = st.text_input(
        "Initial password",
        type="password",
        key="cu_password",
        help="At least 12 characters, not easy to guess",
    )
    again = st.text_input("Password again", type="password", key="cu_password_again")
    if st.form_submit_button("Create user", key="cu_submit", type="primary"):
        if password != again:
            st.error("Password again: the two passwords differ; type the same password twice.")
        else:
            with core_errors("Creating the user"), db() as session:
                made = create_user(
                    session,
                    viewer,
                    username=username,
                    display_name=display_name,
                    password=password,
                    role=role,
                    cohort_id=cohort_ids[cohort],
                )
                st.success(
                    f"Created {md_escape(made.username)} ({made.role}). At their first sign-in they must "
                    "replace the initial password with one of their own. They appear in the table on your "
                    "next click."
                )

with role_tab, st.form("change_role"):
    who = st.selectbox("User", list(by_name), key="cr_user")
    new_role = st.selectbox("New role", ROLES, key="cr_role")
    if st.form_submit_button("Change role", key="cr_submit") and who:
        with core_errors("Changing the role"), db() as session:
            changed = change_role(session, viewer, by_name[who].id, new_role)
            st.success(f"{md_escape(changed.username)} is now a {changed.role}.")

with status_tab:
    who = st.selectbox("User", list(by_name), key="st_user")
    unlock, deactivate, reactivate = st.columns(3)
    if who and unlock.button("Unlock", key="st_unlock"):
        with core_errors("Unlocking"), db() as session:
            unlock_user(session, viewer, by_name[who].id)
            st.success(f"{md_escape(who)} is unlocked.")
    if who and deactivate.button("Deactivate", key="st_deactivate"):
        with core_errors("Deactivating"), db() as session:
            set_active(session, viewer, by_name[who].id, False)
            st.success(f"{md_escape(who)} can no longer sign in; their records stay.")
    if who and reactivate.button("Reactivate", key="st_reactivate"):
        with core_errors("Reactivating"), db() as session:
            set_active(session, viewer, by_name[who].id, True)
            st.success(f"{md_escape(who)} can sign in again.")

with password_tab, st.form("reset_password", clear_on_submit=True):
    who = st.selectbox("User", list(by_name), key="rp_user")
    new_password = st.text_input(
        "New password", type="password", key="rp_password", help="At least 12 characters, not easy to guess"
    )
    again = st.text_input("New password again", type="password", key="rp_password_again")
    if st.form_submit_button("Set the password", key="rp_submit") and who:
        if new_password != again:
            st.error("New password again: the two passwords differ; type the same password twice.")
        else:
            with core_errors("Setting the password"), db() as session:
                set_password(session, viewer, by_name[who].id, new_password)
                st.success(
                    f"{md_escape(who)} can sign in with the new password (any lock-out is lifted). Tell them in "
                    "person; at that sign-in they must choose their own."
                    if by_name[who].id != viewer.user_id
                    else "Your password is changed (any lock-out is lifted)."
                )

with cohort_tab:
    st.dataframe(
        [{"cohort": c.name, "members": c.members, "created": local_when(c.created_at)} for c in cohorts],
        hide_index=True,
    )
    with st.form("create_cohort"):
        name = st.text_input("New cohort name", key="cc_name", placeholder="Spring 2026 intake")
        if st.form_submit_button("Create cohort", key="cc_submit"):
            with core_errors("Creating the cohort"), db() as session:
                made_cohort = create_cohort(session, viewer, name)
                st.success(f"Created cohort {md_escape(made_cohort.name)}.")
    supervisors = {u.username: u.id for u in users if u.role == "supervisor"}
    cohort_names = {c.id: c.name for c in cohorts}
    st.subheader("Which cohorts each supervisor sees")
    st.caption("A supervisor sees the attempts, dashboards and exports of these cohorts only.")
    boss = st.selectbox("Supervisor", list(supervisors), key="sc_user", index=None)
    if boss is not None:
        seen: list[int] = []
        with core_errors("Loading the supervisor's cohorts"), db() as session:
            seen = supervisor_cohorts(session, viewer, supervisors[boss])
        with st.form("supervisor_cohorts"):
            chosen = st.multiselect(
                "Cohorts",
                list(cohort_names),
                default=seen,
                format_func=cohort_names.__getitem__,
                key="sc_cohorts",
            )
            if st.form_submit_button("Save", key="sc_submit"):
                with core_errors("Saving the supervisor's cohorts"), db() as session:
                    set_supervisor_cohorts(session, viewer, supervisors[boss], chosen)
                    st.success(f"{md_escape(boss)} now sees {len(chosen)} cohort(s).")
