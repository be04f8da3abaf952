"""Codes for the request: the order's codes, made specific and billable where the chart allows.

Orders often carry a category (``M54.5``), an "unspecified" code, a diagnosis the payer's policy does
not list, units no payer would grant, or an add-on code without its primary. A coordinator fixes these
before submitting, from the chart and the policy, and says so; this module does the same, and every
change comes back as a :class:`~assistant.models.CodeFix` with its reason.

Choosing the specific diagnosis (:func:`specific_diagnosis`): candidates are scored by how many words
of their ICD-10-CM title the chart's diagnosis statements ("Assessment: …", "Impression: …", "A/P: …")
use, minus one for each title word they do not use ("unspecified" included: specificity is the point);
a code of the order's own category gets half a point. A candidate with a negative score (more title
words missing than found) is never proposed: then the provider is asked instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.models import CodeFix
from knowledge_base import icd10cm as icd
from knowledge_base.models import Policy
from scenarios.models import Case, RequestedLine
from simulator.codes import icd_problem

_STATEMENT = re.compile(
    r"(?im)\b(?:final diagnosis|assessment and plan|assessment|impression|diagnosis|a/p|cancer)\s*:\s*([^\n]+)"
)
_CLAUSE_END = re.compile(r"\.(?:\s|$)|[;(—]| - ")
_WORD = re.compile(r"[a-z]+")
_STOP = frozenset(
    {
        "of",
        "the",
        "and",
        "or",
        "with",
        "without",
        "in",
        "on",
        "to",
        "not",
        "elsewhere",
        "classified",
        "a",
        "an",
        "uncomplicated",  # the default when nothing more is documented: neither evidence for nor against
        "due",
        "by",
        "as",
        "at",
        "for",
    }
)
CATEGORY_BONUS = 0.5  # the order's own category: breaks ties toward the order's intent
DAYS_PER_MONTH = 30.4375  # a rental unit is one month: 90 days -> 3, 395 days -> 13


@dataclass
class CodedRequest:
    diagnoses: list[str]
    procedures: list[RequestedLine]
    fixes: list[CodeFix] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what blocks a clean request (ask the provider)
    warnings: list[str] = field(default_factory=list)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP}


def description(code: str) -> str:
    return icd.get_description(code) if icd.is_valid_item(code) else ""


def diagnosis_statements(case: Case) -> str:
    """The chart's diagnosis phrases: the first clause after 'Assessment:', 'Impression:', 'Diagnosis:'.

    Only documents that state facts are read (an immunization record or a lipid panel has no bearing).
    When no document has such a label, the whole text of those documents is used.
    """
    docs = [d for d in case.chart if d.facts]
    found = []
    for doc in docs:
        for match in _STATEMENT.finditer(doc.text):
            found.append(_CLAUSE_END.split(match.group(1), maxsplit=1)[0])
    return "\n".join(found) if found else "\n".join(d.text for d in docs)


def supported(policy: Policy | None, code: str) -> bool:
    if policy is None:
        return True
    norm = code.replace(".", "").upper()
    return any(norm.startswith(p.replace(".", "").upper()) for p in policy.diagnoses)


@lru_cache(maxsize=256)
def _leaves(prefix: str) -> tuple[str, ...]:
    if not icd.is_valid_item(prefix):
        return ()
    if icd.is_leaf(prefix):
        return (icd.add_dot(prefix),)
    return tuple(icd.add_dot(c) for c in icd.get_descendants(prefix) if icd.is_leaf(c))


@lru_cache(maxsize=256)
def policy_leaves(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """Every billable code the policy's diagnosis list accepts (codes and prefixes expanded)."""
    out: dict[str, None] = {}
    for prefix in prefixes:
        for code in _leaves(prefix):
            out.setdefault(code, None)
    return tuple(out)


def _score(code: str, text_words: set[str], original: str) -> tuple[float, int]:
    title = words(description(code))
    matched = len(title & text_words)
    score = matched - len(title - text_words) + (CATEGORY_BONUS if code[:3] == original[:3] else 0.0)
    return score, matched


