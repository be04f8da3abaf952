"""Concurrent review: the payer's answer to an extension request on an approved authorization.

A stay or an intensive outpatient block runs past the approved days or units; the office asks for more
with a clinical update before the authorization ends (the policy's ``continued_stay`` rules,
docs/sources.md#concurrent-review-and-extensions). Deterministic: everything is read from the request,
the authorization on file and the documents sent, ``as_of`` the day the request arrives.

Order of the checks, each answered in plain words:
1. the authorization: the number must be the approved authorization on file (unknown, denied or
   pended → rejected, AAA03 41, with what to do instead);
2. timeliness: due by the authorization's end date; a late request covers only the days from its
   arrival (the days in between are listed as not covered, HCR03 89 / CO-210); a request whose days
   have all passed is denied as untimely;
3. documentation: the continued-stay documents, recent enough → otherwise pended;
4. continued-stay criteria, on the facts of the documents sent → denied with the criterion (and what to
   do instead: step down, plan the discharge) or approved with the new days or units and end date.
"""

from __future__ import annotations

from datetime import date, timedelta

from knowledge_base.criteria import DocumentRef, Evidence, Fact, Outcome
from knowledge_base.loader import Library
from knowledge_base.models import ContinuedStay, Policy
from scenarios.models import (
    Case,
    ChartDocument,
    DeterminationStatus,
    ExtensionRequest,
    PendReply,
    Submission,
)
from simulator import clock
from simulator.evidence import fact_label
from simulator.models import ApprovedLine, CriterionResult, Determination, Reason
from simulator.notices import Approval, NoticeHeader, notice
from simulator.view import chart_index, manual_for

APPROVED = ("approved", "partially_approved")


def extension_due(authorization: Determination) -> date | None:
    """The last day an extension request is on time: the authorization's end date (the first day it does
    not cover; an admission on 2 March certified for 3 days ends on 5 March)."""
    return authorization.valid_to


def not_covered(authorization: Determination, received_on: date) -> list[date]:
    """The days a late request leaves uncovered: from the authorization's end date to the day before it."""
    end = authorization.valid_to
    if end is None or received_on <= end:
        return []
    return [end + timedelta(days=n) for n in range((received_on - end).days)]


def review_extension(
    case: Case,
    submission: Submission | None,
    authorization: Determination | None,
    action: ExtensionRequest,
    *,
    library: Library,
) -> Determination:
    """The payer's answer to ``action`` on the authorization the case holds (``authorization``)."""
    manual = manual_for(library, case.coverage.payer_id)
    received = action.at
    number = action.authorization_number.strip().upper()
    policy = (
        library.policies.get(authorization.policy_id) if authorization and authorization.policy_id else None
    )
    header = NoticeHeader(received=received, due=None, decided=received, manual=manual, policy=policy)
    on_file = authorization.authorization_number if authorization else None
    if authorization is None or submission is None or on_file is None or on_file.upper() != number:
        return _returned(header, _unknown_message(number, authorization))
    if authorization.status not in APPROVED:
        return _returned(
            header,
            f"Authorization {number} is {authorization.status}, not approved: there is nothing to extend. "
            "Answer the payer's last decision (appeal or pend reply) or send a new request.",
        )
    rules = policy.continued_stay if policy else None
    if policy is None or rules is None:
        return _returned(
            header,
            f"{manual.name} does not extend this authorization by concurrent review; send a new request "
            "for the further service before the authorization ends.",
        )
    due = received + timedelta(hours=rules.decision_hours)
    header = NoticeHeader(
        received=received,
        due=due,
        decided=clock.decided_at(received, due, expedited=True),
        manual=manual,
        policy=policy,
        expedited=True,
    )
    return _review(case, authorization, action, policy, rules, header)


