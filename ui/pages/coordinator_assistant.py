"""Coordinator: the grounded drafting assistant. Draft a narrative, appeal letter, peer-to-peer points or
provider query for a generated case; read its citations, checklist and warnings; edit; pre-check the
edited text (the guards and the simulated payer read what is in the editor); export DOCX or PDF of
the checked text; keep a history. A request typed by hand with pasted notes is drafted from the notes
(they are the record the guards check against). It refuses a letter the payer has no use for (no authorization needed,
nothing denied) unless told to draft anyway."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import streamlit as st

from simulator import prior_determination
from store.drafts import drafts_for, save_draft
from store.permissions import MATRIX
from ui.feedback import core_errors
from ui.resources import case_for, db, get_library, get_settings, module_catalogue
from ui.state import require_role
from ui.widgets import appeal_value, case_panels, draft_checks, draft_stream, draft_view, replies, workflow
from ui.widgets.audit_hooks import audited_drafter
from ui.widgets.labels import human
from ui.widgets.long_text import wrapped_table
from ui.widgets.scoped import claim
from ui.widgets.text import md_escape
from ui.widgets.user_zone import local_when, user_zone

STATE_KEY = "precert_assistant"  # {"draft": Draft, "case": (module, seed) | None}
KINDS = {
    "narrative": "Medical-necessity narrative",
    "appeal": "Appeal letter",
    "p2p": "Peer-to-peer talking points",
    "provider_query": "Query to the ordering provider",
}
STORED_KIND = {"p2p": "peer_to_peer"}  # draft kinds are stored as lower-case words
INDEX_NOTE = "Searching the policy index (built on first use, which takes about half a minute)…"

viewer = require_role(*sorted(MATRIX["draft.create"]))
claim(viewer)
assert viewer.user_id is not None
st.title("Drafting assistant")
settings = get_settings()
st.caption(
    f"Backend: {'LLM ' + str(settings.llm_model) if settings.llm_configured else 'offline grounded composer'}. "
    "Case text is treated as data, never as instructions; every citation is a retrieved policy passage."
)
current: dict[str, Any] = st.session_state.setdefault(STATE_KEY, {"draft": None, "case": None})


def _keep(draft: Any, case_key: tuple[str, int] | None) -> None:
    current.update(draft=draft, case=case_key)
    # the editor takes the new text when it is next drawn (a widget's value cannot change once drawn)
    st.session_state["co_text_pending"] = draft.text
    with core_errors("Saving the draft to your history"), db() as session:
        save_draft(
            session,
            viewer,
            kind=STORED_KIND.get(draft.kind, draft.kind),
            text=draft.text,
            draft=draft,
            case_id=draft.case_id,
        )


def recheck(case: Any, draft: Any, text: str) -> Any:
    """The simulated payer's answer to the draft's action with the edited text in it."""
    action = draft.action
    field = {"submission": "narrative", "appeal": "letter", "peer_to_peer": "talking_points"}.get(action.type)
    if field is None:
        return None
    edited = action.model_copy(update={field: text})
    earlier = [draft.submission] if action.type != "submission" and case.prior_submission is None else []
    steps = workflow.run(case, [*earlier, edited], get_library())
    return steps[-1]


def _draft(case: Any, kind: str, module: str, anyway: bool) -> None:
    """Draft ``kind`` for ``case``; a refusal (no authorization needed, nothing denied) is said as such."""
    from assistant import NoAuthorizationNeeded, NoDenial, draft_case, stream_draft

    made = None
    drafter = audited_drafter(settings, viewer)  # every LLM request is audited before it is sent
    with core_errors("Drafting"):
        try:
            if settings.llm_configured:  # a model takes seconds to minutes: show it writing
                with st.spinner(INDEX_NOTE):
                    stream = stream_draft(
                        case,
                        kind,
                        settings=settings,
                        library=get_library(),
                        drafter=drafter,
                        draft_anyway=anyway,
                    )
                made = draft_stream.stream_into_page(stream, settings.llm_max_tokens)
            else:
                with st.spinner(INDEX_NOTE):
                    made = draft_case(
                        case,
                        kind,
                        settings=settings,
                        library=get_library(),
                        drafter=drafter,
                        draft_anyway=anyway,
                    )
        except (NoAuthorizationNeeded, NoDenial) as refusal:  # an answer, not a failure: said as such
            current.update(draft=None, case=None)  # an earlier case's draft must not read as this one's
            hint = (
                "\n\nIf a letter is wanted anyway, tick “Draft even if the payer needs no authorization”."
                if isinstance(refusal, NoAuthorizationNeeded)
                else ""
            )
            st.warning(f"**Nothing drafted.** {md_escape(str(refusal))}{hint}")
    if made is not None:
        current.update(typed=None, where="case")
        _keep(made, (module, case.seed))


def _draft_typed(payer: str, codes: str, diagnoses: str, notes: str, kind: str) -> None:
    """A draft from the typed request; the notes are its record (what the guards check against)."""
    from assistant import NoAuthorizationNeeded, TypedRequest, draft_typed
    from assistant.typed import parse_codes

    today = datetime.now(user_zone()).date()  # the letter's date is the coordinator's today
    request = TypedRequest(payer, parse_codes(codes), today, parse_codes(diagnoses), notes)
    made = None
    with core_errors("Drafting"):
        try:
            with st.spinner(INDEX_NOTE):
                made = draft_typed(request, kind, settings=settings, library=get_library())
        except NoAuthorizationNeeded as refusal:
            current.update(draft=None, case=None)
            st.warning(f"**Nothing drafted.** {md_escape(str(refusal))}")
    if made is not None:
        current.update(typed=request, where="typed")
        _keep(made, None)
        st.rerun()  # the case tab may have drawn the editor with an earlier draft in this run


def _checker(draft: Any, case: Any) -> Any:
    """How an edit of ``draft`` is checked: against its case, or against the typed request and notes."""
    from assistant import check_text, check_typed

    typed = current.get("typed")
    if case is not None:
        return lambda text: check_text(case, draft, text, settings=settings, library=get_library())
    if typed is not None:
        return lambda text: check_typed(typed, draft, text, settings=settings, library=get_library())
    return None


def _show_draft(draft: Any, draft_case_key: tuple[str, int] | None) -> None:
    """The draft, its checklist and citations, the editor, and the checks and exports of the edited text."""
    st.divider()
    draft_view.details(draft)
    draft_view.warnings(draft)
    st.markdown("**Criteria checklist**")
    draft_view.checklist(draft)
    if "co_text_pending" in st.session_state:
        st.session_state["co_text"] = st.session_state.pop("co_text_pending")
    st.session_state.setdefault("co_text", draft.text)
    text = st.text_area("Draft text (edit freely)", key="co_text", height=420, persist_state="session")
    st.caption(f"{len(text or ''):,} characters")
    st.markdown("**Citations**")
    draft_view.citations(draft)
    st.markdown("**Pre-check by the simulated payer (the draft as written)**")
    draft_view.precheck(draft)
    case = case_for(*draft_case_key) if draft_case_key is not None else None
    if case is not None and draft.kind == "appeal" and case.prior_submission is not None:
        with core_errors("Reading the denial"):
            denial = prior_determination(case, library=get_library())
            appeal_value.appeal_value_panel(
                case, denial, get_library().manual(case.coverage.payer_id), key="co_av"
            )
    checked = draft_checks.checked_for(draft, text or "", _checker(draft, case))
    a, b, c, d = st.columns(4)
    if a.button("Pre-check my edited text", key="co_recheck"):
        st.markdown("**Your text, checked**")
        draft_checks.show(checked)
        step = None
        if case is None:
            st.caption(
                "A request typed by hand has no simulated-payer pre-check: the payer has no member file for it."
            )
        else:
            with core_errors("Pre-checking"):
                step = recheck(case, draft, checked.text)
            if step is None:
                st.info("A provider query goes to the ordering provider; the payer has nothing to decide.")
        if step is not None:
            st.caption(
                "The payer decides on the codes and the documents; the text changes what its reviewer "
                "reads, not the rules it applies."
            )
            replies.result(step)
    if b.button("Save edited version", key="co_save"):
        with core_errors("Saving"), db() as session:
            saved = save_draft(
                session,
                viewer,
                kind=STORED_KIND.get(draft.kind, draft.kind),
                text=text or "",
                draft=draft,
                case_id=draft.case_id,
            )
            st.success(f"Saved as draft #{saved.id}.")
    title = f"{KINDS.get(draft.kind, draft.kind)} — {draft.case_id or ''}"
    draft_checks.export_buttons(c, d, title, checked, viewer)


source_tab, manual_tab, history_tab = st.tabs(["Draft for a case", "Request typed by hand", "History"])

with source_tab:
    modules = {m["id"]: m["title"] for m in module_catalogue()}
    c1, c2, c3 = st.columns([2, 1, 2])
    module = c1.selectbox("Module", list(modules), format_func=modules.__getitem__, key="co_module")
    number = c2.text_input("Case number", value="1", key="co_seed")
    kind = c3.selectbox("Draft", list(KINDS), format_func=KINDS.__getitem__, key="co_kind")
    case = None
    try:
        seed = workflow.parse_seed(number)
    except ValueError as exc:
        st.error(md_escape(str(exc)))
        seed = None
    if seed is not None:
        with core_errors("Generating the case"):
            case = case_for(module, seed)
    if case is not None:
        with st.expander(f"Case {md_escape(case.case_id)}: {md_escape(case.title)}"):
            left, right = st.columns(2)
            with left:
                case_panels.patient_panel(case)
                case_panels.order_panel(case)
            with right:
                case_panels.chart_panel(case, key="co_chart_filter")
            if case.prior_submission is not None:
                st.markdown("**Earlier request (the one a pend or denial answers)**")
                replies.action_detail(case.prior_submission)
        if draft_stream.cancelled():
            st.info("Drafting was cancelled; nothing was kept.")
        anyway = st.checkbox(
            "Draft even if the payer needs no authorization",
            key="co_anyway",
            help="The assistant refuses a letter the payer has no use for; tick this only when a letter "
            "is wanted anyway (for example, the plan asked for a notification).",
        )
        if st.button("Draft", key="co_draft", type="primary"):
            _draft(case, kind, module, anyway)

    draft = current.get("draft")
    if draft is not None and draft.kind != "answer" and current.get("where", "case") == "case":
        _show_draft(draft, current.get("case"))

with manual_tab:
    st.info(
        "Type the request and paste the clinical notes: the assistant drafts a narrative that quotes the "
        "notes (or a query to the provider where they leave a criterion open), and checks every claim against "
        "them. It can also find the payer's policy for your codes and answer questions with cited policy text."
    )
    payers = {p: get_library().manual(p).name for p in get_library().payers}
    payer = st.selectbox("Payer", list(payers), format_func=payers.__getitem__, key="co_m_payer")
    codes = st.text_input("CPT/HCPCS codes", key="co_m_codes", placeholder="e.g. 72148")
    diagnoses = st.text_input("Diagnoses (ICD-10-CM)", key="co_m_dx", placeholder="e.g. M54.16")
    st.text_area(
        "Clinical summary and pasted notes (kept on this page only; not sent anywhere)",
        key="co_m_notes",
        height=160,
    )
    m1, m2 = st.columns([2, 1])
    m_kind = m1.selectbox(
        "Draft", ["narrative", "provider_query"], format_func=KINDS.__getitem__, key="co_m_kind"
    )
    if m2.button("Draft from the request and notes", key="co_m_draft"):
        _draft_typed(payer, codes or "", diagnoses or "", st.session_state.get("co_m_notes") or "", m_kind)
    draft = current.get("draft")
    if draft is not None and draft.kind != "answer" and current.get("where") == "typed":
        _show_draft(draft, None)
        st.divider()
    question = st.text_input(
        "Question for the policy",
        key="co_m_question",
        placeholder="e.g. What documentation is required and how recent must it be?",
    )
    if st.button("Find the policy and answer", key="co_m_go", type="primary"):
        from assistant import ask

        wanted = [c for c in (codes or "").replace(",", " ").split() if c]
        found = [(c, get_library().policy_for_code(payer, c.upper())) for c in wanted]
        for code, policy in found:
            if policy is None:
                st.warning(
                    f"{md_escape(code)}: no {md_escape(payers[payer])} policy governs this code (it may need no authorization)."
                )
            else:
                st.markdown(
                    f"**{md_escape(code)}: {md_escape(policy.id)} — {md_escape(policy.title)}** "
                    f"(version {md_escape(str(policy.version))})"
                )
                wrapped_table(
                    [{"Criterion": cr.id, "Text": cr.text} for cr in policy.criteria]
                    + [
                        {
                            "Criterion": f"Document: {human(d.kind)}",
                            "Text": d.description
                            + (f" (within {d.max_age_days} days)" if d.max_age_days else ""),
                        }
                        for d in policy.documentation
                    ]
                )
        asked = (question or "").strip() or (
            f"What are the criteria and required documents for {' '.join(wanted)} {diagnoses or ''}".strip()
            if wanted
            else ""
        )
        missing_codes = [c for c in wanted if c.upper() not in asked.upper()]
        if asked and missing_codes:  # the answer searches the policies of the codes the question names
            asked = f"{asked} (codes: {' '.join(missing_codes)})"
        if not asked:
            st.error("Question: type a question, or give at least one code to look up.")
        else:
            answer = None
            with core_errors("Answering"), st.spinner(INDEX_NOTE):
                answer = ask(asked, payer=payer, settings=settings, drafter=audited_drafter(settings, viewer))
            if answer is not None:
                st.text(answer.text)
                draft_view.warnings(answer)
                draft_view.citations(answer)
                with core_errors("Saving the answer to your history"), db() as session:
                    save_draft(session, viewer, kind="answer", text=answer.text, draft=answer)

with history_tab:
    history = []
    with core_errors("Loading your drafts"), db() as session:
        history = drafts_for(session, viewer, viewer.user_id, limit=50)
    if not history:
        st.caption("No drafts yet.")
    for item in history:
        with st.expander(
            f"#{item.id} · {local_when(item.created_at)} · {human(item.kind)}"
            + (f" · {md_escape(item.case_id)}" if item.case_id else "")
        ):
            st.text(item.text)
