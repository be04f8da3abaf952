"""Code sets the payer checks requests against: ICD-10-CM, CPT/HCPCS, NPIs, member-id patterns.

Look-ups are cached: one adjudication touches each of these a handful of times and the simulator must
sustain thousands of adjudications a second.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from functools import lru_cache

from knowledge_base import icd10cm as icd
from knowledge_base.loader import Library
from knowledge_base.models import Policy, PolicyCode
from knowledge_base.procedure_codes import code_system


@dataclass(frozen=True, slots=True)
class PolicyIndex:
    """Policies of one library pre-indexed by (payer, code), and every code any policy names."""

    by_code: dict[tuple[str, str], tuple[Policy, PolicyCode]]
    policy_codes: frozenset[str]
    addon_primary: dict[str, str]  # add-on code -> its required primary code (from any policy)
    # payer -> the policy that governs its admission reviews (278 UM01 AR)
    admission: dict[str, Policy]

    def lookup(self, payer: str, code: str) -> tuple[Policy, PolicyCode] | None:
        return self.by_code.get((payer, code))

    def is_known(self, code: str) -> bool:
        """A code a policy names, or any well-formed CPT/HCPCS Level II code (knowledge_base.procedure_codes)."""
        return code in self.policy_codes or code_system(code) is not None


_INDEXES: weakref.WeakKeyDictionary[Library, PolicyIndex] = weakref.WeakKeyDictionary()


def policy_index(library: Library) -> PolicyIndex:
    """The (cached) index of ``library``; built once per library object."""
    found = _INDEXES.get(library)
    if found is None:
        by_code: dict[tuple[str, str], tuple[Policy, PolicyCode]] = {}
        addon: dict[str, str] = {}
        admission: dict[str, Policy] = {}
        for policy in sorted(library.policies.values(), key=lambda p: p.id):
            if policy.admission_review is not None:
                admission.setdefault(policy.payer, policy)
            for pc in policy.codes:
                by_code.setdefault((policy.payer, pc.code), (policy, pc))
                if pc.requires_primary:
                    addon.setdefault(pc.code, pc.requires_primary)
        found = PolicyIndex(by_code, frozenset(c for _, c in by_code), addon, admission)
        _INDEXES[library] = found
    return found


@lru_cache(maxsize=8192)
def icd_problem(code: str) -> str | None:
    """Why ``code`` is not a billable ICD-10-CM code, or None when it is (valid and a leaf).

    The tabular list's own words: the category is the 3-character code (M54); a longer code with
    children is a subcategory (M54.5). The suggested fix is always a billable code (a leaf), never an
    intermediate level such as S32.00 (docs/sources.md#codes-units-and-modifiers).

    >>> icd_problem("M54.5")
    'M54.5 is a subcategory, not a billable code: add the characters that make it specific (e.g. M54.50)'
    """
    if not icd.is_valid_item(code) or icd.is_chapter_or_block(code):
        return f"{code} is not an ICD-10-CM code"
    if not icd.is_leaf(code):
        level = "category" if len(code.replace(".", "")) == 3 else "subcategory"
        leaf = next((c for c in icd.get_descendants(code) if icd.is_leaf(c)), None)
        example = f" (e.g. {icd.add_dot(leaf)})" if leaf else ""
        return f"{code} is a {level}, not a billable code: add the characters that make it specific{example}"
    return None


@lru_cache(maxsize=4096)
def npi_valid(npi: str) -> bool:
    """Ten digits whose last is the Luhn check digit of the first nine with the 80840 prefix.

    >>> npi_valid("1234567893"), npi_valid("1234567890")
    (True, False)
    """
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = 24  # the 80840 prefix's contribution to the Luhn sum
    for i, ch in enumerate(reversed(npi[:9])):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


@lru_cache(maxsize=64)
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def member_id_ok(pattern: str, member_id: str) -> bool:
    return _pattern(pattern).fullmatch(member_id) is not None
