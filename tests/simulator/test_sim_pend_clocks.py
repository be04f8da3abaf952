"""What a pend does to the decision clock at each shipped payer (issue 10 items 3 and 5).

Expected figures are the regulations' (docs/sources.md, "Regulatory clocks and urgency"): an ERISA plan
tolls its clock while it waits for information (29 CFR 2560.503-1(f)(4)) and, for an urgent request,
says within 24 hours what is missing, allows at least 48 hours and decides within 48 hours of the reply
(2560.503-1(f)(2)(i)); Medicare Advantage and Medicaid plans cannot stop the clock: they may extend it
once by up to 14 days with written notice (42 CFR 422.568(b)(1), 422.572(b), 438.210(d)(1)(ii)).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from shipped_cases import find_case, first_decision

from scenarios.models import PendReply
from simulator import adjudicate, answer_pend


def _reference_reply(case) -> PendReply:  # type: ignore[no-untyped-def]
    return next(a for a in case.answer_key.reference_actions if isinstance(a, PendReply))


@pytest.mark.parametrize("payer", ["cardinal", "prairie"])
def test_ma_and_medicaid_pends_extend_once_by_14_days_with_notice(payer: str) -> None:
    case, sub, pended = first_decision("pends_appeals", "pend_missing_therapy_notes", payer)
    assert pended.status == "pended" and not pended.expedited
    extended = sub.at + timedelta(days=7 + 14)
    assert pended.decision_due == extended
    notices = [r for r in pended.reasons if r.edit == "extension"]
    assert (
        len(notices) == 1 and "14" in notices[0].message and extended.date().isoformat() in notices[0].message
    )
    assert pended.pend_reply_by is not None and pended.pend_reply_by <= extended
    reply = PendReply(
        at=pended.decided_at + timedelta(days=10), document_ids=_reference_reply(case).document_ids
    )
    final = answer_pend(case, sub, pended, reply)
    assert final.status == "approved"
    # the extended time is the last word: no second clock starts at the reply
    assert final.decision_due == extended and final.decided_at <= extended


def test_erisa_pend_tolls_the_clock_until_the_reply() -> None:
    case, sub, pended = first_decision("pends_appeals", "pend_missing_therapy_notes", "lakeshore")
    assert pended.status == "pended"
    used = pended.decided_at - sub.at  # the clock ran from receipt until the request for information
    remaining = timedelta(days=15) - used
    assert any(r.edit == "clock_tolled" for r in pended.reasons)
    reply = PendReply(
        at=pended.decided_at + timedelta(days=20), document_ids=_reference_reply(case).document_ids
    )
    final = answer_pend(case, sub, pended, reply)
    assert final.status == "approved"
    assert final.decision_due == reply.at + remaining


def test_erisa_urgent_incomplete_request_gets_24_48_48() -> None:
    case = find_case("advanced_imaging", "mri_red_flag_expedite", "lakeshore")
    ref = case.answer_key.reference_submission
    assert ref is not None and ref.urgency == "expedited"
    bare = ref.model_copy(update={"document_ids": []})
    pended = adjudicate(case, bare)
    assert pended.status == "pended" and pended.expedited
    assert pended.decided_at <= bare.at + timedelta(hours=24)  # what is missing, within 24 hours
    assert pended.pend_reply_by == pended.decided_at + timedelta(hours=48)  # at least 48 hours to reply
    reply = PendReply(at=pended.decided_at + timedelta(hours=10), document_ids=ref.document_ids)
    final = answer_pend(case, bare, pended, reply)
    assert final.status == "approved"
    assert final.decision_due == reply.at + timedelta(hours=48)  # decided within 48 hours of the reply
    assert final.decided_at <= final.decision_due
