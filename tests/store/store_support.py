"""Shared helpers for the store tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from scenarios.models import Action, AuthLookup, EligibilityQuery, RequestedLine, Submission
from store.accounts import create_user
from store.attempts import AttemptIn, GradeSummary
from store.permissions import SYSTEM, Viewer

COST = 4  # bcrypt cost for tests: same code path, a millisecond per hash
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
PASSWORD = "correct horse battery"


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@contextmanager
def pg_schema(url: str) -> Iterator[str]:
    """A new, empty PostgreSQL schema for the duration of the block; yields a URL whose connections use it."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_user(
    session: Session,
    username: str,
    role: str = "trainee",
    cohort_id: int | None = None,
    display_name: str | None = None,
) -> Viewer:
    """Create an account as the system and return the Viewer that account signs in as."""
    user = create_user(
        session,
        SYSTEM,
        username=username,
        display_name=display_name or username.title(),
        password=PASSWORD,
        role=role,
        cohort_id=cohort_id,
        cost=COST,
        now=NOW,
    )
    return Viewer(
        user_id=user.id,
        username=user.username,
        role=user.role,
        cohort_id=cohort_id,
        display_name=user.display_name,
    )


def sample_actions(start: datetime = NOW) -> list[Action]:
    """A plausible action log: eligibility, look-up, a submission with documents and a narrative."""
    return [
        EligibilityQuery(at=start, member_id="LKS123456789", date_of_service=date(2026, 3, 16)),
        AuthLookup(at=start + timedelta(minutes=3), codes=["72148"]),
        Submission(
            at=start + timedelta(minutes=20),
            member_id="LKS123456789",
            patient_last_name="Okonkwo-Ruiz",
            patient_dob=date(1971, 5, 4),
            ordering_npi="1234567893",
            servicing_npi="1558598797",
            diagnoses=["M54.16"],
            procedures=[RequestedLine(code="72148", units=1)],
            date_of_service=date(2026, 3, 16),
            place_of_service="22",
            document_ids=["doc-01", "doc-03"],
            narrative="Eight weeks of failed physical therapy; follow-up exam documents L5 radiculopathy. ✓",
        ),
    ]


def attempt_in(
    *,
    score: float = 80.0,
    passed: bool = True,
    module_id: str = "advanced_imaging",
    seed: int = 7,
    completed_at: datetime = NOW,
    tags: tuple[str, ...] = (),
    dims: dict[str, float] | None = None,
) -> AttemptIn:
    """A completed attempt whose grade numbers are exactly the ones given (for hand-computed expectations)."""
    return AttemptIn(
        module_id=module_id,
        case_id=f"{module_id}:{seed}",
        seed=seed,
        archetype_id="mri_meets",
        content_version="abc123def456",
        started_at=completed_at - timedelta(minutes=30),
        completed_at=completed_at,
        status="completed",
        actions=sample_actions(completed_at - timedelta(minutes=30)),
        results=[{"index": 0, "type": "eligibility", "result": {"active": True}}],
        grade=GradeSummary(
            total_score=score,
            passed=passed,
            error_tags=list(tags),
            dimension_scores=dims if dims is not None else {"coding": score},
            report={"total_score": score, "passed": passed},
        ),
    )
