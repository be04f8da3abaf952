"""Shared fixtures: one policy index per session in a temporary DATA_DIR, built once.

The index uses the deterministic hashing embedding (built in about two seconds); the retrieval layer's
own tests cover the MiniLM model, and ``bench/assistant.py`` runs the assistant on the real index.
"""

from __future__ import annotations

import pytest

from knowledge_base.embeddings import HashingEmbedding
from knowledge_base.index import build_index
from knowledge_base.loader import Library, load_library
from settings import Settings, load_settings


@pytest.fixture(scope="session")
def embedding() -> HashingEmbedding:
    return HashingEmbedding()


@pytest.fixture(scope="session")
def asst_settings(tmp_path_factory: pytest.TempPathFactory, embedding: HashingEmbedding) -> Settings:
    settings = load_settings(env={"DATA_DIR": str(tmp_path_factory.mktemp("assistant_kb"))})
    build_index(settings, embedding=embedding)
    return settings


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library()
