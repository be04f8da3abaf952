"""Drafts for a request typed by hand (issue 12 item 8): the pasted notes are the record the letter
quotes and the guards check against. The notes below are written by hand for these tests; what each
criterion needs is read from LKS-MRI-001 (knowledge_base/policies/lakeshore/lumbar_mri.md)."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.appeals import AssistantInputError, NoAuthorizationNeeded
from assistant.typed import TypedRequest, check_typed, draft_typed

TODAY = date(2026, 12, 3)
NOTES = (
    "Subjective: 52-year-old with low back pain radiating down the right leg below the knee for 12 weeks.\n"
    "Red-flag review: no saddle anesthesia, no bowel or bladder change, no progressive weakness, no fever.\n"
    "Completed 8 weeks of physical therapy (16 visits) with minimal change; conservative care has failed.\n"
    "Follow-up exam after therapy: positive straight-leg raise on the right, diminished right ankle reflex.\n"
    "Assessment: lumbar radiculopathy."
)


def _request(notes: str = NOTES, codes: list[str] | None = None, payer: str = "lakeshore") -> TypedRequest:
    return TypedRequest(payer=payer, codes=codes or ["72148"], diagnoses=["M54.16"], notes=notes, as_of=TODAY)


def _draft(request: TypedRequest, settings, embedding, library, kind: str = "narrative"):
    return draft_typed(request, kind, settings=settings, embedding=embedding, library=library)


def test_a_typed_request_with_notes_gets_a_narrative_quoting_them(asst_settings, embedding, library) -> None:
    draft = _draft(_request(), asst_settings, embedding, library)
    assert draft.kind == "narrative" and draft.policy_id == "LKS-MRI-001"
    assert "72148" in draft.text and "M54.16" in draft.text and TODAY.isoformat() in draft.text
    assert "Completed 8 weeks of physical therapy" in draft.text  # the notes' own sentence
    assert {c.criterion_id for c in draft.criteria} == {"LKS-MRI-001.1", "LKS-MRI-001.2", "LKS-MRI-001.3"}
    assert draft.problems == [] and draft.unsupported_claims == []
    assert {c.label for c in draft.citations} >= {"LKS-MRI-001.1", "LKS-MRI-001.2"}
    assert any("typed by hand" in w for w in draft.warnings)  # the limits are said


def test_notes_that_leave_a_criterion_open_give_a_provider_query(asst_settings, embedding, library) -> None:
    notes = "Subjective: low back pain radiating down the right leg for 3 weeks. Assessment: lumbar radiculopathy."
    draft = _draft(_request(notes=notes), asst_settings, embedding, library)
    assert draft.kind == "provider_query" and draft.requested_kind == "narrative"
    assert "do not show this yet" in draft.text
    assert any(c.status == "not_evidenced" for c in draft.criteria)


def test_the_notes_are_what_the_guards_check_against(asst_settings, embedding, library) -> None:
    draft = _draft(_request(), asst_settings, embedding, library)
    invented = draft.text + "\nThe patient also had acupuncture and chiropractic care."
    checked = check_typed(
        _request(), draft, invented, settings=asst_settings, embedding=embedding, library=library
    )
    assert any("acupuncture" in p for p in checked.problems), checked.problems
    # the same sentence is fine when the notes say it
    told = _request(notes=NOTES + "\nShe also had acupuncture and chiropractic care.")
    assert not check_typed(
        told, draft, invented, settings=asst_settings, embedding=embedding, library=library
    ).unsupported_claims


def test_a_code_no_policy_governs_is_refused(asst_settings, embedding, library) -> None:
    with pytest.raises(NoAuthorizationNeeded, match="no Lakeshore"):
        _draft(_request(codes=["99213"]), asst_settings, embedding, library)


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (TypedRequest(payer="lakeshore", codes=[], notes=NOTES, as_of=TODAY), "CPT/HCPCS codes: none given"),
        (TypedRequest(payer="lakeshore", codes=["7214"], notes=NOTES, as_of=TODAY), "CPT/HCPCS codes: 7214"),
        (TypedRequest(payer="lakeshore", codes=["72148"], notes="back pain", as_of=TODAY), "Clinical notes:"),
        (TypedRequest(payer="acme", codes=["72148"], notes=NOTES, as_of=TODAY), "unknown payer 'acme'"),
    ],
)
def test_bad_typed_input_names_the_field(request_, field, asst_settings, embedding, library) -> None:
    with pytest.raises(AssistantInputError, match=field.replace("(", r"\(")):
        _draft(request_, asst_settings, embedding, library)
