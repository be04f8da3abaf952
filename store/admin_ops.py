"""Administrator operations on content and settings, with access control in the service layer:
validate the policy and scenario files, rebuild the retrieval index (audited as 'reindex'), and test
the configured LLM connection.

The permission matrix has no dedicated action for content or settings administration; these are for
administrators only, and :func:`require_admin` says so in the same words as ``require``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from settings import Settings
from store.audit import log_event
from store.permissions import AccessDenied, Viewer


class ContentReport(BaseModel):
    policies: int
    manuals: int
    criteria: int
    modules: int
    service_lines: int
    errors: list[str]


class LLMCheck(BaseModel):
    ok: bool
    model: str | None
    base_url: str | None
    seconds: float
    detail: str


def require_admin(viewer: Viewer, what: str) -> None:
    if viewer.role != "admin":
        raise AccessDenied(f"A {viewer.role} may not {what} (administrators only).")


def validate_content(viewer: Viewer) -> ContentReport:
    """Read every policy, manual, service line and module fresh from disk; list every error."""
    require_admin(viewer, "validate content")
    from knowledge_base.loader import load_all
    from knowledge_base.models import Policy
    from scenarios.content import load_files
    from scenarios.validation import validate_content as scenario_errors

    kb = load_all()
    files = load_files()
    policies = [d.meta for d in kb.policies.values() if isinstance(d.meta, Policy)]
    return ContentReport(
        policies=len(policies),
        manuals=len(kb.manuals),
        criteria=sum(len(p.criteria) for p in policies),
        modules=len(files.modules),
        service_lines=len(files.service_lines),
        errors=[f"knowledge_base/{e}" for e in kb.errors]
        + [e for e in scenario_errors() if not e.startswith("knowledge_base/")],
    )


def reindex(
    session: Session, viewer: Viewer, settings: Settings, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Bring the retrieval index in line with the content (incremental) and audit the rebuild."""
    require_admin(viewer, "rebuild the index")
    from knowledge_base.build_job import build_in_child  # the embedding peak stays out of the app process

    summary = build_in_child(settings, progress=progress).model_dump()
    log_event(session, "reindex", user_id=viewer.user_id, detail=summary)
    return summary


def check_llm(viewer: Viewer, settings: Settings) -> LLMCheck:
    """One 1-token chat call with the configured model, timeout and retries (the drafter's own client)."""
    require_admin(viewer, "test the LLM connection")
    if not settings.llm_configured:
        return LLMCheck(
            ok=False,
            model=settings.llm_model,
            base_url=settings.openai_base_url,
            seconds=0.0,
            detail="No LLM is configured: set PRECERT_LLM_MODEL and OPENAI_BASE_URL or OPENAI_API_KEY. "
            "The assistant works offline until then.",
        )
    from assistant import LLMDrafter

    started = time.perf_counter()
    try:
        # the cap as the drafter sends it (max_tokens and/or max_completion_tokens), set to one token
        one_token = settings.model_copy(update={"llm_max_tokens": 1})
        reply = LLMDrafter(one_token).chat().invoke("Reply with the single word OK.")
    except Exception as exc:  # any failure is the answer to "does it work?": report it plainly
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return LLMCheck(
            ok=False,
            model=settings.llm_model,
            base_url=settings.openai_base_url,
            seconds=round(time.perf_counter() - started, 3),
            detail=f"{type(exc).__name__}: {text}"[:500],
        )
    return LLMCheck(
        ok=True,
        model=settings.llm_model,
        base_url=settings.openai_base_url,
        seconds=round(time.perf_counter() - started, 3),
        detail=f"The server answered: {str(getattr(reply, 'content', reply))[:200]!r}",
    )
