"""Render an assistant Draft: warnings, the criteria checklist with its chart evidence, the citations
with the retrieved policy passage each one names, code fixes and the simulated payer's pre-check."""

from __future__ import annotations

from typing import Any

import streamlit as st

from simulator.evidence import fact_label, fact_text
from ui.resources import get_settings
from ui.widgets.long_text import wrapped_table
from ui.widgets.text import md_escape

KIND_LABEL = {
    "narrative": "Medical-necessity narrative",
    "appeal": "Appeal letter",
    "p2p": "Peer-to-peer points",
    "provider_query": "Query to the ordering provider",
    "answer": "Policy answer",
}


def passage_text(chunk_id: str) -> str | None:
    """The stored text of a retrieved passage (the index the assistant searched)."""
    from knowledge_base.retrieval import get_index

    try:
        return get_index(get_settings(), build_if_missing=False).documents.get(chunk_id)
    except (LookupError, RuntimeError, ValueError):
        return None


def warnings(draft: Any) -> None:
    """All warnings in one box, one bullet each (they quote chart text, so it is escaped)."""
    notes = (
        [f"The LLM was not used ({draft.fallback_reason}); this draft is from the offline composer."]
        if draft.fallback_reason
        else []
    ) + list(draft.warnings)
    if notes:
        st.warning(
            f"**{len(notes)} warning{'s' if len(notes) != 1 else ''}**\n\n"
            + "\n".join(f"- {md_escape(n)}" for n in notes)
        )


def citations(draft: Any) -> None:
    """One expander per citation label; a criterion whose section was indexed as two passages is one
    citation (both passages shown in it), never the same label twice."""
    if not draft.citations:
        st.caption("No citations.")
        return
    groups: dict[str, list[Any]] = {}
    for cite in draft.citations:
        groups.setdefault(cite.label, [])
        if cite.chunk_id not in {c.chunk_id for c in groups[cite.label]}:
            groups[cite.label].append(cite)
    for label, cites in groups.items():
        with st.expander(md_escape(f"[{label}] {cites[0].section}")):
            st.caption(md_escape(f"Policy {cites[0].policy_id}"))
            for cite in cites:
                text = passage_text(cite.chunk_id)
                if text is None:
                    st.caption("The passage is no longer in the index (it was rebuilt since this draft).")
                else:
                    st.markdown(text)  # policy text is authored Markdown; HTML stays disabled


def evidence_text(item: Any) -> str:
    """What the chart shows for one fact, in its own words where a sentence states it."""
    where = f"{item.title or item.document_id}, {item.date}" if item.document_id else "the request"
    if getattr(item, "says", ""):
        return f"“{item.says}” ({where})"
    label = fact_label(item.fact.split(".", 1)[-1])
    return f"{label[:1].upper()}{label[1:]}: {fact_text(item.value)} ({where})"


FIX_FIELDS = {
    "diagnosis": "Diagnosis code",
    "procedure": "Procedure code",
    "units": "Units",
    "member_id": "Member ID",
}
BACKENDS = {"offline": "the offline composer", "edited": "you (edited)"}
STATUS_WORDS = {"met": "Met", "not_met": "Not met", "not_evidenced": "Not shown in the chart"}


def _status(draft: Any, item: Any) -> str:
    if not item.applies:
        return "Met (does not apply)"
    if draft.case_id is None and item.status == "met":  # a typed request: the notes speak to it, no more
        return "Addressed in the notes"
    return STATUS_WORDS.get(item.status, item.status)


def checklist(draft: Any) -> None:
    if not draft.criteria:
        return
    wrapped_table(
        [
            {
                "Criterion": c.criterion_id,
                "Status": _status(draft, c),
                "What the chart shows": "; ".join(evidence_text(e) for e in c.evidence) or "—",
                "Missing": "; ".join(fact_label(m) for m in c.missing) or "—",
                "Criterion text": c.text,
            }
            for c in draft.criteria
        ]
    )


def precheck(draft: Any) -> None:
    pc = draft.precheck
    if pc is None:
        st.caption("No pre-check: a query to the provider goes to the provider, not the payer.")
        return
    if pc.status == "no_auth_required":  # nothing to send: never a green box that reads as "go ahead"
        st.warning(f"Simulated payer: {md_escape(pc.summary)} Nothing needs to be sent.")
        return
    good = pc.status in ("approved", "partially_approved")
    (st.success if good else st.error)(f"Simulated payer: {md_escape(pc.summary)}")
    if pc.missing:
        for item in pc.missing:
            st.text(f"• {item}")


def _titled(draft: Any, doc_id: str) -> str:
    """'Physical therapy discharge summary (doc-03)' where the checklist knows the title, else the id."""
    title = next(
        (e.title for c in draft.criteria for e in c.evidence if e.document_id == doc_id and e.title), None
    )
    return f"{title} ({doc_id})" if title else doc_id


def details(draft: Any) -> None:
    st.caption(
        f"{KIND_LABEL.get(draft.kind, draft.kind)} · written by {BACKENDS.get(draft.backend, draft.backend)}"
        + (f" · policy {draft.policy_id}" if draft.policy_id else "")
        + (
            f" · recommended attachments: {', '.join(_titled(draft, i) for i in draft.recommended_document_ids)}"
            if draft.recommended_document_ids
            else ""
        )
    )
    if draft.appeal is not None:
        a = draft.appeal
        st.info(
            f"{a.name}: {a.file_within}"
            + (f", file by {a.file_by}" if a.file_by else "")
            + f"; {a.decision_time}."
            + (f" Next: {a.next_level}." if a.next_level else "")
        )
    if draft.code_fixes:
        wrapped_table(
            [
                {
                    "Changed": FIX_FIELDS.get(f.field, f.field),
                    "From": f.original or "—",
                    "To": f.proposed or "—",
                    "Why": f.reason,
                }
                for f in draft.code_fixes
            ]
        )
