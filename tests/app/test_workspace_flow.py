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
