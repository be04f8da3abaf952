"""Each KPI on hand-computed figures (issue 14 item 3): six stored attempts whose outcomes are written
out below, and the figures a person computes from them with pencil and paper (the arithmetic is in the
comments). The outcomes are given, not computed, so these tests check the aggregation alone; the
outcome rules have their own tests (tests/operations)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session
from store_support import attempt_in, make_user

from operations.outcome import AppealOutcome, CaseOutcome
from operations.revenue import RevenueOutcome
from store.access import assign_supervisor
from store.attempts import save_attempt
from store.audit import list_events
from store.cohorts import create_cohort
from store.dashboard import Filters
from store.kpis import my_operations, operations_export, operations_report
from store.permissions import SYSTEM, AccessDenied, Viewer

W1 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # a Tuesday: week of Monday 2026-03-02
W2 = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # week of Monday 2026-03-09


def _outcome(
    line: str,
    *,
    first_pass: bool | None,
    hours: float | None,
    denied: bool | None = False,
    reason: str | None = None,
    appeals: tuple[tuple[str, bool], ...] = (),
    active: int | None,
    expected: int,
    at_risk: int = 0,
    lost: int = 0,
    recovered: int = 0,
    delay: int = 0,
    standing: Any = "secured",
) -> CaseOutcome:
    return CaseOutcome(
        service_line=line,
        submitted=first_pass is not None,
        first_pass=first_pass,
        decided=hours is not None,
        processing_hours=hours,
        denied=denied if hours is not None else None,
        denial_reason=reason,
        appeals=[AppealOutcome(level=lv, overturned=won) for lv, won in appeals],
        active_seconds=active,
        standing=standing,
        revenue=RevenueOutcome(
            expected=expected, at_risk=at_risk, lost=lost, recovered=recovered, cash_delay_days=delay
        ),
    )


# (trainee, completed, outcome): A and B are in the supervised cohort, C in another one.
CASES: list[tuple[str, datetime, CaseOutcome]] = [
    ("ann", W1, _outcome("lumbar_mri", first_pass=True, hours=24.0, active=600, expected=3000)),
    (
        "ann",
        W1,
        _outcome(
            "lumbar_mri",
            first_pass=False,
            hours=72.0,
            denied=True,
            reason="documentation",
            appeals=(("level1", True),),
            active=1200,
            expected=4000,
            recovered=4000,
            delay=10,
            standing="recovered",
        ),
    ),
    (
        "ann",
        W1,
        _outcome(
            "total_knee",
            first_pass=False,
            hours=48.0,
            denied=True,
            reason="medical_necessity",
            appeals=(("level1", False), ("level2", False)),
            active=None,
            expected=20000,
            lost=20000,
            standing="denied",
        ),
    ),
    (
        "ben",
        W2,
        _outcome(
            "total_knee",
            first_pass=None,
            hours=None,
            denied=None,
            active=300,
            expected=30000,
            at_risk=25500,
            standing="skipped",
        ),
    ),
    ("ben", W2, _outcome("lumbar_mri", first_pass=True, hours=12.0, active=900, expected=2000)),
    ("cleo", W2, _outcome("cpap", first_pass=True, hours=6.0, active=60, expected=5000)),
]


@pytest.fixture
def world(db_session: Session) -> dict[str, Any]:
    ours = create_cohort(db_session, SYSTEM, "Ours")
    theirs = create_cohort(db_session, SYSTEM, "Theirs")
    people = {
        "ann": make_user(db_session, "ann", cohort_id=ours.id, display_name="Ann Alvarez"),
        "ben": make_user(db_session, "ben", cohort_id=ours.id, display_name="Ben Brody"),
        "cleo": make_user(db_session, "cleo", cohort_id=theirs.id, display_name="Cleo Chen"),
    }
    sup = make_user(db_session, "sue", role="supervisor")
    assert sup.user_id is not None
    assign_supervisor(db_session, SYSTEM, sup.user_id, ours.id)
    for i, (who, done, outcome) in enumerate(CASES):
        record = attempt_in(seed=i + 1, completed_at=done).model_copy(update={"outcome": outcome})
        save_attempt(db_session, people[who], record)
    save_attempt(db_session, people["ann"], attempt_in(seed=99, completed_at=W2))  # no outcome: not counted
    return {"sup": sup, "people": people, "ours": ours.id, "theirs": theirs.id}


def test_the_supervisors_cohort_figures_are_the_hand_computed_ones(
    db_session: Session, world: dict[str, Any]
) -> None:
    r = operations_report(db_session, world["sup"])
    k = r.overall
    assert k.cases == 5  # Cleo is in another cohort; Ann's attempt without an outcome is not a case
    assert k.requests == 4  # cases 1, 2, 3, 5 sent a request; Ben's knee (case 4) was skipped
    assert k.first_pass_rate == pytest.approx(2 / 4)  # cases 1 and 5
    assert k.meets_first_pass_target is False  # 50 % < 95 %
    assert k.avg_processing_hours == pytest.approx(39.0)  # (24 + 72 + 48 + 12) / 4 = 156 / 4
    assert k.p90_processing_hours == pytest.approx(72.0)  # sorted 12, 24, 48, 72; rank ceil(0.9 x 4) = 4
    assert k.denial_rate == pytest.approx(2 / 4)  # cases 2 and 3 of 4 decided
    assert k.staff_minutes_per_case == pytest.approx(12.5)  # (600 + 1200 + 300 + 900) s / 4 cases / 60
    assert k.revenue_expected == 59_000  # 3,000 + 4,000 + 20,000 + 30,000 + 2,000
    assert (k.revenue_at_risk, k.revenue_lost, k.revenue_recovered) == (25_500, 20_000, 4_000)
    assert (k.delayed_cases, k.avg_cash_delay_days) == (1, 10.0)


def test_denial_reasons_and_appeal_success_by_level(db_session: Session, world: dict[str, Any]) -> None:
    r = operations_report(db_session, world["sup"])
    assert [(d.reason, d.denials, d.share) for d in r.denial_reasons] == [
        ("documentation", 1, 0.5),  # one of the two denials each; ties in name order
        ("medical_necessity", 1, 0.5),
    ]
    levels = {a.level: (a.appeals, a.overturned, a.success_rate) for a in r.appeals}
    assert levels == {"level1": (2, 1, 0.5), "level2": (1, 0, 0.0)}  # level 1: case 2 won, case 3 lost


def test_breakdowns_per_trainee_service_line_and_week(db_session: Session, world: dict[str, Any]) -> None:
    r = operations_report(db_session, world["sup"])
    ann = next(g.kpis for g in r.by_trainee if g.label == "Ann Alvarez")
    assert [g.label for g in r.by_trainee] == ["Ann Alvarez", "Ben Brody"]
    assert ann.first_pass_rate == pytest.approx(1 / 3)  # case 1 of cases 1-3
    assert ann.avg_processing_hours == pytest.approx(48.0)  # (24 + 72 + 48) / 3
    assert ann.p90_processing_hours == pytest.approx(72.0)  # rank ceil(0.9 x 3) = 3 of 24, 48, 72
    assert ann.staff_minutes_per_case == pytest.approx(15.0)  # (600 + 1200) / 2 / 60; case 3 unrecorded
    mri = next(g.kpis for g in r.by_service_line if g.key == "lumbar_mri")
    assert mri.cases == 3 and mri.first_pass_rate == pytest.approx(2 / 3)  # cases 1, 2, 5
    assert mri.avg_processing_hours == pytest.approx(36.0)  # (24 + 72 + 12) / 3
    weeks = {g.key: g.kpis for g in r.by_week}
    assert list(weeks) == ["2026-03-02", "2026-03-09"]
    assert weeks["2026-03-02"].first_pass_rate == pytest.approx(1 / 3)  # cases 1-3
    assert weeks["2026-03-09"].first_pass_rate == 1.0  # case 5 is week 2's one request
    assert [g.label for g in r.by_cohort] == ["Ours"]


def test_an_administrator_sees_every_cohort_and_a_service_line_filter(
    db_session: Session, world: dict[str, Any]
) -> None:
    r = operations_report(db_session, SYSTEM)
    assert r.overall.cases == 6 and r.overall.first_pass_rate == pytest.approx(3 / 5)  # + Cleo's CPAP
    assert [g.label for g in r.by_cohort] == ["Ours", "Theirs"]
    knees = operations_report(db_session, SYSTEM, service_line="total_knee")
    assert knees.overall.cases == 2 and knees.overall.revenue_lost == 20_000  # cases 3 and 4


def test_a_supervisor_cannot_read_another_cohort(db_session: Session, world: dict[str, Any]) -> None:
    with pytest.raises(AccessDenied):
        operations_report(db_session, world["sup"], Filters(cohort_id=world["theirs"]))
    cleo = world["people"]["cleo"].user_id
    with pytest.raises(AccessDenied):
        my_operations(db_session, world["sup"], cleo)
    with pytest.raises(AccessDenied):
        operations_report(db_session, world["sup"], Filters(user_id=cleo))


def test_a_trainee_sees_only_their_own(db_session: Session, world: dict[str, Any]) -> None:
    ben: Viewer = world["people"]["ben"]
    mine = my_operations(db_session, ben)
    assert mine.overall.cases == 2 and mine.overall.requests == 1  # the skipped knee sent none
    assert mine.overall.first_pass_rate == 1.0 and mine.overall.meets_first_pass_target is True
    assert mine.overall.revenue_at_risk == 25_500
    with pytest.raises(AccessDenied):
        operations_report(db_session, ben)  # the cohort's figures are for supervisors
    with pytest.raises(AccessDenied):
        my_operations(db_session, ben, world["people"]["ann"].user_id)


def test_the_export_has_every_breakdown_and_is_audited(db_session: Session, world: dict[str, Any]) -> None:
    rows = operations_export(db_session, world["sup"])
    by = [(r["breakdown"], r["label"]) for r in rows]
    assert by[0] == ("overall", "All attempts in the filter")
    assert ("trainee", "Ann Alvarez") in by and ("service_line", "total_knee") in by
    assert not any(label == "Cleo Chen" for _, label in by)
    assert rows[0]["first_pass_rate"] == pytest.approx(0.5)
    events = list_events(db_session, SYSTEM, event="export")
    assert len(events) == 1 and events[0].detail["what"] == "operations_kpis"


def test_a_supervisor_reads_one_of_their_trainees_figures_and_it_is_audited(
    db_session: Session, world: dict[str, Any]
) -> None:
    ben = world["people"]["ben"].user_id
    theirs = my_operations(db_session, world["sup"], ben)
    assert theirs.overall.cases == 2 and theirs.overall.revenue_expected == 32_000  # 30,000 + 2,000
    reads = list_events(db_session, SYSTEM, event="record_read")
    assert [(e.detail["record"], e.detail["target_id"]) for e in reads] == [("operations_kpis", ben)]
