"""Cohort dashboard aggregates, computed by the database (GROUP BY), never by looping in Python.

Only completed attempts count. Every function takes the same filters: a cohort (None: everyone), a
module, and a completed-at window. 100,000 attempts aggregate well under a second on SQLite and
PostgreSQL with the indexes in ``store.models`` (see ``bench/bench_dashboard.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Date, Float, Select, case, cast, func, select, type_coerce
from sqlalchemy.orm import Session

from store.access import require_cohort, require_person, visible_cohorts
from store.audit import check
from store.models import DIMENSIONS, Attempt, AttemptErrorTag, User
from store.permissions import Action, Viewer


class Filters(BaseModel):
    cohort_id: int | None = None
    user_id: int | None = None  # one trainee (checked against the viewer's scope by :func:`scoped`)
    module_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    # Set by :func:`scoped` from the viewer, never trusted from the caller: the cohorts a supervisor
    # may see (None: every cohort, for administrators).
    cohort_scope: tuple[int, ...] | None = None


def scoped(
    session: Session, viewer: Viewer, filters: Filters | None, action: Action = "dashboard.view"
) -> Filters:
    """``filters`` limited to what ``viewer`` may see: the permission, the chosen cohort (denied and
    audited if it is not the viewer's) and, with no cohort chosen, the viewer's cohorts only."""
    f = filters or Filters()
    if f.cohort_id is not None:
        require_cohort(session, viewer, f.cohort_id, action)
    else:
        check(session, viewer, action)
    if f.user_id is not None:
        require_person(session, viewer, f.user_id, action)
    scope = visible_cohorts(session, viewer)
    return f.model_copy(update={"cohort_scope": None if scope is None else tuple(sorted(scope))})


class ModuleStat(BaseModel):
    module_id: str
    attempts: int
    trainees: int
    mean_score: float | None
    pass_rate: float  # 0-1


class WeekStat(BaseModel):
    week_start: date  # the Monday
    attempts: int
    mean_score: float | None
    pass_rate: float


class TagCount(BaseModel):
    tag: str
    attempts: int  # completed attempts carrying this tag
    share: float  # of all completed attempts in the filter


class TraineeSummary(BaseModel):
    user_id: int
    username: str
    display_name: str
    attempts: int
    modules: int
    mean_score: float | None
    pass_rate: float | None
    last_completed_at: datetime | None


class CohortDashboard(BaseModel):
    filters: Filters
    attempts: int
    mean_score: float | None
    pass_rate: float | None
    modules: list[ModuleStat]
    weeks: list[WeekStat]
    dimensions: dict[str, float | None]
    error_tags: list[TagCount]
    trainees: list[TraineeSummary]


def _passed() -> Any:
    # 1.0 per passed attempt; cast, or PostgreSQL would sum NUMERIC literals and return Decimal
    return cast(case((Attempt.passed.is_(True), 1.0), else_=0.0), Float)


def _pass_rate() -> Any:
    return func.avg(_passed())


def apply_filters(stmt: Select[Any], f: Filters) -> Select[Any]:
    """Restrict ``stmt`` (which selects from attempts) to completed attempts matching ``f``."""
    stmt = stmt.where(Attempt.status == "completed")
    if f.cohort_scope is not None:
        stmt = stmt.where(Attempt.user_id.in_(select(User.id).where(User.cohort_id.in_(f.cohort_scope))))
    if f.cohort_id is not None:
        # IN, not JOIN: lets the database walk the (user_id, completed_at) index for the cohort's members.
        stmt = stmt.where(Attempt.user_id.in_(select(User.id).where(User.cohort_id == f.cohort_id)))
    if f.user_id is not None:
        stmt = stmt.where(Attempt.user_id == f.user_id)
    if f.module_id is not None:
        stmt = stmt.where(Attempt.module_id == f.module_id)
    if f.since is not None:
        stmt = stmt.where(Attempt.completed_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(Attempt.completed_at < f.until)
    return stmt


def _grouping(column: Any, name: str, empty: object = "") -> Any:
    """Group on an expression rather than the bare column: SQLite would otherwise walk the column's
    index to skip a sort and pay one row lookup per attempt, 2-3x slower than scanning the table."""
    return func.coalesce(column, empty).label(name)


def _per_user_module(f: Filters) -> Any:
    """Completed attempts aggregated per (module, user): the first of two GROUP BY levels.

    Counting trainees per module (or modules per trainee) from this is a plain count; a single-level
    COUNT(DISTINCT) would make PostgreSQL sort every attempt, about twice as slow.
    """
    module, user = _grouping(Attempt.module_id, "module_id"), _grouping(Attempt.user_id, "user_id", 0)
    return (
        apply_filters(
            select(
                module,
                user,
                func.count(Attempt.id).label("n"),
                func.count(Attempt.total_score).label("graded"),
                func.sum(Attempt.total_score).label("points"),
                func.sum(_passed()).label("passes"),
                func.max(Attempt.completed_at).label("last"),
            ),
            f,
        )
        .group_by(module, user)
        .subquery()
    )


def _mean(sub: Any) -> Any:
    return func.sum(sub.c.points) / func.nullif(func.sum(sub.c.graded), 0)


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def module_stats(session: Session, viewer: Viewer, filters: Filters | None = None) -> list[ModuleStat]:
    """Attempts, trainees, mean score and pass rate per module."""
    sub = _per_user_module(scoped(session, viewer, filters))
    stmt = (
        select(
            sub.c.module_id,
            func.sum(sub.c.n),
            func.count(),
            _mean(sub),
            func.sum(sub.c.passes) / func.sum(sub.c.n),
        )
        .group_by(sub.c.module_id)
        .order_by(sub.c.module_id)
    )
    return [
        ModuleStat(module_id=m, attempts=n, trainees=t, mean_score=_num(s), pass_rate=float(p))
        for m, n, t, s, p in session.execute(stmt)
    ]


def week_start(session: Session) -> Any:
    """The Monday (UTC) of an attempt's completion, as a date expression for either database."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", Attempt.completed_at), Date)  # ISO weeks start on Monday
    # SQLite: step back six days, then forward to the next Monday (the same day if it is one).
    return type_coerce(func.date(Attempt.completed_at, "-6 days", "weekday 1"), Date)


def weekly_trend(session: Session, viewer: Viewer, filters: Filters | None = None) -> list[WeekStat]:
    """Attempts, mean score and pass rate per calendar week (Monday start, UTC), oldest first."""
    f = scoped(session, viewer, filters)
    week = week_start(session).label("week")
    stmt = (
        apply_filters(
            select(week, func.count(Attempt.id), func.avg(Attempt.total_score), _pass_rate()),
            f,
        )
        .group_by(week)
        .order_by(week)
    )
    return [
        WeekStat(week_start=w, attempts=n, mean_score=_num(s), pass_rate=float(p))
        for w, n, s, p in session.execute(stmt)
    ]


def dimension_means(
    session: Session, viewer: Viewer, filters: Filters | None = None
) -> dict[str, float | None]:
    """Mean percentage per grading dimension (None where no attempt was graded on it)."""
    cols = [func.avg(getattr(Attempt, d)) for d in DIMENSIONS]
    row = session.execute(apply_filters(select(*cols), scoped(session, viewer, filters))).one()
    return {d: _num(v) for d, v in zip(DIMENSIONS, row, strict=True)}


def top_error_tags(
    session: Session,
    viewer: Viewer,
    filters: Filters | None = None,
    *,
    limit: int = 10,
    total: int | None = None,
) -> list[TagCount]:
    """The most frequent error tags: how many completed attempts carry each, and what share of all
    completed attempts that is (``total``, if the caller has already counted them)."""
    f = scoped(session, viewer, filters)
    if total is None:
        total = session.scalar(apply_filters(select(func.count(Attempt.id)), f)) or 0
    n = func.count(AttemptErrorTag.attempt_id)
    tag = _grouping(AttemptErrorTag.tag, "tag")
    stmt = (
        apply_filters(select(tag, n).join(Attempt, Attempt.id == AttemptErrorTag.attempt_id), f)
        .group_by(tag)
        .order_by(n.desc(), tag)
        .limit(limit)
    )
    return [TagCount(tag=t, attempts=c, share=c / total if total else 0.0) for t, c in session.execute(stmt)]


def trainee_summaries(
    session: Session, viewer: Viewer, filters: Filters | None = None
) -> list[TraineeSummary]:
    """One row per trainee (in the cohort, if one is chosen), including those with no attempts yet."""
    f = scoped(session, viewer, filters)
    sub = _per_user_module(f)
    per_user = (
        select(
            sub.c.user_id,
            func.sum(sub.c.n).label("n"),
            func.count().label("modules"),
            _mean(sub).label("mean"),
            (func.sum(sub.c.passes) / func.sum(sub.c.n)).label("rate"),
            func.max(sub.c.last).label("last"),
        )
        .group_by(sub.c.user_id)
        .subquery()
    )
    stmt = (
        select(
            User.id,
            User.username,
            User.display_name,
            per_user.c.n,
            per_user.c.modules,
            per_user.c.mean,
            per_user.c.rate,
            per_user.c.last,
        )
        .outerjoin(per_user, per_user.c.user_id == User.id)
        .where(User.role == "trainee")
        .order_by(User.username)
    )
    if f.cohort_id is not None:
        stmt = stmt.where(User.cohort_id == f.cohort_id)
    if f.cohort_scope is not None:
        stmt = stmt.where(User.cohort_id.in_(f.cohort_scope))
    return [
        TraineeSummary(
            user_id=i,
            username=u,
            display_name=d,
            attempts=n or 0,
            modules=m or 0,
            mean_score=_num(s),
            pass_rate=_num(p),
            last_completed_at=last,
        )
        for i, u, d, n, m, s, p, last in session.execute(stmt)
    ]


def cohort_dashboard(
    session: Session,
    viewer: Viewer,
    filters: Filters | None = None,
    *,
    top_tags: int = 10,
) -> CohortDashboard:
    """Everything the supervisor dashboard shows, in one call (five grouped queries)."""
    f = scoped(session, viewer, filters)
    # Totals and dimension means share one pass over the attempts.
    n, mean, rate, *dims = session.execute(
        apply_filters(
            select(
                func.count(Attempt.id),
                func.avg(Attempt.total_score),
                _pass_rate(),
                *(func.avg(getattr(Attempt, d)) for d in DIMENSIONS),
            ),
            f,
        )
    ).one()
    return CohortDashboard(
        filters=f,
        attempts=n,
        mean_score=_num(mean),
        pass_rate=_num(rate) if n else None,
        modules=module_stats(session, viewer, f),
        weeks=weekly_trend(session, viewer, f),
        dimensions={d: _num(v) for d, v in zip(DIMENSIONS, dims, strict=True)},
        error_tags=top_error_tags(session, viewer, f, limit=top_tags, total=n),
        trainees=trainee_summaries(session, viewer, f),
    )


def weakest_first(trainees: list[TraineeSummary], pass_mark: float) -> list[TraineeSummary]:
    """Trainees in the order a supervisor should look at them: those whose mean score is below
    ``pass_mark`` first (lowest mean first), then those with no completed attempt yet, then the rest by
    mean score, lowest first; ties by username.

    >>> rows = [TraineeSummary(user_id=i, username=u, display_name=u, attempts=a, modules=1,
    ...         mean_score=m, pass_rate=None, last_completed_at=None)
    ...         for i, (u, a, m) in enumerate([("ann", 2, 91.0), ("bob", 0, None), ("cy", 3, 62.5), ("di", 1, 79.9)])]
    >>> [t.username for t in weakest_first(rows, 80)]
    ['cy', 'di', 'bob', 'ann']
    """

    def rank(t: TraineeSummary) -> tuple[int, float, str]:
        if t.mean_score is None:
            return (1, 0.0, t.username)
        return (0 if t.mean_score < pass_mark else 2, t.mean_score, t.username)

    return sorted(trainees, key=rank)
