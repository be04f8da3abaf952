"""A case after the service: what was performed, the claim built from it, and what the claim cost.

The performed service may differ from what was ordered, as it does in practice: a seeded change per
case (module, seed) among "as ordered", "one more unit" (the surgeon added a level), "another code of
the policy", "date moved past the authorization's window" and "site changed" (hospital outpatient and
ASC swapped). The claim bills what was performed; :func:`simulator.claims.adjudicate_claim` checks it
against the authorizations the payer issued in the case, and :func:`claim_cost` puts the result next to
the case's service value (operations.revenue), so a trainee sees what a mistake (or an authorization
not updated) costs at the claim.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge_base.loader import Library, load_library
from operations.revenue import service_value
from scenarios.content import load_service_lines
from scenarios.models import Action, AuthLookup, Case, PerformedChange, Submission
from simulator import Determination, StepResult, lookup_requirements, prior_determination
from simulator.claim_updates import AuthUpdate, UpdateReply, update_authorization
from simulator.claims import (
    Authorization,
    Claim,
    ClaimLine,
    Remittance,
    adjudicate_claim,
    claim_codes,
)
from simulator.models import ApprovedLine

Change = PerformedChange
# claims are received this many days after the service (the simulated biller's turnaround)
BILLING_LAG_DAYS = 3
SITE_SWAP = {"22": "24", "24": "22", "19": "24", "11": "22"}  # hospital outpatient <-> ASC; office -> HOPD
SITE_NAMES = {
    "11": "office",
    "12": "home",
    "19": "off-campus hospital outpatient department",
    "21": "inpatient hospital",
    "22": "on-campus hospital outpatient department",
    "24": "ambulatory surgical center",
    "57": "non-residential substance use treatment facility",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PerformedLine(_Frozen):
    code: str
    units: int = Field(ge=1)
    modifiers: list[str] = Field(default_factory=list)


class Performed(_Frozen):
    """What the provider reports was done, which the claim must bill."""

    change: Change
    lines: list[PerformedLine]
    date_of_service: date
    place_of_service: str
    rendering_npi: str
    note: str  # the provider's words, for the trainee


class ClaimCost(_Frozen):
    """The claim's money next to the case's service value (whole US dollars)."""

    service_value: int
    billed: int
    paid: int
    unpaid: int
    fixes: list[str]  # what would have avoided each adjustment (one per finding)


def _pick(case: Case, choices: Sequence[Change]) -> Change:
    digest = hashlib.sha256(f"claim:{case.module_id}:{case.seed}".encode()).digest()
    return choices[int.from_bytes(digest[:8], "big") % len(choices)]


def _other_code(case: Case, library: Library) -> str | None:
    policy = library.policy_for(case.coverage.payer_id, case.order.service_line)
    ordered = {line.code.code for line in case.order.procedures}
    others = sorted(pc.code for pc in (policy.codes if policy else []) if pc.code not in ordered)
    return others[0] if others else None


def performed_service(
    case: Case, valid_to: date | None = None, *, library: Library | None = None
) -> Performed:
    """The service as performed (seeded per case); ``valid_to`` the approval's last day, if any, so a
    moved date lands outside the window."""
    lib = library or load_library()
    order = case.order
    lines = [
        PerformedLine(code=p.code.code, units=p.units, modifiers=list(p.modifiers)) for p in order.procedures
    ]
    other = _other_code(case, lib)
    choices: list[Change] = ["as_ordered", "as_ordered", "unit_added", "date_moved", "site_changed"]
    if other is not None:
        choices.append("code_changed")
    declared = case.answer_key.expected_claim  # the archetype's declaration wins over the seeded pick
    change: Change = declared.change if declared else (_pick(case, choices) if lines else "as_ordered")
    dos, pos = order.date_of_service, order.place_of_service
    who = f"{case.servicing_provider.first_name} {case.servicing_provider.last_name}"
    note = f"{who} performed the service as ordered on {dos}."
    if change == "unit_added":
        named = set(declared.codes) if declared else set()
        picked = [i for i, x in enumerate(lines) if x.code in named] or [
            next((i for i, x in enumerate(lines) if x.units > 1), len(lines) - 1)
        ]
        for i in picked:
            lines[i] = lines[i].model_copy(update={"units": lines[i].units + 1})
        more = ", ".join(f"{lines[i].code} x {lines[i].units}" for i in picked)
        note = (
            f"{who} performed one more unit than ordered ({more}; e.g. the surgeon added a level) on {dos}."
        )
    elif change == "code_changed" and other is not None:
        was = lines[0].code
        lines[0] = lines[0].model_copy(update={"code": other})
        note = f"{who} performed {other} instead of the ordered {was} on {dos}."
    elif change == "date_moved":
        moved = (valid_to or dos + timedelta(days=30)) + timedelta(days=7)
        note = f"The service was rescheduled and performed on {moved} instead of {dos}."
        dos = moved
    elif change == "site_changed":
        new = SITE_SWAP.get(pos, "22" if pos != "22" else "24")
        note = (
            f"The service moved from the {SITE_NAMES.get(pos, 'place of service ' + pos)} to the "
            f"{SITE_NAMES.get(new, 'place of service ' + new)} (place of service {pos} to {new}) and "
            f"was performed there on {dos}."
        )
        pos = new
    return Performed(
        change=change,
        lines=lines,
        date_of_service=dos,
        place_of_service=pos,
        rendering_npi=case.servicing_provider.npi,
        note=note,
    )


def unit_price(case: Case) -> int:
    """The service value per ordered unit (whole dollars): what each billed unit charges."""
    spec = load_service_lines().get(case.order.service_line)
    if spec is None:
        raise ValueError(f"service line: {case.order.service_line!r} has no scenarios/service_lines file")
    value = service_value(spec.revenue, case.module_id, case.seed)
    units = sum(p.units for p in case.order.procedures) or 1
    return max(1, value // units)


def draft_claim(case: Case, performed: Performed, auth_number: str | None = None) -> Claim:
    """The claim a biller would start from: the performed service, every diagnosis of the order pointed
    at by each line (up to four), charges at :func:`unit_price`."""
    price = unit_price(case)
    dx = [d.code for d in case.order.diagnoses][:12]
    pointers = list(range(1, min(4, len(dx)) + 1))
    return Claim(
        claim_id=f"{case.case_id}-1",
        member_id=case.coverage.member_id,
        billing_npi=case.facility.npi,
        rendering_npi=performed.rendering_npi,
        place_of_service=performed.place_of_service,
        diagnoses=dx,
        prior_auth_number=auth_number,
        lines=[
            ClaimLine(
                code=line.code,
                modifiers=line.modifiers,
                units=line.units,
                service_date=performed.date_of_service,
                charge=price * line.units,
                diagnosis_pointers=pointers,
            )
            for line in performed.lines
        ],
    )


def _authorization(case: Case, sub: Submission | None, det: Determination) -> Authorization:
    lines = list(det.approved_lines)
    if det.status == "no_auth_required" and sub is not None:
        # the payer's answer that these codes need none, kept so the claim does not ask for one
        lines = [ApprovedLine(code=p.code.strip().upper(), units=p.units) for p in sub.procedures]
    return Authorization(
        number=det.authorization_number,
        status=det.status,
        member_id=sub.member_id if sub else case.coverage.member_id,
        servicing_npi=sub.servicing_npi if sub else case.servicing_provider.npi,
        place_of_service=sub.place_of_service if sub else None,
        lines=lines,
        valid_from=det.valid_from,
        valid_to=det.valid_to,
    )


def authorizations_on_file(
    case: Case,
    actions: Sequence[Action],
    steps: Sequence[StepResult],
    *,
    library: Library | None = None,
) -> list[Authorization]:
    """Every decision the payer issued in the case, as it keeps them for the claim: each with the
    request (submission) it decided, the case's earlier request first."""
    out = []
    sub = case.prior_submission
    if sub is not None:
        prior = prior_determination(case, library=library)
        if prior is not None:
            out.append(_authorization(case, sub, prior))
    for step in steps:
        action = actions[step.action_index] if 0 <= step.action_index < len(actions) else None
        if isinstance(action, Submission):
            sub = action
        if isinstance(step.result, Determination) and step.result.status != "rejected":
            out.append(_authorization(case, sub, step.result))
    return out


