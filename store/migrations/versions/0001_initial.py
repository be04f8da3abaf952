"""Initial schema: accounts, cohorts, assignments, attempts (with error tags), drafts, audit events.

Revision ID: 0001
Revises:
Create Date: 2026-11-28

Timestamps are plain DateTime columns holding UTC (store.models.UTCDateTime adds the zone on read);
JSON columns are JSONB on PostgreSQL. Written out in full rather than from the models so that later
model changes never rewrite history.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _json() -> sa.types.TypeEngine[Any]:  # JSON on SQLite, JSONB on PostgreSQL
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohorts")),
        sa.UniqueConstraint("name", name=op.f("uq_cohorts_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=100), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "role IN ('trainee', 'supervisor', 'coordinator', 'admin')", name=op.f("ck_users_role")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_users_cohort_id_cohorts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(op.f("ix_users_cohort_id"), "users", ["cohort_id"])

    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("module_id", sa.String(length=100), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(cohort_id IS NULL AND user_id IS NOT NULL) OR (cohort_id IS NOT NULL AND user_id IS NULL)",
            name=op.f("ck_assignments_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_assignments_cohort_id_cohorts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_assignments_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_assignments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    op.create_index(op.f("ix_assignments_cohort_id"), "assignments", ["cohort_id"])
    op.create_index(op.f("ix_assignments_user_id"), "assignments", ["user_id"])

    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.String(length=200), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("archetype_id", sa.String(length=100), nullable=False),
        sa.Column("content_version", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total_score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("coding", sa.Float(), nullable=True),
        sa.Column("documentation", sa.Float(), nullable=True),
        sa.Column("narrative", sa.Float(), nullable=True),
        sa.Column("process", sa.Float(), nullable=True),
        sa.Column("outcome", sa.Float(), nullable=True),
        sa.Column("actions_json", _json(), nullable=False),
        sa.Column("results_json", _json(), nullable=False),
        sa.Column("grade_json", _json(), nullable=True),
        sa.CheckConstraint(
            "status IN ('in_progress', 'completed', 'abandoned')", name=op.f("ck_attempts_status")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_attempts_user_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
    )
    op.create_index("ix_attempts_completed_at", "attempts", ["completed_at"])
    op.create_index("ix_attempts_module_completed", "attempts", ["module_id", "completed_at"])
    op.create_index("ix_attempts_user_completed", "attempts", ["user_id", "completed_at"])

    op.create_table(
        "attempt_error_tags",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_attempt_error_tags_attempt_id_attempts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attempt_id", "tag", name=op.f("pk_attempt_error_tags")),
    )
    op.create_index(op.f("ix_attempt_error_tags_tag"), "attempt_error_tags", ["tag"])

    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("draft_json", _json(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_drafts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
    )
    op.create_index("ix_drafts_user_created", "drafts", ["user_id", "created_at"])

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=30), nullable=False),
        sa.Column("detail", _json(), nullable=False),
        sa.CheckConstraint(
            "event IN ('login', 'login_failed', 'lockout', 'logout', 'role_change', 'user_created', "
            "'export', 'submission', 'reindex', 'settings_change')",
            name=op.f("ck_audit_events_event"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_events_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])
    op.create_index("ix_audit_events_event_at", "audit_events", ["event", "at"])
    op.create_index("ix_audit_events_user_at", "audit_events", ["user_id", "at"])


def downgrade() -> None:
    for table in (
        "audit_events",
        "drafts",
        "attempt_error_tags",
        "attempts",
        "assignments",
        "users",
        "cohorts",
    ):
        op.drop_table(table)
