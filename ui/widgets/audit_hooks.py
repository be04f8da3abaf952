"""Audit hooks the pages hand to core code: LLM requests and downloads, each in its own unit of work
so the row is committed before the request leaves the machine or the file reaches the browser."""

from __future__ import annotations

from typing import Any

from settings import Settings
from store.audit import log_download, log_llm_call
from store.permissions import Viewer
from ui.resources import db


def _llm_audit(viewer: Viewer) -> Any:
    """The ``on_call`` hook that writes each LLM request to the audit log before it is sent."""
    from assistant.drafters import LLMCall

    def record(call: LLMCall) -> None:
        with db() as session:
            log_llm_call(
                session,
                viewer,
                backend=call.backend,
                kind=call.kind,
                sent=call.sent,
                redacted_in_flight=call.redacted_in_flight,
            )

    return record


def audited_drafter(settings: Settings, viewer: Viewer) -> Any:
    """The configured drafter, auditing every LLM request (what was sent, redacted) as ``llm_call``.
    If the audit row cannot be written the request is not sent and the offline draft answers."""
    from assistant.drafters import make_drafter

    return make_drafter(settings, on_call=_llm_audit(viewer))


def audited_director_voice(settings: Settings, viewer: Viewer) -> Any:
    """The peer-to-peer director's model voice, auditing each line sent; None without a model."""
    if not settings.llm_configured:
        return None
    from assistant.director_voice import DirectorVoice

    return DirectorVoice(settings, on_call=_llm_audit(viewer))


def record_download(viewer: Viewer, what: str, file_format: str, **detail: Any) -> None:
    """``on_click`` of a download button: audit the download as ``export``."""
    with db() as session:
        log_download(session, viewer, what=what, file_format=file_format, **detail)
