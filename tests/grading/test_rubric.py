"""Rubrics are data: validated at load with every error named by file and path."""

from __future__ import annotations

from pathlib import Path

import pytest

from grading import rubric_for
from grading.models import DIMENSIONS
from grading.rubric import ITEM_TYPES, RUBRIC_ROOT, RubricError, load_rubric, validate_rubrics

DEFAULT = (RUBRIC_ROOT / "default.yaml").read_text(encoding="utf-8")


def test_shipped_rubrics_are_valid() -> None:
    assert validate_rubrics() == []


@pytest.mark.parametrize(
    "module_id", ["coding", "eligibility_benefits", "needs_authorization", "pends_appeals", "dme"]
)
def test_effective_rubric_weights_sum_to_100(module_id: str) -> None:
    rubric = rubric_for(module_id)
    assert set(rubric.weights) == set(DIMENSIONS)
    assert sum(rubric.weights.values()) == pytest.approx(100)
    assert set(rubric.points) == set(ITEM_TYPES)


def test_module_overrides_weight_their_lesson() -> None:
    default = rubric_for("advanced_imaging").weights
    assert rubric_for("coding").weights["coding"] > default["coding"]
    assert rubric_for("eligibility_benefits").weights["process"] > default["process"]


def _write(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            "weights: {coding: 50, documentation: 20, narrative: 20, process: 25, outcome: 15}\n",
            "bad.yaml > weights: weights sum to 130; they must sum to 100",
        ),
        (
            "weights: {coding: 20, documentation: 20, narrative: 20, process: 25, results: 15}\n",
            "bad.yaml > weights > results: unknown dimension",
        ),
        ("points: {diagnosis: 4, vibes: 2}\n", "bad.yaml > points > vibes: unknown item type"),
        ("points: {diagnosis: 0}\n", "bad.yaml > points > diagnosis: points must be above 0"),
        (
            "pass_marks: 70\n",
            "bad.yaml > pass_marks: unknown key; remove it or check its spelling against docs/grading.md",
        ),
        ("pass_mark: 170\n", "bad.yaml > pass_mark: Input should be less than or equal to 100"),
        ("weights: [1, 2\n", "bad.yaml: the file is not valid YAML"),
        ("- just a list\n", "bad.yaml: the file must be a mapping"),
    ],
)
def test_invalid_override_is_reported_with_file_and_path(
    tmp_path: Path, override: str, expected: str
) -> None:
    _write(tmp_path, "default.yaml", DEFAULT)
    _write(tmp_path, "bad.yaml", override)
    errors = validate_rubrics(tmp_path)
    assert any(expected in e for e in errors), errors
    with pytest.raises(RubricError) as info:
        load_rubric("bad", None, tmp_path)
    assert any(expected in e for e in info.value.errors)


def test_every_error_is_collected(tmp_path: Path) -> None:
    _write(tmp_path, "default.yaml", DEFAULT)
    _write(
        tmp_path,
        "bad.yaml",
        "weights: {coding: 1, documentation: 1, narrative: 1, process: 1, mood: 1}\n"
        "points: {vibes: 1, diagnosis: -1}\n",
    )
    errors = validate_rubrics(tmp_path)
    # unknown dimension, missing dimension, wrong sum, unknown item type, negative points: all five at once
    assert len(errors) == 5, errors
    assert all(e.startswith("grading/rubrics/bad.yaml > ") for e in errors)


def test_default_must_be_complete(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "default.yaml",
        "version: '1'\npass_mark: 80\npartial_credit: 0.5\n"
        "weights: {coding: 20, documentation: 20, narrative: 20, process: 25, outcome: 15}\n"
        "points: {diagnosis: 4}\n",
    )
    errors = validate_rubrics(tmp_path)
    assert any("the default rubric must give points for" in e for e in errors)


def test_pass_mark_precedence(tmp_path: Path) -> None:
    _write(tmp_path, "default.yaml", DEFAULT)
    _write(tmp_path, "strict.yaml", "pass_mark: 90\n")
    _write(tmp_path, "plain.yaml", "points: {diagnosis: 6}\n")
    assert load_rubric("strict", 70, tmp_path).pass_mark == 90  # the override wins
    assert load_rubric("plain", 70, tmp_path).pass_mark == 70  # then the module's own
    assert load_rubric("unknown_module", None, tmp_path).pass_mark == 80  # then the default
    plain = load_rubric("plain", 70, tmp_path)
    assert (
        plain.points["diagnosis"] == 6 and plain.points["sequencing"] == 2 and plain.label == "plain@2026.1"
    )


def test_skip_names_known_item_types(tmp_path: Path) -> None:
    _write(tmp_path, "default.yaml", DEFAULT)
    _write(tmp_path, "bad.yaml", "skip: [urgency, vibes]\n")
    assert any("bad.yaml > skip > 1: unknown item type 'vibes'" in e for e in validate_rubrics(tmp_path))


def test_a_skipped_item_type_is_not_graded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A module whose rubric skips urgency neither shows nor scores it: the wrong urgency costs nothing there."""
    from grading_support import case, defect_cases

    import grading
    import grading.engine
    from grading.defects import DEFECTS

    module_id, seed = defect_cases()["wrong_urgency"]
    c = case(module_id, seed)
    wrong = DEFECTS["wrong_urgency"].apply(c, list(c.answer_key.reference_actions))
    assert wrong is not None
    before = grading.grade(c, wrong)
    assert "wrong_urgency" in before.error_tags and before.total < 100

    _write(tmp_path, "default.yaml", DEFAULT)
    _write(tmp_path, f"{module_id}.yaml", "skip: [urgency]\n")
    monkeypatch.setattr(grading.engine, "rubric_for", lambda m: load_rubric(m, None, tmp_path))
    after = grading.grade(c, wrong)
    assert not any(i.item_id.startswith("urgency") for i in after.items)
    assert "wrong_urgency" not in after.error_tags and after.total == 100
    assert grading.grade(c, list(c.answer_key.reference_actions)).total == 100


def test_every_graded_item_has_a_rubric_type() -> None:
    """Skipping works by item type, so every item id a grader writes must map to one (or be a placeholder)."""
    from grading_support import case, defect_cases

    import grading
    from grading.defects import DEFECTS
    from grading.rubric import item_type

    unmapped = set()
    for name, (module_id, seed) in defect_cases().items():
        c = case(module_id, seed)
        actions = DEFECTS[name].apply(c, list(c.answer_key.reference_actions)) or []
        for item in grading.grade(c, actions).items:
            if item_type(item.item_id) is None and ".no_" not in item.item_id:
                unmapped.add(item.item_id)
    assert not unmapped
