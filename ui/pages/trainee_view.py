"""Supervisor: one trainee's assignments, scores over time and attempts, with a link to each attempt's
review."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from store.attempts import attempts_for
from store.cohorts import assignments_for
from store.dashboard import trainee_summaries
from store.permissions import MATRIX
from ui.feedback import core_errors
from ui.resources import db, module_catalogue
from ui.state import require_role
from ui.widgets import charts
from ui.widgets.scoped import claim
from ui.widgets.user_zone import local_when

viewer = require_role(*sorted(MATRIX["attempt.read_any"]))
claim(viewer)
st.title("Trainee view")

people = []
with core_errors("Loading the trainees"), db() as session:
    people = trainee_summaries(session, viewer)
if not people:
    st.info("There are no trainee accounts yet.")
    st.stop()
names = {p.user_id: f"{p.display_name or p.username} ({p.username})" for p in people}
wanted = st.query_params.get("user")
ids = list(names)
index = ids.index(int(wanted)) if wanted and wanted.isdigit() and int(wanted) in names else 0
who = st.selectbox("Trainee", ids, index=index, format_func=names.__getitem__, key="tv_user")
if who is None:
    st.stop()
st.query_params["user"] = str(who)

titles = {m["id"]: m["title"] for m in module_catalogue()}
assignments, attempts = [], []
with core_errors("Loading the trainee's work"), db() as session:
    assignments = assignments_for(session, viewer, who, as_of=datetime.now(UTC).date())
    attempts = attempts_for(session, viewer, who)
done = [a for a in attempts if a.status == "completed"]

a, b, c = st.columns(3)
a.metric("Graded attempts", len(done))
a.caption(f"{sum(1 for x in attempts if x.status == 'in_progress')} in progress")
b.metric("Mean score", f"{sum(x.total_score or 0 for x in done) / len(done):.1f}" if done else "—")
c.metric("Pass rate", f"{sum(1 for x in done if x.passed) / len(done):.0%}" if done else "—")

st.subheader("Assignments")
if assignments:
    st.dataframe(
        [
            {
                "module": titles.get(x.module_id, x.module_id),
                "due": x.due_date,
                "status": x.status.replace("_", " "),
                "attempts": x.attempts,
                "best score": x.best_score,
            }
            for x in assignments
        ],
        hide_index=True,
    )
else:
    st.caption("Nothing assigned.")

if done:
    st.subheader("Scores over time")
    st.altair_chart(
        charts.score_history(
            [
                {
                    "completed": x.completed_at.isoformat() if x.completed_at else None,
                    "score": x.total_score,
                    "module": titles.get(x.module_id, x.module_id),
                    "case": x.case_id,
                }
                for x in done
            ]
        ),
        width="stretch",
    )

st.subheader("Attempts")
if not attempts:
    st.caption("No attempts yet.")
    st.stop()
st.dataframe(
    [
        {
            "attempt": x.id,
            "case": x.case_id,
            "status": x.status.replace("_", " "),
            "completed": local_when(x.completed_at),
            "score": x.total_score,
            "passed": x.passed,
            "error tags": ", ".join(x.error_tags),
        }
        for x in attempts
    ],
    hide_index=True,
)
labels = {
    x.id: f"#{x.id} · {x.case_id} · {x.status.replace('_', ' ')}"
    + (f" · {x.total_score:.0f}" if x.total_score is not None else "")
    for x in attempts
}
pick, go = st.columns([3, 1])
chosen = pick.selectbox("Review an attempt", list(labels), format_func=labels.__getitem__, key="tv_attempt")
if go.button("Open attempt review", key="tv_open") and chosen is not None:
    st.switch_page("ui/pages/attempt_review.py", query_params={"attempt": str(chosen)})
