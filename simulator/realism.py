"""Realism mode: seeded reviewer variability for simulated shifts and operations, never for grading.

Off unless a caller passes a :class:`Realism` with ``enabled=True``; graded paths (``replay``, the grader,
the app's case workspace) never do, so a graded case is decided the same way every time. With it on:

- a standard decision arrives after the service's typical turnaround (``typical_turnaround`` in its
  service-line file: imaging 24–48 hours, surgery 3–5 business days …), drawn within that range and
  never after the legal due time; an expedited one within the expedited clock;
- a request the policy would approve is denied at the reviewer base rate (a second reviewer reading the
  same records differently), and an appeal of such a denial is overturned at the appeal base rate;
- :meth:`Realism.appeal_filed` says whether a provider appeals a denial, for shift simulations.

Base rates are Medicare Advantage 2023 (KFF): 6.4 % of requests denied, 11.7 % of denials appealed,
81.7 % of appeals overturned (docs/sources.md#realism-figures-base-rates-turnaround). Every draw comes
from one seeded generator keyed by (realism seed, case, request, purpose): the same (case, seed) gives
the same result in every process.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from scenarios.content import Turnaround, load_service_lines
from simulator import clock

# KFF analysis of CMS Part C reporting data, Medicare Advantage 2023 (docs/sources.md)
MA_2023_DENIAL_RATE = 0.064
MA_2023_APPEAL_RATE = 0.117
MA_2023_OVERTURN_RATE = 0.817


class Realism(BaseModel):
    """The realism switch and its rates (off by default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    seed: int = Field(default=0, ge=0)
    denial_rate: float = Field(default=MA_2023_DENIAL_RATE, ge=0, le=1)
    appeal_rate: float = Field(default=MA_2023_APPEAL_RATE, ge=0, le=1)
    overturn_rate: float = Field(default=MA_2023_OVERTURN_RATE, ge=0, le=1)

    def rng(self, *key: str) -> random.Random:
        """The one source of randomness: a generator seeded from the realism seed and ``key``."""
        digest = hashlib.sha256("\x1f".join([str(self.seed), *key]).encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def reviewer_denies(self, *key: str) -> bool:
        return self.rng("deny", *key).random() < self.denial_rate

    def appeal_overturned(self, *key: str) -> bool:
        return self.rng("overturn", *key).random() < self.overturn_rate

    def appeal_filed(self, *key: str) -> bool:
        """Whether the provider appeals a denial (shift and operations simulations)."""
        return self.rng("appeal", *key).random() < self.appeal_rate

    def decided_at(
        self, received: datetime, due: datetime, *, expedited: bool, service_line: str, key: tuple[str, ...]
    ) -> datetime:
        """When the reviewer decides: after the typical turnaround (standard) or within the expedited
        clock, drawn seeded, never after ``due`` and never before an hour after receipt."""
        rng = self.rng("turnaround", *key)
        span = _turnaround(service_line)
        if expedited or span is None:
            moment = received + (due - received) * rng.uniform(0.05, 0.95)
        elif span.unit == "hours":
            moment = received + timedelta(hours=rng.uniform(span.low, span.high))
        else:
            days = rng.randint(span.low, span.high)
            moment = datetime.combine(
                clock.add_business_days(received.date(), days),
                received.time().replace(hour=rng.randint(8, 16), minute=rng.randrange(0, 60, 5)),
                received.tzinfo,
            )
        moment = moment.replace(second=0, microsecond=0)  # notices read in whole minutes
        return max(received + timedelta(hours=1), min(moment, due))


OFF = Realism()


def _turnaround(service_line: str) -> Turnaround | None:
    spec = load_service_lines().get(service_line)
    return spec.typical_turnaround if spec is not None else None