def answer_extension_pend(
    case: Case,
    submission: Submission | None,
    authorization: Determination | None,
    request: ExtensionRequest,
    pended: Determination,
    reply: PendReply,
    *,
    library: Library,
) -> Determination:
    """The pended extension reviewed again with the reply's documents. It keeps its place: the request's
    own time counts for the deadline. A reply after the pend's reply-by time is not read: the extension is
    denied for the information not received (HCR03 90)."""
    by = pended.pend_reply_by
    if by is not None and reply.at > by:
        manual = manual_for(library, case.coverage.payer_id)
        policy = (
            library.policies.get(authorization.policy_id)
            if authorization and authorization.policy_id
            else None
        )
        header = NoticeHeader(received=reply.at, due=None, decided=reply.at, manual=manual, policy=policy)
        reason = Reason(
            code="90",
            kind="denial",
            claim_code="CO-197",
            edit="extension_pend_unanswered",
            message=f"The update for the pended extension was due by {by:%Y-%m-%d %H:%M} and arrived on "
            f"{reply.at:%Y-%m-%d %H:%M}; the extension is denied for the information not received.",
        )
        return notice("denied", "documentation", header, reasons=[reason])
    merged = request.model_copy(
        update={"document_ids": list(dict.fromkeys([*request.document_ids, *reply.document_ids]))}
    )
    det = review_extension(case, submission, authorization, merged, library=library)
    if det.status == "rejected":
        return det
    due = reply.at + (det.decision_due - det.received_at if det.decision_due else timedelta(hours=24))
    return det.model_copy(
        update={
            "received_at": reply.at,
            "decision_due": due,
            "decided_at": clock.decided_at(reply.at, due, expedited=True),
            "pend_reply_by": reply.at + (det.pend_reply_by - request.at) if det.pend_reply_by else None,
        }
    )


def _unknown_message(number: str, authorization: Determination | None) -> str:
    if authorization is not None and authorization.authorization_number is None:
        return (
            f"No approved authorization {number} is on file: the request on this case was "
            f"{authorization.status} on {authorization.decided_at.date().isoformat()}, so there is nothing to "
            "extend. Appeal the denial or answer the pend, or send a new request."
        )
    return (
        f"No authorization {number} is on file for this member. Check the number on the approval notice "
        "and send the extension request again; nothing has been changed."
    )


def _returned(header: NoticeHeader, message: str) -> Determination:
    reason = Reason(code="41", kind="reject", follow_up="C", edit="extension_authorization", message=message)
    return notice("rejected", "decision", header, reasons=[reason])


def _review(
    case: Case,
    authorization: Determination,
    action: ExtensionRequest,
    policy: Policy,
    rules: ContinuedStay,
    header: NoticeHeader,
) -> Determination:
    as_of = action.at.date()
    end = authorization.valid_to or as_of
    days = rules.unit == "days"
    what = "inpatient days" if days else "units"
    reasons: list[Reason] = []
    asked = action.additional
    if asked > rules.max_additional:
        reasons.append(
            Reason(
                code="87",
                kind="partial",
                claim_code="CO-198",
                edit="extension_limit",
                message=f"{asked} {what} were asked for; {policy.id} extends by at most {rules.max_additional} "
                f"{what} per request, so {rules.max_additional} are reviewed.",
            )
        )
        asked = rules.max_additional
    new_end = end + timedelta(days=asked if days else rules.period_days or 0)
    missed = not_covered(authorization, as_of)
    if missed and as_of >= new_end:
        reason = Reason(
            code="89",
            kind="denial",
            claim_code="CO-210",
            edit="extension_late",
            message=(
                f"Authorization {authorization.authorization_number} ended on {end.isoformat()}; this request "
                f"arrived on {as_of.isoformat()}, after every day it asks for. A continued-stay request is due by "
                f"the authorization's end date; the {len(missed)} days since are not covered (billed, they "
                "deny as CO-210)."
            ),
        )
        return notice("denied", "timeliness", header, reasons=[reason])
    if missed:
        first, last = missed[0].isoformat(), missed[-1].isoformat()
        reasons.append(
            Reason(
                code="89",
                kind="partial",
                claim_code="CO-210",
                edit="extension_late",
                message=(
                    f"The request was due by {end.isoformat()}, the authorization's end date, and arrived on "
                    f"{as_of.isoformat()}: the {len(missed)} day(s) from {first} to {last} are not covered (billed, "
                    "they deny as CO-210); the extension is reviewed from the day it arrived."
                ),
            )
        )
    chart = chart_index(case)
    sent = [chart[i] for i in dict.fromkeys(action.document_ids) if i in chart]
    unknown = [i for i in action.document_ids if i not in chart]
    info = []
    if unknown:
        info.append(
            Reason(
                code="MSG",
                kind="info",
                edit="unknown_attachment",
                message=f"Not in the record and not read: {', '.join(unknown)}.",
            )
        )
    pends = _document_pends(policy, rules, sent, as_of)
    evidence = _evidence(sent)
    results = [_result(c.id, c.text, c.rule.evaluate(evidence, as_of)) for c in rules.criteria]
    for res in results:
        if res.status == "not_evidenced":
            missing = ", ".join(fact_label(m) for m in res.missing) or "the facts it needs"
            pends.append(
                (
                    Reason(
                        code="MSG",
                        kind="pend",
                        criterion_id=res.criterion_id,
                        message=f"The documents sent do not let the reviewer assess {res.criterion_id} "
                        f"({res.text}); missing: {missing}.",
                    ),
                    f"{res.criterion_id}: {missing}",
                )
            )
    failed = [r for r in results if r.status == "not_met"]
    if pends and not failed:
        return notice(
            "pended",
            "documentation",
            header,
            reasons=[*reasons, *(r for r, _ in pends), *info],
            criteria=results,
            request_for_information=[ask for _, ask in pends],
            pend_reply_by=action.at + timedelta(hours=rules.pend_reply_hours),
        )
    if failed:
        denials = []
        for res in failed:
            crit = next(c for c in rules.criteria if c.id == res.criterion_id)
            denials.append(
                Reason(
                    code="82",
                    kind="denial",
                    claim_code="CO-50",
                    criterion_id=res.criterion_id,
                    message=f"Continued care is not supported: {res.criterion_id} is not met ({crit.text})"
                    + (f" {crit.on_fail}" if crit.on_fail else ""),
                )
            )
        kept = [r for r in reasons if r.edit != "extension_limit"]
        return notice(
            "denied", "medical_necessity", header, reasons=[*denials, *kept, *info], criteria=results
        )
    return _approve(authorization, action, rules, header, asked, new_end, missed, [*reasons, *info], results)


