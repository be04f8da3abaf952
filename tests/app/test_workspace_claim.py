"""The workspace's claim step (issue 14 items 1 and 6), through AppTest: after the payer approves the
lumbar MRI of advanced_imaging:4 (72148 x 1, the approval's number and window from the payer's reply),
the trainee bills the claim and reads the remittance. Expected codes come from the claim rules
(docs/operations.md "Claims"): a code not on the authorization is CO-15 with N54, units over it CO-198,
a number the payer never issued CO-15 with M62; a claim matching the authorization is paid in full."""

from __future__ import annotations

from typing import Any

from pages_support import CASE, World, errors, shown, signed_in

from scenarios.generator import generate_case
from simulator import Determination, replay
from ui.widgets.case_state import CASE_KEY


def _approved(at: Any) -> Determination:
    """Open the case and play its reference work (eligibility, look-up, the complete request)."""
    at.switch_page("ui/pages/case_workspace.py").run()
    at.selectbox(key="pick_module").set_value(CASE[0])
    at.text_input(key="pick_seed").input(str(CASE[1]))
    at.button(key="pick_go").click().run()
    case = generate_case(*CASE)
    cs = at.session_state[CASE_KEY]
    cs.actions = list(case.answer_key.reference_actions)
    cs.steps = replay(case, cs.actions)
    at.run()
    assert not at.exception
    det = cs.steps[-1].result
    assert isinstance(det, Determination) and det.status == "approved"
    return det


def _submit(at: Any) -> None:
    at.button(key="ws_claim_go").click().run()
    assert not at.exception


def _said(at: Any) -> str:
    return "\n".join(shown(m.value) for m in at.markdown)


def _notes(at: Any) -> list[str]:
    """The payer's note on each remittance line (the lines table)."""
    return [n for d in at.dataframe if "Payer's note" in d.value.columns for n in d.value["Payer's note"]]


def _remittance(at: Any) -> str:
    return "\n".join(shown(e.value) for e in [*at.success, *at.warning, *at.error])


def test_claim_step_pays_a_matching_claim_and_denies_mismatches_with_claim_codes(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    det = _approved(at)
    assert "What the provider reports was done" in _said(at)
    at.text_input(key="ws_claim_auth").input(det.authorization_number or "")

    # the claim as the authorization states it: 72148 x 1 on the approved date, authorized site
    at.text_input(key="ws_claim_code_0").input("72148")
    at.number_input(key="ws_claim_units_0").set_value(1)
    at.date_input(key="ws_claim_date_0").set_value(det.valid_from)
    at.text_input(key="ws_claim_pos").input("22")
    _submit(at)
    assert "Paid in full" in _remittance(at), _remittance(at)

    # one more unit than authorized: CO-198 on the line, the authorized unit still paid
    at.number_input(key="ws_claim_units_0").set_value(2)
    _submit(at)
    said = _said(at)
    assert "Paid in part" in _remittance(at)
    assert "CO-198" in said and "claim adjustment reason code (CARC)" in said
    assert "Precertification/notification/authorization/pre-treatment exceeded" in said
    assert "not the authorization's 278 reasons" in said  # labelled as claim codes

    # a code the authorization does not carry: CO-15 with N54
    at.number_input(key="ws_claim_units_0").set_value(1)
    at.text_input(key="ws_claim_code_0").input("72158")
    _submit(at)
    said = _said(at)
    assert "Denied" in _remittance(at)
    assert "CO-15" in said and "N54" in said
    assert "Claim information is inconsistent with pre-certified/authorized services" in said

    # an authorization number the payer never issued: a clear answer, CO-15 with M62
    at.text_input(key="ws_claim_code_0").input("72148")
    at.text_input(key="ws_claim_auth").input("NOPE-12345")
    _submit(at)
    said = _said(at)
    assert "Denied" in _remittance(at)
    assert "M62" in said and "Missing/incomplete/invalid treatment authorization code" in said
    assert any("NOPE-12345 was not issued by this payer" in n for n in _notes(at))


def test_bad_claim_input_names_the_field_and_sends_nothing(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _approved(at)
    at.text_input(key="ws_claim_code_0").input("72l48")
    _submit(at)
    said = errors(at)
    assert any("Line 1 code" in e and "nothing was sent" in e for e in said), said
    assert "Remittance (835)" not in _remittance(at)  # nothing was sent
    at.text_input(key="ws_claim_code_0").input("72148")
    at.text_input(key="ws_claim_npi").input("1234567890")  # Luhn check digit wrong
    _submit(at)
    assert any("Rendering provider NPI" in e for e in errors(at)), errors(at)
    at.text_input(key="ws_claim_npi").input("<b>x</b>")
    _submit(at)
    assert any("<b>x</b>" in e for e in errors(at))  # typed text stays text


def test_a_claim_on_a_denied_request_gets_a_clear_co_197(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    at.switch_page("ui/pages/case_workspace.py").run()
    at.selectbox(key="pick_module").set_value("pends_appeals")
    at.text_input(key="pick_seed").input("1")  # the earlier request was denied: nothing is authorized
    at.button(key="pick_go").click().run()
    assert not at.exception
    _submit(at)  # billed anyway, with no authorization number
    said = _said(at)
    assert "Denied" in _remittance(at) and "CO-197" in said
    assert "Precertification/authorization/notification/pre-treatment absent" in said
    assert any("No authorization on file" in n for n in _notes(at))


def test_updating_the_authorization_before_billing_gets_the_performed_service_paid(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    det = _approved(at)
    # the archetype (mri_meets) declares the MRI rescheduled past the approval's last valid day
    moved = at.date_input(key="ws_claim_date_0").value
    assert det.valid_to is not None and moved > det.valid_to
    at.text_input(key="ws_claim_auth").input(det.authorization_number or "")
    _submit(at)  # billed as performed, without an update: CO-15 with N54
    said = _said(at)
    assert "Denied" in _remittance(at) and "CO-15" in said and "N54" in said
    assert any("after the authorization expired" in n for n in _notes(at))
    at.button(key="ws_claim_update").click().run()  # after the claim: past the payer's window
    assert not at.exception
    assert any("Update refused" in e and "expired" in e for e in errors(at)), errors(at)


def test_an_update_asked_before_billing_moves_the_window_and_the_claim_is_paid(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    det = _approved(at)
    at.text_input(key="ws_claim_auth").input(det.authorization_number or "")
    at.button(key="ws_claim_update").click().run()  # the reschedule is known before the service
    assert not at.exception
    said = [shown(s.value) for s in at.success]
    assert any("Payer's answer to the update" in s and "updated" in s for s in said), said
    _submit(at)
    assert "Paid in full" in _remittance(at), _remittance(at)


def test_an_update_on_an_unknown_number_gets_a_clear_answer(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _approved(at)
    at.text_input(key="ws_claim_auth").input("NOPE-1")
    at.button(key="ws_claim_update").click().run()
    assert not at.exception
    assert any("no authorization NOPE-1 on file" in e for e in errors(at)), errors(at)
