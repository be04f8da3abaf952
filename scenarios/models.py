"""The case and action contracts shared by the generator, the simulator, the grader and the app.

A :class:`Case` is generated from ``(module, seed)`` and carries an :class:`AnswerKey` written from its
scenario archetype (never computed by the simulator). Actions are what a trainee does, each stamped
with simulated time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from knowledge_base.criteria import FactValue

CodeSystem = Literal["ICD-10-CM", "CPT", "HCPCS"]
# What a request asks the payer to review (X12 278 UM01 request category, docs/sources.md#x12-transactions-and-reason-codes):
# ``service`` a health services review (UM01 HS: diagnoses in HI, one SV line per procedure code) or
# ``admission`` an admission review (UM01 AR: admission date DTP*435, inpatient days HSD, facility type
# UM04, admission type CL101; no procedure line is needed, planned procedures may be listed).
ReviewCategory = Literal["service", "admission"]
# The admission's type as the UB-04 type-of-admission codes name it (CL101: 1 emergency, 2 urgent, 3 elective).
AdmissionType = Literal["elective", "urgent", "emergency"]
# Frozen data written before admission reviews (tests/data/graded_by_hand) carry the pseudo-code ADMIT
# (system REV) as a procedure line; it is read as an admission review and the line dropped (see
# _legacy_admit). Nothing writes it any more.
LEGACY_ADMIT = "ADMIT"
CorrectAction = Literal[
    "submit",
    "submit_expedited",
    "query_provider",
    "no_auth_needed",
    "resolve_coverage",
    "appeal",
    "reply_to_pend",
    "request_extension",
]
DeterminationStatus = Literal[
    "approved",
    "partially_approved",
    "denied",
    "pended",
    "no_auth_required",
    "rejected",
    "dismissed",  # an appeal filed too late: not reviewed, the denial stands (no HCR decision)
]
Urgency = Literal["standard", "expedited"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _legacy_admit(data: Any, category_field: str) -> Any:
    """Read a frozen order, request or answer key written with the ADMIT pseudo-code line: drop the line
    and mark the record an elective admission review (backward compatibility for frozen data only)."""
    if not isinstance(data, dict):
        return data
    lines = data.get("procedures")
    if not isinstance(lines, list):
        return data

    def is_admit(line: Any) -> bool:
        code = line.get("code") if isinstance(line, dict) else None
        code = code.get("code") if isinstance(code, dict) else code
        return code == LEGACY_ADMIT

    if not any(is_admit(line) for line in lines):
        return data
    out = {**data, "procedures": [line for line in lines if not is_admit(line)]}
    if category_field:
        out[category_field] = "admission"
        out.setdefault("admission_type", "elective")
    return out


class Code(_Model):
    """A clinical code; compare by (system, code), never by display text."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    system: CodeSystem
    code: str
    display: str = ""


class Address(_Model):
    street: str
    city: str
    state: str
    zip: str


class Patient(_Model):
    first_name: str
    last_name: str
    dob: date
    sex: Literal["F", "M"]
    address: Address
    phone: str
    mrn: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Coverage(_Model):
    """The payer's member-file record (what the simulated payer knows about this member)."""

    payer_id: str
    payer_name: str
    plan_type: str
    plan_name: str
    member_id: str
    group_number: str | None = None
    mbi: str | None = None
    subscriber_name: str
    subscriber_dob: date
    effective_from: date
    effective_to: date | None = None
    pcp_npi: str | None = None
    referral_on_file: bool = True
    # what the practice's registration screen shows; may differ from the member file (a typo to catch)
    member_id_on_registration: str


class Provider(_Model):
    npi: str
    first_name: str
    last_name: str
    credentials: str
    specialty: str
    organization: str
    phone: str
    in_network: bool = True

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}, {self.credentials}"


class Facility(_Model):
    name: str
    npi: str
    address: Address
    in_network: bool = True


class OrderLine(_Model):
    code: Code
    units: int = Field(ge=1)
    modifiers: list[str] = Field(default_factory=list)


