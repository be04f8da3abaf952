"""The workspace's forms. Each returns the Action to send when its button was pressed and the input is
valid; otherwise it shows what to fix (naming the field) and returns None. Widget values persist in the
session (keys start with ``ws_``), so a rejected form keeps everything that was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st

from scenarios.models import Action, Case
from simulator import Determination
from ui.state import KEEP
from ui.widgets import reply_here, workflow
from ui.widgets.case_panels import doc_label
from ui.widgets.codes import billable_note, icd_search, procedure_options
from ui.widgets.text import md_escape


def _default(key: str, value: Any) -> str:
    # Seed a widget's value once, through the session (not value=), so reruns never reset what was typed.
    st.session_state.setdefault(key, value)
    return key


def _build(make: Callable[[], Action]) -> Action | None:
    try:
        return make()
    except ValueError as exc:
        st.error(md_escape(str(exc)))  # messages quote what was typed
        return None


def _doc_picker(case: Case, label: str, key: str, help_text: str | None = None) -> list[str]:
    labels = {d.id: doc_label(d) for d in sorted(case.chart, key=lambda d: (d.date, d.id))}
    return st.multiselect(
        label, list(labels), format_func=labels.__getitem__, persist_state=KEEP, key=key, help=help_text
    )


def eligibility_form(case: Case, actions: list[Action], disabled: bool) -> Action | None:
    st.markdown("**Eligibility (270/271)**")
    member = st.text_input(
        "Member id",
        persist_state=KEEP,
        key=_default("ws_elig_member", case.coverage.member_id_on_registration),
    )
    dos = st.date_input(
        "Date of service", persist_state=KEEP, key=_default("ws_elig_dos", case.order.date_of_service)
    )
    if st.button("Check eligibility", key="ws_elig_go", disabled=disabled, type="primary"):
        return _build(lambda: workflow.eligibility(case, actions, member, dos))
    return None


def lookup_form(case: Case, actions: list[Action], disabled: bool) -> Action | None:
    st.markdown("**Authorization requirement (CRD-style look-up)**")
    options = procedure_options(case)
    codes = st.multiselect(
        "Codes to look up",
        list(options),
        format_func=lambda c: f"{c} — {options[c]}",
        persist_state=KEEP,
        key=_default("ws_lookup_codes", [p.code.code for p in case.order.procedures]),
    )
    admission = st.checkbox(
        "Inpatient admission (is pre-admission certification needed?)",
        persist_state=KEEP,
        key=_default("ws_lookup_admission", case.order.review == "admission"),
        help="An inpatient stay has no procedure code to look up: ask about the admission itself.",
    )
    if st.button("Look up authorization requirement", key="ws_lookup_go", disabled=disabled, type="primary"):
        return _build(lambda: workflow.auth_lookup(case, actions, codes, admission))
    return None


def request_form(case: Case, actions: list[Action], disabled: bool) -> Action | None:
    """The prior-authorization request: identifiers, codes, attachments, urgency, narrative.

    The request category is the 278's UM01: a service review (procedure codes) or an admission review
    (admission date, inpatient days, facility type and admission type; procedures only if planned)."""
    p, o = case.patient, case.order
    category = st.radio(
        "Request category",
        ["service", "admission"],
        format_func={
            "service": "Service review (HS): procedure codes",
            "admission": "Admission review (AR): an inpatient stay",
        }.__getitem__,
        horizontal=True,
        persist_state=KEEP,
        key=_default("ws_req_category", o.review),
        help="An inpatient admission is requested by admission date and days, not by a procedure code.",
    )
    admission = category == "admission"
    left, right = st.columns(2)
    member = left.text_input(
        "Member id",
        persist_state=KEEP,
        key=_default("ws_req_member", case.coverage.member_id_on_registration),
    )
    last = left.text_input("Patient last name", persist_state=KEEP, key=_default("ws_req_last", p.last_name))
    dob = left.date_input(
        "Patient date of birth",
        persist_state=KEEP,
        key=_default("ws_req_dob", p.dob),
        min_value=date(1900, 1, 1),
        max_value=o.date_of_service,
    )
    ordering = right.text_input(
        "Ordering provider NPI",
        persist_state=KEEP,
        key=_default("ws_req_ordering", case.ordering_provider.npi),
    )
    servicing = right.text_input(
        "Servicing provider NPI",
        persist_state=KEEP,
        key=_default("ws_req_servicing", case.servicing_provider.npi),
    )
    dos = right.date_input(
        "Admission date" if admission else "Date of service",
        persist_state=KEEP,
        key=_default("ws_req_dos", o.date_of_service),
    )
    pos = left.text_input(
        "Facility type (place of service, 21 = inpatient hospital)"
        if admission
        else "Place of service (2 digits)",
        persist_state=KEEP,
        key=_default("ws_req_pos", o.place_of_service),
    )
    duration = right.number_input(
        "Inpatient days requested" if admission else "Requested duration in days (0 = not applicable)",
        min_value=0,
        max_value=3650,
        step=1,
        persist_state=KEEP,
        key=_default("ws_req_duration", o.requested_duration_days or 0),
    )

    st.markdown("**Diagnoses (ICD-10-CM, primary first)**")
    dx = st.text_input(
        "Diagnosis codes, comma-separated",
        persist_state=KEEP,
        key=_default("ws_req_dx", ", ".join(d.code for d in o.diagnoses)),
    )
    with st.expander("Find an ICD-10-CM code", expanded=False):
        icd_search("ws_req_dx")
    try:
        for warning in billable_note(workflow.parse_codes(dx)):
            st.warning(md_escape(warning))
    except ValueError as exc:
        st.warning(md_escape(str(exc)))

    admission_type = None
    if admission:
        admission_type = left.selectbox(
            "Admission type",
            list(workflow.ADMISSION_TYPES),
            persist_state=KEEP,
            key=_default("ws_req_admission_type", o.admission_type or "elective"),
        )
    st.markdown(
        "**Procedures planned during the stay (optional)**" if admission else "**Procedures (CPT/HCPCS)**"
    )
    options = procedure_options(case)
    n_lines = st.number_input(
        "Procedure lines",
        min_value=0 if admission else 1,
        max_value=6,
        step=1,
        persist_state=KEEP,
        # a key per category: the two have different minimums, so switching never leaves a value below one
        key=_default("ws_req_nlines_adm", len(o.procedures))
        if admission
        else _default("ws_req_nlines", max(1, len(o.procedures))),
    )
    lines: list[tuple[Any, Any, Any]] = []
    codes = ["", *options]
    for i in range(int(n_lines or 0)):
        order_line = o.procedures[i] if i < len(o.procedures) else None
        c1, c2, c3 = st.columns([3, 1, 2])
        code = c1.selectbox(
            f"Line {i + 1} code",
            codes,
            format_func=lambda c: f"{c} — {options[c]}" if c else "(none)",
            persist_state=KEEP,
            key=_default(f"ws_req_code_{i}", order_line.code.code if order_line else ""),
        )
        units = c2.number_input(
            f"Line {i + 1} units",
            min_value=1,
            max_value=9999,
            step=1,
            persist_state=KEEP,
            key=_default(f"ws_req_units_{i}", order_line.units if order_line else 1),
        )
        mods = c3.text_input(
            f"Line {i + 1} modifiers",
            persist_state=KEEP,
            key=_default(f"ws_req_mods_{i}", ", ".join(order_line.modifiers) if order_line else ""),
            placeholder="e.g. RT, 59",
        )
        lines.append((code, units, mods))

    docs = _doc_picker(
        case,
        "Attachments (chart documents to send)",
        "ws_req_docs",
        "Send what the policy requires; the payer needs no more (minimum necessary).",
    )
    urgency = st.radio(
        "Review type",
        ["standard", "expedited"],
        horizontal=True,
        persist_state=KEEP,
        key="ws_req_urgency",
        help="Expedited (72 hours) only when waiting could seriously jeopardize the patient.",
    )
    narrative = st.text_area(
        "Medical-necessity narrative",
        persist_state=KEEP,
        key="ws_req_narrative",
        height=220,
        placeholder="Summarise the criteria the chart meets, with dates and findings.",
    )
    used = len(narrative or "")
    st.caption(
        f"{used:,} / {workflow.NARRATIVE_MAX:,} characters"
        + (f" — {used - workflow.NARRATIVE_MAX:,} over the limit" if used > workflow.NARRATIVE_MAX else "")
    )
    repeat = reply_here.duplicate_request(
        actions,
        case.prior_submission,
        [str(c or "") for c, _, _ in lines],
        dos if isinstance(dos, date) else None,
    )
    send_anyway = reply_here.confirm_repeat(repeat, "ws_req_dup_ok")
    if st.button("Submit the request to the payer", key="ws_req_go", disabled=disabled, type="primary"):
        if not send_anyway:
            st.error('Duplicate request: tick "Send it anyway" to send it, or change the request.')
            return None
        form = workflow.RequestForm(
            member_id=member,
            patient_last_name=last,
            patient_dob=dob,
            ordering_npi=ordering,
            servicing_npi=servicing,
            diagnoses=dx,
            lines=lines,
            date_of_service=dos,
            urgency=urgency,
            place_of_service=pos,
            document_ids=docs,
            narrative=narrative,
            requested_duration_days=duration,
            category=category,
            admission_type=admission_type,
        )
        return _build(lambda: workflow.submission(case, actions, form))
    return None


def follow_up_forms(
    case: Case, actions: list[Action], standing: Determination | None, manual: Any, disabled: bool
) -> Action | None:
    """Pend reply, appeal and peer-to-peer: what can be done once the payer has decided something."""
    if standing is None:
        st.info(
            "Nothing to follow up yet: the payer has not pended or denied a request on this case "
            "(a decision still pending appears here when the simulated clock reaches it)."
        )
        return None
    st.markdown(
        f"**Standing decision:** {standing.status.replace('_', ' ')} ({standing.action_code or 'no decision'})"
    )
    pend, appeal, p2p = st.tabs(
        ["Answer a pend", "Appeal", "Peer-to-peer"],
        default="Answer a pend" if standing.status == "pended" else "Appeal",
        key="ws_follow_tab",
        on_change="rerun",
    )
    chosen: Action | None = None
    with pend:
        if standing.pend_reply_by is not None:
            st.caption(f"Reply by {standing.pend_reply_by:%a %Y-%m-%d %H:%M}")
        docs = _doc_picker(case, "Documents to send", "ws_pend_docs")
        note = st.text_area("Cover note", persist_state=KEEP, key="ws_pend_note", height=100)
        if st.button("Send the reply", key="ws_pend_go", disabled=disabled):
            chosen = _build(lambda: workflow.pend_reply(case, actions, docs, note))
    with appeal:
        # peer-to-peer has its own tab; automatic levels (e.g. the IRE) are never filed by the provider
        levels = {a.level: a for a in manual.appeal_levels if not a.automatic and a.level != "peer_to_peer"}
        level = st.selectbox(
            "Appeal level (from the payer manual)",
            list(levels),
            persist_state=KEEP,
            key="ws_appeal_level",
            format_func=lambda v: (
                f"{levels[v].name} — file within {levels[v].file_within_days} "
                f"{'months' if levels[v].file_within_kind == 'months' else 'days'}"
            ),
        )
        added = _doc_picker(case, "Documents to add", "ws_appeal_docs")
        expedited = st.checkbox("Expedited appeal", persist_state=KEEP, key="ws_appeal_expedited")
        letter = st.text_area("Appeal letter", persist_state=KEEP, key="ws_appeal_letter", height=220)
        st.caption(f"{len(letter or ''):,} / {workflow.LETTER_MAX:,} characters")
        file_anyway = reply_here.confirm_repeat(reply_here.repeat_appeal(actions, level), "ws_appeal_dup_ok")
        if st.button("File the appeal", key="ws_appeal_go", disabled=disabled):
            if not file_anyway:
                st.error('Second appeal: tick "Send it anyway" to file it, or choose the next level.')
            else:
                chosen = _build(lambda: workflow.appeal(case, actions, level, letter, added, expedited))
    with p2p:
        cited = _doc_picker(case, "Documents the physician will cite", "ws_p2p_docs")
        points = st.text_area(
            "Talking points for the ordering physician", persist_state=KEEP, key="ws_p2p_points", height=160
        )
        if st.button("Request a peer-to-peer", key="ws_p2p_go", disabled=disabled):
            chosen = _build(lambda: workflow.peer_to_peer(case, actions, points, cited))
    return chosen


def query_close_forms(case: Case, actions: list[Action], policy: Any, disabled: bool) -> Action | None:
    """Ask the ordering provider for what the chart lacks, or close the case without a request."""
    chosen: Action | None = None
    st.markdown("**Query the ordering provider**")
    criteria = {c.id: c.text for c in (policy.criteria if policy is not None else [])}
    ids = st.multiselect(
        "Criteria the chart does not show",
        list(criteria),
        persist_state=KEEP,
        key="ws_query_criteria",
        format_func=lambda c: f"{c} — {criteria[c][:90]}",
    )
    message = st.text_area("Message to the provider", persist_state=KEEP, key="ws_query_message", height=120)
    if st.button("Send the query", key="ws_query_go", disabled=disabled):
        chosen = _build(lambda: workflow.provider_query(case, actions, message, ids))
    st.divider()
    st.markdown("**Close the case without a request**")
    reasons = {
        "no_auth_needed": "No authorization is needed",
        "resolve_coverage": "Coverage must be resolved first",
    }
    reason = st.radio(
        "Reason", list(reasons), format_func=reasons.__getitem__, persist_state=KEEP, key="ws_close_reason"
    )
    note = st.text_area("Note for the record", persist_state=KEEP, key="ws_close_note", height=80)
    if st.button("Close the case", key="ws_close_go", disabled=disabled):
        chosen = _build(lambda: workflow.close_case(case, actions, reason, note))
    return chosen
