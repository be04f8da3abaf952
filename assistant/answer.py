"""The offline answer to a policy question: sentences of the retrieved passages, each cited.

The answer leads with the best-ranked passage (the retriever ranks a policy that governs a code the
question names first), then adds the sentences of the next passages that share most words with the
question. A question about what is needed or required prefers the "Codes that need authorization" and
criterion sections and ends with the criteria of the policy found, each cited. Extractive only: nothing
is said that a cited passage does not say.
"""

from __future__ import annotations

import re

from assistant.brief import Brief
from assistant.guards import Corpus, instruction_like, passage_corpus, unsupported_facts
from assistant.retrieve import Passage, asks_requirements
from assistant.sections import sentences
from knowledge_base.models import Criterion
from knowledge_base.retrieval import tokenize

LEAD_SENTENCES = 2
MORE_SENTENCES = 3


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _row_sentence(header: list[str], row: list[str]) -> str:
    """'| CPT 72148 | MRI lumbar spine without contrast | 1 |' -> 'CPT 72148 (MRI lumbar spine without
    contrast), units per request: 1' — a table row a reader can quote."""
    if not row or not row[0]:
        return ""
    text = row[0] + (f" ({row[1]})" if len(row) > 1 and row[1] else "")
    extra = [f"{h}: {v}" for h, v in zip(header[2:], row[2:], strict=False) if v]
    return text + (", " + "; ".join(extra) if extra else "")


def passage_sentences(text: str, want: set[str] | None = None) -> list[str]:
    """Sentences of a policy passage: Markdown paragraphs and list items unwrapped, bold marks dropped
    (policy bodies wrap lines at about 100 characters). A table row becomes a sentence only when it
    shares a word with the question (``want``): a code table answers for the code asked about."""
    items: list[str] = []
    # a bold lead-in ("**Level 1 internal appeal.** File within …") stays with the sentence it introduces
    text = re.sub(r"\*\*([^*\n]+?)[.:]\*\*\s+", r"\1: ", text).replace("**", "")
    for block in re.split(r"\n\s*\n", text):
        merged: list[str] = []
        header: list[str] | None = None
        for line in block.splitlines():
            if not line.strip():
                continue
            if line.lstrip().startswith("|"):
                cells = _cells(line)
                if header is None:
                    header = cells
                elif (
                    not all(re.fullmatch(r":?-+:?", c) for c in cells if c)
                    and want
                    and want & set(tokenize(line))
                ):
                    merged.append(_row_sentence(header, cells))
                continue
            if not merged or re.match(r"\s*([-*+]|\d+\.)\s", line):
                merged.append(re.sub(r"^\s*([-*+]|\d+\.)\s+", "", line).strip())
            else:
                merged[-1] += " " + line.strip()
        items += [m for m in merged if m]
    return [s for item in items for s in sentences(item)]


def _is_requirement(p: Passage) -> bool:
    return bool(p.hit.criterion_id) or p.hit.section.lower().startswith(("codes that need", "documentation"))


def _criterion_line(brief: Brief, crit: Criterion) -> str:
    """The criterion's text when its passages state every figure in it (the fact guard checks cited text
    only); else the criterion's section title, which the passage carries."""
    own = [p for p in brief.passages if p.hit.criterion_id == crit.id]
    title = own[0].hit.section.split("—", 1)[-1].strip() if own else crit.id
    grounded = not unsupported_facts(crit.text, passage_corpus(Corpus(), own))
    return f"- {crit.id} — {crit.text if grounded else title}{brief.cite(criterion=crit.id)}"


def answer(brief: Brief) -> str:
    question = brief.question or ""
    want = set(tokenize(question))
    need = 1 if len(want) <= 3 else 2
    wants_requirements = asks_requirements(question)

    def usable(s: str) -> bool:
        return len(s.split()) >= 4 and not instruction_like(s)

    # 1. the lead: the top passage's sentences that share a word with the question (its rank is the answer)
    lead: list[tuple[int, int, str, str]] = []
    if brief.passages:
        top = brief.passages[0]
        scored = [
            (len(want & set(tokenize(s))), i, s) for i, s in enumerate(passage_sentences(top.hit.text, want))
        ]
        best = sorted([x for x in scored if x[0] >= 1 and usable(x[2])], key=lambda x: (-x[0], x[1]))[
            :LEAD_SENTENCES
        ]
        lead = [(0, i, s, top.label) for _, i, s in sorted(best, key=lambda x: x[1])]
    # 2. more from the next passages; a requirement section counts with one shared word when that is asked
    quoted = {s for *_, s, _ in lead}
    more = []
    for rank, p in enumerate(brief.passages[1:4], start=1):
        floor = 1 if wants_requirements and _is_requirement(p) else need
        for i, s in enumerate(passage_sentences(p.hit.text, want)):
            overlap = len(want & set(tokenize(s)))
            if overlap >= floor and usable(s) and s not in quoted:
                more.append((-(overlap + (wants_requirements and _is_requirement(p))), rank, i, s, p.label))
    picked = sorted(more)[:MORE_SENTENCES]
    lines = [f"- {s} [{label}]" for _, _, s, label in lead]
    lines += [f"- {s} [{label}]" for _, _, _, s, label in sorted(picked, key=lambda f: (f[1], f[2]))]
    if not lines:
        return "No retrieved policy passage answers this question; rephrase it or name the payer and the service."
    out = "From the policies and manuals retrieved:\n" + "\n".join(lines)
    # 3. what the policy found requires, criterion by criterion (only criteria whose passage was retrieved)
    if wants_requirements and brief.policy is not None:
        listed = [_criterion_line(brief, c) for c in brief.policy.criteria if brief.labels(criterion=c.id)]
        if listed:
            out += f"\n\nCriteria of {brief.policy.id} ({brief.policy.title}):\n" + "\n".join(listed)
    return out
