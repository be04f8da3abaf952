"""The LLM path against the failure modes of real local servers (llama.cpp's, with small models on a CPU).

Each test scripts the fake server (tests/assistant/fake_llm.py) to behave as a real one did and checks
what the user gets: a draft within the deadline, a reason they can act on, and never a request piled
onto a server that is still busy with an abandoned one.
"""

from __future__ import annotations

import pytest
from asst_cases import llm_draft
from fake_llm import FakeLLM

from assistant.pipeline import stream_draft
from settings import Settings, load_settings

MODEL = "local-model"


def _settings(base: Settings, fake: FakeLLM, **update: object) -> Settings:
    return base.model_copy(
        update={"openai_base_url": fake.base_url, "llm_model": MODEL, "llm_timeout_s": 5.0, **update}
    )


def test_defaults_suit_a_local_server_no_retry_and_a_deadline_perllm_draft() -> None:
    settings = load_settings(env={})
    assert settings.llm_max_retries == 0
    assert settings.llm_timeout_s >= 60  # a 1.5B model on two cores needs 30-40 s per answer
    assert settings.llm_max_tokens > 0 and settings.llm_context_tokens > settings.llm_max_tokens


def test_the_token_cap_reaches_a_server_that_ignores_max_completion_tokens(
    asst_settings, fake_llm, embedding, library
) -> None:
    fake_llm.mode, fake_llm.sleep_s = "runaway", 6.0
    draft = llm_draft(
        _settings(asst_settings, fake_llm, llm_timeout_s=4.0, llm_max_tokens=400), embedding, library
    )
    assert fake_llm.requests, draft.fallback_reason
    body = fake_llm.requests[0]
    assert body["max_tokens"] == 400 and body["max_completion_tokens"] == 400
    assert "Timeout" not in (draft.fallback_reason or "") and "deadline" not in (draft.fallback_reason or "")


def test_an_answer_cut_at_the_cap_says_so(asst_settings, fake_llm, embedding, library) -> None:
    fake_llm.mode = "runaway"
    draft = llm_draft(_settings(asst_settings, fake_llm, llm_max_tokens=5), embedding, library)
    assert draft.backend == "offline"
    assert (
        "token cap of 5" in (draft.fallback_reason or "")
        and "PRECERT_LLM_MAX_TOKENS" in draft.fallback_reason
    )


@pytest.mark.parametrize(
    ("field", "sent", "absent"),
    [
        ("max_tokens", "max_tokens", "max_completion_tokens"),
        ("max_completion_tokens", "max_completion_tokens", "max_tokens"),
    ],
)
def test_one_token_field_for_a_server_that_refuses_the_other(
    field, sent, absent, asst_settings, fake_llm, embedding, library
) -> None:
    llm_draft(_settings(asst_settings, fake_llm, llm_token_field=field), embedding, library)
    assert fake_llm.requests[0][sent] == asst_settings.llm_max_tokens and absent not in fake_llm.requests[0]


def test_a_server_that_keeps_generating_gets_no_second_request_within_the_deadline(
    asst_settings, fake_llm, embedding, library
) -> None:
    fake_llm.mode, fake_llm.sleep_s = "keeps_generating", 2.5
    # even with transport retries allowed, the draft's one deadline leaves no time for a second request
    settings = _settings(asst_settings, fake_llm, llm_timeout_s=1.0, llm_max_retries=2)
    draft = llm_draft(settings, embedding, library)
    assert len(fake_llm.requests) == 1
    assert draft.backend == "offline" and draft.fallback_reason


def test_a_prompt_larger_than_the_context_is_not_sent(asst_settings, fake_llm, embedding, library) -> None:
    draft = llm_draft(_settings(asst_settings, fake_llm, llm_context_tokens=1024), embedding, library)
    assert fake_llm.requests == []
    reason = draft.fallback_reason or ""
    assert (
        draft.backend == "offline" and "context is 1024" in reason and "PRECERT_LLM_CONTEXT_TOKENS" in reason
    )


def test_a_title_instead_of_a_letter_is_refused(asst_settings, fake_llm, embedding, library) -> None:
    fake_llm.mode = "label"
    draft = llm_draft(_settings(asst_settings, fake_llm), embedding, library)
    assert draft.backend == "offline" and len(fake_llm.requests) == 2  # the retry named the problem
    assert "Medical Necessity Letter for" not in draft.text
    assert any("words long" in p for p in draft.rejected_draft_problems)


def test_a_stream_closed_by_the_page_stops_reading(asst_settings, fake_llm, embedding, library) -> None:
    stream = llm_draft(_settings(asst_settings, fake_llm), embedding, library, how=stream_draft)
    chunks = iter(stream)
    first = next(chunks)
    chunks.close()  # what the page's Cancel does: the generator is closed mid-stream
    assert first and stream.draft is None  # no draft is finished from a cancelled stream
    assert fake_llm.requests[-1]["stream"] is True and fake_llm.requests[-1]["max_tokens"] > 0


def test_the_admin_connection_test_asks_for_one_token_in_every_dialect(asst_settings, fake_llm) -> None:
    from store.admin_ops import check_llm
    from store.permissions import SYSTEM

    result = check_llm(SYSTEM, _settings(asst_settings, fake_llm))
    assert result.ok, result.detail
    body = fake_llm.requests[-1]
    assert body["max_tokens"] == 1 and body["max_completion_tokens"] == 1
