"""Turn a case, its actions, the simulator's step results and the grader's report into an AttemptIn.

The grader (``grading.grade(case, actions) -> GradeReport``) owns the scores; this module only reads
them from the report's own fields (``total``, ``passed``, each dimension's ``percent``, ``error_tags``).
A stored report read back as JSON is validated as a :class:`GradeReport` first, so a report of another
shape is refused with the field that is wrong instead of being guessed at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, get_args

from pydantic import ValidationError

from cli_support import validation_line
from grading.models import Dimension, GradeReport
from operations.outcome import case_outcome
from scenarios.models import Case
from store.attempts import AttemptIn, GradeSummary
from store.payload import plain


class GradeFormatError(ValueError):
    """The grade report is not a GradeReport; the message names the field and the problem."""


def as_report(report: GradeReport | Mapping[str, Any]) -> GradeReport:
    if isinstance(report, GradeReport):
        return report
    try:
        return GradeReport.model_validate(report)
    except ValidationError as exc:
        raise GradeFormatError(validation_line("grade report", exc)) from None


def dimension_scores(report: GradeReport) -> dict[Dimension, float]:
    """Percent per dimension as the report states it; dimensions that do not apply have none."""
    scores: dict[Dimension, float] = {}
    for name in get_args(Dimension):
        score = report.dimensions.get(name)
        if score is not None and score.applicable and score.percent is not None:
            scores[name] = float(score.percent)
    return scores


def summarize_grade(report: GradeReport | Mapping[str, Any]) -> GradeSummary:
    """The dashboard columns of a GradeReport (its model or its JSON), with the full report kept."""
    graded = as_report(report)
    return GradeSummary(
        total_score=graded.total,
        passed=graded.passed,
        dimension_scores=dimension_scores(graded),
        error_tags=list(graded.error_tags),
        report=plain(graded),
    )


def attempt_record(
    case: Case,
    actions: list[Any],
    results: list[Any],
    report: Any | None,
    *,
    started_at: datetime,
    completed_at: datetime | None,
    idempotency_key: str | None = None,
    activity: Sequence[datetime] = (),
) -> AttemptIn:
    """An attempt ready for ``save_attempt``: identity of the case, actions, results and, once graded
    (``report`` and ``completed_at`` given), the grade and the operations outcome; without them it is
    an attempt in progress. ``activity`` is the workspace's moments (operations.staff_time): the
    active time counts from the case's opening through each moment to its finish; with no moments
    recorded it is unknown, not zero."""
    graded = report is not None
    outcome = None
    if graded and completed_at is not None:
        moments = [started_at, *activity, completed_at] if activity else []
        outcome = case_outcome(case, actions, results, moments=moments)
    return AttemptIn(
        module_id=case.module_id,
        case_id=case.case_id,
        seed=case.seed,
        archetype_id=case.archetype_id,
        content_version=case.content_version,
        started_at=started_at,
        completed_at=completed_at if graded else None,
        status="completed" if graded else "in_progress",
        actions=actions,
        results=results,
        grade=summarize_grade(report) if report is not None else None,
        idempotency_key=idempotency_key,
        activity=list(activity),
        outcome=outcome,
    )
