"""Coding grader: diagnoses (exact, right category with the wrong specificity, invalid, non-billable,
unsupported extra, missing), sequencing, and CPT/HCPCS lines (exact code, units and modifiers; a wrong
unit count or modifier voids the line; an add-on needs its primary). Compared with the answer key.

Only a request carries codes, so coding applies when the case calls for one (submit, submit expedited);
the first submission is graded: it is what the payer received first, and first-pass accuracy is the
job's measure.
"""

from __future__ import annotations

import re
from functools import lru_cache, partial

from clinical import normalize as clinical_normalize
from grading.context import Attempt
from grading.models import GradeItem, grade_item
from grading.text import has_words, normalize
from knowledge_base import icd10cm
from scenarios.models import Submission
from simulator.codes import icd_problem

_item = partial(grade_item, "coding")


def _norm(code: str) -> str:
    return code.strip().upper()


def _norm_dx(code: str) -> str:
    """A diagnosis in its dotted form: payers accept ``M50123`` as ``M50.123``, so the grader must too."""
    code = _norm(code)
    if "." not in code and len(code) > 3 and icd10cm.is_valid_item(code):
        return icd10cm.add_dot(code)
    return code


def _category(code: str) -> str:
    return _norm(code).replace(".", "")[:3]


def _problem_tag(code: str) -> tuple[str, str] | None:
    """('invalid_code' | 'non_billable_code', explanation) or None for a valid billable code."""
    problem = icd_problem(_norm(code))
    if problem is None:
        return None
    return ("invalid_code" if "not an ICD-10-CM code" in problem else "non_billable_code"), problem


def grade_coding(att: Attempt) -> list[GradeItem] | None:
    if att.case.answer_key.correct_action not in ("submit", "submit_expedited"):
        return None
    found = att.first(Submission)
    if found is None:
        return [_item("coding.no_request", 0, 1, "No request was sent, so no codes reached the payer.")]
    sub = found[1]
    return _diagnosis_items(att, sub) + _procedure_items(att, sub)


def off_path_coding(att: Attempt, sub: Submission) -> list[GradeItem]:
    """The coding items a request would fail, for a request sent where the case's right action was a
    provider query (the payer still received its codes): only the items with an error."""
    return [i for i in _diagnosis_items(att, sub) + _procedure_items(att, sub) if i.error_tags]


def _diagnosis_items(att: Attempt, sub: Submission) -> list[GradeItem]:
    ak, pts, data = att.case.answer_key, att.rubric.points, att.data
    cite = data.policy_section("diagnos")
    sent = [_norm_dx(c) for c in sub.diagnoses]
    used: set[int] = set()
    items: list[GradeItem] = []
    for expected in ak.correct_diagnoses:
        want = _norm_dx(expected.code)
        right = f"{expected.code} ({expected.display})"
        if want in sent:
            used.add(sent.index(want))
            items.append(
                _item(
                    f"diagnosis:{want}",
                    pts["diagnosis"],
                    pts["diagnosis"],
                    f"{want} is right.",
                    correct=right,
                    citation=cite,
                )
            )
            continue
        near = next(
            (
                i
                for i, c in enumerate(sent)
                if i not in used
                and c not in {_norm_dx(d.code) for d in ak.correct_diagnoses}
                and _category(c) == _category(want)
            ),
            None,
        )
        if near is None:
            items.append(
                _item(
                    f"diagnosis:{want}",
                    0,
                    pts["diagnosis"],
                    f"The request leaves out {right}, which the order and chart support; without it the "
                    "payer cannot match the service to a covered diagnosis.",
                    correct=right,
                    citation=cite,
                    tags=["missing_code"],
                )
            )
            continue
        used.add(near)
        got = sent[near]
        problem = _problem_tag(got)
        if problem is not None:
            tag, why = problem
            tags = [tag, "wrong_code_specificity"] if tag == "non_billable_code" else [tag]
            items.append(
                _item(
                    f"diagnosis:{want}",
                    0,
                    pts["diagnosis"],
                    f"{got} was sent where {right} belongs: {why}. The payer rejects the request at the "
                    "front end.",
                    correct=right,
                    citation=cite,
                    tags=tags,
                )
            )
            continue
        share = att.rubric.partial_credit
        items.append(
            _item(
                f"diagnosis:{want}",
                round(pts["diagnosis"] * share, 4),
                pts["diagnosis"],
                f"{got} is in the right category ({_category(want)}) but not the code the chart supports: "
                f"the documentation specifies {right}. Code to the highest specificity and laterality the "
                "chart documents.",
                correct=right,
                citation=cite,
                tags=["wrong_code_specificity"],
            )
        )
    items += _extra_diagnoses(att, sent, used, cite)
    items.append(_sequencing_item(att, sent, cite))
    return items


