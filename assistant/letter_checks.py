"""Does the text do the job of the document asked for? The checks that judge the letter, not the chart.

Real small models wrote drafts the other guards let through: a 23-character label, a 71-character
"appeal", copied policy fragments, none with the codes, the date of service, the member id or the
criteria; and a provider query rewritten as a request claiming unmet criteria were met. So a case
draft must also
- carry the administrative elements of its kind (:func:`missing_elements`): patient, member id,
  procedure codes with their units, diagnosis codes, date of service, requested period, and the
  ordering provider with credentials (a query and talking points need fewer, see ``_ELEMENTS``);
- address every applicable criterion with the chart's facts (:func:`unaddressed_criteria`): its id,
  or a document that shows it (title or id), or the fact's value with its unit ("8 weeks");
- read as the kind asked for (:func:`kind_problem`): a query asks the provider for something and does
  not ask the payer to authorize; a letter or an appeal asks the payer and is not a query.
The offline composer's drafts pass all three (tests/assistant/test_assistant_letter_checks.py), so the
fallback is always a complete document.
"""

from __future__ import annotations

import re
from datetime import date

from assistant.brief import Brief, humanize, missing_label
from assistant.models import ChecklistItem

# which elements each kind must carry (a query names the request; talking points are spoken)
_ELEMENTS: dict[str, tuple[str, ...]] = {
    "narrative": ("patient", "member id", "codes", "units", "date of service", "period", "provider"),
    "appeal": ("patient", "member id", "codes", "units", "date of service", "period", "provider"),
    "p2p": ("patient",),
    "provider_query": ("patient",),
}
_ASKS_PROVIDER = re.compile(
    r"\?|\bplease\b|\b(?:send|provide|confirm|clarify|document|attach|forward)\b|\bwe need\b|\bneeded\b",
    re.IGNORECASE,
)
_ASKS_PAYER = re.compile(
    r"\b(?:request(?:s|ing)? (?:prior )?authori[sz]ation|(?:we|I) (?:respectfully )?(?:request|ask) (?:that )?"
    r"(?:you )?(?:approve|authori[sz]e)|(?:is|are) medically necessary and|overturn)\b",
    re.IGNORECASE,
)
_APPEAL_WORDS = re.compile(r"\b(?:appeal|reconsideration|redetermination|overturn|reverse|review)\b", re.I)
_CLAIMS_MET = re.compile(r"\b(?:is|are|was|were|has been|have been) (?:fully )?(?:met|satisfied)\b", re.I)


def _has(text: str, needle: str) -> bool:
    return (
        bool(needle) and re.search(rf"(?<![\w]){re.escape(needle)}(?![\w])", text, re.IGNORECASE) is not None
    )


def date_forms(d: date) -> list[str]:
    """The ways a letter writes a date: 2026-03-05, 03/05/2026, 3/5/2026, March 5, 2026, 5 March 2026."""
    month = d.strftime("%B")
    return [
        d.isoformat(),
        d.strftime("%m/%d/%Y"),
        f"{d.month}/{d.day}/{d.year}",
        f"{month} {d.day}, {d.year}",
        f"{d.day} {month} {d.year}",
    ]


def _has_date(text: str, d: date) -> bool:
    return any(_has(text, form) for form in date_forms(d))


def missing_elements(brief: Brief, text: str) -> list[str]:
    """The administrative elements of the draft's kind that the text does not carry."""
    a = brief.analysis
    if a is None:
        return []
    case, sub = a.case, a.submission
    provider = case.ordering_provider
    checks = {
        "patient": lambda: _has(text, case.patient.name) or _has(text, case.patient.last_name),
        "member id": lambda: _has(text, sub.member_id),
        "codes": lambda: (
            all(_has(text, ln.code) for ln in sub.procedures) and all(_has(text, dx) for dx in sub.diagnoses)
        ),
        "units": lambda: all(
            re.search(rf"\b{ln.units}\s+units?\b", text, re.IGNORECASE) for ln in sub.procedures
        ),
        "date of service": lambda: _has_date(text, sub.date_of_service),
        "period": lambda: re.search(rf"\b{sub.requested_duration_days}[ -]days?\b", text, re.I) is not None,
        "provider": lambda: _has(text, provider.last_name) and _has(text, provider.credentials),
    }
    described = {
        "patient": f"the patient ({case.patient.name})",
        "member id": f"the member id ({sub.member_id})",
        "codes": "the codes (" + ", ".join([*(ln.code for ln in sub.procedures), *sub.diagnoses]) + ")",
        "units": "the units of each code ("
        + ", ".join(f"{ln.code}: {ln.units}" for ln in sub.procedures)
        + ")",
        "date of service": f"the date of service ({sub.date_of_service.isoformat()})",
        "period": f"the requested period ({sub.requested_duration_days} days)",
        "provider": f"the ordering provider with credentials ({provider.display_name})",
    }
    return [described[e] for e in _ELEMENTS.get(brief.kind, ()) if not checks[e]()]


def _addressed(item: ChecklistItem, text: str) -> bool:
    """The criterion's id, a document that shows it (title or id), or a fact's value with its unit.

    A date alone does not count (the order, the visit and the request share dates), nor a bare number.
    """
    if _has(text, item.criterion_id):
        return True
    for ev in item.evidence:
        if ev.document_id and (_has(text, ev.document_id) or _has(text, ev.title or "")):
            return True
        value, unit = ev.value, ev.fact.rsplit("_", 1)[-1]
        if isinstance(value, int | float) and not isinstance(value, bool) and _has(text, f"{value} {unit}"):
            return True
        if isinstance(value, str) and len(value) >= 3 and _has(text, value.replace("_", " ")):
            return True
    # a criterion with nothing in the chart is addressed by naming what is missing
    return any(_has(text, humanize(m)) or _has(text, missing_label(m)) for m in item.missing)


def unaddressed_criteria(brief: Brief, text: str) -> list[str]:
    """The applicable criteria the text does not address with the chart's facts (id: text)."""
    a = brief.analysis
    if a is None:
        return []
    wanted = a.not_met if brief.kind == "provider_query" else [c for c in a.checklist if c.applies]
    return [f"{c.criterion_id} ({c.text[:90]})" for c in wanted if not _addressed(c, text)]


def kind_problem(brief: Brief, text: str) -> str | None:
    """Why the text does not read as the kind asked for, or None."""
    a = brief.analysis
    if a is None:
        return None
    if brief.kind == "provider_query":
        asked = _ASKS_PAYER.search(text)
        if asked:
            return (
                f'it asks the payer to authorize ("{asked.group(0)}"), but a query to the ordering '
                "provider asks for the missing record and requests nothing from the payer"
            )
        if not _ASKS_PROVIDER.search(text):
            return "it asks the ordering provider for nothing; a query says exactly which record is needed"
        unmet = [c.criterion_id for c in a.not_met]
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if (
                any(_has(sentence, cid) for cid in unmet)
                and _CLAIMS_MET.search(sentence)
                and "not" not in sentence
            ):
                return f'it claims an unmet criterion is met ("{sentence.strip()[:120]}")'
        return None
    if brief.kind == "appeal" and not _APPEAL_WORDS.search(text):
        return "it does not read as an appeal: it names no appeal, reconsideration or review of the denial"
    return None
