"""Admin: validate the content files (policies, manuals, service lines, modules) and rebuild the
retrieval index with a progress bar (incremental; audited)."""

from __future__ import annotations

import streamlit as st

from store.admin_ops import reindex, validate_content
from ui.feedback import core_errors
from ui.resources import db, get_settings
from ui.state import require_role
from ui.widgets.scoped import claim

viewer = require_role("admin")
claim(viewer)
st.title("Content and index")
st.write(
    "Policies and manuals live in `knowledge_base/`, service lines and modules in `scenarios/` "
    "(see docs/authoring.md). Validate after editing them, then rebuild the index the assistant searches."
)

if st.button("Validate content", key="ac_validate", type="primary"):
    report = None
    with core_errors("Validating"), st.spinner("Reading and checking every content file…"):
        report = validate_content(viewer)
    if report is not None:
        a, b, c, d, e = st.columns(5)
        a.metric("Policies", report.policies)
        b.metric("Manuals", report.manuals)
        c.metric("Criteria", report.criteria)
        d.metric("Service lines", report.service_lines)
        e.metric("Modules", report.modules)
        if report.errors:
            st.error(f"{len(report.errors)} error(s). Each names its file and the path inside it.")
            st.code("\n".join(report.errors), language=None, wrap_lines=True)
        else:
            st.success("All content is valid.")

st.divider()
settings = get_settings()
where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else str(settings.chroma_dir)
st.caption(f"Index location: {where}")
if st.button("Rebuild the index", key="ac_reindex"):
    bar = st.progress(0.0, text="Comparing content hashes…")

    def _progress(done: int, total: int) -> None:
        bar.progress(
            1.0 if total == 0 else done / total,
            text="Nothing changed" if total == 0 else f"Embedding {done}/{total} changed passages",
        )

    summary = None
    with core_errors("Rebuilding the index"), db() as session:
        summary = reindex(session, viewer, settings, progress=_progress)
    if summary is not None:
        bar.progress(1.0, text="Done")
        st.success(
            f"Index up to date in {summary['seconds']:.1f} s: {summary['added']} added, {summary['updated']} "
            f"updated, {summary['deleted']} deleted, {summary['unchanged']} unchanged "
            f"({summary['chunks']} passages)."
        )
