"""The peer-to-peer call: the director's script and a decision that follows what was actually said."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sim_builders import build_case, build_submission

from clinical.checker import ClaimChecker
from scenarios.models import Case, Submission
from simulator import adjudicate
from simulator.models import Determination
from simulator.peer_to_peer import Call, assess, decide_call, scripted_answers

GOOD = "The therapy note dated 2026-03-04 documents 7 weeks of physical therapy that failed."
VAGUE = "She really has tried everything, doctor."
FABRICATED = "The patient completed 12 weeks of physical therapy."


def denied(library: Any) -> tuple[Case, Submission, Determination]:
    case = build_case("lakeshore")
    sub = build_submission(case, document_ids=["d-office", "d-pt-short"])
    det = adjudicate(case, sub, library=library)
    assert det.status == "denied" and det.failed_criteria
    return case, sub, det


def run(library: Any, answers: list[str]) -> tuple[Call, Determination]:
    case, sub, det = denied(library)
    checker = ClaimChecker.for_case(case)
    call = scripted_answers(Call(det), checker, answers)
    _, result = decide_call(case, sub, call, det.decided_at + timedelta(days=3), library=library)
    return call, result


def test_director_opens_asks_each_failed_criterion_and_closes(library: Any) -> None:
    call, _ = run(library, [GOOD] * 5)
    kinds = [ln.kind for ln in call.lines if ln.speaker == "director"]
    assert kinds[0] == "open" and kinds[-1] == "close"
    failed = {c for c, _ in call.failed}
    assert {ln.criterion_id for ln in call.lines if ln.kind == "ask"} == failed


def test_good_answer_citing_the_chart_overturns(library: Any) -> None:
    call, result = run(library, [GOOD] * 5)
    assert (result.status, result.appeal_level) == ("approved", "peer_to_peer")
    assert "follow_up" not in [ln.kind for ln in call.lines]


def test_vague_answer_gets_one_follow_up_and_is_upheld(library: Any) -> None:
    call, result = run(library, [VAGUE] * 10)
    follow_ups = [ln for ln in call.lines if ln.kind == "follow_up"]
    assert len(follow_ups) == len(call.failed)  # once per criterion, never twice
    assert result.status == "denied"


def test_fabricated_figure_counts_against_and_is_upheld(library: Any) -> None:
    case, _, det = denied(library)
    checker = ClaimChecker.for_case(case)
    call = scripted_answers(Call(det), checker, [FABRICATED] * 5)
    answered = assess(call, checker)
    assert answered and not any(a.met for a in answered)
    assert any(a.against for a in answered)
    _, result = run(library, [FABRICATED] * 5)
    assert result.status == "denied"
