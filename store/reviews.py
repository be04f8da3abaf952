"""Supervisor feedback on an attempt (issue 12 item 9): a comment thread and a grade override with a
reason that can be reversed (messages to the trainee: ``store.messages``). Every write is audited.

Who may do what (``store.permissions.MATRIX``): supervisors and administrators comment, override and
send messages, supervisors only over the trainees of their cohorts (``store.access.require_person``,
the same scope as ``attempt.read_any``; a denial is audited); nobody reviews their own attempt. A
trainee reads the comments and overrides on their own attempts and their own messages, and writes none.

The effective score: an override replaces the attempt's ``total_score`` and ``passed`` (pass = the new
score reaches the report's pass mark), so the dashboards, assignment status and pass flags all count
the supervisor's score (the operations KPIs come from the payer's outcome, not the grade, and do not
change); the grader's own score stays in the stored grade report and on every
``grade_overrides`` row, and "restore" puts it back. See docs/grading.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.access import require_person
from store.audit import audit_read, check, deny, log_event
from store.db import utcnow
from store.models import Attempt, AttemptComment, GradeOverride, User
from store.permissions import NotFound, Viewer

MAX_COMMENT_CHARS = 4_000
MIN_REASON_CHARS = 10
MAX_REASON_CHARS = 1_000
# The audit row keeps this much of a comment or message (the record keeps it all; an audit detail is
# capped at 20,000 characters of JSON, and one astral character takes 12 there).
AUDITED_CHARS = 1_000


def _text(value: Any, field: str, *, limit: int, minimum: int = 1) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{field}: expected text, got {type(value).__name__}")
    text = value.strip()
    if len(text) < minimum:
        need = "must not be empty" if minimum == 1 else f"needs at least {minimum} characters"
        raise ValueError(f"{field}: {need} (got {len(text)}); write {_WHAT[field]}")
    if len(text) > limit:
        raise ValueError(f"{field}: at most {limit:,} characters (got {len(text):,}); shorten it")
    return text


_WHAT = {
    "comment": "what the trainee should know about this attempt",
    "message": "what you want the trainee to read",
    "reason": "why the score changes, e.g. 'the grader missed the therapy note the trainee sent'",
}


def _first_error(where: str, exc: ValidationError) -> ValueError:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or where
    if err["type"] == "value_error":  # our validators' messages already name the field and the fix
        return ValueError(str(err["msg"]).removeprefix("Value error, "))
    return ValueError(f"{field}: {err['msg']}")


class CommentIn(BaseModel):
    """A comment on an attempt: 1 to 4,000 characters (surrounding blanks dropped)."""

    model_config = ConfigDict(extra="forbid")
    text: str

    @field_validator("text", mode="before")
    @classmethod
    def _check(cls, v: Any) -> str:
        return _text(v, "comment", limit=MAX_COMMENT_CHARS)


class OverrideIn(BaseModel):
    """A new total score (0-100) for a completed attempt and why (at least 10 characters)."""

    model_config = ConfigDict(extra="forbid")
    score: float = Field(ge=0, le=100, allow_inf_nan=False)
    reason: str

    @field_validator("score", mode="before")
    @classmethod
    def _number(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ValueError(f"score: expected a number from 0 to 100, got {str(v)[:20]!r}")
        if not 0 <= v <= 100:
            raise ValueError(f"score: must be from 0 to 100 (got {v}); type the new total score")
        return v

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, v: Any) -> str:
        return _text(v, "reason", limit=MAX_REASON_CHARS, minimum=MIN_REASON_CHARS)


class RestoreIn(BaseModel):
    """Why the grader's score is put back (at least 10 characters)."""

    model_config = ConfigDict(extra="forbid")
    reason: str

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, v: Any) -> str:
        return _text(v, "reason", limit=MAX_REASON_CHARS, minimum=MIN_REASON_CHARS)


_M = TypeVar("_M", bound=BaseModel)


def _parse(model: type[_M], data: _M | dict[str, Any]) -> _M:
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _first_error(model.__name__, exc) from None


class CommentOut(BaseModel):
    id: int
    attempt_id: int
    author: str  # the author's display name ("(deleted account)" once it is gone)
    at: datetime
    text: str


class OverrideOut(BaseModel):
    id: int
    attempt_id: int
    author: str
    at: datetime
    kind: str  # "override" or "restore"
    grader_score: float
    grader_passed: bool
    previous_score: float
    score: float
    passed: bool
    reason: str


class AttemptReview(BaseModel):
    """The feedback on one attempt: the comment thread (oldest first), the override history (oldest
    first), the grader's score and the effective one (the newest override's, else the grader's)."""

    attempt_id: int
    trainee_id: int
    comments: list[CommentOut]
    overrides: list[OverrideOut]
    grader_score: float | None
    grader_passed: bool | None
    effective_score: float | None
    effective_passed: bool | None

    @property
    def overridden(self) -> bool:
        """Whether a supervisor's score is in force (the newest change is an override)."""
        return bool(self.overrides) and self.overrides[-1].kind == "override"

    @property
    def current(self) -> OverrideOut | None:
        """The override in force, if any."""
        return self.overrides[-1] if self.overridden else None


