"""Supervisor: one attempt exactly as the trainee worked it. The case is regenerated from its id (cases
are reproducible), every action is listed with its simulated time and the payer's stored reply, the
actions are replayed now to confirm the replies, and the grade report is shown in full."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from simulator import StepResult
from store.attempts import get_attempt
from store.messages import messages_about
from store.permissions import MATRIX
from store.reviews import attempt_review
from ui.feedback import core_errors
from ui.resources import case_for, db, get_library
from ui.state import require_role
from ui.widgets import case_panels, replies, review_panel, workflow
from ui.widgets.grade_view import grade_report
from ui.widgets.labels import human
from ui.widgets.scoped import claim
from ui.widgets.text import md_escape
from ui.widgets.user_zone import local_when

viewer = require_role(*sorted(MATRIX["attempt.read_any"]))
claim(viewer)
st.title("Attempt review")

st.session_state.setdefault("ar_id", st.query_params.get("attempt", ""))
raw = st.text_input(
    "Attempt number", key="ar_id", help="Open attempts from the Trainee view, or type a number."
)
if not raw or not raw.strip():
    st.info("Choose an attempt on the Trainee view, or type its number.")
    st.stop()
if not (raw.strip().isascii() and raw.strip().isdigit()) or len(raw.strip()) > 12:
    st.error(
        f"Attempt number: {raw.strip()[:20]!r} is not an attempt number (digits 0-9, at most 12); type e.g. 12"
    )
    st.stop()
attempt = review = None
sent = []
with core_errors("Opening the attempt"), db() as session:
    attempt = get_attempt(session, viewer, int(raw.strip()))
    review = attempt_review(session, viewer, attempt.id)
    if attempt.user_id != viewer.user_id:  # one's own attempt is reviewed by someone else
        sent = messages_about(session, viewer, attempt.id)
if attempt is None or review is None:
    st.stop()
st.query_params["attempt"] = str(attempt.id)

score = (
    "in progress"
    if attempt.total_score is None
    else f"{attempt.total_score:.1f} ({'passed' if attempt.passed else 'not passed'})"
)
if review.overridden:
    score += f", set by a supervisor; the grader's {review.grader_score:.1f}"
st.subheader(f"#{attempt.id} · {md_escape(attempt.username)} · {md_escape(attempt.case_id)}")
started, completed = local_when(attempt.started_at), local_when(attempt.completed_at)
st.caption(
    f"Status {human(attempt.status).lower()} · score {score} · started {started} · completed {completed}"
    if attempt.completed_at
    else f"Status {human(attempt.status).lower()} · started {started}"
)
st.caption(
    f"Comments and grade, at the foot of the page: {len(review.comments)} comment(s), "
    f"{len(review.overrides)} score change(s)."
)

case = None
with core_errors("Regenerating the case"):
    case = case_for(attempt.module_id, attempt.seed)
if case is None:
    st.stop()
library = get_library()
if case.content_version != attempt.content_version:
    st.warning(
        f"The content has changed since this attempt ({md_escape(attempt.content_version)} then, "
        f"{md_escape(case.content_version)} now): the case below is regenerated with today's content and may differ "
        "from what the trainee saw. The stored replies and grade are unchanged."
    )

actions = attempt.action_models()
try:
    stored = [StepResult.model_validate(r) for r in attempt.results]
except ValidationError as exc:
    stored = []
    st.warning(
        f"The stored payer replies could not be read ({exc.error_count()} problem(s)); showing a replay instead."
    )

with st.expander("What the trainee saw: patient, coverage, order and chart", expanded=False):
    left, right = st.columns(2)
    with left:
        case_panels.patient_panel(case)
        case_panels.coverage_panel(case)
        case_panels.order_panel(case)
    with right:
        case_panels.chart_panel(case, key="ar_chart_filter")
    if case.prior_submission is not None:
        st.markdown("**The earlier request on this case**")
        replies.action_detail(case.prior_submission)

st.subheader(f"Actions ({len(actions)})")
replayed = None
with core_errors("Replaying the actions"):
    replayed = workflow.run(case, actions, library)
if replayed is not None and stored:
    same = [a.model_dump(mode="json") for a in replayed] == [s.model_dump(mode="json") for s in stored]
    (st.success if same else st.warning)(
        "Replayed now on the simulated payer: every reply is identical to what the trainee saw."
        if same
        else "Replayed now, the payer answers differently from the stored replies (the content changed); the stored "
        "replies are shown below."
    )
replies.activity_log(actions, stored or replayed or [], newest_first=False, expand_last=False)

st.subheader("Grade report")
if attempt.grade:
    grade_report(attempt.grade, library, key=f"ar_{attempt.id}", viewer=viewer)
else:
    st.caption("Not graded: the attempt is not finished.")

if attempt.user_id == viewer.user_id:
    st.subheader("Comments and grade")
    review_panel.feedback(review, for_trainee=True)
    st.caption(
        "This is your own attempt: another supervisor or an administrator comments on it and grades it."
    )
else:
    review_panel.supervisor_tools(viewer, attempt, review, sent)
