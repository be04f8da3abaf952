"""The case workspace as a new user meets it (issue 12 items 3 and 4): "Finish and grade" asks first,
says what was not done and sits below the forms; an empty attempt is graded as empty."""

from __future__ import annotations

from typing import Any

from pages_support import CASE, World, shown, signed_in


def _open(at: Any, module: str = CASE[0], seed: int = CASE[1]) -> None:
    at.switch_page("ui/pages/case_workspace.py").run()
    at.selectbox(key="pick_module").set_value(module)
    at.text_input(key="pick_seed").input(str(seed))
    at.button(key="pick_go").click().run()


def _warnings(at: Any) -> str:
    return "\n".join(shown(w.value) for w in at.warning)


def test_finish_asks_first_and_says_what_was_not_done(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open(at)
    finish = at.button(key="ws_finish")
    assert finish.proto.type != "primary"  # not styled as the page's main action
    keys = [b.key for b in at.button]
    assert keys.index("ws_finish") > keys.index("ws_req_go")  # below the forms, not beside the clock
    finish.click().run()
    assert not at.exception and "Grade report" not in [h.value for h in at.header]  # nothing graded yet
    said = _warnings(at)
    assert "No eligibility check" in said and "No request was sent" in said
    at.button(key="ws_finish_cancel").click().run()
    assert "Grade report" not in [h.value for h in at.header]
    assert "ws_finish_confirm" not in [b.key for b in at.button]

    at.button(key="ws_elig_go").click().run()
    at.button(key="ws_finish").click().run()
    said = _warnings(at)
    assert "No eligibility check" not in said and "No request was sent" in said


def test_an_attempt_with_no_actions_is_graded_as_empty(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open(at)
    at.button(key="ws_finish").click().run()
    at.button(key="ws_finish_confirm").click().run()
    assert not at.exception and "Grade report" in [h.value for h in at.header]
    score = next(e.value for e in at.error if e.value.startswith("Score "))
    assert score.startswith("Score 0.0 / 100") and "NOT PASSED" in score
    outcome = next(m for m in at.metric if m.label == "Outcome")
    assert outcome.value == "0%"


def _under(node: Any, label: str) -> Any:
    """The tab (or expander) labelled ``label`` anywhere below ``node``."""
    stack = [node]
    while stack:
        n = stack.pop()
        if getattr(n, "label", None) == label and getattr(n, "type", "") == "tab":
            return n
        stack.extend(getattr(n, "children", {}).values())
    raise AssertionError(f"no tab {label!r}")


def _markdown_below(node: Any) -> list[str]:
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if getattr(n, "type", "") == "markdown":
            out.append(n.value)
        stack.extend(getattr(n, "children", {}).values())
    return out


def test_the_reply_appears_under_the_action_in_the_same_tab_with_a_toast(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open(at, "pends_appeals", 3)  # a CPAP request pended for the sleep study
    at.multiselect(key="ws_pend_docs").set_value(["doc-05"])
    at.button(key="ws_pend_go").click().run()
    assert not at.exception
    follow = _under(at._tree, "Pend, appeal, peer-to-peer")
    assert any("Latest payer reply" in m for m in _markdown_below(follow))  # under the form that sent it
    request = _under(at._tree, "Request")
    assert not any("Latest payer reply" in m for m in _markdown_below(request))
    assert at.session_state["ws_tab"] == "Pend, appeal, peer-to-peer"  # the tab stays open
    # the payer decides the next business day: pending until the trainee advances the clock
    assert any(t.value.startswith("Pend reply: pending until") for t in at.toast)
    assert any("Pending." in i.value for i in at.info)
    at.button(key="ws_clock_next").click().run()
    assert not at.exception
    assert any(t.value.startswith("Clock advanced") and "Approved" in t.value for t in at.toast)
    follow = _under(at._tree, "Pend, appeal, peer-to-peer")
    assert any("Latest payer reply" in m for m in _markdown_below(follow))
    assert at.session_state["ws_tab"] == "Pend, appeal, peer-to-peer"


def test_a_duplicate_request_is_warned_and_held_until_confirmed(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open(at, "pends_appeals", 1)  # the earlier lumbar-MRI request was denied
    assert "already sent on this case" in _warnings(at)  # the form repeats it as it stands
    at.text_area(key="ws_req_narrative").input("Same request again.")
    at.button(key="ws_req_go").click().run()
    assert any("Duplicate request" in e.value for e in at.error) and not at.toast
    assert any("Simulated time" in m.value and "Request submitted" not in m.value for m in at.markdown)
    at.checkbox(key="ws_req_dup_ok").check().run()
    at.button(key="ws_req_go").click().run()
    assert not at.exception and any(t.value.startswith("Request submitted") for t in at.toast)


def test_a_second_appeal_at_the_same_level_is_warned(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    _open(at, "pends_appeals", 1)
    at.selectbox(key="ws_appeal_level").set_value("level1")
    assert "already filed" not in _warnings(at)
    at.text_area(key="ws_appeal_letter").input("We appeal: please reconsider.")
    at.button(key="ws_appeal_go").click().run()
    assert not at.exception and any(t.value.startswith("Appeal") for t in at.toast)
    assert "An appeal at this level was already filed" in _warnings(at)
    at.button(key="ws_appeal_go").click().run()
    assert any("Second appeal" in e.value for e in at.error)
