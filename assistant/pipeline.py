"""The drafting pipeline: case → retrieval → checklist → attachments → draft → guards → pre-check.

:func:`draft_case` is the whole pipeline; :func:`stream_draft` is the same with the text streamed;
:func:`ask` answers a policy question from retrieved passages. The kind asked for is a wish: when the
chart does not support a request (a criterion not met or not shown, a required document missing, a
code only the provider can settle) the draft is the query to the ordering provider instead of a letter
that overstates the case, and the Draft says why.
"""

from __future__ import annotations

from collections.abc import Iterator

from chromadb import Documents, EmbeddingFunction

from assistant.acceptance import review
from assistant.analysis import Analysis, analyze
from assistant.appeals import (
    AssistantInputError,
    NoAuthorizationNeeded,
    appeal_target,
    appeal_time,
    resolve_denial,
)
from assistant.brief import Brief, quote
from assistant.drafters import Drafter, Written, make_drafter
from assistant.guards import injection_findings
from assistant.models import DRAFT_KINDS, ChecklistItem, Draft, DraftKind, Precheck, PrecheckAction
from assistant.retrieve import Retriever, asks_requirements, merge
from knowledge_base.loader import Library, load_library
from scenarios.models import Action, Appeal, Case, PeerToPeer, ProviderQuery, Submission
from settings import Settings
from simulator import adjudicate, decide_appeal, request_peer_to_peer
from simulator.models import Determination


def prepare(
    case: Case,
    kind: DraftKind,
    retriever: Retriever,
    library: Library,
    *,
    submission: Submission | None = None,
    determination: Determination | None = None,
    draft_anyway: bool = False,
) -> Brief:
    """Everything a drafter needs, and the kind the chart actually supports. A request the payer needs
    no authorization for is refused (:class:`NoAuthorizationNeeded`) unless ``draft_anyway``."""
    if kind not in DRAFT_KINDS or kind == "answer":
        raise AssistantInputError(
            f"kind: {kind!r} is not a case draft; use narrative, appeal, p2p or provider_query"
        )
    brief = Brief(kind=kind, requested_kind=kind)
    if kind in ("appeal", "p2p"):
        prepared = analyze(case, library).submission
        denied, denial = resolve_denial(
            case, library, submission=submission, determination=determination, prepared=prepared
        )
        a = analyze(case, library, at=appeal_time(case, denial), base=denied)
        brief.denial, brief.denied_submission = denial, denied
        brief.appeal = appeal_target(a.manual, denial)
        brief.p2p = appeal_target(a.manual, denial, peer_to_peer=True)
        if kind == "appeal" and brief.appeal is None:
            raise AssistantInputError("determination: no appeal level is open against this determination")
    else:
        a = analyze(case, library, base=submission)
        if not draft_anyway:
            refuse_without_authorization(a)
    if a.policy is None:
        raise AssistantInputError(
            f"case: {a.manual.name} has no policy for {case.order.service_line}; nothing to draft"
        )
    brief.analysis = a
    brief.passages = retriever.for_policy(
        a.policy, a.manual, [ln.code for ln in a.submission.procedures], a.submission.diagnoses
    )
    if brief.denial is not None:
        level = brief.appeal.name if brief.appeal else "appeal"
        brief.passages += retriever.for_manual(
            a.manual.id, f"{level} appeals filing deadline days decision", k=3
        )
        if kind == "p2p":
            brief.passages += retriever.for_manual(
                a.manual.id, "peer-to-peer conversation medical director denial", k=2
            )
        brief.passages = list({p.chunk_id: p for p in brief.passages}.values())
    if kind != "provider_query" and a.blocking:
        brief.kind = "provider_query"
    return brief


def refuse_without_authorization(a: Analysis) -> None:
    """Raise when the simulated payer says the prepared request needs no authorization (an emergency
    visit, a code or ordering specialty the policy exempts): the message names the payer's rule."""
    det = adjudicate(a.case, a.submission, library=a.library)
    if det.status != "no_auth_required":
        return
    said = [
        r.message for r in det.reasons if r.kind == "info" and r.edit not in ("approval", "appeal_rights")
    ]
    rule = " ".join(said[:2]) or "the request needs no prior authorization."
    raise NoAuthorizationNeeded(
        f"No authorization is needed, so there is nothing to draft: {a.manual.name}'s pre-check says "
        f"{rule} Schedule the service and close the case as no authorization needed."
    )


