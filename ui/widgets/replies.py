"""The payer's answers (271-style eligibility, CRD-style look-up, 278-style determinations) and the
trainee's actions, rendered the same way in the workspace and in the supervisor's attempt review.

Anything a person typed (narratives, letters, notes) goes through ``st.text``: never Markdown or HTML.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import streamlit as st

from scenarios.models import (
    Action,
    AdvanceClock,
    Appeal,
    AuthLookup,
    CloseCase,
    EligibilityQuery,
    ExtensionRequest,
    PeerToPeer,
    PendReply,
    ProviderQuery,
    Submission,
)
from scenarios.x12 import render_278
from simulator import Determination, EligibilityReply, LookupReply, StepResult
from simulator.models import ProviderReply
from ui.widgets.labels import human
from ui.widgets.long_text import wrapped_table
from ui.widgets.text import md_escape

STATUS_LABEL = {
    "approved": "Approved",
    "partially_approved": "Partially approved",
    "denied": "Denied",
    "pended": "Pended",
    "no_auth_required": "No authorization required",
    "rejected": "Rejected",
    "dismissed": "Dismissed",
}
ACTION_LABEL = {
    "eligibility": "Eligibility check",
    "auth_lookup": "Authorization look-up",
    "submission": "Request submitted",
    "pend_reply": "Pend reply",
    "appeal": "Appeal",
    "peer_to_peer": "Peer-to-peer request",
    "provider_query": "Query to the ordering provider",
    "close": "Case closed",
    "extension": "Extension request (concurrent review)",
    "advance_clock": "Clock advanced",
}
PROVIDER_ANSWER = {
    "not_done": "Not done",
    "not_on_file": "Nothing more on file",
    "held_elsewhere": "Not in the office's file (asked for)",
    "documented": "Already in the chart",
}


def when(value: datetime | None) -> str:
    """``Thu 2026-03-05 09:55`` (simulated times carry no zone; they are the payer's local time)."""
    return "—" if value is None else value.strftime("%a %Y-%m-%d %H:%M")


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "no")


def eligibility_reply(reply: EligibilityReply) -> None:
    (st.success if reply.active else st.error)(
        f"Coverage {'ACTIVE' if reply.active else 'NOT ACTIVE'} for member {md_escape(reply.member_id)} "
        f"({md_escape(reply.payer_id)})"
    )
    st.dataframe(
        [
            {
                "plan": reply.plan_name or "—",
                "plan type": human(reply.plan_type),
                "EB01": reply.eligibility_code or "— (subscriber not found)",
                "servicing provider in network (EB12)": _yes_no(reply.in_network),
                "authorization required (EB11)": _yes_no(reply.authorization_required),
                "coverage from": reply.coverage_from,
                "coverage to": reply.coverage_to or "open",
                "referral required": reply.referral_required,
                "referral on file": "—" if reply.referral_on_file is None else reply.referral_on_file,
            }
        ],
        hide_index=True,
    )
    _reasons(reply.messages)


POLICY_LIBRARY = "ui/pages/policy_library.py"


def policy_link(policy_id: str, label: str | None = None) -> None:
    """A link that opens ``policy_id`` in full in the payer policy library."""
    st.page_link(
        POLICY_LIBRARY,
        label=md_escape(label or f"Read policy {policy_id} in the policy library"),
        icon=":material/menu_book:",
        query_params={"policy": policy_id},
    )


def lookup_reply(reply: LookupReply) -> None:
    wrapped_table(
        [
            {
                "code": r.code,
                "authorization required": "yes" if r.required else "no",
                "policy": r.policy_id or "—",
                "documents the payer needs": "; ".join(r.documentation) or "—",
                "submit at least (business days before service)": r.submit_lead_business_days,
                "message": r.message,
            }
            for r in reply.results
        ]
    )
    for policy_id in dict.fromkeys(r.policy_id for r in reply.results if r.policy_id):
        policy_link(policy_id)


def _x12(reason: Any) -> str:
    """Where the code sits in the X12 reply: AAA03/AAA04 on rejects, HCR03 on decisions, else free text."""
    if reason.segment is None:
        return "MSG" if reason.code == "MSG" else reason.code
    follow_up = f" / AAA04 {reason.follow_up}" if reason.kind == "reject" and reason.follow_up else ""
    return f"{reason.segment} {reason.code}{follow_up}"


