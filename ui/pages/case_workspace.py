"""Trainee: work one case end to end against the simulated payer, on the simulated clock, then finish
and read the graded report. The forms live in ``ui.widgets.action_forms``; the session logic in
``ui.widgets.case_state``; this page only lays them out."""

from __future__ import annotations

import streamlit as st

from simulator import prior_determination
from store.permissions import MATRIX
from ui.feedback import core_errors
from ui.resources import case_for, get_library, module_catalogue
from ui.state import require_role
from ui.widgets import (
    action_forms,
    appeal_value,
    case_panels,
    case_state,
    extension_form,  # concurrent review (scenarios/modules/concurrent_review.yaml)
    finish,
    p2p_call,
    replies,
    reply_here,
    sim_clock,
    unfinished,
    workflow,
)
from ui.widgets.claim_step import claim_section
from ui.widgets.grade_view import grade_report
from ui.widgets.scoped import claim
from ui.widgets.text import md_escape

viewer = require_role(*sorted(MATRIX["attempt.save_own"]))
claim(viewer)
st.title("Case workspace", anchor=False)
cs = case_state.current() or unfinished.restore_from_address(viewer)

if cs is None:
    unfinished.resume_list(viewer, key="pick_")
    st.write("Pick a module to open a case (or use **Start a case** on the Modules page).")
    modules = {m["id"]: m["title"] for m in module_catalogue()}
    module = st.selectbox("Module", list(modules), format_func=modules.__getitem__, key="pick_module")
    number = st.text_input(
        "Case number (optional)",
        key="pick_seed",
        help="Leave empty for a random case; the same number always opens the same case.",
    )
    if st.button("Open the case", key="pick_go", type="primary"):
        try:
            seed = workflow.parse_seed(number)
        except ValueError as exc:
            st.error(md_escape(str(exc)))
        else:
            if unfinished.open_case(viewer, module, seed) is not None:
                st.rerun()
    st.stop()
unfinished.keep_in_address(cs)  # a reload, a second tab or a bookmark reopens this case
case_state.seen(cs)  # staff time: this run is the trainee at work (operations.staff_time)

case = None
with core_errors("Opening the case"):
    case = case_for(cs.module_id, cs.seed)
if case is None:
    st.stop()
library = get_library()
policy = library.policy_for(case.coverage.payer_id, case.order.service_line)

st.subheader(md_escape(case.title), anchor=False)
now = workflow.sim_now(case, cs.actions)
st.caption(
    f"Case {md_escape(case.case_id)} · {len(cs.actions)} action(s) · each action takes simulated time; "
    "replies arrive when the simulated clock reaches them"
)
if cs.conflict:
    st.warning(
        f"{md_escape(cs.conflict)} Your last action was not sent, so nothing was overwritten. Reload the "
        "case to continue from what was saved; what you typed in the forms here stays.",
        icon=":material/tab_duplicate:",
    )
    if st.button("Reload the case", key="ws_reload", type="primary"):
        case_state.reload(viewer, cs)
        st.rerun()
if cs.unsaved:
    st.warning(
        f"Your last action is kept in this session but was not saved yet ({md_escape(cs.unsaved)}). "
        "It is saved with your next action."
    )

if cs.finished:
    if cs.saved_attempt_id is None:
        st.warning("The grade could not be saved yet.")
        if st.button("Save the result again", key="ws_save_again"):
            case_state.store_result(viewer, case, cs)
            st.rerun()
    st.header("Grade report")
    grade_report(cs.report, library, viewer=viewer)
    again, back = st.columns(2)
    if (
        again.button("Try another case in this module (new case)", key="ws_retry", type="primary")
        and case_state.start(viewer, cs.module_id) is not None
    ):
        st.rerun()
    if back.button("Back to the modules", key="ws_back"):
        st.switch_page("ui/pages/trainee_modules.py")

done = cs.finished
standing = workflow.current_determination(case, cs.steps, library, now)
# The work (clock, forms, replies) comes first and the case file beside it: the primary action is a
# few Tab stops from the top, and on a phone the columns stack with the work on top (issue 12 item 10).
work, case_file = st.columns([3, 2], gap="medium")
with case_file:
    st.page_link(  # look the rule up as a coordinator would, by payer and code (not handed the answer)
        replies.POLICY_LIBRARY,
        label=f"Look up {md_escape(case.coverage.payer_name)}'s policies in the payer policy library",
        icon=":material/menu_book:",
        query_params={"payer": case.coverage.payer_id},
    )
    case_panels.patient_panel(case)
    case_panels.coverage_panel(case)
    case_panels.order_panel(case)
    case_panels.chart_panel(case)
    if case.prior_submission is not None:
        with st.expander(
            "The earlier request on this case and the payer's decision", expanded=not cs.actions
        ):
            replies.action_detail(case.prior_submission)
            prior = None
            with core_errors("Reading the earlier decision"):
                prior = prior_determination(case, library=library)
            if prior is not None:
                replies.determination(prior)

with work:
    clock_action = sim_clock.clock_panel(case, cs, standing, done)
    # Each reply is drawn under the form that caused it, in the tab kept from the last action.
    elig_tab, request_tab, follow_tab, query_tab, log_tab = reply_here.tabs()
    action = None
    with elig_tab:
        action = action_forms.eligibility_form(case, cs.actions, done)
        reply_here.reply_below(cs, "eligibility")
        st.divider()
        action = action_forms.lookup_form(case, cs.actions, done) or action
        reply_here.reply_below(cs, "auth_lookup")
    with request_tab:
        action = action_forms.request_form(case, cs.actions, done) or action
        reply_here.reply_below(cs, "submission")
    with follow_tab:
        manual = library.manual(case.coverage.payer_id)
        appeal_value.appeal_value_panel(case, standing, manual)
        action = action_forms.follow_up_forms(case, cs.actions, standing, manual, done) or action
        action = p2p_call.call_panel(case, cs.actions, standing, manual, done) or action
        action = extension_form.extension_panel(case, cs, standing, done) or action
        reply_here.reply_below(cs, "pend_reply", "appeal", "peer_to_peer")
    with query_tab:
        action = action_forms.query_close_forms(case, cs.actions, policy, done) or action
        reply_here.reply_below(cs, "provider_query", "close")
    with log_tab:
        replies.activity_log(cs.actions, cs.steps, now=now)

claim_section(case, cs, library)  # after the decision: the claim and its remittance
action = action or clock_action
if action is not None:
    if case_state.perform(viewer, case, cs, action) is not None:
        reply_here.remember(cs)
        st.rerun()
    elif cs.conflict:
        st.rerun()  # show the other tab's change at the top, with "Reload the case"
waiting = [  # grading counts a pending decision as the payer will make it: say so before finishing
    f"A reply is still pending (due {replies.when(s.arrives_at)}); it is graded as it will arrive."
    for s in workflow.pending(cs.steps, now)
]
finished = not done and finish.finish_section(cs.actions, standing, done, waiting)
if finished and (case_state.finish(viewer, case, cs) or cs.conflict):
    st.rerun()
