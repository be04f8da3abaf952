"""The shipped content validates, states every front-matter number in its body, and broken files are
reported with the file and the path of the defect."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from knowledge_base.__main__ import main
from knowledge_base.loader import CONTENT_ROOT, load_all, parse_file
from knowledge_base.models import Policy

POLICY_FILES = sorted((CONTENT_ROOT / "policies").rglob("*.md"))
MANUAL_FILES = sorted((CONTENT_ROOT / "manuals").glob("*.md"))
FIXTURES = Path(__file__).resolve().parents[1] / "data" / "invalid_policies"


def _rel(path: Path) -> str:
    return path.relative_to(CONTENT_ROOT).as_posix()


def _load_policy(path: Path) -> Policy:
    doc, errors = parse_file(path, CONTENT_ROOT)
    assert not errors, "\n".join(errors)
    assert doc is not None and isinstance(doc.meta, Policy)
    return doc.meta


def _rule_numbers(rule: object, path: str) -> list[tuple[str, float]]:
    """Thresholds inside a rule: comparison values, day windows, numeric ``in`` values."""
    found: list[tuple[str, float]] = []
    if isinstance(rule, dict):
        for key, value in rule.items():
            sub = f"{path} > {key}"
            if key in ("value", "days") and isinstance(value, int | float) and not isinstance(value, bool):
                found.append((sub, value))
            elif key == "values" and isinstance(value, list):
                found += [(sub, v) for v in value if isinstance(v, int | float) and not isinstance(v, bool)]
            else:
                found += _rule_numbers(value, sub)
    elif isinstance(rule, list):
        for i, item in enumerate(rule):
            found += _rule_numbers(item, f"{path} > {i}")
    return found


def front_matter_numbers(policy: Policy) -> list[tuple[str, float]]:
    """Every number a reader needs: criteria thresholds, units, document ages, clocks, approval length."""
    data = policy.model_dump(mode="json")
    found: list[tuple[str, float]] = []
    for i, crit in enumerate(data["criteria"]):
        found += _rule_numbers(crit["rule"], f"criteria > {i} > rule")
        found += _rule_numbers(crit.get("applies_if"), f"criteria > {i} > applies_if")
    for i, code in enumerate(data["codes"]):
        if code.get("max_units") is not None:
            found.append((f"codes > {i} > max_units", code["max_units"]))
        found += _rule_numbers(code.get("no_auth_if"), f"codes > {i} > no_auth_if")
    for i, doc in enumerate(data["documentation"]):
        if doc.get("max_age_days") is not None:
            found.append((f"documentation > {i} > max_age_days", doc["max_age_days"]))
        found += _rule_numbers(doc.get("required_if"), f"documentation > {i} > required_if")
    for key, value in data["timeframes"].items():
        if isinstance(value, int) and not isinstance(value, bool):  # extension_allowed is a switch
            found.append((f"timeframes > {key}", value))
    for level, own in data.get("appeal_clocks", {}).items():
        found += [(f"appeal_clocks > {level} > {k}", v) for k, v in own.items() if isinstance(v, int)]
    for key in ("max_units", "max_duration_days"):
        if data.get(key) is not None:
            found.append((key, data[key]))
    found += _rule_numbers(data.get("expedite_if"), "expedite_if")
    return found


def number_in_text(number: float, text: str) -> bool:
    """The number as a standalone figure: 6 matches '6 weeks' but not '16' or '6.5'; 1000 may be '1,000'."""
    forms = {f"{number:g}"}
    if float(number).is_integer():
        n = int(number)
        forms |= {str(n), f"{n:,}", f"{float(n):.1f}"}
    return any(re.search(rf"(?<![\d.,]){re.escape(f)}(?![\d]|[.,]\d)", text) for f in forms)


@pytest.mark.parametrize(
    ("number", "text", "expected"),
    [
        (6, "at least 6 weeks", True),
        (6, "16 weeks", False),
        (6, "6.5 hours", False),
        (6, "6, then", True),
        (7.5, "over 7.5 mg", True),
        (1000, "1,000 units", True),
        (30, "30.0 degrees", True),
        (1, "Version 2026.1", False),
    ],
)
def test_number_in_text(number: float, text: str, expected: bool) -> None:
    assert number_in_text(number, text) is expected


def test_shipped_content_has_no_errors() -> None:
    result = load_all()
    assert result.errors == []
    assert result.manuals, "no payer manuals found under knowledge_base/manuals/"


@pytest.mark.parametrize("path", POLICY_FILES, ids=_rel)
def test_every_front_matter_number_is_in_the_body(path: Path) -> None:
    policy = _load_policy(path)
    doc, _ = parse_file(path, CONTENT_ROOT)
    assert doc is not None
    missing = [
        f"{where} = {n:g}" for where, n in front_matter_numbers(policy) if not number_in_text(n, doc.body)
    ]
    assert not missing, (
        f"{_rel(path)}: numbers of the front matter not stated in the body: {'; '.join(missing)}"
    )


@pytest.mark.parametrize("path", POLICY_FILES, ids=_rel)
def test_every_criterion_has_text_and_a_section(path: Path) -> None:
    policy = _load_policy(path)
    doc, _ = parse_file(path, CONTENT_ROOT)
    assert doc is not None
    sections = {s.criterion_id: s for s in doc.sections if s.criterion_id}
    for crit in policy.criteria:
        assert crit.text.strip(), f"{_rel(path)}: {crit.id} has empty text"
        assert crit.id in sections, f"{_rel(path)}: no '## ' section names {crit.id}"
        assert sections[crit.id].text.strip(), f"{_rel(path)}: the section of {crit.id} is empty"


@pytest.mark.parametrize("path", MANUAL_FILES, ids=_rel)
def test_manual_sections_are_not_empty(path: Path) -> None:
    doc, errors = parse_file(path, CONTENT_ROOT)
    assert not errors and doc is not None, errors
    assert len(doc.sections) >= 3, f"{_rel(path)}: expected the manual's ## sections"


# ---- deliberately broken files: each names the file and the path of its defect ----------------------

EXPECTED = {
    "unknown_operator.md": "criteria > 0 > rule > any > of > 1: unknown op 'documnted'",
    "missing_front_matter.md": ": missing YAML front matter",
    "criterion_id_wrong_prefix.md": "criterion LKS-PET-001.1 must start with the policy id LKS-MRI-001",
    "bad_yaml.md": ": front matter is not valid YAML",
    "missing_required_field.md": "> timeframes: required key is missing",
    "unknown_payer.md": "> payer: no manual for payer 'lakeshor' in manuals/",
    "unknown_field.md": "> max_unit: unknown key; remove it or check its spelling",
    "bad_code_pattern.md": "> codes > 0 > code: String should match pattern",
    "bad_diagnosis.md": "> diagnoses: Value error, '5416' is not an ICD-10-CM code",
    "criterion_text_too_short.md": "> criteria > 0 > text: String should have at least 10 characters",
    "criterion_without_section.md": "> criteria > 0: no '## ' section in the body names LKS-MRI-001.1",
    "duplicate_criterion_id.md": "criterion ids must be unique",
    "zero_max_age_days.md": "> documentation > 0 > max_age_days: Input should be greater than or equal to 1",
    "gte_without_value.md": "> criteria > 0 > rule > any > of > 1 > gte > value: required key is missing",
    "front_matter_not_mapping.md": ": front matter must be a mapping",
}


def _content_root(tmp_path: Path, policy: Path) -> Path:
    (tmp_path / "policies" / "lakeshore").mkdir(parents=True)
    (tmp_path / "manuals").mkdir()
    shutil.copy(FIXTURES / "_base" / "lakeshore_manual.md", tmp_path / "manuals" / "lakeshore.md")
    shutil.copy(policy, tmp_path / "policies" / "lakeshore" / policy.name)
    return tmp_path


def test_every_fixture_has_an_expectation() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.md")) == sorted(EXPECTED)


def test_the_base_fixture_is_valid(tmp_path: Path) -> None:
    """The broken fixtures are copies of this file with one defect, so their errors come from the defect."""
    assert load_all(_content_root(tmp_path, FIXTURES / "_base" / "valid_policy.md")).errors == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_is_reported_with_file_and_path(tmp_path: Path, name: str) -> None:
    errors = load_all(_content_root(tmp_path, FIXTURES / name)).errors
    assert errors, f"{name} loaded without errors"
    assert all(e.startswith(f"policies/lakeshore/{name}") for e in errors), errors
    assert any(EXPECTED[name] in e for e in errors), errors


def test_validate_cli_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _content_root(tmp_path, FIXTURES / "_base" / "valid_policy.md")
    assert main(["--root", str(root), "validate"]) == 0
    out = capsys.readouterr().out
    assert "policies: 1  manuals: 1  criteria: 1" in out
    assert "payers x service lines covered: 1/1" in out


def test_validate_cli_lists_every_error_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _content_root(tmp_path, FIXTURES / "unknown_operator.md")
    shutil.copy(FIXTURES / "bad_yaml.md", root / "policies" / "lakeshore" / "bad_yaml.md")
    assert main(["--root", str(root), "validate"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert any(line.startswith("policies/lakeshore/unknown_operator.md > criteria > 0") for line in err)
    assert any(
        line.startswith("policies/lakeshore/bad_yaml.md: front matter is not valid YAML") for line in err
    )
    assert err[-1] == "2 error(s)"


def test_validate_cli_bad_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(tmp_path / "nowhere"), "validate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("--root")


def test_number_check_finds_a_number_missing_from_the_body(tmp_path: Path) -> None:
    """The per-policy check above can fail: drop '45 days' from the base fixture's body and it is flagged."""
    text = (FIXTURES / "_base" / "valid_policy.md").read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    broken = tmp_path / "policy.md"
    broken.write_text(head + "\n---\n" + body.replace("in 45 days", "promptly"), encoding="utf-8")
    doc, errors = parse_file(broken, tmp_path)
    assert not errors and doc is not None and isinstance(doc.meta, Policy)
    missing = [w for w, n in front_matter_numbers(doc.meta) if not number_in_text(n, doc.body)]
    assert missing == ["timeframes > pend_reply_days"]
    found = dict(front_matter_numbers(doc.meta))
    assert found["criteria > 0 > rule > of > 1 > value"] == 6
