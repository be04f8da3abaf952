"""The LLM settings page (issue 12 item 9) through AppTest: an administrator stores settings, the
running app uses them at once (no restart), each value says where it came from, the deployer's
environment wins and cannot be edited, bad input is refused naming the field, and the API key is never
shown back — not on the page, in the audit log, its CSV export or the log."""

from __future__ import annotations

import logging

import pytest
from pages_support import World, errors, shown, signed_in
from streamlit.testing.v1 import AppTest

from settings import Settings
from store.audit import list_events
from store.db import init_db, session_scope
from store.export import audit_csv
from store.permissions import SYSTEM

KEY = "sk-test-stored-key-XYZ-31337"


def _open(world: World) -> AppTest:
    at = signed_in(world.viewers["admin"])
    at.switch_page("ui/pages/admin_llm.py").run()
    assert not at.exception and not errors(at), errors(at)
    return at


def _table(at: AppTest) -> dict[str, tuple[str, str]]:
    frame = at.dataframe[0].value
    return {
        s: (v, src) for s, v, src in zip(frame["setting"], frame["value"], frame["comes from"], strict=True)
    }


def _everything_shown(at: AppTest) -> str:
    parts = [str(d.value.to_dict()) for d in at.dataframe]
    for kind in ("markdown", "success", "error", "info", "warning", "caption", "code", "text"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [str(t.value) for t in at.text_input] + [str(n.value) for n in at.number_input]
    return " ".join(parts)


def test_an_admin_stores_settings_and_the_app_uses_them_without_a_restart(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    at = _open(world)
    assert _table(at)["PRECERT_LLM_MODEL"] == ("(not set)", "built-in default")
    assert _table(at)["OPENAI_API_KEY"] == ("not set", "built-in default")
    at.text_input(key="llm_model").input("tiny-test-model")
    at.text_input(key="llm_base_url").input("http://127.0.0.1:9/v1")  # nothing listens on the discard port
    at.text_input(key="llm_new_key").input(KEY)
    at.number_input(key="llm_timeout").set_value(3.0)
    at.button(key="llm_save").click().run()
    assert not at.exception and not errors(at), errors(at)
    assert any(s.value.startswith("Saved: ") and "Model name" in s.value for s in at.success)
    table = _table(at)
    assert table["PRECERT_LLM_MODEL"] == ("tiny-test-model", "stored on this page")
    assert table["OPENAI_BASE_URL"] == ("http://127.0.0.1:9/v1", "stored on this page")
    assert table["PRECERT_LLM_TIMEOUT_S"] == ("3", "stored on this page")
    assert table["PRECERT_LLM_MAX_TOKENS"] == ("700", "built-in default")
    assert table["OPENAI_API_KEY"] == ("set", "stored on this page")
    assert any("drafts with tiny-test-model" in shown(i.value) for i in at.info)
    # the same running app now calls the stored server (and fails: nothing listens there)
    at.button(key="llm_test").click().run()
    assert not at.exception
    assert any(e.startswith("The connection failed after") for e in errors(at)), errors(at)
    assert KEY not in _everything_shown(at)
    # saving again with the key field empty keeps the key
    at.number_input(key="llm_retries").set_value(1)
    at.button(key="llm_save").click().run()
    assert _table(at)["OPENAI_API_KEY"] == ("set", "stored on this page")
    assert _table(at)["PRECERT_LLM_MAX_RETRIES"] == ("1", "stored on this page")
    with session_scope(init_db(Settings(data_dir=world.folder))) as session:
        events = list_events(session, SYSTEM)
        csv = audit_csv(session, SYSTEM, events)
    changes = [e for e in events if e.event == "settings_change" and e.detail.get("action") == "llm_settings"]
    assert [e.detail["api_key"] for e in reversed(changes)] == ["replaced", "kept"]
    assert all(e.username == "ada" for e in changes)
    assert all(KEY not in str(e.detail) for e in events) and KEY.encode() not in csv
    assert KEY not in caplog.text


def test_the_environment_wins_and_its_fields_are_locked(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _open(world)
    at.number_input(key="llm_max_tokens").set_value(900)
    at.button(key="llm_save").click().run()
    assert _table(at)["PRECERT_LLM_MAX_TOKENS"] == ("900", "stored on this page")
    monkeypatch.setenv("PRECERT_LLM_MAX_TOKENS", "400")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment-0000")
    at.run()
    table = _table(at)
    assert table["PRECERT_LLM_MAX_TOKENS"] == ("400", "environment variable (the deployer's; wins)")
    assert table["OPENAI_API_KEY"] == ("set", "environment variable (the deployer's; wins)")
    assert at.number_input(key="llm_max_tokens").disabled and at.text_input(key="llm_new_key").disabled
    assert "sk-from-the-environment-0000" not in _everything_shown(at)
    monkeypatch.delenv("PRECERT_LLM_MAX_TOKENS")
    at.run()
    assert _table(at)["PRECERT_LLM_MAX_TOKENS"] == ("900", "stored on this page")  # the stored value is back


def test_bad_input_is_refused_naming_the_field_and_nothing_changes(world: World) -> None:
    at = _open(world)
    at.number_input(key="llm_timeout").set_value(0.0)
    at.number_input(key="llm_retries").set_value(9)
    at.button(key="llm_save").click().run()
    assert not at.exception
    (message,) = errors(at)
    assert message.startswith("Saving the LLM settings: Time-out (seconds) (PRECERT_LLM_TIMEOUT_S):")
    assert "Retries (PRECERT_LLM_MAX_RETRIES):" in message
    assert at.number_input(key="llm_timeout").value == 0.0  # what was typed stays for fixing
    at.text_input(key="llm_base_url").input("http://127.0.0.1:8000/v1")
    at.number_input(key="llm_timeout").set_value(60.0)
    at.number_input(key="llm_retries").set_value(0)
    at.button(key="llm_save").click().run()
    assert [m.split(": ", 1)[1] for m in errors(at)] == [
        "Model name (PRECERT_LLM_MODEL): a base URL is set, so name the model the server serves"
    ]
    assert _table(at)["PRECERT_LLM_TIMEOUT_S"] == ("90", "built-in default")