def _extra_diagnoses(att: Attempt, sent: list[str], used: set[int], cite: str) -> list[GradeItem]:
    items = []
    pts = att.rubric.points["extra_code"]
    for i, code in enumerate(sent):
        if i in used:
            continue
        problem = _problem_tag(code)
        if problem is not None:
            tag, why = problem
            items.append(
                _item(
                    f"extra_diagnosis:{code}",
                    0,
                    pts,
                    f"{code} cannot be billed: {why}.",
                    correct="Remove it or replace it with the billable code the chart supports.",
                    citation=cite,
                    tags=[tag],
                )
            )
        elif not _supported_by_chart(att, code):
            items.append(
                _item(
                    f"extra_diagnosis:{code}",
                    0,
                    pts,
                    f"{code} is not on the order and nothing in the chart supports it. Send only the "
                    "diagnoses the record documents; an unsupported code invites a coding denial.",
                    correct="Remove it.",
                    citation=cite,
                    tags=["unsupported_code"],
                )
            )
    return items


def _supported_by_chart(att: Attempt, code: str) -> bool:
    """A secondary code the chart itself names (a comorbidity written with its code, or the condition its
    title names: I10 where a note lists "hypertension") is supported."""
    if any(code in d.text.upper() for d in att.case.chart) or code in {
        _norm_dx(d.code) for d in att.case.order.diagnoses if icd_problem(_norm(d.code)) is None
    }:
        return True
    words = _condition_words(code)
    return bool(words) and any(all(has_words(t, w) for w in words) for t in _chart_texts(att))


# title words that qualify a condition without naming it ("Essential (primary) hypertension")
_QUALIFIERS = frozenset(
    {"essential", "primary", "unspecified", "other", "site", "specified", "and", "the", "of"}
)


@lru_cache(maxsize=4096)
def _condition_words(code: str) -> tuple[str, ...]:
    """The words of an ICD-10-CM title that name the condition: parentheticals, "with(out) ..." tails and
    qualifiers dropped. Empty when the code has no title."""
    try:
        title = icd10cm.get_description(code) or ""
    except (KeyError, ValueError):
        return ()
    title = re.sub(r"\([^)]*\)", " ", title.lower())
    title = re.split(r"\bwith(?:out)?\b", title)[0]
    return tuple(w for w in re.findall(r"[a-z]{3,}", title) if w not in _QUALIFIERS)


def _chart_texts(att: Attempt) -> list[str]:
    # the claim checker's normalization expands abbreviations ("CKD" -> chronic kidney disease)
    return [normalize(clinical_normalize(d.text)) for d in att.case.chart]


def _sequencing_item(att: Attempt, sent: list[str], cite: str) -> GradeItem:
    pts = att.rubric.points["sequencing"]
    primary = (
        _norm_dx(att.case.answer_key.correct_diagnoses[0].code)
        if att.case.answer_key.correct_diagnoses
        else None
    )
    first_ok = bool(sent) and (
        sent[0] == primary or (primary not in sent and _category(sent[0]) == _category(primary or ""))
    )
    if primary is None or first_ok:
        return _item("sequencing", pts, pts, "The primary diagnosis is listed first.", citation=cite)
    if any(c == primary or _category(c) == _category(primary) for c in sent):
        return _item(
            "sequencing",
            0,
            pts,
            f"The primary diagnosis {primary} is not listed first; the first diagnosis is the reason for "
            "the service and the one the payer checks against the policy.",
            correct=f"{primary} first",
            citation=cite,
            tags=["wrong_sequencing"],
        )
    return _item(
        "sequencing",
        0,
        pts,
        f"The primary diagnosis {primary} is not on the request.",
        correct=f"{primary} first",
        citation=cite,
    )


