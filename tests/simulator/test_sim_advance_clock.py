"""Advancing the simulated clock (issue 12 item 10): replies arrive when the clock reaches them, a
pend whose reply-by date passes with no reply is denied for information not provided (HCR03 90, the
rule docs/sources.md cites for a late reply), and the provider answers a query from the archetype.

Expected answers come from the archetypes' declarations in scenarios/modules/*.yaml, never from the
code under test.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from shipped_cases import find_case

from scenarios.models import AdvanceClock, PendReply, ProviderQuery
from simulator import replay
from simulator.models import Determination, ProviderReply


def _pend_case():  # type: ignore[no-untyped-def]
    return find_case("pends_appeals", "pend_missing_therapy_notes", "lakeshore")


def test_waiting_past_the_reply_by_date_denies_the_pend(library) -> None:  # type: ignore[no-untyped-def]
    case = _pend_case()
    start = replay(case, [], library=library)  # the prior pend is the standing decision
    assert start == []
    wait = AdvanceClock(at=case.sim_start + timedelta(days=60), to="by")
    (step,) = replay(case, [wait], library=library)
    assert step.error is None and isinstance(step.result, Determination)
    assert step.result.status == "denied"
    assert [r.code for r in step.result.reasons if r.kind == "denial"] == ["90"]
    # decided on the reply-by date (not on the day the trainee looked), with appeal rights from it
    assert step.result.decided_at.date() < wait.at.date()
    assert step.result.appeal_rights
    # and a pend reply after that has nothing to answer
    late = PendReply(at=wait.at + timedelta(minutes=20), document_ids=["doc-01"])
    steps = replay(case, [wait, late], library=library)
    assert steps[1].error is not None and "pended" in steps[1].error


def test_waiting_inside_the_window_changes_nothing(library) -> None:  # type: ignore[no-untyped-def]
    case = _pend_case()
    reference = case.answer_key.reference_actions
    reply = next(a for a in reference if isinstance(a, PendReply))
    before = [a for a in reference if a is not reply]
    wait = AdvanceClock(at=reply.at - timedelta(minutes=1), to="by")
    plain = replay(case, reference, library=library)
    waited = replay(case, [*before, wait, reply], library=library)
    assert waited[-2].result is None and waited[-2].note  # a short wait: just a note in the log
    assert waited[-1].result == plain[-1].result  # the archetype's expected decision either way
    assert isinstance(plain[-1].result, Determination)
    # the archetype's reply path: the therapy notes answer the pend and the request is approved
    path = next(p for p in case.answer_key.acceptable_paths if p.action_type == "pend_reply")
    assert plain[-1].result.status == path.expected_status == "approved"


def test_the_clock_never_goes_back(library) -> None:  # type: ignore[no-untyped-def]
    case = _pend_case()
    (step,) = replay(case, [AdvanceClock(at=case.sim_start - timedelta(hours=1))], library=library)
    assert step.error is not None and "forward" in step.error


def test_a_decision_arrives_when_it_is_decided(library) -> None:  # type: ignore[no-untyped-def]
    case = _pend_case()
    steps = replay(case, case.answer_key.reference_actions, library=library)
    last = steps[-1]
    reply_at = case.answer_key.reference_actions[-1].at
    # the reviewer decides after the reply arrived, so at the reply's time it is still pending
    assert last.pending_at(reply_at)
    assert last.arrives_at is not None and not last.pending_at(last.arrives_at)
    assert not steps[0].pending_at(steps[0].arrives_at or reply_at)  # an eligibility reply is immediate


# archetype -> what the office answers (from each archetype's declaration in advanced_imaging.yaml:
# too_short has 3 weeks of therapy, criterion 1 not met; therapy_note_missing withholds the therapy note)
@pytest.mark.parametrize(
    ("archetype", "answers"),
    [
        ("mri_conservative_care_too_short", {"not_done"}),
        ("mri_therapy_note_missing", {"held_elsewhere"}),
    ],
)
def test_the_provider_answers_from_what_the_chart_holds(library, archetype: str, answers: set[str]) -> None:  # type: ignore[no-untyped-def]
    case = find_case("advanced_imaging", archetype, "lakeshore")
    query = ProviderQuery(at=case.sim_start + timedelta(minutes=20), message="What does the chart hold?")
    first = replay(case, [query], library=library)[0]
    again = replay(case, [query], library=library)[0]
    assert first == again  # deterministic from (module, seed)
    reply = first.result
    assert isinstance(reply, ProviderReply)
    assert {a.answer for a in reply.answers} == answers
    assert reply.replied_at > query.at and first.pending_at(query.at)
    if archetype == "mri_therapy_note_missing":
        assert [a.document_kind for a in reply.answers] == ["therapy_note"]
    else:
        assert "not met" in reply.answers[0].message


def test_an_appeal_after_waiting_past_its_window_is_dismissed(library) -> None:  # type: ignore[no-untyped-def]
    from scenarios import generate_case
    from scenarios.models import Appeal
    from simulator import prior_determination

    case = generate_case("pends_appeals", 1)  # the earlier lumbar-MRI request was denied
    denial = prior_determination(case, library=library)
    assert denial is not None and denial.status == "denied"
    level1 = next(r for r in denial.appeal_rights if r.level == "level1")
    # the manual's level-1 window, counted from the denial: waiting past it closes the level
    wait = AdvanceClock(at=datetime.combine(level1.file_by + timedelta(days=1), time(9, 0)))
    appeal = Appeal(at=wait.at + timedelta(minutes=30), level="level1", letter="Please reconsider.")
    steps = replay(case, [wait, appeal], library=library)
    assert steps[0].result is None  # a denial has no reply window to lapse
    assert isinstance(steps[1].result, Determination) and steps[1].result.status == "dismissed"
    on_time = replay(
        case, [Appeal(at=case.sim_start + timedelta(minutes=30), level="level1", letter="x")], library=library
    )
    assert isinstance(on_time[0].result, Determination) and on_time[0].result.status != "dismissed"
