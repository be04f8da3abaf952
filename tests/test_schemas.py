"""The JSON Schemas in docs/schemas/ are generated from the models; a stale one fails here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("gen_schemas", ROOT / "scripts" / "gen_schemas.py")
assert _spec and _spec.loader
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)


@pytest.mark.parametrize("name", sorted(gen.CONTRACTS))
def test_committed_schema_matches_the_model(name: str) -> None:
    path = gen.SCHEMA_DIR / f"{name}.schema.json"
    assert path.exists(), f"{path.name} missing: run python scripts/gen_schemas.py"
    assert path.read_text(encoding="utf-8") == gen.render(name), (
        f"{path.name} is stale: run python scripts/gen_schemas.py"
    )


def test_every_schema_is_described_in_formats_doc() -> None:
    text = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    missing = [n for n in gen.CONTRACTS if f"schemas/{n}.schema.json" not in text]
    assert not missing, f"docs/formats.md does not link: {missing}"
