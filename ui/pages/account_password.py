"""Anyone signed in: change one's own password (the current one first). Every session of the account
ends, this one included, so the user signs in again with the new password."""

from __future__ import annotations

import streamlit as st

from store.accounts import change_own_password
from ui.auth_pages import sign_out
from ui.feedback import core_errors
from ui.resources import db
from ui.state import require_role

viewer = require_role("trainee", "supervisor", "coordinator", "admin")
st.title("Change my password")
st.caption("At least 12 characters, and not easy to guess: a few uncommon words work well.")

with st.form("own_password", clear_on_submit=True):
    current = st.text_input("Current password", type="password", key="op_current")
    new = st.text_input("New password", type="password", key="op_new")
    again = st.text_input("New password again", type="password", key="op_again")
    submitted = st.form_submit_button("Change password", key="op_submit", type="primary")
if submitted:
    if new != again:
        st.error("New password again: the two passwords differ; type the same password twice.")
    else:
        changed = False
        with core_errors("Changing the password"), db() as session:
            change_own_password(session, viewer, current, new)
            changed = True
        if changed:
            sign_out("Your password was changed and every session ended; sign in with the new password.")
            st.rerun()
