"""The fixed vocabulary of error tags (cohort analytics count these, so they never change meaning).

``python -m grading tags`` prints :func:`render_markdown`, which is also kept in docs/error_tags.md (a
test checks the two agree). Add a tag here, never rename one.
"""

from __future__ import annotations

ERROR_TAGS: dict[str, str] = {
    # coding
    "wrong_code_specificity": "An ICD-10-CM code in the right 3-character category but with the wrong specificity or laterality (or a non-billable category code).",
    "invalid_code": "A diagnosis code that does not exist in ICD-10-CM.",
    "non_billable_code": "An ICD-10-CM category or header code that needs more characters to be billable.",
    "unsupported_code": "An extra diagnosis code that neither the order nor the chart supports.",
    "missing_code": "A diagnosis the order and chart support was left off the request.",
    "wrong_sequencing": "The primary diagnosis is not listed first.",
    "wrong_procedure_code": "A CPT/HCPCS line is missing, or a code that was not ordered was requested.",
    "addon_without_primary": "An add-on code was requested without its primary code.",
    "wrong_units": "A procedure line asks for the wrong number of units (the line earns nothing).",
    "wrong_modifier": "A procedure line has the wrong modifiers (the line earns nothing).",
    "wrong_admission_review": "An inpatient admission was not requested as an admission review (278 UM01 AR), or the review states the wrong inpatient days, facility type or admission type.",
    # documentation
    "missing_required_document": "A document the policy requires was not sent (or, on a provider query, not asked for).",
    "stale_document": "A required document was sent but is older than the policy allows.",
    "minimum_necessary_violation": "A document the payer does not need was sent (HIPAA minimum necessary).",
    "unknown_attachment": "An attachment id that is not a document in the chart.",
    "prohibited_disclosure": "A record was sent that the law protects and the patient did not authorize for release (psychotherapy notes, 45 CFR 164.508(a)(2)).",
    # narrative
    "criterion_not_addressed": "The narrative (or query, or appeal letter) does not address a policy criterion with the chart's facts.",
    "unsupported_claim": "The text states a clinical fact (a number, date, finding, therapy, test or stage) that appears nowhere in the case.",
    "contradicts_chart": "The text states a clinical fact that differs from what the chart documents (a figure, a finding the chart denies, a different stage or size).",
    "policy_text_as_facts": "The text presents the payer's policy wording as the patient's facts instead of stating what the chart documents.",
    "missing_admin_element": "An administrative element is missing: patient, date of birth, codes, units, date of service, requested duration or ordering provider with credentials.",
    "discourteous_call": "On a peer-to-peer call the trainee was discourteous to the payer's medical director (a slight, shouting) or never thanked or greeted them.",
    "long_call_answer": "On a peer-to-peer call an answer ran past the rubric's word limit: the director's time is short and the chart fact gets lost.",
    # process
    "eligibility_not_checked": "No eligibility check before acting on the case.",
    "auth_not_looked_up": "The payer's authorization requirement was not looked up for the ordered code.",
    "wrong_urgency": "Standard versus expedited review chosen wrongly.",
    "missed_deadline": "The request was submitted later than the policy's lead time before the date of service.",
    "late_pend_reply": "A request for information was answered after its reply window.",
    "wrong_appeal_level": "The appeal was filed at a level that does not answer this denial.",
    "late_appeal": "The appeal was filed after its filing window.",
    "submitted_when_should_query": "A request was submitted although the chart does not meet the criteria or lacks evidence; the provider should have been queried.",
    "unnecessary_submission": "A request was submitted although the payer needs no authorization for it.",
    "missed_submission": "No request was submitted although one was needed.",
    "coverage_not_resolved": "The case went ahead (or was closed for another reason) while coverage needed resolving first.",
    "missed_provider_query": "The ordering provider was not asked for what the chart lacks.",
    "missed_appeal": "A denial that should be appealed was not appealed.",
    "missed_pend_reply": "A pended request was not answered.",
    "missed_extension": "A stay or program that runs past its authorization was not extended by concurrent review.",
    "late_extension": "The extension (concurrent review) was requested after the authorization's end date: the days in between are not covered.",
    "wrong_action": "The case was ended with an action other than the one it calls for.",
    "wrong_member_id": "The request identifies the member with an id that is not in the payer's member file.",
    # outcome
    "adverse_outcome": "A case that should have been approved ended denied, pended, rejected or only partially approved.",
    "avoidable_denial": "A request was sent that ended denied, pended or rejected when the right move was not to send it.",
    "under_authorization": "The request asks for fewer units or a shorter duration than the order and the policy call for; the rest of the service would be unauthorized and its claim denied.",
    "redone_request": "A request the payer rejected or denied for the trainee's own error had to be sent again; the authorization came late.",
    "unexpected_determination": "The payer's final decision differs from the answer key in another way.",
}


def describe(tag: str) -> str:
    """The description of ``tag``; an unknown tag is a programming error, so it raises."""
    try:
        return ERROR_TAGS[tag]
    except KeyError:
        raise KeyError(f"error tag {tag!r} is not in grading.error_tags.ERROR_TAGS") from None


def render_markdown() -> str:
    """docs/error_tags.md: the vocabulary as a table, grouped as in ERROR_TAGS."""
    lines = [
        "# Error tags",
        "",
        "The grader's fixed vocabulary (`grading/error_tags.py`). Every `GradeItem` and every `GradeReport`",
        "carries tags from this list only; cohort analytics count them. Tags are added, never renamed.",
        "Regenerate this file with `python -m grading tags > docs/error_tags.md`.",
        "",
        "| tag | meaning |",
        "|---|---|",
    ]
    lines += [f"| `{tag}` | {text} |" for tag, text in ERROR_TAGS.items()]
    return "\n".join(lines) + "\n"
