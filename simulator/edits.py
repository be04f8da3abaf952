"""Stage 1, front-end edits: is the request complete and well-formed enough to be reviewed at all?

A failed edit rejects the request: the 278 reply carries AAA segments instead of a decision (no HCR01;
``C`` there would mean *cancelled*), each with its AAA03 reject reason and AAA04 follow-up action ``C``
(please correct and resubmit): 15 required data missing, 33 input errors, 43 invalid provider id,
57 invalid date of service, 72 invalid member id, AF invalid diagnosis code, AG invalid procedure code.
Every failed edit is reported, not just the first, so the trainee can fix the request in one pass.
"""

from __future__ import annotations

from datetime import timedelta

from knowledge_base import icd10cm as icd
from knowledge_base.procedure_codes import MODIFIERS, PURCHASE_MODIFIERS, SIDES, code_problem
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
        reasons += _modifier_edits(view, index, line.code, line.modifiers)
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
    if sub.admission:
        # an admission review asks for a stay, not a code (278 UM01 AR): its own required elements
        if sub.requested_duration_days is None:
            missing.append(("admission_days", "the number of inpatient days requested (HSD)"))
        if not sub.place_of_service:
            missing.append(
                ("facility_type", "the facility type (UM04 place of service, 21 inpatient hospital)")
            )
        if sub.admission_type is None:
            missing.append(("admission_type", "the admission type (CL1: elective, urgent or emergency)"))
    elif not sub.procedures:
        missing.append(
            (
                "procedures",
                "at least one procedure code (for an inpatient stay, send an admission review instead)",
            )
        )
    return [_reject("15", edit, f"Required data missing: {what}.") for edit, what in missing]


def _diagnosis_side(code: str) -> str | None:
    """The side an ICD-10-CM code's title states (right, left, bilateral), None when it states none."""
    dotted = code.strip().upper()
    if not icd.is_valid_item(dotted):
        return None
    title = icd.get_description(dotted).lower()
    sides = [side for side in ("bilateral", "right", "left") if side in title]
    return sides[0] if len(sides) == 1 else None


def _modifier_edits(view: PayerView, index: PolicyIndex, code: str, modifiers: list[str]) -> list[Reason]:
    """Unknown modifiers; a unilateral procedure without its side or with the other side than the
    diagnosis; a purchase modifier on an item the payer pays as a rental (docs/sources.md#codes-units-and-modifiers)."""
    reasons = [
        _reject("33", "modifier", f"{code}-{m}: {m!r} is not a CPT/HCPCS modifier; check the modifier.")
        for m in modifiers
        if m not in MODIFIERS
    ]
    found = index.lookup(view.payer_id, code)
    if found is None:
        return reasons
    pc = found[1]
    if pc.laterality:
        sides = [SIDES[m] for m in modifiers if m in SIDES]
        if not sides:
            reasons.append(
                _reject(
                    "33",
                    "laterality_modifier",
                    f"{code} is done on one side: add RT (right) or LT (left), or 50 when both sides are done.",
                )
            )
        else:
            stated = {d: _diagnosis_side(d) for d in view.submission.diagnoses}
            sided = {d: s for d, s in stated.items() if s is not None}
            if sided and sides[0] not in sided.values():
                said = ", ".join(f"{d} ({s})" for d, s in sided.items())
                reasons.append(
                    _reject(
                        "33",
                        "laterality_mismatch",
                        f"{code} is requested for the {sides[0]} side but the diagnosis says {said}; "
                        "make the modifier and the diagnosis name the same side.",
                    )
                )
    if pc.billing_modifier and PURCHASE_MODIFIERS & set(modifiers):
        bought = ", ".join(sorted(PURCHASE_MODIFIERS & set(modifiers)))
        reasons.append(
            _reject(
                "33",
                "rental_modifier",
                f"{view.manual.name} pays {code} as a rental ({pc.billing_modifier}), not a purchase ({bought}); "
                f"request {code}-{pc.billing_modifier}.",
            )
        )
    return reasons
