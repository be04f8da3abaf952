"""The claim stage: an 837-style claim adjudicated against the authorizations the payer issued.

After the service is performed the provider bills it; the payer checks each claim line against the
authorization named on the claim (REF*G1, the prior authorization number): is the code authorized,
for this member, this rendering provider and this place of service, on a date inside the validity
window, within the units left? Each line comes back paid, partly paid or denied with the claim codes
an 835 remittance carries: a group code (CO), a CARC and any RARCs, from the payer's code table
(:mod:`simulator.claim_codes`, wording from the X12 lists, docs/sources.md#claims-and-remittance).
These are claim codes, never the 278's decision reasons.

>>> from datetime import date
>>> auth = Authorization(number="LKS-1", status="approved", member_id="LKS123456789",
...     servicing_npi="1234567893", place_of_service="22", lines=[ApprovedLine(code="72148", units=1)],
...     valid_from=date(2026, 3, 10), valid_to=date(2026, 5, 9))
>>> claim = Claim(claim_id="C1", member_id="LKS123456789", billing_npi="1234567893",
...     rendering_npi="1234567893", place_of_service="22", diagnoses=["M54.16"],
...     prior_auth_number="LKS-1", lines=[ClaimLine(code="72148", units=2, service_date=date(2026, 3, 12),
...     charge=2000, diagnosis_pointers=[1])])
>>> remit = adjudicate_claim(claim, [auth], auth_required_codes={"72148"}, as_of=date(2026, 4, 1))
>>> remit.status, remit.lines[0].paid, [a.label for a in remit.lines[0].adjustments]
('partially_paid', 1000, ['CO-198'])
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from scenarios.models import DeterminationStatus
from simulator.claim_codes import (
    CODES_FILE,
    ClaimCodeError,
    ClaimCodeTable,
    Finding,
    claim_codes,
    describe,
    parse_claim_codes,
)
from simulator.claim_codes import FrozenModel as _Strict
from simulator.codes import npi_valid
from simulator.models import ApprovedLine

IN_FORCE = frozenset({"approved", "partially_approved"})
_CODE = re.compile(r"^([0-9]{5}|[A-Z][0-9]{4}|[0-9]{4}[A-Z])$")
_ICD = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")

# The code table moved to simulator.claim_codes; these names stay importable from here.
__all__ = [
    "CODES_FILE",
    "IN_FORCE",
    "Adjustment",
    "Authorization",
    "Claim",
    "ClaimCodeError",
    "ClaimCodeTable",
    "ClaimLine",
    "Finding",
    "LineResult",
    "Remittance",
    "adjudicate_claim",
    "claim_codes",
    "describe",
    "parse_claim_codes",
]


# ----- the claim (input) -----------------------------------------------------------------------------


class ClaimLine(_Strict):
    """One service line (837P loop 2400: SV1 code, modifiers, charge, units, diagnosis pointers; DTP*472)."""

    code: str = Field(description="CPT or HCPCS code, e.g. 72148")
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: int = Field(ge=1, le=9999)
    service_date: date
    charge: int = Field(ge=0, le=10_000_000, description="billed charge, whole US dollars")
    diagnosis_pointers: list[int] = Field(min_length=1, max_length=4)

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, v: object) -> object:
        if isinstance(v, str):
            v = v.strip().upper()
            if not _CODE.fullmatch(v):
                raise ValueError(f"{v!r} is not a CPT or HCPCS code (5 digits, or a letter and 4 digits)")
        return v

    @field_validator("modifiers", mode="before")
    @classmethod
    def _modifiers(cls, v: object) -> object:
        if isinstance(v, list):
            out = [str(m).strip().upper() for m in v if str(m).strip()]
            bad = [m for m in out if not re.fullmatch(r"[0-9A-Z]{2}", m)]
            if bad:
                raise ValueError(f"{', '.join(bad)}: a modifier is two letters or digits (e.g. RT, 59)")
            return out
        return v

    @field_validator("diagnosis_pointers")
    @classmethod
    def _pointers(cls, v: list[int]) -> list[int]:
        if any(p < 1 or p > 12 for p in v):
            raise ValueError("a diagnosis pointer is the diagnosis's position on the claim, 1 to 12")
        return v


class Claim(_Strict):
    """An 837P/837I-style claim: who billed, who rendered, where, for whom, under which authorization."""

    form: Literal["837P", "837I"] = "837P"
    claim_id: str = Field(min_length=1, max_length=38)  # CLM01
    member_id: str = Field(min_length=1, max_length=80)
    billing_npi: str  # loop 2010AA
    rendering_npi: str  # loop 2310B
    place_of_service: str = Field(pattern=r"^\d{2}$")  # CLM05-1
    diagnoses: list[str] = Field(min_length=1, max_length=12)  # HI, ICD-10-CM
    prior_auth_number: str | None = Field(default=None, max_length=50)  # REF*G1
    lines: list[ClaimLine] = Field(min_length=1, max_length=50)

    @field_validator("billing_npi", "rendering_npi")
    @classmethod
    def _npi(cls, v: str) -> str:
        v = v.strip()
        if not npi_valid(v):
            raise ValueError(f"{v!r} is not a valid NPI (10 digits with a Luhn check digit)")
        return v

    @field_validator("diagnoses", mode="before")
    @classmethod
    def _dx(cls, v: object) -> object:
        if isinstance(v, list):
            out = [str(d).strip().upper() for d in v if str(d).strip()]
            bad = [d for d in out if not _ICD.fullmatch(d)]
            if bad:
                raise ValueError(f"{', '.join(bad)}: not an ICD-10-CM code (e.g. M54.16)")
            return out
        return v

    @field_validator("prior_auth_number", mode="before")
    @classmethod
    def _number(cls, v: object) -> object:
        return (v.strip().upper() or None) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _pointers_exist(self) -> Claim:
        for i, line in enumerate(self.lines, 1):
            over = [p for p in line.diagnosis_pointers if p > len(self.diagnoses)]
            if over:
                raise ValueError(
                    f"line {i}: diagnosis pointer {over[0]} points past the claim's "
                    f"{len(self.diagnoses)} diagnosis(es)"
                )
        return self


class Authorization(_Strict):
    """What the payer has on file from one request: its decision, number, lines and validity window."""

    number: str | None
    status: DeterminationStatus
    member_id: str
    servicing_npi: str
    place_of_service: str | None = None
    lines: list[ApprovedLine] = Field(default_factory=list)
    valid_from: date | None = None
    valid_to: date | None = None


# ----- the remittance (output) -----------------------------------------------------------------------


class Adjustment(_Strict):
    """One CAS adjustment on a line: group code, CARC, amount, with its RARCs (LQ*HE)."""

    group: str
    carc: str
    rarc: list[str] = Field(default_factory=list)
    amount: int = Field(ge=0)
    finding: Finding

    @property
    def label(self) -> str:
        """``CO-198``: how a remittance prints the group and reason together."""
        return f"{self.group}-{self.carc}"


class LineResult(_Strict):
    line: int = Field(ge=1)
    code: str
    units: int
    service_date: date
    charge: int
    paid: int = Field(ge=0)
    status: Literal["paid", "partially_paid", "denied"]
    adjustments: list[Adjustment] = Field(default_factory=list)
    message: str


class Remittance(_Strict):
    """An 835-style answer to one claim."""

    claim_id: str
    adjudicated_on: date
    status: Literal["paid", "partially_paid", "denied", "rejected"]
    authorization_number: str | None
    lines: list[LineResult] = Field(default_factory=list)
    total_charge: int = 0
    total_paid: int = 0
    message: str

    @property
    def adjustments(self) -> list[Adjustment]:
        return [a for line in self.lines for a in line.adjustments]


# ----- adjudication ----------------------------------------------------------------------------------


def _adjustment(finding: Finding, amount: int, table: ClaimCodeTable) -> Adjustment:
    codes = table.findings[finding]
    return Adjustment(
        group=codes.group, carc=codes.carc, rarc=list(codes.rarc), amount=amount, finding=finding
    )


def _mismatches(claim: Claim, line: ClaimLine, auth: Authorization) -> list[tuple[Finding, str]]:
    """Why the authorization does not apply to this line, in the order a payer checks; empty if it does."""
    out: list[tuple[Finding, str]] = []
    if claim.member_id.strip().upper() != auth.member_id.strip().upper():
        out.append(("member_mismatch", f"authorization {auth.number} is for another member"))
    if claim.rendering_npi != auth.servicing_npi:
        out.append(
            (
                "provider_mismatch",
                f"rendering provider NPI {claim.rendering_npi} is not the authorized provider "
                f"(NPI {auth.servicing_npi})",
            )
        )
    if auth.place_of_service and claim.place_of_service != auth.place_of_service:
        out.append(
            (
                "site_mismatch",
                f"place of service {claim.place_of_service} is not the authorized place of service "
                f"{auth.place_of_service}",
            )
        )
    if line.code not in {a.code for a in auth.lines}:
        authorized = ", ".join(a.code for a in auth.lines) or "none"
        out.append(
            ("code_mismatch", f"code {line.code} is not on the authorization (authorized: {authorized})")
        )
    if auth.valid_from and line.service_date < auth.valid_from:
        out.append(
            (
                "outside_window",
                f"date of service {line.service_date} is before the window opens ({auth.valid_from})",
            )
        )
    elif auth.valid_to and line.service_date > auth.valid_to:
        out.append(
            (
                "outside_window",
                f"date of service {line.service_date} is after the authorization expired ({auth.valid_to})",
            )
        )
    return out


def adjudicate_claim(
    claim: Claim,
    authorizations: Sequence[Authorization],
    *,
    auth_required_codes: Collection[str],
    as_of: date,
) -> Remittance:
    """The payer's answer to ``claim`` on ``as_of``, against the ``authorizations`` it issued for the
    member; ``auth_required_codes`` are the codes this payer requires an authorization for (a line for
    any other code is paid without one). Deterministic: the same inputs give the same remittance.

    Per line, in order: a code needing no authorization is paid; no number on the claim → CO-197 when
    no authorization in force covers the code, CO-15/M62 when one does (the number was left off); a
    number the payer never issued → CO-15/M62; an authorization that was denied or never decided →
    CO-197; one that does not apply (member, rendering provider, place of service, code, date outside
    the window) → CO-15/N54; units beyond what the authorization has left for the code → CO-198 on the
    excess, the rest paid. A paid line is paid its billed charge (contract rates are not simulated).
    """
    table = claim_codes()
    future = [line.service_date for line in claim.lines if line.service_date > as_of]
    if future:
        return Remittance(
            claim_id=claim.claim_id,
            adjudicated_on=as_of,
            status="rejected",
            authorization_number=claim.prior_auth_number,
            total_charge=sum(line.charge for line in claim.lines),
            message=(
                f"Rejected before adjudication: date of service {min(future)} is after the claim was "
                f"received ({as_of}). Bill the service once it has been performed."
            ),
        )
    by_number = {a.number.strip().upper(): a for a in authorizations if a.number}
    auth = by_number.get(claim.prior_auth_number) if claim.prior_auth_number else None
    left: dict[str, int] = {}
    if auth is not None:
        for a_line in auth.lines:
            left[a_line.code] = left.get(a_line.code, 0) + a_line.units
    needs = {c.strip().upper() for c in auth_required_codes}
    results = [
        _line(i, claim, line, auth, authorizations, needs, left, table)
        for i, line in enumerate(claim.lines, 1)
    ]
    paid = sum(r.paid for r in results)
    charge = sum(r.charge for r in results)
    statuses = {r.status for r in results}
    status: Literal["paid", "partially_paid", "denied"] = (
        "paid"
        if statuses == {"paid"}
        else "denied"
        if paid == 0 and statuses == {"denied"}
        else "partially_paid"
    )
    words = {"paid": "Paid in full", "partially_paid": "Paid in part", "denied": "Denied"}[status]
    return Remittance(
        claim_id=claim.claim_id,
        adjudicated_on=as_of,
        status=status,
        authorization_number=claim.prior_auth_number,
        lines=results,
        total_charge=charge,
        total_paid=paid,
        message=f"{words}: ${paid:,} of ${charge:,} billed.",
    )


def _line(
    number: int,
    claim: Claim,
    line: ClaimLine,
    auth: Authorization | None,
    on_file: Sequence[Authorization],
    needs: set[str],
    left: dict[str, int],
    table: ClaimCodeTable,
) -> LineResult:
    def denied(finding: Finding, message: str) -> LineResult:
        return LineResult(
            line=number,
            code=line.code,
            units=line.units,
            service_date=line.service_date,
            charge=line.charge,
            paid=0,
            status="denied",
            adjustments=[_adjustment(finding, line.charge, table)],
            message=message,
        )

    if line.code not in needs:
        return LineResult(
            line=number,
            code=line.code,
            units=line.units,
            service_date=line.service_date,
            charge=line.charge,
            paid=line.charge,
            status="paid",
            message=f"Paid: {line.code} needs no authorization from this payer.",
        )
    if claim.prior_auth_number is None:
        covering = [a for a in on_file if a.status in IN_FORCE and line.code in {x.code for x in a.lines}]
        if covering:
            return denied(
                "number_missing",
                f"The claim carries no authorization number, but authorization {covering[0].number} "
                f"covers {line.code}: put the number on the claim (REF*G1) and resubmit.",
            )
        return denied(
            "no_authorization",
            f"No authorization on file for {line.code}, which this payer requires one for.",
        )
    if auth is None:
        return denied(
            "number_unknown",
            f"Authorization number {claim.prior_auth_number} was not issued by this payer: "
            "check the number on the payer's decision.",
        )
    if auth.status not in IN_FORCE:
        return denied(
            "not_in_force",
            f"Authorization {auth.number} is {auth.status.replace('_', ' ')}, not approved: "
            f"no authorization is in force for {line.code}.",
        )
    problems = _mismatches(claim, line, auth)
    if problems:
        finding, _ = problems[0]
        said = "; ".join(p for _, p in problems)
        return denied(finding, f"Authorization {auth.number} does not apply: {said}.")
    allowed = min(line.units, left.get(line.code, 0))
    left[line.code] = left.get(line.code, 0) - allowed
    if allowed == line.units:
        return LineResult(
            line=number,
            code=line.code,
            units=line.units,
            service_date=line.service_date,
            charge=line.charge,
            paid=line.charge,
            status="paid",
            message=f"Paid under authorization {auth.number}.",
        )
    paid = line.charge * allowed // line.units
    over = line.units - allowed
    return LineResult(
        line=number,
        code=line.code,
        units=line.units,
        service_date=line.service_date,
        charge=line.charge,
        paid=paid,
        status="partially_paid" if allowed else "denied",
        adjustments=[_adjustment("units_exceeded", line.charge - paid, table)],
        message=(
            f"{line.units} unit(s) billed, {allowed} left on authorization {auth.number} for "
            f"{line.code}: the {over} unit(s) over the authorization are not paid."
        ),
    )