def auth_required_codes(
    case: Case, codes: Collection[str] | None = None, *, library: Library | None = None
) -> frozenset[str]:
    """Which of ``codes`` (default: the codes of the case's policy) this payer requires authorization
    for on this order, as its look-up answers (a conditional exemption, such as an orthopaedic
    surgeon's MRI at Prairie, is evaluated on the order's facts)."""
    lib = library or load_library()
    if codes is None:
        policy = lib.policy_for(case.coverage.payer_id, case.order.service_line)
        codes = [pc.code for pc in (policy.codes if policy else [])]
    if not codes:
        return frozenset()
    at = datetime.combine(case.order.date_of_service, time(9, 0))
    reply = lookup_requirements(case, AuthLookup(at=at, codes=sorted(set(codes))), library=lib)
    return frozenset(r.code for r in reply.results if r.required)


def claim_received_on(performed: Performed, sim_now: datetime) -> date:
    """When the payer receives the claim: a few days after the service, never before the case's clock."""
    return max(sim_now.date(), performed.date_of_service) + timedelta(days=BILLING_LAG_DAYS)


def _with_updates(auths: list[Authorization], updated: Sequence[Authorization]) -> list[Authorization]:
    by_number = {u.number: u for u in updated if u.number}
    return [by_number.get(a.number, a) if a.number else a for a in auths]


