"""Generated cases by archetype, for the assistant tests (a plain module: conftest names clash across folders)."""

from __future__ import annotations

from functools import lru_cache

from scenarios import generate_case
from scenarios.models import Case

SEEDS = range(400)


@lru_cache(maxsize=256)
def find_case(module: str, archetype: str, payer: str | None = None) -> Case:
    """The first generated case of ``module`` with this archetype (and payer)."""
    for seed in SEEDS:
        case = generate_case(module, seed)
        if case.archetype_id == archetype and (payer is None or case.coverage.payer_id == payer):
            return case
    raise LookupError(f"no {module}:{archetype} case for payer {payer} in seeds {SEEDS}")
