"""With a model configured, the assistant page streams the draft (progress and Cancel while it writes)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pages_support import World, errors, signed_in

from knowledge_base.embeddings import HashingEmbedding

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "assistant"))  # the fake server lives there
from fake_llm import FakeLLM


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, world: World):
    for module in ("knowledge_base.index", "knowledge_base.retrieval", "assistant.retrieve"):
        monkeypatch.setattr(f"{module}.default_embedding", HashingEmbedding)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server = FakeLLM()
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("PRECERT_LLM_MODEL", "page-test-model")
    monkeypatch.setenv("PRECERT_LLM_TIMEOUT_S", "20")
    yield server
    server.close()


def test_the_page_drafts_through_the_stream_and_keeps_the_result(world: World, fake: FakeLLM) -> None:
    at = signed_in(world.viewers["coordinator"], timeout=120)
    at.switch_page("ui/pages/coordinator_assistant.py").run()
    at.selectbox(key="co_module").set_value("advanced_imaging")
    at.text_input(key="co_seed").input("4")
    at.button(key="co_draft").click().run()
    assert not at.exception and not at.error, errors(at)
    assert fake.requests and fake.requests[-1]["stream"] is True
    assert fake.requests[-1]["max_tokens"] > 0
    kept = at.text_area(key="co_text").value
    assert kept  # the finished draft: the model's, or the offline one with the reason
    # the Cancel button and the progress bar belong to the run that streams: gone once the draft is kept
    assert not [b for b in at.button if b.key == "co_cancel"]
