"""progress_version: what the store holds of a trainee's case, read before every workspace action so
two tabs on one case never overwrite each other silently (issue 12 item 10)."""

from __future__ import annotations

from sqlalchemy.orm import Session
from test_progress import ELIG, _record, _viewer

from store.progress import abandon_attempt, progress_version, save_progress


def test_counts_the_saved_actions_and_finds_the_case_without_an_id(db_session: Session) -> None:
    tina = _viewer(db_session, "tina")
    assert progress_version(db_session, tina, "advanced_imaging:4", None) == (None, None, 0)
    made = save_progress(db_session, tina, _record(actions=[ELIG]))
    assert progress_version(db_session, tina, "advanced_imaging:4", made) == (made, "in_progress", 1)
    # a tab that has not saved yet finds the attempt another tab saved on the same case
    assert progress_version(db_session, tina, "advanced_imaging:4", None) == (made, "in_progress", 1)
    save_progress(db_session, tina, _record(actions=[ELIG, ELIG]), attempt_id=made)
    assert progress_version(db_session, tina, "advanced_imaging:4", made)[2] == 2
    abandon_attempt(db_session, tina, made)
    assert progress_version(db_session, tina, "advanced_imaging:4", made)[1] == "abandoned"


def test_another_trainees_attempt_is_not_read(db_session: Session) -> None:
    tina, tom = _viewer(db_session, "tina"), _viewer(db_session, "tom")
    made = save_progress(db_session, tina, _record(actions=[ELIG]))
    assert progress_version(db_session, tom, "advanced_imaging:4", made) == (None, None, 0)
    assert progress_version(db_session, tom, "advanced_imaging:4", None) == (None, None, 0)
