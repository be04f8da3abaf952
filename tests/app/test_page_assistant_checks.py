"""The assistant page where it must not write, and the edited text checked (issue 12 item 8), through
AppTest. Which cases need no authorization comes from the archetypes (``advanced_imaging`` seed 9 is
``mri_prairie_ortho_no_auth``: Prairie exempts CPT 72148 ordered by an orthopaedic surgeon); the
invented line is written here by hand."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document
from pages_support import World, errors, shown, signed_in

from knowledge_base.embeddings import HashingEmbedding
from scenarios import generate_case

INVENTED = "The patient completed 12 weeks of physical therapy, acupuncture and chiropractic care."


@pytest.fixture
def world(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    for module in ("knowledge_base.index", "knowledge_base.retrieval", "assistant.retrieve"):
        monkeypatch.setattr(f"{module}.default_embedding", HashingEmbedding)
    return world


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The ``data`` each download button was given, by label (AppTest has no browser to click with)."""
    from streamlit.delta_generator import DeltaGenerator

    seen: dict[str, Any] = {}
    real = DeltaGenerator.download_button

    def spy(self: Any, label: str, data: Any, *args: Any, **kwargs: Any) -> Any:
        seen[label] = data
        return real(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    return seen


def _draft(at: Any, kind: str, seed: str) -> None:
    at.switch_page("ui/pages/coordinator_assistant.py").run()
    at.selectbox(key="co_module").set_value("advanced_imaging")
    at.text_input(key="co_seed").input(seed)
    at.selectbox(key="co_kind").set_value(kind)
    at.button(key="co_draft").click().run()


def test_no_narrative_for_a_case_that_needs_no_authorization(world: World) -> None:
    assert generate_case("advanced_imaging", 9).answer_key.expected_determination.status == "no_auth_required"
    at = signed_in(world.viewers["coordinator"], timeout=120)
    _draft(at, "narrative", "9")
    assert not at.exception and not errors(at), errors(at)
    said = [shown(w.value).replace("**", "") for w in at.warning]
    assert any(
        w.startswith("Nothing drafted. No authorization is needed") and "orthopaedic surgeon" in w
        for w in said
    ), said
    assert not any(t.key == "co_text" for t in at.text_area)  # no letter
    assert not any("Simulated payer" in shown(s.value) for s in at.success)  # and no green box

    at.checkbox(key="co_anyway").check().run()  # the explicit override drafts, and says nothing is needed
    at.button(key="co_draft").click().run()
    assert "72148" in at.text_area(key="co_text").value
    assert any("Nothing needs to be sent" in shown(w.value) for w in at.warning)
    assert not any("Simulated payer" in shown(s.value) for s in at.success)


def test_the_edited_text_is_checked_and_exported_with_its_problems(world: World, downloads) -> None:
    at = signed_in(world.viewers["coordinator"], timeout=120)
    _draft(at, "narrative", "4")  # mri_meets at Cardinal: approvable as drafted
    assert not at.exception and not errors(at), errors(at)
    clean = io.BytesIO(downloads["Export DOCX"]())
    assert "Not ready to send" not in "\n".join(p.text for p in Document(clean).paragraphs)

    text = at.text_area(key="co_text").value
    at.text_area(key="co_text").input(text + "\n" + INVENTED)
    at.button(key="co_recheck").click().run()
    assert not at.exception and not errors(at), errors(at)
    problems = [shown(w.value) for w in at.warning if "in your text" in shown(w.value)]
    assert problems and ("12 weeks" in problems[0] or "acupuncture" in problems[0]), [
        shown(w.value) for w in at.warning
    ]
    # the file is built on the click, from the checked text, and opens with what is still wrong
    docx = Document(io.BytesIO(downloads["Export DOCX"]()))
    lines = [p.text for p in docx.paragraphs]
    assert INVENTED in lines
    head = lines[: lines.index(INVENTED)]
    assert any(line.startswith("Not ready to send") for line in head)
    assert any("12 weeks" in line or "acupuncture" in line for line in head)
    assert downloads["Export PDF"]().startswith(b"%PDF-")


def test_a_citation_split_in_two_passages_is_listed_once(world: World) -> None:
    at = signed_in(world.viewers["coordinator"], timeout=120)
    _draft(at, "provider_query", "2")  # three weeks of therapy: the query cites the failed criterion
    labels = [shown(e.label) for e in at.expander if shown(e.label).startswith("[")]
    assert labels and len(labels) == len(set(labels)), labels


def test_the_checklist_speaks_in_words(world: World) -> None:
    at = signed_in(world.viewers["coordinator"], timeout=120)
    _draft(at, "narrative", "4")
    cells = [str(v) for t in at.table for v in t.value.to_numpy().ravel()]
    assert cells and not [c for c in cells if "_" in c], cells
    assert any(c.startswith("“") for c in cells)  # the chart's own sentence, quoted


NOTES = (
    "Subjective: 52-year-old with low back pain radiating down the right leg below the knee for 12 weeks.\n"
    "Red-flag review: no saddle anesthesia, no bowel or bladder change, no progressive weakness, no fever.\n"
    "Completed 8 weeks of physical therapy (16 visits) with minimal change; conservative care has failed.\n"
    "Follow-up exam after therapy: positive straight-leg raise on the right, diminished right ankle reflex.\n"
    "Assessment: lumbar radiculopathy."
)


def test_a_typed_request_with_pasted_notes_is_drafted_and_checked_against_them(world: World) -> None:
    at = signed_in(world.viewers["coordinator"], timeout=120)
    _draft(at, "narrative", "4")  # a case draft first: the typed one replaces it
    at.selectbox(key="co_m_payer").set_value("lakeshore")
    at.text_input(key="co_m_codes").input("72148")
    at.text_input(key="co_m_dx").input("M54.16")
    at.text_area(key="co_m_notes").input(NOTES)
    at.button(key="co_m_draft").click().run()
    assert not at.exception and not errors(at), errors(at)
    text = at.text_area(key="co_text").value
    assert "LKS-MRI-001" in text and "Completed 8 weeks of physical therapy" in text
    assert any("typed by hand" in shown(w.value) for w in at.warning)
    statuses = {shown(str(v)) for t in at.table if "Status" in t.value.columns for v in t.value["Status"]}
    assert "Addressed in the notes" in statuses and "Met" not in statuses  # never computed as met

    at.text_area(key="co_text").input(text + "\n" + INVENTED)
    at.button(key="co_recheck").click().run()
    assert not at.exception and not errors(at), errors(at)
    problems = [shown(w.value) for w in at.warning if "in your text" in shown(w.value)]
    assert problems and "acupuncture" in problems[0], [shown(w.value) for w in at.warning]


def test_a_typed_code_without_authorization_is_refused(world: World) -> None:
    at = signed_in(world.viewers["coordinator"], timeout=120)
    at.switch_page("ui/pages/coordinator_assistant.py").run()
    at.text_input(key="co_m_codes").input("99213")
    at.text_area(key="co_m_notes").input(NOTES)
    at.button(key="co_m_draft").click().run()
    said = [shown(w.value).replace("**", "") for w in at.warning]
    assert any(w.startswith("Nothing drafted. No authorization is needed") for w in said), said


@pytest.mark.parametrize(("kind", "seed"), [("narrative", "4"), ("provider_query", "2"), ("narrative", "1")])
def test_a_draft_on_the_page_shows_no_internal_id(world: World, kind: str, seed: str) -> None:
    from test_human_labels import raw_ids, visible_strings

    at = signed_in(world.viewers["coordinator"], timeout=120)
    _draft(at, kind, seed)
    assert not at.exception and at.text_area(key="co_text").value
    strings = [s for s in visible_strings(at) if s != at.text_area(key="co_text").value]  # the letter itself
    strings += [shown(str(v)) for t in at.table for v in [*t.value.columns, *t.value.to_numpy().ravel()]]
    assert not raw_ids(strings), sorted(set(raw_ids(strings)))
