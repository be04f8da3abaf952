"""The scenario content formats (docs/authoring.md §4–5) and their loading.

``service_lines/<id>.yaml`` holds the clinical material cases are built from; ``modules/<id>.yaml``
holds archetypes and their author-written answer keys. Loading is lenient per file: a broken file is
reported with its path and skipped, so the other modules still generate while it is being fixed.

Prior requests (``prior: denied|pended``) read the facts like this:
- denied: the chart *as it was* when the prior request was sent states baseline ⊕ profile ⊕ facts (the
  version that failed); documents of the kinds in ``add_documents_after_prior`` are added again, dated
  after the prior request, stating baseline ⊕ facts (the new evidence an appeal can attach);
- pended: documents of the kinds in ``add_documents_after_prior`` did not exist when the prior request
  was sent (so it lacked them and pended); they are dated after it and state the case's facts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from knowledge_base.content_files import read_yaml_mapping, validate_mapping
from knowledge_base.criteria import FactValue
from knowledge_base.models import PayerId, ServiceLine
from scenarios.models import (
    AdmissionType,
    CorrectAction,
    DeterminationStatus,
    PathId,
    PerformedChange,
    ReviewCategory,
)
from scenarios.timeline import START_WINDOW

SCENARIO_ROOT = Path(__file__).resolve().parent


class ScenarioContentError(ValueError):
    """Scenario content cannot be used; ``errors`` lists each problem as 'file > path: message'."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} scenario content error(s); first: {errors[0] if errors else ''}")


def _as_text(value: Any) -> Any:
    # YAML reads 72148 or 50 as integers; codes are text, so accept the unquoted form.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _as_pos(value: Any) -> Any:
    # An unquoted place of service 02 becomes the integer 2 in YAML; restore the two digits.
    return f"{value:02d}" if isinstance(value, int) and not isinstance(value, bool) else value


