"""The workspace's concurrent-review form: ask the payer to extend an approved authorization when the
stay or the program runs past it (``type: extension``). Thin: it reads the input, builds the action
through :func:`extension_request` (which names the field to fix) and draws the payer's reply below.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from scenarios.models import Action, Case, ExtensionRequest
from simulator import Determination
from ui.state import KEEP
from ui.widgets import reply_here, workflow
from ui.widgets.case_panels import doc_label
from ui.widgets.labels import human
from ui.widgets.text import md_escape
from ui.widgets.workflow import CaseSession

UPDATE_MAX = 20_000  # ExtensionRequest.clinical_update's limit


def extension_request(
    case: Case, actions: list[Action], number: Any, additional: Any, document_ids: Any, update: Any
) -> ExtensionRequest:
    """The extension request the form describes, or ValueError naming the field and the fix."""
    auth = str(number or "").strip()
    if not auth:
        raise ValueError("Authorization number: empty; copy it from the approval notice")
    if (
        isinstance(additional, bool)
        or not isinstance(additional, int | float)
        or additional != int(additional)
    ):
        raise ValueError(f"Additional days or units: {additional!r} is not a whole number; enter e.g. 2")
    if not 1 <= int(additional) <= 365:
        raise ValueError(f"Additional days or units: {int(additional)} is outside 1-365")
    ids = [str(i) for i in dict.fromkeys(document_ids or [])]
    unknown = [i for i in ids if case.document(i) is None]
    if unknown:
        raise ValueError(
            f"Clinical update documents: {', '.join(unknown[:3])} is not a document in this chart"
        )
    text = update if isinstance(update, str) else ""
    if len(text) > UPDATE_MAX:
        raise ValueError(
            f"Clinical update: {len(text):,} characters is over the limit of {UPDATE_MAX:,}; shorten it "
            "(your text is kept)"
        )
    at = workflow.next_time(case, actions, "extension")
    return ExtensionRequest(
        at=at,
        authorization_number=auth,
        additional=int(additional),
        document_ids=ids,
        clinical_update=text.strip(),
    )


def extension_panel(
    case: Case, cs: CaseSession, standing: Determination | None, disabled: bool
) -> Action | None:
    """The form, the authorization it would extend, and the payer's latest reply to an extension."""
    chosen: Action | None = None
    holds = case.prior_submission is not None and standing is not None and bool(standing.authorization_number)
    with st.expander("Extension request (concurrent review)", expanded=holds):
        if standing is not None and standing.authorization_number and standing.valid_to:
            st.caption(
                md_escape(
                    f"Authorization on file: {standing.authorization_number}, {human(standing.status)}, "
                    f"valid {standing.valid_from} to {standing.valid_to}; an extension is due by {standing.valid_to}."
                )
            )
        number = st.text_input("Authorization number", persist_state=KEEP, key="ws_ext_number")
        additional = st.number_input(
            "Additional days (inpatient) or units (program days)",
            min_value=1,
            max_value=365,
            step=1,
            persist_state=KEEP,
            key="ws_ext_additional",
        )
        labels = {d.id: doc_label(d) for d in sorted(case.chart, key=lambda d: (d.date, d.id))}
        docs = st.multiselect(
            "Clinical update documents",
            list(labels),
            format_func=labels.__getitem__,
            persist_state=KEEP,
            key="ws_ext_docs",
        )
        update = st.text_area("Clinical update", persist_state=KEEP, key="ws_ext_update", height=140)
        if st.button("Request the extension", key="ws_ext_go", disabled=disabled):
            try:
                chosen = extension_request(case, cs.actions, number, additional, docs, update)
            except ValueError as exc:
                st.error(md_escape(str(exc)))
        reply_here.reply_below(cs, "extension")
    return chosen
