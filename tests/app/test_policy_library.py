"""Issue 12 item 2: the payer policy library — search over the policy index, filters by payer, service
line and code, each policy readable in full with its criteria, linked from the workspace and from the
look-up reply."""

from __future__ import annotations

from typing import Any

from pages_support import CASE, World, shown, signed_in

from knowledge_base.loader import load_library

LIBRARY = "ui/pages/policy_library.py"


def _links(at: Any) -> list[Any]:
    out, stack = [], [at._tree]
    while stack:
        node = stack.pop()
        if getattr(node, "type", "") == "page_link":
            out.append(node)
        stack.extend(getattr(node, "children", {}).values())
    return out


def test_every_role_reads_a_policy_in_full_with_its_criteria(world: World) -> None:
    policy = load_library().policies["CMA-MRI-001"]  # the oracle: the policy file itself
    for role in ("trainee", "coordinator", "supervisor", "admin"):
        at = signed_in(world.viewers[role])
        at.switch_page(LIBRARY).run()
        assert not at.exception and not at.error, role
    at.selectbox(key="pl_payer").set_value("cardinal").run()
    at.text_input(key="pl_code").input("72148").run()
    assert at.selectbox(key="pl_policy").options == [
        f"CMA-MRI-001 — {policy.title} (Cardinal Medicare Advantage)"
    ]
    frames = [f.value for f in at.dataframe]
    criteria = next(f for f in frames if "criterion" in f.columns)
    assert list(criteria["criterion"]) == [c.id for c in policy.criteria]
    assert list(criteria["what the chart must show"]) == [c.text for c in policy.criteria]
    body = "\n".join(shown(m.value) for m in at.markdown)
    assert all(c.id in body for c in policy.criteria)  # every criterion's section is on the page


def test_search_answers_a_look_up_question(world: World) -> None:
    at = signed_in(world.viewers["trainee"], timeout=180)
    at.switch_page(LIBRARY).run()
    at.selectbox(key="pl_payer").set_value("lakeshore").run()
    at.text_input(key="pl_query").input("how many weeks of physical therapy before a lumbar MRI").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    found = [shown(m.value) for m in at.markdown if " § " in shown(m.value)]
    assert found and all(f.startswith("**LKS-") for f in found), found
    assert any("LKS-MRI-001" in f for f in found)


def test_the_workspace_and_the_look_up_reply_link_to_the_library(world: World) -> None:
    at = signed_in(world.viewers["trainee"])
    at.switch_page("ui/pages/case_workspace.py").run()
    at.selectbox(key="pick_module").set_value(CASE[0])
    at.text_input(key="pick_seed").input(str(CASE[1]))
    at.button(key="pick_go").click().run()
    assert any(
        link.proto.page.endswith("policy_library") or "policy library" in link.label for link in _links(at)
    )
    at.button(key="ws_lookup_go").click().run()
    assert any(shown(link.label).startswith("Read policy ") for link in _links(at))
