"""Stage 1, front-end edits: is the request complete and well-formed enough to be reviewed at all?

A failed edit rejects the request: the 278 reply carries AAA segments instead of a decision (no HCR01;
``C`` there would mean *cancelled*), each with its AAA03 reject reason and AAA04 follow-up action ``C``
(please correct and resubmit): 15 required data missing, 33 input errors, 43 invalid provider id,
57 invalid date of service, 72 invalid member id, AF invalid diagnosis code, AG invalid procedure code.
Every failed edit is reported, not just the first, so the trainee can fix the request in one pass.
"""

from __future__ import annotations

from datetime import timedelta

from knowledge_base.procedure_codes import code_problem
from simulator.codes import PolicyIndex, icd_problem, member_id_ok, npi_valid
from simulator.models import Reason
from simulator.view import PayerView

# A date of service further than this from the submission date is a typo, not a plan.
MAX_DOS_DISTANCE = timedelta(days=365)


def _reject(code: str, edit: str, message: str) -> Reason:
    # every front-end reject can be fixed by the requester: AAA04 "C", please correct and resubmit
    return Reason(code=code, kind="reject", edit=edit, message=message, follow_up="C")


def front_end_edits(view: PayerView, index: PolicyIndex) -> list[Reason]:
    """Every front-end edit the request fails (empty when it may go on to eligibility)."""
    sub = view.submission
    reasons: list[Reason] = []
    reasons += _required(view)
    for code in sub.diagnoses:
        problem = icd_problem(code.strip().upper())
        if problem:
            reasons.append(_reject("AF", "diagnosis_code", f"Diagnosis {problem}."))
    requested = {line.code for line in sub.procedures}
    for line in sub.procedures:
        problem = None if index.is_known(line.code) else code_problem(line.code)
        if problem:
            reasons.append(_reject("AG", "procedure_code", f"Procedure code {problem}; check the code."))
        primary = index.addon_primary.get(line.code)
        if primary and primary not in requested:
            reasons.append(
                _reject(
                    "AG",
                    "addon_without_primary",
                    f"{line.code} is an add-on code and is only billable with its primary code {primary}; "
                    f"request {primary} on the same request.",
                )
            )
    for role, npi in (("ordering", sub.ordering_npi), ("servicing", sub.servicing_npi)):
        if not npi:
            continue  # reported as missing data above
        if not npi_valid(npi):
            reasons.append(
                _reject(
                    "43",
                    f"{role}_npi",
                    f"The {role} provider NPI {npi} is not a valid NPI (10 digits with a Luhn check digit).",
                )
            )
        elif view.provider(npi) is None:
            reasons.append(
                _reject(
                    "43",
                    f"{role}_npi",
                    f"The {role} provider NPI {npi} is not in this payer's provider directory.",
                )
            )
    distance = abs(sub.date_of_service - view.received_on)
    if distance > MAX_DOS_DISTANCE:
        reasons.append(
            _reject(
                "57",
                "date_of_service",
                f"The date of service {sub.date_of_service.isoformat()} is {distance.days} days from the request date; "
                f"requests are accepted for dates within {MAX_DOS_DISTANCE.days} days.",
            )
        )
    member_id = sub.member_id.strip()
    if member_id and not member_id_ok(view.manual.member_id_pattern, member_id):
        reasons.append(
            _reject(
                "72",
                "member_id_format",
                f"Member id {member_id!r} does not have {view.manual.name}'s member id format "
                f"(for example {view.manual.member_id_example}); copy it from the member's card.",
            )
        )
    if view.unknown_document_ids:
        ids = ", ".join(view.unknown_document_ids)
        reasons.append(
            _reject(
                "33",
                "attachment_unknown",
                f"Attached document id(s) {ids} were not received; attach documents from the chart.",
            )
        )
    return reasons


def _required(view: PayerView) -> list[Reason]:
    sub = view.submission
    missing = []
    if not sub.member_id.strip():
        missing.append(("member_id", "the member id"))
    if not sub.patient_last_name.strip():
        missing.append(("patient_last_name", "the patient's last name"))
    if not sub.ordering_npi.strip():
        missing.append(("ordering_npi", "the ordering provider NPI"))
    if not sub.servicing_npi.strip():
        missing.append(("servicing_npi", "the servicing provider NPI"))
    if not sub.diagnoses:
        missing.append(("diagnoses", "at least one diagnosis code"))
    if not sub.procedures:
        missing.append(("procedures", "at least one procedure code"))
    return [_reject("15", edit, f"Required data missing: {what}.") for edit, what in missing]
