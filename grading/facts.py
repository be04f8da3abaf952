"""Does a text state a chart fact with the chart's value? And which facts does a criterion hinge on?

A fact is *mentioned* when the text states its value: a number with the fact's unit (``8 weeks`` for
``conservative_care_weeks = 8``), a date, the words of a short value (``negative``), most of the words of
a long one (an exam finding), or, for a yes/no fact, the words of its name (``red_flag`` -> "red flag",
``f2f_eval_before_sleep_test`` -> "face-to-face", "evaluation", "sleep", "test").

A criterion is *addressed* when the facts of the branch that decides it are mentioned: every part of an
``all``, and for an ``any`` one branch that the chart meets (any branch when none is met).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from clinical.figures import DateMention, date_mentions
from clinical.vocabulary import fact_words
from grading.lexicon import ABBREVIATIONS, FACT_UNIT_TOKENS, FILLER
from grading.text import Figure, content_words, dates, figures, has_words, normalize, num
from knowledge_base.criteria import AllOf, AnyOf, Evidence, FactValue, Not

REQUEST_FACT_PREFIXES = ("request.", "patient.")


@dataclass(eq=False)
class Text:
    """A text prepared for every check: normalized words, and (read on first use) figures and dates."""

    raw: str
    norm: str = ""

    @classmethod
    def of(cls, raw: str) -> Text:
        return _text_of(raw)

    @cached_property
    def figs(self) -> list[Figure]:
        return figures(self.raw)

    @cached_property
    def dates(self) -> set[str]:
        return {d for d, _ in dates(self.raw)}

    @cached_property
    def date_mentions(self) -> list[DateMention]:
        """Full and partial dates ("2/15/26", "collected 06/13"), read by the shared claim checker."""
        return date_mentions(self.raw)

    @cached_property
    def lines(self) -> list[str]:
        return [normalize(line) for line in self.raw.splitlines() if line.strip()]

    def states_number(self, value: str, unit: str | None) -> bool:
        """The value is written with this unit, or without a unit that contradicts it."""
        return any(
            f.value == value and (unit is None or unit in f.classes or f.classes == {None}) for f in self.figs
        )


@lru_cache(maxsize=4096)
def _text_of(raw: str) -> Text:
    # the same narrative is graded many times (a clean attempt, its retries, the benchmark's defects)
    return Text(raw=raw, norm=normalize(raw))


@lru_cache(maxsize=1024)
def fact_unit(name: str) -> str | None:
    """The unit class a fact's name implies: ``mtx_max_dose_mg_week`` -> ``mg``; None when none does."""
    for token in name.split(".")[-1].split("_"):
        if token in FACT_UNIT_TOKENS:
            return FACT_UNIT_TOKENS[token]
    return None


@lru_cache(maxsize=1024)
def concept_words(name: str) -> tuple[tuple[str, ...], ...]:
    """For each meaningful token of a fact name, the words that express it (any one suffices)."""
    tokens = [t for t in name.split(".")[-1].split("_") if t and not t.isdigit()]
    paraphrases = fact_words()
    out = []
    for token in tokens:
        if token in FILLER or token in paraphrases.qualifiers:
            continue
        if token in FACT_UNIT_TOKENS and token not in ABBREVIATIONS:
            continue
        # the vocabulary's paraphrases (clinical/vocabulary/fact_words.yaml) widen the lexicon's words
        alts = (*ABBREVIATIONS.get(token, ()), *paraphrases.words.get(token, ()))
        stem = token[:-1] if len(token) > 4 and token.endswith("s") else token
        for suffix in ("ed", "ing", "ly"):
            if len(stem) > len(suffix) + 3 and stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        out.append((*alts, stem))
    return tuple(out)