class Order(_Model):
    """The physician's order as written (it may carry vague or wrong codes a trainee must correct).

    An admission order (``review`` admission) has no procedure line: it asks for an admission on
    ``date_of_service`` for ``requested_duration_days`` inpatient days at ``place_of_service`` 21."""

    service_line: str
    description: str
    review: ReviewCategory = "service"
    admission_type: AdmissionType | None = None
    diagnoses: list[Code]
    procedures: list[OrderLine]
    ordered_on: date
    date_of_service: date
    urgency_requested: Literal["routine", "urgent"] = "routine"
    place_of_service: str
    requested_duration_days: int | None = None
    notes: str = ""

    @model_validator(mode="before")
    @classmethod
    def _read_legacy_admit(cls, data: Any) -> Any:
        return _legacy_admit(data, "review")


class ChartDocument(_Model):
    """A chart document: its text, and the structured facts that text states (the simulator reads facts)."""

    id: str
    kind: str
    date: date
    author: str
    title: str
    text: str
    facts: dict[str, FactValue] = Field(default_factory=dict)


# ----- actions (discriminated by ``type``) ------------------------------------------------------------


class RequestedLine(_Model):
    code: str
    units: int = Field(ge=1, le=9999)
    modifiers: list[str] = Field(default_factory=list)


class EligibilityQuery(_Model):
    type: Literal["eligibility"] = "eligibility"
    at: datetime
    member_id: str
    date_of_service: date


class AuthLookup(_Model):
    """Ask the payer whether these codes need authorization; ``admission`` asks the same of an elective
    inpatient admission (an admission review has no code to look up)."""

    type: Literal["auth_lookup"] = "auth_lookup"
    at: datetime
    codes: list[str] = Field(default_factory=list)
    admission: bool = False

    @model_validator(mode="before")
    @classmethod
    def _read_legacy_admit(cls, data: Any) -> Any:
        # codes may be anything here (a hostile file): only a list can hold the legacy line
        if isinstance(data, dict) and isinstance(data.get("codes"), list) and LEGACY_ADMIT in data["codes"]:
            codes = [c for c in data["codes"] if c != LEGACY_ADMIT]
            return {**data, "codes": codes, "admission": True}
        return data

    @model_validator(mode="after")
    def _asks_something(self) -> AuthLookup:
        if not self.codes and not self.admission:
            raise ValueError(
                "codes: give at least one code to look up, or set admission for an inpatient admission"
            )
        return self


class Submission(_Model):
    """A prior-authorization request as a payer receives it (X12 278-style fields).

    ``category`` is the review asked for (278 UM01). A ``service`` review (HS) names the procedure codes
    in ``procedures``. An ``admission`` review (AR) asks for an inpatient stay: ``date_of_service`` is the
    admission date (DTP*435), ``requested_duration_days`` the inpatient days requested (HSD),
    ``place_of_service`` the facility type (UM04, 21 inpatient hospital) and ``admission_type`` the
    admission's type (CL101); ``procedures`` may list the procedures planned during the stay. See
    scenarios.x12 for the segments and docs/formats.md."""

    type: Literal["submission"] = "submission"
    at: datetime
    category: ReviewCategory = "service"
    admission_type: AdmissionType | None = None
    member_id: str
    patient_last_name: str
    patient_dob: date
    ordering_npi: str
    servicing_npi: str
    diagnoses: list[str] = Field(min_length=0)
    procedures: list[RequestedLine] = Field(min_length=0)
    date_of_service: date
    urgency: Urgency = "standard"
    # who asks for the review: the provider's office (its physician's urgency attestation binds the plan)
    # or the member alone (the plan judges urgency itself and may move the request to the standard clock)
    requested_by: Literal["provider", "member"] = "provider"
    place_of_service: str | None = Field(default=None, pattern=r"^\d{2}$")
    document_ids: list[str] = Field(default_factory=list)
    narrative: str = Field(default="", max_length=20000)
    requested_duration_days: int | None = Field(default=None, ge=1, le=3650)

    @model_validator(mode="before")
    @classmethod
    def _read_legacy_admit(cls, data: Any) -> Any:
        return _legacy_admit(data, "category")

    @property
    def admission(self) -> bool:
        return self.category == "admission"


