"""Stage 3, does this payer require authorization for these codes? Also answers CRD-style look-ups.

A code needs authorization when one of the payer's policies lists it with ``auth_required`` and its
``no_auth_if`` rule (if any) is not met by the request's own facts. The look-up answers for the order
in the case (its providers, setting and patient), because a real coverage-requirements call is made in
the context of an order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from knowledge_base.criteria import Evidence, Fact, FactValue
from knowledge_base.loader import Library
from knowledge_base.models import Policy, PolicyCode
from knowledge_base.procedure_codes import code_problem, describe
from scenarios.models import AuthLookup, Case
from simulator.codes import policy_index
from simulator.evidence import age_on
from simulator.models import AuthRequirement, LookupReply
from simulator.view import PayerView, manual_for


@dataclass(frozen=True, slots=True)
class AuthDecision:
    policy: Policy | None
    required: bool
    explanation: str


def _rule_text(pc: PolicyCode) -> str:
    # the rule as the author wrote it; the policy body explains it in words
    return pc.no_auth_if.model_dump_json(exclude_none=True) if pc.no_auth_if else ""


# Place of service 23 (hospital emergency room): emergency services need no prior authorization at any
# plan type (ACA 45 CFR 147.138(b), MA 42 CFR 422.113(b), Medicaid 42 CFR 438.114; docs/sources.md).
EMERGENCY_ROOM = "23"


def emergency_services(evidence: Evidence) -> bool:
    fact = evidence.latest("request.place_of_service")
    return fact is not None and fact.value == EMERGENCY_ROOM


def code_requirement(policy: Policy, pc: PolicyCode, evidence: Evidence, as_of: date) -> tuple[bool, str]:
    """(required, why) for one policy code on the request's facts."""
    if emergency_services(evidence):
        return False, (
            f"{pc.code} in the emergency department (place of service {EMERGENCY_ROOM}) is an emergency service: "
            "no prior authorization applies. Emergent care is given first; expedited review is for urgent care "
            "scheduled within 72 hours."
        )
    if not pc.auth_required:
        return False, f"{policy.title} ({policy.id}) lists {pc.code} as not needing authorization."
    if pc.no_auth_if is not None:
        outcome = pc.no_auth_if.evaluate(evidence, as_of)
        if outcome.status == "met":
            return (
                False,
                f"{policy.id}: {pc.code} needs no authorization for this order ({pc.note or _rule_text(pc)}).",
            )
        if outcome.status == "not_evidenced":
            return True, (
                f"{policy.id}: {pc.code} needs authorization unless {pc.note or _rule_text(pc)}; "
                "the request does not show that."
            )
    return True, f"{policy.id}: {pc.code} needs authorization under {policy.title}."


def admission_requirement(policy: Policy, admission_type: str | None) -> tuple[bool, str]:
    """(required, why) for an admission review under ``policy`` (its ``admission_review`` block)."""
    rule = policy.admission_review
    assert rule is not None  # callers pass the payer's admission policy (PolicyIndex.admission)
    kind = admission_type or "elective"
    if kind in rule.admission_types:
        return True, (
            f"{policy.id}: an {kind} inpatient admission needs pre-admission certification under {policy.title} "
            "(an admission review: admission date, inpatient days requested, facility type)."
        )
    return False, (
        f"{policy.id}: an {kind} admission needs no pre-admission certification; the hospital notifies the plan "
        "of the admission as the policy's timeframes say."
    )


def auth_decision(view: PayerView, library: Library, evidence: Evidence) -> AuthDecision:
    """The governing policy (the first requested code a policy lists) and whether any line needs auth;
    for an admission review, the payer's admission policy (planned procedures do not change which)."""
    index = policy_index(library)
    if view.submission.admission:
        found_policy = index.admission.get(view.payer_id)
        if found_policy is None:
            return AuthDecision(
                None, False, f"No {view.manual.name} policy requires pre-admission certification."
            )
        needed, why = admission_requirement(found_policy, view.submission.admission_type)
        return AuthDecision(found_policy, needed, why)
    policy: Policy | None = None
    whys: list[str] = []
    required = False
    for line in view.submission.procedures:
        found = index.lookup(view.payer_id, line.code)
        if found is None:
            continue
        line_policy, pc = found
        if policy is None:
            policy = line_policy
        if line_policy is not policy:
            continue  # one request, one policy: the first governed code decides which
        needed, why = code_requirement(line_policy, pc, evidence, view.received_on)
        required = required or needed
        whys.append(why)
    if policy is None:
        codes = ", ".join(line.code for line in view.submission.procedures)
        return AuthDecision(None, False, f"No {view.manual.name} policy requires authorization for {codes}.")
    return AuthDecision(policy, required, " ".join(whys))


