"""A secondary diagnosis the chart documents by name is supported; one the chart never names is not."""

from __future__ import annotations

import pytest
from grading_support import case

from grading import grade
from scenarios.models import Case, Submission


def _says(c: Case, word: str) -> bool:
    return any(word in d.text.lower() for d in c.chart)


def _with_extra_dx(c: Case, code: str) -> list:
    actions = list(c.answer_key.reference_actions)
    i = next(k for k, a in enumerate(actions) if isinstance(a, Submission))
    sub = actions[i]
    actions[i] = sub.model_copy(update={"diagnoses": [*sub.diagnoses, code]})
    return actions


def test_a_comorbidity_the_chart_names_supports_its_code() -> None:
    found = next(
        (
            c
            for s in range(40)
            if (c := case("dme", s)).answer_key.correct_action == "submit"
            and _says(c, "hypertension")
            and not _says(c, "i10")
            and not _says(c, "diabetes")
        ),
        None,
    )
    if found is None:
        pytest.fail("no dme case in 40 seeds names hypertension (and not diabetes) without its code")
    assert "unsupported_code" not in grade(found, _with_extra_dx(found, "I10")).error_tags
    assert "unsupported_code" in grade(found, _with_extra_dx(found, "E11.9")).error_tags
