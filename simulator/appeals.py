"""Stage 9, appeals and peer-to-peer: each level with its own filing window and decision clock.

Which levels are open is carried by the adverse determination itself (its ``appeal_rights``): the
initial denial opens the levels with ``after: null``; an upheld decision at a level opens the levels
that follow it; a peer-to-peer that upholds leaves the formal levels open with their original
deadlines. An appeal succeeds only when the evidence now sent meets every criterion that failed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from knowledge_base.loader import Library, load_library
from knowledge_base.models import AppealLevel, Manual, Policy
from scenarios.models import Appeal, Case, PeerToPeer, Submission
from simulator import clock
from simulator.clinical_review import REVIEWER_VARIABILITY, Run, approve, retro_request
from simulator.eligibility import referral_missing
from simulator.evidence import build_evidence
from simulator.models import AppealRight, Determination, Reason
from simulator.notices import ADVERSE, NoticeHeader, level_clock, notice, rights_after
from simulator.realism import OFF, Realism
from simulator.requirements import auth_decision
from simulator.review import documentation_gaps, evaluate_criteria, necessity_denials
from simulator.view import PayerView, SimulatorError, build_view, chart_index

P2P = "peer_to_peer"


def decide_appeal(
    case: Case,
    submission: Submission,
    denial: Determination,
    appeal: Appeal,
    *,
    library: Library | None = None,
    realism: Realism | None = None,
) -> Determination:
    """The decision on ``appeal`` against ``denial`` (an adverse determination of ``submission``).

    Wrong or unavailable level → ``rejected`` naming the open level(s); filed late → ``dismissed`` (not
    reviewed, the denial stands); otherwise overturned (``approved``) or upheld (``denied``). With
    ``realism`` on, a denial realism's reviewer issued is overturned at the appeal base rate.
    """
    library = library or load_library()
    return _decide(
        case,
        submission,
        denial,
        library,
        level=appeal.level,
        at=appeal.at,
        document_ids=appeal.document_ids,
        expedited=appeal.expedited,
        realism=realism or OFF,
    )


def request_peer_to_peer(
    case: Case,
    submission: Submission,
    denial: Determination,
    p2p: PeerToPeer,
    *,
    library: Library | None = None,
) -> Determination:
    """A peer-to-peer review of ``denial``: decided like an appeal, on the documents already sent plus
    those the ordering physician's talking points rely on (``p2p.document_ids``)."""
    library = library or load_library()
    return _decide(
        case,
        submission,
        denial,
        library,
        level=P2P,
        at=p2p.at,
        document_ids=p2p.document_ids,
        expedited=False,
    )


def open_rights(manual: Manual, denial: Determination) -> list[AppealRight]:
    """The appeal levels open against ``denial`` with their deadlines."""
    if denial.appeal_rights or denial.appeal_level is not None:
        return list(denial.appeal_rights)
    # a hand-built initial denial without rights: derive them from the manual's ladder
    return rights_after(manual, None, denial.decided_at.date())


def _describe_open(rights: list[AppealRight]) -> str:
    filed = [f"{r.level} ({r.name}, file by {r.file_by.isoformat()})" for r in rights if not r.automatic]
    auto = [f"{r.level} ({r.name}) is automatic" for r in rights if r.automatic]
    return "; ".join(filed + auto) or "none"


