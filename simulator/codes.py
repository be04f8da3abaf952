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

# CPT/HCPCS codes that exist but that no payer policy governs (so no authorization is needed). A payer
# knows the whole code set; this short list stands in for it: common office, imaging, lab, therapy,
# injection and supply codes that orders in the training cases use alongside (or instead of) the
# codes that need authorization. A code in neither this list nor any policy is rejected as unknown.
KNOWN_CODES: dict[str, str] = {
    # evaluation and management
    "99202": "Office visit, new patient, 15-29 min",
    "99203": "Office visit, new patient, 30-44 min",
    "99204": "Office visit, new patient, 45-59 min",
    "99205": "Office visit, new patient, 60-74 min",
    "99212": "Office visit, established, 10-19 min",
    "99213": "Office visit, established, 20-29 min",
    "99214": "Office visit, established, 30-39 min",
    "99215": "Office visit, established, 40-54 min",
    "99242": "Office consultation",
    "99243": "Office consultation",
    "99244": "Office consultation",
    # plain imaging and non-advanced studies
    "71045": "X-ray chest, 1 view",
    "71046": "X-ray chest, 2 views",
    "72040": "X-ray cervical spine, 2-3 views",
    "72050": "X-ray cervical spine, 4-5 views",
    "72100": "X-ray lumbosacral spine, 2-3 views",
    "72110": "X-ray lumbosacral spine, 4+ views",
    "73560": "X-ray knee, 1-2 views",
    "73562": "X-ray knee, 3 views",
    "73564": "X-ray knee, 4+ views",
    "73565": "X-ray both knees, standing",
    "76536": "Ultrasound soft tissue of head and neck",
    "93000": "Electrocardiogram, complete",
    "92081": "Visual field examination, limited",
    "92082": "Visual field examination, intermediate",
    "92083": "Visual field examination, extended",
    "92285": "External ocular photography",
    "95810": "Polysomnography, attended, 4+ parameters",
    "95811": "Polysomnography with CPAP titration",
    "95806": "Home sleep test, unattended",
    "G0399": "Home sleep test, type III",
    "95907": "Nerve conduction studies, 1-2 studies",
    "95886": "Needle EMG, complete, with NCS",
    # laboratory
    "80053": "Comprehensive metabolic panel",
    "85025": "Complete blood count with differential",
    "86580": "Tuberculosis skin test",
    "86480": "Tuberculosis interferon-gamma release assay",
    "86431": "Rheumatoid factor",
    "86200": "Cyclic citrullinated peptide antibody",
    "85652": "Sedimentation rate",
    "86140": "C-reactive protein",
    "87340": "Hepatitis B surface antigen",
    "80305": "Drug screen, presumptive",
    "88305": "Surgical pathology, level IV",
    # therapy, injections, infusion administration
    "97110": "Therapeutic exercise, each 15 min",
    "97140": "Manual therapy, each 15 min",
    "97161": "Physical therapy evaluation, low complexity",
    "97162": "Physical therapy evaluation, moderate",
    "97163": "Physical therapy evaluation, high complexity",
    "97530": "Therapeutic activities, each 15 min",
    "97542": "Wheelchair management training",
    "97750": "Physical performance test",
    "20610": "Arthrocentesis or injection, major joint",
    "62321": "Cervical epidural injection",
    "62323": "Lumbar epidural injection",
    "64483": "Transforaminal epidural injection, lumbar",
    "96365": "IV infusion, initial hour",
    "96413": "Chemotherapy IV infusion, initial hour",
    "96372": "Injection, subcutaneous or intramuscular",
    "J1100": "Injection, dexamethasone, 1 mg",
    "J3301": "Injection, triamcinolone acetonide, 10 mg",
    "J8610": "Methotrexate, oral, 2.5 mg",
    # behavioural health outpatient
    "90791": "Psychiatric diagnostic evaluation",
    "90834": "Psychotherapy, 45 min",
    "90837": "Psychotherapy, 60 min",
    "H0001": "Alcohol and/or drug assessment",
    "H0004": "Behavioral health counseling, per 15 min",
    "H0005": "Alcohol and/or drug group counseling",
    # durable medical equipment and supplies that need no authorization
    "E0100": "Cane",
    "E0105": "Cane, quad",
    "E0130": "Walker, rigid",
    "E0143": "Walker, folding, wheeled",
    "K0001": "Standard manual wheelchair",
    "K0003": "Lightweight manual wheelchair",
    "E0562": "Humidifier, heated, used with positive airway pressure device",
    "A7030": "Full face mask used with positive airway pressure device",
    "A7034": "Nasal interface used with positive airway pressure device",
    "A7035": "Headgear used with positive airway pressure device",
    "A7037": "Tubing used with positive airway pressure device",
    "E0570": "Nebulizer, with compressor",
    # minor procedures
    "67900": "Repair of brow ptosis",
    "29881": "Knee arthroscopy with meniscectomy",
}


@dataclass(frozen=True, slots=True)
class PolicyIndex:
    """Policies of one library pre-indexed by (payer, code), and every code any policy names."""

    by_code: dict[tuple[str, str], tuple[Policy, PolicyCode]]
    policy_codes: frozenset[str]
    addon_primary: dict[str, str]  # add-on code -> its required primary code (from any policy)

    def lookup(self, payer: str, code: str) -> tuple[Policy, PolicyCode] | None:
        return self.by_code.get((payer, code))

    def is_known(self, code: str) -> bool:
        return code in self.policy_codes or code in KNOWN_CODES


_INDEXES: weakref.WeakKeyDictionary[Library, PolicyIndex] = weakref.WeakKeyDictionary()


def policy_index(library: Library) -> PolicyIndex:
    """The (cached) index of ``library``; built once per library object."""
    found = _INDEXES.get(library)
    if found is None:
        by_code: dict[tuple[str, str], tuple[Policy, PolicyCode]] = {}
        addon: dict[str, str] = {}
        for policy in sorted(library.policies.values(), key=lambda p: p.id):
            for pc in policy.codes:
                by_code.setdefault((policy.payer, pc.code), (policy, pc))
                if pc.requires_primary:
                    addon.setdefault(pc.code, pc.requires_primary)
        found = PolicyIndex(by_code, frozenset(c for _, c in by_code), addon)
        _INDEXES[library] = found
    return found


@lru_cache(maxsize=8192)
def icd_problem(code: str) -> str | None:
    """Why ``code`` is not a billable ICD-10-CM code, or None when it is (valid and a leaf).

    >>> icd_problem("M54.5")
    'M54.5 is a category, not a billable code: add the digits that make it specific (e.g. M54.50)'
    """
    if not icd.is_valid_item(code) or icd.is_chapter_or_block(code):
        return f"{code} is not an ICD-10-CM code"
    if not icd.is_leaf(code):
        first = next(iter(icd.get_children(code)), None)
        example = f" (e.g. {icd.add_dot(first)})" if first else ""
        return f"{code} is a category, not a billable code: add the digits that make it specific{example}"
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
