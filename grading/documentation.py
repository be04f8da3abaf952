"""Documentation grader: every required document sent and recent enough, nothing the payer does not need.

What counts as "the documents sent" follows the case's correct action: the first submission (submit),
the appeal's enclosures or the pend reply's documents (only what the payer does not already have is
required: the documents that were not on the earlier request), or, for a provider query, whether the
query asks for the documents the policy requires and the chart lacks.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from grading.context import Attempt, CaseData
from grading.facts import deciding_facts, rule_facts
from grading.models import GradeItem, grade_item
from grading.text import has_words, normalize
from knowledge_base.models import DocumentRequirement
from scenarios import load_service_lines
from scenarios.models import Appeal, ExtensionRequest, PeerToPeer, PendReply, ProviderQuery, Submission

_GENERIC = {"note", "notes", "report", "record", "records", "document", "clinical", "physician", "order"}


_item = partial(grade_item, "documentation")


def applicable_requirements(data: CaseData) -> list[DocumentRequirement]:
    """The policy's documentation items that apply to this chart (a condition that cannot be assessed
    counts as applying, as a payer would ask for the document)."""
    if data.policy is None:
        return []
    as_of = data.case.sim_start.date()
    return [
        r
        for r in data.policy.documentation
        if r.required_if is None or r.required_if.evaluate(data.evidence, as_of).status != "not_met"
    ]


def grade_documentation(att: Attempt) -> list[GradeItem] | None:
    items = _path_items(att)
    prohibited = _prohibited_items(att) + _off_path_disclosures(att)
    if items is None and not prohibited:
        return None
    return (items or []) + prohibited


def _off_path_disclosures(att: Attempt) -> list[GradeItem]:
    """Records the payer does not need, sent with a request, appeal or reply that is not the path graded
    above (a request sent where a provider query was right, a second request): the disclosure happened
    whatever the path, so the minimum-necessary standard is checked on it too (a penalty item)."""
    irrelevant = set(att.case.answer_key.irrelevant_document_ids)
    if not irrelevant:
        return []
    chart, graded = att.data.chart, att.path_action
    flagged: set[str] = set()
    if graded is not None:
        flagged |= set(getattr(graded, "document_ids", [])) & irrelevant
    items: list[GradeItem] = []
    for action in att.actions:
        if action is graded or not isinstance(action, Submission | Appeal | PeerToPeer | PendReply):
            continue
        extra = [d for d in action.document_ids if d in irrelevant and d not in flagged and d in chart]
        if not extra:
            continue
        flagged |= set(extra)
        names = "; ".join(f"{chart[d].title} ({d})" for d in extra)
        items.append(
            _item(
                f"minimum_necessary:{action.type}:{action.at.date().isoformat()}",
                0,
                att.rubric.points["minimum_necessary"],
                f"The {action.type.replace('_', ' ')} of {action.at.date().isoformat()} also sends {names}, "
                "which the policy does not ask for. HIPAA's minimum-necessary standard limits disclosure to what "
                "the payer needs for a decision, on any request sent.",
                correct="Send only the records the policy lists.",
                citation=att.data.policy_section("Documentation"),
                tags=["minimum_necessary_violation"],
            )
        )
    return items


def _path_items(att: Attempt) -> list[GradeItem] | None:
    """The attachments of the path followed: a request's (a new request after a denial stands alone, so it
    needs every required document), or an appeal's, peer-to-peer's or pend reply's (only what the payer does
    not already have: the documents that were not on the earlier request)."""
    ak = att.case.answer_key
    prior_ids = set(att.case.prior_submission.document_ids) if att.case.prior_submission else set()
    path, action = att.path_id, att.path_action
    if path in ("submit", "submit_expedited", "new_request") and isinstance(action, Submission):
        return _sent_items(
            att, action.document_ids, list(ak.required_document_ids), action.at.date(), "request"
        )
    if path in ("appeal", "peer_to_peer", "reply_to_pend") and isinstance(
        action, Appeal | PeerToPeer | PendReply
    ):
        what = {"appeal": "appeal", "peer_to_peer": "peer-to-peer", "reply_to_pend": "pend reply"}[path]
        needed = [d for d in ak.required_document_ids if d not in prior_ids]
        # appeals are reviewed on the records as a whole; a pend reply must meet the policy's recency
        as_of = action.at.date() if path == "reply_to_pend" else None
        return _sent_items(att, action.document_ids, needed, as_of, what)
    first_extension = att.first(ExtensionRequest)
    if path == "request_extension" and first_extension is not None:
        # the payer holds the approved request's records: the first extension needs the current update
        sent = first_extension[1]
        needed = [d for d in ak.required_document_ids if d not in prior_ids]
        return _sent_items(
            att, sent.document_ids, needed, sent.at.date(), "extension request", waivable=False
        )
    if path == "query_provider" or (not path and ak.correct_action == "query_provider"):
        return _query_items(att)
    if path:
        return None
    if ak.correct_action in ("submit", "submit_expedited"):
        return [
            _item("documentation.no_request", 0, 1, "No request was sent, so no records reached the payer.")
        ]
    if ak.correct_action in ("appeal", "reply_to_pend", "request_extension"):
        what = {"appeal": "appeal", "reply_to_pend": "pend reply"}.get(ak.correct_action, "extension request")
        return [
            _item(
                f"documentation.no_{what.replace(' ', '_')}",
                0,
                1,
                f"No {what} was sent, so the new records did not reach the payer by that route.",
            )
        ]
    return None


def _prohibited_items(att: Attempt) -> list[GradeItem]:
    """A record the patient did not authorize for release, sent with anything (also off the case's path)."""
    rules = att.rubric.prohibited_documents
    chart = att.data.chart
    items: list[GradeItem] = []
    seen: set[str] = set()
    for action in att.actions:
        for doc_id in getattr(action, "document_ids", []):
            doc = chart.get(doc_id)
            if doc is None or doc.kind not in rules or doc_id in seen:
                continue
            seen.add(doc_id)
            items.append(
                _item(
                    f"prohibited_document:{doc_id}",
                    0,
                    att.rubric.points["prohibited_document"],
                    f"The {action.type.replace('_', ' ')} of {action.at.date().isoformat()} discloses {doc.title} "
                    f"({doc_id}). {rules[doc.kind]} protects psychotherapy notes: they may not be released without "
                    "the patient's own written authorization, and no payer may require them for a decision.",
                    correct=f"Never send {doc_id}; send only the records the policy lists.",
                    citation=rules[doc.kind],
                    tags=["prohibited_disclosure"],
                    quote=f"{doc.title} ({doc_id})",
                    passage=doc.text.strip().splitlines()[0] if doc.text.strip() else doc.title,
                )
            )
    return items


def _sent_items(
    att: Attempt,
    sent: list[str],
    required: list[str],
    as_of: date | None,
    what: str,
    *,
    waivable: bool = True,
) -> list[GradeItem]:
    data, pts = att.data, att.rubric.points
    chart = data.chart
    cite = data.policy_section("Documentation")
    ages = {r.kind: r.max_age_days for r in applicable_requirements(data) if r.max_age_days}
    items: list[GradeItem] = []
    for doc_id in required:
        doc = chart[doc_id]
        label = f"{doc.title} ({doc.id}, {doc.kind}, dated {doc.date.isoformat()})"
        # the initial request's criteria say whether a record is superfluous; a concurrent review is
        # decided on its own continued-stay rules, which always read the clinical update
        why_not = _not_needed(data, doc_id, sent) if doc_id not in sent and waivable else None
        if why_not:
            items.append(
                _item(
                    f"document:{doc_id}",
                    pts["required_document"],
                    pts["required_document"],
                    f"{label} was not sent; {why_not}",
                    citation=cite,
                )
            )
            continue
        if doc_id not in sent and waivable and _facts_sent_elsewhere(data, doc_id, sent):
            items.append(
                _item(
                    f"document:{doc_id}",
                    pts["required_document"],
                    pts["required_document"],
                    f"{label} was not sent; the policy does not list it and every fact it carries is in the "
                    "records that were sent, so the payer has what it needs.",
                    citation=cite,
                )
            )
            continue
        if doc_id not in sent:
            items.append(
                _item(
                    f"document:{doc_id}",
                    0,
                    pts["required_document"],
                    f"The {what} does not include {label}. {_why_needed(data, doc.kind)} Without it the payer "
                    "pends the request for information, and the decision waits on your reply (an ERISA plan stops its "
                    "clock; an MA or Medicaid plan takes its one 14-day extension).",
                    correct=f"Attach {doc.id}.",
                    citation=cite,
                    tags=["missing_required_document"],
                )
            )
            continue
        limit = ages.get(doc.kind)
        age = (as_of - doc.date).days if as_of is not None else None
        if limit is not None and age is not None and age > limit:
            items.append(
                _item(
                    f"document:{doc_id}",
                    0,
                    pts["required_document"],
                    f"{label} is {age} days old on the day it was sent; {data.policy.id if data.policy else 'the policy'} "
                    f"accepts a {doc.kind.replace('_', ' ')} dated within {limit} days. Ask the office for a "
                    "current one before sending.",
                    correct=f"A {doc.kind} dated within {limit} days.",
                    citation=cite,
                    tags=["stale_document"],
                )
            )
            continue
        items.append(
            _item(
                f"document:{doc_id}",
                pts["required_document"],
                pts["required_document"],
                f"{label} was sent.",
                correct=f"Attach {doc.id}.",
                citation=cite,
            )
        )
    irrelevant = [d for d in sent if d in set(att.case.answer_key.irrelevant_document_ids)]
    unknown = [d for d in sent if d not in chart]
    if irrelevant:
        names = "; ".join(f"{chart[d].title} ({d})" for d in irrelevant)
        items.append(
            _item(
                "minimum_necessary",
                0,
                pts["minimum_necessary"],
                f"The {what} also sends {names}, which the policy does not ask for. HIPAA's minimum-necessary "
                "standard limits disclosure to what the payer needs for this decision.",
                correct=f"Send only {', '.join(required) or 'the documents the denial asks for'}.",
                citation=cite,
                tags=["minimum_necessary_violation"],
            )
        )
    else:
        items.append(
            _item(
                "minimum_necessary",
                pts["minimum_necessary"],
                pts["minimum_necessary"],
                "Only records the payer needs were sent.",
                citation=cite,
            )
        )
    for doc_id in unknown:
        items.append(
            _item(
                f"unknown_attachment:{doc_id}",
                0,
                pts["minimum_necessary"],
                f"{doc_id} is not a document in this chart; the payer rejects an attachment it cannot find.",
                correct="Attach documents from the chart by their ids.",
                citation=cite,
                tags=["unknown_attachment"],
            )
        )
    return items


def _not_needed(data: CaseData, doc_id: str, sent: list[str]) -> str | None:
    """Why a record the answer key lists adds nothing to this request (None: it is needed).

    - a record the policy does not list by kind on this chart (required only for its facts) none of whose
      facts is read by the branch that decides an applicable criterion or by the expedited-review rule: the branch that decides reads other facts (a progressive deficit
      waives the therapy duration; a renewal does not read the initial DMARD history), so the payer
      decides the same without it;
    - a record of a listed kind superseded by a later record of the same kind that was sent and states
      each of its facts (a new examination after a telephone follow-up): the payer reads the latest."""
    doc = data.chart[doc_id]
    facts = {k for k, v in doc.facts.items() if v not in ("", None, [])}
    if not facts or data.policy is None:
        return None
    listed = any(r.kind == doc.kind for r in applicable_requirements(data))
    if not listed:
        as_of = data.case.sim_start.date()
        # facts the deciding branch of an applicable criterion reads, and those the policy's expedited-
        # review rule reads (the reason for urgency is why a referral note is needed on an urgent request)
        deciding: set[str] = set(rule_facts(getattr(data.policy, "expedite_if", None)))
        for crit in data.policy.criteria:
            if (
                crit.applies_if is not None
                and crit.applies_if.evaluate(data.evidence, as_of).status == "not_met"
            ):
                continue
            deciding |= deciding_facts(crit.rule, data.evidence, as_of)
        if not facts & deciding:
            return (
                "the policy does not list it for this chart and no criterion is decided on the facts it carries, "
                "so the payer decides the same without it."
            )
        return None
    later = [
        data.chart[d]
        for d in sent
        if d in data.chart and data.chart[d].kind == doc.kind and data.chart[d].date > doc.date
    ]
    if any(facts <= set(other.facts) for other in later):
        return (
            f"a later {doc.kind.replace('_', ' ')} that was sent states each of its facts, and the payer reads "
            "the latest."
        )
    return None


def _facts_sent_elsewhere(data: CaseData, doc_id: str, sent: list[str]) -> bool:
    """A required document the policy does not list (it is required for the facts it carries) adds nothing
    when every fact it states is stated with the same value by a document that was sent."""
    doc = data.chart[doc_id]
    if any(r.kind == doc.kind for r in applicable_requirements(data)):
        return False
    facts = {k: v for k, v in doc.facts.items() if v not in ("", None, [])}
    others = [data.chart[d].facts for d in sent if d in data.chart]
    return all(any(o.get(k) == v for o in others) for k, v in facts.items())


def _why_needed(data: CaseData, kind: str) -> str:
    req = next((r for r in applicable_requirements(data) if r.kind == kind), None)
    if req is None:
        return "It carries the facts the criteria are judged on."
    return f"{data.policy.id if data.policy else 'The policy'} requires: {req.description}."


def missing_kinds(data: CaseData) -> list[DocumentRequirement]:
    """Required documents the chart does not have (only kinds the service line can produce)."""
    line = load_service_lines().get(data.case.order.service_line)
    producible = set(line.document_kinds()) if line else set()
    present = {d.kind for d in data.case.chart}
    return [r for r in applicable_requirements(data) if r.kind not in present and r.kind in producible]


def mentions_document(text: str, kind: str) -> bool:
    """The text names a document kind: its id (``therapy_note``) or its distinctive words ("therapy")."""
    norm = normalize(text)
    if has_words(norm, kind) or has_words(norm, kind.replace("_", " ")):
        return True
    words = [w for w in kind.split("_") if w not in _GENERIC]
    return bool(words) and all(has_words(norm, w[:-1] if w.endswith("s") else w) for w in words)


def _query_items(att: Attempt) -> list[GradeItem] | None:
    needed = missing_kinds(att.data)
    if not needed:
        return None
    found = att.first(ProviderQuery)
    if found is None:  # the process grade names the missing query; nothing more to tag here
        return [
            _item(
                "documentation.no_query",
                0,
                1,
                "No provider query was sent, so nothing asked the ordering "
                "office for the records the policy requires.",
            )
        ]
    query = found[1]
    cite = att.data.policy_section("Documentation")
    pts = att.rubric.points["query_document"]
    items = []
    for req in needed:
        if mentions_document(query.message, req.kind):
            items.append(
                _item(
                    f"query_document:{req.kind}",
                    pts,
                    pts,
                    f"The query asks for the {req.kind.replace('_', ' ')}.",
                    citation=cite,
                )
            )
        else:
            items.append(
                _item(
                    f"query_document:{req.kind}",
                    0,
                    pts,
                    f"The chart has no {req.kind.replace('_', ' ')} and the policy requires one: {req.description}. "
                    "The query to the ordering office should ask for it by name.",
                    correct=f"Ask for: {req.description} ({req.kind}).",
                    citation=cite,
                    tags=["missing_required_document"],
                )
            )
    return items