def submit_claim(
    case: Case,
    claim: Claim,
    actions: Sequence[Action],
    steps: Sequence[StepResult],
    *,
    as_of: date,
    updated: Sequence[Authorization] = (),
    library: Library | None = None,
) -> Remittance:
    """The payer's remittance for ``claim`` on ``as_of``, against every authorization issued in the
    case (``updated``: those the payer has since updated, replacing the approval with the same number)."""
    lib = library or load_library()
    auths = _with_updates(authorizations_on_file(case, actions, steps, library=lib), updated)
    # a code the payer answered "no authorization required" for in this case is billed without one
    exempt = {x.code for a in auths if a.status == "no_auth_required" for x in a.lines}
    return adjudicate_claim(
        claim,
        auths,
        auth_required_codes=auth_required_codes(case, [x.code for x in claim.lines], library=lib) - exempt,
        as_of=as_of,
    )


def update_requested_on(performed: Performed, sim_now: datetime, *, billed: bool) -> date:
    """When an update request reaches the payer: a rescheduled date is known before the service (the
    case's clock); a code, units or site change on the day of the service; after a claim was billed,
    the day the claim was received (the remittance is how the office learns of the mismatch)."""
    if billed:
        return claim_received_on(performed, sim_now)
    if performed.change == "date_moved":
        return sim_now.date()
    return performed.date_of_service


def request_update(
    case: Case,
    performed: Performed,
    number: str,
    actions: Sequence[Action],
    steps: Sequence[StepResult],
    *,
    as_of: date,
    library: Library | None = None,
) -> UpdateReply:
    """Ask the payer to update authorization ``number`` to ``performed``, under the payer manual's
    update window (``authorization_update_days``); the answer says why when it refuses."""
    lib = library or load_library()
    policy = lib.policy_for(case.coverage.payer_id, case.order.service_line)
    request = AuthUpdate(
        number=number or "-",
        date_of_service=performed.date_of_service,
        place_of_service=performed.place_of_service,
        lines=[ApprovedLine(code=x.code, units=x.units) for x in performed.lines],
    )
    return update_authorization(
        request,
        authorizations_on_file(case, actions, steps, library=lib),
        window_days=lib.manual(case.coverage.payer_id).authorization_update_days,
        allowed_codes={pc.code for pc in (policy.codes if policy else [])},
        as_of=as_of,
    )


