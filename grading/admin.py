"""Administrative elements of a request narrative or appeal letter: who, what, when, by whom.

A reviewer matches a request to the member and the order before reading the clinical story. The patient,
the requested procedure codes and the ordering provider with credentials must be in the text; the date
of birth, date of service, units and requested period count as given when the text states them in any
usual form ("DOS 05/08/26", "x1", "one unit", "for thirty days") or when the request's own fields carry
the right value (the 278 form states them; repeating them in prose is not what a reviewer checks).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from clinical import normalize
from clinical.figures import date_mentions
from grading.context import CaseData
from grading.facts import Text
from grading.models import GradeItem
from grading.text import has_words
from scenarios.models import Submission


def _item(
    item_id: str, points: float, feedback: str, *, correct: str = "", citation: str = "", tag: bool
) -> GradeItem:
    return GradeItem(
        dimension="narrative",
        item_id=item_id,
        points=0 if tag else points,
        max_points=points,
        feedback=feedback,
        correct_answer=correct,
        citation=citation,
        error_tags=["missing_admin_element"] if tag else [],
    )


@lru_cache(maxsize=4096)
def _dates_in(raw: str) -> tuple[tuple[int | None, int, int | None], ...]:
    return tuple((d.year, d.month, d.day) for d in date_mentions(raw))


def states_date(raw: str, day: date) -> bool:
    """The text names ``day``: in full, or as month and day with the year left off or written short."""
    return any(m == day.month and d == day.day and y in (None, day.year) for y, m, d in _dates_in(raw))


def states_units(norm: str, units: int) -> bool:
    """``x3``, ``3 units``, ``3 monthly rentals``, or the count after the word: ``units: 3``,
    ``units per order (2)``."""
    return bool(
        re.search(rf"(?:\bx|×)\s*{units}\b", norm, re.IGNORECASE)
        or re.search(
            rf"\b{units}\s+(?:[A-Za-z-]+\s+){{0,3}}"
            r"(?:units?|admissions?|visits?|days?|months?|sessions?|rentals?|infusions?)\b",
            norm,
            re.IGNORECASE,
        )
        or re.search(
            rf"\bunits?\b(?:\s+[A-Za-z]+){{0,3}}\s*[:=(]?\s*\(?{units}\b(?!\s*[/.]\d)", norm, re.IGNORECASE
        )
    )


def states_days(norm: str, days: int) -> bool:
    return bool(re.search(rf"\b{days}(?:\s+|-)(?:[A-Za-z]+\s+)?days?\b", norm, re.IGNORECASE))


_PHYSICIAN = ("MD", "DO")


def _provider_ok(raw: str, last: str, credentials: str) -> bool:
    """``Knox, PA-C`` or ``Terri Knox PA-C``; for a physician (MD, DO) the title ``Dr.`` before the
    name states the credential too (it says the orderer is a physician)."""
    flat = raw.replace(".", "")
    pattern = re.escape(last) + r"\s*,?\s*" + re.escape(credentials.replace(".", "")) + r"\b"
    if re.search(pattern, flat, re.IGNORECASE) is not None:
        return True
    doctor = r"\b(?:[Dd]r|[Dd]octor)\s+(?:[A-Z][A-Za-z'-]*\s+){0,2}" + re.escape(last) + r"\b"
    return credentials.replace(".", "").upper() in _PHYSICIAN and re.search(doctor, flat) is not None


@lru_cache(maxsize=4096)
def canonical_text(raw: str) -> str:
    """clinical.normalize, once per text."""
    return normalize(raw)


def admin_items(
    data: CaseData, text: Text, sub: Submission, what: str, points: float, *, appeal: bool
) -> list[GradeItem]:
    case, ak = data.case, data.case.answer_key
    p, prov = case.patient, case.ordering_provider
    raw, norm = text.raw, canonical_text(text.raw)
    name_ok = (has_words(text.norm, p.last_name) and has_words(text.norm, p.first_name)) or (
        case.coverage.member_id.lower() in raw.lower()
    )
    codes = list(dict.fromkeys(line.code.strip().upper() for line in sub.procedures))
    missing_codes = [c for c in codes if c.lower() not in raw.lower()]
    right_units = {ln.code.code: ln.units for ln in ak.correct_procedures}
    first = sub.procedures[0] if sub.procedures else None
    want_units = right_units.get(first.code.strip().upper(), first.units) if first else None
    form_units_ok = first is not None and first.units == want_units
    ref = ak.reference_submission
    want_days = (
        ref.requested_duration_days if ref and ref.requested_duration_days else sub.requested_duration_days
    )
    checks: list[tuple[str, str, bool, str]] = [
        (
            "patient",
            "the patient's name or member id",
            name_ok,
            f"{p.name}, member {case.coverage.member_id}",
        ),
        (
            "dob",
            "the date of birth",
            states_date(raw, p.dob) or sub.patient_dob == p.dob,
            p.dob.isoformat(),
        ),
        (
            "codes",
            "the requested procedure code(s) " + ", ".join(missing_codes)
            if missing_codes
            else "the requested codes",
            not missing_codes,
            ", ".join(codes),
        ),
        (
            "date_of_service",
            "the date of service",
            states_date(raw, sub.date_of_service) or sub.date_of_service == case.order.date_of_service,
            case.order.date_of_service.isoformat(),
        ),
        (
            "ordering_provider",
            "the ordering provider with credentials",
            _provider_ok(raw, prov.last_name, prov.credentials),
            prov.display_name,
        ),
    ]
    if not appeal and first is not None and want_units is not None:
        checks.append(
            (
                "units",
                "the units requested",
                states_units(norm, first.units) or form_units_ok,
                f"{want_units} unit(s) of {first.code}",
            )
        )
    if not appeal and want_days:
        # the period as requested is what the reviewer matches (a wrong period is the request's error,
        # graded by coding and outcome, not a missing element)
        asked = sub.requested_duration_days
        ok = (
            states_days(norm, want_days)
            or asked == want_days
            or (asked is not None and states_days(norm, asked))
        )
        checks.append(("requested_duration", "the requested duration", ok, f"{want_days} days"))
    items = []
    for key, label, ok, correct in checks:
        if ok:
            items.append(_item(f"admin:{key}", points, f"The {what} states {label}.", tag=False))
        else:
            items.append(
                _item(
                    f"admin:{key}",
                    points,
                    f"The {what} does not state {label}. A reviewer matches the request to the member and the "
                    "order by these elements before reading further.",
                    correct=correct,
                    citation=data.manual_section("submit"),
                    tag=True,
                )
            )
    return items
