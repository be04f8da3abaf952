"""The request form sends an inpatient admission as an admission review (issue 10 item 13): the trainee
chooses "Admission review", enters the admission date and the inpatient days, and the request shows the
278 segments the payer receives (UM01 AR, DTP*435, HSD) and the days the payer approves."""

from __future__ import annotations

from typing import Any

from pages_support import World, signed_in, wait_for_reply

# surgery_admissions seed 18: the dofetilide admission at Lakeshore (3 days, two midnights documented)
MODULE, SEED = "surgery_admissions", 18


def _open(at: Any) -> None:
    at.switch_page("ui/pages/case_workspace.py").run()
    at.selectbox(key="pick_module").set_value(MODULE)
    at.text_input(key="pick_seed").input(str(SEED))
    at.button(key="pick_go").click().run()


def _codes(at: Any) -> str:
    return "\n".join(c.value for c in at.code)


def test_an_admission_review_is_sent_with_date_and_days_and_approved_in_days(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open(at)
    assert at.radio(key="ws_req_category").value == "admission"  # the order is an admission order
    labels = [n.label for n in at.number_input]
    assert "Inpatient days requested" in labels
    at.number_input(key="ws_req_duration").set_value(3)
    at.multiselect(key="ws_req_docs").set_value(["doc-02", "doc-03", "doc-04"])
    at.text_area(key="ws_req_narrative").input(
        "Elective admission for dofetilide initiation, 3 inpatient days: five doses with telemetry and a QTc "
        "check after each; the admission order expects a 3-day stay spanning two midnights."
    )
    at.button(key="ws_req_go").click().run()
    assert not at.exception and not [e.value for e in at.error]
    assert any(t.value.startswith("Request submitted: pending until") for t in at.toast)
    assert wait_for_reply(at)  # the payer decides on its review clock
    assert any(t.value.startswith("Clock advanced") and "Approved" in t.value for t in at.toast)
    sent = _codes(at)
    assert "UM*AR*I*48*21:B~" in sent and "HSD*DY*3~" in sent and "DTP*435*D8*" in sent
    assert "SV1*" not in sent  # no procedure line: the admission is not a code
    facts = "\n".join(str(v) for df in at.dataframe for v in df.value.to_dict("list").get("value", []))
    assert "3 (admission" in facts


def test_an_admission_review_without_days_names_the_field(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open(at)
    at.number_input(key="ws_req_duration").set_value(0)
    at.text_area(key="ws_req_narrative").input("Admission for dofetilide.")
    at.button(key="ws_req_go").click().run()
    assert any("Inpatient days requested" in e.value for e in at.error)
    assert not any(t.value.startswith("Request submitted") for t in at.toast)
