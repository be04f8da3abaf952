"""Shared fixtures: the real index (MiniLM embeddings over the shipped content), built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.index import BuildSummary, build_index
from settings import Settings, load_settings


@pytest.fixture(scope="session")
def kb_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose DATA_DIR is a fresh temporary folder (no environment is read)."""
    return load_settings(env={"DATA_DIR": str(tmp_path_factory.mktemp("kb_data"))})


@pytest.fixture(scope="session")
def kb_built(kb_settings: Settings) -> BuildSummary:
    """The embedded Chroma index of the shipped content, with the real embedding model."""
    return build_index(kb_settings)


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped policies and manuals."""
    import shutil

    from knowledge_base.loader import CONTENT_ROOT

    root = tmp_path / "content"
    shutil.copytree(CONTENT_ROOT / "policies", root / "policies")
    shutil.copytree(CONTENT_ROOT / "manuals", root / "manuals")
    return root
