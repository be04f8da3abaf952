"""Where the assistant must not write a letter (issue 12 item 8): a service the payer needs no
authorization for, and an appeal where nothing was denied; and an edited text goes through the same
guards and pre-check as a drafted one.

The expected answers come from the archetypes (``expect.determination: no_auth_required``, a case with
no earlier request) and from hand-written edits, never from the code under test."""

from __future__ import annotations

import pytest
from asst_cases import find_case

from assistant.appeals import NoAuthorizationNeeded, NoDenial
from assistant.pipeline import check_text, draft_case

NO_AUTH = [
    ("needs_authorization", "prairie_ortho_mri", "orthopaedic surgeon"),  # PSM-MRI-001's specialty exemption
    ("advanced_imaging", "mri_cauda_equina_emergency", "emergency"),  # an ED visit (place of service 23)
]


@pytest.mark.parametrize(("module", "archetype", "rule_word"), NO_AUTH, ids=lambda x: str(x))
@pytest.mark.parametrize("kind", ["narrative", "provider_query"])
def test_no_letter_for_a_service_that_needs_no_authorization(
    module, archetype, rule_word, kind, asst_settings, embedding, library
) -> None:
    case = find_case(module, archetype)
    assert case.answer_key.expected_determination.status == "no_auth_required"  # the archetype says so
    with pytest.raises(NoAuthorizationNeeded) as refused:
        draft_case(case, kind, settings=asst_settings, embedding=embedding, library=library)
    message = str(refused.value)
    assert message.startswith("No authorization is needed")
    assert case.coverage.payer_name in message and rule_word in message  # the payer's rule, in words
    assert "_" not in message


def test_draft_anyway_overrides_the_refusal(asst_settings, embedding, library) -> None:
    case = find_case("needs_authorization", "prairie_ortho_mri")
    draft = draft_case(
        case, "narrative", settings=asst_settings, embedding=embedding, library=library, draft_anyway=True
    )
    assert draft.kind == "narrative" and draft.precheck is not None
    assert draft.precheck.summary.startswith("no authorization required (NA) at the authorization")


@pytest.mark.parametrize("kind", ["appeal", "p2p"])
def test_no_appeal_where_nothing_was_denied(kind, asst_settings, embedding, library) -> None:
    # three weeks of therapy: the request would be denied, but it was never sent, so nothing was denied
    case = find_case("advanced_imaging", "mri_conservative_care_too_short", "cardinal")
    assert case.prior_submission is None
    with pytest.raises(NoDenial, match="No denial to appeal"):
        draft_case(case, kind, settings=asst_settings, embedding=embedding, library=library)


def test_a_provider_query_never_states_a_denial_that_did_not_happen(
    asst_settings, embedding, library
) -> None:
    case = find_case("advanced_imaging", "mri_conservative_care_too_short", "cardinal")
    draft = draft_case(case, "provider_query", settings=asst_settings, embedding=embedding, library=library)
    assert "denied" not in draft.text.lower()


# ----- the edited text -------------------------------------------------------------------------------

INVENTED = "The patient completed 12 weeks of physical therapy, acupuncture and chiropractic care."


@pytest.fixture(scope="module")
def drafted(asst_settings, embedding, library):
    case = find_case("advanced_imaging", "mri_meets", "lakeshore")
    return case, draft_case(case, "narrative", settings=asst_settings, embedding=embedding, library=library)


def test_the_drafted_text_passes_the_guards(drafted, asst_settings, embedding, library) -> None:
    case, draft = drafted
    checked = check_text(
        case, draft, draft.text, settings=asst_settings, embedding=embedding, library=library
    )
    assert checked.problems == [] and checked.unsupported_claims == []
    assert checked.precheck is not None and checked.precheck.status == "approved"
    assert checked.text == draft.text


def test_an_invented_line_in_the_edit_is_listed(drafted, asst_settings, embedding, library) -> None:
    case, draft = drafted
    assert "12 weeks" not in " ".join(d.text for d in case.chart)  # the chart never says it
    edited = draft.text + "\n\n" + INVENTED
    checked = check_text(case, draft, edited, settings=asst_settings, embedding=embedding, library=library)
    assert checked.unsupported_claims, checked.problems
    quoted = " ".join(checked.unsupported_claims)
    assert "12 weeks" in quoted or "acupuncture" in quoted or "chiropractic" in quoted
    assert any(p.startswith("Claim ") for p in checked.problems)
    assert checked.backend == "edited"


def test_a_citation_typed_into_the_edit_that_names_nothing_is_dropped(
    drafted, asst_settings, embedding, library
) -> None:
    case, draft = drafted
    edited = draft.text + "\n\nSee also [AETNA-CPB-0236]."
    checked = check_text(case, draft, edited, settings=asst_settings, embedding=embedding, library=library)
    assert "[AETNA-CPB-0236]" not in checked.text
    assert any("AETNA-CPB-0236" in p for p in checked.problems)


def test_an_edit_cut_to_a_fragment_is_reported(drafted, asst_settings, embedding, library) -> None:
    case, draft = drafted
    checked = check_text(
        case, draft, "Too short.", settings=asst_settings, embedding=embedding, library=library
    )
    assert any(p.startswith("Incomplete draft") for p in checked.problems)
    assert checked.text == "Too short."