class RelativeDate(BaseModel):
    """A date fact stated relative to the case start, written ``{days_before_start: 40}`` in YAML.

    Content must not depend on the window case starts are drawn from (a fixed 2026-01-15 is "recent" for
    a case starting in February and stale for one starting in December); a relative date is rendered to
    the ISO date that many days before each case's start, in the chart's facts and in the templates."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    days_before_start: int = Field(ge=0)

    def on(self, start: date) -> str:
        return (start - timedelta(days=self.days_before_start)).isoformat()


def _as_fact(value: Any) -> Any:
    # Date facts are compared as ISO text by the criteria language (within_days).
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):  # the only mapping a fact may be: a relative date
        days = value.get("days_before_start")
        if (
            set(value) != {"days_before_start"}
            or isinstance(days, bool)
            or not isinstance(days, int)
            or days < 0
        ):
            raise ValueError(
                "a relative date fact is written {days_before_start: N}, N a whole number of days "
                f"(0 or more) before the case start; got {value!r}"
            )
        return RelativeDate(days_before_start=days)
    return value


Text = Annotated[str, BeforeValidator(_as_text)]
PlaceOfService = Annotated[str, BeforeValidator(_as_pos), StringConstraints(pattern=r"^\d{2}$")]
# CMS place-of-service code 21, inpatient hospital: the facility type of every admission review (UM04)
INPATIENT_HOSPITAL = "21"
Fact = Annotated[FactValue | RelativeDate, BeforeValidator(_as_fact)]
Facts = dict[str, Fact]
# Plain facts of the service lines with relative dates resolved here (see ServiceLineSpec.facts).
REFERENCE_START: date = START_WINDOW[0]


def resolve_facts(facts: Mapping[str, Any], start: date) -> dict[str, Any]:
    """``facts`` with every relative date rendered to its ISO date for a case starting on ``start``."""
    return {k: v.on(start) if isinstance(v, RelativeDate) else v for k, v in facts.items()}


Author = Literal["ordering", "servicing", "therapist", "radiologist", "lab", "pharmacist", "other"]
Coverage = Literal["active", "terminated", "wrong_member_id", "no_referral"]
OrderCodes = Literal["correct", "vague_diagnosis", "wrong_units", "addon_without_primary"]
Lead = Literal["normal", "short", "none"]  # none: the service is today (an admission, an urgent scan)
# approved: the case holds an approved authorization whose stay or program runs past it (concurrent review)
Prior = Literal["none", "denied", "pended", "approved"]
# as_ordered: the expert requests the order's units and duration; within_limits: capped at what the
# payer's policy authorizes per request (scenarios/limits.py), the next period asked for later.
Request = Literal["as_ordered", "within_limits"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DiagnosisSpec(_Strict):
    code: Text = Field(pattern=r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
    system: Literal["ICD-10-CM"] = "ICD-10-CM"
    display: str


class ProcedureSpec(_Strict):
    code: Text = Field(pattern=r"^([0-9]{5}|[A-Z][0-9]{4}|[0-9]{4}T)$")  # as knowledge_base PolicyCode
    system: Literal["CPT", "HCPCS"]
    display: str
    units: int = Field(default=1, ge=1)
    modifiers: list[str] = Field(default_factory=list)  # e.g. [RR] for a DME rental


class OrderSpec(_Strict):
    description: str
    # service: a health services review of the procedure codes (278 UM01 HS); admission: an admission
    # review (UM01 AR) of an inpatient stay, asked for by admission date, days and facility type, with no
    # procedure line (procedures then lists only what is planned during the stay, often nothing)
    review: ReviewCategory = "service"
    admission_type: AdmissionType | None = None
    procedures: list[ProcedureSpec] = Field(default_factory=list)
    diagnoses: list[DiagnosisSpec] = Field(min_length=1)
    vague_diagnoses: list[DiagnosisSpec] = Field(default_factory=list)
    place_of_service: PlaceOfService
    ordering_specialty: str = Field(pattern=r"^[a-z_]+$")
    servicing_specialty: str = Field(pattern=r"^[a-z_]+$")
    lead_business_days: int = Field(ge=0)
    requested_duration_days: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _shape_of_the_review(self) -> OrderSpec:
        if self.review == "service" and not self.procedures:
            raise ValueError(
                "procedures: a service review needs at least one procedure code (or set review: admission)"
            )
        if self.review == "admission":
            missing = [
                name
                for name, value in (
                    ("requested_duration_days", self.requested_duration_days),
                    ("admission_type", self.admission_type),
                )
                if value is None
            ]
            if missing:
                raise ValueError(
                    f"{', '.join(missing)}: an admission review states the inpatient days requested and the admission type"
                )
            if self.place_of_service != INPATIENT_HOSPITAL:
                raise ValueError(
                    f"place_of_service: an admission review is for an inpatient stay (place of service {INPATIENT_HOSPITAL}), "
                    f"not {self.place_of_service}"
                )
        return self


class DocumentSpec(_Strict):
    kind: str = Field(pattern=r"^[a-z_]+$")
    title: str
    author: Author
    days_before_start: int = Field(ge=0)
    relevant: bool = True
    # Payers that need this document, when not all do (e.g. only Cardinal asks for the IOP physician
    # certification); at the others it is a minimum-necessary document not to send.
    relevant_for: list[PayerId] | None = None
    states: list[str] = Field(default_factory=list)
    templates: list[str] = Field(min_length=1)


class LetterSections(_Strict):
    """What the assistant's letters quote from this line's charts: the labels its records use, in the
    order a reader expects them (history before findings before assessment; goals before schedule), and
    patterns for plan sentences with no label. Labels are ``|``-separated alternatives, matched
    case-insensitively; patterns are regular expressions."""

    summary_title: Text = "Clinical summary"
    summary_labels: list[Text] = Field(min_length=1)
    summary_patterns: list[Text] = Field(default_factory=list)
    plan_title: Text = "Follow-up plan"
    plan_labels: list[Text] = Field(min_length=1)
    plan_patterns: list[Text] = Field(default_factory=list)

    @field_validator("summary_patterns", "plan_patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for i, pattern in enumerate(patterns):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {i} {pattern!r} is not a regular expression: {exc}") from None
        return patterns


class Turnaround(_Strict):
    """How long a payer typically takes to decide a standard request for this service (realism data,
    docs/sources.md#realism-figures-base-rates-turnaround); the legal clock still caps it."""

    low: int = Field(ge=1)
    high: int = Field(ge=1)
    unit: Literal["hours", "business_days"]

    @model_validator(mode="after")
    def _ordered(self) -> Turnaround:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be at least low ({self.low})")
        return self


class Revenue(_Strict):
    """What one case of this service is worth to the provider and how likely its claim is denied when
    the authorization is skipped (docs/sources.md#revenue-and-operations-figures). The operations
    package seeds each case's service value within [low, high] and reads the risk for revenue at risk.

    ``open_ended`` marks a range the brief writes "$15,000–$50,000+": the seeded value still stays
    within [low, high], the flag only keeps the source's wording visible in exports and docs.
    """

    low: int = Field(ge=1, description="lowest service value per case, whole US dollars")
    high: int = Field(ge=1, description="highest service value per case, whole US dollars")
    open_ended: bool = False
    skip_denial_risk: tuple[float, float] = Field(
        description="[low, high] share (0-1) of claims denied when no authorization was obtained"
    )
    source: str = Field(min_length=3, description="where the figures come from (docs/sources.md heading)")

    @model_validator(mode="after")
    def _ordered(self) -> Revenue:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be at least low ({self.low})")
        lo, hi = self.skip_denial_risk
        if not 0 <= lo <= hi <= 1:
            raise ValueError(
                f"skip_denial_risk [{lo}, {hi}] must be shares from 0 to 1, lowest first (e.g. [0.8, 0.9])"
            )
        return self

    @property
    def skip_risk(self) -> float:
        """The risk used for revenue at risk: the middle of the stated range.

        >>> Revenue(low=1, high=2, skip_denial_risk=(0.6, 0.75), source="brief").skip_risk
        0.675
        """
        lo, hi = self.skip_denial_risk
        return round((lo + hi) / 2, 4)


class ExtensionLineSpec(_Strict):
    """What a concurrent-review case adds to the service line's chart (docs/authoring.md): the facts the
    clinical-update documents state, the documents (dated ``days_before_start`` before the case starts,
    after the approved request) and the template of the clinical-update text an expert writes."""

    facts: Facts = Field(default_factory=dict)
    documents: list[DocumentSpec] = Field(min_length=1)
    update: str = Field(min_length=20)


class ServiceLineSpec(_Strict):
    id: ServiceLine
    title: str
    # Typical ages of the patients this service is ordered for; plans narrow it (MA 65+, Medicaid < 65).
    patient_ages: tuple[int, int]
    order: OrderSpec
    # As written (relative dates unresolved): the generator resolves them per case with resolve_facts.
    fact_specs: Facts = Field(alias="facts")
    profile_specs: dict[str, Facts] = Field(default_factory=dict, alias="profiles")
    documents: list[DocumentSpec] = Field(min_length=1)
    narrative: str = Field(min_length=20)
    letter_sections: LetterSections
    typical_turnaround: Turnaround | None = None
    revenue: Revenue
    # concurrent review (archetypes with prior: approved and an ``extension``); None: the line has none
    extension: ExtensionLineSpec | None = None

    @property
    def facts(self) -> dict[str, FactValue]:
        """The baseline as plain values, relative dates resolved at REFERENCE_START: for tools that build a
        request from the service line without generating a case (the simulator's policy table tests)."""
        return resolve_facts(self.fact_specs, REFERENCE_START)

    @property
    def profiles(self) -> dict[str, dict[str, FactValue]]:
        """Each profile as plain values, relative dates resolved at REFERENCE_START (see ``facts``)."""
        return {name: resolve_facts(over, REFERENCE_START) for name, over in self.profile_specs.items()}

    def document_kinds(self) -> list[str]:
        return list(dict.fromkeys(d.kind for d in self.documents))

    @field_validator("patient_ages")
    @classmethod
    def _ages_make_a_range(cls, ages: tuple[int, int]) -> tuple[int, int]:
        lo, hi = ages
        if not 0 <= lo < hi <= 110:
            raise ValueError(f"[{lo}, {hi}] is not an age range; write [youngest, oldest] within 0..110")
        return ages


class Expect(_Strict):
    action: CorrectAction
    determination: DeterminationStatus
    reason_codes: list[Text] = Field(default_factory=list)
    failed_criteria: list[int] = Field(default_factory=list)
    # appeals: the appeal decision; reply_to_pend: the decision after the pend reply; request_extension:
    # the extension decision
    appeal_status: DeterminationStatus | None = None
    # the other paths the payer accepts besides ``action`` (scenarios/answer_key.py default_paths lists
    # them when left out); written here only to narrow or widen the defaults for one archetype
    paths: list[PathId] | None = None


class ExpectOverride(_Strict):
    action: CorrectAction | None = None
    determination: DeterminationStatus | None = None
    reason_codes: list[Text] | None = None
    failed_criteria: list[int] | None = None
    appeal_status: DeterminationStatus | None = None


class ExtensionSpec(_Strict):
    """A concurrent-review archetype's timing and answer (``prior: approved``). The case starts
    ``days_left`` days before the approved authorization's end date (0: on it, the last day a request is
    on time; negative: that many days after it, a late request). ``additional`` days or units are asked
    for; ``failed_criteria`` are the policy's continued-stay criteria (their numbers) the update does not
    meet and ``reason_codes`` the extension decision's HCR03 codes. The decision itself is
    ``expect.appeal_status``."""

    additional: int = Field(ge=1)
    days_left: int = Field(ge=-10, le=10)
    failed_criteria: list[int] = Field(default_factory=list)
    reason_codes: list[Text] = Field(default_factory=list)


class Archetype(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    service_line: ServiceLine
    payers: list[PayerId] = Field(min_length=1)
    weight: float = Field(default=1, gt=0)
    profile: str | None = None
    facts: Facts = Field(default_factory=dict)
    withhold_documents: list[str] = Field(default_factory=list)
    coverage: Coverage = "active"
    order_codes: OrderCodes = "correct"
    lead: Lead = "normal"
    prior: Prior = "none"
    add_documents_after_prior: list[str] = Field(default_factory=list)
    # who orders the service when it is not the service line's usual specialty (e.g. an orthopaedic
    # surgeon ordering the MRI, which some payers exempt from authorization)
    ordering_specialty: str | None = Field(default=None, pattern=r"^[a-z_]+$")
    # Order overrides, for a case whose order differs from the service line's usual one (the reference
    # product instead of the biosimilar, a bilevel device, an outpatient setting, more units than the
    # policy allows). Each replaces the service line's value everywhere it is used: the order on the case
    # (before ``order_codes`` spoils it), the answer key's correct codes, the reference and prior
    # submissions, the authorization look-up and the templates' ``order`` variable.
    procedures: list[ProcedureSpec] | None = Field(default=None, min_length=1)
    diagnoses: list[DiagnosisSpec] | None = Field(default=None, min_length=1)
    place_of_service: PlaceOfService | None = None
    requested_duration_days: int | None = Field(default=None, ge=1)
    order_description: str | None = Field(default=None, min_length=3)
    # What the expert requests of that order. within_limits: the answer key's codes, reference submission
    # and narrative carry the order's units and duration capped at the case's payer policy limits (an
    # order above a limit is then approved instead of partially approved); the order and the chart keep
    # the units as ordered, so a trainee who copies them is graded wrong_units.
    request: Request = "as_ordered"
    extension: ExtensionSpec | None = None
    expect: Expect
    by_payer: dict[PayerId, ExpectOverride] = Field(default_factory=dict)
    explanation: str = Field(min_length=10)
    teaching_points: list[str] = Field(default_factory=list)
    # after the approval: how the performed service differs, and the claim codes it gets unless updated
    after_service: AfterService | None = None

    @model_validator(mode="after")
    def _after_service_follows_an_approval(self) -> Archetype:
        if self.after_service is not None and self.expect.determination not in (
            "approved",
            "partially_approved",
        ):
            raise ValueError(
                "after_service: only an archetype whose request is approved has a service to bill"
            )
        return self

    def order_for(self, spec: OrderSpec) -> OrderSpec:
        """The service line's order ``spec`` with this archetype's overrides laid over it."""
        overrides = {
            name: value
            for name, value in (
                ("procedures", self.procedures),
                ("diagnoses", self.diagnoses),
                ("place_of_service", self.place_of_service),
                ("requested_duration_days", self.requested_duration_days),
                ("description", self.order_description),
            )
            if value is not None
        }
        return spec.model_copy(update=overrides) if overrides else spec

    def expect_for(self, payer: str) -> Expect:
        """The answer key for one payer: ``expect`` with that payer's ``by_payer`` fields laid over it."""
        override = self.by_payer.get(payer)
        if override is None:
            return self.expect
        return self.expect.model_copy(update=override.model_dump(exclude_none=True))


class AfterService(_Strict):
    """After the approval the service is performed differently (issue 14 item 1): ``change``, and the
    claim codes billing it without an authorization update gets (docs/operations.md "Claims").

    ``unit_added`` adds one unit to each of ``codes`` (e.g. the surgeon added a level: 22552 and 22853).
    """

    change: PerformedChange
    codes: list[str] = Field(default_factory=list)
    claim_codes: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes_only_for_units(self) -> AfterService:
        if self.codes and self.change != "unit_added":
            raise ValueError("codes: only a unit_added change names the codes performed with one more unit")
        if self.change == "as_ordered":
            raise ValueError("change: as_ordered is no change; leave after_service out")
        return self


class ModuleSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    teaches: str
    pass_mark: int = Field(ge=0, le=100)
    archetypes: list[Archetype] = Field(min_length=1)


@dataclass
class LoadedFiles:
    """Parsed files by id, their paths (relative to the scenario root), and every error found."""

    service_lines: dict[str, ServiceLineSpec] = field(default_factory=dict)
    modules: dict[str, ModuleSpec] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)  # "service_lines/<id>" or "modules/<id>" -> path
    errors: list[str] = field(default_factory=list)
    digest: str = ""


def _parse(path: Path, rel: str, model: type[BaseModel]) -> tuple[Any, list[str]]:
    raw, errors = read_yaml_mapping(path, rel)
    if raw is None:
        return None, errors
    return validate_mapping(raw, model, rel)


def load_files(root: Path = SCENARIO_ROOT) -> LoadedFiles:
    """Parse every ``service_lines/*.yaml`` and ``modules/*.yaml`` under ``root``, collecting errors."""
    out = LoadedFiles()
    digest = hashlib.sha256()
    for folder, model, target in (
        ("service_lines", ServiceLineSpec, out.service_lines),
        ("modules", ModuleSpec, out.modules),
    ):
        for path in sorted((root / folder).glob("*.yaml")):
            rel = f"scenarios/{folder}/{path.name}"
            digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
            item, errors = _parse(path, rel, model)
            out.errors.extend(errors)
            if item is None:
                continue
            if item.id != path.stem:
                out.errors.append(f"{rel} > id: {item.id!r} must equal the file name {path.stem!r}")
                continue
            target[item.id] = item
            out.paths[f"{folder}/{item.id}"] = rel
    out.digest = digest.hexdigest()[:12]
    return out


@lru_cache(maxsize=8)
def load_files_cached(root: Path = SCENARIO_ROOT) -> LoadedFiles:
    """:func:`load_files` once per process and root (content files do not change while it runs)."""
    return load_files(root)


def load_service_lines(root: Path = SCENARIO_ROOT) -> dict[str, ServiceLineSpec]:
    """Every valid service line by id (files that fail to parse are left out; see validate_content)."""
    return dict(load_files_cached(root).service_lines)


def load_modules(root: Path = SCENARIO_ROOT) -> dict[str, ModuleSpec]:
    """Every valid module by id (files that fail to parse are left out; see validate_content)."""
    return dict(load_files_cached(root).modules)
