"""The pure parts of the pages: form input to actions (every error names its field), the simulated
clock, code search, chart filter, citation look-up, progress, exports and Markdown escaping."""

from __future__ import annotations

import io
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge_base.loader import load_library
from scenarios import generate_case
from scenarios.models import Case
from simulator import replay
from ui.widgets import workflow
from ui.widgets.case_panels import filter_chart
from ui.widgets.codes import search_codes
from ui.widgets.exporters import pdf_safe, to_docx, to_pdf
from ui.widgets.grade_view import resolve_citation
from ui.widgets.progress import module_progress
from ui.widgets.text import mask, md_escape


@pytest.fixture(scope="module")
def case() -> Case:
    return generate_case("advanced_imaging", 4)


def _form(case: Case, **changes: object) -> workflow.RequestForm:
    base = dict(
        member_id=case.coverage.member_id_on_registration,
        patient_last_name=case.patient.last_name,
        patient_dob=case.patient.dob,
        ordering_npi=case.ordering_provider.npi,
        servicing_npi=case.servicing_provider.npi,
        diagnoses="m54.16",
        lines=[("72148", 1, "")],
        date_of_service=case.order.date_of_service,
        urgency="standard",
        place_of_service="22",
        document_ids=["doc-03", "doc-04"],
        narrative="Eight weeks of failed therapy.",
        requested_duration_days=0,
    )
    base.update(changes)
    return workflow.RequestForm(**base)  # type: ignore[arg-type]


def test_a_valid_form_becomes_the_submission_on_the_clock(case: Case) -> None:
    sub = workflow.submission(case, [], _form(case))
    assert sub.diagnoses == ["M54.16"] and sub.procedures[0].code == "72148"
    assert sub.at == case.sim_start + timedelta(minutes=20) and sub.requested_duration_days is None
    assert replay(case, [sub])[0].result.status == "approved"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"narrative": ""}, "Narrative: empty"),
        ({"narrative": "x" * 20_001}, "Narrative: 20,001 characters is over the limit of 20,000"),
        ({"diagnoses": ""}, "Diagnoses: add at least one"),
        ({"diagnoses": "M54.16, 7"}, "Diagnoses: '7' is not written like an ICD-10-CM code"),
        ({"lines": [("", 1, "")]}, "Procedures: choose at least one"),
        ({"lines": [("72148", 0, "")]}, "Line 1 units: 0 is outside 1-9999"),
        ({"lines": [("72148", 1.5, "")]}, "Line 1 units: 1.5 is not a whole number"),
        ({"lines": [("72148", 1, "RT, XYZ")]}, "Line 1 modifiers: 'XYZ' is not a modifier"),
        ({"member_id": "  "}, "Member id: empty"),
        ({"ordering_npi": "123"}, "Ordering provider NPI: '123' is not an NPI"),
        ({"patient_dob": "1960-01-01"}, "Patient date of birth: expected a date"),
        ({"urgency": "urgent"}, "Urgency: 'urgent' must be standard or expedited"),
        ({"place_of_service": "2"}, "Place of service: '2' is not a place-of-service code"),
        ({"requested_duration_days": 4000}, "Requested duration: 4000 days is outside 1-3650"),
        ({"document_ids": ["doc-99"]}, "Attachments: doc-99 is not a document in this chart"),
        ({"narrative": 42}, "Narrative: expected text, got int"),
    ],
)
def test_bad_form_input_names_the_field(case: Case, changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field.replace("(", r"\(").replace(".", r"\.")):
        workflow.submission(case, [], _form(case, **changes))


def test_each_action_advances_the_simulated_clock(case: Case) -> None:
    actions: list = []
    actions.append(workflow.eligibility(case, actions, "X1", case.order.date_of_service))
    actions.append(workflow.auth_lookup(case, actions, ["72148"]))
    actions.append(workflow.provider_query(case, actions, "Please send the therapy note.", []))
    actions.append(workflow.close_case(case, actions, "no_auth_needed", ""))
    assert [a.at - case.sim_start for a in actions] == [timedelta(minutes=m) for m in (5, 10, 30, 35)]
    assert workflow.sim_now(case, actions) == actions[-1].at
    with pytest.raises(ValueError, match="Codes to look up: choose at least one"):
        workflow.auth_lookup(case, actions, [])
    with pytest.raises(ValueError, match="Reason: choose"):
        workflow.close_case(case, actions, "because", "")
    with pytest.raises(ValueError, match="Appeal level: choose"):
        workflow.appeal(case, actions, "", "letter", [], False)
    with pytest.raises(ValueError, match="Documents to send: choose"):
        workflow.pend_reply(case, actions, [], "")


def test_the_standing_decision_is_the_earlier_request_until_the_trainee_acts() -> None:
    pended = generate_case("pends_appeals", 3)  # a CPAP request pended for the sleep study
    assert workflow.current_determination(pended, []).status == "pended"  # type: ignore[union-attr]
    reply = workflow.pend_reply(pended, [], ["doc-05"], "Sleep study attached.")
    steps = replay(pended, [reply])
    assert workflow.current_determination(pended, steps).status == "approved"  # type: ignore[union-attr]


@pytest.mark.parametrize(("raw", "seed"), [("", None), ("  ", None), (None, None), ("17", 17), (" 0 ", 0)])
def test_case_numbers(raw: object, seed: int | None) -> None:
    assert workflow.parse_seed(raw) == seed


