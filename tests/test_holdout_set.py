"""The held-out grading sets (tests/data/graded_by_hand_holdout/, graded_by_hand_holdout_b/ and
graded_by_hand_holdout_c/) have the shape their READMEs promise.

This checks the files only — fields, bands, actions against the published Action schema, tags from the
published vocabulary, coverage of modules, payers and bands. It never runs the grader: the set is the
grader's oracle, so its judgements must not be compared with, or derived from, the grader's output.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scenarios import list_modules
from scenarios.models import Case

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
# Each held-out set and the lowest seed its cases may use: set B was written on fresh seeds (200 and up)
# so that none of its cases is a case of the first held-out set, which has since been used for tuning; set C
# on seeds 300 and up, so that it shares no case with the development set or either earlier held-out set.
SETS = {"graded_by_hand_holdout": 100, "graded_by_hand_holdout_b": 200, "graded_by_hand_holdout_c": 300}
# Modules written after a set was frozen have no hand-graded attempts in it (a set is never extended after
# grading runs against it): concurrent_review (issue 14) came after sets A and B; set C covers it.
MODULES_MISSING = {
    "graded_by_hand_holdout": {"concurrent_review"},
    "graded_by_hand_holdout_b": {"concurrent_review"},
    "graded_by_hand_holdout_c": set(),
}
# Every set that must be blind: none of its cases may appear in the development set or in another set.
BLIND_SETS = ("graded_by_hand_holdout_b", "graded_by_hand_holdout_c")
ACTION_SCHEMA = json.loads((ROOT / "docs" / "schemas" / "action.schema.json").read_text())
BANDS = ("excellent", "one_mistake", "poor", "adversarial")
# The tags the dev set's README adds to docs/error_tags.md, and its critical errors.
EXTRA_TAGS = {"policy_text_as_facts", "prohibited_disclosure", "under_authorization"}
CRITICAL_ERRORS = {
    "fabricated_clinical_claim",
    "policy_text_as_facts",
    "avoidable_adverse_decision",
    "prohibited_disclosure",
    "authorization_lost_to_deadline",
}
TOP_KEYS = {"id", "band", "module", "seed", "archetype", "case", "actions", "expected", "written_by"}
EXPECTED_KEYS = {
    "passed",
    "score_min",
    "score_max",
    "tags",
    "acceptable_tags",
    "critical_errors",
    "rationale",
}
ID_PATTERN = re.compile(r"^(?P<module>[a-z_]+)-(?P<nn>\d{2})-(?P<band>[a-z_]+)-[a-z0-9-]+$")


def vocabulary() -> set[str]:
    table = (ROOT / "docs" / "error_tags.md").read_text()
    return set(re.findall(r"^\| `([a-z_]+)` \|", table, re.M)) | EXTRA_TAGS


def attempt_files(set_name: str | None = None) -> list[Path]:
    names = [set_name] if set_name else list(SETS)
    return sorted(path for name in names for path in (DATA / name).glob("*/*.json"))


def set_of(path: Path) -> str:
    return path.parents[1].name


def file_id(path: Path) -> str:
    return f"{set_of(path)}/{path.stem}"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


PASS_MARKS = {m["id"]: m["pass_mark"] for m in list_modules()}
VOCABULARY = vocabulary()
VALIDATOR = jsonschema.Draft202012Validator(ACTION_SCHEMA)


@pytest.mark.parametrize("set_name", list(SETS))
def test_the_set_covers_every_module_payer_and_band(set_name: str) -> None:
    set_dir = DATA / set_name
    attempts = [load(p) for p in attempt_files(set_name)]
    assert len(attempts) >= 45, f"only {len(attempts)} attempts in {set_dir}"
    newer = MODULES_MISSING[set_name]
    assert {a["module"] for a in attempts} == set(PASS_MARKS) - newer, "every module needs attempts"
    assert {a["case"]["coverage"]["payer_id"] for a in attempts} == {"lakeshore", "cardinal", "prairie"}
    bands = Counter(a["band"] for a in attempts)
    assert all(bands[b] >= 10 for b in BANDS), f"each band needs at least 10 attempts: {dict(bands)}"
    assert sum(1 for a in attempts if not a["actions"]) >= 1, (
        "the poor band includes an attempt with no actions"
    )
    assert (set_dir / "README.md").is_file()


@pytest.mark.parametrize("set_name", BLIND_SETS)
def test_blind_set_shares_no_case_with_the_other_sets(set_name: str) -> None:
    # A set is blind only if none of its cases was already written against (and tuned on) elsewhere.
    def cases(folder: str) -> set[tuple[str, int]]:
        return {(a["module"], a["seed"]) for a in map(load, sorted((DATA / folder).glob("*/*.json")))}

    others = set().union(*(cases(name) for name in ("graded_by_hand", *SETS) if name != set_name))
    shared = cases(set_name) & others
    assert not shared, f"{set_name} reuses cases {sorted(shared)}"


@pytest.mark.parametrize("path", attempt_files(), ids=file_id)
def test_attempt_file_has_the_documented_shape(path: Path) -> None:
    attempt = load(path)
    assert set(attempt) == TOP_KEYS
    match = ID_PATTERN.match(attempt["id"])
    assert match, f"id {attempt['id']!r} is not <module>-<nn>-<band>-<slug>"
    assert path.name == f"{attempt['id']}.json" and path.parent.name == attempt["module"]
    assert match["module"] == attempt["module"] and match["band"] == attempt["band"]
    assert attempt["band"] in BANDS
    assert attempt["written_by"] == "hand, from reading the case"
    lowest = SETS[set_of(path)]
    assert isinstance(attempt["seed"], int) and attempt["seed"] >= lowest, (
        f"{set_of(path)} cases use seeds of {lowest} or more"
    )

    case = Case.model_validate(attempt["case"])
    assert case.module_id == attempt["module"] and case.seed == attempt["seed"]
    assert case.archetype_id == attempt["archetype"]


@pytest.mark.parametrize("path", attempt_files(), ids=file_id)
def test_actions_follow_the_action_schema_and_the_chart(path: Path) -> None:
    attempt = load(path)
    chart_ids = {doc["id"] for doc in attempt["case"]["chart"]}
    sim_start = datetime.fromisoformat(attempt["case"]["sim_start"])
    for number, action in enumerate(attempt["actions"], start=1):
        errors = [e.message for e in VALIDATOR.iter_errors(action)]
        assert not errors, f"action {number}: {errors[0]}"
        # The schema names the formats without enforcing them; the model parses them like this.
        assert datetime.fromisoformat(action["at"]) >= sim_start, (
            f"action {number} happens before the case starts"
        )
        for field in ("date_of_service", "patient_dob"):
            if field in action:
                date.fromisoformat(action[field])
        unknown = set(action.get("document_ids", [])) - chart_ids
        assert not unknown, f"action {number} attaches {sorted(unknown)}, which are not in the chart"


@pytest.mark.parametrize("path", attempt_files(), ids=file_id)
def test_expected_judgement_is_complete_and_consistent(path: Path) -> None:
    attempt = load(path)
    expected = attempt["expected"]
    assert set(expected) == EXPECTED_KEYS
    assert 0 <= expected["score_min"] <= expected["score_max"] <= 100
    tags, acceptable = set(expected["tags"]), set(expected["acceptable_tags"])
    assert tags <= VOCABULARY and acceptable <= VOCABULARY, f"unknown tags {(tags | acceptable) - VOCABULARY}"
    assert not tags & acceptable, "a tag is either required or acceptable, not both"
    assert set(expected["critical_errors"]) <= CRITICAL_ERRORS
    pass_mark = PASS_MARKS[attempt["module"]]
    if expected["passed"]:
        assert expected["score_min"] >= pass_mark and not expected["critical_errors"]
    else:
        assert expected["score_min"] < pass_mark
    if attempt["band"] == "excellent":
        assert expected["passed"] and not tags
    if attempt["band"] in ("poor", "adversarial"):
        assert not expected["passed"]
    assert expected["rationale"].strip() and "\n" not in expected["rationale"]
