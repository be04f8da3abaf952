"""From a case to a request: the policy, the codes, the member id, the attachments and the criteria checklist.

This is what a careful coordinator does before writing a word: find the payer's policy for the ordered
code, fix the codes, verify the member id with an eligibility check, pick the chart documents that show
each criterion (and the documents the policy requires, recent enough), and evaluate every criterion on
exactly those documents, the way the payer will (the simulator's evidence builder turns the request and
its attachments into criteria evidence; :mod:`knowledge_base.criteria` evaluates it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from assistant.coding import CodedRequest, code_request
from assistant.models import ChecklistItem, CodeFix, EvidenceItem
from knowledge_base.criteria import (
    AllOf,
    AnyOf,
    DocumentRef,
    DocumentWithin,
    Evidence,
    Fact,
    HasCode,
    Not,
    Rule,
)
from knowledge_base.loader import Library
from knowledge_base.models import Manual, Policy
from scenarios.models import Case, ChartDocument, EligibilityQuery, Submission, Urgency
from simulator import build_view, check_eligibility
from simulator.evidence import build_evidence, fact_label
from simulator.models import EligibilityReply

_CARD_MEMBER_ID = re.compile(r"Member ID:\s*([A-Za-z0-9-]+)")
REQUEST_PREFIXES = ("request.", "patient.")


def rule_kinds(rule: Rule | None) -> set[str]:
    """Document kinds a rule reads through ``document_within``."""
    if isinstance(rule, DocumentWithin):
        return {rule.kind}
    if isinstance(rule, AllOf | AnyOf):
        return set().union(*(rule_kinds(r) for r in rule.of))
    if isinstance(rule, Not):
        return rule_kinds(rule.rule)
    return set()


def policy_facts(policy: Policy) -> set[str]:
    """Chart facts any rule of the policy reads (criteria, applicability, documentation, expedite)."""
    rules: list[Rule | None] = [policy.expedite_if]
    for crit in policy.criteria:
        rules += [crit.rule, crit.applies_if]
    rules += [req.required_if for req in policy.documentation]
    names: set[str] = set()
    for rule in rules:
        if rule is not None:
            names |= rule.facts_used()
    return {n for n in names if not n.startswith(REQUEST_PREFIXES)}


def governing_policy(case: Case, library: Library) -> Policy | None:
    """The payer's policy for the first ordered code it governs, else its policy for the service line."""
    payer = case.coverage.payer_id
    for line in case.order.procedures:
        found = library.policy_for_code(payer, line.code.code)
        if found is not None:
            return found
    return library.policy_for(payer, case.order.service_line)


@dataclass
class Analysis:
    case: Case
    library: Library
    policy: Policy | None
    manual: Manual
    at: datetime
    coded: CodedRequest
    member_id: str
    attachments: list[ChartDocument]
    base_document_ids: list[str]
    submission: Submission
    evidence: Evidence
    checklist: list[ChecklistItem]
    doc_gaps: list[str]
    coverage_warnings: list[str] = field(default_factory=list)
    member_fix: CodeFix | None = None

    @property
    def as_of(self) -> date:
        return self.at.date()

    @property
    def new_documents(self) -> list[ChartDocument]:
        """Recommended documents the earlier request did not carry (an appeal's new evidence)."""
        return [d for d in self.attachments if d.id not in self.base_document_ids]

    @property
    def not_met(self) -> list[ChecklistItem]:
        return [c for c in self.checklist if c.status != "met"]

    @property
    def blocking(self) -> list[str]:
        """Why the request should not go out as it is: unmet or unevidenced criteria, missing documents,
        codes only the provider can settle."""
        out = [
            f"{c.criterion_id} {'is not met' if c.status == 'not_met' else 'has no evidence in the chart'}"
            for c in self.not_met
        ]
        return out + self.doc_gaps + self.coded.problems

    def document(self, doc_id: str | None) -> ChartDocument | None:
        return self.case.document(doc_id) if doc_id else None


