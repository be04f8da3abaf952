"""The policy and payer-manual formats: YAML front matter validated by these models.

One policy file per payer × service line drives three things: the simulator's rules, the text the
assistant retrieves and cites, and the grader's rubric items (criterion ids). See docs/formats.md.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from knowledge_base.criteria import Rule

# Payers and service lines are content, not code: a payer exists because its manual does
# (manuals/<id>.md), a service line because policies and case material name it. The loader checks that
# every policy's payer has a manual; scenarios.validation checks service lines against their material.
# Ids are lower-case slugs so they can be file names.
PayerId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
ServiceLine = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
CodeSystem = Literal["CPT", "HCPCS", "ICD-10-CM"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Criterion(_Strict):
    """A medical-necessity criterion: stable id, the sentence people read, the machine rule."""

    id: str = Field(pattern=r"^[A-Z]{3}-[A-Z0-9]+-\d{3}\.\d+$")
    text: str = Field(min_length=10)
    rule: Rule
    # A criterion that does not apply (e.g. the BMI>40 counselling rule for a lean patient) is met.
    applies_if: Rule | None = None


class PolicyCode(_Strict):
    """A service code the policy governs, with whether this payer requires authorization for it."""

    code: str = Field(pattern=r"^([0-9]{5}|[A-Z][0-9]{4}|[0-9]{4}T)$")
    system: CodeSystem
    display: str
    auth_required: bool = True
    # e.g. Prairie: no auth for 72148 ordered by orthopaedics; evaluated on the request's facts.
    no_auth_if: Rule | None = None
    max_units: int | None = Field(default=None, ge=1)
    requires_primary: str | None = None  # add-on code: only billable with this primary code
    # a unilateral procedure: the request carries LT, RT (or 50 bilateral), matching the diagnosis side
    laterality: bool = False
    # the pricing modifier this payer pays the code under (RR: capped rental); a purchase modifier
    # (NU, UE) on the request is not what the payer authorizes
    billing_modifier: str | None = Field(default=None, pattern=r"^[A-Z0-9]{2}$")
    note: str | None = None


class AdmissionReview(_Strict):
    """The policy governs admission reviews (X12 278 UM01 AR): an inpatient stay requested by admission
    date, days and facility type rather than by a code (docs/sources.md#x12-transactions-and-reason-codes).
    The policy's ``max_duration_days`` is the most inpatient days one certification covers."""

    # UM04 facility type codes (CMS place of service) the review is for: 21 inpatient hospital
    facility_types: list[str] = Field(min_length=1)
    # admission types (CL101) that need pre-admission certification; the others are reviewed on notification
    admission_types: list[Literal["elective", "urgent", "emergency"]] = Field(min_length=1)

    @field_validator("facility_types")
    @classmethod
    def _two_digits(cls, v: list[str]) -> list[str]:
        for code in v:
            if not re.fullmatch(r"\d{2}", code):
                raise ValueError(f"{code!r} is not a place-of-service code (two digits, e.g. '21')")
        return v


class DocumentRequirement(_Strict):
    kind: str = Field(pattern=r"^[a-z_]+$")
    description: str
    max_age_days: int | None = Field(default=None, ge=1)
    required_if: Rule | None = None  # conditional requirement (e.g. facility sleep study when BMI >= 40)


def business_days_to_cover(calendar_days: int) -> int:
    """Fewest business days (Monday–Friday) of notice that always span ``calendar_days``, whatever the
    weekday the request is sent: the lead time that keeps a standard decision before the service.

    >>> business_days_to_cover(15), business_days_to_cover(7), business_days_to_cover(3)
    (11, 5, 3)
    """
    worst = 0
    for weekday in range(5):
        inside = sum(1 for d in range(1, calendar_days) if (weekday + d) % 7 < 5)
        worst = max(worst, inside + 1)
    return worst


class Timeframes(_Strict):
    """Clocks of this policy. Lead time is in business days before the date of service, and it covers
    the standard decision clock: submit at least the payer's standard window before the service
    (docs/sources.md#regulatory-clocks-and-urgency)."""

    submit_lead_business_days: int = Field(ge=0)
    standard_decision_days: int = Field(ge=1)
    standard_days_kind: Literal["calendar", "business"] = "calendar"
    expedited_decision_hours: int = Field(ge=1)
    pend_reply_days: int = Field(ge=1)
    approval_days: int = Field(ge=1, description="How long an approval stays valid from the date of service.")
    extension_allowed: bool = Field(
        default=True,
        description="False: the payer's extension cannot be used for this service (Medicare Part B drugs)",
    )

    @model_validator(mode="after")
    def _lead_covers_the_clock(self) -> Timeframes:
        needed = (
            business_days_to_cover(self.standard_decision_days)
            if self.standard_days_kind == "calendar"
            else self.standard_decision_days
        )
        if self.submit_lead_business_days < needed:
            raise ValueError(
                f"submit_lead_business_days {self.submit_lead_business_days} is inside the standard decision "
                f"window of {self.standard_decision_days} {self.standard_days_kind} days, so a decision could "
                f"come after the service; use at least {needed}"
            )
        return self


class AppealClock(_Strict):
    """A policy's own decision clock for one appeal level (e.g. Medicare Part B drug reconsiderations)."""

    decision_days: int = Field(ge=1)
    expedited_decision_hours: int | None = Field(default=None, ge=1)


class ContinuedStayCriterion(Criterion):
    """A continued-stay / continued-service criterion; ``on_fail`` is what the notice tells the provider to do
    instead (step down to a lower level of care, re-engage the member) when it is not met."""

    on_fail: str | None = Field(default=None, min_length=10)


class ContinuedStay(_Strict):
    """Concurrent review: how the payer extends an approved authorization when the stay or the program runs
    past it (docs/sources.md#concurrent-review-and-extensions).

    ``unit`` is what an extension adds: inpatient ``days`` (an admission authorization, its end date moving
    by the same days) or ``units`` (a service authorization, its period extended by ``period_days``). The
    request is due by the authorization's end date (``valid_to``, the first day it does not cover): days
    before a late request arrives are not covered. ``decision_hours`` is the concurrent (urgent) clock."""

    unit: Literal["days", "units"]
    max_additional: int = Field(ge=1, description="most days or units one extension request may add")
    period_days: int | None = Field(
        default=None, ge=1, description="units: days added to the validity period"
    )
    decision_hours: int = Field(ge=1)
    pend_reply_hours: int = Field(ge=1)
    criteria: list[ContinuedStayCriterion] = Field(min_length=1)
    documentation: list[DocumentRequirement] = Field(min_length=1)

    @model_validator(mode="after")
    def _period_for_units(self) -> ContinuedStay:
        if self.unit == "units" and self.period_days is None:
            raise ValueError("period_days: a units extension must say how many days it adds to the period")
        return self


class Policy(_Strict):
    id: str = Field(pattern=r"^[A-Z]{3}-[A-Z0-9]+-\d{3}$")
    kind: Literal["policy"] = "policy"
    payer: PayerId
    title: str
    version: str
    effective: date
    service_line: ServiceLine
    # the codes the policy governs (health services reviews); may be empty when it governs admission reviews
    codes: list[PolicyCode] = Field(default_factory=list)
    admission_review: AdmissionReview | None = None
    diagnoses: list[str] = Field(
        min_length=1, description="ICD-10-CM codes or prefixes that support the service"
    )
    criteria: list[Criterion] = Field(default_factory=list)
    documentation: list[DocumentRequirement] = Field(default_factory=list)
    timeframes: Timeframes
    expedite_if: Rule | None = None
    max_units: int | None = Field(
        default=None, ge=1, description="Units per request across the policy's codes"
    )
    max_duration_days: int | None = Field(default=None, ge=1, description="Longest approval period requested")
    # appeal levels whose clock differs for this policy's service (keys: the manual's level names)
    appeal_clocks: dict[str, AppealClock] = Field(default_factory=dict)
    # concurrent review of an approved authorization (extensions); None: the payer takes a new request
    continued_stay: ContinuedStay | None = None
    remarks: list[str] = Field(default_factory=list)

    @field_validator("diagnoses")
    @classmethod
    def _diagnosis_prefixes(cls, v: list[str]) -> list[str]:
        for code in v:
            if not code[:1].isalpha() or len(code.replace(".", "")) < 3:
                raise ValueError(
                    f"{code!r} is not an ICD-10-CM code or prefix (letter then digits, e.g. M54.5)"
                )
        return v

    @model_validator(mode="after")
    def _governs_something(self) -> Policy:
        if not self.codes and self.admission_review is None:
            raise ValueError(
                "codes: list the codes this policy governs, or give admission_review for an admission policy"
            )
        return self

    @model_validator(mode="after")
    def _ids_belong(self) -> Policy:
        for crit in self.criteria:
            if not crit.id.startswith(self.id + "."):
                raise ValueError(f"criterion {crit.id} must start with the policy id {self.id}.")
        extra = self.continued_stay.criteria if self.continued_stay else []
        for crit in extra:
            if not crit.id.startswith(self.id + "."):
                raise ValueError(
                    f"continued_stay criterion {crit.id} must start with the policy id {self.id}."
                )
        ids = [c.id for c in [*self.criteria, *extra]]
        if len(set(ids)) != len(ids):
            raise ValueError("criterion ids must be unique")
        return self

    def code(self, code: str) -> PolicyCode | None:
        return next((c for c in self.codes if c.code == code), None)


class AppealLevel(_Strict):
    level: Literal["peer_to_peer", "level1", "level2", "external", "reconsideration", "ire", "fair_hearing"]
    name: str
    file_within_days: int = Field(ge=1)
    file_within_kind: Literal["calendar", "months"] = "calendar"
    decision_days: int = Field(ge=1)
    expedited_decision_hours: int | None = Field(default=None, ge=1)
    expedited_decision_business_days: int | None = Field(
        default=None,
        ge=1,
        description="Expedited clock in business (working) days, e.g. a state fair hearing",
    )
    decision_days_from: Literal["filing", "first_appeal_filing"] = Field(
        default="filing",
        description=(
            "first_appeal_filing: the standard clock counts from the filing of the appeal this level follows, "
            "less the days the member took to ask for this one (42 CFR 431.244(f)(1)(ii))"
        ),
    )
    informal: bool = Field(default=False, description="Not a formal appeal level (an informal peer-to-peer)")
    after: str | None = Field(
        default=None, description="Level whose upheld denial opens this one; None = the initial denial"
    )
    automatic: bool = Field(
        default=False, description="Forwarded by the payer without a filing (e.g. MA IRE)"
    )


class MemberIdFormat(_Strict):
    """The payer's member id: an optional letter prefix and a fixed number of digits. The generator
    draws ids from it and the payer's front-end edit checks them against it, so the two cannot drift."""

    prefix: str = Field(default="", pattern=r"^[A-Z]{0,6}$")
    digits: int = Field(ge=4, le=15)

    @property
    def pattern(self) -> str:
        return rf"^{self.prefix}\d{{{self.digits}}}$"


class UrgentIncomplete(_Strict):
    """An ERISA plan's clock for an urgent request that lacks information (29 CFR 2560.503-1(f)(2)(i))."""

    notice_hours: int = Field(ge=1, description="tell the requester what is missing within this time")
    reply_hours: int = Field(ge=1, description="at least this long to supply it")
    decide_hours: int = Field(ge=1, description="decide within this time of the reply (or its deadline)")


class Manual(_Strict):
    """A payer's provider manual: who the payer is, its member file rules, clocks and appeal ladder."""

    id: PayerId
    kind: Literal["manual"] = "manual"
    name: str
    # The regulatory regime the payer works under: it decides which federal rules apply (ERISA, MA, Medicaid).
    plan_type: Literal["commercial_erisa_ppo", "medicare_advantage_hmo", "medicaid_managed_care"]
    # Where the payer is listed in menus and tables (lower first).
    order: int = Field(default=100, ge=0)
    # Plan names shown on member cards: the payer's short name followed by one of these.
    plan_name_suffixes: list[str] = Field(min_length=1)
    # Employer group plans print a group number on the card; None when the plan has none.
    group_number_digits: int | None = Field(default=None, ge=3, le=12)
    version: str
    effective: date
    member_id_format: MemberIdFormat
    member_id_example: str
    referral_required_for_specialists: bool = False
    # What the payer does with a request whose servicing provider is outside its network: "review" it
    # with out-of-network benefits (a PPO), or "reject" it (AAA03 35) because the plan covers no
    # non-emergency care outside its network (an HMO; a Medicaid MCO outside a single-case agreement).
    out_of_network: Literal["review", "reject"] = "review"
    standard_decision_days: int = Field(ge=1)
    standard_extension_days: int = Field(default=0, ge=0)
    expedited_decision_hours: int = Field(ge=1)
    pend_reply_days: int = Field(ge=1)
    # tolls: the decision clock stops from the request for information until the reply (ERISA);
    # extends: it keeps running and the payer takes its one extension with written notice (MA, Medicaid)
    pend_clock: Literal["tolls", "extends"] = "tolls"
    urgent_incomplete: UrgentIncomplete | None = None
    # Authorization updates: calendar days after the service is performed in which a change of date,
    # code, units or site can still be added to an approved authorization (and, for a moved date, days
    # after the authorization's last valid day); later the claim is checked against it as approved.
    authorization_update_days: int = Field(default=2, ge=0, le=30)
    appeal_levels: list[AppealLevel] = Field(min_length=1)
    contacts: dict[str, str] = Field(default_factory=dict)
    # what every adverse notice adds after the appeal ladder (e.g. ERISA's right to bring a civil action)
    further_review: str = ""
    remarks: list[str] = Field(default_factory=list)

    @property
    def member_id_pattern(self) -> str:
        return self.member_id_format.pattern

    @model_validator(mode="after")
    def _example_has_the_format(self) -> Manual:
        if not re.fullmatch(self.member_id_pattern, self.member_id_example):
            raise ValueError(
                f"member_id_example {self.member_id_example!r} does not match member_id_format "
                f"{self.member_id_pattern!r}; fix one of them"
            )
        return self

    @model_validator(mode="after")
    def _extension_for_extending_pends(self) -> Manual:
        if self.pend_clock == "extends" and self.standard_extension_days < 1:
            raise ValueError(
                "pend_clock 'extends' needs standard_extension_days of 1 or more (the extension a pend takes)"
            )
        return self

    def appeal_level(self, level: str) -> AppealLevel | None:
        return next((a for a in self.appeal_levels if a.level == level), None)


class Section(BaseModel):
    """A titled part of a document body (a ``##`` heading and its text)."""

    title: str
    text: str
    criterion_id: str | None = None


class PolicyDocument(BaseModel):
    """A loaded policy or manual: validated front matter, the Markdown body, and its sections."""

    path: str
    meta: Policy | Manual
    body: str
    sections: list[Section]
    content_hash: str