class PendReply(_Model):
    type: Literal["pend_reply"] = "pend_reply"
    at: datetime
    document_ids: list[str] = Field(default_factory=list)
    note: str = Field(default="", max_length=20000)


class Appeal(_Model):
    type: Literal["appeal"] = "appeal"
    at: datetime
    level: str
    letter: str = Field(default="", max_length=40000)
    document_ids: list[str] = Field(default_factory=list)
    expedited: bool = False


class PeerToPeer(_Model):
    type: Literal["peer_to_peer"] = "peer_to_peer"
    at: datetime
    talking_points: str = Field(default="", max_length=20000)
    document_ids: list[str] = Field(default_factory=list)


class ProviderQuery(_Model):
    """Ask the ordering provider for what the chart lacks instead of submitting a request that will fail."""

    type: Literal["provider_query"] = "provider_query"
    at: datetime
    message: str = Field(default="", max_length=20000)
    criterion_ids: list[str] = Field(default_factory=list)


class ExtensionRequest(_Model):
    """A concurrent-review (continued-stay / continued-service) request on an approved authorization: the
    stay or the program runs past the approved days or units, so the office asks the payer to extend the
    authorization with a clinical update, before the authorization ends (X12 278 UM02 4, extension).

    ``additional`` counts inpatient days on an admission authorization, units on a service one."""

    type: Literal["extension"] = "extension"
    at: datetime
    authorization_number: str = Field(min_length=1, max_length=40)
    additional: int = Field(ge=1, le=365)
    document_ids: list[str] = Field(default_factory=list)
    clinical_update: str = Field(default="", max_length=20000)


class CloseCase(_Model):
    """End the case without a request: no authorization is needed, or coverage must be resolved first."""

    type: Literal["close"] = "close"
    at: datetime
    reason: Literal["no_auth_needed", "resolve_coverage"]
    note: str = Field(default="", max_length=20000)


class AdvanceClock(_Model):
    """Let simulated time pass until ``at`` (the trainee waits for a decision or a reply that is not in
    yet). Nothing is sent; a deadline that passes meanwhile has the consequence the payer's rule gives
    (an unanswered pend is denied on its reply-by date). ``to`` records how the trainee chose the time:
    ``next_event`` (the next reply due) or ``by`` (a number of hours or days)."""

    type: Literal["advance_clock"] = "advance_clock"
    at: datetime
    to: Literal["next_event", "by"] = "by"


AnyAction = (
    EligibilityQuery
    | AuthLookup
    | Submission
    | PendReply
    | Appeal
    | PeerToPeer
    | ProviderQuery
    | CloseCase
    | ExtensionRequest  # concurrent review (scenarios/modules/concurrent_review.yaml)
    | AdvanceClock
)
Action = Annotated[AnyAction, Field(discriminator="type")]
# one kind of action (or a union of kinds): helpers that pick actions by kind return that kind
ActionT = TypeVar("ActionT", bound=AnyAction)


class ActionLog(_Model):
    """What a trainee did on one case, in order (the grader's input)."""

    case_id: str
    actions: list[Action]


# ----- answer key -------------------------------------------------------------------------------------


# How the service as performed differs from the approved request (operations.claims, docs/operations.md "Claims")
PerformedChange = Literal["as_ordered", "unit_added", "code_changed", "date_moved", "site_changed"]


class ExpectedClaim(_Model):
    """After the approval: the service is performed with ``change`` (declared by the archetype), and the
    claim that bills it gets ``claim_codes`` if the authorization is not updated (labels such as CO-198,
    CO-15 and the RARC N54), none if it is updated within the payer's window."""

    change: PerformedChange
    codes: list[str] = Field(default_factory=list)  # unit_added: the codes performed with one more unit
    claim_codes: list[str] = Field(min_length=1)
    claim_codes_after_update: list[str] = Field(default_factory=list)