def words_mentioned(text: Text, name: str) -> bool:
    """The words of a yes/no fact's name, together on one line of the text: all of them for a name of
    one or two words, two thirds (rounded up) for longer names."""
    groups = concept_words(name)
    if not groups:
        return True
    need = len(groups) if len(groups) <= 2 else -(-2 * len(groups) // 3)
    for line in text.lines:
        if sum(any(has_words(line, alt) for alt in group) for group in groups) >= need:
            return True
    return False


def _implied(text: Text, name: str, value: float) -> bool:
    """A term that states the number by definition (fact_words.yaml ``implies``): "type III HSAT" for a
    4-channel study."""
    padded = f" {text.norm} "
    return any(
        entry.at_least <= value and any(f" {normalize(t).strip()} " in padded for t in entry.terms)
        for entry in fact_words().implies.get(name.split(".")[-1], ())
    )


def _value_words(value: str) -> list[str]:
    return [w for w in value.replace("_", " ").split() if w]


def mentioned(text: Text, name: str, value: FactValue) -> bool:
    """Whether ``text`` states fact ``name`` with ``value`` (see the module docstring)."""
    if isinstance(value, bool):
        return words_mentioned(text, name)
    if isinstance(value, int | float):
        if value == 0:  # "no PET/CT has been performed": a zero is stated by naming the thing
            return text.states_number("0", fact_unit(name)) or words_mentioned(text, name)
        return text.states_number(num(value), fact_unit(name)) or _implied(text, name, value)
    if isinstance(value, list):
        return not value or any(mentioned(text, name, item) for item in value)
    value = str(value).strip()
    if not value:
        return True
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            iso = date.fromisoformat(value).isoformat()
            # a partial date ("06/13") states the chart's date when month and day agree
            return iso in text.dates or any(d.matches(iso) for d in text.date_mentions)
        except ValueError:
            pass
    words = _value_words(value)
    if len(words) <= 4:
        return all(
            any(has_words(text.norm, alt) for alt in (*ABBREVIATIONS.get(w.lower(), ()), w)) for w in words
        )
    # a long value (an exam finding, a list of services) is stated where it is written: half its words
    # on one line, not scattered over the whole text
    wanted = set(content_words(value))
    return any(
        len({w for w in wanted if has_words(line, w)}) >= 0.5 * len(wanted)
        for line in (text.lines or [text.norm])
    )


def addressed(rule: object, evidence: Evidence, as_of: date, text: Text) -> tuple[bool, list[str]]:
    """(addressed?, facts still to mention) for ``rule`` on the chart's ``evidence``."""
    if isinstance(rule, AllOf):
        parts = [addressed(r, evidence, as_of, text) for r in rule.of]
        missing = [m for ok, miss in parts if not ok for m in miss]
        return all(ok for ok, _ in parts), missing
    if isinstance(rule, AnyOf):
        met = [r for r in rule.of if r.evaluate(evidence, as_of).status == "met"]
        candidates = met or list(rule.of)
        results = [addressed(r, evidence, as_of, text) for r in candidates]
        if any(ok for ok, _ in results):
            return True, []
        return False, min((miss for _, miss in results), key=len)
    if isinstance(rule, Not):
        return addressed(rule.rule, evidence, as_of, text)
    name = getattr(rule, "fact", None)
    if name is None or name.startswith(REQUEST_FACT_PREFIXES):
        return True, []  # codes, document dates and the request's own fields are not narrative facts
    fact = evidence.latest(name)
    if fact is None or fact.document_id is None:
        return True, []  # the chart does not state it: nothing to cite
    return (True, []) if mentioned(text, name, fact.value) else (False, [name])


def rule_facts(rule: object) -> list[str]:
    """Every fact name a rule reads, in order (through ``all``, ``any`` and ``not``)."""
    if isinstance(rule, AllOf | AnyOf):
        return [f for r in rule.of for f in rule_facts(r)]
    if isinstance(rule, Not):
        return rule_facts(rule.rule)
    name = getattr(rule, "fact", None)
    return [name] if isinstance(name, str) else []


def deciding_facts(rule: object, evidence: Evidence, as_of: date) -> set[str]:
    """The facts the branch that decides ``rule`` on the chart reads: every part of an ``all``; of an
    ``any``, the branches the chart meets (all branches when none is met)."""
    if isinstance(rule, AllOf):
        return {f for r in rule.of for f in deciding_facts(r, evidence, as_of)}
    if isinstance(rule, AnyOf):
        met = [r for r in rule.of if r.evaluate(evidence, as_of).status == "met"]
        return {f for r in (met or rule.of) for f in deciding_facts(r, evidence, as_of)}
    if isinstance(rule, Not):
        return deciding_facts(rule.rule, evidence, as_of)
    name = getattr(rule, "fact", None)
    return {name} if isinstance(name, str) else set()


def about_fact(concept: str, unit: str | None, name: str) -> bool:
    """Whether a claim about ``concept`` (with a figure in ``unit``) speaks to chart fact ``name``: the
    figure has the fact's unit ("12 weeks" and ``conservative_care_weeks``), or the concept carries the
    words of the fact's name ("red flag: saddle anesthesia" and ``red_flag``)."""
    if unit is not None and fact_unit(name) == unit:
        return True
    groups = concept_words(name)
    norm = normalize(concept)
    return bool(groups) and bool(norm) and all(any(has_words(norm, alt) for alt in g) for g in groups)


def describe(name: str, evidence: Evidence) -> str:
    """``conservative care weeks: 8 (doc-02, 2026-02-20)`` for feedback."""
    fact = evidence.latest(name)
    label = name.replace("_", " ")
    if fact is None:
        return f"{label}: not stated in the chart"
    value = fact.value
    shown = (
        ("yes" if value else "no")
        if isinstance(value, bool)
        else (
            ", ".join(str(v).replace("_", " ") for v in value)
            if isinstance(value, list)
            else str(value).replace("_", " ")
        )
    )
    where = (
        f" ({fact.document_id}, {fact.document_date.isoformat()})"
        if fact.document_id and fact.document_date
        else ""
    )
    return f"{label}: {shown}{where}"
