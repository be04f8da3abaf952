"""Checks of an archetype's order overrides and of relative date facts (docs/authoring.md §4-5).

Each error reads ``<file> > <path>: <what is wrong and how to fix it>``, like the rest of
:mod:`scenarios.validation`. ``order_override_errors`` is cheap and runs whenever a module is used;
``diagnosis_code_errors`` loads the ICD-10-CM tables, so only ``validate_content`` runs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from knowledge_base.models import Policy
from knowledge_base.procedure_codes import KNOWN_CODES
from scenarios.content import Archetype, OrderSpec, RelativeDate, ServiceLineSpec
from scenarios.timeline import PRIOR_MAX_DAYS_BACK


def order_override_errors(at: str, a: Archetype, order: OrderSpec, policy: Policy, action: str) -> list[str]:
    """The archetype's ``procedures`` and ``diagnoses`` against one payer's policy: every code must be one
    the payer knows, an add-on needs its primary code, and the policy must govern the request (or the
    archetype expects no authorization)."""
    errors: list[str] = []
    if a.procedures is not None:
        codes = {p.code for p in a.procedures}
        unknown = False
        for i, p in enumerate(a.procedures):
            pc = policy.code(p.code)
            if pc is None:
                if p.code not in KNOWN_CODES:
                    unknown = True
                    governed = ", ".join(c.code for c in policy.codes)
                    errors.append(
                        f"{at} > procedures > {i}: {p.code} is neither a code of {policy.id} ({governed}) "
                        "nor one the content describes without a policy (knowledge_base/procedure_codes.py); "
                        "add it there with a short description in our own words"
                    )
                continue
            if pc.system != p.system:
                errors.append(
                    f"{at} > procedures > {i} > system: {p.code} is a {pc.system} code in {policy.id}, "
                    f"not {p.system}"
                )
            if pc.requires_primary and pc.requires_primary not in codes:
                errors.append(
                    f"{at} > procedures > {i}: {p.code} is an add-on billable only with "
                    f"{pc.requires_primary}; list {pc.requires_primary} too (order_codes: "
                    "addon_without_primary leaves it off the order while the answer key keeps it)"
                )
        if not unknown and action != "no_auth_needed" and not any(policy.code(c) for c in codes):
            errors.append(
                f"{at} > procedures: {policy.id} governs none of {sorted(codes)}, so no authorization "
                "is needed; add a code the policy lists or expect action no_auth_needed"
            )
    if a.diagnoses is not None:
        prefixes = [c.replace(".", "") for c in policy.diagnoses]
        for i, d in enumerate(order.diagnoses):
            if not any(d.code.replace(".", "").startswith(pre) for pre in prefixes):
                errors.append(
                    f"{at} > diagnoses > {i}: {d.code} is not a supporting diagnosis of {policy.id}"
                )
    return errors


def diagnosis_code_errors(at: str, a: Archetype) -> list[str]:
    """Override diagnoses must be billable ICD-10-CM codes (the leaves of the code set)."""
    if a.diagnoses is None:
        return []
    from knowledge_base import icd10cm as icd

    return [
        f"{at} > diagnoses > {i}: {d.code} is not a valid billable ICD-10-CM code; use the most specific "
        "code (a leaf of the code set)"
        for i, d in enumerate(a.diagnoses)
        if not (icd.is_valid_item(d.code) and icd.is_leaf(d.code))
    ]


def relative_date_errors(line: ServiceLineSpec, rel: str) -> list[str]:
    """A document cannot state a date after its own. A relative date fact is fixed to the case start, while
    a document is dated from the prior request when there is one (up to PRIOR_MAX_DAYS_BACK earlier), so
    the fact must lie at least that much further back than any document that states it."""
    errors = _dates_after_documents(f"{rel} > facts", line.fact_specs, line)
    for name, over in line.profile_specs.items():
        errors += _dates_after_documents(f"{rel} > profiles > {name}", over, line)
    return errors


def archetype_date_errors(at: str, a: Archetype, line: ServiceLineSpec) -> list[str]:
    """:func:`relative_date_errors` for the relative dates an archetype's own ``facts`` set."""
    return _dates_after_documents(f"{at} > facts", a.facts, line)


def _dates_after_documents(where: str, facts: Mapping[str, Any], line: ServiceLineSpec) -> list[str]:
    errors: list[str] = []
    for name, value in facts.items():
        if not isinstance(value, RelativeDate):
            continue
        for doc in line.documents:
            latest = doc.days_before_start + PRIOR_MAX_DAYS_BACK
            if name in doc.states and value.days_before_start < latest:
                errors.append(
                    f"{where} > {name}: {value.days_before_start} days before the case start is after the "
                    f"{doc.kind} that states it, which can be dated {latest} days before the start (its "
                    f"{doc.days_before_start} days plus up to {PRIOR_MAX_DAYS_BACK} for a prior request); use "
                    f"days_before_start of at least {latest}"
                )
    return errors
