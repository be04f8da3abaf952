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


# -- paraphrase: a sleep-test type states its channel count by definition --------------------------------


def _cpap_with(text_old: str, text_new: str) -> tuple[Case, list[Action]]:
    c = _first("dme", "cpap_ahi_qualifying")
    ref = next(a for a in c.answer_key.reference_actions if isinstance(a, Submission))
    assert text_old in ref.narrative
    return c, _swap_submission(c, narrative=ref.narrative.replace(text_old, text_new))


def test_a_type_iii_home_sleep_test_is_credited_as_its_channels() -> None:
    """CMS NCD 240.4: a type III home test records at least 4 channels, so "type III HSAT" states the
    chart's 4-channel study for the accepted-sleep-test criterion."""
    c, actions = _cpap_with("home sleep apnea test with 4 channels", "type III HSAT")
    report = grade(c, actions)
    assert not _tagged(report, "criterion_not_addressed")


def test_a_home_test_with_no_channels_or_type_is_still_not_addressed() -> None:
    c, actions = _cpap_with("home sleep apnea test with 4 channels", "home sleep apnea test")
    report = grade(c, actions)
    assert _tagged(report, "criterion_not_addressed")


# -- one mistake, one tag: a criterion answered with a contradicted claim --------------------------------


def _mri_case() -> Case:
    return _first("advanced_imaging", "mri_meets")


def test_an_invented_red_flag_is_a_contradiction_not_also_an_unaddressed_criterion() -> None:
    """The chart records no red flag and a follow-up exam; a narrative that claims saddle anaesthesia and
    leaves the exam out has answered the follow-up criterion (it applies only without a red flag) with a
    claim the chart contradicts: the error is the fabrication, still worth nothing."""
    c = _mri_case()
    ref = next(a for a in c.answer_key.reference_actions if isinstance(a, Submission))
    kept = [
        ln for ln in ref.narrative.splitlines() if "follow" not in ln.lower() and "exam" not in ln.lower()
    ]
    text = "\n".join(kept) + "\nNew saddle anesthesia since yesterday: a red flag."
    report = grade(c, _swap_submission(c, narrative=text))
    assert "contradicts_chart" in report.error_tags
    assert "criterion_not_addressed" not in report.error_tags
    assert not report.passed
    followup = [i for i in report.items if i.item_id.startswith("criterion:") and i.points < i.max_points]
    assert followup and all("contradicts" in i.feedback for i in followup)


def test_a_criterion_left_out_beside_an_unrelated_contradiction_is_still_not_addressed() -> None:
    c = _mri_case()
    ref = next(a for a in c.answer_key.reference_actions if isinstance(a, Submission))
    kept = [
        ln for ln in ref.narrative.splitlines() if "follow" not in ln.lower() and "exam" not in ln.lower()
    ]
    text = "\n".join(kept) + "\nBMI 52."
    report = grade(c, _swap_submission(c, narrative=text))
    assert "criterion_not_addressed" in report.error_tags


# -- a provider query that asks for the missing record -----------------------------------------------------


def test_a_query_asking_for_the_missing_record_covers_the_criteria_it_evidences() -> None:
    """Criteria that cannot be assessed because one required record is missing are answered by asking the
    office for that record; the query need not name each of them."""
    from grading.context import case_data
    from grading.documentation import missing_kinds
    from knowledge_base.loader import load_library
    from scenarios.models import ProviderQuery

    c = _first("dme", "pwc_missing_f2f")
    kinds = [r.kind for r in missing_kinds(case_data(c, load_library()))]
    assert kinds
    ask = ProviderQuery(
        at=c.sim_start,
        message="Please send the "
        + " and the ".join(k.replace("_", " ") for k in kinds)
        + " for this order.",
    )
    report = grade(c, [*c.answer_key.reference_actions[:2], ask])
    assert "criterion_not_addressed" not in report.error_tags
    silent = ProviderQuery(at=c.sim_start, message="Please call us about this order.")
    report = grade(c, [*c.answer_key.reference_actions[:2], silent])
    assert "criterion_not_addressed" in report.error_tags


