"""The records: typed SQLAlchemy 2 models for accounts, cohorts, assignments, attempts, drafts and audit.

Every timestamp is stored as UTC (see :class:`UTCDateTime`) so SQLite and PostgreSQL return the same
aware datetimes. The migration in ``store/migrations/versions`` creates exactly these tables; a test
compares the two so they cannot drift.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from grading.models import DIMENSIONS as GRADED_DIMENSIONS

ROLES: tuple[str, ...] = ("trainee", "supervisor", "coordinator", "admin")
AUDIT_EVENTS: tuple[str, ...] = (
    "login",
    "login_failed",
    "lockout",
    "logout",
    "role_change",
    "user_created",
    "export",
    "submission",
    "reindex",
    "settings_change",
    # Added by 0002_hardening (issue 11 item 5): reads of another person's record, changes, LLM calls,
    # denials of access, password changes and the one-time set-up.
    "record_read",
    "draft_saved",
    "assignment_change",
    "cohort_change",
    "password_change",
    "llm_call",
    "access_denied",
    "setup",
    # Added by 0005_reviews (issue 12 item 9): a supervisor's comment on an attempt, a grade override
    # or restore, and a message to a trainee (sent, or marked read by the trainee).
    "attempt_comment",
    "grade_override",
    "trainee_message",
)
ATTEMPT_STATUSES: tuple[str, ...] = ("in_progress", "completed", "abandoned")
# The grader's five dimensions (grading.models.Dimension); each gets its own column so dashboards
# average them in SQL.
DIMENSIONS: tuple[str, ...] = GRADED_DIMENSIONS

# Named constraints keep Alembic migrations portable (SQLite batch mode needs names to alter them).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out; stored naive so both databases agree.

    A naive value is taken to be UTC already (every caller in this code base passes aware values).
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Cohort(Base):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    members: Mapped[list[User]] = relationship(back_populates="cohort")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    password_hash: Mapped[str] = mapped_column(String(100))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Added by 0004_accounts: an administrator chose this password (create_user, set_password), so the
    # account must replace it at its next sign-in before any other page (cleared by change_own_password).
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    cohort: Mapped[Cohort | None] = relationship(back_populates="members")


class Assignment(Base):
    """A module assigned to a whole cohort or to one user (exactly one of the two), with a due date."""

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint(
            "(cohort_id IS NULL AND user_id IS NOT NULL) OR (cohort_id IS NOT NULL AND user_id IS NULL)",
            name="one_target",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(String(100))
    due_date: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Attempt(Base):
    """One trainee's work on one case: enough to regenerate the case and replay every action."""

    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint(_in("status", ATTEMPT_STATUSES), name="status"),
        Index("ix_attempts_user_completed", "user_id", "completed_at"),
        Index("ix_attempts_module_completed", "module_id", "completed_at"),
        Index("ix_attempts_completed_at", "completed_at"),
        UniqueConstraint("user_id", "idempotency_key", name="uq_attempts_user_id_idempotency_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    module_id: Mapped[str] = mapped_column(String(100))
    case_id: Mapped[str] = mapped_column(String(200))
    seed: Mapped[int] = mapped_column(BigInteger)
    archetype_id: Mapped[str] = mapped_column(String(100))
    content_version: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20))
    total_score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # Percent (0-100) of each dimension's points; NULL when the grade had no items in that dimension.
    coding: Mapped[float | None] = mapped_column(Float)
    documentation: Mapped[float | None] = mapped_column(Float)
    narrative: Mapped[float | None] = mapped_column(Float)
    process: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[float | None] = mapped_column(Float)
    actions_json: Mapped[list[Any]] = mapped_column(JSONType)
    results_json: Mapped[list[Any]] = mapped_column(JSONType)
    grade_json: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # A client-chosen key per save: a retried save with the same key returns the first row instead of
    # writing a second one (unique per user; NULL for saves that carry none).
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    # Added by 0003_operations: the wall-clock moments the workspace recorded while the trainee worked
    # (operations.staff_time), kept so a resumed case keeps its active time; NULL for older rows.
    activity_json: Mapped[list[Any] | None] = mapped_column(JSONType)

    user: Mapped[User] = relationship()
    error_tags: Mapped[list[AttemptErrorTag]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptErrorTag.tag"
    )


class AttemptErrorTag(Base):
    """One error tag of one attempt; a tag counts once per attempt, so counts read 'attempts with X'."""

    __tablename__ = "attempt_error_tags"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)

    attempt: Mapped[Attempt] = relationship(back_populates="error_tags")


