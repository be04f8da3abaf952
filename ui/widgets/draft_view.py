"""Render an assistant Draft: warnings, the criteria checklist with its chart evidence, the citations
with the retrieved policy passage each one names, code fixes and the simulated payer's pre-check."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.resources import get_settings
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
    if not draft.citations:
        st.caption("No citations.")
        return
    seen: set[str] = set()
    for cite in draft.citations:
        if cite.chunk_id in seen:
            continue
        seen.add(cite.chunk_id)
        with st.expander(md_escape(f"[{cite.label}] {cite.section}")):
            st.caption(md_escape(f"Policy {cite.policy_id} · passage {cite.chunk_id}"))
            text = passage_text(cite.chunk_id)
            if text is None:
                st.caption("The passage is no longer in the index (it was rebuilt since this draft).")
            else:
                st.markdown(text)  # policy text is authored Markdown; HTML stays disabled


def checklist(draft: Any) -> None:
    if not draft.criteria:
        return
    st.dataframe(
        [
            {
                "criterion": c.criterion_id,
                "status": c.status.replace("_", " ") + ("" if c.applies else " (does not apply)"),
                "evidence": "; ".join(
                    f"{e.fact} = {e.value}" + (f" ({e.document_id}, {e.date})" if e.document_id else "")
                    for e in c.evidence
                ),
                "missing": "; ".join(c.missing),
                "criterion text": c.text,
            }
            for c in draft.criteria
        ],
        hide_index=True,
    )


def precheck(draft: Any) -> None:
    pc = draft.precheck
    if pc is None:
        st.caption("No pre-check: a query to the provider goes to the provider, not the payer.")
        return
    good = pc.status in ("approved", "partially_approved", "no_auth_required")
    (st.success if good else st.error)(f"Simulated payer: {md_escape(pc.summary)}")
    if pc.missing:
        for item in pc.missing:
            st.text(f"• {item}")


def details(draft: Any) -> None:
    st.caption(
        f"{KIND_LABEL.get(draft.kind, draft.kind)} · backend {draft.backend}"
        + (f" · policy {draft.policy_id}" if draft.policy_id else "")
        + (
            f" · recommended attachments: {', '.join(draft.recommended_document_ids)}"
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
        st.dataframe(
            [
                {"field": f.field, "from": f.original, "to": f.proposed, "why": f.reason}
                for f in draft.code_fixes
            ],
            hide_index=True,
        )
