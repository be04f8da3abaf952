"""Turn graded items into a :class:`GradeReport`: per-dimension scores, the weighted total, pass/fail.

A dimension's percent is its earned points over its possible points. A dimension with no items does not
apply to the case (nothing to code on a provider query, no narrative on a no-auth close); its weight is
shared among the dimensions that apply, in proportion to theirs, so every case is scored out of 100.
"""

from __future__ import annotations

from grading.context import Attempt
from grading.error_tags import ERROR_TAGS
from grading.models import DIMENSIONS, CriticalError, DimensionScore, FixFirst, GradeItem, GradeReport
from grading.rubric import CriticalErrorSpec
from scenarios.models import Submission

GRADER_VERSION = "2.0.0"


def critical_errors(
    att: Attempt, items: list[GradeItem], specs: dict[str, CriticalErrorSpec] | None = None
) -> list[CriticalError]:
    """The rubric's critical errors (or ``specs``: its major errors) that the graded items trigger, one per
    (error, item)."""
    final = att.final.status if att.final else None
    own = att.final_index is not None and isinstance(att.actions[att.final_index], Submission)
    correct = att.case.answer_key.correct_action
    found: list[CriticalError] = []
    for cid, spec in (att.rubric.critical_errors if specs is None else specs).items():
        for item in items:
            hit = any(
                set(trig.tags) & set(item.error_tags)
                and (trig.final_status is None or final in trig.final_status)
                and (own or not trig.on_trainee_request)
                and (trig.correct_action is None or correct in trig.correct_action)
                for trig in spec.triggers
            )
            if hit:
                found.append(
                    CriticalError(
                        id=cid,
                        item_id=item.item_id,
                        message=f"{spec.meaning} {first_sentence(item.feedback)}",
                        sentence=item.quote,
                        chart_passage=item.chart_passage,
                        citation=item.citation,
                    )
                )
    return found


def first_sentence(text: str) -> str:
    """The text up to its first full stop outside parentheses and quotes."""
    text = text.strip()
    depth = 0
    for i, ch in enumerate(text):
        if ch in "(\u201c":
            depth += 1
        elif ch in ")\u201d":
            depth = max(0, depth - 1)
        elif ch in ".!?" and depth == 0 and (i + 1 == len(text) or text[i + 1] == " ") and i > 0:
            if text[max(0, i - 3) : i + 1].lower() in ("e.g.", "i.e."):
                continue
            if i + 2 < len(text) and not text[i + 2].isupper() and text[i + 2] not in "\u201c(":
                continue  # "e.g. M54" or "1.5 mg": not the end of a sentence
            return text[: i + 1]
    return text


def fix_first(
    items: list[GradeItem], share: dict[str, float], possible: dict[str, float], critical: list[CriticalError]
) -> list[FixFirst]:
    """The three things to fix first: items behind a critical error, then the largest weighted losses."""
    critical_ids = {c.item_id for c in critical}

    def lost(item: GradeItem) -> float:
        if item.dimension not in share or not possible.get(item.dimension):
            return 0.0
        return (item.max_points - item.points) / possible[item.dimension] * share[item.dimension]

    losing = [i for i in items if i.points < i.max_points]
    ranked = sorted(
        enumerate(losing), key=lambda p: (p[1].item_id not in critical_ids, -round(lost(p[1]), 6), p[0])
    )
    out: list[FixFirst] = []
    seen: set[str] = set()
    for _, item in ranked:
        text = first_sentence(item.feedback)
        if item.correct_answer:
            text += f" Right: {item.correct_answer}"
        if text in seen:
            continue
        seen.add(text)
        out.append(FixFirst(item_id=item.item_id, text=text, citation=item.citation))
        if len(out) == 3:
            break
    return out


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
    critical = critical_errors(att, items)
    major = critical_errors(att, items, att.rubric.major_errors)
    if critical:  # the score says what the verdict says: no "92, failed"
        total = min(total, att.rubric.critical_cap)
    elif major:  # one error that fails the attempt: just below the pass mark, fixed first
        total = min(total, att.rubric.major_cap)
    possible_by_dim = {d: dims[d].possible_points for d in share}
    return GradeReport(
        case_id=case.case_id,
        module_id=case.module_id,
        archetype_id=case.archetype_id,
        correct_action=case.answer_key.correct_action,
        total=total,
        passed=total >= pass_mark and not critical,
        pass_mark=pass_mark,
        critical_errors=critical,
        fix_first=fix_first(items, share, possible_by_dim, critical + major),
        path=att.path_id,
        dimensions=dims,
        items=items,
        error_tags=tags,
        final_status=final.status if final else None,
        rubric_version=att.rubric.label,
        grader_version=GRADER_VERSION,
        content_version=case.content_version,
    )
