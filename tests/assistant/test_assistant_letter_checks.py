"""Guards that judge the letter: an LLM draft must be a complete document of the kind asked for.

The oracle is the case itself (its patient, member id, codes, units, dates, provider and the answer
key's criteria), never the checks' output; the fake server's modes replay what real small models wrote.
"""

from __future__ import annotations

import pytest
from asst_cases import find_case
from fake_llm import FakeLLM

from assistant.compose import compose
from assistant.letter_checks import date_forms, kind_problem, missing_elements, unaddressed_criteria
from assistant.llm import LLMDrafter
from assistant.pipeline import draft_case, prepare
from assistant.retrieve import Retriever
from settings import Settings

CASES = [
    ("advanced_imaging", "mri_meets", "lakeshore"),
    ("advanced_imaging", "mri_meets", "cardinal"),
]


def _brief(asst_settings, embedding, library, spec, kind):
    return prepare(find_case(*spec), kind, Retriever(asst_settings, embedding), library)


@pytest.mark.parametrize("spec", CASES)
@pytest.mark.parametrize("kind", ["narrative", "provider_query"])
def test_the_offline_draft_is_complete_so_the_fallback_always_is(
    spec, kind, asst_settings, embedding, library
) -> None:
    brief = _brief(asst_settings, embedding, library, spec, kind)
    text = compose(brief)
    assert missing_elements(brief, text) == []
    assert unaddressed_criteria(brief, text) == []
    assert kind_problem(brief, text) is None


def test_each_missing_element_is_named_with_the_value_expected(asst_settings, embedding, library) -> None:
    brief = _brief(asst_settings, embedding, library, CASES[0], "narrative")
    case, sub = brief.analysis.case, brief.analysis.submission
    text = compose(brief).replace(sub.member_id, "").replace(case.ordering_provider.credentials, "")
    for form in date_forms(sub.date_of_service):
        text = text.replace(form, "")
    missing = " ".join(missing_elements(brief, text))
    assert sub.member_id in missing and case.ordering_provider.display_name in missing
    assert sub.date_of_service.isoformat() in missing
    assert "patient" not in missing and "codes" not in missing


def test_a_date_written_the_american_way_counts(asst_settings, embedding, library) -> None:
    brief = _brief(asst_settings, embedding, library, CASES[0], "narrative")
    d = brief.analysis.submission.date_of_service
    text = compose(brief).replace(d.isoformat(), f"{d:%B} {d.day}, {d.year}")
    assert not any("date of service" in m for m in missing_elements(brief, text))


def _settings(base: Settings, fake: FakeLLM) -> Settings:
    return base.model_copy(update={"openai_base_url": fake.base_url, "llm_model": "m", "llm_timeout_s": 10.0})


def _llm_draft(settings, embedding, library, spec, kind="narrative"):
    case = find_case(*spec)
    return draft_case(
        case, kind, settings=settings, embedding=embedding, library=library, drafter=LLMDrafter(settings)
    )


@pytest.mark.parametrize(
    ("mode", "problem"),
    [
        ("policy_copy", "Missing from the draft"),  # supported, cited, long: but no letter
        ("no_criteria", "Criterion not addressed"),
    ],
)
def test_a_draft_that_is_not_the_document_is_refused_then_replaced(
    mode, problem, asst_settings, fake_llm, embedding, library
) -> None:
    fake_llm.mode = mode
    draft = _llm_draft(_settings(asst_settings, fake_llm), embedding, library, CASES[0])
    assert draft.backend == "offline" and "guards twice" in (draft.fallback_reason or "")
    assert any(p.startswith(problem) for p in draft.rejected_draft_problems)
    retry = fake_llm.requests[-1]["messages"][-1]["content"]
    assert problem in retry  # the retry listed the problems
    assert any("was not used" in w for w in draft.warnings)


def test_every_applicable_criterion_is_named_when_unaddressed(
    asst_settings, fake_llm, embedding, library
) -> None:
    fake_llm.mode = "no_criteria"
    draft = _llm_draft(_settings(asst_settings, fake_llm), embedding, library, CASES[0])
    named = " ".join(draft.rejected_draft_problems)
    # read from the policy: .1 (failed conservative care) and .2 (follow-up exam) apply to this
    # non-contrast request; .3 applies only to a contrast code (CPT 72149 or 72158)
    assert "LKS-MRI-001.1" in named and "LKS-MRI-001.2" in named and "LKS-MRI-001.3" not in named


def test_a_query_that_turns_into_a_request_is_refused(asst_settings, fake_llm, embedding, library) -> None:
    spec = ("advanced_imaging", "mri_conservative_care_too_short", None)  # a criterion not met
    fake_llm.mode = "as_request"
    draft = _llm_draft(_settings(asst_settings, fake_llm), embedding, library, spec, kind="provider_query")
    assert draft.kind == "provider_query" and draft.backend == "offline"
    assert any(p.startswith("Wrong kind of document") for p in draft.rejected_draft_problems)
    assert "We request prior authorization" not in draft.text