def _precheck(brief: Brief, text: str) -> tuple[Precheck, Action]:
    a = brief.analysis
    assert a is not None
    case = a.case
    new_ids = [d.id for d in a.new_documents]
    if brief.denial is not None and brief.denied_submission is not None:
        if brief.requested_kind == "p2p":
            p2p = PeerToPeer(at=a.at, talking_points=text[:20000], document_ids=new_ids)
            det = request_peer_to_peer(case, brief.denied_submission, brief.denial, p2p, library=a.library)
            return _summarize("peer_to_peer", det), p2p if brief.kind == "p2p" else _query(brief, text)
        level = brief.appeal.level if brief.appeal else "level1"
        appeal = Appeal(at=a.at, level=level, letter=text[:40000], document_ids=new_ids)
        det = decide_appeal(case, brief.denied_submission, brief.denial, appeal, library=a.library)
        return _summarize("appeal", det), appeal if brief.kind == "appeal" else _query(brief, text)
    sub = a.submission.model_copy(update={"narrative": text[:20000] if brief.kind == "narrative" else ""})
    det = adjudicate(case, sub, library=a.library)
    return _summarize("submission", det), sub if brief.kind == "narrative" else _query(brief, text)


def _query(brief: Brief, text: str) -> ProviderQuery:
    a = brief.analysis
    assert a is not None
    return ProviderQuery(at=a.at, message=text[:20000], criterion_ids=[c.criterion_id for c in a.not_met])


# the payer's statuses and stages in words (a summary is read by a coordinator, not parsed)
_STATUS_WORDS = {"no_auth_required": "no authorization required", "partially_approved": "partially approved"}
_STAGE_WORDS = {"auth_requirement": "authorization requirement", "front_end": "front-end edits"}


def _summarize(action: PrecheckAction, det: Determination) -> Precheck:
    issues = [r for r in det.reasons if r.kind in ("reject", "denial", "pend", "partial")]
    missing = list(det.request_for_information) + [r.message for r in issues if r.kind != "pend"]
    status = _STATUS_WORDS.get(det.status, det.status.replace("_", " "))
    stage = _STAGE_WORDS.get(det.stage, det.stage.replace("_", " "))
    head = f"{status} ({det.action_code or 'no HCR decision'}) at the {stage} stage"
    # without issues, say what the payer said (e.g. why no authorization is needed), not the approval echo
    said = issues or [
        r for r in det.reasons if r.kind == "info" and r.edit not in ("approval", "appeal_rights")
    ]
    summary = head + (": " + "; ".join(r.message for r in said[:3]) if said else ".")
    return Precheck(
        action=action,
        status=det.status,
        action_code=det.action_code,
        stage=det.stage,
        reasons=det.reasons,
        failed_criteria=[r.criterion_id for r in det.reasons if r.kind == "denial" and r.criterion_id],
        missing=missing,
        summary=summary,
    )


# what a warning calls each kind (the ids are not English: "p2p", "provider_query")
_KIND_NAMES = {
    "narrative": "narrative",
    "appeal": "appeal letter",
    "p2p": "peer-to-peer talking points",
    "provider_query": "provider query",
    "answer": "answer",
}


def _with_article(noun: str) -> str:
    """'an appeal letter', 'a narrative'; plural nouns ('talking points') take none."""
    if noun.endswith("points"):
        return noun[0].upper() + noun[1:]
    return ("An " if noun[0] in "aeiou" else "A ") + noun


