"""Criterion facts stated in a reviewer's ordinary paraphrase are credited (fact_words.yaml, partial
dates); text that does not state the fact is not. Facts are read from generated cases' charts."""

from __future__ import annotations

from datetime import date

import pytest
from grading_support import case

from grading.facts import Text, mentioned
from scenarios.models import Case


def _with_fact(module_id: str, name: str) -> tuple[Case, object]:
    from grading.context import case_data
    from knowledge_base.loader import load_library

    for seed in range(60):
        c = case(module_id, seed)
        fact = case_data(c, load_library()).evidence.latest(name)
        if fact is not None and fact.document_id is not None:
            return c, fact.value
    pytest.fail(f"no {module_id} case in 60 seeds documents {name}")


@pytest.mark.parametrize(
    ("module_id", "name", "said", "unsaid"),
    [
        (
            "surgery_admissions",
            "imaging_compression_at_level",
            "MRI shows compression at each level: C6 root at C5-6, C7 root at C6-7.",
            "Arm pain 7/10 for 16 weeks.",
        ),
        (
            "surgery_admissions",
            "multimodal_care_failed",
            "Failed conservative tx: naproxen, gabapentin, PT x8 wks.",
            "MRI shows compression at each level.",
        ),
        (
            "surgery_admissions",
            "second_opinion_documented",
            "2nd surgical opinion agrees.",
            "Surgeon agrees.",
        ),
        (
            "specialty_drugs",
            "concurrent_biologic",
            "No other biologic or JAK inhibitor planned.",
            "Methotrexate for 6 months.",
        ),
        (
            "advanced_imaging",
            "biopsy_proven_cancer",
            "EBUS-FNA of the node proves adenocarcinoma.",
            "CT shows a 2.1 cm node.",
        ),
        (
            "advanced_imaging",
            "followup_exam_documented",
            "Seen again after PT: SLR positive on the left.",
            "PT for 8 weeks with naproxen.",
        ),
    ],
)
def test_paraphrase_of_a_yes_no_fact(module_id: str, name: str, said: str, unsaid: str) -> None:
    _case, value = _with_fact(module_id, name)
    assert mentioned(Text.of(said), name, value)  # type: ignore[arg-type]
    assert not mentioned(Text.of(unsaid), name, value)  # type: ignore[arg-type]


def test_a_date_fact_written_as_a_partial_date_or_with_a_two_digit_year() -> None:
    _case, value = _with_fact("specialty_drugs", "tb_test_date")
    day = date.fromisoformat(str(value))
    for written in (
        f"QuantiFERON negative, drawn {day.month}/{day.day}/{day.year % 100:02d}.",
        f"TB screen negative, collected {day.month:02d}/{day.day:02d}.",
    ):
        assert mentioned(Text.of(written), "tb_test_date", str(value)), written
    other = day.replace(day=1 if day.day != 1 else 2)
    assert not mentioned(Text.of(f"TB test {other.month:02d}/{other.day:02d}."), "tb_test_date", str(value))


def test_a_score_written_with_a_link_word_before_its_number() -> None:
    _case, value = _with_fact("dme", "ahi")
    assert mentioned(Text.of(f"The HSAT showed an RDI of {value} events per hour."), "ahi", value)  # type: ignore[arg-type]
    assert not mentioned(Text.of(f"The HSAT showed {value} minutes of snoring."), "ahi", value)  # type: ignore[arg-type]
