"""Word lists the narrative analysis reads: units, score labels, abbreviations and therapy names.

Data, not logic. A new fact name or wording in the content may need an entry here; the test that every
reference narrative scores full marks (tests/grading/test_properties.py) is what catches a gap.
"""

from __future__ import annotations

# Unit words after a number -> unit class. Longest phrases are tried first (see text.UNIT_RE).
UNITS: dict[str, str] = {
    "events per hour": "events", "events/hour": "events", "events/h": "events", "events an hour": "events",
    "hours per night": "hour", "hours a night": "hour", "hours a day": "hour", "hours per day": "hour",
    "hours a week": "hour", "hours per week": "hour", "hours/week": "hour", "hours/day": "hour",
    "mg per week": "mg", "mg/week": "mg", "mg weekly": "mg", "mg/kg": "mg/kg", "mg/dl": "mg/dl",
    "ml/min": "ml/min", "kg/m2": "kg/m2", "cm h2o": "cm h2o",
    "weeks": "week", "week": "week", "wks": "week", "wk": "week",
    "months": "month", "month": "month", "mos": "month",
    "days": "day", "day": "day", "nights": "night", "night": "night",
    "years": "year", "year": "year", "yrs": "year",
    "hours": "hour", "hour": "hour", "hrs": "hour", "hr": "hour", "h": "hour",
    "minutes": "minute", "minute": "minute", "min": "minute",
    "micrograms": "mcg", "mcg": "mcg", "mg": "mg", "milligrams": "mg", "ml": "ml",
    "percent": "percent", "%": "percent",
    "degrees": "degree", "degree": "degree", "°": "degree",
    "mm": "mm", "cm": "cm", "kg": "kg", "lb": "lb", "lbs": "lb", "ms": "ms",
    "visits": "visit", "visit": "visit", "sessions": "session", "session": "session",
    "infusions": "infusion", "infusion": "infusion", "doses": "dose", "dose": "dose",
    "units": "unit", "unit": "unit", "levels": "level", "scans": "scan", "scan": "scan",
    "channels": "channel", "channel": "channel", "criteria": "criteria", "steps": "step",
    "joints": "joint", "admissions": "admission", "admission": "admission", "feet": "feet", "ft": "feet",
    "blocks": "block", "block": "block", "episodes": "episode", "drinks": "drink", "times": "times",
}

# Labels written before a number ("AHI 23.6", "grade 4", "D3 1") -> label class.
LABELS: dict[str, str] = {
    "ahi": "ahi", "rdi": "ahi", "ahi/rdi": "ahi", "rei": "ahi", "bmi": "bmi", "cdai": "cdai",
    "das28": "das28", "epworth": "epworth", "scale": "epworth", "ciwa-ar": "ciwa", "ciwa": "ciwa", "cows": "cows",
    "qtc": "qtc", "grade": "grade", "stage": "stage", "level": "level", "tjc28": "tjc", "sjc28": "sjc",
    "d1": "d1", "d2": "d2", "d3": "d3", "d4": "d4", "d5": "d5", "d6": "d6", "nadir": "nadir",
}

# Fact-name tokens whose unit class is known (conservative_care_weeks -> week).
FACT_UNIT_TOKENS: dict[str, str] = {
    "weeks": "week", "week": "week", "months": "month", "days": "day", "hours": "hour", "years": "year",
    "mg": "mg", "deg": "degree", "pct": "percent", "percent": "percent", "kg": "kg", "visits": "visit",
    "channels": "channel", "scans": "scan", "infusions": "infusion", "units": "unit", "ahi": "ahi",
    "bmi": "bmi", "cdai": "cdai", "epworth": "epworth", "grade": "grade", "d1": "d1", "d2": "d2",
    "d3": "d3", "d4": "d4", "d5": "d5", "d6": "d6", "qtc": "qtc", "criteria": "criteria",
}

# Fact-name tokens that say nothing about the concept (dropped when matching a fact's words).
FILLER: frozenset[str] = frozenset({
    "documented", "documentation", "done", "recorded", "is", "has", "the", "of", "on", "at", "for", "to",
    "count", "value", "result", "status", "score", "risk", "last", "per", "max", "total", "number", "kind",
    "type", "date", "flag_kind", "on_file", "in", "with", "and", "or", "a", "an", "level", "trial",
    "completed", "care",
})

