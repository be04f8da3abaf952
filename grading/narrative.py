"""Narrative grader: criteria addressed with the chart's facts, no unsupported or contradicting claims,
administrative elements present. Deterministic text analysis only (see grading/text.py).

What is read depends on the case's correct action: the request's narrative (submit), the appeal letter
(appeal: the failed criteria must be answered), or the provider query (query_provider: it must name the
criteria the chart does not meet). Pend replies, no-auth closes and coverage cases have no narrative.
"""

from __future__ import annotations

import re
from functools import partial

from grading.admin import admin_items, canonical_text
from grading.call_conduct import call_conduct_items
from grading.claims import ClaimFlag, check_text
from grading.context import Attempt, CaseData
from grading.documentation import mentions_document, missing_kinds
from grading.facts import Text, about_fact, addressed, describe, rule_facts
from grading.models import GradeItem, grade_item
from grading.text import (
    content_words,
)
from scenarios.models import Appeal, PeerToPeer, ProviderQuery, Submission
from simulator.peer_to_peer import trainee_words

_PLAN_LINE = re.compile(r"^\s*[-*•]?\s*(follow[- ]?up plan|plan)\b", re.IGNORECASE)
_FUTURE = re.compile(r"\b(will|would|plan(?:ned)?\s+to)\b", re.IGNORECASE)


_item = partial(grade_item, "narrative")


def grade_narrative(att: Attempt) -> list[GradeItem] | None:
    """The graded text of the path followed, plus the claims of every text the trainee sent."""
    items = _path_text_items(att)
    claims = _claim_items(att, att.rubric.points["claim"])
    if items is None and not claims:
        return None
    return (items or []) + claims


def _path_text_items(att: Attempt) -> list[GradeItem] | None:
    ak = att.case.answer_key
    path, action = att.path_id, att.path_action
    if path in ("submit", "submit_expedited", "new_request") and isinstance(action, Submission):
        return grade_text(att, action.narrative, _applicable_criteria(att.data), action, "narrative")
    failed = ak.expected_determination.criterion_ids or _applicable_criteria(att.data)
    if path == "appeal" and isinstance(action, Appeal):
        prior = att.case.prior_submission
        return grade_text(att, action.letter, failed, prior, "appeal letter", appeal=True)
    if path == "peer_to_peer" and isinstance(action, PeerToPeer):
        # a call held in the workspace is graded on what the trainee said, not the director's questions
        return grade_text(
            att, trainee_words(action.talking_points), failed, None, "peer-to-peer notes"
        ) + call_conduct_items(att, action.talking_points)
    if path == "query_provider":
        return grade_query(att)
    if path:
        return None  # a pend reply is records, not prose; a close has no text to grade
    correct = ak.correct_action
    if correct in ("submit", "submit_expedited"):
        return [_absent("request", "No request was sent, so there is no narrative to grade.")]
    if correct == "appeal":
        return [_absent("appeal", "No appeal was filed, so there is no appeal letter to grade.")]
    if correct == "query_provider":
        return grade_query(att)
    return None


def _absent(what: str, feedback: str) -> GradeItem:
    return _item(f"narrative.no_{what}", 0, 1, feedback)


def _applicable_criteria(data: CaseData) -> list[str]:
    if data.policy is None:
        return []
    as_of = data.case.sim_start.date()
    return [
        c.id
        for c in data.policy.criteria
        if c.applies_if is None or c.applies_if.evaluate(data.evidence, as_of).status != "not_met"
    ]


def grade_text(
    att: Attempt,
    raw: str,
    criterion_ids: list[str],
    sub: Submission | None,
    what: str,
    *,
    appeal: bool = False,
) -> list[GradeItem]:
    data, pts = att.data, att.rubric.points
    text = Text.of(raw)
    # criteria are matched on the canonical form (number words, abbreviations, "x8 wks" -> "for 8 weeks")
    canonical = Text.of(canonical_text(raw))
    contradicted = [f for f in check_text(att, raw) if f.tag == "contradicts_chart"]
    # a request's own required records it left out: a criterion decided only on their facts is the
    # documentation error (missing_required_document), counted once
    unsent = (
        {d for d in data.case.answer_key.required_document_ids if d not in sub.document_ids}
        if sub is not None and not appeal
        else set()
    )
    items = [
        *_criteria_items(data, (text, canonical), criterion_ids, what, pts["criterion"], contradicted, unsent)
    ]
    if sub is not None:
        items += admin_items(data, text, sub, what, pts["admin_element"], appeal=appeal)
    return items


