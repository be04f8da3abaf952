"""A case after the service: the performed service, the claim built from it and its cost.

The agreement test states, for each kind of change to the performed service, the claim code the
rules give when the claim bills what was performed under the approval's number (docs/operations.md
"Claims"): as ordered → paid; one more unit → CO-198; another code → CO-15/N54; date moved past the
window → CO-15/N54; site changed → CO-15/N54. It compares the adjudicator with that table over
generated cases whose reference work is approved in full."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from knowledge_base.loader import load_library
from operations.claims import (
    authorizations_on_file,
    claim_cost,
    claim_from_form,
    draft_claim,
    performed_service,
    request_update,
    submit_claim,
    update_requested_on,
)
from operations.revenue import service_value
from scenarios import module_ids
from scenarios.content import load_service_lines
from scenarios.generator import generate_case
from simulator import replay

EXPECTED = {  # change -> the codes on the remittance (label, RARCs), written from the rules
    "as_ordered": [],
    "unit_added": [("CO-198", [])],
    "code_changed": [("CO-15", ["N54"])],
    "date_moved": [("CO-15", ["N54"])],
    "site_changed": [("CO-15", ["N54"])],
}
SEEDS = range(12)
# the payer manuals' update windows (authorization_update_days), as their "Authorization updates" say
WINDOW = {"lakeshore": 2, "cardinal": 2, "prairie": 5}
BILLING_LAG = 3  # days from the service to the payer receiving the claim (docs/operations.md)


@pytest.fixture(scope="module")
def library():  # type: ignore[no-untyped-def]
    return load_library()


def _approved_cases(library):  # type: ignore[no-untyped-def]
    for module in module_ids():
        for seed in SEEDS:
            case = generate_case(module, seed)
            sub = case.answer_key.reference_submission
            if case.prior_submission is not None or sub is None or not case.order.procedures:
                continue
            ordered = sorted((p.code.code, p.units) for p in case.order.procedures)
            if sorted((p.code, p.units) for p in sub.procedures) != ordered:
                continue  # the reference request is not the order as written (a coding lesson)
            if sub.place_of_service != case.order.place_of_service:
                continue
            actions = list(case.answer_key.reference_actions)
            steps = replay(case, actions, library=library)
            det = steps[-1].result
            if getattr(det, "status", None) == "approved":
                yield case, actions, steps, det


def test_billing_the_performed_service_gets_the_codes_its_change_calls_for(library) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, int] = {}
    for case, actions, steps, det in _approved_cases(library):
        performed = performed_service(case, det.valid_to, library=library)
        if performed.change == "date_moved":
            assert performed.date_of_service > det.valid_to
        claim = draft_claim(case, performed, det.authorization_number)
        remit = submit_claim(
            case, claim, actions, steps, as_of=performed.date_of_service + timedelta(days=3), library=library
        )
        got = {(a.label, tuple(a.rarc)) for a in remit.adjustments}  # one per line it touches
        want = {(label, tuple(rarc)) for label, rarc in EXPECTED[performed.change]}
        assert got == want, (case.case_id, performed.change, remit.lines)
        seen[performed.change] = seen.get(performed.change, 0) + 1
    assert set(seen) == set(EXPECTED), seen  # every kind of change is exercised


def test_an_update_before_billing_pays_the_claim_and_one_after_billing_only_within_the_window(
    library,
) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for case, actions, steps, det in _approved_cases(library):
        performed = performed_service(case, det.valid_to, library=library)
        if performed.change == "as_ordered":
            continue
        now = actions[-1].at
        early = update_requested_on(performed, now, billed=False)
        before = request_update(
            case, performed, det.authorization_number, actions, steps, as_of=early, library=library
        )
        assert before.accepted, (case.case_id, before.message)
        claim = draft_claim(case, performed, det.authorization_number)
        received = performed.date_of_service + timedelta(days=BILLING_LAG)
        assert received >= now.date()  # the reference work ends before the service
        remit = submit_claim(
            case, claim, actions, steps, as_of=received, updated=[before.authorization], library=library
        )
        assert remit.status == "paid", (case.case_id, performed.change, remit.lines)
        # billed first, the office learns of the mismatch from the remittance and asks on the day received
        late = request_update(
            case,
            performed,
            det.authorization_number,
            actions,
            steps,
            as_of=update_requested_on(performed, now, billed=True),
            library=library,
        )
        window = WINDOW[case.coverage.payer_id]
        expected = performed.change != "date_moved" and window >= BILLING_LAG  # a moved date: expired by then
        assert late.accepted == expected, (case.case_id, performed.change, late.message)
        checked += 1
    assert checked >= 10


def test_the_performed_service_is_fixed_by_the_case(library) -> None:  # type: ignore[no-untyped-def]
    case = generate_case("advanced_imaging", 4)
    assert performed_service(case, library=library) == performed_service(case, library=library)


def test_a_claim_on_a_denied_request_gets_co_197(library) -> None:  # type: ignore[no-untyped-def]
    case = generate_case("pends_appeals", 1)  # the earlier request was denied
    auths = authorizations_on_file(case, [], [], library=library)
    assert [a.status for a in auths] == ["denied"] and auths[0].number is None
    performed = performed_service(case, library=library)
    claim = draft_claim(case, performed, None)
    remit = submit_claim(
        case, claim, [], [], as_of=performed.date_of_service + timedelta(days=3), library=library
    )
    assert remit.status == "denied" and {a.label for a in remit.adjustments} == {"CO-197"}


def test_claim_cost_puts_the_claim_next_to_the_service_value(library) -> None:  # type: ignore[no-untyped-def]
    case = generate_case("advanced_imaging", 4)
    steps = replay(case, list(case.answer_key.reference_actions), library=library)
    det = steps[-1].result
    performed = performed_service(case, det.valid_to, library=library)
    claim = draft_claim(case, performed, det.authorization_number)
    doubled = claim.model_copy(
        update={
            "lines": [
                claim.lines[0].model_copy(
                    update={"code": "72148", "units": 2, "service_date": det.valid_from}
                )
            ]
        }
    )
    remit = submit_claim(
        case, doubled, case.answer_key.reference_actions, steps, as_of=date(2027, 1, 1), library=library
    )
    cost = claim_cost(case, remit)
    spec = load_service_lines()[case.order.service_line]
    assert cost.service_value == service_value(spec.revenue, case.module_id, case.seed)
    assert cost.billed == doubled.lines[0].charge and cost.paid == doubled.lines[0].charge // 2
    assert cost.unpaid == cost.billed - cost.paid
    assert cost.fixes == [
        "CO-198: Request the units the service will use, and update the authorization when more are performed."
    ]


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("place_of_service", "ASC", "Place of service"),
        ("rendering_npi", "123", "Rendering provider NPI"),
        ("units", 0, "Line 1 units"),
        ("service_date", "next week", "Line 1 date of service"),
        ("modifiers", "RT LEFT", "Line 1 modifiers"),
    ],
)
def test_bad_form_input_names_the_field(library, field: str, value: object, said: str) -> None:  # type: ignore[no-untyped-def]
    case = generate_case("advanced_imaging", 4)
    draft = draft_claim(case, performed_service(case, library=library))
    form: dict[str, object] = {
        "auth_number": "",
        "place_of_service": "22",
        "rendering_npi": draft.rendering_npi,
    }
    line: dict[str, object] = {
        "code": "72148",
        "modifiers": "",
        "units": 1,
        "service_date": date(2026, 10, 5),
    }
    if field in line:
        line[field] = value
    else:
        form[field] = value
    with pytest.raises(ValueError, match=said) as err:
        claim_from_form(draft, lines=[line], **form)  # type: ignore[arg-type]
    assert "nothing was sent" in str(err.value)


def test_a_service_the_payer_exempts_on_this_order_is_paid_without_an_authorization(library) -> None:  # type: ignore[no-untyped-def]
    # Prairie needs no authorization for a lumbar MRI (72148) an orthopaedic surgeon orders (its policy);
    # the same claim for the contrast MRI (72149), which has no such exemption, needs one: CO-197
    case = generate_case("needs_authorization", 0)
    assert case.archetype_id == "prairie_ortho_mri"
    actions = list(case.answer_key.reference_actions)
    steps = replay(case, actions, library=library)
    performed = performed_service(case, library=library)
    claim = draft_claim(case, performed, None)
    as_of = performed.date_of_service + timedelta(days=3)
    as_ordered = claim.model_copy(
        update={
            "lines": [
                claim.lines[0].model_copy(
                    update={"code": "72148", "service_date": case.order.date_of_service}
                )
            ]
        }
    )
    assert submit_claim(case, as_ordered, actions, steps, as_of=as_of, library=library).status == "paid"
    contrast = as_ordered.model_copy(
        update={"lines": [as_ordered.lines[0].model_copy(update={"code": "72149"})]}
    )
    remit = submit_claim(case, contrast, actions, steps, as_of=as_of, library=library)
    assert [a.label for a in remit.adjustments] == ["CO-197"]