def finish(brief: Brief, written: Written) -> Draft:
    """Guards, pre-check and warnings around what a drafter wrote."""
    a = brief.analysis
    assert a is not None
    checked = review(brief, written.text, written.cited_ids)
    text, citations, unsupported = checked.text, checked.citations, checked.unsupported_tokens
    precheck, action = _precheck(brief, text)  # on the text actually kept
    warnings: list[str] = []
    if brief.kind != brief.requested_kind:
        warnings.append(
            f"{_with_article(_KIND_NAMES[brief.requested_kind])} was asked for, but the chart does not "
            "support it yet (see the warnings below): this is the query to the ordering provider instead."
        )
    for fix in [*a.coded.fixes, *([a.member_fix] if a.member_fix else [])]:
        what = {"member_id": "member ID", "diagnosis": "diagnosis code", "procedure": "procedure code"}
        warnings.append(
            f"Changed {what.get(fix.field, fix.field)} {fix.original} -> {fix.proposed}: {fix.reason}"
        )
    warnings += a.coded.problems + a.coded.warnings + a.coverage_warnings + a.doc_gaps
    warnings += [f"{c.criterion_id}: {c.note}" for c in a.not_met]
    warnings += injection_findings(a.case)
    if written.rejected:
        warnings.append(
            f"The {written.rejected_backend or 'LLM'} draft was not used: " + " ".join(written.rejected[:6])
        )
    if brief.requested_kind == "p2p" and brief.p2p is None:
        warnings.append(
            f"{a.manual.name} offers no peer-to-peer review of this denial; file the "
            f"{brief.appeal.name if brief.appeal else 'appeal'} instead."
        )
    warnings += checked.problems  # citations dropped, claims not in the record, verdicts, placeholders
    if precheck.status not in ("approved", "partially_approved"):
        warnings.append(f"Pre-check: {precheck.summary}")
    if checked.claims:  # the pre-check reads the letter like a reviewer, not only the payer's rules
        warnings.append(
            f"Pre-check (claims): {len(checked.claims)} clinical claim(s) in the draft are not in the record."
        )
    return Draft(
        kind=brief.kind,
        requested_kind=brief.requested_kind,
        case_id=a.case.case_id,
        policy_id=a.policy.id if a.policy else None,
        text=text,
        citations=citations,
        criteria=_with_quotes(a),
        recommended_document_ids=[d.id for d in a.attachments],
        code_fixes=[*a.coded.fixes, *([a.member_fix] if a.member_fix else [])],
        warnings=list(dict.fromkeys(warnings)),
        unsupported_facts=unsupported,
        unsupported_claims=[f.message for f in checked.claims],
        problems=checked.problems,
        rejected_draft_problems=written.rejected,
        submission=a.submission,
        action=action,
        appeal=brief.appeal if brief.requested_kind != "p2p" else (brief.p2p or brief.appeal),
        precheck=precheck,
        backend=written.backend,
        fallback_reason=written.fallback_reason,
    )


def _with_quotes(a: Analysis) -> list[ChecklistItem]:
    """The checklist with each fact's chart sentence, so a reader sees what the chart says
    ("All six ASAM dimensions assessed and rated: …") rather than the fact's name."""
    out = []
    for item in a.checklist:
        evidence = []
        for ev in item.evidence:
            doc = a.document(ev.document_id)
            said = quote(doc, ev.fact, ev.value) if doc is not None else None
            evidence.append(ev.model_copy(update={"says": said or ""}))
        out.append(item.model_copy(update={"evidence": evidence}))
    return out


def _setup(
    settings: Settings | None,
    drafter: Drafter | None,
    library: Library | None,
    embedding: EmbeddingFunction[Documents] | None,
) -> tuple[Settings, Drafter, Library, Retriever]:
    settings = settings or Settings()
    return (
        settings,
        drafter or make_drafter(settings),
        library or load_library(),
        Retriever(settings, embedding),
    )


def draft_case(
    case: Case,
    kind: DraftKind = "narrative",
    *,
    settings: Settings | None = None,
    submission: Submission | None = None,
    determination: Determination | None = None,
    drafter: Drafter | None = None,
    library: Library | None = None,
    embedding: EmbeddingFunction[Documents] | None = None,
    draft_anyway: bool = False,
) -> Draft:
    """A grounded draft of ``kind`` for ``case`` (see the module docstring for the pipeline)."""
    settings, drafter, library, retriever = _setup(settings, drafter, library, embedding)
    brief = prepare(
        case,
        kind,
        retriever,
        library,
        submission=submission,
        determination=determination,
        draft_anyway=draft_anyway,
    )
    return finish(brief, drafter.write(brief))