def _admission_item(att: Attempt, sub: Submission, ref: Submission) -> GradeItem:
    """An inpatient stay is requested as an admission review (278 UM01 AR) stating the admission date, the
    inpatient days, the facility type and the admission type; it earns the weight of a procedure line, all
    or nothing like one (docs/sources.md#x12-transactions-and-reason-codes)."""
    max_pts, cite = att.rubric.points["procedure_line"], att.data.policy_section("codes")
    right = (
        f"admission review (UM01 AR): {ref.admission_type} admission, {ref.requested_duration_days} inpatient "
        f"days, facility type {ref.place_of_service}"
    )
    problem = ""
    if not sub.admission:
        sent = ", ".join(_norm(ln.code) for ln in sub.procedures) or "no code"
        problem = (
            f"The admission was requested as a service review (UM01 HS, {sent}); an inpatient stay is certified "
            "by an admission review stating the admission date, the inpatient days and the facility type, and a "
            "procedure code does not certify the stay."
        )
    elif sub.requested_duration_days != ref.requested_duration_days:
        problem = (
            f"The admission review asks for {sub.requested_duration_days or 'no'} inpatient days; the admission "
            f"order and the policy call for {ref.requested_duration_days}. Too many are cut, too few leave part "
            "of the stay uncertified."
        )
    elif sub.place_of_service != ref.place_of_service:
        problem = (
            f"The admission review names facility type {sub.place_of_service or 'none'}; an inpatient admission "
            f"is at an inpatient hospital (place of service {ref.place_of_service})."
        )
    elif sub.admission_type != ref.admission_type:
        problem = f"The admission review says {sub.admission_type} admission; the order is an {ref.admission_type} admission."
    if problem:
        return _item(
            "procedure:admission_review",
            0,
            max_pts,
            problem,
            correct=right,
            citation=cite,
            tags=["wrong_admission_review"],
        )
    return _item(
        "procedure:admission_review", max_pts, max_pts, f"The {right} is right.", correct=right, citation=cite
    )


def _procedure_items(att: Attempt, sub: Submission) -> list[GradeItem]:
    ak, pts, data = att.case.answer_key, att.rubric.points, att.data
    cite = data.policy_section("codes")
    ref = ak.reference_submission
    head: list[GradeItem] = []
    if ref is not None and ref.admission:
        head.append(_admission_item(att, sub, ref))
    elif sub.admission:
        head.append(
            _item(
                "extra_procedure:admission_review",
                0,
                pts["extra_code"],
                "The request was sent as an admission review (UM01 AR); this service is requested as a service "
                "review (UM01 HS) of its procedure codes.",
                correct="service review (UM01 HS)",
                citation=cite,
                tags=["wrong_admission_review"],
            )
        )
    return head + _line_items(att, sub, cite)


