"""Messages from a supervisor to a trainee (issue 12 item 9), optionally about one attempt: the
trainee sees the unread ones on Home and marks them read. Sending is audited, and so is the reading;
supervisors message only the trainees of their cohorts (``store.access.require_person``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.access import require_person
from store.audit import check, deny, log_event
from store.db import utcnow
from store.models import TraineeMessage
from store.permissions import NotFound, Viewer
from store.reviews import AUDITED_CHARS, _attempt, _names, _parse, _reviewable, _text

MAX_MESSAGE_CHARS = 4_000


class MessageIn(BaseModel):
    """A message to one trainee, optionally about one of their attempts."""

    model_config = ConfigDict(extra="forbid")
    recipient_id: int
    text: str
    attempt_id: int | None = None

    @field_validator("text", mode="before")
    @classmethod
    def _check(cls, v: Any) -> str:
        return _text(v, "message", limit=MAX_MESSAGE_CHARS)


class MessageOut(BaseModel):
    id: int
    sender: str
    recipient_id: int
    attempt_id: int | None
    sent_at: datetime
    text: str
    read_at: datetime | None


def send_message(
    session: Session,
    viewer: Viewer,
    message: MessageIn | dict[str, Any],
    *,
    now: datetime | None = None,
) -> MessageOut:
    """Send a trainee of one's cohorts a message, optionally about one of their attempts (audited).

    ``send_message(s, supervisor, {"recipient_id": 7, "text": "See my comment on #12."})``
    """
    check(session, viewer, "message.send")
    data = _parse(MessageIn, message)
    if data.recipient_id == viewer.user_id:
        raise ValueError("recipient: you cannot message yourself; pick a trainee")
    recipient = require_person(session, viewer, data.recipient_id, "message.send")
    if recipient.role != "trainee":
        raise ValueError(
            f"recipient: {recipient.username} is a {recipient.role}, not a trainee; messages go to trainees"
        )
    if data.attempt_id is not None:
        about = _attempt(session, data.attempt_id)
        if about.user_id != recipient.id:
            raise ValueError(
                f"attempt: {about.id} is not {recipient.username}'s attempt; "
                "leave it out or pick one of theirs"
            )
    at = now or utcnow()
    saved = TraineeMessage(
        sender_id=viewer.user_id,
        recipient_id=recipient.id,
        attempt_id=data.attempt_id,
        sent_at=at,
        text=data.text,
    )
    session.add(saved)
    session.flush()
    log_event(
        session,
        "trainee_message",
        user_id=viewer.user_id,
        at=at,
        detail={
            "action": "sent",
            "message_id": saved.id,
            "target_id": recipient.id,
            "attempt_id": data.attempt_id,
            "chars": len(data.text),
            "text": data.text[:AUDITED_CHARS],
        },
    )
    return _message_out(saved, _names(session, {viewer.user_id})[viewer.user_id])


def _message_out(m: TraineeMessage, sender: str) -> MessageOut:
    return MessageOut(
        id=m.id,
        sender=sender,
        recipient_id=m.recipient_id,
        attempt_id=m.attempt_id,
        sent_at=m.sent_at,
        text=m.text,
        read_at=m.read_at,
    )


def my_messages(
    session: Session, viewer: Viewer, *, unread_only: bool = True, limit: int = 100
) -> list[MessageOut]:
    """The signed-in trainee's messages, newest first (only the unread ones unless ``unread_only``
    is False)."""
    check(session, viewer, "message.read_own")
    if not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise ValueError(f"limit: expected a whole number from 1 to 1000, got {limit!r}")
    stmt = (
        select(TraineeMessage)
        .where(TraineeMessage.recipient_id == viewer.user_id)
        .order_by(TraineeMessage.sent_at.desc(), TraineeMessage.id.desc())
        .limit(limit)
    )
    if unread_only:
        stmt = stmt.where(TraineeMessage.read_at.is_(None))
    rows = list(session.scalars(stmt))
    names = _names(session, {m.sender_id for m in rows})
    return [_message_out(m, names[m.sender_id]) for m in rows]


def mark_read(
    session: Session, viewer: Viewer, message_id: int, *, now: datetime | None = None
) -> MessageOut:
    """Mark one of one's own messages read (idempotent; audited the first time)."""
    check(session, viewer, "message.read_own", message_id=message_id)
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise ValueError(f"message id: expected a whole number, got {type(message_id).__name__}")
    row = session.get(TraineeMessage, message_id) if 0 < message_id < 2**63 else None
    if row is None:
        raise NotFound(f"message {message_id} does not exist")
    if row.recipient_id != viewer.user_id:
        raise deny(
            session,
            viewer,
            "message.read_own",
            f"Message {message_id} was sent to someone else; you can mark only your own messages.",
            message_id=message_id,
        )
    if row.read_at is None:
        row.read_at = now or utcnow()
        session.flush()
        log_event(
            session,
            "trainee_message",
            user_id=viewer.user_id,
            at=row.read_at,
            detail={"action": "read", "message_id": row.id},
        )
    return _message_out(row, _names(session, {row.sender_id})[row.sender_id])


def messages_about(session: Session, viewer: Viewer, attempt_id: int) -> list[MessageOut]:
    """The messages sent to the trainee about one attempt, newest first (for its reviewers)."""
    row = _reviewable(session, viewer, attempt_id, "message.send")
    rows = list(
        session.scalars(
            select(TraineeMessage)
            .where(TraineeMessage.attempt_id == row.id)
            .order_by(TraineeMessage.sent_at.desc(), TraineeMessage.id.desc())
        )
    )
    names = _names(session, {m.sender_id for m in rows})
    return [_message_out(m, names[m.sender_id]) for m in rows]