def _reasons(reasons: list[Any]) -> None:
    if reasons:
        wrapped_table(
            [
                {
                    "code": _x12(r),
                    "the claim denial this becomes": getattr(r, "claim_code", None) or "",
                    "kind": r.kind,
                    "criterion / edit": r.criterion_id or r.edit or "",
                    "message": r.message,
                }
                for r in reasons
            ]
        )


def determination(det: Determination) -> None:
    action = (
        f"action code {det.action_code}"
        if det.action_code
        else ("AAA reject segments, no decision" if det.status == "rejected" else "no decision")
    )
    text = f"{STATUS_LABEL.get(det.status, det.status)} — {action} (stage: {det.stage})"
    {
        "approved": st.success,
        "no_auth_required": st.success,
        "partially_approved": st.warning,
        "pended": st.warning,
    }.get(det.status, st.error)(text)
    facts = {
        "received": when(det.received_at),
        "decided": when(det.decided_at),
        "decision due": when(det.decision_due),
        "review": "expedited" if det.expedited else "standard",
    }
    if det.authorization_number:
        facts["authorization number"] = det.authorization_number
        facts["valid"] = f"{det.valid_from} to {det.valid_to}"
    if det.approved_days is not None:
        # an admission review is certified in inpatient days from the admission date
        facts["approved inpatient days"] = (
            f"{det.approved_days} (admission {det.valid_from}, through {det.valid_to})"
        )
    if det.approved_lines:
        facts["approved"] = ", ".join(f"{a.code} x{a.units}" for a in det.approved_lines)
    if det.policy_id:
        facts["policy"] = det.policy_id
    if det.appeal_level:
        facts["appeal level decided"] = det.appeal_level
    st.dataframe([{"field": k, "value": str(v)} for k, v in facts.items()], hide_index=True)
    if det.reasons:
        st.markdown("**Reasons**")
        _reasons(det.reasons)
    if det.request_for_information:
        st.markdown(f"**Information requested** (reply by {when(det.pend_reply_by)})")
        for item in det.request_for_information:
            st.text(f"• {item}")
    if det.criteria:
        st.markdown("**Criteria reviewed**")
        wrapped_table(
            [
                {
                    "criterion": c.criterion_id,
                    "status": c.status.replace("_", " "),
                    "documents": ", ".join(c.document_ids),
                    "missing": "; ".join(c.missing),
                    "text": c.text,
                }
                for c in det.criteria
            ]
        )
    if det.appeal_rights:
        st.markdown("**Appeal rights**")
        st.dataframe(
            [
                {
                    "level": a.level,
                    "name": a.name,
                    "file by": a.file_by,
                    "decision time": a.decision_time,
                    "automatic": a.automatic,
                }
                for a in det.appeal_rights
            ],
            hide_index=True,
        )


def provider_reply(reply: ProviderReply) -> None:
    """The ordering office's answer to a query, point by point (its words as text)."""
    st.info(
        md_escape(f"Reply from {reply.provider}'s office: {reply.summary}"),
        icon=":material/forward_to_inbox:",
    )
    for answer in reply.answers:
        st.markdown(f"**{PROVIDER_ANSWER.get(answer.answer, human(answer.answer))}**")
        st.text(answer.message)


def pending_notice(step: StepResult) -> None:
    """What the trainee sees while the answer to ``step`` has not arrived on the simulated clock."""
    who = "The ordering office's reply" if isinstance(step.result, ProviderReply) else "The payer's decision"
    st.info(
        f"Pending. {who} is due {when(step.arrives_at)} (simulated time). Use **Advance the clock** "
        "to wait for it; nothing else changes while you wait.",
        icon=":material/hourglass_top:",
    )


def result(step: StepResult, now: datetime | None = None) -> None:
    """One step's outcome: the reply, the error the payer gave, or a note (provider query, close).
    With ``now`` (the simulated time), an answer that has not arrived yet shows as pending."""
    if now is not None and step.pending_at(now):
        pending_notice(step)
        if step.note:
            st.caption(md_escape(step.note))
        return
    if step.error:
        st.error(f"The payer could not act on this: {md_escape(step.error)}")
    elif isinstance(step.result, EligibilityReply):
        eligibility_reply(step.result)
    elif isinstance(step.result, LookupReply):
        lookup_reply(step.result)
    elif isinstance(step.result, Determination):
        determination(step.result)
    elif isinstance(step.result, ProviderReply):
        provider_reply(step.result)
    if step.note:
        st.caption(md_escape(step.note))


