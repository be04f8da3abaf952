"""Attempts: save everything needed to regenerate the case and replay it; read them back with access
control (a trainee reads only their own, supervisors and administrators any, coordinators none)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from grading.models import Dimension
from operations.outcome import CaseOutcome
from operations.staff_time import MAX_MOMENTS
from scenarios.models import Action
from store.access import require_person
from store.audit import audit_read, check, deny, log_event
from store.db import lock_for_write
from store.models import DIMENSIONS, Attempt, AttemptAppeal, AttemptErrorTag, AttemptOutcome, User
from store.payload import check_size, plain
from store.permissions import NotFound, Viewer, can

_ACTIONS = TypeAdapter(list[Action])
_TAG_RE = re.compile(r"[a-z0-9_]{1,64}")


class GradeSummary(BaseModel):
    """What the dashboards need from a grade, plus the full report for the attempt review page.

    ``dimension_scores`` are percentages (0-100) of each dimension's points; a dimension the rubric
    does not grade is simply absent.
    """

    model_config = ConfigDict(extra="forbid")
    total_score: float = Field(ge=0, le=100)
    passed: bool
    dimension_scores: dict[Dimension, float] = Field(default_factory=dict)
    error_tags: list[str] = Field(default_factory=list, max_length=200)
    report: dict[str, Any]

    @field_validator("dimension_scores")
    @classmethod
    def _percent(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: s for k, s in v.items() if not 0 <= s <= 100}
        if bad:
            raise ValueError(f"dimension scores must be 0-100, got {bad}")
        return v

    @field_validator("error_tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        for tag in v:
            if not _TAG_RE.fullmatch(tag):
                raise ValueError(
                    f"error tag {tag[:70]!r} is not a vocabulary tag (lower-case letters, digits, '_')"
                )
        return sorted(set(v))

    @field_validator("report", mode="before")
    @classmethod
    def _report(cls, v: Any) -> Any:
        v = plain(v)
        check_size("grade report", v)
        return v


class AttemptIn(BaseModel):
    """One attempt as the case workspace (or the demo seeder) hands it to the store."""

    model_config = ConfigDict(extra="forbid")
    module_id: str = Field(min_length=1, max_length=100)
    case_id: str = Field(min_length=1, max_length=200)
    seed: int = Field(ge=0, le=2**63 - 1)
    archetype_id: str = Field(min_length=1, max_length=100)
    content_version: str = Field(min_length=1, max_length=64)
    started_at: AwareDatetime
    completed_at: AwareDatetime | None = None
    status: Literal["in_progress", "completed", "abandoned"] = "completed"
    actions: list[Action] = Field(max_length=1000)
    results: list[dict[str, Any]] = Field(default_factory=list, max_length=1000)
    grade: GradeSummary | None = None
    # Wall-clock moments the workspace recorded while the trainee worked (operations.staff_time), and
    # the operations outcome of a completed attempt (operations.outcome); both empty for older callers.
    activity: list[AwareDatetime] = Field(default_factory=list, max_length=MAX_MOMENTS)
    outcome: CaseOutcome | None = None
    # One key per attempt, chosen by the client (e.g. secrets.token_urlsafe(16)): a retried save with
    # the same key finds the row the first try wrote instead of writing a second one.
    idempotency_key: str | None = Field(
        default=None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$"
    )

    @field_validator("results", mode="before")
    @classmethod
    def _results(cls, v: Any) -> Any:
        v = plain(v)
        check_size("results", v)
        return v

    @model_validator(mode="after")
    def _consistent(self) -> AttemptIn:
        if self.status == "completed" and (self.completed_at is None or self.grade is None):
            raise ValueError("a completed attempt needs completed_at and a grade")
        if self.status == "in_progress" and self.completed_at is not None:
            raise ValueError("an attempt in progress has no completed_at; set status 'completed'")
        if self.completed_at is not None and self.completed_at < self.started_at:
            raise ValueError("completed_at is before started_at")
        if self.outcome is not None and self.status != "completed":
            raise ValueError(
                "outcome: only a completed attempt has an outcome; leave it out while in progress"
            )
        check_size("actions", self.actions_json())
        return self

    def actions_json(self) -> list[dict[str, Any]]:
        return _ACTIONS.dump_python(self.actions, mode="json")

    def activity_json(self) -> list[str] | None:
        return [t.isoformat() for t in self.activity] or None


def activity_of(row: Attempt) -> list[datetime]:
    """The activity moments stored on ``row`` (none for rows older than revision 0003)."""
    return [datetime.fromisoformat(t) for t in row.activity_json or []]


def outcome_rows(attempt_id: int, outcome: CaseOutcome) -> list[AttemptOutcome | AttemptAppeal]:
    """The rows that store ``outcome`` of attempt ``attempt_id`` (store.kpis reads them)."""
    money = outcome.revenue
    main = AttemptOutcome(
        attempt_id=attempt_id,
        service_line=outcome.service_line,
        submitted=outcome.submitted,
        first_pass=outcome.first_pass,
        decided=outcome.decided,
        processing_hours=outcome.processing_hours,
        denied=outcome.denied,
        denial_reason=outcome.denial_reason,
        appeals=len(outcome.appeals),
        appeals_overturned=sum(a.overturned for a in outcome.appeals),
        active_seconds=outcome.active_seconds,
        standing=outcome.standing,
        expected_revenue=money.expected,
        revenue_at_risk=money.at_risk,
        revenue_lost=money.lost,
        revenue_recovered=money.recovered,
        cash_delay_days=money.cash_delay_days,
    )
    appeals = [
        AttemptAppeal(attempt_id=attempt_id, seq=i, level=a.level, overturned=a.overturned)
        for i, a in enumerate(outcome.appeals)
    ]
    return [main, *appeals]


class AttemptSummary(BaseModel):
    id: int
    user_id: int
    username: str
    module_id: str
    case_id: str
    archetype_id: str
    status: str
    started_at: datetime
    completed_at: datetime | None
    total_score: float | None
    passed: bool | None
    dimension_scores: dict[str, float | None]
    error_tags: list[str]

    @classmethod
    def of(cls, a: Attempt, username: str) -> AttemptSummary:
        return cls(
            id=a.id,
            user_id=a.user_id,
            username=username,
            module_id=a.module_id,
            case_id=a.case_id,
            archetype_id=a.archetype_id,
            status=a.status,
            started_at=a.started_at,
            completed_at=a.completed_at,
            total_score=a.total_score,
            passed=a.passed,
            dimension_scores={d: getattr(a, d) for d in DIMENSIONS},
            error_tags=[t.tag for t in a.error_tags],
        )


class AttemptOut(AttemptSummary):
    """Everything stored: regenerate the case from ``case_id`` (module:seed) and replay ``action_models()``."""

    seed: int
    content_version: str
    actions: list[dict[str, Any]]
    results: list[dict[str, Any]]
    grade: dict[str, Any] | None
    activity: list[datetime] = Field(default_factory=list)

    def action_models(self) -> list[Action]:
        return _ACTIONS.validate_python(self.actions)


def save_attempt(session: Session, viewer: Viewer, attempt: AttemptIn | dict[str, Any]) -> AttemptSummary:
    """Store the viewer's own attempt with its actions, results, grade and error tags (one transaction)."""
    check(session, viewer, "attempt.save_own")
    if viewer.user_id is None:
        raise ValueError("user: attempts belong to a person; sign in as the trainee who made the attempt")
    data = attempt if isinstance(attempt, AttemptIn) else AttemptIn.model_validate(attempt)
    earlier = keyed_attempt(session, viewer.user_id, data.idempotency_key)
    if earlier is not None and earlier.status == data.status:  # a retry of a save that went through
        return AttemptSummary.of(earlier, viewer.username)
    if earlier is not None:
        raise ValueError(
            f"idempotency key: attempt {earlier.id} already uses it as {earlier.status!r}; "
            "finish it with complete_attempt or use a new key"
        )
    grade = data.grade
    row = Attempt(
        user_id=viewer.user_id,
        module_id=data.module_id,
        case_id=data.case_id,
        seed=data.seed,
        archetype_id=data.archetype_id,
        content_version=data.content_version,
        started_at=data.started_at,
        completed_at=data.completed_at,
        status=data.status,
        total_score=grade.total_score if grade else None,
        passed=grade.passed if grade else None,
        actions_json=data.actions_json(),
        results_json=data.results,
        grade_json=grade.report if grade else None,
        idempotency_key=data.idempotency_key,
        activity_json=data.activity_json(),
        **{d: (grade.dimension_scores.get(d) if grade else None) for d in get_args(Dimension)},
    )
    row.error_tags = [AttemptErrorTag(tag=t) for t in (grade.error_tags if grade else [])]
    session.add(row)
    session.flush()
    if data.outcome is not None:
        session.add_all(outcome_rows(row.id, data.outcome))
        session.flush()
    log_event(
        session,
        "submission",
        user_id=viewer.user_id,
        at=data.completed_at or data.started_at,
        detail={
            "attempt_id": row.id,
            "case_id": data.case_id,
            "status": data.status,
            "total_score": row.total_score,
        },
    )
    return AttemptSummary.of(row, viewer.username)


