"""The fabrications and paraphrases of issue 9 on generated cases. Each test first finds, in the case's
own chart text, the sentence its expectation is read from, so the expectation never comes from the
checker."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from clinical import ClaimChecker
from scenarios import generate_case
from scenarios.models import Case


def _first(module: str, wanted: Callable[[Case], bool]) -> Case:
    for seed in range(80):
        case = generate_case(module, seed)
        if wanted(case):
            return case
    pytest.fail(f"no {module} case in 80 seeds has the chart text this test reads")


def _chart_says(case: Case, phrase: str) -> bool:
    return any(phrase.lower() in d.text.lower() for d in case.chart)


def _verdicts(case: Case, text: str) -> list[tuple[str, str]]:
    return [(f.verdict, f.claim.surface) for f in ClaimChecker.for_case(case).check(text)]


def test_myelopathy_the_chart_denies() -> None:
    case = _first("surgery_admissions", lambda c: _chart_says(c, "No signs of myelopathy"))
    assert _verdicts(case, "Exam shows cervical myelopathy.") == [("contradicted", "myelopathy")]
    assert _verdicts(case, "No signs of myelopathy.") == [("supported", "myelopathy")]
    (finding,) = ClaimChecker.for_case(case).check("Exam shows cervical myelopathy.")
    assert "No signs of myelopathy" in finding.message  # the chart passage is quoted


def test_a_tumour_size_other_than_the_reports() -> None:
    case = _first("advanced_imaging", lambda c: _chart_says(c, "lymph node measuring 2.1 cm"))
    assert _verdicts(case, "The node measures 3.4 cm.") == [("contradicted", "3.4 cm")]
    assert _verdicts(case, "The node measures 2.1 cm.") == [("supported", "2.1 cm")]
    assert _verdicts(case, "Clinical stage IIIA.") == [("unsupported", "stage IIIA")]


def test_no_other_biologic_paraphrases_no_concurrent_biologic() -> None:
    case = _first(
        "specialty_drugs", lambda c: _chart_says(c, "Concurrent biologic or targeted synthetic DMARD: none")
    )
    assert _verdicts(case, "No other biologic.") == [("supported", "other biologic")]
    assert ("contradicted", "prior biologic") in _verdicts(case, "She failed a prior biologic.")


def test_therapy_weeks_written_every_way() -> None:
    case = _first("advanced_imaging", lambda c: _chart_says(c, "Duration of care: 8 weeks"))
    for text in ("PT x8 wks.", "PT x8wk.", "Eight weeks of physical therapy.", "8/52 of PT."):
        durations = [v for v, s in _verdicts(case, text) if "8" in s]
        assert durations == ["supported"], text
    assert ("contradicted", "12 weeks") in _verdicts(case, "Completed 12 weeks of PT.")


def test_an_invented_red_flag_and_pain_score() -> None:
    case = _first("advanced_imaging", lambda c: _chart_says(c, "no red flags (denies saddle numbness"))
    pain = next(d for d in case.chart if "out of 10" in d.text)
    rated = pain.text.split("pain is rated ")[1].split(" out of 10")[0]
    other = str(int(rated) % 10 + 1)
    assert _verdicts(case, "She has saddle anesthesia.") == [("contradicted", "saddle anesthesia")]
    assert _verdicts(case, "No red flags.") == [("supported", "red flags")]
    assert _verdicts(case, f"Pain {rated}/10.") == [("supported", f"{rated}/10")]
    assert _verdicts(case, f"Pain {other}/10.") == [("contradicted", f"{other}/10")]


def test_a_rate_is_read_as_a_rate_and_compared_with_the_charts_rate() -> None:
    case = _first(
        "surgery_admissions", lambda c: _chart_says(c, "physical therapy") and _chart_says(c, "twice weekly")
    )
    for text in ("PT 2x/wk.", "PT twice a week.", "PT 2 days a week.", "PT two times per week."):
        rates = [v for v, s in _verdicts(case, text) if "2" in s]
        assert rates == ["supported"], text  # one claim, a rate: "2 days a week" is no 2-day duration
    for text in ("PT 3x/wk.", "PT three days a week."):
        assert [v for v, s in _verdicts(case, text) if "3" in s] == ["contradicted"], text


def test_a_therapy_the_chart_only_plans_did_not_happen() -> None:
    def only_planned(c: Case) -> bool:
        said = [s for d in c.chart for s in d.text.split("\n") if "epidural" in s.lower()]
        return len(said) == 1 and said[0].startswith("Plan:") and "plan epidural" in said[0]

    case = _first("advanced_imaging", only_planned)
    (finding,) = ClaimChecker.for_case(case).check("He failed an epidural steroid injection.")
    assert finding.verdict == "unsupported"
    assert "only plans it" in finding.message and "plan epidural steroid injection" in finding.message
    assert _verdicts(case, "No epidural steroid injection yet.") == [
        ("supported", "epidural steroid injection")
    ]


def test_a_plans_figures_are_checked_and_its_therapies_are_not_claimed_as_done() -> None:
    case = _first("behavioral_health", lambda c: _chart_says(c, "4 days/week x 3 hours/day"))
    plan = "Individualized plan with measurable goals, 3 hours a day on {} days a week."
    assert ("supported", "4 days/week") in _verdicts(case, plan.format("four"))
    assert ("contradicted", "10 days/week") in _verdicts(case, plan.format("10"))
    # a therapy named after the plan noun is what is planned: no claim that it was given
    assert _verdicts(case, "Her treatment plan adds acupuncture.") == []
    assert _verdicts(case, "She had acupuncture.") == [("unsupported", "acupuncture")]