class AttemptOutcome(Base):
    """The operations outcome of one completed attempt (operations.outcome.CaseOutcome), one row per
    attempt, in columns so the KPIs aggregate in SQL (store.kpis). Added by 0003_operations."""

    __tablename__ = "attempt_outcomes"
    __table_args__ = (Index("ix_attempt_outcomes_service_line", "service_line"),)

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True)
    service_line: Mapped[str] = mapped_column(String(60))
    submitted: Mapped[bool] = mapped_column(Boolean)
    first_pass: Mapped[bool | None] = mapped_column(Boolean)
    decided: Mapped[bool] = mapped_column(Boolean)
    processing_hours: Mapped[float | None] = mapped_column(Float)
    denied: Mapped[bool | None] = mapped_column(Boolean)
    denial_reason: Mapped[str | None] = mapped_column(String(40))
    appeals: Mapped[int] = mapped_column(Integer)
    appeals_overturned: Mapped[int] = mapped_column(Integer)
    active_seconds: Mapped[int | None] = mapped_column(Integer)
    standing: Mapped[str] = mapped_column(String(20))
    expected_revenue: Mapped[int] = mapped_column(BigInteger)
    revenue_at_risk: Mapped[int] = mapped_column(BigInteger)
    revenue_lost: Mapped[int] = mapped_column(BigInteger)
    revenue_recovered: Mapped[int] = mapped_column(BigInteger)
    cash_delay_days: Mapped[int] = mapped_column(Integer)


class AttemptAppeal(Base):
    """One appeal or peer-to-peer the payer decided in a completed attempt, for success by level."""

    __tablename__ = "attempt_appeals"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(40), index=True)
    overturned: Mapped[bool] = mapped_column(Boolean)


class Draft(Base):
    """An assistant draft a user produced (narrative, appeal letter, answer), kept as history."""

    __tablename__ = "drafts"
    __table_args__ = (Index("ix_drafts_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    case_id: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    draft_json: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint(_in("event", AUDIT_EVENTS), name="event"),
        Index("ix_audit_events_event_at", "event", "at"),
        Index("ix_audit_events_user_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # NULL for the system (CLI) and for failed logins of unknown usernames (the name is in detail).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    event: Mapped[str] = mapped_column(String(30))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType)


class UserSession(Base):
    """A server-side sign-in: only the SHA-256 of the browser's token is kept, so a copy of the
    database cannot be replayed as a cookie."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SupervisorCohort(Base):
    """Which cohorts a supervisor may see (issue 11 item 4); administrators manage the list."""

    __tablename__ = "supervisor_cohorts"

    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginThrottle(Base):
    """Failed sign-ins counted per key ("name:<username>" or "source:<address>"), whether or not the
    account exists, so the answer and the back-off are the same for every name."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AppSetting(Base):
    """A setting an administrator stored on the LLM settings page (added by 0004_accounts): one row per
    key, named like its environment variable (``PRECERT_LLM_MODEL``). The environment wins over a row;
    a row wins over the embedded default (docs/settings.md). The API key row is never shown back."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


# ----- Added by 0005_reviews (issue 12 item 9): supervisor feedback on attempts ----------------------

OVERRIDE_KINDS: tuple[str, ...] = ("override", "restore")


class AttemptComment(Base):
    """One comment in the thread on an attempt (a supervisor's or an administrator's), oldest first."""

    __tablename__ = "attempt_comments"
    __table_args__ = (Index("ix_attempt_comments_attempt_at", "attempt_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    # NULL once the author's account is deleted; the thread keeps the comment.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    text: Mapped[str] = mapped_column(Text)


class GradeOverride(Base):
    """One change of an attempt's effective score: an override to ``score`` or a restore of the
    grader's score, each with its reason. The history is never rewritten; the newest row is in force.
    ``grader_score``/``grader_passed`` are the grader's own result, copied on every row so the
    original is kept whatever happens to the attempt's effective columns."""

    __tablename__ = "grade_overrides"
    __table_args__ = (
        CheckConstraint(_in("kind", OVERRIDE_KINDS), name="kind"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        Index("ix_grade_overrides_attempt_at", "attempt_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(20))
    grader_score: Mapped[float] = mapped_column(Float)
    grader_passed: Mapped[bool] = mapped_column(Boolean)
    previous_score: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)


class TraineeMessage(Base):
    """A message from a supervisor to a trainee, optionally about one attempt; unread until the
    trainee marks it read."""

    __tablename__ = "trainee_messages"
    __table_args__ = (Index("ix_trainee_messages_recipient_read", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    text: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
