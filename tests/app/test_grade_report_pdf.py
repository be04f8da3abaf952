"""A grade report downloads as a PDF that reads like the screen: score, the three things to fix first with
the policy passage behind each, then every item (issue 12 item 9, issue 9's summary at the top)."""

# AppTest runs _page's body alone, so its imports live inside it

from __future__ import annotations

import io
import re

from pdfminer.high_level import extract_text
from streamlit.testing.v1 import AppTest

from grading import grade
from knowledge_base.loader import load_library
from scenarios import generate_case
from ui.widgets.exporters import to_pdf
from ui.widgets.grade_view import resolve_citation
from ui.widgets.report_export import report_document


def _flawed_report() -> dict[str, object]:
    # a lumbar MRI (advanced_imaging seed 4) whose request leaves out every chart document: points are
    # lost on documentation, so the report has things to fix first
    case = generate_case("advanced_imaging", 4)
    actions = [
        a.model_copy(update={"document_ids": []}) if a.type == "submission" else a
        for a in case.answer_key.reference_actions
    ]
    return grade(case, actions).model_dump(mode="json")


def test_the_pdf_opens_with_the_score_and_the_fixes_with_their_policy_text() -> None:
    data = _flawed_report()
    library = load_library()
    title, body, citations = report_document(data, library, resolve_citation)
    assert title == "Grade report — advanced_imaging:4"
    lines = body.splitlines()
    assert re.fullmatch(r"Score \d+\.\d / 100 — (NOT PASSED|PASSED) \(pass mark 80\)", lines[0])
    fixes = data["fix_first"]
    assert isinstance(fixes, list) and fixes
    start = lines.index("Three things to fix first")
    first_dimension = next(
        n for n, line in enumerate(lines) if re.fullmatch(r"(Coding|Documentation) \(.*\)", line)
    )
    assert start < first_dimension  # the summary comes before the detail
    assert lines[start + 1] == f"1. {fixes[0]['text']}"
    cited = next(f for f in fixes if f["citation"])
    passages = resolve_citation(library, cited["citation"])
    assert passages and passages[0][0] in body  # the policy passage itself, read from the policy file
    text = extract_text(io.BytesIO(to_pdf(title, body, citations)))
    flat = " ".join(text.split())
    assert "Three things to fix first" in flat and " ".join(lines[0].split()) in flat


def _page() -> None:
    from knowledge_base.loader import load_library
    from scenarios import generate_case
    from store.permissions import Viewer
    from ui.widgets.grade_view import grade_report

    case = generate_case("advanced_imaging", 4)
    from grading import grade

    report = grade(case, list(case.answer_key.reference_actions))
    viewer = Viewer(user_id=7, username="tina", role="trainee", cohort_id=None, display_name="Tina")
    grade_report(report, load_library(), viewer=viewer)


def test_the_report_offers_its_pdf_download() -> None:
    at = AppTest.from_function(_page, default_timeout=60).run()
    assert not at.exception
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["Download this report (PDF)"]
