"""Stored LLM settings (issue 12 item 9): validated at the boundary with errors naming the field, the
deployer's environment over stored values over built-in defaults, every change audited without the
API key, and the key in no audit row, export or log line."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy.orm import Session
from store_support import NOW, make_user

from store.app_settings import (
    SettingsFormError,
    effective_settings,
    save_llm_settings,
    setting_rows,
    stored_values,
)
from store.audit import list_events
from store.export import audit_csv
from store.models import AppSetting
from store.permissions import SYSTEM, AccessDenied

KEY = "sk-test-THE-SECRET-4242"
FORM: dict[str, Any] = {
    "llm_model": "qwen2.5-1.5b-instruct",
    "openai_base_url": "http://127.0.0.1:8000/v1",
    "new_api_key": "",
    "clear_api_key": False,
    "llm_timeout_s": 90.0,  # the built-in defaults (docs/settings.md)
    "llm_max_retries": 0,
    "llm_max_tokens": 700,
    "llm_token_field": "both",
    "llm_context_tokens": 8192,
}


def _save(session: Session, **changes: Any) -> list[str]:
    return save_llm_settings(session, SYSTEM, FORM | changes, now=NOW)


def test_stored_values_apply_and_defaults_are_not_stored(db_session: Session) -> None:
    changed = _save(db_session, new_api_key=KEY, llm_timeout_s=30.0, llm_max_retries=2)
    assert changed == [
        "OPENAI_BASE_URL",
        "PRECERT_LLM_MAX_RETRIES",
        "PRECERT_LLM_MODEL",
        "PRECERT_LLM_TIMEOUT_S",
        "OPENAI_API_KEY",
    ]
    stored = stored_values(db_session)
    assert set(stored) == {
        "PRECERT_LLM_MODEL",
        "OPENAI_BASE_URL",
        "OPENAI_API_KEY",
        "PRECERT_LLM_TIMEOUT_S",
        "PRECERT_LLM_MAX_RETRIES",
    }  # max tokens 700, token field "both", context 8192 are the defaults: no row
    s = effective_settings({}, stored)
    assert (s.llm_model, s.openai_base_url, s.openai_api_key) == (
        "qwen2.5-1.5b-instruct",
        "http://127.0.0.1:8000/v1",
        KEY,
    )
    assert (s.llm_timeout_s, s.llm_max_retries, s.llm_max_tokens) == (30.0, 2, 700)
    assert s.llm_configured
    # back to the default value: the row goes, the page says "built-in default" again
    assert _save(db_session, llm_timeout_s=90.0, llm_max_retries=2) == ["PRECERT_LLM_TIMEOUT_S"]
    assert "PRECERT_LLM_TIMEOUT_S" not in stored_values(db_session)


def test_the_environment_wins_over_stored_values(db_session: Session) -> None:
    _save(db_session, new_api_key=KEY, llm_max_tokens=900)
    stored = stored_values(db_session)
    deployer = {"PRECERT_LLM_MODEL": "from-the-env", "DATA_DIR": "/tmp/x"}
    s = effective_settings(deployer, stored)
    assert s.llm_model == "from-the-env" and s.llm_max_tokens == 900
    rows = {r.key: r for r in setting_rows(s, {"PRECERT_LLM_MODEL": "environment"}, stored)}
    assert (rows["PRECERT_LLM_MODEL"].source, rows["PRECERT_LLM_MODEL"].locked) == ("environment", True)
    assert (rows["PRECERT_LLM_MAX_TOKENS"].source, rows["PRECERT_LLM_MAX_TOKENS"].value) == ("stored", "900")
    assert (rows["PRECERT_LLM_CONTEXT_TOKENS"].source, rows["PRECERT_LLM_CONTEXT_TOKENS"].value) == (
        "default",
        "8192",
    )
    assert rows["OPENAI_API_KEY"].value == "set"  # never the key
    assert all(KEY not in r.model_dump_json() for r in rows.values())


def test_a_locked_key_is_checked_but_not_stored(db_session: Session) -> None:
    save_llm_settings(
        db_session, SYSTEM, FORM | {"llm_model": "env-model"}, locked={"PRECERT_LLM_MODEL"}, now=NOW
    )
    assert "PRECERT_LLM_MODEL" not in stored_values(db_session)
    with pytest.raises(SettingsFormError, match=r"Model name \(PRECERT_LLM_MODEL\)"):
        # the deployer's base URL needs a model name beside it
        save_llm_settings(db_session, SYSTEM, FORM | {"llm_model": ""}, locked={"OPENAI_BASE_URL"}, now=NOW)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"llm_timeout_s": 0}, "Time-out (seconds) (PRECERT_LLM_TIMEOUT_S)"),
        ({"llm_timeout_s": 601}, "Time-out (seconds) (PRECERT_LLM_TIMEOUT_S)"),
        ({"llm_max_retries": -1}, "Retries (PRECERT_LLM_MAX_RETRIES)"),
        ({"llm_max_retries": 6}, "Retries (PRECERT_LLM_MAX_RETRIES)"),
        ({"llm_max_tokens": 15}, "Max tokens per answer (PRECERT_LLM_MAX_TOKENS)"),
        ({"llm_max_tokens": 32769}, "Max tokens per answer (PRECERT_LLM_MAX_TOKENS)"),
        ({"openai_base_url": "ftp://files.example/v1"}, "Base URL (OPENAI_BASE_URL)"),
        ({"openai_base_url": "localhost:8000"}, "Base URL (OPENAI_BASE_URL)"),
        ({"openai_base_url": "http://"}, "Base URL (OPENAI_BASE_URL)"),
        ({"openai_base_url": "http://host:port/v1"}, "Base URL (OPENAI_BASE_URL)"),
        ({"openai_base_url": "https://bob:pw@llm.example/v1"}, "Base URL (OPENAI_BASE_URL)"),
        ({"llm_model": "  "}, "Model name (PRECERT_LLM_MODEL)"),
        ({"llm_token_field": "tokens"}, "Token cap field (PRECERT_LLM_TOKEN_FIELD)"),
        ({"new_api_key": "sk two words"}, "API key (OPENAI_API_KEY)"),
        ({"llm_max_tokens": "many"}, "Max tokens per answer (PRECERT_LLM_MAX_TOKENS)"),
    ],
)
def test_bad_values_are_refused_naming_the_field_and_nothing_is_stored(
    db_session: Session, change: dict[str, Any], named: str
) -> None:
    with pytest.raises(SettingsFormError) as caught:
        _save(db_session, **change)
    assert str(caught.value).startswith(named), str(caught.value)
    assert stored_values(db_session) == {}
    assert list_events(db_session, SYSTEM, event="settings_change") == []


def test_every_bad_field_is_listed_at_once(db_session: Session) -> None:
    with pytest.raises(SettingsFormError) as caught:
        _save(db_session, llm_timeout_s=-1, llm_max_retries=9)
    assert [p.split(":")[0] for p in caught.value.problems] == [
        "Time-out (seconds) (PRECERT_LLM_TIMEOUT_S)",
        "Retries (PRECERT_LLM_MAX_RETRIES)",
    ]


def test_only_administrators_change_settings(db_session: Session) -> None:
    supervisor = make_user(db_session, "sam", role="supervisor")
    with pytest.raises(AccessDenied):
        save_llm_settings(db_session, supervisor, FORM, now=NOW)


def test_the_key_is_kept_replaced_or_cleared_and_never_audited(
    db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    admin = make_user(db_session, "ada", role="admin")
    caplog.set_level(logging.DEBUG)
    save_llm_settings(db_session, admin, FORM | {"new_api_key": KEY}, now=NOW)
    assert save_llm_settings(db_session, admin, FORM | {"llm_max_tokens": 800}, now=NOW) == [
        "PRECERT_LLM_MAX_TOKENS"
    ]
    assert stored_values(db_session)["OPENAI_API_KEY"] == KEY  # an empty field kept it
    same_key = FORM | {"llm_max_tokens": 800, "new_api_key": KEY}
    assert save_llm_settings(db_session, admin, same_key, now=NOW) == []  # the same key: no change
    save_llm_settings(db_session, admin, FORM | {"llm_max_tokens": 800, "clear_api_key": True}, now=NOW)
    assert "OPENAI_API_KEY" not in stored_values(db_session)
    events = list(reversed(list_events(db_session, SYSTEM, event="settings_change")))
    assert [e.detail["api_key"] for e in events] == ["replaced", "kept", "cleared"]
    assert events[0].username == "ada"
    assert events[0].detail["changed"]["PRECERT_LLM_MODEL"] == {"from": None, "to": "qwen2.5-1.5b-instruct"}
    assert events[1].detail["changed"] == {"PRECERT_LLM_MAX_TOKENS": {"from": None, "to": "800"}}
    everything = list_events(db_session, SYSTEM)
    assert all(KEY not in str(e.detail) for e in everything)
    assert KEY.encode() not in audit_csv(db_session, SYSTEM, everything)
    assert KEY not in caplog.text
    assert KEY not in repr(effective_settings({}, {"OPENAI_API_KEY": KEY}))


def test_a_stored_row_the_settings_refuse_is_skipped_with_a_warning(
    db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    db_session.add(AppSetting(key="PRECERT_LLM_MAX_TOKENS", value="lots", updated_at=NOW))
    db_session.add(AppSetting(key="PRECERT_LLM_MAX_RETRIES", value="2", updated_at=NOW))
    db_session.flush()
    s = effective_settings({}, stored_values(db_session))
    assert (s.llm_max_tokens, s.llm_max_retries) == (700, 2)  # the default, and the good row
    assert "PRECERT_LLM_MAX_TOKENS" in caplog.text and "lots" not in caplog.text
