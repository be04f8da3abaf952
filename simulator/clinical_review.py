"""Stages 4 to 8 of the pipeline, for a request that needs authorization: timeliness, coding,
documentation, medical necessity, and approval capped by limits (docs/architecture.md, "The simulated
payer").

:mod:`simulator.adjudication` runs the front end (edits, eligibility, referral, whether authorization
is needed) and hands a request that needs it to :func:`review_request`; :mod:`simulator.review` holds
the checks each stage runs. This module orders them, keeps the clocks and writes the notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from knowledge_base.criteria import Evidence
from knowledge_base.loader import Library
from knowledge_base.models import Policy
from scenarios.identity import authorization_number
from scenarios.models import DeterminationStatus
from simulator import clock
from simulator.evidence import build_evidence
from simulator.models import CriterionResult, Determination, Reason, Stage
from simulator.notices import (
    NoticeHeader,
    PendTerms,
    approval_of,
    clocks,
    decision_clock,
    notice,
    pend_terms,
    policy_prefix,
)
from simulator.realism import OFF, Realism
from simulator.review import (
    apply_limits,
    coding_denial,
    documentation_gaps,
    evaluate_criteria,
    evidence_pends,
    necessity_denials,
)
from simulator.view import PayerView

REVIEWER_VARIABILITY = "reviewer_variability"


@dataclass(slots=True)
class Run:
    """One pass of the pipeline: the view, when the review happens, and what it has found so far."""

    view: PayerView
    library: Library
    as_of: date  # criteria and document recency are measured on this date
    clock_from: datetime  # decision clocks run from here (receipt, or the pend reply)
    info: list[Reason] = field(default_factory=list)
    # after a pend reply: the decision due time the pend's clock leaves (an extension's, or a tolled
    # clock's remainder); None computes it from clock_from
    due: datetime | None = None
    realism: Realism = OFF  # seeded reviewer variability; off on every graded path

    def clocks(self, *, expedited: bool, policy: Policy | None) -> tuple[datetime, datetime]:
        """(decision due, decided at): from the request's own clock, or the one a pend reply resumed."""
        due, decided = clocks(self.clock_from, expedited=expedited, policy=policy, manual=self.view.manual)
        if self.due is not None:
            due = self.due
            decided = clock.decided_at(self.clock_from, due, expedited=expedited)
        return due, decided

    def pend_terms(
        self, policy: Policy | None, *, due: datetime, decided: datetime, expedited: bool
    ) -> PendTerms:
        """The clock of a pend noticed at ``decided``; a pend after a reply (``due`` resumed) cannot
        take the one extension again."""
        manual = self.view.manual
        return pend_terms(
            decision_clock(policy, manual),
            manual,
            due=due,
            noticed=decided,
            expedited=expedited,
            extended=self.due is not None,
        )


def review_request(run: Run, policy: Policy) -> Determination:
    """Stages 4 to 8 for a request that needs authorization under ``policy``."""
    view, sub = run.view, run.view.submission
    evidence = build_evidence(view, policy)
    expedited = _expedited(run, policy, evidence)
    due, decided = run.clocks(expedited=expedited, policy=policy)
    if run.realism.enabled:
        decided = run.realism.decided_at(
            run.clock_from, due, expedited=expedited, service_line=policy.service_line, key=_realism_key(run)
        )
    header = NoticeHeader(
        received=sub.at, due=due, decided=decided, manual=view.manual, policy=policy, expedited=expedited
    )

    # 4. timeliness
    if view.received_on > sub.date_of_service:
        return notice(
            "denied",
            "timeliness",
            header,
            reasons=[
                *run.info,
                retro_request(
                    f"The request was received on {view.received_on.isoformat()}, after the date of service "
                    f"{sub.date_of_service.isoformat()}; {policy.id} needs authorization before the service."
                ),
            ],
        )
    lead = clock.business_days_between(view.received_on, sub.date_of_service)
    if not expedited and lead < policy.timeframes.submit_lead_business_days:
        run.info.append(
            Reason(
                code="MSG",
                kind="info",
                edit="lead_time",
                message=(
                    f"Submitted {lead} business day(s) before the date of service; {policy.id} asks for "
                    f"{policy.timeframes.submit_lead_business_days}, to cover the standard decision window. The "
                    f"payer may take until {due.date().isoformat()} to decide, "
                    + ("after" if due.date() > sub.date_of_service else "close to")
                    + " the scheduled date."
                ),
            )
        )

    # 5. coding
    denial = coding_denial(view, policy)
    if denial is not None:
        return notice("denied", "coding", header, reasons=[*run.info, denial])

    # 6. documentation: missing or stale documents, and criteria nothing sent lets the reviewer assess
    results = evaluate_criteria(policy, evidence, run.as_of)
    gaps = documentation_gaps(view, policy, evidence, run.as_of)
    asks = evidence_pends(policy, results)
    if gaps or asks:
        # one pend asks for everything at once: each missing document and each criterion nothing sent
        # lets the reviewer assess, so a single reply can complete the request
        terms = run.pend_terms(policy, due=due, decided=decided, expedited=expedited)
        return notice(
            "pended",
            "documentation",
            replace(header, due=terms.due),
            reasons=[*run.info, *(g.reason for g in gaps), *(a[0] for a in asks), terms.reason],
            criteria=results,
            request_for_information=[*(g.request for g in gaps), *(a[1] for a in asks)],
            pend_reply_by=terms.reply_by,
        )

    # 7. medical necessity
    denials = necessity_denials(policy, results, evidence)
    if denials:
        return notice("denied", "medical_necessity", header, reasons=[*run.info, *denials], criteria=results)

    # realism only: a second reviewer reads the same records differently at the base rate
    if run.realism.enabled and run.realism.reviewer_denies(*_realism_key(run)):
        return notice(
            "denied",
            "medical_necessity",
            header,
            reasons=[*run.info, reviewer_denial(policy)],
            criteria=results,
        )

    # 8. approval, capped by unit and duration limits
    return approve(run, policy, results, header, salt="")


