"""What the practice sees about a case: patient, registration (coverage as the practice recorded it),
the order as written, and the chart. Chart text and every other free text is shown with ``st.text``
(no Markdown, no HTML), so whatever a document or a trainee wrote appears literally.

The member file (effective dates, network status) is the payer's; the practice learns it from the
eligibility reply, so it is not shown here.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from scenarios.models import Case, ChartDocument
from ui.state import KEEP
from ui.widgets.labels import human
from ui.widgets.long_text import wrapped_table
from ui.widgets.text import md_escape


def _rows(pairs: list[tuple[str, Any]]) -> None:
    # a definition list: diagnoses, providers and addresses wrap in full instead of being cut off
    wrapped_table([{"field": k, "value": v} for k, v in pairs])


def patient_panel(case: Case) -> None:
    p = case.patient
    st.markdown("**Patient**")
    _rows(
        [
            ("Name", p.name),
            ("Date of birth", p.dob.isoformat()),
            ("Sex", p.sex),
            ("MRN", p.mrn),
            ("Phone", p.phone),
            ("Address", f"{p.address.street}, {p.address.city}, {p.address.state} {p.address.zip}"),
        ]
    )


def coverage_panel(case: Case) -> None:
    c = case.coverage
    st.markdown("**Coverage (registration)**")
    _rows(
        [
            ("Payer", c.payer_name),
            ("Plan", f"{c.plan_name} ({human(c.plan_type)})"),
            ("Member id (registration)", c.member_id_on_registration),
            ("Group", c.group_number or "—"),
            ("Subscriber", f"{c.subscriber_name}, born {c.subscriber_dob.isoformat()}"),
        ]
    )


def order_panel(case: Case) -> None:
    o = case.order
    st.markdown("**Order (as written by the ordering provider)**")
    pairs: list[tuple[str, Any]] = [
        ("Service", o.description),
        (
            "Request category",
            f"admission review: {o.admission_type or 'elective'} inpatient admission"
            if o.review == "admission"
            else "service review",
        ),
        ("Diagnoses", "; ".join(f"{d.code} {d.display}".strip() for d in o.diagnoses)),
        (
            "Procedures",
            "; ".join(
                f"{line.code.code} x{line.units}"
                + (f" ({', '.join(line.modifiers)})" if line.modifiers else "")
                + (f" {line.code.display}" if line.code.display else "")
                for line in o.procedures
            )
            or "—",
        ),
        ("Ordered on", o.ordered_on.isoformat()),
        ("Date of service", o.date_of_service.isoformat()),
        ("Urgency requested", o.urgency_requested),
        ("Place of service", o.place_of_service),
        ("Requested duration (days)", o.requested_duration_days or "—"),
        (
            "Ordering provider",
            f"{case.ordering_provider.display_name}, {human(case.ordering_provider.specialty)} "
            f"(NPI {case.ordering_provider.npi})",
        ),
        (
            "Servicing provider",
            f"{case.servicing_provider.display_name} (NPI {case.servicing_provider.npi}), "
            f"{case.facility.name}",
        ),
    ]
    _rows(pairs)
    if o.notes:
        st.caption("Order notes")
        st.text(o.notes)


def doc_label(doc: ChartDocument) -> str:
    """``doc-03 · 2026-03-02 · Office visit — low back and leg pain`` (used by every document picker)."""
    return f"{doc.id} · {doc.date.isoformat()} · {doc.title}"


def filter_chart(docs: list[ChartDocument], query: str) -> list[ChartDocument]:
    """Documents whose title, kind, author or text contains every word of ``query`` (case-insensitive),
    oldest first.

    >>> from datetime import date
    >>> d = ChartDocument(id="d1", kind="office_note", date=date(2026, 1, 2), author="A", title="Visit",
    ...                   text="Foot drop, progressive")
    >>> [x.id for x in filter_chart([d], "FOOT progressive")], filter_chart([d], "knee")
    (['d1'], [])
    """
    words = query.lower().split()
    out = [d for d in docs if all(w in f"{d.title}\n{d.kind}\n{d.author}\n{d.text}".lower() for w in words)]
    return sorted(out, key=lambda d: (d.date, d.id))


def chart_panel(case: Case, key: str = "ws_chart_filter") -> None:
    st.markdown(f"**Chart** ({len(case.chart)} documents)")
    query = st.text_input(
        "Search the chart", persist_state=KEEP, key=key, placeholder="e.g. physical therapy, AHI, foot drop"
    )
    found = filter_chart(case.chart, query or "")
    if not found:
        st.info("No document contains all of these words.")
    for doc in found:
        with st.expander(md_escape(f"{doc_label(doc)} ({doc.kind.replace('_', ' ')})")):
            st.caption(f"Author: {md_escape(doc.author)}")
            st.text(doc.text)
