"""Accounts and admin (issue 12 item 9): a forced change of an initial password (a flag on the user)
and the LLM settings an administrator stores on the admin page (one row per key).

Revision ID: 0004a
Revises: 0003
Create Date: 2026-12-04

Written out in full (not from the models), like 0001 to 0003. Accounts that exist before this revision
are not forced to change their password (the flag starts false for every row).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004a"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_app_settings_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_settings")),
    )


def downgrade() -> None:
    op.drop_table("app_settings")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
