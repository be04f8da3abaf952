"""The claim stage's rules, with expected answers written by hand from them (docs/operations.md "Claims")
and from the X12 code lists (docs/sources.md#claims-and-remittance), never from the adjudicator's output.

One authorization throughout: LKS-0001, approved for 72148 x 2, member LKS123456789, rendering NPI
1234567893, place of service 22, valid 2026-03-10 to 2026-05-09."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from simulator.claim_updates import AuthUpdate, update_authorization
from simulator.claims import (
    CODES_FILE,
    Authorization,
    Claim,
    ClaimCodeError,
    ClaimLine,
    adjudicate_claim,
    claim_codes,
    parse_claim_codes,
)
from simulator.models import ApprovedLine

MEMBER, NPI, OTHER_NPI = "LKS123456789", "1234567893", "1003000126"
AUTH = Authorization(
    number="LKS-0001",
    status="approved",
    member_id=MEMBER,
    servicing_npi=NPI,
    place_of_service="22",
    lines=[ApprovedLine(code="72148", units=2)],
    valid_from=date(2026, 3, 10),
    valid_to=date(2026, 5, 9),
)
NEEDS = {"72148", "72149", "72158"}
AS_OF = date(2026, 6, 1)


def line(code: str = "72148", units: int = 1, day: date = date(2026, 3, 20), charge: int = 1000) -> ClaimLine:
    return ClaimLine(code=code, units=units, service_date=day, charge=charge, diagnosis_pointers=[1])


def claim(*lines: ClaimLine, number: str | None = "LKS-0001", **over: object) -> Claim:
    fields: dict[str, object] = {
        "claim_id": "CLM-1",
        "member_id": MEMBER,
        "billing_npi": NPI,
        "rendering_npi": NPI,
        "place_of_service": "22",
        "diagnoses": ["M54.16"],
        "prior_auth_number": number,
        "lines": list(lines) or [line()],
    }
    fields.update(over)
    return Claim.model_validate(fields)


def adjudicate(c: Claim, auths: list[Authorization] | None = None):  # type: ignore[no-untyped-def]
    return adjudicate_claim(c, [AUTH] if auths is None else auths, auth_required_codes=NEEDS, as_of=AS_OF)


def codes(remit) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    return [(a.label, a.rarc) for a in remit.adjustments]


# paid
def test_a_claim_that_matches_the_authorization_is_paid_in_full() -> None:
    remit = adjudicate(claim(line(units=2, charge=1800)))
    assert remit.status == "paid" and remit.total_paid == 1800 and remit.adjustments == []
    assert remit.lines[0].status == "paid"


def test_a_code_that_needs_no_authorization_is_paid_without_one() -> None:
    remit = adjudicate(claim(line(code="99213", charge=150), number=None), auths=[])
    assert remit.status == "paid" and remit.total_paid == 150


def test_the_auth_number_is_read_without_case_or_spaces() -> None:
    assert adjudicate(claim(number="  lks-0001 ")).status == "paid"


# units
def test_units_over_the_authorization_get_co_198_on_that_line_and_the_rest_is_paid() -> None:
    remit = adjudicate(claim(line(units=3, charge=900)))  # $300 a unit, 2 authorized
    assert codes(remit) == [("CO-198", [])]
    assert remit.lines[0].status == "partially_paid" and remit.lines[0].paid == 600
    assert remit.adjustments[0].amount == 300 and remit.status == "partially_paid"


def test_two_lines_share_the_units_of_one_authorized_code() -> None:
    remit = adjudicate(claim(line(units=2, charge=600), line(units=1, charge=300)))
    assert [r.status for r in remit.lines] == ["paid", "denied"]
    assert codes(remit) == [("CO-198", [])] and remit.total_paid == 600


# no authorization
def test_no_authorization_on_file_is_co_197() -> None:
    remit = adjudicate(claim(number=None), auths=[])
    assert codes(remit) == [("CO-197", [])] and remit.status == "denied" and remit.total_paid == 0
    assert remit.adjustments[0].group == "CO" and remit.adjustments[0].amount == 1000


def test_a_denied_authorization_is_no_authorization_in_force_co_197() -> None:
    denied = AUTH.model_copy(update={"status": "denied", "lines": [], "valid_from": None, "valid_to": None})
    assert codes(adjudicate(claim(), auths=[denied])) == [("CO-197", [])]
    unnumbered = denied.model_copy(update={"number": None})
    remit = adjudicate(claim(number=None), auths=[unnumbered])
    assert codes(remit) == [("CO-197", [])] and "No authorization on file" in remit.lines[0].message


def test_a_number_left_off_when_an_authorization_covers_the_code_is_co_15_m62() -> None:
    remit = adjudicate(claim(number=None))
    assert codes(remit) == [("CO-15", ["M62"])] and "LKS-0001" in remit.lines[0].message


def test_an_unknown_authorization_number_gets_a_clear_answer_co_15_m62() -> None:
    remit = adjudicate(claim(number="LKS-9999"))
    assert codes(remit) == [("CO-15", ["M62"])] and remit.status == "denied"
    assert "LKS-9999 was not issued by this payer" in remit.lines[0].message


# mismatches: CO-15 with N54
@pytest.mark.parametrize(
    ("claim_", "said"),
    [
        (claim(line(code="72149")), "code 72149 is not on the authorization"),
        (claim(line(day=date(2026, 5, 10))), "after the authorization expired (2026-05-09)"),
        (claim(line(day=date(2026, 3, 9))), "before the window opens (2026-03-10)"),
        (claim(place_of_service="24"), "place of service 24 is not the authorized place of service 22"),
        (
            claim(rendering_npi=OTHER_NPI),
            f"rendering provider NPI {OTHER_NPI} is not the authorized provider",
        ),
        (claim(member_id="LKS999999999"), "is for another member"),
    ],
    ids=["code", "expired", "early", "site", "provider", "member"],
)
def test_an_authorization_that_does_not_match_the_claim_is_co_15_with_n54(claim_: Claim, said: str) -> None:
    remit = adjudicate(claim_)
    assert codes(remit) == [("CO-15", ["N54"])] and remit.total_paid == 0
    assert said in remit.lines[0].message


def test_the_last_day_of_the_window_is_inside_it() -> None:
    assert adjudicate(claim(line(day=date(2026, 5, 9)))).status == "paid"


def test_a_mixed_claim_is_paid_in_part_line_by_line() -> None:
    remit = adjudicate(claim(line(charge=500), line(code="72158", charge=700)))
    assert [r.status for r in remit.lines] == ["paid", "denied"]
    assert remit.status == "partially_paid" and remit.total_paid == 500 and remit.total_charge == 1200


def test_a_claim_for_a_service_not_yet_performed_is_rejected_before_adjudication() -> None:
    remit = adjudicate_claim(claim(), [AUTH], auth_required_codes=NEEDS, as_of=date(2026, 3, 15))
    assert remit.status == "rejected" and remit.lines == [] and "2026-03-20" in remit.message


def test_adjudication_is_deterministic() -> None:
    c = claim(line(units=3, charge=900), line(code="72149"))
    assert adjudicate(c) == adjudicate(c)


# the code list (wording from the X12 CARC/RARC lists)
def test_the_shipped_codes_carry_the_x12_wording() -> None:
    table = claim_codes()
    assert table.carc["197"].text == "Precertification/authorization/notification/pre-treatment absent."
    assert table.carc["198"].text == "Precertification/notification/authorization/pre-treatment exceeded."
    assert table.carc["15"].text == (
        "The authorization number is missing, invalid, or does not apply to the billed services or provider."
    )
    assert (
        table.rarc["N54"].text == "Claim information is inconsistent with pre-certified/authorized services."
    )
    assert table.groups["CO"].text == "Contractual Obligations"


def test_a_code_file_naming_an_unknown_code_fails_with_the_path() -> None:
    text = CODES_FILE.read_text(encoding="utf-8")
    broken = text.replace('carc: "198"', 'carc: "999"')
    with pytest.raises(ClaimCodeError, match=r"findings > units_exceeded > carc: '999' is not in carc"):
        parse_claim_codes(broken, "broken.yaml")
    with pytest.raises(ClaimCodeError, match=r"broken.yaml: not valid YAML"):
        parse_claim_codes("groups: [", "broken.yaml")
    missing = text.replace("  units_exceeded:", "  units_exceded:")
    with pytest.raises(ClaimCodeError, match="units_exceded"):
        parse_claim_codes(missing, "broken.yaml")


# bad input on the claim itself
@pytest.mark.parametrize(
    ("over", "said"),
    [
        ({"billing_npi": "1234567890"}, "not a valid NPI"),
        ({"place_of_service": "2"}, "place_of_service"),
        ({"diagnoses": ["M5416X!"]}, "not an ICD-10-CM code"),
        ({"lines": []}, "lines"),
    ],
)
def test_a_malformed_claim_is_refused_naming_the_field(over: dict[str, object], said: str) -> None:
    with pytest.raises(ValidationError, match=said):
        claim(**over)


def test_a_line_is_refused_for_bad_units_code_modifier_or_pointer() -> None:
    with pytest.raises(ValidationError, match="units"):
        ClaimLine(code="72148", units=0, service_date=date(2026, 3, 20), charge=1, diagnosis_pointers=[1])
    with pytest.raises(ValidationError, match="not a CPT or HCPCS code"):
        line(code="7214")
    with pytest.raises(ValidationError, match="a modifier is two letters or digits"):
        ClaimLine(
            code="72148",
            units=1,
            modifiers=["RTX"],
            service_date=date(2026, 3, 20),
            charge=1,
            diagnosis_pointers=[1],
        )
    bad = ClaimLine(code="72148", units=1, service_date=date(2026, 3, 20), charge=1, diagnosis_pointers=[2])
    with pytest.raises(ValidationError, match="diagnosis pointer 2 points past the claim's 1 diagnosis"):
        claim(bad)


# authorization updates (the payer's window: 2 days here)
def ask(
    day: date = date(2026, 3, 20),
    pos: str = "22",
    code: str = "72148",
    units: int = 2,
    number: str = "LKS-0001",
):  # type: ignore[no-untyped-def]
    return AuthUpdate(
        number=number, date_of_service=day, place_of_service=pos, lines=[ApprovedLine(code=code, units=units)]
    )


def update(request, on: date, auths: list[Authorization] | None = None):  # type: ignore[no-untyped-def]
    return update_authorization(
        request, [AUTH] if auths is None else auths, window_days=2, allowed_codes=NEEDS, as_of=on
    )


def test_a_code_change_updated_within_the_window_makes_the_claim_payable() -> None:
    reply = update(ask(code="72149", units=1), on=date(2026, 3, 22))  # 2 days after the service
    assert reply.accepted and reply.authorization is not None
    assert [(x.code, x.units) for x in reply.authorization.lines] == [("72149", 1)]
    remit = adjudicate(claim(line(code="72149")), auths=[reply.authorization])
    assert remit.status == "paid"


def test_a_site_change_and_more_units_are_updated_too() -> None:
    reply = update(ask(pos="24", units=3), on=date(2026, 3, 20))
    assert reply.accepted and reply.authorization is not None
    assert reply.authorization.place_of_service == "24" and reply.authorization.lines[0].units == 3
    assert reply.authorization.valid_from == AUTH.valid_from and reply.authorization.valid_to == AUTH.valid_to


def test_a_moved_date_moves_the_validity_window() -> None:
    reply = update(ask(day=date(2026, 5, 20)), on=date(2026, 5, 1))  # asked before the approval ran out
    assert reply.accepted and reply.authorization is not None
    assert reply.authorization.valid_from == date(2026, 5, 20)
    assert reply.authorization.valid_to == date(2026, 7, 19)  # the same 60-day span
    assert adjudicate(claim(line(day=date(2026, 5, 20))), auths=[reply.authorization]).status == "paid"


def test_an_update_after_the_window_is_refused_and_the_claim_still_fails() -> None:
    reply = update(ask(code="72149", units=1), on=date(2026, 3, 23))  # 3 days after the service
    assert not reply.accepted and reply.authorization is None
    assert "update window for a change is 2 day(s) after the service (2026-03-20)" in reply.message


def test_an_expired_authorization_cannot_be_updated() -> None:
    reply = update(ask(day=date(2026, 5, 20)), on=date(2026, 5, 12))  # 3 days after it expired on 05-09
    assert not reply.accepted and "expired on 2026-05-09" in reply.message
    assert "request a new authorization" in reply.message


@pytest.mark.parametrize(
    ("request_", "auths", "said"),
    [
        (ask(number="LKS-9999"), None, "no authorization LKS-9999 on file"),
        (ask(), [AUTH.model_copy(update={"status": "denied"})], "is denied; only an approval can be updated"),
        (ask(code="27447"), None, "27447 is not a service this authorization's policy governs"),
    ],
    ids=["unknown", "denied", "another service"],
)
def test_an_update_that_cannot_be_made_gets_a_clear_answer(
    request_: AuthUpdate, auths: list[Authorization] | None, said: str
) -> None:
    reply = update(request_, on=date(2026, 3, 20), auths=auths)
    assert not reply.accepted and said in reply.message


def test_the_determination_notice_and_the_claim_stage_word_the_same_codes_alike() -> None:
    """A denial's "the claim denial this becomes" (knowledge_base.x12.CLAIM_CODES) and the remittance
    quote one wording per code."""
    from knowledge_base.x12 import CLAIM_CODES

    table = claim_codes()
    for label, text in CLAIM_CODES.items():
        code = label.split("-", 1)[-1]
        ours = table.carc.get(code) or table.rarc.get(code)
        if ours is not None:
            assert ours.text.rstrip(".") == text.rstrip("."), label
