"""Claims in a text: what a reviewer would check against the record.

A text is cut into sentences (quoted in findings) and clauses (the scope of negation, plans and
thresholds). In each clause the vocabulary's concepts are found with NegEx polarity, and figures,
dates, stages, regulations and references are read. Not claims: a figure stated as a threshold ("at
least 6 weeks"), anything after an intention ("will", "Plan:", "requested", "if"), and a clause that
states a rule ("a red flag bypasses the conservative-care requirement") without naming the patient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from clinical import figures as fig
from clinical.models import Claim
from clinical.negation import negated_spans
from clinical.normalize import clauses, normalize, sentences
from clinical.phrases import PhraseIndex, Token, tokens
from clinical.vocabulary import vocabulary

_COUNT_UNITS = frozenset(
    {
        "visit",
        "session",
        "infusion",
        "dose",
        "unit",
        "level",
        "scan",
        "channel",
        "fall",
        "times",
        "step",
        "block",
        "episode",
        "drink",
        "criteria",
    }
)
_SCORE_LABELS = frozenset(
    {
        "pain",
        "oswestry",
        "ndi",
        "epworth",
        "ciwa",
        "cows",
        "phq9",
        "gad7",
        "cdai",
        "das28",
        "ptga",
        "ega",
        "strength",
        "tjc",
        "sjc",
        "grade",
    }
)


@dataclass(slots=True)
class Mention:
    concept: str
    kind: str
    negated: bool
    start: int
    end: int


@dataclass(slots=True, eq=False)
class ClauseFacts:
    """What one clause states, before any decision about which of it is a claim."""

    text: str  # normalized, original case
    low: str
    mentions: list[Mention] = field(default_factory=list)
    figures: list[fig.Figure] = field(default_factory=list)
    dates: list[fig.DateMention] = field(default_factory=list)
    stages: list[tuple[str, int, int]] = field(default_factory=list)
    regulations: list[tuple[str, int, int]] = field(default_factory=list)
    references: list[tuple[str, int, int]] = field(default_factory=list)
    years: list[tuple[str, int, int]] = field(default_factory=list)
    intention_at: int | None = None  # offset after which the clause is a plan or a request
    plan_at: int | None = None  # offset of a plan/goals noun: therapies after it are planned, not done
    generic: bool = False

    def concept_near(self, start: int) -> str:
        """The concept (or topic) written closest to an offset, for what a figure is about."""
        best, dist = "", 10**9
        for m in self.mentions:
            d = start - m.end if m.end <= start else m.start - start
            if 0 <= d < dist:
                best, dist = m.concept, d
        return best

    def concepts(self) -> frozenset[str]:
        return frozenset(m.concept for m in self.mentions)


def _word_alternation(words: list[str]) -> re.Pattern[str]:
    ordered = sorted({w.lower() for w in words}, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(w) for w in ordered) + r")(?![a-z0-9])")


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    f = vocabulary().forms
    return {
        "intention": _word_alternation(f.intention),
        "plan": _word_alternation(f.plan_nouns),
        "hypothetical": _word_alternation(f.hypothetical_subjects),
        "modal": _word_alternation(f.hypothetical_modals),
        "generic": _word_alternation(f.generic),
        "patient": _word_alternation(f.patient_markers),
        "before": _word_alternation(f.threshold_before),
        "after": re.compile(r"^\W*(?:" + "|".join(re.escape(w) for w in f.threshold_after) + r")\b"),
    }


_PARENTHETICAL = re.compile(r"\([^()]*\)")


def plan_noun_at(low: str) -> int | None:
    """Where a plan/goals noun starts in a lower-case clause (what follows is intended, not done)."""
    m = _patterns()["plan"].search(low)
    return m.start() if m else None


@lru_cache(maxsize=1)
def _terms() -> PhraseIndex:
    return PhraseIndex(vocabulary().term_concept.items(), open_end=True)


def match_terms(low: str, toks: list[Token] | None = None) -> list[tuple[str, tuple[int, int]]]:
    """Vocabulary terms in lower-case text, longest first at each word, non-overlapping: (concept, span).
    A term's last word matches at a word start ("taper" finds "tapering", "tumor" finds "tumors")."""
    return [(c, (a, b)) for c, a, b in _terms().find(tokens(low) if toks is None else toks)]


