"""Altair charts for the dashboards and "My results". Each function takes plain rows and returns a
chart, so the pages stay one line per chart and the charts can be built in tests without a browser."""

from __future__ import annotations

from typing import Any

import altair as alt


def score_history(rows: list[dict[str, Any]], pass_mark: float | None = None) -> alt.LayerChart | alt.Chart:
    """Score per completed attempt over time, one colour per module. Rows: completed, score, module, case."""
    points = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True)
        .encode(
            # one tick per day at most: attempts of one day used to repeat "Dec 03" on every tick
            x=alt.X(
                "completed:T",
                title="Completed",
                axis=alt.Axis(format="%b %d", labelOverlap=True, tickCount={"interval": "day", "step": 1}),
            ),
            y=alt.Y("score:Q", title="Score", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("module:N", title="Module"),
            tooltip=[
                "case:N",
                "module:N",
                alt.Tooltip("score:Q", format=".1f"),
                alt.Tooltip("completed:T", format="%Y-%m-%d %H:%M"),
            ],
        )
    )
    if pass_mark is None:
        return points
    rule = alt.Chart(alt.Data(values=[{"mark": pass_mark}])).mark_rule(strokeDash=[4, 4]).encode(y="mark:Q")
    return points + rule


def module_scores(rows: list[dict[str, Any]]) -> alt.Chart:
    """Mean score (bar) and pass rate (in the tooltip) per module. Rows: module, mean_score, pass_rate, attempts."""
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            x=alt.X("mean_score:Q", title="Mean score", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("module:N", title=None, sort="-x"),
            color=alt.Color(
                "pass_rate:Q", title="Pass rate", scale=alt.Scale(domain=[0, 1], scheme="redyellowgreen")
            ),
            tooltip=[
                "module:N",
                alt.Tooltip("mean_score:Q", format=".1f"),
                alt.Tooltip("pass_rate:Q", format=".0%"),
                "attempts:Q",
                "trainees:Q",
            ],
        )
    )


def weekly(rows: list[dict[str, Any]]) -> alt.Chart:
    """Mean score per week with the pass rate on hover. Rows: week, mean_score, pass_rate, attempts."""
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "week:T",
                title="Week (Monday)",
                axis=alt.Axis(format="%b %d", labelOverlap=True, tickCount={"interval": "week", "step": 1}),
            ),
            y=alt.Y("mean_score:Q", title="Mean score", scale=alt.Scale(domain=[0, 100])),
            tooltip=[
                "week:T",
                alt.Tooltip("mean_score:Q", format=".1f"),
                alt.Tooltip("pass_rate:Q", format=".0%"),
                "attempts:Q",
            ],
        )
    )


def dimensions(rows: list[dict[str, Any]]) -> alt.Chart:
    """Mean percentage per grading dimension. Rows: dimension, percent."""
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            x=alt.X("percent:Q", title="Mean % of points", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y(
                "dimension:N", title=None, sort=["coding", "documentation", "narrative", "process", "outcome"]
            ),
            tooltip=["dimension:N", alt.Tooltip("percent:Q", format=".1f")],
        )
    )


def error_tags(rows: list[dict[str, Any]]) -> alt.Chart:
    """Share of attempts carrying each error tag. Rows: tag, attempts, share."""
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title="Share of attempts", axis=alt.Axis(format="%")),
            y=alt.Y("tag:N", title=None, sort="-x"),
            tooltip=["tag:N", "attempts:Q", alt.Tooltip("share:Q", format=".0%")],
        )
    )


def first_pass_trend(rows: list[dict[str, Any]], target: float) -> alt.LayerChart:
    """First-pass approval rate per week against the target (dashed). Rows: week, rate, requests."""
    line = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "week:T",
                title="Week (Monday)",
                axis=alt.Axis(format="%b %d", labelOverlap=True, tickCount={"interval": "week", "step": 1}),
            ),
            y=alt.Y(
                "rate:Q",
                title="First-pass approval",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            tooltip=[
                alt.Tooltip("week:T", format="%Y-%m-%d"),
                alt.Tooltip("rate:Q", format=".0%"),
                "requests:Q",
            ],
        )
    )
    rule = (
        alt.Chart(alt.Data(values=[{"target": target}]))
        .mark_rule(strokeDash=[4, 4], color="green")
        .encode(y="target:Q", tooltip=[alt.Tooltip("target:Q", title="Target", format=".0%")])
    )
    return line + rule


def revenue_trend(rows: list[dict[str, Any]]) -> alt.Chart:
    """Revenue lost, at risk and recovered per week (stacked). Rows: week, kind, dollars."""
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="Week (Monday)", axis=alt.Axis(format="%b %d", labelOverlap=True)),
            y=alt.Y("dollars:Q", title="US dollars", axis=alt.Axis(format="$,.0f")),
            color=alt.Color(
                "kind:N",
                title="Revenue",
                scale=alt.Scale(
                    domain=["Lost", "At risk", "Recovered"], range=["#d62728", "#ff7f0e", "#2ca02c"]
                ),
            ),
            tooltip=[
                alt.Tooltip("week:T", format="%Y-%m-%d"),
                "kind:N",
                alt.Tooltip("dollars:Q", format="$,.0f"),
            ],
        )
    )


def denial_reasons(rows: list[dict[str, Any]]) -> alt.Chart:
    """Share of denials per reason. Rows: reason, denials, share."""
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title="Share of denials", axis=alt.Axis(format="%")),
            y=alt.Y("reason:N", title=None, sort="-x"),
            tooltip=["reason:N", "denials:Q", alt.Tooltip("share:Q", format=".0%")],
        )
    )
