"""One :class:`Drafter` interface, two backends: the offline composer (default) and the LLM.

A drafter only writes text (and, for the LLM, names the passages it cited); everything computed about
the case is in the :class:`~assistant.brief.Brief` and never depends on the backend. ``stream`` yields
text chunks and finally one :class:`Written` with the whole result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from assistant.brief import Brief
from assistant.compose import compose
from settings import Settings

OFFLINE = "offline"


@dataclass
class Written:
    text: str
    cited_ids: list[str] = field(default_factory=list)
    backend: str = OFFLINE
    fallback_reason: str | None = None
    rejected: list[str] = field(default_factory=list)  # problems of a draft the guards refused
    rejected_backend: str | None = None


@dataclass(frozen=True)
class LLMCall:
    """One request sent to the LLM, for the caller's audit trail: the text as it left the machine with
    patient identifiers replaced by placeholders (even when PRECERT_REDACT is off, the audit copy is)."""

    backend: str
    kind: str
    sent: str  # every message, redacted
    redacted_in_flight: bool  # whether the server itself received the redacted text


# The assistant never imports the store (tests/test_layering.py): whoever wants LLM calls audited
# passes a hook, e.g. the UI, which writes each call to the audit log.
LLMCallHook = Callable[[LLMCall], None]


@runtime_checkable
class Drafter(Protocol):
    backend: str

    def write(self, brief: Brief) -> Written: ...

    def stream(self, brief: Brief) -> Iterator[str | Written]: ...


class OfflineDrafter:
    """The grounded composer: templates per kind filled from the brief (no network, deterministic)."""

    backend = OFFLINE

    def write(self, brief: Brief) -> Written:
        return Written(text=compose(brief))

    def stream(self, brief: Brief) -> Iterator[str | Written]:
        written = self.write(brief)
        for paragraph in written.text.split("\n\n"):
            yield paragraph + "\n\n"
        yield written


def make_drafter(settings: Settings, *, on_call: LLMCallHook | None = None) -> Drafter:
    """The LLM backend when a model and a server or key are configured, else the offline composer.
    ``on_call`` is told of every request sent to the LLM (the offline composer sends none)."""
    if settings.llm_configured:
        from assistant.llm import LLMDrafter  # langchain_openai loads only when an LLM is configured

        return LLMDrafter(settings, on_call=on_call)
    return OfflineDrafter()