@pytest.mark.parametrize(
    "raw", ["abc", "-1", "1.5", "1e3", "9" * 13, "\u00b2", "\u0663"]
)  # superscript two, Arabic three
def test_bad_case_numbers(raw: str) -> None:
    with pytest.raises(ValueError, match=r"Case number: .* is not a case number \(0 or more"):
        workflow.parse_seed(raw)


TABLE = [
    ("M54.16", "Radiculopathy, lumbar region"),
    ("M54.17", "Radiculopathy, lumbosacral region"),
    ("M54.50", "Low back pain, unspecified"),
    ("G47.33", "Obstructive sleep apnea (adult) (pediatric)"),
]


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("m54.1", ["M54.16", "M54.17"]),
        ("M5416", ["M54.16"]),
        ("radiculopathy lumbar", ["M54.16"]),
        ("SLEEP apnea", ["G47.33"]),
        ("", []),
        ("zzz", []),
    ],
)
def test_icd_search(query: str, codes: list[str]) -> None:
    assert [c for c, _ in search_codes(TABLE, query)] == codes


@given(st.text(max_size=30))
def test_icd_search_never_returns_more_than_the_limit(query: str) -> None:
    assert len(search_codes(TABLE * 30, query, limit=50)) <= 50


def test_chart_filter_searches_text_and_sorts_by_date(case: Case) -> None:
    everything = filter_chart(case.chart, "")
    assert [d.date for d in everything] == sorted(d.date for d in case.chart)
    therapy = filter_chart(case.chart, "THERAPY discharge")
    assert [d.id for d in therapy] == ["doc-03"]


def test_citations_resolve_to_the_policy_text() -> None:
    library = load_library()
    crit = resolve_citation(library, "CMA-MRI-001.1")
    assert crit[0][0] == "CMA-MRI-001.1 (criterion)" and len(crit) >= 2
    (section,) = resolve_citation(library, "CMA-MRI-001 § Documentation required")
    assert section[0] == "CMA-MRI-001 § Documentation required" and section[1]
    assert resolve_citation(library, "cardinal manual § Appeals")[0][1]
    assert resolve_citation(library, "CMA-MRI-001")  # the overview
    assert resolve_citation(library, "NOPE-001.1") == [] and resolve_citation(library, "") == []


def test_module_progress_counts_completed_attempts_only() -> None:
    a = SimpleNamespace
    rows = [
        a(module_id="dme", status="completed", total_score=60.0, passed=False, completed_at=date(2026, 1, 1)),
        a(module_id="dme", status="abandoned", total_score=None, passed=None, completed_at=None),
        a(
            module_id="coding",
            status="completed",
            total_score=95.0,
            passed=True,
            completed_at=date(2026, 1, 2),
        ),
    ]
    got = module_progress(rows)
    assert (got["dme"].attempts, got["dme"].best_score, got["dme"].passed) == (1, 60.0, False)
    assert got["coding"].passed and "behavioral_health" not in got


@given(st.text(max_size=200))
def test_pdf_text_is_always_latin1(text: str) -> None:
    pdf_safe(text).encode("latin-1")


def test_exports_open_as_documents() -> None:
    body = "Line one — “quoted” ≥ 6 weeks\n" + "x" * 3000 + "\n<script>alert(1)</script> 漢字"
    pdf = to_pdf("Appeal — test", body, ["[LKS-MRI-001.1] LKS-MRI-001 § Criterion"])
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    from docx import Document

    doc = Document(io.BytesIO(to_docx("Appeal", body, ["cite"])))
    assert any("<script>alert(1)</script>" in p.text for p in doc.paragraphs)


@given(st.text(max_size=100))
def test_md_escape_leaves_no_unescaped_markup(text: str) -> None:
    escaped = md_escape(text)
    i = 0
    while i < len(escaped):
        if escaped[i] == "\\":
            i += 2
            continue
        assert escaped[i] not in "*_[]<>`#|~$", escaped
        i += 1


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        (None, "(not set)"),
        ("", "(not set)"),
        ("short", "… (5 characters)"),
        ("sk-abcdefghijklmnop", "…mnop (19 characters)"),
    ],
)
def test_secrets_are_masked(secret: str | None, shown: str) -> None:
    assert mask(secret) == shown


def test_charts_build_valid_vega_lite_specs() -> None:
    from ui.widgets import charts

    rows = [
        {"completed": "2026-03-05T10:00:00+00:00", "score": 85.0, "module": "Advanced imaging", "case": "a:1"}
    ]
    built = [
        charts.score_history(rows, pass_mark=80),
        charts.score_history(rows),
        charts.module_scores(
            [{"module": "dme", "mean_score": 70.0, "pass_rate": 0.5, "attempts": 4, "trainees": 2}]
        ),
        charts.weekly([{"week": "2026-03-02", "mean_score": 70.0, "pass_rate": 0.5, "attempts": 4}]),
        charts.dimensions([{"dimension": "coding", "percent": 90.0}]),
        charts.error_tags([{"tag": "missed_deadline", "attempts": 3, "share": 0.25}]),
    ]
    for chart in built:
        spec = chart.to_dict()
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert len(built[0].to_dict()["layer"]) == 2  # the scores and the pass-mark rule
