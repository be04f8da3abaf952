"""The chart passages a letter's clinical summary and plan quote, chosen per service line.

Charts are written by many hands: an ASAM assessment says "Treatment history:" and "Placement:", a
mobility examination "Conditions limiting mobility:", an oncology note "Cancer:" and "Status:", a
treatment plan "Goals:" and "Review:". One generic label set ("History", "Assessment", "Plan") misses
most of them, so each service line names the labels its records use (read from the chart templates in
``scenarios/service_lines/*.yaml``) and the section titles that fit it. The mapping is data: one
``letter_sections`` block per line in its YAML, the generic labels after the line's own. Only chart text is quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.guards import instruction_like
from scenarios.content import LetterSections as SectionSpec
from scenarios.content import load_service_lines
from scenarios.models import ChartDocument

MAX_QUOTE = 280
# A label opens a sentence: "Treatment history: …", "DSM-5 criteria met: 7/11", "Exam (28-joint count): …"
_LABEL = re.compile(r"^([A-Za-z][A-Za-z0-9 /&()'+,-]{0,44}?)\s*:(?:\s|$)")
_BULLET = re.compile(r"^\s*[-*•]\s+")
_SENTENCE = re.compile(r"(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bMrs\.)(?<!\bvs\.)(?<=[.!?])\s+(?=[A-Z(])|\n+")
_FOLLOW_UP = re.compile(r"\bfollow[- ]?up\b", re.I)
_EXAM = re.compile(r"examination|exam\b", re.I)  # "the follow-up examination" is a finding, not a plan

GENERIC_SUMMARY = (
    "chief complaint",
    "reason for visit",
    "history",
    "hpi",
    "interval history",
    "subjective",
    "clinical history",
    "indication",
    "final diagnosis",
    "diagnosis",
    "assessment",
    "impression",
    "a/p",
)
GENERIC_PLAN = ("plan", "assessment and plan", "follow up plan", "follow up", "recommendation")


def spec_for(service_line: str) -> SectionSpec:
    """The service line's letter sections (``letter_sections`` in its case material, validated at load)."""
    return load_service_lines()[service_line].letter_sections


@dataclass(frozen=True)
class Part:
    """A labelled stretch of a chart line (label normalized, None when the line has none) or one sentence."""

    doc: ChartDocument
    label: str | None
    text: str
    line: int


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def clip(text: str) -> str:
    if len(text) <= MAX_QUOTE:
        return text
    cut = text[:MAX_QUOTE].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def _norm(label: str) -> str:
    return re.sub(r"[-\s]+", " ", label.lower()).strip()


def parts(doc: ChartDocument) -> list[Part]:
    """The document cut where a label opens a sentence; unlabelled sentences stay with the label before
    them on the same line. A part that is only a heading ("All six dimensions rated:") takes the lines
    that follow it, so a quote carries the content and not the bare heading."""
    raw: list[tuple[str | None, list[str], int]] = []
    for n, line in enumerate(doc.text.splitlines()):
        current: list[str] | None = None
        for s in sentences(_BULLET.sub("", line)):
            m = _LABEL.match(s)
            if m or current is None:
                current = [s]
                raw.append((_norm(m.group(1)) if m else None, current, n))
            else:
                current.append(s)
    out = []
    for i, (label, texts, n) in enumerate(raw):
        text = " ".join(texts)
        if text.endswith(":"):
            follow = [" ".join(t) for _, t, m in raw[i + 1 :] if m > n]
            text = heading_with_content(text, follow)
        out.append(Part(doc, label, text, n))
    return out


def heading_with_content(heading: str, following: list[str]) -> str:
    """'Heading: item 1; item 2; …' up to the quote length (the heading alone says nothing)."""
    taken: list[str] = []
    for item in following:
        # the items under a heading look alike (all labelled "D1 …:" or all not); the next section differs
        if len(heading) + sum(len(t) + 2 for t in taken) > MAX_QUOTE or (
            bool(_LABEL.match(item)) != bool(_LABEL.match(following[0]))
        ):
            break
        taken.append(item.rstrip("."))
    return f"{heading} {'; '.join(taken)}".strip() if taken else heading


