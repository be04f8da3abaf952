"""Many writers at once: 20 threads × 100 attempt saves, each its own transaction, lose nothing."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, func, select
from store_support import attempt_in, make_user

from store.attempts import save_attempt
from store.db import session_scope
from store.models import Attempt, AttemptErrorTag, AuditEvent
from store.permissions import Viewer

THREADS, SAVES = 20, 100


def test_twenty_threads_save_two_thousand_attempts(engine: Engine) -> None:
    with session_scope(engine) as session:
        viewers = [make_user(session, f"trainee{i:02d}") for i in range(THREADS)]
    record = attempt_in(tags=("missed_deadline",))  # validated once; saving is what is under test
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def work(viewer: Viewer) -> None:
        barrier.wait()  # all threads start writing together
        try:
            for _ in range(SAVES):
                with session_scope(engine) as session:
                    save_attempt(session, viewer, record)
        except BaseException as exc:  # surfaced below with the others
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(v,)) for v in viewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with session_scope(engine) as session:
        count = session.scalar(select(func.count()).select_from(Attempt))
        per_user = set(
            session.execute(select(func.count()).select_from(Attempt).group_by(Attempt.user_id)).scalars()
        )
        tags = session.scalar(select(func.count()).select_from(AttemptErrorTag))
        audits = session.scalar(select(func.count()).where(AuditEvent.event == "submission"))
    assert count == THREADS * SAVES
    assert per_user == {SAVES}
    assert tags == THREADS * SAVES and audits == THREADS * SAVES
