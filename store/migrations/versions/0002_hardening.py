"""Hardening (issue 11): server-side sessions, supervisor cohort scoping, login throttle, idempotent
attempt saves, and the audit events that cover reads, changes, LLM calls and denials.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03

Written out in full (not from the models), like 0001, so later model changes never rewrite history.
The audit CHECK constraint is replaced in batch mode because SQLite cannot alter a constraint in place.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_OLD_EVENTS = (
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
)
_NEW_EVENTS = (
    "record_read",
    "draft_saved",
    "assignment_change",
    "cohort_change",
    "password_change",
    "llm_call",
    "access_denied",
    "setup",
)


def _check(events: tuple[str, ...]) -> str:
    return f"event IN ({', '.join(repr(e) for e in events)})"


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])

    op.create_table(
        "supervisor_cohorts",
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["users.id"],
            name=op.f("fk_supervisor_cohorts_supervisor_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_supervisor_cohorts_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("supervisor_id", "cohort_id", name=op.f("pk_supervisor_cohorts")),
    )
    op.create_index(op.f("ix_supervisor_cohorts_cohort_id"), "supervisor_cohorts", ["cohort_id"])

    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )

    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(
            op.f("uq_attempts_user_id_idempotency_key"), ["user_id", "idempotency_key"]
        )

    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint(op.f("ck_audit_events_event"), type_="check")
        batch.create_check_constraint(op.f("ck_audit_events_event"), _check(_OLD_EVENTS + _NEW_EVENTS))


def downgrade() -> None:
    op.execute(sa.text(f"DELETE FROM audit_events WHERE NOT ({_check(_OLD_EVENTS)})"))
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint(op.f("ck_audit_events_event"), type_="check")
        batch.create_check_constraint(op.f("ck_audit_events_event"), _check(_OLD_EVENTS))
    with op.batch_alter_table("attempts") as batch:
        batch.drop_constraint(op.f("uq_attempts_user_id_idempotency_key"), type_="unique")
        batch.drop_column("idempotency_key")
    for table in ("login_throttle", "supervisor_cohorts", "user_sessions"):
        op.drop_table(table)
