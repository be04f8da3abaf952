"""The drafting assistant: grounded narratives, appeal letters, peer-to-peer points, provider queries and
policy answers, with an offline composer (default) and an OpenAI-compatible LLM backend.

Public API (imported lazily, so ``import assistant`` stays light)::

    from assistant import draft_case, stream_draft, ask, make_drafter
    draft = draft_case(case, "narrative", settings=settings)   # -> Draft (text, citations, criteria, precheck)
    answer = ask("What does Cardinal need for CPAP?", payer="cardinal", settings=settings)
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "draft_case": "assistant.pipeline",
    "stream_draft": "assistant.pipeline",
    "ask": "assistant.pipeline",
    "check_text": "assistant.pipeline",
    "draft_typed": "assistant.typed",
    "check_typed": "assistant.typed",
    "TypedRequest": "assistant.typed",
    "DraftStream": "assistant.pipeline",
    "Draft": "assistant.models",
    "Citation": "assistant.models",
    "ChecklistItem": "assistant.models",
    "Precheck": "assistant.models",
    "Drafter": "assistant.drafters",
    "OfflineDrafter": "assistant.drafters",
    "make_drafter": "assistant.drafters",
    "LLMDrafter": "assistant.llm",
    "AssistantInputError": "assistant.appeals",
    "NoAuthorizationNeeded": "assistant.appeals",
    "NoDenial": "assistant.appeals",
    "Redactor": "assistant.guards",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    return getattr(import_module(module), name)