def claim_cost(case: Case, remittance: Remittance) -> ClaimCost:
    """What the claim paid against the case's service value, and the fix behind each adjustment."""
    spec = load_service_lines().get(case.order.service_line)
    if spec is None:
        raise ValueError(f"service line: {case.order.service_line!r} has no scenarios/service_lines file")
    table = claim_codes()
    fixes: list[str] = []
    for adj in remittance.adjustments:
        fix = f"{adj.label}: {table.findings[adj.finding].fix}"
        if fix not in fixes:
            fixes.append(fix)
    return ClaimCost(
        service_value=service_value(spec.revenue, case.module_id, case.seed),
        billed=remittance.total_charge,
        paid=remittance.total_paid,
        unpaid=remittance.total_charge - remittance.total_paid,
        fixes=fixes,
    )


_FIELDS = {
    "claim_id": "Claim number",
    "member_id": "Member id",
    "billing_npi": "Billing provider NPI",
    "rendering_npi": "Rendering provider NPI",
    "place_of_service": "Place of service",
    "diagnoses": "Diagnoses",
    "prior_auth_number": "Prior authorization number",
    "lines": "Service lines",
    "code": "code",
    "modifiers": "modifiers",
    "units": "units",
    "service_date": "date of service",
    "charge": "charge",
    "diagnosis_pointers": "diagnosis pointers",
}


def _where(loc: Sequence[int | str]) -> str:
    parts = [str(p) for p in loc]
    if len(parts) >= 2 and parts[0] == "lines" and parts[1].isdigit():
        rest = " ".join(_FIELDS.get(p, p) for p in parts[2:] if not p.isdigit())
        return f"Line {int(parts[1]) + 1} {rest}".strip()
    named = [_FIELDS.get(p, p) for p in parts if not p.isdigit()]
    return named[0] if named else "Claim"


def claim_from_form(
    draft: Claim,
    *,
    auth_number: Any,
    place_of_service: Any,
    rendering_npi: Any,
    lines: Sequence[dict[str, Any]],
) -> Claim:
    """The claim as the trainee edited ``draft``: typed values validated, each error naming the field
    and the fix (``ValueError``; nothing is sent).

    >>> from datetime import date
    >>> draft = Claim(claim_id="C1", member_id="M1", billing_npi="1234567893", rendering_npi="1234567893",
    ...     place_of_service="22", diagnoses=["M54.16"], lines=[ClaimLine(code="72148", units=1,
    ...     service_date=date(2026, 3, 12), charge=100, diagnosis_pointers=[1])])
    >>> claim_from_form(draft, auth_number="", place_of_service="22", rendering_npi="1234567893",
    ...     lines=[{"code": "7214", "modifiers": "", "units": 1, "service_date": date(2026, 3, 12)}])
    Traceback (most recent call last):
    ...
    ValueError: Line 1 code: '7214' is not a CPT or HCPCS code (5 digits, or a letter and 4 digits). Correct it and submit the claim again (nothing was sent).
    """
    if len(lines) != len(draft.lines):
        raise ValueError(f"Service lines: expected {len(draft.lines)} line(s), got {len(lines)}")
    data = draft.model_dump()
    data["prior_auth_number"] = str(auth_number or "")[:60]
    data["place_of_service"] = str(place_of_service or "").strip()
    data["rendering_npi"] = str(rendering_npi or "").strip()
    for out, typed in zip(data["lines"], lines, strict=True):
        out["code"] = str(typed.get("code") or "")[:20]
        mods = str(typed.get("modifiers") or "")[:40]
        out["modifiers"] = [m for m in mods.replace(",", " ").split() if m]
        out["units"] = typed.get("units")
        out["service_date"] = typed.get("service_date")
    try:
        return Claim.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ValueError(
            f"{_where(err['loc'])}: {msg}. Correct it and submit the claim again (nothing was sent)."
        ) from None
