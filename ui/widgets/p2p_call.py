"""The peer-to-peer as a call (issue 16 item 4): after a clinical denial the trainee talks to the payer's
scripted medical director (``simulator.peer_to_peer``), answering each question in free text; "End call"
turns the conversation into the ordinary ``peer_to_peer`` action, so replay and grading see exactly what
was said, and the payer's decision is drawn under the form like every other reply.

The call in progress lives in the session under a ``ws_`` key, so opening another case clears it; it is
tied to the denial it answers (a new standing decision starts a new call).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from clinical.checker import ClaimChecker
from knowledge_base.models import Manual
from scenarios.models import Action, Case
from simulator.appeals import P2P, open_rights
from simulator.models import Determination
from simulator.peer_to_peer import Call, to_action
from ui.resources import get_settings
from ui.state import current_viewer
from ui.widgets import workflow
from ui.widgets.audit_hooks import audited_director_voice
from ui.widgets.text import md_escape

CALL_KEY = "ws_p2p_call"  # a ws_ key: cleared when a new case starts
ANSWER_KEY = "ws_p2p_call_answer"
# who is speaking, as the chat shows it (the director is the payer's side)
ROLE = {"director": "assistant", "trainee": "user"}
AVATAR = {"director": ":material/stethoscope:", "trainee": ":material/person:"}


@dataclass
class _Held:
    case_id: str
    denial_at: str
    call: Call


def clinical_denial(standing: Determination | None) -> bool:
    """A denial (or partial approval) with criteria the payer found unmet: what a peer-to-peer argues."""
    return (
        standing is not None
        and standing.status in ("denied", "partially_approved")
        and any(c.status != "met" for c in standing.criteria)
    )


def _current(case: Case, standing: Determination, checker: ClaimChecker) -> Call:
    held = st.session_state.get(CALL_KEY)
    stamp = standing.decided_at.isoformat()
    if isinstance(held, _Held) and held.case_id == case.case_id and held.denial_at == stamp:
        return held.call
    call = Call(standing)
    _director(call, checker)
    st.session_state[CALL_KEY] = _Held(case.case_id, stamp, call)
    return call


def _say(call: Call, checker: ClaimChecker, voice: Any) -> None:
    """The director's next line, in the model's words when one is configured and its line passes the
    guards (``assistant.director_voice``); the script decides what is asked either way."""
    line = call.director_turn(checker)
    if line is None or voice is None:
        return
    voiced = voice.voice(line)
    if voiced.backend != "scripted":  # only the wording changes: kind and criterion drive the call
        call.lines[-1] = replace(line, text=voiced.text)


def _director(call: Call, checker: ClaimChecker) -> None:
    # the opening line is followed at once by the first question: the trainee always has one to answer
    voice = _voice()
    _say(call, checker, voice)
    if call.lines and call.lines[-1].kind == "open":
        _say(call, checker, voice)


def _voice() -> Any:
    """The model voice for the director when an LLM is configured (each line audited), else None."""
    settings = get_settings()
    return audited_director_voice(settings, current_viewer()) if settings.llm_configured else None


def _transcript(call: Call) -> None:
    for line in call.lines:
        with st.chat_message(ROLE[line.speaker], avatar=AVATAR[line.speaker]):
            who = "Medical director" if line.speaker == "director" else "You"
            st.caption(who + (f" · {md_escape(line.criterion_id)}" if line.criterion_id else ""))
            st.markdown(md_escape(line.text))  # what the trainee typed is shown as text, never Markdown


def call_panel(
    case: Case, actions: list[Action], standing: Determination | None, manual: Manual, disabled: bool
) -> Action | None:
    """The call after a clinical denial; the ``peer_to_peer`` action once the trainee ends it."""
    if not clinical_denial(standing) or standing is None:
        return None
    if any(a.type == "peer_to_peer" for a in actions):  # the payer grants one peer-to-peer per denial
        st.caption("The peer-to-peer was held; the payer's decision is shown below.")
        return None
    if P2P not in {r.level for r in open_rights(manual, standing)}:
        # a payer whose manual offers no peer-to-peer (or no longer, after an appeal) puts no director on
        # the phone; the request form above still lets the trainee ask and read the payer's answer
        return None
    st.divider()
    st.markdown("**Peer-to-peer call with the payer's medical director**")
    st.caption(
        "The director asks about each criterion the denial found unmet. Answer with the chart's facts: "
        "the document, its date and what it records. Only what the chart supports counts; a figure or "
        "date the chart does not show counts against you. The payer decides on what you cited. Keep each "
        "answer short (the fact first) and courteous: both are graded."
    )
    checker = ClaimChecker.for_case(case)
    call = _current(case, standing, checker)
    _transcript(call)
    if not call.closed and not disabled:
        with st.form("ws_p2p_call_form", clear_on_submit=True):
            text = st.text_area("Your answer", key=ANSWER_KEY, height=100)
            if st.form_submit_button("Answer"):
                try:
                    call.answer(text or "")
                except ValueError as exc:
                    st.error(md_escape(str(exc)))
                else:
                    with st.spinner("The medical director is answering…"):
                        _say(call, checker, _voice())
                    st.rerun()
    label = "End call" if call.closed else "End call now (unanswered criteria count as not met)"
    if st.button(
        label, key="ws_p2p_call_end", disabled=disabled, type="primary" if call.closed else "secondary"
    ):
        try:
            action = to_action(call, checker, workflow.next_time(case, actions, "peer_to_peer"))
        except ValueError as exc:  # pydantic's ValidationError is one
            st.error(md_escape(str(exc)))
            return None
        del st.session_state[CALL_KEY]
        return action
    return None
