"""The simulated clock in the case workspace (issue 12 item 10): the time now, the replies still on
their way (a payer decision is shown when the clock reaches its decision time, the ordering office's
reply when it is sent), the deadlines ahead, and the explicit "Advance the clock" action: to the next
reply due, or by a number of hours or days. Advancing is recorded as an action in the attempt."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from scenarios.models import Action, Case
from simulator import Determination, StepResult
from simulator.models import ProviderReply
from ui.widgets import replies, workflow
from ui.widgets.text import md_escape
from ui.widgets.workflow import CaseSession


def _build(make: Callable[[], Action]) -> Action | None:
    try:
        return make()
    except ValueError as exc:
        st.error(md_escape(str(exc)))
        return None


def _lapsed_while_waiting(cs: CaseSession) -> StepResult | None:
    """The decision a deadline produced during the waits since the trainee last acted, if any."""
    for action, step in reversed(list(zip(cs.actions, cs.steps, strict=False))):
        if action.type != "advance_clock":
            return None
        if isinstance(step.result, Determination):
            return step
    return None


def clock_panel(case: Case, cs: CaseSession, standing: Determination | None, done: bool) -> Action | None:
    """The clock's box; returns an :class:`~scenarios.models.AdvanceClock` when the trainee advances it."""
    now = workflow.sim_now(case, cs.actions)
    waiting = workflow.pending(cs.steps, now)
    chosen: Action | None = None
    with st.container(border=True, key="ws_clock"):
        st.markdown(f":material/schedule: **Simulated time** {replies.when(now)}")
        for step in waiting:
            who = (
                "the ordering office's reply"
                if isinstance(step.result, ProviderReply)
                else f"the payer's decision ({replies.ACTION_LABEL.get(step.action_type, step.action_type).lower()})"
            )
            st.markdown(
                f":material/hourglass_top: Waiting for {who}: due **{replies.when(step.arrives_at)}**"
            )
        for at, what in workflow.deadlines(standing, now)[:3]:
            st.caption(f"Deadline {replies.when(at)}: {what}.")
        target = workflow.next_event(cs.steps, now)
        if target is not None and st.button(
            f"Advance the clock to {replies.when(target)}",
            key="ws_clock_next",
            type="primary",
            disabled=done,
            help="Wait for the next reply; recorded in your activity log.",
        ):
            chosen = _build(lambda: workflow.advance_clock(case, cs.actions, cs.steps))
        with st.expander("Advance the clock by hours or days"):
            st.caption(
                "Time passes for the payer too: a deadline you pass has the payer's consequence (an "
                "unanswered pend is denied, a late appeal is dismissed)."
            )
            amount_col, unit_col = st.columns(2)
            amount = amount_col.number_input(
                "Advance by",
                min_value=1,
                max_value=max(workflow.ADVANCE_LIMITS.values()),
                value=1,
                step=1,
                key="ws_clock_n",
            )
            unit = unit_col.selectbox("Unit", list(workflow.ADVANCE_LIMITS), key="ws_clock_unit")
            if st.button("Advance by this much", key="ws_clock_by", disabled=done):
                chosen = _build(
                    lambda: workflow.advance_clock(case, cs.actions, cs.steps, amount=amount, unit=unit)
                )
        lapsed = None if done else _lapsed_while_waiting(cs)
        if lapsed is not None:  # a deadline passed while waiting: the payer's consequence
            st.warning(md_escape(f"While you waited: {lapsed.note or 'the payer decided'}."))
            replies.result(lapsed)
    return chosen
