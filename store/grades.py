"""Turn a case, its actions, the simulator's step results and the grader's report into an AttemptIn.

The grader (``grading.grade(case, actions) -> GradeReport``) owns the scores; this module only reads
them. Dimension percentages come from the report's own per-dimension points; nothing is invented. If
the report has a shape this reader does not know, it says which keys it looked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from scenarios.models import Case
from store.attempts import AttemptIn, GradeSummary
from store.models import DIMENSIONS
from store.payload import plain


class GradeFormatError(ValueError):
    """The grade report lacks a field the store needs; the message names the keys that were tried."""


def _first(data: Mapping[str, Any], keys: tuple[str, ...], what: str) -> Any:
    for key in keys:
        if data.get(key) is not None:
            return data[key]
    raise GradeFormatError(f"grade report: no {what} (looked for {', '.join(keys)})")


def _points(item: Mapping[str, Any]) -> tuple[float, float] | None:
    got = next((item[k] for k in ("points", "score", "earned") if isinstance(item.get(k), int | float)), None)
    top = next(
        (item[k] for k in ("max_points", "max_score", "max") if isinstance(item.get(k), int | float)), None
    )
    return None if got is None or top is None else (float(got), float(top))


def _percent(pairs: list[tuple[float, float]]) -> float | None:
    top = sum(t for _, t in pairs)
    return None if top <= 0 else max(0.0, min(100.0, 100.0 * sum(g for g, _ in pairs) / top))


def dimension_scores(data: Mapping[str, Any]) -> dict[str, float]:
    """Percent of points per dimension: the report's own ``percent`` per dimension when it states one
    (``grading.GradeReport`` does; None for a dimension that does not apply), else computed from
    points in ``dimension_scores``, ``dimensions`` or ``items``.

    >>> dimension_scores({"items": [{"dimension": "coding", "points": 3, "max_points": 4},
    ...                             {"dimension": "coding", "points": 1, "max_points": 1}]})
    {'coding': 80.0}
    """
    direct = data.get("dimension_scores")
    if isinstance(direct, Mapping):
        return {d: float(v) for d, v in direct.items() if d in DIMENSIONS and isinstance(v, int | float)}
    pairs: dict[str, list[tuple[float, float]]] = {}
    dims = data.get("dimensions")
    if isinstance(dims, Mapping):
        # grading.GradeReport: {dimension: {percent, applicable, earned_points, possible_points, ...}}
        stated = {
            name: float(body["percent"])
            for name, body in dims.items()
            if isinstance(body, Mapping) and isinstance(body.get("percent"), int | float)
        }
        if stated or any(isinstance(b, Mapping) and "percent" in b for b in dims.values()):
            return {d: v for d, v in stated.items() if d in DIMENSIONS}
        for name, body in dims.items():
            entries = body if isinstance(body, Sequence) and not isinstance(body, str) else [body]
            pairs[name] = [p for e in entries if isinstance(e, Mapping) and (p := _points(e))]
    elif isinstance(dims, Sequence):
        for body in dims:
            if isinstance(body, Mapping) and (p := _points(body)):
                pairs.setdefault(str(body.get("dimension") or body.get("name")), []).append(p)
    elif isinstance(data.get("items"), Sequence):
        for item in data["items"]:
            if isinstance(item, Mapping) and (p := _points(item)):
                pairs.setdefault(str(item.get("dimension")), []).append(p)
    out = {d: pct for d, ps in pairs.items() if d in DIMENSIONS and (pct := _percent(ps)) is not None}
    if not out:
        raise GradeFormatError(
            "grade report: no per-dimension points (looked for 'dimension_scores', 'dimensions' or 'items' "
            "with 'dimension', 'points' and 'max_points')"
        )
    return out


def _error_tags(data: Mapping[str, Any]) -> list[str]:
    tags = data.get("error_tags")
    if isinstance(tags, Sequence) and not isinstance(tags, str):
        return [str(t) for t in tags]
    found: list[str] = []
    for item in data.get("items") or []:
        if isinstance(item, Mapping):
            found.extend(str(t) for t in item.get("error_tags") or [])
    return found


def summarize_grade(report: Any) -> GradeSummary:
    """The dashboard columns of a GradeReport (its model or its JSON), with the full report kept."""
    data = plain(report)
    if not isinstance(data, Mapping):
        raise GradeFormatError(f"grade report: expected an object, got {type(data).__name__}")
    total = _first(data, ("total", "total_score", "score"), "total score")
    passed = _first(data, ("passed",), "pass/fail")
    return GradeSummary(
        total_score=float(total),
        passed=bool(passed),
        dimension_scores=dimension_scores(data),
        error_tags=_error_tags(data),
        report=dict(data),
    )


def attempt_record(
    case: Case,
    actions: list[Any],
    results: list[Any],
    report: Any,
    *,
    started_at: datetime,
    completed_at: datetime,
) -> AttemptIn:
    """A completed attempt ready for ``save_attempt``: identity of the case, actions, results, grade."""
    return AttemptIn(
        module_id=case.module_id,
        case_id=case.case_id,
        seed=case.seed,
        archetype_id=case.archetype_id,
        content_version=case.content_version,
        started_at=started_at,
        completed_at=completed_at,
        status="completed",
        actions=actions,
        results=results,
        grade=summarize_grade(report),
    )
