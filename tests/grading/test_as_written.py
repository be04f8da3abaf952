"""A case is graded on the criteria it was written for: a criterion the policy gained after the case's
chart and answer key were written (a stored attempt re-graded after a policy update) does not fail the
attempt, while every criterion the key judges still counts."""

from __future__ import annotations

from grading_support import case

from grading import grade
from grading.context import as_written
from knowledge_base.loader import load_library
from scenarios import load_modules
from scenarios.models import Case

# the facts of the cervical-fusion criterion added to every payer's policy after the first cases were
# written (radicular pain limits daily activities; shoulder and nerve-entrapment sources excluded)
_NEWER_FACTS = ("adl_limitation", "other_pain_sources_excluded")


def _acdf() -> Case:
    for seed in range(200):
        c = case("surgery_admissions", seed)
        if c.archetype_id == "acdf_radiculopathy_meets":
            return c
    raise LookupError("acdf_radiculopathy_meets")


def _written_before_criterion_5(c: Case, *, key_judges_it: bool) -> Case:
    """The case as it was before the ADL criterion existed: its chart never states those facts."""
    chart = [
        d.model_copy(update={"facts": {k: v for k, v in d.facts.items() if k not in _NEWER_FACTS}})
        for d in c.chart
    ]
    outcome = dict(c.answer_key.criteria_outcome)
    if not key_judges_it:
        outcome = {k: v for k, v in outcome.items() if not k.endswith(".5")}
    key = c.answer_key.model_copy(update={"criteria_outcome": outcome})
    return c.model_copy(update={"chart": chart, "answer_key": key})


def test_reference_work_on_a_case_older_than_a_criterion_passes_with_full_outcome() -> None:
    old = _written_before_criterion_5(_acdf(), key_judges_it=False)
    report = grade(old, list(old.answer_key.reference_actions))
    assert report.passed
    assert "adverse_outcome" not in report.error_tags
    outcome = next(i for i in report.items if i.dimension == "outcome")
    assert outcome.points == outcome.max_points
    assert report.final_status == "approved"


def test_a_criterion_the_key_judges_still_counts_when_the_chart_lacks_its_facts() -> None:
    c = _written_before_criterion_5(_acdf(), key_judges_it=True)
    report = grade(c, list(c.answer_key.reference_actions))
    assert report.final_status == "pended"
    assert "adverse_outcome" in report.error_tags
    assert not report.passed


def test_freshly_generated_cases_are_replayed_on_the_whole_policy() -> None:
    library = load_library()
    for module_id in sorted(load_modules()):
        for seed in range(6):
            assert as_written(case(module_id, seed), library) is library, (module_id, seed)
