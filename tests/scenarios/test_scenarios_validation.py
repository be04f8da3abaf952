"""validate_content: shipped content is clean; each broken fixture is reported with file, path and fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from knowledge_base.loader import CONTENT_ROOT, load_library
from scenarios.content import SCENARIO_ROOT
from scenarios.validation import validate_content

INVALID = Path(__file__).resolve().parents[1] / "data" / "invalid"

# fixture file -> (folder it is installed in, text the error must contain)
CASES: dict[str, tuple[str, str]] = {
    "bad_yaml.yaml": ("modules", "not valid YAML at line"),
    "unknown_key.yaml": ("modules", "withhold_document: unknown key"),
    "unknown_profile.yaml": ("modules", "profile: unknown profile 'nonexistent_profile' of lumbar_mri"),
    "unknown_document_kind.yaml": ("modules", "withhold_documents: unknown document kind 'xray_report'"),
    "unknown_payer.yaml": ("modules", "payers: acme_health has no manual in knowledge_base/"),
    "unknown_service_line.yaml": (
        "modules",
        "archetypes > 0 (broken) > service_line: no valid service line 'knee_mri'",
    ),
    "unknown_failed_criterion.yaml": ("modules", "failed_criteria: LKS-MRI-001 has no criterion 9"),
    "unknown_fact.yaml": ("modules", "facts > weeks_of_therapy: unknown fact of lumbar_mri"),
    "appeal_without_prior.yaml": ("modules", "action: appeal needs prior: denied"),
    "no_referral_without_referral_rule.yaml": (
        "modules",
        "coverage: no_referral needs a payer that requires referrals",
    ),
    "missing_reason_code.yaml": ("modules", "reason_codes: a rejected determination needs its reason code"),
    "appeal_evidence_not_restated.yaml": (
        "modules",
        "the new documents do not restate ['conservative_care_weeks'",
    ),
    "archetype_fact_breaks_template.yaml": ("modules", "facts: rendering failed for cpap documents"),
    "template_undefined_variable.yaml": ("service_lines", "undefined variable 'sympton_weeks'"),
    "template_syntax_error.yaml": ("service_lines", "Jinja syntax error at template line 1"),
    "template_fails_for_profile.yaml": ("service_lines", "rendering failed for profile 'unscored'"),
    "unknown_fact_in_states.yaml": ("service_lines", "states: unknown fact 'pain_levl'"),
    "profile_unknown_fact.yaml": ("service_lines", "profiles > red_flag > red_flag_kind: unknown fact"),
    "non_billable_diagnosis.yaml": ("service_lines", "M54.5 is not a valid billable ICD-10-CM code"),
    "code_not_in_policy.yaml": ("service_lines", "72100 is not among the codes of LKS-MRI-001"),
    "fact_name_reserved.yaml": ("service_lines", "facts > patient: fact names must be lower_snake_case"),
    "service_line_unknown_key.yaml": ("service_lines", "documnets: unknown key"),
    "override_unknown_code.yaml": ("modules", "procedures > 0: 72999 is neither a code of LKS-MRI-001"),
    "override_no_governed_code.yaml": ("modules", "procedures: CMA-MRI-001 governs none of ['72100']"),
    "override_addon_without_primary.yaml": (
        "modules",
        "procedures > 0: 22552 is an add-on billable only with 22551",
    ),
    "override_diagnosis_not_billable.yaml": (
        "modules",
        "diagnoses > 0: M54.1 is not a valid billable ICD-10-CM code",
    ),
    "override_vague_with_diagnoses.yaml": (
        "modules",
        "diagnoses: vague_diagnosis puts lumbar_mri's vague_diagnoses",
    ),
    "relative_date_after_document.yaml": (
        "service_lines",
        "facts > therapy_ended: 2 days before the case start is after the office_note",
    ),
    "relative_date_bad_form.yaml": (
        "service_lines",
        "facts > therapy_ended: Value error, a relative date fact is written {days_before_start: N}",
    ),
    "request_unknown_value.yaml": (
        "modules",
        "archetypes > 0 > request: Input should be 'as_ordered' or 'within_limits'",
    ),
    "request_within_limits_no_effect.yaml": ("modules", "request: within_limits changes nothing"),
    "request_within_limits_partial_expected.yaml": (
        "modules",
        "determination: request: within_limits asks cardinal for at most 3 units of E0601 and 90 days",
    ),
}


def test_every_fixture_is_in_the_table() -> None:
    assert sorted(p.name for p in INVALID.glob("*.yaml")) == sorted(CASES)


def test_shipped_content_has_no_errors() -> None:
    errors = validate_content()
    assert errors == [], "\n".join(errors)


def _install(tmp_path: Path, name: str, folder: str) -> str:
    """A scenario root holding the fixture; modules get the shipped service lines to refer to."""
    (tmp_path / "modules").mkdir()
    (tmp_path / "service_lines").mkdir()
    if folder == "modules":  # the module fixtures refer to these shipped service lines only
        for line in ("lumbar_mri", "cpap", "cervical_fusion"):
            shutil.copy(SCENARIO_ROOT / "service_lines" / f"{line}.yaml", tmp_path / "service_lines")
    source = INVALID / name
    try:
        stem = yaml.safe_load(source.read_text())["id"]
    except yaml.YAMLError:
        stem = source.stem
    shutil.copy(source, tmp_path / folder / f"{stem}.yaml")
    return f"scenarios/{folder}/{stem}.yaml"


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_fixture_is_reported(tmp_path: Path, name: str) -> None:
    folder, expected = CASES[name]
    rel = _install(tmp_path, name, folder)
    errors = validate_content(tmp_path, library=load_library())
    assert errors, f"{name}: no error reported"
    assert all(e.startswith(rel) for e in errors), f"{name}: errors outside the fixture:\n" + "\n".join(
        errors
    )
    assert any(expected in e for e in errors), f"{name}: wanted {expected!r} in:\n" + "\n".join(errors)


def test_a_missing_policy_is_reported(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(CONTENT_ROOT / "manuals", kb / "manuals")
    shutil.copytree(CONTENT_ROOT / "policies", kb / "policies")
    (kb / "policies" / "prairie" / "lumbar_mri.md").unlink()
    sc = tmp_path / "sc"
    (sc / "modules").mkdir(parents=True)
    (sc / "service_lines").mkdir()
    shutil.copy(SCENARIO_ROOT / "service_lines" / "lumbar_mri.yaml", sc / "service_lines")
    shutil.copy(INVALID / "unknown_profile.yaml", sc / "modules" / "unknown_profile.yaml")
    errors = validate_content(sc, kb)
    assert any("payers: prairie has no policy for service line lumbar_mri" in e for e in errors), errors


def test_every_error_names_a_file_and_a_path(tmp_path: Path) -> None:
    for name, (folder, _) in CASES.items():
        root = tmp_path / name.removesuffix(".yaml")
        root.mkdir()
        _install(root, name, folder)
        for error in validate_content(root, library=load_library()):
            assert error.startswith("scenarios/") and ": " in error