def _answered_falsely(crit: object, contradicted: list[ClaimFlag]) -> ClaimFlag | None:
    """A claim the chart contradicts about a fact the criterion reads (its rule or its ``applies_if``):
    the text answers the criterion, but with something the chart contradicts ("12 weeks of PT" where the
    chart has 8; an invented red flag where the criterion applies only without one)."""
    names = rule_facts(getattr(crit, "rule", None)) + rule_facts(getattr(crit, "applies_if", None))
    return next(
        (f for f in contradicted if any(about_fact(f.concept, f.unit, n) for n in names)),
        None,
    )


def _criteria_items(
    data: CaseData,
    texts: tuple[Text, Text],
    ids: list[str],
    what: str,
    points: float,
    contradicted: list[ClaimFlag] | None = None,
    unsent: set[str] | None = None,
) -> list[GradeItem]:
    """Each criterion addressed in the text as written or in its canonical form (either suffices: the
    canonical form reads "eight weeks" as "8 weeks" but also "second opinion" as "2nd opinion").

    A criterion the text answers only with a claim the chart contradicts earns nothing, but its error is
    the contradiction (``contradicts_chart`` on the claim item, a critical error), not an omission: the
    item carries no ``criterion_not_addressed`` tag, so one mistake is counted once."""
    items: list[GradeItem] = []
    policy = data.policy
    if policy is None:
        return items
    as_of = data.case.sim_start.date()
    for crit in policy.criteria:
        if crit.id not in ids:
            continue
        ok, missing = addressed(crit.rule, data.evidence, as_of, texts[0])
        if not ok:
            ok, missing = addressed(crit.rule, data.evidence, as_of, texts[1])
        facts = "; ".join(describe(m, data.evidence) for m in missing)
        if ok:
            items.append(
                _item(
                    f"criterion:{crit.id}",
                    points,
                    points,
                    f"{crit.id} is addressed with the chart's facts.",
                    citation=crit.id,
                )
            )
            continue
        sources = {getattr(data.evidence.latest(m), "document_id", None) for m in missing}
        if missing and unsent and sources <= unsent:
            names = ", ".join(sorted(d for d in sources if d))
            items.append(
                _item(
                    f"criterion:{crit.id}",
                    0,
                    points,
                    f"{crit.id} turns on facts only {names} records, and the request left {names} out (see "
                    f"documentation): the reviewer has neither the record nor its facts. The policy says: "
                    f"\u201c{crit.text}\u201d The chart documents {facts}.",
                    correct=f"Attach {names} and state {facts} for {crit.id}.",
                    citation=crit.id,
                )
            )
            continue
        false = _answered_falsely(crit, contradicted or [])
        if false is not None:
            items.append(
                _item(
                    f"criterion:{crit.id}",
                    0,
                    points,
                    f"The {what} answers {crit.id} with a claim the chart contradicts (\u201c{false.shown}\u201d, "
                    f"see the claim items). The policy says: \u201c{crit.text}\u201d The chart documents {facts}; "
                    "state the chart's own facts.",
                    correct=f"State {facts} for {crit.id}.",
                    citation=crit.id,
                    quote=false.sentence,
                    passage=false.passage,
                )
            )
            continue
        items.append(
            _item(
                f"criterion:{crit.id}",
                0,
                points,
                f"The {what} does not show how {crit.id} is met. The policy says: \u201c{crit.text}\u201d "
                f"The chart documents {facts}; a reviewer only credits what the request states, so say it with the "
                f"chart's own figures and cite the document.",
                correct=f"State {facts} for {crit.id}.",
                citation=crit.id,
                tags=["criterion_not_addressed"],
            )
        )
    return items


