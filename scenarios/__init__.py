"""Scenario modules (YAML) and the seeded case generator.

Public API (imported lazily, so ``import scenarios.models`` stays light for the layers above)::

    from scenarios import generate_case, case_to_json, list_modules, validate_content
    case = generate_case("advanced_imaging", 7)          # the same case in every process
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "generate_case": "scenarios.generator",
    "archetype_content": "scenarios.generator",
    "case_to_json": "scenarios.generator",
    "load_content": "scenarios.generator",
    "derive_seed": "scenarios.generator",
    "list_modules": "scenarios.generator",
    "module_ids": "scenarios.generator",
    "Content": "scenarios.generator",
    "UnknownModuleError": "scenarios.generator",
    "load_service_lines": "scenarios.content",
    "load_modules": "scenarios.content",
    "ScenarioContentError": "scenarios.content",
    "ModuleSpec": "scenarios.content",
    "ServiceLineSpec": "scenarios.content",
    "Archetype": "scenarios.content",
    "validate_content": "scenarios.validation",
    "ACTION_CODES": "knowledge_base.x12",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'scenarios' has no attribute {name!r}")
    return getattr(import_module(module), name)
