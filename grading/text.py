"""Deterministic text analysis for narratives, queries and appeal letters (no LLM).

Three primitives: numbers with their unit class (``8 weeks`` -> ``("8", "week")``, ``AHI 23.6`` ->
``("23.6", "ahi")``), dates (ISO, US and long forms, returned as ISO) and word-start matching of a
concept's words (``follow-up examination`` matches ``followup`` + ``exam``). Identifiers (codes, NPIs,
member ids, document ids, phone numbers, times) are masked first so their digits are never read as
clinical figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from grading.lexicon import LABEL_LINKS, LABELS, NEGATIONS, THERAPIES, THRESHOLD_WORDS, UNITS

_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
US_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
LONG_DATE = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2}),?\s+(\d{4})\b", re.IGNORECASE)
_MASKS = [
    re.compile(r"\bdoc-\d+\b", re.IGNORECASE),
    re.compile(r"\(\d{3}\)\s*\d{3}-\d{4}"),
    re.compile(r"\b\d{3}-\d{3}-\d{4}\b"),
    re.compile(r"\b\d{1,2}:\d{2}\b"),
    re.compile(r"\b[A-Z]{2,5}-?\d{5,}\b"),  # member ids, MRNs, plan ids
    re.compile(r"\b\d{9,}\b"),  # NPIs, numeric member ids
    re.compile(r"\b[A-TV-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?\b"),  # ICD-10-CM
    re.compile(r"\b[A-Z]\d{4}(?:-[A-Z0-9]{2})*\b"),  # HCPCS (with modifiers)
    re.compile(r"\b\d{4}[A-Z]\b"),  # CPT category III
    re.compile(r"\b\d{5}(?:-[A-Z0-9]{2})*\b"),  # CPT (with modifiers)
]
# A figure: not glued to letters before ("q8", "DSM-5", "C5") or after ("1st", "H2O").
NUMBER = re.compile(r"(?<![A-Za-z0-9.])(?<![A-Za-z]-)(\d+(?:\.\d+)?)(?![A-Za-z0-9])")
LOOSE_NUMBER = re.compile(r"(?<![0-9.])(\d+(?:\.\d+)?)(?![0-9])")
RATIO = re.compile(r"(?<![A-Za-z0-9.])(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)(?![A-Za-z0-9/])")
_UNIT_KEYS = sorted(UNITS, key=len, reverse=True)
UNIT_AFTER = re.compile(
    r"\s*-?\s*(" + "|".join(re.escape(u) for u in _UNIT_KEYS) + r")(?![a-z0-9])", re.IGNORECASE
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9/\-]*")
CLAUSE_SPLIT = re.compile(r"(?<=[.;])\s+|\n")


@dataclass(frozen=True, slots=True)
class Figure:
    """A number in a text: its normalized value, unit class (or None), and the clause it stands in."""

    value: str
    unit: str | None
    clause: str
    start: int
    line: str = ""
    label: str | None = None  # a score name written before the figure ("AHI/RDI 23.6 events per hour")

    @property
    def classes(self) -> set[str | None]:
        found = {self.unit, self.label} - {None}
        return found or {None}


def num(value: float | int | str) -> str:
    """Canonical text of a number: ``8``, ``8.0`` and ``8.00`` are all ``'8'``; ``23.60`` is ``'23.6'``."""
    f = round(float(value), 4)
    return str(int(f)) if f == int(f) else repr(f)


# one pass over the text: at any position the first alternative (dates first) wins
_MASK_CASED = re.compile("|".join(f"(?:{p.pattern})" for p in (ISO_DATE, US_DATE, *_MASKS[1:])))


def mask_ids(text: str) -> str:
    """Blank out dates and identifiers (same length, so offsets are kept)."""

    def blank(m: re.Match[str]) -> str:
        return " " * len(m.group(0))

    # codes are upper case: match them case-sensitively; long dates and doc ids in any case
    text = LONG_DATE.sub(blank, text)
    text = _MASKS[0].sub(blank, text)
    return _MASK_CASED.sub(blank, text)


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Lower case, hyphens and punctuation as spaces, single spaces: for word-start matching."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"[-_/(),;:.\[\]\"'=+]", " ", text)
    return " " + re.sub(r"\s+", " ", text).strip() + " "


def has_words(norm_text: str, phrase: str) -> bool:
    """True when ``phrase`` (normalized) occurs in ``norm_text`` at a word start (prefix match)."""
    needle = normalize(phrase).strip()
    return bool(needle) and (" " + needle) in norm_text


def _label_before(masked: str, start: int) -> str | None:
    before = re.split(r"[0-9]", masked[max(0, start - 30) : start])[-1]
    words = [w.lower().rstrip(":") for w in _WORD.findall(before)]
    while len(words) > 1 and words[-1] in LABEL_LINKS:  # "an RDI of 23.6", "AHI was 23.6"
        words.pop()
    return LABELS.get(words[-1]) if words else None


def _clauses(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for piece in CLAUSE_SPLIT.split(text):
        idx = text.find(piece, pos)
        out.append((idx, piece))
        pos = idx + len(piece)
    return out


def _clause_at(clauses: list[tuple[int, str]], start: int) -> str:
    found = ""
    for idx, piece in clauses:
        if idx <= start:
            found = piece
        else:
            break
    return found


def _line_at(text: str, start: int) -> str:
    begin = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    return text[begin : end if end >= 0 else len(text)]


def figures(text: str) -> list[Figure]:
    """Every figure in ``text`` with the unit written after it, or the label written before it."""
    masked = mask_ids(text)
    clauses = _clauses(text)
    out: list[Figure] = []
    taken: set[int] = set()
    for m in RATIO.finditer(masked):
        # "15/24", "5/5": the numerator is the finding, the denominator the scale's maximum
        out.append(
            Figure(
                num(m.group(1)),
                None,
                _clause_at(clauses, m.start()),
                m.start(1),
                _line_at(text, m.start()),
                _label_before(masked, m.start(1)),
            )
        )
        taken |= {m.start(1), m.start(2)}
    for m in NUMBER.finditer(masked):
        if m.start(1) in taken:
            continue
        unit_m = UNIT_AFTER.match(masked, m.end(1))
        unit = UNITS[unit_m.group(1).lower()] if unit_m else None
        out.append(
            Figure(
                num(m.group(1)),
                unit,
                _clause_at(clauses, m.start(1)),
                m.start(1),
                _line_at(text, m.start(1)),
                _label_before(masked, m.start(1)),
            )
        )
    return sorted(out, key=lambda f: f.start)


@lru_cache(maxsize=16384)
def window_pairs(text: str, before_words: int = 3) -> frozenset[tuple[str, str | None]]:
    """(value, unit class) pairs in reference text (the chart, a policy), generous about where the unit
    is written: after the number, as a label before it, or among the few words before it
    ("Channels recorded: 4", "Duration of care: 8 weeks")."""
    masked = mask_ids(text)
    pairs: set[tuple[str, str | None]] = set()
    for m in LOOSE_NUMBER.finditer(masked):
        value = num(m.group(1))
        pairs.add((value, None))
        unit_m = UNIT_AFTER.match(masked, m.end(1))
        if unit_m:
            pairs.add((value, UNITS[unit_m.group(1).lower()]))
        # the words before the number, back to the previous figure at most
        before = masked[max(0, m.start(1) - 60) : m.start(1)]
        parts = re.split(r"[0-9]", before)
        before = parts[-1]
        if len(parts) > 1:  # a unit right after the previous figure belongs to that figure
            lead = UNIT_AFTER.match(before)
            before = before[lead.end() :] if lead else before
        words = _WORD.findall(before)[-before_words:]
        for w in words:
            w = w.lower().rstrip(":")
            cls = UNITS.get(w) or LABELS.get(w)
            if cls:
                pairs.add((value, cls))
    for m in RATIO.finditer(masked):
        pairs.add((num(m.group(1)), None))
        pairs.add((num(m.group(2)), None))
    return frozenset(pairs)


def dates(text: str) -> list[tuple[str, int]]:
    """Dates in ``text`` as (ISO string, offset); impossible dates are returned as written."""
    out: list[tuple[str, int]] = []
    for m in ISO_DATE.finditer(text):
        out.append((m.group(0), m.start()))
    for m in US_DATE.finditer(text):
        out.append((_iso(int(m.group(3)), int(m.group(1)), int(m.group(2)), m.group(0)), m.start()))
    for m in LONG_DATE.finditer(text):
        out.append(
            (_iso(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)), m.group(0)), m.start())
        )
    return sorted(out, key=lambda d: d[1])


def _iso(y: int, mo: int, d: int, raw: str) -> str:
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return raw


def date_forms(day: date) -> tuple[str, ...]:
    """The ways a date may be written, for presence checks."""
    long = f"{day.strftime('%B')} {day.day}, {day.year}"
    return (
        day.isoformat(),
        f"{day.month}/{day.day}/{day.year}",
        f"{day.month:02d}/{day.day:02d}/{day.year}",
        long,
        long.replace(",", ""),
    )


_NEGATION_NORM = tuple(" " + normalize(n).strip() + " " for n in NEGATIONS)


def therapies(norm_text: str) -> list[str]:
    """Therapy names (lexicon) mentioned in normalized text, skipping negated mentions ("no methotrexate",
    "rather than a bilevel device")."""
    found = []
    for name in THERAPIES:
        needle = " " + normalize(name).strip()
        pos = norm_text.find(needle)
        while pos >= 0:
            before = " " + " ".join(norm_text[max(0, pos - 40) : pos].split()[-4:]) + " "
            if not any(n in before for n in _NEGATION_NORM):
                found.append(name)
                break
            pos = norm_text.find(needle, pos + 1)
    return found


@lru_cache(maxsize=4096)
def has_threshold_words(clause: str) -> bool:
    low = " " + clause.lower() + " "
    return any(w in low for w in THRESHOLD_WORDS)


def content_words(text: str) -> list[str]:
    """Words of four letters or more, lower case: for overlap of long free-text facts."""
    return [w for w in re.findall(r"[a-z][a-z0-9]{3,}", text.lower())]
