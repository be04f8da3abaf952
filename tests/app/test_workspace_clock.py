"""The workspace's simulated clock (issue 12 item 10): a decision shows when the clock reaches it,
"Advance the clock" waits for it (to the next reply, or by hours or days within limits), and a
deadline passed while waiting has the payer's consequence."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from pages_support import World, shown, signed_in

from scenarios import generate_case
from ui.widgets import workflow
from ui.widgets.case_state import CASE_KEY


def _open(at: Any, module: str, seed: int) -> None:
    at.switch_page("ui/pages/case_workspace.py").run()
    at.selectbox(key="pick_module").set_value(module)
    at.text_input(key="pick_seed").input(str(seed))
    at.button(key="pick_go").click().run()
    assert not at.exception


# ----- the rules, without a browser ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "unit", "message"),
    [
        (0, "hours", "outside 1-72"),
        (73, "hours", "outside 1-72"),
        (31, "days", "outside 1-30"),
        (1.5, "days", "not a whole number"),
        (2, "weeks", "must be hours or days"),
    ],
)
def test_advancing_by_hand_stays_within_limits(amount: Any, unit: str, message: str) -> None:
    case = generate_case("advanced_imaging", 4)
    with pytest.raises(ValueError, match="Advance by") as err:
        workflow.advance_clock(case, [], [], amount=amount, unit=unit)
    assert message in str(err.value)


def test_advancing_by_hours_and_days_counts_from_the_simulated_time() -> None:
    case = generate_case("advanced_imaging", 4)
    assert workflow.advance_clock(case, [], [], amount=4, unit="hours").at == case.sim_start + timedelta(
        hours=4
    )
    assert workflow.advance_clock(case, [], [], amount=2, unit="days").at == case.sim_start + timedelta(
        days=2
    )


def test_nothing_pending_means_no_next_reply() -> None:
    case = generate_case("advanced_imaging", 4)
    with pytest.raises(ValueError, match="no reply is pending"):
        workflow.advance_clock(case, [], [])


def test_deadlines_ahead_name_their_consequence() -> None:
    case = generate_case("pends_appeals", 3)  # a CPAP request pended for the sleep study
    pended = workflow.current_determination(case, [])
    assert pended is not None and pended.pend_reply_by is not None
    ahead = workflow.deadlines(pended, case.sim_start)
    assert ahead[0][0] == pended.pend_reply_by and "denies the request" in ahead[0][1]
    assert workflow.deadlines(pended, pended.pend_reply_by + timedelta(minutes=1)) == []
    assert workflow.deadlines(None, datetime(2026, 1, 1)) == []


# ----- in the workspace ---------------------------------------------------------------------------


def test_a_request_is_decided_when_the_clock_reaches_the_decision(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open(at, "advanced_imaging", 4)
    at.button(key="ws_elig_go").click().run()
    assert "ws_clock_next" not in [b.key for b in at.button]  # an eligibility reply is immediate
    at.multiselect(key="ws_req_docs").set_value(["doc-03", "doc-04"])
    at.text_area(key="ws_req_narrative").input(
        "Eight weeks of failed physical therapy; follow-up exam documented."
    )
    at.button(key="ws_req_go").click().run()
    assert not at.exception
    pending = "\n".join(shown(i.value) for i in at.info)
    assert "Pending. The payer's decision is due" in pending
    assert not any("action code" in s.value for s in at.success)
    at.button(key="ws_finish").click().run()  # finishing now: told that a reply is still pending
    assert "A reply is still pending" in "\n".join(shown(w.value) for w in at.warning)
    at.button(key="ws_finish_cancel").click().run()
    waiting = next(m.value for m in at.markdown if "Waiting for" in m.value)
    nxt = at.button(key="ws_clock_next")
    assert nxt.proto.type == "primary" and nxt.label.split(" to ")[1] in waiting
    nxt.click().run()
    assert not at.exception
    assert any("Approved — action code A1" in s.value for s in at.success)
    cs = at.session_state[CASE_KEY]
    assert [a.type for a in cs.actions] == ["eligibility", "submission", "advance_clock"]
    assert cs.actions[-1].to == "next_event"
    assert "ws_clock_next" not in [b.key for b in at.button]  # nothing else is pending


def test_waiting_past_the_pend_window_denies_the_request(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open(at, "pends_appeals", 3)
    assert any("reply-by" in c.value for c in at.caption)  # the deadline is shown with its consequence
    for _ in range(2):  # 60 days: beyond the pend's reply window
        at.number_input(key="ws_clock_n").set_value(30)
        at.selectbox(key="ws_clock_unit").set_value("days")
        at.button(key="ws_clock_by").click().run()
        assert not at.exception
    said = "\n".join(shown(w.value) for w in at.warning)
    assert "While you waited" in said and "reply window closed" in said
    assert any(e.value.startswith("Denied") for e in at.error)
    assert "Standing decision:** denied" in "\n".join(m.value for m in at.markdown)


def test_the_provider_reply_arrives_after_a_query(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open(at, "advanced_imaging", 2)  # 3 weeks of therapy where Cardinal asks for 6
    at.text_area(key="ws_query_message").input("Has the patient had 6 weeks of physical therapy?")
    at.button(key="ws_query_go").click().run()
    assert not at.exception
    assert "The ordering office's reply is due" in "\n".join(shown(i.value) for i in at.info)
    at.button(key="ws_clock_next").click().run()
    said = "\n".join(shown(i.value) for i in at.info)
    assert "Reply from April Hayes, PA-C's office" in said and "do not send the request yet" in said
    assert any("Not done" in m.value for m in at.markdown)
