"""Table-driven defects: each known defect raises its error tag, lowers the score, and the feedback
cites where the rule comes from (the criterion, the policy section or the manual section)."""

from __future__ import annotations

import pytest
from grading_support import case, defect_cases

from grading import grade
from grading.defects import DEFECTS
from grading.error_tags import ERROR_TAGS

# defect -> what the failing item's citation must contain ({policy}, {criterion} filled in per case)
CITATION = {
    "icd_specificity": "{policy} § Supporting diagnoses",
    "invalid_code": "{policy} § Supporting diagnoses",
    "wrong_sequencing": "{policy} § Supporting diagnoses",
    "addon_without_primary": "{policy} § Codes",
    "wrong_units": "{policy} § Units",
    "missing_document": "{policy} § Documentation required",
    "irrelevant_document": "{policy} § Documentation required",
    "omit_criterion": "{criterion}",
    "contradict_figure": "{policy} § Documentation required",
    "unsupported_claim": "{policy} § Documentation required",
    "late_submission": "{policy} § Timeframes",
    "wrong_urgency": "{policy} § Timeframes",
    "skip_eligibility": "manual § Eligibility",
    "skip_auth_lookup": "{policy} § Codes",
    "wrong_appeal_level": "manual § Appeals",
    "late_appeal": "manual § Appeals",
    "late_pend_reply": "{policy} § Timeframes",
    "submit_instead_of_query": "{policy}",
    "submit_when_no_auth": "{policy} § Codes",
    "submit_before_coverage": "manual § Eligibility",
    "skip_submission": "{policy}",
}


def test_every_defect_has_a_known_tag_and_a_table_row() -> None:
    assert set(CITATION) == set(DEFECTS)
    assert all(d.tag in ERROR_TAGS for d in DEFECTS.values())


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_defect_is_detected_and_cited(name: str) -> None:
    module_id, seed = defect_cases()[name]
    c = case(module_id, seed)
    defect = DEFECTS[name]
    clean = grade(c, c.answer_key.reference_actions)
    actions = defect.apply(c, list(c.answer_key.reference_actions))
    assert actions is not None
    report = grade(c, actions)
    assert defect.tag in report.error_tags, (c.case_id, report.error_tags)
    assert report.total < clean.total
    flagged = [i for i in report.items if defect.tag in i.error_tags]
    assert all(i.points < i.max_points for i in flagged)
    item = flagged[0]
    assert item.feedback and item.correct_answer
    criterion = next(
        (i.citation for i in report.items if i.item_id.startswith("criterion:") and i.error_tags), ""
    )
    want = CITATION[name].format(policy=c.answer_key.policy_id, criterion=criterion)
    assert want in item.citation, (item.citation, want)


def test_criterion_feedback_quotes_the_criterion_text() -> None:
    module_id, seed = defect_cases()["omit_criterion"]
    c = case(module_id, seed)
    report = grade(c, DEFECTS["omit_criterion"].apply(c, list(c.answer_key.reference_actions)))  # type: ignore[arg-type]
    item = next(i for i in report.items if "criterion_not_addressed" in i.error_tags)
    from knowledge_base.loader import load_library

    policy = load_library().policies[c.answer_key.policy_id]  # type: ignore[index]
    text = next(cr.text for cr in policy.criteria if cr.id == item.citation)
    assert f"\u201c{text}\u201d" in item.feedback


@pytest.mark.parametrize(
    ("codes", "tags", "share"),
    [
        (["M54.17"], {"wrong_code_specificity"}, 0.5),  # right category, wrong specificity: partial credit
        (["M54.5"], {"non_billable_code", "wrong_code_specificity"}, 0),
        (["M54.9Z9"], {"invalid_code"}, 0),
        (["M54.16", "E11.9"], {"unsupported_code"}, 1),  # the right code plus an unsupported extra
        (["E11.9", "M54.16"], {"unsupported_code", "wrong_sequencing"}, 1),
        ([], {"missing_code"}, 0),
        (["M5416"], set(), 1),  # the payer reads it as M54.16; so does the grader
    ],
)
def test_diagnosis_table(codes: list[str], tags: set[str], share: float) -> None:
    c = next(
        case("advanced_imaging", s)
        for s in range(80)
        if case("advanced_imaging", s).archetype_id == "mri_meets"
    )
    ref = list(c.answer_key.reference_actions)
    sub_i = next(i for i, a in enumerate(ref) if a.type == "submission")
    bad = ref[sub_i].model_copy(update={"diagnoses": codes})
    report = grade(c, [*ref[:sub_i], bad, *ref[sub_i + 1 :]])
    coding_tags = {t for i in report.items if i.dimension == "coding" for t in i.error_tags}
    assert coding_tags == tags
    item = next(i for i in report.items if i.item_id == "diagnosis:M54.16")
    assert item.points == pytest.approx(item.max_points * share)


@pytest.mark.parametrize(
    ("units", "modifiers", "tag"), [(2, [], "wrong_units"), (1, ["RT"], "wrong_modifier")]
)
def test_a_wrong_unit_or_modifier_voids_the_line(units: int, modifiers: list[str], tag: str) -> None:
    c = next(
        case("advanced_imaging", s)
        for s in range(80)
        if case("advanced_imaging", s).archetype_id == "mri_meets"
    )
    ref = list(c.answer_key.reference_actions)
    sub_i = next(i for i, a in enumerate(ref) if a.type == "submission")
    line = ref[sub_i].procedures[0].model_copy(update={"units": units, "modifiers": modifiers})
    report = grade(c, [*ref[:sub_i], ref[sub_i].model_copy(update={"procedures": [line]}), *ref[sub_i + 1 :]])
    item = next(i for i in report.items if i.item_id == "procedure:72148")
    assert item.points == 0 and item.error_tags == [tag]
