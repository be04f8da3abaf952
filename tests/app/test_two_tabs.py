"""Two tabs (or windows) on one case (issue 12 item 10): the second tab notices that the first one
changed the saved attempt before it sends anything, says so, and offers "Reload the case"; nothing is
overwritten, and what was typed in the stale tab stays in its forms."""

from __future__ import annotations

from typing import Any

from pages_support import World, shown, signed_in

from settings import Settings
from store.db import init_db, session_scope
from store.progress import open_attempts
from ui.widgets.case_state import CASE_KEY


def _open(at: Any, module: str = "advanced_imaging", seed: int = 4) -> None:
    at.switch_page("ui/pages/case_workspace.py").run()
    at.selectbox(key="pick_module").set_value(module)
    at.text_input(key="pick_seed").input(str(seed))
    at.button(key="pick_go").click().run()
    assert not at.exception


def _actions(at: Any) -> list[str]:
    return [a.type for a in at.session_state[CASE_KEY].actions]


def _warned(at: Any) -> str:
    return "\n".join(shown(w.value) for w in at.warning)


def test_a_stale_tab_is_told_and_reloads_without_losing_anything(world: World) -> None:
    first, second = signed_in(world.viewers["trainee"]), signed_in(world.viewers["trainee"])
    _open(first)
    first.button(key="ws_elig_go").click().run()
    _open(second)  # the same case number: the saved attempt is resumed, 1 action
    assert _actions(second) == ["eligibility"]
    first.button(key="ws_lookup_go").click().run()  # now 2 actions are saved
    typed = "Draft narrative typed in the second tab."
    second.text_area(key="ws_req_narrative").input(typed)
    second.button(key="ws_lookup_go").click().run()
    assert not second.exception
    assert "changed in another tab or window" in _warned(second)
    assert "2 action(s) are saved there" in _warned(second)
    assert _actions(second) == ["eligibility"]  # nothing was sent from the stale tab
    second.button(key="ws_reload").click().run()
    assert not second.exception and "another tab" not in _warned(second)
    assert _actions(second) == ["eligibility", "auth_lookup"]  # the other tab's work is here
    assert second.text_area(key="ws_req_narrative").value == typed  # and so is what was typed here
    second.button(key="ws_elig_go").click().run()  # in step again: actions go through
    assert _actions(second) == ["eligibility", "auth_lookup", "eligibility"]


def test_two_fresh_tabs_on_one_case_do_not_start_two_attempts(world: World) -> None:
    first, second = signed_in(world.viewers["trainee"]), signed_in(world.viewers["trainee"])
    _open(first)
    _open(second)  # nothing saved yet: both hold a fresh case
    first.button(key="ws_elig_go").click().run()
    second.button(key="ws_elig_go").click().run()
    assert "open in another tab or window" in _warned(second)
    second.button(key="ws_reload").click().run()
    assert _actions(second) == ["eligibility"]


def test_grading_a_stale_tab_does_not_replace_the_other_tabs_work(world: World) -> None:
    first, second = signed_in(world.viewers["trainee"]), signed_in(world.viewers["trainee"])
    _open(first)
    first.button(key="ws_elig_go").click().run()
    _open(second)
    first.button(key="ws_lookup_go").click().run()
    second.button(key="ws_finish").click().run()
    second.button(key="ws_finish_confirm").click().run()
    assert not second.exception and "Grade report" not in [h.value for h in second.header]
    assert "changed in another tab or window" in _warned(second)
    engine = init_db(Settings(data_dir=world.folder))
    with session_scope(engine) as session:
        still = [
            a for a in open_attempts(session, world.viewers["trainee"]) if a.case_id == "advanced_imaging:4"
        ]
    engine.dispose()
    # the first tab's attempt is still open, with both its actions (not replaced by a graded copy)
    assert [[x["type"] for x in a.actions] for a in still] == [["eligibility", "auth_lookup"]]
