"""Trainee: my completed attempts over time (Altair), per module, and any one report in full."""

from __future__ import annotations

import streamlit as st

from store.attempts import attempts_for, get_attempt
from store.kpis import my_operations
from store.permissions import MATRIX
from store.reviews import attempt_review, overridden_scores
from ui.feedback import core_errors
from ui.resources import db, get_library, module_catalogue
from ui.state import require_role
from ui.widgets import charts, kpi_view, review_panel
from ui.widgets.grade_view import grade_report
from ui.widgets.labels import human
from ui.widgets.scoped import claim
from ui.widgets.user_zone import local_when

viewer = require_role(*sorted(MATRIX["attempt.read_own"]))
claim(viewer)
assert viewer.user_id is not None
st.title("My results")

attempts = []
changed: dict[int, float] = {}
with core_errors("Loading your attempts"), db() as session:
    attempts = [a for a in attempts_for(session, viewer, viewer.user_id) if a.status == "completed"]
    changed = overridden_scores(session, viewer, viewer.user_id)
if not attempts:
    st.info("You have no graded attempts yet. Open a module and finish a case to see your results here.")
    st.stop()

titles = {m["id"]: m["title"] for m in module_catalogue()}
marks = {m["pass_mark"] for m in module_catalogue()}
passed = sum(1 for a in attempts if a.passed)
a, b, c = st.columns(3)
a.metric("Graded attempts", len(attempts))
b.metric("Passed", f"{passed} ({passed / len(attempts):.0%})")
c.metric("Mean score", f"{sum(x.total_score or 0 for x in attempts) / len(attempts):.1f}")

rows = [
    {
        "completed": x.completed_at.isoformat() if x.completed_at else None,
        "score": x.total_score,
        "module": titles.get(x.module_id, x.module_id),
        "case": x.case_id,
    }
    for x in attempts
]
st.altair_chart(
    charts.score_history(rows, pass_mark=marks.pop() if len(marks) == 1 else None), width="stretch"
)

st.subheader("Operations figures")
st.caption(
    "What your cases would mean for a department: first-pass approval against the 95% target, "
    "processing time, denials, your active time per case and the revenue your outcomes secured or lost."
)
mine = None
with core_errors("Computing your figures"), db() as session:
    mine = my_operations(session, viewer)
if mine is not None and mine.overall.cases:
    kpi_view.headline(mine.overall)
    kpi_view.table(mine.by_service_line, "Service line", human)
elif mine is not None:
    st.caption("Your cases finished before operations figures were recorded have none.")

st.subheader("Attempts")
st.dataframe(
    [
        {
            "attempt": x.id,
            "completed": local_when(x.completed_at),
            "module": titles.get(x.module_id, x.module_id),
            "case": x.case_id,
            "score": x.total_score,
            "passed": x.passed,
            "set by supervisor": f"yes (grader {changed[x.id]:.1f})" if x.id in changed else "",
            "error tags": ", ".join(x.error_tags),
        }
        for x in attempts
    ],
    hide_index=True,
)

labels = {
    x.id: f"#{x.id} · {x.case_id} · {x.total_score:.0f} · {x.completed_at:%Y-%m-%d %H:%M}" for x in attempts
}
chosen = st.selectbox("Open a report", list(labels), format_func=labels.__getitem__, key="results_pick")
if chosen is not None:
    with core_errors("Opening the attempt"), db() as session:
        full = get_attempt(session, viewer, int(chosen))
        st.subheader("Supervisor feedback")
        review_panel.feedback(attempt_review(session, viewer, full.id), for_trainee=True)
        if full.grade:
            grade_report(full.grade, get_library(), key=f"results_{chosen}", viewer=viewer)
