"""Supervisor feedback (issue 12 item 9): comments, grade overrides with a reason, messages.

Expected numbers are written here by hand: the trainee's attempt is graded 60.0 (not passed) by a
report whose pass mark is 70; a supervisor overrides it to 85 (passed), later restores 60.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session
from store_support import NOW, attempt_in, make_user, pg_schema, postgres_url

from settings import Settings
from store import access, attempts, cohorts, dashboard, export, messages, reviews
from store.attempts import AttemptIn
from store.db import alembic_config, init_db, migrate, session_scope
from store.models import AuditEvent
from store.permissions import SYSTEM, AccessDenied, NotFound

REASON = "The grader missed the therapy note the trainee attached."


def graded(score: float = 60.0, passed: bool = False, seed: int = 7) -> AttemptIn:
    data = attempt_in(score=score, passed=passed, seed=seed)
    assert data.grade is not None
    data.grade.report = {"total": score, "passed": passed, "pass_mark": 70}
    return data


class World:
    def __init__(self, s: Session) -> None:
        self.s = s
        self.admin = make_user(s, "boss", role="admin")
        self.cohort_a = cohorts.create_cohort(s, self.admin, "Cohort A").id
        self.cohort_b = cohorts.create_cohort(s, self.admin, "Cohort B").id
        self.trainee = make_user(s, "tina", cohort_id=self.cohort_a, display_name="Tina Trainee")
        self.other_trainee = make_user(s, "otto", cohort_id=self.cohort_a)
        self.attempt = attempts.save_attempt(s, self.trainee, graded()).id
        self.sup = make_user(s, "sam", role="supervisor", display_name="Sam Supervisor")
        self.outsider = make_user(s, "oscar", role="supervisor")
        assert self.sup.user_id is not None and self.outsider.user_id is not None
        access.assign_supervisor(s, SYSTEM, self.sup.user_id, self.cohort_a, now=NOW)
        access.assign_supervisor(s, SYSTEM, self.outsider.user_id, self.cohort_b, now=NOW)

    def events(self, event: str) -> list[AuditEvent]:
        return list(
            self.s.scalars(select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id))
        )


@pytest.fixture
def w(db_session: Session) -> World:
    return World(db_session)


# ----- comments --------------------------------------------------------------------------------------


def test_supervisor_comments_and_the_trainee_reads_the_thread(w: World) -> None:
    reviews.add_comment(w.s, w.sup, w.attempt, {"text": "  Good catch on the pend.  "}, now=NOW)
    reviews.add_comment(w.s, w.admin, w.attempt, {"text": "Agreed."}, now=NOW + timedelta(minutes=1))
    seen = reviews.attempt_review(w.s, w.trainee, w.attempt)
    assert [(c.author, c.text) for c in seen.comments] == [
        ("Sam Supervisor", "Good catch on the pend."),
        ("Boss", "Agreed."),
    ]
    logged = w.events("attempt_comment")
    assert [e.user_id for e in logged] == [w.sup.user_id, w.admin.user_id]
    assert (
        logged[0].detail["attempt_id"] == w.attempt and logged[0].detail["text"] == "Good catch on the pend."
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "comment: must not be empty"),
        ("   \n ", "comment: must not be empty"),
        ("x" * 4001, "comment: at most 4,000 characters (got 4,001)"),
        (12, "comment: expected text"),
    ],
    ids=["empty", "blank", "too long", "not text"],
)
def test_a_bad_comment_names_the_field_and_stores_nothing(w: World, text: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        reviews.add_comment(w.s, w.sup, w.attempt, {"text": text})
    assert reviews.attempt_review(w.s, w.sup, w.attempt).comments == []
    assert w.events("attempt_comment") == []


def test_the_longest_comment_reason_and_message_are_kept_whole(w: World) -> None:
    assert w.trainee.user_id is not None
    longest = "😀" * 4000  # 12 characters each in the audit row's JSON
    reviews.add_comment(w.s, w.sup, w.attempt, {"text": longest})
    reviews.override_grade(w.s, w.sup, w.attempt, {"score": 75, "reason": "😀" * 1000})
    messages.send_message(w.s, w.sup, {"recipient_id": w.trainee.user_id, "text": longest})
    seen = reviews.attempt_review(w.s, w.sup, w.attempt)
    assert seen.comments[0].text == longest and seen.overrides[0].reason == "😀" * 1000
    assert messages.my_messages(w.s, w.trainee)[0].text == longest
    assert w.events("attempt_comment")[0].detail["chars"] == 4000
    with pytest.raises(ValueError, match=re.escape("reason: at most 1,000 characters (got 1,001)")):
        reviews.override_grade(w.s, w.sup, w.attempt, {"score": 75, "reason": "r" * 1001})


# ----- overrides -------------------------------------------------------------------------------------


def test_override_keeps_the_grader_score_and_changes_the_effective_one(w: World) -> None:
    done = reviews.override_grade(w.s, w.sup, w.attempt, {"score": 85, "reason": REASON}, now=NOW)
    assert (done.grader_score, done.previous_score, done.score, done.passed) == (60.0, 60.0, 85.0, True)
    seen = reviews.attempt_review(w.s, w.trainee, w.attempt)
    assert (seen.grader_score, seen.grader_passed) == (60.0, False)
    assert (seen.effective_score, seen.effective_passed) == (85.0, True)
    assert seen.overridden and seen.current is not None and seen.current.reason == REASON
    # The trainee's own list and the attempt itself show the effective score; the report is the grader's.
    mine = attempts.get_attempt(w.s, w.trainee, w.attempt)
    assert (mine.total_score, mine.passed) == (85.0, True)
    assert mine.grade is not None and mine.grade["total"] == 60.0
    logged = w.events("grade_override")
    assert len(logged) == 1 and logged[0].user_id == w.sup.user_id
    assert {k: logged[0].detail[k] for k in ("action", "grader_score", "score", "reason")} == {
        "action": "override",
        "grader_score": 60.0,
        "score": 85.0,
        "reason": REASON,
    }


def test_a_later_override_and_a_restore_reverse_it_with_the_history_kept(w: World) -> None:
    reviews.override_grade(w.s, w.sup, w.attempt, {"score": 85, "reason": REASON}, now=NOW)
    second = reviews.override_grade(
        w.s, w.admin, w.attempt, {"score": 69.96, "reason": "Narrative still lacks the dates."}, now=NOW
    )
    assert (second.previous_score, second.score, second.passed) == (85.0, 70.0, True)  # rounded to 70.0
    back = reviews.restore_grade(
        w.s, w.sup, w.attempt, {"reason": "Re-read: the grader was right."}, now=NOW + timedelta(hours=1)
    )
    assert (back.kind, back.previous_score, back.score, back.passed) == ("restore", 70.0, 60.0, False)
    seen = reviews.attempt_review(w.s, w.sup, w.attempt)
    assert [(o.kind, o.score) for o in seen.overrides] == [
        ("override", 85.0),
        ("override", 70.0),
        ("restore", 60.0),
    ]
    assert not seen.overridden and (seen.effective_score, seen.effective_passed) == (60.0, False)
    assert [e.detail["action"] for e in w.events("grade_override")] == ["override", "override", "restore"]
    with pytest.raises(ValueError, match="already has the grader's score; there is no override to undo"):
        reviews.restore_grade(w.s, w.sup, w.attempt, {"reason": "Once more, just in case."})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"score": 101, "reason": REASON}, "score: must be from 0 to 100"),
        ({"score": -1, "reason": REASON}, "score: must be from 0 to 100"),
        ({"score": "eighty", "reason": REASON}, "score: expected a number"),
        ({"score": float("nan"), "reason": REASON}, "score"),
        ({"score": 80, "reason": "too short"}, "reason: needs at least 10 characters"),
        ({"score": 80, "reason": "   "}, "reason: needs at least 10 characters"),
        ({"score": 80}, "reason"),
    ],
)
def test_a_bad_override_names_the_field_and_changes_nothing(w: World, change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        reviews.override_grade(w.s, w.sup, w.attempt, change)
    seen = reviews.attempt_review(w.s, w.sup, w.attempt)
    assert seen.overrides == [] and seen.effective_score == 60.0
    assert w.events("grade_override") == []


def test_an_unfinished_attempt_cannot_be_overridden(w: World) -> None:
    data = attempt_in(seed=3).model_copy(
        update={"status": "in_progress", "completed_at": None, "grade": None}
    )
    open_one = attempts.save_attempt(w.s, w.trainee, data).id
    with pytest.raises(ValueError, match="is not graded yet"):
        reviews.override_grade(w.s, w.sup, open_one, {"score": 80, "reason": REASON})
    with pytest.raises(NotFound, match="attempt 999999 does not exist"):
        reviews.override_grade(w.s, w.sup, 999999, {"score": 80, "reason": REASON})


def test_dashboards_and_exports_count_the_effective_score_and_show_both(w: World) -> None:
    attempts.save_attempt(w.s, w.other_trainee, graded(score=90.0, passed=True, seed=8))
    before = dashboard.cohort_dashboard(w.s, w.sup, dashboard.Filters(cohort_id=w.cohort_a))
    assert (before.mean_score, before.pass_rate) == (75.0, 0.5)  # (60 + 90) / 2, one of two passed
    reviews.override_grade(w.s, w.sup, w.attempt, {"score": 80, "reason": REASON})
    after = dashboard.cohort_dashboard(w.s, w.sup, dashboard.Filters(cohort_id=w.cohort_a))
    assert (after.mean_score, after.pass_rate) == (85.0, 1.0)  # (80 + 90) / 2, both passed
    rows = {r["username"]: r for r in export.attempt_rows(w.s, w.sup)}
    tina, otto = rows["tina"], rows["otto"]
    assert (tina["total_score"], tina["grader_score"], tina["passed"], tina["overridden"]) == (
        80.0,
        60.0,
        True,
        True,
    )
    assert tina["override_reason"] == REASON
    assert (otto["total_score"], otto["grader_score"], otto["overridden"], otto["override_reason"]) == (
        90.0,
        90.0,
        False,
        "",
    )
    assert export.COLUMNS.index("grader_score") == export.COLUMNS.index("total_score") + 2


def test_the_assignment_counts_as_passed_after_an_override(w: World) -> None:
    assert w.trainee.user_id is not None
    cohorts.assign_module(w.s, w.sup, "advanced_imaging", cohort_id=w.cohort_a)
    as_of = NOW.date()
    assert cohorts.assignments_for(w.s, w.trainee, w.trainee.user_id, as_of=as_of)[0].status != "passed"
    reviews.override_grade(w.s, w.sup, w.attempt, {"score": 75, "reason": REASON})
    assert cohorts.assignments_for(w.s, w.trainee, w.trainee.user_id, as_of=as_of)[0].status == "passed"


# ----- permissions -----------------------------------------------------------------------------------


def test_a_trainee_reads_but_cannot_write_feedback(w: World) -> None:
    for write in (
        lambda: reviews.add_comment(w.s, w.trainee, w.attempt, {"text": "I disagree"}),
        lambda: reviews.override_grade(w.s, w.trainee, w.attempt, {"score": 100, "reason": REASON}),
        lambda: reviews.restore_grade(w.s, w.trainee, w.attempt, {"reason": REASON}),
        lambda: messages.send_message(
            w.s, w.trainee, {"recipient_id": w.other_trainee.user_id, "text": "hi"}
        ),
    ):
        with pytest.raises(AccessDenied, match="A trainee may not"):
            write()
    assert attempts.get_attempt(w.s, w.trainee, w.attempt).total_score == 60.0
    assert len(w.events("access_denied")) == 4


def test_another_trainee_cannot_read_the_feedback(w: World) -> None:
    with pytest.raises(AccessDenied):
        reviews.attempt_review(w.s, w.other_trainee, w.attempt)


def test_a_supervisor_outside_the_cohort_is_denied_and_audited(w: World) -> None:
    for call in (
        lambda: reviews.add_comment(w.s, w.outsider, w.attempt, {"text": "Nice"}),
        lambda: reviews.override_grade(w.s, w.outsider, w.attempt, {"score": 90, "reason": REASON}),
        lambda: reviews.attempt_review(w.s, w.outsider, w.attempt),
        lambda: messages.send_message(w.s, w.outsider, {"recipient_id": w.trainee.user_id, "text": "hello"}),
    ):
        with pytest.raises(AccessDenied, match="not in one of your cohorts"):
            call()
    denied = w.events("access_denied")
    assert len(denied) == 4 and {e.user_id for e in denied} == {w.outsider.user_id}
    assert {e.detail["target_id"] for e in denied} == {w.trainee.user_id}
    assert attempts.get_attempt(w.s, w.sup, w.attempt).total_score == 60.0


def test_nobody_reviews_their_own_attempt(w: World) -> None:
    own = attempts.save_attempt(w.s, w.sup, graded(seed=11)).id
    with pytest.raises(AccessDenied, match="is your own"):
        reviews.override_grade(w.s, w.sup, own, {"score": 100, "reason": REASON})
    with pytest.raises(AccessDenied, match="is your own"):
        reviews.add_comment(w.s, w.sup, own, {"text": "Great work, me"})


def test_a_denial_survives_the_rollback_of_its_unit_of_work(db_session: Session, w: World) -> None:
    with pytest.raises(AccessDenied):
        reviews.override_grade(w.s, w.outsider, w.attempt, {"score": 90, "reason": REASON})
    w.s.rollback()
    assert [e.detail["action"] for e in w.events("access_denied")] == ["review.override"]


# ----- messages --------------------------------------------------------------------------------------


def test_a_message_reaches_the_trainee_who_marks_it_read(w: World) -> None:
    assert w.trainee.user_id is not None
    sent = messages.send_message(
        w.s,
        w.sup,
        {
            "recipient_id": w.trainee.user_id,
            "text": "See my comment on your MRI case.",
            "attempt_id": w.attempt,
        },
        now=NOW,
    )
    assert sent.sender == "Sam Supervisor" and sent.read_at is None
    unread = messages.my_messages(w.s, w.trainee)
    assert [(m.text, m.attempt_id) for m in unread] == [("See my comment on your MRI case.", w.attempt)]
    other = make_user(w.s, "tess", cohort_id=w.cohort_a)
    assert messages.my_messages(w.s, other) == []
    with pytest.raises(AccessDenied, match="sent to someone else"):
        messages.mark_read(w.s, other, sent.id)
    read = messages.mark_read(w.s, w.trainee, sent.id, now=NOW + timedelta(hours=2))
    assert read.read_at == NOW + timedelta(hours=2)
    messages.mark_read(w.s, w.trainee, sent.id, now=NOW + timedelta(hours=3))  # twice: still the first time
    assert messages.my_messages(w.s, w.trainee) == []
    assert [m.read_at for m in messages.my_messages(w.s, w.trainee, unread_only=False)] == [
        NOW + timedelta(hours=2)
    ]
    assert [e.detail["action"] for e in w.events("trainee_message")] == ["sent", "read"]


def test_bad_messages_name_the_field(w: World) -> None:
    assert w.trainee.user_id is not None and w.sup.user_id is not None
    other_attempt = attempts.save_attempt(w.s, w.other_trainee, graded(seed=9)).id
    cases: list[tuple[dict, str]] = [
        ({"recipient_id": w.trainee.user_id, "text": ""}, "message: must not be empty"),
        ({"recipient_id": w.trainee.user_id, "text": "y" * 4001}, "message: at most 4,000 characters"),
        ({"recipient_id": w.sup.user_id, "text": "hi"}, "recipient: you cannot message yourself"),
        (
            {"recipient_id": w.trainee.user_id, "text": "hi", "attempt_id": other_attempt},
            "is not tina's attempt",
        ),
        ({"recipient_id": "tina", "text": "hi"}, "recipient_id"),
    ]
    for data, message in cases:
        with pytest.raises(ValueError, match=re.escape(message)):
            messages.send_message(w.s, w.sup, data)
    with pytest.raises(ValueError, match="is a supervisor, not a trainee"):
        messages.send_message(w.s, w.admin, {"recipient_id": w.sup.user_id, "text": "hi"})
    with pytest.raises(NotFound):
        messages.send_message(w.s, w.sup, {"recipient_id": 987654, "text": "hi"})
    assert messages.my_messages(w.s, w.trainee) == [] and w.events("trainee_message") == []


def test_messages_only_for_trainees_to_read(w: World) -> None:
    with pytest.raises(AccessDenied, match="A supervisor may not"):
        messages.my_messages(w.s, w.sup)


def test_downgrading_0004_gives_overridden_attempts_their_grader_score(tmp_path: Path) -> None:
    url = postgres_url()
    with pg_schema(url) if url else nullcontext() as scoped:
        engine = init_db(Settings(data_dir=tmp_path, database_url=scoped))
        with session_scope(engine) as s:
            w = World(s)
            reviews.override_grade(s, w.sup, w.attempt, {"score": 95, "reason": REASON})
            attempt_id = w.attempt
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0004a")
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT total_score, passed FROM attempts WHERE id = :i"), {"i": attempt_id}
            ).one()
        assert (row[0], bool(row[1])) == (60.0, False)
        assert "grade_overrides" not in inspect(engine).get_table_names()
        migrate(engine)
        engine.dispose()


def test_the_overridden_attempts_of_a_trainee_and_the_messages_about_one(w: World) -> None:
    assert w.trainee.user_id is not None
    second = attempts.save_attempt(w.s, w.trainee, graded(score=50.0, seed=12)).id
    reviews.override_grade(w.s, w.sup, w.attempt, {"score": 85, "reason": REASON})
    reviews.override_grade(w.s, w.sup, second, {"score": 75, "reason": REASON})
    reviews.restore_grade(w.s, w.sup, second, {"reason": "The grader was right after all."})
    assert reviews.overridden_scores(w.s, w.trainee, w.trainee.user_id) == {w.attempt: 60.0}
    assert reviews.overridden_scores(w.s, w.sup, w.trainee.user_id) == {w.attempt: 60.0}
    with pytest.raises(AccessDenied):
        reviews.overridden_scores(w.s, w.outsider, w.trainee.user_id)
    messages.send_message(
        w.s, w.sup, {"recipient_id": w.trainee.user_id, "text": "About #1", "attempt_id": w.attempt}
    )
    messages.send_message(w.s, w.sup, {"recipient_id": w.trainee.user_id, "text": "In general"})
    assert [m.text for m in messages.messages_about(w.s, w.sup, w.attempt)] == ["About #1"]
