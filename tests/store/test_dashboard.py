"""Dashboard aggregates against numbers worked out by hand from a small, fixed set of attempts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session
from store_support import NOW, attempt_in, make_user

from store.attempts import AttemptIn, save_attempt
from store.cohorts import assign_module, assignments_for, create_cohort
from store.dashboard import (
    Filters,
    ModuleStat,
    TagCount,
    WeekStat,
    cohort_dashboard,
    module_stats,
    top_error_tags,
    trainee_summaries,
    weekly_trend,
)
from store.permissions import SYSTEM, Viewer


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


class Data:
    """Cohort Spring: ana, ben, dee (no attempts); cohort Autumn: cyd.

    | # | who | module            | done (UTC)        | score | pass | coding | documentation | tags                      |
    | 1 | ana | advanced_imaging  | Mon 03-02 09:00   | 90    | yes  | 100    | 80            | missed_deadline           |
    | 2 | ana | dme               | Sun 03-08 23:30   | 60    | no   | 50     |               | missing_doc, missed_dl    |
    | 3 | ben | advanced_imaging  | Wed 03-04 12:00   | 70    | no   | 40     | 60            | missing_doc               |
    | 4 | ben | advanced_imaging  | Mon 03-09 00:30   | 85    | yes  | 90     |               |                           |
    | 5 | cyd | dme               | Tue 03-10 10:00   | 100   | yes  | 100    |               |                           |
    plus one attempt of ana's still in progress (never counted).
    """

    def __init__(self, s: Session) -> None:
        self.spring = create_cohort(s, SYSTEM, "Spring")
        self.autumn = create_cohort(s, SYSTEM, "Autumn")
        ana = make_user(s, "ana", cohort_id=self.spring.id)
        ben = make_user(s, "ben", cohort_id=self.spring.id)
        cy = make_user(s, "cyd", cohort_id=self.autumn.id)
        self.dee = make_user(s, "dee", cohort_id=self.spring.id)
        make_user(s, "sue", role="supervisor", cohort_id=self.spring.id)  # not a trainee: not summarised
        rows: list[tuple[Viewer, str, datetime, float, bool, dict[str, float], tuple[str, ...]]] = [
            (
                ana,
                "advanced_imaging",
                _at(2, 9),
                90,
                True,
                {"coding": 100, "documentation": 80},
                ("missed_deadline",),
            ),
            (
                ana,
                "dme",
                _at(8, 23, 30),
                60,
                False,
                {"coding": 50},
                ("missing_required_document", "missed_deadline"),
            ),
            (
                ben,
                "advanced_imaging",
                _at(4, 12),
                70,
                False,
                {"coding": 40, "documentation": 60},
                ("missing_required_document",),
            ),
            (ben, "advanced_imaging", _at(9, 0, 30), 85, True, {"coding": 90}, ()),
            (cy, "dme", _at(10, 10), 100, True, {"coding": 100}, ()),
        ]
        for k, (who, module, done, score, passed, dims, tags) in enumerate(rows):
            save_attempt(
                s,
                who,
                attempt_in(
                    score=score,
                    passed=passed,
                    module_id=module,
                    seed=k,
                    completed_at=done,
                    tags=tags,
                    dims=dims,
                ),
            )
        unfinished = attempt_in().model_copy(
            update={"status": "in_progress", "completed_at": None, "grade": None}
        )
        save_attempt(s, ana, AttemptIn.model_validate(unfinished.model_dump()))
        self.ana, self.ben = ana, ben


@pytest.fixture
def data(db_session: Session) -> Data:
    return Data(db_session)


def test_module_stats_for_one_cohort(db_session: Session, data: Data) -> None:
    got = module_stats(db_session, SYSTEM, Filters(cohort_id=data.spring.id))
    assert [m.model_dump() for m in got] == [
        pytest.approx(
            {
                "module_id": "advanced_imaging",
                "attempts": 3,
                "trainees": 2,
                "mean_score": 245 / 3,
                "pass_rate": 2 / 3,
            }
        ),
        ModuleStat(module_id="dme", attempts=1, trainees=1, mean_score=60.0, pass_rate=0.0).model_dump(),
    ]


def test_weeks_start_on_monday_utc(db_session: Session, data: Data) -> None:
    got = weekly_trend(db_session, SYSTEM, Filters(cohort_id=data.spring.id))
    assert [w.model_dump() for w in got] == [
        pytest.approx(
            {"week_start": date(2026, 3, 2), "attempts": 3, "mean_score": 220 / 3, "pass_rate": 1 / 3}
        ),
        WeekStat(week_start=date(2026, 3, 9), attempts=1, mean_score=85.0, pass_rate=1.0).model_dump(),
    ]


def test_top_error_tags_count_attempts(db_session: Session, data: Data) -> None:
    got = top_error_tags(db_session, SYSTEM, Filters(cohort_id=data.spring.id))
    assert got == [
        TagCount(tag="missed_deadline", attempts=2, share=0.5),
        TagCount(tag="missing_required_document", attempts=2, share=0.5),
    ]
    assert top_error_tags(db_session, SYSTEM, Filters(cohort_id=data.autumn.id)) == []


def test_trainee_summaries_include_trainees_without_attempts(db_session: Session, data: Data) -> None:
    got = {t.username: t for t in trainee_summaries(db_session, SYSTEM, Filters(cohort_id=data.spring.id))}
    assert sorted(got) == ["ana", "ben", "dee"]
    ana, ben, dee = got["ana"], got["ben"], got["dee"]
    assert (ana.attempts, ana.modules, ana.mean_score, ana.pass_rate, ana.last_completed_at) == (
        2,
        2,
        75.0,
        0.5,
        _at(8, 23, 30),
    )
    assert (ben.attempts, ben.modules, ben.mean_score, ben.pass_rate, ben.last_completed_at) == (
        2,
        1,
        77.5,
        0.5,
        _at(9, 0, 30),
    )
    assert (dee.attempts, dee.modules, dee.mean_score, dee.pass_rate, dee.last_completed_at) == (
        0,
        0,
        None,
        None,
        None,
    )


def test_whole_dashboard_for_a_cohort(db_session: Session, data: Data) -> None:
    got = cohort_dashboard(db_session, SYSTEM, Filters(cohort_id=data.spring.id))
    assert (got.attempts, got.mean_score, got.pass_rate) == (4, 76.25, 0.5)
    assert got.dimensions == {
        "coding": 70.0,
        "documentation": 70.0,
        "narrative": None,
        "process": None,
        "outcome": None,
    }


@pytest.mark.parametrize(
    ("filters", "attempts", "mean", "rate"),
    [
        (Filters(), 5, 81.0, 0.6),  # everyone
        (Filters(module_id="dme"), 2, 80.0, 0.5),
        (Filters(since=_at(9, 0)), 2, 92.5, 1.0),  # from Monday 03-09 00:00
        (Filters(until=_at(4, 12)), 1, 90.0, 1.0),  # until is exclusive
        (Filters(cohort_id=9999), 0, None, None),
    ],
)
def test_filters(
    db_session: Session, data: Data, filters: Filters, attempts: int, mean: float | None, rate: float | None
) -> None:
    got = cohort_dashboard(db_session, SYSTEM, filters)
    assert (got.attempts, got.mean_score, got.pass_rate) == (attempts, mean, rate)


def test_assignment_progress(db_session: Session, data: Data) -> None:
    assign_module(
        db_session, SYSTEM, "advanced_imaging", cohort_id=data.spring.id, due_date=date(2026, 3, 20), now=NOW
    )
    assign_module(db_session, SYSTEM, "dme", cohort_id=data.spring.id, due_date=date(2026, 3, 5), now=NOW)
    assign_module(
        db_session, SYSTEM, "specialty_drugs", user_id=data.ana.user_id, due_date=date(2026, 4, 1), now=NOW
    )
    assign_module(db_session, SYSTEM, "capstone_shift", cohort_id=data.autumn.id)  # not ana's cohort
    got = assignments_for(db_session, data.ana, data.ana.user_id, as_of=date(2026, 3, 10))  # type: ignore[arg-type]
    assert [(a.module_id, a.attempts, a.best_score, a.status) for a in got] == [
        ("dme", 1, 60.0, "overdue"),  # due 03-05, not passed
        ("advanced_imaging", 1, 90.0, "passed"),
        ("specialty_drugs", 0, None, "not_started"),
    ]
    with pytest.raises(ValueError, match="either a cohort or a user"):
        assign_module(db_session, SYSTEM, "dme")
    with pytest.raises(ValueError, match="module"):
        assign_module(db_session, SYSTEM, "DME; drop table", cohort_id=data.spring.id)


def test_a_due_date_in_the_past_is_refused_naming_the_field_and_nothing_is_stored(
    db_session: Session, data: Data
) -> None:
    before = assignments_for(db_session, SYSTEM, data.ana.user_id, as_of=date(2026, 3, 2))
    with pytest.raises(ValueError, match=r"due date: 2026-03-01 is in the past \(today is 2026-03-02\)"):
        assign_module(db_session, SYSTEM, "dme", user_id=data.ana.user_id, due_date=date(2026, 3, 1), now=NOW)
    assert assignments_for(db_session, SYSTEM, data.ana.user_id, as_of=date(2026, 3, 2)) == before
    # today itself is allowed: due by the end of the day it is made
    made = assign_module(
        db_session, SYSTEM, "dme", user_id=data.ana.user_id, due_date=date(2026, 3, 2), now=NOW
    )
    assert made.due_date == date(2026, 3, 2)
