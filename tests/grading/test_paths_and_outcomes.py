"""Failure classes 3 and 5 of issue 9, on generated cases: every path the payer accepts earns credit, and
outcomes are scored as what they are (under-authorization, a rejected request redone, zero actions).

Expected judgements come from the case's archetype (what its YAML says the right move is), never from
running the grader or the simulator first.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from grading_support import case

from grading import grade
from scenarios.models import Action, Appeal, Case, PeerToPeer, PendReply, ProviderQuery, Submission


def _first(module_id: str, archetype_id: str, payer: str | None = None) -> Case:
    for seed in range(300):
        c = case(module_id, seed)
        if c.archetype_id == archetype_id and (payer is None or c.coverage.payer_id == payer):
            return c
    raise LookupError(archetype_id)


def _main(c: Case) -> Action:
    return c.answer_key.reference_actions[-1]


def _new_docs(c: Case) -> list[str]:
    prior = set(c.prior_submission.document_ids) if c.prior_submission else set()
    return [d for d in c.answer_key.required_document_ids if d not in prior]


def test_peer_to_peer_that_the_payer_overturns_passes() -> None:
    c = _first("pends_appeals", "appeal_with_followup_exam", payer="lakeshore")
    appeal = _main(c)
    assert isinstance(appeal, Appeal)
    p2p = PeerToPeer(at=appeal.at, talking_points=appeal.letter, document_ids=appeal.document_ids)
    report = grade(c, [*c.answer_key.reference_actions[:-1], p2p])
    assert report.final_status == "approved"
    assert report.passed and report.path == "peer_to_peer"
    assert "missed_appeal" not in report.error_tags
    assert not any("never reached the payer" in i.feedback for i in report.items)


def test_new_request_with_the_new_evidence_passes_and_loses_a_little() -> None:
    c = _first("pends_appeals", "appeal_with_followup_exam")
    prior = c.prior_submission
    assert prior is not None
    appeal = _main(c)
    request = prior.model_copy(
        update={
            "at": appeal.at,
            "document_ids": list(dict.fromkeys([*prior.document_ids, *_new_docs(c)])),
            "narrative": appeal.letter,
        }
    )
    report = grade(c, [*c.answer_key.reference_actions[:-1], request])
    assert report.final_status == "approved"
    assert report.passed and report.path == "new_request"
    action = next(i for i in report.items if i.item_id == "correct_action")
    assert 0 < action.points < action.max_points  # a correct but slower path loses a little
    assert "missed_appeal" not in report.error_tags


def test_provider_query_on_a_futile_appeal_passes() -> None:
    c = _first("pends_appeals", "appeal_without_new_evidence")
    failed = c.answer_key.expected_determination.criterion_ids
    query = ProviderQuery(
        at=_main(c).at,
        criterion_ids=failed,
        message=f"The denial cites {', '.join(failed)}: only 3 weeks of conservative care are documented. "
        "Please complete the course of physical therapy and send the discharge summary before we appeal.",
    )
    report = grade(c, [*c.answer_key.reference_actions[:-1], query])
    assert report.passed, [i.feedback for i in report.items if i.points < i.max_points]
    assert "missed_appeal" not in report.error_tags


def test_pend_reply_needs_no_repeated_eligibility_or_look_up() -> None:
    c = _first("pends_appeals", "pend_missing_therapy_notes")
    reply = _main(c)
    assert isinstance(reply, PendReply)
    report = grade(c, [reply])
    assert report.final_status == "approved"
    assert report.total == 100 and report.passed
    assert not {"eligibility_not_checked", "auth_not_looked_up"} & set(report.error_tags)


def test_under_authorization_loses_the_outcome() -> None:
    c = _first("behavioral_health", "iop_meets")
    ref = c.answer_key.reference_submission
    assert ref is not None and ref.procedures[0].units > 8
    few = ref.model_copy(update={"procedures": [ref.procedures[0].model_copy(update={"units": 8})]})
    actions = [*c.answer_key.reference_actions[:-1], few]
    report = grade(c, actions)
    outcome = next(i for i in report.items if i.item_id == "outcome")
    assert "under_authorization" in outcome.error_tags and outcome.points == 0


def test_rejected_request_redone_loses_part_of_the_outcome() -> None:
    c = _first("coding", "vague_low_back_pain")
    ref = c.answer_key.reference_submission
    assert ref is not None
    vague = c.order.diagnoses[0].code  # the order's non-billable category code
    bad = ref.model_copy(update={"diagnoses": [vague]})
    redo = ref.model_copy(update={"at": ref.at + timedelta(hours=1)})
    report = grade(c, [*c.answer_key.reference_actions[:-1], bad, redo])
    outcome = next(i for i in report.items if i.item_id == "outcome")
    assert report.final_status == "approved"
    assert "redone_request" in outcome.error_tags and 0 < outcome.points < outcome.max_points


def test_rejected_request_that_stands_is_a_critical_error() -> None:
    c = _first("coding", "vague_low_back_pain")
    ref = c.answer_key.reference_submission
    assert ref is not None
    bad = ref.model_copy(update={"diagnoses": [c.order.diagnoses[0].code]})
    report = grade(c, [*c.answer_key.reference_actions[:-1], bad])
    assert report.final_status == "rejected"
    assert not report.passed
    assert "avoidable_adverse_decision" in {e.id for e in report.critical_errors}


def test_zero_actions_earn_no_outcome() -> None:
    for module_id, archetype_id in [
        ("advanced_imaging", "mri_no_followup_exam"),
        ("needs_authorization", "prairie_ortho_mri"),
        ("advanced_imaging", "mri_meets"),
    ]:
        c = _first(module_id, archetype_id)
        report = grade(c, [])
        outcome = next(i for i in report.items if i.item_id == "outcome")
        assert outcome.points == 0 and not report.passed
        assert report.dimensions["outcome"].percent == 0


def test_psychotherapy_note_on_a_wrong_path_request_is_named() -> None:
    c = _first("behavioral_health", "iop_asam_missing")
    note = next(d for d in c.chart if d.kind == "psychotherapy_note")
    query = _main(c)
    ref = c.answer_key.reference_actions
    wrong = Submission(
        at=query.at,
        member_id=c.coverage.member_id,
        patient_last_name=c.patient.last_name,
        patient_dob=c.patient.dob,
        ordering_npi=c.ordering_provider.npi,
        servicing_npi=c.servicing_provider.npi,
        diagnoses=[d.code for d in c.answer_key.correct_diagnoses],
        procedures=[{"code": ln.code.code, "units": ln.units} for ln in c.answer_key.correct_procedures],
        date_of_service=c.order.date_of_service,
        document_ids=[note.id, *c.answer_key.required_document_ids],
        narrative="Patient needs IOP.",
    )
    report = grade(c, [*ref[:-1], wrong])
    assert "prohibited_disclosure" in report.error_tags
    critical = next(e for e in report.critical_errors if e.id == "prohibited_disclosure")
    assert note.id in critical.sentence and "164.508" in critical.citation


def test_fix_first_summary_leads_with_the_critical_error() -> None:
    c = _first("coding", "vague_low_back_pain")
    ref = c.answer_key.reference_submission
    assert ref is not None
    bad = ref.model_copy(update={"diagnoses": [c.order.diagnoses[0].code]})
    report = grade(c, [*c.answer_key.reference_actions[:-1], bad])
    assert 1 <= len(report.fix_first) <= 3
    critical_items = {e.item_id for e in report.critical_errors}
    assert report.fix_first[0].item_id in critical_items
    clean = grade(c, c.answer_key.reference_actions)
    assert clean.fix_first == [] and clean.critical_errors == []


def _repeating_record(c: Case) -> tuple[int, Submission, str] | None:
    """The reference request and a required record of it whose every fact another attachment states."""
    facts = {d.id: {k: v for k, v in d.facts.items() if v not in ("", None)} for d in c.chart}
    found = next(
        ((i, a) for i, a in enumerate(c.answer_key.reference_actions) if isinstance(a, Submission)), None
    )
    if found is None:
        return None
    sent = found[1].document_ids
    for d in sent:
        others = [facts[o] for o in sent if o != d and o in facts]
        if (
            d in c.answer_key.required_document_ids
            and facts.get(d)
            and all(any(o.get(k) == v for o in others) for k, v in facts[d].items())
        ):
            return found[0], found[1], d
    return None


def test_a_record_that_only_repeats_facts_already_sent_is_not_a_missing_document() -> None:
    """A required record the policy does not list and whose facts the other attachments all state: the
    simulated payer decides the same without it, so leaving it off is no error; leaving off a record with
    facts of its own still is."""
    from simulator import replay

    found = next(
        (
            (c, hit)
            for c in (case("behavioral_health", s) for s in range(40))
            if (hit := _repeating_record(c))
        ),
        None,
    )
    if found is None:
        pytest.fail("no behavioral_health case in 40 seeds has a record that only repeats sent facts")
    c, (index, sub, repeat) = found
    reference = list(c.answer_key.reference_actions)
    actions = list(reference)
    actions[index] = sub.model_copy(update={"document_ids": [d for d in sub.document_ids if d != repeat]})
    decided = [replay(c, acts)[-1].result for acts in (actions, reference)]
    assert [getattr(d, "status", None) for d in decided] == [
        "approved",
        "approved",
    ]  # the payer did not need it
    assert "missing_required_document" not in grade(c, actions).error_tags
    own = next(d for d in sub.document_ids if d in c.answer_key.required_document_ids and d != repeat)
    actions[index] = sub.model_copy(update={"document_ids": [d for d in sub.document_ids if d != own]})
    assert "missing_required_document" in grade(c, actions).error_tags


def test_an_appeal_that_is_only_the_quoted_criterion_is_policy_text() -> None:
    """Quoting the failed criterion beside the patient's facts is fine; the quote plus "now met" and
    nothing of the patient presents the policy as the facts."""
    from grading_support import first_case

    from grading.context import case_data
    from knowledge_base.loader import load_library

    c = first_case("pends_appeals", lambda c: c.answer_key.correct_action == "appeal")
    failed = c.answer_key.expected_determination.criterion_ids or list(c.answer_key.criteria_outcome)
    cid = failed[0]
    quote = f"{cid}: {case_data(c, load_library()).criterion_text(cid)}"
    reference = list(c.answer_key.reference_actions)
    index, appeal = next((i, a) for i, a in enumerate(reference) if isinstance(a, Appeal))

    def graded(letter: str) -> list[str]:
        actions = list(reference)
        actions[index] = appeal.model_copy(update={"letter": letter})
        return grade(c, actions).error_tags

    assert "policy_text_as_facts" in graded(f"{quote} This criterion is now met. Please overturn the denial.")
    assert "policy_text_as_facts" not in graded(f"{quote}\n{appeal.letter}")