def retro_request(message: str) -> Reason:
    """The timeliness denial (HCR03 89, claim CO-210): authorization was asked for after the service."""
    return Reason(code="89", kind="denial", claim_code="CO-210", edit="retro_request", message=message)


def reviewer_denial(policy: Policy) -> Reason:
    """The denial realism mode's reviewer issues: the plan's medical director weighs the same records
    against the first criterion differently (appeals overturn most such denials)."""
    first = policy.criteria[0] if policy.criteria else None
    return Reason(
        code="50",
        kind="denial",
        criterion_id=first.id if first else None,
        edit=REVIEWER_VARIABILITY,
        message=(
            f"The reviewer did not accept the records sent as showing {first.id}: {first.text}"
            if first
            else f"The reviewer did not find the request medically necessary under {policy.id}."
        )
        + " (Realism mode: reviewer variability at the base denial rate; an appeal usually overturns it.)",
    )


def _realism_key(run: Run) -> tuple[str, ...]:
    return (run.view.case_id, run.view.submission.model_dump_json(), run.clock_from.isoformat())


def approve(
    run: Run,
    policy: Policy,
    results: list[CriterionResult],
    header: NoticeHeader,
    *,
    salt: str,
    stage: Stage = "decision",
    reasons: list[Reason] | None = None,
) -> Determination:
    """Approved (A1) or, when a unit or duration limit cuts the request, partially approved (A2)."""
    view = run.view
    limits = apply_limits(view, policy)
    number = authorization_number(
        policy_prefix(policy), view.case_id, view.submission.model_dump_json(), salt
    )
    granted = approval_of(
        limits.lines,
        view.submission.date_of_service,
        limits.days,
        number,
        admission_days=limits.admission_days,
    )
    status: DeterminationStatus = "partially_approved" if limits.reasons else "approved"
    summary = ", ".join(f"{line.code} x{line.units}" for line in limits.lines)
    if limits.admission_days is not None:
        stay = f"inpatient admission on {granted.valid_from}, {limits.admission_days} days"
        summary = f"{stay} (planned procedures {summary})" if summary else stay
    message = (
        f"{'Partially approved' if limits.reasons else 'Approved'} under {policy.id}: {summary}, valid "
        f"{granted.valid_from} to {granted.valid_to}, authorization number {number}."
    )
    info = [*(reasons or []), *run.info, Reason(code="MSG", kind="info", edit="approval", message=message)]
    return notice(status, stage, header, reasons=[*limits.reasons, *info], criteria=results, approval=granted)


def _expedited(run: Run, policy: Policy, evidence: Evidence) -> bool:
    """Whether the request runs on the expedited clock (docs/sources.md#regulatory-clocks-and-urgency).

    A provider's expedited request is the treating physician's attestation that the standard time could
    seriously jeopardize the patient, and it binds the plan (29 CFR 2560.503-1(m)(1)(ii), 42 CFR
    422.570(c)(2)(ii), 438.210(d)(2)): it is honoured, and the notice says so when the records sent do
    not show why. Only a member's own request is judged on the policy's ``expedite_if``, and moved to
    the standard clock with notice when it is not met (42 CFR 422.570(d)).
    """
    sub = run.view.submission
    if sub.urgency != "expedited":
        return False
    shown = policy.expedite_if is None or policy.expedite_if.evaluate(evidence, run.as_of).status == "met"
    if sub.requested_by == "provider":
        if not shown:
            run.info.append(
                Reason(
                    code="MSG",
                    kind="info",
                    edit="expedite_attested",
                    message=(
                        "Expedited review is given on the requesting physician's attestation of urgency, which "
                        f"binds {run.view.manual.name}; the records sent do not show why ({policy.id}'s "
                        "expedite criteria). An attestation the chart does not support is a compliance risk."
                    ),
                )
            )
        return True
    if shown:
        return True
    run.info.append(
        Reason(
            code="MSG",
            kind="info",
            edit="expedite_reclassified",
            message=(
                f"The member asked for expedited review; the records sent do not meet {policy.id}'s criteria for "
                "it, so the request is moved to the standard clock. Written notice: the member may resubmit with a "
                "physician's support (which the plan must expedite) or file an expedited grievance."
            ),
        )
    )
    return False
