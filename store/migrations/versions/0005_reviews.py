"""Reviews (issue 12 item 9): supervisors' comments on attempts, grade overrides with a reason
(reversible, the grader's score kept on every row), messages to trainees, and their audit events.

Revision ID: 0005
Revises: 0004a
Create Date: 2026-12-04

Written out in full (not from the models), like 0001 to 0004a. The audit CHECK constraint is replaced in
batch mode because SQLite cannot alter a constraint in place. Downgrading gives every overridden
attempt its grader's score back before the override history is dropped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004a"
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
    "record_read",
    "draft_saved",
    "assignment_change",
    "cohort_change",
    "password_change",
    "llm_call",
    "access_denied",
    "setup",
)
_NEW_EVENTS = ("attempt_comment", "grade_override", "trainee_message")


def _check(events: tuple[str, ...]) -> str:
    return f"event IN ({', '.join(repr(e) for e in events)})"


def upgrade() -> None:
    op.create_table(
        "attempt_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_attempt_comments_attempt_id_attempts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_attempt_comments_author_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_comments")),
    )
    op.create_index("ix_attempt_comments_attempt_at", "attempt_comments", ["attempt_id", "at"])
    op.create_table(
        "grade_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("grader_score", sa.Float(), nullable=False),
        sa.Column("grader_passed", sa.Boolean(), nullable=False),
        sa.Column("previous_score", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('override', 'restore')", name=op.f("ck_grade_overrides_kind")),
        sa.CheckConstraint("score >= 0 AND score <= 100", name=op.f("ck_grade_overrides_score_range")),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_grade_overrides_attempt_id_attempts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_grade_overrides_author_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_overrides")),
    )
    op.create_index("ix_grade_overrides_attempt_at", "grade_overrides", ["attempt_id", "at"])
    op.create_table(
        "trainee_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["users.id"], name=op.f("fk_trainee_messages_sender_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_trainee_messages_recipient_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_trainee_messages_attempt_id_attempts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainee_messages")),
    )
    op.create_index("ix_trainee_messages_recipient_read", "trainee_messages", ["recipient_id", "read_at"])
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint(op.f("ck_audit_events_event"), type_="check")
        batch.create_check_constraint(op.f("ck_audit_events_event"), _check(_OLD_EVENTS + _NEW_EVENTS))


def downgrade() -> None:
    op.execute(sa.text(f"DELETE FROM audit_events WHERE NOT ({_check(_OLD_EVENTS)})"))
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint(op.f("ck_audit_events_event"), type_="check")
        batch.create_check_constraint(op.f("ck_audit_events_event"), _check(_OLD_EVENTS))
    # The grader's score is the only score revision 0003 knows: put it back before the history goes.
    op.execute(
        sa.text(
            "UPDATE attempts SET "
            "total_score = (SELECT g.grader_score FROM grade_overrides g WHERE g.attempt_id = attempts.id "
            "ORDER BY g.id LIMIT 1), "
            "passed = (SELECT g.grader_passed FROM grade_overrides g WHERE g.attempt_id = attempts.id "
            "ORDER BY g.id LIMIT 1) "
            "WHERE id IN (SELECT attempt_id FROM grade_overrides)"
        )
    )
    op.drop_index("ix_trainee_messages_recipient_read", table_name="trainee_messages")
    op.drop_table("trainee_messages")
    op.drop_index("ix_grade_overrides_attempt_at", table_name="grade_overrides")
    op.drop_table("grade_overrides")
    op.drop_index("ix_attempt_comments_attempt_at", table_name="attempt_comments")
    op.drop_table("attempt_comments")