def _line_items(att: Attempt, sub: Submission, cite: str) -> list[GradeItem]:
    ak, pts, data = att.case.answer_key, att.rubric.points, att.data
    sent_codes = [_norm(line.code) for line in sub.procedures]
    addons = (
        {c.code: c.requires_primary for c in data.policy.codes if c.requires_primary} if data.policy else {}
    )
    items: list[GradeItem] = []
    expected_codes = {_norm(line.code.code) for line in ak.correct_procedures}
    for line in ak.correct_procedures:
        code = _norm(line.code.code)
        mods = sorted(line.modifiers)
        right = f"{code} x {line.units}" + (f" with modifier(s) {', '.join(mods)}" if mods else "")
        got = next((ln for ln in sub.procedures if _norm(ln.code) == code), None)
        iid, max_pts = f"procedure:{code}", pts["procedure_line"]
        if got is None:
            others = [c for c in sent_codes if c not in expected_codes]
            instead = f" ({', '.join(others)} was sent instead)" if others else ""
            items.append(
                _item(
                    iid,
                    0,
                    max_pts,
                    f"The request does not carry {code} ({line.code.display}){instead}; "
                    "authorization is granted for the code requested, so a wrong code leaves the service "
                    "unauthorized.",
                    correct=right,
                    citation=cite,
                    tags=["wrong_procedure_code"],
                )
            )
            continue
        primary = addons.get(code)
        if primary and primary not in sent_codes:
            items.append(
                _item(
                    iid,
                    0,
                    max_pts,
                    f"{code} is an add-on code and is billable only with its primary code "
                    f"{primary}, which the request leaves out.",
                    correct=right,
                    citation=cite,
                    tags=["addon_without_primary"],
                )
            )
            continue
        if got.units != line.units:
            items.append(
                _item(
                    iid,
                    0,
                    max_pts,
                    _units_feedback(att, code, got.units, line.units),
                    correct=right,
                    citation=data.policy_section("units"),
                    tags=["wrong_units"],
                )
            )
            continue
        if sorted(got.modifiers) != mods:
            items.append(
                _item(
                    iid,
                    0,
                    max_pts,
                    f"{code} was sent with modifier(s) {', '.join(got.modifiers) or 'none'}; "
                    f"the order needs {', '.join(mods) or 'none'} (e.g. RR for a rental, RT/LT/50 for side).",
                    correct=right,
                    citation=cite,
                    tags=["wrong_modifier"],
                )
            )
            continue
        items.append(_item(iid, max_pts, max_pts, f"{right} is right.", correct=right, citation=cite))
    for code in dict.fromkeys(sent_codes):
        if code in expected_codes:
            continue
        primary = addons.get(code) or _any_addon_primary(att, code)
        if primary and primary not in sent_codes:
            tag, why = (
                "addon_without_primary",
                f"{code} is an add-on code, billable only with its primary {primary}",
            )
        else:
            tag, why = "wrong_procedure_code", f"{code} was not ordered"
        items.append(
            _item(
                f"extra_procedure:{code}",
                0,
                pts["extra_code"],
                f"{why}; request only the ordered service.",
                correct=", ".join(sorted(expected_codes)),
                citation=cite,
                tags=[tag],
            )
        )
    return items


def _any_addon_primary(att: Attempt, code: str) -> str | None:
    for policy in att.data.library.policies.values():
        pc = policy.code(code)
        if pc is not None and pc.requires_primary:
            return pc.requires_primary
    return None


def _units_feedback(att: Attempt, code: str, sent: int, right: int) -> str:
    """Why a unit count is wrong. When the request went above the policy's per-request limit and the key
    asks for no more than it (an archetype with ``request: within_limits``, e.g. 6 months of CPAP rental
    ordered where the payer authorizes the 12-week trial), say so with the limit: the order was not wrong,
    the request should have been shaped to what the payer authorizes."""
    policy = att.data.policy
    pc = policy.code(code) if policy else None
    limits = [
        n for n in (pc.max_units if pc else None, policy.max_units if policy else None) if n is not None
    ]
    limit = min(limits) if limits else None
    if policy is not None and limit is not None and sent > limit >= right:
        ordered = next((ln.units for ln in att.case.order.procedures if _norm(ln.code.code) == code), None)
        as_ordered = ", as ordered" if ordered == sent else ""
        return (
            f"{code} was requested for {sent} units{as_ordered}; {policy.id} authorizes at most {limit} per "
            f"request, so the payer cuts the rest (partial approval, reason 198). Request {right} now, within "
            "the limit, and ask for the next period in a new request before this one ends."
        )
    return (
        f"{code} was requested for {sent} unit(s); the service needs {right}. A wrong unit count voids the "
        "line: too many are cut or refused, too few leave part of the service unauthorized."
    )
