"""The text primitives the narrative grader is built on."""

from __future__ import annotations

import pytest

from grading.error_tags import ERROR_TAGS, render_markdown
from grading.facts import Text, fact_unit, mentioned
from grading.text import dates, figures, normalize, therapies, window_pairs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8 weeks of physical therapy", [("8", "week")]),
        ("a 12-week trial", [("12", "week")]),
        ("AHI/RDI 23.6 events per hour", [("23.6", "events")]),
        ("BMI 33.8", [("33.8", None)]),
        ("Pain 7/10", [("7", None)]),
        ("CPT 72148 x 1 unit, M54.16, NPI 1234567893, doc-03, on 2026-03-02", [("1", "unit")]),
        ("methotrexate 20 mg per week", [("20", "mg")]),
    ],
)
def test_figures(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert [(f.value, f.unit) for f in figures(text)] == expected


def test_labels_and_window_pairs() -> None:
    fig = figures("BMI 33.8")[0]
    assert fig.label == "bmi" and fig.classes == {"bmi"}
    pairs = window_pairs("Channels recorded: 4. Duration of care: 8 weeks, 14 visits. q8 weeks")
    assert {("4", "channel"), ("8", "week"), ("14", "visit")} <= pairs and ("14", "week") not in pairs


def test_dates_and_therapies() -> None:
    assert [d for d, _ in dates("seen 2026-03-02, 3/4/2026 and March 5, 2026")] == [
        "2026-03-02",
        "2026-03-04",
        "2026-03-05",
    ]
    assert therapies(normalize("Failed naproxen; no methotrexate; CPAP rather than a bilevel device")) == [
        "naproxen"
    ]


@pytest.mark.parametrize(
    ("name", "value", "text", "ok"),
    [
        ("conservative_care_weeks", 8, "8 weeks of physical therapy", True),
        ("conservative_care_weeks", 8, "8 visits of physical therapy", False),
        ("red_flag", False, "no red flags documented", True),
        ("followup_exam_documented", True, "Follow-up examination after therapy: normal", True),
        ("followup_exam_documented", True, "Exam: normal", False),
        ("tb_test_date", "2026-01-15", "negative, collected 2026-01-15", True),
        ("tb_result", "negative", "QuantiFERON positive", False),
        ("osa_qualifying_conditions", ["hypertension"], "with hypertension", True),
    ],
)
def test_mentioned(name: str, value: object, text: str, ok: bool) -> None:
    assert mentioned(Text.of(text), name, value) is ok  # type: ignore[arg-type]


def test_fact_units() -> None:
    assert fact_unit("mtx_max_dose_mg_week") == "mg" and fact_unit("red_flag") is None


def test_error_tag_doc_is_current() -> None:
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "error_tags.md"
    assert doc.read_text(encoding="utf-8") == render_markdown(), (
        "run: python -m grading tags > docs/error_tags.md"
    )
    assert all(tag.islower() and " " not in tag for tag in ERROR_TAGS)
