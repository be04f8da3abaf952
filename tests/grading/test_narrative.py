"""The narrative grader on hand-written text (not the generator's template): a sound narrative in other
words earns full marks; misstatements and omissions are named."""

from __future__ import annotations

import pytest
from grading_support import case

from grading import grade
from scenarios.models import Case


def _mri() -> Case:
    return next(
        case("advanced_imaging", s)
        for s in range(80)
        if case("advanced_imaging", s).archetype_id == "mri_meets"
    )


def _with_narrative(c: Case, text: str) -> list:
    actions = list(c.answer_key.reference_actions)
    i = next(k for k, a in enumerate(actions) if a.type == "submission")
    actions[i] = actions[i].model_copy(update={"narrative": text})
    return actions


def _text(c: Case, body: str) -> str:
    p, o = c.patient, c.ordering_provider
    return (
        f"{p.first_name} {p.last_name}, DOB {p.dob}, member {c.coverage.member_id}. Requesting CPT 72148 x 1 "
        f"(MRI lumbar spine) for M54.16 on {c.order.date_of_service}, authorization for 60 days.\n{body}\n"
        f"Ordering: {o.first_name} {o.last_name}, {o.credentials}."
    )


SOUND = (
    "Left leg radicular pain for 10 weeks. She completed 8 weeks of physical therapy (14 visits) plus naproxen, "
    "which failed.\nFollow-up exam after PT: positive straight-leg raise at 40 degrees, diminished left Achilles "
    "reflex. No red flags."
)


@pytest.mark.parametrize(
    ("body", "tags"),
    [
        (SOUND, set()),
        # the care criterion answered with a figure the chart contradicts: one error, the contradiction
        # (the criterion still earns nothing; an educator does not count it again as left out)
        (SOUND.replace("8 weeks", "12 weeks"), {"contradicts_chart"}),
        (SOUND + "\nAn MRI on 2025-01-01 was normal.", {"unsupported_claim"}),
        (SOUND.replace("naproxen", "gabapentin"), {"unsupported_claim"}),
        (SOUND.split("\n")[0], {"criterion_not_addressed"}),  # the follow-up exam left out
    ],
)
def test_hand_written_narratives(body: str, tags: set[str]) -> None:
    c = _mri()
    report = grade(c, _with_narrative(c, _text(c, body)))
    narrative_tags = {t for i in report.items if i.dimension == "narrative" for t in i.error_tags}
    assert narrative_tags == tags, [i.feedback for i in report.items if i.error_tags]


def test_contradiction_names_the_chart_value() -> None:
    c = _mri()
    report = grade(c, _with_narrative(c, _text(c, SOUND.replace("8 weeks", "12 weeks"))))
    item = next(i for i in report.items if "contradicts_chart" in i.error_tags)
    # the sentence written and the chart passage it contradicts, both quoted
    assert "12 weeks of physical therapy" in item.quote and "12 weeks" in item.feedback
    assert "8 weeks" in item.chart_passage and item.chart_passage in item.feedback


def test_missing_admin_elements_are_listed() -> None:
    """Who, what and by whom must be in the text; dates, units and the period the request form carries
    correctly are not asked again in prose."""
    c = _mri()
    report = grade(c, _with_narrative(c, SOUND))
    missing = {i.item_id for i in report.items if "missing_admin_element" in i.error_tags}
    assert missing == {"admin:patient", "admin:codes", "admin:ordering_provider"}


def test_paraphrased_admin_elements_are_credited() -> None:
    c = _mri()
    p, o = c.patient, c.ordering_provider
    dos = c.order.date_of_service
    head = (
        f"{p.first_name} {p.last_name}, DOB {p.dob.month:02d}/{p.dob.day:02d}/{p.dob.year % 100:02d}. "
        f"MRI L-spine CPT 72148 x1, DOS {dos.month}/{dos.day}, sixty days. Ordered by {o.last_name} {o.credentials}.\n"
    )
    report = grade(c, _with_narrative(c, head + SOUND))
    assert not [i.item_id for i in report.items if "missing_admin_element" in i.error_tags]