def check_text(
    case: Case,
    draft: Draft,
    text: str,
    *,
    settings: Settings | None = None,
    library: Library | None = None,
    embedding: EmbeddingFunction[Documents] | None = None,
) -> Draft:
    """``text`` (a coordinator's edit of ``draft``) through every guard and the payer's pre-check, as if a
    drafter had written it: the same brief is rebuilt for the case (same kind, same request), and the
    Draft returned lists what the edit broke (a claim the chart does not make, a citation of nothing
    retrieved, a figure from nowhere) and what the simulated payer answers to it."""
    settings, _, library, retriever = _setup(settings, None, library, embedding)
    brief = prepare(case, draft.requested_kind, retriever, library, draft_anyway=True)
    return finish(brief, Written(text=text, backend="edited"))


class DraftStream:
    """Iterate for text chunks; ``draft`` holds the finished Draft once the iteration is over."""

    def __init__(self, brief: Brief, drafter: Drafter):
        self.brief, self.drafter = brief, drafter
        self.draft: Draft | None = None

    def __iter__(self) -> Iterator[str]:
        inner = self.drafter.stream(self.brief)
        try:
            for item in inner:
                if isinstance(item, Written):
                    self.draft = finish(self.brief, item)
                else:
                    yield item
        finally:  # a cancelled page closes this iterator: close the model's stream now, not at GC
            close = getattr(inner, "close", None)
            if close is not None:
                close()


def stream_draft(
    case: Case,
    kind: DraftKind = "narrative",
    *,
    settings: Settings | None = None,
    submission: Submission | None = None,
    determination: Determination | None = None,
    drafter: Drafter | None = None,
    library: Library | None = None,
    embedding: EmbeddingFunction[Documents] | None = None,
    draft_anyway: bool = False,
) -> DraftStream:
    settings, drafter, library, retriever = _setup(settings, drafter, library, embedding)
    brief = prepare(
        case,
        kind,
        retriever,
        library,
        submission=submission,
        determination=determination,
        draft_anyway=draft_anyway,
    )
    return DraftStream(brief, drafter)


def ask(
    question: str,
    payer: str | None = None,
    *,
    settings: Settings | None = None,
    drafter: Drafter | None = None,
    embedding: EmbeddingFunction[Documents] | None = None,
) -> Draft:
    """An answer composed from the passages retrieved for ``question`` (optionally one payer's), with citations."""
    if not isinstance(question, str) or not question.strip():
        raise AssistantInputError(
            "question: empty; ask e.g. 'How long does Cardinal take to decide a reconsideration?'"
        )
    try:
        load_library().check_payer(payer)
    except ValueError as exc:
        raise AssistantInputError(str(exc)) from None
    settings = settings or Settings()
    drafter = drafter or make_drafter(settings)
    retriever = Retriever(settings, embedding)
    passages = retriever.for_question(question.strip(), payer)
    policy = None
    if asks_requirements(question):
        # "what does X need": the answer lists the criteria of the policy the best passage belongs to
        policies = load_library().policies
        policy = next((policies[p.hit.policy_id] for p in passages if p.hit.policy_id in policies), None)
        if policy is not None:
            passages = merge(passages, retriever.for_requirements(policy))
    brief = Brief(
        kind="answer",
        requested_kind="answer",
        passages=passages,
        question=question.strip(),
        payer=payer,
        policy=policy,
    )
    written = drafter.write(brief)
    checked = review(brief, written.text, written.cited_ids)
    text, citations, unsupported = checked.text, checked.citations, checked.unsupported_tokens
    warnings = [
        p.replace("in the draft but not in the case or", "in the answer but not in") for p in checked.problems
    ]
    if written.rejected:
        warnings.insert(
            0,
            f"The {written.rejected_backend or 'LLM'} answer was not used: " + " ".join(written.rejected[:6]),
        )
    if not citations:
        warnings.append("The answer cites no retrieved passage; treat it as unverified.")
    return Draft(
        kind="answer",
        requested_kind="answer",
        text=text,
        citations=citations,
        warnings=warnings,
        unsupported_facts=unsupported,
        unsupported_claims=[f.message for f in checked.claims],
        rejected_draft_problems=written.rejected,
        backend=written.backend,
        fallback_reason=written.fallback_reason,
    )


__all__ = [
    "Analysis",
    "DraftStream",
    "ask",
    "check_text",
    "draft_case",
    "finish",
    "prepare",
    "stream_draft",
]
