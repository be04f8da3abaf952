"""Process grader: the workflow around the request — eligibility checked and the authorization
requirement looked up before acting, the right action for the case, urgency, the lead-time deadline,
the member id, pend replies and appeals at the right level within their windows.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from grading.coding import off_path_coding
from grading.context import Attempt
from grading.models import GradeItem, grade_item
from grading.paths import acceptable_paths, off_path
from grading.scoring import first_sentence
from scenarios.models import (
    Appeal,
    AuthLookup,
    EligibilityQuery,
    ExtensionRequest,
    PeerToPeer,
    PendReply,
    Submission,
)
from simulator import clock
from simulator.notices import decision_clock

_item = partial(grade_item, "process")


def _check(
    item_id: str, ok: bool, points: float, good: str, bad: str, *, correct: str, citation: str, tag: str
) -> GradeItem:
    if ok:
        return _item(item_id, points, points, good, correct=correct, citation=citation)
    return _item(item_id, 0, points, bad, correct=correct, citation=citation, tags=[tag])


def grade_process(att: Attempt) -> list[GradeItem]:
    ak, pts, data = att.case.answer_key, att.rubric.points, att.data
    items: list[GradeItem] = []
    # Answering the payer about an earlier request (pend reply, appeal, peer-to-peer, a new request after the
    # denial) repeats nothing: eligibility and the requirement were checked for that request.
    if att.case.prior_submission is None:
        items += [
            _check(
                "eligibility",
                bool(att.before_main(EligibilityQuery)),
                pts["eligibility"],
                "Eligibility was checked before acting on the case.",
                "Eligibility was not checked before acting on the case. A 270/271 check confirms the member id, "
                "that coverage is active on the date of service and whether a referral is needed; skipping it is "
                "the most common cause of front-end rejections.",
                correct="Run an eligibility check for the member and date of service first.",
                citation=data.manual_section("Eligibility"),
                tag="eligibility_not_checked",
            ),
            _lookup_item(att),
        ]
    items.append(_action_item(att))
    if ak.correct_action in ("submit", "submit_expedited") and att.submission is not None:
        items += [_urgency_item(att), _deadline_item(att), _member_item(att)]
    items += _off_path_request_items(att)
    path = att.path_id
    if path == "reply_to_pend":
        items.append(_pend_item(att))
    if path in ("appeal", "peer_to_peer"):
        items += _appeal_items(att)
    first_extension = att.first(ExtensionRequest)
    if path == "request_extension" and first_extension is not None:
        items.append(_extension_deadline_item(att, first_extension[1]))
    return items


def _extension_deadline_item(att: Attempt, request: ExtensionRequest) -> GradeItem:
    """Concurrent review: the extension is due by the authorization's end date (the first day it does not
    cover); each day between that date and a late request is not covered (docs/sources.md#concurrent-review-and-extensions)."""
    prior = att.data.prior
    due = prior.valid_to if prior else None
    sent = request.at.date()
    cite = att.data.policy_section("Continued")
    if due is None:
        return _item(
            "extension_deadline",
            0,
            att.rubric.points["extension_deadline"],
            "There was no approved authorization with an end date to extend.",
            correct="Extend an approved authorization.",
            citation=cite,
            tags=["late_extension"],
        )
    lost = (sent - due).days
    picked_up = att.case.sim_start.date()
    good = f"The extension was requested on {sent.isoformat()}, by the authorization's end date {due.isoformat()}."
    if lost > 0 and sent <= picked_up:  # the case reached the trainee after the end date: asked at once
        good = (
            f"The extension was requested the day the case was picked up ({sent.isoformat()}), the earliest "
            f"possible; it was due by {due.isoformat()}, so {lost} day(s) from {due.isoformat()} are not covered "
            "(CO-210) and that revenue is lost. Calendar the end date at admission."
        )
    return _check(
        "extension_deadline",
        lost <= 0 or sent <= picked_up,
        att.rubric.points["extension_deadline"],
        good,
        f"The extension was requested on {sent.isoformat()}, after the authorization ended on {due.isoformat()}: "
        f"{lost} day(s) from {due.isoformat()} are not covered, their claims deny as CO-210 and that revenue is lost.",
        correct=f"Request the extension by {due.isoformat()}.",
        citation=cite,
        tag="late_extension",
    )


def _lookup_item(att: Attempt) -> GradeItem:
    codes = {line.code.code for line in att.case.answer_key.correct_procedures}
    admission = att.case.order.review == "admission"
    done = any(
        (admission and a.admission) or codes & {c.strip().upper() for c in a.codes}
        for a in att.before_main(AuthLookup)
    )
    if admission:
        codes |= {"the inpatient admission"}
    return _check(
        "auth_lookup",
        done,
        att.rubric.points["auth_lookup"],
        "The payer's authorization requirement was looked up for the ordered code.",
        "The authorization requirement was not looked up for the ordered code before acting. Payers differ "
        "(some need no authorization for this order, some need documents the others do not); the look-up "
        "says which applies.",
        correct=f"Look up {', '.join(sorted(codes))} with the payer.",
        citation=att.data.policy_section("Codes"),
        tag="auth_not_looked_up",
    )


_RIGHT = {
    "submit": "Submit the request.",
    "submit_expedited": "Submit the request for expedited review.",
    "query_provider": "Query the ordering provider for what the chart lacks; do not submit yet.",
    "no_auth_needed": "Close the case: no authorization is needed.",
    "resolve_coverage": "Close the case to resolve coverage first.",
    "appeal": "Appeal the denial ({level}).",
    "peer_to_peer": "Ask for a peer-to-peer review of the denial.",
    "new_request": "Send a new request with the new evidence.",
    "reply_to_pend": "Answer the pend with the requested records.",
    "request_extension": "Request the extension (concurrent review) with the clinical update, by the authorization's end date.",
}


def _right(path_id: str, att: Attempt) -> str:
    return _RIGHT[path_id].format(level=att.case.answer_key.appeal_level or "first level")


_MISSED = frozenset({"missed_submission", "missed_provider_query", "missed_appeal", "missed_pend_reply"})


def _action_tag(att: Attempt) -> str | None:
    """The error tag of the action taken, or None when it was on an acceptable path and nothing off path."""
    expected = att.case.answer_key.correct_action
    subs = att.all(Submission)
    off = off_path(att.case, att.actions)
    if att.path is not None and not off:
        return None
    if expected in ("submit", "submit_expedited"):
        return "missed_submission" if not subs else "wrong_action"
    if expected == "query_provider":
        return "submitted_when_should_query" if subs else "missed_provider_query"
    if expected == "no_auth_needed":
        return "unnecessary_submission" if subs else "wrong_action"
    if expected == "resolve_coverage":
        return "coverage_not_resolved"
    if expected == "appeal":
        return "missed_appeal" if att.path is None else "wrong_action"
    if expected == "request_extension":
        return "missed_extension" if att.path is None else "wrong_action"
    return "missed_pend_reply" if att.path is None else "wrong_action"


def _action_item(att: Attempt) -> GradeItem:
    ak, data = att.case.answer_key, att.data
    pts = att.rubric.points["correct_action"]
    expected = ak.correct_action
    others = [p for p in acceptable_paths(att.case) if p.id != expected]
    right = _right(expected, att)
    if others:
        right += " Also accepted: " + "; ".join(_right(p.id, att) for p in others)
    cite = {
        "query_provider": (
            ak.expected_determination.criterion_ids[0]
            if ak.expected_determination.criterion_ids
            else data.policy_section("Documentation")
        ),
        "no_auth_needed": data.policy_section("Codes"),
        "resolve_coverage": data.manual_section("Eligibility"),
        "appeal": data.manual_section("Appeals"),
        "reply_to_pend": data.manual_section("Pends"),
        "request_extension": data.policy_section("Continued"),
    }.get(expected, data.policy_section("Overview"))
    tag = _action_tag(att)
    path = att.path
    if tag is None and path is not None:
        earned = round(pts * path.credit, 4)
        feedback = f"Right action: {_right(path.id, att)}"
        if path.credit < 1:
            feedback = f"Accepted: {_right(path.id, att)} {path.note}"
        elif path.note:
            feedback += f" {path.note}"
        return _item("correct_action", earned, pts, feedback, correct=right, citation=cite)
    off = off_path(att.case, att.actions)
    what = ""
    if off:
        names = ", ".join(f"{a.type.replace('_', ' ')} on {a.at.date().isoformat()}" for _, a in off)
        what = f"Sent off the case's path: {names}. "
    tags = [tag or "wrong_action"]
    if tag in _MISSED and off:
        # the step the case needs was missed *and* the case was ended another way (closed, appealed
        # instead of answering the pend): both are what an educator names
        tags.append("wrong_action")
    return _item(
        "correct_action",
        0,
        pts,
        f"{what}This case calls for a different action. {ak.explanation.strip()}",
        correct=right,
        citation=cite,
        tags=tags,
    )


def _off_path_request_items(att: Attempt) -> list[GradeItem]:
    """A request sent where a provider query was right still reached the payer with its codes and
    urgency: their errors are named (one penalty item, each error's tag), as a reviewer would."""
    ak = att.case.answer_key
    sub = att.submission
    if ak.correct_action != "query_provider" or sub is None or not ak.correct_procedures:
        return []
    found = off_path_coding(att, sub)
    tags = sorted({t for i in found for t in i.error_tags})
    notes = [first_sentence(i.feedback) for i in found]
    if sub.urgency != ak.urgency:
        tags.append("wrong_urgency")
        notes.append(f"It was sent as {sub.urgency}; the chart supports {ak.urgency} review.")
    if not tags:
        return []
    return [
        _item(
            f"off_path_request:{sub.at.date().isoformat()}",
            0,
            att.rubric.points["off_path_request"],
            f"The request sent on {sub.at.date().isoformat()} (off the case's path) also had errors the payer saw: "
            + " ".join(notes),
            correct="Query the provider first; when a request is sent, code and classify it as the chart supports.",
            citation=att.data.policy_section("codes"),
            tags=sorted(set(tags)),
        )
    ]


def _urgency_item(att: Attempt) -> GradeItem:
    sub, ak = att.submission, att.case.answer_key
    assert sub is not None
    hours = decision_clock(att.data.policy, att.data.manual).expedited_hours
    ok = sub.urgency == ak.urgency
    bad = f"The request was sent as {sub.urgency}; this case calls for {ak.urgency} review. " + (
        f"Expedited review ({hours} hours) is for when waiting the standard time could seriously jeopardize "
        "the patient's health; here the chart documents that."
        if ak.urgency == "expedited"
        else "Expedited review is reserved for urgent situations the chart documents. The payer must expedite a "
        "request the physician attests is urgent, so an attestation the chart does not support is a false "
        "statement on the record and takes urgent review from patients who need it."
    )
    return _check(
        "urgency",
        ok,
        att.rubric.points["urgency"],
        f"The request asked for {ak.urgency} review.",
        bad,
        correct=ak.urgency,
        citation=att.data.policy_section("Timeframes"),
        tag="wrong_urgency",
    )


def submit_deadline(att: Attempt) -> tuple[date, int]:
    """(last good submission date, business days of lead the policy asks for). When the case starts inside
    the lead time, the deadline is the day the case was picked up."""
    dos = att.case.order.date_of_service
    lead = att.data.policy.timeframes.submit_lead_business_days if att.data.policy else 0
    if att.case.answer_key.urgency == "expedited":
        lead = 0
    start = att.case.sim_start.date()
    day = dos
    while day > start and clock.business_days_between(day, dos) < lead:
        day -= timedelta(days=1)
    return max(day, start) if clock.business_days_between(start, dos) >= lead else start, lead


def _deadline_item(att: Attempt) -> GradeItem:
    sub = att.submission
    assert sub is not None
    last, lead = submit_deadline(att)
    sent = sub.at.date()
    dos = att.case.order.date_of_service
    ok = sent <= last and sent <= dos
    bad = (
        f"The request was sent on {sent.isoformat()} for a date of service of {dos.isoformat()}; "
        f"{att.data.policy.id if att.data.policy else 'the policy'} asks for {lead} business day(s) of lead time, so it "
        f"was due by {last.isoformat()}. A late request risks the decision arriving after the scheduled service."
    )
    return _check(
        "deadline",
        ok,
        att.rubric.points["deadline"],
        f"Submitted on time (due by {last.isoformat()}).",
        bad,
        correct=f"Submit by {last.isoformat()}.",
        citation=att.data.policy_section("Timeframes"),
        tag="missed_deadline",
    )


def _member_item(att: Attempt) -> GradeItem:
    sub, cov = att.submission, att.case.coverage
    assert sub is not None

    def norm(s: str | None) -> str:
        return (s or "").strip().upper().replace("-", "").replace(" ", "")

    ok = norm(sub.member_id) in {norm(cov.member_id), norm(cov.mbi)} - {""}
    bad = (
        f"The request names member id {sub.member_id}, which is not in {cov.payer_name}'s member file; the file has "
        f"{cov.member_id}. Registration data can be wrong: take the id from the eligibility reply or the card."
    )
    return _check(
        "member_id",
        ok,
        att.rubric.points["member_id"],
        "The member id matches the payer's member file.",
        bad,
        correct=cov.member_id,
        citation=att.data.manual_section("Eligibility"),
        tag="wrong_member_id",
    )


def _pend_item(att: Attempt) -> GradeItem:
    found = att.first(PendReply)
    if found is None:  # path_of gives reply_to_pend only to a pend reply, so one was sent
        raise ValueError("actions: the reply_to_pend path is graded on a pend reply, and there is none")
    reply = found[1]
    prior = att.data.prior
    policy = att.data.policy
    by = prior.pend_reply_by if prior and prior.pend_reply_by else None
    if by is None and att.case.prior_submission is not None and policy is not None:
        by = att.case.prior_submission.at + timedelta(
            days=decision_clock(policy, att.data.manual).pend_reply_days
        )
    ok = by is None or not clock.is_after(reply.at, by)
    due = by.date().isoformat() if by else "the reply-by date"
    return _check(
        "pend_reply",
        ok,
        att.rubric.points["pend_reply"],
        f"The pend was answered by {due}.",
        f"The pend was answered on {reply.at.date().isoformat()}, after its reply-by date {due}; the payer "
        "decides without the records (CARC 226).",
        correct=f"Reply by {due}.",
        citation=att.data.policy_section("Timeframes"),
        tag="late_pend_reply",
    )


def _appeal_items(att: Attempt) -> list[GradeItem]:
    ak, data, pts = att.case.answer_key, att.data, att.rubric.points
    cite = data.manual_section("Appeals")
    if isinstance(att.path_action, PeerToPeer):
        p2p = att.path_action
        file_by = _file_by(att, "peer_to_peer")
        if file_by is None:
            return []
        return [
            _check(
                "appeal_window",
                p2p.at.date() <= file_by,
                pts["appeal_window"],
                f"The peer-to-peer was asked for within its window (by {file_by.isoformat()}).",
                f"The peer-to-peer was asked for on {p2p.at.date().isoformat()}, after its deadline "
                f"{file_by.isoformat()}; it is refused and only the formal appeal levels remain.",
                correct=f"Ask by {file_by.isoformat()}.",
                citation=cite,
                tag="late_appeal",
            )
        ]
    appeal = att.path_action
    if not isinstance(appeal, Appeal):
        found = att.first(Appeal)
        if found is None:  # the appeal items are graded only on the appeal path, which an appeal carries
            raise ValueError("actions: the appeal path is graded on an appeal, and there is none")
        appeal = found[1]
    want = ak.appeal_level
    level = data.manual.appeal_level(want) if want else None
    name = level.name if level else want or "the first appeal level"
    items = [
        _check(
            "appeal_level",
            appeal.level == want,
            pts["appeal_level"],
            f"Appealed at the right level: {name}.",
            f"The appeal was filed as {appeal.level!r}; an initial denial from {data.manual.name} is answered "
            f"by the {name}. A wrong level is returned unprocessed while the filing window keeps running.",
            correct=f"{want} ({name})",
            citation=cite,
            tag="wrong_appeal_level",
        )
    ]
    file_by = _file_by(att, want)
    if file_by is not None:
        ok = appeal.at.date() <= file_by
        items.append(
            _check(
                "appeal_window",
                ok,
                pts["appeal_window"],
                f"Filed within the window (by {file_by.isoformat()}).",
                f"The appeal was filed on {appeal.at.date().isoformat()}, after the deadline "
                f"{file_by.isoformat()}; a late appeal is dismissed and the denial stands.",
                correct=f"File by {file_by.isoformat()}.",
                citation=cite,
                tag="late_appeal",
            )
        )
    return items


def _file_by(att: Attempt, level: str | None) -> date | None:
    prior = att.data.prior
    if prior is None or level is None:
        return None
    right = next((r for r in prior.appeal_rights if r.level == level), None)
    if right is not None:
        return right.file_by
    spec = att.data.manual.appeal_level(level)
    if spec is None:
        return None
    return clock.file_by(prior.decided_at.date(), spec.file_within_days, spec.file_within_kind)
