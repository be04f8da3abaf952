"""Landing page: what matters to the signed-in role right now."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from store.attempts import attempts_for
from store.cohorts import assignments_for, list_cohorts
from store.dashboard import Filters, cohort_dashboard
from store.drafts import drafts_for
from store.messages import mark_read, my_messages
from store.permissions import Viewer
from ui.feedback import core_errors
from ui.resources import db, module_catalogue
from ui.state import current_viewer
from ui.widgets import unfinished
from ui.widgets.labels import human
from ui.widgets.text import md_escape
from ui.widgets.user_zone import local_when


def module_titles() -> dict[str, str]:
    return {m["id"]: m["title"] for m in module_catalogue()}


def _messages(viewer: Viewer) -> None:
    """Unread messages from supervisors, newest first, each with "Mark as read"."""
    unread = []
    with core_errors("Loading your messages"), db() as session:
        unread = my_messages(session, viewer)
    if not unread:
        return
    st.subheader(f"Messages from your supervisor ({len(unread)} unread)")
    for m in unread:
        with st.container(border=True):
            about = f" · about attempt #{m.attempt_id} (open it on My results)" if m.attempt_id else ""
            st.caption(f"From {md_escape(m.sender)} · {local_when(m.sent_at)}{about}")
            st.markdown(md_escape(m.text).replace("\n", "  \n"))
            if st.button("Mark as read", key=f"home_msg_read_{m.id}"):
                done = None
                with core_errors("Marking the message read"), db() as session:
                    done = mark_read(session, viewer, m.id)
                if done is not None:
                    st.rerun()


def _trainee(viewer: Viewer) -> None:
    assert viewer.user_id is not None  # the system account never signs in to the app
    _messages(viewer)
    unfinished.resume_list(viewer, key="home_")
    st.subheader("Your assignments")
    with core_errors("Loading your assignments"), db() as session:
        assignments = assignments_for(session, viewer, viewer.user_id, as_of=datetime.now(UTC).date())
        recent = attempts_for(session, viewer, viewer.user_id, limit=10)
        if assignments:
            st.dataframe(
                [
                    {
                        "module": module_titles().get(a.module_id, human(a.module_id)),
                        "due": a.due_date,
                        "status": a.status.replace("_", " "),
                        "attempts": a.attempts,
                        "best score": a.best_score,
                    }
                    for a in assignments
                ],
                hide_index=True,
            )
        else:
            st.info("No modules are assigned to you yet.")
        st.subheader("Your recent attempts")
        if recent:
            st.dataframe(
                [
                    {
                        "case": a.case_id,
                        "completed": local_when(a.completed_at),
                        "score": a.total_score,
                        "passed": a.passed,
                    }
                    for a in recent
                ],
                hide_index=True,
            )
        else:
            st.caption("You have not completed a case yet.")


def _supervisor(viewer: Viewer) -> None:
    with core_errors("Loading the cohorts"), db() as session:
        cohorts = list_cohorts(session, viewer)
        if not cohorts:
            st.info("No cohorts yet. An administrator creates them on the Users and cohorts page.")
            return
        names = {c.name: c.id for c in cohorts}
        chosen = st.selectbox("Cohort", list(names), key="home_cohort")
        board = cohort_dashboard(session, viewer, Filters(cohort_id=names[chosen]), top_tags=5)
        left, middle, right = st.columns(3)
        left.metric("Completed attempts", board.attempts)
        middle.metric("Mean score", "—" if board.mean_score is None else f"{board.mean_score:.1f}")
        right.metric("Pass rate", "—" if board.pass_rate is None else f"{board.pass_rate:.0%}")
        if board.error_tags:
            st.subheader("Most common errors")
            st.dataframe(
                [
                    {"error": t.tag.replace("_", " "), "attempts": t.attempts, "share": f"{t.share:.0%}"}
                    for t in board.error_tags
                ],
                hide_index=True,
            )


def _coordinator(viewer: Viewer) -> None:
    assert viewer.user_id is not None
    st.write("Draft medical-necessity narratives and appeal letters with the grounded assistant.")
    with core_errors("Loading your drafts"), db() as session:
        drafts = drafts_for(session, viewer, viewer.user_id, limit=10)
    if drafts:
        st.subheader("Your recent drafts")
        st.dataframe(
            [{"kind": human(d.kind), "case": d.case_id, "created": local_when(d.created_at)} for d in drafts],
            hide_index=True,
        )
    else:
        st.caption("No drafts yet.")


def _admin(viewer: Viewer) -> None:
    from ui.auth_pages import load_demo_content

    st.write("Manage accounts and cohorts, and read the audit log, from the Admin section.")
    _supervisor(viewer)
    with st.expander("Demo content"):
        st.write(
            "Creates a demo cohort with five trainees, a supervisor, a coordinator and graded attempts, "
            "using the case generator, the simulated payer and the grader."
        )
        if st.button("Load demo content", key="home_load_demo"):
            load_demo_content(viewer)
            st.rerun()


viewer = current_viewer()
st.title(f"Welcome, {md_escape(viewer.display_name or viewer.username)}")
{"trainee": _trainee, "supervisor": _supervisor, "coordinator": _coordinator, "admin": _admin}[viewer.role](
    viewer
)
