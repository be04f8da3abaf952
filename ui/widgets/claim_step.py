"""The case workspace's claim step: after the payer decides, the service is performed (perhaps not as
ordered), the trainee bills it on an 837-style claim, and the payer's 835-style remittance shows each
line's result with its claim codes (CARC/RARC, labelled as such) and what the claim cost.

The rules live in ``operations.claims`` and ``simulator.claims``; this module reads the form and
renders the answer. Everything typed or generated is shown as text (``md_escape``, dataframes).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from knowledge_base.loader import Library
from operations.claims import (
    SITE_NAMES,
    claim_cost,
    claim_from_form,
    claim_received_on,
    draft_claim,
    performed_service,
    request_update,
    submit_claim,
    update_requested_on,
)
from scenarios.models import Case, CloseCase
from simulator.claims import IN_FORCE, Remittance, describe
from ui.feedback import core_errors
from ui.widgets.text import md_escape
from ui.widgets.workflow import CaseSession, current_determination, sim_now

RESULT_KEY = "ws_claim_result"  # ws_ prefix: cleared when another case opens
UPDATE_KEY = "ws_claim_update_reply"
DECIDED = frozenset({"approved", "partially_approved", "denied", "no_auth_required"})
STATUS_WORDS = {
    "paid": "Paid in full",
    "partially_paid": "Paid in part",
    "denied": "Denied",
    "rejected": "Rejected",
}


def claim_section(case: Case, cs: CaseSession, library: Library) -> None:
    """The claim step, shown once the payer has decided the request (approved, partly, denied or no
    authorization needed) or the trainee closed the case as needing none (the claim then shows what
    skipping the authorization costs)."""
    standing = current_determination(case, cs.steps, library)
    closed = any(isinstance(a, CloseCase) and a.reason == "no_auth_needed" for a in cs.actions)
    if not closed and (standing is None or standing.status not in DECIDED):
        return
    if not case.order.procedures:
        return  # inpatient stays are billed on an 837I with revenue codes: not simulated here
    with st.expander("After the service: bill the claim (837) and read the remittance (835)", expanded=False):
        with core_errors("Preparing the claim"):
            in_force = standing is not None and standing.status in IN_FORCE
            _claim_form(case, cs, library, standing.valid_to if standing is not None and in_force else None)
        result = _kept(RESULT_KEY, (case.case_id, len(cs.actions)))
        if result is not None:
            remittance(case, result)


def _claim_form(case: Case, cs: CaseSession, library: Library, valid_to: Any) -> None:
    performed = performed_service(case, valid_to, library=library)
    draft = draft_claim(case, performed)
    st.markdown(f"**What the provider reports was done.** {md_escape(performed.note)}")
    st.caption(
        "Bill what was performed. The payer checks each line against the authorization whose number "
        "you put on the claim (REF\\*G1): code, units, dates within the validity window, place of "
        "service and rendering provider."
    )
    number = st.text_input(
        "Prior authorization number (REF*G1)",
        key="ws_claim_auth",
        help="As the payer's approval states it; leave empty if there is none.",
    )
    left, right = st.columns(2)
    pos = left.text_input(
        "Place of service (2 digits)",
        value=draft.place_of_service,
        key="ws_claim_pos",
        help=md_escape(", ".join(f"{k} {v}" for k, v in SITE_NAMES.items())),
    )
    npi = right.text_input("Rendering provider NPI", value=draft.rendering_npi, key="ws_claim_npi")
    lines = []
    for i, line in enumerate(draft.lines):
        code, mods, units, when = st.columns(4)
        lines.append(
            {
                "code": code.text_input(f"Line {i + 1} code", value=line.code, key=f"ws_claim_code_{i}"),
                "modifiers": mods.text_input(
                    f"Line {i + 1} modifiers", value=" ".join(line.modifiers), key=f"ws_claim_mod_{i}"
                ),
                "units": units.number_input(
                    f"Line {i + 1} units",
                    min_value=1,
                    max_value=9999,
                    value=line.units,
                    step=1,
                    key=f"ws_claim_units_{i}",
                ),
                "service_date": when.date_input(
                    f"Line {i + 1} date of service", value=line.service_date, key=f"ws_claim_date_{i}"
                ),
            }
        )
    st.caption(
        f"Billing provider {md_escape(case.facility.name)} (NPI {md_escape(draft.billing_npi)}); diagnoses "
        f"{md_escape(', '.join(draft.diagnoses))}; charges at the case's service value per unit."
    )
    here = (case.case_id, len(cs.actions))
    now = sim_now(case, cs.actions)
    billed = _kept(RESULT_KEY, here) is not None
    update, go = st.columns(2)
    if update.button(
        "Ask the payer to update the authorization to what was performed",
        key="ws_claim_update",
        help="Within the payer's update window (its provider manual, 'Authorization updates').",
    ):
        asked = update_requested_on(performed, now, billed=billed)
        reply = request_update(
            case, performed, str(number or ""), cs.actions, cs.steps, as_of=asked, library=library
        )
        st.session_state[UPDATE_KEY] = (here, reply)
    reply = _kept(UPDATE_KEY, here)
    if reply is not None:
        (st.success if reply.accepted else st.error)(
            f"Payer's answer to the update: {md_escape(reply.message)}"
        )
    if go.button("Submit the claim", key="ws_claim_go", type="primary"):
        claim = claim_from_form(
            draft, auth_number=number, place_of_service=pos, rendering_npi=npi, lines=lines
        )
        received = claim_received_on(performed, now)
        updated = [reply.authorization] if reply is not None and reply.authorization is not None else []
        remit = submit_claim(
            case, claim, cs.actions, cs.steps, as_of=received, updated=updated, library=library
        )
        st.session_state[RESULT_KEY] = (here, remit)


def _kept(key: str, here: tuple[str, int]) -> Any:
    """What ``key`` holds for this case at this point of its work (None once another action is taken)."""
    value = st.session_state.get(key)
    return value[1] if isinstance(value, tuple) and value[0] == here else None


def remittance(case: Case, remit: Remittance) -> None:
    """The payer's remittance: the claim's status, each line's result, every claim code with its
    wording, and the money next to the case's service value."""
    head = f"Remittance (835) for claim {md_escape(remit.claim_id)}, {remit.adjudicated_on}: "
    words = f"{STATUS_WORDS[remit.status]}. {md_escape(remit.message)}"
    {"paid": st.success, "partially_paid": st.warning}.get(remit.status, st.error)(head + words)
    if remit.status == "rejected":
        return
    st.dataframe(
        [
            {
                "Line": r.line,
                "Code": r.code,
                "Units": r.units,
                "Date of service": r.service_date.isoformat(),
                "Billed ($)": r.charge,
                "Paid ($)": r.paid,
                "Claim codes": ", ".join(" ".join([a.label, *a.rarc]) for a in r.adjustments) or "—",
                "Payer's note": r.message,
            }
            for r in remit.lines
        ],
        hide_index=True,
        width="stretch",
    )
    seen: list[str] = []
    lines = []
    for adj in remit.adjustments:
        for kind, code, label in [
            ("carc", adj.carc, f"{adj.group}-{adj.carc}"),
            *[("rarc", r, r) for r in adj.rarc],
        ]:
            if label in seen:
                continue
            seen.append(label)
            if kind == "carc":
                lines.append(
                    f"- **{md_escape(label)}**: claim adjustment reason code (CARC) {md_escape(code)}, "
                    f"group {md_escape(adj.group)} ({md_escape(describe(adj.group, 'group'))}): "
                    f"{md_escape(describe(code, 'carc'))}"
                )
            else:
                lines.append(
                    f"- **{md_escape(label)}**: remittance advice remark code (RARC): "
                    f"{md_escape(describe(code, 'rarc'))}"
                )
    if lines:
        st.markdown(
            "**Claim codes on this remittance** (835 claim codes, not the authorization's 278 reasons)\n"
            + "\n".join(lines)
        )
    cost = claim_cost(case, remit)
    value, billed, paid, unpaid = st.columns(4)
    value.metric("Service value", f"${cost.service_value:,}")
    billed.metric("Billed", f"${cost.billed:,}")
    paid.metric("Paid", f"${cost.paid:,}")
    unpaid.metric("Not paid", f"${cost.unpaid:,}")
    if cost.fixes:
        st.markdown(
            "**What it cost, and what would have avoided it.** "
            f"${cost.unpaid:,} of the ${cost.billed:,} billed was not paid.\n"
            + "\n".join(f"- {md_escape(f)}" for f in cost.fixes)
        )
