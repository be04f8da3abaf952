"""Human labels for the internal ids the core speaks in (issue 12 item 6): module and service-line ids,
statuses, stages, actions, plan types, document kinds, rubric item ids. One mapping for every page;
ids it does not list are spelled out by rule (``sleep_study`` → "Sleep study", ``narrative.no_query``
→ "Narrative: no query"), so no page ever shows ``advanced_imaging`` or ``partially_approved``.

Error tags keep their vocabulary (``grading.error_tags``) and get the tag's own description as help.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

LABELS: dict[str, str] = {
    # determination statuses and stages
    "partially_approved": "Partially approved",
    "no_auth_required": "No authorization required",
    "not_met": "Not met",
    "not_evidenced": "Not evidenced",
    "front_end": "Front-end edits",
    "auth_requirement": "Authorization requirement",
    "medical_necessity": "Medical necessity",
    # what a case calls for (answer keys)
    "submit": "Submit the request",
    "submit_expedited": "Submit an expedited request",
    "query_provider": "Query the ordering provider",
    "no_auth_needed": "Close: no authorization needed",
    "resolve_coverage": "Close: resolve coverage first",
    "peer_to_peer": "Peer-to-peer review",
    "new_request": "Send a new request",
    "reply_to_pend": "Answer the pend",
    "request_extension": "Request an extension (concurrent review)",
    "extension": "Extension request",
    "extension_deadline": "Extension requested by the authorization's end date",
    "asam_reassessment": "ASAM reassessment",
    # plan types
    "commercial_erisa_ppo": "Commercial PPO (ERISA)",
    "medicare_advantage_hmo": "Medicare Advantage HMO",
    "medicaid_managed_care": "Medicaid managed care",
    # service lines and modules whose rule-made label reads badly
    "lumbar_mri": "Lumbar MRI",
    "oncology_pet": "Oncology PET",
    "cpap": "CPAP",
    "ra_biologic": "RA biologic",
    "sud_iop": "SUD intensive outpatient",
    "dme": "Durable medical equipment",
    "asam_assessment": "ASAM assessment",
    "in_progress": "In progress",
    "auth_lookup": "Authorization look-up",
    "pend_reply": "Pend reply",
    "provider_query": "Provider query",
    # appeal levels (the manuals' ladders) and how an authorization stands (operations.revenue)
    "level1": "Level 1 appeal",
    "level2": "Level 2 appeal",
    "external": "External review",
    "reconsideration": "Reconsideration",
    "ire": "Independent review entity",
    "fair_hearing": "State fair hearing",
    "not_needed": "Not needed",
}


def human(value: str | None) -> str:
    """The label a person reads for an internal id.

    >>> human("advanced_imaging"), human("partially_approved"), human("narrative.no_query")
    ('Advanced imaging', 'Partially approved', 'Narrative: no query')
    >>> human("cpap"), human(None), human("LKS-MRI-001.2")
    ('CPAP', '—', 'LKS-MRI-001.2')
    """
    if not value:
        return "—"
    if value in LABELS:
        return LABELS[value]
    if not value.islower() and not value.replace("_", "").isalpha():
        return value  # a policy or criterion id, a code: shown as it is
    head, dot, rest = value.partition(".")
    if dot and rest:
        return f"{human(head)}: {human(rest).lower() if rest not in LABELS else LABELS[rest]}"
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]


def when(value: datetime | None, zone: tzinfo | None = None) -> str:
    """A stored (UTC) time for people, in ``zone`` (the user's, see ``ui.widgets.user_zone``): minutes,
    the zone's abbreviation, no "+00:00", no seconds. Naive times are shown as they are.

    >>> from datetime import UTC
    >>> from zoneinfo import ZoneInfo
    >>> t = datetime(2026, 12, 3, 9, 55, 7, tzinfo=UTC)
    >>> when(t), when(t, ZoneInfo("America/Chicago")), when(None)
    ('2026-12-03 09:55 UTC', '2026-12-03 03:55 CST', '—')
    >>> when(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), ZoneInfo("Europe/Berlin"))
    '2026-07-01 14:00 CEST'
    """
    if value is None:
        return "—"
    if value.tzinfo is None:
        return value.strftime("%Y-%m-%d %H:%M")
    local = value.astimezone(zone) if zone is not None else value
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "UTC")


def score(value: float | None, digits: int = 1) -> str:
    """A score or mean for people: one decimal (``99.6``), "—" when there is none.

    >>> score(99.5658), score(None), score(70, 0)
    ('99.6', '—', '70')
    """
    return "—" if value is None else f"{value:.{digits}f}"
