"""CONTRIBUTING.md's recipes, followed in a throwaway content root: adding a payer, a service line and a
module is a content change, and the validators name whatever the recipe's steps leave out.

Each test copies the shipped content into a temporary folder, follows the numbered steps of one recipe
(the file edits a contributor would make), and checks what a contributor would look at next: the
validators pass, a case generates reproducibly from (module, seed), and the payer decides it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from knowledge_base.loader import CONTENT_ROOT, Library, load_all
from scenarios.content import SCENARIO_ROOT
from scenarios.generator import case_to_json, generate_case, list_modules, load_content
from scenarios.validation import validate_content
from simulator import adjudicate

MRI_MEETS = {
    "id": "mri_meets",
    "title": "Lumbar MRI after 8 weeks of failed physical therapy",
    "service_line": "lumbar_mri",
    "payers": ["lakeshore"],
    "profile": None,
    "expect": {"action": "submit", "determination": "approved"},
    "explanation": "Eight weeks of failed physical therapy and a follow-up examination meet the criteria.",
    "teaching_points": ["Count the weeks of conservative care before submitting."],
}


def _roots(tmp_path: Path) -> tuple[Path, Path]:
    kb, sc = tmp_path / "knowledge_base", tmp_path / "scenarios"
    shutil.copytree(CONTENT_ROOT / "policies", kb / "policies")
    shutil.copytree(CONTENT_ROOT / "manuals", kb / "manuals")
    shutil.copytree(SCENARIO_ROOT / "service_lines", sc / "service_lines")
    (sc / "modules").mkdir(parents=True)
    return kb, sc


def _module(sc: Path, module_id: str, archetypes: list[dict]) -> None:
    module = {
        "id": module_id,
        "title": "Throwaway module",
        "teaches": "Whatever the recipe under test adds, in a module of its own.",
        "pass_mark": 80,
        "archetypes": archetypes,
    }
    (sc / "modules" / f"{module_id}.yaml").write_text(yaml.safe_dump(module, sort_keys=False))


def _approved_at_the_payer(kb: Path, sc: Path, module_id: str) -> str:
    content = load_content(sc, kb)
    case = generate_case(module_id, 3, content=content)
    assert case_to_json(case) == case_to_json(generate_case(module_id, 3, content=content))
    determination = adjudicate(case, case.answer_key.reference_submission, library=Library(load_all(kb)))
    return determination.status


def test_recipe_add_a_module(tmp_path: Path) -> None:
    kb, sc = _roots(tmp_path)
    _module(sc, "first_week", [MRI_MEETS])  # step 1-2: the module file with one archetype
    assert validate_content(sc, kb) == []  # step 3
    assert [m["id"] for m in list_modules(load_content(sc, kb))] == ["first_week"]  # step 4
    assert _approved_at_the_payer(kb, sc, "first_week") == "approved"  # step 5


def test_recipe_add_a_module_names_a_forgotten_service_line(tmp_path: Path) -> None:
    kb, sc = _roots(tmp_path)
    _module(sc, "first_week", [{**MRI_MEETS, "service_line": "knee_mri"}])
    errors = validate_content(sc, kb)
    assert any("service_line: no valid service line 'knee_mri'" in e for e in errors), errors


def _add_payer(kb: Path) -> None:
    """Steps 1-3 of "Add a payer": a manual, then one policy per service line it covers."""
    manual = (kb / "manuals" / "lakeshore.md").read_text()
    manual = manual.replace("id: lakeshore", "id: acme", 1).replace(
        "name: Lakeshore Health Plan", "name: Acme Health"
    )
    manual = re.sub(r"member_id_format: .*", 'member_id_format: {prefix: "ACM", digits: 8}', manual, count=1)
    manual = re.sub(r"member_id_example: .*", "member_id_example: ACM12345678", manual, count=1)
    (kb / "manuals" / "acme.md").write_text(manual)
    (kb / "policies" / "acme").mkdir()
    policy = (kb / "policies" / "lakeshore" / "lumbar_mri.md").read_text()
    policy = policy.replace("LKS-MRI-001", "ACM-MRI-001").replace("payer: lakeshore", "payer: acme", 1)
    (kb / "policies" / "acme" / "lumbar_mri.md").write_text(policy)


def test_recipe_add_a_payer(tmp_path: Path) -> None:
    kb, sc = _roots(tmp_path)
    _add_payer(kb)
    library = Library(load_all(kb))
    assert "acme" in library.payers
    _module(sc, "acme_first_week", [{**MRI_MEETS, "payers": ["acme"]}])  # step 4
    assert validate_content(sc, kb) == []  # step 5
    case = generate_case("acme_first_week", 1, content=load_content(sc, kb))
    assert case.coverage.payer_name == "Acme Health"
    assert re.fullmatch(r"ACM\d{8}", case.coverage.member_id)  # the manual's format, not a Python table
    assert _approved_at_the_payer(kb, sc, "acme_first_week") == "approved"


def test_recipe_add_a_payer_names_a_forgotten_policy_and_a_wrong_example(tmp_path: Path) -> None:
    kb, sc = _roots(tmp_path)
    _add_payer(kb)
    (kb / "policies" / "acme" / "lumbar_mri.md").unlink()  # step 3 forgotten
    _module(sc, "acme_first_week", [{**MRI_MEETS, "payers": ["acme"]}])
    errors = validate_content(sc, kb)
    assert any("payers: acme has no policy for service line lumbar_mri" in e for e in errors), errors
    manual = kb / "manuals" / "acme.md"
    manual.write_text(manual.read_text().replace("member_id_example: ACM12345678", "member_id_example: LKS1"))
    assert any("member_id_example 'LKS1' does not match" in e for e in load_all(kb).errors)


def _add_service_line(kb: Path, sc: Path) -> dict:
    """Steps 1-2 of "Add a service line": its case material, and a policy at each payer that covers it."""
    material = yaml.safe_load((sc / "service_lines" / "lumbar_mri.yaml").read_text())
    material["id"], material["title"] = "lumbar_mri_repeat", "Repeat lumbar spine MRI"
    for payer, prefix in (("lakeshore", "LKS"), ("cardinal", "CMA"), ("prairie", "PSM")):
        text = (kb / "policies" / payer / "lumbar_mri.md").read_text()
        text = text.replace(f"{prefix}-MRI-001", f"{prefix}-RMRI-001").replace(
            "service_line: lumbar_mri", "service_line: lumbar_mri_repeat", 1
        )
        (kb / "policies" / payer / "lumbar_mri_repeat.md").write_text(text)
    return material


def test_recipe_add_a_service_line(tmp_path: Path) -> None:
    kb, sc = _roots(tmp_path)
    material = _add_service_line(kb, sc)
    (sc / "service_lines" / "lumbar_mri_repeat.yaml").write_text(yaml.safe_dump(material, sort_keys=False))
    _module(sc, "repeat_imaging", [{**MRI_MEETS, "service_line": "lumbar_mri_repeat"}])  # step 3
    assert validate_content(sc, kb) == []  # step 4
    case = generate_case("repeat_imaging", 2, content=load_content(sc, kb))
    lo, hi = material["patient_ages"]
    assert case.order.service_line == "lumbar_mri_repeat"
    assert case.sim_start.year - hi - 1 <= case.patient.dob.year <= case.sim_start.year - lo


@pytest.mark.parametrize("forgotten", ["patient_ages", "letter_sections", "revenue"])
def test_recipe_add_a_service_line_names_what_was_forgotten(tmp_path: Path, forgotten: str) -> None:
    kb, sc = _roots(tmp_path)
    material = _add_service_line(kb, sc)
    del material[forgotten]  # no silent default fills it in
    (sc / "service_lines" / "lumbar_mri_repeat.yaml").write_text(yaml.safe_dump(material, sort_keys=False))
    errors = validate_content(sc, kb)
    assert f"scenarios/service_lines/lumbar_mri_repeat.yaml > {forgotten}: required key is missing" in errors