def _approve(
    authorization: Determination,
    action: ExtensionRequest,
    rules: ContinuedStay,
    header: NoticeHeader,
    asked: int,
    new_end: date,
    missed: list[date],
    reasons: list[Reason],
    results: list[CriterionResult],
) -> Determination:
    number = authorization.authorization_number or ""
    valid_from = authorization.valid_from or action.at.date()
    if rules.unit == "days":
        covered = asked - len(missed)
        days = (authorization.approved_days or 0) + covered
        lines = list(authorization.approved_lines)
        summary = f"{covered} more inpatient day(s), {days} in all"
    else:
        covered = asked
        days = None
        lines = [ln.model_copy() for ln in authorization.approved_lines]
        if lines:
            lines[0] = ApprovedLine(code=lines[0].code, units=lines[0].units + asked)
        summary = f"{asked} more unit(s): " + ", ".join(f"{ln.code} x{ln.units}" for ln in lines)
    status: DeterminationStatus = (
        "partially_approved" if reasons and any(r.kind == "partial" for r in reasons) else "approved"
    )
    message = (
        f"Extension {'partially approved' if status != 'approved' else 'approved'} under "
        f"{header.policy.id if header.policy else ''}: {summary}; authorization {number} now runs "
        f"{valid_from.isoformat()} to {new_end.isoformat()}."
    )
    approval = Approval(
        authorization_number=number,
        approved_lines=lines,
        valid_from=valid_from,
        valid_to=new_end,
        approved_days=days,
    )
    det = notice(
        status,
        "decision",
        header,
        reasons=[*reasons, Reason(code="MSG", kind="info", edit="approval", message=message)],
        criteria=results,
        approval=approval,
    )
    return det.model_copy(update={"not_covered_days": missed})


def _document_pends(
    policy: Policy, rules: ContinuedStay, sent: list[ChartDocument], as_of: date
) -> list[tuple[Reason, str]]:
    out = []
    for req in rules.documentation:
        ask = f"{req.kind}: {req.description}" + (
            f" (dated within {req.max_age_days} days)" if req.max_age_days else ""
        )
        docs = [d for d in sent if d.kind == req.kind]
        if not docs:
            message = (
                f"{policy.id} needs for continued care: {req.description} ({req.kind}); none was attached."
            )
        else:
            newest = max(docs, key=lambda d: d.date)
            age = (as_of - newest.date).days
            if req.max_age_days is None or age <= req.max_age_days:
                continue
            message = (
                f"The {req.kind} sent ({newest.id}, dated {newest.date.isoformat()}) is {age} days old; "
                f"{policy.id} needs one dated within {req.max_age_days} days."
            )
        out.append((Reason(code="MSG", kind="pend", edit=f"document:{req.kind}", message=message), ask))
    return out


def _evidence(sent: list[ChartDocument]) -> Evidence:
    evidence = Evidence()
    for doc in sent:
        evidence.documents.append(DocumentRef(id=doc.id, kind=doc.kind, date=doc.date))
        for name, value in doc.facts.items():
            evidence.add(Fact(name=name, value=value, document_id=doc.id, document_date=doc.date))
    return evidence


def _result(criterion_id: str, text: str, out: Outcome) -> CriterionResult:
    return CriterionResult(
        criterion_id=criterion_id,
        text=text,
        status=out.status,
        document_ids=out.document_ids,
        missing=out.missing,
    )


__all__ = ["answer_extension_pend", "extension_due", "not_covered", "review_extension"]
