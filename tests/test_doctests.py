"""Every docstring example in the project runs: an example that drifts from the code fails here.

Examples are documentation a newcomer copies; one that no longer holds teaches the wrong thing. Each
core module, the UI helpers (not the page scripts, which render when imported) and the edge helpers
is imported and its examples run with ``doctest``.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "knowledge_base",
    "scenarios",
    "clinical",
    "simulator",
    "grading",
    "assistant",
    "operations",
    "store",
    "ui",
)
EDGE = ("settings", "cli_support")


def module_names() -> list[str]:
    names = list(EDGE)
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            # migrations run under alembic; pages are Streamlit scripts that render when imported
            if "migrations" in path.parts or path.parts[-2:-1] == ("pages",) or path.name == "__main__.py":
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def examples_in(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    return [t for t in doctest.DocTestFinder().find(module, name) if t.examples]


@pytest.mark.parametrize("name", module_names())
def test_docstring_examples_hold(name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in examples_in(name):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0, (
        f"{name}: a docstring example fails (see output above)"
    )


def test_the_project_has_examples_and_none_is_skipped() -> None:
    tests = [t for name in module_names() for t in examples_in(name)]
    assert sum(len(t.examples) for t in tests) >= 30
    skipped = [
        f"{t.name}: {e.source.strip()}" for t in tests for e in t.examples if e.options.get(doctest.SKIP)
    ]
    assert not skipped, "examples marked +SKIP do not run; make them runnable:\n" + "\n".join(skipped)
