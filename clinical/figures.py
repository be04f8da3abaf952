"""Figures, dates, stages, regulations and references in (normalized) text, with their offsets.

Identifiers (codes, NPIs, member ids, document ids, phone numbers, times, vertebral levels) are masked
first, so their digits are never read as clinical figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from clinical.vocabulary import vocabulary

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_ANY_MONTH = re.compile(rf"\b(?:{_MONTH_ALT})\b", re.I)
DIGIT = re.compile(r"\d")
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:T[\d:]+)?\b")
US_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/])")
LONG_DATE = re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.I)
DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH_ALT})\.?(?:,?\s+(\d{{4}}))?\b", re.I)
MONTH_YEAR = re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{4}})\b", re.I)
YEAR = re.compile(r"(?<![\d\-/.])((?:19|20)\d{2})(?![\d\-/]|\.\d)")
# identifiers whose digits are not clinical figures, matched as whole tokens
_ID_TOKEN = re.compile(
    r"doc-\d+"
    r"|[A-Z]{2,5}-?\d{5,}"  # member ids, MRNs
    r"|\d{9,}"  # NPIs, numeric ids
    r"|[A-TV-Z]\d[0-9A](?:\.[0-9A-Z]{1,4})?"  # ICD-10-CM (third character a digit or A: not "H2O")
    r"|[A-Z]\d{4}(?:-[A-Z0-9]{2})*"  # HCPCS (with modifiers)
    r"|\d{4}[A-Z]"  # CPT category III
    r"|\d{5}(?:-[A-Z0-9]{2})*"  # CPT (with modifiers)
    r"|\d{3}-\d{3}-\d{4}"  # phone
    r"|\d{1,2}:\d{2}(?::\d{2})?"  # times
    r"|[CTLS]\d{1,2}(?:-[CTLS]?\d{1,2})?"  # vertebral levels C5-C6, L4-5
    r"|[A-Z][A-Za-z]*-\d+"  # DSM-5, TTF-1, PHQ-9 style names
    r"|\d+(?:st|nd|rd|th)"  # ordinals
    r"|#\d+",
    re.I,
)
_ID_CASED = re.compile(
    r"[A-TV-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?|[A-Z]\d{4}(?:-[A-Z0-9]{2})*|\d{4}[A-Z]|[A-Z]{2,5}-?\d{5,}|[A-Z][A-Za-z]*-\d+"
)
_TOKEN = re.compile(r"[^\s,;()\[\]]*\d[^\s,;()\[\]]*")
_PHONE = re.compile(r"\(\d{3}\)\s*\d{3}-\d{4}")
_LABELLED_ID = re.compile(
    r"\b(?:place of service|pos|group|station|modifiers?)\s*:?\s*#?\s*\w+(?:\s*(?:,|and)\s*\w{2}\b)*", re.I
)
_LABEL_WORDS = ("place of service", "pos", "group", "station", "modifier")
_MASKS = [_PHONE, _LABELLED_ID]  # kept for callers that mask whole texts
NUMBER = re.compile(r"(?<![A-Za-z0-9.\-])(-?\d+(?:\.\d+)?)(?![0-9]|[A-Za-z]{2}|\.\d)")
RATIO = re.compile(r"(?<![A-Za-z0-9./])(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)(?![\d/])")
STAGE = re.compile(r"\bstage\s+(0|I{1,3}V?|IV|[1-4])([A-C]\d?)?\b", re.I)
GRADE = re.compile(r"\bgrade:?\s+(\d)(?:\s*(?:of|/)\s*\d)?\b", re.I)
REGULATION = re.compile(
    r"\b\d{1,2}\s*(?:C\.?F\.?R\.?|U\.?S\.?C\.?)\s*(?:§+\s*|part\s+|section\s+)?\d+(?:\.\d+)?(?:\([a-z0-9]+\))*"
    r"|§+\s*\d+(?:\.\d+)?(?:\([a-z0-9]+\))*"
    r"|\b(?:section|sec\.)\s+1\d{3}[A-Z]?(?:\([a-z0-9]+\))*\s+of\s+the\s+social\s+security\s+act",
    re.I,
)
# a bracketed id ([NCD-220.2.1], [AETNA-CPB-0236], [LKS-MRI-001.2; manual]) or an inline policy id
BRACKET = re.compile(r"\[([^\[\]\n]{2,160})\]")
REF_ID = re.compile(
    r"\b(?:[A-Z][A-Z]{1,9}-(?:[A-Z0-9]{1,10}-)*\d{3,}(?:\.\d+)*|[LN]CDs?\s?#?\s?[A-Z]?\d{3,6}(?:\.\d+)*)\b"
)
_ID_SHAPE = re.compile(r"^[A-Z][A-Za-z]{1,9}(?:[- .][A-Za-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Figure:
    value: str
    unit: str | None  # unit class, "/10" for a ratio's scale
    label: str | None  # score name written before it ("pain", "ahi")
    start: int
    end: int


def num(value: float | int | str) -> str:
    """Canonical text of a number: ``8``, ``8.0`` and ``8.00`` are ``'8'``; ``23.60`` is ``'23.6'``."""
    f = round(float(value), 4)
    return str(int(f)) if f == int(f) else repr(f)


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group(0))


def mask(text: str, dates: bool = True) -> str:
    """Blank identifiers (and, unless ``dates`` is False, dates): same length, so offsets hold."""
    if not DIGIT.search(text):
        return text
    if dates:
        for pattern in (ISO_DATE, LONG_DATE, DAY_MONTH, MONTH_YEAR):
            text = pattern.sub(_blank, text)
    low = text.lower()
    if "[" in text:
        text = BRACKET.sub(_blank, text)
    if "(" in text:
        text = _PHONE.sub(_blank, text)
    if any(w in low for w in _LABEL_WORDS):
        text = _LABELLED_ID.sub(_blank, text)
    if "§" in text or "cfr" in low or "c.f.r" in low or "u.s.c" in low or "usc" in low:
        text = REGULATION.sub(_blank, text)
    parts = []
    last = 0
    for m in _TOKEN.finditer(text):
        token = m.group(0).rstrip(".:\"'”’")
        if _ID_TOKEN.fullmatch(token) and not _DATE_TOKEN.fullmatch(token):
            cased = token[0].isdigit() or token.lower().startswith("doc-") or _ID_CASED.fullmatch(token)
            if cased:
                parts.append(text[last : m.start()])
                parts.append(" " * len(token))
                last = m.start() + len(token)
    parts.append(text[last:])
    return "".join(parts)


_DATE_TOKEN = re.compile(r"\d{4}-\d{2}-\d{2}.*")


@lru_cache(maxsize=1)
def _unit_pattern() -> re.Pattern[str]:
    keys = sorted(vocabulary().forms.units, key=len, reverse=True)
    return re.compile(r"\s*-?\s*(" + "|".join(re.escape(k) for k in keys) + r")(?![a-z0-9])", re.I)


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9/\-]*")


def label_before(masked: str, start: int) -> str | None:
    """A score name in the few words before a figure ("pain is rated 8", "Oswestry 42", "AHI: 23")."""
    labels = vocabulary().forms.labels
    before = re.split(r"[0-9]", masked[max(0, start - 40) : start])[-1]
    for w in reversed(_WORD.findall(before)[-4:]):
        found = labels.get(w.lower().rstrip(":"))
        if found:
            return found
    return None


def figures(text: str, masked: str | None = None) -> list[Figure]:
    """Every figure in (normalized) ``text``: ratios first ("8/10" is 8 on a 10 scale), then numbers."""
    masked = mask(text) if masked is None else masked
    units = vocabulary().forms.units
    out: list[Figure] = []
    taken: set[int] = set()
    for m in RATIO.finditer(masked):
        scale = num(m.group(2))
        out.append(
            Figure(num(m.group(1)), f"/{scale}", label_before(masked, m.start(1)), m.start(1), m.end())
        )
        taken |= {m.start(1), m.start(2)}
    for m in NUMBER.finditer(masked):
        if m.start(1) in taken:
            continue
        unit_m = _unit_pattern().match(masked, m.end(1))
        unit = units[unit_m.group(1).lower()] if unit_m else None
        end = unit_m.end() if unit_m else m.end(1)
        out.append(Figure(num(m.group(1)), unit, label_before(masked, m.start(1)), m.start(1), end))
    return sorted(out, key=lambda f: f.start)


@dataclass(frozen=True, slots=True)
class DateMention:
    year: int | None
    month: int
    day: int | None
    start: int
    end: int

    def matches(self, iso: str) -> bool:
        y, m, d = (int(x) for x in iso.split("-"))
        return (
            m == self.month and (self.day is None or d == self.day) and (self.year is None or y == self.year)
        )

    @property
    def text(self) -> str:
        return "-".join(
            [
                str(self.year) if self.year else "????",
                f"{self.month:02d}",
                f"{self.day:02d}" if self.day else "??",
            ]
        )


def _valid(y: int | None, m: int, d: int | None) -> bool:
    try:
        date(y or 2000, m, d or 1)
        return True
    except ValueError:
        return False


def date_mentions(text: str) -> list[DateMention]:
    """Full and partial dates: 2026-09-18, 9/18/2026, 09/18, Sept 18, 18 Sep 2026, September 2026."""
    out: list[DateMention] = []
    if not DIGIT.search(text):
        return out
    has_month = bool(_ANY_MONTH.search(text))
    used: list[tuple[int, int]] = []

    def add(y: int | None, m: int, d: int | None, span: tuple[int, int]) -> None:
        if any(a < span[1] and span[0] < b for a, b in used) or not _valid(y, m, d):
            return
        used.append(span)
        out.append(DateMention(y, m, d, *span))

    for mt in ISO_DATE.finditer(text) if "-" in text else ():
        add(int(mt.group(1)), int(mt.group(2)), int(mt.group(3)), mt.span())
    if has_month:
        for mt in LONG_DATE.finditer(text):
            add(
                int(mt.group(3)) if mt.group(3) else None,
                MONTHS[mt.group(1).lower()],
                int(mt.group(2)),
                mt.span(),
            )
        for mt in DAY_MONTH.finditer(text):
            add(
                int(mt.group(3)) if mt.group(3) else None,
                MONTHS[mt.group(2).lower()],
                int(mt.group(1)),
                mt.span(),
            )
        for mt in MONTH_YEAR.finditer(text):
            add(int(mt.group(2)), MONTHS[mt.group(1).lower()], None, mt.span())
    for mt in US_DATE.finditer(text) if "/" in text else ():
        year = mt.group(3)
        if year is None and not _partial_date_like(text, mt):
            continue  # "8/10", "3/5": a score, read by figures()
        y = None if year is None else _full_year(year)
        add(y, int(mt.group(1)), int(mt.group(2)), mt.span())
    return sorted(out, key=lambda d: d.start)


# Two-digit years: "04/11/54" is a birth date in 1954, "05/08/26" a service date in 2026. Fixed pivot (no
# wall clock): 00-35 are 2000-2035, 36-99 are 1936-1999, which covers patients' births and the case years.
_PIVOT = 35


def _full_year(year: str) -> int:
    n = int(year)
    if len(year) != 2:
        return n
    return 2000 + n if n <= _PIVOT else 1900 + n


_DATE_WORDS = re.compile(
    # a visit verb before it ("Seen 4/14:", "evaluated 4/14") dates the visit: no score follows "seen"
    r"(?:\bon|\bdated|\bsince|\bfrom|\bof|\buntil|\bthrough|\bbetween|\band|\bvisit|\bnote"
    r"|\bseen|\bevaluated|\bexamined|\badmitted|\bdischarged|\bdos)\s*$",
    re.I,
)


def _partial_date_like(text: str, m: re.Match[str]) -> bool:
    """ "09/18" (a leading zero) or "on 9/18" is a date; "8/10" after "pain" is a score."""
    if m.group(1).startswith("0") or (len(m.group(2)) == 2 and m.group(2).startswith("0")):
        return True
    if int(m.group(2)) in (5, 10, 24, 11, 28, 4, 3, 52):
        return False
    return bool(_DATE_WORDS.search(text[max(0, m.start() - 12) : m.start()]))


def years(text: str) -> list[tuple[str, int, int]]:
    """Bare years ("in 2024") in masked text."""
    return [(m.group(1), m.start(1), m.end(1)) for m in YEAR.finditer(text)]


def stages(text: str) -> list[tuple[str, int, int]]:
    """Stages and grades as canonical values: "stage IIIA" -> "stage 3A", "grade 4 of 4" -> "grade 4"."""
    roman = {"0": 0, "I": 1, "II": 2, "III": 3, "IV": 4}
    out = []
    for m in STAGE.finditer(text):
        base = m.group(1).upper()
        n = roman.get(base, int(base) if base.isdigit() else 0)
        out.append((f"stage {n}{(m.group(2) or '').upper()}", m.start(), m.end()))
    for m in GRADE.finditer(text):
        out.append((f"grade {m.group(1)}", m.start(), m.end()))
    return out


def regulations(text: str) -> list[tuple[str, int, int]]:
    """ "42 CFR 422.568", "45 C.F.R. § 164.508(a)(2)" -> canonical "42 cfr 422.568"."""
    out: list[tuple[str, int, int]] = []
    low = text.lower()
    if (
        "§" not in text
        and "cfr" not in low.replace(".", "")
        and "usc" not in low.replace(".", "")
        and "social security" not in low
    ):
        return out
    for m in REGULATION.finditer(text):
        out.append((canonical_regulation(m.group(0)), m.start(), m.end()))
    return out


def canonical_regulation(raw: str) -> str:
    s = raw.lower()
    s = re.sub(r"c\.?f\.?r\.?", "cfr", s)
    s = re.sub(r"u\.?s\.?c\.?", "usc", s)
    s = re.sub(r"§+|\bpart\b|\bsection\b", " ", s)
    return " ".join(s.split())


def references(text: str) -> list[tuple[str, int, int]]:
    """Citation-like ids in any format: bracketed, or inline policy ids such as LKS-MRI-001.2."""
    out: list[tuple[str, int, int]] = []
    if not DIGIT.search(text) and "[" not in text:
        return out
    for m in BRACKET.finditer(text):
        for part in m.group(1).split(";"):
            part = part.strip()
            if (
                part
                and (any(ch.isdigit() for ch in part) or ":" in part)
                and _ID_SHAPE.match(part.split(":")[0])
            ):
                out.append((part, m.start(), m.end()))
    masked = BRACKET.sub(lambda m: " " * len(m.group(0)), text)
    for m in REF_ID.finditer(masked):
        token = m.group(0)
        out.append((token, m.start(), m.end()))
    return out
