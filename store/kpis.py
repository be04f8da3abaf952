"""The department KPIs over stored attempts (issue 14 item 3), aggregated by the database.

The definitions, targets and formulas are ``operations.kpis``; this module only sums the stored
outcomes (``attempt_outcomes``, ``attempt_appeals``) with the dashboard's own filters and scoping
(``store.dashboard.scoped`` and ``apply_filters``), so the Operations page sees exactly the attempts
the cohort dashboard sees. One grouped pass (trainee x service line x week) gives additive totals
that roll up to every breakdown; the 90th percentile, which does not add up, is one more pass over
the decided requests' hours. Only completed attempts with an outcome row count (attempts stored
before revision 0003 have none).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Integer, Select, case, cast, func, select
from sqlalchemy.orm import Session

from operations.kpis import (
    GroupKpis,
    KpiTotals,
    OperationsReport,
    appeal_levels,
    kpis,
    p90,
    reason_counts,
    total,
)
from store.access import require_person
from store.audit import audit_read, check, log_event
from store.dashboard import Filters, apply_filters, scoped, week_start
from store.models import Attempt, AttemptAppeal, AttemptOutcome, Cohort, User
from store.permissions import Viewer

AO = AttemptOutcome  # short name for the many columns below


def _count(condition: Any) -> Any:
    # cast, or PostgreSQL would sum NUMERIC literals and return Decimal
    return func.sum(cast(case((condition, 1), else_=0), Integer))


def _restrict(
    stmt: Select[Any], f: Filters, service_line: str | None, *, appeals: bool = False
) -> Select[Any]:
    """``stmt`` over the completed attempts with an outcome that match ``f`` (and the service line)."""
    stmt = apply_filters(stmt.select_from(Attempt).join(AO, AO.attempt_id == Attempt.id), f)
    if appeals:
        stmt = stmt.join(AttemptAppeal, AttemptAppeal.attempt_id == Attempt.id)
    return stmt if service_line is None else stmt.where(AO.service_line == service_line)


def _sums() -> list[Any]:
    """The KpiTotals fields as SQL aggregates, in KpiTotals' field order."""
    return [
        func.count(AO.attempt_id),
        _count(AO.submitted.is_(True)),
        _count(AO.first_pass.is_(True)),
        _count(AO.decided.is_(True)),
        func.coalesce(func.sum(AO.processing_hours), 0.0),
        _count(AO.denied.is_(True)),
        func.count(AO.active_seconds),
        func.coalesce(func.sum(AO.active_seconds), 0),
        func.sum(AO.expected_revenue),
        func.sum(AO.revenue_at_risk),
        func.sum(AO.revenue_lost),
        func.sum(AO.revenue_recovered),
        _count(AO.cash_delay_days > 0),
        func.sum(AO.cash_delay_days),
    ]


_FIELDS = tuple(KpiTotals.model_fields)


def _totals(
    session: Session, f: Filters, service_line: str | None, groups: list[Any]
) -> dict[tuple[Any, ...], KpiTotals]:
    """Totals per combination of ``groups`` (expressions, not bare columns: see dashboard._grouping)."""
    stmt = _restrict(select(*groups, *_sums()), f, service_line).group_by(*groups)
    out: dict[tuple[Any, ...], KpiTotals] = {}
    for row in session.execute(stmt):
        key, sums = tuple(row[: len(groups)]), row[len(groups) :]
        values = {
            n: float(v or 0) if n == "processing_hours" else int(v or 0)
            for n, v in zip(_FIELDS, sums, strict=True)
        }
        out[key] = KpiTotals.model_validate(values)
    return out


Hours = list[tuple[int, str, date, float]]  # (user id, service line, week start, processing hours)


def _hours(session: Session, f: Filters, service_line: str | None) -> Hours:
    week = week_start(session).label("week")
    stmt = _restrict(
        select(Attempt.user_id, AO.service_line, week, AO.processing_hours), f, service_line
    ).where(AO.processing_hours.is_not(None))
    return [(u, s, w, float(h)) for u, s, w, h in session.execute(stmt)]


def _breakdown(
    totals: dict[tuple[Any, ...], KpiTotals],
    key: Callable[[tuple[Any, ...]], str | None],
    hours: Hours,
    hour_key: Callable[[tuple[int, str, date, float]], str | None],
    label: Callable[[str], str],
) -> list[GroupKpis]:
    """Roll ``totals`` up to the groups ``key`` names, each with the p90 of its requests' hours."""
    sums: dict[str, list[KpiTotals]] = defaultdict(list)
    times: dict[str, list[float]] = defaultdict(list)
    for k, t in totals.items():
        if (g := key(k)) is not None:
            sums[g].append(t)
    for row in hours:
        if (g := hour_key(row)) is not None:
            times[g].append(row[3])
    return [
        GroupKpis(key=g, label=label(g), kpis=kpis(total(parts), p90(times[g]))) for g, parts in sums.items()
    ]


def _day(value: Any) -> str:
    """A week start as ISO text (SQLite hands back text, PostgreSQL a date)."""
    return value.isoformat() if isinstance(value, date) else str(value)


