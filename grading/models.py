"""The grader's output contract: :class:`GradeReport` with its :class:`GradeItem` s (docs/formats.md, "Grade report").

Every item says what was checked, how many points it earned out of how many, what was wrong in a
trainee-readable sentence, what right looks like, where the rule comes from (policy id + criterion id,
or policy/manual section) and the error tags used by cohort analytics.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Dimension = Literal["coding", "documentation", "narrative", "process", "outcome"]
DIMENSIONS: tuple[str, ...] = get_args(Dimension)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GradeItem(_Model):
    """One rubric item: points earned of ``max_points`` within its dimension."""

    dimension: Dimension
    item_id: str
    points: float = Field(ge=0)
    max_points: float = Field(gt=0)
    feedback: str
    correct_answer: str = ""
    citation: str = ""
    error_tags: list[str] = Field(default_factory=list)
    # the trainee's words the item is about and the chart passage they were checked against (claims)
    quote: str = ""
    chart_passage: str = ""


def grade_item(
    dimension: Dimension,
    item_id: str,
    points: float,
    max_points: float,
    feedback: str,
    *,
    correct: str = "",
    citation: str = "",
    tags: list[str] | None = None,
    quote: str = "",
    passage: str = "",
) -> GradeItem:
    """The one GradeItem builder every dimension's grader uses (each binds its dimension with partial)."""
    return GradeItem(
        dimension=dimension,
        item_id=item_id,
        points=points,
        max_points=max_points,
        feedback=feedback,
        correct_answer=correct,
        citation=citation,
        error_tags=tags or [],
        quote=quote,
        chart_passage=passage,
    )


class DimensionScore(_Model):
    """A dimension's share of the total: ``score`` of ``max`` total-score points (``max`` is its weight,
    re-scaled when some dimensions do not apply to the case)."""

    score: float
    max: float
    weight: float
    percent: float | None
    applicable: bool
    earned_points: float
    possible_points: float


class SecondOpinion(_Model):
    """An LLM's 0–100 narrative score, shown beside the deterministic one and never replacing it."""

    model: str
    score: float = Field(ge=0, le=100)
    reasons: list[str] = Field(default_factory=list)
    deterministic_score: float
    agreement: bool


class CriticalError(_Model):
    """An error that fails the attempt whatever its points (declared in the rubric's ``critical_errors``)."""

    id: str
    item_id: str
    message: str
    sentence: str = ""  # the trainee's words, quoted
    chart_passage: str = ""  # what the chart (or the payer's notice) says instead
    citation: str = ""


class FixFirst(_Model):
    """One of the "three things to fix first" at the top of a report: the costliest lost points."""

    item_id: str
    text: str
    citation: str = ""


class GradeReport(_Model):
    case_id: str
    module_id: str
    archetype_id: str
    correct_action: str
    total: float = Field(ge=0, le=100)
    passed: bool
    pass_mark: float
    # first things a trainee reads: what failed the attempt outright, then the three costliest fixes
    critical_errors: list[CriticalError] = Field(default_factory=list)
    fix_first: list[FixFirst] = Field(default_factory=list, max_length=3)
    path: str = ""  # the acceptable path the attempt followed (answer key), "" when none
    dimensions: dict[str, DimensionScore]
    items: list[GradeItem]
    error_tags: list[str]
    final_status: str | None = None
    rubric_version: str
    grader_version: str
    content_version: str
    second_opinion: SecondOpinion | None = None
    second_opinion_note: str | None = None
