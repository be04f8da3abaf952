"""Stages 5 to 8, the clinical review: coding, documentation, medical necessity and limits.

Each function looks at one thing and returns the reasons it finds, so the pipeline (and a trainee
reading the notice) can tell exactly which stage decided and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from knowledge_base.criteria import Evidence
from knowledge_base.models import Criterion, DocumentRequirement, Policy
from simulator.evidence import describe_facts, fact_label
from simulator.models import ApprovedLine, CriterionResult, Reason
from simulator.view import PayerView


def evaluate_criteria(policy: Policy, evidence: Evidence, as_of: date) -> list[CriterionResult]:
    """Every criterion of ``policy`` on ``evidence``; a criterion whose ``applies_if`` is not met is met."""
    results = []
    for crit in policy.criteria:
        if crit.applies_if is not None and crit.applies_if.evaluate(evidence, as_of).status == "not_met":
            results.append(CriterionResult(criterion_id=crit.id, text=crit.text, status="met"))
            continue
        out = crit.rule.evaluate(evidence, as_of)
        results.append(
            CriterionResult(
                criterion_id=crit.id,
                text=crit.text,
                status=out.status,
                document_ids=out.document_ids,
                missing=out.missing,
            )
        )
    return results


def diagnosis_supported(policy: Policy, diagnoses: list[str]) -> bool:
    prefixes = [p.replace(".", "").upper() for p in policy.diagnoses]
    return any(d.replace(".", "").upper().startswith(p) for d in diagnoses for p in prefixes)


def coding_denial(view: PayerView, policy: Policy) -> Reason | None:
    """HCR03 92 (service inconsistent with diagnosis): none of the request's diagnoses is one the policy accepts for this service."""
    if diagnosis_supported(policy, view.submission.diagnoses):
        return None
    listed = ", ".join(policy.diagnoses)
    return Reason(
        code="92",
        kind="denial",
        claim_code="CO-167",
        edit="diagnosis_not_supported",
        message=(
            f"None of the diagnoses sent ({', '.join(view.submission.diagnoses)}) supports {policy.title} under "
            f"{policy.id}; the policy accepts {listed}. Check the order's diagnosis and its specificity."
        ),
    )


@dataclass(frozen=True, slots=True)
class DocumentGap:
    requirement: DocumentRequirement
    reason: Reason
    request: str


def required_documents(policy: Policy, evidence: Evidence, as_of: date) -> list[DocumentRequirement]:
    """The policy's documentation items that apply; a condition that cannot be assessed counts as applying
    (the payer asks for the document rather than assume it is not needed)."""
    return [
        req
        for req in policy.documentation
        if req.required_if is None or req.required_if.evaluate(evidence, as_of).status != "not_met"
    ]


def documentation_gaps(
    view: PayerView,
    policy: Policy,
    evidence: Evidence,
    as_of: date,
    *,
    check_age: bool = True,
) -> list[DocumentGap]:
    """A pend (free-text request for information) per required document kind that was not sent, or (``check_age``) whose newest copy is too old."""
    gaps = []
    for req in required_documents(policy, evidence, as_of):
        sent = [d for d in view.documents if d.kind == req.kind]
        ask = f"{req.kind}: {req.description}" + (
            f" (dated within {req.max_age_days} days)" if req.max_age_days else ""
        )
        if not sent:
            gaps.append(
                DocumentGap(
                    req,
                    Reason(
                        code="MSG",
                        kind="pend",
                        edit=f"document:{req.kind}",
                        message=(
                            f"{policy.id} requires {_lower_first(req.description)} ({req.kind}); none was attached. Send it."
                        ),
                    ),
                    ask,
                )
            )
            continue
        newest = max(sent, key=lambda d: d.date)
        age = (as_of - newest.date).days
        if check_age and req.max_age_days is not None and age > req.max_age_days:
            gaps.append(
                DocumentGap(
                    req,
                    Reason(
                        code="MSG",
                        kind="pend",
                        edit=f"document:{req.kind}",
                        message=(
                            f"The {req.kind} sent ({newest.id}, dated {newest.date.isoformat()}) is {age} days old; {policy.id} "
                            f"needs one dated within {req.max_age_days} days. Send a current one."
                        ),
                    ),
                    ask,
                )
            )
    return gaps