def _report(session: Session, f: Filters, service_line: str | None) -> OperationsReport:
    # Two grouped passes: (trainee, service line) rolls up to trainees, cohorts, lines and the total;
    # weeks need their own (grouping by all three would return one row per attempt or so).
    line = func.coalesce(AO.service_line, "").label("line")
    user = func.coalesce(Attempt.user_id, 0).label("uid")
    totals = _totals(session, f, service_line, [user, line])
    weekly = _totals(session, f, service_line, [week_start(session).label("week")])
    hours = _hours(session, f, service_line)
    users = {
        uid: (name or username, cohort_id)
        for uid, username, name, cohort_id in session.execute(
            select(User.id, User.username, User.display_name, User.cohort_id).where(
                User.id.in_({k[0] for k in totals})
            )
        )
    }
    cohorts = dict(session.execute(select(Cohort.id, Cohort.name)).tuples().all())

    def cohort_of(user_id: int) -> str | None:
        cid = users.get(user_id, ("", None))[1]
        return None if cid is None else str(cid)

    by_cohort = _breakdown(
        totals, lambda k: cohort_of(k[0]), hours, lambda h: cohort_of(h[0]), lambda g: cohorts.get(int(g), g)
    )
    by_trainee = _breakdown(
        totals, lambda k: str(k[0]), hours, lambda h: str(h[0]), lambda g: users.get(int(g), (g, None))[0]
    )
    by_line = _breakdown(totals, lambda k: k[1], hours, lambda h: h[1], lambda g: g)
    by_week = _breakdown(weekly, lambda k: _day(k[0]), hours, lambda h: _day(h[2]), lambda g: g)
    reason: Any = func.coalesce(AO.denial_reason, "").label("reason")
    reasons = _restrict(select(reason, func.count(AO.attempt_id)), f, service_line).where(
        AO.denied.is_(True), AO.denial_reason.is_not(None)
    )
    appeals = (
        _restrict(
            select(AttemptAppeal.level, func.count(), _count(AttemptAppeal.overturned.is_(True))),
            f,
            service_line,
            appeals=True,
        )
        .group_by(AttemptAppeal.level)
        .order_by(AttemptAppeal.level)
    )
    return OperationsReport(
        overall=kpis(total(totals.values()), p90([h for *_, h in hours])),
        by_cohort=sorted(by_cohort, key=lambda g: g.label),
        by_trainee=sorted(by_trainee, key=lambda g: g.label),
        by_service_line=sorted(by_line, key=lambda g: g.key),
        by_week=sorted(by_week, key=lambda g: g.key),
        denial_reasons=reason_counts((r, int(n)) for r, n in session.execute(reasons.group_by(reason))),
        appeals=appeal_levels((lv, int(n), int(w or 0)) for lv, n, w in session.execute(appeals)),
    )


def operations_report(
    session: Session,
    viewer: Viewer,
    filters: Filters | None = None,
    *,
    service_line: str | None = None,
) -> OperationsReport:
    """The KPIs of the attempts a supervisor (their cohorts only) or an administrator may see, overall
    and per cohort, trainee, service line and week, with the denial reasons and appeal success."""
    return _report(session, scoped(session, viewer, filters), service_line)


def my_operations(session: Session, viewer: Viewer, user_id: int | None = None) -> OperationsReport:
    """One trainee's KPIs: one's own (any role that has attempts), or a trainee in the viewer's scope."""
    target = viewer.user_id if user_id is None else user_id
    if target is None:
        raise ValueError("user: KPIs belong to a person; sign in as the trainee")
    if target == viewer.user_id:
        check(session, viewer, "attempt.read_own")
    else:
        require_person(session, viewer, target, "attempt.read_any")
        audit_read(session, viewer, "operations_kpis", target_id=target)  # another person's record
    return _report(session, Filters(user_id=target), None)


EXPORT_COLUMNS: tuple[str, ...] = (
    "breakdown",
    "key",
    "label",
    "cases",
    "requests",
    "first_pass_rate",
    "first_pass_target",
    "avg_processing_hours",
    "p90_processing_hours",
    "denial_rate",
    "staff_minutes_per_case",
    "revenue_expected",
    "revenue_at_risk",
    "revenue_lost",
    "revenue_recovered",
    "delayed_cases",
    "avg_cash_delay_days",
)


def export_rows(report: OperationsReport) -> list[dict[str, Any]]:
    """``report`` as flat rows (EXPORT_COLUMNS): the overall figures, then each breakdown."""
    groups = [("overall", [GroupKpis(key="all", label="All attempts in the filter", kpis=report.overall)])]
    groups += [
        ("cohort", report.by_cohort),
        ("trainee", report.by_trainee),
        ("service_line", report.by_service_line),
        ("week", report.by_week),
    ]
    return [
        {"breakdown": name, "key": g.key, "label": g.label, **_rounded(g.kpis.model_dump())}
        for name, rows in groups
        for g in rows
    ]


def _rounded(figures: dict[str, Any]) -> dict[str, Any]:
    """Rates and hours to 4 decimals: a spreadsheet cell of 28.168000000000003 is noise, not precision.

    >>> _rounded({"a": 28.168000000000003, "b": 3, "c": None, "d": True})
    {'a': 28.168, 'b': 3, 'c': None, 'd': True}
    """
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}


def operations_export(
    session: Session,
    viewer: Viewer,
    filters: Filters | None = None,
    *,
    service_line: str | None = None,
) -> list[dict[str, Any]]:
    """The Operations page's figures as export rows, checked and audited as an 'export'."""
    f = scoped(session, viewer, filters, "export")
    rows = export_rows(_report(session, f, service_line))
    log_event(
        session,
        "export",
        user_id=viewer.user_id,
        detail={
            "what": "operations_kpis",
            "rows": len(rows),
            "filters": f.model_dump(mode="json"),
            "service_line": service_line,
        },
    )
    return rows
