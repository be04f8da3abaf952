"""Golden reports for fixed (module, seed, defects): compared exactly; ``pytest --update-golden`` rewrites
them deliberately (review the diff before committing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from grading_support import case

from grading import grade
from grading.defects import DEFECTS

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "grading"
CASES = [
    ("advanced_imaging", 4, ["omit_criterion", "late_submission"]),
    ("coding", 2, ["icd_specificity", "irrelevant_document"]),
    ("dme", 1, ["submit_instead_of_query"]),
    ("eligibility_benefits", 1, ["skip_eligibility"]),
    ("pends_appeals", 0, ["wrong_appeal_level"]),
    ("specialty_drugs", 3, ["contradict_figure", "skip_auth_lookup"]),
]


def _render(module_id: str, seed: int, defects: list[str]) -> str:
    c = case(module_id, seed)
    actions = list(c.answer_key.reference_actions)
    for name in defects:
        actions = DEFECTS[name].apply(c, actions) or actions
    payload = {"defects": defects, "report": grade(c, actions).model_dump(mode="json")}
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(("module_id", "seed", "defects"), CASES)
def test_golden_report(module_id: str, seed: int, defects: list[str], update_golden: bool) -> None:
    path = GOLDEN / module_id / f"{seed}.json"
    got = _render(module_id, seed, defects)
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
        return
    assert path.exists(), f"{path} missing: run pytest tests/grading/test_golden.py --update-golden"
    assert got == path.read_text(encoding="utf-8"), (
        f"{path.relative_to(GOLDEN.parents[2])} differs; if the change is intended, rerun with --update-golden"
    )
