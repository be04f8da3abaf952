"""Appeal clocks and denial notices of the shipped payers (issue 10 items 1, 4 and 8).

Every expected figure is the regulation's (docs/sources.md, "Regulatory clocks and urgency"):
29 CFR 2560.503-1(i)(2)(ii) and (g)(1)(iv) for Lakeshore, 42 CFR 422.582(b) and 422.590 for Cardinal,
42 CFR 431.244(f) for Prairie.
"""

from __future__ import annotations

from datetime import timedelta

from shipped_cases import first_decision

from scenarios.models import Appeal, PeerToPeer
from simulator import decide_appeal, request_peer_to_peer
from simulator.clock import add_business_days


def _reasons_text(det) -> str:  # type: ignore[no-untyped-def]
    return " ".join(r.message for r in det.reasons)


def test_lakeshore_two_mandatory_levels_are_decided_in_15_days_each() -> None:
    # 29 CFR 2560.503-1(i)(2)(ii): with two mandatory levels, each pre-service level takes at most 15 days
    case, sub, denial = first_decision("pends_appeals", "appeal_without_new_evidence", "lakeshore")
    assert denial.status == "denied"
    level1 = next(r for r in denial.appeal_rights if r.level == "level1")
    assert "15 calendar days" in level1.decision_time
    at = denial.decided_at + timedelta(days=2)
    first = decide_appeal(case, sub, denial, Appeal(at=at, level="level1"))
    assert first.status == "denied" and first.decision_due == at + timedelta(days=15)
    at2 = first.decided_at + timedelta(days=3)
    second = decide_appeal(case, sub, first, Appeal(at=at2, level="level2"))
    assert second.decision_due == at2 + timedelta(days=15)


def test_cardinal_part_b_drug_reconsideration_is_7_days_or_72_hours() -> None:
    # MA Part B drug reconsideration: 7 calendar days standard, 72 hours expedited, no extension
    case, sub, denial = first_decision("specialty_drugs", "bio_mtx_short_trial", "cardinal")
    assert denial.status == "denied"
    right = next(r for r in denial.appeal_rights if r.level == "reconsideration")
    assert "7 calendar days" in right.decision_time
    at = denial.decided_at + timedelta(days=1)
    standard = decide_appeal(case, sub, denial, Appeal(at=at, level="reconsideration"))
    assert standard.decision_due == at + timedelta(days=7)
    fast = decide_appeal(case, sub, denial, Appeal(at=at, level="reconsideration", expedited=True))
    assert fast.decision_due == at + timedelta(hours=72)


def test_cardinal_service_reconsideration_keeps_30_days() -> None:
    case, sub, denial = first_decision("pends_appeals", "appeal_without_new_evidence", "cardinal")
    at = denial.decided_at + timedelta(days=1)
    assert decide_appeal(
        case, sub, denial, Appeal(at=at, level="reconsideration")
    ).decision_due == at + timedelta(days=30)


def test_cardinal_reconsideration_window_is_65_days_from_the_notice() -> None:
    # 42 CFR 422.582(b) as amended for 2025 (CMS-4205-F): 65 calendar days from the date of the notice
    _, _, denial = first_decision("pends_appeals", "appeal_without_new_evidence", "cardinal")
    right = next(r for r in denial.appeal_rights if r.level == "reconsideration")
    assert right.file_by == denial.decided_at.date() + timedelta(days=65)


def test_denial_notice_describes_the_whole_review_procedure() -> None:
    # the notice describes every review level and its time limits, external review included
    expected = {
        "lakeshore": ["external review", "4 months", "civil action"],
        "cardinal": ["Independent Review Entity", "65 calendar days"],
        "prairie": ["State fair hearing", "120 calendar days"],
    }
    for payer, phrases in expected.items():
        _, _, denial = first_decision("pends_appeals", "appeal_without_new_evidence", payer)
        procedure = [r for r in denial.reasons if r.edit == "review_procedure"]
        assert len(procedure) == 1, payer
        for phrase in phrases:
            assert phrase.lower() in procedure[0].message.lower(), (payer, phrase)


def test_prairie_informal_peer_to_peer_is_accepted() -> None:
    # Prairie's own manual lets the ordering provider speak with the reviewer about a denial
    case, sub, denial = first_decision("pends_appeals", "appeal_without_new_evidence", "prairie")
    p2p = request_peer_to_peer(case, sub, denial, PeerToPeer(at=denial.decided_at + timedelta(days=2)))
    assert p2p.status != "rejected"
    # informal: the plan appeal window is unchanged after it
    if p2p.status == "denied":
        before = next(r for r in denial.appeal_rights if r.level == "level1")
        after = next(r for r in p2p.appeal_rights if r.level == "level1")
        assert after.file_by == before.file_by


def test_prairie_fair_hearing_clock_runs_from_the_plan_appeal_filing() -> None:
    # 42 CFR 431.244(f)(1)(ii): 90 days from the MCO appeal filing, not counting the days the enrollee
    # took to ask for the hearing; (f)(2): 3 working days when expedited
    case, sub, denial = first_decision("pends_appeals", "appeal_without_new_evidence", "prairie")
    filed = denial.decided_at + timedelta(days=2)
    upheld = decide_appeal(case, sub, denial, Appeal(at=filed, level="level1"))
    assert upheld.status == "denied"
    asked = upheld.decided_at + timedelta(days=10)
    hearing = decide_appeal(case, sub, upheld, Appeal(at=asked, level="fair_hearing"))
    assert hearing.decision_due == asked + (timedelta(days=90) - (upheld.decided_at - filed))
    fast = decide_appeal(case, sub, upheld, Appeal(at=asked, level="fair_hearing", expedited=True))
    assert fast.decision_due is not None
    assert fast.decision_due.date() == add_business_days(asked.date(), 3)
