"""CPT and HCPCS Level II procedure codes: the shape of a real code, and the codes the content uses.

One home for the procedure-code facts (scenarios and the simulator both import from here).

Why not the whole code set (docs/sources.md#codes-units-and-modifiers):
- CPT (HCPCS Level I) descriptors are the AMA's licensed work, so the product ships only the codes its
  content uses, each with a short description in our own words, plus a format/range check of the three
  CPT categories (Category I: five digits in the AMA's section ranges; Category II: four digits + F;
  Category III: four digits + T; PLA codes: four digits + U).
- HCPCS Level II is published by CMS (public domain), but no package in the kept package lists ships it
  (searched for this wave), so the same approach is used: the Level II shape (one section letter and four
  digits, in a section CMS uses) plus the codes the content uses.
A well-formed code that no payer policy governs is a real code the payer pays without authorization:
the payer answers "authorization not required", never "not a code we recognise". The cost of the shape
check is that a well-formed code that does not exist (a typo such as 72418) is treated the same way; the
training content says so where it teaches code look-ups.
"""

from __future__ import annotations

import re

# CPT Category I section ranges (AMA CPT code ranges: anesthesia, surgery, radiology, pathology and
# laboratory, medicine with evaluation and management).
CPT_CATEGORY_I_RANGES: tuple[tuple[int, int, str], ...] = (
    (100, 1999, "anesthesia"),
    (10004, 69990, "surgery"),
    (70010, 79999, "radiology"),
    (80047, 89398, "pathology and laboratory"),
    (90281, 99607, "medicine, evaluation and management"),
)

# HCPCS Level II sections CMS assigns (D codes are the ADA's CDT and are not in the CMS file; I, N, O, W,
# X, Y and Z are unused).
HCPCS_LEVEL_II_SECTIONS: dict[str, str] = {
    "A": "transportation, medical and surgical supplies",
    "B": "enteral and parenteral therapy",
    "C": "outpatient prospective payment system (temporary)",
    "E": "durable medical equipment",
    "G": "procedures and professional services (temporary)",
    "H": "behavioral health and substance abuse services",
    "J": "drugs administered other than oral method; chemotherapy",
    "K": "durable medical equipment (DME MAC temporary)",
    "L": "orthotics and prosthetics",
    "M": "medical services and quality measures",
    "P": "pathology and laboratory",
    "Q": "temporary codes (including biosimilar drugs)",
    "R": "diagnostic radiology",
    "S": "private payer temporary codes",
    "T": "state Medicaid agency codes",
    "U": "coronavirus laboratory tests",
    "V": "vision, hearing and speech-language services",
}

_CPT_I = re.compile(r"^\d{5}$")
_CPT_II_III_PLA = re.compile(r"^\d{4}[FTU]$")
_HCPCS_II = re.compile(r"^[A-Z]\d{4}$")

# Codes the training content uses that no payer policy governs, with a short description in our own
# words (CPT descriptors are licensed). Content validation requires every code an order carries to be a
# policy code or listed here, so every code a trainee sees has a description.
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
    # plain imaging and other studies that need no authorization at these payers
    "71045": "X-ray chest, 1 view",
    "71046": "X-ray chest, 2 views",
    "72040": "X-ray cervical spine, 2-3 views",
    "72050": "X-ray cervical spine, 4-5 views",
    "72100": "X-ray lumbosacral spine, 2-3 views",
    "72110": "X-ray lumbosacral spine, 4+ views",
    "72141": "MRI cervical spine without contrast",
    "73560": "X-ray knee, 1-2 views",
    "73562": "X-ray knee, 3 views",
    "73564": "X-ray knee, 4+ views",
    "73565": "X-ray both knees, standing",
    "76536": "Ultrasound soft tissue of head and neck",
    "78816": "PET with concurrently acquired CT, whole body",
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
    # spine surgery add-ons billed with an anterior cervical fusion
    "22845": "Anterior spinal instrumentation, 2-3 vertebral segments (add-on)",
    "22853": "Insertion of interbody biomechanical device, per interspace (add-on)",
    "20930": "Allograft, morselized, for spine surgery (add-on)",
    "20931": "Allograft, structural, for spine surgery (add-on)",
    "20936": "Autograft, local, same incision, for spine surgery (add-on)",
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
    "J0135": "Injection, adalimumab, 20 mg",
    "Q5104": "Injection, infliximab-abda, biosimilar, 10 mg",
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


def code_system(code: str) -> str | None:
    """``CPT`` or ``HCPCS`` for a well-formed procedure code, None when it has neither shape.

    >>> code_system("72148"), code_system("0042T"), code_system("J0135"), code_system("D0120")
    ('CPT', 'CPT', 'HCPCS', None)
    """
    if _CPT_I.match(code):
        value = int(code)
        return "CPT" if any(lo <= value <= hi for lo, hi, _ in CPT_CATEGORY_I_RANGES) else None
    if _CPT_II_III_PLA.match(code):
        return "CPT"
    if _HCPCS_II.match(code):
        return "HCPCS" if code[0] in HCPCS_LEVEL_II_SECTIONS else None
    return None


def code_problem(code: str) -> str | None:
    """Why ``code`` is not a CPT or HCPCS Level II code (None when it has a real code's shape).

    >>> code_problem("J0135") is None, code_problem("7214")
    (True, '7214 is not a CPT code (five digits, or four digits and F, T or U) or a HCPCS Level II code (a letter and four digits)')
    """
    if code_system(code) is not None:
        return None
    if _CPT_I.match(code):
        return f"{code} is outside the CPT Category I code ranges"
    if _HCPCS_II.match(code):
        return f"{code} starts with {code[0]!r}, a letter no HCPCS Level II section uses"
    return (
        f"{code} is not a CPT code (five digits, or four digits and F, T or U) or a HCPCS Level II code "
        "(a letter and four digits)"
    )


def describe(code: str) -> str | None:
    """The content's short description of a code no policy governs (None when the content has none)."""
    return KNOWN_CODES.get(code)