def _decide(
    case: Case,
    submission: Submission,
    denial: Determination,
    library: Library,
    *,
    level: str,
    at: datetime,
    document_ids: list[str],
    expedited: bool,
    realism: Realism = OFF,
) -> Determination:
    if denial.status not in ADVERSE:
        raise SimulatorError(
            f"denial: there is no adverse determination to appeal (status {denial.status!r})"
        )
    view = build_view(case, submission, library)
    manual = view.manual
    rights = open_rights(manual, denial)
    offered = manual.appeal_level(level)
    right = next((r for r in rights if r.level == level), None)

    def reject(edit: str, message: str) -> Determination:
        # the appeal is not processed: the denial and its appeal rights stand unchanged
        return notice(
            "rejected",
            "appeal",
            NoticeHeader(
                received=at,
                due=None,
                decided=at,
                manual=manual,
                policy=_policy(library, denial),
                rights=rights,
                appeal_level=level,
            ),
            criteria=denial.criteria,
            reasons=[Reason(code="33", kind="reject", follow_up="C", edit=edit, message=message)],
        )

    if offered is None:
        return reject(
            "appeal_level",
            f"{manual.name} has no {level!r} appeal level. Open now: {_describe_open(rights)}.",
        )
    if right is None:
        return reject(
            "appeal_level",
            f"{offered.name} is not open for this decision. Open now: {_describe_open(rights)}.",
        )
    view = view.with_documents(document_ids, chart_index(case))
    if view.unknown_document_ids:
        return reject(
            "attachment_unknown",
            f"Document id(s) {', '.join(view.unknown_document_ids)} were not "
            "received; attach documents from the chart.",
        )
    policy = _policy(library, denial) or _governing_policy(view, library)
    offered = level_clock(offered, policy)
    lvl_expedited = expedited and (
        offered.expedited_decision_hours is not None or offered.expedited_decision_business_days is not None
    )
    due = _due(at, offered, lvl_expedited, denial)
    decided = clock.decided_at(at, due, expedited=lvl_expedited)
    header = NoticeHeader(
        received=at,
        due=due,
        decided=decided,
        manual=manual,
        policy=policy,
        expedited=lvl_expedited,
        appeal_level=level,
    )
    if at.date() > right.file_by:
        # a late appeal is dismissed, not decided: nobody reviews it, so there is no HCR decision and no
        # claim code; the denial it was filed against stands (docs/sources.md#x12-transactions-and-reason-codes)
        return notice(
            "dismissed",
            "appeal",
            replace(header, rights=[r for r in rights if r.level != level]),
            criteria=denial.criteria,
            reasons=[
                Reason(
                    code="MSG",
                    kind="dismissal",
                    edit="appeal_late",
                    message=(
                        f"The {offered.name} was filed on {at.date().isoformat()}, after its deadline "
                        f"{right.file_by.isoformat()} ({offered.file_within_days} "
                        f"{'months' if offered.file_within_kind == 'months' else 'days'} from the decision); "
                        "it is dismissed and the denial stands."
                    ),
                )
            ],
        )
    if policy is None:
        raise SimulatorError("denial.policy_id: the denial names no policy, so there is nothing to review")
    next_rights = (
        [r for r in rights if r.level != P2P]
        if level == P2P
        else rights_after(manual, level, decided.date(), policy)
    )
    run = Run(view, library, as_of=at.date(), clock_from=at, realism=realism)
    return _review(run, policy, denial, offered, replace(header, rights=next_rights))


