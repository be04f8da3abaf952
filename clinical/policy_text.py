"""Pasted policy wording: runs of words a text shares with a policy passage.

A text that quotes a criterion to say it is met is fine; a text made of the policy's sentences
instead of the patient's facts is not. Both are measured with word 6-grams ("shingles"): a sentence
is pasted when most of its 6-grams occur in one policy passage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from clinical.normalize import sentences

_N = 6
_PASTED_SHARE = 0.6  # of a sentence's 6-grams found in a policy passage
_MIN_WORDS = 8  # shorter sentences ("Conservative care failed.") cannot be told from a paraphrase


_IDS = re.compile(r"\b[A-Z][A-Z]{1,9}-(?:[A-Z0-9]{1,10}-)*\d{3,}(?:\.\d+)*\b")


def _words(text: str) -> list[str]:
    """Words of a text, policy ids left out ("- LKS-MRI-001.2 — <criterion text>" is the criterion text)."""
    return re.findall(r"[a-z0-9]+", _IDS.sub(" ", text).lower())


def _grams(words: list[str]) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + _N]) for i in range(len(words) - _N + 1)]


@lru_cache(maxsize=512)
def _passage_grams(passage: str) -> frozenset[tuple[str, ...]]:
    return frozenset(_grams(_words(passage)))


def pasted_sentences(text: str, passages: Sequence[str]) -> dict[tuple[int, int], tuple[str, str]]:
    """Span of each pasted sentence -> ("policy", the passage's sentence it copies)."""
    if not passages:
        return {}
    out: dict[tuple[int, int], tuple[str, str]] = {}
    per_passage = [(p, _passage_grams(p)) for p in passages]
    pool = _pool(tuple(passages))
    words_all = _words(text)
    # fast path: a text with too few 6-grams from any passage has no pasted sentence
    if len(words_all) < _MIN_WORDS or sum(g in pool for g in _grams(words_all)) < _PASTED_SHARE * (
        _MIN_WORDS - _N + 1
    ):
        return out
    for start, end in sentences(text):
        words = _words(text[start:end])
        if len(words) < _MIN_WORDS:
            continue
        grams = _grams(words)
        if sum(g in pool for g in grams) < _PASTED_SHARE * len(grams):
            continue  # not even the union of the passages covers it
        for passage, pg in per_passage:
            if sum(g in pg for g in grams) >= _PASTED_SHARE * len(grams):
                out[(start, end)] = ("policy", _quote(passage, grams, pg))
                break
    return out


@lru_cache(maxsize=64)
def _pool(passages: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    """Every passage's 6-grams together (one look-up per gram before the per-passage check)."""
    pool: set[tuple[str, ...]] = set()
    for p in passages:
        pool |= _passage_grams(p)
    return frozenset(pool)


def _quote(passage: str, grams: list[tuple[str, ...]], pg: frozenset[tuple[str, ...]]) -> str:
    """The passage sentence that shares the most 6-grams with the pasted sentence."""
    best, score = passage[:200], -1
    for s, e in sentences(passage):
        sentence = passage[s:e]
        n = len(set(_grams(_words(sentence))) & set(grams))
        if n > score:
            best, score = sentence, n
    return best


def policy_text_share(text: str, passages: Sequence[str]) -> float:
    """Share of ``text``'s words covered by 6-grams that also occur in a policy passage (0..1)."""
    words = _words(text)
    if not words or not passages:
        return 0.0
    pool: set[tuple[str, ...]] = set()
    for p in passages:
        pool |= _passage_grams(p)
    covered = [False] * len(words)
    for i, g in enumerate(_grams(words)):
        if g in pool:
            for j in range(i, i + _N):
                covered[j] = True
    return round(sum(covered) / len(words), 4)
