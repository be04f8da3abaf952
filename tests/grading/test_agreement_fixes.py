"""Fixes from the hand-written development set (issue 9), each as what a trainee would notice.

Expected judgements come from the rule each test states (an educator's reading), never from running the
grader first."""

from __future__ import annotations

from grading_support import case

from grading import grade
from scenarios.models import Action, Case, Submission


def _first(module_id: str, archetype_id: str) -> Case:
    for seed in range(300):
        c = case(module_id, seed)
        if c.archetype_id == archetype_id:
            return c
    raise LookupError(archetype_id)


def _swap_submission(c: Case, **update: object) -> list[Action]:
    actions = list(c.answer_key.reference_actions)
    i = next(k for k, a in enumerate(actions) if isinstance(a, Submission))
    actions[i] = actions[i].model_copy(update=update)
    return actions


def _tagged(report, tag: str) -> list[str]:
    return [i.item_id for i in report.items if tag in i.error_tags]


# -- administrative elements: the narrative states what was requested -----------------------------------


def _mri_head(c: Case, units_phrase: str, provider: str) -> str:
    p = c.patient
    return (
        f"{p.first_name} {p.last_name}, DOB {p.dob}, member {c.coverage.member_id}. MRI lumbar spine CPT 72148, "
        f"{units_phrase}, on {c.order.date_of_service}, 60 days. Ordering: {provider}.\n"
    )


def test_units_stated_in_the_text_as_requested_are_not_a_missing_element() -> None:
    """Two units sent and "units per order (2)" written: the wrong count is a coding error (wrong_units),
    not a narrative that leaves the units out."""
    c = _first("advanced_imaging", "mri_meets")
    ref = next(a for a in c.answer_key.reference_actions if isinstance(a, Submission))
    o = c.ordering_provider
    text = (
        _mri_head(c, "units per order (2)", f"{o.first_name} {o.last_name}, {o.credentials}") + ref.narrative
    )
    lines = [ln.model_copy(update={"units": 2}) for ln in ref.procedures]
    report = grade(c, _swap_submission(c, narrative=text, procedures=lines))
    assert "admin:units" not in _tagged(report, "missing_admin_element")
    assert "wrong_units" in report.error_tags


def test_monthly_rentals_state_the_units() -> None:
    from grading.admin import states_units

    assert states_units("CPAP E0601 RR, 6 monthly rentals per the order", 6)
    assert states_units("units: 3", 3)
    assert not states_units("units per order (2)", 3)
    assert not states_units("pain 7/10, units 7/10", 7)


def test_a_period_stated_as_requested_is_not_a_missing_element() -> None:
    from grading.admin import states_days

    # the request asks for 180 days and the text says so: present (a wrong period is not a missing one)
    assert states_days("start 11/16/2026, 180 days", 180)


def test_dr_before_a_physicians_name_states_the_credential() -> None:
    from grading.admin import _provider_ok

    assert _provider_ok("Dr. Dalton Figueroa, sleep medicine.", "Figueroa", "MD")
    assert _provider_ok("Dr Figueroa ordered it", "Figueroa", "DO")
    # "Dr." says physician; a physician assistant or nurse practitioner still needs the credential
    assert not _provider_ok("Dr. Terri Knox ordered it", "Knox", "PA-C")
    assert not _provider_ok("Dalton Figueroa, sleep medicine", "Figueroa", "MD")


# -- a disclosure on a request sent off the case's path is still a disclosure ---------------------------


def test_a_lab_panel_sent_on_a_wrong_path_request_is_a_minimum_necessary_violation() -> None:
    """Where a provider query was right and a request was sent anyway, the unneeded record it carried
    was still disclosed to the payer."""
    c = _first("advanced_imaging", "mri_therapy_note_missing")
    assert c.answer_key.correct_action == "query_provider"
    extra = c.answer_key.irrelevant_document_ids[0]
    ref = _first("advanced_imaging", "mri_meets")
    sub = next(a for a in ref.answer_key.reference_actions if isinstance(a, Submission))
    wrong = sub.model_copy(
        update={
            "member_id": c.coverage.member_id,
            "document_ids": [*[d.id for d in c.chart if d.id != extra][:2], extra],
            "at": c.sim_start,
            "date_of_service": c.order.date_of_service,
        }
    )
    report = grade(c, [*c.answer_key.reference_actions[:2], wrong])
    assert "submitted_when_should_query" in report.error_tags
    assert "minimum_necessary_violation" in report.error_tags
    item = next(i for i in report.items if "minimum_necessary_violation" in i.error_tags)
    assert extra in item.feedback


def test_the_right_path_alone_is_not_flagged_twice() -> None:
    c = _first("advanced_imaging", "mri_meets")
    extra = c.answer_key.irrelevant_document_ids[0]
    ref = next(a for a in c.answer_key.reference_actions if isinstance(a, Submission))
    report = grade(c, _swap_submission(c, document_ids=[*ref.document_ids, extra]))
    assert _tagged(report, "minimum_necessary_violation") == ["minimum_necessary"]