def _best(codes: list[str], text_words: set[str], original: str) -> str | None:
    best: tuple[float, str] | None = None
    for code in sorted(codes):
        score, matched = _score(code, text_words, original)
        # at least one title word in the chart, and no more unmatched title words than matched ones: a
        # single shared word ("disease") is not evidence for a code
        if matched and score >= 0 and (best is None or score > best[0]):
            best = (score, code)
    return best[1] if best else None


def _leaf_children(code: str, policy: Policy | None) -> list[str]:
    if not icd.is_valid_item(code) or icd.is_leaf(code):
        return []
    kids = [icd.add_dot(c) for c in icd.get_children(code) if icd.is_leaf(c)]
    return [c for c in kids if supported(policy, c)]


def specific_diagnosis(original: str, policy: Policy | None, text: str) -> str | None:
    """The specific, billable, policy-supported code the chart documents for ``original``, or None.

    - A billable, accepted code whose title says "unspecified" is replaced only by a sibling whose
      title is the same plus words the chart uses (``M17.10`` unspecified knee -> ``M17.11`` right knee).
    - A category (not billable) is resolved among its billable children first (``F10.2`` -> ``F10.20``).
    - Otherwise (no child fits, or a code the policy does not accept) the policy's own billable codes of
      the same category compete (``M54.5`` low back pain with "A/P: radiculopathy, lumbar" -> ``M54.16``);
      a code of another category would be a different diagnosis, which only the provider can make.
    """
    text_words = words(text)
    if icd_problem(original) is None and supported(policy, original):
        base = words(description(original)) - {"unspecified"}
        parent = icd.get_parent(original)
        siblings = _leaf_children(parent, policy) if parent else []
        fits = [
            c
            for c in siblings
            if c != original and base <= words(description(c)) and words(description(c)) - base <= text_words
        ]
        return _best(fits, text_words, original)
    child = _best(_leaf_children(original, policy), text_words, original)
    if child is not None:
        return child
    # the policy's own codes, but only of the order's category: more specific, never a different disease
    pool = policy_leaves(tuple(policy.diagnoses)) if policy is not None else ()
    return _best(
        [c for c in pool if c != original and c[:3] == original[:3] and icd_problem(c) is None],
        text_words,
        original,
    )


def _other_side(code: str, pool: list[str]) -> str | None:
    title = description(code).lower()
    swap = title.replace("right", "\0").replace("left", "right").replace("\0", "left")
    return next((c for c in pool if c != code and description(c).lower() == swap), None)


def fix_diagnoses(case: Case, policy: Policy | None, out: CodedRequest) -> None:
    text = diagnosis_statements(case)
    bilateral = bool(re.search(r"\b(both|bilateral|right and left|left and right)\b", text, re.I))
    for dx in case.order.diagnoses:
        code = dx.code.strip().upper()
        problem = icd_problem(code)
        unspecified = "unspecified" in description(code).lower()
        if problem is None and supported(policy, code) and not unspecified:
            out.diagnoses.append(code)
            continue
        better = specific_diagnosis(code, policy, text)
        if better is None:
            if problem is None and supported(policy, code):
                out.diagnoses.append(code)
                continue
            why = (
                problem
                or f"{code} is not among the diagnoses {policy.id if policy else 'the policy'} accepts"
            )
            out.problems.append(
                f"Diagnosis {code}: {why}; the chart does not say which specific code applies. "
                "Ask the ordering provider for the specific diagnosis."
            )
            out.diagnoses.append(code)
            continue
        picked = [better]
        if bilateral and ("right" in description(better).lower() or "left" in description(better).lower()):
            pool = list(policy_leaves(tuple(policy.diagnoses))) if policy else []
            side = _other_side(better, pool)
            if side:
                picked.append(side)
        reason = problem or (
            f"{code} ({description(code)}) is not specific enough"
            if unspecified
            else f"{code} is not a diagnosis {policy.id if policy else ''} accepts".strip()
        )
        for new in picked:
            if new in out.diagnoses:
                continue
            out.diagnoses.append(new)
            out.fixes.append(
                CodeFix(
                    field="diagnosis",
                    original=code,
                    proposed=new,
                    reason=(
                        f"{reason}; the chart documents {description(new).lower()}, so the request uses {new} "
                        f"({description(new)})."
                    ),
                )
            )
    if not out.diagnoses:
        out.problems.append("The order carries no diagnosis; ask the ordering provider for one.")


