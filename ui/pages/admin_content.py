"""Admin: validate the content files (policies, manuals, service lines, modules), rebuild the
retrieval index with a progress bar (incremental; audited), and browse the content read-only: payer →
policies, manuals, service lines and modules, with a search by id, code or text."""

from __future__ import annotations

import streamlit as st

from store.admin_ops import reindex, validate_content
from ui.feedback import core_errors
from ui.resources import db, get_library, get_settings, module_catalogue
from ui.state import require_role
from ui.widgets.content_browser import browse_manuals, browse_modules, browse_policies, browse_service_lines
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

st.divider()
st.header("Browse the content")
st.caption(
    "Read-only: what the app has loaded (edit the files, validate, then rebuild the index). "
    "Text is shown as written in the files."
)
policies_tab, manuals_tab, lines_tab, modules_tab = st.tabs(
    ["Policies", "Manuals", "Service lines", "Modules"]
)
library = None
with core_errors("Loading the policy library"):
    library = get_library()
with policies_tab:
    if library is not None:
        browse_policies(library)
with manuals_tab:
    if library is not None:
        browse_manuals(library)
with lines_tab:
    browse_service_lines()
with modules_tab:
    browse_modules(module_catalogue())
