"""Whether a draft may be kept: the guards that an LLM draft must pass, and that every draft reports.

A draft is ACCEPTED only when
- every citation names a passage the retriever returned (others, in any format, were removed),
- every clinical claim is found in the case or in the cited passages (the claim checker, :mod:`clinical`:
  findings with negation, durations, counts, scores, doses, sizes, stages, therapies, dates,
  regulations, references) and every number, date and code occurs in them (the token check),
- it addresses no verdict to the reviewer ("APPROVED", "must approve", "all criteria met"),
- every redaction placeholder was restored, and it is a whole draft, not a fragment,
- it carries its kind's administrative elements, addresses every applicable criterion with the chart's
  facts, and reads as the kind asked for (a query stays a query): :mod:`assistant.letter_checks`.
The LLM drafter asks once more with the problems stated, then falls back to the offline draft
(:mod:`assistant.llm`); the pipeline reports the problems of whatever it keeps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.brief import Brief, case_data_text, code_title, humanize
from assistant.guards import (
    Corpus,
    case_corpus,
    fragment_problem,
    leftover_placeholders,
    passage_corpus,
    resolve_citations,
    unsupported_facts,
    verdict_phrases,
)
from assistant.letter_checks import kind_problem, missing_elements, unaddressed_criteria
from assistant.models import Citation
from clinical import ClaimChecker, Finding, Source
from simulator.evidence import request_facts
from simulator.view import build_view

_CHECKLIST_LINE = re.compile(r"^- \S+ \[(?:met|not_met|not_evidenced)\] ")


@dataclass
class Review:
    """What the guards found in one draft text."""

    text: str  # the text kept: invalid citations removed
    citations: list[Citation]
    citation_warnings: list[str] = field(default_factory=list)
    claims: list[Finding] = field(default_factory=list)  # unsupported or contradicted claims only
    unsupported_tokens: list[str] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    fragment: str | None = None
    missing_elements: list[str] = field(default_factory=list)  # administrative elements of its kind
    unaddressed: list[str] = field(default_factory=list)  # applicable criteria not addressed with facts
    wrong_kind: str | None = None  # why it does not read as the kind asked for

    @property
    def accepted(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> list[str]:
        """Plain sentences, for the retry prompt and the Draft's warnings."""
        out = list(self.citation_warnings)
        out += [f"Claim {f.verdict}: {f.message}" for f in self.claims]
        out += [
            f"Unsupported: {tok!r} is in the draft but not in the case or the cited policy text."
            for tok in self.unsupported_tokens
        ]
        out += [
            f'Verdict addressed to the reviewer: "{v}"; the payer decides, the draft only presents the facts.'
            for v in self.verdicts
        ]
        out += [
            f"Placeholder not restored: {p}; identifiers must come back exactly." for p in self.placeholders
        ]
        if self.fragment:
            out.append(f"Incomplete draft: {self.fragment}.")
        if self.missing_elements:
            out.append("Missing from the draft: " + "; ".join(self.missing_elements) + ".")
        out += [
            f"Criterion not addressed with the chart's facts: {c}; say what the chart shows for it "
            "and the document that shows it."
            for c in self.unaddressed
        ]
        if self.wrong_kind:
            out.append(f"Wrong kind of document: {self.wrong_kind}.")
        return out


def _corpus_for(brief: Brief, cited: set[str]) -> Corpus:
    """Every token (number, date, code) the draft may use: the case, the request, cited passages."""
    a = brief.analysis
    if a is None:
        return passage_corpus(
            Corpus().add(brief.question or ""), [p for p in brief.passages if p.chunk_id in cited]
        )
    corpus = case_corpus(a.case)
    corpus.add(
        a.submission.model_dump_json(),
        a.at.date().isoformat(),
        *(code_title(c) for c in a.submission.diagnoses),
        *request_facts(build_view(a.case, a.submission, a.library), a.policy).values(),
    )
    if brief.denial is not None:
        corpus.add(brief.denial.model_dump_json())
        if brief.denied_submission is not None:
            corpus.add(brief.denied_submission.model_dump_json())
    for target in (brief.appeal, brief.p2p):
        if target is not None:
            corpus.add(target.model_dump_json())
    cited_passages = [p for p in brief.passages if p.chunk_id in cited]
    named = {p.hit.criterion_id for p in cited_passages}
    for crit in a.policy.criteria if a.policy else []:
        if crit.id in named:  # a cited criterion's rule names its facts (e.g. dsm5_criteria_count)
            names = crit.rule.facts_used() | (crit.applies_if.facts_used() if crit.applies_if else set())
            corpus.add(*names, *(humanize(n) for n in names))
    return passage_corpus(corpus, cited_passages)


def claim_checker(brief: Brief, cited: set[str]) -> ClaimChecker:
    """The claim checker over the case (chart and record), what the assistant prepared (the case data a
    model is given) and the passages the draft cites."""
    passages = [
        Source(
            id=p.chunk_id,
            kind="policy",
            title=f"the policy passage [{p.label}]",
            text=p.hit.text,
            facts={"ids": [p.label, p.hit.policy_id, *([p.hit.criterion_id] if p.hit.criterion_id else [])]},
        )
        for p in brief.passages
        if p.chunk_id in cited
    ]
    a = brief.analysis
    if a is None:  # an answer, or a typed request (its record is the question): the policy's own
        # criteria and documentation wording is policy text, never a claim about the patient
        rules = (
            [
                Source(
                    id=brief.policy.id,
                    kind="policy",
                    title="the policy's criteria",
                    text="\n".join(
                        [
                            *(c.text for c in brief.policy.criteria),
                            *(d.description for d in brief.policy.documentation),
                        ]
                    ),
                )
            ]
            if brief.policy is not None
            else []
        )
        return ClaimChecker(
            [Source(id="question", kind="case", text=brief.question or ""), *rules, *passages]
        )
    # the case data a model is given; the criteria's own wording is policy text, not patient facts
    lines = case_data_text(brief).splitlines()
    data = "\n".join(ln for ln in lines if not _CHECKLIST_LINE.match(ln))
    criteria = "\n".join(_CHECKLIST_LINE.sub("", ln) for ln in lines if _CHECKLIST_LINE.match(ln))
    prepared = Source(id="prepared", kind="case", title="the prepared request", text=data)
    policy = Source(
        id=a.policy.id if a.policy else "policy", kind="policy", title="the policy's criteria", text=criteria
    )
    return ClaimChecker.for_case(a.case).with_sources([prepared, policy, *passages])


def review(brief: Brief, text: str, cited_ids: list[str] | None = None) -> Review:
    """Every guard over one draft text (see the module docstring)."""
    kept, citations, cite_warnings = resolve_citations(text, brief.passages, cited_ids or [])
    cited = {c.chunk_id for c in citations}
    checker = claim_checker(brief, cited)
    claims = [f for f in checker.check(kept) if f.verdict in ("unsupported", "contradicted")]
    return Review(
        text=kept,
        citations=citations,
        citation_warnings=cite_warnings,
        claims=claims,
        unsupported_tokens=unsupported_facts(kept, _corpus_for(brief, cited)),
        verdicts=verdict_phrases(kept),
        placeholders=leftover_placeholders(kept),
        fragment=fragment_problem(kept) if brief.kind != "answer" else None,
        missing_elements=missing_elements(brief, kept),
        unaddressed=unaddressed_criteria(brief, kept),
        wrong_kind=kind_problem(brief, kept),
    )
