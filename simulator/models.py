"""What the simulated payer answers: eligibility replies, authorization look-ups and determinations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from knowledge_base.x12 import ACTION_CODES, REASON_SEGMENTS
from scenarios.models import DeterminationStatus

__all__ = ["ACTION_CODES"]  # re-exported: callers read the action codes next to the Determination

Stage = Literal[
    "front_end",
    "eligibility",
    "auth_requirement",
    "timeliness",
    "coding",
    "documentation",
    "medical_necessity",
    "appeal",
    "decision",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reason(_Model):
    """One reason behind a determination: its X12 code, what caused it, plain words.

    ``code`` is read by ``kind`` (knowledge_base/x12.py): a ``reject`` is an AAA segment (AAA03 reject
    reason, ``follow_up`` the AAA04 follow-up action); a ``denial`` or ``partial`` is an HCR03 decision
    reason (X12 code list 886) and ``claim_code`` the CARC the claim gets if the service is billed
    anyway ("the claim denial this becomes", an 835 code, never the 278's); a ``pend``, ``dismissal``
    or ``info`` reason is free text (``MSG``)."""

    code: str
    kind: Literal["reject", "denial", "pend", "partial", "dismissal", "info"]
    follow_up: str | None = (
        None  # AAA04 on rejects: C please correct and resubmit, N resubmission not allowed
    )
    claim_code: str | None = (
        None  # denials and partials: e.g. CO-50, labelled "the claim denial this becomes"
    )
    criterion_id: str | None = None
    edit: str | None = None  # the front-end or coding edit that failed, e.g. "member_id_format"
    message: str

    @property
    def segment(self) -> str | None:
        """The X12 element ``code`` is sent in (AAA03 or HCR03), or None for free text."""
        return REASON_SEGMENTS.get(self.kind)

    @property
    def coded(self) -> bool:
        """True when ``code`` is an X12 code (AAA03 or HCR03); pends, dismissals and notes are free text."""
        return self.segment is not None


class CriterionResult(_Model):
    criterion_id: str
    text: str
    status: Literal["met", "not_met", "not_evidenced"]
    document_ids: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)


class AppealRight(_Model):
    level: str
    name: str
    file_by: date
    decision_time: str
    automatic: bool = False


class ApprovedLine(_Model):
    code: str
    units: int


class Determination(_Model):
    status: DeterminationStatus
    action_code: str | None  # HCR01; None when the reply is AAA segments (rejected) or a dismissal
    stage: Stage
    reasons: list[Reason] = Field(default_factory=list)
    policy_id: str | None = None
    criteria: list[CriterionResult] = Field(default_factory=list)
    authorization_number: str | None = None
    approved_lines: list[ApprovedLine] = Field(default_factory=list)
    # an admission review's certification: inpatient days from valid_from (the admission date) to valid_to
    approved_days: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    expedited: bool = False
    received_at: datetime
    decision_due: datetime | None = None
    decided_at: datetime
    request_for_information: list[str] = Field(default_factory=list)
    pend_reply_by: datetime | None = None
    appeal_rights: list[AppealRight] = Field(default_factory=list)
    appeal_level: str | None = None  # set on appeal decisions
    # extensions (concurrent review): the days after the authorization ended and before a late request
    # arrived, which the extension does not cover (their claims deny as CO-210)
    not_covered_days: list[date] = Field(default_factory=list)

    @property
    def failed_criteria(self) -> list[str]:
        return [r.criterion_id for r in self.reasons if r.criterion_id]


class EligibilityReply(_Model):
    """A 271-style answer: is the member covered on the date of service, and under what plan.

    Coverage is an EB benefit line (``eligibility_code`` is EB01: 1 active, 6 inactive); AAA reject
    messages appear only when the subscriber cannot be found (75) or the id is malformed (72), and then
    there is no benefit line. ``in_network`` is EB12 for the order's servicing provider and
    ``authorization_required`` EB11 for the ordered service (docs/sources.md#x12-transactions-and-reason-codes)."""

    active: bool
    eligibility_code: str | None = None
    in_network: bool | None = None
    authorization_required: bool | None = None
    member_id: str
    payer_id: str
    plan_type: str | None = None
    plan_name: str | None = None
    coverage_from: date | None = None
    coverage_to: date | None = None
    referral_required: bool = False
    referral_on_file: bool | None = None
    messages: list[Reason] = Field(default_factory=list)


class AuthRequirement(_Model):
    """A CRD-style answer for one code: is authorization needed, under which policy, with what documents."""

    code: str
    required: bool
    policy_id: str | None = None
    policy_title: str | None = None
    documentation: list[str] = Field(default_factory=list)
    submit_lead_business_days: int | None = None
    message: str


class LookupReply(_Model):
    payer_id: str
    results: list[AuthRequirement]


class ProviderAnswer(_Model):
    """One point of the ordering office's answer: a criterion or a document the query is about."""

    criterion_id: str | None = None
    document_kind: str | None = None
    answer: Literal["not_done", "not_on_file", "held_elsewhere", "documented"]
    message: str


class ProviderReply(_Model):
    """The ordering office's reply to a provider query (simulated from the case's archetype: what the
    chart really holds, never more). It arrives at ``replied_at`` on the simulated clock."""

    provider: str
    sent_at: datetime
    replied_at: datetime
    answers: list[ProviderAnswer] = Field(default_factory=list)
    summary: str
