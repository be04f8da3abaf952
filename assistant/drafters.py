"""One :class:`Drafter` interface, two backends: the offline composer (default) and the LLM.

A drafter only writes text (and, for the LLM, names the passages it cited); everything computed about
the case is in the :class:`~assistant.brief.Brief` and never depends on the backend. ``stream`` yields
text chunks and finally one :class:`Written` with the whole result.
"""

from __future__ import annotations

from collections.abc import Iterator
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


def make_drafter(settings: Settings) -> Drafter:
    """The LLM backend when a model and a server or key are configured, else the offline composer."""
    if settings.llm_configured:
        from assistant.llm import LLMDrafter  # langchain_openai loads only when an LLM is configured

        return LLMDrafter(settings)
    return OfflineDrafter()
