"""``python -m store backfill-outcomes``: attempts stored before the operations tables get their
outcome from their stored actions, once; the KPIs then count them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from store_support import NOW, attempt_in, make_user

from grading import grade
from scenarios import generate_case
from simulator import replay
from store.attempts import save_attempt
from store.backfill import backfill_outcomes
from store.grades import attempt_record
from store.kpis import operations_report
from store.models import AttemptOutcome
from store.permissions import SYSTEM, AccessDenied


def test_old_attempts_get_their_outcome_once(db_session: Session) -> None:
    trainee = make_user(db_session, "tess")
    case = next(
        c for c in (generate_case("advanced_imaging", s) for s in range(60)) if c.archetype_id == "mri_meets"
    )
    actions = case.answer_key.reference_actions
    record = attempt_record(
        case,
        actions,
        replay(case, actions),
        grade(case, actions),
        started_at=NOW,
        completed_at=NOW + timedelta(minutes=9),
    )
    save_attempt(db_session, trainee, record)
    odd = attempt_in(module_id="retired_module", seed=3)  # a module that no longer exists
    save_attempt(db_session, trainee, odd)
    db_session.execute(delete(AttemptOutcome))  # as if stored before revision 0003
    assert operations_report(db_session, SYSTEM).overall.cases == 0

    assert backfill_outcomes(db_session, SYSTEM).model_dump() == {"filled": 1, "skipped": 1}
    k = operations_report(db_session, SYSTEM).overall
    # the archetype's key: the complete request is approved on its first reply
    assert (k.cases, k.requests, k.first_pass_rate, k.denial_rate) == (1, 1, 1.0, 0.0)
    assert backfill_outcomes(db_session, SYSTEM).filled == 0  # idempotent
    assert db_session.scalar(select(func.count()).select_from(AttemptOutcome)) == 1


def test_only_administrators_backfill(db_session: Session) -> None:
    with pytest.raises(AccessDenied):
        backfill_outcomes(db_session, make_user(db_session, "sid", role="supervisor"))
