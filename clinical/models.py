"""The claim checker's contracts: a claim found in a text, a source it is checked against, a finding.

Claims and findings are frozen dataclasses (the grader checks thousands of texts a second; pydantic
validation of every intermediate result would cost more than the check). :class:`Source` is the
boundary callers fill in, so it is a pydantic model and bad input is refused with the field named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from knowledge_base.criteria import FactValue

ClaimKind = Literal[
    "finding",
    "negated_finding",
    "therapy",
    "duration",
    "rate",  # how often: "2 times/week", "4 days/week" (never a duration)
    "count",
    "score",
    "dose",
    "size",
    "stage",
    "lab",
    "date",
    "regulation",
    "reference",
    "statement",  # a whole sentence, only used for pasted policy text
]
Verdict = Literal["supported", "contradicted", "unsupported", "policy_text"]
SourceKind = Literal["policy", "chart", "notice", "case"]


@dataclass(frozen=True, slots=True)
class Claim:
    """One clinical assertion in a text.

    ``sentence`` is the sentence as written and ``span`` its (start, end) offsets in the checked text;
    ``surface`` is the claim's words after :func:`clinical.normalize`; ``value``/``unit`` are set for
    figures (unit is a class: ``week``, ``mg``, ``/10`` ...), ``concept`` is the canonical vocabulary
    term the claim is about (``physical therapy``, ``red flag: saddle anesthesia``, ``pain``).
    """

    kind: ClaimKind
    sentence: str
    span: tuple[int, int]
    surface: str
    concept: str = ""
    value: str | None = None
    unit: str | None = None
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a verdict comes from: a source id and the passage quoted from it."""

    source_id: str
    passage: str


@dataclass(frozen=True, slots=True)
class Finding:
    claim: Claim
    verdict: Verdict
    evidence: Evidence | None
    message: str

    @property
    def is_problem(self) -> bool:
        return self.verdict != "supported"


class Source(BaseModel):
    """A text the claims may be checked against: a chart document, the case record, a policy passage."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1, max_length=200)
    kind: SourceKind
    text: str = Field(default="", max_length=400_000)
    facts: dict[str, FactValue | list[str]] = Field(default_factory=dict)
    title: str = ""


@dataclass(slots=True)
class SourceFigure:
    """A figure a source states, with the concepts written in the same clause."""

    value: str
    unit: str | None
    kind: str
    concepts: frozenset[str]
    source_id: str
    passage: str
    # "at least 3 days a week", "up to 40 units": a limit the text sets, not a value it states
    bound: bool = False


@dataclass(slots=True)
class SourceMention:
    """A vocabulary concept a source mentions, affirmed or negated."""

    concept: str
    negated: bool
    source_id: str
    passage: str
    # a therapy named after a plan/goals noun ("Plan: MRI and plan epidural steroid injection"): the
    # chart intends it, which is no evidence that it happened
    planned: bool = False


@dataclass(slots=True)
class SourceIndex:
    """Everything the sources state, prepared once (per case) and reused for every text checked."""

    figures: list[SourceFigure] = field(default_factory=list)
    mentions: dict[str, list[SourceMention]] = field(default_factory=dict)
    dates: dict[str, tuple[str, str]] = field(default_factory=dict)  # iso -> (source id, passage)
    stages: list[SourceFigure] = field(default_factory=list)
    strings: list[tuple[str, str, str]] = field(default_factory=list)  # (lower text, source id, kind)
    numbers: set[str] = field(default_factory=set)
    ratios: set[tuple[str, str]] = field(default_factory=set)