def fix_procedures(case: Case, policy: Policy | None, out: CodedRequest) -> None:
    order = case.order
    codes = {ln.code.code for ln in order.procedures}
    for line in order.procedures:
        code, units, mods = line.code.code, line.units, list(line.modifiers)
        pc = policy.code(code) if policy else None
        if pc is not None and pc.requires_primary and pc.requires_primary not in codes:
            primary = pc.requires_primary
            out.procedures.append(RequestedLine(code=primary, units=1))
            codes.add(primary)
            out.fixes.append(
                CodeFix(
                    field="procedure",
                    original=code,
                    proposed=primary,
                    reason=(
                        f"{code} is an add-on code, billable only with its primary code {primary}; the request adds "
                        f"{primary} x 1 ahead of {code} x {units}."
                    ),
                )
            )
        if pc is not None and pc.max_units == 1 and units > 1:
            out.fixes.append(
                CodeFix(
                    field="units",
                    original=f"{code} x {units}",
                    proposed=f"{code} x 1",
                    reason=(
                        f"{policy.id if policy else 'The policy'} authorizes 1 unit of {code} per request (one "
                        f"study or procedure); the order's {units} units would be cut."
                    ),
                )
            )
            units = 1
        elif "RR" in mods and order.requested_duration_days:
            months = max(1, round(order.requested_duration_days / DAYS_PER_MONTH))
            if units > months:
                out.fixes.append(
                    CodeFix(
                        field="units",
                        original=f"{code} x {units}",
                        proposed=f"{code} x {months}",
                        reason=(
                            f"{code}-RR is a monthly rental: the requested period of "
                            f"{order.requested_duration_days} days is {months} monthly units."
                        ),
                    )
                )
                units = months
        spans_periods = bool(
            policy
            and policy.max_duration_days
            and order.requested_duration_days
            and order.requested_duration_days > policy.max_duration_days
        )
        if pc is not None and pc.max_units is not None and units > pc.max_units and spans_periods:
            # the order covers more than one approval period (6 months of rental, 60 days of a program the
            # payer authorizes 30 at a time): an expert asks for what the payer authorizes per request and
            # requests the next period later, rather than take a partial approval
            out.fixes.append(
                CodeFix(
                    field="units",
                    original=f"{code} x {units}",
                    proposed=f"{code} x {pc.max_units}",
                    reason=(
                        f"{policy.id if policy else 'The policy'} authorizes at most {pc.max_units} "
                        f"units of {code} per request; the order's {units} would be partially "
                        "approved (198), so the request asks for the first period and the next "
                        "is requested before it ends."
                    ),
                )
            )
            units = pc.max_units
        elif pc is not None and pc.max_units is not None and units > pc.max_units:
            # a one-time procedure (e.g. a four-level fusion) cannot be requested as less than it is
            out.warnings.append(
                f"{code} x {units}: {policy.id if policy else 'the policy'} allows {pc.max_units} "
                "units per request; expect a partial approval for the rest."
            )
        out.procedures.append(RequestedLine(code=code, units=units, modifiers=mods))


def code_request(case: Case, policy: Policy | None) -> CodedRequest:
    """The request's diagnoses and lines, with every change and every unresolved coding problem."""
    out = CodedRequest(diagnoses=[], procedures=[])
    fix_diagnoses(case, policy, out)
    fix_procedures(case, policy, out)
    return out
