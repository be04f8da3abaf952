"""Trainee: the module catalogue with progress (attempts, best score, passed) and assigned due dates;
start a case, or resume one left unfinished."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from store.attempts import attempts_for
from store.cohorts import assignments_for
from store.permissions import MATRIX
from ui.feedback import core_errors
from ui.resources import db, module_catalogue
from ui.state import require_role
from ui.widgets import case_state
from ui.widgets import unfinished as unfinished_cases
from ui.widgets.labels import human
from ui.widgets.progress import module_progress
from ui.widgets.scoped import claim

WORKSPACE = "ui/pages/case_workspace.py"

viewer = require_role(*sorted(MATRIX["attempt.save_own"]))
claim(viewer)
assert viewer.user_id is not None  # the system account never signs in to the app
st.title("Modules")

assignments, attempts = [], []
with core_errors("Loading your progress"), db() as session:
    assignments = assignments_for(session, viewer, viewer.user_id, as_of=datetime.now(UTC).date())
    attempts = attempts_for(session, viewer, viewer.user_id)
progress = module_progress(attempts)
assigned = {a.module_id: a for a in assignments}

unfinished_cases.resume_list(viewer, key="", discard=True)

for module in module_catalogue():
    mid = module["id"]
    mine = progress.get(mid)
    due = assigned.get(mid)
    with st.container(border=True):
        head, action = st.columns([5, 1])
        head.subheader(module["title"])
        head.caption(
            f"Pass mark {module['pass_mark']} · {module['archetypes']} case types · "
            f"{', '.join(human(s) for s in module['service_lines'])}"
        )
        head.write(module["teaches"])
        a, b, c, d = st.columns(4)
        a.metric("Attempts", mine.attempts if mine else 0)
        b.metric("Best score", "—" if mine is None or mine.best_score is None else f"{mine.best_score:.0f}")
        c.metric("Passed", "yes" if mine and mine.passed else "not yet")
        d.metric(
            "Due",
            "—" if due is None or due.due_date is None else due.due_date.isoformat(),
            help=None if due is None else f"Assigned; status: {due.status.replace('_', ' ')}",
        )
        if (
            action.button("Start a case", key=f"start_{mid}", type="primary" if due else "secondary")
            and case_state.start(viewer, mid) is not None
        ):
            st.switch_page(WORKSPACE)
