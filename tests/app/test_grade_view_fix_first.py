"""The grade report opens with the three things to fix first, each with its policy passage one click away."""

# AppTest runs _page's body alone, so its imports live inside it

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page() -> None:
    from knowledge_base.loader import load_library
    from ui.widgets.grade_view import grade_report

    report = {
        "total": 45.0,
        "passed": False,
        "pass_mark": 80,
        "dimensions": {},
        "fix_first": [
            {
                "item_id": "claim:1",
                "text": "The narrative says *6 weeks* of PT; the record shows 3.",
                "citation": "",
            },
            {
                "item_id": "criterion:LKS-MRI-001.1",
                "text": "Show the conservative care.",
                "citation": "LKS-MRI-001.1",
            },
        ],
        "items": [],
    }
    grade_report(report, load_library())


def test_fix_first_is_on_top_with_the_policy_passage_in_an_expander() -> None:
    at = AppTest.from_function(_page, default_timeout=60).run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert texts[0] == "**Three things to fix first**"
    # trainee text renders as text: the asterisks are escaped, not italics
    assert texts[1].startswith("1. The narrative says \\*6 weeks\\*")
    assert texts[2].startswith("2. Show the conservative care")
    expander = at.expander[0]
    assert expander.label.replace("\\", "") == "Policy: LKS-MRI-001.1"  # md_escape'd
    # the passage is the policy's own criterion text, read from the policy file (not from the report)
    assert any("LKS-MRI-001.1 (criterion)" in m.value.replace("\\", "") for m in expander.markdown)
