"""One case's outcome as the department measures it, from the actions and the payer's replies.

Definitions (docs/operations.md "KPI definitions" says why each):
- An *authorization request* is a submission the trainee sent; a case with none has no first pass,
  processing time or denial (a correct no-auth close is not a request).
- *First pass*: the first reply to the trainee's first submission is an approval in full. A pend, a
  partial approval, a denial or a front-end rejection is not first pass.
- *Processing time*: hours on the simulated clock from the payer receiving the first submission to the
  first decision on the request (approved, partially approved, denied, or no authorization required),
  pends and resubmissions included. No decision yet: no processing time.
- *Denial*: that first decision is a denial or a partial approval (an adverse determination); its
  reason is the stage that decided it (documentation, medical necessity, coding, timeliness, …).
- *Appeals*: every appeal or peer-to-peer the payer decided (a misdirected one it rejected is not
  counted), with its level and whether it overturned the denial (approved in full or in part).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from operations.revenue import RevenueOutcome, Standing, cash_delay_days, revenue_outcome, service_value
from operations.staff_time import active_seconds
from scenarios.content import load_service_lines
from scenarios.models import Action, Case, CloseCase
from simulator import Determination, StepResult, prior_determination

DECIDED = frozenset({"approved", "partially_approved", "denied", "no_auth_required"})
ADVERSE = frozenset({"denied", "partially_approved"})
OVERTURNED = frozenset({"approved", "partially_approved"})


class AppealOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    level: str = Field(min_length=1, max_length=40)
    overturned: bool


class CaseOutcome(BaseModel):
    """What one finished case did, as stored beside the attempt (``store.models.AttemptOutcome``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    service_line: str = Field(min_length=1, max_length=60)
    submitted: bool
    first_pass: bool | None  # None: no authorization request
    decided: bool  # the request got a decision (processing_hours is then set)
    processing_hours: float | None = Field(default=None, ge=0)
    denied: bool | None  # None: no decision
    denial_reason: str | None = Field(default=None, max_length=40)  # the deciding stage
    appeals: list[AppealOutcome] = Field(default_factory=list, max_length=50)
    active_seconds: int | None = Field(default=None, ge=0)  # None: the workspace recorded no moments
    standing: Standing
    revenue: RevenueOutcome


def _determinations(steps: Sequence[StepResult | dict[str, object]]) -> list[tuple[str, Determination]]:
    out = []
    for raw in steps:
        step = raw if isinstance(raw, StepResult) else StepResult.model_validate(raw)
        if isinstance(step.result, Determination):
            out.append((step.action_type, step.result))
    return out


def approved_share(case: Case, det: Determination) -> float:
    """The share of the ordered units the payer approved: 1 unless the approval is partial."""
    if det.status != "partially_approved":
        return 1.0
    if det.approved_days is not None and det.not_covered_days:
        # a late extension (concurrent review): the stay's days not covered are the revenue lost
        return det.approved_days / (det.approved_days + len(det.not_covered_days))
    asked = sum(line.units for line in case.order.procedures)
    given = sum(line.units for line in det.approved_lines)
    return min(1.0, given / asked) if asked and given else 0.0


def _standing(
    case: Case, actions: Sequence[Action], dets: list[tuple[str, Determination]]
) -> tuple[Standing, Determination | None]:
    """How the authorization stands at the end, and the decision it stands on.

    The standing decision is the last one the payer issued, a rejected (misdirected) appeal leaving
    the denial before it standing, as in the workspace; with none, the case's earlier request (an
    appeal or pend case starts from one), else nothing was decided.
    """
    standing = [(k, d) for k, d in dets if not (k in ("appeal", "peer_to_peer") and d.status == "rejected")]
    adverse_before = case.prior_submission is not None and _prior_adverse(case)
    final: Determination | None = None
    for kind, det in standing:
        if final is not None and final.status in ADVERSE and kind in ("appeal", "peer_to_peer"):
            adverse_before = True
        final = det
    if final is None and case.prior_submission is not None:
        final = prior_determination(case)
    needed = case.answer_key.auth_required
    if final is None or final.status in ("pended", "rejected"):
        if not needed:
            return "not_needed", None
        return ("pending" if final is not None or _followed_up(actions) else "skipped"), None
    if final.status == "no_auth_required":
        return "not_needed", final
    if final.status in ("denied", "dismissed"):
        return "denied", final
    last_kind = standing[-1][0] if standing else "submission"
    if adverse_before and last_kind in ("appeal", "peer_to_peer"):
        return "recovered", final
    return "secured", final


def _followed_up(actions: Sequence[Action]) -> bool:
    """The trainee left the request open on purpose: asked the provider or sent coverage back to be
    resolved (the case waits), rather than closing it as needing no authorization."""
    return any(
        a.type == "provider_query" or (isinstance(a, CloseCase) and a.reason == "resolve_coverage")
        for a in actions
    )


def _prior_adverse(case: Case) -> bool:
    prior = prior_determination(case)
    return prior is not None and prior.status in ADVERSE


def case_outcome(
    case: Case,
    actions: Sequence[Action],
    steps: Sequence[StepResult | dict[str, object]],
    *,
    moments: Sequence[datetime] = (),
) -> CaseOutcome:
    """The outcome of ``case`` worked with ``actions``, whose replies are ``steps`` (simulator.replay),
    and the workspace ``moments`` (operations.staff_time) for the active time."""
    spec = load_service_lines().get(case.order.service_line)
    if spec is None:
        raise ValueError(
            f"service line: {case.order.service_line!r} has no scenarios/service_lines file; "
            "add it (with its revenue) before storing outcomes"
        )
    dets = _determinations(steps)
    start = next((i for i, (kind, _) in enumerate(dets) if kind == "submission"), None)
    first = None if start is None else dets[start][1]
    # the decision on the trainee's own request: a pend reply to a case's earlier request is not one
    requests = (
        [] if start is None else [d for kind, d in dets[start:] if kind in ("submission", "pend_reply")]
    )
    decision = next((d for d in requests if d.status in DECIDED), None)
    appeals = [
        AppealOutcome(level=d.appeal_level or kind, overturned=d.status in OVERTURNED)
        for kind, d in dets
        if kind in ("appeal", "peer_to_peer") and d.status not in ("rejected",)
    ]
    standing, final = _standing(case, actions, dets)
    secured_at = final.decided_at if final is not None and standing in ("secured", "recovered") else None
    value = service_value(spec.revenue, case.module_id, case.seed)
    money = revenue_outcome(
        value,
        standing,
        skip_risk=spec.revenue.skip_risk,
        secured_share=approved_share(case, final) if final is not None else 1.0,
        delay_days=cash_delay_days(case.order.date_of_service, secured_at),
    )
    hours = None
    if first is not None and decision is not None:
        hours = round((decision.decided_at - first.received_at).total_seconds() / 3600, 2)
    return CaseOutcome(
        service_line=case.order.service_line,
        submitted=first is not None,
        first_pass=None if first is None else first.status == "approved",
        decided=decision is not None,
        processing_hours=hours,
        denied=None if decision is None else decision.status in ADVERSE,
        denial_reason=decision.stage if decision is not None and decision.status in ADVERSE else None,
        appeals=appeals,
        active_seconds=active_seconds(moments) if moments else None,
        standing=standing,
        revenue=money,
    )


def revenue_at_stake(case: Case, det: Determination) -> int:
    """The revenue an adverse decision leaves unsecured: the case's service value, less the share a
    partial approval did secure (the appeal is about the rest)."""
    spec = load_service_lines().get(case.order.service_line)
    if spec is None:
        raise ValueError(f"service line: {case.order.service_line!r} has no scenarios/service_lines file")
    value = service_value(spec.revenue, case.module_id, case.seed)
    secured = 0.0 if det.status not in OVERTURNED else approved_share(case, det)
    return value - round(value * secured)
