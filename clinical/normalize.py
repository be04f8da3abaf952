"""One written form for clinical text: number words as digits, abbreviations and units spelled out.

``normalize("PT x8 wks, pain eight out of ten")`` -> ``"physical therapy for 8 weeks, pain 8/10"``.
Number words are converted by text2num (a kept library; it knows "twenty-one", "one hundred and
sixty-eight" and ordinals); the abbreviation and unit rewrites are data (vocabulary/forms.yaml).
"""

from __future__ import annotations

import re
from functools import lru_cache

from text_to_num import alpha2digit

from clinical.vocabulary import vocabulary

# Sentence ends: . ! ? followed by space and a capital, digit or bullet; a line break; never after a
# title or common abbreviation ("Dr.", "e.g.") or inside a decimal ("23.6").
_NO_BREAK_BEFORE = re.compile(
    r"(?:\b(?:dr|mr|mrs|ms|st|vs|no|approx|e\.g|i\.e|etc|fig|jr|sr)|\b[A-Z])\.$", re.I
)
DIGIT = re.compile(r"\d")
_BREAK = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9•\-*])|\n+")


@lru_cache(maxsize=1)
def _rules() -> tuple[
    tuple[tuple[re.Pattern[str], str, str], ...], re.Pattern[str], list[str], re.Pattern[str]
]:
    """(rewrites with their pre-check literal; unit-spelling regex and each alternative's form;
    abbreviation regex)."""
    forms = vocabulary().forms
    rewrites = tuple((re.compile(p), r, hint) for p, r, hint in forms.rewrites)
    spellings = list(forms.unit_spellings)
    units = re.compile(
        r"(?<![A-Za-z0-9.])(\d+(?:\.\d+)?)\s?-?(?:" + "|".join(f"({s})" for s in spellings) + r")\b", re.I
    )
    abbreviations = sorted(forms.abbreviations, key=len, reverse=True)
    # never inside an id ("LKS-TKA-001.1") or a compound ("PT/OT")
    abbr = re.compile(
        r"(?<![A-Za-z0-9/\-])("
        + "|".join(re.escape(a) for a in abbreviations)
        + r")(?![A-Za-z0-9\-]|/[A-Za-z])"
    )
    return rewrites, units, [forms.unit_spellings[s] for s in spellings], abbr


def _rewrite(text: str) -> str:
    rewrites, units, unit_forms, abbr = _rules()
    low = text.lower()
    for pattern, repl, hint in rewrites:  # "twice weekly" has no digit yet; the hints keep this cheap
        if hint in low:
            text = pattern.sub(repl, text)
    if DIGIT.search(text):

        def unit(m: re.Match[str]) -> str:
            form = next(unit_forms[i - 2] for i in range(2, len(unit_forms) + 2) if m.group(i) is not None)
            return f"{m.group(1)} {form}"

        text = units.sub(unit, text)
    table = vocabulary().forms.abbreviations
    return abbr.sub(lambda m: table[m.group(1)], text)


_NUMBER_WORD = re.compile(
    r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"first|second|third|fourth|fifth)\b",
    re.I,
)


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Number words to digits, then every abbreviation/unit rewrite of the vocabulary, in order."""
    if not text:
        return text
    out = text.replace("’", "'").replace("–", "-").replace("—", " - ")
    if _NUMBER_WORD.search(out):
        # text2num: "eight weeks" -> "8 weeks"; threshold 0 so "two weeks" converts too
        out = alpha2digit(out, "en", threshold=0)
    out = _rewrite(out)
    return re.sub(r"[ \t]{2,}", " ", out)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``; bullets and lines are sentences of their own."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BREAK.finditer(text):
        piece = text[start : m.start()]
        if m.group(0).strip() == "" and "\n" not in m.group(0) and _NO_BREAK_BEFORE.search(piece):
            continue
        if piece.strip():
            spans.append(_trim(text, start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def clauses(sentence: str) -> list[str]:
    """A sentence cut at semicolons (a heading such as "Plan:" stays with its clause)."""
    return [c for c in sentence.split(";") if c.strip()]
