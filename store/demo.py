"""Demo content: a cohort of trainees with graded attempts, produced by the real case engine and grader.

Each attempt starts from a generated case's reference actions (``answer_key.reference_actions``) and
applies seeded defects a trainee of that skill level would make: drop a document, code too vaguely,
submit late, skip the eligibility check. The simulator replays the actions and ``grading.grade`` scores
them; no score is made up here. Without a scenario module the demo refuses with :class:`DemoUnavailable`.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.access import assign_supervisor
from store.accounts import create_user
from store.cohorts import assign_module, create_cohort
from store.db import utcnow
from store.models import Cohort
from store.passwords import DEFAULT_COST
from store.permissions import Viewer, require

if TYPE_CHECKING:
    from scenarios.models import Action, Case

DEMO_COHORT = "Demo cohort"
# (username, display name, skill 0-1): fictional people, spread from strong to struggling.
TRAINEES: tuple[tuple[str, str, float], ...] = (
    ("demo.avery", "Avery Lindqvist", 0.92),
    ("demo.bashir", "Bashir Okafor", 0.80),
    ("demo.carmen", "Carmen Iturbe", 0.66),
    ("demo.dmitri", "Dmitri Halvorsen", 0.52),
    ("demo.esther", "Esther Nakamura-Reyes", 0.38),
)
STAFF: tuple[tuple[str, str, str], ...] = (
    ("demo.supervisor", "Simone Achterberg", "supervisor"),
    ("demo.coordinator", "Theo Marchetti", "coordinator"),
)
# The mistakes demo trainees make, from the grader's defect catalogue (grading/defects.py).
DEMO_DEFECTS: tuple[str, ...] = ("missing_document", "icd_specificity", "late_submission", "skip_eligibility")


class DemoUnavailable(RuntimeError):
    """The content has no scenario module to draw demo cases from."""


@dataclass(frozen=True)
class Engines:
    """The three engines the demo drives, plus the module ids to draw cases from."""

    generate_case: Callable[[str, int], Case]
    replay: Callable[[Case, list[Action]], list[Any]]
    grade: Callable[[Case, list[Action]], Any]
    module_ids: list[str]


class DemoSummary(BaseModel):
    cohort_id: int
    usernames: list[str]
    attempts: int
    password: str


def load_engines() -> Engines:
    """The real generator, simulator and grader, over every installed scenario module."""
    from grading import grade  # deferred: the grader and simulator are only needed when seeding
    from scenarios import generate_case, load_modules
    from simulator import replay

    ids = sorted(load_modules())
    if not ids:
        raise DemoUnavailable("scenarios: no scenario modules under scenarios/modules; the demo needs one")
    return Engines(generate_case=generate_case, replay=replay, grade=grade, module_ids=ids)


def _rng(*parts: object) -> random.Random:
    # sha256, not hash(): Python salts hash() per process, and the demo must be the same every time.
    return random.Random(int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:8], "big"))


# ----- defects ----------------------------------------------------------------------------------------


def trainee_actions(case: Case, skill: float, rng: random.Random) -> tuple[list[Action], list[str]]:
    """The case's reference actions with the mistakes a trainee of ``skill`` (0-1) made this time, and
    the names of those mistakes. The mistakes are the grader's own defect catalogue (grading/defects.py),
    so a demo mistake means what the mutation benchmark means by it."""
    # Deferred: the catalogue loads the claim checker; ui.feedback imports this module for its error
    # class on every page, the first render included.
    from grading.defects import DEFECTS

    actions: list[Action] = list(case.answer_key.reference_actions)
    made: list[str] = []
    for kind in DEMO_DEFECTS:
        if rng.random() < (1.0 - skill) * 0.6:
            changed = DEFECTS[kind].apply(case, actions)
            if changed is not None:
                actions, made = changed, [*made, kind]
    return actions, made


def demo_activity(started: datetime, done: datetime, rng: random.Random) -> list[datetime]:
    """Workspace moments of a demo trainee between opening and finishing a case: an interaction every
    half minute to four minutes, and now and then a break longer than the idle limit (the staff-time
    rule in operations.staff_time then leaves it out)."""
    moments: list[datetime] = []
    t = started
    while True:
        t += timedelta(seconds=rng.randint(30, 240) if rng.random() > 0.08 else rng.randint(400, 900))
        if t >= done:
            return moments
        moments.append(t)


# ----- seeding ----------------------------------------------------------------------------------------


def seed_demo(
    session: Session,
    viewer: Viewer,
    engines: Engines,
    *,
    password: str | None = None,
    attempts_per_trainee: int = 24,
    now: datetime | None = None,
    seed: int = 2026,
    cost: int = DEFAULT_COST,
) -> DemoSummary:
    """Create the demo cohort, its trainees, a supervisor and a coordinator, assignments, and graded
    attempts spread over the eight weeks before ``now``. Refuses if the demo cohort already exists."""
    # Deferred: saving loads the outcome and revenue code; the first render imports this module (below
    # ui.feedback) for DemoUnavailable only.
    from store.attempts import save_attempt
    from store.grades import attempt_record

    require(viewer, "user.manage")
    if not isinstance(attempts_per_trainee, int) or not 1 <= attempts_per_trainee <= 500:
        raise ValueError("attempts per trainee: expected a whole number from 1 to 500")
    if session.scalar(select(Cohort.id).where(Cohort.name == DEMO_COHORT)) is not None:
        raise ValueError(f"demo: the demo content is already loaded (cohort {DEMO_COHORT!r} exists)")
    at = now or utcnow()
    secret = password or secrets.token_urlsafe(12)
    cohort = create_cohort(session, viewer, DEMO_COHORT, now=at)
    people = [(u, d, "trainee") for u, d, _ in TRAINEES] + list(STAFF)
    users = {
        u: create_user(
            session,
            viewer,
            username=u,
            display_name=d,
            password=secret,
            role=r,
            cohort_id=cohort.id if r != "coordinator" else None,
            cost=cost,
            now=at,
            # Shared walk-through accounts of fictional people, one password shown to the seeding
            # administrator: forcing a change would let the first person in lock the others out.
            # Reset one with set_password and that account is forced again (docs/security.md).
            must_change_password=False,
        )
        for u, d, r in people
    }
    for made in users.values():
        if made.role == "supervisor":  # supervisors see only the cohorts they are assigned
            assign_supervisor(session, viewer, made.id, cohort.id, now=at)
    for k, module in enumerate(engines.module_ids[:3]):
        assign_module(
            session,
            viewer,
            module,
            cohort_id=cohort.id,
            due_date=at.date() + timedelta(days=7 * (k + 1)),
            now=at,
        )
    count = 0
    for username, _, skill in TRAINEES:
        user = users[username]
        trainee = Viewer(user_id=user.id, username=username, role="trainee", cohort_id=cohort.id)
        rng = _rng(seed, username)
        for i in range(attempts_per_trainee):
            progress = i / max(1, attempts_per_trainee - 1)
            # Trainees improve: half of what they lack is learned over the eight weeks.
            skill_now = skill + (1.0 - skill) * 0.5 * progress
            module = rng.choice(engines.module_ids)
            case = engines.generate_case(module, rng.randrange(1, 1_000_000))
            actions, _ = trainee_actions(case, skill_now, rng)
            results = engines.replay(case, actions)
            report = engines.grade(case, actions)
            done = at - timedelta(days=56 * (1.0 - progress), minutes=rng.randint(0, 600))
            started = done - timedelta(minutes=rng.randint(6, 45))
            record = attempt_record(
                case,
                actions,
                results,
                report,
                completed_at=done,
                started_at=started,
                activity=demo_activity(started, done, _rng(seed, username, i, "activity")),
            )
            save_attempt(session, trainee, record)
            count += 1
    return DemoSummary(cohort_id=cohort.id, usernames=sorted(users), attempts=count, password=secret)
