"""The coordinator's assistant page and the admin content and LLM pages through AppTest.

The policy index uses the deterministic hashing embedding (patched in for the default model, built in
about two seconds); the browser journey drafts on the real MiniLM index.
"""

from __future__ import annotations

import pytest
from pages_support import World, errors, shown, signed_in, texts

from knowledge_base.embeddings import HashingEmbedding
from settings import Settings
from store.audit import list_events
from store.db import init_db, session_scope
from store.drafts import drafts_for
from store.permissions import SYSTEM

SECRET = "sk-test-secret-abcdefgh-9876"


@pytest.fixture
def world(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    """conftest's world, with the hashing embedding in place of the model (an index in seconds)."""
    for module in ("knowledge_base.index", "knowledge_base.retrieval", "assistant.retrieve"):
        monkeypatch.setattr(f"{module}.default_embedding", HashingEmbedding)
    return world


def _draft(at: object, kind: str, seed: str = "4") -> None:
    at.switch_page("ui/pages/coordinator_assistant.py").run()  # type: ignore[attr-defined]
    at.selectbox(key="co_module").set_value("advanced_imaging")  # type: ignore[attr-defined]
    at.text_input(key="co_seed").input(seed)  # type: ignore[attr-defined]
    at.selectbox(key="co_kind").set_value(kind)  # type: ignore[attr-defined]
    at.button(key="co_draft").click().run()  # type: ignore[attr-defined]


def test_coordinator_drafts_edits_prechecks_and_keeps_history(world: World) -> None:
    viewer = world.viewers["coordinator"]
    at = signed_in(viewer, timeout=120)
    _draft(at, "narrative")
    assert not at.exception and not at.error, errors(at)
    text = at.text_area(key="co_text").value
    assert "72148" in text and "CMA-MRI-001" in text
    citations = [shown(e.label) for e in at.expander if shown(e.label).startswith("[")]
    assert citations and all("CMA-MRI-001" in c for c in citations)
    assert any("Simulated payer: approved (A1)" in shown(s.value) for s in at.success)

    at.text_area(key="co_text").input(text + "\nEdited by the coordinator.")
    at.button(key="co_recheck").click().run()
    assert not at.exception and any("Approved — action code A1" in s.value for s in at.success)
    at.button(key="co_save").click().run()
    assert any(s.value.startswith("Saved as draft #") for s in at.success)
    engine = init_db(Settings(data_dir=world.folder))
    with session_scope(engine) as session:
        history = drafts_for(session, viewer, viewer.user_id)
    engine.dispose()
    assert [d.kind for d in history] == ["narrative", "narrative"]
    assert history[0].text.endswith("Edited by the coordinator.") and history[1].text == text
    assert history[0].text in texts(at)  # the history tab shows it as plain text


def test_coordinator_is_told_why_there_is_no_appeal(world: World) -> None:
    at = signed_in(world.viewers["coordinator"], timeout=120)
    _draft(at, "appeal")
    assert not at.exception
    # nothing was denied (the case has no earlier request): refused, never a letter about a made-up denial
    said = [shown(w.value).replace("**", "") for w in at.warning]
    assert any(w.startswith("Nothing drafted. No denial to appeal") for w in said), said
    assert not any(t.key == "co_text" for t in at.text_area)
    _draft(at, "narrative", seed="x1")
    assert any("Case number: 'x1' is not a case number" in e for e in errors(at))


def test_hand_entered_request_gets_cited_policy_answers(world: World) -> None:
    at = signed_in(world.viewers["coordinator"], timeout=120)
    at.switch_page("ui/pages/coordinator_assistant.py").run()
    assert any("paste the clinical notes" in i.value for i in at.info)  # said before anything is typed
    at.selectbox(key="co_m_payer").set_value("cardinal")
    at.text_input(key="co_m_codes").input("72148, 99999")
    at.text_input(key="co_m_question").input("How recent must the office note be?")
    at.button(key="co_m_go").click().run()
    assert not at.exception and not at.error, errors(at)
    assert any("CMA-MRI-001" in shown(m.value) for m in at.markdown)
    assert any("99999: no Cardinal" in shown(w.value) for w in at.warning)
    assert any(shown(e.label).startswith("[") for e in at.expander)  # the answer cites retrieved passages
    # the question does not name the code; the answer still comes from the code's policy
    assert all("CMA-MRI-001" in shown(e.label) for e in at.expander if shown(e.label).startswith("[")), [
        e.label for e in at.expander
    ]
    at.text_input(key="co_m_codes").input("")
    at.text_input(key="co_m_question").input("   ")
    at.button(key="co_m_go").click().run()
    assert any(e.startswith("Question: type a question") for e in errors(at))


def test_admin_validates_content_and_rebuilds_the_index(world: World) -> None:
    at = signed_in(world.viewers["admin"], timeout=120)
    at.switch_page("ui/pages/admin_content.py").run()
    at.button(key="ac_validate").click().run()
    assert not at.exception and any(s.value == "All content is valid." for s in at.success)
    at.button(key="ac_reindex").click().run()
    assert not at.exception and not at.error, errors(at)
    assert any(s.value.startswith("Index up to date") for s in at.success)
    engine = init_db(Settings(data_dir=world.folder))
    with session_scope(engine) as session:
        (event,) = list_events(session, SYSTEM, event="reindex")
    engine.dispose()
    assert event.username == "ada" and event.detail["chunks"] > 0


def test_llm_settings_mask_the_key_and_report_a_failed_connection(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = signed_in(world.viewers["admin"])
    at.switch_page("ui/pages/admin_llm.py").run()
    at.button(key="llm_test").click().run()
    assert any("No LLM is configured" in w.value for w in at.warning) and not at.error
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens on the discard port
    monkeypatch.setenv("PRECERT_LLM_MODEL", "tiny-test-model")
    monkeypatch.setenv("PRECERT_LLM_TIMEOUT_S", "3")
    monkeypatch.setenv("PRECERT_LLM_MAX_RETRIES", "0")
    at.run()
    table = at.dataframe[0].value
    shown = dict(zip(table["setting"], table["value"], strict=True))
    assert shown["OPENAI_API_KEY"] == "set"  # never any of the key itself
    assert shown["PRECERT_LLM_MODEL"] == "tiny-test-model"
    at.button(key="llm_test").click().run()
    assert not at.exception
    assert any(e.startswith("The connection failed after") for e in errors(at))
    assert any("Connection" in c.value for c in at.code), [c.value for c in at.code]
    everything = " ".join(
        [
            *errors(at),
            *(c.value for c in at.code),
            *(m.value for m in at.markdown),
            *(str(d.value.to_dict()) for d in at.dataframe),
        ]
    )
    assert SECRET not in everything
