"""Appeal cost-benefit: the expected value of each next step after a denial.

For each step the payer's notice offers (its appeal rights, in ladder order), the expected value is
the revenue at stake times the likelihood that this step overturns the denial, minus the staff time
it takes at an hourly cost: ``at_stake × likelihood − minutes / 60 × hourly cost``. Accepting the
denial is always a choice too: it recovers nothing and costs nothing.

The likelihoods are base rates across all appealed denials (``data/appeal_economics.yaml``, each with
its source). They are not this denial's chance: a payer, this simulator's like a real one, overturns
when the evidence sent meets the criterion that failed, and upholds an appeal that sends nothing new.
The table says so wherever it is shown (``FUTILITY_NOTE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DATA = Path(__file__).parent / "data" / "appeal_economics.yaml"

StageId = Literal["peer_to_peer", "first_level", "second_level", "external"]

FUTILITY_NOTE = (
    "The likelihoods are base rates across all appealed denials, not this denial's chance: a payer "
    "overturns when the evidence sent meets the criterion that failed, and upholds an appeal that sends "
    "nothing new. With no new evidence, finishing what the criterion asks for (and a new request) is "
    "usually the better course."
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Likelihood(_Strict):
    low: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Likelihood:
        if self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}; swap them")
        return self

    @property
    def middle(self) -> float:
        return (self.low + self.high) / 2


class AppealEconomics(_Strict):
    """The data file, validated: every stage has a likelihood and staff minutes, every source cited."""

    stages: dict[StageId, Likelihood]
    levels: dict[str, StageId] = Field(min_length=1)
    plan_type_overrides: dict[str, dict[StageId, Likelihood]] = Field(default_factory=dict)
    staff_minutes: dict[StageId, int]
    staff_minutes_source: str
    hourly_cost: float = Field(gt=0, le=1000)
    hourly_cost_source: str
    sources: dict[str, str] = Field(min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> AppealEconomics:
        stages = set(StageId.__args__)  # type: ignore[attr-defined]
        for name, table in (("stages", self.stages), ("staff_minutes", self.staff_minutes)):
            if missing := stages - set(table):
                raise ValueError(f"{name}: no entry for {', '.join(sorted(missing))}; add one")
        if any(m < 0 for m in self.staff_minutes.values()):
            raise ValueError("staff_minutes: minutes cannot be negative")
        cited = [lk.source for lk in self.stages.values()]
        cited += [lk.source for over in self.plan_type_overrides.values() for lk in over.values()]
        cited += [self.staff_minutes_source, self.hourly_cost_source]
        if unknown := sorted(set(cited) - set(self.sources)):
            raise ValueError(f"sources: {', '.join(unknown)} cited but not listed under sources; add them")
        return self

    def likelihood(self, stage: StageId, plan_type: str) -> Likelihood:
        return self.plan_type_overrides.get(plan_type, {}).get(stage, self.stages[stage])


@cache
def load_appeal_economics(path: Path = DATA) -> AppealEconomics:
    """The validated data file; a bad file raises ValueError naming the file and the field."""
    try:
        return AppealEconomics.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (ValidationError, yaml.YAMLError) as exc:
        raise ValueError(f"{path.name}: {exc}") from exc


class StepOption(_Strict):
    """One possible next step (an appeal level the notice offers), with every input shown."""

    level: str  # the manual's level id, e.g. "level1"; "accept" for accepting the denial
    name: str
    at_stake: int = Field(ge=0)
    likelihood_low: float
    likelihood_high: float
    likelihood_source: str
    staff_minutes: int = Field(ge=0)
    hourly_cost: float
    automatic: bool = False

    @property
    def likelihood(self) -> float:
        return (self.likelihood_low + self.likelihood_high) / 2

    @property
    def staff_cost(self) -> float:
        return round(self.staff_minutes / 60 * self.hourly_cost, 2)

    @property
    def expected_value(self) -> float:
        """Revenue expected back minus the staff cost, in dollars (rounded to cents)."""
        return round(self.at_stake * self.likelihood - self.staff_cost, 2)


class OfferedLevel(_Strict):
    """What the denial notice offers next (simulator ``AppealRight``'s level, name and automatic)."""

    level: str
    name: str
    automatic: bool = False


def next_step_options(
    at_stake: int,
    offered: Sequence[OfferedLevel],
    plan_type: str,
    *,
    hourly_cost: float | None = None,
    economics: AppealEconomics | None = None,
) -> list[StepOption]:
    """The options after a denial: each offered level in the notice's order, then accepting the denial.

    >>> rows = next_step_options(10_000, [OfferedLevel(level="level1", name="Level 1 appeal")],
    ...                          "commercial_erisa_ppo", hourly_cost=30)
    >>> [(r.level, r.likelihood, r.staff_cost, r.expected_value) for r in rows]
    [('level1', 0.35, 30.0, 3470.0), ('accept', 0.0, 0.0, 0.0)]
    """
    if at_stake < 0:
        raise ValueError(f"at stake: {at_stake} is negative; give the denied revenue in whole dollars")
    econ = economics or load_appeal_economics()
    cost = econ.hourly_cost if hourly_cost is None else hourly_cost
    if not 0 < cost <= 1000:
        raise ValueError(f"hourly cost: {cost:g} is outside 0-1,000 dollars; give the staff cost per hour")
    options = []
    for level in offered:
        stage = econ.levels.get(level.level)
        if stage is None:
            raise ValueError(
                f"appeal level {level.level!r}: not on the ladder in {DATA.name} (levels:); add where it sits"
            )
        chance = econ.likelihood(stage, plan_type)
        options.append(
            StepOption(
                level=level.level,
                name=level.name,
                at_stake=at_stake,
                likelihood_low=chance.low,
                likelihood_high=chance.high,
                likelihood_source=econ.sources[chance.source],
                staff_minutes=0 if level.automatic else econ.staff_minutes[stage],
                hourly_cost=cost,
                automatic=level.automatic,
            )
        )
    options.append(
        StepOption(
            level="accept",
            name="Accept the denial",
            at_stake=at_stake,
            likelihood_low=0.0,
            likelihood_high=0.0,
            likelihood_source="nothing is sent, so nothing is overturned",
            staff_minutes=0,
            hourly_cost=cost,
        )
    )
    return options


def best_option(options: Sequence[StepOption]) -> StepOption:
    """The option with the highest expected value (the earlier one on a tie: the ladder's order)."""
    return max(options, key=lambda o: o.expected_value)
