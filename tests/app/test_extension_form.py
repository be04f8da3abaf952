"""The workspace's extension form (concurrent review, issue 14 item 1): the trainee names the
authorization on the approval notice, the extra inpatient days and the attending's update, and sees the
payer extend the authorization; a wrong number or no days get a clear answer, and what was typed stays.

concurrent_review seed 4: the dofetilide admission at Lakeshore certified for 3 days from 2026-09-16
(authorization LKS9147741307, valid to 2026-09-19); the case starts on 2026-09-18, the day before the
end date, and the attending's update is doc-05. Two more days end on 2026-09-21 (5 days in all).
"""

from __future__ import annotations

from typing import Any

from pages_support import World, signed_in, wait_for_reply

MODULE, SEED = "concurrent_review", 4
NUMBER = "LKS9147741307"


def _plain(text: str) -> str:
    """Rendered text without the Markdown escapes md_escape adds (2026\\-09\\-19 -> 2026-09-19)."""
    return text.replace("\\", "")


def _open(at: Any) -> None:
    at.switch_page("ui/pages/case_workspace.py").run()
    at.selectbox(key="pick_module").set_value(MODULE)
    at.text_input(key="pick_seed").input(str(SEED))
    at.button(key="pick_go").click().run()


def _fill(at: Any, number: str, days: int) -> None:
    at.text_input(key="ws_ext_number").input(number)
    at.number_input(key="ws_ext_additional").set_value(days)
    at.multiselect(key="ws_ext_docs").set_value(["doc-05"])
    at.text_area(key="ws_ext_update").input("Two more doses on telemetry after the dose was reduced.")


def test_the_form_shows_the_authorization_and_its_end_date(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open(at)
    shown = _plain("\n".join(c.value for c in at.caption))
    assert f"Authorization on file: {NUMBER}" in shown and "due by 2026-09-19" in shown


def test_two_more_days_with_the_update_extend_the_authorization_to_september_21(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open(at)
    _fill(at, NUMBER, 2)
    at.button(key="ws_ext_go").click().run()
    assert not at.exception and not [e.value for e in at.error]
    wait_for_reply(at)  # the payer decides on its review clock: the trainee advances to the reply
    assert not at.exception and any(_plain(s.value).startswith("Approved") for s in at.success), [
        s.value for s in at.success
    ]
    facts = _plain(
        "\n".join(str(v) for df in at.dataframe for v in df.value.to_dict("list").get("value", []))
    )
    assert "5 (admission 2026-09-16, through 2026-09-21)" in facts


def test_a_wrong_authorization_number_gets_the_payers_answer_and_keeps_the_input(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open(at)
    _fill(at, "LKS0000000000", 2)
    at.button(key="ws_ext_go").click().run()
    assert not at.exception
    assert any(
        _plain(t.value).startswith("Extension request (concurrent review): Rejected") for t in at.toast
    )
    shown = [*at.markdown, *at.caption, *at.text, *at.error, *at.warning, *at.info]
    frames = [*at.dataframe, *at.table]
    cells = [str(v) for df in frames for col in df.value.to_dict("list").values() for v in col]
    text = _plain("\n".join([*(m.value for m in shown), *cells]))
    assert "No authorization LKS0000000000 is on file" in text
    assert at.text_input(key="ws_ext_number").value == "LKS0000000000"  # nothing typed is lost


def test_an_empty_authorization_number_names_the_field(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open(at)
    _fill(at, "", 2)
    at.button(key="ws_ext_go").click().run()
    assert any("Authorization number" in e.value for e in at.error)
    assert not any(_plain(t.value).startswith("Extension request") for t in at.toast)
    assert at.text_area(key="ws_ext_update").value.startswith("Two more doses")
