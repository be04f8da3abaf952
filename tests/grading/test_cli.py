"""The CLI: JSON in, GradeReport JSON out; bad input exits 2 with one line on stderr, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from grading_support import case

from scenarios import case_to_json

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grading", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli")
    c = case("coding", 3)
    actions = [a.model_dump(mode="json") for a in c.answer_key.reference_actions]
    out = {
        "case": folder / "case.json",
        "list": folder / "actions.json",
        "log": folder / "log.json",
        "wrong_id": folder / "wrong_id.json",
        "bad_action": folder / "bad_action.json",
        "not_json": folder / "x.json",
        "scalar": folder / "scalar.json",
    }
    out["case"].write_text(case_to_json(c), encoding="utf-8")
    out["list"].write_text(json.dumps(actions), encoding="utf-8")
    out["log"].write_text(json.dumps({"case_id": c.case_id, "actions": actions}), encoding="utf-8")
    out["wrong_id"].write_text(json.dumps({"case_id": "coding:999", "actions": actions}), encoding="utf-8")
    out["bad_action"].write_text(json.dumps([{"type": "submission", "at": "yesterday"}]), encoding="utf-8")
    out["not_json"].write_text("{not json", encoding="utf-8")
    out["scalar"].write_text("42", encoding="utf-8")
    return out


@pytest.mark.parametrize("actions", ["list", "log"])
def test_grade_prints_a_report(files: dict[str, Path], actions: str) -> None:
    out = _run("grade", "--case", str(files["case"]), "--actions", str(files[actions]))
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["case_id"] == "coding:3" and report["total"] == 100 and report["passed"] is True


@pytest.mark.parametrize(
    ("case_key", "actions_key", "needle"),
    [
        ("case", "wrong_id", "does not match the case"),
        ("case", "bad_action", "actions.0.submission"),
        ("case", "not_json", "not valid JSON"),
        ("case", "scalar", "expected a list of actions"),
        ("case", "missing", "file not found"),
        ("list", "list", "Input should be a valid dictionary"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    files: dict[str, Path], case_key: str, actions_key: str, needle: str
) -> None:
    actions = str(files.get(actions_key, Path("/nonexistent/actions.json")))
    out = _run("grade", "--case", str(files[case_key]), "--actions", actions)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in out.stderr, out.stderr


def test_missing_arguments_exit_2() -> None:
    out = _run("grade")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "--case" in out.stderr


def test_validate_and_tags() -> None:
    assert _run("validate").stdout.strip() == "rubrics OK"
    tags = _run("tags")
    assert (
        tags.returncode == 0 and (ROOT / "docs" / "error_tags.md").read_text(encoding="utf-8") == tags.stdout
    )
