"""The adjudication pipeline (docs/architecture.md, "The simulated payer"): front-end edits, eligibility, authorization requirement,
timeliness, coding, documentation, medical necessity, limits; and answering a pend.

The pipeline reads a :class:`~simulator.view.PayerView` only. Each stage either lets the request go on
or ends it with a determination whose ``stage`` and ``reasons`` say what decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from knowledge_base.criteria import Evidence
from knowledge_base.loader import Library, load_library
from knowledge_base.models import Policy
from scenarios.models import Case, PendReply, Submission
from simulator import clock
from simulator.codes import policy_index
from simulator.edits import front_end_edits
from simulator.eligibility import eligibility_rejects, network_reasons, referral_missing
from simulator.evidence import build_evidence
from simulator.models import CriterionResult, Determination, Reason, Stage
from simulator.notices import (
    approval_fields,
    authorization_number,
    clocks,
    decision_clock,
    notice,
    pend_terms,
    policy_prefix,
    resumed_due,
)
from simulator.realism import OFF, Realism
from simulator.requirements import auth_decision
from simulator.review import (
    apply_limits,
    coding_denial,
    documentation_gaps,
    evaluate_criteria,
    evidence_pends,
    necessity_denials,
)
from simulator.view import PayerView, SimulatorError, build_view


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


def adjudicate(
    case: Case, submission: Submission, *, library: Library | None = None, realism: Realism | None = None
) -> Determination:
    """The payer's determination of ``submission`` on ``case`` (only attached documents are read).

    ``realism`` (off unless given with ``enabled``) draws decision times and reviewer variability,
    seeded; graded paths never pass it (:mod:`simulator.realism`).

    >>> from scenarios import generate_case
    >>> cases = (generate_case("advanced_imaging", seed) for seed in range(50))
    >>> case = next(c for c in cases if c.archetype_id == "mri_meets")
    >>> adjudicate(case, case.answer_key.reference_submission).status
    'approved'
    """
    library = library or load_library()
    view = build_view(case, submission, library)
    run = Run(view, library, as_of=view.received_on, clock_from=submission.at, realism=realism or OFF)
    return run_pipeline(run)


def run_pipeline(run: Run, *, front_end: bool = True) -> Determination:
    view, sub, manual = run.view, run.view.submission, run.view.manual
    received = sub.at
    if front_end:
        rejects = front_end_edits(view, policy_index(run.library))
        if rejects:
            return notice(
                "rejected",
                "front_end",
                received=received,
                due=None,
                decided=received,
                reasons=rejects,
                manual=manual,
            )
    network = network_reasons(view)
    rejects = eligibility_rejects(view) or [r for r in network if r.kind == "reject"]
    run.info += [r for r in network if r.kind == "info"]
    if rejects:
        return notice(
            "rejected",
            "eligibility",
            received=received,
            due=None,
            decided=received,
            reasons=rejects,
            manual=manual,
        )
    referral = referral_missing(view)
    if referral is not None:
        due, decided = _clocks(run, expedited=False, policy=None)
        terms = pend_terms(
            decision_clock(None, manual),
            manual,
            due=due,
            noticed=decided,
            expedited=False,
            extended=run.due is not None,
        )
        return notice(
            "pended",
            "eligibility",
            received=received,
            due=terms.due,
            decided=decided,
            reasons=[referral, terms.reason],
            manual=manual,
            request_for_information=["PCP referral for the requested specialist service"],
            pend_reply_by=terms.reply_by,
        )

    auth = auth_decision(view, run.library, build_evidence(view, None, with_documents=False))
    if auth.policy is None or not auth.required:
        return notice(
            "no_auth_required",
            "auth_requirement",
            received=received,
            due=None,
            decided=received,
            reasons=[Reason(code="MSG", kind="info", edit="auth_not_required", message=auth.explanation)],
            manual=manual,
            policy=auth.policy,
        )
    return _review(run, auth.policy)


def _review(run: Run, policy: Policy) -> Determination:
    """Stages 4 to 8 for a request that needs authorization under ``policy``."""
    view, sub, manual = run.view, run.view.submission, run.view.manual
    evidence = build_evidence(view, policy)
    expedited = _expedited(run, policy, evidence)
    due, decided = _clocks(run, expedited=expedited, policy=policy)
    if run.realism.enabled:
        decided = run.realism.decided_at(
            run.clock_from, due, expedited=expedited, service_line=policy.service_line, key=_realism_key(run)
        )
    base = {
        "received": sub.at,
        "due": due,
        "decided": decided,
        "manual": manual,
        "policy": policy,
        "expedited": expedited,
    }

    # 4. timeliness
    if view.received_on > sub.date_of_service:
        return notice(
            "denied",
            "timeliness",
            reasons=[
                *run.info,
                Reason(
                    code="89",
                    kind="denial",
                    claim_code="CO-210",
                    edit="retro_request",
                    message=(
                        f"The request was received on {view.received_on.isoformat()}, after the date of service "
                        f"{sub.date_of_service.isoformat()}; {policy.id} needs authorization before the service."
                    ),
                ),
            ],
            **base,
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
        return notice("denied", "coding", reasons=[*run.info, denial], **base)

    # 6. documentation: missing or stale documents, and criteria nothing sent lets the reviewer assess
    results = evaluate_criteria(policy, evidence, run.as_of)
    gaps = documentation_gaps(view, policy, evidence, run.as_of)
    asks = evidence_pends(policy, results)
    if gaps or asks:
        # one pend asks for everything at once: each missing document and each criterion nothing sent
        # lets the reviewer assess, so a single reply can complete the request
        terms = pend_terms(
            decision_clock(policy, manual),
            manual,
            due=due,
            noticed=decided,
            expedited=expedited,
            extended=run.due is not None,
        )
        return notice(
            "pended",
            "documentation",
            reasons=[*run.info, *(g.reason for g in gaps), *(a[0] for a in asks), terms.reason],
            criteria=results,
            request_for_information=[*(g.request for g in gaps), *(a[1] for a in asks)],
            pend_reply_by=terms.reply_by,
            **{**base, "due": terms.due},
        )

    # 7. medical necessity
    denials = necessity_denials(policy, results, evidence)
    if denials:
        return notice("denied", "medical_necessity", reasons=[*run.info, *denials], criteria=results, **base)

    # realism only: a second reviewer reads the same records differently at the base rate
    if run.realism.enabled and run.realism.reviewer_denies(*_realism_key(run)):
        return notice(
            "denied",
            "medical_necessity",
            reasons=[*run.info, reviewer_denial(policy)],
            criteria=results,
            **base,
        )

    # 8. approval, capped by unit and duration limits
    return approve(run, policy, results, base, salt="")


REVIEWER_VARIABILITY = "reviewer_variability"


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
    base: dict[str, Any],
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
    extra = approval_fields(limits.lines, view.submission.date_of_service, limits.days, number)
    status = "partially_approved" if limits.reasons else "approved"
    summary = ", ".join(f"{line.code} x{line.units}" for line in limits.lines)
    message = (
        f"{'Partially approved' if limits.reasons else 'Approved'} under {policy.id}: {summary}, valid "
        f"{extra['valid_from']} to {extra['valid_to']}, authorization number {number}."
    )
    info = [*(reasons or []), *run.info, Reason(code="MSG", kind="info", edit="approval", message=message)]
    return notice(status, stage, reasons=[*limits.reasons, *info], criteria=results, **base, **extra)  # type: ignore[arg-type]


def _clocks(run: Run, *, expedited: bool, policy: Policy | None) -> tuple[datetime, datetime]:
    """(decision due, decided at): from the request's own clock, or the one a pend reply resumed."""
    due, decided = clocks(run.clock_from, expedited=expedited, policy=policy, manual=run.view.manual)
    if run.due is not None:
        due = run.due
        decided = clock.decided_at(run.clock_from, due, expedited=expedited)
    return due, decided


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