_GONE = "(deleted account)"


def _names(session: Session, ids: set[int | None]) -> dict[int | None, str]:
    wanted = {i for i in ids if i is not None}
    rows = session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(wanted)))
    found: dict[int | None, str] = {uid: display or username for uid, display, username in rows}
    return {i: found.get(i, _GONE) for i in ids}


def _attempt(session: Session, attempt_id: Any) -> Attempt:
    if not isinstance(attempt_id, int) or isinstance(attempt_id, bool):
        raise ValueError(f"attempt id: expected a whole number, got {type(attempt_id).__name__}")
    row = session.get(Attempt, attempt_id) if 0 < attempt_id < 2**63 else None
    if row is None:
        raise NotFound(f"attempt {attempt_id} does not exist")
    return row


def _reviewable(session: Session, viewer: Viewer, attempt_id: Any, action: Any) -> Attempt:
    """The attempt if ``viewer`` may ``action`` on it: the role allows it, the trainee is in the
    viewer's cohorts, and it is someone else's attempt (each denial audited)."""
    check(session, viewer, action, attempt_id=attempt_id)
    row = _attempt(session, attempt_id)
    if row.user_id == viewer.user_id:
        raise deny(
            session,
            viewer,
            action,
            f"Attempt {row.id} is your own; another supervisor or an administrator reviews it.",
            attempt_id=row.id,
        )
    require_person(session, viewer, row.user_id, action)
    return row


def _readable(session: Session, viewer: Viewer, attempt_id: Any) -> Attempt:
    """The attempt if ``viewer`` may read its feedback: its own trainee, or a reviewer in scope."""
    check(session, viewer, "attempt.read_own", attempt_id=attempt_id)
    row = _attempt(session, attempt_id)
    if row.user_id != viewer.user_id:
        check(session, viewer, "attempt.read_any", attempt_id=row.id)
        require_person(session, viewer, row.user_id, "attempt.read_any")
        audit_read(session, viewer, "attempt_review", attempt_id=row.id, target_id=row.user_id)
    return row


# ----- comments ------------------------------------------------------------------------------------


def add_comment(
    session: Session,
    viewer: Viewer,
    attempt_id: int,
    comment: CommentIn | dict[str, Any],
    *,
    now: datetime | None = None,
) -> CommentOut:
    """Add a comment to a trainee's attempt (audited as 'attempt_comment').

    ``add_comment(s, supervisor, 12, {"text": "Good catch on the pend."})`` -> CommentOut(id=1, ...)
    """
    row = _reviewable(session, viewer, attempt_id, "review.comment")
    data = _parse(CommentIn, comment)
    at = now or utcnow()
    saved = AttemptComment(attempt_id=row.id, author_id=viewer.user_id, at=at, text=data.text)
    session.add(saved)
    session.flush()
    log_event(
        session,
        "attempt_comment",
        user_id=viewer.user_id,
        at=at,
        detail={
            "attempt_id": row.id,
            "target_id": row.user_id,
            "comment_id": saved.id,
            "chars": len(data.text),
            "text": data.text[:AUDITED_CHARS],
        },
    )
    name = _names(session, {viewer.user_id})[viewer.user_id]
    return CommentOut(id=saved.id, attempt_id=row.id, author=name, at=at, text=data.text)


# ----- overrides -----------------------------------------------------------------------------------


def _pass_mark(row: Attempt) -> float:
    report = row.grade_json or {}
    mark = report.get("pass_mark")
    if isinstance(mark, int | float) and not isinstance(mark, bool):
        return float(mark)
    from grading import rubric_for  # deferred: only a report without a pass mark needs the rubrics

    try:
        return float(rubric_for(row.module_id).pass_mark)
    except (ValueError, OSError) as exc:
        raise ValueError(
            f"pass mark: the grade report of attempt {row.id} states none and module "
            f"{row.module_id!r} has no rubric ({exc}); the score cannot be judged pass or fail"
        ) from None


def _history(session: Session, attempt_id: int) -> list[GradeOverride]:
    return list(
        session.scalars(
            select(GradeOverride)
            .where(GradeOverride.attempt_id == attempt_id)
            .order_by(GradeOverride.at, GradeOverride.id)
        )
    )


def _graded(row: Attempt) -> tuple[float, bool]:
    if row.status != "completed" or row.total_score is None or row.passed is None:
        raise ValueError(
            f"attempt: {row.id} is not graded yet ({row.status.replace('_', ' ')}); "
            "a score can be overridden once the trainee finishes the case"
        )
    return row.total_score, row.passed