# Abbreviations in fact names and values -> the words a narrative uses for them (matched at word starts).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "f2f": ("face to face", "facetoface", "in person", "f2f"),
    "mtx": ("methotrexate", "mtx"),
    "tb": ("tuberculosis", "tb", "quantiferon", "igra", "interferon"),
    "pt": ("physical therap", "therapy", "pt "),
    "vf": ("visual field", "field", "perimetr"),
    "pov": ("scooter", "power operated vehicle", "pov"),
    "mradls": ("mradl", "mobility related activit", "activities of daily living", "daily living"),
    "kl": ("kellgren", "k l ", "kl "),
    "dsm5": ("dsm 5", "dsm5", "dsm"),
    "csdmard": ("csdmard", "dmard", "conventional"),
    "osa": ("sleep apn", "osa"),
    "iop": ("iop", "intensive outpatient"),
    "hsat": ("home sleep apn", "home sleep test", "hsat", "unattended"),
    "psg": ("polysomnogra", "psg", "in laboratory", "attended"),
    "followup": ("follow up", "followup", "re exam", "reexam", "re evaluat"),
    "exam": ("exam",),
    "eval": ("evaluat", "eval"),
    "pct": ("percent", "%"),
    "deg": ("degree",),
    "bmi": ("bmi", "body mass"),
    "ahi": ("ahi", "rdi", "apnea hypopnea"),
    "cdai": ("cdai", "clinical disease activity"),
    "asam": ("asam",),
    "d1": ("d1", "dimension 1"), "d2": ("d2", "dimension 2"), "d3": ("d3", "dimension 3"),
    "d4": ("d4", "dimension 4"), "d5": ("d5", "dimension 5"), "d6": ("d6", "dimension 6"),
    "nsaid": ("nsaid", "naproxen", "ibuprofen", "meloxicam", "celecoxib", "diclofenac", "anti inflammator"),
    "csdmards": ("csdmard", "dmard"),
    "pet": ("pet",),
    "adl": ("adl", "activities of daily living"),
    "ed": ("emergency",),
    "iv": ("intravenous", "iv "),
    "ct": ("ct ", "computed tomograph"),
    "mri": ("mri", "magnetic resonance"),
    "ra": ("rheumatoid",),
    "wt": ("weight",),
    "failed": ("fail", "inadequate", "not improved", "no improvement", "unchanged", "did not"),
    "suspected": ("suspect", "concern"),
    "counselling": ("counsel",),
    "insufficient": ("insufficient", "cannot", "unable", "ruled out", "not safe", "not sufficient", "inadequate"),
    "conservative": ("conservative", "physical therap", "therapy", "pt ", "non surgical", "nonsurgical",
                     "nsaid", "home exercise", "multimodal"),
    "accessible": ("accessib", "accommodat", "access", "room to", "fits", "home assessment"),
    "reason": ("reason", "because", "cannot", "unable", "ruled out"),
}

# Named therapies (drugs, procedures) a narrative must not claim unless the case mentions them.
THERAPIES: tuple[str, ...] = (
    "methotrexate", "leflunomide", "sulfasalazine", "hydroxychloroquine", "infliximab", "adalimumab",
    "etanercept", "certolizumab", "golimumab", "abatacept", "tocilizumab", "sarilumab", "rituximab",
    "tofacitinib", "upadacitinib", "baricitinib", "anakinra", "naproxen", "ibuprofen", "meloxicam",
    "celecoxib", "diclofenac", "gabapentin", "pregabalin", "duloxetine", "amitriptyline", "prednisone",
    "prednisolone", "methylprednisolone", "triamcinolone", "dexamethasone", "cyclobenzaprine", "tizanidine",
    "tramadol", "oxycodone", "hydrocodone", "morphine", "acetaminophen", "buprenorphine", "naltrexone",
    "acamprosate", "disulfiram", "methadone", "lorazepam", "chlordiazepoxide", "diazepam", "gabapentin",
    "metoprolol", "flecainide", "sotalol", "dofetilide", "amiodarone", "dronedarone", "apixaban",
    "rivaroxaban", "warfarin", "heparin", "enoxaparin", "insulin", "metformin", "semaglutide",
    "tirzepatide", "phentermine", "modafinil", "zolpidem", "hyaluronic acid", "viscosupplement",
    "acupuncture", "chiropractic", "massage therapy", "traction", "tens unit", "radiofrequency ablation",
    "kyphoplasty", "vertebroplasty", "laminectomy", "discectomy", "arthroscopy", "spinal cord stimulat",
    "epidural steroid injection", "facet injection", "bilevel", "bipap", "oral appliance",
    "hypoglossal nerve stimulat", "uvulopalatopharyngoplasty", "chemotherapy", "radiation therapy",
    "immunotherapy", "pembrolizumab", "osimertinib", "carboplatin", "cisplatin", "paclitaxel",
)
THERAPIES = tuple(dict.fromkeys(THERAPIES))

# Words that state a policy threshold rather than a patient's value ("at least 6 weeks").
THRESHOLD_WORDS: tuple[str, ...] = (
    "at least", "at most", "or more", "or fewer", "or less", "minimum", "maximum", "up to", "within",
    "no more than", "no less than", "more than", "less than", "fewer than", "over", "under", "above",
    "below", "≥", "≤", ">=", "<=", "requires", "required", "qualif", "threshold", "limit", "must",
    "policy", "criterion", "needs", "between", "every", "each",
)

NEGATIONS: tuple[str, ...] = ("no", "not", "never", "without", "denies", "none", "nor", "rather than", "instead of")
