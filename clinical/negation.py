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

from clinical.vocabulary import vocabulary

# words between a cue and the concept it negates, not counting other concepts' words, so a list after
# "denies" ("saddle numbness, urinary retention or incontinence, fever") stays in scope
_WINDOW_WORDS = 4
_FOLLOWING_WORDS = 4
_SCOPE_BREAK = re.compile(r"[():]")


@dataclass(frozen=True, slots=True)
class Cues:
    preceding: re.Pattern[str]
    following: re.Pattern[str]
    pseudo: re.Pattern[str]
    termination: re.Pattern[str]


def _alternation(phrases: list[str]) -> re.Pattern[str]:
    ordered = sorted({p.lower() for p in phrases if p.strip()}, key=len, reverse=True)
    body = "|".join(re.escape(p) for p in ordered)
    return re.compile(r"(?<![a-z0-9])(?:" + body + r")(?![a-z0-9])")


@lru_cache(maxsize=1)
def cues() -> Cues:
    base = termset("en_clinical").get_patterns()
    forms = vocabulary().forms
    following = [*base["following_negations"], *forms.negation_following_extra]
    return Cues(
        preceding=_alternation([*base["preceding_negations"], *forms.negation_preceding_extra]),
        following=re.compile(
            # ": none" starts with punctuation, so it cannot take the word-start guard
            "|".join(
                (re.escape(f) if not f[0].isalpha() else r"(?<![a-z0-9])" + re.escape(f)) + r"(?![a-z0-9])"
                for f in sorted(set(following), key=len, reverse=True)
            )
        ),
        pseudo=_alternation([*base["pseudo_negations"], *forms.pseudo_negation_extra]),
        termination=_alternation(base["termination"]),
    )


def negated_spans(clause: str, spans: list[tuple[int, int]]) -> list[bool]:
    """For each (start, end) of a concept in ``clause`` (lower case), whether NegEx calls it negated."""
    c = cues()
    pseudo = [m.span() for m in c.pseudo.finditer(clause)]

    def in_pseudo(a: int, b: int) -> bool:
        return any(ps <= a and b <= pe for ps, pe in pseudo)

    pre = [m.span() for m in c.preceding.finditer(clause) if not in_pseudo(*m.span())]
    post = [m.span() for m in c.following.finditer(clause) if not in_pseudo(*m.span())]
    stops = [m.start() for m in c.termination.finditer(clause)]
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
