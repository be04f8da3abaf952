"""Grading a concurrent-review case (issue 14 item 1): what a trainee notices in the report. Expected
scores and tags are written from the rubric (docs/grading.md), not read from the grader: the reference
work earns everything; a request after the authorization's end loses the extension-deadline item and is
tagged late_extension; no request at all is missed_extension; forgetting the update and answering the
pend with it stays on the extension's path (only the first request's documents lose points)."""

from __future__ import annotations

from datetime import timedelta

from grading import grade
from scenarios import generate_case
from scenarios.models import Case, ExtensionRequest, PendReply

# concurrent_review seed 4: stay_extension_supported (authorization ends the day after the case starts)
SEED = 4


def _case() -> tuple[Case, ExtensionRequest]:
    case = generate_case("concurrent_review", SEED)
    assert case.archetype_id == "stay_extension_supported"
    request = case.answer_key.reference_actions[-1]
    assert isinstance(request, ExtensionRequest)
    return case, request


def test_the_reference_extension_earns_full_marks() -> None:
    case, _ = _case()
    report = grade(case, case.answer_key.reference_actions)
    assert report.total == 100 and report.passed and report.path == "request_extension"
    assert report.final_status == "approved"


def test_an_extension_two_days_later_is_tagged_names_the_uncovered_day_and_needs_a_fresh_update() -> None:
    case, request = _case()
    late = request.model_copy(update={"at": request.at + timedelta(days=2)})
    report = grade(case, [*case.answer_key.reference_actions[:-1], late])
    item = next(i for i in report.items if i.item_id == "extension_deadline")
    assert item.points == 0 and "late_extension" in report.error_tags
    assert "1 day(s)" in item.feedback and "CO-210" in item.feedback
    # two days on, the attending's update is older than the 1 day the policy allows: pended for a new one
    assert report.final_status == "pended"


def test_no_extension_request_is_a_missed_extension() -> None:
    case, _ = _case()
    report = grade(case, case.answer_key.reference_actions[:-1])
    assert "missed_extension" in report.error_tags and not report.passed


def test_answering_the_pend_with_the_update_stays_on_the_extension_path() -> None:
    case, request = _case()
    bare = request.model_copy(update={"document_ids": []})
    reply = PendReply(at=request.at + timedelta(hours=2), document_ids=request.document_ids)
    report = grade(case, [*case.answer_key.reference_actions[:-1], bare, reply])
    assert report.path == "request_extension" and report.final_status == "approved"
    assert "wrong_action" not in report.error_tags and "missing_required_document" in report.error_tags
