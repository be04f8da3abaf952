"""Authorization updates: an approved authorization changed to the service as performed (a new date,
code, units or site) within the payer's window, or refused with the reason (docs/operations.md
"Authorization updates"). The claim stage (:mod:`simulator.claims`) then checks the claim against the
authorization as updated.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from simulator.claims import IN_FORCE, Authorization
from simulator.models import ApprovedLine


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AuthUpdate(_Strict):
    """A request to change an approved authorization to the service as performed (or rescheduled)."""

    number: str = Field(min_length=1, max_length=50)
    date_of_service: date
    place_of_service: str = Field(pattern=r"^\d{2}$")
    lines: list[ApprovedLine] = Field(min_length=1, max_length=50)

    @field_validator("number", mode="before")
    @classmethod
    def _number(cls, v: object) -> object:
        return v.strip().upper() if isinstance(v, str) else v


class UpdateReply(_Strict):
    accepted: bool
    message: str
    authorization: Authorization | None = None  # the authorization as updated, when accepted


def update_authorization(
    update: AuthUpdate,
    authorizations: Sequence[Authorization],
    *,
    window_days: int,
    allowed_codes: Collection[str],
    as_of: date,
) -> UpdateReply:
    """The payer's answer, on ``as_of``, to ``update``: the authorization with the performed codes,
    units, site and a validity window moved to the new date, or a refusal that says why.

    ``window_days`` is the payer's update window (manual front matter ``authorization_update_days``):
    up to that many days after the service (for a moved date, after the approval's last valid day).
    Refused: a number the payer never issued; a denied, pended or undecided authorization; a code
    outside ``allowed_codes`` (a different service is a new request); a request after the window. The
    update is administrative: the new codes are not reviewed again for medical necessity.

    >>> auth = Authorization(number="LKS-1", status="approved", member_id="M", servicing_npi="1234567893",
    ...     place_of_service="22", lines=[ApprovedLine(code="72148", units=1)],
    ...     valid_from=date(2026, 3, 10), valid_to=date(2026, 5, 9))
    >>> ask = AuthUpdate(number="LKS-1", date_of_service=date(2026, 3, 12), place_of_service="22",
    ...     lines=[ApprovedLine(code="72148", units=2)])
    >>> update_authorization(ask, [auth], window_days=2, allowed_codes={"72148"}, as_of=date(2026, 3, 13)).accepted
    True
    >>> update_authorization(ask, [auth], window_days=2, allowed_codes={"72148"}, as_of=date(2026, 3, 15)).message[:40]
    'Update refused: the update window for a '
    """
    auth = next((a for a in authorizations if a.number and a.number.strip().upper() == update.number), None)
    if auth is None:
        return UpdateReply(
            accepted=False,
            message=f"Update refused: no authorization {update.number} on file with this payer. "
            "Check the number on the payer's approval, or request a new authorization.",
        )
    if auth.status not in IN_FORCE:
        return UpdateReply(
            accepted=False,
            message=f"Update refused: authorization {auth.number} is {auth.status.replace('_', ' ')}; only an "
            "approval can be updated. Appeal the denial or answer the pend, or request a new authorization.",
        )
    foreign = [x.code for x in update.lines if x.code not in allowed_codes]
    if foreign:
        return UpdateReply(
            accepted=False,
            message=f"Update refused: {', '.join(foreign)} is not a service this authorization's policy "
            "governs; a different service is a new request, not an update.",
        )
    moved = auth.valid_to is not None and update.date_of_service > auth.valid_to
    if moved and auth.valid_to is not None and as_of > auth.valid_to + timedelta(days=window_days):
        return UpdateReply(
            accepted=False,
            message=f"Update refused: authorization {auth.number} expired on {auth.valid_to} and the payer "
            f"accepts a new date up to {window_days} day(s) after that; an expired authorization cannot "
            "be updated: request a new authorization.",
        )
    if not moved and as_of > update.date_of_service + timedelta(days=window_days):
        return UpdateReply(
            accepted=False,
            message=f"Update refused: the update window for a change is {window_days} day(s) after the "
            f"service ({update.date_of_service}); it closed before {as_of}. The claim is checked against "
            "the authorization as approved.",
        )
    span = (auth.valid_to - auth.valid_from) if auth.valid_to and auth.valid_from else timedelta(days=0)
    starts = min(auth.valid_from or update.date_of_service, update.date_of_service)
    if moved or (auth.valid_from and update.date_of_service < auth.valid_from):
        starts = update.date_of_service
    updated = auth.model_copy(
        update={
            "lines": list(update.lines),
            "place_of_service": update.place_of_service,
            "valid_from": starts,
            "valid_to": max(starts + span, update.date_of_service),
        }
    )
    what = ", ".join(f"{x.code} x {x.units}" for x in update.lines)
    return UpdateReply(
        accepted=True,
        message=f"Authorization {auth.number} updated on {as_of}: {what}, place of service "
        f"{update.place_of_service}, valid {updated.valid_from} to {updated.valid_to}.",
        authorization=updated,
    )
