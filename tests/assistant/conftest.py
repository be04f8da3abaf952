"""Shared fixtures: one policy index per session in a temporary DATA_DIR, built once.

The index uses the deterministic hashing embedding (built in about two seconds); the retrieval layer's
own tests cover the MiniLM model, and ``bench/assistant.py`` runs the assistant on the real index.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_llm import FakeLLM

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


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLM]:
    """A local OpenAI-compatible server (tests/assistant/fake_llm.py), one per test module."""
    server = FakeLLM()
    yield server
    server.close()


@pytest.fixture
def fake_llm(monkeypatch: pytest.MonkeyPatch, fake: FakeLLM) -> FakeLLM:
    """The fake server reset to a good answer, reached without any proxy."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake.mode, fake.modes, fake.sleep_s, fake.generations = "ok", [], 2.0, 0
    fake.requests.clear()
    return fake