def answer_pend(
    case: Case,
    submission: Submission,
    pended: Determination,
    reply: PendReply,
    *,
    library: Library | None = None,
    realism: Realism | None = None,
) -> Determination:
    """Merge the reply's documents into the request and review it again from eligibility on.

    A reply after ``pended.pend_reply_by``, or one that still leaves something missing, is denied (HCR03 90, requested information not received).
    """
    if pended.status != "pended":
        raise SimulatorError(
            f"pended: expected a pended determination to answer, got status {pended.status!r}"
        )
    library = library or load_library()
    merged = merge_documents(submission, reply.document_ids)
    view = build_view(case, merged, library)
    policy = library.policies.get(pended.policy_id) if pended.policy_id else None
    if pended.pend_reply_by is not None and clock.is_after(reply.at, pended.pend_reply_by):
        return _not_provided(
            pended,
            view,
            policy,
            [
                Reason(
                    code="90",
                    kind="denial",
                    claim_code="CO-197",
                    edit="pend_reply_late",
                    message=(
                        f"The requested information arrived on {reply.at.date().isoformat()}, after the reply-by date "
                        f"{pended.pend_reply_by.date().isoformat()}; the request is denied for information not provided."
                    ),
                )
            ],
            decided=pended.pend_reply_by,
        )
    dc = decision_clock(policy, view.manual)
    run = Run(
        view,
        library,
        as_of=reply.at.date(),
        clock_from=reply.at,
        due=resumed_due(dc, pended, reply.at),
        realism=realism or OFF,
    )
    if view.unknown_document_ids:
        run.info.append(
            Reason(
                code="MSG",
                kind="info",
                edit="attachment_unknown",
                message=(
                    f"Document id(s) {', '.join(view.unknown_document_ids)} in the reply were not received and were ignored."
                ),
            )
        )
    again = run_pipeline(run, front_end=False)
    if again.status != "pended" or again.stage != pended.stage:
        # decided, or pended at a later stage for information the first pend never asked for
        # (e.g. the referral arrived and now the clinical documents are reviewed): a new pend, not a denial
        return again
    still = [
        Reason(
            code="90",
            kind="denial",
            claim_code="CO-197",
            criterion_id=r.criterion_id,
            edit=r.edit,
            message=f"Requested information not provided: {r.message}",
        )
        for r in again.reasons
        if r.kind == "pend"
    ]
    return _not_provided(
        again,
        view,
        policy,
        [*(r for r in again.reasons if r.kind == "info"), *still],
        decided=again.decided_at,
    )


def merge_documents(submission: Submission, document_ids: list[str]) -> Submission:
    """The request with more documents attached (a pend reply's), without duplicates."""
    ids = list(dict.fromkeys([*submission.document_ids, *document_ids]))
    return submission.model_copy(update={"document_ids": ids})


def _not_provided(
    pended: Determination, view: PayerView, policy: Policy | None, reasons: list[Reason], *, decided: datetime
) -> Determination:
    reasons = [r for r in reasons if r.edit not in ("appeal_rights", "review_procedure")]
    return notice(
        "denied",
        pended.stage,
        received=view.submission.at,
        due=pended.decision_due,
        decided=decided,
        reasons=reasons,
        manual=view.manual,
        policy=policy,
        expedited=pended.expedited,
        criteria=pended.criteria,
    )
