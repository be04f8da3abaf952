"""Where the payer's answer appears (issue 12 item 3): right under the form whose button caused it, in
the tab the trainee was working in, with a toast; and a warning before a request or an appeal that
repeats one already sent (a payer answers a duplicate as a duplicate, so the trainee should mean it)."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from scenarios.models import Action, Appeal, Submission
from ui.widgets import replies
from ui.widgets.text import md_escape
from ui.widgets.workflow import CaseSession

TAB_KEY = "ws_tab"  # the workspace tabs' state (a ws_ key: cleared when a new case starts)
_NEXT_TAB = "ws_tab_next"  # set after an action, applied before the tabs are drawn on the next run
_TOAST = "ws_toast"
_SCROLL = "ws_scroll"  # the reply's container to bring into view once, after the action that caused it
TABS = ("Eligibility and look-up", "Request", "Pend, appeal, peer-to-peer", "Query or close", "Activity log")
TAB_OF = {
    "eligibility": TABS[0],
    "auth_lookup": TABS[0],
    "submission": TABS[1],
    "pend_reply": TABS[2],
    "appeal": TABS[2],
    "peer_to_peer": TABS[2],
    "extension": TABS[2],
    "provider_query": TABS[3],
    "close": TABS[3],
}


def _last_worked(cs: CaseSession) -> int | None:
    """The index of the last action that did something (advancing the clock only waits for it)."""
    return next(
        (i for i in range(len(cs.actions) - 1, -1, -1) if cs.actions[i].type != "advance_clock"), None
    )


def remember(cs: CaseSession) -> None:
    """After an action was sent: keep its tab and announce the reply once (call before st.rerun).
    After the clock was advanced, the tab of the action whose reply was awaited."""
    if not cs.actions:
        return
    kind = cs.actions[-1].type
    now = cs.actions[-1].at
    worked = _last_worked(cs)
    st.session_state[_NEXT_TAB] = TAB_OF.get(cs.actions[worked].type if worked is not None else kind, TABS[0])
    if kind == "advance_clock" and worked is not None and len(cs.steps) > worked:
        summary = f"now {replies.when(now)}; {replies.step_summary(cs.steps[worked], now)}"
    else:
        summary = replies.step_summary(cs.steps[-1], now) if cs.steps else ""
    st.session_state[_TOAST] = f"{replies.ACTION_LABEL.get(kind, kind)}: {summary}" if summary else None
    st.session_state[_SCROLL] = True


def tabs() -> list[Any]:
    """The workspace tabs, opened on the tab of the last action (state kept across reruns)."""
    pending = st.session_state.pop(_NEXT_TAB, None)
    if pending in TABS:
        st.session_state[TAB_KEY] = pending
    toast = st.session_state.pop(_TOAST, None)
    if toast:
        st.toast(md_escape(toast), icon=":material/mark_email_read:")
    return list(st.tabs(list(TABS), key=TAB_KEY, on_change="rerun"))


def reply_below(cs: CaseSession, *kinds: str) -> None:
    """The latest reply, here, when the last action (advancing the clock aside) was one of ``kinds``;
    a reply not arrived yet on the simulated clock shows as pending, with when it is due."""
    worked = _last_worked(cs)
    if worked is None or len(cs.steps) <= worked or cs.actions[worked].type not in kinds or cs.finished:
        return
    action, step, now = cs.actions[worked], cs.steps[worked], cs.actions[-1].at
    key = f"ws_reply_{kinds[0]}"
    who = "reply from the ordering office" if action.type == "provider_query" else "payer reply"
    with st.container(border=True, key=key):
        st.markdown(
            f"**Latest {who}** — {replies.ACTION_LABEL.get(action.type, '')} at {replies.when(action.at)}"
        )
        replies.result(step, now)
    if st.session_state.pop(_SCROLL, False):
        _scroll_to(key)


def _scroll_to(key: str) -> None:
    """Bring the container ``key`` into view (Streamlit keeps the scroll position, and the reply is
    drawn below the button that was just clicked, often past the bottom of the window)."""
    st.iframe(  # our own fixed script (no user text): st.iframe runs it with same-origin access
        "<script>const el = window.parent.document.querySelector('.st-key-" + key + "');"
        "if (el) { el.scrollIntoView({block: 'start', behavior: 'instant'}); }</script>",
        height=1,
    )


def duplicate_request(
    actions: list[Action], earlier: Submission | None, codes: list[str], date_of_service: date | None
) -> str | None:
    """Why a new request repeats one already sent (same codes, same date of service), or None.

    >>> from datetime import datetime
    >>> from scenarios.models import RequestedLine
    >>> sent = Submission(at=datetime(2026, 3, 2, 10), member_id="M", patient_last_name="L",
    ...     patient_dob=date(1970, 1, 1), ordering_npi="1", servicing_npi="1", diagnoses=["M54.16"],
    ...     procedures=[RequestedLine(code="72148", units=1)], date_of_service=date(2026, 3, 9))
    >>> duplicate_request([sent], None, ["72148"], date(2026, 3, 9))[:38]
    'A request for 72148 on 2026-03-09 was '
    >>> duplicate_request([sent], None, ["72148"], date(2026, 3, 10)) is None
    True
    """
    wanted = sorted(c for c in codes if c)
    sent = [a for a in actions if isinstance(a, Submission)] + ([earlier] if earlier is not None else [])
    for old in sent:
        if sorted(p.code for p in old.procedures) == wanted and old.date_of_service == date_of_service:
            return (
                f"A request for {', '.join(wanted)} on {date_of_service} was already sent on this case. "
                "The payer answers a second identical request as a duplicate; answer the pend or appeal "
                "the decision instead."
            )
    return None


def repeat_appeal(actions: list[Action], level: str | None) -> str | None:
    """Why an appeal repeats one already filed at the same level, or None."""
    if level is None or not any(isinstance(a, Appeal) and a.level == level for a in actions):
        return None
    return (
        "An appeal at this level was already filed on this case. A payer decides each level once; "
        "file the next level, or request a peer-to-peer."
    )


def confirm_repeat(problem: str | None, key: str) -> bool:
    """Warn about ``problem`` and offer a deliberate "send it anyway"; True when sending may go ahead."""
    if problem is None:
        return True
    st.warning(md_escape(problem), icon=":material/content_copy:")
    return bool(st.checkbox("Send it anyway", key=key))
