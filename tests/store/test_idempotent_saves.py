"""Idempotent attempt saves (issue 11 item 9): a save retried with the same key — after a timeout,
a double click, a lost reply — finds the first row instead of writing a second, also when the retries
race each other (run with DATABASE_URL=postgresql+psycopg://… for PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from store_support import attempt_in, make_user

from store.attempts import save_attempt
from store.db import session_scope
from store.models import Attempt
from store.progress import complete_attempt, save_progress


def _rows(s: Session, user_id: int | None) -> list[tuple[int, str]]:
    return [(a.id, a.status) for a in s.scalars(select(Attempt).where(Attempt.user_id == user_id))]


def test_a_retried_save_returns_the_first_row(db_session: Session) -> None:
    dana = make_user(db_session, "dana")
    record = attempt_in().model_copy(update={"idempotency_key": "key-0001-abcd"})
    first = save_attempt(db_session, dana, record)
    again = save_attempt(db_session, dana, record)
    assert again.id == first.id and len(_rows(db_session, dana.user_id)) == 1
    other = save_attempt(db_session, dana, record.model_copy(update={"idempotency_key": "key-0002-abcd"}))
    assert other.id != first.id
    assert len(_rows(db_session, dana.user_id)) == 2
    # Without a key every save is a new attempt, as before.
    save_attempt(db_session, dana, attempt_in())
    save_attempt(db_session, dana, attempt_in())
    assert len(_rows(db_session, dana.user_id)) == 4


def test_progress_then_completion_retried_keep_one_row(db_session: Session) -> None:
    dana = make_user(db_session, "dana")
    done = attempt_in().model_copy(update={"idempotency_key": "case-session-1"})
    progress = done.model_copy(update={"status": "in_progress", "completed_at": None, "grade": None})
    first = save_progress(db_session, dana, progress)
    assert save_progress(db_session, dana, progress) == first  # the first save's reply was lost
    finished = complete_attempt(db_session, dana, done)  # the page had lost the in-progress id too
    assert complete_attempt(db_session, dana, done, attempt_id=first).id == finished.id
    assert _rows(db_session, dana.user_id) == [(finished.id, "completed")]


def test_the_same_key_is_not_shared_between_users(db_session: Session) -> None:
    dana, eli = make_user(db_session, "dana"), make_user(db_session, "eli")
    record = attempt_in().model_copy(update={"idempotency_key": "shared-key-1"})
    assert save_attempt(db_session, dana, record).id != save_attempt(db_session, eli, record).id


@pytest.mark.parametrize("bad", ["short", "has space in it", "x" * 65])
def test_a_malformed_key_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="idempotency_key"):
        attempt_in().model_validate(attempt_in().model_dump() | {"idempotency_key": bad})


def test_racing_retries_write_one_row(engine: Engine) -> None:
    with session_scope(engine) as s:
        dana = make_user(s, "dana")
    record = attempt_in().model_copy(update={"idempotency_key": "racing-key-1"})
    barrier, errors = threading.Barrier(8), []

    def retry() -> None:
        barrier.wait()
        try:
            with session_scope(engine) as s:
                save_attempt(s, dana, record)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Attempt)) == 1