def _order_evidence(case: Case, policy: Policy) -> Evidence:
    order = case.order
    facts: dict[str, FactValue] = {
        "request.ordering_specialty": case.ordering_provider.specialty,
        "request.servicing_specialty": case.servicing_provider.specialty,
        "request.place_of_service": order.place_of_service,
        "request.units": sum(line.units for line in order.procedures),
        "request.level_count": sum(line.units for line in order.procedures if policy.code(line.code.code)),
        "request.modifiers": [m for line in order.procedures for m in line.modifiers],
        "request.urgency": "expedited" if order.urgency_requested == "urgent" else "standard",
        "patient.age": age_on(case.patient.dob, order.date_of_service),
        "patient.sex": case.patient.sex,
    }
    if order.requested_duration_days is not None:
        facts["request.duration_days"] = order.requested_duration_days
    evidence = Evidence(
        diagnosis_codes=[d.code for d in order.diagnoses],
        procedure_codes=[line.code.code for line in order.procedures],
    )
    for name, value in facts.items():
        evidence.add(Fact(name=name, value=value, document_id=None, document_date=None))
    return evidence


def lookup_requirements(case: Case, lookup: AuthLookup, *, library: Library) -> LookupReply:
    """For each code: is authorization required by this payer, under which policy, with what documents."""
    payer = case.coverage.payer_id
    manual = manual_for(library, payer)
    index = policy_index(library)
    results = []
    if lookup.admission:
        results.append(_admission_lookup(case, library))
    for raw in lookup.codes:
        code = raw.strip().upper()
        found = index.lookup(payer, code)
        if found is None:
            problem = None if index.is_known(code) else code_problem(code)
            if problem:
                message = f"{problem}; check the code."
            else:
                described = describe(code)
                message = f"{manual.name} does not require authorization for {code}" + (
                    f" ({described})." if described else "; no policy of this payer governs it."
                )
            results.append(AuthRequirement(code=code, required=False, message=message))
            continue
        policy, pc = found
        required, why = code_requirement(policy, pc, _order_evidence(case, policy), lookup.at.date())
        docs = [
            _doc_line(d.kind, d.description, d.max_age_days, d.required_if is not None)
            for d in policy.documentation
        ]
        results.append(
            AuthRequirement(
                code=code,
                required=required,
                policy_id=policy.id,
                policy_title=policy.title,
                documentation=docs if required else [],
                submit_lead_business_days=policy.timeframes.submit_lead_business_days if required else None,
                message=why,
            )
        )
    return LookupReply(payer_id=payer, results=results)


# what a look-up for an admission answers about: the admission review, not a code
ADMISSION_LOOKUP = "inpatient admission"


def _admission_lookup(case: Case, library: Library) -> AuthRequirement:
    """Whether the case's payer certifies an elective inpatient admission, under which policy, with what documents."""
    manual = manual_for(library, case.coverage.payer_id)
    policy = policy_index(library).admission.get(case.coverage.payer_id)
    if policy is None:
        return AuthRequirement(
            code=ADMISSION_LOOKUP,
            required=False,
            message=f"{manual.name} does not require pre-admission certification.",
        )
    required, why = admission_requirement(policy, case.order.admission_type)
    docs = [
        _doc_line(d.kind, d.description, d.max_age_days, d.required_if is not None)
        for d in policy.documentation
    ]
    return AuthRequirement(
        code=ADMISSION_LOOKUP,
        required=required,
        policy_id=policy.id,
        policy_title=policy.title,
        documentation=docs if required else [],
        submit_lead_business_days=policy.timeframes.submit_lead_business_days if required else None,
        message=why + " Send it as an admission review (278 UM01 AR), not as a procedure code.",
    )


def _doc_line(kind: str, description: str, max_age: int | None, conditional: bool) -> str:
    text = f"{kind}: {description}"
    if max_age:
        text += f" (dated within {max_age} days)"
    if conditional:
        text += " (when the policy's condition applies)"
    return text