def _rank(label: str | None, wanted: tuple[str, ...]) -> int | None:
    """Index of the entry naming ``label``; an entry lists synonyms ("neurological exam|neuro"), so the
    newest document's wording wins and an older note's synonym is not quoted beside it."""
    if label is None:
        return None
    return next(
        (
            i
            for i, entry in enumerate(wanted)
            if any(re.match(rf"{re.escape(w)}(?![\w/])", label) for w in entry.split("|"))
        ),
        None,
    )


def _pick(candidates: list[tuple[int, Part]], limit: int) -> list[Part]:
    """One part per label (the earliest-ranked label first, the first document in the given order)."""
    seen_labels: set[int] = set()
    seen_text: set[str] = set()
    out = []
    for rank, part in sorted(candidates, key=lambda c: c[0]):
        if rank in seen_labels or part.text in seen_text:
            continue
        seen_labels.add(rank)
        seen_text.add(part.text)
        out.append(part)
    return out[:limit]


def summary_parts(docs: list[ChartDocument], spec: SectionSpec, limit: int = 5) -> list[Part]:
    """History, findings and assessment as the chart labels them, newest document first per label."""
    wanted = tuple(dict.fromkeys((*spec.summary_labels, *GENERIC_SUMMARY)))
    plan = (*spec.plan_labels, *GENERIC_PLAN)
    candidates: list[tuple[int, Part]] = []
    for doc in sorted(docs, key=lambda d: d.date, reverse=True):
        for part in parts(doc):
            if instruction_like(part.text) or _rank(part.label, plan) is not None:
                continue
            rank = _rank(part.label, wanted)
            if (
                rank is None
                and part.label is None
                and any(re.search(p, part.text, re.I) for p in spec.summary_patterns)
            ):
                rank = len(wanted)  # an unlabelled statement the line's records use (after labelled ones)
            if rank is not None:
                candidates.append((rank, _without_plan(part, spec)))
    return _pick(candidates, limit)


def _without_plan(part: Part, spec: SectionSpec) -> Part:
    """'Impression: radiculopathy. Ordering MRI …': the order sentence belongs to the plan, not the summary."""
    said = sentences(part.text)
    cut = next(
        (i for i, s in enumerate(said) if i and any(re.search(p, s, re.I) for p in spec.plan_patterns)), None
    )
    return part if cut is None else Part(part.doc, part.label, " ".join(said[:cut]), part.line)


def plan_parts(
    docs: list[ChartDocument],
    spec: SectionSpec,
    ordering_name: str,
    limit: int = 3,
    exclude: set[str] | None = None,
) -> list[Part]:
    """The plan as the chart states it: labelled plan parts (the ordering provider's documents first,
    newest first), else a sentence the line's plan patterns or a follow-up mention pick out."""
    exclude = exclude or set()
    wanted = tuple(dict.fromkeys((*spec.plan_labels, *GENERIC_PLAN)))
    ranked = sorted(docs, key=lambda d: (ordering_name not in d.author, -d.date.toordinal()))
    candidates: list[tuple[int, Part]] = []
    for doc in ranked:
        for part in parts(doc):
            rank = _rank(part.label, wanted)
            if rank is not None and part.text not in exclude and not instruction_like(part.text):
                candidates.append((rank, part))
    found = _pick(candidates, limit)
    if len(found) >= limit:
        return found
    # an unlabelled follow-up sentence ("Post-discharge ECG at 1 week, clinic every 3 months.") completes
    # the plan: the newest of the ordering provider's first, whichever pattern it matches
    patterns = [re.compile(p, re.I) for p in spec.plan_patterns]

    def is_plan(sentence: str) -> bool:
        return any(p.search(sentence) for p in patterns) or bool(
            _FOLLOW_UP.search(sentence) and not _EXAM.search(sentence)
        )

    quoted = exclude | {p.text for p in found}
    for doc in ranked:
        for s in sentences(doc.text):
            if not instruction_like(s) and not any(s in q for q in quoted) and is_plan(s):
                return [*found, Part(doc, None, clip(s), -1)]
    return found
