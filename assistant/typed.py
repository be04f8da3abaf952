"""Drafts for a request typed by hand: the payer, the codes, the diagnoses and the clinical notes pasted
in (no generated case behind them).

The pasted notes are the record. The letter quotes them and nothing else about the patient; every guard
checks the text against them (with the typed request and the cited policy passages): a claim, figure or
date the notes do not state is listed, exactly as for a case draft. What a typed request cannot have:
structured chart facts, so a criterion is marked *addressed* when a sentence of the notes speaks to it
(the words of the facts it reads), never *met* by computation; and no payer pre-check, since the
simulated payer has no member file for a patient typed by hand. Both limits are said in the warnings.

A code the payer does not require authorization for is refused (:class:`NoAuthorizationNeeded`), as
for a case. Offline composer only: a model would need the structured case data the pipeline builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from chromadb import Documents, EmbeddingFunction

from assistant.acceptance import review
from assistant.appeals import AssistantInputError, NoAuthorizationNeeded
from assistant.brief import Brief, code_title, quote
from assistant.guards import instruction_like
from assistant.models import ChecklistItem, Draft, EvidenceItem
from assistant.retrieve import Retriever
from assistant.sections import clip, sentences
from knowledge_base.criteria import Evidence
from knowledge_base.loader import Library, load_library
from knowledge_base.models import Policy
from scenarios.models import ChartDocument
from settings import Settings

NOTES_ID = "pasted-notes"
MIN_NOTE_WORDS = 8
_CODE = re.compile(r"^(?:[0-9]{5}|[A-Z][0-9]{4}|[0-9]{4}T)$")
LIMITS = (
    "Drafted from a request typed by hand: the checklist shows which criteria the pasted notes address, "
    "not whether they are met (the payer's reviewer decides that); there is no simulated-payer pre-check, "
    "because the payer has no member file for a patient typed by hand."
)


@dataclass(frozen=True)
class TypedRequest:
    """What a coordinator types: the payer id, procedure codes, diagnosis codes and the pasted notes."""

    payer: str
    codes: list[str]
    as_of: date  # the day the letter is dated: the caller's today (rule code never reads the clock)
    diagnoses: list[str] = field(default_factory=list)
    notes: str = ""

    def record(self) -> str:
        """The typed request and the notes: everything the guards accept as said about this patient."""
        return "\n".join(
            [
                f"Codes: {' '.join(self.codes)}",
                f"Diagnoses: {' '.join(self.diagnoses)}",
                f"Date: {self.as_of.isoformat()}",
                self.notes,
            ]
        )


def parse_codes(text: str) -> list[str]:
    """Codes as typed, upper case, without repeats.

    >>> parse_codes("72148, 72149;m54.16 72148")
    ['72148', '72149', 'M54.16']
    """
    return list(dict.fromkeys(c.strip().upper() for c in re.split(r"[\s,;]+", text or "") if c.strip()))


def _validate(request: TypedRequest, library: Library) -> Policy:
    try:
        library.check_payer(request.payer)
    except ValueError as exc:
        raise AssistantInputError(str(exc)) from None
    if not request.codes:
        raise AssistantInputError("CPT/HCPCS codes: none given; type the procedure code(s), e.g. 72148")
    bad = [c for c in request.codes if not _CODE.match(c)]
    if bad:
        raise AssistantInputError(
            f"CPT/HCPCS codes: {', '.join(bad)} is not a procedure code; a CPT code has 5 digits (72148), "
            "a HCPCS code a letter and 4 digits (E0601)"
        )
    if len(request.notes.split()) < MIN_NOTE_WORDS:
        raise AssistantInputError(
            "Clinical notes: paste the notes the letter is written from (history, findings, treatment so "
            "far); the draft states nothing the notes do not."
        )
    manual = library.manual(request.payer)
    policy = next((p for c in request.codes if (p := library.policy_for_code(request.payer, c))), None)
    if policy is None:
        raise NoAuthorizationNeeded(
            f"No authorization is needed, so there is nothing to draft: no {manual.name} policy governs "
            f"{', '.join(request.codes)}. Check the payer's code list before scheduling."
        )
    governed = [policy.code(c) for c in request.codes if policy.code(c)]
    if governed and all(pc is not None and not pc.auth_required for pc in governed):
        raise NoAuthorizationNeeded(
            f"No authorization is needed, so there is nothing to draft: {policy.id} ({manual.name}) lists "
            f"{', '.join(request.codes)} without prior authorization."
        )
    return policy


def _checklist(policy: Policy, notes: ChartDocument, request: TypedRequest) -> list[ChecklistItem]:
    """Each criterion with the sentences of the notes that speak to the facts it reads; one whose
    applicability reads only the request's codes (contrast codes, say) is settled by them."""
    codes = Evidence(procedure_codes=request.codes, diagnosis_codes=request.diagnoses)
    items = []
    for crit in policy.criteria:
        if crit.applies_if is not None and crit.applies_if.evaluate(codes, request.as_of).status == "not_met":
            note = "Does not apply to this request, so it counts as met."
            items.append(
                ChecklistItem(criterion_id=crit.id, text=crit.text, status="met", applies=False, note=note)
            )
            continue
        said: list[EvidenceItem] = []
        for fact in sorted(crit.rule.facts_used()):
            if fact.startswith(("request.", "patient.")):
                continue
            sentence = quote(notes, fact, True)
            if sentence and sentence not in {e.says for e in said}:
                said.append(EvidenceItem(fact=fact, value=True, title="the pasted notes", says=sentence))
        items.append(
            ChecklistItem(
                criterion_id=crit.id,
                text=crit.text,
                status="met" if said else "not_evidenced",
                evidence=said,
                note="Addressed in the pasted notes; the payer's reviewer decides whether it is met."
                if said
                else "The pasted notes do not speak to this criterion.",
            )
        )
    return items


