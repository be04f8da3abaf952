"""Outcome grader: the payer's final decision (from the replay) against the answer key.

For a case that calls for a request, the decision must be the one the answer key expects for the
reference request; for an appeal or a pend reply, the decision after it. For a case whose right move
is not to send a request (query the provider, no authorization needed, resolve coverage), the outcome is
right when no avoidable denial, pend or rejection is on the record.
"""

from __future__ import annotations

from grading.context import Attempt
from grading.models import GradeItem

FAVOURABLE = ("approved", "partially_approved")
ADVERSE = ("denied", "pended", "rejected", "dismissed")
# where a reason's code sits in the 278 reply (knowledge_base/x12.py); pends and notes are free text
_SEGMENT = {"reject": "AAA03 ", "denial": "HCR03 ", "partial": "HCR03 "}


def _describe(att: Attempt) -> str:
    final = att.final
    if final is None:
        return "no decision (nothing was sent to the payer)"
    reasons = [r for r in final.reasons if r.kind != "info"]
    why = "; ".join(
        " ".join(
            part
            for part in (_SEGMENT[r.kind] + r.code if r.kind in _SEGMENT else "", r.criterion_id or "")
            if part
        )
        + (": " if r.kind in _SEGMENT or r.criterion_id else "")
        + r.message
        for r in reasons[:2]
    )
    return f"{final.status}" + (f" ({why})" if why else "")


def grade_outcome(att: Attempt) -> list[GradeItem]:
    ak, pts = att.case.answer_key, att.rubric.points["outcome"]
    final = att.final
    cite = (
        ak.expected_determination.criterion_ids[0]
        if ak.expected_determination.criterion_ids
        else (ak.policy_id or att.data.manual_section("Decision"))
    )
    action = ak.correct_action
    tag: str | None = None
    if action in ("submit", "submit_expedited", "appeal", "reply_to_pend"):
        target = (
            ak.expected_determination.status if action.startswith("submit") else ak.expected_appeal_status
        )
        got = final.status if final else None
        ok = got == target or (target == "partially_approved" and got == "approved")
        if not ok:
            tag = "adverse_outcome" if target in FAVOURABLE else "unexpected_determination"
        expected = f"The answer key expects: {target}."
    else:
        adverse = [d for d in att.submission_determinations() if d.status in ADVERSE]
        tag = "avoidable_denial" if adverse else None
        expected = "No request on record that the payer denied, pended or rejected."
    if tag is None:
        return [
            GradeItem(
                dimension="outcome",
                item_id="outcome",
                points=pts,
                max_points=pts,
                feedback=f"Final decision: {_describe(att)}. {expected}",
                correct_answer=expected,
                citation=cite,
            )
        ]
    return [
        GradeItem(
            dimension="outcome",
            item_id="outcome",
            points=0,
            max_points=pts,
            feedback=f"Final decision: {_describe(att)}. {expected} {ak.explanation.strip()}",
            correct_answer=expected,
            citation=cite,
            error_tags=[tag],
        )
    ]