def _record(
    session: Session,
    viewer: Viewer,
    row: Attempt,
    *,
    kind: str,
    score: float,
    passed: bool,
    reason: str,
    grader: tuple[float, bool],
    now: datetime | None,
) -> OverrideOut:
    at = now or utcnow()
    previous = row.total_score if row.total_score is not None else grader[0]
    saved = GradeOverride(
        attempt_id=row.id,
        author_id=viewer.user_id,
        at=at,
        kind=kind,
        grader_score=grader[0],
        grader_passed=grader[1],
        previous_score=previous,
        score=score,
        passed=passed,
        reason=reason,
    )
    session.add(saved)
    # The effective columns every dashboard, KPI and pass flag reads (see the module docstring).
    row.total_score, row.passed = score, passed
    session.flush()
    log_event(
        session,
        "grade_override",
        user_id=viewer.user_id,
        at=at,
        detail={
            "action": kind,
            "attempt_id": row.id,
            "target_id": row.user_id,
            "override_id": saved.id,
            "grader_score": grader[0],
            "previous_score": previous,
            "score": score,
            "passed": passed,
            "reason": reason,
        },
    )
    name = _names(session, {viewer.user_id})[viewer.user_id]
    return _override_out(saved, name)


def override_grade(
    session: Session,
    viewer: Viewer,
    attempt_id: int,
    change: OverrideIn | dict[str, Any],
    *,
    now: datetime | None = None,
) -> OverrideOut:
    """Give a completed attempt a new total score with a reason (audited as 'grade_override'). The
    grader's score is kept; ``passed`` follows the report's pass mark.

    ``override_grade(s, supervisor, 12, {"score": 85, "reason": "Therapy note was attached."})``
    """
    row = _reviewable(session, viewer, attempt_id, "review.override")
    data = _parse(OverrideIn, change)
    history = _history(session, row.id)
    grader = (history[0].grader_score, history[0].grader_passed) if history else _graded(row)
    _graded(row)
    score = round(data.score, 1)
    return _record(
        session,
        viewer,
        row,
        kind="override",
        score=score,
        passed=score >= _pass_mark(row),
        reason=data.reason,
        grader=grader,
        now=now,
    )


def restore_grade(
    session: Session,
    viewer: Viewer,
    attempt_id: int,
    change: RestoreIn | dict[str, Any],
    *,
    now: datetime | None = None,
) -> OverrideOut:
    """Put the grader's score back on an overridden attempt, with a reason (audited)."""
    row = _reviewable(session, viewer, attempt_id, "review.override")
    data = _parse(RestoreIn, change)
    history = _history(session, row.id)
    if not history or history[-1].kind != "override":
        raise ValueError(f"attempt: {row.id} already has the grader's score; there is no override to undo")
    grader = (history[0].grader_score, history[0].grader_passed)
    return _record(
        session,
        viewer,
        row,
        kind="restore",
        score=grader[0],
        passed=grader[1],
        reason=data.reason,
        grader=grader,
        now=now,
    )


def _override_out(o: GradeOverride, author: str) -> OverrideOut:
    return OverrideOut(
        id=o.id,
        attempt_id=o.attempt_id,
        author=author,
        at=o.at,
        kind=o.kind,
        grader_score=o.grader_score,
        grader_passed=o.grader_passed,
        previous_score=o.previous_score,
        score=o.score,
        passed=o.passed,
        reason=o.reason,
    )


def attempt_review(session: Session, viewer: Viewer, attempt_id: int) -> AttemptReview:
    """The comments and the override history of one attempt: its trainee, or a supervisor over that
    trainee's cohort, or an administrator (another person's read is audited)."""
    row = _readable(session, viewer, attempt_id)
    comments = list(
        session.scalars(
            select(AttemptComment)
            .where(AttemptComment.attempt_id == row.id)
            .order_by(AttemptComment.at, AttemptComment.id)
        )
    )
    history = _history(session, row.id)
    names = _names(session, {c.author_id for c in comments} | {o.author_id for o in history})
    grader_score: float | None = history[0].grader_score if history else row.total_score
    grader_passed: bool | None = history[0].grader_passed if history else row.passed
    return AttemptReview(
        attempt_id=row.id,
        trainee_id=row.user_id,
        comments=[
            CommentOut(id=c.id, attempt_id=row.id, author=names[c.author_id], at=c.at, text=c.text)
            for c in comments
        ],
        overrides=[_override_out(o, names[o.author_id]) for o in history],
        grader_score=grader_score,
        grader_passed=grader_passed,
        effective_score=row.total_score,
        effective_passed=row.passed,
    )


def overridden_scores(session: Session, viewer: Viewer, user_id: int) -> dict[int, float]:
    """``{attempt id: the grader's score}`` for each of a user's attempts whose score a supervisor
    overrode (the override still in force): the user themself, or a reviewer in scope."""
    if user_id == viewer.user_id:
        check(session, viewer, "attempt.read_own")
    else:
        require_person(session, viewer, user_id, "attempt.read_any")
    newest = (
        select(GradeOverride.attempt_id, func.max(GradeOverride.id).label("last_id"))
        .join(Attempt, Attempt.id == GradeOverride.attempt_id)
        .where(Attempt.user_id == user_id)
        .group_by(GradeOverride.attempt_id)
        .subquery()
    )
    stmt = select(GradeOverride.attempt_id, GradeOverride.grader_score).join(
        newest, newest.c.last_id == GradeOverride.id
    )
    return {a: g for a, g in session.execute(stmt.where(GradeOverride.kind == "override"))}
