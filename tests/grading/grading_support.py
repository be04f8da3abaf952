"""Helpers of the grader tests: cached generated cases and, per defect, a case it applies to."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import pytest

from grading.defects import DEFECTS
from scenarios import generate_case, load_modules
from scenarios.models import Case

SEEDS = range(0, 80)


@lru_cache(maxsize=4096)
def case(module_id: str, seed: int) -> Case:
    return generate_case(module_id, seed)


def first_case(module_id: str, wanted: Callable[[Case], bool], seeds: int = 60) -> Case:
    """The first generated case of a module that ``wanted`` accepts (the test fails when none does)."""
    for seed in range(seeds):
        c = case(module_id, seed)
        if wanted(c):
            return c
    pytest.fail(f"no {module_id} case in {seeds} seeds fits this test")


@lru_cache(maxsize=1)
def defect_cases() -> dict[str, tuple[str, int]]:
    """For each defect, the first (module, seed) it applies to, scanning seeds module by module."""
    found: dict[str, tuple[str, int]] = {}
    for seed in SEEDS:
        for module_id in sorted(load_modules()):
            c = case(module_id, seed)
            for name, defect in DEFECTS.items():
                if name not in found and defect.apply(c, list(c.answer_key.reference_actions)) is not None:
                    found[name] = (module_id, seed)
        if len(found) == len(DEFECTS):
            break
    return found