# -- a record the payer decides the same without is not missing --------------------------------------------


def _without(c: Case, kind: str) -> tuple[list[Action], str]:
    doc_id = next(d.id for d in c.chart if d.kind == kind)
    ref = next(a for a in c.answer_key.reference_actions if isinstance(a, Submission))
    assert doc_id in ref.document_ids
    return _swap_submission(c, document_ids=[d for d in ref.document_ids if d != doc_id]), doc_id


def test_therapy_note_is_not_missing_when_a_progressive_deficit_waives_the_care_duration() -> None:
    """Cervical fusion for a progressive motor deficit: the conservative-care duration does not decide
    the case, so a request without the (short) therapy note is not missing a record."""
    c = _first("surgery_admissions", "acdf_progressive_deficit")
    actions, doc_id = _without(c, "therapy_note")
    report = grade(c, actions)
    assert f"document:{doc_id}" not in _tagged(report, "missing_required_document")


def test_therapy_note_is_missing_when_the_care_duration_decides() -> None:
    c = _first("surgery_admissions", "acdf_radiculopathy_meets")
    actions, doc_id = _without(c, "therapy_note")
    report = grade(c, actions)
    assert f"document:{doc_id}" in _tagged(report, "missing_required_document")


def test_an_old_note_superseded_by_the_new_exam_sent_with_a_new_request_is_not_missing() -> None:
    """After a denial for a missing follow-up exam, a new request with the new exam note need not carry
    the earlier telephone follow-up note of the same kind: the payer reads the latest."""
    c = _first("pends_appeals", "appeal_with_followup_exam")
    prior = c.prior_submission
    assert prior is not None
    new_ids = [d for d in c.answer_key.required_document_ids if d not in prior.document_ids]
    new_kinds = {c_doc.kind for c_doc in c.chart if c_doc.id in new_ids}
    old_same_kind = [d for d in prior.document_ids if next(x for x in c.chart if x.id == d).kind in new_kinds]
    assert old_same_kind
    appeal = c.answer_key.reference_actions[-1]
    request = prior.model_copy(
        update={
            "at": appeal.at,
            "document_ids": [
                d for d in dict.fromkeys([*prior.document_ids, *new_ids]) if d not in old_same_kind
            ],
            "narrative": appeal.letter,
        }
    )
    report = grade(c, [*c.answer_key.reference_actions[:-1], request])
    assert report.final_status == "approved"
    assert "missing_required_document" not in report.error_tags


# -- nothing sent, nothing decided: the missed step is the error -------------------------------------------


def test_closing_a_case_that_needed_a_request_is_a_missed_submission_not_an_adverse_decision() -> None:
    """No request went to the payer, so no payer decision went against the member: the report names the
    missed request (process) and the outcome earns nothing, without an adverse_outcome tag."""
    from scenarios.models import CloseCase

    c = _first("advanced_imaging", "mri_meets")
    assert c.answer_key.correct_action == "submit"
    close = CloseCase(at=c.sim_start, reason="no_auth_needed", note="No authorization needed.")
    report = grade(c, [*c.answer_key.reference_actions[:2], close])
    assert not report.passed
    assert "adverse_outcome" not in report.error_tags
    # the request the case needs was missed, and the case was ended another way instead: both named
    assert {"missed_submission", "wrong_action"} <= set(report.error_tags)
    outcome = next(i for i in report.items if i.dimension == "outcome")
    assert outcome.points == 0


def test_a_query_case_closed_as_no_auth_names_the_missed_query_and_the_wrong_close() -> None:
    from scenarios.models import CloseCase

    c = _first("advanced_imaging", "mri_therapy_note_missing")
    assert c.answer_key.correct_action == "query_provider"
    close = CloseCase(at=c.sim_start, reason="no_auth_needed")
    report = grade(c, [*c.answer_key.reference_actions[:2], close])
    assert {"missed_provider_query", "wrong_action"} <= set(report.error_tags)
    # doing nothing at all is a missed step, not a wrong action
    idle = grade(c, list(c.answer_key.reference_actions[:2]))
    assert "missed_provider_query" in idle.error_tags and "wrong_action" not in idle.error_tags


