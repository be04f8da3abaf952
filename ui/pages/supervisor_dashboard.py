"""Supervisor: the cohort dashboard (scores and pass rates by module, weekly trend, skill dimensions, the
most frequent error tags), drill-down to a trainee, and CSV/XLSX export (audited)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from store.cohorts import list_cohorts
from store.dashboard import Filters, cohort_dashboard, weakest_first
from store.export import attempt_rows, to_csv, to_xlsx
from store.permissions import MATRIX
from ui.feedback import core_errors
from ui.resources import db, module_catalogue
from ui.state import require_role
from ui.widgets import charts
from ui.widgets.scoped import claim
from ui.widgets.user_zone import local_when

EVERYONE = "All trainees"
ALL_MODULES = "(all modules)"
EXPORT_KEY = "dash_export"  # the prepared export (bytes) survives the download button's rerun

viewer = require_role(*sorted(MATRIX["dashboard.view"]))
claim(viewer)
st.title("Cohort dashboard")

cohorts = []
with core_errors("Loading the cohorts"), db() as session:
    cohorts = list_cohorts(session, viewer)
cohort_ids = {EVERYONE: None} | {c.name: c.id for c in cohorts}
catalogue = module_catalogue()
titles = {m["id"]: m["title"] for m in catalogue}
marks = {m["id"]: float(m["pass_mark"]) for m in catalogue}

c1, c2, c3 = st.columns([2, 2, 3])
cohort = c1.selectbox("Cohort", list(cohort_ids), key="dash_cohort", index=min(1, len(cohort_ids) - 1))
module = c2.selectbox(
    "Module", [ALL_MODULES, *titles], key="dash_module", format_func=lambda m: titles.get(m, m)
)
window = c3.date_input(
    "Completed between (optional)",
    value=(),  # type: ignore[arg-type]  # an empty range; streamlit's stubs list only 1- and 2-tuples
    key="dash_window",
    help="Pick a start and an end date; leave empty for all time.",
)
since = until = None
if isinstance(window, tuple | list) and len(window) == 2:
    since = datetime.combine(window[0], time.min, tzinfo=UTC)
    until = datetime.combine(window[1] + timedelta(days=1), time.min, tzinfo=UTC)
elif (isinstance(window, tuple | list) and len(window) == 1) or isinstance(window, date):
    st.caption("Pick the end date too; until then the dashboard shows all time.")
filters = Filters(
    cohort_id=cohort_ids[cohort],
    module_id=None if module == ALL_MODULES else module,
    since=since,
    until=until,
)

board = None
with core_errors("Computing the dashboard"), db() as session:
    board = cohort_dashboard(session, viewer, filters, top_tags=10)
if board is None:
    st.stop()

a, b, c, d = st.columns(4)
a.metric("Completed attempts", f"{board.attempts:,}")
b.metric("Mean score", "—" if board.mean_score is None else f"{board.mean_score:.1f}")
c.metric("Pass rate", "—" if board.pass_rate is None else f"{board.pass_rate:.0%}")
d.metric("Trainees", len(board.trainees))

if board.attempts == 0:
    st.info("No completed attempts match these filters yet.")
else:
    left, right = st.columns(2)
    with left:
        st.subheader("By module")
        st.altair_chart(
            charts.module_scores(
                [
                    {
                        "module": titles.get(m.module_id, m.module_id),
                        "mean_score": m.mean_score,
                        "pass_rate": m.pass_rate,
                        "attempts": m.attempts,
                        "trainees": m.trainees,
                    }
                    for m in board.modules
                ]
            ),
            width="stretch",
        )
        st.subheader("Skill dimensions")
        st.altair_chart(
            charts.dimensions(
                [{"dimension": k, "percent": v} for k, v in board.dimensions.items() if v is not None]
            ),
            width="stretch",
        )
    with right:
        st.subheader("Trend by week")
        st.altair_chart(
            charts.weekly(
                [
                    {
                        "week": w.week_start.isoformat(),
                        "mean_score": w.mean_score,
                        "pass_rate": w.pass_rate,
                        "attempts": w.attempts,
                    }
                    for w in board.weeks
                ]
            ),
            width="stretch",
        )
        st.subheader("Most frequent errors")
        if board.error_tags:
            st.altair_chart(
                charts.error_tags(
                    [{"tag": t.tag, "attempts": t.attempts, "share": t.share} for t in board.error_tags]
                ),
                width="stretch",
            )
        else:
            st.caption("No error tags on these attempts.")

st.subheader("Trainees")
# the pass mark of the chosen module; across modules the strictest one, so nobody below any is missed
pass_mark = marks.get(filters.module_id or "", max(marks.values(), default=80.0))
trainees = weakest_first(board.trainees, pass_mark)
below = [t for t in trainees if t.mean_score is not None and t.mean_score < pass_mark]
if below:
    st.warning(
        f"{len(below)} trainee(s) below the pass mark ({pass_mark:g}): listed first, and the drill-down "
        "starts at the weakest."
    )
if trainees:
    st.dataframe(
        [
            {
                "status": (
                    "no attempts yet"
                    if t.mean_score is None
                    else ("below the pass mark" if t.mean_score < pass_mark else "")
                ),
                "trainee": t.display_name or t.username,
                "username": t.username,
                "attempts": t.attempts,
                "modules": t.modules,
                "mean score": None if t.mean_score is None else round(t.mean_score, 1),
                "pass rate": None if t.pass_rate is None else round(100 * t.pass_rate),
                "last completed": local_when(t.last_completed_at),
            }
            for t in trainees
        ],
        hide_index=True,
    )
    people = {t.user_id: f"{t.display_name or t.username} ({t.username})" for t in trainees}
    pick, go = st.columns([3, 1])
    who = pick.selectbox(
        "Drill down to a trainee", list(people), format_func=people.__getitem__, key="dash_trainee"
    )
    if go.button("Open trainee view", key="dash_open_trainee") and who is not None:
        st.switch_page("ui/pages/trainee_view.py", query_params={"user": str(who)})
else:
    st.caption("No trainees in this cohort.")

st.subheader("Export")
st.caption(
    "Exports list every completed attempt matching the filters above; each export is written to the audit log."
)
if st.button("Prepare the export", key="dash_export_go"):
    with core_errors("Preparing the export"), db() as session:
        rows = attempt_rows(session, viewer, filters)
        st.session_state[EXPORT_KEY] = (filters, rows)
prepared = st.session_state.get(EXPORT_KEY)
if prepared and prepared[0] == filters:  # an export prepared for other filters is not offered
    rows = prepared[1]
    st.caption(f"{len(rows):,} attempts ready.")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    d1, d2 = st.columns(2)
    d1.download_button(
        "Download CSV",
        # a callable: the file is built on the click, and served only to a live session (ui.download_gate)
        lambda: to_csv(rows),
        file_name=f"precert-attempts-{stamp}.csv",
        mime="text/csv",
        key="dash_csv",
        on_click="ignore",
    )
    d2.download_button(
        "Download XLSX",
        lambda: to_xlsx(rows),
        file_name=f"precert-attempts-{stamp}.xlsx",
        key="dash_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
    )
