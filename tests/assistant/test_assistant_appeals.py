"""Appeal letters and peer-to-peer points: the right level, deadline and legal frame for each payer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asst_cases import find_case

from assistant.appeals import AssistantInputError
from assistant.pipeline import draft_case
from simulator import prior_determination

# payer -> (level id, level name, filing window, words that must appear, words that must not)
LADDER = {
    "lakeshore": (
        "level1",
        "Level 1 internal appeal",
        "180 days",
        ["ERISA", "Level 2 internal appeal"],
        ["Medicare", "fair hearing", "reconsideration"],
    ),
    "cardinal": (
        "reconsideration",
        "Plan reconsideration (Level 1)",
        "65 days",  # 42 CFR 422.582(b) since 2025 (docs/sources.md)
        ["Medicare Advantage", "Independent Review Entity", "nothing needs to be filed"],
        ["ERISA", "fair hearing", "Level 2 internal appeal"],
    ),
    "prairie": (
        "level1",
        "Plan appeal",
        "60 days",
        ["Medicaid", "State fair hearing", "120 days"],
        ["ERISA", "Medicare", "reconsideration"],
    ),
}


@pytest.mark.parametrize("payer", sorted(LADDER))
def test_appeal_letter_names_the_payers_level_deadline_and_frame(
    payer, asst_settings, embedding, library
) -> None:
    case = find_case("pends_appeals", "appeal_with_followup_exam", payer)
    level, name, window, present, absent = LADDER[payer]
    draft = draft_case(case, "appeal", settings=asst_settings, embedding=embedding, library=library)
    denial = prior_determination(case, library=library)
    assert denial is not None and denial.status == "denied"
    assert draft.kind == "appeal", draft.warnings
    assert draft.appeal is not None and (draft.appeal.level, draft.appeal.name) == (level, name)
    assert draft.appeal.level == case.answer_key.appeal_level
    right = next(r for r in denial.appeal_rights if r.level == level)
    assert draft.appeal.file_by == right.file_by
    # the deadline is the manual's window from the denial notice
    manual_days = int(window.split()[0])
    assert right.file_by == denial.decided_at.date() + timedelta(days=manual_days)
    text = draft.text
    assert name in text and window in text and right.file_by.isoformat() in text
    for word in present:
        assert word.lower() in text.lower(), word
    for word in absent:
        assert word.lower() not in text.lower(), word
    failed = case.answer_key.expected_determination.criterion_ids
    assert failed and all(cid in text for cid in failed)
    new_docs = case.answer_key.reference_actions[-1].document_ids  # the key's new evidence
    assert set(new_docs) <= set(draft.recommended_document_ids)
    assert any(c.label.endswith("manual: Appeals") for c in draft.citations)
    assert draft.unsupported_facts == []
    assert draft.precheck is not None and draft.precheck.action == "appeal"
    assert draft.precheck.status == case.answer_key.expected_appeal_status == "approved"


def test_appeal_without_new_evidence_becomes_a_provider_query(asst_settings, embedding, library) -> None:
    case = find_case("pends_appeals", "appeal_without_new_evidence")
    draft = draft_case(case, "appeal", settings=asst_settings, embedding=embedding, library=library)
    assert draft.kind == "provider_query" and draft.requested_kind == "appeal"
    assert (
        draft.precheck is not None
        and draft.precheck.status == case.answer_key.expected_appeal_status == "denied"
    )
    assert draft.appeal is not None and draft.appeal.file_by.isoformat() in draft.text
    assert draft.unsupported_facts == []


def test_p2p_points_where_the_payer_offers_one(asst_settings, embedding, library) -> None:
    case = find_case("pends_appeals", "appeal_with_followup_exam", "lakeshore")
    draft = draft_case(case, "p2p", settings=asst_settings, embedding=embedding, library=library)
    assert draft.kind == "p2p"
    assert draft.appeal is not None and draft.appeal.level == "peer_to_peer"
    assert "Peer-to-peer review with a Lakeshore medical director" in draft.text
    assert "Level 1 internal appeal" in draft.text  # what to do if it stands
    assert draft.precheck is not None and draft.precheck.action == "peer_to_peer"
    assert draft.precheck.status == "approved"
    assert draft.unsupported_facts == []


def test_p2p_where_the_payer_offers_none_says_so(asst_settings, embedding, library) -> None:
    case = find_case("pends_appeals", "appeal_with_followup_exam", "cardinal")
    draft = draft_case(case, "p2p", settings=asst_settings, embedding=embedding, library=library)
    assert any("offers no peer-to-peer" in w for w in draft.warnings)
    assert "Plan reconsideration (Level 1)" in draft.text
    assert draft.precheck is not None and draft.precheck.status == "rejected"


def test_appeal_needs_a_denial(asst_settings, embedding, library) -> None:
    case = find_case("advanced_imaging", "mri_meets")
    with pytest.raises(AssistantInputError, match="no denial"):
        draft_case(case, "appeal", settings=asst_settings, embedding=embedding, library=library)


def test_appeal_against_a_given_determination(asst_settings, embedding, library) -> None:
    case = find_case("pends_appeals", "appeal_with_followup_exam", "prairie")
    denial = prior_determination(case, library=library)
    assert case.prior_submission is not None and denial is not None
    draft = draft_case(
        case,
        "appeal",
        settings=asst_settings,
        embedding=embedding,
        library=library,
        submission=case.prior_submission,
        determination=denial,
    )
    assert draft.kind == "appeal" and draft.appeal is not None and draft.appeal.name == "Plan appeal"
