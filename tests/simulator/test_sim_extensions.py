"""Concurrent review: the payer's answer to an extension request (issue 14 item 1, second bullet).

Expected answers are written from the rule in Lakeshore's policies (continued_stay; docs/sources.md,
"Concurrent review and extensions"), never read from the simulator: an admission on 2 March certified
for 3 days ends on 5 March; an extension asked for by then adds its days to that end date; a later
request is reviewed from the day it arrives and the days in between are not covered (HCR03 89, claim
CO-210); an update that no longer supports the care, or IOP attendance under 3 days / 9 hours a week,
is denied with the criterion; a request on a denied or unknown authorization is returned, and the
authorization on file is left as it was.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from pydantic import ValidationError

from scenarios import generate_case, load_content
from scenarios.generator import archetype_content
from scenarios.models import Case, ExtensionRequest, PendReply
from simulator import prior_determination, replay
from simulator.models import Determination

CONTENT = load_content()
ADMITTED = date(2026, 3, 2)


def _case(archetype: str, seed: int = 0) -> Case:
    content = archetype_content("concurrent_review", archetype, "lakeshore", content=CONTENT)
    return generate_case("concurrent_review", seed, content=content)


def _admitted_on_march_2(archetype: str = "stay_extension_supported") -> Case:
    """The case with the admission moved to 2 March (requested 3 weeks before) and the attending's
    update dated ``update_on``."""
    case = _case(archetype)
    prior = case.prior_submission
    assert prior is not None
    prior = prior.model_copy(update={"date_of_service": ADMITTED, "at": datetime(2026, 2, 9, 10, 0)})
    order = case.order.model_copy(update={"date_of_service": ADMITTED, "ordered_on": date(2026, 2, 6)})
    return case.model_copy(update={"prior_submission": prior, "order": order})


def _with_update_on(case: Case, day: date) -> Case:
    chart = [d.model_copy(update={"date": day}) if d.kind == "clinical_update" else d for d in case.chart]
    return case.model_copy(update={"chart": chart})


def _update_ids(case: Case) -> list[str]:
    kinds = {"clinical_update", "attendance_record", "asam_reassessment"}
    return [d.id for d in case.chart if d.kind in kinds]


def _ask(case: Case, at: datetime, additional: int, *, number: str | None = None) -> ExtensionRequest:
    auth = prior_determination(case, library=CONTENT.library)
    assert auth is not None and auth.authorization_number
    return ExtensionRequest(
        at=at,
        authorization_number=number or auth.authorization_number,
        additional=additional,
        document_ids=_update_ids(case),
        clinical_update="Two more doses on telemetry after a dose reduction.",
    )


def _answer(case: Case, *requests: ExtensionRequest | PendReply) -> list[Determination]:
    steps = replay(case, list(requests), library=CONTENT.library)
    assert all(s.error is None for s in steps), [s.error for s in steps]
    return [s.result for s in steps if isinstance(s.result, Determination)]


def test_the_approved_admission_is_certified_to_march_5() -> None:
    auth = prior_determination(_admitted_on_march_2(), library=CONTENT.library)
    assert auth is not None and auth.status == "approved"
    assert (auth.approved_days, auth.valid_from, auth.valid_to) == (3, ADMITTED, date(2026, 3, 5))


def test_two_more_days_asked_on_march_5_are_approved_through_march_7() -> None:
    case = _with_update_on(_admitted_on_march_2(), date(2026, 3, 5))
    request = _ask(case, datetime(2026, 3, 5, 9, 0), 2)
    (got,) = _answer(case, request)
    assert got.status == "approved" and got.action_code == "A1"
    assert got.approved_days == 5 and got.valid_to == date(2026, 3, 7)
    assert got.authorization_number == request.authorization_number  # the same authorization, extended
    assert got.expedited and got.decision_due == datetime(2026, 3, 6, 9, 0)  # 24-hour concurrent clock
    assert not got.not_covered_days


def test_a_request_the_day_before_extends_from_the_end_date_not_from_the_request() -> None:
    case = _with_update_on(_admitted_on_march_2(), date(2026, 3, 4))
    (got,) = _answer(case, _ask(case, datetime(2026, 3, 4, 14, 0), 2))
    assert (got.status, got.approved_days, got.valid_to) == ("approved", 5, date(2026, 3, 7))


def test_a_second_extension_extends_the_first() -> None:
    case = _with_update_on(_admitted_on_march_2(), date(2026, 3, 5))
    first = _ask(case, datetime(2026, 3, 5, 9, 0), 2)
    case = _with_update_on(case, date(2026, 3, 7))
    second = first.model_copy(update={"at": datetime(2026, 3, 7, 9, 0), "additional": 1})
    got = _answer(case, first, second)
    assert [(d.status, d.approved_days, d.valid_to) for d in got] == [
        ("approved", 5, date(2026, 3, 7)),
        ("approved", 6, date(2026, 3, 8)),
    ]


def test_a_late_request_leaves_the_days_before_it_uncovered() -> None:
    case = _with_update_on(_admitted_on_march_2(), date(2026, 3, 6))
    (got,) = _answer(case, _ask(case, datetime(2026, 3, 6, 9, 0), 2))
    assert got.status == "partially_approved" and got.action_code == "A2"
    assert got.not_covered_days == [date(2026, 3, 5)]
    assert got.approved_days == 4 and got.valid_to == date(2026, 3, 7)
    late = [r for r in got.reasons if r.code == "89"]
    assert late and late[0].claim_code == "CO-210" and "2026-03-05" in late[0].message


def test_a_request_after_every_day_it_asks_for_is_denied_as_untimely() -> None:
    case = _with_update_on(_admitted_on_march_2(), date(2026, 3, 8))
    (got,) = _answer(case, _ask(case, datetime(2026, 3, 8, 9, 0), 2))
    assert got.status == "denied" and [r.code for r in got.reasons if r.kind == "denial"] == ["89"]
    assert "2026-03-05" in got.reasons[0].message and got.appeal_rights  # an adverse notice, appealable


def test_more_days_than_one_extension_allows_are_cut_to_five() -> None:
    case = _with_update_on(_admitted_on_march_2(), date(2026, 3, 5))
    (got,) = _answer(case, _ask(case, datetime(2026, 3, 5, 9, 0), 7))
    assert got.status == "partially_approved" and {r.code for r in got.reasons} >= {"87"}
    assert got.approved_days == 8 and got.valid_to == date(2026, 3, 10)


def test_an_extension_without_the_clinical_update_is_pended_for_48_hours() -> None:
    case = _with_update_on(_admitted_on_march_2(), date(2026, 3, 5))
    request = _ask(case, datetime(2026, 3, 5, 9, 0), 2).model_copy(update={"document_ids": []})
    (got,) = _answer(case, request)
    assert got.status == "pended" and got.pend_reply_by == datetime(2026, 3, 7, 9, 0)
    assert any("clinical_update" in ask for ask in got.request_for_information)


def test_an_update_that_shows_no_need_for_hospital_care_is_denied_on_the_criterion() -> None:
    case = _with_update_on(_admitted_on_march_2("stay_not_supported"), date(2026, 3, 5))
    (got,) = _answer(case, _ask(case, datetime(2026, 3, 5, 9, 0), 2))
    assert got.status == "denied" and got.failed_criteria == ["LKS-ADM-001.21"]
    assert got.reasons[0].code == "82" and got.reasons[0].claim_code == "CO-50"


def test_iop_attendance_below_the_minimum_is_denied_with_a_step_down() -> None:
    case = _case("iop_attendance_below_minimum")
    auth = prior_determination(case, library=CONTENT.library)
    assert auth is not None and auth.valid_to is not None
    (got,) = _answer(case, _ask(case, case.sim_start + timedelta(minutes=30), 16))
    assert got.status == "denied" and got.failed_criteria == ["LKS-SUD-001.23"]
    assert "ASAM level 1" in got.reasons[0].message and "step" in got.reasons[0].message


def test_iop_extension_with_attendance_above_the_minimum_adds_units_and_30_days() -> None:
    case = _case("iop_extension_supported")
    auth = prior_determination(case, library=CONTENT.library)
    assert auth is not None and auth.valid_to is not None
    assert [(ln.code, ln.units) for ln in auth.approved_lines] == [("H0015", 32)]
    (got,) = _answer(case, _ask(case, case.sim_start + timedelta(minutes=30), 16))
    assert got.status == "approved" and [(ln.code, ln.units) for ln in got.approved_lines] == [("H0015", 48)]
    assert got.valid_to == auth.valid_to + timedelta(days=30)


def test_an_unknown_authorization_number_is_returned_and_the_authorization_kept() -> None:
    case = _with_update_on(_admitted_on_march_2(), date(2026, 3, 5))
    good = _ask(case, datetime(2026, 3, 5, 9, 0), 2)
    wrong = good.model_copy(
        update={"authorization_number": "LKS0000000000", "at": datetime(2026, 3, 5, 8, 0)}
    )
    returned, approved = _answer(case, wrong, good)
    assert returned.status == "rejected" and returned.reasons[0].code == "41"
    assert "LKS0000000000" in returned.reasons[0].message and "approval notice" in returned.reasons[0].message
    assert (approved.status, approved.valid_to) == ("approved", date(2026, 3, 7))  # nothing was lost


def test_an_extension_on_a_denied_request_is_returned_with_what_to_do() -> None:
    cases = (generate_case("pends_appeals", s, content=CONTENT) for s in range(60))
    case = next(c for c in cases if c.answer_key.correct_action == "appeal")
    denied = prior_determination(case, library=CONTENT.library)
    assert denied is not None and denied.status == "denied"
    request = ExtensionRequest(at=case.sim_start, authorization_number="LKS123", additional=2)
    (got,) = _answer(case, request)
    assert got.status == "rejected" and "denied" in got.reasons[0].message
    assert "Appeal" in got.reasons[0].message


def test_an_extension_with_no_authorization_on_the_case_is_returned() -> None:
    cases = (generate_case("surgery_admissions", s, content=CONTENT) for s in range(60))
    case = next(c for c in cases if c.prior_submission is None)
    request = ExtensionRequest(at=case.sim_start, authorization_number="LKS999", additional=1)
    (got,) = _answer(case, request)
    assert got.status == "rejected" and "No authorization LKS999 is on file" in got.reasons[0].message


@pytest.mark.parametrize(("field", "value"), [("additional", 0), ("authorization_number", "")])
def test_an_extension_request_without_days_or_a_number_names_the_field(field: str, value: object) -> None:
    data = {"at": "2026-03-05T09:00:00", "authorization_number": "LKS1", "additional": 2, field: value}
    with pytest.raises(ValidationError) as exc:
        ExtensionRequest.model_validate(data)
    assert field in str(exc.value)


def test_a_pended_extension_answered_with_the_update_is_approved_from_the_original_request() -> None:
    case = _with_update_on(_admitted_on_march_2(), date(2026, 3, 5))
    bare = _ask(case, datetime(2026, 3, 5, 9, 0), 2).model_copy(update={"document_ids": []})
    reply = PendReply(at=datetime(2026, 3, 5, 15, 0), document_ids=_update_ids(case))
    pended, approved = _answer(case, bare, reply)
    assert pended.status == "pended"
    assert (approved.status, approved.approved_days, approved.valid_to) == ("approved", 5, date(2026, 3, 7))
    assert approved.received_at == reply.at and approved.decided_at >= reply.at


def test_an_update_sent_after_the_pend_window_is_not_read() -> None:
    case = _with_update_on(_admitted_on_march_2(), date(2026, 3, 5))
    bare = _ask(case, datetime(2026, 3, 5, 9, 0), 2).model_copy(update={"document_ids": []})
    reply = PendReply(at=datetime(2026, 3, 7, 10, 0), document_ids=_update_ids(case))  # 48 h ended at 09:00
    _, late = _answer(case, bare, reply)
    assert late.status == "denied" and late.reasons[0].code == "90"
