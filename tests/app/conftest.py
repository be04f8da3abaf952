"""The app tests' world: users, cohort and attempts built once per module, copied per test, with the
environment cleared of anything that would reach outside (a PostgreSQL URL, an LLM, a Chroma server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pages_support import World, build_world, use_world


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("world"))


@pytest.fixture
def world(template: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return use_world(template, tmp_path, monkeypatch)
