"""Major errors (grading/rubrics/default.yaml): one of them fails an otherwise correct attempt, just
below the pass mark; the opposite, harmless slip (an expedited request where standard would do) does not."""

from __future__ import annotations

from grading_support import first_case

from grading import grade
from grading.defects import DEFECTS
from scenarios.models import Case


def _graded(c: Case, defect: str):  # type: ignore[no-untyped-def]
    actions = DEFECTS[defect].apply(c, list(c.answer_key.reference_actions))
    assert actions is not None
    return grade(c, actions)


def test_an_urgent_case_sent_standard_fails_just_below_the_pass_mark() -> None:
    c = first_case("advanced_imaging", lambda c: c.answer_key.correct_action == "submit_expedited")
    report = _graded(c, "wrong_urgency")
    assert not report.passed and report.critical_errors == []
    assert 60 <= report.total < report.pass_mark
    assert report.fix_first[0].item_id == "urgency"


def test_a_routine_case_sent_expedited_still_passes() -> None:
    c = first_case("advanced_imaging", lambda c: c.answer_key.correct_action == "submit")
    report = _graded(c, "wrong_urgency")
    assert "wrong_urgency" in report.error_tags and report.passed


def test_a_less_specific_diagnosis_fails_just_below_the_pass_mark() -> None:
    c = first_case(
        "coding",
        lambda c: DEFECTS["icd_specificity"].apply(c, list(c.answer_key.reference_actions)) is not None,
    )
    report = _graded(c, "icd_specificity")
    assert "wrong_code_specificity" in report.error_tags
    assert not report.passed and 60 <= report.total < report.pass_mark
