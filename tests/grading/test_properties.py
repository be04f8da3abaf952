"""Properties of the grader over generated cases (hypothesis, derandomized so a failure reproduces)."""

from __future__ import annotations

import pytest
from grading_support import case
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grading import grade, rubric_for
from grading.defects import DEFECTS
from grading.text import normalize
from scenarios import load_modules
from scenarios.models import Appeal, PendReply, Submission

MODULES = sorted(load_modules())
PROFILE = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("module_id", MODULES)
def test_reference_actions_score_100_without_tags(module_id: str) -> None:
    for seed in range(12):
        c = case(module_id, seed)
        report = grade(c, c.answer_key.reference_actions)
        assert report.total == 100, (
            c.case_id,
            c.archetype_id,
            [i for i in report.items if i.points < i.max_points],
        )
        assert report.error_tags == [] and report.passed


@PROFILE
@given(
    module=st.sampled_from(MODULES),
    seed=st.integers(0, 400),
    defects=st.lists(st.sampled_from(sorted(DEFECTS)), max_size=4),
    drop=st.sets(st.integers(0, 5), max_size=3),
)
def test_score_is_within_0_and_100_and_deterministic(
    module: str, seed: int, defects: list[str], drop: set[int]
) -> None:
    c = case(module, seed)
    actions = list(c.answer_key.reference_actions)
    for name in defects:
        actions = DEFECTS[name].apply(c, actions) or actions
    actions = [a for i, a in enumerate(actions) if i not in drop]
    first = grade(c, actions)
    assert 0 <= first.total <= 100
    assert all(0 <= i.points <= i.max_points for i in first.items)
    assert first.error_tags == sorted(set(first.error_tags))
    assert first.model_dump_json() == grade(c, actions).model_dump_json()
    dims = [d for d in first.dimensions.values() if d.applicable]
    assert sum(d.max for d in dims) == pytest.approx(100, abs=0.05)
    points = sum(d.score for d in dims)
    if first.critical_errors:  # a critical error caps the total (rubric critical_cap) and fails the attempt
        assert not first.passed
        assert first.total == pytest.approx(min(points, rubric_for(c.module_id).critical_cap), abs=0.05)
    else:
        assert points == pytest.approx(first.total, abs=0.05)


def _carrier(actions: list) -> int | None:
    return next(
        (
            i
            for i, a in enumerate(actions)
            if isinstance(a, Submission | Appeal | PendReply) and a.document_ids
        ),
        None,
    )


@PROFILE
@given(
    module=st.sampled_from(MODULES),
    seed=st.integers(0, 400),
    which=st.integers(0, 10),
    start=st.sampled_from(["reference", "irrelevant_document", "omit_criterion", "late_submission"]),
)
def test_removing_a_required_document_never_raises_the_score(
    module: str, seed: int, which: int, start: str
) -> None:
    c = case(module, seed)
    actions = list(c.answer_key.reference_actions)
    if start != "reference":
        actions = DEFECTS[start].apply(c, actions) or actions
    i = _carrier(actions)
    required = [
        d
        for d in (actions[i].document_ids if i is not None else [])
        if d in c.answer_key.required_document_ids
    ]
    assume(i is not None and required)
    assert i is not None
    removed = required[which % len(required)]
    fewer = [
        *actions[:i],
        actions[i].model_copy(update={"document_ids": [d for d in actions[i].document_ids if d != removed]}),
        *actions[i + 1 :],
    ]
    assert grade(c, fewer).total <= grade(c, actions).total


_UNITS = ["weeks", "months", "mg", "%", "h", "degrees", "days"]
_THERAPIES = ["acupuncture", "tofacitinib", "kyphoplasty", "pembrolizumab", "tramadol"]


@PROFILE
@given(
    module=st.sampled_from(MODULES),
    seed=st.integers(0, 400),
    value=st.integers(31, 997),
    unit=st.sampled_from(_UNITS),
    therapy=st.sampled_from(_THERAPIES),
    year=st.integers(1990, 2015),
    start=st.sampled_from(["reference", "omit_criterion", "contradict_figure"]),
)
def test_adding_an_unsupported_claim_never_raises_the_score(
    module: str, seed: int, value: int, unit: str, therapy: str, year: int, start: str
) -> None:
    c = case(module, seed)
    actions = list(c.answer_key.reference_actions)
    if start != "reference":
        actions = DEFECTS[start].apply(c, actions) or actions
    i = next((k for k, a in enumerate(actions) if isinstance(a, Submission | Appeal)), None)
    assume(i is not None)
    assert i is not None
    field = "narrative" if isinstance(actions[i], Submission) else "letter"
    case_text = normalize(" ".join(d.text for d in c.chart))
    assume(f" {therapy}" not in case_text and f" {value}" not in case_text)  # else the claim is supported
    claim = f"\nAlso: {value} {unit}; {therapy}; {year}-03-17."
    more = [
        *actions[:i],
        actions[i].model_copy(update={field: getattr(actions[i], field) + claim}),
        *actions[i + 1 :],
    ]
    before, after = grade(c, actions), grade(c, more)
    assert after.total <= before.total
    if c.answer_key.correct_action in ("submit", "submit_expedited", "appeal"):
        assert "unsupported_claim" in after.error_tags or "contradicts_chart" in after.error_tags