@lru_cache(maxsize=32768)
def read_clause(text: str, service_line: str | None = None) -> ClauseFacts:
    """What a clause states (cached: chart and reference sentences repeat across grades; read-only)."""
    v = vocabulary()
    low = text.lower()
    cf = ClauseFacts(text=text, low=low)
    spans, found = [], []
    toks = tokens(low)
    for name, span in match_terms(low, toks):
        concept = v.concepts[name]
        if service_line and concept.service_lines and service_line not in concept.service_lines:
            continue
        spans.append(span)
        found.append(concept)
    if spans:
        for concept, span, neg in zip(found, spans, negated_spans(low, spans, toks), strict=True):
            cf.mentions.append(Mention(concept.name, concept.kind, neg, *span))
    if fig.DIGIT.search(text):  # most clauses of a chart have no figure: skip the figure readers
        cf.dates = fig.date_mentions(text)
        masked = fig.mask(text, dates=False)
        for d in cf.dates:  # partial dates ("09/18") are not ratios
            masked = masked[: d.start] + " " * (d.end - d.start) + masked[d.end :]
        cf.figures = fig.figures(text, masked)
        cf.years = fig.years(masked)
        cf.regulations = fig.regulations(text)
        cf.references = fig.references(text)
    elif "[" in text:
        cf.references = fig.references(text)
    if "stage" in low or "grade" in low:  # "stage IIIA" has no digit
        cf.stages = fig.stages(text)
    p = _patterns()
    # a clause headed "Plan:"/"Goals:" is all intention; a plan noun inside a clause ("individualized plan
    # with measurable goals, 3 hours a day") only makes the therapies after it planned (plan_at)
    heading = re.match(r"\s*(plan|request|goals?)\b", low)
    intent = p["intention"].search(low)
    cf.intention_at = 0 if heading else (intent.start() if intent else None)
    hypo = p["hypothetical"].search(low)
    if hypo and p["modal"].search(low, hypo.end()):  # "waiting 7 days could cost ...": not a fact
        cf.intention_at = min(hypo.start(), cf.intention_at if cf.intention_at is not None else len(low))
    cf.plan_at = plan_noun_at(low)
    # a rule named in an aside ("knee pain for 14 months (BMI 42.6, so more than the 6 months required),
    # rated 9/10") does not make the rest of the clause a rule statement: only words outside parentheses count
    outside = _PARENTHETICAL.sub(" ", low) if "(" in low else low
    cf.generic = bool(p["generic"].search(outside)) and not p["patient"].search(low)
    return cf


def is_threshold(cf: ClauseFacts, start: int, end: int) -> bool:
    p = _patterns()
    window = cf.low[max(0, start - 40) : start]
    window = window.rsplit(")", 1)[
        -1
    ]  # an aside's words ("... the policy requires), rated 8/10") qualify the aside
    before = " ".join(window.split()[-3:])
    if re.search(r"(?<![a-z])x\s*$", before):
        return True  # "CPT 72148 x 1", "x 20 units": the request's quantity, not a finding
    return bool(p["before"].search(before) or p["after"].match(cf.low[end : end + 30]))


def figure_kind(f: fig.Figure) -> str:
    if (f.unit or "").startswith("/") or (f.unit is None and f.label in _SCORE_LABELS):
        return "score"
    if f.unit in _COUNT_UNITS:
        return "count"
    if f.unit:
        return vocabulary().forms.unit_kinds.get(f.unit, "count")
    return "lab" if f.label else "count"


def _claims_in_clause(cf: ClauseFacts, sentence: str, span: tuple[int, int]) -> list[Claim]:
    if cf.generic:
        return []
    cut = cf.intention_at if cf.intention_at is not None else len(cf.low)
    out: list[Claim] = []
    for m in cf.mentions:
        if m.start >= cut or m.kind == "topic":
            continue
        if cf.plan_at is not None and m.start >= cf.plan_at and m.kind in ("therapy", "test"):
            continue  # "treatment plan: PT 3x/week" says what is planned, not that PT happened
        if m.kind == "therapy" or m.kind == "test":
            kind = "therapy"
        else:
            kind = "negated_finding" if m.negated else "finding"
        out.append(Claim(kind, sentence, span, cf.text[m.start : m.end], m.concept, negated=m.negated))  # type: ignore[arg-type]
    year_starts = {s for _y, s, _e in cf.years}
    for f in cf.figures:
        if f.start >= cut or is_threshold(cf, f.start, f.end):
            continue
        if f.start in year_starts and f.unit is None:
            continue  # "in 2024" is a date claim, below
        kind = figure_kind(f)
        if kind == "count" and float(f.value) <= 1:
            continue  # "1 of the options", "one block at a time", "1 unit"
        concept = f.label or cf.concept_near(f.start)
        out.append(Claim(kind, sentence, span, cf.text[f.start : f.end], concept, f.value, f.unit))  # type: ignore[arg-type]
    for d in cf.dates:
        if d.start < cut:
            out.append(Claim("date", sentence, span, cf.text[d.start : d.end], "", d.text))
    for y, s, e in cf.years:
        if s < cut and not is_threshold(cf, s, e):
            out.append(Claim("date", sentence, span, y, "", f"{y}-??-??"))
    for value, s, e in cf.stages:
        if s < cut:
            out.append(Claim("stage", sentence, span, cf.text[s:e], cf.concept_near(s), value))
    for value, s, e in cf.regulations:
        out.append(Claim("regulation", sentence, span, cf.text[s:e], "", value))
    for value, _s, _e in cf.references:
        out.append(Claim("reference", sentence, span, value, "", value))
    return out


def sentence_clauses(text: str) -> list[tuple[tuple[int, int], str, list[str]]]:
    """(span in ``text``, sentence as written, its normalized clauses) for every sentence."""
    out = []
    for start, end in sentences(text):
        sentence = text[start:end]
        out.append(((start, end), sentence, clauses(normalize(sentence))))
    return out


def extract_claims(text: str, service_line: str | None = None) -> list[Claim]:
    """Every clinical claim of ``text`` (see the module docstring for what is not a claim)."""
    out: list[Claim] = []
    for span, sentence, parts in sentence_clauses(text):
        for clause in parts:
            out += _claims_in_clause(read_clause(clause, service_line), sentence, span)
    # the same figure written twice in one sentence is one claim
    return list(dict.fromkeys(out))
