"""Pages of issue 11: credentials in OPENAI_BASE_URL stay hidden, anyone can change their own password
(and is signed out), the audit log filters by date and exports CSV, and an administrator decides which
cohorts a supervisor sees."""

from __future__ import annotations

import pytest
from pages_support import PASSWORD, World, errors, signed_in
from sqlalchemy import select

from settings import Settings
from store.accounts import authenticate
from store.db import init_db, session_scope
from store.models import SupervisorCohort


def test_credentials_in_the_base_url_are_masked(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "https://bob:hunter2-secret@llm.example:8443/v1?api_key=k-xyz123")
    monkeypatch.setenv("PRECERT_LLM_MODEL", "m")
    at = signed_in(world.viewers["admin"])
    at.switch_page("ui/pages/admin_llm.py").run()
    table = at.dataframe[0].value
    shown = dict(zip(table["setting"], table["value"], strict=True))
    assert "hunter2" not in shown["OPENAI_BASE_URL"] and "k-xyz123" not in shown["OPENAI_BASE_URL"]
    assert "llm.example:8443/v1" in shown["OPENAI_BASE_URL"]


@pytest.mark.parametrize("role", ["trainee", "coordinator"])
def test_changing_ones_own_password_signs_out(world: World, role: str) -> None:
    at = signed_in(world.viewers[role])
    at.switch_page("ui/pages/account_password.py").run()
    at.text_input(key="op_current").input(PASSWORD)
    at.text_input(key="op_new").input("velvet harbour quince 42")
    at.text_input(key="op_again").input("velvet harbour quince 42")
    at.button(key="op_submit").click().run()
    assert not at.exception and not errors(at)
    assert [t.value for t in at.title] == ["Sign in to Precert Academy"]
    with session_scope(init_db(Settings(data_dir=world.folder))) as s:
        name = world.viewers[role].username
        assert authenticate(s, name, "velvet harbour quince 42", cost=4).status == "ok"


def test_a_wrong_current_password_is_refused_on_the_page(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    at.switch_page("ui/pages/account_password.py").run()
    at.text_input(key="op_current").input("not my password at all")
    at.text_input(key="op_new").input("velvet harbour quince 42")
    at.text_input(key="op_again").input("velvet harbour quince 42")
    at.button(key="op_submit").click().run()
    assert any("current password" in e for e in errors(at)) and not at.exception


def test_audit_page_filters_and_exports(world: World) -> None:
    at = signed_in(world.viewers["admin"])
    at.switch_page("ui/pages/admin_audit.py").run()
    assert not at.exception and at.dataframe
    at.selectbox(key="audit_event").select("user_created").run()
    events = set(at.dataframe[0].value["event"])
    assert events == {"user_created"}
    at.button(key="audit_export").click().run()
    assert not at.exception
    assert at.get("download_button")


def test_admin_chooses_a_supervisors_cohorts(world: World) -> None:
    at = signed_in(world.viewers["admin"])
    at.switch_page("ui/pages/admin_users.py").run()
    at.selectbox(key="sc_user").select(world.viewers["supervisor"].username).run()
    at.multiselect(key="sc_cohorts").set_value([])
    at.button(key="sc_submit").click().run()
    assert not at.exception and not errors(at)
    with session_scope(init_db(Settings(data_dir=world.folder))) as s:
        assert s.scalars(select(SupervisorCohort)).all() == []