# -- a request sent off the path still carried its codes and urgency to the payer --------------------------


def test_coding_and_urgency_errors_of_a_request_sent_where_a_query_was_right_are_named() -> None:
    """Where the right move was a provider query, a request sent anyway reached the payer: an unbillable
    category code and an urgency the chart does not support are its errors too (issue 9, item 4)."""
    c = _first("advanced_imaging", "mri_therapy_note_missing")
    ref = next(
        a
        for a in _first("advanced_imaging", "mri_meets").answer_key.reference_actions
        if a.type == "submission"
    )
    dx = c.answer_key.correct_diagnoses[0].code
    category = dx.split(".")[0]
    assert category != dx  # the chart's code is more specific than its category
    wrong = ref.model_copy(
        update={
            "member_id": c.coverage.member_id,
            "diagnoses": [category],
            "document_ids": [d.id for d in c.chart][:2],
            "at": c.sim_start,
            "date_of_service": c.order.date_of_service,
            "urgency": "expedited" if c.answer_key.urgency == "standard" else "standard",
        }
    )
    report = grade(c, [*c.answer_key.reference_actions[:2], wrong])
    assert "submitted_when_should_query" in report.error_tags
    assert "wrong_code_specificity" in report.error_tags
    assert "wrong_urgency" in report.error_tags
    item = next(i for i in report.items if i.item_id.startswith("off_path_request:"))
    assert item.points == 0 and "off the case's path" in item.feedback
    # the same request with the chart's code and urgency: no off-path coding item
    right = wrong.model_copy(update={"diagnoses": [dx], "urgency": c.answer_key.urgency})
    clean = grade(c, [*c.answer_key.reference_actions[:2], right])
    assert not [i for i in clean.items if i.item_id.startswith("off_path_request:")]


def test_a_long_finding_is_stated_where_it_is_written_not_by_words_scattered_over_the_text() -> None:
    """A long chart value (an exam finding) is stated by half its words on one line; the same words
    spread over unrelated lines do not state it."""
    from grading.facts import Text, mentioned

    finding = "positive straight-leg raise at 40 degrees on the left, diminished left Achilles reflex"
    assert mentioned(
        Text.of("Exam: positive straight-leg raise on the left, Achilles reflex diminished."),
        "neuro_findings",
        finding,
    )
    scattered = (
        "Pain on the left side.\nRaise the diminished dose.\nReflex testing at 40 degrees was ordered."
    )
    assert not mentioned(Text.of(scattered), "neuro_findings", finding)


def _iop_cardinal() -> Case:
    for seed in range(300):
        c = case("behavioral_health", seed)
        if c.archetype_id == "iop_meets" and c.coverage.payer_id == "cardinal":
            return c
    raise LookupError("iop_meets at cardinal")


def test_a_criterion_whose_only_record_was_left_off_is_the_missing_record_counted_once() -> None:
    """Medicare IOP needs the physician's certification; a request that leaves the certification off and
    so cannot state it has one mistake (the missing record), not also an unaddressed criterion."""
    c = _iop_cardinal()
    cert = next(d.id for d in c.chart if d.kind == "physician_certification")
    ref = next(a for a in c.answer_key.reference_actions if isinstance(a, Submission))
    assert cert in ref.document_ids
    text = "\n".join(ln for ln in ref.narrative.splitlines() if "certif" not in ln.lower())
    docs = [d for d in ref.document_ids if d != cert]
    report = grade(c, _swap_submission(c, narrative=text, document_ids=docs))
    assert "missing_required_document" in report.error_tags
    assert "criterion_not_addressed" not in report.error_tags
    # with the certification attached, leaving it out of the narrative is an unaddressed criterion
    report = grade(c, _swap_submission(c, narrative=text))
    assert "criterion_not_addressed" in report.error_tags
