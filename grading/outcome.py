"""Outcome grader: what the attempt obtained, against the path it followed (answer key paths).

A path that goes to the payer (a request, an appeal, a peer-to-peer, a pend reply, a new request) must
reach that path's expected decision, in full: an approval for fewer units or a shorter period than the
case needs is an *under-authorization* (the rest of the service will be denied as a claim), and a
request that was rejected or denied for the trainee's own error and sent again got there late. A path
that sends nothing to the payer (a provider query, a close) is right when no request the payer denied,
pended or rejected is on the record. An attempt that followed no acceptable path obtained nothing.
"""

from __future__ import annotations

from grading.context import Attempt
from grading.models import GradeItem, grade_item
from scenarios.models import Submission
from simulator.models import Determination

FAVOURABLE = ("approved", "partially_approved")
ADVERSE = ("denied", "pended", "rejected", "dismissed")
_NOUN = {
    "approved": "approval",
    "partially_approved": "partial approval",
    "denied": "denial",
    "pended": "pend",
    "rejected": "rejection",
    "dismissed": "dismissal",
}
REDONE_SHARE = 0.5  # obtained, but only after a rejected or denied request had to be sent again


def _why(det: Determination) -> str:
    reasons = [r for r in det.reasons if r.kind != "info"]
    return "; ".join(
        " ".join(
            part for part in (f"{r.segment} {r.code}" if r.segment else "", r.criterion_id or "") if part
        )
        + (": " if r.segment or r.criterion_id else "")
        + r.message
        for r in reasons[:2]
    )


def describe_final(att: Attempt) -> str:
    """The standing decision in words, saying whose request it answers."""
    final = att.final
    if final is None:
        return "no decision: nothing was sent to the payer"
    why = f" ({_why(final)})" if _why(final) else ""
    if att.final_index is None:
        return f"the earlier request's {_NOUN.get(final.status, final.status)} still stands{why}"
    return final.status + why


def _item(
    points: float, max_points: float, feedback: str, correct: str, cite: str, tag: str | None
) -> GradeItem:
    return grade_item(
        "outcome",
        "outcome",
        points,
        max_points,
        feedback,
        correct=correct,
        citation=cite,
        tags=[tag] if tag else [],
    )


def _under_authorized(att: Attempt) -> str | None:
    """What the request behind an approval leaves out of what the case needs (None: it asks for it all).
    Measured on the request, not the approval: an expected partial approval cuts units by design."""
    final, ak = att.final, att.case.answer_key
    if final is None or final.status not in FAVOURABLE:
        return None
    request = att.path_action if isinstance(att.path_action, Submission) else att.case.prior_submission
    if request is None:
        return None
    asked: dict[str, int] = {}
    for line in request.procedures:
        code = line.code.strip().upper()
        asked[code] = asked.get(code, 0) + line.units
    short = [
        f"{ln.code.code}: {asked[ln.code.code]} of {ln.units} unit(s)"
        for ln in ak.correct_procedures
        if ln.code.code in asked and asked[ln.code.code] < ln.units
    ]
    need = ak.reference_submission.requested_duration_days if ak.reference_submission else None
    if need and request.requested_duration_days and request.requested_duration_days < need:
        short.append(f"{request.requested_duration_days} of {need} days")
    return "; ".join(short) or None


def _redone(att: Attempt) -> Determination | None:
    """An earlier request of the attempt that the payer rejected or denied before the one that stands."""
    end = att.final_index if att.final_index is not None else len(att.actions)
    for action, step in zip(att.actions[:end], att.steps[:end], strict=True):
        result = step.result
        if (
            isinstance(action, Submission)
            and isinstance(result, Determination)
            and result.status in ("rejected", "denied")
        ):
            return result
    return None


def grade_outcome(att: Attempt) -> list[GradeItem]:
    ak, pts = att.case.answer_key, att.rubric.points["outcome"]
    cite = (
        ak.expected_determination.criterion_ids[0]
        if ak.expected_determination.criterion_ids
        else (ak.policy_id or att.data.manual_section("Decision"))
    )
    got = describe_final(att)
    path = att.path
    if not att.actions:
        return [
            _item(
                0,
                pts,
                "No action was taken, so nothing was obtained or resolved.",
                "Work the case.",
                cite,
                None,
            )
        ]
    if path is None:
        target = (
            ak.expected_appeal_status
            if ak.correct_action in ("appeal", "reply_to_pend", "request_extension")
            else None
        )
        target = target or (
            ak.expected_determination.status if ak.correct_action.startswith("submit") else None
        )
        tag = None
        final = att.final
        # nothing sent, nothing decided: the error is the missed step the process item tags
        # (missed_submission, missed_appeal ...), not a decision the payer made (adverse_outcome)
        if target in FAVOURABLE and final is not None and final.status not in FAVOURABLE:
            tag = "adverse_outcome"
        adverse = [d for d in att.submission_determinations() if d.status in ADVERSE]
        if target is None and adverse:
            tag = "avoidable_denial"
        return [
            _item(
                0,
                pts,
                f"Final decision: {got}. The case was not worked on a path the payer accepts, so it did not get "
                f"what it needed. {ak.explanation.strip()}",
                f"The answer key expects: {target}."
                if target
                else "The right action for the case (see process).",
                cite,
                tag,
            )
        ]
    if path.expected_status is None:
        adverse = [d for d in att.submission_determinations() if d.status in ADVERSE]
        if adverse:
            return [
                _item(
                    0,
                    pts,
                    f"A request went to the payer and was {adverse[0].status}; this case called for no request "
                    f"yet. {ak.explanation.strip()}",
                    "No request on record that the payer denied, pended or rejected.",
                    cite,
                    "avoidable_denial",
                )
            ]
        return [
            _item(
                pts,
                pts,
                "No request went to the payer that it could deny, pend or reject: right for this case.",
                "No request on record that the payer denied, pended or rejected.",
                cite,
                None,
            )
        ]
    target = path.expected_status
    final = att.final
    status = final.status if final else None
    expected = f"The answer key expects: {target}."
    ok = status == target or (target == "partially_approved" and status == "approved")
    if not ok:
        tag = "adverse_outcome" if target in FAVOURABLE else "unexpected_determination"
        return [
            _item(0, pts, f"Final decision: {got}. {expected} {ak.explanation.strip()}", expected, cite, tag)
        ]
    short = _under_authorized(att)
    if short:
        return [
            _item(
                0,
                pts,
                f"Final decision: {got}, but for less than the case needs ({short}). The service beyond what "
                "was authorized has no authorization and its claim will be denied; request what the order and "
                "the policy call for.",
                f"Authorization for {', '.join(f'{ln.code.code} x {ln.units}' for ln in ak.correct_procedures)}.",
                att.data.policy_section("units"),
                "under_authorization",
            )
        ]
    redone = _redone(att)
    if redone is not None and target in FAVOURABLE:
        why = _why(redone)
        return [
            _item(
                round(pts * REDONE_SHARE, 4),
                pts,
                f"Final decision: {got}, but only after an earlier request was {redone.status}"
                f"{' (' + why + ')' if why else ''} and had to be sent again; the first one should have been right.",
                expected,
                cite,
                "redone_request",
            )
        ]
    return [_item(pts, pts, f"Final decision: {got}. {expected}", expected, cite, None)]
