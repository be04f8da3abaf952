"""Operations (issue 14 items 2 and 3): each completed attempt's outcome (first pass, processing time,
denial, appeals, revenue, active time) in columns for the KPIs, its decided appeals, and the
workspace's activity moments on the attempt.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

Written out in full (not from the models), like 0001 and 0002. Attempts stored before this revision
have no outcome row: the KPIs count only attempts with one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("activity_json", _JSON, nullable=True))
    op.create_table(
        "attempt_outcomes",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("service_line", sa.String(length=60), nullable=False),
        sa.Column("submitted", sa.Boolean(), nullable=False),
        sa.Column("first_pass", sa.Boolean(), nullable=True),
        sa.Column("decided", sa.Boolean(), nullable=False),
        sa.Column("processing_hours", sa.Float(), nullable=True),
        sa.Column("denied", sa.Boolean(), nullable=True),
        sa.Column("denial_reason", sa.String(length=40), nullable=True),
        sa.Column("appeals", sa.Integer(), nullable=False),
        sa.Column("appeals_overturned", sa.Integer(), nullable=False),
        sa.Column("active_seconds", sa.Integer(), nullable=True),
        sa.Column("standing", sa.String(length=20), nullable=False),
        sa.Column("expected_revenue", sa.BigInteger(), nullable=False),
        sa.Column("revenue_at_risk", sa.BigInteger(), nullable=False),
        sa.Column("revenue_lost", sa.BigInteger(), nullable=False),
        sa.Column("revenue_recovered", sa.BigInteger(), nullable=False),
        sa.Column("cash_delay_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_attempt_outcomes_attempt_id_attempts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_attempt_outcomes")),
    )
    op.create_index("ix_attempt_outcomes_service_line", "attempt_outcomes", ["service_line"])
    op.create_table(
        "attempt_appeals",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("overturned", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_attempt_appeals_attempt_id_attempts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attempt_id", "seq", name=op.f("pk_attempt_appeals")),
    )
    op.create_index(op.f("ix_attempt_appeals_level"), "attempt_appeals", ["level"])


def downgrade() -> None:
    op.drop_index(op.f("ix_attempt_appeals_level"), table_name="attempt_appeals")
    op.drop_table("attempt_appeals")
    op.drop_index("ix_attempt_outcomes_service_line", table_name="attempt_outcomes")
    op.drop_table("attempt_outcomes")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("activity_json")