def _compose(
    request: TypedRequest, policy: Policy, brief: Brief, checklist: list[ChecklistItem], payer_name: str
) -> str:
    open_items = [c for c in checklist if c.status != "met"]
    query = brief.kind == "provider_query"
    lines = [
        f"{payer_name} — Utilization Management",
        ("Query to the ordering provider" if query else "Prior authorization request") + f": {policy.title}",
        f"Date: {request.as_of.isoformat()}",
        f"Policy: {policy.id} {policy.title}",
        "",
        "Requested service",
    ]
    for code in request.codes:
        pc = policy.code(code)
        lines.append(f"- {pc.system + ' ' if pc else ''}{code} {pc.display if pc else ''}".rstrip())
    lines += [f"- Diagnosis: {d} {code_title(d)}".rstrip() for d in request.diagnoses]
    lines += ["", "Clinical summary (from the notes provided)"]
    kept = [s for s in sentences(request.notes) if not instruction_like(s)]
    lines += [f'- "{clip(s)}"' for s in kept[:8]]
    lines += ["", "Criteria"]
    for item in checklist:
        lines.append(f"- {item.criterion_id} — {item.text}{brief.cite(criterion=item.criterion_id)}")
        if not item.applies:
            lines.append("  Does not apply to this request.")
        elif item.evidence:
            lines += [f'  The notes state: "{e.says}"' for e in item.evidence]
        else:
            lines.append("  The notes provided do not show this yet.")
    docs = [f"- {d.description}" for d in policy.documentation]
    if docs:
        lines += ["", f"Documentation the policy requires{brief.cite(section='Documentation')}", *docs]
    lines.append("")
    if query:
        lines.append(
            "Please send the records that show "
            + "; ".join(c.criterion_id for c in open_items)
            + ", or tell us they are not documented; no request will be sent that the policy does not support."
        )
    else:
        lines.append("The pasted notes are enclosed. Please contact the ordering provider with any question.")
    return "\n".join(lines)


def _brief(
    request: TypedRequest,
    kind: str,
    settings: Settings,
    library: Library,
    embedding: EmbeddingFunction[Documents] | None,
) -> Brief:
    policy = _validate(request, library)
    retriever = Retriever(settings, embedding)
    passages = retriever.for_policy(policy, library.manual(request.payer), request.codes, request.diagnoses)
    # the guards' record is the typed request and the notes (Brief.question is what they check against)
    return Brief(
        kind="provider_query" if kind == "provider_query" else "narrative",
        requested_kind="provider_query" if kind == "provider_query" else "narrative",
        passages=passages,
        question=request.record(),
        payer=request.payer,
        policy=policy,
    )


def _finish(brief: Brief, text: str, checklist: list[ChecklistItem], backend: str) -> Draft:
    checked = review(brief, text)
    warnings = [LIMITS]
    if brief.kind != brief.requested_kind:
        warnings.append(
            "A narrative was asked for, but the pasted notes do not address every criterion: this is the "
            "query to the ordering provider instead."
        )
    warnings += [f"{c.criterion_id}: {c.note}" for c in checklist if c.status != "met"]
    warnings += checked.problems
    return Draft(
        kind=brief.kind,
        requested_kind=brief.requested_kind,
        policy_id=brief.policy.id if brief.policy else None,
        text=checked.text,
        citations=checked.citations,
        criteria=checklist,
        warnings=list(dict.fromkeys(warnings)),
        unsupported_facts=checked.unsupported_tokens,
        unsupported_claims=[f.message for f in checked.claims],
        problems=checked.problems,
        backend=backend,
    )


def draft_typed(
    request: TypedRequest,
    kind: str = "narrative",
    *,
    settings: Settings | None = None,
    library: Library | None = None,
    embedding: EmbeddingFunction[Documents] | None = None,
) -> Draft:
    """A narrative (or, where the notes leave a criterion open, a provider query) from a typed request."""
    settings, library = settings or Settings(), library or load_library()
    brief = _brief(request, kind, settings, library, embedding)
    assert brief.policy is not None
    notes = ChartDocument(
        id=NOTES_ID, kind="notes", date=request.as_of, author="", title="the pasted notes", text=request.notes
    )
    checklist = _checklist(brief.policy, notes, request)
    if brief.kind == "narrative" and any(c.status != "met" for c in checklist):
        brief.kind = "provider_query"
    text = _compose(request, brief.policy, brief, checklist, library.manual(request.payer).name)
    return _finish(brief, text, checklist, "offline")


def check_typed(
    request: TypedRequest,
    draft: Draft,
    text: str,
    *,
    settings: Settings | None = None,
    library: Library | None = None,
    embedding: EmbeddingFunction[Documents] | None = None,
) -> Draft:
    """An edit of a typed-request draft through the same guards, against the same notes."""
    settings, library = settings or Settings(), library or load_library()
    brief = _brief(request, draft.requested_kind, settings, library, embedding)
    brief.kind = draft.kind
    return _finish(brief, text, list(draft.criteria), "edited")
