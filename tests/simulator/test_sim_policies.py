"""Every shipped policy, table-driven: approve / pend / deny rows built from its service line's baseline.

The expectations come from the content's own declarations, not from the simulator: the authoring guide
says a service line's baseline facts meet every payer's criteria (approve); a policy's unconditional
``documentation`` items must be sent (pend 252 when one is withheld); and a criterion whose fact is
changed to the value its rule excludes (computed from the rule's operators and thresholds) is not met
(deny 50 naming that criterion).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sim_builders import ORDERING_NPI, SERVICING_NPI, START, hand_built_case

from knowledge_base.criteria import (
    AllOf,
    AnyOf,
    Documented,
    Eq,
    Evidence,
    Fact,
    Gt,
    Gte,
    In,
    Lt,
    Lte,
    Not,
    WithinDays,
)
from knowledge_base.loader import load_library
from knowledge_base.models import Policy
from scenarios.content import load_service_lines
from scenarios.models import (
    Case,
    ChartDocument,
    Code,
    Coverage,
    Order,
    OrderLine,
    RequestedLine,
    Submission,
)
from simulator import adjudicate
from simulator.clock import add_business_days

LIBRARY = load_library()
LINES = load_service_lines()
POLICIES = sorted(LIBRARY.policies.values(), key=lambda p: p.id)
COVERED = [p for p in POLICIES if p.service_line in LINES]


def build(
    policy: Policy, facts: dict[str, Any] | None = None, withhold: str | None = None
) -> tuple[Case, Submission]:
    """A case and the request an expert would send, from the service line's baseline (or ``facts``)."""
    line = LINES[policy.service_line]
    manual = LIBRARY.manual(policy.payer)
    facts = {**line.facts, **(facts or {})}
    chart = [
        ChartDocument(
            id=f"doc-{i}",
            kind=spec.kind,
            date=START.date() - timedelta(days=spec.days_before_start),
            author=spec.author,
            title=spec.title,
            text=spec.title,
            facts={k: facts[k] for k in spec.states if k in facts},
        )
        for i, spec in enumerate(line.documents)
    ]
    dos = add_business_days(
        START.date(), max(line.order.lead_business_days, policy.timeframes.submit_lead_business_days)
    )
    order = Order(
        service_line=line.id,
        description=line.order.description,
        review=line.order.review,
        admission_type=line.order.admission_type,
        diagnoses=[Code(system="ICD-10-CM", code=d.code) for d in line.order.diagnoses],
        procedures=[
            OrderLine(code=Code(system=p.system, code=p.code), units=p.units, modifiers=p.modifiers)
            for p in line.order.procedures
        ],
        ordered_on=START.date(),
        date_of_service=dos,
        place_of_service=line.order.place_of_service,
        requested_duration_days=line.order.requested_duration_days,
    )
    dob = _dob(facts)
    case = hand_built_case(
        case_id=f"policy-test:{policy.id}",
        module_id="policy_test",
        archetype_id="baseline",
        seed=0,
        content_version=LIBRARY.version,
        title=policy.title,
        dob=dob,
        coverage=Coverage(
            payer_id=policy.payer,
            payer_name=manual.name,
            plan_type=manual.plan_type,
            plan_name=manual.name,
            member_id=manual.member_id_example,
            subscriber_name="Dana Reyes",
            subscriber_dob=dob,
            effective_from=date(2025, 1, 1),
            member_id_on_registration=manual.member_id_example,
            referral_on_file=True,
        ),
        order=order,
        chart=chart,
        ordering_specialty=line.order.ordering_specialty,
        servicing_specialty=line.order.servicing_specialty,
        servicing_organization="Service",
        facility_name="Facility",
    )
    sub = Submission(
        at=START,
        category=line.order.review,
        admission_type=line.order.admission_type,
        member_id=manual.member_id_example,
        patient_last_name="Reyes",
        patient_dob=dob,
        ordering_npi=ORDERING_NPI,
        servicing_npi=SERVICING_NPI,
        diagnoses=[d.code for d in line.order.diagnoses],
        procedures=[
            RequestedLine(code=p.code, units=p.units, modifiers=p.modifiers) for p in line.order.procedures
        ],
        date_of_service=dos,
        place_of_service=line.order.place_of_service,
        requested_duration_days=line.order.requested_duration_days,
        document_ids=[
            d.id
            for d, spec in zip(chart, line.documents, strict=True)
            if spec.relevant and d.kind != withhold
        ],
    )
    return case, sub


def _dob(facts: dict[str, Any]) -> date:
    age = facts.get("age") or facts.get("patient_age") or 58
    return date(START.year - int(age), 1, 15)


# ---- rule inversion: the fact values a rule's operators exclude or require ---------------------------------
def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def falsify(rule: Any) -> dict[str, Any] | None:
    """Fact values that make ``rule`` not met, or None when documents alone cannot (request facts, codes)."""
    if isinstance(rule, Gte | Gt | Lte | Lt | Eq | In | Documented | WithinDays) and rule.fact.startswith(
        ("request.", "patient.")
    ):
        return None
    if isinstance(rule, Gte) and _num(rule.value):
        return {rule.fact: rule.value - 1}
    if isinstance(rule, Gt) and _num(rule.value):
        return {rule.fact: rule.value}
    if isinstance(rule, Lte) and _num(rule.value):
        return {rule.fact: rule.value + 1}
    if isinstance(rule, Lt) and _num(rule.value):
        return {rule.fact: rule.value}
    if isinstance(rule, Eq):
        v = rule.value
        return {rule.fact: (not v) if isinstance(v, bool) else (v + 1 if _num(v) else f"{v}_other")}
    if isinstance(rule, In):
        return {rule.fact: "not_a_listed_value"}
    if isinstance(rule, Documented):
        return {rule.fact: False}
    if isinstance(rule, WithinDays):
        return {rule.fact: (START.date() - timedelta(days=rule.days + 30)).isoformat()}
    if isinstance(rule, AllOf):
        return next((f for f in map(falsify, rule.of) if f is not None), None)
    if isinstance(rule, AnyOf):
        parts = [falsify(r) for r in rule.of]
        return None if any(p is None for p in parts) else {k: v for p in parts for k, v in p.items()}  # type: ignore[union-attr]
    if isinstance(rule, Not):
        return satisfy(rule.rule)
    return None


