"""The grading report: total, pass/fail, the five dimensions, and every rubric item with its feedback,
the correct answer and the policy text it cites (looked up in the knowledge base, never paraphrased)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from store.models import DIMENSIONS
from ui.widgets.labels import human
from ui.widgets.text import md_escape

_SECTION = " § "


def resolve_citation(library: Any, citation: str) -> list[tuple[str, str]]:
    """The passages a grader citation points at, as (heading, text) pairs; [] when none is found.

    Forms the grader writes: ``LKS-MRI-001.1`` (a criterion: its rule text and its body section),
    ``LKS-MRI-001 § Documentation required`` (a policy section), ``LKS-MRI-001`` (the policy overview),
    ``lakeshore manual § Appeals`` and ``lakeshore manual``.
    """
    cite = (citation or "").strip()
    if not cite:
        return []
    head, _, section = cite.partition(_SECTION)
    head = head.strip()
    if head.endswith(" manual"):
        doc = library.manual_documents.get(head[: -len(" manual")])
        return _sections(doc, section, f"{head}")
    if head in library.documents:
        return _sections(library.documents[head], section, head)
    policy_id = head.rsplit(".", 1)[0]
    doc = library.documents.get(policy_id)
    if doc is None:
        return []
    out: list[tuple[str, str]] = []
    crit = next((c for c in doc.meta.criteria if c.id == head), None)
    if crit is not None:
        out.append((f"{head} (criterion)", crit.text))
    out += [(f"{policy_id} § {s.title}", s.text) for s in doc.sections if s.criterion_id == head]
    return out


def _sections(doc: Any, title: str, label: str) -> list[tuple[str, str]]:
    if doc is None:
        return []
    if not title:
        first = doc.sections[0] if doc.sections else None
        return [(f"{label} § {first.title}", first.text)] if first else []
    return [(f"{label} § {s.title}", s.text) for s in doc.sections if s.title == title.strip()]


def _report_dict(report: Any) -> dict[str, Any]:
    return report.model_dump(mode="json") if hasattr(report, "model_dump") else dict(report or {})


def grade_report(report: Any, library: Any, *, key: str = "grade", viewer: Any = None) -> None:
    """Render a GradeReport (the model or its stored JSON); with a ``viewer``, offer it as a PDF (built on
    the click, the download audited)."""
    data = _report_dict(report)
    total, passed, mark = data.get("total"), data.get("passed"), data.get("pass_mark")
    (st.success if passed else st.error)(
        f"Score {total:.1f} / 100 — {'PASSED' if passed else 'NOT PASSED'} (pass mark {mark:g})"
        if isinstance(total, int | float) and isinstance(mark, int | float)
        else "Grade report"
    )
    _fix_first(data.get("fix_first") or [], library)
    if viewer is not None:
        _pdf_button(data, library, viewer, key)
    dims = data.get("dimensions") or {}
    cols = st.columns(len(DIMENSIONS))
    for col, name in zip(cols, DIMENSIONS, strict=True):
        body = dims.get(name) or {}
        if body.get("applicable") is False or body.get("percent") is None:
            col.metric(name.title(), "n/a")
        else:
            col.metric(
                name.title(),
                f"{body['percent']:.0f}%",
                help=f"{body.get('score', 0):.1f} of {body.get('max', 0):.1f} total-score points",
            )
    if data.get("final_status"):
        st.caption(
            f"Final payer status: {md_escape(human(str(data['final_status'])))} · correct action: "
            f"{md_escape(human(str(data.get('correct_action', ''))))}"
        )
    if data.get("error_tags"):
        st.markdown("**Error tags:** " + md_escape(", ".join(human(t) for t in data["error_tags"])))
    opinion = data.get("second_opinion")
    if opinion:
        st.info(
            f"Second opinion on the narrative ({md_escape(str(opinion['model']))}): {opinion['score']:.0f}/100 "
            f"(deterministic {opinion['deterministic_score']:.0f}); it never replaces the score."
        )
    elif data.get("second_opinion_note"):
        st.caption(md_escape(str(data["second_opinion_note"])))
    for name in DIMENSIONS:
        items = [i for i in data.get("items") or [] if i.get("dimension") == name]
        if not items:
            continue
        st.subheader(name.title())
        for n, item in enumerate(items):
            _item(item, library, f"{key}_{name}_{n}")


def _pdf_button(data: dict[str, Any], library: Any, viewer: Any, key: str) -> None:
    from ui.widgets import exporters
    from ui.widgets.audit_hooks import record_download
    from ui.widgets.report_export import report_document

    case_id = str(data.get("case_id", ""))
    st.download_button(
        "Download this report (PDF)",
        # a callable: the PDF is built on the click and served only to a live session (ui.download_gate)
        lambda: exporters.to_pdf(*report_document(data, library, resolve_citation)),
        file_name=f"precert-grade-{case_id.replace(':', '-')}.pdf",
        mime="application/pdf",
        key=f"{key}_pdf",
        on_click=record_download,
        args=(viewer, "grade_report", "pdf"),
        kwargs={"case_id": case_id},
    )


def _fix_first(entries: list[dict[str, Any]], library: Any) -> None:
    """The three things to fix first, above everything else: what a trainee reads before the detail,
    each with the policy passage behind it one click away."""
    if not entries:
        return
    st.markdown("**Three things to fix first**")
    for n, entry in enumerate(entries, start=1):
        st.markdown(f"{n}. {md_escape(str(entry.get('text', '')))}")
        cite = str(entry.get("citation") or "")
        if cite:
            _policy_expander(library, cite)


def _policy_expander(library: Any, cite: str) -> None:
    with st.expander(f"Policy: {md_escape(cite)}"):
        passages = resolve_citation(library, cite)
        if not passages:
            st.caption(
                "This citation names no passage in the current knowledge base (the content may "
                "have changed since the attempt was graded)."
            )
        for heading, text in passages:
            st.markdown(f"**{md_escape(heading)}**")
            st.markdown(text)  # policy text is authored content (Markdown); HTML stays disabled


def _item(item: dict[str, Any], library: Any, key: str) -> None:
    pts, top = item.get("points", 0), item.get("max_points", 0)
    full = pts >= top
    icon = (
        ":material/check_circle:"
        if full
        else (":material/remove_circle:" if pts > 0 else ":material/cancel:")
    )
    st.markdown(f"{icon} **{pts:g} / {top:g}** · {md_escape(human(str(item.get('item_id', ''))))}")
    st.text(item.get("feedback", ""))
    if not full and item.get("correct_answer"):
        st.text(f"Correct: {item['correct_answer']}")
    if item.get("error_tags"):
        st.caption(md_escape("Tags: " + ", ".join(human(t) for t in item["error_tags"])))
    cite = item.get("citation") or ""
    if cite:
        _policy_expander(library, str(cite))