def keyed_attempt(session: Session, user_id: int, key: str | None) -> Attempt | None:
    """The user's attempt saved under ``key``, if any. Takes the write lock first, so two concurrent
    saves with one key cannot both miss it (the unique constraint backs this up)."""
    if key is None:
        return None
    lock_for_write(session)
    return session.scalar(select(Attempt).where(Attempt.user_id == user_id, Attempt.idempotency_key == key))


def get_attempt(session: Session, viewer: Viewer, attempt_id: int) -> AttemptOut:
    """One attempt in full. Trainees may open only their own (AccessDenied otherwise); coordinators none."""
    if not isinstance(attempt_id, int) or isinstance(attempt_id, bool):
        raise ValueError(f"attempt id: expected a whole number, got {type(attempt_id).__name__}")
    check(session, viewer, "attempt.read_own", attempt_id=attempt_id)
    if not 0 < attempt_id < 2**63:  # beyond any id a database stores (SQLite and PostgreSQL would raise)
        raise NotFound(f"attempt {attempt_id} does not exist")
    found = session.execute(
        select(Attempt, User.username)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.id == attempt_id)
        .options(selectinload(Attempt.error_tags))
    ).first()
    if found is None:
        raise NotFound(f"attempt {attempt_id} does not exist")
    a, username = found
    if a.user_id != viewer.user_id:
        if not can(viewer.role, "attempt.read_any"):
            raise deny(
                session,
                viewer,
                "attempt.read_any",
                f"Attempt {attempt_id} belongs to another trainee; you can open only your own.",
                attempt_id=attempt_id,
            )
        require_person(session, viewer, a.user_id, "attempt.read_any")
        audit_read(session, viewer, "attempt", attempt_id=attempt_id, target_id=a.user_id)
    summary = AttemptSummary.of(a, username)
    return AttemptOut(
        **summary.model_dump(),
        seed=a.seed,
        content_version=a.content_version,
        actions=a.actions_json,
        results=a.results_json,
        grade=a.grade_json,
        activity=activity_of(a),
    )


def attempts_for(
    session: Session,
    viewer: Viewer,
    user_id: int,
    *,
    module_id: str | None = None,
    limit: int = 500,
) -> list[AttemptSummary]:
    """A user's attempts, newest first (trainees: only their own)."""
    if user_id == viewer.user_id:
        check(session, viewer, "attempt.read_own")
    else:
        require_person(session, viewer, user_id, "attempt.read_any")
        audit_read(session, viewer, "attempt_list", target_id=user_id)
    stmt = (
        select(Attempt, User.username)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.user_id == user_id)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        .limit(limit)
        .options(selectinload(Attempt.error_tags))
    )
    if module_id is not None:
        stmt = stmt.where(Attempt.module_id == module_id)
    return [AttemptSummary.of(a, username) for a, username in session.execute(stmt)]
