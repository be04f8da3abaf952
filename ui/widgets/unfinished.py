"""Unfinished cases: "Resume" wherever one is shown (Home, Modules, the workspace's picker), the open
case kept in the address (``?case=module:seed``) so a reload, a second tab or a bookmark reopens it
where it was, and re-opening a case number that is still unfinished resumes it instead of starting
at 0 actions (issue 12 item 1)."""

from __future__ import annotations

import streamlit as st

from store.attempts import AttemptOut
from store.permissions import Viewer
from store.progress import open_attempts
from ui.feedback import core_errors
from ui.resources import db
from ui.widgets import case_state
from ui.widgets.text import md_escape
from ui.widgets.workflow import CaseSession

WORKSPACE = "ui/pages/case_workspace.py"
CASE_PARAM = "case"


def _open(viewer: Viewer) -> list[AttemptOut]:
    found: list[AttemptOut] = []
    with core_errors("Loading your unfinished cases"), db() as session:
        found = open_attempts(session, viewer)
    return found


def open_case(viewer: Viewer, module_id: str, seed: int | None) -> CaseSession | None:
    """Resume the viewer's unfinished attempt on this case if there is one, else start the case."""
    if seed is not None:
        wanted = f"{module_id}:{seed}"
        for attempt in _open(viewer):
            if attempt.case_id == wanted:
                return case_state.resume(attempt)
    return case_state.start(viewer, module_id, seed)


def restore_from_address(viewer: Viewer) -> CaseSession | None:
    """The viewer's unfinished case named in the address (``?case=module:seed``), reopened where it
    was. A case with nothing done yet was never saved: the picker is filled in with it instead."""
    raw = st.query_params.get(CASE_PARAM)
    module_id, _, seed = (raw or "").partition(":")
    if not module_id or not (seed.isascii() and seed.isdigit()) or len(seed) > 12:
        return None
    for attempt in _open(viewer):
        if attempt.case_id == f"{module_id}:{int(seed)}":
            return case_state.resume(attempt)
    st.session_state.setdefault("pick_module", module_id)
    st.session_state.setdefault("pick_seed", str(int(seed)))
    return None


def keep_in_address(cs: CaseSession) -> None:
    st.query_params[CASE_PARAM] = cs.case_id


def resume_list(viewer: Viewer, *, key: str, discard: bool = False) -> None:
    """Every unfinished case with a Resume button (and Discard where the page offers it)."""
    unfinished = _open(viewer)
    if not unfinished:
        return
    st.subheader("Unfinished cases")
    for attempt in unfinished:
        left, middle, right = st.columns([5, 1, 1])
        left.write(
            f"Case {md_escape(attempt.case_id)} · started {attempt.started_at:%Y-%m-%d %H:%M} UTC · "
            f"{len(attempt.actions)} action(s) so far"
        )
        resumed = middle.button("Resume", key=f"{key}resume_{attempt.id}", type="primary")
        if resumed and case_state.resume(attempt) is not None:
            st.switch_page(WORKSPACE, query_params={CASE_PARAM: attempt.case_id})
        if discard and right.button(
            "Discard", key=f"{key}discard_{attempt.id}", help="Closes the case without grading it."
        ):
            case_state.discard(viewer, attempt.id)
            st.rerun()
