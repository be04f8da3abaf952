"""Supervisor: the department KPIs of the cohorts they supervise (issue 14 item 3): first-pass approval
against its target, processing time, denials and their reasons, appeal success by level, staff time
and revenue, per cohort, trainee and service line, with weekly trends and CSV/XLSX export (audited).
``store.kpis`` computes everything; this page lays it out."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import streamlit as st

from store.cohorts import list_cohorts
from store.dashboard import Filters
from store.export import to_csv, to_xlsx
from store.kpis import EXPORT_COLUMNS, operations_export, operations_report
from store.permissions import MATRIX, Viewer
from ui.feedback import core_errors
from ui.resources import db, service_line_ids
from ui.state import require_role
from ui.widgets import kpi_view
from ui.widgets.labels import human
from ui.widgets.scoped import claim

EVERYONE = "All my cohorts"
ALL_LINES = "(all service lines)"

viewer = require_role(*sorted(MATRIX["dashboard.view"]))
claim(viewer)
st.title("Operations")
st.caption(
    "The department's figures from the trainees' completed cases: first-pass approval against the "
    "95% target, processing time on the simulated clock, denials, appeals, staff time and revenue."
)

cohorts = []
with core_errors("Loading the cohorts"), db() as session:
    cohorts = list_cohorts(session, viewer)
cohort_ids = {EVERYONE: None} | {c.name: c.id for c in cohorts}
c1, c2 = st.columns(2)
cohort = c1.selectbox("Cohort", list(cohort_ids), key="ops_cohort")
line = c2.selectbox("Service line", [ALL_LINES, *service_line_ids()], key="ops_line", format_func=human)
filters = Filters(cohort_id=cohort_ids[cohort])
service_line = None if line == ALL_LINES else line

report = None
with core_errors("Computing the figures"), db() as session:
    report = operations_report(session, viewer, filters, service_line=service_line)
if report is None:
    st.stop()
if report.overall.cases == 0:
    st.info("No completed cases with operations figures match these filters yet.")
    st.stop()

kpi_view.headline(report.overall)
kpi_view.trends(report)
kpi_view.denials_and_appeals(report)
st.subheader("By cohort")
kpi_view.table(report.by_cohort, "Cohort")
st.subheader("By trainee")
kpi_view.table(report.by_trainee, "Trainee")
st.subheader("By service line")
kpi_view.table(report.by_service_line, "Service line", human)


def _export(who: Viewer, f: Filters, sl: str | None, kind: str) -> bytes:
    """Built only when the download is clicked (``data=`` a callable); checked and audited as an export."""
    with db() as session:
        rows = operations_export(session, who, f, service_line=sl)
    return (
        to_csv(rows, EXPORT_COLUMNS) if kind == "csv" else to_xlsx(rows, EXPORT_COLUMNS, sheet="operations")
    )


st.subheader("Export")
st.caption(
    "The figures above, overall and per cohort, trainee, service line and week; each export is audited."
)
stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
d1, d2 = st.columns(2)
d1.download_button(
    "Download CSV",
    data=partial(_export, viewer, filters, service_line, "csv"),
    file_name=f"precert-operations-{stamp}.csv",
    mime="text/csv",
    key="ops_csv",
    on_click="ignore",
)
d2.download_button(
    "Download XLSX",
    data=partial(_export, viewer, filters, service_line, "xlsx"),
    file_name=f"precert-operations-{stamp}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="ops_xlsx",
    on_click="ignore",
)
