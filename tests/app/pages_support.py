"""Shared set-up for the page tests: one migrated database with an account per role, a cohort, an
assignment and one graded attempt (built once per test session, copied per test), and a signed-in
AppTest (through the shell's own session-state object, as the sign-in page leaves it)."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from settings import Settings
from store.access import assign_supervisor
from store.accounts import create_user
from store.attempts import save_attempt
from store.cohorts import assign_module, create_cohort
from store.db import init_db, session_scope
from store.grades import attempt_record
from store.permissions import SYSTEM, Viewer
from ui.state import STATE_KEY, PrecertState

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PASSWORD = "a long test password"
CASE = (
    "advanced_imaging",
    4,
)  # a lumbar MRI the payer approves when the therapy note and office note are sent
PEOPLE = {  # role -> (username, display name); the trainee is in the cohort
    "admin": ("ada", "Ada Admin"),
    "trainee": ("tina", "Tina Trainee"),
    "supervisor": ("sam", "Sam Supervisor"),
    "coordinator": ("cora", "Cora Coordinator"),
}


@dataclass
class World:
    folder: Path
    viewers: dict[str, Viewer]
    attempt_id: int  # tina's graded attempt
    other_trainee_id: int


def build_world(folder: Path) -> World:
    """Accounts (cheap bcrypt cost: these tests never type passwords), a cohort, an assignment, and a
    graded attempt produced by the real generator, simulator and grader."""
    from grading import grade
    from scenarios import generate_case
    from simulator import replay

    engine = init_db(Settings(data_dir=folder))
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        cohort = create_cohort(session, SYSTEM, "Spring cohort")
        viewers: dict[str, Viewer] = {}
        for role, (username, display) in PEOPLE.items():
            user = create_user(
                session,
                SYSTEM,
                username=username,
                display_name=display,
                password=PASSWORD,
                role=role,
                cohort_id=cohort.id if role == "trainee" else None,
                cost=4,
                must_change_password=False,  # signs in through the shell: not the forced change form
            )
            viewers[role] = Viewer(
                user_id=user.id,
                username=username,
                role=role,  # type: ignore[arg-type]
                cohort_id=user.cohort_id,
                display_name=display,
            )
        other = create_user(
            session,
            SYSTEM,
            username="tom",
            display_name="Tom Other",
            password=PASSWORD,
            role="trainee",
            cohort_id=cohort.id,
            cost=4,
            must_change_password=False,  # signs in through the shell: not the forced change form
        )
        supervisor = viewers["supervisor"].user_id
        assert supervisor is not None
        assign_supervisor(session, SYSTEM, supervisor, cohort.id)  # supervisors see assigned cohorts only
        assign_module(
            session, SYSTEM, CASE[0], cohort_id=cohort.id, due_date=date.today() + timedelta(days=7)
        )
        case = generate_case(*CASE)
        actions = case.answer_key.reference_actions
        record = attempt_record(
            case,
            actions,
            replay(case, actions),
            grade(case, actions),
            started_at=now - timedelta(minutes=20),
            completed_at=now - timedelta(minutes=5),
        )
        attempt = save_attempt(session, viewers["trainee"], record)
    engine.dispose()
    return World(folder=folder, viewers=viewers, attempt_id=attempt.id, other_trainee_id=other.id)


def copy_world(world: World, folder: Path) -> World:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("precert.db",):
        shutil.copy(world.folder / name, folder / name)
    return World(
        folder=folder,
        viewers=world.viewers,
        attempt_id=world.attempt_id,
        other_trainee_id=world.other_trainee_id,
    )


def use_world(template: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """A copy of ``template`` for one test, with DATA_DIR pointing at it and nothing reaching outside."""
    copy = copy_world(template, tmp_path / "data")
    monkeypatch.setenv("DATA_DIR", str(copy.folder))
    for var in ("DATABASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "PRECERT_LLM_MODEL", "CHROMA_HOST"):
        monkeypatch.delenv(var, raising=False)
    return copy


def signed_in(viewer: Viewer, timeout: float = 60) -> AppTest:
    """An AppTest of the whole app with ``viewer`` signed in (DATA_DIR must already point at the world)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    state = PrecertState()
    state.sign_in(viewer, datetime.now(UTC))
    at.session_state[STATE_KEY] = state
    at.run()
    return at


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: a backslash before ASCII punctuation


def shown(markdown: str) -> str:
    """What a reader sees of a Markdown string that escapes its punctuation (CommonMark 2.4).

    >>> shown(r"Case number: '\\-3' \\[x\\]")
    "Case number: '-3' [x]"
    """
    return _ESCAPED.sub(r"\1", markdown)


def errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def wait_for_reply(at: AppTest) -> bool:
    """Click "Advance the clock to …" (the next reply due) when a reply is pending; True if clicked.
    A payer decides on its review clock, so a decision shows only once the simulated clock reaches it."""
    found = [b for b in at.button if b.key == "ws_clock_next"]
    if found:
        found[0].click().run()
    return bool(found)
