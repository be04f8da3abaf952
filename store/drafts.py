"""Assistant drafts as history: every narrative, appeal letter or answer a user produced, newest first."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.audit import audit_read, check, log_event
from store.db import utcnow
from store.models import Draft
from store.payload import check_size, plain
from store.permissions import Viewer

KIND_RE = re.compile(r"[a-z_]{1,40}")
MAX_TEXT = 100_000


class DraftOut(BaseModel):
    id: int
    user_id: int
    case_id: str | None
    kind: str
    text: str
    draft: dict[str, Any]
    created_at: datetime


def _out(d: Draft) -> DraftOut:
    return DraftOut(
        id=d.id,
        user_id=d.user_id,
        case_id=d.case_id,
        kind=d.kind,
        text=d.text,
        draft=d.draft_json,
        created_at=d.created_at,
    )


def save_draft(
    session: Session,
    viewer: Viewer,
    *,
    kind: Any,
    text: Any,
    draft: Any,
    case_id: str | None = None,
    now: datetime | None = None,
) -> DraftOut:
    """Keep one assistant draft (``draft`` is the assistant's Draft model or its JSON) for the viewer."""
    check(session, viewer, "draft.create")
    if viewer.user_id is None:
        raise ValueError("user: drafts belong to a person; sign in first")
    if not isinstance(kind, str) or not KIND_RE.fullmatch(kind):
        raise ValueError(
            f"kind: {str(kind)[:50]!r} is not a draft kind; use e.g. 'narrative' or 'appeal_letter'"
        )
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise ValueError(f"text: expected text of at most {MAX_TEXT} characters")
    if case_id is not None and (not isinstance(case_id, str) or not 1 <= len(case_id) <= 200):
        raise ValueError("case id: expected 1-200 characters, e.g. 'advanced_imaging:17'")
    payload = plain(draft)
    if not isinstance(payload, dict):
        raise ValueError(f"draft: expected the assistant's Draft (an object), got {type(payload).__name__}")
    check_size("draft", payload)
    row = Draft(
        user_id=viewer.user_id,
        case_id=case_id,
        kind=kind,
        text=text,
        draft_json=payload,
        created_at=now or utcnow(),
    )
    session.add(row)
    session.flush()
    log_event(
        session,
        "draft_saved",
        user_id=viewer.user_id,
        at=row.created_at,
        detail={"draft_id": row.id, "kind": kind, "case_id": case_id, "chars": len(text)},
    )
    return _out(row)


def drafts_for(
    session: Session,
    viewer: Viewer,
    user_id: int,
    *,
    case_id: str | None = None,
    limit: int = 100,
) -> list[DraftOut]:
    """A user's drafts, newest first (one's own; administrators anyone's)."""
    if user_id == viewer.user_id:
        check(session, viewer, "draft.read_own")
    else:
        check(session, viewer, "draft.read_any", target_id=user_id)
        audit_read(session, viewer, "drafts", target_id=user_id)
    stmt = (
        select(Draft)
        .where(Draft.user_id == user_id)
        .order_by(Draft.created_at.desc(), Draft.id.desc())
        .limit(limit)
    )
    if case_id is not None:
        stmt = stmt.where(Draft.case_id == case_id)
    return [_out(d) for d in session.scalars(stmt)]
