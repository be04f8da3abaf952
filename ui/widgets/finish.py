"""Finishing a case: "Finish and grade" asks first and says what has not been done, because grading
ends the case for good (issue 12 item 4). It sits at the foot of the workspace, away from the forms'
primary buttons, so a stray click or keyboard stop cannot end a case."""

from __future__ import annotations

import streamlit as st

from scenarios.models import Action
from simulator import Determination

ASK_KEY = "ws_finish_asked"  # a workspace key: cleared with the other ws_ keys when a case starts
_ENDS = ("submission", "close", "provider_query")


def not_done(actions: list[Action], standing: Determination | None) -> list[str]:
    """What a coordinator would still do on this case, in the order they would do it.

    >>> not_done([], None)[0]
    'No eligibility check (270/271) was run.'
    >>> len(not_done([], None))
    3
    """
    kinds = [a.type for a in actions if a.type != "advance_clock"]  # waiting is not working the case
    out: list[str] = []
    if "eligibility" not in kinds:
        out.append("No eligibility check (270/271) was run.")
    if "auth_lookup" not in kinds:
        out.append("The authorization requirement was not looked up.")
    if not any(k in kinds for k in _ENDS):
        out.append("No request was sent to the payer, and the case was neither queried nor closed.")
    if standing is not None:
        last = kinds[-1] if kinds else None
        if standing.status == "pended" and last != "pend_reply":
            out.append("The payer's request for information (pend) has not been answered.")
        elif standing.status in ("denied", "partially_approved") and last not in ("appeal", "peer_to_peer"):
            out.append("The denial has not been appealed and no peer-to-peer was requested.")
    return out


def finish_section(
    actions: list[Action], standing: Determination | None, disabled: bool, waiting: list[str] | None = None
) -> bool:
    """The foot of the workspace: a quiet "Finish and grade…" button, then a confirmation that lists
    what was not done (and, in ``waiting``, the replies still pending on the simulated clock). True
    when the trainee confirmed."""
    st.divider()
    if not st.session_state.get(ASK_KEY):
        if st.button(
            "Finish and grade…",
            key="ws_finish",
            disabled=disabled,
            help="Ends the case: your actions are graded against the case's answer key. You are asked first.",
        ):
            st.session_state[ASK_KEY] = True
            st.rerun()
        return False
    missing = not_done(actions, standing) + list(waiting or [])
    with st.container(border=True):
        st.markdown("**Finish this case and grade it?** The case ends; you cannot add actions afterwards.")
        if missing:
            st.warning("Not done yet:\n\n" + "\n".join(f"- {m}" for m in missing))
        else:
            st.caption(f"{len(actions)} action(s) will be graded.")
        yes, no = st.columns(2)
        if no.button("Keep working", key="ws_finish_cancel", type="primary"):
            st.session_state[ASK_KEY] = False
            st.rerun()
        return bool(yes.button("Yes, finish and grade", key="ws_finish_confirm"))
