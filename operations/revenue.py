"""Revenue as data: each case's service value, and what the case's outcome did to it.

The figures per service line (value range, denial risk when the authorization is skipped) live in
``scenarios/service_lines/*.yaml`` (``revenue``); the rules that turn an outcome into money live here,
in one place, so the trainee's results, the supervisor's Operations page and the exports agree.
docs/operations.md states the rules for people; docs/sources.md#revenue-and-operations-figures cites
the figures.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scenarios.content import Revenue

# How the authorization stands when the trainee finishes the case (operations.outcome decides it).
Standing = Literal[
    "secured",  # approved (in full or in part) or the payer confirmed none is needed
    "recovered",  # denied, then overturned on appeal or peer-to-peer
    "denied",  # a denial (or a dismissed appeal) stands
    "pending",  # needed, not obtained yet, work under way: pended, rejected, provider queried, coverage
    "skipped",  # needed, but the case was closed without one (or left with no request at all)
    "not_needed",  # the case needs no authorization and none was obtained
]


class RevenueOutcome(BaseModel):
    """The money side of one case outcome, in whole US dollars (cents would be false precision)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    expected: int = Field(ge=0)
    at_risk: int = Field(ge=0)
    lost: int = Field(ge=0)
    recovered: int = Field(ge=0)
    cash_delay_days: int = Field(ge=0)


def service_value(revenue: Revenue, module_id: str, seed: int) -> int:
    """The case's service value: a whole multiple of $10 within the line's range, fixed by
    (module, seed) so the same case is always worth the same (sha256, not ``hash()``, which Python
    salts per process).

    >>> r = Revenue(low=1500, high=5000, skip_denial_risk=(0.6, 0.75), source="brief")
    >>> v = service_value(r, "advanced_imaging", 4)
    >>> v == service_value(r, "advanced_imaging", 4), 1500 <= v <= 5000, v % 10
    (True, True, 0)
    """
    digest = hashlib.sha256(f"service_value:{module_id}:{seed}".encode()).digest()
    steps = (revenue.high - revenue.low) // 10
    return revenue.low + 10 * (int.from_bytes(digest[:8], "big") % (steps + 1))


def cash_delay_days(date_of_service: date, secured_at: datetime | None) -> int:
    """Days the cash arrives later because the authorization came after the planned date of service.

    The service cannot go ahead unauthorized, so it moves to the day the approval arrives, and the
    claim and its payment move with it. An approval on or before the date of service delays nothing;
    revenue that was never secured counts as lost or at risk instead, not as delayed.

    >>> from datetime import date, datetime
    >>> cash_delay_days(date(2026, 3, 10), datetime(2026, 3, 9, 10, 0))
    0
    >>> cash_delay_days(date(2026, 3, 10), datetime(2026, 3, 24, 10, 0))
    14
    """
    if secured_at is None:
        return 0
    return max(0, (secured_at.date() - date_of_service).days)


def revenue_outcome(
    value: int,
    standing: Standing,
    *,
    skip_risk: float,
    secured_share: float = 1.0,
    delay_days: int = 0,
) -> RevenueOutcome:
    """The revenue rules (why each, in docs/operations.md "Revenue"):

    - expected: the service value, whatever happened: what the department would bill.
    - secured: nothing lost; a partial approval loses the share not approved (``secured_share``).
    - recovered: an appeal won the denied revenue back; it counts as recovered (and is not lost).
    - denied: the whole value is lost (a denial that stands at the end of the case).
    - pending: nothing can be billed until the authorization is in place, so the whole value is at
      risk (a pend unanswered, a rejection not fixed, a provider query or coverage still open).
    - skipped: the service goes ahead without an authorization and its claim is denied at the line's
      skip risk; that expected loss (value x risk) is at risk.
    - not_needed: nothing is at risk.

    >>> revenue_outcome(10_000, "denied", skip_risk=0.85).lost
    10000
    >>> revenue_outcome(10_000, "skipped", skip_risk=0.85).at_risk
    8500
    >>> revenue_outcome(10_000, "pending", skip_risk=0.85).at_risk
    10000
    >>> revenue_outcome(10_000, "recovered", skip_risk=0.85, delay_days=12).model_dump()
    {'expected': 10000, 'at_risk': 0, 'lost': 0, 'recovered': 10000, 'cash_delay_days': 12}
    >>> revenue_outcome(10_000, "secured", skip_risk=0.85, secured_share=0.75).lost
    2500
    """
    if not 0 <= secured_share <= 1:
        raise ValueError(f"secured share: expected 0 to 1, got {secured_share}")
    at_risk = lost = recovered = 0
    kept = round(value * secured_share)
    if standing == "secured":
        lost = value - kept
    elif standing == "recovered":
        recovered, lost = kept, value - kept
    elif standing == "denied":
        lost = value
    elif standing == "pending":
        at_risk = value
    elif standing == "skipped":
        at_risk = round(value * skip_risk)
    delay = delay_days if standing in ("secured", "recovered") else 0
    return RevenueOutcome(
        expected=value, at_risk=at_risk, lost=lost, recovered=recovered, cash_delay_days=delay
    )