def _criterion(policy: Policy, criterion_id: str) -> Criterion:
    return next(c for c in policy.criteria if c.id == criterion_id)


def evidence_pends(policy: Policy, results: list[CriterionResult]) -> list[tuple[Reason, str]]:
    """A request for information for each criterion the documents sent do not let the reviewer assess."""
    out = []
    for res in results:
        if res.status != "not_evidenced":
            continue
        missing = ", ".join(fact_label(m) for m in res.missing) or "the facts it needs"
        out.append(
            (
                Reason(
                    code="MSG",
                    kind="pend",
                    criterion_id=res.criterion_id,
                    message=(
                        f"Criterion {res.criterion_id} cannot be assessed from the records sent: {res.text} The records sent "
                        f"do not show: {missing}. Send the record that documents it."
                    ),
                ),
                f"Evidence for {res.criterion_id}: {missing}",
            )
        )
    return out


def _lower_first(text: str) -> str:
    """Lower-case only the first letter: 'Sleep study report ... CMA-CPAP-001.3' keeps its ids and acronyms."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def necessity_denials(policy: Policy, results: list[CriterionResult], evidence: Evidence) -> list[Reason]:
    """HCR03 82 (not medically necessary) per criterion that is not met, naming it and what the records sent say."""
    reasons = []
    for res in results:
        if res.status != "not_met":
            continue
        stated = describe_facts(_criterion(policy, res.criterion_id).rule.facts_used(), evidence)
        said = f" The records sent state: {stated}." if stated else ""
        reasons.append(
            Reason(
                code="82",
                kind="denial",
                claim_code="CO-50",
                criterion_id=res.criterion_id,
                message=(
                    f"Not medically necessary under {policy.id}: criterion {res.criterion_id} is not met. {res.text}{said}"
                ),
            )
        )
    return reasons


@dataclass(frozen=True, slots=True)
class Limits:
    lines: list[ApprovedLine]
    days: int
    reasons: list[Reason]
    admission_days: int | None = None  # an admission review: the inpatient days certified


def apply_limits(view: PayerView, policy: Policy) -> Limits:
    """Approved units per line (code and policy unit caps) and the approval period (duration cap)."""
    reasons: list[Reason] = []
    lines: list[ApprovedLine] = []
    left = policy.max_units
    for line in view.submission.procedures:
        pc = policy.code(line.code)
        if pc is None:
            continue  # a line no policy governs needs no authorization
        units = line.units
        if pc.max_units is not None and units > pc.max_units:
            units = pc.max_units
        if left is not None:
            units = min(units, left)
            left -= units
        if units < line.units:
            reasons.append(
                Reason(
                    code="87",
                    kind="partial",
                    claim_code="CO-198",
                    edit=f"units:{line.code}",
                    message=(
                        f"{line.units} units of {line.code} were requested; {policy.id} allows {units} "
                        f"(limit {pc.max_units or policy.max_units}). The rest is not authorized."
                    ),
                )
            )
        if units > 0:
            lines.append(ApprovedLine(code=line.code, units=units))
    days = policy.timeframes.approval_days
    asked = view.submission.requested_duration_days
    if asked is not None and policy.max_duration_days is not None and asked > policy.max_duration_days:
        days = policy.max_duration_days
        reasons.append(
            Reason(
                code="87",
                kind="partial",
                claim_code="CO-198",
                edit="duration",
                message=(
                    f"{asked} {'inpatient ' if view.submission.admission else ''}days were requested; {policy.id} "
                    f"approves at most {policy.max_duration_days} days at a time."
                ),
            )
        )
    if view.submission.admission:
        # the days certified are the days asked for, within the initial certification (asked is required
        # by the front-end edits; the approval period stands in if a replayed request lacks it)
        cap = policy.max_duration_days
        certified = days if asked is None else asked if cap is None else min(asked, cap)
        return Limits(lines, days, reasons, admission_days=certified)
    return Limits(lines, days, reasons)
