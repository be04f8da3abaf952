"""Outcomes for attempts stored before revision 0003: ``python -m store backfill-outcomes``.

An attempt completed before the operations tables existed has no outcome row, so the KPIs leave it
out. This regenerates each such attempt's case from ``case_id`` (module:seed), reads its stored
actions and the payer's stored replies (replaying the actions when the stored replies are of an older
shape) and stores the outcome, exactly as a new attempt would get it. The case comes from the content
installed now: where the content changed since the attempt, the figures follow today's content (the
service value and the revenue data are today's). Attempts whose module no longer exists are skipped
and counted. Idempotent: an attempt that has an outcome is never touched again.
"""

from __future__ import annotations

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from operations.outcome import case_outcome
from scenarios.models import Action
from store.attempts import activity_of, outcome_rows
from store.models import Attempt, AttemptOutcome
from store.permissions import Viewer, require

_ACTIONS = TypeAdapter(list[Action])


class BackfillSummary(BaseModel):
    filled: int
    skipped: int  # the module or case can no longer be generated


def backfill_outcomes(session: Session, viewer: Viewer) -> BackfillSummary:
    """Store an outcome for every completed attempt that has none (administrators only)."""
    from scenarios import generate_case  # deferred: only this command needs the case engine
    from simulator import StepResult, replay

    require(viewer, "user.manage")
    missing = ~exists().where(AttemptOutcome.attempt_id == Attempt.id)
    filled = skipped = 0
    for row in session.scalars(
        select(Attempt).where(Attempt.status == "completed", missing).order_by(Attempt.id)
    ):
        try:
            case = generate_case(row.module_id, row.seed)
        except ValueError:  # an unknown module, or content with errors (each names its file)
            skipped += 1
            continue
        actions = _ACTIONS.validate_python(row.actions_json)
        try:
            steps: list[StepResult] = [StepResult.model_validate(s) for s in row.results_json]
        except ValidationError:
            steps = replay(case, actions)
        moments = activity_of(row)
        if moments and row.completed_at is not None:
            moments = [row.started_at, *moments, row.completed_at]
        session.add_all(outcome_rows(row.id, case_outcome(case, actions, steps, moments=moments)))
        filled += 1
    session.flush()
    return BackfillSummary(filled=filled, skipped=skipped)