def verify_member(case: Case, library: Library, at: datetime) -> tuple[str, CodeFix | None, list[str]]:
    """The member id to send: the registration's if eligibility confirms it, else the id on the scanned
    member card when eligibility confirms that one (registration typos are common)."""
    dos = case.order.date_of_service

    def ask(member_id: str) -> EligibilityReply:
        query = EligibilityQuery(at=at, member_id=member_id, date_of_service=dos)
        return check_eligibility(case, query, library=library)

    registration = case.coverage.member_id_on_registration
    chosen, fix, reply = registration, None, ask(registration)
    warnings: list[str] = []
    if _not_found(reply):
        for doc in (d for d in case.chart if d.kind == "insurance_card"):
            found = _CARD_MEMBER_ID.search(doc.text)
            card = found.group(1) if found else None
            if card is None or card == registration or _not_found(again := ask(card)):
                continue
            chosen, reply = card, again
            fix = CodeFix(
                field="member_id",
                original=registration,
                proposed=card,
                reason=(
                    f"Eligibility does not find {registration} (registration); the member card ({doc.id}, "
                    f"{doc.date.isoformat()}) shows {card}, which eligibility confirms."
                ),
            )
            break
        else:
            warnings.append(
                f"Eligibility does not find member id {registration}; verify the id with the patient."
            )
    warnings += [f"Eligibility: {m.message}" for m in reply.messages if m.edit == "coverage_inactive"]
    if reply.referral_required and reply.referral_on_file is False:
        warnings.append(
            "Eligibility: a PCP referral is required for this specialist service and none is on file; "
            "obtain it before (or attach it to) the request."
        )
    return chosen, fix, warnings


def _not_found(reply: EligibilityReply) -> bool:
    return any(m.edit in ("member_not_found", "member_id_format") for m in reply.messages)


def select_documents(case: Case, policy: Policy | None, as_of: date) -> list[ChartDocument]:
    """Documents that state a fact the policy reads, plus the newest document of each kind the policy
    requires (within its recency window when one exists). Nothing else: minimum necessary."""
    if policy is None:
        return []
    chart = [d for d in case.chart if d.date <= as_of]
    wanted = policy_facts(policy)
    chosen = {d.id for d in chart if set(d.facts) & wanted}
    evidence = _chart_evidence([d for d in chart if d.id in chosen])
    ages = {
        req.kind: req.max_age_days
        for req in policy.documentation
        if req.required_if is None or req.required_if.evaluate(evidence, as_of).status != "not_met"
    }
    for crit in policy.criteria:
        for kind in rule_kinds(crit.rule):
            ages.setdefault(kind, None)
    for kind, max_age in ages.items():
        same = sorted((d for d in chart if d.kind == kind), key=lambda d: d.date, reverse=True)
        recent = [d for d in same if max_age is None or (as_of - d.date).days <= max_age]
        pick = (recent or same)[:1]
        chosen |= {d.id for d in pick}
    return [d for d in chart if d.id in chosen]


def _chart_evidence(docs: list[ChartDocument]) -> Evidence:
    evidence = Evidence()
    for doc in docs:
        evidence.documents.append(DocumentRef(id=doc.id, kind=doc.kind, date=doc.date))
        for name, value in doc.facts.items():
            evidence.add(Fact(name=name, value=value, document_id=doc.id, document_date=doc.date))
    return evidence


def _urgency(case: Case, policy: Policy | None, evidence: Evidence, as_of: date) -> Urgency:
    """Expedited when the policy's expedite rule is met; with no rule, when the order says urgent."""
    if policy is not None and policy.expedite_if is not None:
        return "expedited" if policy.expedite_if.evaluate(evidence, as_of).status == "met" else "standard"
    return "expedited" if case.order.urgency_requested == "urgent" else "standard"


def checklist(policy: Policy | None, evidence: Evidence, as_of: date, case: Case) -> list[ChecklistItem]:
    """Each criterion: met / not met / not evidenced, with the facts it reads and the documents stating them."""
    if policy is None:
        return []
    items = []
    for crit in policy.criteria:
        if crit.applies_if is not None and crit.applies_if.evaluate(evidence, as_of).status == "not_met":
            items.append(
                ChecklistItem(
                    criterion_id=crit.id,
                    text=crit.text,
                    status="met",
                    applies=False,
                    note="Does not apply to this request, so it counts as met.",
                )
            )
            continue
        out = crit.rule.evaluate(evidence, as_of)
        found = []
        for name in sorted(crit.rule.facts_used()):
            fact = evidence.latest(name)
            # a met criterion shows the documents of the branch that met it, not a failed alternative
            if fact is None or (
                out.status == "met" and fact.document_id and fact.document_id not in out.document_ids
            ):
                continue
            doc = case.document(fact.document_id) if fact.document_id else None
            found.append(
                EvidenceItem(
                    fact=name,
                    value=fact.value,
                    document_id=fact.document_id,
                    title=doc.title if doc else None,
                    date=fact.document_date,
                )
            )
        if out.status == "met":
            found += _code_evidence(crit.rule, evidence, as_of)
        items.append(
            ChecklistItem(
                criterion_id=crit.id,
                text=crit.text,
                status=out.status,
                evidence=found,
                document_ids=out.document_ids,
                missing=out.missing,
                note=_note(out.status, out.missing),
            )
        )
    return items


