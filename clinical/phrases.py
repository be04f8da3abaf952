"""A phrase matcher over word tokens (the job spaCy's PhraseMatcher does, without spaCy's memory).

Phrases are looked up by their first word, longest first, so matching a clause costs a dict lookup per
word instead of trying hundreds of regular-expression alternatives at every character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
Token = tuple[str, int, int]


def tokens(low: str) -> list[Token]:
    return [(m.group(0), m.start(), m.end()) for m in WORD.finditer(low)]


class PhraseIndex:
    """Phrases (lower case) with a label each. With ``open_end`` a phrase's last word matches at a word
    start ("taper" finds "tapering"); otherwise words match exactly."""

    def __init__(self, phrases: Iterable[tuple[str, str]], open_end: bool = False):
        by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrase, label in phrases:
            words = tuple(WORD.findall(phrase.lower()))
            if words:
                by_first.setdefault(words[0], []).append((words, label))
        self.by_first = {
            k: sorted(v, key=lambda item: (len(item[0]), len(" ".join(item[0]))), reverse=True)
            for k, v in by_first.items()
        }
        self.open_end = open_end
        # one-word phrases by length, for open-ended prefix look-ups ("tumors" -> "tumor")
        self._lengths = sorted({len(k) for k in self.by_first}, reverse=True)
        self._memo: dict[str, list[str]] = {}

    def _firsts(self, word: str) -> list[str]:
        """Phrase keys a word can start: itself, and (open-ended) any key it begins with; memoized, as
        clinical text repeats its words."""
        found = self._memo.get(word)
        if found is None:
            found = [word] if word in self.by_first else []
            if self.open_end:
                found += [word[:n] for n in self._lengths if 2 <= n < len(word) and word[:n] in self.by_first]
            if len(self._memo) < 200_000:
                self._memo[word] = found
        return found

    def find(self, toks: list[Token]) -> list[tuple[str, int, int]]:
        """(label, start, end) of each match, longest first at each word, never overlapping."""
        out: list[tuple[str, int, int]] = []
        i, n_tok = 0, len(toks)
        while i < n_tok:
            step = 1
            for first in self._firsts(toks[i][0]):
                hit = self._match_at(toks, i, first)
                if hit:
                    words, label = hit
                    out.append((label, toks[i][1], toks[i + len(words) - 1][2]))
                    step = len(words)
                    break
            i += step
        return out

    def _match_at(self, toks: list[Token], i: int, first: str) -> tuple[tuple[str, ...], str] | None:
        exact_first = toks[i][0] == first
        for words, label in self.by_first[first]:
            n = len(words)
            if i + n > len(toks):
                continue
            if n == 1:
                return words, label
            if not exact_first:
                continue  # only a one-word phrase may end inside the first word
            if all(toks[i + k][0] == words[k] for k in range(1, n - 1)):
                last = toks[i + n - 1][0]
                if last == words[-1] or (self.open_end and last.startswith(words[-1])):
                    return words, label
        return None
