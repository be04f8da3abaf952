"""Waiting on the simulated clock (issue 12 item 10) costs nothing by itself: an attempt with "advance
the clock" actions that cross no deadline is graded exactly as the same work without them, and from
the stored log as from the live one. Waiting past a pend's reply-by date fails the outcome, as the
payer's rule denies the request (the consequence a trainee would notice)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from grading_support import case, first_case

from grading import grade
from scenarios.models import ActionLog, AdvanceClock, EligibilityQuery, PendReply

CASES = [("advanced_imaging", 1), ("advanced_imaging", 2), ("pends_appeals", 0), ("dme", 1), ("coding", 2)]


@pytest.mark.parametrize(("module_id", "seed"), CASES)
def test_waiting_within_the_deadlines_grades_the_same(module_id: str, seed: int) -> None:
    c = case(module_id, seed)
    ref = list(c.answer_key.reference_actions)
    plain = grade(c, ref)
    # one wait after the lookups (one minute, before the next action) and one after the last action
    head = [a for a in ref if isinstance(a, EligibilityQuery)]
    rest = ref[len(head) :]
    waits = [*head, *([AdvanceClock(at=rest[0].at - timedelta(minutes=1))] if head and rest else []), *rest]
    waits.append(AdvanceClock(at=ref[-1].at + timedelta(days=3), to="next_event"))
    waited = grade(c, waits)
    assert (waited.total, waited.passed) == (plain.total, plain.passed)
    # graded from the stored log (JSON round trip, as the store keeps it): the same report
    stored = ActionLog.model_validate_json(ActionLog(case_id=c.case_id, actions=waits).model_dump_json())
    assert grade(c, stored.actions).model_dump() == waited.model_dump()


def test_waiting_past_the_reply_by_date_fails_the_pend() -> None:
    c = first_case("pends_appeals", lambda k: k.answer_key.correct_action == "reply_to_pend")
    ref = list(c.answer_key.reference_actions)
    reply = next(a for a in ref if isinstance(a, PendReply))
    late = [a for a in ref if a is not reply] + [AdvanceClock(at=reply.at + timedelta(days=90))]
    assert grade(c, ref).passed
    report = grade(c, late)
    assert not report.passed and report.total < grade(c, ref).total