def satisfy(rule: Any) -> dict[str, Any] | None:
    if isinstance(rule, Gte | Gt | Lte | Lt | Eq | In | Documented | WithinDays) and rule.fact.startswith(
        ("request.", "patient.")
    ):
        return None
    if isinstance(rule, Gte | Lte | Eq):
        return {rule.fact: rule.value}
    if isinstance(rule, Gt) and _num(rule.value):
        return {rule.fact: rule.value + 1}
    if isinstance(rule, Lt) and _num(rule.value):
        return {rule.fact: rule.value - 1}
    if isinstance(rule, In):
        return {rule.fact: rule.values[0]}
    if isinstance(rule, Documented):
        return {rule.fact: True}
    if isinstance(rule, AllOf):
        parts = [satisfy(r) for r in rule.of]
        return None if any(p is None for p in parts) else {k: v for p in parts for k, v in p.items()}  # type: ignore[union-attr]
    if isinstance(rule, AnyOf):
        return next((s for s in map(satisfy, rule.of) if s is not None), None)
    if isinstance(rule, Not):
        return falsify(rule.rule)
    return None


def _stated(policy: Policy) -> set[str]:
    return {name for spec in LINES[policy.service_line].documents if spec.relevant for name in spec.states}


def _applies_on_baseline(policy: Policy, crit: Any) -> bool:
    if crit.applies_if is None:
        return True
    ev = Evidence()
    for name, value in LINES[policy.service_line].facts.items():
        ev.add(Fact(name=name, value=value, document_id="baseline", document_date=START.date()))
    return crit.applies_if.evaluate(ev, START.date()).status != "not_met"


def deny_rows() -> list[Any]:
    rows = []
    for policy in COVERED:
        for crit in policy.criteria:
            change = falsify(crit.rule)
            if change is None or not _applies_on_baseline(policy, crit) or not set(change) <= _stated(policy):
                continue  # this criterion turns on request facts or codes, not on what documents state
            rows.append(pytest.param(policy, crit.id, change, id=f"{crit.id}"))
    return rows


def pend_rows() -> list[Any]:
    return [
        pytest.param(policy, req.kind, id=f"{policy.id}-{req.kind}")
        for policy in COVERED
        for req in policy.documentation
        if req.required_if is None
    ]


# ---- the table -------------------------------------------------------------------------------------------------
def test_every_policy_has_service_line_material() -> None:
    assert [p.id for p in POLICIES if p.service_line not in LINES] == []


def exceeds_limits(policy: Policy, sub: Submission) -> bool:
    """The order asks for more than the policy's declared unit or duration limits (e.g. Prairie's 30-day IOP blocks)."""
    lines = [(line, policy.code(line.code)) for line in sub.procedures if policy.code(line.code)]
    over_code = any(pc.max_units is not None and line.units > pc.max_units for line, pc in lines)  # type: ignore[union-attr]
    over_total = policy.max_units is not None and sum(line.units for line, _ in lines) > policy.max_units
    over_days = (
        policy.max_duration_days is not None
        and sub.requested_duration_days is not None
        and sub.requested_duration_days > policy.max_duration_days
    )
    return over_code or over_total or over_days


@pytest.mark.parametrize("policy", COVERED, ids=[p.id for p in COVERED])
def test_baseline_request_is_approved(policy: Policy) -> None:
    case, sub = build(policy)
    det = adjudicate(case, sub, library=LIBRARY)
    expected = "partially_approved" if exceeds_limits(policy, sub) else "approved"
    assert det.status == expected, [r.message for r in det.reasons]
    assert det.policy_id == policy.id and det.authorization_number
    assert all(c.status == "met" for c in det.criteria)


@pytest.mark.parametrize(("policy", "kind"), pend_rows())
def test_withholding_a_required_document_pends(policy: Policy, kind: str) -> None:
    case, sub = build(policy, withhold=kind)
    det = adjudicate(case, sub, library=LIBRARY)
    assert det.status == "pended", [r.message for r in det.reasons]
    assert f"document:{kind}" in {r.edit for r in det.reasons if r.kind == "pend"}
    # the reply window runs from the request for information, never past the decision the pend notice dates
    assert det.decision_due is not None
    assert det.pend_reply_by == min(
        det.decided_at + timedelta(days=policy.timeframes.pend_reply_days), det.decision_due
    )


@pytest.mark.parametrize(("policy", "criterion_id", "change"), deny_rows())
def test_failing_a_criterion_denies_82_naming_it(
    policy: Policy, criterion_id: str, change: dict[str, Any]
) -> None:
    case, sub = build(policy, facts=change)
    det = adjudicate(case, sub, library=LIBRARY)
    assert det.status == "denied", [r.message for r in det.reasons]
    assert criterion_id in det.failed_criteria
    assert "82" in {r.code for r in det.reasons} and det.appeal_rights


def test_the_table_covers_every_criterion_it_can_and_most_criteria() -> None:
    rows = {p.values[1] for p in deny_rows()}
    all_ids = [c.id for p in COVERED for c in p.criteria]
    assert len(rows) >= len(all_ids) // 2, f"only {len(rows)} of {len(all_ids)} criteria have a deny row"