class ExpectedDetermination(_Model):
    status: DeterminationStatus
    action_code: str | None = None
    reason_codes: list[str] = Field(default_factory=list)
    criterion_ids: list[str] = Field(default_factory=list)
    approved_units: int | None = None
    # admission reviews: the inpatient days the payer certifies
    approved_days: int | None = None
    # extensions: the last day the extended authorization covers
    valid_to: date | None = None


PathId = Literal[
    "submit",
    "submit_expedited",
    "query_provider",
    "no_auth_needed",
    "resolve_coverage",
    "appeal",
    "peer_to_peer",
    "new_request",
    "reply_to_pend",
    "request_extension",
]


# the kind of action that carries a path (Attempt and the grader match a path on it)
PathActionType = Literal[
    "submission", "appeal", "peer_to_peer", "provider_query", "pend_reply", "close", "extension"
]


class AcceptablePath(_Model):
    """One way of working the case that the payer accepts, ranked by timeliness and cost.

    ``credit`` is the share of the right-action points the path earns: 1 for the best path(s), a little
    less for a correct but slower or costlier one. ``expected_status`` is the payer's decision the path
    must reach (None for a path that sends nothing to the payer: a provider query, a close).
    """

    id: PathId
    action_type: PathActionType
    rank: int = Field(ge=1)
    credit: float = Field(gt=0, le=1)
    expected_status: DeterminationStatus | None = None
    note: str = ""


class AnswerKey(_Model):
    """Written from the archetype's declarations; tests compare the simulator against it."""

    @model_validator(mode="before")
    @classmethod
    def _read_legacy_admit(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("correct_procedures"), list):
            kept = _legacy_admit({"procedures": data["correct_procedures"]}, "")
            return {**data, "correct_procedures": kept["procedures"]}
        return data

    correct_action: CorrectAction
    policy_id: str | None
    auth_required: bool
    correct_diagnoses: list[Code]
    correct_procedures: list[OrderLine]
    urgency: Urgency
    required_document_ids: list[str]
    irrelevant_document_ids: list[str]
    criteria_outcome: dict[str, Literal["met", "not_met", "not_evidenced"]]
    # The payer's answer to ``reference_submission`` (for non-submit actions: to sending the chart as it is).
    expected_determination: ExpectedDetermination
    reference_submission: Submission | None
    reference_actions: list[Action]
    # extensions: the payer's answer to the reference extension request (days or units, new end date)
    expected_extension: ExpectedDetermination | None = None
    # appeals: the outcome the reference appeal must get (request_extension: the extension decision)
    expected_appeal_status: DeterminationStatus | None = None
    appeal_level: str | None = None
    explanation: str
    teaching_points: list[str] = Field(default_factory=list)
    # every path the payer accepts, best first (empty in cases frozen before paths were listed: the grader
    # then derives them with scenarios.answer_key.default_paths)
    acceptable_paths: list[AcceptablePath] = Field(default_factory=list)
    # after the approval: the performed service and its claim (archetypes that declare ``after_service``)
    expected_claim: ExpectedClaim | None = None


class Case(_Model):
    case_id: str  # "module:seed"
    module_id: str
    archetype_id: str
    seed: int
    content_version: str
    title: str
    sim_start: datetime  # when the trainee picks the case up (simulated clock)
    patient: Patient
    coverage: Coverage
    ordering_provider: Provider
    servicing_provider: Provider
    facility: Facility
    order: Order
    chart: list[ChartDocument]
    # Pends and appeals start from an earlier request: the simulator re-adjudicates it to get the
    # pend or denial the trainee answers, so the two can never disagree.
    prior_submission: Submission | None = None
    answer_key: AnswerKey

    def document(self, doc_id: str) -> ChartDocument | None:
        return next((d for d in self.chart if d.id == doc_id), None)
