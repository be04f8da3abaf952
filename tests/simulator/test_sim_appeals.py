"""Pend replies, appeals and peer-to-peer against the fixture policies and manuals.

LKS-MRI-001 needs >= 6 weeks of failed conservative care: ``d-pt-short`` (3 weeks) fails it and
``d-pt-new`` (9 weeks, dated 2026-04-01) is the new evidence an appeal can bring (``d-pt-p2p``, 7 weeks,
dated 2026-03-04, the one a peer-to-peer can).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sim_builders import START, build_case, build_submission

from scenarios.models import Appeal, Case, PeerToPeer, PendReply, Submission
from simulator import SimulatorError, adjudicate, answer_pend, decide_appeal, request_peer_to_peer
from simulator.models import Determination

APPEAL_AT = datetime(2026, 4, 2, 9, 0)


def denied(library: Any, payer: str = "lakeshore") -> tuple[Case, Submission, Determination]:
    case = build_case(payer)
    sub = build_submission(case, document_ids=["d-office", "d-pt-short"])
    det = adjudicate(case, sub, library=library)
    assert det.status == "denied"
    return case, sub, det


# ---- pends -------------------------------------------------------------------------------------------
def pended(library: Any) -> tuple[Case, Submission, Determination]:
    case = build_case()
    sub = build_submission(case, document_ids=["d-office"])
    det = adjudicate(case, sub, library=library)
    assert det.status == "pended"
    return case, sub, det


def test_pend_answered_in_time_with_the_document_is_approved(library: Any) -> None:
    case, sub, det = pended(library)
    reply = PendReply(at=START + timedelta(days=3), document_ids=["d-pt"])
    final = answer_pend(case, sub, det, reply, library=library)
    assert final.status == "approved" and final.received_at == sub.at
    # ERISA tolls: the 15 days stop at the request for information and resume at the reply
    assert final.decision_due == reply.at + (timedelta(days=15) - (det.decided_at - sub.at))


def test_pend_answered_with_evidence_that_fails_is_denied_50(library: Any) -> None:
    case, sub, det = pended(library)
    final = answer_pend(
        case, sub, det, PendReply(at=START + timedelta(days=3), document_ids=["d-pt-short"]), library=library
    )
    assert final.status == "denied" and final.failed_criteria == ["LKS-MRI-001.1"]


def test_pend_answered_late_is_denied_226(library: Any) -> None:
    case, sub, det = pended(library)
    assert det.pend_reply_by is not None
    late = PendReply(at=det.pend_reply_by + timedelta(minutes=1), document_ids=["d-pt"])
    final = answer_pend(case, sub, det, late, library=library)
    assert (final.status, final.action_code) == ("denied", "A3")
    assert [r.code for r in final.reasons if r.kind != "info"] == ["90"]
    assert final.appeal_rights


def test_pend_answered_without_what_was_asked_is_denied_226(library: Any) -> None:
    case, sub, det = pended(library)
    final = answer_pend(
        case, sub, det, PendReply(at=START + timedelta(days=2), document_ids=["d-meds"]), library=library
    )
    assert final.status == "denied"
    assert {r.code for r in final.reasons if r.kind != "info"} == {"90"}
    assert any("therapy_note" in r.message for r in final.reasons)


def test_answering_a_determination_that_is_not_a_pend_is_an_error(library: Any) -> None:
    case, sub, det = denied(library)
    with pytest.raises(SimulatorError, match="pended"):
        answer_pend(case, sub, det, PendReply(at=APPEAL_AT), library=library)


# ---- appeals -----------------------------------------------------------------------------------------
def test_appeal_with_new_evidence_is_overturned(library: Any) -> None:
    case, sub, det = denied(library)
    result = decide_appeal(
        case, sub, det, Appeal(at=APPEAL_AT, level="level1", document_ids=["d-pt-new"]), library=library
    )
    assert (result.status, result.action_code, result.stage, result.appeal_level) == (
        "approved",
        "A1",
        "appeal",
        "level1",
    )
    assert result.authorization_number and result.appeal_rights == []
    assert {c.criterion_id: c.status for c in result.criteria}["LKS-MRI-001.1"] == "met"
    assert result.decision_due == APPEAL_AT + timedelta(days=30)


def test_appeal_without_new_evidence_is_upheld_with_next_level(library: Any) -> None:
    case, sub, det = denied(library)
    result = decide_appeal(
        case, sub, det, Appeal(at=APPEAL_AT, level="level1", letter="Please reconsider."), library=library
    )
    assert (result.status, result.appeal_level) == ("denied", "level1")
    assert result.failed_criteria == ["LKS-MRI-001.1"]
    assert [(r.level, r.file_by) for r in result.appeal_rights] == [
        ("level2", result.decided_at.date() + timedelta(days=60))
    ]


def test_expedited_appeal_uses_the_level_hours(library: Any) -> None:
    case, sub, det = denied(library)
    result = decide_appeal(
        case, sub, det, Appeal(at=APPEAL_AT, level="level1", expedited=True), library=library
    )
    assert result.expedited and result.decision_due == APPEAL_AT + timedelta(hours=72)


def test_late_appeal_is_dismissed(library: Any) -> None:
    case, sub, det = denied(library)
    level1 = next(r for r in det.appeal_rights if r.level == "level1")
    late = datetime.combine(level1.file_by + timedelta(days=1), datetime.min.time())
    result = decide_appeal(
        case, sub, det, Appeal(at=late, level="level1", document_ids=["d-pt-new"]), library=library
    )
    assert result.status == "dismissed" and result.authorization_number is None
    assert [r.edit for r in result.reasons if r.kind != "info"] == ["appeal_late"]
    assert level1.file_by.isoformat() in result.reasons[0].message


@pytest.mark.parametrize(
    ("level", "named"), [("level2", "level1"), ("external", "level1"), ("fair_hearing", "level1")]
)
def test_wrong_level_is_rejected_naming_the_open_level(library: Any, level: str, named: str) -> None:
    case, sub, det = denied(library)
    result = decide_appeal(case, sub, det, Appeal(at=APPEAL_AT, level=level), library=library)
    assert (result.status, result.action_code) == ("rejected", None)
    assert named in result.reasons[0].message
    assert result.appeal_rights == det.appeal_rights  # the denial's rights still stand


def test_second_level_opens_after_an_upheld_first_level(library: Any) -> None:
    case, sub, det = denied(library)
    upheld = decide_appeal(case, sub, det, Appeal(at=APPEAL_AT, level="level1"), library=library)
    later = upheld.decided_at + timedelta(days=5)
    result = decide_appeal(
        case, sub, upheld, Appeal(at=later, level="level2", document_ids=["d-pt-new"]), library=library
    )
    assert (result.status, result.appeal_level) == ("approved", "level2")
    assert result.decision_due == later + timedelta(days=15)
    again = decide_appeal(case, sub, upheld, Appeal(at=later, level="level1"), library=library)
    assert again.status == "rejected" and "level2" in again.reasons[0].message


def test_cardinal_upheld_reconsideration_is_forwarded_to_the_ire(library: Any) -> None:
    case = build_case("cardinal")
    sub = build_submission(case, document_ids=["d-office", "d-pt-short"])
    det = adjudicate(case, sub, library=library)
    assert det.status == "denied" and [r.level for r in det.appeal_rights] == ["reconsideration"]
    result = decide_appeal(case, sub, det, Appeal(at=APPEAL_AT, level="reconsideration"), library=library)
    assert result.status == "denied"
    assert [(r.level, r.automatic) for r in result.appeal_rights] == [("ire", True)]
    assert any("automatically" in r.message for r in result.reasons)


def test_appeal_needs_a_denial(library: Any) -> None:
    case = build_case()
    sub = build_submission(case)
    approved = adjudicate(case, sub, library=library)
    with pytest.raises(SimulatorError, match="no adverse determination"):
        decide_appeal(case, sub, approved, Appeal(at=APPEAL_AT, level="level1"), library=library)


def test_appeal_with_unknown_document_is_rejected(library: Any) -> None:
    case, sub, det = denied(library)
    result = decide_appeal(
        case, sub, det, Appeal(at=APPEAL_AT, level="level1", document_ids=["nope"]), library=library
    )
    assert result.status == "rejected" and "nope" in result.reasons[0].message


def test_timeliness_denial_is_upheld_even_with_evidence(library: Any) -> None:
    case = build_case()
    sub = build_submission(case, at=datetime(2026, 3, 20, 9, 0))
    det = adjudicate(case, sub, library=library)
    assert det.stage == "timeliness"
    result = decide_appeal(
        case, sub, det, Appeal(at=APPEAL_AT, level="level1", document_ids=["d-pt-new"]), library=library
    )
    assert result.status == "denied" and "89" in [r.code for r in result.reasons]


def test_appeal_of_a_226_denial_with_the_missing_document_is_overturned(library: Any) -> None:
    case = build_case()
    sub = build_submission(case, document_ids=["d-office"])
    pend = adjudicate(case, sub, library=library)
    assert pend.pend_reply_by is not None
    det = answer_pend(case, sub, pend, PendReply(at=pend.pend_reply_by + timedelta(days=1)), library=library)
    result = decide_appeal(
        case,
        sub,
        det,
        Appeal(at=APPEAL_AT + timedelta(days=20), level="level1", document_ids=["d-pt-new"]),
        library=library,
    )
    assert result.status == "approved"


# ---- peer-to-peer ------------------------------------------------------------------------------------------
def test_peer_to_peer_within_window_with_evidence_overturns(library: Any) -> None:
    case, sub, det = denied(library)
    p2p = PeerToPeer(
        at=det.decided_at + timedelta(days=3), talking_points="7 weeks of PT", document_ids=["d-pt-p2p"]
    )
    result = request_peer_to_peer(case, sub, det, p2p, library=library)
    assert (result.status, result.appeal_level) == ("approved", "peer_to_peer")
    assert result.decision_due == p2p.at + timedelta(days=2)


def test_peer_to_peer_upheld_keeps_level1_open_with_its_original_deadline(library: Any) -> None:
    case, sub, det = denied(library)
    p2p = PeerToPeer(at=det.decided_at + timedelta(days=3))
    result = request_peer_to_peer(case, sub, det, p2p, library=library)
    assert result.status == "denied"
    original = next(r for r in det.appeal_rights if r.level == "level1")
    assert result.appeal_rights == [original]


def test_peer_to_peer_after_its_window_is_dismissed(library: Any) -> None:
    case, sub, det = denied(library)
    result = request_peer_to_peer(
        case,
        sub,
        det,
        PeerToPeer(at=det.decided_at + timedelta(days=15), document_ids=["d-pt"]),
        library=library,
    )
    assert result.status == "dismissed" and "appeal_late" in {r.edit for r in result.reasons}


def test_peer_to_peer_not_offered_by_cardinal(library: Any) -> None:
    case, sub, det = denied(library, "cardinal")
    result = request_peer_to_peer(case, sub, det, PeerToPeer(at=APPEAL_AT), library=library)
    assert result.status == "rejected" and "reconsideration" in result.reasons[0].message


def test_referral_denial_appeal_needs_the_referral(library: Any) -> None:
    case = build_case(
        "cardinal", referral_on_file=False, ordering_specialty="neurology"
    )  # a specialist orders
    sub = build_submission(case)
    pend = adjudicate(case, sub, library=library)
    assert (pend.status, pend.stage) == ("pended", "eligibility")
    det = answer_pend(
        case, sub, pend, PendReply(at=START + timedelta(days=2), document_ids=["d-meds"]), library=library
    )
    assert det.status == "denied" and [r.code for r in det.reasons if r.kind != "info"] == ["90"]
    upheld = decide_appeal(case, sub, det, Appeal(at=APPEAL_AT, level="reconsideration"), library=library)
    assert upheld.status == "denied" and "referral" in {r.edit for r in upheld.reasons}
    overturned = decide_appeal(
        case,
        sub,
        det,
        Appeal(at=APPEAL_AT, level="reconsideration", document_ids=["d-referral"]),
        library=library,
    )
    assert (overturned.status, overturned.policy_id) == ("approved", "CMA-MRI-001")


def test_reply_to_a_referral_pend_can_be_pended_for_documents_it_never_asked_for(library: Any) -> None:
    case = build_case(
        "cardinal", referral_on_file=False, ordering_specialty="neurology"
    )  # a specialist orders
    sub = build_submission(case, document_ids=["d-pt"])  # no office note
    pend = adjudicate(case, sub, library=library)
    reply = PendReply(at=START + timedelta(days=2), document_ids=["d-referral"])
    again = answer_pend(case, sub, pend, reply, library=library)
    assert (again.status, again.stage) == ("pended", "documentation")
    # an MA plan extends once: the second request for information keeps the first pend's extended due time
    assert pend.decision_due is not None and again.decision_due == pend.decision_due
    assert again.pend_reply_by == min(again.decided_at + timedelta(days=14), pend.decision_due)
    assert "no_extension" in {r.edit for r in again.reasons}
