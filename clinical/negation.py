"""NegEx negation scope over one clause, with negspacy's clinical cue lists.

negspacy (a kept library) ships the NegEx cue lists (``termset("en_clinical")``) but applies them as a
spaCy pipeline component; importing spaCy costs ~85 MB of memory and ~0.9 s, more than the app's budget
allows (docs/grading.md, "Claim checking"), so the cue lists are used with this small scope rule:
a preceding cue negates concepts after it in the clause up to a termination cue ("but", "however") or
the word window; a following cue ("was ruled out", ": none") negates the concept just before it; a
pseudo-negation ("no change", "not only") negates nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from negspacy.termsets import termset

from clinical.phrases import PhraseIndex, Token, tokens
from clinical.vocabulary import vocabulary

# words between a cue and the concept it negates, not counting other concepts' words, so a list after
# "denies" ("saddle numbness, urinary retention or incontinence, fever") stays in scope
_WINDOW_WORDS = 4
_FOLLOWING_WORDS = 4
_SCOPE_BREAK = re.compile(r"[():]")


@dataclass(frozen=True, slots=True)
class Cues:
    words: PhraseIndex  # every word cue, labelled preceding / following / pseudo / termination
    punctuated: re.Pattern[str]  # following cues that start with punctuation (": none")


@lru_cache(maxsize=1)
def cues() -> Cues:
    base = termset("en_clinical").get_patterns()
    forms = vocabulary().forms
    following = [*base["following_negations"], *forms.negation_following_extra]
    labelled = [
        *((p, "pseudo") for p in [*base["pseudo_negations"], *forms.pseudo_negation_extra]),
        *((p, "preceding") for p in [*base["preceding_negations"], *forms.negation_preceding_extra]),
        *((p, "following") for p in following if p[0].isalpha()),
        *((p, "termination") for p in [*base["termination"], *forms.negation_termination_extra]),
    ]
    seen: dict[str, str] = {}
    for phrase, label in labelled:  # a phrase in two lists keeps the first (pseudo wins)
        seen.setdefault(phrase.lower(), label)
    punct = sorted({p for p in following if not p[0].isalpha()}, key=len, reverse=True)
    return Cues(
        PhraseIndex(seen.items()),
        re.compile("|".join(re.escape(p) + r"(?![a-z0-9])" for p in punct)),
    )


def negated_spans(clause: str, spans: list[tuple[int, int]], toks: list[Token] | None = None) -> list[bool]:
    """For each (start, end) of a concept in ``clause`` (lower case), whether NegEx calls it negated."""
    c = cues()
    found = c.words.find(tokens(clause) if toks is None else toks)  # pseudo cues consume their words
    pre = [(a, b) for label, a, b in found if label == "preceding"]
    post = [(a, b) for label, a, b in found if label == "following"]
    if ":" in clause or "-" in clause:
        post += [m.span() for m in c.punctuated.finditer(clause)]
    stops = [a for label, a, _b in found if label == "termination"]
    out = []
    for start, end in spans:
        negated = False
        for ps, pe in pre:
            # a cue may end inside the concept ("no prior" + "prior lumbar surgery")
            if ps < start and pe <= end and not any(pe <= s < start for s in stops):
                pe = min(pe, start)
                between = clause[pe:start]
                if _SCOPE_BREAK.search(between):
                    continue
                covered = sum(len(clause[a:b].split()) for a, b in spans if pe <= a and b <= start)
                if len(between.split()) - covered <= _WINDOW_WORDS:
                    negated = True
        for ps, _pe in post:
            if ps >= end and not any(end <= s < ps for s in stops):
                between = clause[end:ps]
                if len(between.split()) <= _FOLLOWING_WORDS and not re.search(r"[,(]", between):
                    negated = True
        out.append(negated)
    return out
