"""The department KPIs: definitions, targets and formulas, in one place.

``store.kpis`` sums stored outcomes in SQL into :class:`KpiTotals` (every field adds up, so one pass
over the attempts grouped by trainee, service line and week rolls up to any level), and this module
turns totals into the figures people read. What each KPI means and why: docs/operations.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field

# The product brief's target (docs/sources.md#revenue-and-operations-figures): at least 95 % of
# authorization requests approved on the first submission.
FIRST_PASS_TARGET = 0.95
TARGETS: dict[str, float] = {"first_pass_rate": FIRST_PASS_TARGET}


class KpiTotals(BaseModel):
    """Additive sums over case outcomes (one group of attempts)."""

    model_config = ConfigDict(extra="forbid")
    cases: int = 0  # completed attempts with an outcome
    requests: int = 0  # with an authorization request sent
    first_pass: int = 0  # approved in full on the first reply to the first request
    decided: int = 0  # requests that got a decision
    processing_hours: float = 0.0  # summed over decided requests
    denied: int = 0  # decided requests whose decision was adverse
    timed: int = 0  # cases with active time recorded
    active_seconds: int = 0
    expected: int = 0
    at_risk: int = 0
    lost: int = 0
    recovered: int = 0
    delayed: int = 0  # secured cases whose cash arrives late
    cash_delay_days: int = 0

    def __add__(self, other: KpiTotals) -> KpiTotals:
        return KpiTotals(**{k: getattr(self, k) + getattr(other, k) for k in KpiTotals.model_fields})


def total(parts: Iterable[KpiTotals]) -> KpiTotals:
    """The sum of ``parts`` (the empty sum is all zeros)."""
    sums: dict[str, float] = dict.fromkeys(KpiTotals.model_fields, 0)
    for part in parts:
        for name, value in part:
            sums[name] += value
    return KpiTotals.model_validate(sums)


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile by the nearest-rank method: the smallest value with at least 90 % of the
    values at or below it (always one of the values, so it reads as a real case's time).

    >>> p90([5, 1, 4, 2, 3, 10, 9, 8, 7, 6])
    9
    >>> p90([3.0]), p90([])
    (3.0, None)
    """
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class Kpis(BaseModel):
    """The figures for one group: rates 0-1, hours on the simulated clock, minutes of active time,
    whole US dollars. None where the group has nothing to measure (no requests, no decisions)."""

    model_config = ConfigDict(extra="forbid")
    cases: int
    requests: int
    first_pass_rate: float | None
    first_pass_target: float = FIRST_PASS_TARGET
    meets_first_pass_target: bool | None
    avg_processing_hours: float | None
    p90_processing_hours: float | None
    denial_rate: float | None
    staff_minutes_per_case: float | None
    revenue_expected: int
    revenue_at_risk: int
    revenue_lost: int
    revenue_recovered: int
    avg_cash_delay_days: float | None  # over the secured cases whose cash arrives late
    delayed_cases: int


def kpis(t: KpiTotals, processing_p90: float | None = None) -> Kpis:
    """The KPIs of totals ``t`` (``processing_p90`` is not additive: the caller computes it with :func:`p90`).

    >>> k = kpis(KpiTotals(cases=4, requests=4, first_pass=3, decided=4, processing_hours=100.0, denied=1,
    ...                    timed=2, active_seconds=1500))
    >>> k.first_pass_rate, k.meets_first_pass_target, k.avg_processing_hours, k.denial_rate, k.staff_minutes_per_case
    (0.75, False, 25.0, 0.25, 12.5)
    """
    rate = _rate(t.first_pass, t.requests)
    return Kpis(
        cases=t.cases,
        requests=t.requests,
        first_pass_rate=rate,
        meets_first_pass_target=None if rate is None else rate >= FIRST_PASS_TARGET,
        avg_processing_hours=t.processing_hours / t.decided if t.decided else None,
        p90_processing_hours=processing_p90,
        denial_rate=_rate(t.denied, t.decided),
        staff_minutes_per_case=t.active_seconds / t.timed / 60 if t.timed else None,
        revenue_expected=t.expected,
        revenue_at_risk=t.at_risk,
        revenue_lost=t.lost,
        revenue_recovered=t.recovered,
        avg_cash_delay_days=t.cash_delay_days / t.delayed if t.delayed else None,
        delayed_cases=t.delayed,
    )


class ReasonCount(BaseModel):
    reason: str  # the stage that decided the denial (simulator Stage)
    denials: int
    share: float  # of all denials in the group


class AppealLevelStat(BaseModel):
    level: str  # the payer's appeal level id (its manual's ladder) or "peer_to_peer"
    appeals: int  # decided (a misdirected appeal the payer rejected is not counted)
    overturned: int
    success_rate: float


def reason_counts(pairs: Iterable[tuple[str, int]]) -> list[ReasonCount]:
    """Denials per reason, most frequent first, each with its share of all denials.

    >>> [(r.reason, r.share) for r in reason_counts([("coding", 1), ("documentation", 3)])]
    [('documentation', 0.75), ('coding', 0.25)]
    """
    rows = sorted(pairs, key=lambda p: (-p[1], p[0]))
    whole = sum(n for _, n in rows)
    return [ReasonCount(reason=r, denials=n, share=n / whole) for r, n in rows if n]


def appeal_levels(rows: Iterable[tuple[str, int, int]]) -> list[AppealLevelStat]:
    """Success rate per appeal level from (level, decided, overturned), in level order as given.

    >>> [(a.level, a.success_rate) for a in appeal_levels([("level1", 4, 1), ("external", 2, 1)])]
    [('level1', 0.25), ('external', 0.5)]
    """
    return [
        AppealLevelStat(level=lv, appeals=n, overturned=won, success_rate=won / n) for lv, n, won in rows if n
    ]


class GroupKpis(BaseModel):
    """The KPIs of one row of a breakdown (a cohort, a trainee, a service line or a week)."""

    key: str  # the id (cohort id, user id, service line id, ISO week start)
    label: str  # what a person reads
    kpis: Kpis


class OperationsReport(BaseModel):
    overall: Kpis
    by_cohort: list[GroupKpis] = Field(default_factory=list)
    by_trainee: list[GroupKpis] = Field(default_factory=list)
    by_service_line: list[GroupKpis] = Field(default_factory=list)
    by_week: list[GroupKpis] = Field(default_factory=list)  # oldest first: the trend
    denial_reasons: list[ReasonCount] = Field(default_factory=list)
    appeals: list[AppealLevelStat] = Field(default_factory=list)
