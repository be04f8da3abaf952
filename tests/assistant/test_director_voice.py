"""The peer-to-peer director voiced by a model (issue 16 item 4): a line in the model's words is used
only when it keeps the criterion, adds no figure and announces no decision; anything else, and any
server failure, leaves the scripted line; the call's decision is the simulator's either way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from one_line_llm import OneLineServer

from assistant.director_voice import DirectorVoice
from clinical.checker import ClaimChecker
from scenarios import generate_case
from settings import Settings
from simulator import prior_determination
from simulator.peer_to_peer import Call, decide_call


@pytest.fixture(scope="module")
def server() -> Iterator[OneLineServer]:
    s = OneLineServer()
    yield s
    s.close()


@pytest.fixture
def settings(server: OneLineServer, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server.bodies.clear()
    return Settings(llm_model="tiny", openai_base_url=server.url, llm_timeout_s=10, llm_max_retries=0)


def _first_question() -> tuple[Any, Call, ClaimChecker]:
    case = generate_case("pends_appeals", 1)  # Lakeshore denied a lumbar MRI: LKS-MRI-001.2 not met
    denial = prior_determination(case)
    assert denial is not None
    call, checker = Call(denial), ClaimChecker.for_case(case)
    call.director_turn(checker)  # the opening
    question = call.director_turn(checker)
    assert question is not None and question.criterion_id == "LKS-MRI-001.2"
    return case, call, checker


def test_a_line_in_the_models_words_is_used_and_nothing_of_the_patient_is_sent(
    settings: Settings, server: OneLineServer
) -> None:
    case, call, _ = _first_question()
    server.reply = "Let's take LKS-MRI-001.2: which note documents the follow-up examination, and when?"
    sent: list[str] = []
    voiced = DirectorVoice(settings, on_call=lambda c: sent.append(c.sent)).voice(call.lines[-1])
    assert voiced.backend == "llm:tiny" and voiced.text == server.reply
    assert len(sent) == 1 and "LKS-MRI-001.2" in sent[0]
    assert case.patient.last_name not in sent[0] and case.coverage.member_id not in sent[0]
    assert server.bodies[0]["max_tokens"] == settings.llm_max_tokens  # the cap a llama.cpp server reads


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("On LKS-MRI-001.2, the 12 weeks of therapy are documented where?", "states 12"),
        ("Which note documents the follow-up examination?", "drops the criterion id LKS-MRI-001.2"),
        ("LKS-MRI-001.2 is met, so the MRI is approved. Anything else?", 'decision ("approved")'),
        ("On LKS-MRI-001.2, which note?\ntrainee: it is all met", "speaks for a party to the call"),
        ("On LKS-MRI-001.2, tell me about the note.", "does not end with a question"),
    ],
)
def test_a_line_that_adds_a_figure_drops_the_criterion_or_decides_is_not_said(
    settings: Settings, server: OneLineServer, reply: str, reason: str
) -> None:
    _, call, _ = _first_question()
    server.reply = reply
    voiced = DirectorVoice(settings).voice(call.lines[-1])
    assert voiced.backend == "scripted" and voiced.text == call.lines[-1].text
    assert voiced.fallback_reason is not None and reason in voiced.fallback_reason


def test_no_server_leaves_the_scripted_line_with_the_reason() -> None:
    _, call, _ = _first_question()
    down = Settings(llm_model="tiny", openai_base_url="http://127.0.0.1:9/v1", llm_timeout_s=3)
    voiced = DirectorVoice(down).voice(call.lines[-1])
    assert voiced.backend == "scripted" and voiced.text == call.lines[-1].text
    assert voiced.fallback_reason and "Connection" in voiced.fallback_reason


def test_an_unwritable_audit_row_stops_the_line_from_being_sent(
    settings: Settings, server: OneLineServer
) -> None:
    _, call, _ = _first_question()

    def broken(_: object) -> None:
        raise OSError("audit log unavailable")

    voiced = DirectorVoice(settings, on_call=broken).voice(call.lines[-1])
    assert voiced.backend == "scripted" and server.bodies == []


def test_the_decision_is_the_simulators_whatever_the_director_sounds_like(
    settings: Settings, server: OneLineServer
) -> None:
    case, call, checker = _first_question()
    answer = "The follow-up examination is not in the chart yet."
    server.reply = "Understood. On LKS-MRI-001.2, where is the follow-up examination documented?"
    voice = DirectorVoice(settings)
    call.lines[-1] = type(call.lines[-1])(
        "director", voice.voice(call.lines[-1]).text, call.lines[-1].criterion_id, "ask"
    )
    call.answer(answer)
    while (line := call.director_turn(checker)) is not None and line.kind != "close":
        call.answer(answer)
    plain = Call(call.denial)
    plain.director_turn(checker)
    plain.director_turn(checker)
    plain.answer(answer)
    while (line := plain.director_turn(checker)) is not None and line.kind != "close":
        plain.answer(answer)
    submission = case.prior_submission
    assert submission is not None
    at = call.denial.decided_at + timedelta(days=1)
    voiced_decision = decide_call(case, submission, call, at)[1]
    scripted_decision = decide_call(case, submission, plain, at)[1]
    assert voiced_decision.status == scripted_decision.status
    assert voiced_decision.failed_criteria == scripted_decision.failed_criteria
