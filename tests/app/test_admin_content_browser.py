"""The administrators' content browser (issue 12 item 9) through AppTest: payer → policies with their
id, title, service line, codes, effective date, criteria and full text; manuals, service lines and
modules; search by id, code and text. Expected values are read from the content files here, not from
the loader under test."""

from __future__ import annotations

from pathlib import Path

from pages_support import World, errors, signed_in
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
LUMBAR = (ROOT / "knowledge_base/policies/lakeshore/lumbar_mri.md").read_text(encoding="utf-8")


def _open(world: World) -> AppTest:
    at = signed_in(world.viewers["admin"], timeout=120)
    at.switch_page("ui/pages/admin_content.py").run()
    assert not at.exception and not errors(at), errors(at)
    return at


def _frame(at: AppTest, column: str) -> list[dict[str, object]]:
    """The first table with ``column``, as rows."""
    for d in at.dataframe:
        if column in d.value.columns:
            return list(d.value.to_dict("records"))
    raise AssertionError(f"no table with a {column!r} column")


def test_search_by_code_and_read_a_policy_in_full(world: World) -> None:
    at = _open(world)
    at.selectbox(key="cb_payer").set_value("lakeshore").run()
    at.text_input(key="cb_term").input("72148").run()
    rows = _frame(at, "codes")
    assert [r["id"] for r in rows] == ["LKS-MRI-001"]  # the only Lakeshore policy listing 72148
    (row,) = rows
    assert row["title"] == "Lumbar spine MRI" and row["service line"] == "Lumbar MRI"
    assert row["effective"] == "2026-01-01" and row["codes"] == "72148, 72149, 72158"
    at.selectbox(key="cb_policy").set_value("LKS-MRI-001").run()
    criteria = _frame(at, "criterion")
    assert [c["criterion"] for c in criteria][:3] == ["LKS-MRI-001.1", "LKS-MRI-001.2", "LKS-MRI-001.3"]
    body = LUMBAR.split("\n---\n", 1)[1].strip()
    (full,) = [c.value for c in at.code if "Lumbar" in c.value or "lumbar" in c.value]
    assert full.strip() == body  # the file's body, as written, in a code block (text, never HTML)
    assert not any(body[:200] in m.value for m in at.markdown)
    assert any("LKS-MRI-001.1" in str(j.value) for j in at.json)  # the rules, as data


def test_search_by_policy_id_and_by_text_across_payers(world: World) -> None:
    at = _open(world)
    at.text_input(key="cb_term").input("psm-mri-001").run()  # any case
    assert [r["id"] for r in _frame(at, "codes")] == ["PSM-MRI-001"]
    at.text_input(key="cb_term").input("no such words anywhere xyzzy").run()
    assert any("No policy matches" in i.value for i in at.info)
    at.text_input(key="cb_term").input("").run()
    policies = sorted(p.stem for p in (ROOT / "knowledge_base/policies").glob("*/*.md"))
    assert len(_frame(at, "codes")) == len(policies)  # every policy file, one row each


def test_manuals_service_lines_and_modules(world: World) -> None:
    at = _open(world)
    at.selectbox(key="cb_manual").set_value("prairie").run()
    assert any("Prairie" in t.value for t in at.text)
    assert _frame(at, "appeal level")
    at.text_input(key="cb_line_term").input("72148").run()
    assert [r["id"] for r in _frame(at, "patient ages")] == ["lumbar_mri"]
    modules = sorted(p.stem for p in (ROOT / "scenarios/modules").glob("*.yaml"))
    assert sorted(r["id"] for r in _frame(at, "pass mark")) == modules
    at.selectbox(key="cb_module").set_value("advanced_imaging").run()
    assert _frame(at, "archetype")
    assert not at.exception and not errors(at)
