"""The adjudication pipeline (docs/architecture.md, "The simulated payer"): front-end edits, eligibility, authorization requirement,
timeliness, coding, documentation, medical necessity, limits; and answering a pend.

The pipeline reads a :class:`~simulator.view.PayerView` only. Each stage either lets the request go on
or ends it with a determination whose ``stage`` and ``reasons`` say what decided. This module runs the
front end (stages 1 to 3) and answers pends; a request that needs authorization goes on to the
clinical review in :mod:`simulator.clinical_review` (stages 4 to 8).
"""

from __future__ import annotations

from datetime import datetime

from knowledge_base.loader import Library, load_library
from knowledge_base.models import Policy
from scenarios.models import Case, PendReply, Submission
from simulator import clock

# Run, approve and REVIEWER_VARIABILITY lived here before the clinical review had its own module
from simulator.clinical_review import REVIEWER_VARIABILITY, Run, approve, review_request
from simulator.codes import policy_index
from simulator.edits import front_end_edits
from simulator.eligibility import eligibility_rejects, network_reasons, referral_missing
from simulator.evidence import build_evidence
from simulator.models import Determination, Reason
from simulator.notices import NoticeHeader, decision_clock, notice, resumed_due
from simulator.realism import OFF, Realism
from simulator.requirements import auth_decision
from simulator.view import PayerView, SimulatorError, build_view

__all__ = [
    "REVIEWER_VARIABILITY",
    "Run",
    "adjudicate",
    "answer_pend",
    "approve",
    "merge_documents",
    "run_pipeline",
]


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
    """Stages 1 to 3 (front-end edits, eligibility and referral, whether authorization is needed),
    then the clinical review; ``front_end=False`` skips the edits for a pend reply's second pass."""
    view, sub, manual = run.view, run.view.submission, run.view.manual
    # a reject or a no-auth answer is immediate: decided on receipt, with no decision clock
    at_receipt = NoticeHeader(received=sub.at, due=None, decided=sub.at, manual=manual)
    if front_end:
        rejects = front_end_edits(view, policy_index(run.library))
        if rejects:
            return notice("rejected", "front_end", at_receipt, reasons=rejects)
    network = network_reasons(view)
    rejects = eligibility_rejects(view) or [r for r in network if r.kind == "reject"]
    run.info += [r for r in network if r.kind == "info"]
    if rejects:
        return notice("rejected", "eligibility", at_receipt, reasons=rejects)
    referral = referral_missing(view)
    if referral is not None:
        due, decided = run.clocks(expedited=False, policy=None)
        terms = run.pend_terms(None, due=due, decided=decided, expedited=False)
        return notice(
            "pended",
            "eligibility",
            NoticeHeader(received=sub.at, due=terms.due, decided=decided, manual=manual),
            reasons=[referral, terms.reason],
            request_for_information=["PCP referral for the requested specialist service"],
            pend_reply_by=terms.reply_by,
        )

    auth = auth_decision(view, run.library, build_evidence(view, None, with_documents=False))
    if auth.policy is None or not auth.required:
        return notice(
            "no_auth_required",
            "auth_requirement",
            NoticeHeader(received=sub.at, due=None, decided=sub.at, manual=manual, policy=auth.policy),
            reasons=[Reason(code="MSG", kind="info", edit="auth_not_required", message=auth.explanation)],
        )
    return review_request(run, auth.policy)


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


def lapse_pend(
    case: Case, submission: Submission, pended: Determination, *, library: Library | None = None
) -> Determination:
    """The payer's decision when the reply-by date of ``pended`` passes with no reply: denied on that
    date for information not provided (HCR03 90), with appeal rights from it (the same rule as a late
    reply, see :func:`answer_pend`)."""
    if pended.status != "pended" or pended.pend_reply_by is None:
        raise SimulatorError(
            f"pended: expected a pended determination with a reply-by date, got {pended.status!r}"
        )
    library = library or load_library()
    view = build_view(case, submission, library)
    policy = library.policies.get(pended.policy_id) if pended.policy_id else None
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
                    "No reply to the request for information arrived by the reply-by date "
                    f"{pended.pend_reply_by.date().isoformat()}; the request is denied for information not provided."
                ),
            )
        ],
        decided=pended.pend_reply_by,
    )


def merge_documents(submission: Submission, document_ids: list[str]) -> Submission:
    """The request with more documents attached (a pend reply's), without duplicates."""
    ids = list(dict.fromkeys([*submission.document_ids, *document_ids]))
    return submission.model_copy(update={"document_ids": ids})


def _not_provided(
    pended: Determination, view: PayerView, policy: Policy | None, reasons: list[Reason], *, decided: datetime
) -> Determination:
    reasons = [r for r in reasons if r.edit not in ("appeal_rights", "review_procedure")]
    header = NoticeHeader(
        received=view.submission.at,
        due=pended.decision_due,
        decided=decided,
        manual=view.manual,
        policy=policy,
        expedited=pended.expedited,
    )
    return notice("denied", pended.stage, header, reasons=reasons, criteria=pended.criteria)
