"""The operations KPIs on a page: the headline figures against their targets, the breakdown tables and
the trend charts. ``operations.kpis`` computes them; this module only formats them for people (every
id through ``labels.human``; tables are dataframes, so names stay text)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from operations.kpis import GroupKpis, Kpis, OperationsReport
from ui.widgets import charts
from ui.widgets.labels import human


def pct(value: float | None) -> str:
    """A rate for people: ``87%``, "—" when there is nothing to measure.

    >>> pct(0.8666), pct(None)
    ('87%', '—')
    """
    return "—" if value is None else f"{value:.0%}"


def hours(value: float | None) -> str:
    """Hours on the simulated clock for people.

    >>> hours(29.55), hours(None)
    ('29.6 h', '—')
    """
    return "—" if value is None else f"{value:.1f} h"


def dollars(value: int) -> str:
    """Whole US dollars for people.

    >>> dollars(1234567)
    '$1,234,567'
    """
    return f"${value:,}"


def _one(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def headline(k: Kpis) -> None:
    """The figures in two rows of metrics; first-pass approval shows its distance to the target."""
    a, b, c, d = st.columns(4)
    delta = (
        None if k.first_pass_rate is None else f"{(k.first_pass_rate - k.first_pass_target) * 100:+.0f} pts"
    )
    a.metric(
        "First-pass approval",
        pct(k.first_pass_rate),
        delta=delta,
        help=f"Requests approved in full on the first reply; target at least {pct(k.first_pass_target)}.",
    )
    b.metric(
        "Processing time (avg · p90)",
        f"{hours(k.avg_processing_hours)} · {hours(k.p90_processing_hours)}",
        help="Simulated hours from the payer receiving the first request to its decision.",
    )
    c.metric("Denial rate", pct(k.denial_rate), help="Decided requests whose first decision was adverse.")
    d.metric(
        "Staff time per case",
        "—" if k.staff_minutes_per_case is None else f"{k.staff_minutes_per_case:.1f} min",
        help="Active minutes in the case workspace; a gap over 5 minutes counts as idle.",
    )
    e, f, g, h = st.columns(4)
    e.metric("Revenue lost", dollars(k.revenue_lost))
    f.metric("Revenue at risk", dollars(k.revenue_at_risk))
    g.metric("Revenue recovered", dollars(k.revenue_recovered))
    h.metric(
        "Cash delay (avg)",
        "—" if k.avg_cash_delay_days is None else f"{k.avg_cash_delay_days:.1f} days",
        help=f"Days a late approval moved the service and its payment ({k.delayed_cases} cases).",
    )


def rows(groups: list[GroupKpis], name: str, label: Any = str) -> list[dict[str, Any]]:
    """A breakdown as dataframe rows with readable column names and rounded figures."""
    return [
        {
            name: label(g.label),
            "Cases": g.kpis.cases,
            "Requests": g.kpis.requests,
            "First-pass approval %": _one(
                None if g.kpis.first_pass_rate is None else 100 * g.kpis.first_pass_rate, 0
            ),
            "Meets target": (
                "—"
                if g.kpis.meets_first_pass_target is None
                else ("Yes" if g.kpis.meets_first_pass_target else "No")
            ),
            "Avg processing (h)": _one(g.kpis.avg_processing_hours),
            "P90 processing (h)": _one(g.kpis.p90_processing_hours),
            "Denial rate %": _one(None if g.kpis.denial_rate is None else 100 * g.kpis.denial_rate, 0),
            "Staff minutes per case": _one(g.kpis.staff_minutes_per_case),
            "Revenue lost ($)": g.kpis.revenue_lost,
            "At risk ($)": g.kpis.revenue_at_risk,
            "Recovered ($)": g.kpis.revenue_recovered,
        }
        for g in groups
    ]


def table(groups: list[GroupKpis], name: str, label: Any = str) -> None:
    if groups:
        st.dataframe(rows(groups, name, label), hide_index=True)
    else:
        st.caption("Nothing to show for these filters yet.")


def trends(report: OperationsReport) -> None:
    """First-pass approval per week against the target, and revenue lost / at risk / recovered."""
    weeks = report.by_week
    left, right = st.columns(2)
    with left:
        st.subheader("First-pass approval by week")
        st.altair_chart(
            charts.first_pass_trend(
                [
                    {"week": w.key, "rate": w.kpis.first_pass_rate, "requests": w.kpis.requests}
                    for w in weeks
                    if w.kpis.first_pass_rate is not None
                ],
                report.overall.first_pass_target,
            ),
            width="stretch",
        )
    with right:
        st.subheader("Revenue by week")
        st.altair_chart(
            charts.revenue_trend(
                [
                    {"week": w.key, "kind": kind, "dollars": value}
                    for w in weeks
                    for kind, value in (
                        ("Lost", w.kpis.revenue_lost),
                        ("At risk", w.kpis.revenue_at_risk),
                        ("Recovered", w.kpis.revenue_recovered),
                    )
                ]
            ),
            width="stretch",
        )


def denials_and_appeals(report: OperationsReport) -> None:
    left, right = st.columns(2)
    with left:
        st.subheader("Top denial reasons")
        if report.denial_reasons:
            st.altair_chart(
                charts.denial_reasons(
                    [
                        {"reason": human(r.reason), "denials": r.denials, "share": r.share}
                        for r in report.denial_reasons
                    ]
                ),
                width="stretch",
            )
        else:
            st.caption("No denials in these attempts.")
    with right:
        st.subheader("Appeal success by level")
        if report.appeals:
            st.dataframe(
                [
                    {
                        "Level": human(a.level),
                        "Appeals decided": a.appeals,
                        "Overturned": a.overturned,
                        "Success %": round(100 * a.success_rate),
                    }
                    for a in report.appeals
                ],
                hide_index=True,
            )
        else:
            st.caption("No appeals decided in these attempts.")