def _claim_items(att: Attempt, points: float) -> list[GradeItem]:
    """One 0-point item per claim the record does not bear out, in any text sent (each says where)."""
    items: list[GradeItem] = []
    seen: set[tuple[str, str]] = set()
    for index, what, raw in att.texts_sent():
        action = att.actions[index]
        where = f"The {what} of {action.at.date().isoformat()}"
        for flag in check_text(att, raw, to_provider=isinstance(action, ProviderQuery)):
            if (flag.tag, flag.sentence) in seen:
                continue
            seen.add((flag.tag, flag.sentence))
            if flag.tag == "policy_text_as_facts":
                feedback = (
                    f"{where}: {flag.message}. A payer reviews the patient's record against the policy; its own "
                    "wording proves nothing about the patient. State the chart's facts for each criterion."
                )
                correct = "State what the chart documents for the criterion, with its figures and dates."
            else:
                said = (
                    "contradicts the chart"
                    if flag.tag == "contradicts_chart"
                    else "has no source in the chart"
                )
                chart = f" The record says: \u201c{flag.passage}\u201d" if flag.passage else ""
                feedback = (
                    f"{where} says \u201c{flag.sentence}\u201d: \u201c{flag.shown}\u201d {said}.{chart} A clinical "
                    "claim the record does not support is a compliance failure, and a reviewer who finds one stops "
                    "trusting the rest; state only what the chart documents."
                )
                correct = "Quote the chart's own finding or figure, or leave the claim out."
            items.append(
                _item(
                    f"claim:{len(items) + 1}",
                    0,
                    points,
                    feedback,
                    correct=correct,
                    citation=att.data.policy_section("Documentation"),
                    tags=[flag.tag],
                    quote=flag.sentence,
                    passage=flag.passage,
                )
            )
    return items


def _named(query: ProviderQuery, criterion_id: str, criterion_text: str) -> bool:
    if criterion_id in query.criterion_ids or criterion_id in query.message:
        return True
    wanted = set(content_words(criterion_text))
    norm_words = set(content_words(query.message))
    return bool(wanted) and len(wanted & norm_words) >= 0.6 * len(wanted)


def grade_query(att: Attempt) -> list[GradeItem]:
    """A provider query earns the narrative points when it names what the chart does not meet."""
    found = att.first(ProviderQuery)
    if found is None:
        return [
            _absent(
                "query",
                "No provider query was sent, so nothing asked the ordering office for what the chart lacks.",
            )
        ]
    query = found[1]
    outcome = att.case.answer_key.criteria_outcome
    not_met = [c for c, s in outcome.items() if s == "not_met"]
    ids = not_met or [c for c, s in outcome.items() if s == "not_evidenced"]
    # criteria that cannot be assessed only because a required record is missing from the chart are
    # answered by asking for that record: the office's reply is what evidences them
    missing = missing_kinds(att.data)
    asks_all = bool(missing) and all(mentions_document(query.message, r.kind) for r in missing)
    points = att.rubric.points["criterion"]
    items = []
    for cid in ids:
        text = att.data.criterion_text(cid)
        if not not_met and asks_all:
            items.append(
                _item(
                    f"query_criterion:{cid}",
                    points,
                    points,
                    f"The query asks for the missing record that {cid} is assessed on.",
                    citation=cid,
                )
            )
        elif _named(query, cid, text):
            items.append(
                _item(f"query_criterion:{cid}", points, points, f"The query names {cid}.", citation=cid)
            )
        else:
            items.append(
                _item(
                    f"query_criterion:{cid}",
                    0,
                    points,
                    f"The query does not tell the ordering office that {cid} is not shown by the chart: \u201c{text}\u201d "
                    "Name the criterion and what the chart is missing, so the office can send the right record.",
                    correct=f"Ask about {cid}: {text}",
                    citation=cid,
                    tags=["criterion_not_addressed"],
                )
            )
    return items
