"""What an expert requests when the archetype says ``request: within_limits`` (docs/authoring.md §5).

Some orders ask for more than the payer's initial authorization allows (6 months of CPAP rental when
every payer authorizes the 12-week trial; 60 days of IOP when Prairie authorizes 30-day blocks). Sent as
ordered they are partially approved (198); an expert requests what the payer authorizes and plans the
next request. :func:`within_limits` caps the order at the limits the policy's front matter states.

This reads the policy data only, never the simulator: the answer key stays an independent oracle. The
rules are the same ones the policies state (and simulator/review.py ``apply_limits`` enforces): a line's
units are capped at its code's ``max_units``, the policy's ``max_units`` is a budget shared by the lines
it governs in order, and the duration is capped at ``max_duration_days``.
"""

from __future__ import annotations

from knowledge_base.models import Policy
from scenarios.content import OrderSpec, ProcedureSpec


def within_limits(spec: OrderSpec, policy: Policy) -> OrderSpec:
    """``spec`` with its units and duration capped at what ``policy`` authorizes per request; ``spec``
    itself when nothing exceeds a limit (so ``is`` tells the caller whether the cap changed anything)."""
    left = policy.max_units
    lines: list[ProcedureSpec] = []
    changed = False
    for line in spec.procedures:
        pc = policy.code(line.code)
        if pc is None:  # a line the policy does not govern needs no authorization, so no limit applies
            lines.append(line)
            continue
        units = line.units if pc.max_units is None else min(line.units, pc.max_units)
        if left is not None:
            units = min(units, left)
            left -= units
        if units < line.units:
            changed = True
        if units > 0:  # a line the shared budget leaves nothing for is not requested at all
            lines.append(line if units == line.units else line.model_copy(update={"units": units}))
    days = spec.requested_duration_days
    if days is not None and policy.max_duration_days is not None and days > policy.max_duration_days:
        days, changed = policy.max_duration_days, True
    if not changed or (spec.procedures and not lines):
        return spec
    return spec.model_copy(update={"procedures": lines, "requested_duration_days": days})


def limits_text(spec: OrderSpec, policy: Policy) -> str:
    """The limits that bind ``spec`` at ``policy``, in words, e.g. 'at most 3 units of E0601 and 90 days'
    (empty when none binds): for validation messages that tell an author what the cap does."""
    capped = within_limits(spec, policy)
    if capped is spec:
        return ""
    kept = {c.code: c.units for c in capped.procedures}
    parts = [
        f"{kept.get(o.code, 0)} unit{'' if kept.get(o.code, 0) == 1 else 's'} of {o.code}"
        for o in spec.procedures
        if kept.get(o.code, 0) < o.units
    ]
    if capped.requested_duration_days != spec.requested_duration_days:
        parts.append(f"{capped.requested_duration_days} days")
    return "at most " + " and ".join(parts) if parts else ""
