"""The answer key of a case, written from the archetype's ``expect`` and the content alone.

Nothing here runs the simulator: the key is an independent oracle that tests compare the simulator
against (docs/architecture.md, "Independent oracles"). What each part means:
- ``reference_submission``: the request an expert would send now; for ``appeal`` and
  ``reply_to_pend`` it is the prior request the trainee answers (the one the payer denied or pended).
- ``expected_determination`` and ``criteria_outcome``: the payer's answer to that submission.
- ``expected_appeal_status``: the appeal decision, or for ``reply_to_pend`` the decision after the reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from knowledge_base.criteria import AllOf, AnyOf, DocumentRef, DocumentWithin, Evidence, Fact, Not
from knowledge_base.models import AppealLevel, DocumentRequirement, Manual, Policy
from knowledge_base.x12 import ACTION_CODES
from scenarios.content import Archetype, Expect, OrderSpec, ServiceLineSpec
from scenarios.identity import authorization_number
from scenarios.limits import limits_text
from scenarios.models import (
    AcceptablePath,
    Action,
    AnswerKey,
    Appeal,
    AuthLookup,
    ChartDocument,
    CloseCase,
    Code,
    Coverage,
    DeterminationStatus,
    EligibilityQuery,
    ExpectedClaim,
    ExpectedDetermination,
    ExtensionRequest,
    Facility,
    Order,
    OrderLine,
    PathActionType,
    PathId,
    PendReply,
    Provider,
    ProviderQuery,
    RequestedLine,
    Submission,
)
from scenarios.models import (
    Patient as PatientModel,
)

CriterionStatus = Literal["met", "not_met", "not_evidenced"]


@dataclass
class CaseParts:
    """Everything generated for one case, handed from the generator to the answer-key writer."""

    archetype: Archetype
    expect: Expect
    payer: str
    line: ServiceLineSpec
    policy: Policy
    manual: Manual
    sim_start: datetime
    dos: date
    patient: PatientModel
    coverage: Coverage
    ordering: Provider
    servicing: Provider
    facility: Facility
    order_spec: OrderSpec  # the service line's order with the archetype's overrides (Archetype.order_for)
    # What the expert requests of it: order_spec, or for ``request: within_limits`` order_spec capped at the
    # policy's limits (scenarios/limits.py). The order on the case and the chart keep order_spec.
    request_spec: OrderSpec
    order: Order | None = None
    base_context: dict[str, Any] = field(default_factory=dict)
    chart: list[ChartDocument] = field(default_factory=list)
    relevant: dict[str, bool] = field(default_factory=dict)
    added_after_prior: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    narrative: str = ""
    prior_submission: Submission | None = None
    case_id: str = ""
    extension_update: str = ""  # concurrent review: the clinical-update text an expert sends

    def correct_codes(self) -> tuple[list[Code], list[RequestedLine]]:
        diagnoses = [Code(system=d.system, code=d.code, display=d.display) for d in self.order_spec.diagnoses]
        lines = [
            RequestedLine(code=ln.code.code, units=ln.units, modifiers=list(ln.modifiers))
            for ln in correct_lines(self.request_spec)
        ]
        return diagnoses, lines

    def criterion_id(self, n: int) -> str:
        return f"{self.policy.id}.{n}"


def correct_lines(spec: OrderSpec) -> list[OrderLine]:
    """``spec``'s procedures as order lines: pass ``CaseParts.request_spec`` for the lines an expert
    requests, ``CaseParts.order_spec`` for the order as written (both carry the archetype's overrides,
    unlike the service line's order)."""
    return [
        OrderLine(
            code=Code(system=p.system, code=p.code, display=p.display),
            units=p.units,
            modifiers=list(p.modifiers),
        )
        for p in spec.procedures
    ]


def policy_codes_needing_primary(policy: Policy) -> set[str]:
    """Add-on codes: billable only together with their primary code."""
    return {c.code for c in policy.codes if c.requires_primary}


def first_appeal_level(manual: Manual) -> AppealLevel:
    """The level that answers an initial denial: the first filed level that follows nothing (a
    peer-to-peer is a conversation, not an appeal level)."""
    for level in manual.appeal_levels:
        if level.after is None and level.level != "peer_to_peer" and not level.automatic:
            return level
    raise ValueError(f"manual {manual.id} > appeal_levels: no level with after: null besides peer_to_peer")


def _rule_kinds(rule: Any) -> set[str]:
    """Document kinds a rule reads through ``document_within``."""
    if isinstance(rule, DocumentWithin):
        return {rule.kind}
    if isinstance(rule, AllOf | AnyOf):
        return set().union(*(_rule_kinds(r) for r in rule.of))
    if isinstance(rule, Not):
        return _rule_kinds(rule.rule)
    return set()


def _unsent_evidence(parts: CaseParts, sent: set[str]) -> tuple[set[str], set[str]]:
    """Document kinds the reference submission does not carry, and the facts only they state."""
    present_kinds = {d.kind for d in parts.chart if d.id in sent}
    missing_kinds = set(parts.line.document_kinds()) - present_kinds
    stated = set().union(*(set(d.facts) for d in parts.chart if d.id in sent))
    missing_facts = (
        set().union(*(set(s.states) for s in parts.line.documents if s.kind in missing_kinds)) - stated
    )
    return missing_kinds, missing_facts


def _applicability_evidence(parts: CaseParts, submission: Submission) -> Evidence:
    """What a criterion's ``applies_if`` may read: the request's codes, the patient, the sent documents."""
    evidence = Evidence(
        diagnosis_codes=list(submission.diagnoses), procedure_codes=[ln.code for ln in submission.procedures]
    )
    p = parts.patient
    age = parts.dos.year - p.dob.year - ((parts.dos.month, parts.dos.day) < (p.dob.month, p.dob.day))
    evidence.add(Fact(name="patient.age", value=age))
    evidence.add(Fact(name="patient.sex", value=p.sex))
    for doc in parts.chart:
        if doc.id in submission.document_ids:
            evidence.documents.append(DocumentRef(id=doc.id, kind=doc.kind, date=doc.date))
            for name, value in doc.facts.items():
                evidence.add(Fact(name=name, value=value, document_id=doc.id, document_date=doc.date))
    return evidence


def criteria_outcome(parts: CaseParts, submission: Submission) -> dict[str, CriterionStatus]:
    """``not_met`` for the archetype's failed criteria; ``not_evidenced`` for a pended archetype's criteria
    that read a fact or document only unsent documents carry (unless the criterion plainly does not apply
    to this request, e.g. a bilevel-device rule on a CPAP request); every other criterion ``met``."""
    failed = {parts.criterion_id(n) for n in parts.expect.failed_criteria}
    missing_kinds, missing_facts = _unsent_evidence(parts, set(submission.document_ids))
    evidence: Evidence | None = None
    out: dict[str, CriterionStatus] = {}
    for crit in parts.policy.criteria:
        if crit.id in failed:
            out[crit.id] = "not_met"
            continue
        out[crit.id] = "met"
        needs_unsent = crit.rule.facts_used() & missing_facts or _rule_kinds(crit.rule) & missing_kinds
        if parts.expect.determination != "pended" or not needs_unsent:
            continue
        if crit.applies_if is not None:
            evidence = evidence or _applicability_evidence(parts, submission)
            if crit.applies_if.evaluate(evidence, submission.at.date()).status == "not_met":
                continue  # not applicable: a criterion that does not apply counts as met
        out[crit.id] = "not_evidenced"
    return out


def _reference_submission(parts: CaseParts) -> Submission:
    if parts.expect.action in ("appeal", "reply_to_pend", "request_extension"):
        assert parts.prior_submission is not None  # check_module requires a prior for these actions
        return parts.prior_submission
    diagnoses, lines = parts.correct_codes()
    return Submission(
        at=parts.sim_start + timedelta(minutes=30),
        category=parts.order_spec.review,
        admission_type=parts.order_spec.admission_type,
        member_id=parts.coverage.member_id,
        patient_last_name=parts.patient.last_name,
        patient_dob=parts.patient.dob,
        ordering_npi=parts.ordering.npi,
        servicing_npi=parts.servicing.npi,
        diagnoses=[d.code for d in diagnoses],
        procedures=lines,
        date_of_service=parts.dos,
        urgency="expedited" if parts.expect.action == "submit_expedited" else "standard",
        place_of_service=parts.order_spec.place_of_service,
        document_ids=[d.id for d in parts.chart if parts.relevant[d.id]],
        narrative=parts.narrative,
        requested_duration_days=parts.request_spec.requested_duration_days,
    )


def _codes_text(parts: CaseParts) -> str:
    return ", ".join(
        f"{p.code}{''.join('-' + m for m in p.modifiers)} x{p.units}" for p in parts.request_spec.procedures
    )


def _appeal_letter(parts: CaseParts, level: AppealLevel, new_docs: list[ChartDocument]) -> str:
    p, prior = parts.patient, parts.prior_submission
    assert prior is not None
    ids = [parts.criterion_id(n) for n in parts.expect.failed_criteria]
    head = (
        f"To: {parts.manual.name}, {level.name}\nRe: {p.name}, DOB {p.dob.isoformat()}, member "
        f"{parts.coverage.member_id}; {_codes_text(parts)}; date of service {parts.dos.isoformat()}\n\n"
        f"We request {level.name} of the denial of the request submitted {prior.at.date().isoformat()}."
    )
    if ids:
        head += f" The denial cited {', '.join(ids)}."
    if new_docs:
        listed = "; ".join(f"{d.title} ({d.id}, {d.date.isoformat()})" for d in new_docs)
        head += f" Enclosed, written after that request, are: {listed}. They document what the denial found missing."
    else:
        head += " No new documentation is available; we ask for a review of the record as submitted."
    return f"{head}\n\n{parts.narrative}\n\n{parts.ordering.display_name}"


def _main_action(
    parts: CaseParts, outcome: dict[str, CriterionStatus], at: datetime, reference: Submission
) -> Action:
    action = parts.expect.action
    if action in ("submit", "submit_expedited"):
        return reference
    if action == "query_provider":
        ids = [c for c, s in outcome.items() if s == "not_met"] or [
            c for c, s in outcome.items() if s == "not_evidenced"
        ]
        texts = {c.id: c.text for c in parts.policy.criteria}
        asks = [f"{cid}: {texts[cid]}" for cid in ids]
        asks += [f"{req.description} ({req.kind})" for req in missing_requirements(parts, reference)]
        return ProviderQuery(
            at=at,
            criterion_ids=ids,
            message=(
                f"Before we request {parts.order_spec.description} from {parts.manual.name}, the chart needs: "
                + ("; ".join(asks) or "the documentation the policy lists")
                + "."
            ),
        )
    if action in ("no_auth_needed", "resolve_coverage"):
        note = (
            f"{parts.manual.name} does not require authorization for {_codes_text(parts)} as ordered "
            f"({parts.policy.id})."
            if action == "no_auth_needed"
            else _coverage_note(parts)
        )
        return CloseCase(at=at, reason=action, note=note)
    new_docs = [d for d in parts.chart if d.id in parts.added_after_prior and parts.relevant[d.id]]
    if action == "request_extension":
        return _extension_request(parts, at, new_docs)
    if action == "appeal":
        level = first_appeal_level(parts.manual)
        return Appeal(
            at=at,
            level=level.level,
            letter=_appeal_letter(parts, level, new_docs),
            document_ids=[d.id for d in new_docs],
        )
    listed = "; ".join(f"{d.title} ({d.id})" for d in new_docs)
    return PendReply(
        at=at,
        document_ids=[d.id for d in new_docs],
        note=f"Answering the request for information on the request of "
        f"{reference.at.date().isoformat()}: enclosed {listed}.",
    )


def authorization_on_file(parts: CaseParts) -> str:
    """The number of the approved authorization a concurrent-review case holds: the payer numbers an
    approval from the case id and the request (scenarios.identity.authorization_number), so the key names
    it from the prior request without running the simulator."""
    assert parts.prior_submission is not None  # check_module requires prior: approved here
    prefix = parts.policy.id.split("-", 1)[0]
    return authorization_number(prefix, parts.case_id, parts.prior_submission.model_dump_json(), "")


def _extension_request(parts: CaseParts, at: datetime, new_docs: list[ChartDocument]) -> ExtensionRequest:
    assert parts.archetype.extension is not None
    return ExtensionRequest(
        at=at,
        authorization_number=authorization_on_file(parts),
        additional=parts.archetype.extension.additional,
        document_ids=[d.id for d in new_docs],
        clinical_update=parts.extension_update,
    )


def expected_extension(parts: CaseParts) -> ExpectedDetermination | None:
    """The payer's answer to the reference extension request, from the archetype and the policy's
    continued-stay rules: the days or units added (a late request loses the days before it arrived) and the
    authorization's new end date."""
    ext, rules, status = parts.archetype.extension, parts.policy.continued_stay, parts.expect.appeal_status
    if ext is None or rules is None or status is None:
        return None
    start = parts.sim_start.date()
    span = authorized_span(parts.request_spec, parts.policy)
    end = start + timedelta(days=ext.days_left)
    late = max(0, (start - end).days)
    asked = min(ext.additional, rules.max_additional)
    approved_days = approved_units = valid_to = None
    if status in ("approved", "partially_approved"):
        if rules.unit == "days":
            approved_days = span + asked - late
            valid_to = end + timedelta(days=asked)
        else:
            approved_units = sum(p.units for p in parts.request_spec.procedures) + asked
            valid_to = end + timedelta(days=rules.period_days or 0)
    return ExpectedDetermination(
        status=status,
        action_code=ACTION_CODES[status],
        reason_codes=list(ext.reason_codes),
        criterion_ids=[parts.criterion_id(n) for n in ext.failed_criteria],
        approved_units=approved_units,
        approved_days=approved_days,
        valid_to=valid_to,
    )


def authorized_span(spec: OrderSpec, policy: Policy) -> int:
    """The days an approval of ``spec`` runs from its start (valid_from to valid_to), from the policy's
    own limits: an admission's certified days (the days asked, capped at ``max_duration_days``), a service's
    approval period (``approval_days``, or ``max_duration_days`` when more is asked). The arithmetic the
    payer's approval notice states (docs/authoring.md, concurrent review); never asked of the simulator."""
    asked, cap = spec.requested_duration_days, policy.max_duration_days
    if spec.review == "admission":
        if asked is None:
            return policy.timeframes.approval_days
        return asked if cap is None else min(asked, cap)
    if asked is not None and cap is not None and asked > cap:
        return cap
    return policy.timeframes.approval_days


def _coverage_note(parts: CaseParts) -> str:
    cov = parts.coverage
    if parts.archetype.coverage == "terminated" and cov.effective_to:
        return (
            f"Coverage with {cov.payer_name} ended {cov.effective_to.isoformat()}, before the date of service "
            f"{parts.dos.isoformat()}; ask the patient for current coverage before any request."
        )
    if parts.archetype.coverage == "no_referral" and parts.archetype.expect.action != "resolve_coverage":
        return f"No PCP referral is on file, and none is needed: the member's PCP ordered this service from {cov.payer_name}'s network."
    if parts.archetype.coverage == "no_referral":
        return f"{cov.payer_name} requires a PCP referral for this service and none is on file; ask the PCP for one."
    return "Coverage must be resolved with the patient and the payer before a request can be sent."


def missing_requirements(parts: CaseParts, submission: Submission) -> list[DocumentRequirement]:
    """The policy's documentation items this request needs that the archetype withholds from the chart. An
    item whose ``required_if`` is plainly not met by the request (therapy notes when a red flag is
    documented, the IOP certification on a residential request) is not asked for; one that cannot be
    assessed is, as the payer would."""
    evidence: Evidence | None = None
    out: list[DocumentRequirement] = []
    for req in parts.policy.documentation:
        if req.kind not in parts.archetype.withhold_documents:
            continue
        if req.required_if is not None:
            evidence = evidence or _applicability_evidence(parts, submission)
            if req.required_if.evaluate(evidence, submission.at.date()).status == "not_met":
                continue
        out.append(req)
    return out


def teaching_points(parts: CaseParts, reference: Submission) -> list[str]:
    points = list(parts.archetype.teaching_points)
    arch, expect, policy = parts.archetype, parts.expect, parts.policy
    texts = {c.id: c.text for c in policy.criteria}
    for n in expect.failed_criteria:
        cid = parts.criterion_id(n)
        points.append(f"{cid} is not met: {texts.get(cid, '')}")
    for req in missing_requirements(parts, reference):
        points.append(
            f"{policy.id} requires: {req.description}; the chart has none, so ask for it before submitting."
        )
    if parts.request_spec is not parts.order_spec:
        points.append(_within_limits_point(parts))
    spec = parts.order_spec
    if arch.order_codes == "vague_diagnosis":
        bad = ", ".join(d.code for d in spec.vague_diagnoses)
        good = ", ".join(f"{d.code} ({d.display})" for d in spec.diagnoses)
        points.append(f"The order's diagnosis {bad} is not specific enough to bill; request {good}.")
    elif arch.order_codes == "wrong_units":
        points.append(
            f"Request the units the service needs ({_codes_text(parts)}), not the units on the order."
        )
    elif arch.order_codes == "addon_without_primary":
        points.append(f"An add-on code is requested together with its primary code: {_codes_text(parts)}.")
    if arch.coverage == "wrong_member_id":
        points.append(
            f"The registration screen shows {parts.coverage.member_id_on_registration}; the member file "
            f"says {parts.coverage.member_id}. Verify the id with an eligibility check before submitting."
        )
    elif arch.coverage in ("terminated", "no_referral"):
        points.append(_coverage_note(parts))
    if expect.action == "submit_expedited":
        points.append(
            f"Ask for expedited review: {parts.manual.name} decides expedited requests within "
            f"{policy.timeframes.expedited_decision_hours} hours."
        )
    elif expect.action == "no_auth_needed":
        points.append(
            f"{parts.manual.name} does not require authorization here; look it up before submitting."
        )
    elif expect.action == "appeal":
        level = first_appeal_level(parts.manual)
        points.append(
            f"Answer a denial at the right level: {level.name}, filed within {level.file_within_days} "
            f"{'months' if level.file_within_kind == 'months' else 'days'} of the denial."
        )
    elif expect.action == "request_extension" and parts.policy.continued_stay is not None:
        rules = parts.policy.continued_stay
        points.append(
            f"Ask for the extension by the authorization's end date, with the clinical update "
            f"({', '.join(r.kind for r in rules.documentation)}); {parts.manual.name} decides concurrent "
            f"requests within {rules.decision_hours} hours, and days before a late request arrives are not covered."
        )
    elif expect.action == "reply_to_pend":
        points.append(
            f"Answer a request for information within {policy.timeframes.pend_reply_days} days with the "
            "missing documents, or the request is decided without them."
        )
    return points


def _within_limits_point(parts: CaseParts) -> str:
    """Why the request is smaller than the order, citing the policy limit (``request: within_limits``)."""
    order, req, policy = parts.order_spec, parts.request_spec, parts.policy
    ordered = ", ".join(f"{p.code} x{p.units}" for p in order.procedures)
    if order.requested_duration_days:
        ordered += f" over {order.requested_duration_days} days"
    asked = _codes_text(parts) + (
        f" for {req.requested_duration_days} days" if req.requested_duration_days else ""
    )
    return (
        f"The order asks for {ordered}; {policy.id} authorizes {limits_text(order, policy)} per request, so "
        f"request {asked}. Sent as ordered, the rest is cut (partial approval, HCR03 87; units billed beyond it deny as CO-198); ask for the next "
        "period in a new request before this one ends."
    )


# Every path the payer accepts, per correct action: (path, action type, credit, note). Credit ranks them by
# timeliness and cost: the payer's own routes for the situation earn full credit; a correct route that
# costs more (a second request leaves the denial standing on the record and restarts the review clock)
# earns a little less. docs/grading.md § Acceptable paths explains each.
_PATHS: dict[str, list[tuple[PathId, PathActionType, float, str]]] = {
    "submit": [("submit", "submission", 1.0, "")],
    "submit_expedited": [("submit_expedited", "submission", 1.0, "")],
    "query_provider": [("query_provider", "provider_query", 1.0, "")],
    "no_auth_needed": [("no_auth_needed", "close", 1.0, "")],
    "resolve_coverage": [("resolve_coverage", "close", 1.0, "")],
    "reply_to_pend": [("reply_to_pend", "pend_reply", 1.0, "")],
    "request_extension": [("request_extension", "extension", 1.0, "")],
    "appeal": [
        ("appeal", "appeal", 1.0, ""),
        (
            "peer_to_peer",
            "peer_to_peer",
            1.0,
            "A peer-to-peer review answers the denial within days, before the formal appeal clock.",
        ),
        (
            "new_request",
            "submission",
            0.9,
            "A new request with the new evidence works, but the denial stays on the record and the review "
            "clock starts again; answering the denial itself is the better route.",
        ),
    ],
}
# An appeal that cannot succeed on the record (nothing new to send): the provider query that gets the
# missing care documented is as good an answer as the appeal, and a new request is not one.
_FUTILE_APPEAL: list[tuple[PathId, PathActionType, float, str]] = [
    ("appeal", "appeal", 1.0, ""),
    ("peer_to_peer", "peer_to_peer", 1.0, "A peer-to-peer on the same record is upheld like the appeal."),
    (
        "query_provider",
        "provider_query",
        1.0,
        "Nothing new answers the denial, so asking the ordering office to finish and document the missing "
        "care is the better course; the appeal would be upheld.",
    ),
]


def default_paths(
    action: str,
    determination: DeterminationStatus,
    appeal_status: DeterminationStatus | None,
    only: Sequence[str] | None = None,
    *,
    peer_to_peer: bool = True,
) -> list[AcceptablePath]:
    """The acceptable paths of a case whose correct action is ``action`` (best first). ``only`` (an
    archetype's ``expect.paths``) keeps those paths; the correct action always stays. ``peer_to_peer``:
    whether the payer's manual offers one (Cardinal's does not)."""
    table = _FUTILE_APPEAL if action == "appeal" and appeal_status in ("denied", None) else _PATHS[action]
    if not peer_to_peer:
        table = [row for row in table if row[0] != "peer_to_peer"]
    if only is not None:
        table = [row for row in table if row[0] in only or row[0] == action]
    target = (
        appeal_status if action in ("appeal", "reply_to_pend", "request_extension") else determination
    ) or None
    out: list[AcceptablePath] = []
    for path_id, action_type, credit, note in table:
        status: DeterminationStatus | None = target
        if action_type in ("provider_query", "close"):
            status = None
        elif path_id == "new_request":
            status = "approved"
        out.append(
            AcceptablePath(
                id=path_id,
                action_type=action_type,
                rank=1 + sorted({c for *_, c, _ in table}, reverse=True).index(credit),
                credit=credit,
                expected_status=status,
                note=note,
            )
        )
    return out


def build_answer_key(parts: CaseParts) -> AnswerKey:
    expect = parts.expect
    reference = _reference_submission(parts)
    outcome = criteria_outcome(parts, reference)
    start = parts.sim_start
    diagnoses, _ = parts.correct_codes()
    admission = parts.order_spec.review == "admission"
    actions: list[Action] = [
        EligibilityQuery(
            at=start + timedelta(minutes=5), member_id=parts.coverage.member_id, date_of_service=parts.dos
        ),
        AuthLookup(
            at=start + timedelta(minutes=10),
            codes=[p.code for p in parts.order_spec.procedures],
            admission=admission,
        ),
        _main_action(parts, outcome, start + timedelta(minutes=30), reference),
    ]
    approved = expect.determination == "approved"
    units = sum(p.units for p in parts.request_spec.procedures)
    approved_units = units if approved and units else None
    # an admission review is certified in days: all the days an expert requests (within the policy's limit)
    approved_days = parts.request_spec.requested_duration_days if approved and admission else None
    determination = ExpectedDetermination(
        status=expect.determination,
        action_code=ACTION_CODES[expect.determination],
        reason_codes=list(expect.reason_codes),
        criterion_ids=[parts.criterion_id(n) for n in expect.failed_criteria],
        approved_units=approved_units,
        approved_days=approved_days,
    )
    return AnswerKey(
        correct_action=expect.action,
        policy_id=parts.policy.id,
        auth_required=expect.action != "no_auth_needed",
        correct_diagnoses=diagnoses,
        correct_procedures=correct_lines(parts.request_spec),
        urgency="expedited" if expect.action == "submit_expedited" else "standard",
        required_document_ids=[d.id for d in parts.chart if parts.relevant[d.id]],
        irrelevant_document_ids=[d.id for d in parts.chart if not parts.relevant[d.id]],
        criteria_outcome=outcome,
        expected_determination=determination,
        reference_submission=reference,
        reference_actions=actions,
        expected_extension=expected_extension(parts),
        expected_appeal_status=expect.appeal_status,
        appeal_level=first_appeal_level(parts.manual).level if expect.action == "appeal" else None,
        explanation=parts.archetype.explanation,
        teaching_points=teaching_points(parts, reference),
        acceptable_paths=default_paths(
            expect.action,
            expect.determination,
            expect.appeal_status,
            expect.paths,
            peer_to_peer=parts.manual.appeal_level("peer_to_peer") is not None,
        ),
        expected_claim=expected_claim(parts.archetype),
    )


def expected_claim(archetype: Archetype) -> ExpectedClaim | None:
    """The claim the archetype declares after its approval: billed as performed without an update it
    gets the declared codes; updated within the payer's window it is paid (no codes)."""
    after = archetype.after_service
    if after is None:
        return None
    return ExpectedClaim(change=after.change, codes=list(after.codes), claim_codes=list(after.claim_codes))
