"""A world where every user-supplied and case-supplied string holds a Markdown/HTML payload (issue 11
item 2), for the AppTest walk (tests/app/test_text_stays_text.py) and the browser walk
(tests/browser/test_payload_walk.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pages_support import CASE, PASSWORD, World

from settings import Settings
from store.access import assign_supervisor
from store.accounts import create_user
from store.attempts import AttemptIn, save_attempt
from store.cohorts import assign_module, create_cohort
from store.db import init_db, session_scope
from store.drafts import save_draft
from store.grades import attempt_record
from store.permissions import SYSTEM, Viewer
from store.progress import save_progress

PAYLOAD = "![](http://127.0.0.1:8699/x.png) [x](http://evil) <img src=x> **bold** :red[red]"
__all__ = ["PASSWORD", "PAYLOAD", "World", "build_hostile_world"]


def _hostile_actions(case: Any) -> list[Any]:
    from scenarios.models import (
        AuthLookup,
        CloseCase,
        EligibilityQuery,
        ProviderQuery,
        RequestedLine,
        Submission,
    )

    t = case.order.ordered_on
    at = datetime(t.year, t.month, t.day, 10, 0)
    service = case.order.date_of_service
    return [
        EligibilityQuery(at=at, member_id=PAYLOAD, date_of_service=service),
        AuthLookup(at=at + timedelta(minutes=5), codes=[PAYLOAD]),
        Submission(
            at=at + timedelta(minutes=10),
            member_id=PAYLOAD,
            patient_last_name=PAYLOAD,
            patient_dob=case.patient.dob,
            ordering_npi=PAYLOAD,
            servicing_npi=PAYLOAD,
            diagnoses=[PAYLOAD],
            procedures=[RequestedLine(code=PAYLOAD, units=1, modifiers=[PAYLOAD])],
            date_of_service=service,
            document_ids=[PAYLOAD],
            narrative=PAYLOAD,
        ),
        ProviderQuery(at=at + timedelta(minutes=20), message=PAYLOAD, criterion_ids=[PAYLOAD]),
        CloseCase(at=at + timedelta(minutes=25), reason="no_auth_needed", note=PAYLOAD),
    ]


def build_hostile_world(folder: Path) -> World:
    """Accounts of every role whose display names carry ``PAYLOAD``, a cohort named with it, an
    assignment, a graded attempt and an unfinished one whose every text field is the payload, and a
    coordinator's draft: written into ``folder`` (``DATA_DIR``) through the real store, generator,
    simulator and grader."""
    from grading import grade
    from scenarios import generate_case
    from simulator import replay

    engine = init_db(Settings(data_dir=folder))
    now = datetime.now(UTC)
    case = generate_case(*CASE)
    actions = _hostile_actions(case)
    with session_scope(engine) as session:
        cohort = create_cohort(session, SYSTEM, f"Cohort {PAYLOAD}")
        viewers: dict[str, Viewer] = {}
        for role in ("admin", "trainee", "supervisor", "coordinator"):
            user = create_user(
                session,
                SYSTEM,
                username=f"{role}_x",
                display_name=f"{role.title()} {PAYLOAD}",
                password=PASSWORD,
                role=role,
                cohort_id=cohort.id if role == "trainee" else None,
                cost=4,
                must_change_password=False,  # the walk visits every page, not the forced change form
            )
            viewers[role] = Viewer(
                user_id=user.id,
                username=user.username,
                role=role,
                cohort_id=user.cohort_id,
                display_name=user.display_name,
            )
        assign_supervisor(session, SYSTEM, viewers["supervisor"].user_id or 0, cohort.id)
        assign_module(session, SYSTEM, CASE[0], cohort_id=cohort.id, due_date=now.date() + timedelta(days=3))
        results = replay(case, actions)
        record = attempt_record(
            case,
            actions,
            results,
            grade(case, actions),
            started_at=now - timedelta(minutes=30),
            completed_at=now - timedelta(minutes=10),
        )
        attempt = save_attempt(session, viewers["trainee"], record)
        save_progress(
            session,
            viewers["trainee"],
            AttemptIn(
                module_id=case.module_id,
                case_id=case.case_id,
                seed=case.seed,
                archetype_id=case.archetype_id,
                content_version=case.content_version,
                started_at=now - timedelta(minutes=5),
                status="in_progress",
                actions=actions[:4],
                results=[r.model_dump(mode="json") for r in results[:4]],
            ),
        )
        save_draft(session, viewers["coordinator"], kind="narrative", text=PAYLOAD, draft={})
    engine.dispose()
    return World(
        folder=folder, viewers=viewers, attempt_id=attempt.id, other_trainee_id=viewers["trainee"].user_id
    )
