"""After a denial: "Is an appeal worth it?" — the expected value of each next step, every input shown
and the staff cost per hour editable (operations.appeal_value has the rules; docs/operations.md says why)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from operations.appeal_value import (
    FUTILITY_NOTE,
    OfferedLevel,
    best_option,
    load_appeal_economics,
    next_step_options,
)
from operations.outcome import ADVERSE, revenue_at_stake
from scenarios.models import Case
from simulator import Determination
from ui.feedback import core_errors
from ui.widgets.long_text import wrapped_table
from ui.widgets.text import md_escape


def _money(value: float) -> str:
    return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"


def appeal_value_panel(case: Case, standing: Determination | None, manual: Any, key: str = "av") -> None:
    """The expected-value table for the standing adverse decision's offered next steps (nothing when
    the case has no adverse decision with appeal rights)."""
    if standing is None or standing.status not in ADVERSE or not standing.appeal_rights or manual is None:
        return
    with st.expander("Is an appeal worth it? Expected value of each next step"):
        options = None
        with core_errors("Working out the expected values"):
            econ = load_appeal_economics()
            cost = st.number_input(
                "Staff cost per hour (US dollars)",
                min_value=1.0,
                max_value=1000.0,
                value=econ.hourly_cost,
                step=1.0,
                key=f"{key}_hourly",
                help=econ.sources[econ.hourly_cost_source],
            )
            offered = [
                OfferedLevel(level=r.level, name=r.name, automatic=r.automatic)
                for r in standing.appeal_rights
            ]
            options = next_step_options(
                revenue_at_stake(case, standing), offered, manual.plan_type, hourly_cost=cost, economics=econ
            )
        if not options:
            return
        best = best_option(options)
        # md_escape on our own text too: two dollar signs in one string would render as LaTeX
        st.caption(
            md_escape(
                f"Revenue at stake: {_money(options[0].at_stake)} (this case's service value, less any "
                "share approved). Expected value = at stake × likelihood − staff minutes ÷ 60 × cost per hour."
            )
        )
        wrapped_table(
            [
                {
                    "next step": o.name + (" (forwarded by the payer)" if o.automatic else ""),
                    "likelihood": (
                        f"{o.likelihood:.0%}"
                        if o.likelihood_low == o.likelihood_high
                        else f"{o.likelihood:.0%} ({o.likelihood_low:.0%}–{o.likelihood_high:.0%})"
                    ),
                    "staff time": f"{o.staff_minutes} min",
                    "staff cost": _money(o.staff_cost),
                    "expected value": _money(o.expected_value),
                    "likelihood source": o.likelihood_source,
                }
                for o in options
            ]
        )
        st.info(
            md_escape(f"Highest expected value: {best.name} ({_money(best.expected_value)}). {FUTILITY_NOTE}")
        )
        st.caption(f"Staff minutes: {md_escape(econ.sources[econ.staff_minutes_source])}")