def _review(
    run: Run,
    policy: Policy,
    denial: Determination,
    level: AppealLevel,
    header: NoticeHeader,
) -> Determination:
    view = run.view
    evidence = build_evidence(view, policy)
    results = evaluate_criteria(policy, evidence, run.as_of)
    upheld: list[Reason] = []
    if denial.stage == "timeliness":
        upheld.append(
            retro_request(
                "The request was submitted after the date of service; an appeal cannot change when it was received."
            )
        )
    elif denial.stage == "coding":
        upheld.append(
            Reason(
                code="92",
                kind="denial",
                claim_code="CO-167",
                edit="diagnosis_not_supported",
                message=(
                    "The request's diagnoses do not support the service; an appeal reviews the request as sent. "
                    "Submit a new request with a supporting diagnosis."
                ),
            )
        )
    else:
        referral = referral_missing(view)
        if referral is not None:
            upheld.append(
                Reason(
                    code="90",
                    kind="denial",
                    claim_code="CO-197",
                    edit="referral",
                    message=f"Still missing: {referral.message}",
                )
            )
        for gap in documentation_gaps(view, policy, evidence, run.as_of, check_age=False):
            upheld.append(
                Reason(
                    code="90",
                    kind="denial",
                    claim_code="CO-197",
                    edit=gap.reason.edit,
                    message=f"Still missing: {gap.request}.",
                )
            )
        upheld += necessity_denials(policy, results, evidence)
        for res in results:
            if res.status == "not_evidenced":
                upheld.append(
                    Reason(
                        code="90",
                        kind="denial",
                        claim_code="CO-197",
                        criterion_id=res.criterion_id,
                        message=(
                            f"Criterion {res.criterion_id} is still not shown by any document sent "
                            f"(missing: {', '.join(res.missing)}). {res.text}"
                        ),
                    )
                )
    if not upheld and run.realism.enabled and any(r.edit == REVIEWER_VARIABILITY for r in denial.reasons):
        key = (view.case_id, denial.model_dump_json(), level.level, run.clock_from.isoformat())
        if not run.realism.appeal_overturned(*key):
            upheld.append(
                Reason(
                    code="50",
                    kind="denial",
                    criterion_id=next((r.criterion_id for r in denial.reasons if r.criterion_id), None),
                    edit=REVIEWER_VARIABILITY,
                    message=(
                        f"{level.name}: the appeal reviewer agrees with the first reviewer. (Realism mode: "
                        "reviewer variability; most such denials are overturned, this one was not.)"
                    ),
                )
            )
    rights = header.rights or []
    if not upheld and denial.status == "partially_approved":
        # the cut was a policy limit on the request as sent; new evidence cannot lift it
        kept = Reason(
            code="MSG",
            kind="info",
            edit="appeal_upheld",
            message=(
                f"{level.name}: the partial approval is upheld; {policy.id}'s unit and duration limits apply to "
                f"this request. {_auto_text(rights)}".strip()
            ),
        )
        return approve(
            run,
            policy,
            results,
            header,
            salt=f"{level.level}|{run.clock_from.isoformat()}",
            stage="appeal",
            reasons=[kept],
        )
    if not upheld:
        failed = [r.criterion_id for r in denial.reasons if r.criterion_id] or ["the denial reason"]
        overturned = Reason(
            code="MSG",
            kind="info",
            edit="appeal_overturned",
            message=(
                f"{level.name}: the denial is overturned; the evidence now sent meets {', '.join(failed)}."
            ),
        )
        return approve(
            run,
            policy,
            results,
            header,
            salt=f"{level.level}|{run.clock_from.isoformat()}",
            stage="appeal",
            reasons=[overturned],
        )
    summary = Reason(
        code="MSG",
        kind="info",
        edit="appeal_upheld",
        message=(
            f"{level.name}: the denial is upheld." + (" " + _auto_text(rights) if _auto_text(rights) else "")
        ),
    )
    return notice("denied", "appeal", header, reasons=[*upheld, summary], criteria=results)


def _auto_text(rights: list[AppealRight]) -> str:
    auto = [r for r in rights if r.automatic]
    return " ".join(
        f"The plan forwards the case automatically to {r.name}; no filing is needed." for r in auto
    )


def _due(at: datetime, level: AppealLevel, expedited: bool, denial: Determination) -> datetime:
    """When ``level`` must decide an appeal filed ``at`` against ``denial`` (docs/sources.md)."""
    if expedited and level.expedited_decision_business_days is not None:
        return clock.add_days(at, level.expedited_decision_business_days, "business")
    if expedited and level.expedited_decision_hours is not None:
        return at + timedelta(hours=level.expedited_decision_hours)
    days = timedelta(days=level.decision_days)
    if level.decision_days_from == "first_appeal_filing" and denial.appeal_level is not None:
        # 42 CFR 431.244(f)(1)(ii): the clock started when the plan appeal was filed; the days the
        # member took to ask for this level do not count, so what the plan appeal used is deducted
        days -= denial.decided_at - denial.received_at
    return at + days


def _governing_policy(view: PayerView, library: Library) -> Policy | None:
    """The policy of the request (a denial from the eligibility stage, e.g. no referral, names none)."""
    return auth_decision(view, library, build_evidence(view, None, with_documents=False)).policy


def _policy(library: Library, denial: Determination) -> Policy | None:
    return library.policies.get(denial.policy_id) if denial.policy_id else None
