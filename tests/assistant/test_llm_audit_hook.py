"""Every LLM request is reported to the caller's hook (the UI audits it) — redacted, whatever
PRECERT_REDACT says — and a hook that fails stops the request from leaving (issue 11 item 5)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from asst_cases import find_case
from fake_llm import FakeLLM

from assistant.drafters import LLMCall, OfflineDrafter, make_drafter
from assistant.pipeline import draft_case
from settings import Settings


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLM]:
    server = FakeLLM()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch, fake: FakeLLM) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake.mode, fake.modes = "ok", []
    fake.requests.clear()


def _run(asst_settings: Settings, fake: FakeLLM, embedding, library, *, redact: bool, hook):
    settings = asst_settings.model_copy(
        update={
            "openai_base_url": fake.base_url,
            "llm_model": "test-model",
            "llm_timeout_s": 5.0,
            "llm_max_retries": 0,
            "redact": redact,
        }
    )
    case = find_case("advanced_imaging", "mri_meets", "lakeshore")
    drafter = make_drafter(settings, on_call=hook)
    draft = draft_case(
        case, "narrative", settings=settings, embedding=embedding, library=library, drafter=drafter
    )
    return draft, case


@pytest.mark.parametrize("redact", [True, False])
def test_each_request_is_reported_redacted(asst_settings, fake, embedding, library, redact: bool) -> None:
    calls: list[LLMCall] = []
    _, case = _run(asst_settings, fake, embedding, library, redact=redact, hook=calls.append)
    assert len(calls) == len(fake.requests) >= 1
    sent_to_server = " ".join(m["content"] for r in fake.requests for m in r["messages"])
    identifiers = [case.patient.last_name, case.coverage.member_id]
    # With redaction off the server saw the identifiers, but the audit copy still hides them.
    assert all((i in sent_to_server) is (not redact) for i in identifiers)
    for call in calls:
        assert call.redacted_in_flight is redact and call.kind == "narrative"
        assert not any(i in call.sent for i in identifiers)
        assert "[[NAME_" in call.sent and "POLICY PASSAGES" in call.sent


def test_a_failing_hook_sends_nothing_and_the_offline_draft_answers(
    asst_settings, fake, embedding, library
) -> None:
    def broken(_: LLMCall) -> None:
        raise RuntimeError("audit log unavailable")

    draft, _ = _run(asst_settings, fake, embedding, library, redact=True, hook=broken)
    assert fake.requests == []
    assert draft.backend == OfflineDrafter.backend and "audit log unavailable" in (
        draft.fallback_reason or ""
    )
