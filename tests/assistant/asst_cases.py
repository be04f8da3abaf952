"""Generated cases by archetype, for the assistant tests (a plain module: conftest names clash across folders)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from assistant.llm import LLMDrafter
from assistant.pipeline import draft_case
from scenarios import generate_case
from scenarios.models import Case
from settings import Settings

SEEDS = range(400)


@lru_cache(maxsize=256)
def find_case(module: str, archetype: str, payer: str | None = None) -> Case:
    """The first generated case of ``module`` with this archetype (and payer)."""
    for seed in SEEDS:
        case = generate_case(module, seed)
        if case.archetype_id == archetype and (payer is None or case.coverage.payer_id == payer):
            return case
    raise LookupError(f"no {module}:{archetype} case for payer {payer} in seeds {SEEDS}")


def llm_draft(
    settings: Settings,
    embedding: Any,
    library: Any,
    case: Case | None = None,
    how: Callable[..., Any] = draft_case,
) -> Any:
    """A narrative for ``case`` (the Lakeshore lumbar-MRI case the LLM tests share) through the LLM
    drafter; ``how`` is draft_case or stream_draft."""
    return how(
        case or find_case("advanced_imaging", "mri_meets", "lakeshore"),
        "narrative",
        settings=settings,
        embedding=embedding,
        library=library,
        drafter=LLMDrafter(settings),
    )
