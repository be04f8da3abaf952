"""Turn graded items into a :class:`GradeReport`: per-dimension scores, the weighted total, pass/fail.

A dimension's percent is its earned points over its possible points. A dimension with no items does not
apply to the case (nothing to code on a provider query, no narrative on a no-auth close); its weight is
shared among the dimensions that apply, in proportion to theirs, so every case is scored out of 100.
"""

from __future__ import annotations

from grading.context import Attempt
from grading.error_tags import ERROR_TAGS
from grading.models import DIMENSIONS, DimensionScore, GradeItem, GradeReport

GRADER_VERSION = "1.0.0"


def build_report(att: Attempt, items: list[GradeItem], pass_mark: float) -> GradeReport:
    weights = att.rubric.weights
    by_dim: dict[str, list[GradeItem]] = {d: [] for d in DIMENSIONS}
    for item in items:
        by_dim[item.dimension].append(item)
    applicable = [d for d in DIMENSIONS if by_dim[d]]
    total_weight = sum(weights[d] for d in applicable)
    # every applicable dimension weighs 0 (an override that zeroes them): share equally instead
    share = {d: (weights[d] / total_weight if total_weight > 0 else 1 / len(applicable)) for d in applicable}
    dims: dict[str, DimensionScore] = {}
    total = 0.0
    for d in DIMENSIONS:
        earned = sum(i.points for i in by_dim[d])
        possible = sum(i.max_points for i in by_dim[d])
        if d not in share:
            dims[d] = DimensionScore(
                score=0,
                max=0,
                weight=weights[d],
                percent=None,
                applicable=False,
                earned_points=0,
                possible_points=0,
            )
            continue
        pct = earned / possible
        top = 100 * share[d]
        dims[d] = DimensionScore(
            score=round(top * pct, 2),
            max=round(top, 2),
            weight=weights[d],
            percent=round(100 * pct, 2),
            applicable=True,
            earned_points=round(earned, 4),
            possible_points=round(possible, 4),
        )
        total += top * pct
    tags = sorted({t for i in items for t in i.error_tags})
    unknown = [t for t in tags if t not in ERROR_TAGS]
    if unknown:  # a grader emitted a tag outside the vocabulary: a programming error, never silent
        raise ValueError(f"error tags {unknown} are not in grading.error_tags.ERROR_TAGS")
    total = round(min(100.0, max(0.0, total)), 2)
    case = att.case
    final = att.final
    return GradeReport(
        case_id=case.case_id,
        module_id=case.module_id,
        archetype_id=case.archetype_id,
        correct_action=case.answer_key.correct_action,
        total=total,
        passed=total >= pass_mark,
        pass_mark=pass_mark,
        dimensions=dims,
        items=items,
        error_tags=tags,
        final_status=final.status if final else None,
        rubric_version=att.rubric.label,
        grader_version=GRADER_VERSION,
        content_version=case.content_version,
    )