def _code_evidence(rule: Rule, evidence: Evidence, as_of: date) -> list[EvidenceItem]:
    """The request's codes that meet the rule's met ``has_code`` tests (e.g. a preferred biosimilar)."""
    if isinstance(rule, AllOf | AnyOf):
        return [item for r in rule.of for item in _code_evidence(r, evidence, as_of)]
    if not isinstance(rule, HasCode) or rule.evaluate(evidence, as_of).status != "met":
        return []
    pool = evidence.diagnosis_codes if rule.on == "diagnosis" else evidence.procedure_codes
    wanted = [p.replace(".", "").upper() for p in rule.codes]
    hits = [c for c in pool if any(c.replace(".", "").upper().startswith(w) for w in wanted)]
    return [EvidenceItem(fact=f"request.{rule.on}_code", value=c) for c in hits]


def _note(status: str, missing: list[str]) -> str:
    if status == "met":
        return "Met by the documents recommended for attachment."
    if status == "not_met":
        return "Not met: the chart states facts that fail this criterion."
    named = ", ".join(fact_label(m) for m in missing)  # fact names in words, never snake_case
    return "Missing evidence: no chart document states " + (named or "what it needs") + "."


def documentation_gaps(
    policy: Policy | None, attachments: list[ChartDocument], evidence: Evidence, as_of: date
) -> list[str]:
    """Required document kinds missing from the attachments, or whose newest copy is too old."""
    if policy is None:
        return []
    gaps = []
    for req in policy.documentation:
        if req.required_if is not None and req.required_if.evaluate(evidence, as_of).status == "not_met":
            continue
        sent = [d for d in attachments if d.kind == req.kind]
        if not sent:
            gaps.append(f"Missing document: {req.description}; the chart has none.")
            continue
        newest = max(sent, key=lambda d: d.date)
        if req.max_age_days is not None and (as_of - newest.date).days > req.max_age_days:
            gaps.append(
                f"Document too old: {newest.title} ({newest.id}, {newest.date.isoformat()}); the policy "
                f"asks for one dated within {req.max_age_days} days ({req.description.rstrip('.')})."
            )
    return gaps


def _requested_days(case: Case, policy: Policy | None, coded: CodedRequest) -> int | None:
    """The order's duration, capped at the policy's approval period: a longer period would be partially
    approved (198), so an expert asks for what the payer authorizes and requests the next period later."""
    days = case.order.requested_duration_days
    if policy is not None and policy.max_duration_days and days and days > policy.max_duration_days:
        coded.warnings.append(
            f"The order asks for {days} days; {policy.id} approves at most {policy.max_duration_days} "
            f"days at a time, so the request asks for {policy.max_duration_days} days and the next "
            "period is requested before it ends."
        )
        return policy.max_duration_days
    return days


def analyze(
    case: Case, library: Library, *, at: datetime | None = None, base: Submission | None = None
) -> Analysis:
    """Everything the drafts are built from. ``base`` is an earlier request (an appeal's): its codes and
    documents are kept and the recommended documents are added to it."""
    at = at or case.sim_start
    policy = governing_policy(case, library)
    coded = code_request(case, policy)
    member_id, member_fix, coverage_warnings = verify_member(case, library, at)
    attachments = select_documents(case, policy, at.date())
    base_ids = list(base.document_ids) if base else []
    ids = list(dict.fromkeys([*base_ids, *(d.id for d in attachments)]))
    docs = [d for d in case.chart if d.id in ids]
    submission = Submission(
        at=at,
        # an admission order is requested as an admission review (278 UM01 AR: date, days, facility type)
        category=base.category if base else case.order.review,
        admission_type=base.admission_type if base else case.order.admission_type,
        member_id=member_id,
        patient_last_name=case.patient.last_name,
        patient_dob=case.patient.dob,
        ordering_npi=case.ordering_provider.npi,
        servicing_npi=case.servicing_provider.npi,
        diagnoses=list(base.diagnoses) if base else coded.diagnoses,
        procedures=list(base.procedures) if base else coded.procedures,
        date_of_service=case.order.date_of_service,
        place_of_service=case.order.place_of_service,
        document_ids=ids,
        requested_duration_days=_requested_days(case, policy, coded),
    )
    evidence = build_evidence(build_view(case, submission, library), policy)
    urgency = base.urgency if base else _urgency(case, policy, evidence, at.date())
    if urgency != submission.urgency:
        submission = submission.model_copy(update={"urgency": urgency})
        evidence = build_evidence(build_view(case, submission, library), policy)
    return Analysis(
        case=case,
        library=library,
        policy=policy,
        manual=library.manual(case.coverage.payer_id),
        at=at,
        coded=coded,
        member_id=member_id,
        attachments=docs,
        base_document_ids=base_ids,
        submission=submission,
        evidence=evidence,
        checklist=checklist(policy, evidence, at.date(), case),
        doc_gaps=documentation_gaps(policy, docs, evidence, at.date()),
        coverage_warnings=coverage_warnings,
        member_fix=member_fix,
    )
