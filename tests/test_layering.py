"""The architecture as tests: core packages never import streamlit, and layers import only downward."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# clinical (the claim checker) sits beside scenarios in layer 1 but reads its cases: 1.5 lets it import
# scenarios while scenarios can never import it; grading and assistant both call it.
LAYER = {
    "knowledge_base": 0,
    "scenarios": 1,
    "clinical": 1.5,
    "simulator": 2,
    "grading": 3,
    "assistant": 3,
    # the case outcome, revenue and KPI rules: they read cases and the payer's replies; the store keeps them
    "operations": 3,
    "store": 4,
}
CORE = list(LAYER)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", CORE)
def test_layers_import_only_downward(package: str) -> None:
    bad = []
    for path in (ROOT / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for name in _imports(path):
            if name == "streamlit" or name == "ui":
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
            elif name in LAYER and name != package and LAYER[name] >= LAYER[package]:
                bad.append(
                    f"{path.relative_to(ROOT)} (layer {LAYER[package]}) imports {name} (layer {LAYER[name]})"
                )
    assert not bad, "\n".join(bad)


def test_core_packages_import_with_streamlit_blocked() -> None:
    code = (
        "import sys; sys.modules['streamlit'] = None\n"
        + "".join(f"import {p}\n" for p in CORE)
        + "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