def action_detail(action: Action) -> None:
    """What the trainee sent, field by field; free text literally."""
    if isinstance(action, EligibilityQuery):
        st.caption(md_escape(f"Member id {action.member_id}, date of service {action.date_of_service}"))
    elif isinstance(action, AuthLookup):
        asked = [*action.codes, *(["inpatient admission"] if action.admission else [])]
        st.caption(md_escape(f"Looked up: {', '.join(asked)}"))
    elif isinstance(action, Submission):
        lines = "; ".join(
            f"{p.code} x{p.units}" + (" " + ",".join(p.modifiers) if p.modifiers else "")
            for p in action.procedures
        )
        if action.admission:
            what = (
                f"admission review (AR): {action.admission_type or '—'} admission {action.date_of_service}, "
                f"{action.requested_duration_days or '—'} inpatient days, facility type {action.place_of_service or '—'}"
                + (f", planned procedures {lines}" if lines else "")
            )
        else:
            what = (
                f"service review (HS): {lines} · service {action.date_of_service} · "
                f"POS {action.place_of_service or '—'} · duration {action.requested_duration_days or '—'}"
            )
        st.caption(
            md_escape(
                f"Member {action.member_id} · {action.patient_last_name}, born {action.patient_dob} · "
                f"diagnoses {', '.join(action.diagnoses)} · {what} · {action.urgency} · "
                f"attachments {', '.join(action.document_ids) or 'none'}"
            )
        )
        st.caption("As the payer receives it (X12 278 request segments):")
        st.code(render_278(action), language=None)
        st.text(action.narrative)
    elif isinstance(action, ExtensionRequest):
        st.caption(
            md_escape(
                f"Authorization {action.authorization_number} · {action.additional} more days or units · "
                f"documents {', '.join(action.document_ids) or 'none'}"
            )
        )
        st.text(action.clinical_update)
    elif isinstance(action, PendReply):
        st.caption(md_escape(f"Documents sent: {', '.join(action.document_ids) or 'none'}"))
        if action.note:
            st.text(action.note)
    elif isinstance(action, Appeal):
        st.caption(
            md_escape(
                f"Level {action.level}{' (expedited)' if action.expedited else ''} · added documents "
                f"{', '.join(action.document_ids) or 'none'}"
            )
        )
        st.text(action.letter)
    elif isinstance(action, PeerToPeer):
        st.caption(md_escape(f"Documents cited: {', '.join(action.document_ids) or 'none'}"))
        st.text(action.talking_points)
    elif isinstance(action, ProviderQuery):
        st.caption(md_escape(f"Criteria asked about: {', '.join(action.criterion_ids) or 'none named'}"))
        st.text(action.message)
    elif isinstance(action, CloseCase):
        st.caption(f"Reason: {action.reason.replace('_', ' ')}")
        if action.note:
            st.text(action.note)
    elif isinstance(action, AdvanceClock):
        how = "to the next reply due" if action.to == "next_event" else "by a chosen number of hours or days"
        st.caption(f"The simulated clock was advanced {how}, to {when(action.at)}.")


def step_summary(step: StepResult, now: datetime | None = None) -> str:
    if now is not None and step.pending_at(now):
        return f"pending until {when(step.arrives_at)}"
    if step.error:
        return "error"
    status = getattr(step.result, "status", None)
    if status:
        return STATUS_LABEL.get(status, status)
    if isinstance(step.result, EligibilityReply):
        return "active" if step.result.active else "not active"
    if isinstance(step.result, LookupReply):
        needed = [r.code for r in step.result.results if r.required]
        return f"auth required for {', '.join(needed)}" if needed else "no auth required"
    if isinstance(step.result, ProviderReply):
        return "the office replied"
    return step.note or ""


def activity_log(
    actions: list[Action],
    steps: list[StepResult],
    *,
    newest_first: bool = True,
    expand_last: bool = True,
    now: datetime | None = None,
) -> None:
    """Every action with its simulated time, what was sent and what the payer answered. With ``now``
    (the workspace's simulated time) answers not arrived yet show as pending; the attempt review
    passes none and shows everything."""
    if not actions:
        st.caption("No actions yet.")
        return
    pairs = list(enumerate(zip(actions, steps, strict=False), start=1))
    last = len(pairs)
    for n, (action, step) in reversed(pairs) if newest_first else pairs:
        label = f"{n}. {when(action.at)} — {ACTION_LABEL.get(action.type, action.type)}: {step_summary(step, now)}"
        with st.expander(md_escape(label), expanded=expand_last and n == last):
            action_detail(action)
            result(step, now)
