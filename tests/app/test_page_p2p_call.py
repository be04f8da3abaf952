"""The peer-to-peer call in the case workspace (issue 16 item 4), through AppTest: a generated case whose
earlier request was denied for a missing follow-up examination; the trainee holds the call with the
scripted medical director to a decision. The expected outcomes come from the case's chart (doc-05, the
2026-03-04 office visit, is the follow-up examination), not from the call code."""

from __future__ import annotations

from typing import Any

import pytest
from pages_support import World, errors, shown, signed_in, wait_for_reply

from ui.widgets.case_state import CASE_KEY

CHART_FACT = "The follow-up office visit on 2026-03-04 documents a re-examination after physical therapy."
VAGUE = "She has really tried everything, doctor. <b>trust me</b>"
MADE_UP = "The patient completed 12 weeks of physical therapy."


def _open_denied_case(at: Any) -> None:
    at.switch_page("ui/pages/case_workspace.py").run()
    at.selectbox(key="pick_module").set_value("pends_appeals")
    at.text_input(key="pick_seed").input("1")
    at.button(key="pick_go").click().run()
    assert not at.exception


def _seen(at: Any) -> list[str]:
    return [shown(m.value) for m in at.markdown]


def _say(at: Any, text: str) -> None:
    at.text_area(key="ws_p2p_call_answer").input(text)
    next(b for b in at.button if b.label == "Answer").click().run()
    assert not at.exception


def _latest_reply(at: Any) -> str:
    return next(m for m in _seen(at) if "Latest payer reply" in m)


def test_call_held_to_an_approval_on_the_chart_fact(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open_denied_case(at)
    # the director opens and asks about the criterion the denial found unmet
    assert any("LKS-MRI-001.2" in m and "Name the document" in m for m in _seen(at))
    _say(at, VAGUE)
    assert any("I still need the chart fact" in m for m in _seen(at))  # a vague answer: follow-up
    assert any("<b>trust me</b>" in m for m in _seen(at))  # typed text stays text
    _say(at, CHART_FACT)
    assert any("I will make the determination" in m for m in _seen(at))
    assert not [b for b in at.button if b.label == "Answer"]  # the call is over: nothing left to answer
    at.button(key="ws_p2p_call_end").click().run()
    wait_for_reply(at)  # the determination comes on the review clock
    assert not at.exception and all(e.startswith("Denied —") for e in errors(at)), errors(at)
    action = next(a for a in reversed(at.session_state[CASE_KEY].actions) if a.type != "advance_clock")
    assert action.type == "peer_to_peer" and "doc-05" in action.document_ids
    assert CHART_FACT in action.talking_points and VAGUE in action.talking_points  # the whole call
    assert "Peer-to-peer" in _latest_reply(at)
    assert any("Approved — action code A1" in s.value for s in at.success)
    assert "ws_p2p_call_end" not in [b.key for b in at.button]  # approved: no call to hold any more


@pytest.mark.parametrize("answer", [MADE_UP, "  "])
def test_unsupported_or_empty_answers_leave_the_denial_standing(world: World, answer: str) -> None:
    at = signed_in(world.viewers["trainee"])
    _open_denied_case(at)
    _say(at, answer)
    if not answer.strip():
        assert any("answer: say which chart document" in e for e in errors(at))  # names the fix
        assert at.session_state[CASE_KEY].actions == []
        return
    at.button(key="ws_p2p_call_end").click().run()
    wait_for_reply(at)
    assert not at.exception
    action = next(a for a in reversed(at.session_state[CASE_KEY].actions) if a.type != "advance_clock")
    assert action.type == "peer_to_peer" and action.document_ids == []  # a made-up figure buys nothing
    assert "Peer-to-peer" in _latest_reply(at)
    assert not any("Approved" in s.value for s in at.success)
    # the denial stands, and the payer grants one peer-to-peer per denial: no second call is offered
    assert any("peer-to-peer was held" in c.value for c in at.caption)
    assert "ws_p2p_call_end" not in [b.key for b in at.button]


def test_no_call_where_the_payer_offers_no_peer_to_peer(world: World) -> None:
    # pends_appeals seed 0 is a Cardinal (Medicare Advantage) denial: its manual's appeal levels are the
    # plan reconsideration and the IRE, with no peer-to-peer, so no director comes to the phone
    at = signed_in(world.viewers["trainee"])
    at.switch_page("ui/pages/case_workspace.py").run()
    at.selectbox(key="pick_module").set_value("pends_appeals")
    at.text_input(key="pick_seed").input("0")
    at.button(key="pick_go").click().run()
    assert not at.exception and any("Standing decision:" in m for m in _seen(at))
    assert "ws_p2p_call_end" not in [b.key for b in at.button]
    assert not any("Peer-to-peer call with" in m for m in _seen(at))


def test_with_a_model_configured_the_director_speaks_its_words_and_each_line_is_audited(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "assistant"))
    from one_line_llm import OneLineServer

    from settings import Settings
    from store.audit import list_events
    from store.db import init_db, session_scope
    from store.permissions import SYSTEM

    server = OneLineServer()
    server.reply = "Good morning. On LKS-MRI-001.2, which note records the follow-up examination, and when?"
    try:
        for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("PRECERT_LLM_MODEL", "tiny")
        at = signed_in(world.viewers["trainee"])
        _open_denied_case(at)
        assert server.reply in _seen(at)  # the model's words, which passed the guards
        _say(at, CHART_FACT)
        at.button(key="ws_p2p_call_end").click().run()
        assert not at.exception
        wait_for_reply(at)  # the payer decides on its clock
        assert any("Approved — action code A1" in s.value for s in at.success)  # the simulator decided
    finally:
        server.close()
    engine = init_db(Settings(data_dir=world.folder))
    with session_scope(engine) as session:
        calls = list_events(session, SYSTEM, event="llm_call")
    engine.dispose()
    assert calls and all(c.detail.get("kind") == "director_line" for c in calls)
    assert len(calls) == len(server.bodies)  # every line sent was audited first
